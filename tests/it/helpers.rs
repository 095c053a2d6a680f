//! Test helpers: a fresh database per test on each backend, the bot on a clock the test moves,
//! and a way to talk to the bot as a person would.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use kakehashi::chat::{Actor, Bot, Inbound, InboundEvent, Outbound, Place, WorkspaceRef};
use kakehashi::clock::ManualClock;
use kakehashi::domain::{Lang, Settings};
use kakehashi::prompts::Prompts;
use kakehashi::storage::{self, DatabaseUrl, Store};

/// The variable naming the PostgreSQL server for tests (an admin URL, e.g.
/// postgres://postgres@127.0.0.1:5432/postgres). Each test gets its own database on it.
pub const PG_VAR: &str = "KAKEHASHI_TEST_PG";

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap()
}

/// A fresh, migrated database; PostgreSQL ones are dropped when this is.
pub struct TestDb {
    pub store: Arc<dyn Store>,
    pub name: &'static str,
    pub url: DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, db)) = self.pg_drop.take() {
            // a runtime of its own: Drop cannot await, and the test's runtime may be ending
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    if let Ok(mut conn) = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await {
                        let sql = format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)");
                        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await;
                    }
                });
            })
            .join();
        }
    }
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::Sqlite(dir.path().join("test.db"));
    let store = storage::open(&url).await.expect("a fresh SQLite file opens");
    TestDb { store, name: "sqlite", url, _dir: Some(dir), pg_drop: None }
}

/// The PostgreSQL admin URL, or `None` outside CI when it is not set. In CI (the `CI` variable
/// set) a missing server fails the test instead of skipping it.
pub fn pg_admin() -> Option<String> {
    match std::env::var(PG_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("{PG_VAR} is not set, and CI runs the PostgreSQL tests too")
        }
        _ => {
            eprintln!("note: {PG_VAR} is not set; the PostgreSQL half of this test is not run");
            None
        }
    }
}

pub async fn postgres(admin: &str) -> TestDb {
    let db = format!("kk_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(admin)
        .await
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {PG_VAR}: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{db}\"")))
        .execute(&mut conn)
        .await
        .expect("CREATE DATABASE");
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
    let url = DatabaseUrl::parse(&format!("{base}/{db}")).unwrap();
    let store = storage::open(&url).await.expect("a fresh PostgreSQL database opens");
    TestDb { store, name: "postgres", url, _dir: None, pg_drop: Some((admin.to_string(), db)) }
}

/// A fresh database on every backend this run can reach (SQLite always; PostgreSQL when
/// configured, and always in CI).
pub async fn backends() -> Vec<TestDb> {
    let mut dbs = vec![sqlite().await];
    if let Some(admin) = pg_admin() {
        dbs.push(postgres(&admin).await);
    }
    dbs
}

pub struct App {
    pub bot: Bot,
    pub clock: Arc<ManualClock>,
    pub db: TestDb,
}

pub async fn app(db: TestDb) -> App {
    let clock = Arc::new(ManualClock::new(t0()));
    let bot = Bot {
        store: db.store.clone(),
        prompts: Arc::new(Prompts::embedded()),
        clock: clock.clone(),
        defaults: Settings::default(),
        admins: Vec::new(),
    };
    App { bot, clock, db }
}

/// One person talking to the bot in the test workspace.
pub struct Person<'a> {
    pub app: &'a App,
    pub id: &'static str,
    pub lang: Option<Lang>,
}

pub const WORKSPACE: &str = "test:w1";

impl App {
    pub fn person(&self, id: &'static str) -> Person<'_> {
        Person { app: self, id, lang: Some(Lang::En) }
    }

    /// Gives `user` a role in the test workspace, as an admin would.
    pub async fn grant(&self, user: &str, role: kakehashi::domain::Role) {
        let store = &self.bot.store;
        store.ensure_workspace(WORKSPACE, "Test", &Settings::default(), t0()).await.unwrap();
        let action = kakehashi::storage::AdminAction {
            workspace: WORKSPACE.into(),
            actor: "setup".into(),
            action: "roles.add".into(),
            detail: format!("{user} {role}"),
            at: t0(),
        };
        store.set_role(user, role, true, &action).await.unwrap();
    }
}

impl Person<'_> {
    pub async fn send(&self, event: InboundEvent) -> Vec<Outbound> {
        let inbound = Inbound {
            workspace: WorkspaceRef { id: WORKSPACE.into(), name: "Test".into() },
            actor: Actor { id: self.id.into(), name: self.id.into(), locale: self.lang, workspace_admin: false },
            place: Place { channel: "C1".into(), direct: false },
            event,
        };
        self.app.bot.handle(&inbound).await
    }

