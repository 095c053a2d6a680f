//! The verdict of the checklist (SPEC §2): rules in order, the first that matches sets the
//! outcome; every rule checked adds a reason quoting the answers it used; flags for every
//! outcome; the value arithmetic; the next step.
//!
//! A verdict is stored as data ([`Verdict`]: keys and arguments, no language), so it can be shown
//! in any language later; [`render`] turns it into words. A rule whose inputs are missing does not
//! match: it reports which answers it lacked.

mod render;
mod rules;
mod schema;
mod standing;
mod value;

pub use render::{Rendered, RenderedFlag, RenderedReason, answer_text, render, shorten, text_keys};
pub use rules::{assess, raised_flags};
pub use schema::SCHEMA;
pub use standing::{RuleState, Standing, standings};

use serde::{Deserialize, Serialize};

use super::checklist::Answer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Clarify,
    NotMlReport,
    NotMlDigitize,
    NotMlWorkflow,
    NotWorthIt,
    DataFirst,
    BaselineFirst,
    MlPrototype,
}

impl Outcome {
    /// In the order the rules are checked.
    pub const ALL: [Outcome; 8] = [
        Outcome::Clarify,
        Outcome::NotMlReport,
        Outcome::NotMlDigitize,
        Outcome::NotMlWorkflow,
        Outcome::NotWorthIt,
        Outcome::DataFirst,
        Outcome::BaselineFirst,
        Outcome::MlPrototype,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Clarify => "clarify",
            Outcome::NotMlReport => "not_ml_report",
            Outcome::NotMlDigitize => "not_ml_digitize",
            Outcome::NotMlWorkflow => "not_ml_workflow",
            Outcome::NotWorthIt => "not_worth_it",
            Outcome::DataFirst => "data_first",
            Outcome::BaselineFirst => "baseline_first",
            Outcome::MlPrototype => "ml_prototype",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The outcomes that answer "not ML, do this instead".
    pub fn is_not_ml(self) -> bool {
        matches!(self, Outcome::NotMlReport | Outcome::NotMlDigitize | Outcome::NotMlWorkflow)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    Maintenance,
    Ethics,
    Latency,
    Embedded,
    ErrorCost,
    Demand,
    NoBaseline,
}

impl Flag {
    pub const ALL: [Flag; 7] = [
        Flag::Maintenance,
        Flag::Ethics,
        Flag::Latency,
        Flag::Embedded,
        Flag::ErrorCost,
        Flag::Demand,
        Flag::NoBaseline,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Maintenance => "maintenance",
            Flag::Ethics => "ethics",
            Flag::Latency => "latency",
            Flag::Embedded => "embedded",
            Flag::ErrorCost => "error_cost",
            Flag::Demand => "demand",
            Flag::NoBaseline => "no_baseline",
        }
    }

    pub fn parse(s: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// A value a reason quotes, kept as data so the reason can be written in any language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Arg {
    /// The answer to a question as it was when the verdict was made (`None`: not answered).
    Answer {
        question: String,
        value: Option<Answer>,
    },
    /// Questions a rule needed and did not have.
    Missing {
        questions: Vec<String>,
    },
    Money {
        amount: f64,
        currency: String,
    },
    /// The whole value arithmetic of rule 5.
    Value {
        estimate: ValueEstimate,
    },
    /// The error rate before and after, in percent.
    ErrorChange {
        from: f64,
        to: f64,
    },
    /// What to invest in next at a data level.
    Invest {
        level: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub rule: Outcome,
    pub matched: bool,
    /// The text under `reasons.` in prompts/checklist.toml.
    pub key: String,
    pub args: Vec<(String, Arg)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlagHit {
    pub flag: Flag,
    /// The answers that raised it.
    pub because: Vec<Arg>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revenue {
    pub base: f64,
    pub uplift_pct: f64,
    pub amount: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Labour {
    pub hours_per_month: f64,
    pub hourly_cost: f64,
    pub automatable_share: f64,
    pub amount: f64,
}

/// V = value_base × uplift_pct/100 + hours × 12 × hourly_cost × automatable_share, against the
/// yearly cost C of an ML project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueEstimate {
    pub currency: String,
    pub revenue: Option<Revenue>,
    pub labour: Option<Labour>,
    pub yearly_value: f64,
    pub yearly_cost: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextStep {
    pub key: String,
    pub args: Vec<(String, Arg)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    pub flags: Vec<FlagHit>,
    pub value: Option<ValueEstimate>,
    pub next: NextStep,
}

impl Verdict {
    pub fn flag_ids(&self) -> Vec<Flag> {
        self.flags.iter().map(|f| f.flag).collect()
    }
}

#[cfg(test)]
mod tests;
