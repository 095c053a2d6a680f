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

/// The columns of an item as created.
const ITEM_COLUMNS: &str =
    "workspace_id, kind, number, title, description, team, team_key, requester, status, created_at, updated_at";
/// The columns of an item's event.
const EVENT_COLUMNS: &str = "workspace_id, item_id, actor, kind, from_status, to_status, note, detail, at";

/// SQLite's creation of an item. What both dialects' creations bind: `$1` the workspace, `$2`
/// the item's kind, `$3` title, `$4` description, `$5` team, `$6` its key, `$7` the requester,
/// `$8` the first status, `$9` when; then the `created` event's kind, statuses and detail
/// (`$10`–`$13`). Each moves the workspace's counter of that kind (`counter`: `next_need` or
/// `next_seed`, a column name, never a value) on, inserts the item numbered with it and its
/// event, and returns the item's number (no row when the workspace does not exist), all in one
/// round trip.
///
/// Here that is three statements sent as one, so the connection's thread runs them without
/// waiting for the runtime between them. The item is inserted only when the counter moved
/// (`changes()`), and its event only when the item was inserted, with the item's rowid
/// (`last_insert_rowid()`: the full-text trigger's own insert does not change it once the
/// trigger ends).
pub fn create_item_sqlite(counter: &str) -> String {
    format!(
        "UPDATE workspaces SET {counter} = {counter} + 1 WHERE id = $1;
         INSERT INTO items ({ITEM_COLUMNS})
           SELECT $1, $2, {counter} - 1, $3, $4, $5, $6, $7, $8, $9, $9 FROM workspaces WHERE id = $1 AND changes() = 1
           RETURNING number;
         INSERT INTO events ({EVENT_COLUMNS})
           SELECT $1, last_insert_rowid(), $7, $10, $11, $12, NULL, $13, $9 WHERE changes() = 1"
    )
}

/// PostgreSQL's creation of an item (see [`create_item_sqlite`]): one statement whose data-modifying
/// parts each feed the next.
pub fn create_item_postgres(counter: &str) -> String {
    format!(
        "WITH n AS (UPDATE workspaces SET {counter} = {counter} + 1 WHERE id = $1 RETURNING {counter} - 1 AS number),
              i AS (INSERT INTO items ({ITEM_COLUMNS})
                    SELECT $1, $2, n.number, $3, $4, $5, $6, $7, $8, $9, $9 FROM n RETURNING id, number),
              e AS (INSERT INTO events ({EVENT_COLUMNS})
                    SELECT $1, i.id, $7, $10, $11, $12, NULL, $13, $9 FROM i)
         SELECT number FROM i"
    )
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
        similar_query = $similar_query:path,
        create_item = $create_item:path
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
        $crate::sql_writes!($db, create_item = $create_item);
    };
}
