//! The rules on partial answers, for the conversation (SPEC §2, "Ask what decides, then stop").

use super::rules::*;
use super::*;
use crate::domain::checklist::{Input, View};
use crate::domain::settings::ValueSettings;

/// Where a rule stands on the answers known so far, in a conversation (SPEC §2, "Ask what
/// decides, then stop"): true or false whatever the unanswered questions would say, or still
/// open. Unlike [`assess`], an unanswered question is not yet a "no": rule 5 stays open while a
/// value question may still be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    True,
    False,
    Open,
}

/// One rule on the answers known so far: where it stands, and while it is open, the unanswered
/// questions whose answers can still settle it (in no particular order).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleState {
    pub rule: Outcome,
    pub standing: Standing,
    pub deciders: Vec<&'static str>,
}

/// The eight rules of [`assess`] on partial answers, in order. A rule is true here only if
/// [`assess`] would match it on any completion of the answers, false only if it would not.
pub fn standings(view: &View<'_>, settings: &ValueSettings) -> Vec<RuleState> {
    let c = Ctx { view, settings };
    let estimate = c.estimate();
    let rules: [&dyn Fn(&Ctx) -> Checked; 8] =
        [&clarify, &report, &digitize, &workflow, &|c: &Ctx| worth(c, &estimate), &data, &baseline, &prototype];
    rules
        .into_iter()
        .map(|rule| {
            let checked = rule(&c);
            let value_inputs = ["value_base", "uplift_pct", "hours"];
            let standing = if checked.matched {
                Standing::True
            } else if checked.key == "missing"
                || (checked.key == "worth.skipped" && value_inputs.iter().any(|q| c.input(q) == Input::Missing))
            {
                Standing::Open
            } else {
                Standing::False
            };
            let deciders = if standing == Standing::Open { c.deciders(checked.rule) } else { Vec::new() };
            RuleState { rule: checked.rule, standing, deciders }
        })
        .collect()
}

impl Ctx<'_, '_> {
    pub(super) fn missing(&self, q: &'static str) -> bool {
        self.input(q) == Input::Missing
    }

    /// The unanswered inputs of an open rule that can still settle it: those of its alternatives
    /// ("or") that are not already false. Mirrors the rule functions below.
    pub(super) fn deciders(&self, rule: Outcome) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        // one alternative: all its tests ("and"), each `(value, questions it reads)`
        let mut term = |tests: &[(Option<bool>, &[&'static str])]| {
            if tests.iter().any(|(v, _)| *v == Some(false)) {
                return;
            }
            for (v, qs) in tests {
                if v.is_none() {
                    out.extend(qs.iter().copied().filter(|q| self.missing(q)));
                }
            }
        };
        let fit_lacks = |options: &[&str]| self.many("fit").test(|f| !f.iter().any(|o| options.contains(&o.as_str())));
        match rule {
            Outcome::Clarify => {
                term(&[(self.is("action", &["unsure"]), &["action"])]);
                term(&[
                    (self.is("driver", &["mandate", "curious"]), &["driver"]),
                    (self.text("goal").test(|g| g.trim().chars().count() < 15), &["goal"]),
                ]);
            }
            Outcome::NotMlReport => term(&[(self.is("action", &["report"]), &["action"])]),
            Outcome::NotMlDigitize => {
                term(&[(self.is("current", &["paper"]), &["current"])]);
                term(&[(self.is("data_level", &["not_recorded"]), &["data_level"])]);
            }
            Outcome::NotMlWorkflow => {
                term(&[
                    (self.is("alternatives", &["not_tried_plausible"]), &["alternatives"]),
                    (self.many("fit").test(|f| f.len() == 1 && f[0] == "none"), &["fit"]),
                ]);
                let accuracy = match (self.number("target_accuracy"), self.number("baseline_accuracy")) {
                    (In::Is(t), In::Is(b)) => Some(t <= b),
                    (In::Skipped, _) | (_, In::Skipped) => Some(false),
                    _ => None,
                };
                term(&[
                    (accuracy, &["baseline_accuracy", "target_accuracy"]),
                    (fit_lacks(&["volume", "latency", "device", "unobservable"]), &["fit"]),
                ]);
            }
            Outcome::NotWorthIt => term(&[(None, &["hours", "value_base", "uplift_pct"])]),
            Outcome::DataFirst => {
                term(&[(self.is("data_level", &["lv0", "lv1"]), &["data_level"])]);
                term(&[
                    (self.is("labels", &["none", "lt_1k"]), &["labels"]),
                    (self.one("rules").test(|r| r != "few_rules"), &["rules"]),
                ]);
            }
            Outcome::BaselineFirst => {
                term(&[(self.is("baseline", &["unknown"]), &["baseline"]), (fit_lacks(&["unobservable"]), &["fit"])]);
                term(&[(self.is("rules", &["few_rules"]), &["rules"])]);
                term(&[(self.is("data_level", &["lv2"]), &["data_level"])]);
            }
            Outcome::MlPrototype => {}
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}
