//! The one module that knows all the others: builds the bot from the configuration and runs
//! each subcommand.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use crate::chat::Bot;
use crate::cli::assess;
use crate::cli::demo;
use crate::cli::{CliCommand, Format};
use crate::clock::{Clock, ManualClock, SystemClock};
use crate::config::{Config, KEYS};
use crate::domain::Lang;
use crate::domain::Platform;
use crate::prompts::{Prompts, PromptsError};
use crate::storage::{self, DatabaseUrl, OpenError};
use crate::transport::console::{self, Console};

/// Exit status for bad input: flags, configuration, an answers file.
const USAGE: u8 = 2;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("prompts: {0}")]
    Prompts(#[from] PromptsError),
    #[error(transparent)]
    Database(#[from] OpenError),
}

/// Opens the database and loads the prompts: everything a conversation needs.
pub async fn build_bot(config: &Config, db: &DatabaseUrl, clock: Arc<dyn Clock>) -> Result<Bot, StartError> {
    let prompts = Prompts::load(config.prompts_dir.as_deref())?;
    let store = storage::open(db).await?;
    Ok(Bot { admins: config.admins.clone(), ..Bot::new(store, Arc::new(prompts), clock, config.defaults.clone()) })
}

/// The default log filter of a command: quiet where the terminal is the interface.
pub fn default_log_filter(command: &CliCommand) -> &'static str {
    match command {
        CliCommand::Console { .. }
        | CliCommand::Demo { .. }
        | CliCommand::Assess { .. }
        | CliCommand::DiscordInvite { .. }
        | CliCommand::Healthcheck { .. } => "warn",
        CliCommand::Check { .. } | CliCommand::Serve { .. } => "info",
        CliCommand::Digest { .. } => "warn",
        CliCommand::Export { .. } | CliCommand::Backup { .. } => "warn",
    }
}

pub async fn run(command: CliCommand, config: Config) -> ExitCode {
    let done = match command {
        CliCommand::Console { user, lang, db } => console(config, user, lang, db).await,
        CliCommand::Assess { answers, lang, format } => assess(config, &answers, lang, format),
        CliCommand::Demo { db, lang, out } => demo(config, db, lang, out).await,
        CliCommand::Check { db } => check(config, db).await,
        CliCommand::Digest { workspace, at, dry_run, out, db } => {
            digest(config, &workspace, at, dry_run, out, db).await
        }
        CliCommand::Export { format, what, since, workspace, db } => {
            export(config, format, what, since, workspace, db).await
        }
        CliCommand::Serve { db, bind } => serve(config, db, bind).await,
        CliCommand::Backup { to, db } => backup(&config, &to, db).await,
        CliCommand::DiscordInvite { application_id } => Ok(discord_invite(&config, application_id)),
        CliCommand::Healthcheck { ready, url } => Ok(healthcheck(&config, ready, url).await),
    };
    match done {
        Ok(code) | Err(Stop::Code(code)) => code,
        Err(Stop::Failed(e)) => fail(e),
    }
}

fn discord_invite(config: &Config, flag: Option<u64>) -> ExitCode {
    let id = flag.or(config.discord.as_ref().map(|d| d.application_id));
    match id.filter(|&id| id > 0) {
        Some(id) => {
            println!("{}", crate::transport::discord::invite_url(id));
            ExitCode::SUCCESS
        }
        None => {
            eprintln!(
                "kakehashi discord-invite: set DISCORD_APPLICATION_ID (with DISCORD_TOKEN), or pass --application-id"
            );
            ExitCode::from(USAGE)
        }
    }
}

