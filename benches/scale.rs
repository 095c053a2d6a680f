//! `stats`, `export` and the digest at scale: a workspace with 100,000 items (90% needs with five answers
//! each), 1,000,000 events, on SQLite and on PostgreSQL.
//!
//!     cargo bench --bench scale                    # SQLite only
//!     KAKEHASHI_TEST_PG=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench scale
//!     cargo bench --bench scale -- similar         # only the similar-needs lookup (after loading)
//!
//! Method: the data is generated in SQL (a recursive series), so loading is fast and identical on
//! both backends. `admin stats` runs through the real bot (roles, query, figures, rendering) ten
//! times after one warm-up; the median and the slowest are reported. The export streams every item
//! with its answers (CSV) into a sink that counts bytes; its memory is the growth of the process's
//! peak resident set (VmHWM, reset through /proc/self/clear_refs before each run), measured for
//! 10,000 and for 100,000 items: flat means the two are about the same.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::TimeZone;
use kakehashi::chat::{Actor, Bot, Inbound, InboundEvent, Place, WorkspaceRef};
use kakehashi::clock::SystemClock;
use kakehashi::domain::Settings;
use kakehashi::export::{Format, Writer};
use kakehashi::prompts::Prompts;
use kakehashi::storage::{self, DatabaseUrl, ExportItem, Store};

const ITEMS: i64 = 100_000;
const EVENTS: i64 = 1_000_000;
const WORKSPACE: &str = "bench:w";
/// Items arrive every 10 minutes; needs older than 8 weeks and seeds older than 12 weeks are
/// decided, as in a real history (144 items a day).
const RECENT_NEEDS: i64 = 8 * 7 * 144;
const RECENT_SEEDS: i64 = 12 * 7 * 144;

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let sqlite = DatabaseUrl::Sqlite(dir.path().join("scale.db"));
    run("SQLite", &sqlite, Dialect::Sqlite).await;
    match std::env::var("KAKEHASHI_TEST_PG") {
        Ok(admin) if !admin.is_empty() => {
            let db = format!("kk_bench_{}", std::process::id());
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.expect("PostgreSQL");
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{db}\""))).execute(&mut conn).await.unwrap();
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            let url = DatabaseUrl::parse(&format!("{base}/{db}")).unwrap();
            run("PostgreSQL", &url, Dialect::Postgres).await;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE \"{db}\" WITH (FORCE)")))
                .execute(&mut conn)
                .await
                .unwrap();
        }
        _ => println!("\n(PostgreSQL skipped: set KAKEHASHI_TEST_PG to an admin URL to measure it too)"),
    }
}

#[derive(Clone, Copy)]
enum Dialect {
    Sqlite,
    Postgres,
}

