//! Answering the checklist of a need: saving an answer as it comes, making the verdict when the
//! conversation has nothing more to ask (screening → submitted), and remaking it when an answer changes
//! afterwards (the change is recorded as an event).

use chrono::{DateTime, Utc};

use super::checklist::{Answer, Checklist};
use super::conversation;
use super::item::{Change, Event, Status, WorkItem};
use super::settings::ValueSettings;
use super::verdict::{self, Outcome};

#[derive(Debug, Clone, PartialEq)]
pub enum Answered {
    /// The same answer again (a double click, a retry): nothing changed.
    Unchanged,
    /// Saved; more questions to go.
    Saved,
    /// The last question was answered: the verdict is made and the need is submitted.
    Submitted,
    /// An answer changed after the verdict; the verdict was made again.
    Reassessed { before: Option<Outcome>, after: Option<Outcome> },
}

/// Records `answer` to `question` on a need, with what follows from it. Returns what happened
/// and the events to store with the item.
pub fn record_answer(
    item: &mut WorkItem,
    checklist: &Checklist,
    settings: &ValueSettings,
    question: &str,
    answer: Answer,
    actor: &str,
    now: DateTime<Utc>,
) -> (Answered, Vec<Event>) {
    record_answers(item, checklist, settings, &[(question.to_string(), answer)], actor, now)
}

/// Records the answers of one step (one question, or the fields of a form) together: the
/// verdict is made once they are all in, when the conversation has nothing more to ask
/// ([`conversation::plan`]).
pub fn record_answers(
    item: &mut WorkItem,
    checklist: &Checklist,
    settings: &ValueSettings,
    answers: &[(String, Answer)],
    actor: &str,
    now: DateTime<Utc>,
) -> (Answered, Vec<Event>) {
    let changed: Vec<(&String, Option<Answer>, &Answer)> = answers
        .iter()
        .filter_map(|(q, a)| {
            let before = item.answers.get(q).cloned();
            (before.as_ref() != Some(a)).then_some((q, before, a))
        })
        .collect();
    if changed.is_empty() {
        return (Answered::Unchanged, Vec::new());
    }
    for (q, _, a) in &changed {
        item.answers.set(q, (*a).clone());
    }
    item.updated_at = now;
    let view = checklist.view(&item.answers);
    let complete = conversation::plan(&view, settings).is_complete();
    if item.status == Status::Screening {
        if !complete {
            return (Answered::Saved, Vec::new());
        }
        item.verdict = Some(verdict::assess(&view, settings));
        let event =
            item.transition(Status::Submitted, actor, None, now).expect("screening may always move to submitted");
        return (Answered::Submitted, vec![event]);
    }
    // After the verdict: remake it once the conversation has nothing more to ask.
    let outcome_before = item.outcome();
    if complete {
        item.verdict = Some(verdict::assess(&view, settings));
    }
    let outcome_after = item.outcome();
    let events = changed
        .into_iter()
        .map(|(question, before, after)| Event {
            item: item.reference,
            actor: actor.into(),
            change: Change::AnswerEdited {
                question: question.clone(),
                before,
                after: after.clone(),
                outcome_before,
                outcome_after,
            },
            note: None,
            at: now,
        })
        .collect();
    (Answered::Reassessed { before: outcome_before, after: outcome_after }, events)
}
