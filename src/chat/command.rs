//! The text command grammar: what follows `/ai` in Slack, or what is typed in the console
//! (`need Forecast weekly demand for store 12`). Discord builds its native slash commands from
//! the same registry and turns their options back into this text with [`CommandSpec::line`], so
//! one parser serves every platform.
//!
//! A command is its path (`need`, `admin roles add`) then its parameters in order. A parameter
//! that is a single word may also be given by name in any order (`list status:submitted
//! team:"Store operations"`); a `Text` parameter takes the rest of the line as typed and comes last.
//!
//! The commands themselves are declared in `registry.rs` (to add one, see there); this file
//! reads a line into the parameters' values, which the registry's builders turn into a typed
//! [`Command`].

use std::collections::BTreeMap;

use super::registry::{BUILD, Build, COMMANDS, Command};
use crate::domain::UserId;

/// Upper bound for `effort`, so a typo cannot record a century of work.
pub const MAX_EFFORT_DAYS: f64 = 10_000.0;

/// What kind of value a parameter takes; Discord picks its option type from this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// An item id such as N-12 (Discord autocompletes it).
    Item,
    /// One word.
    Word,
    /// The rest of the line, as typed.
    Text,
    /// A person (a mention, or a console name).
    User,
    /// A number.
    Number,
    /// A date, YYYY-MM-DD.
    Date,
    /// A channel (a channel mention, or a name in the console).
    Channel,
    /// One of a fixed list.
    Choice(&'static [&'static str]),
}

/// The bounds of a parameter's value beyond its kind, which a platform with typed options
/// (Discord) enforces as the person types. Declared with the field in the registry
/// (`title: String [max Title::MAX]`, `days: f64 [range 0.0, MAX_EFFORT_DAYS]`), or else the
/// value type's own ([`Value::LIMIT`](super::args::Value::LIMIT): an item id is at most 20
/// characters, a date exactly 10).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// Only the platform's own.
    None,
    /// A text of `min` to `max` characters (`min` 0: no lower bound).
    Chars { min: usize, max: usize },
    /// A number from `min` to `max`.
    Range { min: f64, max: f64 },
}

/// The bounds are constants, never NaN.
impl Eq for Limit {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub kind: ParamKind,
    pub required: bool,
    pub limit: Limit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandSpec {
    /// The words that name it: `["need"]`, `["admin", "roles", "add"]`.
    pub path: &'static [&'static str],
    pub params: &'static [Param],
    /// Only admins may run it; Discord registers it under its own hidden command.
    pub admin: bool,
}

impl CommandSpec {
    /// The key of its texts in prompts/messages.toml: `need`, `admin_roles_add`.
    pub fn key(&self) -> String {
        self.path.join("_")
    }

    /// The path as typed: `need`, `admin roles add`.
    pub fn name(&self) -> String {
        self.path.join(" ")
    }

    /// The text line for these parameter values (as a transport with typed options, such as
    /// Discord, received them): positional while they come in order, by name after a gap.
    pub fn line(&self, values: &BTreeMap<String, String>) -> String {
        let mut line = self.name();
        let mut positional = true;
        for p in self.params {
            match values.get(p.name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
                None => positional = false,
                Some(v) if p.kind == ParamKind::Text => {
                    // text that starts like `note:` would be read as that parameter by name
                    if positional && named(self, v).is_none() {
                        line.push(' ');
                        line.push_str(v);
                    } else {
                        line.push_str(&format!(" {}:{}", p.name, quote(v)));
                    }
                }
                Some(v)
                    if positional && !v.contains(char::is_whitespace) && !v.contains(':') && !v.starts_with('"') =>
                {
                    line.push(' ');
                    line.push_str(v);
                }
                Some(v) => {
                    positional = false;
                    line.push_str(&format!(" {}:{}", p.name, quote(v)));
                }
            }
        }
        line
    }
}

fn quote(v: &str) -> String {
    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Not a command; the closest one, if any is close.
    Unknown {
        given: String,
        suggestion: Option<&'static CommandSpec>,
    },
    /// A required parameter is missing.
    Missing {
        command: &'static CommandSpec,
        param: &'static str,
    },
    BadItem {
        command: &'static CommandSpec,
        given: String,
    },
    /// A value that does not fit its parameter (`expected` names the kind or the choices).
    BadValue {
        command: &'static CommandSpec,
        param: &'static str,
        given: String,
    },
    /// More than the command takes, or a name it does not have.
    Extra {
        command: &'static CommandSpec,
        extra: String,
    },
}

