//! The demo's script: a quarter at a made-up retailer — who asks for what and when, how they
//! answer the checklist, and what the AI team does — as data the player in `mod.rs` runs.

use crate::domain::Status;

/// A need as the demo plays it: who asks, when, the answers, and what the AI team does.
pub(super) struct NeedScript {
    pub(super) week: i64,
    pub(super) user: &'static str,
    pub(super) team: &'static str,
    pub(super) title: &'static str,
    pub(super) answers: &'static [(&'static str, &'static str)],
    /// Stop after a few steps (the checklist is left for later).
    pub(super) unfinished: bool,
    /// After the verdict, change one answer (question, new option).
    pub(super) edit: Option<(&'static str, &'static str)>,
    /// What happens next: (week, status, actor, note).
    pub(super) moves: &'static [(i64, Status, &'static str, &'static str)],
}

pub(super) struct SeedScript {
    pub(super) week: i64,
    pub(super) user: &'static str,
    pub(super) team: &'static str,
    pub(super) title: &'static str,
    pub(super) moves: &'static [(i64, Status, &'static str, &'static str)],
}

/// A need that rewords an earlier one (N-3, declined): intake shows the earlier need with the
/// reason it was declined, and the requester withdraws the new one with one click.
pub(super) const DUPLICATE: (i64, &str, &str, &str) = (5, "yuki", "Finance", "Automate checks of expense reports");

/// Answers shared by most needs; each script overrides what differs.
pub(super) const COMMON: &[(&str, &str)] = &[
    ("driver", "problem"),
    ("action", "person_decides"),
    ("current", "people_digital"),
    ("alternatives", "tried_failed"),
    ("fit", "volume"),
    ("baseline", "measured"),
    ("baseline_accuracy", "85"),
    ("target_accuracy", "93"),
    ("error_cost", "medium"),
    ("human_review", "yes"),
    ("volume", "3000"),
    ("hours", "120"),
    ("value_base", "400000000"),
    ("uplift_pct", "3"),
    ("owner", "funded_owner"),
    ("scale", "maybe"),
    ("rules", "impossible"),
    ("data_level", "lv3"),
    ("labels", "1k_100k"),
    ("feedback", "delayed_recorded"),
    ("people_impact", "none"),
    ("maintenance", "ai_team"),
];

/// The demo's needs as answer scripts (title, answers with the shared ones filled in), for
/// measuring how long their conversations are (examples/steps.rs). Unfinished needs are left
/// out: they never reach a verdict.
pub fn scripted_needs() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    NEEDS
        .iter()
        .filter(|n| !n.unfinished)
        .map(|n| {
            let mut answers: Vec<(&str, &str)> = n.answers.to_vec();
            answers.extend(COMMON.iter().filter(|(q, _)| !n.answers.iter().any(|(id, _)| id == q)));
            (n.title, answers)
        })
        .collect()
}

pub(super) const AI_LEAD: &str = "mika";
pub(super) const DIGEST_CHANNEL: &str = "managers";
pub(super) const AI_ENGINEER: &str = "taro";

