//! The two dialects' migrations give the same schema: every table has the same columns, with the
//! same nullability, on SQLite and on PostgreSQL. What only one dialect has on purpose (SQLite's
//! full-text virtual tables and their shadow tables, sqlx's bookkeeping) is left out.

use std::collections::BTreeSet;

use kakehashi::storage::DatabaseUrl;
use sqlx::Row;

use crate::helpers::{pg_admin, postgres, sqlite};

/// (table, column, nullable)
type Columns = BTreeSet<(String, String, bool)>;

async fn sqlite_columns(url: &DatabaseUrl) -> Columns {
    let DatabaseUrl::Sqlite(path) = url else { unreachable!("a SQLite test database") };
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect_with(&opts).await.unwrap();
    let tables: Vec<(String, String)> =
        sqlx::query_as("SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let virtual_tables: Vec<&str> = tables
        .iter()
        .filter(|(_, sql)| sql.to_ascii_uppercase().starts_with("CREATE VIRTUAL TABLE"))
        .map(|(name, _)| name.as_str())
        .collect();
    let mut columns = Columns::new();
    for (table, _) in &tables {
        let dialect_only = table.starts_with("sqlite_")
            || table.starts_with("_sqlx")
            || virtual_tables.iter().any(|v| table == v || table.starts_with(&format!("{v}_")));
        if dialect_only {
            continue;
        }
        let rows = sqlx::query("SELECT name, \"notnull\", pk FROM pragma_table_info($1)")
            .bind(table)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        for row in rows {
            let name: String = row.get(0);
            let not_null: i64 = row.get(1);
            let pk: i64 = row.get(2);
            // a primary key is never null on PostgreSQL; SQLite reports it as nullable
            columns.insert((table.clone(), name, not_null == 0 && pk == 0));
        }
    }
    columns
}

async fn postgres_columns(url: &DatabaseUrl) -> Columns {
    let DatabaseUrl::Postgres(url) = url else { unreachable!("a PostgreSQL test database") };
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(url).await.unwrap();
    let rows = sqlx::query(
        "SELECT c.table_name::text, c.column_name::text, c.is_nullable = 'YES'
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name NOT LIKE '\\_sqlx%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    rows.into_iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect()
}

#[tokio::test]
async fn both_dialects_migrate_to_the_same_tables_and_columns() {
    let Some(admin) = pg_admin() else { return };
    let lite = sqlite().await;
    let pg = postgres(&admin).await;
    let lite_columns = sqlite_columns(&lite.url).await;
    let pg_columns = postgres_columns(&pg.url).await;
    assert!(lite_columns.len() > 20, "the schema was read: {lite_columns:?}");
    let only_sqlite: Vec<_> = lite_columns.difference(&pg_columns).collect();
    let only_postgres: Vec<_> = pg_columns.difference(&lite_columns).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "the migrations differ (table, column, nullable):\n only in SQLite: {only_sqlite:?}\n only in PostgreSQL: {only_postgres:?}"
    );
}
