//! Discord's slash commands, generated from the command registry ([`COMMANDS`]), and the way
//! back: an invoked command's options become the text line the one parser reads.
//!
//! `/ai` gets a subcommand for every member command (a path of two words becomes a subcommand
//! group); admin commands (paths starting with `admin`) go under `/ai-admin`, whose default
//! member permissions (Manage Server) hide it from everyone else. Each parameter becomes an
//! option of its kind: an item id a string that autocompletes from the person's own items, a
//! person a USER option (written back as `<@ID>`), a number a NUMBER, a choice a string with
//! its choices, a channel a CHANNEL of the kinds a message can be posted in, anything else a
//! string. The bounds each parameter declares in the registry ([`Limit`]: a stored text's
//! length, a number's range) become the option's `max_length`/`min_length` or
//! `min_value`/`max_value`, so Discord stops a person at the limit instead of the bot refusing
//! afterwards. Descriptions come from
//! prompts/messages.toml (`help.<key>.summary` for commands, `discord.option.<command>_<option>`
//! or else `discord.option.<option>` for options, cut to 100 characters), in English with
//! Japanese as the `ja` localisation.
//!
//! Adding a command to the registry adds it here: nothing to change in this file.

use std::collections::BTreeMap;

use serenity::all::{
    ChannelType, CommandData, CommandDataOption, CommandDataOptionValue, CommandOptionType, CreateCommand,
    CreateCommandOption, InteractionContext, Permissions,
};

use crate::chat::{COMMANDS, CommandSpec, Limit, Param, ParamKind};
use crate::domain::Lang;
use crate::prompts::Prompts;

/// The command members use.
pub const MEMBER_COMMAND: &str = "ai";
/// The command only server managers see.
pub const ADMIN_COMMAND: &str = "ai-admin";
/// The first word of every admin command's path.
const ADMIN_WORD: &str = "admin";

const NAME_MAX: usize = 32;
const DESCRIPTION_MAX: usize = 100;
const OPTIONS_MAX: usize = 25;

/// A registry entry that Discord cannot express.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the command '{command}' cannot be a Discord command: {reason}")]
pub struct MappingError {
    pub command: String,
    pub reason: String,
}

/// Where a registry command lives on Discord: the top command, then one or two words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub top: &'static str,
    /// A subcommand group, for a path of two words under the top command.
    pub group: Option<&'static str>,
    pub sub: &'static str,
}

pub fn placement(spec: &CommandSpec) -> Result<Placement, MappingError> {
    let fail = |reason: &str| MappingError { command: spec.name(), reason: reason.to_string() };
    let (top, words) = match (spec.admin, spec.path.first()) {
        (true, Some(&ADMIN_WORD)) => (ADMIN_COMMAND, &spec.path[1..]),
        (true, _) => return Err(fail("an admin command's path starts with 'admin'")),
        (false, Some(&ADMIN_WORD)) => {
            return Err(fail("a path starting with 'admin' is for admin commands"));
        }
        (false, _) => (MEMBER_COMMAND, spec.path),
    };
    if words.iter().any(|w| w.is_empty() || w.len() > NAME_MAX) {
        return Err(fail("each word is 1 to 32 characters"));
    }
    match words {
        [sub] => Ok(Placement { top, group: None, sub }),
        [group, sub] => Ok(Placement { top, group: Some(group), sub }),
        [] => Err(fail("it needs a word after 'admin'")),
        _ => Err(fail("Discord nests at most a group and a subcommand")),
    }
}

