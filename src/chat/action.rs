//! The ids that buttons, selects and forms carry, so a click finds its way back without any
//! state kept between messages. Each fits in Discord's 100 characters: question and option ids
//! are at most 32 characters of a–z, 0–9 and `_` (checked when the checklist loads, and here),
//! so they never hold the `:` between parts nor look like the `~n` Discord's renderer adds.

use std::fmt;

use crate::domain::checklist::is_id;
use crate::domain::nudge::{NoValue, Realised};
use crate::domain::{ItemRef, Status};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Answer a one-choice question with an option.
    Answer { item: ItemRef, question: String, option: String },
    /// Answer a several-choice question with the picked options (the select's values).
    Pick { item: ItemRef, question: String },
    /// Picks of a several-choice question so far, from a select that reports every pick (Slack's
    /// multi-select sends one payload per pick): shown with *Next*, nothing saved yet.
    Keep { item: ItemRef, question: String },
    /// *Next* after picks: the picked options, as their places in the question's options
    /// joined by `_` (`0_5_6`), so the id stays short.
    Take { item: ItemRef, question: String, picks: String },
    /// Show a question again (to change its answer), or open its form.
    Ask { item: ItemRef, question: String },
    /// Go back to the question before this one.
    Back { item: ItemRef, question: String },
    /// Stop for now; the answers so far are kept.
    Later { item: ItemRef },
    /// Choose which answer to change (the select's value is the question id).
    Edit { item: ItemRef },
    /// Continue the checklist where it stopped.
    Resume { item: ItemRef },
    /// Move the item to a status (a form asks for the note when the move needs one).
    Move { item: ItemRef, to: Status },
    /// Give the item an owner (the picked person is the value).
    Assign { item: ItemRef },
    /// Answer the realised-value check-in with "no measurable effect" or "no longer used".
    Value { item: ItemRef, answer: NoValue },
    /// Confirm at a register review that the item is still in use.
    Reviewed { item: ItemRef },
    /// Show a form again, empty or with its stored values. Transports whose forms cannot show
    /// errors in place (Discord's modals) offer it as a button next to the errors.
    Open { form: FormKind },
}

impl Action {
    pub fn parse(id: &str) -> Option<Action> {
        if let Some(form) = id.strip_prefix("o:") {
            return FormKind::parse(form).map(|form| Action::Open { form });
        }
        let mut parts = id.split(':');
        let tag = parts.next()?;
        let item = ItemRef::parse(parts.next()?).ok()?;
        let mut word = || parts.next().filter(|w| is_id(w)).map(str::to_string);
        let action = match tag {
            "a" => Action::Answer { item, question: word()?, option: word()? },
            "p" => Action::Pick { item, question: word()? },
            "k" => Action::Keep { item, question: word()? },
            "t" => Action::Take { item, question: word()?, picks: word()? },
            "q" => Action::Ask { item, question: word()? },
            "b" => Action::Back { item, question: word()? },
            "l" => Action::Later { item },
            "e" => Action::Edit { item },
            "r" => Action::Resume { item },
            "m" => Action::Move { item, to: Status::parse(&word()?)? },
            "as" => Action::Assign { item },
            "v" => Action::Value {
                item,
                answer: match word()?.as_str() {
                    "no_effect" => NoValue::NoEffect,
                    "no_longer_used" => NoValue::NoLongerUsed,
                    _ => return None,
                },
            },
            "rv" => Action::Reviewed { item },
            _ => return None,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(action)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Answer { item, question, option } => write!(f, "a:{item}:{question}:{option}"),
            Action::Pick { item, question } => write!(f, "p:{item}:{question}"),
            Action::Keep { item, question } => write!(f, "k:{item}:{question}"),
            Action::Take { item, question, picks } => write!(f, "t:{item}:{question}:{picks}"),
            Action::Ask { item, question } => write!(f, "q:{item}:{question}"),
            Action::Back { item, question } => write!(f, "b:{item}:{question}"),
            Action::Later { item } => write!(f, "l:{item}"),
            Action::Edit { item } => write!(f, "e:{item}"),
            Action::Resume { item } => write!(f, "r:{item}"),
            Action::Move { item, to } => write!(f, "m:{item}:{to}"),
            Action::Assign { item } => write!(f, "as:{item}"),
            Action::Value { item, answer } => write!(f, "v:{item}:{}", Realised::from(*answer).kind()),
            Action::Reviewed { item } => write!(f, "rv:{item}"),
            Action::Open { form } => write!(f, "o:{form}"),
        }
    }
}

