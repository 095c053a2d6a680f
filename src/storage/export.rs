//! Reading a workspace in bulk: the rows statistics are computed from, and the export of every
//! item and event, streamed: [`ExportStore`] and its SQL ([`sql_export!`](crate::sql_export)).
//! The statistics' statement differs by dialect (how a time becomes seconds): a macro argument.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{StatRow, StoreError};

/// One item as exported: every stored column, the answers, and the verdict's outcome and flags.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExportItem {
    pub id: String,
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
    /// Question id → the stored answer.
    pub answers: std::collections::BTreeMap<String, serde_json::Value>,
    /// The latest answer to the value check-in (`value_confirmed`, `no_effect`,
    /// `no_longer_used`), if it was answered.
    pub realised: Option<String>,
    /// The yearly value it stands for (0 for no effect or no longer used).
    pub realised_yearly_value: Option<f64>,
}

/// One event as exported.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExportEvent {
    pub id: i64,
    pub item: Option<String>,
    pub actor: String,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: Option<String>,
    pub detail: Option<String>,
    pub at: DateTime<Utc>,
}

/// Where streamed rows go; returning an error stops the stream.
pub type Sink<'a, T> = &'a mut (dyn FnMut(T) -> std::io::Result<()> + Send);

#[async_trait]
pub trait ExportStore: Send + Sync {
    /// What statistics need of the items relevant to a period that starts at `since` (all items
    /// when `None`): those with a fact (creation, submission, first response, resolution) since
    /// then, and those still open or in service, whatever their age.
    async fn stat_rows(&self, workspace: &str, since: Option<DateTime<Utc>>) -> Result<Vec<StatRow>, StoreError>;

    /// Streams every item (created since `since`) with its answers, in id order, into `sink`.
    async fn export_items(
        &self,
        workspace: &str,
        since: Option<DateTime<Utc>>,
        sink: Sink<'_, ExportItem>,
    ) -> Result<(), StoreError>;

    /// Streams every event (since `since`) in id order into `sink`.
    async fn export_events(
        &self,
        workspace: &str,
        since: Option<DateTime<Utc>>,
        sink: Sink<'_, ExportEvent>,
    ) -> Result<(), StoreError>;
}

/// Implements [`ExportStore`] for a backend's store; expanded by [`sql_store!`](crate::sql_store),
/// which says what the store and the arguments are.
#[macro_export]
#[doc(hidden)]
macro_rules! sql_export {
    ($store:ty, stat_rows = $stat_rows:literal) => {
        #[async_trait::async_trait]
        impl $crate::storage::ExportStore for $store {
            #[tracing::instrument(skip(self))]
            async fn stat_rows(
                &self,
                workspace: &str,
                since: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<$crate::storage::StatRow>, $crate::storage::StoreError> {
                use futures_util::TryStreamExt;
                // times come as seconds since 1970: reading 100,000 rows stays cheap
                let mut rows = sqlx::query_as::<_, $crate::storage::codec::StatRowDb>($stat_rows)
                    .bind(workspace)
                    .bind($crate::storage::sql::since_or_epoch(since))
                    .fetch(&self.pool);
                let mut out = Vec::new();
                while let Some(row) = rows.try_next().await? {
                    out.push(row.into_row()?);
                }
                Ok(out)
            }

            #[tracing::instrument(skip(self, sink))]
            async fn export_items(
                &self,
                workspace: &str,
                since: Option<chrono::DateTime<chrono::Utc>>,
                sink: $crate::storage::Sink<'_, $crate::storage::ExportItem>,
            ) -> Result<(), $crate::storage::StoreError> {
                use futures_util::TryStreamExt;
                let mut rows = sqlx::query_as::<_, $crate::storage::codec::ExportRow>(
                    "SELECT i.id, i.kind, i.number, i.title, i.description, i.team, i.team_key, i.requester, i.owner,
                            i.status, i.outcome, i.flags, i.yearly_value, i.effort_days, i.created_at, i.updated_at,
                            i.submitted_at, i.first_response_at, i.resolved_at, a.question, a.value,
                            v.kind AS realised, v.detail AS realised_detail
                     FROM items i
                     -- the check-in's answer joined before the answers: looked up once an item,
                     -- not once an answer
                     LEFT JOIN events v ON v.id = (
                         SELECT MAX(e.id) FROM events e
                         WHERE e.item_id = i.id AND e.kind IN ('value_confirmed', 'no_effect', 'no_longer_used'))
                     LEFT JOIN answers a ON a.item_id = i.id
                     WHERE i.workspace_id = $1 AND i.created_at >= $2
                     ORDER BY i.id, a.question",
                )
                .bind(workspace)
                .bind($crate::storage::sql::since_or_epoch(since))
                .fetch(&self.pool);
                // rows of one item come together: assemble each, hand it on, keep nothing else
                let mut current: Option<(i64, $crate::storage::ExportItem)> = None;
                while let Some(row) = rows.try_next().await? {
                    match &mut current {
                        Some((id, item)) if *id == row.id => row.add_answer(item)?,
                        _ => {
                            if let Some((_, done)) = current.take() {
                                sink(done).map_err($crate::storage::StoreError::Write)?;
                            }
                            let mut item = row.start()?;
                            row.add_answer(&mut item)?;
                            current = Some((row.id, item));
                        }
                    }
                }
                if let Some((_, done)) = current {
                    sink(done).map_err($crate::storage::StoreError::Write)?;
                }
                Ok(())
            }

            #[tracing::instrument(skip(self, sink))]
            async fn export_events(
                &self,
                workspace: &str,
                since: Option<chrono::DateTime<chrono::Utc>>,
                sink: $crate::storage::Sink<'_, $crate::storage::ExportEvent>,
            ) -> Result<(), $crate::storage::StoreError> {
                use futures_util::TryStreamExt;
                let mut rows = sqlx::query_as::<_, $crate::storage::codec::ExportEventRow>(
                    "SELECT e.id, i.kind AS item_kind, i.number, e.actor, e.kind, e.from_status, e.to_status,
                            e.note, e.detail, e.at
                     FROM events e LEFT JOIN items i ON i.id = e.item_id
                     WHERE e.workspace_id = $1 AND e.at >= $2
                     ORDER BY e.id",
                )
                .bind(workspace)
                .bind($crate::storage::sql::since_or_epoch(since))
                .fetch(&self.pool);
                while let Some(row) = rows.try_next().await? {
                    sink(row.into_export()?).map_err($crate::storage::StoreError::Write)?;
                }
                Ok(())
            }
        }
    };
}
