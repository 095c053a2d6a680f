//! Group commit and the workspace/roles cache (issue 16), on SQLite and PostgreSQL.
//!
//! The group writer is driven with writes of its own (a table made for the test) through the
//! public `Write` trait, as any future small write would ride along; the cache through the store,
//! with two stores on one PostgreSQL database standing for two replicas.

use std::time::Duration;

use async_trait::async_trait;
use futures_util::future::BoxFuture;
use kakehashi::domain::text::{Description, TeamName, Title};
use kakehashi::domain::{ItemKind, Lang, Role, Settings};
use kakehashi::storage::group::{GroupWriter, Write};
use kakehashi::storage::{self, AdminAction, DatabaseUrl, NewItem, Store, StoreError};
use sqlx::{Database, Transaction};

use crate::helpers::{backends, pg_admin, postgres, t0};

/// Inserts one number into `marks` (unique): a number already there makes the write fail.
struct Mark(i64);

#[async_trait]
impl Write<sqlx::Sqlite> for Mark {
    type Output = i64;
    async fn run(&mut self, tx: &mut Transaction<'static, sqlx::Sqlite>) -> Result<i64, StoreError> {
        sqlx::query("INSERT INTO marks (n) VALUES ($1)").bind(self.0).execute(&mut **tx).await?;
        Ok(self.0)
    }
}

#[async_trait]
impl Write<sqlx::Postgres> for Mark {
    /// The id of the transaction that held the write.
    type Output = i64;
    async fn run(&mut self, tx: &mut Transaction<'static, sqlx::Postgres>) -> Result<i64, StoreError> {
        sqlx::query("INSERT INTO marks (n) VALUES ($1)").bind(self.0).execute(&mut **tx).await?;
        Ok(sqlx::query_scalar("SELECT txid_current()").fetch_one(&mut **tx).await?)
    }
}

/// Sends 40 writes at once, one of them a number already stored (7): that one fails, every
/// other one is stored, and each is visible from another connection (`seen`) as soon as it is
/// answered. Returns the outputs of the writes that succeeded.
async fn one_failing_write_fails_alone<DB, S>(writer: GroupWriter<DB>, seen: S) -> Vec<i64>
where
    DB: Database,
    Mark: Write<DB, Output = i64>,
    S: Fn(i64) -> BoxFuture<'static, bool> + Clone + Send + 'static,
{
    let writer = std::sync::Arc::new(writer);
    let tasks: Vec<_> = (0..40)
        .map(|n| {
            let writer = writer.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                let result = writer.write(Mark(n)).await;
                if result.is_ok() {
                    assert!(seen(n).await, "{n} was answered before it was committed");
                }
                (n, result)
            })
        })
        .collect();
    let mut outputs = Vec::new();
    for task in tasks {
        let (n, result) = task.await.unwrap();
        match result {
            Ok(output) => outputs.push(output),
            Err(e) => assert_eq!(n, 7, "only the repeated number fails, not {n}: {e:?}"),
        }
    }
    assert_eq!(outputs.len(), 39);
    for n in 0..40 {
        assert!(seen(n).await, "{n} is stored");
    }
    outputs
}

#[tokio::test]
async fn a_write_that_fails_in_a_group_fails_alone_and_the_others_are_committed() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("g.db").display());
    let pool = sqlx::sqlite::SqlitePoolOptions::new().max_connections(2).connect(&url).await.unwrap();
    sqlx::query("CREATE TABLE marks (n BIGINT PRIMARY KEY)").execute(&pool).await.unwrap();
    sqlx::query("INSERT INTO marks (n) VALUES (7)").execute(&pool).await.unwrap();
    let reader = pool.clone();
    let seen = move |n: i64| -> BoxFuture<'static, bool> {
        let reader = reader.clone();
        Box::pin(async move {
            sqlx::query("SELECT n FROM marks WHERE n = $1").bind(n).fetch_optional(&reader).await.unwrap().is_some()
        })
    };
    one_failing_write_fails_alone(GroupWriter::start(pool, "BEGIN IMMEDIATE"), seen).await;

    if let Some(admin) = pg_admin() {
        let db = postgres(&admin).await;
        let DatabaseUrl::Postgres(url) = &db.url else { unreachable!() };
        let pool = sqlx::postgres::PgPoolOptions::new().max_connections(4).connect(url).await.unwrap();
        sqlx::query("CREATE TABLE marks (n BIGINT PRIMARY KEY)").execute(&pool).await.unwrap();
        sqlx::query("INSERT INTO marks (n) VALUES (7)").execute(&pool).await.unwrap();
        let reader = pool.clone();
        let seen = move |n: i64| -> BoxFuture<'static, bool> {
            let reader = reader.clone();
            Box::pin(async move {
                sqlx::query("SELECT n FROM marks WHERE n = $1").bind(n).fetch_optional(&reader).await.unwrap().is_some()
            })
        };
        let transactions = one_failing_write_fails_alone(GroupWriter::start(pool, "BEGIN"), seen).await;
        let mut distinct = transactions.clone();
        distinct.sort();
        distinct.dedup();
        assert!(
            distinct.len() < transactions.len(),
            "writes sent together share transactions: {} writes in {} transactions",
            transactions.len(),
            distinct.len()
        );
    }
}

