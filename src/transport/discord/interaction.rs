//! Answering one interaction, the same way whether it came over the gateway or the endpoint:
//! read it ([`inbound`](super::inbound)), let the bot handle it, and plan the answer — the first
//! response (what the endpoint returns, or the gateway posts to the callback) and the steps
//! after it (follow-ups, an edit of the original response).
//!
//! Discord wants the first response within 3 seconds. The bot gets [`Discord::deadline`]
//! (about 2 s, through the shared [`deadline`] driver); if it has not finished by then the
//! interaction is deferred (type 5, or 6 for a click or a modal opened from a message, which
//! keeps that message as it is) and the reply, when it comes, edits the original response or
//! follows it up. Which response and steps the replies become is decided in
//! [`reply`](super::reply).

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use serenity::all::{
    AutocompleteChoice, CreateAttachment, CreateAutocompleteResponse, CreateInteractionResponse,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, Interaction,
};

use super::api::{ApiError, DiscordApi};
use super::inbound::{self, Incoming, Origin};
use super::render;
use super::reply::{Step, deferred, fit_files, plan};
use crate::chat::{Block, Bot, Inbound, Message, Outbound, ParamKind, text};
use crate::domain::Lang;
use crate::prompts::Prompts;
use crate::transport::Replays;
use crate::transport::deadline::{self, Crash, Replies, Reply};

/// How long the bot may take before the interaction is deferred (Discord allows 3 s in all).
pub const DEADLINE: Duration = Duration::from_millis(2000);

/// What the Discord transport needs to answer interactions.
pub struct Discord {
    pub bot: Arc<Bot>,
    pub api: Arc<DiscordApi>,
    pub deadline: Duration,
    /// Servers' names, as Discord gives them.
    pub names: crate::transport::names::Names,
    /// Interactions any replica has taken already: over HTTP a request sent again, over the
    /// gateway the same event reaching two replicas connected as the same shard.
    replays: Replays,
}

impl Discord {
    pub fn new(bot: Arc<Bot>, api: Arc<DiscordApi>, deadline: Duration) -> Discord {
        let replays = Replays::new(bot.store.clone());
        Discord { bot, api, deadline, names: Default::default(), replays }
    }

    /// Whether no replica has taken this interaction yet (a PING is always answered): the one
    /// that takes it first answers it.
    pub async fn first_time(&self, interaction: &Interaction) -> bool {
        matches!(interaction, Interaction::Ping(_))
            || self.replays.first_time(&format!("discord:interaction:{}", interaction.id()), self.bot.clock.now()).await
    }
}

/// The first response, and the work that follows it (to run once the response is sent).
pub type Answer = deadline::Answer<CreateInteractionResponse>;

#[tracing::instrument(skip_all, fields(interaction = %interaction.id()))]
pub async fn answer(discord: &Arc<Discord>, interaction: Interaction) -> Answer {
    match inbound::read(&interaction) {
        Incoming::Ping => Answer::now(CreateInteractionResponse::Pong),
        Incoming::Unsupported(what) => {
            tracing::debug!(what, "an interaction kakehashi does not offer; acknowledged");
            Answer::now(CreateInteractionResponse::Acknowledge)
        }
        Incoming::Autocomplete { inbound, invoked } => {
            let choices = match invoked.focused_kind() {
                Some(ParamKind::Item) => {
                    let typed = invoked.focused.map(|(_, v)| v).unwrap_or_default();
                    tokio::time::timeout(discord.deadline, items(&discord.bot, &inbound, &typed))
                        .await
                        .unwrap_or_default()
                }
                _ => Vec::new(),
            };
            Answer::now(CreateInteractionResponse::Autocomplete(CreateAutocompleteResponse::new().set_choices(choices)))
        }
        Incoming::Event(inbound, origin) => event(discord, *inbound, origin).await,
        Incoming::Unpostable(inbound, origin, channel) => {
            let lang = inbound.actor.locale.unwrap_or(discord.bot.defaults.lang);
            let said = discord.bot.prompts.fill(lang, "discord.unpostable", &[("channel", channel)]);
            let replies = vec![Outbound::Message(Message::private(vec![Block::Text(text(said))]))];
            let plan = plan(origin.kind, origin.on_message, replies, &discord.bot.prompts, lang);
            Answer::now(plan.first)
        }
    }
}

/// The person's own items whose id or title matches what they typed.
async fn items(bot: &Bot, inbound: &Inbound, typed: &str) -> Vec<AutocompleteChoice> {
    let wanted = typed.trim().to_lowercase().replace('-', "");
    let found = match bot.store.items_of(&inbound.workspace.id, &inbound.actor.id, 25).await {
        Ok(items) => items,
        Err(e) => {
            tracing::warn!(error = %e, "autocomplete could not list items");
            return Vec::new();
        }
    };
    found
        .into_iter()
        .filter(|i| {
            let id = i.reference.to_string().to_lowercase().replace('-', "");
            wanted.is_empty() || id.starts_with(&wanted) || i.title.to_lowercase().contains(&wanted)
        })
        .take(25)
        .map(|i| {
            let id = i.reference.to_string();
            AutocompleteChoice::new(render::UNIT.shorten(&format!("{id} · {}", i.title), 100), id)
        })
        .collect()
}

