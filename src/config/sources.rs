//! Where values come from: the environment over the file, read and checked key by key; and the
//! checks that name what is not a key (a file's unknown key, a mistyped variable).

use std::collections::BTreeMap;
use std::path::Path;

use super::keys::{CONFIG_FILE_VAR, KEYS, Key};

/// Where values come from: the environment over the file.
pub(super) struct Sources<'a> {
    pub(super) file: BTreeMap<String, toml::Value>,
    pub(super) env: &'a dyn Fn(&str) -> Option<String>,
    pub(super) errors: Vec<String>,
}

impl Sources<'_> {
    pub(super) fn spec(name: &str) -> &'static Key {
        KEYS.iter().find(|k| k.key == name).expect("every key read is in KEYS")
    }

    /// The raw value and where it came from (the variable or the file key), if set.
    pub(super) fn raw(&self, name: &str) -> Option<(String, String)> {
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

    pub(super) fn text(&self, name: &str) -> Option<String> {
        self.raw(name).map(|(v, _)| v.trim().to_string()).filter(|v| !v.is_empty())
    }

    pub(super) fn parse<T>(&mut self, name: &str, default: T, parse: impl Fn(&str) -> Result<T, String>) -> T {
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

    pub(super) fn number(&mut self, name: &str, default: f64, ok: impl Fn(f64) -> bool, rule: &str) -> f64 {
        self.parse(name, default, |v| {
            let x: f64 = v.replace('_', "").parse().map_err(|_| format!("'{v}' is not a number"))?;
            if x.is_finite() && ok(x) { Ok(x) } else { Err(format!("{v} is out of range; it must be {rule}")) }
        })
    }

    pub(super) fn list(&self, name: &str) -> Vec<String> {
        self.text(name)
            .map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    }

    pub(super) fn error(&mut self, message: String) {
        self.errors.push(message);
    }
}

/// Reads the TOML file into dotted keys, naming any key kakehashi does not know.
pub(super) fn read_file(path: &Path, text: &str, s: &mut Sources) {
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
