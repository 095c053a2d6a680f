//! Typed configuration, loaded once: built-in defaults, then an optional TOML file, then the
//! environment, then command-line flags. The only module that reads the environment.
//!
//! Every key, its variable, default and meaning are listed in [`KEYS`] (and in the README);
//! `kakehashi check` validates them all and names each bad one. To add a key: a line in [`KEYS`],
//! a field, its parsing in [`Config::load`], and a row in the README (a test checks the README).

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::domain::schedule::{DEFAULT_CRON, DEFAULT_TZ, Schedule};
use crate::domain::settings::{Currency, ValueSettings};
use crate::domain::{Lang, Settings};
use crate::storage::DatabaseUrl;

/// One configuration key: where it is set, its default, what it means.
pub struct Key {
    pub key: &'static str,
    pub var: &'static str,
    pub default: &'static str,
    pub meaning: &'static str,
}

const fn key(key: &'static str, var: &'static str, default: &'static str, meaning: &'static str) -> Key {
    Key { key, var, default, meaning }
}

/// The configuration reference.
pub const KEYS: &[Key] = &[
    key(
        "database_url",
        "KAKEHASHI_DB",
        "sqlite://kakehashi.db",
        "where the data lives: sqlite://PATH or postgres://USER@HOST/DB",
    ),
    key(
        "prompts_dir",
        "KAKEHASHI_PROMPTS_DIR",
        "(none)",
        "a directory whose checklist.toml / messages.toml override built-in texts",
    ),
    key("defaults.lang", "KAKEHASHI_LANG", "en", "language of new workspaces: en or ja"),
    key("defaults.currency", "KAKEHASHI_CURRENCY", "JPY", "currency of new workspaces (ISO code)"),
    key("defaults.hourly_cost", "KAKEHASHI_HOURLY_COST", "4000", "cost of one staff-hour, for the value gate"),
    key(
        "defaults.automatable_share",
        "KAKEHASHI_AUTOMATABLE_SHARE",
        "0.5",
        "share of today's staff-hours a model could take over (0–1)",
    ),
    key(
        "defaults.ml_yearly_cost",
        "KAKEHASHI_ML_YEARLY_COST",
        "12000000",
        "yearly cost of an ML project: build, run, retrain",
    ),
    key(
        "defaults.timezone",
        "KAKEHASHI_TIMEZONE",
        "Asia/Tokyo",
        "IANA time zone of new workspaces' weekly schedule and digest dates",
    ),
    key(
        "defaults.digest_schedule",
        "KAKEHASHI_DIGEST_SCHEDULE",
        "0 9 * * Mon",
        "when new workspaces get the weekly digest: five-field cron (minute hour day month weekday)",
    ),
    key(
        "admins",
        "KAKEHASHI_ADMINS",
        "(none)",
        "platform user ids that are admins everywhere, comma-separated: slack:U0123, discord:8123…, console:NAME",
    ),
    key(
        "log.filter",
        "KAKEHASHI_LOG",
        "warn (console, demo, assess), info (serve, check)",
        "what to log, as a tracing filter such as info or kakehashi=debug",
    ),
    key("log.format", "KAKEHASHI_LOG_FORMAT", "text", "log line format: text or json"),
    key(
        "server.bind",
        "KAKEHASHI_BIND",
        "127.0.0.1:8080",
        "address `kakehashi serve` listens on for Slack and Discord requests",
    ),
    key(
        "server.header_timeout",
        "KAKEHASHI_HEADER_TIMEOUT",
        "10",
        "seconds a client has to send a request's headers; then the connection is closed",
    ),
    key(
        "server.body_timeout",
        "KAKEHASHI_BODY_TIMEOUT",
        "10",
        "seconds a client has to send a request's whole body; then it gets 408",
    ),
    key(
        "server.max_body",
        "KAKEHASHI_MAX_BODY",
        "262144",
        "largest request body in bytes; a larger one gets 413 (from its Content-Length, or as it streams)",
    ),
    key(
        "server.max_connections",
        "KAKEHASHI_MAX_CONNECTIONS",
        "512",
        "open connections at most; further ones wait to be accepted",
    ),
    key(
        "server.max_requests",
        "KAKEHASHI_MAX_REQUESTS",
        "128",
        "Slack and Discord requests served at once (body read included); further ones wait",
    ),
    key(
        "server.drain_timeout",
        "KAKEHASHI_DRAIN_TIMEOUT",
        "20",
        "seconds a SIGTERM waits for requests in flight and replies being sent before exiting",
    ),
    key(
        "slack.signing_secret",
        "SLACK_SIGNING_SECRET",
        "(none)",
        "the app's signing secret; several, comma-separated, while rotating",
    ),
    key("slack.bot_token", "SLACK_BOT_TOKEN", "(none)", "the bot token (xoxb-…)"),
    key(
        "slack.app_token",
        "SLACK_APP_TOKEN",
        "(none)",
        "an app-level token (xapp-…) with connections:write: enables Socket Mode",
    ),
    key("slack.api_url", "SLACK_API_URL", "https://slack.com/api", "the Slack Web API (changed only for tests)"),
    key("slack.command", "SLACK_COMMAND", "/ai", "the slash command the app declares"),
    key("discord.token", "DISCORD_TOKEN", "(none)", "the bot token"),
    key("discord.application_id", "DISCORD_APPLICATION_ID", "(none)", "the application id"),
    key(
        "discord.public_key",
        "DISCORD_PUBLIC_KEY",
        "(none)",
        "the application's public key (hex), for the interactions endpoint",
    ),
    key(
        "discord.guild_id",
        "DISCORD_GUILD_ID",
        "(none)",
        "register commands to this guild only (instant; for testing) instead of globally",
    ),
    key("discord.mode", "DISCORD_MODE", "gateway", "how interactions arrive: gateway or endpoint"),
    key("discord.api_url", "DISCORD_API_URL", "https://discord.com", "the Discord API (changed only for tests)"),
];