/// Every command to register, from `specs` (the registry: [`COMMANDS`]).
pub fn commands(specs: &[CommandSpec], prompts: &Prompts) -> Result<Vec<CreateCommand>, MappingError> {
    let mut out = Vec::new();
    for (top, admin) in [(MEMBER_COMMAND, false), (ADMIN_COMMAND, true)] {
        let members: Vec<(&CommandSpec, Placement)> = specs
            .iter()
            .filter(|s| s.admin == admin)
            .map(|s| placement(s).map(|p| (s, p)))
            .collect::<Result<_, _>>()?;
        if members.is_empty() {
            continue;
        }
        let key = if admin { "discord.ai_admin" } else { "discord.ai" };
        let (en, ja) = texts(prompts, key, &[]);
        let mut command = CreateCommand::new(top).description(en).description_localized("ja", ja);
        if admin {
            command =
                command.default_member_permissions(Permissions::MANAGE_GUILD).contexts(vec![InteractionContext::Guild]);
        }
        // top-level entries in registry order: subcommands, and groups where a path has two words
        let mut entries: Vec<Entry> = Vec::new();
        let mut groups: BTreeMap<&str, Vec<CreateCommandOption>> = BTreeMap::new();
        for (spec, place) in &members {
            let sub = subcommand(spec, place.sub, prompts)?;
            let taken = |name: &str, as_group: bool| {
                entries.iter().any(|e| match e {
                    Entry::Sub(n, _) => *n == name,
                    Entry::Group(g) => *g == name && !as_group,
                })
            };
            match place.group {
                None if taken(place.sub, false) => return Err(duplicate(spec)),
                None => entries.push(Entry::Sub(place.sub, Box::new(sub))),
                Some(group) if taken(group, true) => return Err(duplicate(spec)),
                Some(group) => {
                    let list = groups.entry(group).or_default();
                    if list.is_empty() {
                        entries.push(Entry::Group(group));
                    }
                    list.push(sub);
                }
            }
        }
        if entries.len() > OPTIONS_MAX || groups.values().any(|g| g.len() > OPTIONS_MAX) {
            return Err(MappingError {
                command: top.to_string(),
                reason: "Discord takes at most 25 subcommands in a command or group".into(),
            });
        }
        for entry in entries {
            let option = match entry {
                Entry::Sub(_, option) => *option,
                Entry::Group(group) => {
                    let prefix = if admin { format!("{ADMIN_WORD}_") } else { String::new() };
                    let summary = format!("help.{prefix}{group}.summary");
                    let (en, ja) = if has(prompts, &summary) {
                        texts(prompts, &summary, &[])
                    } else {
                        texts(prompts, "discord.group", &[("group", group.to_string())])
                    };
                    let mut g = CreateCommandOption::new(CommandOptionType::SubCommandGroup, group, en)
                        .description_localized("ja", ja);
                    for sub in groups.remove(group).unwrap_or_default() {
                        g = g.add_sub_option(sub);
                    }
                    g
                }
            };
            command = command.add_option(option);
        }
        out.push(command);
    }
    Ok(out)
}

