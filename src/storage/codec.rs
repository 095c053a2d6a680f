//! Rows as both backends return them, and their conversion to and from the domain. No SQL here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ItemSummary, StoreError, Workspace};
use crate::domain::checklist::Answer;
use crate::domain::{
    Answers, Change, Currency, Event, ItemKind, ItemRef, Lang, Outcome, Settings, Status,
    ValueSettings, Verdict, WorkItem,
};

#[derive(sqlx::FromRow)]
pub struct WorkspaceRow {
    pub id: String,
    pub name: String,
    pub lang: String,
    pub currency: String,
    pub hourly_cost: f64,
    pub automatable_share: f64,
    pub ml_yearly_cost: f64,
    pub created_at: DateTime<Utc>,
}

impl WorkspaceRow {
    pub fn into_workspace(self) -> Result<Workspace, StoreError> {
        Ok(Workspace {
            settings: Settings {
                lang: Lang::parse(&self.lang).map_err(|e| corrupt("workspace language", e))?,
                value: ValueSettings {
                    currency: Currency::parse(&self.currency)
                        .map_err(|e| corrupt("workspace currency", e))?,
                    hourly_cost: self.hourly_cost,
                    automatable_share: self.automatable_share,
                    ml_yearly_cost: self.ml_yearly_cost,
                },
            },
            id: self.id,
            name: self.name,
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct ItemRow {
    pub id: i64,
    pub workspace_id: String,
    pub kind: String,
    pub number: i64,
    pub title: String,
    pub description: String,
    pub team: String,
    pub team_key: String,
    pub requester: String,
    pub owner: Option<String>,
    pub status: String,
    pub verdict: Option<String>,
    pub effort_days: Option<f64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
pub struct AnswerRow {
    pub question: String,
    pub value: String,
}

impl ItemRow {
    pub fn into_item(self, answers: Vec<AnswerRow>) -> Result<WorkItem, StoreError> {
        let reference = item_ref(&self.kind, self.number)?;
        let answers: Answers = answers
            .into_iter()
            .map(|a| {
                let answer: Answer =
                    serde_json::from_str(&a.value).map_err(|e| corrupt("answer", e))?;
                Ok((a.question, answer))
            })
            .collect::<Result<_, StoreError>>()?;
        let verdict: Option<Verdict> = match &self.verdict {
            Some(v) => Some(serde_json::from_str(v).map_err(|e| corrupt("verdict", e))?),
            None => None,
        };
        Ok(WorkItem {
            workspace: self.workspace_id,
            reference,
            title: self.title,
            description: self.description,
            team: self.team,
            team_key: self.team_key,
            requester: self.requester,
            owner: self.owner,
            status: status(&self.status)?,
            answers,
            verdict,
            effort_days: self.effort_days,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct SummaryRow {
    pub kind: String,
    pub number: i64,
    pub title: String,
    pub team: String,
    pub requester: String,
    pub owner: Option<String>,
    pub status: String,
    pub outcome: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl SummaryRow {
    pub fn into_summary(self) -> Result<ItemSummary, StoreError> {
        Ok(ItemSummary {
            reference: item_ref(&self.kind, self.number)?,
            title: self.title,
            team: self.team,
            requester: self.requester,
            owner: self.owner,
            status: status(&self.status)?,
            outcome: match self.outcome.as_deref() {
                Some(o) => Some(Outcome::parse(o).ok_or_else(|| corrupt("outcome", o))?),
                None => None,
            },
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct EventRow {
    pub kind: String,
    pub number: i64,
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

impl EventRow {
    pub fn into_event(self) -> Result<Event, StoreError> {
        let opt_status = |s: &Option<String>| s.as_deref().map(status).transpose();
        let change = match self.change.as_str() {
            "created" => Change::Created {
                status: opt_status(&self.to_status)?
                    .ok_or_else(|| corrupt("event", "created without status"))?,
            },
            "status" => Change::Status {
                from: opt_status(&self.from_status)?
                    .ok_or_else(|| corrupt("event", "no from status"))?,
                to: opt_status(&self.to_status)?.ok_or_else(|| corrupt("event", "no to status"))?,
            },
            "answer_edited" => {
                let d: AnswerEdit = serde_json::from_str(self.detail.as_deref().unwrap_or(""))
                    .map_err(|e| corrupt("event detail", e))?;
                Change::AnswerEdited {
                    question: d.question,
                    before: d.before,
                    after: d.after,
                    outcome_before: d.outcome_before,
                    outcome_after: d.outcome_after,
                }
            }
            other => return Err(corrupt("event kind", other)),
        };
        Ok(Event {
            item: item_ref(&self.kind, self.number)?,
            actor: self.actor,
            change,
            note: self.note,
            at: self.at,
        })
    }
}

/// The columns of an event row: (kind, from, to, detail).
pub fn event_columns(
    change: &Change,
) -> (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<String>,
) {
    let (from, to) = change.statuses();
    let detail = match change {
        Change::AnswerEdited {
            question,
            before,
            after,
            outcome_before,
            outcome_after,
        } => {
            let d = AnswerEdit {
                question: question.clone(),
                before: before.clone(),
                after: after.clone(),
                outcome_before: *outcome_before,
                outcome_after: *outcome_after,
            };
            Some(serde_json::to_string(&d).expect("an answer edit serialises"))
        }
        _ => None,
    };
    (
        change.kind(),
        from.map(Status::as_str),
        to.map(Status::as_str),
        detail,
    )
}

/// The columns derived from the verdict, for queries: (outcome, flags, yearly value, verdict JSON).
pub fn verdict_columns(
    item: &WorkItem,
) -> (Option<&'static str>, String, Option<f64>, Option<String>) {
    match &item.verdict {
        None => (None, String::new(), None, None),
        Some(v) => (
            Some(v.outcome.as_str()),
            v.flags
                .iter()
                .map(|f| f.flag.as_str())
                .collect::<Vec<_>>()
                .join(","),
            v.value.as_ref().map(|e| e.yearly_value),
            Some(serde_json::to_string(v).expect("a verdict serialises")),
        ),
    }
}

pub fn answer_json(answer: &Answer) -> String {
    serde_json::to_string(answer).expect("an answer serialises")
}

fn item_ref(kind: &str, number: i64) -> Result<ItemRef, StoreError> {
    let kind = ItemKind::parse(kind).ok_or_else(|| corrupt("item kind", kind))?;
    Ok(ItemRef { kind, number })
}

fn status(s: &str) -> Result<Status, StoreError> {
    Status::parse(s).ok_or_else(|| corrupt("status", s))
}

fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {detail}"))
}
