//! Workspaces, their settings and their roles: [`WorkspaceStore`] and its SQL ([`sql_workspaces!`](crate::sql_workspaces)).
//!
//! Reads of a workspace and of a person's roles go through the [cache](super::cache); every
//! change to them drops the workspace from it (and tells other replicas, see `notify_change`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{AdminAction, StoreError};
use crate::domain::{Role, Settings, UserId, WorkspaceId};

#[derive(Debug, Clone, PartialEq)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub name: String,
    pub settings: Settings,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait WorkspaceStore: Send + Sync {
    async fn workspace(&self, id: &str) -> Result<Option<Workspace>, StoreError>;

    /// The workspace, created with `defaults` the first time it is seen.
    async fn ensure_workspace(
        &self,
        id: &str,
        name: &str,
        defaults: &Settings,
        now: DateTime<Utc>,
    ) -> Result<Workspace, StoreError>;

    /// Every workspace: (id, name).
    async fn workspaces(&self) -> Result<Vec<(String, String)>, StoreError>;

    /// Records the workspace's display name as its platform gives it (a Slack team's name, a
    /// Discord server's); nothing happens if the workspace is not stored yet or has that name.
    async fn set_workspace_name(&self, id: &str, name: &str) -> Result<(), StoreError>;

    /// Changes a workspace's settings and records who did it.
    async fn update_settings(&self, settings: &Settings, action: &AdminAction) -> Result<(), StoreError>;

    /// The roles granted to a user (member is implicit).
    async fn roles_of(&self, workspace: &str, user: &str) -> Result<Vec<Role>, StoreError>;

    /// Everyone holding a role, by user.
    async fn role_members(&self, workspace: &str) -> Result<Vec<(UserId, Role)>, StoreError>;

    /// Grants (`grant`) or revokes a role, recording the admin action; false if nothing changed.
    async fn set_role(&self, user: &str, role: Role, grant: bool, action: &AdminAction) -> Result<bool, StoreError>;

    /// How many people hold `role` in the workspace.
    async fn count_role(&self, workspace: &str, role: Role) -> Result<i64, StoreError>;
}