pub(super) const NEEDS: &[NeedScript] = &[
    NeedScript {
        week: 0,
        user: "aiko",
        team: "Store operations",
        title: "Forecast weekly demand for store 12",
        answers: &[
            ("goal", "Cut stockouts at store 12 by a fifth without raising waste"),
            ("fit", "drift,training_cost"),
            ("baseline_accuracy", "92"),
            ("target_accuracy", "96"),
            ("volume", "5200"),
            ("hours", "160"),
            ("value_base", "800000000"),
            ("uplift_pct", "2"),
            ("labels", "gt_100k"),
            ("feedback", "immediate_recorded"),
        ],
        unfinished: false,
        edit: None,
        moves: &[
            (1, Status::Accepted, AI_LEAD, ""),
            (2, Status::InProgress, AI_ENGINEER, ""),
            (9, Status::Delivered, AI_ENGINEER, "Live for store 12; weekly error down from 8% to 4.5%"),
            (11, Status::Closed, "aiko", "Rolling out to stores 3 and 7 next quarter"),
        ],
    },
    NeedScript {
        week: 1,
        user: "kenji",
        team: "Greenhouse",
        title: "Sort cucumbers by grade with a camera",
        answers: &[
            ("goal", "Stop spending two people's afternoons on grading cucumbers"),
            ("fit", "volume,unpleasant,device"),
            ("baseline_accuracy", "95"),
            ("target_accuracy", "95"),
            ("volume", "30000"),
            ("hours", "60"),
            ("value_base", "3000000"),
            ("uplift_pct", "10"),
            ("data_level", "lv0"),
        ],
        unfinished: false,
        edit: None,
        moves: &[(
            2,
            Status::Redirected,
            AI_LEAD,
            "A second-hand optical grader sorts by length and bend for far less; we helped pick one",
        )],
    },
    NeedScript {
        week: 1,
        user: "hana",
        team: "Finance",
        title: "Use AI on expense reports",
        answers: &[("goal", "Use AI somehow"), ("driver", "mandate")],
        unfinished: false,
        edit: None,
        moves: &[(
            2,
            Status::Declined,
            AI_LEAD,
            "No result to change yet; happy to talk once the team knows what hurts in expenses",
        )],
    },
    NeedScript {
        week: 2,
        user: "sota",
        team: "Sales",
        title: "See weekly sales by region",
        answers: &[("goal", "Regional managers see last week's sales every Monday"), ("action", "report")],
        unfinished: false,
        edit: None,
        moves: &[(3, Status::Redirected, AI_ENGINEER, "The BI team added a regional page to the sales dashboard")],
    },
    NeedScript {
        week: 2,
        user: "yui",
        team: "Procurement",
        title: "Predict late deliveries from suppliers",
        answers: &[("goal", "Know three days ahead which deliveries will be late"), ("current", "paper")],
        unfinished: false,
        edit: None,
        moves: &[(
            3,
            Status::Redirected,
            AI_LEAD,
            "Log deliveries in the shared supplier form first; ask again in six months",
        )],
    },
    NeedScript {
        week: 3,
        user: "ren",
        team: "HR",
        title: "Screen job applications automatically",
        answers: &[
            ("goal", "Answer every applicant within five working days"),
            ("alternatives", "not_tried_plausible"),
            ("fit", "none"),
            ("people_impact", "decisions_about_people,personal_data,must_explain"),
        ],
        unfinished: false,
        edit: None,
        moves: &[(
            4,
            Status::Redirected,
            AI_LEAD,
            "A structured application form and a second reviewer on Mondays clear the queue",
        )],
    },
    NeedScript {
        week: 4,
        user: "daiki",
        team: "Logistics",
        title: "Plan delivery van routes",
        answers: &[
            ("goal", "Cut van kilometres per delivery by a tenth"),
            ("rules", "few_rules"),
            ("fit", "volume,latency"),
        ],
        unfinished: false,
        edit: None,
        moves: &[(5, Status::Accepted, AI_LEAD, ""), (6, Status::InProgress, AI_ENGINEER, "")],
    },
    NeedScript {
        week: 5,
        user: "mei",
        team: "Marketing",
        title: "Predict which customers will churn",
        answers: &[
            ("goal", "Keep 5% more loyalty members active each quarter"),
            ("driver", "mandate"),
            ("data_level", "lv0"),
            ("maintenance", "nobody"),
        ],
        unfinished: false,
        edit: None,
        moves: &[(
            6,
            Status::Redirected,
            AI_LEAD,
            "Data first: the data team sets up collection of loyalty events and a simple BI view",
        )],
    },
    NeedScript {
        week: 6,
        user: "kaito",
        team: "Quality assurance",
        title: "Spot scratches on painted panels",
        answers: &[
            ("goal", "Catch scratched panels before they are shipped"),
            ("baseline", "unknown"),
            ("error_cost", "high"),
            ("human_review", "no"),
        ],
        unfinished: false,
        edit: None,
        moves: &[(7, Status::Accepted, AI_LEAD, "")],
    },
    NeedScript {
        week: 7,
        user: "saki",
        team: "Customer support",
        title: "Route tickets to the right team",
        answers: &[("goal", "Tickets reach the right team within an hour"), ("action", "unsure")],
        unfinished: false,
        edit: Some(("action", "automatic")),
        moves: &[(8, Status::Accepted, AI_LEAD, "")],
    },
    NeedScript {
        week: 9,
        user: "riku",
        team: "Legal",
        title: "Summarise supplier contracts",
        answers: &[
            ("goal", "Lawyers read the key terms of a contract in ten minutes"),
            ("labels", "none"),
            ("data_level", "lv3"),
        ],
        unfinished: false,
        edit: None,
        moves: &[],
    },
    NeedScript {
        week: 10,
        user: "hana",
        team: "finance ",
        title: "Flag duplicate invoices",
        answers: &[("goal", "Never pay the same invoice twice"), ("data_level", "lv2"), ("fit", "volume,unobservable")],
        unfinished: false,
        edit: None,
        moves: &[],
    },
    // once word of a department gets round, the needs pour in
    NeedScript {
        week: 9,
        user: "sota",
        team: "Sales",
        title: "Score leads for the field team",
        answers: &[("goal", "Field staff call the 20% of leads most likely to buy first")],
        unfinished: false,
        edit: None,
        moves: &[],
    },
    NeedScript {
        week: 10,
        user: "mei",
        team: "Marketing",
        title: "Personalise the weekly newsletter",
        answers: &[("goal", "Lift newsletter clicks by a third"), ("action", "automatic")],
        unfinished: false,
        edit: None,
        moves: &[],
    },
    NeedScript {
        week: 10,
        user: "ren",
        team: "HR",
        title: "Predict who is about to leave",
        answers: &[
            ("goal", "Keep two more experienced staff a year"),
            ("people_impact", "decisions_about_people,personal_data"),
            ("labels", "lt_1k"),
        ],
        unfinished: false,
        edit: None,
        moves: &[],
    },
    NeedScript {
        week: 11,
        user: "hana",
        team: "Finance",
        title: "Forecast cash flow week by week",
        answers: &[("goal", "Know four weeks ahead when cash runs short"), ("data_level", "lv2")],
        unfinished: false,
        edit: None,
        moves: &[],
    },
    NeedScript {
        week: 11,
        user: "yui",
        team: "Procurement",
        title: "Check supplier quotes against market prices",
        answers: &[("goal", "Pay no more than the market for our top 100 parts")],
        unfinished: false,
        edit: None,
        moves: &[],
    },
    NeedScript {
        week: 11,
        user: "aiko",
        team: "Store operations",
        title: "Plan staff shifts around footfall",
        answers: &[("goal", "Fewer idle hours at the tills on weekday mornings"), ("driver", "opportunity")],
        unfinished: true,
        edit: None,
        moves: &[],
    },
    NeedScript {
        week: 11,
        user: "nao",
        team: "Warehouse",
        title: "Count stock from shelf photos",
        answers: &[("goal", "Monthly stock count done in one day instead of three")],
        unfinished: true,
        edit: None,
        moves: &[(12, Status::Withdrawn, "nao", "The new handheld scanners already cut the count to a day")],
    },
];

