//! Work items, their answers and their history: [`ItemStore`] and its SQL
//! ([`sql_items!`](crate::sql_items)). The search for similar needs differs by dialect (SQLite's
//! full-text index, PostgreSQL's trigram index): its statement is a macro argument.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{NewNotice, StoreError};
use crate::domain::text::{Description, TeamName, Title};
use crate::domain::{Event, ItemKind, ItemRef, Outcome, Status, UserId, WorkItem};

/// What it takes to create a work item; the store gives it its number.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub workspace: String,
    pub kind: ItemKind,
    pub title: Title,
    pub description: Description,
    pub team: TeamName,
    pub requester: UserId,
    pub at: DateTime<Utc>,
}

/// One line of a list of items.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemSummary {
    pub reference: ItemRef,
    pub title: String,
    pub team: String,
    pub requester: UserId,
    pub owner: Option<UserId>,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// What one save writes besides the item row, all in the same transaction.
#[derive(Debug, Default, Clone, Copy)]
pub struct Save<'a> {
    /// Questions whose answers changed (an answer missing from the item is deleted).
    pub answers: &'a [String],
    pub events: &'a [Event],
    /// Messages to deliver because of this change.
    pub notices: &'a [NewNotice],
}

/// An earlier need that reads like a new one.
#[derive(Debug, Clone, PartialEq)]
pub struct SimilarNeed {
    pub reference: ItemRef,
    pub title: String,
    pub status: Status,
    /// When it is closed, redirected or declined: the note it was closed with, if any (a need reopened
    /// since shows none: the note no longer tells where it stands).
    pub note: Option<String>,
    /// How alike, 0 to 1 ([`crate::domain::similar::score`]).
    pub score: f64,
}

/// Which items to list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemFilter {
    pub kind: Option<ItemKind>,
    /// Any of these statuses (empty: all).
    pub statuses: Vec<Status>,
    /// The grouping key of the requesting team.
    pub team_key: Option<String>,
    pub owner: Option<UserId>,
    pub since: Option<DateTime<Utc>>,
    /// Oldest first (default: newest first).
    pub oldest_first: bool,
}

#[async_trait]
pub trait ItemStore: Send + Sync {
    /// Creates an item with the next number of its kind in the workspace, and its `created` event.
    async fn create_item(&self, new: NewItem) -> Result<WorkItem, StoreError>;

    /// An item with its answers.
    async fn item(&self, workspace: &str, item: ItemRef) -> Result<Option<WorkItem>, StoreError>;

