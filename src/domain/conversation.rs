//! The checklist as a conversation (SPEC §2, "Ask what decides, then stop"): which step comes
//! next, and how many more there can be at most.
//!
//! After every answer the rules of [`verdict`] are evaluated on what is known
//! ([`verdict::standings`]: each true, false or still open). The outcome is fixed when a rule is
//! true and every rule before it false. Until then the next question is the first, in the order
//! of prompts/checklist.toml, that can still settle an open rule. Once the outcome is fixed at
//! `clarify` or a not-ML outcome the conversation ends; on the ML path the questions that raise
//! a flag ([`FLAG_QUESTIONS`]) come next, then the verdict.
//!
//! Related questions share one step ([`GROUPS`]): one form on Slack and Discord, fields in turn
//! on the console. A group may open with one choice question (how the accuracy today is known),
//! whose click is taken first and opens the form of the rest at once; the step counts once. To
//! group more questions, add a list to [`GROUPS`]; members after the first must be number or
//! text questions (a form holds text inputs only).

use std::collections::BTreeSet;

use super::checklist::{Input, Question, View};
use super::settings::ValueSettings;
use super::verdict::{self, Flag, Outcome, Standing};

/// Questions asked in one step, when more than one of them is still wanted. The accuracy today
/// comes with how it is known (`baseline`: measured, estimated or unknown — its click opens the
/// form of the two numbers, and "unknown" leaves only the target). Volume is in the second group
/// as the SPEC lists it, but no rule or flag reads it, so it is never wanted.
pub const GROUPS: &[&[&str]] =
    &[&["baseline", "baseline_accuracy", "target_accuracy"], &["volume", "hours", "value_base", "uplift_pct"]];

/// The questions whose answers raise a flag; asked once the outcome is fixed on the ML path.
pub const FLAG_QUESTIONS: &[&str] =
    &["fit", "baseline", "error_cost", "human_review", "owner", "scale", "feedback", "people_impact", "maintenance"];

/// What an ML prototype's verdict states as its bar (SPEC §2, rule 8): the accuracy the person
/// would act on, and the accuracy today it is compared with. Neither changes the outcome, but
/// while a prototype is still a possible outcome they are asked with how the accuracy today is
/// known — the same step, as one form — so a prototype's verdict always has a bar to beat.
const SUCCESS_BAR: &[&str] = &["baseline_accuracy", "target_accuracy"];

/// Flag questions read for one flag and nothing else (not by a rule, not by the AI register):
/// once other answers have raised that flag, they cannot change anything and are not asked.
/// How soon a result is known only says whether upkeep is a risk; drift in what fits, or nobody
/// to keep it up, already says so.
const FLAG_ONLY: &[(&str, Flag)] = &[("feedback", Flag::Maintenance)];

/// The flag questions still worth asking: unanswered, and not read only for a flag already raised.
fn flag_questions(view: &View<'_>, settings: &ValueSettings) -> Vec<&'static str> {
    let missing: Vec<&'static str> =
        FLAG_QUESTIONS.iter().copied().filter(|q| view.input(q) == Input::Missing).collect();
    if !missing.iter().any(|q| FLAG_ONLY.iter().any(|(f, _)| f == q)) {
        return missing;
    }
    // flags only ever rise as answers come (each is raised by answers given), so one raised now
    // stays raised whatever the rest say
    let raised = verdict::raised_flags(view, settings);
    missing.into_iter().filter(|q| !FLAG_ONLY.iter().any(|(f, flag)| f == q && raised.contains(flag))).collect()
}

/// Every question a rule reads, with those its questions' `ask_if` read (for the bound on
/// what can still come; see [`Plan::at_most`]).
fn inputs(rule: Outcome) -> &'static [&'static str] {
    match rule {
        Outcome::Clarify => &["goal", "driver", "action"],
        Outcome::NotMlReport => &["action"],
        Outcome::NotMlDigitize => &["current", "data_level"],
        Outcome::NotMlWorkflow => &["alternatives", "fit", "baseline", "baseline_accuracy", "target_accuracy"],
        Outcome::NotWorthIt => &["hours", "value_base", "uplift_pct"],
        Outcome::DataFirst => &["data_level", "labels", "rules"],
        Outcome::BaselineFirst => &["baseline", "fit", "rules", "data_level"],
        Outcome::MlPrototype => &[],
    }
}

/// Whether nothing will be built for this outcome (no flag questions are asked).
pub fn ends_at_once(outcome: Outcome) -> bool {
    outcome == Outcome::Clarify || outcome.is_not_ml()
}

/// Where a conversation stands.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    /// The outcome, once no answer still to come can change it.
    pub fixed: Option<Outcome>,
    /// The questions of the next step, in checklist order; empty when the verdict is due.
    pub step: Vec<&'a Question>,
    /// Steps answered so far (a group counts once, and not while its form is still due).
    pub done: usize,
    /// How many steps can follow the next one, at most, whatever the answers.
    pub at_most: usize,
}

impl<'a> Plan<'a> {
    /// The first question of the next step.
    pub fn next(&self) -> Option<&'a Question> {
        self.step.first().copied()
    }

    pub fn is_complete(&self) -> bool {
        self.step.is_empty()
    }
}

