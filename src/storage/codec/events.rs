//! Event rows: an item's history and the audit trail, with each change's `detail` as JSON.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{corrupt, item_ref, status};
use crate::domain::checklist::Answer;
use crate::domain::nudge::{NudgeKind, Realised};
use crate::domain::{Change, Event, Outcome, Status, UserId};
use crate::storage::{AuditEntry, StoreError};

/// An event row, with its item's kind and number (absent for admin actions).
#[derive(sqlx::FromRow)]
pub struct EventRow {
    pub item_kind: Option<String>,
    pub number: Option<i64>,
    pub actor: String,
    pub change: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: Option<String>,
    pub detail: Option<String>,
    pub at: DateTime<Utc>,
}

/// The `detail` of an `answer_edited` event.
#[derive(Serialize, Deserialize)]
struct AnswerEdit {
    question: String,
    before: Option<Answer>,
    after: Answer,
    outcome_before: Option<Outcome>,
    outcome_after: Option<Outcome>,
}

/// The `detail` of an `assigned` or `effort` event.
#[derive(Serialize, Deserialize)]
struct FromTo<T> {
    from: Option<T>,
    to: T,
}

/// The `detail` of a `nudged` event: what kind of reminder, its key and to whom. The database
/// keeps (item, detail) of `nudged` events unique, so a reminder is recorded once.
#[derive(Serialize, Deserialize)]
struct NudgeDetail {
    nudge: NudgeKind,
    key: String,
    to: String,
}

/// The `detail` of a `value_confirmed` event.
#[derive(Serialize, Deserialize)]
struct Amount {
    amount: f64,
}

/// An answer to the value check-in from its event's kind and `detail` (the items export reads
/// the latest one of each item this way too).
pub fn realised(kind: &str, detail: Option<&str>) -> Result<Realised, StoreError> {
    Ok(match kind {
        "value_confirmed" => {
            let d: Amount = serde_json::from_str(detail.unwrap_or("")).map_err(|e| corrupt("event detail", e))?;
            Realised::Confirmed(d.amount)
        }
        "no_effect" => Realised::NoEffect,
        "no_longer_used" => Realised::NoLongerUsed,
        other => return Err(corrupt("value check-in", other)),
    })
}

/// The kind of the event row of an admin action.
pub const ADMIN: &str = "admin";

impl EventRow {
    fn detail<T: for<'de> Deserialize<'de>>(&self) -> Result<T, StoreError> {
        serde_json::from_str(self.detail.as_deref().unwrap_or("")).map_err(|e| corrupt("event detail", e))
    }

    pub fn into_event(self) -> Result<Event, StoreError> {
        let item = match (&self.item_kind, self.number) {
            (Some(k), Some(n)) => item_ref(k, n)?,
            _ => return Err(corrupt("event", "an item event without its item")),
        };
        let opt_status = |s: &Option<String>| s.as_deref().map(status).transpose();
        let change = match self.change.as_str() {
            "created" => Change::Created {
                status: opt_status(&self.to_status)?.ok_or_else(|| corrupt("event", "created without status"))?,
            },
            "status" => Change::Status {
                from: opt_status(&self.from_status)?.ok_or_else(|| corrupt("event", "no from status"))?,
                to: opt_status(&self.to_status)?.ok_or_else(|| corrupt("event", "no to status"))?,
            },
            "answer_edited" => {
                let d: AnswerEdit = self.detail()?;
                Change::AnswerEdited {
                    question: d.question,
                    before: d.before,
                    after: d.after,
                    outcome_before: d.outcome_before,
                    outcome_after: d.outcome_after,
                }
            }
            "assigned" => {
                let d: FromTo<String> = self.detail()?;
                Change::Assigned { from: d.from.map(UserId::from), to: d.to.into() }
            }
            "effort" => {
                let d: FromTo<f64> = self.detail()?;
                Change::Effort { from: d.from, to: d.to }
            }
            "nudged" => {
                let d: NudgeDetail = self.detail()?;
                Change::Nudged { nudge: d.nudge, key: d.key, to: d.to.into() }
            }
            "value_confirmed" | "no_effect" | "no_longer_used" => {
                Change::Value { realised: realised(&self.change, self.detail.as_deref())? }
            }
            "reviewed" => Change::Reviewed,
            "retired" => Change::Retired,
            other => return Err(corrupt("event kind", other)),
        };
        Ok(Event { item, actor: self.actor.into(), change, note: self.note, at: self.at })
    }

    pub fn into_audit(self) -> Result<AuditEntry, StoreError> {
        if self.change == ADMIN {
            return Ok(AuditEntry {
                at: self.at,
                actor: self.actor.into(),
                item: None,
                event: None,
                admin: Some((self.detail.unwrap_or_default(), self.note.unwrap_or_default())),
            });
        }
        let event = self.into_event()?;
        Ok(AuditEntry {
            at: event.at,
            actor: event.actor.clone(),
            item: Some(event.item),
            event: Some(event),
            admin: None,
        })
    }
}

/// The columns of an event row: (kind, from, to, detail).
pub fn event_columns(change: &Change) -> (&'static str, Option<&'static str>, Option<&'static str>, Option<String>) {
    let (from, to) = change.statuses();
    let json = |v: serde_json::Result<String>| Some(v.expect("an event detail serialises"));
    let detail = match change {
        Change::AnswerEdited { question, before, after, outcome_before, outcome_after } => {
            json(serde_json::to_string(&AnswerEdit {
                question: question.clone(),
                before: before.clone(),
                after: after.clone(),
                outcome_before: *outcome_before,
                outcome_after: *outcome_after,
            }))
        }
        Change::Assigned { from, to } => json(serde_json::to_string(&FromTo { from: from.clone(), to: to.clone() })),
        Change::Effort { from, to } => json(serde_json::to_string(&FromTo { from: *from, to: *to })),
        Change::Nudged { nudge, key, to } => {
            json(serde_json::to_string(&NudgeDetail { nudge: *nudge, key: key.clone(), to: to.to_string() }))
        }
        Change::Value { realised: Realised::Confirmed(amount) } => {
            json(serde_json::to_string(&Amount { amount: *amount }))
        }
        Change::Created { .. } | Change::Status { .. } | Change::Value { .. } | Change::Reviewed | Change::Retired => {
            None
        }
    };
    (change.kind(), from.map(Status::as_str), to.map(Status::as_str), detail)
}
