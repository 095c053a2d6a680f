//! Rows as both backends return them, and their conversion to and from the domain. No SQL here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AuditEntry, Claimed, ExportEvent, ExportItem, ItemSummary, JobRun, StatRow, StoreError, Workspace};
use crate::domain::checklist::Answer;
use crate::domain::nudge::{NudgeKind, Realised};
use crate::domain::stage::Stage;
use crate::domain::text::{TeamName, Title};
use crate::domain::{
    Answers, Change, Currency, Event, ItemKind, ItemRef, Lang, Outcome, Recipient, Role, Settings, Status, UserId,
    ValueSettings, Verdict, WorkItem, WorkspaceId,
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
            "value_confirmed" => {
                let d: Amount = self.detail()?;
                Change::Value { realised: Realised::Confirmed(d.amount) }
            }
            "no_effect" => Change::Value { realised: Realised::NoEffect },
            "no_longer_used" => Change::Value { realised: Realised::NoLongerUsed },
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

/// A statistics row; times in seconds since 1970 (cheap to read in bulk).
pub struct StatRowDb {
    pub kind: String,
    pub status: String,
    pub team: String,
    pub team_key: String,
    pub outcome: Option<String>,
    pub yearly_value: Option<f64>,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub data_level: Option<String>,
}

/// Read by position, not by name: a hundred thousand rows at a time make the difference.
impl<'r, R: sqlx::Row> sqlx::FromRow<'r, R> for StatRowDb
where
    usize: sqlx::ColumnIndex<R>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<f64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(StatRowDb {
            kind: row.try_get(0)?,
            status: row.try_get(1)?,
            team: row.try_get(2)?,
            team_key: row.try_get(3)?,
            outcome: row.try_get(4)?,
            yearly_value: row.try_get(5)?,
            created_at: row.try_get(6)?,
            submitted_at: row.try_get(7)?,
            first_response_at: row.try_get(8)?,
            resolved_at: row.try_get(9)?,
            data_level: row.try_get(10)?,
        })
    }
}

impl StatRowDb {
    pub fn into_row(self) -> Result<StatRow, StoreError> {
        let time = |s: i64| DateTime::<Utc>::from_timestamp(s, 0).ok_or_else(|| corrupt("time", s));
        let opt_time = |s: Option<i64>| s.map(time).transpose();
        Ok(StatRow {
            kind: ItemKind::parse(&self.kind).ok_or_else(|| corrupt("item kind", &self.kind))?,
            status: status(&self.status)?,
            low_data: matches!(self.data_level.as_deref(), Some("not_recorded" | "lv0" | "lv1")),
            team: self.team,
            team_key: self.team_key,
            outcome: outcome(self.outcome.as_deref())?,
            yearly_value: self.yearly_value,
            created_at: time(self.created_at)?,
            submitted_at: opt_time(self.submitted_at)?,
            first_response_at: opt_time(self.first_response_at)?,
            resolved_at: opt_time(self.resolved_at)?,
        })
    }
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

/// An item row joined with one of its answers (or none), as the export streams them.
#[derive(sqlx::FromRow)]
pub struct ExportRow {
    pub id: i64,
    pub kind: String,
    pub number: i64,
    pub title: String,
    pub description: String,
    pub team: String,
    pub team_key: String,
    pub requester: String,
    pub owner: Option<String>,
    pub status: String,
    pub outcome: Option<String>,
    pub flags: String,
    pub yearly_value: Option<f64>,
    pub effort_days: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub question: Option<String>,
    pub value: Option<String>,
}

impl ExportRow {
    pub fn start(&self) -> Result<ExportItem, StoreError> {
        Ok(ExportItem {
            id: item_ref(&self.kind, self.number)?.to_string(),
            kind: self.kind.clone(),
            number: self.number,
            title: self.title.clone(),
            description: self.description.clone(),
            team: self.team.clone(),
            team_key: self.team_key.clone(),
            requester: self.requester.clone(),
            owner: self.owner.clone(),
            status: self.status.clone(),
            outcome: self.outcome.clone(),
            flags: self.flags.clone(),
            yearly_value: self.yearly_value,
            effort_days: self.effort_days,
            created_at: self.created_at,
            updated_at: self.updated_at,
            submitted_at: self.submitted_at,
            first_response_at: self.first_response_at,
            resolved_at: self.resolved_at,
            answers: Default::default(),
        })
    }

    /// Adds this row's answer to the item being assembled (stored as its kind-tagged JSON).
    pub fn add_answer(&self, item: &mut ExportItem) -> Result<(), StoreError> {
        if let (Some(q), Some(v)) = (&self.question, &self.value) {
            let answer: Answer = serde_json::from_str(v).map_err(|e| corrupt("answer", e))?;
            item.answers.insert(q.clone(), answer.to_json());
        }
        Ok(())
    }
}

#[derive(sqlx::FromRow)]
pub struct ExportEventRow {
    pub id: i64,
    pub item_kind: Option<String>,
    pub number: Option<i64>,
    pub actor: String,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: Option<String>,
    pub detail: Option<String>,
    pub at: DateTime<Utc>,
}

impl ExportEventRow {
    pub fn into_export(self) -> Result<ExportEvent, StoreError> {
        let item = match (&self.item_kind, self.number) {
            (Some(k), Some(n)) => Some(item_ref(k, n)?.to_string()),
            _ => None,
        };
        Ok(ExportEvent {
            id: self.id,
            item,
            actor: self.actor,
            kind: self.kind,
            from_status: self.from_status,
            to_status: self.to_status,
            note: self.note,
            detail: self.detail,
            at: self.at,
        })
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
