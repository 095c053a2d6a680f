//! The Discord transport: the whole bot as native slash commands, buttons, selects and modals.
//!
//! - [`verify`]: the Ed25519 signature and timestamp check of the interactions endpoint;
//! - [`inbound`]: a serenity interaction as an [`Inbound`](crate::chat::Inbound) event;
//! - [`commands`]: `/ai` and `/ai-admin`, generated from the command registry, and their options
//!   back as a text line;
//! - [`render`]: replies as Discord messages and modals, within Discord's limits (markdown and
//!   action rows in their own modules);
//! - [`interaction`]: one interaction answered, with the 3-second deadline (deferral), and
//!   [`reply`]: what its replies become (the first response and the steps after it);
//! - [`endpoint`] and [`gateway`]: the two ways interactions arrive, sharing all of the above;
//! - [`deliver`]: messages that are not replies (DMs, channel posts);
//! - [`api`]: the REST client (serenity's), whose base URL a test points at a fake.
//!
//! Nothing here decides anything: it verifies, translates, and calls the API.

pub mod api;
pub mod commands;
mod components;
pub mod deliver;
pub mod endpoint;
pub mod gateway;
pub mod inbound;
pub mod interaction;
mod markdown;
pub mod render;
pub mod reply;
pub mod verify;

use std::sync::Arc;

use serenity::all::{ApplicationId, GuildId, Permissions};

use crate::chat::{Bot, COMMANDS};
use crate::config::{DiscordConfig, DiscordMode};
use crate::transport::{SetupError, TransportParts};
use api::DiscordApi;
use interaction::{DEADLINE, Discord};

/// What the bot needs in a server, and why — nothing more:
/// - View Channels and Send Messages: notices and digests are posted into a channel;
/// - Embed Links: a message longer than 2000 characters is sent as embeds;
/// - Attach Files: the weekly digest's chart is uploaded as a PNG into the managers' channel
///   (without it Discord answers 50013 Missing Permissions and the chart never arrives).
///
/// Slash commands, buttons, modals, replies and follow-ups work through the interaction itself
/// and need no permission; direct messages need none either.
pub fn permissions() -> Permissions {
    Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES | Permissions::EMBED_LINKS | Permissions::ATTACH_FILES
}

/// The link that adds the bot to a server: the bot user and its slash commands, with
/// [`permissions`].
pub fn invite_url(application_id: u64) -> String {
    format!(
        "https://discord.com/oauth2/authorize?client_id={application_id}&scope=bot+applications.commands&permissions={}",
        permissions().bits()
    )
}

/// The Discord part of `kakehashi serve`, as configured: the endpoint (mode `endpoint`) or the
/// gateway connection (mode `gateway`), command registration at start, and delivery. Without a
/// bot token (an endpoint-only set-up, such as a load test) commands are not registered and
/// messages that are not replies cannot be sent; a log line says so.
pub fn parts(config: &DiscordConfig, bot: Arc<Bot>) -> Result<TransportParts, SetupError> {
    let token = config.token.as_ref().map(|t| t.expose().to_string());
    let api = Arc::new(DiscordApi::new(token.as_deref(), &config.api_url).with_metrics(bot.metrics.clone()));
    let discord = Arc::new(Discord::new(bot.clone(), api.clone(), DEADLINE));
    let mut parts = TransportParts::default();
    match config.mode {
        DiscordMode::Endpoint => {
            let key = config.public_key.as_deref().unwrap_or_default();
            let check = verify::SignatureCheck::parse(key).map_err(|e| SetupError(e.to_string()))?;
            parts.router = Some(endpoint::router(discord.clone(), check));
            tracing::info!(path = endpoint::PATH, "Discord interactions endpoint ready");
        }
        DiscordMode::Gateway => {
            let token =
                token.clone().ok_or_else(|| SetupError("DISCORD_TOKEN: the gateway needs the bot token".into()))?;
            parts.tasks.push(Box::pin(gateway::run(discord.clone(), token, config.api_url.clone())));
        }
    }
    if token.is_some() {
        let application = ApplicationId::new(config.application_id.max(1));
        let guild = config.guild_id.map(GuildId::new);
        parts.tasks.push(Box::pin(register(api.clone(), bot, application, guild)));
        parts.deliverer =
            Some(("discord:", Arc::new(deliver::DiscordDeliver { api }) as Arc<dyn crate::outbox::Deliver>));
    } else {
        tracing::info!(
            "Discord: no bot token (DISCORD_TOKEN), so commands are not registered and notices cannot be sent; interactions are answered"
        );
    }
    Ok(parts)
}

/// Replaces the application's commands with the registry's, in one guild (at once) or globally
/// (Discord may take a while to show them).
#[tracing::instrument(skip(api, bot))]
pub async fn register(api: Arc<DiscordApi>, bot: Arc<Bot>, application: ApplicationId, guild: Option<GuildId>) {
    let commands = match commands::commands(COMMANDS, &bot.prompts) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "the commands cannot be registered on Discord");
            return;
        }
    };
    match api.overwrite_commands(application, guild, &commands).await {
        Ok(()) => tracing::info!(
            count = commands.len(),
            scope = if guild.is_some() { "guild" } else { "global" },
            "Discord commands registered"
        ),
        Err(e) => tracing::error!(error = %e, "registering the Discord commands failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invite_asks_for_the_two_scopes_and_four_permissions() {
        let url = invite_url(1234);
        assert_eq!(
            url,
            "https://discord.com/oauth2/authorize?client_id=1234&scope=bot+applications.commands&permissions=52224"
        );
        assert_eq!(permissions().bits(), 1024 + 2048 + 16384 + 32768);
    }
}