pub(super) const SEEDS: &[SeedScript] = &[
    SeedScript {
        week: 0,
        user: AI_ENGINEER,
        team: "Finance",
        title: "Read invoices with OCR",
        moves: &[
            (1, Status::Prototyping, AI_ENGINEER, ""),
            (4, Status::Pitched, AI_LEAD, "Shown to Finance: 70% of fields read correctly"),
            (8, Status::InService, AI_LEAD, "Finance uses it for all paper invoices"),
        ],
    },
    SeedScript {
        week: 3,
        user: AI_LEAD,
        team: "",
        title: "Chatbot for internal IT questions",
        moves: &[
            (4, Status::Prototyping, AI_LEAD, ""),
            (
                7,
                Status::Shelved,
                AI_LEAD,
                "People preferred a searchable FAQ; writing it answered most questions, so we published that instead",
            ),
        ],
    },
    SeedScript {
        week: 5,
        user: AI_ENGINEER,
        team: "Store operations",
        title: "Explain demand forecasts to buyers",
        moves: &[
            (6, Status::Prototyping, AI_ENGINEER, ""),
            (10, Status::Pitched, AI_LEAD, "Offered to the buyers of stores 3 and 7"),
        ],
    },
    SeedScript {
        week: 8,
        user: AI_ENGINEER,
        team: "Store operations",
        title: "Spot empty shelves from store cameras",
        moves: &[(9, Status::Prototyping, AI_ENGINEER, "")],
    },
    SeedScript { week: 12, user: AI_LEAD, team: "", title: "Find anomalies in till logs", moves: &[] },
];