    /// Writes the item and what `save` carries in one transaction, if nobody saved the item since
    /// it was read ([`StoreError::Conflict`] otherwise). Bumps `item.version` on success.
    async fn save_item(&self, item: &mut WorkItem, actor: &str, save: Save<'_>) -> Result<(), StoreError>;

    /// Items the user requested or owns, most recently changed first.
    async fn items_of(&self, workspace: &str, user: &str, limit: i64) -> Result<Vec<ItemSummary>, StoreError>;

    /// Items matching the filter, newest first, and how many match in all.
    async fn list_items(
        &self,
        workspace: &str,
        filter: &ItemFilter,
        limit: i64,
    ) -> Result<(Vec<ItemSummary>, i64), StoreError>;

    /// Up to `limit` needs of the workspace that read like `title` and `description`, most alike
    /// first, each scoring at least [`crate::domain::similar::THRESHOLD`]; never the need
    /// `except` (the new need itself), never another workspace's.
    async fn similar_needs(
        &self,
        workspace: &str,
        except: Option<ItemRef>,
        title: &str,
        description: &str,
        limit: usize,
    ) -> Result<Vec<SimilarNeed>, StoreError>;

    /// An item's history, oldest first.
    async fn events(&self, workspace: &str, item: ItemRef) -> Result<Vec<Event>, StoreError>;

    /// How many items the workspace holds.
    async fn count_items(&self, workspace: &str) -> Result<i64, StoreError>;

    /// The team the user named on their last need, to offer it again.
    async fn last_team(&self, workspace: &str, user: &str) -> Result<Option<String>, StoreError>;
}

/// Implements [`ItemStore`] for a backend's store; expanded by [`sql_store!`](crate::sql_store),
/// which says what the store and the arguments are.
#[macro_export]
#[doc(hidden)]
macro_rules! sql_items {
    ($store:ty, similar_setup = $similar_setup:expr, similar = $similar:literal, similar_query = $similar_query:path) => {
        #[async_trait::async_trait]
        impl $crate::storage::ItemStore for $store {
            #[tracing::instrument(skip(self, new), fields(workspace = %new.workspace, kind = ?new.kind))]
            async fn create_item(
                &self,
                new: $crate::storage::NewItem,
            ) -> Result<$crate::domain::WorkItem, $crate::storage::StoreError> {
                self.group.write(CreateItem(new)).await
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
                // PostgreSQL needs its setting for this statement only: a transaction to scope it;
                // SQLite needs none, so it takes a connection and saves the BEGIN and COMMIT
                let setup: Option<&'static str> = $similar_setup;
                let (mut tx, mut pooled) = (None, None);
                let conn = match setup {
                    Some(setup) => {
                        let tx = tx.insert(self.pool.begin().await?);
                        sqlx::query(setup).execute(&mut **tx).await?;
                        &mut **tx
                    }
                    None => &mut **pooled.insert(self.pool.acquire().await?),
                };
                // every term brings its first needs, all in one statement, so the work is bounded
                // (domain::similar) and costs one round trip
                static STATEMENTS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
                let statements = STATEMENTS.get_or_init(|| $crate::storage::sql::similar_statements($similar));
                let mut query =
                    sqlx::query_as::<_, (i64, String, String, String)>(statements[terms.len() - 1].as_str())
                        .bind(workspace)
                        .bind(except)
                        .bind(similar::PER_TERM);
                for term in &terms {
                    query = query.bind($similar_query(term));
                }
                let mut found = Vec::new();
                for (number, t, d, status) in query.fetch_all(&mut *conn).await? {
                    let score = probe.score_need(&t, &d);
                    if score >= similar::THRESHOLD {
                        let status = $crate::storage::codec::status_of(&status)?;
                        let reference = ItemRef { kind: ItemKind::Need, number };
                        found.push($crate::storage::SimilarNeed { reference, title: t, status, note: None, score });
                    }
                }
                found.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.reference.number.cmp(&a.reference.number)));
                found.truncate(limit);
                // the notes those that are closed, redirected or declined were closed with (an open
                // need has none to show: no statement then)
                let numbers: Vec<i64> = found
                    .iter()
                    .filter(|n| {
                        use $crate::domain::Status;
                        matches!(n.status, Status::Closed | Status::Redirected | Status::Declined)
                    })
                    .map(|n| n.reference.number)
                    .collect();
                if !numbers.is_empty() {
                    let mut query = sqlx::query_as::<_, (i64, Option<String>)>(sqlx::AssertSqlSafe(
                        $crate::storage::sql::closing_notes_statement(numbers.len()),
                    ))
                    .bind(workspace);
                    for number in &numbers {
                        query = query.bind(*number);
                    }
                    let mut noted = Vec::with_capacity(numbers.len());
                    for (number, note) in query.fetch_all(&mut *conn).await? {
                        if noted.contains(&number) {
                            continue;
                        }
                        noted.push(number);
                        if let Some(need) = found.iter_mut().find(|n| n.reference.number == number) {
                            need.note = note;
                        }
                    }
                }
                if let Some(tx) = tx {
                    tx.commit().await?;
                }
                Ok(found)
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
            async fn last_team(
                &self,
                workspace: &str,
                user: &str,
            ) -> Result<Option<String>, $crate::storage::StoreError> {
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
    };
}
