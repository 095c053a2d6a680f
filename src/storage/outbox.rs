//! What must happen once: the outbox of messages to deliver (claimed, then settled), reminders
//! recorded with their message, and the replay guard on what arrives: [`OutboxStore`] and its
//! SQL ([`sql_outbox!`](crate::sql_outbox)). How a claim locks rows differs by dialect: the
//! claiming statement is a macro argument.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::domain::{Event, Recipient};

/// A message to deliver later (a direct message, a triage card), as the outbox stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotice {
    pub workspace: String,
    pub recipient: Recipient,
    /// The message, as JSON (the storage does not look inside).
    pub payload: String,
    pub at: DateTime<Utc>,
}

/// A notice claimed for delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    pub id: i64,
    pub workspace: String,
    pub recipient: Recipient,
    pub payload: String,
    /// Earlier attempts that failed.
    pub attempts: i64,
    /// Parts of a long message that earlier attempts delivered.
    pub parts_sent: usize,
    pub created_at: DateTime<Utc>,
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum NoticeOutcome {
    Sent,
    /// Try again at `at`; `parts_sent` parts of the message have arrived so far.
    Retry {
        at: DateTime<Utc>,
        error: String,
        parts_sent: usize,
    },
    GiveUp {
        error: String,
    },
}

#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Claims up to `limit` notices due by `now` in workspaces whose id starts with `prefix`,
    /// for `lease`; a claim not settled by then may be claimed again (its deliverer died).
    async fn claim_notices(
        &self,
        prefix: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> Result<Vec<Claimed>, StoreError>;

    /// Settles a claimed notice: delivered, to retry at `retry_at`, or given up (`retry_at` None).
    async fn settle_notice(&self, id: i64, outcome: NoticeOutcome, now: DateTime<Utc>) -> Result<(), StoreError>;

    /// Records a reminder (a [`crate::domain::Change::Nudged`] event of `workspace`'s item) and
    /// queues its message, in one transaction — unless the item already has that reminder, in
    /// which case nothing is written (false). So each reminder goes out once, whichever replica
    /// or restart gets to it.
    async fn record_nudge(&self, workspace: &str, event: &Event, notice: &NewNotice) -> Result<bool, StoreError>;

    /// The replay guard: claims `key` (one statement) until `expires`; true for the first claim
    /// on any replica, false for every later one. A key is never claimed twice, even once
    /// expired: the keys are single-use, and one coming back is a replay.
    async fn claim_key(&self, key: &str, expires: DateTime<Utc>) -> Result<bool, StoreError>;

    /// Deletes the replay keys that expired before `now`; how many.
    async fn forget_keys(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// Implements [`OutboxStore`] for a backend's store; expanded by [`sql_store!`](crate::sql_store),
/// which says what the store and the arguments are.
#[macro_export]
#[doc(hidden)]
macro_rules! sql_outbox {
    ($store:ty, begin = $begin:expr, claim = $claim:literal) => {
        #[async_trait::async_trait]
        impl $crate::storage::OutboxStore for $store {
            #[tracing::instrument(skip(self))]
            async fn claim_notices(
                &self,
                prefix: &str,
                now: chrono::DateTime<chrono::Utc>,
                lease: chrono::Duration,
                limit: i64,
            ) -> Result<Vec<$crate::storage::Claimed>, $crate::storage::StoreError> {
                let pattern = format!("{}%", prefix.replace('%', "").replace('_', ""));
                let mut tx = self.writer.begin_with($begin).await?;
                let rows: Vec<$crate::storage::codec::ClaimedRow> = sqlx::query_as($claim)
                    .bind(now + lease)
                    .bind(pattern)
                    .bind(now)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                let mut claimed = rows.into_iter().map(|r| r.into_claimed()).collect::<Result<Vec<_>, _>>()?;
                claimed.sort_by_key(|c| c.id);
                Ok(claimed)
            }

            #[tracing::instrument(skip(self))]
            async fn settle_notice(
                &self,
                id: i64,
                outcome: $crate::storage::NoticeOutcome,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::storage::StoreError> {
                use $crate::storage::NoticeOutcome;
                let query = match &outcome {
                    NoticeOutcome::Sent => sqlx::query(
                        "UPDATE outbox SET sent_at = $2, claimed_until = NULL, last_error = NULL WHERE id = $1",
                    )
                    .bind(id)
                    .bind(now),
                    NoticeOutcome::Retry { at, error, parts_sent } => sqlx::query(
                        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2, claimed_until = NULL,
                                last_error = $3, parts_sent = $4
                         WHERE id = $1",
                    )
                    .bind(id)
                    .bind(*at)
                    .bind(error.as_str())
                    .bind(i64::try_from(*parts_sent).unwrap_or(i64::MAX)),
                    NoticeOutcome::GiveUp { error } => sqlx::query(
                        "UPDATE outbox SET attempts = attempts + 1, failed_at = $2, claimed_until = NULL,
                                last_error = $3
                         WHERE id = $1",
                    )
                    .bind(id)
                    .bind(now)
                    .bind(error.as_str()),
                };
                query.execute(&self.writer).await?;
                Ok(())
            }

            #[tracing::instrument(skip(self, event, notice), fields(item = %event.item))]
            async fn record_nudge(
                &self,
                workspace: &str,
                event: &$crate::domain::Event,
                notice: &$crate::storage::NewNotice,
            ) -> Result<bool, $crate::storage::StoreError> {
                let (kind, _, _, detail) = $crate::storage::codec::event_columns(&event.change);
                let mut tx = self.writer.begin_with($begin).await?;
                let done = sqlx::query(
                    "INSERT INTO events (workspace_id, item_id, actor, kind, note, detail, at)
                     SELECT $1, i.id, $4, $5, $6, $7, $8 FROM items i
                     WHERE i.workspace_id = $1 AND i.kind = $2 AND i.number = $3
                     ON CONFLICT DO NOTHING",
                )
                .bind(workspace)
                .bind(event.item.kind.as_str())
                .bind(event.item.number)
                .bind(event.actor.as_str())
                .bind(kind)
                .bind(event.note.as_deref())
                .bind(detail)
                .bind(event.at)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                insert_notice(&mut tx, notice).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn claim_key(
                &self,
                key: &str,
                expires: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::storage::StoreError> {
                // through the group writer: claims arriving together share one commit
                self.group.write(ClaimKey { key: key.to_string(), expires }).await
            }

            #[tracing::instrument(skip(self))]
            async fn forget_keys(
                &self,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, $crate::storage::StoreError> {
                let done = sqlx::query("DELETE FROM replay_keys WHERE expires_at < $1")
                    .bind(now)
                    .execute(&self.writer)
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}
