//! How long the checklist conversation is: questions to a verdict, before and after "ask what
//! decides, then stop" (SPEC §2), on the demo's needs and on needs made up for this measure.
//!
//! `cargo run --example steps` prints one line per need and the distribution (BENCHMARKS.md
//! quotes it). "Before" asks every question that applies, in checklist order, as kakehashi did
//! until the conversation plan: that is `View::next` until nothing is left. "After" follows
//! `conversation::plan`, as the console does: a step is one question, or one form of related
//! numbers whose fields the console asks in turn (counted both ways).
//! `cargo test --example steps` checks the acceptance figures of issue 11.

use kakehashi::domain::Lang;
use kakehashi::domain::checklist::{Answer, Answers, Checklist};
use kakehashi::domain::conversation::{ends_at_once, plan};
use kakehashi::domain::verdict::{assess, render};
use kakehashi::domain::{Outcome, ValueSettings};
use kakehashi::prompts::Prompts;

/// Defaults for the made-up needs (an ordinary ML candidate); each need overrides what differs.
const BASE: &[(&str, &str)] = &[
    ("goal", "Cut the time to answer a customer claim from five days to two"),
    ("driver", "problem"),
    ("action", "person_decides"),
    ("current", "people_digital"),
    ("alternatives", "tried_failed"),
    ("fit", "volume"),
    ("baseline", "estimate"),
    ("baseline_accuracy", "80"),
    ("target_accuracy", "90"),
    ("error_cost", "medium"),
    ("human_review", "yes"),
    ("volume", "2000"),
    ("hours", "200"),
    ("value_base", "300000000"),
    ("uplift_pct", "3"),
    ("owner", "funded_owner"),
    ("scale", "maybe"),
    ("rules", "many_brittle"),
    ("data_level", "lv3"),
    ("labels", "1k_100k"),
    ("feedback", "delayed_recorded"),
    ("people_impact", "none"),
    ("maintenance", "ai_team"),
];

/// Needs made up for this measure: what employees of a mid-sized company bring, from reports
/// to real ML candidates. Only what differs from [`BASE`].
const MADE_UP: &[(&str, &[(&str, &str)])] = &[
    ("Monthly churn dashboard for the board", &[("action", "report")]),
    ("Which shop sells most per square metre", &[("action", "report"), ("driver", "curious")]),
    ("AI for HR", &[("driver", "mandate"), ("goal", "Use AI in HR")]),
    ("Chatbot because the CEO asked", &[("driver", "mandate"), ("goal", "A chatbot")]),
    ("Something with generative AI", &[("action", "unsure"), ("driver", "curious")]),
    ("Predict machine breakdowns from paper logbooks", &[("current", "paper")]),
    ("Score sales calls", &[("current", "not_done"), ("data_level", "not_recorded")]),
    ("Auto-sort incoming mail", &[("fit", "none"), ("alternatives", "not_tried_plausible")]),
    (
        "Check invoices for errors",
        &[("fit", "training_cost"), ("baseline", "measured"), ("baseline_accuracy", "97"), ("target_accuracy", "95")],
    ),
    ("Suggest the next-best product in the app", &[("action", "automatic"), ("fit", "volume,latency")]),
    ("Optimise the canteen menu", &[("hours", "10"), ("value_base", "2000000"), ("uplift_pct", "5")]),
    ("Find fraud in expense claims", &[("data_level", "lv1")]),
    ("Predict demand for spare parts", &[("data_level", "lv0"), ("driver", "opportunity")]),
    ("Grade photos of returned goods", &[("labels", "none"), ("fit", "volume,unpleasant")]),
    ("Route support tickets", &[("baseline", "unknown"), ("fit", "volume")]),
    ("Flag late payers", &[("rules", "few_rules")]),
    ("Forecast call-centre staffing", &[("data_level", "lv2"), ("fit", "volume,drift")]),
    ("Detect defects on the paint line", &[("fit", "volume,device,unobservable"), ("error_cost", "high")]),
    (
        "Rank job applicants",
        &[("people_impact", "decisions_about_people,personal_data"), ("error_cost", "high"), ("human_review", "no")],
    ),
    ("Price used forklifts", &[("owner", "unfunded_owner"), ("scale", "no"), ("fit", "unobservable")]),
    ("Translate product manuals", &[("fit", "volume,training_cost"), ("feedback", "not_recorded")]),
    ("Predict energy use of the plant", &[("fit", "drift,unobservable"), ("maintenance", "nobody")]),
    ("Read meter photos on site", &[("fit", "device,volume"), ("action", "automatic"), ("data_level", "lv4")]),
    ("Match supplier names across systems", &[("fit", "volume"), ("labels", "gt_100k"), ("owner", "no_owner")]),
    ("Spot fake reviews", &[("driver", "opportunity"), ("fit", "volume,unobservable"), ("labels", "lt_1k")]),
];

struct Measure {
    title: String,
    outcome: Outcome,
    before: usize,
    steps: usize,
    questions: usize,
    /// Texts of the verdict (both languages) that quote a question as unanswered.
    unanswered_quotes: Vec<String>,
}

fn parse(checklist: &Checklist, script: &[(&str, &str)]) -> Answers {
    script
        .iter()
        .map(|(q, v)| {
            let question = checklist.question(q).unwrap_or_else(|| panic!("no question {q}"));
            let values: Vec<String> = v.split(',').map(str::to_string).collect();
            let answer: Answer = question.parse_input(&values).unwrap_or_else(|e| panic!("{q}={v}: {e}"));
            (q.to_string(), answer)
        })
        .collect()
}

