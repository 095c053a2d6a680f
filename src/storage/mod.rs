//! Storage: the [`Store`] trait in domain terms, with a SQLite and a PostgreSQL implementation
//! chosen by the database URL.
//!
//! `Store` is split by concern, one file each, holding the concern's types, its trait and its
//! SQL (a macro expanded once per backend):
//! - `workspaces.rs`: workspaces, settings, roles ([`WorkspaceStore`]);
//! - `items.rs`: needs and seeds, answers, history, similar needs ([`ItemStore`]);
//! - `audit.rs`: admin actions and the audit trail, snoozes ([`AuditStore`]);
//! - `export.rs`: bulk reads, for statistics and the export ([`ExportStore`]);
//! - `outbox.rs`: messages to deliver, reminders, the replay guard ([`OutboxStore`]);
//! - `runs.rs`: scheduled job runs and stage evaluations ([`RunStore`]).
//!
//! Around them: `sql.rs` ([`sql_store!`](crate::sql_store): one line per concern), `codec/`
//! (rows to and from the domain, no SQL), `writes.rs` and `group.rs` (writes committed together),
//! `cache.rs`, and `sqlite.rs`/`postgres.rs` (opening each, and the dialects' differences).
//!
//! Why traits per concern rather than one trait: `#[async_trait]` rewrites the `async fn`s
//! written in the `impl` block it stands on and cannot see methods a macro would add inside it,
//! so one `impl Store` means one macro in one file (it had grown to 800 lines). Inherent `impl`
//! blocks per concern would need every method's signature written a third time, to delegate to.
//! A concern trait costs nothing to callers: they hold a `dyn Store`, whose supertraits' methods
//! are callable without importing them.
//!
//! Both backends run the same SQL (`$1` placeholders work in both); each method is one
//! transaction. To add a method: declare it on its concern's trait, write its SQL in the macro
//! below it (same file), and add a case to the storage test suite, which runs on both backends.
//! To add a concern: a file like `runs.rs`, a supertrait on [`Store`], a line in `sql_store!`.

mod audit;
mod cache;
mod codec;
mod export;
pub mod group;
mod items;
mod outbox;
mod postgres;
mod runs;
pub(crate) mod sql;
mod sqlite;
mod workspaces;
mod writes;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

pub use crate::domain::stats::StatRow;

pub use audit::{AdminAction, AuditEntry, AuditFilter, AuditStore, READ_ACTIONS, SNOOZE};
pub use export::{ExportEvent, ExportItem, ExportStore, Sink};
pub use items::{ItemFilter, ItemStore, ItemSummary, NewItem, Save, SimilarNeed};
pub use outbox::{Claimed, NewNotice, NoticeOutcome, OutboxStore};
pub use postgres::PgStore;
pub use runs::{JobRun, RunOutcome, RunStore, StoredEvaluation};
pub use sqlite::SqliteStore;
pub use workspaces::{Workspace, WorkspaceStore};

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

/// Everything the bot keeps, in domain terms: one trait per concern, each with its SQL in its
/// own file. Code holds a `dyn Store` and calls any concern's methods on it.
#[async_trait]
pub trait Store: WorkspaceStore + ItemStore + AuditStore + ExportStore + OutboxStore + RunStore + 'static {
    /// Which backend this is, for logs and `check`.
    fn backend(&self) -> &'static str;

    /// Answers when the database does: a round trip, for the health check.
    async fn ping(&self) -> Result<(), StoreError>;
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
