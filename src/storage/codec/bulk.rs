//! Rows read in bulk: the statistics' rows (times as seconds, cheap to read by the hundred
//! thousand) and the export's, streamed.

use chrono::{DateTime, Utc};

use super::{corrupt, item_ref, outcome, status};
use crate::domain::ItemKind;
use crate::domain::checklist::Answer;
use crate::domain::nudge::Realised;
use crate::storage::{ExportEvent, ExportItem, StatRow, StoreError};

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
    /// The latest answer to the value check-in: its event's kind and detail.
    pub realised: Option<String>,
    pub realised_detail: Option<String>,
}

impl ExportRow {
    pub fn start(&self) -> Result<ExportItem, StoreError> {
        let realised = match &self.realised {
            Some(kind) => Some(super::events::realised(kind, self.realised_detail.as_deref())?),
            None => None,
        };
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
            realised: realised.map(|r| r.kind().to_string()),
            realised_yearly_value: realised.map(Realised::yearly),
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