async fn run(name: &str, url: &DatabaseUrl, dialect: Dialect) {
    println!("\n== {name}");
    let store = storage::open(url).await.expect("the database opens");
    let t = Instant::now();
    store.ensure_workspace(WORKSPACE, "Bench", &Settings::default(), chrono::Utc::now()).await.unwrap();
    store.ensure_workspace("bench:small", "Small", &Settings::default(), chrono::Utc::now()).await.unwrap();
    load(url, dialect, WORKSPACE, ITEMS, EVENTS).await;
    load(url, dialect, "bench:small", ITEMS / 10, EVENTS / 10).await;
    // the planner's statistics, as a database that has run for a while has them (PostgreSQL's
    // autovacuum; SQLite's optimize on close)
    match url {
        DatabaseUrl::Sqlite(path) => {
            let url = format!("sqlite://{}", path.display());
            let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url).await.unwrap();
            sqlx::query("ANALYZE").execute(&mut c).await.unwrap();
        }
        DatabaseUrl::Postgres(url) => {
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(url).await.unwrap();
            sqlx::query("ANALYZE").execute(&mut c).await.unwrap();
        }
    }
    println!("loaded {ITEMS} items and {EVENTS} events (+ a 10% workspace) in {:.1} s", t.elapsed().as_secs_f64());
    similar(url, store.as_ref()).await;
    if std::env::args().any(|a| a == "similar") {
        return;
    }

    let bot = Bot {
        admins: vec!["bench:admin".into()],
        ..Bot::new(store.clone(), Arc::new(Prompts::embedded()), Arc::new(SystemClock), Settings::default())
    };
    let stats = Inbound {
        workspace: WorkspaceRef { id: WORKSPACE.into(), name: "Bench".into() },
        actor: Actor { id: "admin".into(), ..Default::default() },
        place: Place { channel: "C1".into(), direct: false },
        event: InboundEvent::Command { text: "admin stats".into() },
    };
    // where the time goes: reading the rows, and computing the figures
    let t = Instant::now();
    let rows = store.stat_rows(WORKSPACE, None).await.unwrap();
    let read = t.elapsed();
    let t = Instant::now();
    let figures = kakehashi::domain::stats::compute(
        &rows,
        kakehashi::domain::stats::Period { since: None, until: chrono::Utc::now() },
    );
    println!(
        "  of which: reading {} rows {:.0} ms, computing the figures {:.0} ms ({} months)",
        rows.len(),
        ms(read),
        ms(t.elapsed()),
        figures.by_month.len()
    );
    let reply = bot.handle(&stats).await;
    assert!(format!("{reply:?}").contains("Needs submitted"), "stats answered: {reply:?}");
    let (median, slowest) = timed(10, || async { bot.handle(&stats).await }).await;
    println!(
        "admin stats (the last 13 weeks) over {ITEMS} items: median {median:.0} ms, slowest {slowest:.0} ms (target: under 200 ms)"
    );
    let all_time =
        Inbound { event: InboundEvent::Command { text: "admin stats since:2020-01-01".into() }, ..stats.clone() };
    let (median, slowest) = timed(3, || async { bot.handle(&all_time).await }).await;
    println!("admin stats since 2020 (every item): median {median:.0} ms, slowest {slowest:.0} ms");

    let ws = store.workspace(WORKSPACE).await.unwrap().unwrap();
    let at = chrono::Utc::now();
    // the two weekly jobs, each as the scheduler runs it
    let (median, slowest) =
        timed(10, || async { kakehashi::views::digest::evaluate(store.as_ref(), &ws, at).await.unwrap() }).await;
    println!("the stage evaluation job: median {median:.0} ms, slowest {slowest:.0} ms");
    let evaluation = kakehashi::views::digest::evaluate(store.as_ref(), &ws, at).await.unwrap();
    let (median, slowest) = timed(10, || async {
        let d = kakehashi::views::digest::build(store.as_ref(), &ws, evaluation.clone(), at, None).await.unwrap();
        kakehashi::chat::digest::blocks(&bot.prompts, ws.settings.lang, &ws.name, &ws.settings, &d)
    })
    .await;
    println!(
        "building one digest (figures, waiting needs, blocks): median {median:.0} ms, slowest {slowest:.0} ms (target: under 200 ms)"
    );
    let e = kakehashi::views::digest::evaluate(store.as_ref(), &ws, at).await.unwrap();
    let d = kakehashi::views::digest::build(store.as_ref(), &ws, e, at, None).await.unwrap();
    let (median, slowest) = timed(10, || async {
        kakehashi::chat::digest::chart_png(&bot.prompts, ws.settings.lang, &ws.settings, &d).unwrap()
    })
    .await;
    println!("the 12-week chart as PNG: median {median:.1} ms, slowest {slowest:.1} ms (target: under 50 ms)");

    for (workspace, items) in [("bench:small", ITEMS / 10), (WORKSPACE, ITEMS)] {
        let (took, rows, bytes, growth) = export(store.as_ref(), workspace).await;
        println!(
            "export of {items} items with answers (CSV): {rows} rows, {:.1} MB in {:.2} s; peak memory grew {:.1} MB",
            bytes as f64 / 1e6,
            took.as_secs_f64(),
            growth as f64 / 1e6
        );
    }
}