    pub async fn command(&self, text: &str) -> Vec<Outbound> {
        self.send(InboundEvent::Command { text: text.into() }).await
    }

    pub async fn click(&self, action: &str) -> Vec<Outbound> {
        self.send(InboundEvent::Action { id: action.into(), values: vec![] }).await
    }

    pub async fn pick(&self, action: &str, values: &[&str]) -> Vec<Outbound> {
        self.send(InboundEvent::Action { id: action.into(), values: values.iter().map(|s| s.to_string()).collect() })
            .await
    }

    pub async fn submit(&self, form: &str, values: &[(&str, &str)]) -> Vec<Outbound> {
        let values: BTreeMap<String, String> = values.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self.send(InboundEvent::Form { id: form.into(), values }).await
    }
}

/// Everything the replies say, as plain text (labels of controls included).
pub fn said(replies: &[Outbound]) -> String {
    use kakehashi::chat::{Block, Control, Span};
    let spans = |s: &[Span]| -> String {
        s.iter()
            .map(|s| match s {
                Span::Plain(t) | Span::Bold(t) | Span::Code(t) => t.clone(),
                Span::User(id) => format!("@{id}"),
            })
            .collect()
    };
    let mut out = String::new();
    for r in replies {
        match r {
            Outbound::Message(m) => {
                for b in &m.blocks {
                    match b {
                        Block::Heading(h) => out.push_str(h),
                        Block::Text(s) | Block::Context(s) => out.push_str(&spans(s)),
                        Block::Fields(f) => {
                            for (l, v) in f {
                                out.push_str(&format!("{l}: {}\n", spans(v)));
                            }
                        }
                        Block::List(items) => {
                            for i in items {
                                out.push_str(&spans(i));
                                out.push('\n');
                            }
                        }
                        Block::Divider => {}
                        Block::Controls(cs) => {
                            for c in cs {
                                match c {
                                    Control::Button(b) => out.push_str(&format!("[{}]", b.label)),
                                    Control::UserPicker(p) => out.push_str(&format!("[@{}]", p.placeholder)),
                                    Control::Select(s) => {
                                        for o in &s.options {
                                            out.push_str(&format!("[{}]", o.label));
                                        }
                                    }
                                }
                            }
                        }
                    }
                    out.push('\n');
                }
            }
            Outbound::File(f) => out.push_str(&format!("<file {} {}>\n{}\n", f.name, f.content_type, f.comment)),
            Outbound::Form(f) => {
                out.push_str(&format!("<form {} {}>\n", f.id, f.title));
                for (field, e) in &f.errors {
                    out.push_str(&format!("error {field}: {e}\n"));
                }
            }
        }
    }
    out
}

/// The action ids offered by the replies' buttons and selects.
pub fn actions(replies: &[Outbound]) -> Vec<String> {
    use kakehashi::chat::{Block, Control};
    let mut ids = Vec::new();
    for r in replies {
        if let Outbound::Message(m) = r {
            for b in &m.blocks {
                if let Block::Controls(cs) = b {
                    for c in cs {
                        ids.push(match c {
                            Control::Button(b) => b.action.clone(),
                            Control::Select(s) => s.action.clone(),
                            Control::UserPicker(p) => p.action.clone(),
                        });
                    }
                }
            }
        }
    }
    ids
}

/// The form among the replies.
pub fn form(replies: &[Outbound]) -> Option<&kakehashi::chat::Form> {
    replies.iter().find_map(|r| match r {
        Outbound::Form(f) => Some(f),
        _ => None,
    })
}
