//! Every user-facing text: the checklist (prompts/checklist.toml), the bot's messages
//! (prompts/messages.toml) and the stages with their pains and remedies (prompts/stages.toml),
//! all built into the binary and checked whole at start-up.
//!
//! A directory given by `prompts.dir` (KAKEHASHI_PROMPTS_DIR) may hold files of the same names
//! with only the parts to change; they are merged over the built-in ones at start-up, so wording
//! changes need no rebuild. Tables merge key by key, `[[questions]]` by `id`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::domain::Lang;
use crate::domain::checklist::Checklist;
use crate::domain::text::{Localized, check_localized, fill, flatten_localized};

const CHECKLIST: &str = include_str!("../prompts/checklist.toml");
const MESSAGES: &str = include_str!("../prompts/messages.toml");
const STAGES: &str = include_str!("../prompts/stages.toml");

#[derive(Debug, Clone)]
pub struct Prompts {
    pub checklist: Checklist,
    /// As written, commands marked with backticks (see [`crate::chat::Syntax`]).
    messages: BTreeMap<String, Localized>,
    /// The same with the marks taken off: commands as the console takes them.
    plain: BTreeMap<String, Localized>,
}

#[derive(Debug, thiserror::Error)]
pub enum PromptsError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("cannot read {file}: {source}")]
    Read { file: String, source: std::io::Error },
}

impl Prompts {
    /// The built-in texts.
    pub fn embedded() -> Prompts {
        Prompts::load(None).expect("the built-in prompts are valid (a test checks them)")
    }

    /// The built-in texts with any overrides from `dir` merged over them.
    pub fn load(dir: Option<&Path>) -> Result<Prompts, PromptsError> {
        let checklist = read("checklist.toml", CHECKLIST, dir)?;
        let checklist = Checklist::from_toml(checklist).map_err(|e| invalid("checklist.toml", e.0))?;
        let mut messages = texts("messages.toml", MESSAGES, dir, "")?;
        // the stages' texts live in their own file; their keys start with `stages.`
        messages.extend(texts("stages.toml", STAGES, dir, "stages.")?);
        let unmark = |s: &str| s.replace('`', "");
        let plain =
            messages.iter().map(|(k, t)| (k.clone(), Localized { en: unmark(&t.en), ja: unmark(&t.ja) })).collect();
        Ok(Prompts { checklist, messages, plain })
    }

    /// A message by key, in `lang`. Keys are checked by a test against the source code; an
    /// unknown key shows itself rather than failing.
    /// Commands in it read as the console takes them; [`Prompts::marked`] keeps their marks.
    pub fn get<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        self.plain.get(key).map(|t| t.get(lang)).unwrap_or(key)
    }

    /// A message as written, its commands marked with backticks, for
    /// [`Syntax::render`](crate::chat::Syntax::render).
    pub fn marked<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        self.messages.get(key).map(|t| t.get(lang)).unwrap_or(key)
    }

    /// A message with its `{placeholders}` filled.
    pub fn fill(&self, lang: Lang, key: &str, args: &[(&str, String)]) -> String {
        fill(self.get(lang, key), args)
    }

    pub fn message_keys(&self) -> impl Iterator<Item = &str> {
        self.messages.keys().map(String::as_str)
    }
}

/// The texts of one file, overrides merged, every key known and complete in every language.
fn texts(
    file: &str,
    builtin: &str,
    dir: Option<&Path>,
    prefix: &str,
) -> Result<BTreeMap<String, Localized>, PromptsError> {
    let base = flatten_localized(parse(file, builtin)?).map_err(|e| invalid(file, e))?;
    let merged = flatten_localized(read(file, builtin, dir)?).map_err(|e| invalid(file, e))?;
    let mut out = BTreeMap::new();
    for (key, text) in merged {
        if !base.contains_key(&key) {
            return Err(invalid(file, format!("'{key}' is not a text kakehashi uses (a typo?)")));
        }
        check_localized(&key, &text).map_err(|e| invalid(file, e))?;
        out.insert(format!("{prefix}{key}"), text);
    }
    Ok(out)
}

fn invalid(file: &str, message: impl Into<String>) -> PromptsError {
    PromptsError::Invalid { file: file.to_string(), message: message.into() }
}

fn parse(file: &str, text: &str) -> Result<toml::Value, PromptsError> {
    text.parse::<toml::Table>().map(toml::Value::Table).map_err(|e| invalid(file, e.message().to_string()))
}

fn read(name: &str, builtin: &str, dir: Option<&Path>) -> Result<toml::Value, PromptsError> {
    let mut value = parse(name, builtin)?;
    if let Some(dir) = dir {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let shown = path.display().to_string();
                let over = parse(&shown, &text)?;
                merge(&mut value, over, "").map_err(|m| invalid(&shown, m))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(PromptsError::Read { file: path.display().to_string(), source });
            }
        }
    }
    Ok(value)
}

/// Merges `over` into `base`: tables key by key, arrays of tables with an `id` by id (new ids are
/// appended), anything else replaced.
pub fn merge(base: &mut toml::Value, over: toml::Value, path: &str) -> Result<(), String> {
    use toml::Value;
    match (base, over) {
        (Value::Table(b), Value::Table(o)) => {
            for (k, v) in o {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v, &p)?,
                    None => {
                        b.insert(k, v);
                    }
                }
            }
            Ok(())
        }
        (Value::Array(b), Value::Array(o)) if o.iter().all(|v| id_of(v).is_some()) => {
            for item in o {
                let id = id_of(&item).unwrap_or_default();
                match b.iter_mut().find(|e| id_of(e).as_deref() == Some(id.as_str())) {
                    Some(existing) => merge(existing, item, &format!("{path}[{id}]"))?,
                    None => b.push(item),
                }
            }
            Ok(())
        }
        (b, o) => {
            if std::mem::discriminant(b) != std::mem::discriminant(&o) {
                return Err(format!("'{path}' has the wrong type ({} instead of {})", o.type_str(), b.type_str()));
            }
            *b = o;
            Ok(())
        }
    }
}

fn id_of(v: &toml::Value) -> Option<String> {
    v.as_table()?.get("id")?.as_str().map(str::to_string)
}