/// The variable that names the configuration file (default: ./kakehashi.toml if it exists).
pub const CONFIG_FILE_VAR: &str = "KAKEHASHI_CONFIG";

/// A value that must never reach a log line: its `Debug` shows only that it is set.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database: DatabaseUrl,
    pub prompts_dir: Option<PathBuf>,
    /// Settings a new workspace starts with.
    pub defaults: Settings,
    /// Platform user ids that are admins in every workspace (`slack:U0123`, `discord:8123…`).
    pub admins: Vec<String>,
    pub log: LogConfig,
    pub server: ServerConfig,
    pub slack: Option<SlackConfig>,
    pub discord: Option<DiscordConfig>,
    /// The login name, the console's default user.
    pub user: Option<String>,
    /// Where the file came from, if one was read.
    pub file: Option<PathBuf>,
    /// Where each key that is set was set: its variable, or the file.
    pub origins: BTreeMap<&'static str, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogConfig {
    pub filter: Option<String>,
    pub json: bool,
}

/// The HTTP front: where it listens and what it tolerates from clients (README "Operations").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    pub bind: SocketAddr,
    /// How long a client has to send a request's headers.
    pub header_timeout: Duration,
    /// How long a client has to send a request's whole body (from the end of its headers).
    pub body_timeout: Duration,
    /// The largest request body, in bytes.
    pub max_body: usize,
    /// Connections open at once.
    pub max_connections: usize,
    /// Platform requests served at once, body read included.
    pub max_requests: usize,
    /// How long a shutdown waits for requests in flight and replies still being sent.
    pub drain_timeout: Duration,
}

impl ServerConfig {
    /// The defaults, listening on `bind`.
    pub fn new(bind: SocketAddr) -> ServerConfig {
        ServerConfig {
            bind,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_body: 256 * 1024,
            max_connections: 512,
            max_requests: 128,
            drain_timeout: Duration::from_secs(20),
        }
    }
}

/// Slack is on when a bot token is set, with a signing secret (HTTP) and/or an app token
/// (Socket Mode).
#[derive(Debug, Clone)]
pub struct SlackConfig {
    pub signing_secrets: Vec<Secret>,
    pub bot_token: Secret,
    pub app_token: Option<Secret>,
    pub api_url: String,
    pub command: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscordMode {
    Gateway,
    Endpoint,
}

/// Discord is on when a bot token or a public key is set.
#[derive(Debug, Clone)]
pub struct DiscordConfig {
    pub token: Option<Secret>,
    pub application_id: u64,
    pub public_key: Option<String>,
    pub guild_id: Option<u64>,
    pub mode: DiscordMode,
    pub api_url: String,
}

/// Every bad key, each with what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join("\n"))]
pub struct ConfigError(pub Vec<String>);

/// Where values come from: the environment over the file.
struct Sources<'a> {
    file: BTreeMap<String, toml::Value>,
    env: &'a dyn Fn(&str) -> Option<String>,
    errors: Vec<String>,
}