/// The similar-needs lookup at intake, over the 90,000 needs of the big workspace (and 9,000 in
/// the other), with three real needs planted among the generated ones. The generated needs all
/// say "Item n · Generated for the benchmark": common words ("the", "for") are not searched for,
/// but a need worded like them all makes every one a candidate to rank, the worst case. Target:
/// under 20 ms.
async fn similar(url: &DatabaseUrl, store: &dyn Store) {
    use kakehashi::domain::text::{Description, TeamName, Title};
    // the generated items took their numbers without the counter: new needs come after them
    let bump = "UPDATE workspaces SET next_need = $1 WHERE id = $2";
    match url {
        DatabaseUrl::Sqlite(path) => {
            let url = format!("sqlite://{}", path.display());
            let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url).await.unwrap();
            sqlx::query(bump).bind(ITEMS + 1).bind(WORKSPACE).execute(&mut c).await.unwrap();
        }
        DatabaseUrl::Postgres(url) => {
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(url).await.unwrap();
            sqlx::query(bump).bind(ITEMS + 1).bind(WORKSPACE).execute(&mut c).await.unwrap();
        }
    }
    for (title, description) in [
        ("Automate expense claim checks", "Finance checks every expense claim by hand."),
        ("経費精算を楽にしたい", "領収書の確認に毎月時間がかかっている"),
        ("Forecast weekly demand for store 12", "Ordering is done by feel."),
    ] {
        let new = storage::NewItem {
            workspace: WORKSPACE.into(),
            kind: kakehashi::domain::ItemKind::Need,
            title: Title::parse(title).unwrap(),
            description: Description::parse(description).unwrap(),
            team: TeamName::parse("Finance").unwrap(),
            requester: "bench:user".into(),
            at: chrono::Utc::now(),
        };
        store.create_item(new).await.unwrap();
    }
    let cases = [
        ("English, one alike", "Check expense claims automatically", "Every claim is checked by hand today", 1),
        ("Japanese, one alike", "経費の精算を簡単にしたい", "", 1),
        (
            "English with common words (\"the\", \"for\": in every need)",
            "Predict the demand for store 12 each week",
            "",
            1,
        ),
        ("worded like all 90,000 generated needs (worst case)", "Generated item for the benchmark", "", 0),
    ];
    for (name, title, description, expected) in cases {
        let found = store.similar_needs(WORKSPACE, None, title, description, 3).await.unwrap();
        assert!(found.len() >= expected, "{name}: {found:?}");
        let (median, slowest) =
            timed(20, || async { store.similar_needs(WORKSPACE, None, title, description, 3).await.unwrap() }).await;
        println!(
            "similar needs, {name}: {} found, median {median:.1} ms, slowest {slowest:.1} ms (target: under 20 ms)",
            found.len()
        );
    }
}

/// Runs `f` once to warm up, then `n` times; the median and the slowest, in milliseconds.
async fn timed<F, Fut, T>(n: usize, f: F) -> (f64, f64)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    f().await;
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        std::hint::black_box(f().await);
        times.push(t.elapsed());
    }
    times.sort();
    (ms(times[times.len() / 2]), ms(times[times.len() - 1]))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Streams every item into a byte counter; returns the time, rows, bytes and the growth of the
/// peak resident set.
async fn export(store: &dyn Store, workspace: &str) -> (Duration, usize, u64, u64) {
    let before = reset_peak();
    let t = Instant::now();
    let mut w = Writer::start::<ExportItem>(Counter(0), Format::Csv).unwrap();
    store.export_items(workspace, None, &mut |row| w.write(&row)).await.unwrap();
    let rows = w.rows();
    let counter = w.finish().unwrap();
    let took = t.elapsed();
    (took, rows, counter.0, peak().saturating_sub(before))
}

struct Counter(u64);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Resets the peak resident set to the current one (Linux), returning it in bytes.
fn reset_peak() -> u64 {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    status_kb("VmRSS:") * 1024
}

fn peak() -> u64 {
    status_kb("VmHWM:") * 1024
}

fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