/// The forms the bot asks people to fill in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    /// A new need: title, requesting team, description.
    Need,
    /// A new seed: title, team it is meant for, description.
    Seed,
    /// The answer to a text or number question.
    Answer { item: ItemRef, question: String },
    /// The note of a move that needs one (the advice of a redirect, a reason, a lesson).
    Move { item: ItemRef, to: Status },
    /// The realised yearly value of the check-in.
    Value { item: ItemRef },
    /// Why an item is retired from service.
    Retire { item: ItemRef },
}

impl FormKind {
    pub fn parse(id: &str) -> Option<FormKind> {
        match id {
            "need" => Some(FormKind::Need),
            "seed" => Some(FormKind::Seed),
            _ if id.starts_with("val:") => Some(FormKind::Value { item: ItemRef::parse(&id["val:".len()..]).ok()? }),
            _ if id.starts_with("ret:") => Some(FormKind::Retire { item: ItemRef::parse(&id["ret:".len()..]).ok()? }),
            _ if id.starts_with("mv:") => {
                let (item, to) = id["mv:".len()..].split_once(':')?;
                Some(FormKind::Move { item: ItemRef::parse(item).ok()?, to: Status::parse(to)? })
            }
            _ => {
                let rest = id.strip_prefix("ans:")?;
                let (item, question) = rest.split_once(':')?;
                let question = question.to_string();
                if !is_id(&question) {
                    return None;
                }
                Some(FormKind::Answer { item: ItemRef::parse(item).ok()?, question })
            }
        }
    }
}

impl fmt::Display for FormKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormKind::Need => f.write_str("need"),
            FormKind::Seed => f.write_str("seed"),
            FormKind::Answer { item, question } => write!(f, "ans:{item}:{question}"),
            FormKind::Move { item, to } => write!(f, "mv:{item}:{to}"),
            FormKind::Value { item } => write!(f, "val:{item}"),
            FormKind::Retire { item } => write!(f, "ret:{item}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ItemKind;

    fn n3() -> ItemRef {
        ItemRef { kind: ItemKind::Need, number: 3 }
    }

    #[test]
    fn every_action_reads_back_as_it_was_written() {
        let q = || "baseline_accuracy".to_string();
        for a in [
            Action::Answer { item: n3(), question: "labels".into(), option: "1k_100k".into() },
            Action::Pick { item: n3(), question: "fit".into() },
            Action::Ask { item: n3(), question: q() },
            Action::Back { item: n3(), question: q() },
            Action::Later { item: n3() },
            Action::Edit { item: n3() },
            Action::Resume { item: n3() },
            Action::Move { item: n3(), to: Status::InProgress },
            Action::Assign { item: n3() },
            Action::Value { item: n3(), answer: NoValue::NoEffect },
            Action::Value { item: n3(), answer: NoValue::NoLongerUsed },
            Action::Reviewed { item: n3() },
            Action::Open { form: FormKind::Value { item: n3() } },
            Action::Open { form: FormKind::Retire { item: n3() } },
            Action::Open { form: FormKind::Need },
            Action::Open { form: FormKind::Answer { item: n3(), question: q() } },
        ] {
            let id = a.to_string();
            assert!(id.len() <= 100, "{id}");
            assert_eq!(Action::parse(&id), Some(a));
        }
    }

    #[test]
    fn forms_read_back_as_they_were_written() {
        for f in [
            FormKind::Need,
            FormKind::Seed,
            FormKind::Answer { item: n3(), question: "goal".into() },
            FormKind::Move { item: n3(), to: Status::Redirected },
            FormKind::Value { item: n3() },
            FormKind::Retire { item: n3() },
        ] {
            assert_eq!(FormKind::parse(&f.to_string()), Some(f));
        }
    }

    #[test]
    fn foreign_or_damaged_ids_are_not_actions() {
        for id in [
            "",
            "x:N-3",
            "a:N-3:goal",
            "a:N-3:goal:x:y",
            "l:Q-3",
            "q:N-3:",
            "l",
            "ans:N-3:",
            "ans:N-3:a:b",
            "o:",
            "o:x",
            "o:ans:N-3:",
            // found by fuzzing (fuzz/fuzz_targets/custom_id.rs): not checklist ids, and `~2` is
            // what Discord's renderer adds to a repeated id, so the click would come back cut
            "p:N-3:fit~2",
            "a:N-3:goal:x~2",
            "q:N-3:Goal",
            "ans:N-3:goal~2",
            "o:ans:N-3:a b",
            "v:N-3:value_confirmed",
            "v:N-3",
            "rv:N-3:x",
            "val:X-3",
            "ret:",
        ] {
            assert_eq!(Action::parse(id), None, "{id}");
            assert_eq!(FormKind::parse(id), None, "{id}");
        }
    }
}
