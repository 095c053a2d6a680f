//! The AI register (SPEC §5): what runs in service, with its owner, since when, who keeps it up,
//! the human oversight, a risk tier derived from the checklist, and when it is next reviewed.
//!
//! The risk tier reads the `people_impact` answer: `high` when the use decides about people
//! (hiring, credit, evaluation — the EU AI Act's Annex III kind of use), `limited` when it uses
//! personal data or must explain each result, `minimal` otherwise. Its reasons are the options
//! that decided, so the chat layer can quote them in the person's language.

use chrono::{DateTime, Months, Utc};
use serde::Serialize;

use super::checklist::{Answer, Answers};
use super::item::{Change, Event, ItemKind, Status, WorkItem};
use super::verdict::Outcome;

pub const PEOPLE_IMPACT: &str = "people_impact";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Minimal,
    Limited,
    High,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Minimal => "minimal",
            Tier::Limited => "limited",
            Tier::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Tier> {
        [Tier::Minimal, Tier::Limited, Tier::High].into_iter().find(|t| t.as_str() == s.trim().to_ascii_lowercase())
    }
}

/// A risk tier and the `people_impact` options that decided it (none: the question was not
/// answered, or answered "none of these").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Risk {
    pub tier: Tier,
    pub reasons: Vec<String>,
    /// The question was answered at all.
    pub answered: bool,
}

/// The risk tier of a use, from the checklist's answers.
pub fn risk(answers: &Answers) -> Risk {
    let picked: Vec<String> = match answers.get(PEOPLE_IMPACT) {
        Some(Answer::Many(v)) => v.clone(),
        Some(Answer::One(v)) => vec![v.clone()],
        _ => return Risk { tier: Tier::Minimal, reasons: Vec::new(), answered: false },
    };
    let has = |id: &str| picked.iter().any(|p| p == id);
    let (tier, reasons): (Tier, &[&str]) = if has("decisions_about_people") {
        (Tier::High, &["decisions_about_people"])
    } else if has("personal_data") || has("must_explain") {
        (Tier::Limited, &["personal_data", "must_explain"])
    } else {
        (Tier::Minimal, &[])
    };
    let reasons = reasons.iter().filter(|r| has(r)).map(|r| r.to_string()).collect();
    Risk { tier, reasons, answered: true }
}

/// How often a use of this tier is reviewed, in months.
pub fn review_months(tier: Tier, every: u32, high_every: u32) -> u32 {
    if tier == Tier::High { high_every } else { every }
}

/// Whether a delivered need or an in-service seed belongs in the register: a need whose verdict
/// said "not ML" was solved some other way and is no AI use.
pub fn in_service(item: &WorkItem) -> bool {
    match item.kind() {
        ItemKind::Need => {
            matches!(item.status, Status::Delivered | Status::Closed)
                && item.resolved_at.is_some()
                && !matches!(
                    item.outcome(),
                    Some(Outcome::NotMlReport | Outcome::NotMlDigitize | Outcome::NotMlWorkflow)
                )
        }
        ItemKind::Seed => item.status == Status::InService,
    }
}

/// One line of the register.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub since: DateTime<Utc>,
    pub risk: Risk,
    /// The last review (confirmed still in use), if any.
    pub reviewed_at: Option<DateTime<Utc>>,
    pub next_review: DateTime<Utc>,
}

/// The register entry of an item in service with its history, or `None` when it is not in the
/// register (not in service, or retired).
pub fn entry(item: &WorkItem, events: &[Event], every: u32, high_every: u32) -> Option<Entry> {
    if !in_service(item) || events.iter().any(|e| matches!(e.change, Change::Retired)) {
        return None;
    }
    let since = item.resolved_at?;
    let risk = risk(&item.answers);
    let reviewed_at = events.iter().filter(|e| matches!(e.change, Change::Reviewed)).map(|e| e.at).max();
    let from = reviewed_at.unwrap_or(since);
    let months = review_months(risk.tier, every, high_every);
    let next_review = from.checked_add_months(Months::new(months)).unwrap_or(from);
    Some(Entry { since, risk, reviewed_at, next_review })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(picked: &[&str]) -> Answers {
        let mut a = Answers::default();
        a.set(PEOPLE_IMPACT, Answer::Many(picked.iter().map(|s| s.to_string()).collect()));
        a
    }

    /// Every combination of the four options of `people_impact`, with the tier and reasons worked
    /// out by hand from SPEC §5 (high: decides about people; limited: personal data or must
    /// explain; minimal otherwise).
    #[test]
    fn the_risk_tier_of_every_people_impact_combination_is_as_computed_by_hand() {
        use Tier::*;
        let d = "decisions_about_people";
        let p = "personal_data";
        let e = "must_explain";
        let n = "none";
        #[rustfmt::skip]
        let table: &[(&[&str], Tier, &[&str])] = &[
            (&[],           Minimal, &[]),
            (&[n],          Minimal, &[]),
            (&[e],          Limited, &[e]),
            (&[e, n],       Limited, &[e]),
            (&[p],          Limited, &[p]),
            (&[p, n],       Limited, &[p]),
            (&[p, e],       Limited, &[p, e]),
            (&[p, e, n],    Limited, &[p, e]),
            (&[d],          High,    &[d]),
            (&[d, n],       High,    &[d]),
            (&[d, e],       High,    &[d]),
            (&[d, e, n],    High,    &[d]),
            (&[d, p],       High,    &[d]),
            (&[d, p, n],    High,    &[d]),
            (&[d, p, e],    High,    &[d]),
            (&[d, p, e, n], High,    &[d]),
        ];
        assert_eq!(table.len(), 16, "every subset of the four options");
        for (picked, tier, reasons) in table {
            let r = risk(&answers(picked));
            assert_eq!(r.tier, *tier, "{picked:?}");
            assert_eq!(r.reasons, reasons.iter().map(|s| s.to_string()).collect::<Vec<_>>(), "{picked:?}");
            assert!(r.answered);
            // the order people picked them in does not matter
            let mut reversed = picked.to_vec();
            reversed.reverse();
            assert_eq!(risk(&answers(&reversed)).tier, *tier, "{reversed:?}");
        }
    }

    #[test]
    fn an_unanswered_people_question_is_minimal_and_says_it_was_not_answered() {
        let r = risk(&Answers::default());
        assert_eq!(r, Risk { tier: Tier::Minimal, reasons: vec![], answered: false });
    }

    #[test]
    fn high_risk_is_reviewed_more_often() {
        assert_eq!(review_months(Tier::High, 6, 3), 3);
        assert_eq!(review_months(Tier::Limited, 6, 3), 6);
        assert_eq!(review_months(Tier::Minimal, 6, 3), 6);
        for t in [Tier::Minimal, Tier::Limited, Tier::High] {
            assert_eq!(Tier::parse(t.as_str()), Some(t));
        }
    }
}
