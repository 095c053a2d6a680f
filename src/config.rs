//! Typed configuration, loaded once: built-in defaults, then an optional TOML file, then the
//! environment, then command-line flags. The only module that reads the environment.
//!
//! Every key, its default and its variable are listed in [`KEYS`] (and in the README); `kakehashi
//! check` validates them all and names each bad one. To add a key: add a field, a line in
//! [`KEYS`], its parsing in [`Config::load`], and a row in the README.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::domain::settings::{Currency, ValueSettings};
use crate::domain::{Lang, Settings};
use crate::storage::DatabaseUrl;

/// (file key, environment variable, default, meaning) — the configuration reference.
pub const KEYS: &[(&str, &str, &str, &str)] = &[
    (
        "database_url",
        "KAKEHASHI_DB",
        "sqlite://kakehashi.db",
        "where the data lives: sqlite://PATH or postgres://USER@HOST/DB",
    ),
    (
        "prompts_dir",
        "KAKEHASHI_PROMPTS_DIR",
        "(none)",
        "a directory whose checklist.toml / messages.toml override built-in texts",
    ),
    (
        "defaults.lang",
        "KAKEHASHI_LANG",
        "en",
        "language of new workspaces: en or ja",
    ),
    (
        "defaults.currency",
        "KAKEHASHI_CURRENCY",
        "JPY",
        "currency of new workspaces (ISO code)",
    ),
    (
        "defaults.hourly_cost",
        "KAKEHASHI_HOURLY_COST",
        "4000",
        "cost of one staff-hour, for the value gate",
    ),
    (
        "defaults.automatable_share",
        "KAKEHASHI_AUTOMATABLE_SHARE",
        "0.5",
        "share of today's staff-hours a model could take over (0–1)",
    ),
    (
        "defaults.ml_yearly_cost",
        "KAKEHASHI_ML_YEARLY_COST",
        "12000000",
        "yearly cost of an ML project: build, run, retrain",
    ),
    (
        "log.filter",
        "KAKEHASHI_LOG",
        "warn (console, demo), info (other commands)",
        "what to log, as a tracing filter such as info or kakehashi=debug",
    ),
    (
        "log.format",
        "KAKEHASHI_LOG_FORMAT",
        "text",
        "log line format: text or json",
    ),
];

/// The variable that names the configuration file (default: ./kakehashi.toml if it exists).
pub const CONFIG_FILE_VAR: &str = "KAKEHASHI_CONFIG";

