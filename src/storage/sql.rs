//! The SQL of every [`Store`](super::Store) method, written once for both backends:
//! [`sql_store!`](crate::sql_store) expands, for the SQLite and the PostgreSQL store, the macro of
//! each concern (`sql_workspaces!` in `workspaces.rs`, `sql_items!`, `sql_audit!`, `sql_export!`,
//! `sql_outbox!`, `sql_runs!`), each of which implements that concern's trait, and the group
//! writer's writes (`sql_writes!`). Only bound parameters. Where the dialects differ, the
//! difference is a macro argument, handed to the concern that needs it.
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

/// The statements that find the candidates of 1, 2, … [`MAX_TERMS`](crate::domain::similar::MAX_TERMS)
/// terms at once: the dialect's search for one term (`per_term`, with `$1` the workspace, `$2`
/// the need left out, `$3` how many each term may bring and `$TERM` the term) once for each term,
/// the terms bound as `$4`, `$5`, …, united so each need comes once. Only placeholders are
/// written into them, never a value.
pub fn similar_statements(per_term: &str) -> Vec<String> {
    (1..=crate::domain::similar::MAX_TERMS)
        .map(|n| {
            (0..n)
                .map(|i| format!("SELECT * FROM ({}) AS t{i}", per_term.replace("$TERM", &format!("${}", i + 4))))
                .collect::<Vec<_>>()
                .join(" UNION ")
        })
        .collect()
}

/// The notes the needs numbered `$2`, `$3`, … (`n` of them) of workspace `$1` were closed,
/// redirected or declined with, each need's latest first.
pub fn closing_notes_statement(n: usize) -> String {
    let numbers: Vec<String> = (0..n).map(|i| format!("${}", i + 2)).collect();
    format!(
        "SELECT i.number, e.note FROM events e JOIN items i ON i.id = e.item_id
         WHERE i.workspace_id = $1 AND i.kind = 'need' AND i.number IN ({})
           AND e.to_status IN ('closed', 'redirected', 'declined')
         ORDER BY e.id DESC",
        numbers.join(", ")
    )
}

/// PostgreSQL's search for one term of a new need: a `LIKE` pattern the trigram index serves.
pub fn similar_like(term: &str) -> String {
    crate::domain::similar::like_pattern(term)
}

/// Implements `Store` and its concern traits for `$store` (a struct with `pool` and `writer`
/// fields, both `sqlx::Pool<$db>`: reads go to `pool`, every write to `writer`, most of them
/// through `group`, the [group writer](super::group) on `writer`; and `cache`, the
/// [cache](super::cache) of workspaces and roles), opening write transactions with `$begin` and
/// claiming outbox rows with `$claim`. The invoking module provides `notify_change(tx,
/// workspace)`, called in the transaction of a change to a workspace's settings or roles (other
/// replicas learn of it).
///
/// Each concern's methods are one `impl` of its own trait, in its own macro: `#[async_trait]`
/// rewrites the `async fn`s of the `impl` block it is written on and cannot see into a macro
/// called inside that block, so one trait per concern is what lets the SQL live in one file per
/// concern.
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

            async fn ping(&self) -> Result<(), $crate::storage::StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }
        }

        $crate::sql_workspaces!($store);
        $crate::sql_items!($store, similar_setup = $similar_setup, similar = $similar, similar_query = $similar_query);
        $crate::sql_audit!($store);
        $crate::sql_export!($store, stat_rows = $stat_rows);
        $crate::sql_outbox!($store, begin = $begin, claim = $claim);
        $crate::sql_runs!($store, begin = $begin, claim_runs = $claim_runs);
        $crate::sql_writes!($db);
    };
}