/// The parameter values of a parsed command line, by name.
#[derive(Debug, Default)]
pub struct Args(BTreeMap<&'static str, String>);

impl Args {
    /// The value given for a parameter, if any.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

impl Command {
    pub fn parse(text: &str) -> Result<Command, ParseError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Command::Help { command: None });
        }
        let (spec, build, rest) = find(text)?;
        let args = parse_args(spec, rest)?;
        build(spec, &args)
    }
}

/// The command whose path the text starts with (the longest), its builder, and the rest of the
/// text.
fn find(text: &str) -> Result<(&'static CommandSpec, Build, &str), ParseError> {
    let mut best: Option<(&'static CommandSpec, Build, &str)> = None;
    for (spec, build) in COMMANDS.iter().zip(BUILD) {
        let mut rest = text;
        let mut matched = true;
        for word in spec.path {
            let (first, after) = split_word(rest);
            if !first.eq_ignore_ascii_case(word) {
                matched = false;
                break;
            }
            rest = after;
        }
        if matched && best.is_none_or(|(b, _, _)| spec.path.len() > b.path.len()) {
            best = Some((spec, *build, rest));
        }
    }
    best.ok_or_else(|| {
        let (word, _) = split_word(text);
        ParseError::Unknown { given: cut(word), suggestion: suggest(&word.to_lowercase()) }
    })
}

fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim_start()),
        None => (s, ""),
    }
}

/// Reads the parameters: positional words in order, `name:value` in any order, and a final
/// `Text` parameter that takes the rest of the line.
fn parse_args(spec: &'static CommandSpec, mut rest: &str) -> Result<Args, ParseError> {
    let mut args = Args::default();
    let mut next = 0;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        // name:value (a word parameter given by name)
        if let Some((name, after)) = named(spec, rest) {
            let (value, after) = value(after);
            args.0.insert(name.name, value);
            rest = after;
            continue;
        }
        let Some(param) = spec.params.iter().skip(next).find(|p| !args.0.contains_key(p.name)) else {
            return Err(ParseError::Extra { command: spec, extra: cut(split_word(rest).0) });
        };
        next = spec.params.iter().position(|p| p.name == param.name).unwrap_or(0) + 1;
        if param.kind == ParamKind::Text {
            args.0.insert(param.name, rest.trim().to_string());
            break;
        }
        let (value, after) = value(rest);
        args.0.insert(param.name, value);
        rest = after;
    }
    // whether each value fits its parameter, and that the required ones are there, the
    // registry's builder checks as it reads them, in order
    Ok(args)
}

/// `status:submitted` → the parameter it names, and what follows the colon.
fn named<'a>(spec: &CommandSpec, s: &'a str) -> Option<(&'static Param, &'a str)> {
    let colon = s.find(':')?;
    let name = &s[..colon];
    if name.contains(char::is_whitespace) {
        return None;
    }
    spec.params.iter().find(|p| p.name.eq_ignore_ascii_case(name)).map(|p| (p, &s[colon + 1..]))
}

/// One value: a word, or a "quoted string" with \" and \\ escapes.
fn value(s: &str) -> (String, &str) {
    if let Some(inner) = s.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = inner.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, next)) = chars.next() {
                        out.push(next);
                    }
                }
                '"' => return (out, &inner[i + 1..]),
                c => out.push(c),
            }
        }
        return (out, "");
    }
    let (word, rest) = split_word(s);
    (word.to_string(), rest)
}

/// A person as typed or as the platform escapes them: `<@U0123|aiko>` (Slack), `<@8123>` or
/// `<@!8123>` (Discord), `@aiko` or `aiko` (the console). Returns the user id.
pub fn parse_user(v: &str) -> Option<UserId> {
    let v = v.trim();
    let id = if let Some(inner) = v.strip_prefix("<@").and_then(|r| r.strip_suffix('>')) {
        let inner = inner.strip_prefix('!').unwrap_or(inner);
        inner.split('|').next().unwrap_or("")
    } else {
        v.strip_prefix('@').unwrap_or(v)
    };
    valid_id(id).then(|| UserId::from(id))
}

