//! PostgreSQL: chosen by a `postgres://` URL; for teams that run several replicas or already
//! operate a database.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};
use tokio::sync::oneshot;

use super::cache::{CHANNEL, Cache};
use super::group::GroupWriter;
use super::{DatabaseUrl, OpenError, StoreError};

const BEGIN: &str = "BEGIN";

/// One pool for everything: PostgreSQL's row locks let writers work side by side (`writer` is
/// the same pool, for the shared SQL). The writes of requests go through the group writer, which
/// commits those that arrive together in one transaction (one commit, one flush of the WAL, and
/// the workspace's counter row locked once instead of once per need).
pub struct PgStore {
    pool: PgPool,
    writer: PgPool,
    group: GroupWriter<sqlx::Postgres>,
    cache: Arc<Cache>,
    /// Dropped with the store: the listener task ends.
    _listening: oneshot::Sender<()>,
}

impl PgStore {
    pub async fn open(url: &str) -> Result<PgStore, OpenError> {
        let shown = DatabaseUrl::Postgres(url.to_string()).to_string();
        let options =
            PgConnectOptions::from_str(url).map_err(|source| OpenError::Connect { url: shown.clone(), source })?;
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(|source| OpenError::Connect { url: shown.clone(), source })?;
        // The migrator holds an advisory lock, so replicas starting together migrate once.
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .map_err(|source| OpenError::Migrate { url: shown, source })?;
        let cache = Arc::new(Cache::disabled());
        let (listening, stop) = oneshot::channel();
        tokio::spawn(listen(pool.clone(), cache.clone(), stop));
        let group = GroupWriter::start(pool.clone(), BEGIN);
        Ok(PgStore { writer: pool.clone(), pool, group, cache, _listening: listening })
    }
}

/// Keeps `cache` in step with changes other replicas make: it listens on [`CHANNEL`] and drops
/// the workspace each notification names. The cache is on only while the listening connection
/// is up; when it breaks the cache is emptied and off until listening again (a second later).
async fn listen(pool: PgPool, cache: Arc<Cache>, mut stop: oneshot::Receiver<()>) {
    loop {
        let listening = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.listen(CHANNEL).await?;
            cache.enable();
            loop {
                // None: the connection broke (and notifications may have been missed)
                match listener.try_recv().await? {
                    Some(n) => cache.drop_workspace(n.payload()),
                    None => return Ok::<(), sqlx::Error>(()),
                }
            }
        };
        tokio::select! {
            _ = &mut stop => return,
            ended = listening => {
                cache.disable();
                match ended {
                    Err(sqlx::Error::PoolClosed) => return,
                    Err(e) => tracing::warn!(error = %e, "not listening for changes of other replicas; the cache is off meanwhile"),
                    Ok(()) => tracing::warn!("the connection listening for changes of other replicas broke; the cache is off meanwhile"),
                }
            }
        }
        tokio::select! {
            _ = &mut stop => return,
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

/// Tells every replica, when the transaction commits, that the workspace's settings or roles
/// changed.
async fn notify_change(tx: &mut sqlx::Transaction<'static, sqlx::Postgres>, workspace: &str) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(workspace).execute(&mut **tx).await?;
    Ok(())
}

// Replicas claim different rows: SKIP LOCKED passes over rows another replica is claiming.
crate::sql_store!(
    PgStore,
    sqlx::Postgres,
    "postgres",
    begin = BEGIN,
    claim = "UPDATE outbox SET claimed_until = $1
             WHERE id IN (SELECT id FROM outbox
                          WHERE workspace_id LIKE $2 AND sent_at IS NULL AND failed_at IS NULL
                            AND next_attempt_at <= $3 AND (claimed_until IS NULL OR claimed_until < $3)
                          ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)
             RETURNING id, workspace_id, recipient_kind, recipient, payload, attempts, parts_sent, created_at",
    claim_runs = "UPDATE job_runs SET claimed_by = $1, claimed_until = $2
                  WHERE id IN (SELECT id FROM job_runs
                               WHERE state = 'pending' AND next_attempt_at <= $3
                                 AND (claimed_until IS NULL OR claimed_until < $3)
                               ORDER BY scheduled_for, job LIMIT $4 FOR UPDATE SKIP LOCKED)
                  RETURNING id, job, workspace_id, scheduled_for, late, attempts",
    stat_rows = "SELECT kind, status, team, team_key, outcome, yearly_value, CAST(EXTRACT(EPOCH FROM created_at) AS BIGINT) AS created_at,
                        CAST(EXTRACT(EPOCH FROM submitted_at) AS BIGINT) AS submitted_at, CAST(EXTRACT(EPOCH FROM first_response_at) AS BIGINT) AS first_response_at,
                        CAST(EXTRACT(EPOCH FROM resolved_at) AS BIGINT) AS resolved_at, data_level
                 FROM items
                 WHERE workspace_id = $1
                   AND (created_at >= $2 OR submitted_at >= $2 OR first_response_at >= $2 OR resolved_at >= $2
                        OR status IN ('submitted', 'accepted', 'in_progress', 'idea', 'prototyping', 'pitched', 'in_service'))",
    // a plan for each term as it is (a generic plan, made without the pattern, guesses that
    // every need matches and walks them all when the term is rare)
    similar_setup = Some("SET LOCAL plan_cache_mode = force_custom_plan"),
    // the match is planned without the limit (so a rare term goes through the trigram index and
    // a common one through the table: the statistics of migration 0009 tell them apart), then
    // read only as far as the limit: a CTE is evaluated as far as it is fetched
    similar = "WITH m AS MATERIALIZED (
                 SELECT number, title, description, status FROM items
                 WHERE workspace_id = $1 AND kind = 'need' AND number <> $2
                   AND (title || ' ' || description) ILIKE $TERM)
               SELECT number, title, description, status FROM m LIMIT $3",
    similar_query = crate::storage::sql::similar_like,
    create_item = crate::storage::sql::create_item_postgres
);
