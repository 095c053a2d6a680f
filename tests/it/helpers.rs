//! Test helpers: a fresh database per test on each backend, the bot on a clock the test moves,
//! and a way to talk to the bot as a person would.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use kakehashi::chat::{Actor, Bot, Inbound, InboundEvent, Outbound, Place, WorkspaceRef};
use kakehashi::clock::ManualClock;
use kakehashi::domain::{Event, ItemRef, Role, WorkItem};
use kakehashi::domain::{Lang, Settings};
use kakehashi::prompts::Prompts;
use kakehashi::storage::{
    self, AdminAction, AuditEntry, AuditFilter, AuditStore, Claimed, DatabaseUrl, ExportEvent, ExportItem, ExportStore,
    ItemFilter, ItemStore, ItemSummary, JobRun, NewItem, NoticeOutcome, OutboxStore, RunOutcome, RunStore, Save, Sink,
    StatRow, Store, StoreError, StoredEvaluation, Workspace, WorkspaceStore,
};

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
    let bot = Bot::new(db.store.clone(), Arc::new(Prompts::embedded()), clock.clone(), Settings::default());
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
        grant_role(&self.bot.store, (WORKSPACE, "Test"), user, role).await;
    }
}

/// Gives `user` a role in the workspace `(id, name)`, creating it if needed, as an admin would.
pub async fn grant_role(store: &Arc<dyn Store>, (workspace, name): (&str, &str), user: &str, role: Role) {
    store.ensure_workspace(workspace, name, &Settings::default(), t0()).await.unwrap();
    let action = AdminAction {
        workspace: workspace.into(),
        actor: "setup".into(),
        action: "roles.add".into(),
        detail: format!("{user} {role}"),
        at: t0(),
    };
    store.set_role(user, role, true, &action).await.unwrap();
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
                Span::Channel(id) => format!("#{id}"),
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

/// A store whose `ensure_workspace` (the first thing the bot does with every event) waits until
/// the test opens the gate: a reply that is late for certain, without a sleep. Everything else
/// goes straight to the real store.
pub struct Gated {
    pub inner: Arc<dyn Store>,
    gate: std::sync::Mutex<Arc<tokio::sync::Semaphore>>,
}

impl Gated {
    pub fn new(inner: Arc<dyn Store>) -> Gated {
        Gated { inner, gate: std::sync::Mutex::new(Arc::new(tokio::sync::Semaphore::new(1000))) }
    }

    pub fn close(&self) {
        *self.gate.lock().unwrap() = Arc::new(tokio::sync::Semaphore::new(0));
    }

    pub fn open(&self) {
        self.gate.lock().unwrap().add_permits(1000);
    }
}

#[async_trait::async_trait]
impl Store for Gated {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
    async fn ping(&self) -> Result<(), StoreError> {
        let gate = self.gate.lock().unwrap().clone();
        let _pass = gate.acquire().await.expect("the gate stays");
        self.inner.ping().await
    }
}

#[async_trait::async_trait]
impl WorkspaceStore for Gated {
    async fn workspace(&self, id: &str) -> Result<Option<Workspace>, StoreError> {
        self.inner.workspace(id).await
    }
    async fn ensure_workspace(
        &self,
        id: &str,
        name: &str,
        defaults: &Settings,
        now: DateTime<Utc>,
    ) -> Result<Workspace, StoreError> {
        let gate = self.gate.lock().unwrap().clone();
        let _pass = gate.acquire().await.expect("the gate stays");
        self.inner.ensure_workspace(id, name, defaults, now).await
    }
    async fn workspaces(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.inner.workspaces().await
    }
    async fn set_workspace_name(&self, id: &str, name: &str) -> Result<(), StoreError> {
        self.inner.set_workspace_name(id, name).await
    }
    async fn update_settings(&self, settings: &Settings, action: &AdminAction) -> Result<(), StoreError> {
        self.inner.update_settings(settings, action).await
    }
    async fn roles_of(&self, workspace: &str, user: &str) -> Result<Vec<Role>, StoreError> {
        self.inner.roles_of(workspace, user).await
    }
    async fn role_members(&self, workspace: &str) -> Result<Vec<(kakehashi::domain::UserId, Role)>, StoreError> {
        self.inner.role_members(workspace).await
    }
    async fn set_role(&self, user: &str, role: Role, grant: bool, action: &AdminAction) -> Result<bool, StoreError> {
        self.inner.set_role(user, role, grant, action).await
    }
    async fn count_role(&self, workspace: &str, role: Role) -> Result<i64, StoreError> {
        self.inner.count_role(workspace, role).await
    }
}

#[async_trait::async_trait]
impl ItemStore for Gated {
    async fn create_item(&self, new: NewItem) -> Result<WorkItem, StoreError> {
        self.inner.create_item(new).await
    }
    async fn item(&self, workspace: &str, item: ItemRef) -> Result<Option<WorkItem>, StoreError> {
        self.inner.item(workspace, item).await
    }
    async fn save_item(&self, item: &mut WorkItem, actor: &str, save: Save<'_>) -> Result<(), StoreError> {
        self.inner.save_item(item, actor, save).await
    }
    async fn items_of(&self, workspace: &str, user: &str, limit: i64) -> Result<Vec<ItemSummary>, StoreError> {
        self.inner.items_of(workspace, user, limit).await
    }
    async fn list_items(
        &self,
        workspace: &str,
        filter: &ItemFilter,
        limit: i64,
    ) -> Result<(Vec<ItemSummary>, i64), StoreError> {
        self.inner.list_items(workspace, filter, limit).await
    }
    async fn similar_needs(
        &self,
        workspace: &str,
        except: Option<ItemRef>,
        title: &str,
        description: &str,
        limit: usize,
    ) -> Result<Vec<kakehashi::storage::SimilarNeed>, StoreError> {
        self.inner.similar_needs(workspace, except, title, description, limit).await
    }
    async fn events(&self, workspace: &str, item: ItemRef) -> Result<Vec<Event>, StoreError> {
        self.inner.events(workspace, item).await
    }
    async fn count_items(&self, workspace: &str) -> Result<i64, StoreError> {
        self.inner.count_items(workspace).await
    }
    async fn last_team(&self, workspace: &str, user: &str) -> Result<Option<String>, StoreError> {
        self.inner.last_team(workspace, user).await
    }
}

#[async_trait::async_trait]
impl AuditStore for Gated {
    async fn record_admin(&self, action: &AdminAction) -> Result<(), StoreError> {
        self.inner.record_admin(action).await
    }
    async fn audit(&self, workspace: &str, filter: &AuditFilter, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        self.inner.audit(workspace, filter, limit).await
    }
    async fn snoozed_until(&self, workspace: &str, user: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.inner.snoozed_until(workspace, user).await
    }
}

#[async_trait::async_trait]
impl ExportStore for Gated {
    async fn stat_rows(&self, workspace: &str, since: Option<DateTime<Utc>>) -> Result<Vec<StatRow>, StoreError> {
        self.inner.stat_rows(workspace, since).await
    }
    async fn export_items(
        &self,
        workspace: &str,
        since: Option<DateTime<Utc>>,
        sink: Sink<'_, ExportItem>,
    ) -> Result<(), StoreError> {
        self.inner.export_items(workspace, since, sink).await
    }
    async fn export_events(
        &self,
        workspace: &str,
        since: Option<DateTime<Utc>>,
        sink: Sink<'_, ExportEvent>,
    ) -> Result<(), StoreError> {
        self.inner.export_events(workspace, since, sink).await
    }
}

#[async_trait::async_trait]
impl OutboxStore for Gated {
    async fn claim_notices(
        &self,
        prefix: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        self.inner.claim_notices(prefix, now, lease, limit).await
    }
    async fn settle_notice(&self, id: i64, outcome: NoticeOutcome, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.inner.settle_notice(id, outcome, now).await
    }
    async fn record_nudge(
        &self,
        workspace: &str,
        event: &Event,
        notice: &storage::NewNotice,
    ) -> Result<bool, StoreError> {
        self.inner.record_nudge(workspace, event, notice).await
    }
    async fn claim_key(&self, key: &str, expires: DateTime<Utc>) -> Result<bool, StoreError> {
        self.inner.claim_key(key, expires).await
    }
    async fn forget_keys(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.inner.forget_keys(now).await
    }
}

#[async_trait::async_trait]
impl RunStore for Gated {
    async fn schedule_run(
        &self,
        job: &str,
        workspace: &str,
        at: DateTime<Utc>,
        late: bool,
        skip: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.inner.schedule_run(job, workspace, at, late, skip, now).await
    }
    async fn claim_runs(
        &self,
        replica: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> Result<Vec<JobRun>, StoreError> {
        self.inner.claim_runs(replica, now, lease, limit).await
    }
    async fn finish_run(
        &self,
        run: &JobRun,
        replica: &str,
        outcome: RunOutcome,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.inner.finish_run(run, replica, outcome, now).await
    }
    async fn last_evaluation(
        &self,
        workspace: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<StoredEvaluation>, StoreError> {
        self.inner.last_evaluation(workspace, at).await
    }
    async fn forget_runs(&self, job: &str, before: DateTime<Utc>) -> Result<u64, StoreError> {
        self.inner.forget_runs(job, before).await
    }
}

/// `kakehashi serve` as a process of its own, on a free port of 127.0.0.1, on the database `db`,
/// with only `env` (and `PATH`) in its environment and `info` logs. Returns the child and its
/// address once it says it listens; fails the test with what it logged if it does not within 30
/// seconds. Its later log lines are read and dropped, so a full pipe never blocks it.
pub async fn serve_process(db: &str, env: &[(&str, String)]) -> (tokio::process::Child, String) {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = tokio::process::Command::new(crate::console::BIN)
        .args(["serve", "--bind", &addr, "--db", db])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("KAKEHASHI_LOG", "info")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("kakehashi serve starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut log = String::new();
    let ready = async {
        while let Ok(Some(line)) = lines.next_line().await {
            log.push_str(&line);
            log.push('\n');
            if line.contains("listening") {
                return true;
            }
        }
        false
    };
    let ok = tokio::time::timeout(std::time::Duration::from_secs(30), ready).await.unwrap_or(false);
    assert!(ok, "the server did not start:\n{log}");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, addr)
}
