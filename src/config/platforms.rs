//! The platforms' settings: Slack and Discord are each on when their credentials are set, and
//! each checks that what it needs for its way of receiving events is there.

use super::Secret;
use super::sources::Sources;

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

pub(super) fn slack(s: &mut Sources) -> Option<SlackConfig> {
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

pub(super) fn discord(s: &mut Sources) -> Option<DiscordConfig> {
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