/// A channel as typed or escaped: `<#C0123|ai-team>` (Slack), `<#8123>` (Discord), `#ai-team` or
/// `ai-team` (the console). Returns the channel id.
pub fn parse_channel(v: &str) -> Option<String> {
    let v = v.trim();
    let id = if let Some(inner) = v.strip_prefix("<#").and_then(|r| r.strip_suffix('>')) {
        inner.split('|').next().unwrap_or("")
    } else {
        v.strip_prefix('#').unwrap_or(v)
    };
    valid_id(id).then(|| id.to_string())
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

pub(super) fn cut(s: &str) -> String {
    s.chars().take(40).collect()
}

/// The command within two edits of what was typed, if there is one.
fn suggest(given: &str) -> Option<&'static CommandSpec> {
    COMMANDS
        .iter()
        .filter(|c| !c.admin)
        .map(|c| (crate::domain::text::edit_distance(given, c.path[0]), c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::args::{ChannelId, ChannelPurpose, ListStatus, Word};
    use crate::domain::{ItemKind, ItemRef, Role, Status};
    use chrono::NaiveDate;

    fn spec(name: &str) -> &'static CommandSpec {
        COMMANDS.iter().find(|c| c.name() == name).unwrap()
    }

    #[test]
    fn a_need_takes_the_rest_of_the_line_as_its_title() {
        assert_eq!(
            Command::parse("need Forecast weekly demand for store 12"),
            Ok(Command::Need { title: "Forecast weekly demand for store 12".into() })
        );
        assert_eq!(
            Command::parse("need Don't \"guess\": forecast"),
            Ok(Command::Need { title: "Don't \"guess\": forecast".into() }),
            "a title is taken as typed, quotes and colons included"
        );
        assert_eq!(Command::parse("NEED"), Ok(Command::Need { title: String::new() }));
    }

    #[test]
    fn item_commands_take_exactly_one_id() {
        let n12 = ItemRef { kind: ItemKind::Need, number: 12 };
        assert_eq!(Command::parse("show N-12"), Ok(Command::Show { id: n12 }));
        assert_eq!(Command::parse("show id:N-12"), Ok(Command::Show { id: n12 }));
        assert_eq!(Command::parse("resume n12"), Ok(Command::Resume { id: n12 }));
        assert_eq!(Command::parse("show"), Err(ParseError::Missing { command: spec("show"), param: "id" }));
        assert_eq!(Command::parse("show X-1"), Err(ParseError::BadItem { command: spec("show"), given: "X-1".into() }));
        assert_eq!(
            Command::parse("answers N-1 N-2"),
            Err(ParseError::Extra { command: spec("answers"), extra: "N-2".into() })
        );
    }

    #[test]
    fn empty_text_asks_for_help_and_typos_get_a_suggestion() {
        assert_eq!(Command::parse("   "), Ok(Command::Help { command: None }));
        assert_eq!(
            Command::parse("help Need"),
            Ok(Command::Help { command: Some(crate::chat::args::Topic("need".into())) })
        );
        assert_eq!(
            Command::parse("nede x"),
            Err(ParseError::Unknown { given: "nede".into(), suggestion: Some(spec("need")) })
        );
        assert_eq!(
            Command::parse("frobnicate"),
            Err(ParseError::Unknown { given: "frobnicate".into(), suggestion: None })
        );
        assert_eq!(
            Command::parse("mine please"),
            Err(ParseError::Extra { command: spec("mine"), extra: "please".into() })
        );
    }

    #[test]
    fn a_line_built_from_typed_options_parses_back_to_the_same_command() {
        let values = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let need = spec("need");
        let line = need.line(&values(&[("title", "Forecast demand: \"weekly\"")]));
        assert_eq!(Command::parse(&line), Ok(Command::Need { title: "Forecast demand: \"weekly\"".into() }));
        let show = spec("show");
        assert_eq!(show.line(&values(&[("id", "N-3")])), "show N-3");
        assert_eq!(spec("help").line(&values(&[])), "help");
    }

    #[test]
    fn typed_text_that_starts_like_a_parameter_name_stays_text() {
        // found by fuzzing (fuzz/fuzz_targets/command_grammar.rs): a Discord title such as
        // "title: Forecast demand" made the line `need title: Forecast demand`, read as the title
        // "Forecast" and a word too many
        let values = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let line = spec("need").line(&values(&[("title", "title: Forecast demand")]));
        assert_eq!(Command::parse(&line), Ok(Command::Need { title: "title: Forecast demand".into() }), "{line}");
        let line = spec("move").line(&values(&[("id", "N-3"), ("status", "declined"), ("note", "id: N-4 does it")]));
        assert_eq!(
            Command::parse(&line),
            Ok(Command::Move {
                id: ItemRef { kind: ItemKind::Need, number: 3 },
                status: Status::Declined,
                note: "id: N-4 does it".into()
            }),
            "{line}"
        );
        let typed = "Don't \"guess\": forecast";
        assert_eq!(spec("need").line(&values(&[("title", typed)])), format!("need {typed}"), "as typed where it can");
    }

    #[test]
    fn people_and_channels_are_read_however_the_platform_writes_them() {
        assert_eq!(parse_user("<@U0123|aiko>").as_deref(), Some("U0123"));
        assert_eq!(parse_user("<@!81234>").as_deref(), Some("81234"));
        assert_eq!(parse_user("@aiko").as_deref(), Some("aiko"));
        assert_eq!(parse_user("<!channel>"), None);
        assert_eq!(parse_user("a b"), None);
        assert_eq!(parse_channel("<#C0123|ai-team>").as_deref(), Some("C0123"));
        assert_eq!(parse_channel("#triage").as_deref(), Some("triage"));
    }

    #[test]
    fn lifecycle_and_admin_commands_parse_with_their_parameters() {
        let n3 = ItemRef { kind: ItemKind::Need, number: 3 };
        assert_eq!(
            Command::parse("move N-3 redirected Use the BI dashboard: it has the figures"),
            Ok(Command::Move {
                id: n3,
                status: Status::Redirected,
                note: "Use the BI dashboard: it has the figures".into()
            })
        );
        assert_eq!(Command::parse("assign N-3 <@U7|taro>"), Ok(Command::Assign { id: n3, user: "U7".into() }));
        assert_eq!(Command::parse("effort N-3 2.5"), Ok(Command::Effort { id: n3, days: 2.5 }));
        assert!(matches!(Command::parse("effort N-3 lots"), Err(ParseError::BadValue { param: "days", .. })));
        assert!(matches!(Command::parse("move N-3 finished"), Err(ParseError::BadValue { param: "status", .. })));
        assert_eq!(
            Command::parse("list status:open team:\"Store operations\" since:2026-01-01"),
            Ok(Command::List {
                kind: None,
                status: Some(ListStatus::Open),
                team: Some(Word("Store operations".into())),
                owner: None,
                since: NaiveDate::from_ymd_opt(2026, 1, 1),
            })
        );
        assert_eq!(
            Command::parse("admin roles add @taro ai_team"),
            Ok(Command::AdminRolesAdd { user: "taro".into(), role: Role::AiTeam })
        );
        assert_eq!(
            Command::parse("admin channel triage <#C9|ai>"),
            Ok(Command::AdminChannel { which: ChannelPurpose::Triage, channel: Some(ChannelId("C9".into())) })
        );
        assert!(matches!(Command::parse("admin"), Err(ParseError::Unknown { .. })));
    }

    #[test]
    fn quoted_values_keep_spaces_and_escapes() {
        assert_eq!(value("\"Store operations\" rest"), ("Store operations".to_string(), " rest"));
        assert_eq!(value("\"say \\\"hi\\\"\""), ("say \"hi\"".to_string(), ""));
        assert_eq!(value("\"unterminated"), ("unterminated".to_string(), ""));
    }

    #[test]
    fn command_paths_are_unique_lowercase_words_and_text_comes_last() {
        let mut names: Vec<String> = COMMANDS.iter().map(|c| c.name()).collect();
        for c in COMMANDS {
            assert!(c.path.iter().all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase())), "{c:?}");
            let text = c.params.iter().position(|p| p.kind == ParamKind::Text);
            assert!(text.is_none_or(|i| i == c.params.len() - 1), "{}: text is the last parameter", c.name());
            assert!(
                c.params
                    .iter()
                    .all(|p| { p.name.len() <= 32 && p.name.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_') })
            );
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), COMMANDS.len());
    }

    #[test]
    fn every_text_parameter_declares_how_long_it_may_be_and_the_registry_keeps_the_stored_limits() {
        use crate::domain::text::{Note, TeamName, Title};
        for c in COMMANDS {
            for p in c.params {
                if p.kind == ParamKind::Text {
                    assert!(
                        matches!(p.limit, Limit::Chars { .. }),
                        "{} {}: a text declares its [max N]",
                        c.name(),
                        p.name
                    );
                }
                let stored = match p.name {
                    "title" => Some(Title::MAX),
                    "note" => Some(Note::MAX),
                    "team" => Some(TeamName::MAX),
                    _ => None,
                };
                if let Some(max) = stored {
                    assert_eq!(p.limit, Limit::Chars { min: 0, max }, "{} {}", c.name(), p.name);
                }
            }
        }
        let effort = COMMANDS.iter().find(|c| c.key() == "effort").unwrap();
        assert_eq!(effort.params[1].limit, Limit::Range { min: 0.0, max: MAX_EFFORT_DAYS });
    }
}