impl Sources<'_> {
    fn spec(name: &str) -> &'static Key {
        KEYS.iter().find(|k| k.key == name).expect("every key read is in KEYS")
    }

    /// The raw value and where it came from (the variable or the file key), if set.
    fn raw(&self, name: &str) -> Option<(String, String)> {
        let k = Self::spec(name);
        if let Some(v) = (self.env)(k.var) {
            return Some((v, k.var.to_string()));
        }
        self.file.get(name).map(|v| {
            let text = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string).unwrap_or_else(|| i.to_string()))
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            };
            (text, name.to_string())
        })
    }

    fn text(&self, name: &str) -> Option<String> {
        self.raw(name).map(|(v, _)| v.trim().to_string()).filter(|v| !v.is_empty())
    }

    fn parse<T>(&mut self, name: &str, default: T, parse: impl Fn(&str) -> Result<T, String>) -> T {
        match self.raw(name) {
            None => default,
            Some((v, source)) => match parse(v.trim()) {
                Ok(x) => x,
                Err(e) => {
                    self.errors.push(format!("{source}: {e}"));
                    default
                }
            },
        }
    }

    fn number(&mut self, name: &str, default: f64, ok: impl Fn(f64) -> bool, rule: &str) -> f64 {
        self.parse(name, default, |v| {
            let x: f64 = v.replace('_', "").parse().map_err(|_| format!("'{v}' is not a number"))?;
            if x.is_finite() && ok(x) { Ok(x) } else { Err(format!("{v} is out of range; it must be {rule}")) }
        })
    }

    fn list(&self, name: &str) -> Vec<String> {
        self.text(name)
            .map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    }

    fn error(&mut self, message: String) {
        self.errors.push(message);
    }
}