/// A top-level entry of a command: a subcommand, or a group filled in afterwards.
enum Entry {
    Sub(&'static str, Box<CreateCommandOption>),
    Group(&'static str),
}

fn duplicate(spec: &CommandSpec) -> MappingError {
    MappingError { command: spec.name(), reason: "a word is used both as a command and as a group".into() }
}

fn subcommand(spec: &CommandSpec, name: &str, prompts: &Prompts) -> Result<CreateCommandOption, MappingError> {
    if spec.params.len() > OPTIONS_MAX {
        return Err(MappingError { command: spec.name(), reason: "Discord takes at most 25 options".into() });
    }
    let (en, ja) = texts(prompts, &format!("help.{}.summary", spec.key()), &[]);
    let mut sub = CreateCommandOption::new(CommandOptionType::SubCommand, name, en).description_localized("ja", ja);
    // Discord wants required options first; the text line accepts any order.
    let mut params: Vec<&Param> = spec.params.iter().collect();
    params.sort_by_key(|p| !p.required);
    for p in params {
        sub = sub.add_sub_option(option(spec, p, prompts));
    }
    Ok(sub)
}

/// The channels a message can be posted in: text and announcement channels.
pub const POSTABLE: [ChannelType; 2] = [ChannelType::Text, ChannelType::News];

fn option(spec: &CommandSpec, p: &Param, prompts: &Prompts) -> CreateCommandOption {
    let kind = match p.kind {
        ParamKind::Item | ParamKind::Word | ParamKind::Text | ParamKind::Date | ParamKind::Choice(_) => {
            CommandOptionType::String
        }
        ParamKind::User => CommandOptionType::User,
        ParamKind::Channel => CommandOptionType::Channel,
        ParamKind::Number => CommandOptionType::Number,
    };
    let own = format!("discord.option.{}_{}", spec.key(), p.name);
    let key = if has(prompts, &own) { own } else { format!("discord.option.{}", p.name) };
    let (en, ja) = texts(prompts, &key, &[]);
    let mut option = CreateCommandOption::new(kind, p.name, en).description_localized("ja", ja).required(p.required);
    match p.kind {
        ParamKind::Item => option = option.set_autocomplete(true),
        ParamKind::Choice(choices) => {
            for c in choices.iter().take(OPTIONS_MAX) {
                option = option.add_string_choice(*c, *c);
            }
        }
        ParamKind::Channel => option = option.channel_types(POSTABLE.to_vec()),
        _ => {}
    }
    // the bounds the registry declares (Discord takes up to 6000 characters)
    match p.limit {
        Limit::None => {}
        Limit::Chars { min, max } => {
            if min > 0 {
                option = option.min_length(min as u16);
            }
            option = option.max_length(max as u16);
        }
        Limit::Range { min, max } => option = option.min_number_value(min).max_number_value(max),
    }
    option
}

fn has(prompts: &Prompts, key: &str) -> bool {
    prompts.message_keys().any(|k| k == key)
}

/// A text in English and Japanese, each cut to Discord's 100 characters.
fn texts(prompts: &Prompts, key: &str, args: &[(&str, String)]) -> (String, String) {
    let one = |lang| super::render::cut(&prompts.fill(lang, key, args), DESCRIPTION_MAX);
    (one(Lang::En), one(Lang::Ja))
}

/// What a person invoked: the registry command (if it is still one), the words of its path,
/// and its option values as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Invoked {
    pub spec: Option<&'static CommandSpec>,
    pub path: Vec<String>,
    pub values: BTreeMap<String, String>,
    /// The option being typed, for autocomplete.
    pub focused: Option<(String, String)>,
    /// A channel option naming a channel no message can be posted in (a category, a voice
    /// channel, a forum): its name. The option offers only text and announcement channels, but a
    /// command registered before that, or a stale client, may still send one.
    pub unpostable: Option<String>,
}

impl Invoked {
    pub fn read(data: &CommandData) -> Invoked {
        let mut path = Vec::new();
        if data.name == ADMIN_COMMAND {
            path.push(ADMIN_WORD.to_string());
        } else if data.name != MEMBER_COMMAND {
            path.push(data.name.clone());
        }
        let mut options: &[CommandDataOption] = &data.options;
        while let Some((name, CommandDataOptionValue::SubCommandGroup(inner)))
        | Some((name, CommandDataOptionValue::SubCommand(inner))) = options.first().map(|o| (&o.name, &o.value))
        {
            path.push(name.clone());
            options = inner;
        }
        let mut values = BTreeMap::new();
        let mut focused = None;
        let mut unpostable = None;
        for o in options {
            if let CommandDataOptionValue::Channel(id) = &o.value
                && let Some(channel) = data.resolved.channels.get(id)
                && !POSTABLE.contains(&channel.kind)
            {
                unpostable = Some(channel.name.clone().unwrap_or_else(|| id.to_string()));
            }
            let value = match &o.value {
                CommandDataOptionValue::String(s) => s.clone(),
                CommandDataOptionValue::Integer(i) => i.to_string(),
                CommandDataOptionValue::Number(n) => number(*n),
                CommandDataOptionValue::Boolean(b) => b.to_string(),
                CommandDataOptionValue::User(id) => format!("<@{id}>"),
                CommandDataOptionValue::Channel(id) => format!("<#{id}>"),
                CommandDataOptionValue::Autocomplete { value, .. } => {
                    focused = Some((o.name.clone(), value.clone()));
                    value.clone()
                }
                _ => continue,
            };
            values.insert(o.name.clone(), value);
        }
        let spec = COMMANDS.iter().find(|c| c.path.iter().eq(path.iter()));
        Invoked { spec, path, values, focused, unpostable }
    }