/// The server's name, for a server's workspace (`discord:<guild id>`), when the bot can ask.
async fn server_name(discord: &Discord, workspace: &str) -> Option<String> {
    let guild = workspace.strip_prefix("discord:")?.parse::<u64>().ok().filter(|g| *g > 0)?;
    if !discord.api.has_token() {
        return None;
    }
    let lookup = async {
        match discord.api.guild_name(serenity::all::GuildId::new(guild)).await {
            Ok(name) => Some(name),
            Err(e) => {
                tracing::info!(error = %e, "the server's name could not be read; the workspace keeps the name it has");
                None
            }
        }
    };
    discord.names.get(discord.bot.store.as_ref(), workspace, lookup).await
}

async fn event(discord: &Arc<Discord>, mut inbound: Inbound, origin: Origin) -> Answer {
    // the name's lookup (once a day, at most NAME_WAIT) spends from the bot's time
    let deadline = tokio::time::Instant::now() + discord.deadline;
    if let Some(name) = server_name(discord, &inbound.workspace.id).await {
        inbound.workspace.name = name;
    }
    let bot = &discord.bot;
    let lang = inbound.actor.locale.unwrap_or(bot.defaults.lang);
    let reply = Replying { api: discord.api.clone(), prompts: bot.prompts.clone(), lang, origin };
    deadline::drive(bot, inbound, lang, deadline, reply).await
}

/// How an interaction is answered: a response with the replies in time, else a deferral that
/// the replies edit or follow up.
struct Replying {
    api: Arc<DiscordApi>,
    prompts: Arc<Prompts>,
    lang: Lang,
    origin: Origin,
}

impl Replying {
    /// The replies, the apology in place of a crash, files too large replaced by a note.
    fn replies(&self, replies: Replies) -> Vec<Outbound> {
        let replies = replies.unwrap_or_else(Crash::into_replies);
        fit_files(replies, self.origin.attachment_limit, &self.prompts, self.lang)
    }
}

impl Reply for Replying {
    type First = CreateInteractionResponse;

    fn in_time(self, replies: Replies) -> Answer {
        let plan = plan(self.origin.kind, self.origin.on_message, self.replies(replies), &self.prompts, self.lang);
        if plan.steps.is_empty() {
            return Answer::now(plan.first);
        }
        let steps = plan.steps;
        Answer::then(plan.first, async move { run(&self.api, &self.origin, steps).await })
    }

    fn deferred(&self) -> CreateInteractionResponse {
        tracing::info!("the reply takes long; the interaction is deferred");
        if self.origin.on_message {
            CreateInteractionResponse::Acknowledge
        } else {
            CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new().ephemeral(true))
        }
    }

    fn late(self, replies: Replies) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            let steps = deferred(self.origin.on_message, self.replies(replies), &self.prompts, self.lang);
            run(&self.api, &self.origin, steps).await;
        })
    }
}

/// Sends the steps in order; a failure is logged and the rest still sent.
pub async fn run(api: &DiscordApi, origin: &Origin, steps: Vec<Step>) {
    for step in steps {
        let result = with_retry(|| send(api, origin, &step)).await;
        if let Err(e) = result {
            tracing::warn!(error = %e, interaction = %origin.interaction, "a follow-up to an interaction failed");
        }
    }
}

async fn send(api: &DiscordApi, origin: &Origin, step: &Step) -> Result<(), ApiError> {
    let (app, token) = (origin.application, origin.token.as_str());
    match step {
        Step::FollowUp(out) => api.follow_up(app, token, &out.follow_up(), Vec::new()).await,
        Step::Edit(out) => api.edit_original(app, token, &out.edit()).await,
        Step::DeleteOriginal => api.delete_original(app, token).await,
        Step::File(file, ephemeral) => {
            let message = CreateInteractionResponseFollowup::new()
                .allowed_mentions(serenity::all::CreateAllowedMentions::new())
                .ephemeral(*ephemeral);
            let attachment = CreateAttachment::bytes(file.bytes.clone(), file.name.clone());
            api.follow_up(app, token, &message, vec![attachment]).await
        }
    }
}

/// A follow-up sent right after the endpoint's response may reach Discord before the response
/// does ("unknown interaction"): try again shortly, twice. Rate limits wait as asked.
async fn with_retry<F, Fut>(mut call: F) -> Result<(), ApiError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), ApiError>>,
{
    let mut waits = [Duration::from_millis(300), Duration::from_millis(900)].into_iter();
    loop {
        let result = call().await;
        let wait = match &result {
            Err(ApiError::Status { status: 404, .. }) => waits.next(),
            Err(ApiError::Status { status: 429, retry_after, .. }) => {
                waits.next().map(|fallback| retry_after.unwrap_or(fallback).min(Duration::from_secs(10)))
            }
            _ => None,
        };
        match wait {
            Some(wait) => tokio::time::sleep(wait).await,
            None => return result,
        }
    }
}