impl Config {
    /// Loads from the real environment and the file it names (or ./kakehashi.toml).
    pub fn from_env(file: Option<&Path>) -> Result<Config, ConfigError> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let unknown = unknown_variables(std::env::vars_os().filter_map(|(k, _)| k.into_string().ok()));
        match Config::load(file, &env) {
            Ok(config) if unknown.is_empty() => Ok(config),
            Ok(_) => Err(ConfigError(unknown)),
            Err(ConfigError(mut errors)) => {
                errors.extend(unknown);
                Err(ConfigError(errors))
            }
        }
    }

    /// Loads with `env` standing for the environment, for tests.
    pub fn load(file: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut s = Sources { file: BTreeMap::new(), env, errors: Vec::new() };
        let explicit = file.map(Path::to_path_buf).or_else(|| env(CONFIG_FILE_VAR).map(PathBuf::from));
        let file_path = match &explicit {
            Some(path) => match std::fs::read_to_string(path) {
                Ok(text) => {
                    read_file(path, &text, &mut s);
                    Some(path.clone())
                }
                Err(e) => {
                    s.error(format!("{}: cannot read it: {e}", path.display()));
                    None
                }
            },
            None => {
                let default = PathBuf::from("kakehashi.toml");
                std::fs::read_to_string(&default).ok().map(|text| {
                    read_file(&default, &text, &mut s);
                    default
                })
            }
        };

        let database = s.parse("database_url", DatabaseUrl::Sqlite("kakehashi.db".into()), |v| {
            DatabaseUrl::parse(v).map_err(|e| e.to_string())
        });
        let prompts_dir = s.parse("prompts_dir", None, |v| {
            let dir = PathBuf::from(v);
            if dir.is_dir() { Ok(Some(dir)) } else { Err(format!("'{v}' is not a directory")) }
        });
        let lang = s.parse("defaults.lang", Lang::En, |v| Lang::parse(v).map_err(|e| e.to_string()));
        let base = ValueSettings::default();
        let currency =
            s.parse("defaults.currency", base.currency.clone(), |v| Currency::parse(v).map_err(|e| e.to_string()));
        let hourly_cost = s.number("defaults.hourly_cost", base.hourly_cost, |x| x >= 0.0, "0 or more");
        let automatable_share = s.number(
            "defaults.automatable_share",
            base.automatable_share,
            |x| (0.0..=1.0).contains(&x),
            "between 0 and 1",
        );
        let ml_yearly_cost = s.number("defaults.ml_yearly_cost", base.ml_yearly_cost, |x| x > 0.0, "more than 0");
        let timezone = s.parse("defaults.timezone", DEFAULT_TZ.to_string(), |v| {
            Schedule::parse(DEFAULT_CRON, v).map(|_| v.to_string()).map_err(|e| e.to_string())
        });
        let digest_cron = s.parse("defaults.digest_schedule", DEFAULT_CRON.to_string(), |v| {
            Schedule::parse(v, DEFAULT_TZ).map(|s| s.expr().to_string()).map_err(|e| e.to_string())
        });
        let admins = s.list("admins");
        for a in &admins {
            if !a.contains(':') {
                s.error(format!("admins: '{a}' needs its platform, like slack:U0123, discord:8123… or console:NAME"));
            }
        }

        let filter = s.parse("log.filter", None, |v| {
            tracing_subscriber::EnvFilter::try_new(v)
                .map(|_| Some(v.to_string()))
                .map_err(|_| format!("'{v}' is not a log filter (try info or kakehashi=debug)"))
        });
        let json = s.parse("log.format", false, |v| match v {
            "text" => Ok(false),
            "json" => Ok(true),
            other => Err(format!("'{other}' is not a log format; use text or json")),
        });
        let bind = s.parse("server.bind", SocketAddr::from(([127, 0, 0, 1], 8080)), |v| {
            v.parse().map_err(|_| format!("'{v}' is not an address like 127.0.0.1:8080 or 0.0.0.0:8080"))
        });
        let server = server(&mut s, bind);
        let slack = slack(&mut s);
        let discord = discord(&mut s);

        if !s.errors.is_empty() {
            return Err(ConfigError(s.errors));
        }
        let origins = KEYS
            .iter()
            .filter_map(|k| match s.raw(k.key) {
                Some((_, from)) if from == k.var => Some((k.key, format!("set by {from}"))),
                Some(_) => {
                    Some((k.key, format!("set in {}", file_path.as_deref().unwrap_or(Path::new("the file")).display())))
                }
                None => None,
            })
            .collect();
        Ok(Config {
            origins,
            database,
            prompts_dir,
            defaults: Settings {
                lang,
                value: ValueSettings { currency, hourly_cost, automatable_share, ml_yearly_cost },
                timezone,
                digest_cron,
                ..Settings::default()
            },
            admins,
            log: LogConfig { filter, json },
            server,
            slack,
            discord,
            user: env("USER").or_else(|| env("USERNAME")),
            file: file_path,
        })
    }
}

fn server(s: &mut Sources, bind: SocketAddr) -> ServerConfig {
    let base = ServerConfig::new(bind);
    let seconds = |s: &mut Sources, name: &str, default: Duration| {
        let x = s.number(name, default.as_secs_f64(), |x| (0.1..=3600.0).contains(&x), "between 0.1 and 3600 seconds");
        Duration::from_secs_f64(x)
    };
    let count = |s: &mut Sources, name: &str, default: usize, max: f64, rule: &str| {
        s.number(name, default as f64, |x| x >= 1.0 && x <= max && x.fract() == 0.0, rule) as usize
    };
    ServerConfig {
        header_timeout: seconds(s, "server.header_timeout", base.header_timeout),
        body_timeout: seconds(s, "server.body_timeout", base.body_timeout),
        max_body: count(
            s,
            "server.max_body",
            base.max_body,
            (64 * 1024 * 1024) as f64,
            "a whole number of bytes from 1 to 67108864",
        ),
        max_connections: count(
            s,
            "server.max_connections",
            base.max_connections,
            100_000.0,
            "a whole number from 1 to 100000",
        ),
        max_requests: count(s, "server.max_requests", base.max_requests, 100_000.0, "a whole number from 1 to 100000"),
        drain_timeout: seconds(s, "server.drain_timeout", base.drain_timeout),
        bind,
    }
}

