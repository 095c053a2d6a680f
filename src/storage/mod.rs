//! Storage: a small [`Store`] trait in domain terms, with a SQLite and a PostgreSQL
//! implementation chosen by the database URL.
//!
//! Both backends run the same SQL (`$1` placeholders work in both), written once in
//! [`sql_store!`](crate::sql_store); each method is one transaction. To add a method: declare it
//! on [`Store`], write it once in `sql.rs`, and add a case to the storage test suite, which runs
//! on both backends.

mod codec;
mod postgres;
mod sql;
mod sqlite;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::text::{Description, TeamName, Title};
use crate::domain::{Event, ItemKind, ItemRef, Outcome, Settings, Status, UserId, WorkItem};

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

#[derive(Debug, Clone, PartialEq)]
pub struct Workspace {
    pub id: String,
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
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which backend this is, for logs and `check`.
    fn backend(&self) -> &'static str;

    async fn workspace(&self, id: &str) -> Result<Option<Workspace>, StoreError>;

    /// The workspace, created with `defaults` the first time it is seen.
    async fn ensure_workspace(
        &self,
        id: &str,
        name: &str,
        defaults: &Settings,
        now: DateTime<Utc>,
    ) -> Result<Workspace, StoreError>;

    /// Creates an item with the next number of its kind in the workspace, and its `created` event.
    async fn create_item(&self, new: NewItem) -> Result<WorkItem, StoreError>;

    /// An item with its answers.
    async fn item(&self, workspace: &str, item: ItemRef) -> Result<Option<WorkItem>, StoreError>;

    /// Writes the item, the answers to `changed` questions and `events`, in one transaction,
    /// if nobody saved it since it was read ([`StoreError::Conflict`] otherwise). Bumps
    /// `item.version` on success.
    async fn save_item(
        &self,
        item: &mut WorkItem,
        changed: &[String],
        actor: &str,
        events: &[Event],
    ) -> Result<(), StoreError>;

    /// Items the user requested or owns, most recently changed first.
    async fn items_of(
        &self,
        workspace: &str,
        user: &str,
        limit: i64,
    ) -> Result<Vec<ItemSummary>, StoreError>;

    /// An item's history, oldest first.
    async fn events(&self, workspace: &str, item: ItemRef) -> Result<Vec<Event>, StoreError>;

    /// How many items the workspace holds.
    async fn count_items(&self, workspace: &str) -> Result<i64, StoreError>;

    /// The team the user named on their last need, to offer it again.
    async fn last_team(&self, workspace: &str, user: &str) -> Result<Option<String>, StoreError>;
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
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
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
            format!(
                "{}{}:***{}",
                &url[..scheme_end + 3],
                &authority[..colon],
                &rest[at..]
            )
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
    Migrate {
        url: String,
        source: sqlx::migrate::MigrateError,
    },
}

/// Opens the database, creating it (SQLite) and applying pending migrations.
pub async fn open(url: &DatabaseUrl) -> Result<Arc<dyn Store>, OpenError> {
    Ok(match url {
        DatabaseUrl::Sqlite(path) => Arc::new(SqliteStore::open(path).await?),
        DatabaseUrl::Postgres(u) => Arc::new(PgStore::open(u).await?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_name_their_backend() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/k.db"),
            Ok(DatabaseUrl::Sqlite("data/k.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/k.db"),
            Ok(DatabaseUrl::Sqlite("/tmp/k.db".into()))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://u@h/db"),
            Ok(DatabaseUrl::Postgres(_))
        ));
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