/// Exit 0 when the server at `url` says it is alive (or, with `ready`, ready); otherwise print
/// why and exit 1.
async fn healthcheck(config: &Config, ready: bool, url: Option<String>) -> ExitCode {
    let url = url.unwrap_or_else(|| {
        let mut addr = config.server.bind;
        if addr.ip().is_unspecified() {
            addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        format!("http://{addr}/{}", if ready { "readyz" } else { "livez" })
    });
    let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(5)).build();
    let answer = match client {
        Ok(client) => client.get(&url).send().await,
        Err(e) => Err(e),
    };
    match answer {
        Ok(r) => {
            let healthy = r.status().is_success();
            let body = r.text().await.unwrap_or_default();
            println!("{body}");
            if healthy { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        Err(e) => {
            eprintln!("kakehashi healthcheck: {url}: {}", e.without_url());
            ExitCode::FAILURE
        }
    }
}

fn database(config: &Config, flag: Option<String>) -> Result<DatabaseUrl, Stop> {
    match flag {
        None => Ok(config.database.clone()),
        Some(url) => DatabaseUrl::parse(&url).map_err(|e| {
            eprintln!("--db: {e}");
            Stop::Code(ExitCode::from(USAGE))
        }),
    }
}

fn fail(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("kakehashi: {e}");
    ExitCode::FAILURE
}

/// How a command ends early: with a code whose reason is already printed (a usage error), or
/// with a failure to print. `?` turns any error into the second.
enum Stop {
    Code(ExitCode),
    Failed(String),
}

impl<E: std::fmt::Display> From<E> for Stop {
    fn from(e: E) -> Stop {
        Stop::Failed(e.to_string())
    }
}

/// What a command gives back: its exit code, or why it stopped.
type Done = Result<ExitCode, Stop>;

async fn console(config: Config, user: Option<String>, lang: Option<Lang>, db: Option<String>) -> Done {
    let db = database(&config, db)?;
    let mut bot = build_bot(&config, &db, Arc::new(SystemClock)).await?;
    // in the console, triage cards and digests show in the terminal unless configured otherwise
    bot.defaults.triage_channel.get_or_insert_with(|| console::CHANNEL.to_string());
    bot.defaults.digest_channel.get_or_insert_with(|| console::CHANNEL.to_string());
    let interactive = std::io::stdin().is_terminal();
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let options = console::Options {
        user: user.or(config.user.clone()).unwrap_or_else(|| "me".into()),
        lang,
        color,
        echo: !interactive,
    };
    let input = tokio::io::BufReader::new(tokio::io::stdin());
    match Console::new(&bot, input, std::io::stdout(), options).run().await {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e.into()),
    }
}

fn assess(config: Config, answers: &Path, lang: Option<Lang>, format: Format) -> Done {
    let prompts = Prompts::load(config.prompts_dir.as_deref())?;
    let lang = lang.unwrap_or(config.defaults.lang);
    let (parsed, notes) = match assess::read_answers(&prompts.checklist, answers) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("kakehashi assess: {e}");
            return Ok(ExitCode::from(USAGE));
        }
    };
    for note in notes {
        eprintln!("{note}");
    }
    let verdict = assess::assess(&prompts.checklist, &parsed, &config.defaults.value);
    match format {
        Format::Json => println!("{}", assess::to_json(&prompts.checklist, &verdict, lang)),
        Format::Text => {
            let blocks = crate::chat::render::verdict_blocks(&prompts, lang, None, &verdict);
            print!("{}", console::render_blocks(&blocks, std::io::stdout().is_terminal()));
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn demo(config: Config, db: Option<String>, lang: Option<Lang>, out: Option<std::path::PathBuf>) -> Done {
    let (db, _temp) = match db {
        Some(url) => match database(&config, Some(url)) {
            Ok(db) => (db, None),
            Err(stop) => return Err(stop),
        },
        None => match tempfile::tempdir() {
            Ok(dir) => (DatabaseUrl::Sqlite(dir.path().join("demo.db")), Some(dir)),
            Err(e) => return Err(Stop::from(format!("cannot make a temporary directory: {e}"))),
        },
    };
    let now = SystemClock.now();
    let clock = Arc::new(ManualClock::new(now));
    let bot = build_bot(&config, &db, clock.clone()).await?;
    let lang = lang.unwrap_or(config.defaults.lang);
    let out = out.unwrap_or_else(|| std::path::PathBuf::from("."));
    match demo::play(&bot, &clock, now, lang, &out).await {
        Ok(report) => {
            print!("{report}");
            match _temp {
                Some(_) => println!(
                    "\nThe demo ran in a temporary database, now removed. To keep it and look around:\n  \
                     kakehashi demo --db sqlite://demo.db\n  kakehashi console --db sqlite://demo.db --user aiko"
                ),
                None => println!("\nExplore it: kakehashi console --db {db} --user aiko   (then: mine, show N-1)"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(demo::DemoError::NotEmpty) => {
            eprintln!("kakehashi demo: {}", demo::DemoError::NotEmpty);
            Ok(ExitCode::from(USAGE))
        }
        Err(e) => Err(e.into()),
    }
}

async fn backup(config: &Config, to: &Path, db: Option<String>) -> Done {
    let db = database(config, db)?;
    match storage::backup(&db, to).await {
        Ok(()) => {
            println!("backed up {db} to {}", to.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(
            e
            @ (storage::BackupError::Postgres(_) | storage::BackupError::Exists(_) | storage::BackupError::Missing(_)),
        ) => {
            eprintln!("kakehashi backup: {e}");
            Ok(ExitCode::from(USAGE))
        }
        Err(e) => Err(e.into()),
    }
}

async fn serve(config: Config, db: Option<String>, bind: Option<std::net::SocketAddr>) -> Done {
    let db = database(&config, db)?;
    if config.slack.is_none() && config.discord.is_none() {
        eprintln!(
            "kakehashi serve: neither Slack nor Discord is configured; see README \"Run on Slack\" and \"Run on Discord\" \
             (or try the bot in a terminal with kakehashi console)"
        );
        return Ok(ExitCode::from(USAGE));
    }
    let bot = match build_bot(&config, &db, Arc::new(SystemClock)).await {
        Ok(bot) => Arc::new(bot),
        Err(e) => return Err(Stop::from(e)),
    };
    let app = crate::cli::server::Application::build(&config, bot, bind.unwrap_or(config.server.bind)).await?;
    match app.run_until_stopped(crate::cli::server::shutdown_signal()).await {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e.into()),
    }
}

async fn export(
    config: Config,
    format: crate::cli::ExportFormat,
    what: crate::cli::ExportWhat,
    since: Option<chrono::NaiveDate>,
    workspace: Option<String>,
    db: Option<String>,
) -> Done {
    use crate::export::Writer;
    let db = database(&config, db)?;
    let store = storage::open(&db).await?;
    let known = store.workspaces().await?;
    let workspace = match (workspace, known.as_slice()) {
        (Some(w), _) if known.iter().any(|(id, _)| *id == w) => w,
        (Some(w), _) => {
            eprintln!("kakehashi export: there is no workspace '{w}'; the database holds: {}", ids(&known));
            return Ok(ExitCode::from(USAGE));
        }
        (None, [(only, _)]) => only.clone(),
        (None, []) => {
            eprintln!("kakehashi export: the database holds no workspace yet");
            return Ok(ExitCode::from(USAGE));
        }
        (None, _) => {
            eprintln!("kakehashi export: name the workspace with --workspace; the database holds: {}", ids(&known));
            return Ok(ExitCode::from(USAGE));
        }
    };
    let since_t = since.map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc());
    let out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
    let result = match what {
        crate::cli::ExportWhat::Items => {
            let mut w = Writer::start::<crate::storage::ExportItem>(out, format)?;
            let r = store.export_items(&workspace, since_t, &mut |row| w.write(&row)).await;
            r.map(|()| w.finish().map(|_| ()))
        }
        crate::cli::ExportWhat::Events => {
            let mut w = Writer::start::<crate::storage::ExportEvent>(out, format)?;
            let r = store.export_events(&workspace, since_t, &mut |row| w.write(&row)).await;
            r.map(|()| w.finish().map(|_| ()))
        }
        // the register as it stands (what runs in service); `--since` does not apply
        crate::cli::ExportWhat::Register => {
            let ws = match store.workspace(&workspace).await {
                Ok(Some(ws)) => ws,
                Ok(None) => return Err(Stop::from(format!("the workspace {workspace} is gone"))),
                Err(e) => return Err(Stop::from(e)),
            };
            let mut w = Writer::start::<crate::views::register::ExportLine>(out, format)?;
            crate::views::register::lines(store.as_ref(), &ws).await.map(|lines| {
                lines
                    .iter()
                    .try_for_each(|l| w.write(&crate::views::register::ExportLine::of(l)))
                    .and_then(|()| w.finish().map(|_| ()))
            })
        }
    };
    match result {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(Stop::from(e)),
        Err(e) => return Err(Stop::from(e)),
    }
    let action = crate::storage::AdminAction {
        workspace,
        actor: format!("cli:{}", crate::config::os_user(config.user.as_deref()).unwrap_or("unknown".into())).into(),
        action: "export".into(),
        detail: format!("command line, since {}", since.map(|d| d.to_string()).unwrap_or("start".into())),
        at: SystemClock.now(),
    };
    match store.record_admin(&action).await {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e.into()),
    }
}

fn ids(known: &[(String, String)]) -> String {
    known.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>().join(", ")
}

/// Reads a moment: an RFC 3339 time, or a day or "day hour:minute" on the workspace's clock.
fn moment(text: &str, tz: chrono_tz::Tz) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text.trim()) {
        return Some(t.with_timezone(&chrono::Utc));
    }
    let naive = chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M").ok().or_else(|| {
        chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0))
    })?;
    tz.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&chrono::Utc))
}