fn slack(s: &mut Sources) -> Option<SlackConfig> {
    let secrets: Vec<Secret> = s.list("slack.signing_secret").into_iter().map(Secret).collect();
    let bot_token = s.text("slack.bot_token");
    let app_token = s.text("slack.app_token");
    if secrets.is_empty() && bot_token.is_none() && app_token.is_none() {
        return None;
    }
    let var = |name: &str| Sources::spec(name).var;
    let Some(bot_token) = bot_token else {
        s.error(format!("{}: Slack needs the bot token (xoxb-…) as well", var("slack.bot_token")));
        return None;
    };
    if !bot_token.starts_with("xoxb-") {
        s.error(format!("{}: a bot token starts with xoxb-", var("slack.bot_token")));
    }
    if let Some(t) = &app_token
        && !t.starts_with("xapp-")
    {
        s.error(format!("{}: an app-level token starts with xapp-", var("slack.app_token")));
    }
    if secrets.is_empty() && app_token.is_none() {
        s.error(format!(
            "{}: set the signing secret (HTTP requests) or {} (Socket Mode), or both",
            var("slack.signing_secret"),
            var("slack.app_token")
        ));
    }
    let api_url = s.text("slack.api_url").unwrap_or_else(|| "https://slack.com/api".into());
    let command = s.text("slack.command").unwrap_or_else(|| "/ai".into());
    if !command.starts_with('/') {
        s.error(format!("{}: a slash command starts with /", var("slack.command")));
    }
    Some(SlackConfig {
        signing_secrets: secrets,
        bot_token: Secret(bot_token),
        app_token: app_token.map(Secret),
        api_url: api_url.trim_end_matches('/').to_string(),
        command,
    })
}

fn discord(s: &mut Sources) -> Option<DiscordConfig> {
    let token = s.text("discord.token");
    let public_key = s.text("discord.public_key");
    if token.is_none() && public_key.is_none() {
        return None;
    }
    let var = |name: &str| Sources::spec(name).var;
    let mode = s.parse("discord.mode", DiscordMode::Gateway, |v| match v {
        "gateway" => Ok(DiscordMode::Gateway),
        "endpoint" => Ok(DiscordMode::Endpoint),
        other => Err(format!("'{other}' is not a mode; use gateway or endpoint")),
    });
    let id = |v: &str| v.parse::<u64>().map_err(|_| format!("'{v}' is not a Discord id (a number)"));
    let application_id = s.parse("discord.application_id", 0, id);
    if application_id == 0 {
        s.error(format!("{}: Discord needs the application id", var("discord.application_id")));
    }
    let guild_id = s.parse("discord.guild_id", None, |v| id(v).map(Some));
    if let Some(k) = &public_key
        && (k.len() != 64 || !k.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        s.error(format!("{}: a public key is 64 hexadecimal characters", var("discord.public_key")));
    }
    match mode {
        DiscordMode::Gateway if token.is_none() => {
            s.error(format!("{}: the gateway needs the bot token", var("discord.token")))
        }
        DiscordMode::Endpoint if public_key.is_none() => {
            s.error(format!("{}: the interactions endpoint needs the public key", var("discord.public_key")))
        }
        _ => {}
    }
    let api_url = s.text("discord.api_url").unwrap_or_else(|| "https://discord.com".into());
    Some(DiscordConfig {
        token: token.map(Secret),
        application_id,
        public_key,
        guild_id,
        mode,
        api_url: api_url.trim_end_matches('/').to_string(),
    })
}

/// Reads the TOML file into dotted keys, naming any key kakehashi does not know.
fn read_file(path: &Path, text: &str, s: &mut Sources) {
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            s.error(format!("{}: {}", path.display(), e.message()));
            return;
        }
    };
    let mut flat = BTreeMap::new();
    flatten("", toml::Value::Table(table), &mut flat);
    for k in flat.keys() {
        if !KEYS.iter().any(|spec| spec.key == k) {
            let hint = closest(k, KEYS.iter().map(|spec| spec.key));
            s.error(format!("{}: unknown key '{k}'{hint}", path.display()));
        }
    }
    s.file = flat;
}

/// Variables that look meant for kakehashi but are not among its keys: every unknown
/// `KAKEHASHI_…` (except `KAKEHASHI_TEST_…`, the test suite's own), and `SLACK_…`/`DISCORD_…`
/// names within two edits of a real one (other software may use those prefixes; a typo of ours
/// is what is caught).
pub fn unknown_variables(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let known = || KEYS.iter().map(|k| k.var).chain([CONFIG_FILE_VAR]);
    let mut found: Vec<String> = names
        .into_iter()
        .filter(|name| !known().any(|k| k == name))
        .filter_map(|name| {
            let ours = name.starts_with("KAKEHASHI_") && !name.starts_with("KAKEHASHI_TEST_");
            let near = known().any(|k| crate::domain::text::edit_distance(&name, k) <= 2);
            let platform = name.starts_with("SLACK_") || name.starts_with("DISCORD_");
            (ours || (platform && near)).then(|| format!("{name}: unknown variable{}", closest(&name, known())))
        })
        .collect();
    found.sort();
    found
}

