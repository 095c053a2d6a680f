//! Rows as both backends return them, and their conversion to and from the domain. No SQL here.
//! Here the rows of workspaces, items, answers, the outbox and job runs; `events.rs` the events
//! (history and audit trail), `bulk.rs` the rows statistics and the export read in bulk.

mod bulk;
mod events;

pub use bulk::{ExportEventRow, ExportRow, StatRowDb};
pub use events::{ADMIN, EventRow, event_columns};

use chrono::{DateTime, Utc};

use super::{Claimed, ItemSummary, JobRun, StoreError, Workspace};
use crate::domain::checklist::Answer;
use crate::domain::stage::Stage;
use crate::domain::text::{TeamName, Title};
use crate::domain::{
    Answers, Currency, ItemKind, ItemRef, Lang, Outcome, Recipient, Role, Settings, Status, UserId, ValueSettings,
    Verdict, WorkItem, WorkspaceId,
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
    pub triage_channel: Option<String>,
    pub digest_channel: Option<String>,
    pub ai_department: bool,
    pub timezone: String,
    pub digest_cron: String,
    pub digest_dms: bool,
    pub pinned_stage: Option<i64>,
    /// The follow-through settings as JSON (absent keys take their defaults).
    pub follow: String,
    pub created_at: DateTime<Utc>,
}

impl WorkspaceRow {
    pub fn into_workspace(self) -> Result<Workspace, StoreError> {
        Ok(Workspace {
            settings: Settings {
                lang: Lang::parse(&self.lang).map_err(|e| corrupt("workspace language", e))?,
                value: ValueSettings {
                    currency: Currency::parse(&self.currency).map_err(|e| corrupt("workspace currency", e))?,
                    hourly_cost: self.hourly_cost,
                    automatable_share: self.automatable_share,
                    ml_yearly_cost: self.ml_yearly_cost,
                },
                triage_channel: self.triage_channel,
                digest_channel: self.digest_channel,
                ai_department: self.ai_department,
                digest_cron: self.digest_cron,
                timezone: self.timezone,
                digest_dms: self.digest_dms,
                pinned_stage: self.pinned_stage.and_then(|n| u8::try_from(n).ok()).and_then(Stage::parse),
                follow: serde_json::from_str(&self.follow).map_err(|e| corrupt("follow-through settings", e))?,
            },
            id: WorkspaceId::from_stored(self.id),
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
    pub submitted_at: Option<DateTime<Utc>>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
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
                let answer: Answer = serde_json::from_str(&a.value).map_err(|e| corrupt("answer", e))?;
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
            title: Title::from_stored(self.title),
            description: self.description,
            team: TeamName::from_stored(self.team, self.team_key),
            requester: self.requester.into(),
            owner: self.owner.map(UserId::from),
            status: status(&self.status)?,
            answers,
            verdict,
            effort_days: self.effort_days,
            submitted_at: self.submitted_at,
            first_response_at: self.first_response_at,
            resolved_at: self.resolved_at,
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
    pub submitted_at: Option<DateTime<Utc>>,
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
            requester: self.requester.into(),
            owner: self.owner.map(UserId::from),
            status: status(&self.status)?,
            outcome: outcome(self.outcome.as_deref())?,
            submitted_at: self.submitted_at,
            updated_at: self.updated_at,
        })
    }
}

/// The follow-through settings as stored.
pub fn follow_json(s: &Settings) -> String {
    serde_json::to_string(&s.follow).expect("settings serialise")
}

/// The columns derived from the verdict, for queries: (outcome, flags, yearly value, verdict JSON).
pub fn verdict_columns(item: &WorkItem) -> (Option<&'static str>, String, Option<f64>, Option<String>) {
    match &item.verdict {
        None => (None, String::new(), None, None),
        Some(v) => (
            Some(v.outcome.as_str()),
            v.flags.iter().map(|f| f.flag.as_str()).collect::<Vec<_>>().join(","),
            v.value.as_ref().map(|e| e.yearly_value),
            Some(serde_json::to_string(v).expect("a verdict serialises")),
        ),
    }
}

pub fn answer_json(answer: &Answer) -> String {
    serde_json::to_string(answer).expect("an answer serialises")
}

pub fn recipient_columns(r: &Recipient) -> (&'static str, &str) {
    match r {
        Recipient::User(u) => ("user", u),
        Recipient::Channel(c) => ("channel", c),
    }
}

#[derive(sqlx::FromRow)]
pub struct ClaimedRow {
    pub id: i64,
    pub workspace_id: String,
    pub recipient_kind: String,
    pub recipient: String,
    pub payload: String,
    pub attempts: i64,
    pub parts_sent: i64,
    pub created_at: DateTime<Utc>,
}

impl ClaimedRow {
    pub fn into_claimed(self) -> Result<Claimed, StoreError> {
        let recipient = match self.recipient_kind.as_str() {
            "user" => Recipient::User(self.recipient.into()),
            "channel" => Recipient::Channel(self.recipient),
            other => return Err(corrupt("recipient kind", other)),
        };
        Ok(Claimed {
            id: self.id,
            workspace: self.workspace_id,
            recipient,
            payload: self.payload,
            attempts: self.attempts,
            parts_sent: usize::try_from(self.parts_sent).map_err(|_| corrupt("parts sent", self.parts_sent))?,
            created_at: self.created_at,
        })
    }
}

pub fn role(s: &str) -> Result<Role, StoreError> {
    Role::parse(s).ok_or_else(|| corrupt("role", s))
}

/// The data level a need's answers give (kept on the item row for the stage model).
pub fn data_level(item: &WorkItem) -> Option<&str> {
    match item.answers.get("data_level") {
        Some(crate::domain::checklist::Answer::One(level)) => Some(level.as_str()),
        _ => None,
    }
}

#[derive(sqlx::FromRow)]
pub struct RunRow {
    pub id: i64,
    pub job: String,
    pub workspace_id: String,
    pub scheduled_for: DateTime<Utc>,
    pub late: bool,
    pub attempts: i64,
}

impl RunRow {
    pub fn into_run(self) -> JobRun {
        JobRun {
            id: self.id,
            job: self.job,
            workspace: self.workspace_id,
            scheduled_for: self.scheduled_for,
            late: self.late,
            attempts: self.attempts,
        }
    }
}

fn item_ref(kind: &str, number: i64) -> Result<ItemRef, StoreError> {
    let kind = ItemKind::parse(kind).ok_or_else(|| corrupt("item kind", kind))?;
    Ok(ItemRef { kind, number })
}

/// A stored status, read.
pub fn status_of(s: &str) -> Result<Status, StoreError> {
    status(s)
}

fn status(s: &str) -> Result<Status, StoreError> {
    Status::parse(s).ok_or_else(|| corrupt("status", s))
}

fn outcome(s: Option<&str>) -> Result<Option<Outcome>, StoreError> {
    s.map(|o| Outcome::parse(o).ok_or_else(|| corrupt("outcome", o))).transpose()
}

fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {detail}"))
}
