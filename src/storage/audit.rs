//! The audit trail: admin actions as they are recorded and the trail as it is read, with the
//! snoozes people record: [`AuditStore`] and its SQL ([`sql_audit!`](crate::sql_audit)).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::domain::{Event, ItemRef, UserId};

/// A workspace-level change (settings, roles, an export): it goes into the audit trail.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminAction {
    pub workspace: String,
    pub actor: UserId,
    /// What was done, e.g. `settings.triage_channel`, `roles.add`, `export`.
    pub action: String,
    /// The details in words (`C0123`, `U1 ai_team`).
    pub detail: String,
    pub at: DateTime<Utc>,
}

/// One line of the audit trail: an item's event or an admin action.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: UserId,
    pub item: Option<ItemRef>,
    /// The item event, when it is one.
    pub event: Option<Event>,
    /// The admin action (action, detail), when it is one.
    pub admin: Option<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub actor: Option<UserId>,
    pub item: Option<ItemRef>,
    pub since: Option<DateTime<Utc>>,
    /// Include the admin actions that only read ([`READ_ACTIONS`]); without it the trail shows
    /// changes (and exports, since data leaves with them).
    pub reads: bool,
}

/// Admin actions that change nothing: listed by `admin audit all` only. The audit query names
/// the same list in its SQL.
pub const READ_ACTIONS: &[&str] = &["stats", "audit", "roles.list", "settings.view"];

/// The admin action that records a person's snooze; its detail is the end (RFC 3339) or `off`.
pub const SNOOZE: &str = "snooze";

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Records an admin action that changes nothing else (an export).
    async fn record_admin(&self, action: &AdminAction) -> Result<(), StoreError>;

    /// The audit trail, newest first.
    async fn audit(&self, workspace: &str, filter: &AuditFilter, limit: i64) -> Result<Vec<AuditEntry>, StoreError>;

    /// Until when the user snoozed reminders (their latest `snooze`), if they did.
    async fn snoozed_until(&self, workspace: &str, user: &str) -> Result<Option<DateTime<Utc>>, StoreError>;
}

/// Implements [`AuditStore`] for a backend's store; expanded by [`sql_store!`](crate::sql_store),
/// which says what the store and the arguments are.
#[macro_export]
#[doc(hidden)]
macro_rules! sql_audit {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::AuditStore for $store {
            #[tracing::instrument(skip(self, action), fields(workspace = %action.workspace, action = %action.action))]
            async fn record_admin(
                &self,
                action: &$crate::storage::AdminAction,
            ) -> Result<(), $crate::storage::StoreError> {
                self.group.write(RecordAdmin(action.clone())).await
            }

            #[tracing::instrument(skip(self))]
            async fn audit(
                &self,
                workspace: &str,
                filter: &$crate::storage::AuditFilter,
                limit: i64,
            ) -> Result<Vec<$crate::storage::AuditEntry>, $crate::storage::StoreError> {
                let actor = filter.actor.as_deref().unwrap_or("");
                let kind = filter.item.map(|i| i.kind.as_str()).unwrap_or("");
                let number = filter.item.map(|i| i.number).unwrap_or(0);
                let rows: Vec<$crate::storage::codec::EventRow> = sqlx::query_as(
                    "SELECT i.kind AS item_kind, i.number, e.actor, e.kind AS change, e.from_status, e.to_status,
                            e.note, e.detail, e.at
                     FROM events e LEFT JOIN items i ON i.id = e.item_id
                     WHERE e.workspace_id = $1 AND ($2 = '' OR e.actor = $2)
                       AND ($3 = '' OR (i.kind = $3 AND i.number = $4)) AND e.at >= $5
                       AND ($7 OR e.kind <> 'admin'
                            OR e.detail NOT IN ('stats', 'audit', 'roles.list', 'settings.view'))
                     ORDER BY e.id DESC LIMIT $6",
                )
                .bind(workspace)
                .bind(actor)
                .bind(kind)
                .bind(number)
                .bind($crate::storage::sql::since_or_epoch(filter.since))
                .bind(limit)
                .bind(filter.reads)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(|r| r.into_audit()).collect()
            }

            #[tracing::instrument(skip(self))]
            async fn snoozed_until(
                &self,
                workspace: &str,
                user: &str,
            ) -> Result<Option<chrono::DateTime<chrono::Utc>>, $crate::storage::StoreError> {
                let last: Option<String> = sqlx::query_scalar(
                    "SELECT note FROM events
                     WHERE workspace_id = $1 AND actor = $2 AND kind = 'admin' AND detail = $3
                     ORDER BY id DESC LIMIT 1",
                )
                .bind(workspace)
                .bind(user)
                .bind($crate::storage::SNOOZE)
                .fetch_optional(&self.pool)
                .await?
                .flatten();
                Ok(last
                    .and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok())
                    .map(|d| d.with_timezone(&chrono::Utc)))
            }
        }
    };
}
