//! The SQL of every [`Store`](super::Store) method, written once for both backends: the macro
//! below expands into the SQLite and the PostgreSQL implementation. Only bound parameters.
//! Where the dialects differ, the difference is a macro argument.
//!
//! Optional filters are written so one statement serves every combination: an empty string or
//! 0 means "any", and a missing lower time bound is the start of 1970.

/// The lower time bound that stands for "no bound".
pub fn since_or_epoch(since: Option<chrono::DateTime<chrono::Utc>>) -> chrono::DateTime<chrono::Utc> {
    since.unwrap_or(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH)
}

/// SQLite's search for one term of a new need: an FTS5 phrase (quoted, so never query syntax).
pub fn similar_fts5(term: &str) -> String {
    crate::domain::similar::fts5_query(&[term.to_string()])
}

/// PostgreSQL's search for one term of a new need: a `LIKE` pattern the trigram index serves.
pub fn similar_like(term: &str) -> String {
    crate::domain::similar::like_pattern(term)
}

/// Implements `Store` for `$store` (a struct with `pool` and `writer` fields, both
/// `sqlx::Pool<$db>`: reads go to `pool`, every write to `writer`, most of them through `group`,
/// the [group writer](super::group) on `writer`; and `cache`, the [cache](super::cache) of
/// workspaces and roles), opening write transactions with `$begin` and claiming outbox rows with
/// `$claim`. The invoking module provides `notify_change(tx, workspace)`, called in the
/// transaction of a change to a workspace's settings or roles (other replicas learn of it).
#[macro_export]
#[doc(hidden)]
macro_rules! sql_store {
    (
        $store:ty,
        $db:ty,
        $backend:literal,
        begin = $begin:expr,
        claim = $claim:literal,
        claim_runs = $claim_runs:literal,
        stat_rows = $stat_rows:literal,
        similar_setup = $similar_setup:expr,
        similar = $similar:literal,
        similar_query = $similar_query:path
    ) => {
        #[async_trait::async_trait]
        impl $crate::storage::Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

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

            #[tracing::instrument(skip(self))]
            async fn workspaces(&self) -> Result<Vec<(String, String)>, $crate::storage::StoreError> {
                Ok(sqlx::query_as("SELECT id, name FROM workspaces ORDER BY id").fetch_all(&self.pool).await?)
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

            #[tracing::instrument(skip(self, new), fields(workspace = %new.workspace, kind = ?new.kind))]
            async fn create_item(&self, new: $crate::storage::NewItem) -> Result<$crate::domain::WorkItem, $crate::storage::StoreError> {
                self.group.write(CreateItem(new)).await
            }

            #[tracing::instrument(skip(self, title, description))]
            async fn similar_needs(
                &self,
                workspace: &str,
                except: Option<$crate::domain::ItemRef>,
                title: &str,
                description: &str,
                limit: usize,
            ) -> Result<Vec<$crate::storage::SimilarNeed>, $crate::storage::StoreError> {
                use $crate::domain::{ItemKind, ItemRef, similar};
                let text = format!("{title} {description}");
                let terms = similar::search_terms(&text, similar::MAX_TERMS);
                if terms.is_empty() || limit == 0 {
                    return Ok(Vec::new());
                }
                let except = except.filter(|r| r.kind == ItemKind::Need).map_or(0, |r| r.number);
                let probe = similar::Probe::new(title, &text);
                let mut seen = std::collections::HashSet::new();
                let mut found = Vec::new();
                let mut tx = self.pool.begin().await?;
                let setup: Option<&'static str> = $similar_setup;
                if let Some(setup) = setup {
                    sqlx::query(setup).execute(&mut *tx).await?;
                }
                // each term brings its most recent needs, so the work is bounded (domain::similar)
                for term in &terms {
                    let candidates: Vec<(i64, String, String, String)> = sqlx::query_as($similar)
                        .bind(workspace)
                        .bind($similar_query(term))
                        .bind(except)
                        .bind(similar::PER_TERM)
                        .fetch_all(&mut *tx)
                        .await?;
                    for (number, t, d, status) in candidates {
                        if !seen.insert(number) {
                            continue;
                        }
                        let score = probe.score(&t, &format!("{t} {d}"));
                        if score >= similar::THRESHOLD {
                            let status = $crate::storage::codec::status_of(&status)?;
                            let reference = ItemRef { kind: ItemKind::Need, number };
                            found.push($crate::storage::SimilarNeed { reference, title: t, status, note: None, score });
                        }
                    }
                }
                found.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.reference.number.cmp(&a.reference.number)));
                found.truncate(limit);
                for need in &mut found {
                    need.note = sqlx::query_scalar(
                        "SELECT e.note FROM events e JOIN items i ON i.id = e.item_id
                         WHERE i.workspace_id = $1 AND i.kind = 'need' AND i.number = $2
                           AND e.to_status IN ('closed', 'redirected', 'declined')
                         ORDER BY e.id DESC LIMIT 1",
                    )
                    .bind(workspace)
                    .bind(need.reference.number)
                    .fetch_optional(&mut *tx)
                    .await?
                    .flatten();
                }
                tx.commit().await?;
                Ok(found)
            }

            #[tracing::instrument(skip(self), fields(item = %item))]
            async fn item(
                &self,
                workspace: &str,
                item: $crate::domain::ItemRef,
            ) -> Result<Option<$crate::domain::WorkItem>, $crate::storage::StoreError> {
                let row: Option<$crate::storage::codec::ItemRow> = sqlx::query_as(
                    "SELECT id, workspace_id, kind, number, title, description, team, team_key, requester, owner,
                            status, verdict, effort_days, submitted_at, first_response_at, resolved_at, version,
                            created_at, updated_at
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

            #[tracing::instrument(skip(self, item, save), fields(item = %item.reference, version = item.version))]
            async fn save_item(
                &self,
                item: &mut $crate::domain::WorkItem,
                actor: &str,
                save: $crate::storage::Save<'_>,
            ) -> Result<(), $crate::storage::StoreError> {
                let write = SaveItem {
                    item: item.clone(),
                    actor: actor.to_string(),
                    answers: save.answers.to_vec(),
                    events: save.events.to_vec(),
                    notices: save.notices.to_vec(),
                };
                self.group.write(write).await?;
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
                    "SELECT kind, number, title, submitted_at, team, requester, owner, status, outcome, updated_at
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

            #[tracing::instrument(skip(self))]
            async fn list_items(
                &self,
                workspace: &str,
                filter: &$crate::storage::ItemFilter,
                limit: i64,
            ) -> Result<(Vec<$crate::storage::ItemSummary>, i64), $crate::storage::StoreError> {
                let kind = filter.kind.map(|k| k.as_str()).unwrap_or("");
                let statuses = filter.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",");
                let team = filter.team_key.as_deref().unwrap_or("");
                let owner = filter.owner.as_deref().unwrap_or("");
                let since = $crate::storage::sql::since_or_epoch(filter.since);
                let rows: Vec<$crate::storage::codec::SummaryRow> = sqlx::query_as(
                    "SELECT kind, number, title, submitted_at, team, requester, owner, status, outcome, updated_at
                     FROM items
                     WHERE workspace_id = $1 AND ($2 = '' OR kind = $2)
                       AND ($3 = '' OR (',' || $3 || ',') LIKE ('%,' || status || ',%'))
                       AND ($4 = '' OR team_key = $4) AND ($5 = '' OR owner = $5) AND created_at >= $6
                     ORDER BY CASE WHEN $8 THEN id ELSE -id END LIMIT $7",
                )
                .bind(workspace)
                .bind(kind)
                .bind(&statuses)
                .bind(team)
                .bind(owner)
                .bind(since)
                .bind(limit)
                .bind(filter.oldest_first)
                .fetch_all(&self.pool)
                .await?;
                let total: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM items
                     WHERE workspace_id = $1 AND ($2 = '' OR kind = $2)
                       AND ($3 = '' OR (',' || $3 || ',') LIKE ('%,' || status || ',%'))
                       AND ($4 = '' OR team_key = $4) AND ($5 = '' OR owner = $5) AND created_at >= $6",
                )
                .bind(workspace)
                .bind(kind)
                .bind(&statuses)
                .bind(team)
                .bind(owner)
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
                let items = rows.into_iter().map(|r| r.into_summary()).collect::<Result<_, _>>()?;
                Ok((items, total))
            }

            #[tracing::instrument(skip(self), fields(item = %item))]
            async fn events(
                &self,
                workspace: &str,
                item: $crate::domain::ItemRef,
            ) -> Result<Vec<$crate::domain::Event>, $crate::storage::StoreError> {
                let rows: Vec<$crate::storage::codec::EventRow> = sqlx::query_as(
                    "SELECT i.kind AS item_kind, i.number, e.actor, e.kind AS change, e.from_status, e.to_status,
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

            #[tracing::instrument(skip(self, action), fields(workspace = %action.workspace, action = %action.action))]
            async fn record_admin(&self, action: &$crate::storage::AdminAction) -> Result<(), $crate::storage::StoreError> {
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
                            i.submitted_at, i.first_response_at, i.resolved_at, a.question, a.value
                     FROM items i LEFT JOIN answers a ON a.item_id = i.id
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
            async fn schedule_run(
                &self,
                job: &str,
                workspace: &str,
                scheduled_for: chrono::DateTime<chrono::Utc>,
                late: bool,
                skip: Option<&str>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::storage::StoreError> {
                let done = sqlx::query(
                    "INSERT INTO job_runs (job, workspace_id, scheduled_for, late, state, note, next_attempt_at, created_at,
                                           finished_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)
                     ON CONFLICT (job, workspace_id, scheduled_for) DO NOTHING",
                )
                .bind(job)
                .bind(workspace)
                .bind(scheduled_for)
                .bind(late)
                .bind(if skip.is_some() { "skipped" } else { "pending" })
                .bind(skip)
                .bind(now)
                .bind(skip.map(|_| now))
                .execute(&self.writer)
                .await?;
                Ok(done.rows_affected() > 0)
            }

            #[tracing::instrument(skip(self))]
            async fn claim_runs(
                &self,
                replica: &str,
                now: chrono::DateTime<chrono::Utc>,
                lease: chrono::Duration,
                limit: i64,
            ) -> Result<Vec<$crate::storage::JobRun>, $crate::storage::StoreError> {
                let mut tx = self.writer.begin_with($begin).await?;
                let rows: Vec<$crate::storage::codec::RunRow> = sqlx::query_as($claim_runs)
                    .bind(replica)
                    .bind(now + lease)
                    .bind(now)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                let mut runs: Vec<_> = rows.into_iter().map(|r| r.into_run()).collect();
                runs.sort_by(|a, b| (a.scheduled_for, &a.job).cmp(&(b.scheduled_for, &b.job)));
                Ok(runs)
            }

            #[tracing::instrument(skip(self, run, outcome), fields(job = %run.job, workspace = %run.workspace))]
            async fn finish_run(
                &self,
                run: &$crate::storage::JobRun,
                replica: &str,
                outcome: $crate::storage::RunOutcome,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::storage::StoreError> {
                use $crate::storage::RunOutcome;
                let mut tx = self.writer.begin_with($begin).await?;
                let held: Option<i64> = match &outcome {
                    RunOutcome::Done { .. } => sqlx::query_scalar(
                        "UPDATE job_runs SET state = 'done', finished_at = $3, claimed_until = NULL, note = NULL
                         WHERE id = $1 AND claimed_by = $2 AND state = 'pending' RETURNING id",
                    )
                    .bind(run.id)
                    .bind(replica)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?,
                    RunOutcome::Retry { at, error } => sqlx::query_scalar(
                        "UPDATE job_runs SET attempts = attempts + 1, next_attempt_at = $3, claimed_until = NULL, note = $4
                         WHERE id = $1 AND claimed_by = $2 AND state = 'pending' RETURNING id",
                    )
                    .bind(run.id)
                    .bind(replica)
                    .bind(*at)
                    .bind(error.as_str())
                    .fetch_optional(&mut *tx)
                    .await?,
                };
                if held.is_none() {
                    // another replica took the run over: leave everything to it
                    return Ok(false);
                }
                if let RunOutcome::Done { notices, evaluation } = &outcome {
                    for notice in notices {
                        insert_notice(&mut tx, notice).await?;
                    }
                    if let Some(e) = evaluation {
                        sqlx::query(
                            "INSERT INTO stage_evaluations (workspace_id, evaluated_at, stage, evaluation)
                             VALUES ($1, $2, $3, $4)
                             ON CONFLICT (workspace_id, evaluated_at) DO UPDATE
                             SET stage = excluded.stage, evaluation = excluded.evaluation",
                        )
                        .bind(&run.workspace)
                        .bind(e.at)
                        .bind(i64::from(e.stage))
                        .bind(&e.json)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                tx.commit().await?;
                Ok(true)
            }

            #[tracing::instrument(skip(self))]
            async fn last_evaluation(
                &self,
                workspace: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<$crate::storage::StoredEvaluation>, $crate::storage::StoreError> {
                let row: Option<(chrono::DateTime<chrono::Utc>, i64, String)> = sqlx::query_as(
                    "SELECT evaluated_at, stage, evaluation FROM stage_evaluations
                     WHERE workspace_id = $1 AND evaluated_at <= $2 ORDER BY evaluated_at DESC LIMIT 1",
                )
                .bind(workspace)
                .bind(at)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(at, stage, json)| $crate::storage::StoredEvaluation {
                    at,
                    stage: u8::try_from(stage).unwrap_or(0),
                    json,
                }))
            }

            #[tracing::instrument(skip(self))]
            async fn count_role(&self, workspace: &str, role: $crate::domain::Role) -> Result<i64, $crate::storage::StoreError> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM roles WHERE workspace_id = $1 AND role = $2")
                    .bind(workspace)
                    .bind(role.as_str())
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn ping(&self) -> Result<(), $crate::storage::StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
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

            async fn claim_key(
                &self,
                key: &str,
                expires: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::storage::StoreError> {
                // through the group writer: claims arriving together share one commit
                self.group.write(ClaimKey { key: key.to_string(), expires }).await
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
                Ok(last.and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok()).map(|d| d.with_timezone(&chrono::Utc)))
            }

            #[tracing::instrument(skip(self))]
            async fn forget_keys(&self, now: chrono::DateTime<chrono::Utc>) -> Result<u64, $crate::storage::StoreError> {
                let done = sqlx::query("DELETE FROM replay_keys WHERE expires_at < $1").bind(now).execute(&self.writer).await?;
                Ok(done.rows_affected())
            }

            async fn forget_runs(
                &self,
                job: &str,
                before: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, $crate::storage::StoreError> {
                let done = sqlx::query("DELETE FROM job_runs WHERE job = $1 AND state <> 'pending' AND scheduled_for < $2")
                    .bind(job)
                    .bind(before)
                    .execute(&self.writer)
                    .await?;
                Ok(done.rows_affected())
            }
        }


        $crate::sql_writes!($db);
    };
}
