//! Storage: a small [`Store`] trait in domain terms, with a SQLite and a PostgreSQL
//! implementation chosen by the database URL.
//!
//! Both backends run the same SQL (`$1` placeholders work in both), written once in
//! [`sql_store!`](crate::sql_store); each method is one transaction. To add a method: declare it
//! on [`Store`], write it once in `sql.rs`, and add a case to the storage test suite, which runs
//! on both backends.

mod cache;
mod codec;
pub mod group;
mod postgres;
pub(crate) mod sql;
mod sqlite;
mod writes;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub use crate::domain::stats::StatRow;
use crate::domain::text::{Description, TeamName, Title};
use crate::domain::{
    Event, ItemKind, ItemRef, Outcome, Recipient, Role, Settings, Status, UserId, WorkItem, WorkspaceId,
};

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

#[derive(Debug, Clone, PartialEq)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub name: String,
    pub settings: Settings,
    pub created_at: DateTime<Utc>,
}

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

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The item changed since it was read (another click, another replica): read it again.
    #[error("the item was changed by someone else meanwhile")]
    Conflict,
    #[error("no such item")]
    NotFound,
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("could not write the export")]
    Write(#[source] std::io::Error),
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

/// An earlier need that reads like a new one.
#[derive(Debug, Clone, PartialEq)]
pub struct SimilarNeed {
    pub reference: ItemRef,
    pub title: String,
    pub status: Status,
    /// The note of its last close, redirect or decline, if it had one.
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
pub trait Store: Send + Sync + 'static {
    /// Which backend this is, for logs and `check`.
    fn backend(&self) -> &'static str;

    /// Answers when the database does: a round trip, for the health check.
    async fn ping(&self) -> Result<(), StoreError>;

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

    /// The roles granted to a user (member is implicit).
    async fn roles_of(&self, workspace: &str, user: &str) -> Result<Vec<Role>, StoreError>;

    /// Everyone holding a role, by user.
    async fn role_members(&self, workspace: &str) -> Result<Vec<(UserId, Role)>, StoreError>;

    /// Grants (`grant`) or revokes a role, recording the admin action; false if nothing changed.
    async fn set_role(&self, user: &str, role: Role, grant: bool, action: &AdminAction) -> Result<bool, StoreError>;

    /// Records an admin action that changes nothing else (an export).
    async fn record_admin(&self, action: &AdminAction) -> Result<(), StoreError>;

    /// The audit trail, newest first.
    async fn audit(&self, workspace: &str, filter: &AuditFilter, limit: i64) -> Result<Vec<AuditEntry>, StoreError>;

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

    /// Claims up to `limit` notices due by `now` in workspaces whose id starts with `prefix`,
    /// for `lease`; a claim not settled by then may be claimed again (its deliverer died).
    async fn claim_notices(
        &self,
        prefix: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> Result<Vec<Claimed>, StoreError>;

    /// Creates the run of `job` for `scheduled_for` if it does not exist yet (false: it did). A
    /// run created with `skip` is recorded as skipped, with the reason.
    async fn schedule_run(
        &self,
        job: &str,
        workspace: &str,
        scheduled_for: DateTime<Utc>,
        late: bool,
        skip: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Claims up to `limit` runs that are due, for `lease`, for the replica `replica`; a claim not
    /// finished by then (its replica died) may be claimed again.
    async fn claim_runs(
        &self,
        replica: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> Result<Vec<JobRun>, StoreError>;

    /// Finishes a run this replica holds; false (and nothing written) if its claim was lost.
    async fn finish_run(
        &self,
        run: &JobRun,
        replica: &str,
        outcome: RunOutcome,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// The latest stage evaluation at or before `at`, as JSON.
    async fn last_evaluation(&self, workspace: &str, at: DateTime<Utc>)
    -> Result<Option<StoredEvaluation>, StoreError>;

    /// How many people hold `role` in the workspace.
    async fn count_role(&self, workspace: &str, role: Role) -> Result<i64, StoreError>;

    /// Settles a claimed notice: delivered, to retry at `retry_at`, or given up (`retry_at` None).
    async fn settle_notice(&self, id: i64, outcome: NoticeOutcome, now: DateTime<Utc>) -> Result<(), StoreError>;

    /// The replay guard: claims `key` (one statement) until `expires`; true for the first claim
    /// on any replica, false for every later one. A key is never claimed twice, even once
    /// expired: the keys are single-use, and one coming back is a replay.
    async fn claim_key(&self, key: &str, expires: DateTime<Utc>) -> Result<bool, StoreError>;

    /// Deletes the replay keys that expired before `now`; how many.
    async fn forget_keys(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Deletes the finished (done or skipped) runs of `job` scheduled before `before`; how many.
    /// For jobs whose past fire times are never scheduled again (the reminders' sweep).
    async fn forget_runs(&self, job: &str, before: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Records a reminder (a [`crate::domain::Change::Nudged`] event of `workspace`'s item) and
    /// queues its message, in one transaction — unless the item already has that reminder, in
    /// which case nothing is written (false). So each reminder goes out once, whichever replica
    /// or restart gets to it.
    async fn record_nudge(&self, workspace: &str, event: &Event, notice: &NewNotice) -> Result<bool, StoreError>;

    /// Until when the user snoozed reminders (their latest `snooze`), if they did.
    async fn snoozed_until(&self, workspace: &str, user: &str) -> Result<Option<DateTime<Utc>>, StoreError>;
}

/// The admin action that records a person's snooze; its detail is the end (RFC 3339) or `off`.
pub const SNOOZE: &str = "snooze";

/// A scheduled run of a job, claimed by a replica.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRun {
    pub id: i64,
    pub job: String,
    pub workspace: String,
    /// The fire time this run is for: with the job and workspace, it is unique.
    pub scheduled_for: DateTime<Utc>,
    /// It runs after start-up for a time missed while the bot was down.
    pub late: bool,
    pub attempts: i64,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum RunOutcome {
    /// Done: what it leaves behind is written in the same transaction as the mark.
    Done { notices: Vec<NewNotice>, evaluation: Option<StoredEvaluation> },
    /// Failed for now: try again at `at`.
    Retry { at: DateTime<Utc>, error: String },
}

/// A stage evaluation as stored (the JSON of the domain's evaluation).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvaluation {
    pub at: DateTime<Utc>,
    pub stage: u8,
    pub json: String,
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

/// Where the data lives: `sqlite://PATH` (a file, created on first use) or `postgres://…`.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not a database URL; use sqlite://PATH (for example sqlite://kakehashi.db) or postgres://USER@HOST/DB"
)]
pub struct BadDatabaseUrl(pub String);

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<DatabaseUrl, BadDatabaseUrl> {
        let url = url.trim();
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            let path = path.split('?').next().unwrap_or("");
            if path.is_empty() || path.starts_with(':') {
                return Err(BadDatabaseUrl(url.to_string()));
            }
            return Ok(DatabaseUrl::Sqlite(path.into()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_string()));
        }
        Err(BadDatabaseUrl(redact(url)))
    }
}

/// Shows the URL with any password replaced, so it can be logged.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(p) => write!(f, "sqlite://{}", p.display()),
            DatabaseUrl::Postgres(u) => f.write_str(&redact(u)),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => {
            format!("{}{}:***{}", &url[..scheme_end + 3], &authority[..colon], &rest[at..])
        }
        _ => url.to_string(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot open the database {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("cannot create the directory for {url}: {source}")]
    Directory { url: String, source: std::io::Error },
    #[error("cannot bring the database {url} up to date: {source}")]
    Migrate { url: String, source: sqlx::migrate::MigrateError },
}

/// Opens the database, creating it (SQLite) and applying pending migrations.
pub async fn open(url: &DatabaseUrl) -> Result<Arc<dyn Store>, OpenError> {
    Ok(match url {
        DatabaseUrl::Sqlite(path) => Arc::new(SqliteStore::open(path).await?),
        DatabaseUrl::Postgres(u) => Arc::new(PgStore::open(u).await?),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error("{0} exists already; give a new file (a backup never overwrites one)")]
    Exists(std::path::PathBuf),
    #[error("there is no database at {0}")]
    Missing(std::path::PathBuf),
    #[error("the backup failed: {0}")]
    Database(#[from] sqlx::Error),
    /// PostgreSQL has its own tools for this.
    #[error(
        "kakehashi backup copies SQLite databases; for PostgreSQL use pg_dump: pg_dump --format=custom --file=kakehashi.dump '{0}' (README \"Backup and restore\")"
    )]
    Postgres(String),
}

/// Copies the database at `url` into the new file `to`, consistent as of one moment, while the
/// server keeps running (SQLite's `VACUUM INTO`: a read transaction, so writers carry on).
pub async fn backup(url: &DatabaseUrl, to: &std::path::Path) -> Result<(), BackupError> {
    match url {
        DatabaseUrl::Sqlite(path) => {
            if !path.exists() {
                return Err(BackupError::Missing(path.clone()));
            }
            if to.exists() {
                return Err(BackupError::Exists(to.to_path_buf()));
            }
            SqliteStore::open(path).await?.backup_to(to).await
        }
        DatabaseUrl::Postgres(_) => Err(BackupError::Postgres(url.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_name_their_backend() {
        assert_eq!(DatabaseUrl::parse("sqlite://data/k.db"), Ok(DatabaseUrl::Sqlite("data/k.db".into())));
        assert_eq!(DatabaseUrl::parse("sqlite:///tmp/k.db"), Ok(DatabaseUrl::Sqlite("/tmp/k.db".into())));
        assert!(matches!(DatabaseUrl::parse("postgres://u@h/db"), Ok(DatabaseUrl::Postgres(_))));
        assert!(DatabaseUrl::parse("mysql://x").is_err());
        assert!(DatabaseUrl::parse("sqlite::memory:").is_err());
        assert!(DatabaseUrl::parse("k.db").is_err());
    }

    #[test]
    fn passwords_never_show_in_a_database_url() {
        let url = DatabaseUrl::parse("postgres://kk:s3cret@db.internal:5432/kk").unwrap();
        assert_eq!(url.to_string(), "postgres://kk:***@db.internal:5432/kk");
        assert!(!format!("{url:?}").contains("s3cret"));
        let bad = DatabaseUrl::parse("pg://kk:s3cret@db/kk").unwrap_err();
        assert!(!bad.to_string().contains("s3cret"));
    }
}
