//! Interactions over the gateway (the default: no public URL needed). serenity keeps the
//! WebSocket connection (identify, heartbeats, resumes) with no intents at all: interactions
//! arrive whatever the intents, so nothing privileged is asked for. Each interaction is answered
//! by posting the first response to its callback, then running what follows, in order.
//!
//! Health: serenity 0.12.5's stage-change event does not report every drop (a dropped socket
//! whose resume fails, a close 4000 followed by refused reconnects leave it saying "connected"),
//! so [`watch`] reads the shard runners' own state instead, every [`POLL`]: the connection is up
//! while a runner exists in the Connected stage and its heartbeats are acknowledged (serenity
//! refreshes the runner's latency on every acknowledgement; one that has not changed for
//! [`STALE`] means the acknowledgements stopped). `/healthz` and
//! `kakehashi_transport_connected{transport="discord_gateway"}` follow it.
//!
//! Resuming: Discord asks clients to resume on READY's `resume_gateway_url`. serenity 0.12.5
//! resumes on the URL its client holds, which it lets us change: on READY the handler puts
//! `resume_gateway_url` there, so a resume goes where Discord said. (A fresh identify after a
//! failed resume then uses it too, which Discord accepts.)

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serenity::all::{
    ConnectionStage, Context, EventHandler, GatewayIntents, HttpBuilder, Interaction, Ready, ShardManager,
    ShardStageUpdateEvent,
};
use serenity::async_trait;
use tokio::sync::Mutex;

use super::api::DEFAULT_API_URL;
use super::interaction::{Discord, answer};

struct Handler {
    discord: Arc<Discord>,
    /// The client's gateway URL, which serenity resumes on (set once the client is built).
    ws_url: Arc<OnceLock<Arc<Mutex<String>>>>,
}

#[async_trait]
impl EventHandler for Handler {
    async fn interaction_create(&self, _ctx: Context, interaction: Interaction) {
        // tracked, so that a graceful shutdown lets it finish
        let discord = self.discord.clone();
        let _ = self.discord.bot.work.spawn(async move { on_interaction(&discord, interaction).await }).await;
    }

    async fn ready(&self, _ctx: Context, ready: Ready) {
        if let Some(url) = self.ws_url.get()
            && !ready.resume_gateway_url.is_empty()
        {
            *url.lock().await = ready.resume_gateway_url.clone();
        }
        tracing::info!(bot = %ready.user.name, guilds = ready.guilds.len(), "connected to the Discord gateway");
    }

    async fn shard_stage_update(&self, _ctx: Context, event: ShardStageUpdateEvent) {
        // logged only: `watch` alone sets the health, from the runners' state
        if event.new != ConnectionStage::Connected {
            tracing::info!(stage = %event.new, "the Discord gateway is reconnecting");
        }
    }
}

/// Answers one interaction over REST: the first response to the interaction's callback, then the
/// follow-ups (Discord takes them only once the interaction is answered). An interaction another
/// replica took already (both connected as the same shard) is left to it.
#[tracing::instrument(skip_all, fields(interaction = %interaction.id()))]
pub async fn on_interaction(discord: &Arc<Discord>, interaction: Interaction) {
    if !discord.first_time(&interaction).await {
        tracing::info!("an interaction another replica took already");
        return;
    }
    let started = std::time::Instant::now();
    let id = interaction.id();
    let token = interaction.token().to_string();
    let answer = answer(discord, interaction).await;
    let responded = discord.api.respond(id, &token, &answer.first).await;
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

/// How often the shard runners' state is read.
pub const POLL: Duration = Duration::from_secs(1);
/// Heartbeat acknowledgements unseen for this long mean the connection is gone (Discord's
/// heartbeat interval is about 41 s: two of them and some slack).
pub const STALE: Duration = Duration::from_secs(100);

/// What [`watch`] remembers between two reads.
#[derive(Debug, Default)]
pub struct Watch {
    latency: Option<Duration>,
    changed: Option<Instant>,
}

impl Watch {
    /// Whether the gateway is up, from one read of the runners: (stage, latency) of each.
    pub fn judge(&mut self, runners: &[(ConnectionStage, Option<Duration>)], now: Instant) -> bool {
        let Some((stage, latency)) = runners.first().copied() else {
            self.changed = None;
            return false;
        };
        if latency != self.latency || self.changed.is_none() {
            self.latency = latency;
            self.changed = Some(now);
        }
        let fresh = self.changed.is_some_and(|at| now.duration_since(at) < STALE);
        stage == ConnectionStage::Connected && fresh
    }
}

/// Keeps the health gauge true to the shard runners' state, until the process stops.
async fn watch(discord: Arc<Discord>, manager: Arc<ShardManager>) {
    let mut w = Watch::default();
    let mut was = None;
    loop {
        let runners: Vec<(ConnectionStage, Option<Duration>)> =
            manager.runners.lock().await.values().map(|r| (r.stage, r.latency)).collect();
        let up = w.judge(&runners, Instant::now());
        if was != Some(up) {
            discord.bot.metrics.set_connected(TRANSPORT, up);
            if up {
                tracing::info!("the Discord gateway is connected");
            } else if was.is_some() {
                tracing::warn!(stage = ?runners.first().map(|r| r.0), "the Discord gateway is down; serenity reconnects");
            }
            was = Some(up);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Runs the gateway connection until the process stops; serenity reconnects by itself.
pub async fn run(discord: Arc<Discord>, token: String, api_url: String) {
    discord.bot.metrics.set_connected(TRANSPORT, false);
    let mut http = HttpBuilder::new(&token);
    if api_url != DEFAULT_API_URL {
        http = http.proxy(api_url).ratelimiter_disabled(true);
    }
    let ws_url = Arc::new(OnceLock::new());
    let handler = Handler { discord: discord.clone(), ws_url: ws_url.clone() };
    let client =
        serenity::all::ClientBuilder::new_with_http(http.build(), GatewayIntents::empty()).event_handler(handler).await;
    match client {
        Ok(mut client) => {
            let _ = ws_url.set(client.ws_url.clone());
            let watcher = tokio::spawn(watch(discord.clone(), client.shard_manager.clone()));
            if let Err(e) = client.start().await {
                tracing::error!(error = %e, "the Discord gateway stopped");
            }
            watcher.abort();
            discord.bot.metrics.set_connected(TRANSPORT, false);
        }
        Err(e) => tracing::error!(error = %e, "cannot start the Discord gateway client"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_while_connected_and_acknowledged_down_without_a_runner_or_acknowledgements() {
        let mut w = Watch::default();
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        assert!(!w.judge(&[], t0), "no runner: down");
        assert!(w.judge(&[(ConnectionStage::Connected, Some(ms(40)))], t0));
        assert!(!w.judge(&[(ConnectionStage::Resuming, Some(ms(40)))], t0 + ms(10)));
        assert!(w.judge(&[(ConnectionStage::Connected, Some(ms(41)))], t0 + ms(20)));
        // the same latency for longer than STALE: the acknowledgements stopped
        assert!(w.judge(&[(ConnectionStage::Connected, Some(ms(41)))], t0 + STALE - ms(1)));
        assert!(!w.judge(&[(ConnectionStage::Connected, Some(ms(41)))], t0 + STALE + ms(30)));
        assert!(w.judge(&[(ConnectionStage::Connected, Some(ms(39)))], t0 + STALE + ms(40)), "acknowledged again");
    }
}
