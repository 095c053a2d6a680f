//! The writes that go through the group writer ([`super::group`]), for both SQL backends: each
//! owns what it writes and may run more than once before it is committed. Expanded inside
//! [`crate::sql_store`] for each backend's database type.

#[macro_export]
#[doc(hidden)]
macro_rules! sql_writes {
    ($db:ty, create_item = $create_item:path) => {
        // The writes that go through the group writer (see `group.rs`): each owns what it writes
        // and may run more than once before it is committed.
        type Tx = sqlx::Transaction<'static, $db>;

        /// A replay key claimed until it expires: `true` when this claim is the first.
        struct ClaimKey {
            key: String,
            expires: chrono::DateTime<chrono::Utc>,
        }

        #[async_trait::async_trait]
        impl $crate::storage::group::Write<$db> for ClaimKey {
            type Output = bool;
            async fn run(&mut self, tx: &mut Tx) -> Result<bool, $crate::storage::StoreError> {
                let done = sqlx::query(
                    "INSERT INTO replay_keys (key, expires_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                )
                .bind(&self.key)
                .bind(self.expires)
                .execute(&mut **tx)
                .await?;
                Ok(done.rows_affected() == 1)
            }
        }

        struct CreateItem($crate::storage::NewItem);

        #[async_trait::async_trait]
        impl $crate::storage::group::Write<$db> for CreateItem {
            type Output = $crate::domain::WorkItem;
            async fn run(&mut self, tx: &mut Tx) -> Result<$crate::domain::WorkItem, $crate::storage::StoreError> {
                let new = &self.0;
                use $crate::domain::{Change, ItemKind, ItemRef, WorkItem};
                // one round trip: the counter moved on, the item and its `created` event inserted
                // (see `storage::sql::create_item_sqlite`)
                static STATEMENTS: std::sync::OnceLock<[String; 2]> = std::sync::OnceLock::new();
                let statements = STATEMENTS.get_or_init(|| [$create_item("next_need"), $create_item("next_seed")]);
                let statement = match new.kind {
                    ItemKind::Need => &statements[0],
                    ItemKind::Seed => &statements[1],
                };
                let status = new.kind.initial_status();
                let (kind, from, to, detail) = $crate::storage::codec::event_columns(&Change::Created { status });
                let numbers: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(statement.as_str()))
                    .bind(&new.workspace)
                    .bind(new.kind.as_str())
                    .bind(new.title.as_str())
                    .bind(new.description.as_str())
                    .bind(new.team.as_str())
                    .bind(new.team.key())
                    .bind(new.requester.as_str())
                    .bind(status.as_str())
                    .bind(new.at)
                    .bind(kind)
                    .bind(from)
                    .bind(to)
                    .bind(detail)
                    .fetch_all(&mut **tx)
                    .await?;
                let &[number] = numbers.as_slice() else {
                    return Err($crate::storage::StoreError::NotFound);
                };
                let reference = ItemRef { kind: new.kind, number };
                Ok(WorkItem {
                    workspace: new.workspace.clone(),
                    reference,
                    title: new.title.clone(),
                    description: new.description.as_str().to_string(),
                    team: new.team.clone(),
                    requester: new.requester.clone(),
                    owner: None,
                    status,
                    answers: Default::default(),
                    verdict: None,
                    effort_days: None,
                    submitted_at: None,
                    first_response_at: None,
                    resolved_at: None,
                    version: 0,
                    created_at: new.at,
                    updated_at: new.at,
                })
            }
        }

        struct SaveItem {
            item: $crate::domain::WorkItem,
            actor: String,
            answers: Vec<String>,
            events: Vec<$crate::domain::Event>,
            notices: Vec<$crate::storage::NewNotice>,
        }

        #[async_trait::async_trait]
        impl $crate::storage::group::Write<$db> for SaveItem {
            type Output = ();
            async fn run(&mut self, tx: &mut Tx) -> Result<(), $crate::storage::StoreError> {
                let SaveItem { item, actor, answers, events, notices } = &*self;
                let (outcome, flags, value, verdict) = $crate::storage::codec::verdict_columns(item);
                let id: Option<i64> = sqlx::query_scalar(
                    "UPDATE items SET title = $1, description = $2, team = $3, team_key = $4, owner = $5,
                            status = $6, outcome = $7, flags = $8, yearly_value = $9, verdict = $10,
                            effort_days = $11, submitted_at = $12, first_response_at = $13, resolved_at = $14,
                            updated_at = $15, data_level = $20, version = version + 1
                     WHERE workspace_id = $16 AND kind = $17 AND number = $18 AND version = $19
                     RETURNING id",
                )
                .bind(item.title.as_str())
                .bind(&item.description)
                .bind(item.team.as_str())
                .bind(item.team.key())
                .bind(item.owner.as_deref())
                .bind(item.status.as_str())
                .bind(outcome)
                .bind(flags)
                .bind(value)
                .bind(verdict)
                .bind(item.effort_days)
                .bind(item.submitted_at)
                .bind(item.first_response_at)
                .bind(item.resolved_at)
                .bind(item.updated_at)
                .bind(&item.workspace)
                .bind(item.reference.kind.as_str())
                .bind(item.reference.number)
                .bind(item.version)
                .bind($crate::storage::codec::data_level(item))
                .fetch_optional(&mut **tx)
                .await?;
                let Some(id) = id else {
                    return Err($crate::storage::StoreError::Conflict);
                };
                for question in answers {
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
                            .execute(&mut **tx)
                            .await?;
                        }
                        None => {
                            sqlx::query("DELETE FROM answers WHERE item_id = $1 AND question = $2")
                                .bind(id)
                                .bind(question)
                                .execute(&mut **tx)
                                .await?;
                        }
                    }
                }
                for event in events {
                    insert_event(tx, &item.workspace, id, event).await?;
                }
                for notice in notices {
                    insert_notice(tx, notice).await?;
                }
                Ok(())
            }
        }

        struct UpdateSettings {
            settings: $crate::domain::Settings,
            action: $crate::storage::AdminAction,
        }

        #[async_trait::async_trait]
        impl $crate::storage::group::Write<$db> for UpdateSettings {
            type Output = ();
            async fn run(&mut self, tx: &mut Tx) -> Result<(), $crate::storage::StoreError> {
                let (s, action) = (&self.settings, &self.action);
                let done = sqlx::query(
                    "UPDATE workspaces SET lang = $1, currency = $2, hourly_cost = $3, automatable_share = $4,
                            ml_yearly_cost = $5, triage_channel = $6, digest_channel = $7, ai_department = $8,
                            timezone = $10, digest_cron = $11, digest_dms = $12, pinned_stage = $13,
                            follow = $14
                     WHERE id = $9",
                )
                .bind(s.lang.code())
                .bind(s.value.currency.code())
                .bind(s.value.hourly_cost)
                .bind(s.value.automatable_share)
                .bind(s.value.ml_yearly_cost)
                .bind(s.triage_channel.as_deref())
                .bind(s.digest_channel.as_deref())
                .bind(s.ai_department)
                .bind(&action.workspace)
                .bind(&s.timezone)
                .bind(&s.digest_cron)
                .bind(s.digest_dms)
                .bind(s.pinned_stage.map(|p| i64::from(p.number())))
                .bind($crate::storage::codec::follow_json(s))
                .execute(&mut **tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::storage::StoreError::NotFound);
                }
                insert_admin(tx, action).await?;
                notify_change(tx, &action.workspace).await?;
                Ok(())
            }
        }

        struct SetRole {
            user: String,
            role: $crate::domain::Role,
            grant: bool,
            action: $crate::storage::AdminAction,
        }

        #[async_trait::async_trait]
        impl $crate::storage::group::Write<$db> for SetRole {
            type Output = bool;
            async fn run(&mut self, tx: &mut Tx) -> Result<bool, $crate::storage::StoreError> {
                let SetRole { user, role, grant, action } = &*self;
                let (user, role, grant) = (user.as_str(), *role, *grant);
                let done = if grant {
                    sqlx::query(
                        "INSERT INTO roles (workspace_id, user_id, role, granted_by, granted_at)
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    )
                    .bind(&action.workspace)
                    .bind(user)
                    .bind(role.as_str())
                    .bind(action.actor.as_str())
                    .bind(action.at)
                    .execute(&mut **tx)
                    .await?
                } else {
                    sqlx::query("DELETE FROM roles WHERE workspace_id = $1 AND user_id = $2 AND role = $3")
                        .bind(&action.workspace)
                        .bind(user)
                        .bind(role.as_str())
                        .execute(&mut **tx)
                        .await?
                };
                let changed = done.rows_affected() > 0;
                if changed {
                    insert_admin(tx, action).await?;
                    notify_change(tx, &action.workspace).await?;
                }
                Ok(changed)
            }
        }

        struct RecordAdmin($crate::storage::AdminAction);

        #[async_trait::async_trait]
        impl $crate::storage::group::Write<$db> for RecordAdmin {
            type Output = ();
            async fn run(&mut self, tx: &mut Tx) -> Result<(), $crate::storage::StoreError> {
                insert_admin(tx, &self.0).await
            }
        }

        /// Puts a message in the outbox, due now; written in the transaction of the change it reports.
        async fn insert_notice(
            tx: &mut sqlx::Transaction<'static, $db>,
            notice: &$crate::storage::NewNotice,
        ) -> Result<(), $crate::storage::StoreError> {
            let (kind, to) = $crate::storage::codec::recipient_columns(&notice.recipient);
            sqlx::query(
                "INSERT INTO outbox (workspace_id, recipient_kind, recipient, payload, created_at, next_attempt_at)
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(&notice.workspace)
            .bind(kind)
            .bind(to)
            .bind(&notice.payload)
            .bind(notice.at)
            .execute(&mut **tx)
            .await?;
            Ok(())
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
            .bind(event.actor.as_str())
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

        async fn insert_admin(
            tx: &mut sqlx::Transaction<'static, $db>,
            action: &$crate::storage::AdminAction,
        ) -> Result<(), $crate::storage::StoreError> {
            sqlx::query(
                "INSERT INTO events (workspace_id, item_id, actor, kind, note, detail, at)
                 VALUES ($1, NULL, $2, $3, $4, $5, $6)",
            )
            .bind(&action.workspace)
            .bind(action.actor.as_str())
            .bind($crate::storage::codec::ADMIN)
            .bind(&action.detail)
            .bind(&action.action)
            .bind(action.at)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }
    };
}