async fn digest(
    config: Config,
    workspace: &str,
    at: Option<String>,
    dry_run: bool,
    out: Option<std::path::PathBuf>,
    db: Option<String>,
) -> Done {
    let db = database(&config, db)?;
    let bot = match build_bot(&config, &db, Arc::new(SystemClock)).await {
        Ok(bot) => Arc::new(bot),
        Err(e) => return Err(Stop::from(e)),
    };
    let ws = match bot.store.workspace(workspace).await {
        Ok(Some(ws)) => ws,
        Ok(None) => {
            let known = bot.store.workspaces().await.unwrap_or_default();
            eprintln!("kakehashi digest: there is no workspace '{workspace}'; the database holds: {}", ids(&known));
            return Ok(ExitCode::from(USAGE));
        }
        Err(e) => return Err(Stop::from(e)),
    };
    let tz = ws.settings.schedule().tz();
    let at = match at.as_deref().map(|t| (t, moment(t, tz))) {
        None => SystemClock.now(),
        Some((_, Some(t))) => t,
        Some((text, None)) => {
            eprintln!(
                "--at: '{text}' is not a time; write 2026-11-30, \"2026-11-30 09:00\" or 2026-11-30T09:00:00+09:00"
            );
            return Ok(ExitCode::from(USAGE));
        }
    };
    let built = async {
        let e = crate::views::digest::evaluate(bot.store.as_ref(), &ws, at).await?;
        let d = crate::views::digest::build(bot.store.as_ref(), &ws, e, at, None).await?;
        let (message, chart) = crate::jobs::digest_message(&bot.prompts, &ws, &d)?;
        Ok::<_, crate::jobs::JobError>((message, chart))
    };
    let (message, chart) = built.await?;
    let dir = out.unwrap_or_else(|| std::path::PathBuf::from("."));
    if dry_run || ws.id.is(Platform::Console) {
        print!("{}", crate::chat::digest::markdown(&message.blocks));
        let path = dir.join(&chart.name);
        if let Err(e) = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, &chart.bytes)) {
            return Err(Stop::from(format!("cannot write {}: {e}", path.display())));
        }
        eprintln!("chart: {}", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    // send now, through the workspace's platform
    let parts = crate::cli::server::transports(&config, &bot)?;
    let Some((_, deliver)) =
        parts.into_iter().filter_map(|p| p.deliverer).find(|(prefix, _)| ws.id.starts_with(prefix))
    else {
        eprintln!("kakehashi digest: {} is not configured here, so the digest cannot be sent; try --dry-run", ws.id);
        return Ok(ExitCode::from(USAGE));
    };
    let Some(channel) = ws.settings.digest_channel.clone() else {
        eprintln!("kakehashi digest: {} has no digest channel; set one in chat with admin channel digest", ws.id);
        return Ok(ExitCode::from(USAGE));
    };
    let to = crate::domain::Recipient::Channel(channel);
    if let Err(e) = deliver.deliver(&ws.id, &to, &message).await {
        return Err(Stop::from(e));
    }
    if let Err(e) = deliver.deliver_file(&ws.id, &to, &chart).await {
        return Err(Stop::from(e));
    }
    let action = crate::storage::AdminAction {
        workspace: ws.id.to_string(),
        actor: format!("cli:{}", crate::config::os_user(config.user.as_deref()).unwrap_or("unknown".into())).into(),
        action: "digest.sent".into(),
        detail: format!("by hand, as of {}", at.to_rfc3339()),
        at: SystemClock.now(),
    };
    let _ = bot.store.record_admin(&action).await;
    println!("sent the digest of {} to its digest channel", ws.id);
    Ok(ExitCode::SUCCESS)
}