/// Implements [`WorkspaceStore`] for a backend's store; expanded by [`sql_store!`](crate::sql_store),
/// which says what the store and the arguments are.
#[macro_export]
#[doc(hidden)]
macro_rules! sql_workspaces {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::WorkspaceStore for $store {
            #[tracing::instrument(skip(self))]
            async fn workspace(&self, id: &str) -> Result<Option<$crate::storage::Workspace>, $crate::storage::StoreError> {
                if let Some(w) = self.cache.workspace(id) {
                    return Ok(Some(w));
                }
                let generation = self.cache.generation();
                let row: Option<$crate::storage::codec::WorkspaceRow> = sqlx::query_as(
                    "SELECT id, name, lang, currency, hourly_cost, automatable_share, ml_yearly_cost,
                            triage_channel, digest_channel, ai_department, timezone, digest_cron, digest_dms,
                            pinned_stage, follow, created_at
                     FROM workspaces WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                let workspace = row.map(|r| r.into_workspace()).transpose()?;
                if let Some(w) = &workspace {
                    self.cache.put_workspace(generation, w);
                }
                Ok(workspace)
            }

            #[tracing::instrument(skip(self, defaults))]
            async fn ensure_workspace(
                &self,
                id: &str,
                name: &str,
                defaults: &$crate::domain::Settings,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<$crate::storage::Workspace, $crate::storage::StoreError> {
                if let Some(w) = self.workspace(id).await? {
                    return Ok(w);
                }
                sqlx::query(
                    "INSERT INTO workspaces
                       (id, name, lang, currency, hourly_cost, automatable_share, ml_yearly_cost,
                        triage_channel, digest_channel, ai_department, timezone, digest_cron, digest_dms,
                        pinned_stage, follow, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, $13, $14, $15, $16, $11)
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(id)
                .bind(name)
                .bind(defaults.lang.code())
                .bind(defaults.value.currency.code())
                .bind(defaults.value.hourly_cost)
                .bind(defaults.value.automatable_share)
                .bind(defaults.value.ml_yearly_cost)
                .bind(defaults.triage_channel.as_deref())
                .bind(defaults.digest_channel.as_deref())
                .bind(defaults.ai_department)
                .bind(now)
                .bind(&defaults.timezone)
                .bind(&defaults.digest_cron)
                .bind(defaults.digest_dms)
                .bind(defaults.pinned_stage.map(|p| i64::from(p.number())))
                .bind($crate::storage::codec::follow_json(defaults))
                .execute(&self.writer)
                .await?;
                self.workspace(id).await?.ok_or($crate::storage::StoreError::NotFound)
            }

            #[tracing::instrument(skip(self))]
            async fn workspaces(&self) -> Result<Vec<(String, String)>, $crate::storage::StoreError> {
                Ok(sqlx::query_as("SELECT id, name FROM workspaces ORDER BY id").fetch_all(&self.pool).await?)
            }

            #[tracing::instrument(skip(self))]
            async fn set_workspace_name(&self, id: &str, name: &str) -> Result<(), $crate::storage::StoreError> {
                sqlx::query("UPDATE workspaces SET name = $2 WHERE id = $1 AND name <> $2")
                    .bind(id)
                    .bind(name)
                    .execute(&self.writer)
                    .await?;
                // the cached record carries the name; other replicas look names up themselves
                self.cache.drop_workspace(id);
                Ok(())
            }

            #[tracing::instrument(skip(self, s, action), fields(workspace = %action.workspace, action = %action.action))]
            async fn update_settings(
                &self,
                s: &$crate::domain::Settings,
                action: &$crate::storage::AdminAction,
            ) -> Result<(), $crate::storage::StoreError> {
                let write = UpdateSettings { settings: s.clone(), action: action.clone() };
                let done = self.group.write(write).await;
                self.cache.drop_workspace(&action.workspace);
                done
            }

            #[tracing::instrument(skip(self))]
            async fn roles_of(&self, workspace: &str, user: &str) -> Result<Vec<$crate::domain::Role>, $crate::storage::StoreError> {
                if let Some(roles) = self.cache.roles(workspace, user) {
                    return Ok(roles);
                }
                let generation = self.cache.generation();
                let rows: Vec<String> = sqlx::query_scalar(
                    "SELECT role FROM roles WHERE workspace_id = $1 AND user_id = $2 ORDER BY role",
                )
                .bind(workspace)
                .bind(user)
                .fetch_all(&self.pool)
                .await?;
                let roles = rows.iter().map(|r| $crate::storage::codec::role(r)).collect::<Result<Vec<_>, _>>()?;
                self.cache.put_roles(generation, workspace, user, &roles);
                Ok(roles)
            }

            #[tracing::instrument(skip(self))]
            async fn role_members(
                &self,
                workspace: &str,
            ) -> Result<Vec<($crate::domain::UserId, $crate::domain::Role)>, $crate::storage::StoreError> {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    "SELECT user_id, role FROM roles WHERE workspace_id = $1 ORDER BY role, user_id",
                )
                .bind(workspace)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(|(u, r)| Ok(($crate::domain::UserId::from(u), $crate::storage::codec::role(&r)?))).collect()
            }

            #[tracing::instrument(skip(self, action), fields(workspace = %action.workspace))]
            async fn set_role(
                &self,
                user: &str,
                role: $crate::domain::Role,
                grant: bool,
                action: &$crate::storage::AdminAction,
            ) -> Result<bool, $crate::storage::StoreError> {
                let write = SetRole { user: user.to_string(), role, grant, action: action.clone() };
                let changed = self.group.write(write).await;
                self.cache.drop_workspace(&action.workspace);
                changed
            }

            #[tracing::instrument(skip(self))]
            async fn count_role(&self, workspace: &str, role: $crate::domain::Role) -> Result<i64, $crate::storage::StoreError> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM roles WHERE workspace_id = $1 AND role = $2")
                    .bind(workspace)
                    .bind(role.as_str())
                    .fetch_one(&self.pool)
                    .await?)
            }
        }
    };
}
