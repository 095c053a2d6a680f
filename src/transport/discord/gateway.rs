//! Interactions over the gateway (the default: no public URL needed). serenity keeps the
//! WebSocket connection (identify, heartbeats, resumes) with no intents at all: interactions
//! arrive whatever the intents, so nothing privileged is asked for. Each interaction is answered
//! by posting the first response to its callback, then running what follows, in order.

use std::sync::Arc;

use serenity::all::{
    ConnectionStage, Context, EventHandler, GatewayIntents, HttpBuilder, Interaction, Ready, ShardStageUpdateEvent,
};
use serenity::async_trait;

use super::api::DEFAULT_API_URL;
use super::interaction::{Discord, answer};

struct Handler {
    discord: Arc<Discord>,
}

#[async_trait]
impl EventHandler for Handler {
    async fn interaction_create(&self, _ctx: Context, interaction: Interaction) {
        // tracked, so that a graceful shutdown lets it finish
        let discord = self.discord.clone();
        let _ = self.discord.bot.work.spawn(async move { on_interaction(&discord, interaction).await }).await;
    }

    async fn ready(&self, _ctx: Context, ready: Ready) {
        self.discord.bot.metrics.set_connected(TRANSPORT, true);
        tracing::info!(bot = %ready.user.name, guilds = ready.guilds.len(), "connected to the Discord gateway");
    }

    async fn shard_stage_update(&self, _ctx: Context, event: ShardStageUpdateEvent) {
        let up = event.new == ConnectionStage::Connected;
        self.discord.bot.metrics.set_connected(TRANSPORT, up);
        if !up {
            tracing::info!(stage = %event.new, "the Discord gateway is reconnecting");
        }
    }
}

/// Answers one interaction over REST: the first response to the interaction's callback, then the
/// follow-ups (Discord takes them only once the interaction is answered).
#[tracing::instrument(skip_all, fields(interaction = %interaction.id()))]
pub async fn on_interaction(discord: &Arc<Discord>, interaction: Interaction) {
    let started = std::time::Instant::now();
    let id = interaction.id();
    let token = interaction.token().to_string();
    let answer = answer(discord, interaction).await;
    let responded = discord.api.respond(id, &token, &answer.response).await;
    let outcome = if responded.is_ok() { "ok" } else { "error" };
    discord.bot.metrics.request(TRANSPORT, outcome, started.elapsed());
    if let Err(e) = responded {
        tracing::warn!(error = %e, "answering an interaction failed");
        return;
    }
    if let Some(after) = answer.after {
        after.await;
    }
}

/// The connection's name in `/healthz` and `/metrics`.
pub const TRANSPORT: &str = "discord_gateway";

/// Runs the gateway connection until the process stops; serenity reconnects by itself.
pub async fn run(discord: Arc<Discord>, token: String, api_url: String) {
    discord.bot.metrics.set_connected(TRANSPORT, false);
    let mut http = HttpBuilder::new(&token);
    if api_url != DEFAULT_API_URL {
        http = http.proxy(api_url).ratelimiter_disabled(true);
    }
    let client = serenity::all::ClientBuilder::new_with_http(http.build(), GatewayIntents::empty())
        .event_handler(Handler { discord })
        .await;
    match client {
        Ok(mut client) => {
            if let Err(e) = client.start().await {
                tracing::error!(error = %e, "the Discord gateway stopped");
            }
        }
        Err(e) => tracing::error!(error = %e, "cannot start the Discord gateway client"),
    }
}