/// The group a question belongs to (itself alone when it is in none).
pub fn group_of(question: &str) -> &'static [&'static str] {
    GROUPS.iter().copied().find(|g| g.contains(&question)).unwrap_or(&[])
}

fn step_key(question: &str) -> &str {
    group_of(question).first().copied().unwrap_or(question)
}

/// The conversation on these answers: the next step and the bound on what follows.
pub fn plan<'a>(view: &View<'a>, settings: &ValueSettings) -> Plan<'a> {
    let checklist = view.checklist();
    let states = verdict::standings(view, settings);
    let missing = |q: &str| view.input(q) == Input::Missing;

    let mut wanted: BTreeSet<&str> = BTreeSet::new();
    let mut possible: BTreeSet<&str> = BTreeSet::new();
    let mut fixed = None;
    let mut open = false;
    // whether the outcome may still be one on the ML path (then flag questions may come)
    let mut ml_path = false;
    for s in &states {
        if s.standing != Standing::False && !ends_at_once(s.rule) {
            ml_path = true;
        }
        if s.rule == Outcome::MlPrototype {
            // every rule before it is false or open: the prototype's success bar may be needed
            wanted.extend(SUCCESS_BAR.iter().copied().filter(|q| missing(q)));
        }
        match s.standing {
            Standing::False => continue,
            Standing::True => {
                possible.extend(inputs(s.rule).iter().copied().filter(|q| missing(q)));
                if !open {
                    fixed = Some(s.rule);
                }
                break;
            }
            Standing::Open => {
                open = true;
                wanted.extend(s.deciders.iter().copied());
                possible.extend(inputs(s.rule).iter().copied().filter(|q| missing(q)));
            }
        }
    }
    // Rule 8 always matches, so a rule is true at the end; the inputs of a true rule cannot
    // change the outcome (only what it quotes).
    let flags = if ml_path { flag_questions(view, settings) } else { Vec::new() };
    if let Some(rule) = fixed {
        possible.clear();
        if !ends_at_once(rule) {
            wanted.extend(flags.iter().copied());
        }
    }
    possible.extend(flags.iter().copied());
    possible.extend(wanted.iter().copied());

    // A wanted question whose `ask_if` waits on an earlier answer: that answer first.
    let mut resolved: BTreeSet<&str> = BTreeSet::new();
    let mut queue: Vec<&str> = wanted.iter().copied().collect();
    while let Some(q) = queue.pop() {
        match view.applies(q) {
            Some(true) => {
                resolved.insert(q);
            }
            Some(false) => {}
            None => {
                if let Some(cond) = checklist.question(q).and_then(|q| q.ask_if.as_ref()) {
                    for (dep, _) in cond.tests() {
                        if missing(dep)
                            && let Some(dep) = checklist.question(dep)
                        {
                            queue.push(dep.id.as_str());
                        }
                    }
                }
            }
        }
    }

    let first = checklist.questions().iter().find(|q| resolved.contains(q.id.as_str()));
    let step: Vec<&'a Question> = match first {
        None => Vec::new(),
        Some(q) => {
            let group = group_of(&q.id);
            if group.is_empty() {
                vec![q]
            } else {
                // the group's fields that are wanted, also those whose `ask_if` reads another
                // field of the same form (it is checked when the form comes back)
                checklist
                    .questions()
                    .iter()
                    .filter(|m| {
                        m.id == q.id
                            || (group.contains(&m.id.as_str())
                                && wanted.contains(m.id.as_str())
                                && view.applies(&m.id) != Some(false))
                    })
                    .collect()
            }
        }
    };

    let count_steps = |qs: &mut dyn Iterator<Item = &str>| qs.map(step_key).collect::<BTreeSet<_>>().len();
    let current = step.first().map(|q| step_key(&q.id));
    let at_most = count_steps(
        &mut possible.iter().copied().filter(|q| view.applies(q) != Some(false) && Some(step_key(q)) != current),
    );
    // the choice that opens a group is answered before the group's form: still the same step
    let done = count_steps(
        &mut view.answered().into_iter().map(|(q, _)| q.id.as_str()).filter(|q| Some(step_key(q)) != current),
    );
    Plan { fixed, step, done, at_most }
}

/// The question answered before `question` (for Back): the last answered one before it, in
/// checklist order (the choice that opened its form, or the step before).
pub fn previous<'a>(view: &View<'a>, question: &str) -> Option<&'a Question> {
    let checklist = view.checklist();
    let i = checklist.questions().iter().position(|q| q.id == question)?;
    checklist.questions()[..i].iter().rev().find(|q| matches!(view.input(&q.id), Input::Given(_)))
}

/// Questions that apply and were never answered (they did not decide anything, or not yet):
/// `answers <id>` offers them, and answering one remakes the verdict.
pub fn unanswered<'a>(view: &View<'a>) -> Vec<&'a Question> {
    view.checklist().questions().iter().filter(|q| view.input(&q.id) == Input::Missing).collect()
}

#[cfg(test)]
#[path = "conversation_tests.rs"]
mod tests;