/// `; did you mean X?` for the candidate within two edits, or nothing.
fn closest<'a>(given: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    candidates
        .map(|c| (crate::domain::text::edit_distance(given, c), c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| format!("; did you mean {c}?"))
        .unwrap_or_default()
}

fn flatten(prefix: &str, value: toml::Value, out: &mut BTreeMap<String, toml::Value>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() { k } else { format!("{prefix}.{k}") };
                flatten(&key, v, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other);
        }
    }
}

/// Who runs a command-line tool, for the audit trail: the login name from the environment (as
/// [`Config::user`]), or else — a container sets no USER — the account of the process's user id
/// in /etc/passwd, or that id. None where none of these can be read.
pub fn os_user(configured: Option<&str>) -> Option<String> {
    if let Some(name) = configured.filter(|n| !n.trim().is_empty()) {
        return Some(name.to_string());
    }
    if let Ok(name) = std::env::var("LOGNAME")
        && !name.trim().is_empty()
    {
        return Some(name);
    }
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status.lines().find_map(|l| l.strip_prefix("Uid:"))?.split_whitespace().next()?.to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let name = passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.len() > 2 && fields[2] == uid).then(|| fields[0].to_string())
    });
    Some(name.unwrap_or_else(|| format!("uid {uid}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn defaults_follow_the_spec() {
        let (_d, path) = file("");
        let c = Config::load(Some(&path), &env(&[])).unwrap();
        assert_eq!(c.database, DatabaseUrl::Sqlite("kakehashi.db".into()));
        assert_eq!(c.defaults, Settings::default());
        assert!(!c.log.json);
        assert_eq!(c.server.bind.to_string(), "127.0.0.1:8080");
        assert!(c.slack.is_none() && c.discord.is_none());
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let (_d, path) = file(
            "database_url = \"sqlite://a.db\"\nadmins = [\"slack:U1\", \"discord:2\"]\n[defaults]\ncurrency = \"USD\"\nhourly_cost = 60\n",
        );
        let c = Config::load(Some(&path), &env(&[("KAKEHASHI_DB", "sqlite://b.db")])).unwrap();
        assert_eq!(c.database, DatabaseUrl::Sqlite("b.db".into()));
        assert_eq!(c.defaults.value.currency.code(), "USD");
        assert_eq!(c.defaults.value.hourly_cost, 60.0);
        assert_eq!(c.admins, ["slack:U1", "discord:2"]);
    }

    #[test]
    fn every_bad_key_is_named() {
        let (_d, path) = file("[defaults]\nautomatable_share = 2\n");
        let e = Config::load(
            Some(&path),
            &env(&[
                ("KAKEHASHI_DB", "mysql://x"),
                ("KAKEHASHI_LANG", "fr"),
                ("KAKEHASHI_HOURLY_COST", "lots"),
                ("KAKEHASHI_LOG_FORMAT", "xml"),
                ("KAKEHASHI_BIND", "localhost"),
                ("KAKEHASHI_ADMINS", "U123"),
            ]),
        )
        .unwrap_err();
        let text = e.to_string();
        for key in [
            "KAKEHASHI_DB",
            "KAKEHASHI_LANG",
            "KAKEHASHI_HOURLY_COST",
            "defaults.automatable_share",
            "KAKEHASHI_LOG_FORMAT",
            "KAKEHASHI_BIND",
            "admins",
        ] {
            assert!(text.contains(key), "{key} not named in:\n{text}");
        }
        assert_eq!(e.0.len(), 7, "{text}");
    }

    #[test]
    fn an_unknown_key_in_the_file_is_named() {
        let (_d, path) = file("databse_url = \"sqlite://a.db\"\n[slack]\nbot_tokn = \"x\"\n");
        let e = Config::load(Some(&path), &env(&[])).unwrap_err().to_string();
        assert!(e.contains("unknown key 'databse_url'; did you mean database_url?"), "{e}");
        assert!(e.contains("unknown key 'slack.bot_tokn'; did you mean slack.bot_token?"), "{e}");
    }

    #[test]
    fn unknown_variables_of_ours_are_named_and_others_left_alone() {
        let names =
            ["KAKEHASHI_DATABSE", "KAKEHASHI_DB", "KAKEHASHI_TEST_PG", "SLACK_BOT_TOKN", "SLACK_WEBHOOK_URL", "PATH"];
        let found = unknown_variables(names.map(String::from));
        assert_eq!(
            found,
            ["KAKEHASHI_DATABSE: unknown variable", "SLACK_BOT_TOKN: unknown variable; did you mean SLACK_BOT_TOKEN?"]
        );
        let found = unknown_variables(["KAKEHASHI_LANGG".to_string()]);
        assert_eq!(found, ["KAKEHASHI_LANGG: unknown variable; did you mean KAKEHASHI_LANG?"]);
    }

    #[test]
    fn slack_takes_several_signing_secrets_and_checks_its_tokens() {
        let (_d, path) = file("");
        let c = Config::load(Some(&path), &env(&[("SLACK_SIGNING_SECRET", "old, new"), ("SLACK_BOT_TOKEN", "xoxb-1")]))
            .unwrap();
        let slack = c.slack.unwrap();
        assert_eq!(slack.signing_secrets.len(), 2);
        assert_eq!(slack.command, "/ai");
        assert!(!format!("{slack:?}").contains("xoxb-1"), "tokens never show in Debug");
        let e = Config::load(Some(&path), &env(&[("SLACK_SIGNING_SECRET", "s"), ("SLACK_BOT_TOKEN", "bad")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("SLACK_BOT_TOKEN: a bot token starts with xoxb-"), "{e}");
        let e = Config::load(Some(&path), &env(&[("SLACK_APP_TOKEN", "xapp-1")])).unwrap_err().to_string();
        assert!(e.contains("SLACK_BOT_TOKEN"), "{e}");
    }

    #[test]
    fn discord_needs_what_its_mode_needs() {
        let (_d, path) = file("");
        let key = "a".repeat(64);
        let c = Config::load(
            Some(&path),
            &env(&[("DISCORD_PUBLIC_KEY", &key), ("DISCORD_APPLICATION_ID", "42"), ("DISCORD_MODE", "endpoint")]),
        )
        .unwrap();
        assert_eq!(c.discord.unwrap().mode, DiscordMode::Endpoint);
        let e = Config::load(Some(&path), &env(&[("DISCORD_PUBLIC_KEY", "xyz"), ("DISCORD_APPLICATION_ID", "x")]))
            .unwrap_err()
            .to_string();
        for expected in
            ["DISCORD_APPLICATION_ID", "DISCORD_PUBLIC_KEY: a public key is 64", "DISCORD_TOKEN: the gateway needs"]
        {
            assert!(e.contains(expected), "{expected}: {e}");
        }
    }

    #[test]
    fn the_http_front_limits_are_read_and_bad_ones_named() {
        let (_d, path) = file("[server]\nmax_body = 65536\ndrain_timeout = 5\n");
        let c = Config::load(Some(&path), &env(&[("KAKEHASHI_HEADER_TIMEOUT", "2.5")])).unwrap();
        assert_eq!(c.server.max_body, 65536);
        assert_eq!(c.server.drain_timeout, Duration::from_secs(5));
        assert_eq!(c.server.header_timeout, Duration::from_millis(2500));
        assert_eq!(c.server.max_requests, ServerConfig::new(c.server.bind).max_requests, "the default");
        let e = Config::load(
            Some(&path),
            &env(&[
                ("KAKEHASHI_MAX_CONNECTIONS", "0"),
                ("KAKEHASHI_BODY_TIMEOUT", "soon"),
                ("KAKEHASHI_MAX_REQUESTS", "1.5"),
            ]),
        )
        .unwrap_err()
        .to_string();
        for key in ["KAKEHASHI_MAX_CONNECTIONS", "KAKEHASHI_BODY_TIMEOUT", "KAKEHASHI_MAX_REQUESTS"] {
            assert!(e.contains(key), "{key}: {e}");
        }
    }

    #[test]
    fn every_key_is_documented_with_its_variable() {
        let readme = include_str!("../README.md");
        for k in KEYS {
            assert!(
                readme.contains(&format!("`{}`", k.key)) && readme.contains(&format!("`{}`", k.var)),
                "README lacks {} / {}",
                k.key,
                k.var
            );
        }
    }
}