fn measure(checklist: &Checklist, title: &str, full: &Answers) -> Measure {
    let settings = ValueSettings::default();
    let mut given = Answers::default();
    let mut before = 0;
    while let Some(q) = checklist.view(&given).next() {
        let id = q.id.clone();
        given.set(&id, full.get(&id).expect("a full script").clone());
        before += 1;
    }
    let mut given = Answers::default();
    let (mut steps, mut questions) = (0, 0);
    loop {
        let view = checklist.view(&given);
        let step: Vec<String> = plan(&view, &settings).step.iter().map(|q| q.id.clone()).collect();
        if step.is_empty() {
            break;
        }
        for id in &step {
            given.set(id, full.get(id).expect("a full script").clone());
        }
        steps += 1;
        questions += step.len();
    }
    let verdict = assess(&checklist.view(&given), &settings);
    let outcome = verdict.outcome;
    assert_eq!(outcome, assess(&checklist.view(full), &settings).outcome, "{title}");
    let mut unanswered_quotes = Vec::new();
    for lang in [Lang::En, Lang::Ja] {
        let none = checklist.text("reasons.no_answer", lang);
        let words = render(checklist, &verdict, lang);
        let texts = words.reasons.into_iter().map(|r| r.text).chain([words.next_step]);
        unanswered_quotes.extend(texts.filter(|t| t.contains(none)));
    }
    Measure { title: title.to_string(), outcome, before, steps, questions, unanswered_quotes }
}

fn all() -> Vec<Measure> {
    let prompts = Prompts::embedded();
    let checklist = &prompts.checklist;
    let mut out = Vec::new();
    for (title, script) in kakehashi::cli::demo::scripted_needs() {
        out.push(measure(checklist, &format!("demo: {title}"), &parse(checklist, &script)));
    }
    for (title, changes) in MADE_UP {
        let mut script: Vec<(&str, &str)> = BASE.to_vec();
        for (q, v) in *changes {
            script.retain(|(k, _)| k != q);
            script.push((q, v));
        }
        out.push(measure(checklist, title, &parse(checklist, &script)));
    }
    out
}

fn median(mut v: Vec<usize>) -> f64 {
    v.sort_unstable();
    let n = v.len();
    if n % 2 == 1 { v[n / 2] as f64 } else { (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0 }
}

fn histogram(v: &[usize]) -> String {
    let mut counts = std::collections::BTreeMap::new();
    for x in v {
        *counts.entry(*x).or_insert(0) += 1;
    }
    counts.iter().map(|(k, n)| format!("{k}:{n}")).collect::<Vec<_>>().join(" ")
}

fn main() {
    let measures = all();
    println!("{:<52} {:<16} {:>6} {:>6} {:>9}", "need", "outcome", "before", "steps", "questions");
    for m in &measures {
        println!("{:<52} {:<16} {:>6} {:>6} {:>9}", m.title, m.outcome.as_str(), m.before, m.steps, m.questions);
    }
    println!(
        "\nverdicts quoting a question as unanswered (English and Japanese): {}",
        measures.iter().filter(|m| !m.unanswered_quotes.is_empty()).count()
    );
    let pick = |f: &dyn Fn(&Measure) -> usize, only: &dyn Fn(&Measure) -> bool| -> Vec<usize> {
        measures.iter().filter(|m| only(m)).map(f).collect()
    };
    let every = |_: &Measure| true;
    let at_once = |m: &Measure| ends_at_once(m.outcome);
    let ml = |m: &Measure| !ends_at_once(m.outcome);
    println!(
        "\n{} needs ({} from the demo)",
        measures.len(),
        measures.iter().filter(|m| m.title.starts_with("demo")).count()
    );
    for (name, only) in [("all", &every as &dyn Fn(&Measure) -> bool), ("clarify / not ML", &at_once), ("ML path", &ml)]
    {
        for (what, f) in [
            ("before (questions)", &(|m: &Measure| m.before) as &dyn Fn(&Measure) -> usize),
            ("after (steps)", &|m: &Measure| m.steps),
            ("after (questions)", &|m: &Measure| m.questions),
        ] {
            let v = pick(f, only);
            println!(
                "{name:<17} {what:<19} median {:>4} · max {:>2} · min {:>2} · {}",
                median(v.clone()),
                v.iter().max().unwrap_or(&0),
                v.iter().min().unwrap_or(&0),
                histogram(&v)
            );
        }
    }
}

#[test]
fn conversations_are_short_and_end_where_the_full_answers_end() {
    let measures = all();
    for m in &measures {
        assert!(m.steps < m.before, "{}: {} steps, {} questions before", m.title, m.steps, m.before);
        assert!(m.questions <= 20, "{}: {} questions", m.title, m.questions);
        // a verdict quotes what was asked, never a question the conversation did not need
        assert!(m.unanswered_quotes.is_empty(), "{}: {:#?}", m.title, m.unanswered_quotes);
        if ends_at_once(m.outcome) {
            // "people already reach the quality needed" is the longest: who acts, why now, how
            // it is done today, the data (rules 1–3), what fits, and the accuracy today with the
            // one needed (rule 4, one step)
            assert!(m.steps <= 6, "{}: {} steps to {:?}", m.title, m.steps, m.outcome);
        } else {
            // the rules' deciders and the flag questions SPEC §2 asks on the ML path: 14 or 15
            assert!(m.steps <= 15, "{}: {} steps to {:?}", m.title, m.steps, m.outcome);
        }
    }
}
