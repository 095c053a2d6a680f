//! The text command grammar: what follows `/ai` in Slack, or what is typed in the console
//! (`need Forecast weekly demand for store 12`). Discord builds its native slash commands from
//! the same registry and turns their options back into this text with [`CommandSpec::line`], so
//! one parser serves every platform.
//!
//! A command is its path (`need`, `admin roles add`) then its parameters in order. A parameter
//! that is a single word may also be given by name in any order (`list status:submitted
//! team:"Store operations"`); a `Text` parameter takes the rest of the line as typed and comes last.
//!
//! To add a command: add a [`CommandSpec`] to [`COMMANDS`], a variant to [`Command`] and its case
//! in [`Command::from_args`], give it `help.<name>.usage`, `.summary` and `.details` in
//! prompts/messages.toml (name = path joined with `_`), and a handler in `handlers/`.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::{ItemKind, ItemRef, Role, Status, UserId, item::BadItemRef};

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Need {
        title: String,
    },
    Seed {
        title: String,
    },
    Mine,
    Show(ItemRef),
    Resume(ItemRef),
    Answers(ItemRef),
    Help {
        topic: Option<String>,
    },
    List(ListFilter),
    Move {
        item: ItemRef,
        to: Status,
        note: String,
    },
    Assign {
        item: ItemRef,
        user: UserId,
    },
    Effort {
        item: ItemRef,
        days: f64,
    },
    /// A preview of the coming weekly digest.
    Digest,
    /// The AI team's stage now, with its signals.
    Stage,
    /// The AI register: what runs in service (SPEC §5).
    Register {
        risk: Option<crate::domain::register::Tier>,
        owner: Option<UserId>,
    },
    /// Take an item out of service, with why.
    Retire {
        item: ItemRef,
        note: String,
    },
    /// Pause reminders for a while (`2w`), or `off` to end the pause.
    Snooze {
        period: String,
    },
    Admin(AdminCommand),
}

/// `list` filters; all optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFilter {
    pub kind: Option<ItemKind>,
    /// A status, or `open` (waiting or under way).
    pub status: Option<String>,
    pub team: Option<String>,
    pub owner: Option<UserId>,
    pub since: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AdminCommand {
    Settings,
    Set {
        key: String,
        value: String,
    },
    Channel {
        which: String,
        channel: Option<String>,
    },
    RoleAdd {
        user: UserId,
        role: Role,
    },
    RoleRemove {
        user: UserId,
        role: Role,
    },
    Roles,
    Stats {
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
    },
    Export {
        what: String,
        format: String,
        since: Option<NaiveDate>,
    },
    Audit {
        /// `all`: the admin actions that only read, too.
        all: bool,
        actor: Option<UserId>,
        item: Option<ItemRef>,
        since: Option<NaiveDate>,
    },
    /// Pin the stage (1–3), or `auto` to follow the signals again.
    PinStage {
        stage: String,
    },
}

/// The status names `move` and `list` take (`list` also takes `open`).
pub const STATUSES: &[&str] = &[
    "screening",
    "submitted",
    "accepted",
    "redirected",
    "declined",
    "in_progress",
    "delivered",
    "closed",
    "withdrawn",
    "idea",
    "prototyping",
    "pitched",
    "in_service",
    "shelved",
];
/// `list` takes every status and `open` (every status that is not final).
const LIST_STATUSES: [&str; STATUSES.len() + 1] = {
    let mut all = ["open"; STATUSES.len() + 1];
    let mut i = 0;
    while i < STATUSES.len() {
        all[i + 1] = STATUSES[i];
        i += 1;
    }
    all
};

/// Upper bound for `effort`, so a typo cannot record a century of work.
pub const MAX_EFFORT_DAYS: f64 = 10_000.0;

/// The settings `admin set` changes.
pub const SETTINGS: &[&str] = &[
    "lang",
    "currency",
    "hourly_cost",
    "automatable_share",
    "ml_yearly_cost",
    "ai_department",
    "timezone",
    "digest_schedule",
    "digest_dms",
    "nudges",
    "nudge_checklist_days",
    "nudge_triage_days",
    "nudge_stale_days",
    "checkin_weeks",
    "review_months",
    "review_months_high",
    "quiet_hours",
];
const ROLES: &[&str] = &["ai_team", "manager", "admin"];

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub kind: ParamKind,
    pub required: bool,
}

const fn req(name: &'static str, kind: ParamKind) -> Param {
    Param { name, kind, required: true }
}

