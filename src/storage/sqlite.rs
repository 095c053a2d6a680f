//! SQLite: the default. One file, WAL journal, created with its directory on first use.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use super::cache::{Cache, SQLITE_TTL};
use super::group::GroupWriter;
use super::{OpenError, StoreError};

/// Write transactions start IMMEDIATE: they take the write lock up front and wait for it (busy
/// timeout) instead of failing when two writers meet.
const BEGIN: &str = "BEGIN IMMEDIATE";

/// Readers share a pool of connections; writes go through one connection of their own. SQLite
/// takes one writer at a time anyway: queueing writers in the pool (a wake-up when the
/// connection is free) instead of in SQLite's busy handler (which polls, sleeping 1, 2, 5 … 100
/// ms) keeps the latency of a write close to its own cost under load. The writes of requests go
/// through the group writer, which commits those that arrive together in one transaction.
pub struct SqliteStore {
    pool: SqlitePool,
    writer: SqlitePool,
    group: GroupWriter<sqlx::Sqlite>,
    cache: Cache,
}

impl SqliteStore {
    pub async fn open(path: &Path) -> Result<SqliteStore, OpenError> {
        let url = format!("sqlite://{}", path.display());
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| OpenError::Directory { url: url.clone(), source })?;
        }
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(|source| OpenError::Connect { url: url.clone(), source })?
            .filename(path)
            .create_if_missing(true)
            // WAL lets readers work while one writer commits; NORMAL sync in WAL mode survives a
            // crash of the process (power loss may roll back the last commits).
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        // A pool pings a connection before lending it out, by default: on SQLite that is a
        // hand-off to the connection's thread and back for every read and every group of
        // writes, and a connection to a local file does not go stale the way a socket does.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .after_connect(|conn, _| Box::pin(stable_plans(conn)))
            .connect_with(options.clone())
            .await
            .map_err(|source| OpenError::Connect { url: url.clone(), source })?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&writer)
            .await
            .map_err(|source| OpenError::Migrate { url: url.clone(), source })?;
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .after_connect(|conn, _| Box::pin(stable_plans(conn)))
            .connect_with(options)
            .await
            .map_err(|source| OpenError::Connect { url, source })?;
        let group = GroupWriter::start(writer.clone(), BEGIN);
        Ok(SqliteStore { pool, writer, group, cache: Cache::new(Some(SQLITE_TTL)) })
    }

    /// Writes a consistent copy of the database into the new file `to` (`VACUUM INTO`: one read
    /// transaction, so the server's writes go on meanwhile and are simply not in the copy).
    pub async fn backup_to(&self, to: &Path) -> Result<(), super::BackupError> {
        sqlx::query("VACUUM INTO $1").bind(to.to_string_lossy().into_owned()).execute(&self.pool).await?;
        Ok(())
    }
}

/// Turns on SQLite's query planner stability guarantee (`SQLITE_DBCONFIG_ENABLE_QPSG`) for one
/// connection. Without it, a statement whose plan may depend on a bound value — any `LIMIT $n`,
/// a `LIKE $p`, a comparison a partial index could use — is marked expired every time a value is
/// bound to it, and SQLite parses and plans it again on the next step: sqlx's statement cache
/// then saves nothing for them, and under load a tenth of the server's CPU went to re-preparing
/// (BENCHMARKS.md, "CPU per need"). With it, each statement is planned once, without looking at
/// the values; our queries do not need value-dependent plans (their `LIMIT`s are small and their
/// partial indexes are matched by literals in the SQL).
async fn stable_plans(conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    // SAFETY: `db` is the live connection, held locked by `handle` for the call; the option takes
    // an int (1: on) and an optional out-pointer for the new setting, here null.
    let rc = unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as std::ffi::c_int,
            std::ptr::null_mut::<std::ffi::c_int>(),
        )
    };
    if rc == libsqlite3_sys::SQLITE_OK {
        Ok(())
    } else {
        Err(sqlx::Error::Configuration(format!("SQLite refused the stable query plans option (code {rc})").into()))
    }
}

/// One process serves a SQLite file: nobody to tell (entries expire instead, see `cache.rs`).
async fn notify_change(_tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>, _workspace: &str) -> Result<(), StoreError> {
    Ok(())
}

// One writer at a time in SQLite, so a claim needs no row locks.
crate::sql_store!(
    SqliteStore,
    sqlx::Sqlite,
    "sqlite",
    begin = BEGIN,
    claim = "UPDATE outbox SET claimed_until = $1
             WHERE id IN (SELECT id FROM outbox
                          WHERE workspace_id LIKE $2 AND sent_at IS NULL AND failed_at IS NULL
                            AND next_attempt_at <= $3 AND (claimed_until IS NULL OR claimed_until < $3)
                          ORDER BY id LIMIT $4)
             RETURNING id, workspace_id, recipient_kind, recipient, payload, attempts, parts_sent, created_at",
    claim_runs = "UPDATE job_runs SET claimed_by = $1, claimed_until = $2
                  WHERE id IN (SELECT id FROM job_runs
                               WHERE state = 'pending' AND next_attempt_at <= $3
                                 AND (claimed_until IS NULL OR claimed_until < $3)
                               ORDER BY scheduled_for, job LIMIT $4)
                  RETURNING id, job, workspace_id, scheduled_for, late, attempts",
    stat_rows = "SELECT kind, status, team, team_key, outcome, yearly_value, CAST(strftime('%s', created_at) AS INTEGER) AS created_at,
                        CAST(strftime('%s', submitted_at) AS INTEGER) AS submitted_at, CAST(strftime('%s', first_response_at) AS INTEGER) AS first_response_at,
                        CAST(strftime('%s', resolved_at) AS INTEGER) AS resolved_at, data_level
                 FROM items
                 WHERE workspace_id = $1
                   AND (created_at >= $2 OR submitted_at >= $2 OR first_response_at >= $2 OR resolved_at >= $2
                        OR status IN ('submitted', 'accepted', 'in_progress', 'idea', 'prototyping', 'pitched', 'in_service'))",
    similar_setup = None,
    // CROSS JOIN keeps the full-text match the outer loop, walked in the index's own order
    // (oldest first), so the walk stops at the limit however many needs contain the term
    similar = "SELECT i.number, i.title, i.description, i.status
               FROM needs_fts CROSS JOIN items i ON i.id = needs_fts.rowid
               WHERE needs_fts MATCH $TERM AND i.workspace_id = $1 AND i.number <> $2
               ORDER BY needs_fts.rowid LIMIT $3",
    similar_query = crate::storage::sql::similar_fts5,
    create_item = crate::storage::sql::create_item_sqlite
);
