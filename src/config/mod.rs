//! Typed configuration, loaded once: built-in defaults, then an optional TOML file, then the
//! environment, then command-line flags. The only module that reads the environment.
//!
//! Every key, its variable, default and meaning are listed in [`KEYS`] (and in the README);
//! `kakehashi check` validates them all and names each bad one. To add a key: a line in [`KEYS`]
//! (`keys.rs`), a field, its parsing in [`Config::load`] (or in the function of its part:
//! `server.rs`, `platforms.rs`), and a row in the README (a test checks the README).
//!
//! By concern: `keys.rs` the reference, `sources.rs` reading values from the environment and the
//! file (and naming unknown keys and variables), `server.rs` the HTTP front, `platforms.rs`
//! Slack and Discord; here the [`Config`] they make up and how it is loaded.

mod keys;
mod platforms;
mod server;
mod sources;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::domain::schedule::{DEFAULT_CRON, DEFAULT_TZ, Schedule};
use crate::domain::settings::{Currency, ValueSettings};
use crate::domain::{Lang, Settings};
use crate::storage::DatabaseUrl;

pub use keys::{CONFIG_FILE_VAR, KEYS, Key};
pub use platforms::{DiscordConfig, DiscordMode, SlackConfig};
pub use server::ServerConfig;
pub use sources::unknown_variables;
use sources::{Sources, read_file};

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

/// Every bad key, each with what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join("\n"))]
pub struct ConfigError(pub Vec<String>);

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
        let server = server::read(&mut s, bind);
        let slack = platforms::slack(&mut s);
        let discord = platforms::discord(&mut s);

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
    use std::time::Duration;

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
        let readme = include_str!("../../README.md");
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