/// Generates `items` items (70% needs, each with five answers) and `events` events in SQL.
async fn load(url: &DatabaseUrl, dialect: Dialect, workspace: &str, items: i64, events: i64) {
    let start = chrono::Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap().timestamp();
    match (url, dialect) {
        (DatabaseUrl::Sqlite(path), Dialect::Sqlite) => {
            let url = format!("sqlite://{}", path.display());
            let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url).await.unwrap();
            let t = "strftime('%Y-%m-%dT%H:%M:%S+00:00', ?2 + i * 600 + ?3, 'unixepoch')";
            let series =
                |n: &str| format!("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n})");
            let items_sql = format!(
                "{} INSERT INTO items (workspace_id, kind, number, title, description, team, team_key, requester, owner,
                   status, outcome, flags, yearly_value, submitted_at, first_response_at, resolved_at, created_at, updated_at, data_level)
                 SELECT ?1, CASE WHEN i % 10 < 9 THEN 'need' ELSE 'seed' END, i, 'Item ' || i, 'Generated for the benchmark',
                   'Team ' || (i % 12), 'team ' || (i % 12), 'user' || (i % 500), 'ai' || (i % 8),
                   CASE WHEN i % 10 < 9 THEN
                          (CASE WHEN i < {recent_needs} THEN (CASE i % 5 WHEN 0 THEN 'delivered' WHEN 1 THEN 'redirected'
                                WHEN 2 THEN 'declined' WHEN 3 THEN 'closed' ELSE 'withdrawn' END)
                           ELSE (CASE i % 7 WHEN 0 THEN 'submitted' WHEN 1 THEN 'accepted' WHEN 2 THEN 'in_progress'
                                WHEN 3 THEN 'delivered' WHEN 4 THEN 'redirected' WHEN 5 THEN 'declined' ELSE 'closed' END) END)
                        ELSE (CASE WHEN i < {recent_seeds} THEN (CASE i % 4 WHEN 0 THEN 'in_service' ELSE 'shelved' END)
                           ELSE (CASE i % 4 WHEN 0 THEN 'idea' WHEN 1 THEN 'prototyping' WHEN 2 THEN 'pitched' ELSE 'in_service' END) END) END,
                   CASE WHEN i % 10 < 9 THEN 'ml_prototype' END, 'maintenance', 1000000 + (i % 1000) * 10000,
                   CASE WHEN i % 10 < 9 THEN {} END, CASE WHEN i % 10 < 9 AND i % 7 > 0 THEN {} END,
                   CASE WHEN i < {recent_needs} OR i % 7 > 2 THEN {} END, {}, {},
                   CASE WHEN i % 10 < 9 THEN 'lv' || (i % 4) END
                 FROM s",
                series(&items.to_string()),
                t.replace("?3", "3600"),
                t.replace("?3", "7200"),
                t.replace("?3", "864000"),
                t.replace("?3", "0"),
                t.replace("?3", "864000"),
                recent_needs = items - RECENT_NEEDS,
                recent_seeds = items - RECENT_SEEDS,
            );
            sqlx::query(sqlx::AssertSqlSafe(items_sql)).bind(workspace).bind(start).execute(&mut c).await.unwrap();
            bulk_answers(&mut c, workspace).await;
            let events_sql = format!(
                "{} INSERT INTO events (workspace_id, item_id, actor, kind, from_status, to_status, at)
                 SELECT ?1, (SELECT MIN(id) FROM items WHERE workspace_id = ?1) + (i % ?4), 'user' || (i % 500), 'status',
                   'submitted', 'accepted', {}
                 FROM s",
                series(&events.to_string()),
                t.replace("?3", "0")
            );
            sqlx::query(sqlx::AssertSqlSafe(events_sql))
                .bind(workspace)
                .bind(start)
                .bind(0)
                .bind(items)
                .execute(&mut c)
                .await
                .unwrap();
        }
        (DatabaseUrl::Postgres(url), Dialect::Postgres) => {
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(url).await.unwrap();
            let t = |offset: i64| format!("to_timestamp($2 + i * 600 + {offset})");
            let items_sql = format!(
                "INSERT INTO items (workspace_id, kind, number, title, description, team, team_key, requester, owner,
                   status, outcome, flags, yearly_value, submitted_at, first_response_at, resolved_at, created_at, updated_at, data_level)
                 SELECT $1, CASE WHEN i % 10 < 9 THEN 'need' ELSE 'seed' END, i, 'Item ' || i, 'Generated for the benchmark',
                   'Team ' || (i % 12), 'team ' || (i % 12), 'user' || (i % 500), 'ai' || (i % 8),
                   CASE WHEN i % 10 < 9 THEN
                          (CASE WHEN i < {recent_needs} THEN (CASE i % 5 WHEN 0 THEN 'delivered' WHEN 1 THEN 'redirected'
                                WHEN 2 THEN 'declined' WHEN 3 THEN 'closed' ELSE 'withdrawn' END)
                           ELSE (CASE i % 7 WHEN 0 THEN 'submitted' WHEN 1 THEN 'accepted' WHEN 2 THEN 'in_progress'
                                WHEN 3 THEN 'delivered' WHEN 4 THEN 'redirected' WHEN 5 THEN 'declined' ELSE 'closed' END) END)
                        ELSE (CASE WHEN i < {recent_seeds} THEN (CASE i % 4 WHEN 0 THEN 'in_service' ELSE 'shelved' END)
                           ELSE (CASE i % 4 WHEN 0 THEN 'idea' WHEN 1 THEN 'prototyping' WHEN 2 THEN 'pitched' ELSE 'in_service' END) END) END,
                   CASE WHEN i % 10 < 9 THEN 'ml_prototype' END, 'maintenance', 1000000 + (i % 1000) * 10000,
                   CASE WHEN i % 10 < 9 THEN {} END, CASE WHEN i % 10 < 9 AND i % 7 > 0 THEN {} END,
                   CASE WHEN i < {recent_needs} OR i % 7 > 2 THEN {} END, {}, {},
                   CASE WHEN i % 10 < 9 THEN 'lv' || (i % 4) END
                 FROM generate_series(1, {items}) AS i",
                t(3600),
                t(7200),
                t(864000),
                t(0),
                t(864000),
                recent_needs = items - RECENT_NEEDS,
                recent_seeds = items - RECENT_SEEDS,
            );
            sqlx::query(sqlx::AssertSqlSafe(items_sql))
                .bind(workspace)
                .bind(start as f64)
                .execute(&mut c)
                .await
                .unwrap();
            sqlx::query(
                "INSERT INTO answers (item_id, question, value, answered_by, answered_at)
                 SELECT i.id, q.question, q.value, i.requester, i.created_at
                 FROM items i CROSS JOIN (VALUES ('goal', '{\"text\":\"Cut stockouts, by a fifth\"}'), ('driver', '{\"one\":\"problem\"}'),
                   ('fit', '{\"many\":[\"volume\",\"drift\"]}'), ('hours', '{\"number\":160.0}'), ('data_level', '{\"one\":\"lv3\"}'))
                   AS q(question, value)
                 WHERE i.workspace_id = $1 AND i.kind = 'need'",
            )
            .bind(workspace)
            .execute(&mut c)
            .await
            .unwrap();
            let events_sql = format!(
                "INSERT INTO events (workspace_id, item_id, actor, kind, from_status, to_status, at)
                 SELECT $1, (SELECT MIN(id) FROM items WHERE workspace_id = $1) + (i % $3), 'user' || (i % 500), 'status',
                   'submitted', 'accepted', {}
                 FROM generate_series(1, {events}) AS i",
                t(0)
            );
            sqlx::query(sqlx::AssertSqlSafe(events_sql))
                .bind(workspace)
                .bind(start as f64)
                .bind(items)
                .execute(&mut c)
                .await
                .unwrap();
            sqlx::query("ANALYZE").execute(&mut c).await.unwrap();
        }
        _ => unreachable!("the URL and the dialect match"),
    }
}

async fn bulk_answers(c: &mut sqlx::SqliteConnection, workspace: &str) {
    sqlx::query(
        "INSERT INTO answers (item_id, question, value, answered_by, answered_at)
         SELECT i.id, q.question, q.value, i.requester, i.created_at
         FROM items i CROSS JOIN (SELECT 'goal' AS question, '{\"text\":\"Cut stockouts, by a fifth\"}' AS value
           UNION ALL SELECT 'driver', '{\"one\":\"problem\"}' UNION ALL SELECT 'fit', '{\"many\":[\"volume\",\"drift\"]}'
           UNION ALL SELECT 'hours', '{\"number\":160.0}' UNION ALL SELECT 'data_level', '{\"one\":\"lv3\"}') q
         WHERE i.workspace_id = $1 AND i.kind = 'need'",
    )
    .bind(workspace)
    .execute(c)
    .await
    .unwrap();
}
