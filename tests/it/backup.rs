//! Backup and restore (issue 14): `kakehashi backup --to FILE` copies a SQLite database while
//! writes go on, the copy is consistent, and a database restored from it exports exactly what the
//! original held. PostgreSQL is pointed to pg_dump.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use kakehashi::domain::ItemKind;
use kakehashi::domain::text::{Description, TeamName, Title};
use kakehashi::storage::{self, DatabaseUrl, NewItem, Store};
use tokio::process::Command;

use crate::console::BIN;
use crate::helpers::{sqlite, t0};

const WORKSPACE: &str = "console:backup";

async fn kakehashi(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .await
        .expect("kakehashi runs")
}

/// Creates needs one after another until `stop`; counts them.
fn load(store: Arc<dyn Store>, stop: Arc<AtomicBool>, made: Arc<AtomicUsize>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while !stop.load(Ordering::SeqCst) {
            let n = made.load(Ordering::SeqCst);
            store
                .create_item(NewItem {
                    workspace: WORKSPACE.into(),
                    kind: ItemKind::Need,
                    title: Title::parse(&format!("Need {n}")).unwrap(),
                    description: Description::parse("written during the backup").unwrap(),
                    team: TeamName::parse("Stores").unwrap(),
                    requester: "console:aiko".into(),
                    at: t0(),
                })
                .await
                .unwrap();
            made.fetch_add(1, Ordering::SeqCst);
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_load_restores_to_an_identical_export() {
    let db = sqlite().await;
    db.store.ensure_workspace(WORKSPACE, "Backup", &Default::default(), t0()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (stop, made) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)));
    let writer = load(db.store.clone(), stop.clone(), made.clone());
    while made.load(Ordering::SeqCst) < 50 {
        tokio::task::yield_now().await;
    }

    // under load: the copy is a consistent moment between the counts before and after
    let during = dir.path().join("during.db");
    let before = made.load(Ordering::SeqCst);
    let out = kakehashi(&["backup", "--to", during.to_str().unwrap(), "--db", &db.url.to_string()]).await;
    let after = made.load(Ordering::SeqCst);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let copy = storage::open(&DatabaseUrl::Sqlite(during.clone())).await.unwrap();
    let held = copy.count_items(WORKSPACE).await.unwrap() as usize;
    // the one writer may have a need committed that it has not counted yet (it counts after
    // the commit returns), so the copy may hold one more than `after`
    assert!((before..=after + 1).contains(&held), "{before} ≤ {held} ≤ {after} + 1");
    drop(copy);

    // a backup never overwrites a file
    let again = kakehashi(&["backup", "--to", during.to_str().unwrap(), "--db", &db.url.to_string()]).await;
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    // the README's restore: stop, put the copy in place of the database, start; same export
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    let last = dir.path().join("last.db");
    let out = kakehashi(&["backup", "--to", last.to_str().unwrap(), "--db", &db.url.to_string()]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let restored = dir.path().join("restored").join("kakehashi.db");
    std::fs::create_dir_all(restored.parent().unwrap()).unwrap();
    std::fs::copy(&last, &restored).unwrap();
    // events first: an export is itself recorded in the audit trail, with its own time
    for what in ["events", "items"] {
        let export = |url: String| async move {
            let out = kakehashi(&["export", "--format", "json", "--what", what, "--db", &url]).await;
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            out.stdout
        };
        let original = export(db.url.to_string()).await;
        let back = export(format!("sqlite://{}", restored.display())).await;
        assert!(original.len() > 1000, "the export holds the needs");
        assert!(original == back, "{what}: the restored database exports what the original held");
    }
}

#[tokio::test]
async fn a_postgresql_backup_points_to_pg_dump() {
    let out =
        kakehashi(&["backup", "--to", "/tmp/never-written.db", "--db", "postgres://kk:secret@db.internal/kk"]).await;
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("pg_dump") && !said.contains("secret"), "{said}");
    assert!(!std::path::Path::new("/tmp/never-written.db").exists());
}