#[derive(Debug, Clone)]
pub struct Config {
    pub database: DatabaseUrl,
    pub prompts_dir: Option<PathBuf>,
    /// Settings a new workspace starts with.
    pub defaults: Settings,
    pub log: LogConfig,
    /// The login name, the console's default user.
    pub user: Option<String>,
    /// Where the file came from, if one was read.
    pub file: Option<PathBuf>,
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

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    prompts_dir: Option<PathBuf>,
    #[serde(default)]
    defaults: FileDefaults,
    #[serde(default)]
    log: FileLog,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileDefaults {
    lang: Option<String>,
    currency: Option<String>,
    hourly_cost: Option<f64>,
    automatable_share: Option<f64>,
    ml_yearly_cost: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileLog {
    filter: Option<String>,
    format: Option<String>,
}

impl Config {
    /// Loads from the real environment and the file it names (or ./kakehashi.toml).
    pub fn from_env(file: Option<&Path>) -> Result<Config, ConfigError> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Config::load(file, &env)
    }

    /// Loads with `env` standing for the environment, for tests.
    pub fn load(
        file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut errors = Vec::new();
        let explicit = file
            .map(Path::to_path_buf)
            .or_else(|| env(CONFIG_FILE_VAR).map(PathBuf::from));
        let (file_config, file_path) = match explicit {
            Some(path) => match std::fs::read_to_string(&path) {
                Ok(text) => (parse_file(&path, &text, &mut errors), Some(path)),
                Err(e) => {
                    errors.push(format!("{}: cannot read it: {e}", path.display()));
                    (FileConfig::default(), None)
                }
            },
            None => {
                let default = PathBuf::from("kakehashi.toml");
                match std::fs::read_to_string(&default) {
                    Ok(text) => (parse_file(&default, &text, &mut errors), Some(default)),
                    Err(_) => (FileConfig::default(), None),
                }
            }
        };
        let where_ = |key: &str, var: &str| -> String {
            if env(var).is_some() {
                var.to_string()
            } else {
                key.to_string()
            }
        };

        let db_text = env("KAKEHASHI_DB")
            .or(file_config.database_url)
            .unwrap_or_else(|| "sqlite://kakehashi.db".into());
        let database = DatabaseUrl::parse(&db_text).unwrap_or_else(|e| {
            errors.push(format!("{}: {e}", where_("database_url", "KAKEHASHI_DB")));
            DatabaseUrl::Sqlite("kakehashi.db".into())
        });

        let prompts_dir = env("KAKEHASHI_PROMPTS_DIR")
            .map(PathBuf::from)
            .or(file_config.prompts_dir);
        if let Some(dir) = &prompts_dir
            && !dir.is_dir()
        {
            errors.push(format!(
                "{}: '{}' is not a directory",
                where_("prompts_dir", "KAKEHASHI_PROMPTS_DIR"),
                dir.display()
            ));
        }

        let d = file_config.defaults;
        let lang_text = env("KAKEHASHI_LANG")
            .or(d.lang)
            .unwrap_or_else(|| "en".into());
        let lang = Lang::parse(&lang_text).unwrap_or_else(|e| {
            errors.push(format!(
                "{}: {e}",
                where_("defaults.lang", "KAKEHASHI_LANG")
            ));
            Lang::En
        });
        let base = ValueSettings::default();
        let currency = match env("KAKEHASHI_CURRENCY").or(d.currency) {
            Some(c) => Currency::parse(&c).unwrap_or_else(|e| {
                errors.push(format!(
                    "{}: {e}",
                    where_("defaults.currency", "KAKEHASHI_CURRENCY")
                ));
                base.currency.clone()
            }),
            None => base.currency.clone(),
        };
        let mut number = |key: &str,
                          var: &str,
                          file: Option<f64>,
                          default: f64,
                          ok: &dyn Fn(f64) -> bool,
                          rule: &str| {
            let value = match env(var) {
                Some(text) => match text.trim().replace('_', "").parse::<f64>() {
                    Ok(x) => x,
                    Err(_) => {
                        errors.push(format!("{var}: '{text}' is not a number"));
                        return default;
                    }
                },
                None => file.unwrap_or(default),
            };
            if value.is_finite() && ok(value) {
                value
            } else {
                errors.push(format!(
                    "{}: {value} is out of range; it must be {rule}",
                    where_(key, var)
                ));
                default
            }
        };
        let hourly_cost = number(
            "defaults.hourly_cost",
            "KAKEHASHI_HOURLY_COST",
            d.hourly_cost,
            base.hourly_cost,
            &|x| x >= 0.0,
            "0 or more",
        );
        let automatable_share = number(
            "defaults.automatable_share",
            "KAKEHASHI_AUTOMATABLE_SHARE",
            d.automatable_share,
            base.automatable_share,
            &|x| (0.0..=1.0).contains(&x),
            "between 0 and 1",
        );
        let ml_yearly_cost = number(
            "defaults.ml_yearly_cost",
            "KAKEHASHI_ML_YEARLY_COST",
            d.ml_yearly_cost,
            base.ml_yearly_cost,
            &|x| x > 0.0,
            "more than 0",
        );

        let filter = env("KAKEHASHI_LOG").or(file_config.log.filter);
        if let Some(f) = &filter
            && tracing_subscriber::EnvFilter::try_new(f).is_err()
        {
            errors.push(format!(
                "{}: '{f}' is not a log filter (try info or kakehashi=debug)",
                where_("log.filter", "KAKEHASHI_LOG")
            ));
        }
        let json = match env("KAKEHASHI_LOG_FORMAT")
            .or(file_config.log.format)
            .as_deref()
        {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => {
                errors.push(format!(
                    "{}: '{other}' is not a log format; use text or json",
                    where_("log.format", "KAKEHASHI_LOG_FORMAT")
                ));
                false
            }
        };

        if !errors.is_empty() {
            return Err(ConfigError(errors));
        }
        Ok(Config {
            database,
            prompts_dir,
            defaults: Settings {
                lang,
                value: ValueSettings {
                    currency,
                    hourly_cost,
                    automatable_share,
                    ml_yearly_cost,
                },
            },
            log: LogConfig { filter, json },
            user: env("USER").or_else(|| env("USERNAME")),
            file: file_path,
        })
    }
}

fn parse_file(path: &Path, text: &str, errors: &mut Vec<String>) -> FileConfig {
    match toml::from_str(text) {
        Ok(c) => c,
        Err(e) => {
            errors.push(format!("{}: {}", path.display(), e.message()));
            FileConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn no_file() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn defaults_follow_the_spec() {
        let dir = no_file();
        let missing = dir.path().join("none.toml");
        std::fs::write(&missing, "").unwrap();
        let c = Config::load(Some(&missing), &env(&[])).unwrap();
        assert_eq!(c.database, DatabaseUrl::Sqlite("kakehashi.db".into()));
        assert_eq!(c.defaults, Settings::default());
        assert!(!c.log.json);
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let dir = no_file();
        let file = dir.path().join("k.toml");
        std::fs::write(
            &file,
            "database_url = \"sqlite://a.db\"\n[defaults]\ncurrency = \"USD\"\nhourly_cost = 60\n",
        )
        .unwrap();
        let c = Config::load(Some(&file), &env(&[("KAKEHASHI_DB", "sqlite://b.db")])).unwrap();
        assert_eq!(c.database, DatabaseUrl::Sqlite("b.db".into()));
        assert_eq!(c.defaults.value.currency.code(), "USD");
        assert_eq!(c.defaults.value.hourly_cost, 60.0);
    }

    #[test]
    fn every_bad_key_is_named() {
        let dir = no_file();
        let file = dir.path().join("k.toml");
        std::fs::write(&file, "[defaults]\nautomatable_share = 2\n").unwrap();
        let e = Config::load(
            Some(&file),
            &env(&[
                ("KAKEHASHI_DB", "mysql://x"),
                ("KAKEHASHI_LANG", "fr"),
                ("KAKEHASHI_HOURLY_COST", "lots"),
                ("KAKEHASHI_LOG_FORMAT", "xml"),
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
        ] {
            assert!(text.contains(key), "{key} not named in:\n{text}");
        }
        assert_eq!(e.0.len(), 5);
    }

    #[test]
    fn an_unknown_key_in_the_file_is_named() {
        let dir = no_file();
        let file = dir.path().join("k.toml");
        std::fs::write(&file, "databse_url = \"sqlite://a.db\"\n").unwrap();
        let e = Config::load(Some(&file), &env(&[])).unwrap_err();
        assert!(e.to_string().contains("databse_url"), "{e}");
    }

    #[test]
    fn every_key_is_documented_with_its_variable() {
        let readme = include_str!("../README.md");
        for (key, var, _, _) in KEYS {
            assert!(
                readme.contains(key) && readme.contains(var),
                "README lacks {key} / {var}"
            );
        }
    }
}