fn need(title: &str) -> NewItem {
    NewItem {
        workspace: "w".into(),
        kind: ItemKind::Need,
        title: Title::parse(title).unwrap(),
        description: Description::parse("").unwrap(),
        team: TeamName::parse("Sales").unwrap(),
        requester: "u".into(),
        at: t0(),
    }
}

#[tokio::test]
async fn needs_created_together_get_distinct_numbers_and_a_stale_save_among_them_is_refused_alone() {
    for db in backends().await {
        let s = db.store.clone();
        s.ensure_workspace("w", "W", &Settings::default(), t0()).await.unwrap();
        let first = s.create_item(need("first")).await.unwrap();
        let mut fresh = first.clone();
        s.save_item(&mut fresh, "u", Default::default()).await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..30 {
            let s = s.clone();
            tasks.push(tokio::spawn(
                async move { s.create_item(need(&format!("n{i}"))).await.map(|i| i.reference.number) },
            ));
        }
        let stale = {
            let s = s.clone();
            let mut stale = first.clone();
            tokio::spawn(async move { s.save_item(&mut stale, "u", Default::default()).await })
        };
        let mut numbers = Vec::new();
        for t in tasks {
            numbers.push(t.await.unwrap().unwrap());
        }
        numbers.sort();
        assert_eq!(numbers, (2..=31).collect::<Vec<_>>(), "{}", db.name);
        assert!(matches!(stale.await.unwrap(), Err(StoreError::Conflict)), "{}", db.name);
        assert_eq!(s.count_items("w").await.unwrap(), 31, "{}", db.name);
    }
}

fn action(what: &str) -> AdminAction {
    AdminAction { workspace: "w".into(), actor: "admin".into(), action: what.into(), detail: String::new(), at: t0() }
}

/// Waits (up to 10 s) until `check` holds: a notification crosses between replicas in
/// milliseconds, but this machine is shared.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}");
}

#[tokio::test]
async fn a_change_of_settings_or_roles_is_seen_at_once_by_the_same_store() {
    for db in backends().await {
        let s = db.store.as_ref();
        s.ensure_workspace("w", "W", &Settings::default(), t0()).await.unwrap();
        assert_eq!(s.roles_of("w", "u").await.unwrap(), Vec::<Role>::new(), "{}", db.name);
        s.set_role("u", Role::AiTeam, true, &action("roles.add")).await.unwrap();
        assert_eq!(s.roles_of("w", "u").await.unwrap(), vec![Role::AiTeam], "{}", db.name);
        let mut settings = s.workspace("w").await.unwrap().unwrap().settings;
        settings.lang = Lang::Ja;
        s.update_settings(&settings, &action("settings.lang")).await.unwrap();
        assert_eq!(s.workspace("w").await.unwrap().unwrap().settings.lang, Lang::Ja, "{}", db.name);
        s.set_role("u", Role::AiTeam, false, &action("roles.remove")).await.unwrap();
        assert_eq!(s.roles_of("w", "u").await.unwrap(), Vec::<Role>::new(), "{}", db.name);
    }
}

#[tokio::test]
async fn a_change_on_one_replica_is_seen_by_another() {
    let Some(admin) = pg_admin() else { return };
    let db = postgres(&admin).await;
    let one = db.store.clone();
    let other: std::sync::Arc<dyn Store> = storage::open(&db.url).await.unwrap();
    one.ensure_workspace("w", "W", &Settings::default(), t0()).await.unwrap();
    // The other replica remembers what it reads once it listens: a role written behind its back
    // (plain SQL, nobody notified) stays unseen then. This proves the cache is on below.
    let DatabaseUrl::Postgres(url) = &db.url else { unreachable!() };
    let sql = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect(url).await.unwrap();
    let mut remembering = false;
    for _ in 0..100 {
        sqlx::query("DELETE FROM roles WHERE user_id = 'probe'").execute(&sql).await.unwrap();
        assert!(other.roles_of("w", "probe").await.unwrap().is_empty());
        sqlx::query("INSERT INTO roles (workspace_id, user_id, role, granted_by, granted_at) VALUES ('w', 'probe', 'admin', 'sql', $1)")
            .bind(t0())
            .execute(&sql)
            .await
            .unwrap();
        if other.roles_of("w", "probe").await.unwrap().is_empty() {
            remembering = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(remembering, "the other replica's cache never came on");
    assert_eq!(other.workspace("w").await.unwrap().unwrap().settings.lang, Lang::En);
    assert!(other.roles_of("w", "u").await.unwrap().is_empty());
    one.set_role("u", Role::AiTeam, true, &action("roles.add")).await.unwrap();
    eventually("a role granted on one replica is seen by the other", || async {
        other.roles_of("w", "u").await.unwrap() == vec![Role::AiTeam]
    })
    .await;
    let mut settings = one.workspace("w").await.unwrap().unwrap().settings;
    settings.lang = Lang::Ja;
    one.update_settings(&settings, &action("settings.lang")).await.unwrap();
    eventually("settings changed on one replica are seen by the other", || async {
        other.workspace("w").await.unwrap().unwrap().settings.lang == Lang::Ja
    })
    .await;
    // and the other way round
    other.set_role("u", Role::AiTeam, false, &action("roles.remove")).await.unwrap();
    eventually("a role revoked on the other replica is seen by the first", || async {
        one.roles_of("w", "u").await.unwrap().is_empty()
    })
    .await;
}