    /// The text line the parser reads: the registry's own for a known command; for one that is
    /// no longer in the registry (an old registration), its words, so the bot says what it
    /// does not know.
    pub fn line(&self) -> String {
        match self.spec {
            Some(spec) => spec.line(&self.values),
            None => self.path.join(" "),
        }
    }

    /// The kind of the option being typed.
    pub fn focused_kind(&self) -> Option<ParamKind> {
        let (name, _) = self.focused.as_ref()?;
        self.spec?.params.iter().find(|p| p.name == name).map(|p| p.kind)
    }
}

/// A number option as typed: 5200, not 5200.0.
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { format!("{n}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(v: impl serde::Serialize) -> serde_json::Value {
        serde_json::to_value(v).unwrap()
    }

    const TEST_SPECS: &[CommandSpec] = &[
        CommandSpec {
            path: &["need"],
            params: &[Param {
                name: "title",
                kind: ParamKind::Text,
                required: false,
                limit: Limit::Chars { min: 0, max: 200 },
            }],
            admin: false,
        },
        CommandSpec {
            path: &["move"],
            params: &[
                Param {
                    name: "note",
                    kind: ParamKind::Text,
                    required: false,
                    limit: Limit::Chars { min: 0, max: 2000 },
                },
                Param { name: "id", kind: ParamKind::Item, required: true, limit: Limit::Chars { min: 0, max: 20 } },
                Param {
                    name: "status",
                    kind: ParamKind::Choice(&["accepted", "declined"]),
                    required: true,
                    limit: Limit::None,
                },
            ],
            admin: false,
        },
        CommandSpec {
            path: &["admin", "roles", "add"],
            params: &[
                Param { name: "user", kind: ParamKind::User, required: true, limit: Limit::None },
                Param { name: "effort", kind: ParamKind::Number, required: false, limit: Limit::None },
            ],
            admin: true,
        },
        CommandSpec { path: &["admin", "export"], params: &[], admin: true },
    ];

    #[test]
    fn member_commands_go_under_ai_and_admin_commands_under_a_hidden_ai_admin() {
        let prompts = Prompts::embedded();
        let cmds: Vec<serde_json::Value> = commands(TEST_SPECS, &prompts).unwrap().into_iter().map(json).collect();
        assert_eq!(cmds.len(), 2);
        let ai = &cmds[0];
        assert_eq!(ai["name"], "ai");
        assert!(ai.get("default_member_permissions").is_none_or(|p| p.is_null()));
        let subs: Vec<&str> = ai["options"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
        assert_eq!(subs, ["need", "move"]);
        let need = &ai["options"][0];
        assert_eq!(need["type"], 1);
        assert!(need["description"].as_str().unwrap().starts_with("Submit a need"));
        assert!(need["description_localizations"]["ja"].as_str().unwrap().contains("ニーズ"));
        let mv = &ai["options"][1]["options"];
        let names: Vec<&str> = mv.as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["id", "status", "note"], "required options come first");
        assert_eq!(mv[0]["autocomplete"], true);
        assert_eq!(mv[1]["choices"][1]["value"], "declined");

        let admin = &cmds[1];
        assert_eq!(admin["name"], "ai-admin");
        assert_eq!(admin["default_member_permissions"], "32", "Manage Server");
        assert_eq!(admin["contexts"], serde_json::json!([0]));
        let roles = &admin["options"][0];
        assert_eq!((roles["name"].as_str(), roles["type"].as_i64()), (Some("roles"), Some(2)));
        assert_eq!(roles["options"][0]["name"], "add");
        assert_eq!(roles["options"][0]["options"][0]["type"], 6, "a person is a USER option");
        assert_eq!(roles["options"][0]["options"][1]["type"], 10, "a number is a NUMBER option");
        assert_eq!(admin["options"][1]["name"], "export");
        for c in &cmds {
            check_limits(c);
        }
    }

    fn check_limits(v: &serde_json::Value) {
        if let Some(d) = v.get("description").and_then(|d| d.as_str()) {
            assert!((1..=100).contains(&d.chars().count()), "{d}");
        }
        if let Some(n) = v.get("name").and_then(|d| d.as_str()) {
            assert!((1..=32).contains(&n.chars().count()), "{n}");
        }
        if let Some(options) = v.get("options").and_then(|o| o.as_array()) {
            assert!(options.len() <= 25);
            options.iter().for_each(check_limits);
        }
    }

    #[test]
    fn the_registry_maps_onto_discord_as_it_is() {
        let prompts = Prompts::embedded();
        let cmds: Vec<serde_json::Value> = commands(COMMANDS, &prompts).unwrap().into_iter().map(json).collect();
        for spec in COMMANDS {
            let place = placement(spec).unwrap();
            let top = cmds.iter().find(|c| c["name"] == place.top).expect("its top command");
            let found =
                top["options"].as_array().unwrap().iter().any(|o| o["name"] == place.group.unwrap_or(place.sub));
            assert!(found, "{} is registered", spec.name());
            assert_eq!(spec.admin, place.top == ADMIN_COMMAND);
        }
        cmds.iter().for_each(check_limits);
    }

    #[test]
    fn paths_discord_cannot_nest_are_named() {
        let bad = [CommandSpec { path: &["a", "b", "c"], params: &[], admin: false }];
        assert!(commands(&bad, &Prompts::embedded()).unwrap_err().to_string().contains("'a b c'"));
        let bad = [CommandSpec { path: &["roles"], params: &[], admin: true }];
        assert!(placement(&bad[0]).is_err());
    }

    #[test]
    fn options_come_back_as_the_text_line() {
        let data: CommandData = serde_json::from_value(serde_json::json!({
            "id": "1", "name": "ai", "type": 1,
            "options": [{"name": "need", "type": 1, "options": [
                {"name": "title", "type": 3, "value": "Forecast: \"weekly\" demand"}
            ]}]
        }))
        .unwrap();
        let inv = Invoked::read(&data);
        assert_eq!(inv.path, ["need"]);
        assert_eq!(inv.line(), "need Forecast: \"weekly\" demand");
        let data: CommandData = serde_json::from_value(serde_json::json!({
            "id": "1", "name": "ai-admin", "type": 1,
            "options": [{"name": "frob", "type": 2, "options": [
                {"name": "nicate", "type": 1, "options": [
                    {"name": "user", "type": 6, "value": "81234567890123456"},
                    {"name": "effort", "type": 10, "value": 5200.0}
                ]}
            ]}]
        }))
        .unwrap();
        let inv = Invoked::read(&data);
        assert_eq!(inv.path, ["admin", "frob", "nicate"]);
        assert_eq!(inv.values["user"], "<@81234567890123456>");
        assert_eq!(inv.values["effort"], "5200");
        assert_eq!(inv.line(), "admin frob nicate", "not in the registry: its words");
        let data: CommandData = serde_json::from_value(serde_json::json!({
            "id": "1", "name": "ai", "type": 1,
            "options": [{"name": "show", "type": 1, "options": [
                {"name": "id", "type": 3, "value": "N-", "focused": true}
            ]}]
        }))
        .unwrap();
        let inv = Invoked::read(&data);
        assert_eq!(inv.focused, Some(("id".into(), "N-".into())));
        assert_eq!(inv.focused_kind(), Some(ParamKind::Item));
    }
}
