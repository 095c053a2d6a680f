//! The SQL of every [`Store`](super::Store) method, written once for both backends: the macro
//! below expands into the SQLite and the PostgreSQL implementation. Only bound parameters.

/// Implements `Store` for `$store` (a struct with a `pool: sqlx::Pool<$db>` field), opening
/// write transactions with `$begin`.
#[macro_export]
#[doc(hidden)]
macro_rules! sql_store {
    ($store:ty, $db:ty, $backend:literal, $begin:literal) => {
        #[async_trait::async_trait]
        impl $crate::storage::Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            #[tracing::instrument(skip(self))]
            async fn workspace(&self, id: &str) -> Result<Option<$crate::storage::Workspace>, $crate::storage::StoreError> {
                let row: Option<$crate::storage::codec::WorkspaceRow> = sqlx::query_as(
                    "SELECT id, name, lang, currency, hourly_cost, automatable_share, ml_yearly_cost, created_at
                     FROM workspaces WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|r| r.into_workspace()).transpose()
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
                       (id, name, lang, currency, hourly_cost, automatable_share, ml_yearly_cost, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(id)
                .bind(name)
                .bind(defaults.lang.code())
                .bind(defaults.value.currency.code())
                .bind(defaults.value.hourly_cost)
                .bind(defaults.value.automatable_share)
                .bind(defaults.value.ml_yearly_cost)
                .bind(now)
                .execute(&self.pool)
                .await?;
                self.workspace(id).await?.ok_or($crate::storage::StoreError::NotFound)
            }

            #[tracing::instrument(skip(self, new), fields(workspace = %new.workspace, kind = ?new.kind))]
            async fn create_item(&self, new: $crate::storage::NewItem) -> Result<$crate::domain::WorkItem, $crate::storage::StoreError> {
                use $crate::domain::{Change, Event, ItemKind, ItemRef, WorkItem};
                let mut tx = self.pool.begin_with($begin).await?;
                let counter = match new.kind {
                    ItemKind::Need => "UPDATE workspaces SET next_need = next_need + 1 WHERE id = $1 RETURNING next_need - 1",
                    ItemKind::Seed => "UPDATE workspaces SET next_seed = next_seed + 1 WHERE id = $1 RETURNING next_seed - 1",
                };
                let number: i64 = sqlx::query_scalar(counter)
                    .bind(&new.workspace)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or($crate::storage::StoreError::NotFound)?;
                let status = new.kind.initial_status();
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO items
                       (workspace_id, kind, number, title, description, team, team_key, requester, status,
                        created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
                     RETURNING id",
                )
                .bind(&new.workspace)
                .bind(new.kind.as_str())
                .bind(number)
                .bind(new.title.as_str())
                .bind(new.description.as_str())
                .bind(new.team.as_str())
                .bind(new.team.key())
                .bind(&new.requester)
                .bind(status.as_str())
                .bind(new.at)
                .fetch_one(&mut *tx)
                .await?;
                let reference = ItemRef { kind: new.kind, number };
                let created = Event {
                    item: reference,
                    actor: new.requester.clone(),
                    change: Change::Created { status },
                    note: None,
                    at: new.at,
                };
                insert_event(&mut tx, &new.workspace, id, &created).await?;
                tx.commit().await?;
                Ok(WorkItem {
                    workspace: new.workspace,
                    reference,
                    title: new.title.as_str().to_string(),
                    description: new.description.as_str().to_string(),
                    team: new.team.as_str().to_string(),
                    team_key: new.team.key().to_string(),
                    requester: new.requester,
                    owner: None,
                    status,
                    answers: Default::default(),
                    verdict: None,
                    effort_days: None,
                    version: 0,
                    created_at: new.at,
                    updated_at: new.at,
                })
            }

            #[tracing::instrument(skip(self), fields(item = %item))]
            async fn item(
                &self,
                workspace: &str,
                item: $crate::domain::ItemRef,
            ) -> Result<Option<$crate::domain::WorkItem>, $crate::storage::StoreError> {
                let row: Option<$crate::storage::codec::ItemRow> = sqlx::query_as(
                    "SELECT id, workspace_id, kind, number, title, description, team, team_key, requester, owner,
                            status, verdict, effort_days, version, created_at, updated_at
                     FROM items WHERE workspace_id = $1 AND kind = $2 AND number = $3",
                )
                .bind(workspace)
                .bind(item.kind.as_str())
                .bind(item.number)
                .fetch_optional(&self.pool)
                .await?;
                let Some(row) = row else { return Ok(None) };
                let answers: Vec<$crate::storage::codec::AnswerRow> =
                    sqlx::query_as("SELECT question, value FROM answers WHERE item_id = $1")
                        .bind(row.id)
                        .fetch_all(&self.pool)
                        .await?;
                row.into_item(answers).map(Some)
            }

            #[tracing::instrument(skip(self, item, events), fields(item = %item.reference, version = item.version))]
            async fn save_item(
                &self,
                item: &mut $crate::domain::WorkItem,
                changed: &[String],
                actor: &str,
                events: &[$crate::domain::Event],
            ) -> Result<(), $crate::storage::StoreError> {
                let (outcome, flags, value, verdict) = $crate::storage::codec::verdict_columns(item);
                let mut tx = self.pool.begin_with($begin).await?;
                let id: Option<i64> = sqlx::query_scalar(
                    "UPDATE items SET title = $1, description = $2, team = $3, team_key = $4, owner = $5,
                            status = $6, outcome = $7, flags = $8, yearly_value = $9, verdict = $10,
                            effort_days = $11, updated_at = $12, version = version + 1
                     WHERE workspace_id = $13 AND kind = $14 AND number = $15 AND version = $16
                     RETURNING id",
                )
                .bind(&item.title)
                .bind(&item.description)
                .bind(&item.team)
                .bind(&item.team_key)
                .bind(item.owner.as_deref())
                .bind(item.status.as_str())
                .bind(outcome)
                .bind(flags)
                .bind(value)
                .bind(verdict)
                .bind(item.effort_days)
                .bind(item.updated_at)
                .bind(&item.workspace)
                .bind(item.reference.kind.as_str())
                .bind(item.reference.number)
                .bind(item.version)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(id) = id else {
                    return Err($crate::storage::StoreError::Conflict);
                };
                for question in changed {
                    match item.answers.get(question) {
                        Some(answer) => {
                            sqlx::query(
                                "INSERT INTO answers (item_id, question, value, answered_by, answered_at)
                                 VALUES ($1, $2, $3, $4, $5)
                                 ON CONFLICT (item_id, question) DO UPDATE
                                 SET value = excluded.value, answered_by = excluded.answered_by,
                                     answered_at = excluded.answered_at",
                            )
                            .bind(id)
                            .bind(question)
                            .bind($crate::storage::codec::answer_json(answer))
                            .bind(actor)
                            .bind(item.updated_at)
                            .execute(&mut *tx)
                            .await?;
                        }
                        None => {
                            sqlx::query("DELETE FROM answers WHERE item_id = $1 AND question = $2")
                                .bind(id)
                                .bind(question)
                                .execute(&mut *tx)
                                .await?;
                        }
                    }
                }
                for event in events {
                    insert_event(&mut tx, &item.workspace, id, event).await?;
                }
                tx.commit().await?;
                item.version += 1;
                Ok(())
            }

            #[tracing::instrument(skip(self))]
            async fn items_of(
                &self,
                workspace: &str,
                user: &str,
                limit: i64,
            ) -> Result<Vec<$crate::storage::ItemSummary>, $crate::storage::StoreError> {
                let rows: Vec<$crate::storage::codec::SummaryRow> = sqlx::query_as(
                    "SELECT kind, number, title, team, requester, owner, status, outcome, updated_at
                     FROM items WHERE workspace_id = $1 AND (requester = $2 OR owner = $2)
                     ORDER BY updated_at DESC, id DESC LIMIT $3",
                )
                .bind(workspace)
                .bind(user)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(|r| r.into_summary()).collect()
            }

            #[tracing::instrument(skip(self), fields(item = %item))]
            async fn events(
                &self,
                workspace: &str,
                item: $crate::domain::ItemRef,
            ) -> Result<Vec<$crate::domain::Event>, $crate::storage::StoreError> {
                let rows: Vec<$crate::storage::codec::EventRow> = sqlx::query_as(
                    "SELECT i.kind, i.number, e.actor, e.kind AS change, e.from_status, e.to_status,
                            e.note, e.detail, e.at
                     FROM events e JOIN items i ON i.id = e.item_id
                     WHERE i.workspace_id = $1 AND i.kind = $2 AND i.number = $3
                     ORDER BY e.id",
                )
                .bind(workspace)
                .bind(item.kind.as_str())
                .bind(item.number)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(|r| r.into_event()).collect()
            }

            #[tracing::instrument(skip(self))]
            async fn count_items(&self, workspace: &str) -> Result<i64, $crate::storage::StoreError> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM items WHERE workspace_id = $1")
                    .bind(workspace)
                    .fetch_one(&self.pool)
                    .await?)
            }

            #[tracing::instrument(skip(self))]
            async fn last_team(&self, workspace: &str, user: &str) -> Result<Option<String>, $crate::storage::StoreError> {
                Ok(sqlx::query_scalar(
                    "SELECT team FROM items
                     WHERE workspace_id = $1 AND requester = $2 AND kind = 'need' AND team <> ''
                     ORDER BY id DESC LIMIT 1",
                )
                .bind(workspace)
                .bind(user)
                .fetch_optional(&self.pool)
                .await?)
            }
        }

        async fn insert_event(
            tx: &mut sqlx::Transaction<'static, $db>,
            workspace: &str,
            item_id: i64,
            event: &$crate::domain::Event,
        ) -> Result<(), $crate::storage::StoreError> {
            let (kind, from, to, detail) = $crate::storage::codec::event_columns(&event.change);
            sqlx::query(
                "INSERT INTO events (workspace_id, item_id, actor, kind, from_status, to_status, note, detail, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(workspace)
            .bind(item_id)
            .bind(&event.actor)
            .bind(kind)
            .bind(from)
            .bind(to)
            .bind(event.note.as_deref())
            .bind(detail)
            .bind(event.at)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }
    };
}
