//! PostgreSQL: chosen by a `postgres://` URL; for teams that run several replicas or already
//! operate a database.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::{DatabaseUrl, OpenError};

/// One pool for everything: PostgreSQL's row locks let writers work side by side (`writer` is
/// the same pool, for the shared SQL).
pub struct PgStore {
    pool: PgPool,
    writer: PgPool,
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
        Ok(PgStore { writer: pool.clone(), pool })
    }
}

// Replicas claim different rows: SKIP LOCKED passes over rows another replica is claiming.
crate::sql_store!(
    PgStore,
    sqlx::Postgres,
    "postgres",
    begin = "BEGIN",
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
    // a low bar for candidates: the shared score in the domain decides
    similar_setup = "SELECT set_config('pg_trgm.similarity_threshold', '0.1', true)",
    similar = "SELECT number, title, description, status FROM items
               WHERE workspace_id = $1 AND kind = 'need' AND number <> $3 AND (title || ' ' || description) % $2
               ORDER BY similarity(title || ' ' || description, $2) DESC LIMIT $4",
    similar_query = crate::storage::sql::similar_text
);
