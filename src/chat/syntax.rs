//! How a command is typed on each platform, so that hints and help say what a person can type
//! where they are: `resume N-1` in the console, `/ai resume N-1` on Slack, `/ai resume id:N-1`
//! on Discord (whose slash commands take named options), admin commands under `/ai-admin`.
//!
//! Texts in prompts/ mark a command with backticks (`` Type `resume {item}` to continue ``);
//! [`Syntax::render`] writes each marked command in the platform's form. The marks are read
//! from the template before its placeholders are filled, so nothing a person typed is ever
//! taken for a command.

use super::command::{CommandSpec, ParamKind};
use super::registry::COMMANDS;
use crate::domain::id::{Platform, platform_of};

/// The platforms' ways of typing a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Console,
    Slack,
    Discord,
}

/// The Slack slash command the hints name (`SLACK_COMMAND`'s default; the manifests declare it).
const SLACK_COMMAND: &str = "/ai";
const DISCORD_MEMBER: &str = "/ai";
const DISCORD_ADMIN: &str = "/ai-admin";

impl Syntax {
    /// The platform of a workspace id (`slack:T…`, `discord:…`, `console:…`).
    pub fn of_workspace(id: &str) -> Syntax {
        match platform_of(id) {
            Some(Platform::Slack) => Syntax::Slack,
            Some(Platform::Discord) => Syntax::Discord,
            Some(Platform::Console) | None => Syntax::Console,
        }
    }

    /// A text with its backtick-marked commands in this platform's form.
    pub fn render(self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(start) = rest.find('`') {
            let Some(len) = rest[start + 1..].find('`') else { break };
            out.push_str(&rest[..start]);
            out.push_str(&self.command(&rest[start + 1..start + 1 + len]));
            rest = &rest[start + 1 + len + 1..];
        }
        out.push_str(rest);
        out
    }

    /// A command line, written as the console takes it, in this platform's form.
    pub fn command(self, line: &str) -> String {
        let line = line.trim();
        match self {
            Syntax::Console => line.to_string(),
            Syntax::Slack => format!("{SLACK_COMMAND} {line}"),
            Syntax::Discord => discord(line),
        }
    }
}

/// `admin set lang ja` as `/ai-admin set setting:lang value:ja`: the path as Discord nests it,
/// then each positional value under its option's name (a text option takes the rest).
fn discord(line: &str) -> String {
    let words: Vec<&str> = line.split(' ').filter(|w| !w.is_empty()).collect();
    let spec: Option<&CommandSpec> = COMMANDS
        .iter()
        .filter(|c| words.len() >= c.path.len() && c.path.iter().zip(&words).all(|(p, w)| p == w))
        .max_by_key(|c| c.path.len());
    let Some(spec) = spec else {
        return format!("{DISCORD_MEMBER} {line}");
    };
    let (top, path) = if spec.admin { (DISCORD_ADMIN, &spec.path[1..]) } else { (DISCORD_MEMBER, spec.path) };
    let mut out = format!("{top} {}", path.join(" "));
    let mut rest = &words[spec.path.len()..];
    let mut params = spec.params.iter();
    while let Some(word) = rest.first() {
        if word.contains(':') && !word.starts_with('<') {
            // already by name (`status:open`)
            out.push(' ');
            out.push_str(word);
            rest = &rest[1..];
            continue;
        }
        let Some(param) = params.next() else {
            out.push(' ');
            out.push_str(&rest.join(" "));
            break;
        };
        if param.kind == ParamKind::Text {
            out.push_str(&format!(" {}:{}", param.name, rest.join(" ")));
            break;
        }
        out.push_str(&format!(" {}:{word}", param.name));
        rest = &rest[1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_platform_writes_a_command_its_own_way() {
        assert_eq!(Syntax::Console.command("resume N-1"), "resume N-1");
        assert_eq!(Syntax::Slack.command("resume N-1"), "/ai resume N-1");
        assert_eq!(Syntax::Discord.command("resume N-1"), "/ai resume id:N-1");
        assert_eq!(Syntax::Discord.command("mine"), "/ai mine");
        assert_eq!(
            Syntax::Discord.command("admin set <setting> <value>"),
            "/ai-admin set setting:<setting> value:<value>"
        );
        assert_eq!(
            Syntax::Discord.command("admin roles add {user} ai_team"),
            "/ai-admin roles add user:{user} role:ai_team"
        );
        assert_eq!(
            Syntax::Discord.command("move {item} redirected Use the weekly BI report"),
            "/ai move id:{item} status:redirected note:Use the weekly BI report"
        );
        assert_eq!(Syntax::Discord.command("list status:open"), "/ai list status:open");
        assert_eq!(Syntax::Discord.command("help"), "/ai help");
    }

    #[test]
    fn marked_commands_are_rewritten_and_the_rest_kept() {
        let t = "Type `mine` to see your items; `resume {item}` continues.";
        assert_eq!(Syntax::Console.render(t), "Type mine to see your items; resume {item} continues.");
        assert_eq!(Syntax::Discord.render(t), "Type /ai mine to see your items; /ai resume id:{item} continues.");
        assert_eq!(Syntax::Slack.render("a ` lone mark"), "a ` lone mark");
    }
}