/// A schedule as `check` shows it: the stored form, its zone, and the next three fire times.
fn schedule_line(schedule: &crate::domain::schedule::Schedule, now: chrono::DateTime<chrono::Utc>) -> String {
    let next: Vec<String> = schedule.upcoming(now, 3).into_iter().map(|t| schedule.local(t)).collect();
    format!("\"{}\" in {} — next: {}", schedule.expr(), schedule.tz(), next.join(", "))
}

async fn check(config: Config, db: Option<String>) -> Done {
    let db = database(&config, db)?;
    println!(
        "configuration: ok{}",
        config.file.as_ref().map(|f| format!(" (file {})", f.display())).unwrap_or_default()
    );
    for k in KEYS {
        let origin = config.origins.get(k.key).cloned().unwrap_or_else(|| format!("default {}", k.default));
        println!("  {:<28} {:<28} {origin}", k.key, k.var);
    }
    let s = &config.defaults;
    println!(
        "  resolved: database {db}; new workspaces: {}, {}, {}/hour, {:.0}% automatable, {}/year for ML",
        s.lang,
        s.value.currency.code(),
        s.value.hourly_cost,
        s.value.automatable_share * 100.0,
        s.value.ml_yearly_cost
    );
    println!("  new workspaces' weekly digest: {}", schedule_line(&s.schedule(), SystemClock.now()));
    match Prompts::load(config.prompts_dir.as_deref()) {
        Ok(p) => println!(
            "prompts: ok ({} questions{})",
            p.checklist.questions().len(),
            config.prompts_dir.as_ref().map(|d| format!(", overrides from {}", d.display())).unwrap_or_default()
        ),
        Err(e) => {
            eprintln!("prompts: {e}");
            return Ok(ExitCode::from(USAGE));
        }
    }
    let store = storage::open(&db).await?;
    println!("database: ok ({}, migrations applied)", store.backend());
    println!("jobs:");
    for job in crate::jobs::JOBS.iter().chain(crate::jobs::HOUSEKEEPING) {
        println!("  {:<18} {}", job.job.name(), job.doc);
    }
    let now = SystemClock.now();
    match store.workspaces().await {
        Ok(list) if list.is_empty() => {
            println!("workspaces: none yet (one is created the first time someone uses the bot there)")
        }
        Ok(list) => {
            println!("workspaces and their weekly schedule (cron: minute hour day-of-month month day-of-week):");
            for (id, name) in list {
                let Ok(Some(ws)) = store.workspace(&id).await else { continue };
                println!("  {id} ({name}): {}", schedule_line(&ws.settings.schedule(), now));
            }
        }
        Err(e) => return Err(Stop::from(e)),
    }
    Ok(ExitCode::SUCCESS)
}