const fn opt(name: &'static str, kind: ParamKind) -> Param {
    Param { name, kind, required: false }
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

/// Every command, in the order `help` lists them.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec { path: &["need"], params: &[opt("title", ParamKind::Text)], admin: false },
    CommandSpec { path: &["seed"], params: &[opt("title", ParamKind::Text)], admin: false },
    CommandSpec { path: &["mine"], params: &[], admin: false },
    CommandSpec { path: &["show"], params: &[req("id", ParamKind::Item)], admin: false },
    CommandSpec { path: &["resume"], params: &[req("id", ParamKind::Item)], admin: false },
    CommandSpec { path: &["answers"], params: &[req("id", ParamKind::Item)], admin: false },
    CommandSpec { path: &["help"], params: &[opt("command", ParamKind::Text)], admin: false },
    CommandSpec {
        path: &["list"],
        params: &[
            opt("kind", ParamKind::Choice(&["need", "seed"])),
            opt("status", ParamKind::Choice(&LIST_STATUSES)),
            opt("team", ParamKind::Word),
            opt("owner", ParamKind::User),
            opt("since", ParamKind::Date),
        ],
        admin: false,
    },
    CommandSpec {
        path: &["move"],
        params: &[req("id", ParamKind::Item), req("status", ParamKind::Choice(STATUSES)), opt("note", ParamKind::Text)],
        admin: false,
    },
    CommandSpec {
        path: &["assign"],
        params: &[req("id", ParamKind::Item), req("user", ParamKind::User)],
        admin: false,
    },
    CommandSpec {
        path: &["effort"],
        params: &[req("id", ParamKind::Item), req("days", ParamKind::Number)],
        admin: false,
    },
    CommandSpec { path: &["digest"], params: &[], admin: false },
    CommandSpec { path: &["stage"], params: &[], admin: false },
    CommandSpec {
        path: &["register"],
        params: &[opt("risk", ParamKind::Choice(&["high", "limited", "minimal"])), opt("owner", ParamKind::User)],
        admin: false,
    },
    CommandSpec {
        path: &["retire"],
        params: &[req("id", ParamKind::Item), req("note", ParamKind::Text)],
        admin: false,
    },
    CommandSpec { path: &["snooze"], params: &[req("period", ParamKind::Word)], admin: false },
    CommandSpec { path: &["admin", "settings"], params: &[], admin: true },
    CommandSpec {
        path: &["admin", "set"],
        params: &[req("setting", ParamKind::Choice(SETTINGS)), req("value", ParamKind::Text)],
        admin: true,
    },
    CommandSpec {
        path: &["admin", "channel"],
        params: &[req("which", ParamKind::Choice(&["triage", "digest"])), opt("channel", ParamKind::Channel)],
        admin: true,
    },
    CommandSpec {
        path: &["admin", "roles", "add"],
        params: &[req("user", ParamKind::User), req("role", ParamKind::Choice(ROLES))],
        admin: true,
    },
    CommandSpec {
        path: &["admin", "roles", "remove"],
        params: &[req("user", ParamKind::User), req("role", ParamKind::Choice(ROLES))],
        admin: true,
    },
    CommandSpec { path: &["admin", "roles", "list"], params: &[], admin: true },
    CommandSpec {
        path: &["admin", "stats"],
        params: &[opt("since", ParamKind::Date), opt("until", ParamKind::Date)],
        admin: true,
    },
    CommandSpec {
        path: &["admin", "export"],
        params: &[
            opt("what", ParamKind::Choice(&["items", "events", "register"])),
            opt("format", ParamKind::Choice(&["csv", "json"])),
            opt("since", ParamKind::Date),
        ],
        admin: true,
    },
    CommandSpec {
        path: &["admin", "stage"],
        params: &[req("stage", ParamKind::Choice(&["1", "2", "3", "auto"]))],
        admin: true,
    },
    CommandSpec {
        path: &["admin", "audit"],
        params: &[
            opt("show", ParamKind::Choice(&["changes", "all"])),
            opt("actor", ParamKind::User),
            opt("item", ParamKind::Item),
            opt("since", ParamKind::Date),
        ],
        admin: true,
    },
];

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
struct Args(BTreeMap<&'static str, String>);

impl Command {
    pub fn parse(text: &str) -> Result<Command, ParseError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Command::Help { topic: None });
        }
        let (spec, rest) = find(text)?;
        let args = parse_args(spec, rest)?;
        Command::from_args(spec, args)
    }

    fn from_args(spec: &'static CommandSpec, args: Args) -> Result<Command, ParseError> {
        let item = |name: &'static str| -> Result<ItemRef, ParseError> {
            let given = args.0.get(name).ok_or(ParseError::Missing { command: spec, param: name })?;
            ItemRef::parse(given).map_err(|BadItemRef(given)| ParseError::BadItem { command: spec, given: cut(&given) })
        };
        let text = |name: &str| args.0.get(name).cloned().unwrap_or_default();
        let word = |name: &str| args.0.get(name).map(|v| v.to_lowercase());
        let date = |name: &str| args.0.get(name).and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok());
        let user = |name: &'static str| -> Result<Option<UserId>, ParseError> {
            match args.0.get(name) {
                None => Ok(None),
                Some(v) => {
                    parse_user(v).map(Some).ok_or(ParseError::BadValue { command: spec, param: name, given: cut(v) })
                }
            }
        };
        let need_user = |name: &'static str| -> Result<UserId, ParseError> {
            user(name)?.ok_or(ParseError::Missing { command: spec, param: name })
        };
        let role =
            || word("role").and_then(|r| Role::parse(&r)).ok_or(ParseError::Missing { command: spec, param: "role" });
        Ok(match spec.key().as_str() {
            "need" => Command::Need { title: text("title") },
            "seed" => Command::Seed { title: text("title") },
            "mine" => Command::Mine,
            "show" => Command::Show(item("id")?),
            "resume" => Command::Resume(item("id")?),
            "answers" => Command::Answers(item("id")?),
            "help" => {
                Command::Help { topic: word("command").map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")) }
            }
            "list" => Command::List(ListFilter {
                kind: word("kind").and_then(|k| ItemKind::parse(&k)),
                status: word("status"),
                team: args.0.get("team").cloned(),
                owner: user("owner")?,
                since: date("since"),
            }),
            "move" => Command::Move {
                item: item("id")?,
                to: word("status")
                    .and_then(|s| Status::parse(&s))
                    .ok_or(ParseError::Missing { command: spec, param: "status" })?,
                note: text("note"),
            },
            "assign" => Command::Assign { item: item("id")?, user: need_user("user")? },
            "effort" => Command::Effort {
                item: item("id")?,
                days: args.0.get("days").and_then(|d| crate::domain::checklist::parse_number(d)).unwrap_or_default(),
            },
            "digest" => Command::Digest,
            "stage" => Command::Stage,
            "register" => Command::Register {
                risk: word("risk").and_then(|r| crate::domain::register::Tier::parse(&r)),
                owner: user("owner")?,
            },
            "retire" => Command::Retire { item: item("id")?, note: text("note") },
            "snooze" => Command::Snooze {
                period: word("period").ok_or(ParseError::Missing { command: spec, param: "period" })?,
            },
            "admin_stage" => Command::Admin(AdminCommand::PinStage { stage: word("stage").unwrap_or_default() }),
            "admin_settings" => Command::Admin(AdminCommand::Settings),
            "admin_set" => {
                Command::Admin(AdminCommand::Set { key: word("setting").unwrap_or_default(), value: text("value") })
            }
            "admin_channel" => Command::Admin(AdminCommand::Channel {
                which: word("which").unwrap_or_default(),
                channel: match args.0.get("channel") {
                    None => None,
                    Some(v) => Some(parse_channel(v).ok_or(ParseError::BadValue {
                        command: spec,
                        param: "channel",
                        given: cut(v),
                    })?),
                },
            }),
            "admin_roles_add" => Command::Admin(AdminCommand::RoleAdd { user: need_user("user")?, role: role()? }),
            "admin_roles_remove" => {
                Command::Admin(AdminCommand::RoleRemove { user: need_user("user")?, role: role()? })
            }
            "admin_roles_list" => Command::Admin(AdminCommand::Roles),
            "admin_stats" => Command::Admin(AdminCommand::Stats { since: date("since"), until: date("until") }),
            "admin_export" => Command::Admin(AdminCommand::Export {
                what: word("what").unwrap_or_else(|| "items".into()),
                format: word("format").unwrap_or_else(|| "csv".into()),
                since: date("since"),
            }),
            "admin_audit" => Command::Admin(AdminCommand::Audit {
                all: word("show").as_deref() == Some("all"),
                actor: user("actor")?,
                item: match args.0.get("item") {
                    Some(_) => Some(item("item")?),
                    None => None,
                },
                since: date("since"),
            }),
            other => unreachable!("command '{other}' is in COMMANDS but not built here"),
        })
    }
}

/// The command whose path the text starts with (the longest), and the rest of the text.
fn find(text: &str) -> Result<(&'static CommandSpec, &str), ParseError> {
    let mut best: Option<(&'static CommandSpec, &str)> = None;
    for spec in COMMANDS {
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
        if matched && best.is_none_or(|(b, _)| spec.path.len() > b.path.len()) {
            best = Some((spec, rest));
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
    for p in spec.params {
        match args.0.get(p.name) {
            None if p.required => {
                return Err(ParseError::Missing { command: spec, param: p.name });
            }
            Some(v) => check(spec, p, v)?,
            None => {}
        }
    }
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

fn check(spec: &'static CommandSpec, p: &Param, v: &str) -> Result<(), ParseError> {
    let bad = || ParseError::BadValue { command: spec, param: p.name, given: cut(v) };
    match p.kind {
        ParamKind::Item => {
            ItemRef::parse(v).map(|_| ()).map_err(|_| ParseError::BadItem { command: spec, given: cut(v) })
        }
        ParamKind::Number => crate::domain::checklist::parse_number(v).map(|_| ()).ok_or_else(bad),
        ParamKind::Date => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").map(|_| ()).map_err(|_| bad()),
        ParamKind::Choice(list) => {
            if list.iter().any(|c| c.eq_ignore_ascii_case(v)) {
                Ok(())
            } else {
                Err(bad())
            }
        }
        ParamKind::User => parse_user(v).map(|_| ()).ok_or_else(bad),
        ParamKind::Channel => parse_channel(v).map(|_| ()).ok_or_else(bad),
        ParamKind::Word | ParamKind::Text => Ok(()),
    }
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
    valid_id(id).then(|| id.to_string())
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

fn cut(s: &str) -> String {
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
    use crate::domain::ItemKind;

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
        assert_eq!(Command::parse("show N-12"), Ok(Command::Show(n12)));
        assert_eq!(Command::parse("show id:N-12"), Ok(Command::Show(n12)));
        assert_eq!(Command::parse("resume n12"), Ok(Command::Resume(n12)));
        assert_eq!(Command::parse("show"), Err(ParseError::Missing { command: spec("show"), param: "id" }));
        assert_eq!(Command::parse("show X-1"), Err(ParseError::BadItem { command: spec("show"), given: "X-1".into() }));
        assert_eq!(
            Command::parse("answers N-1 N-2"),
            Err(ParseError::Extra { command: spec("answers"), extra: "N-2".into() })
        );
    }

    #[test]
    fn empty_text_asks_for_help_and_typos_get_a_suggestion() {
        assert_eq!(Command::parse("   "), Ok(Command::Help { topic: None }));
        assert_eq!(Command::parse("help Need"), Ok(Command::Help { topic: Some("need".into()) }));
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
                item: ItemRef { kind: ItemKind::Need, number: 3 },
                to: Status::Declined,
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
                item: n3,
                to: Status::Redirected,
                note: "Use the BI dashboard: it has the figures".into()
            })
        );
        assert_eq!(Command::parse("assign N-3 <@U7|taro>"), Ok(Command::Assign { item: n3, user: "U7".into() }));
        assert_eq!(Command::parse("effort N-3 2.5"), Ok(Command::Effort { item: n3, days: 2.5 }));
        assert!(matches!(Command::parse("effort N-3 lots"), Err(ParseError::BadValue { param: "days", .. })));
        assert!(matches!(Command::parse("move N-3 finished"), Err(ParseError::BadValue { param: "status", .. })));
        assert_eq!(
            Command::parse("list status:open team:\"Store operations\" since:2026-01-01"),
            Ok(Command::List(ListFilter {
                status: Some("open".into()),
                team: Some("Store operations".into()),
                since: NaiveDate::from_ymd_opt(2026, 1, 1),
                ..ListFilter::default()
            }))
        );
        assert_eq!(
            Command::parse("admin roles add @taro ai_team"),
            Ok(Command::Admin(AdminCommand::RoleAdd { user: "taro".into(), role: Role::AiTeam }))
        );
        assert_eq!(
            Command::parse("admin channel triage <#C9|ai>"),
            Ok(Command::Admin(AdminCommand::Channel { which: "triage".into(), channel: Some("C9".into()) }))
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
}
