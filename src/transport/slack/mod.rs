//! Slack: slash commands, interactions and events over HTTP (every request signed) or over Socket
//! Mode, answered in Block Kit through the Web API. A thin adapter: no business logic here.
//!
//! One request, whichever way it came:
//! 1. `http.rs` verifies the signature on the raw bytes (`verify.rs`) — or `socket.rs` takes an
//!    envelope from the WebSocket — and `payload.rs` parses it into a [`payload::Request`];
//! 2. [`Slack::serve`] drops repeats (`transport/replays.rs`), turns it into an [`Inbound`] and runs
//!    [`Bot::handle`] with a deadline ([`Options::ack_deadline`], 2 s: Slack wants an answer in 3);
//! 3. `reply.rs` decides the acknowledgement and the Web API calls that follow (`render.rs` draws
//!    the Block Kit); the calls run in the background (`api.rs`). If the bot is not done by the
//!    deadline, the acknowledgement goes out first and the replies follow when they are ready.
//!
//! [`parts`] gives the server its routes (`POST /slack/commands`, `/slack/interactions`,
//! `/slack/events`, when a signing secret is set), the Socket Mode task (when an app token is
//! set) and the deliverer for `slack:` workspaces (`deliver.rs`).

pub mod api;
pub mod blocks;
mod controls;
mod deliver;
mod http;
pub mod incoming;
mod modal;
pub mod payload;
pub mod render;
pub mod reply;
mod socket;
pub mod verify;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::FutureExt;

pub use api::{ApiError, RetryPolicy, SlackApi};
pub use deliver::SlackDeliver;

use self::blocks::{AckBody, ViewCall};
use self::payload::{Event, EventBody, Incoming, PayloadError, Request};
use self::reply::{Ack, Effect, Target, Texts, Timing};
use crate::chat::{Bot, Visibility};
use crate::config::{Secret, SlackConfig};
use crate::domain::Lang;
use crate::transport::Replays;
use crate::transport::deadline::{self, Answer, Replies, Reply};
use crate::transport::{SetupError, TransportParts};

/// How the transport behaves; the defaults suit Slack.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long a request waits for the bot before it is acknowledged anyway (Slack allows 3 s).
    pub ack_deadline: Duration,
    /// Retries of Web API calls made for replies.
    pub retry: RetryPolicy,
    /// How long a person's language, as users.info tells it, is remembered.
    pub locale_ttl: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            ack_deadline: Duration::from_secs(2),
            retry: RetryPolicy::INTERACTIVE,
            locale_ttl: Duration::from_secs(6 * 60 * 60),
        }
    }
}

/// The routes, the Socket Mode task and the deliverer of the configured Slack app.
pub fn parts(config: &SlackConfig, bot: Arc<Bot>) -> Result<TransportParts, SetupError> {
    parts_with(config, bot, Options::default())
}

pub fn parts_with(config: &SlackConfig, bot: Arc<Bot>, options: Options) -> Result<TransportParts, SetupError> {
    let http = SlackApi::http_client().map_err(|e| SetupError(format!("slack: cannot set up the HTTP client: {e}")))?;
    let api =
        SlackApi::new(http, &config.api_url, config.bot_token.clone(), options.retry).with_metrics(bot.metrics.clone());
    let slack = Arc::new(Slack {
        replays: Replays::new(bot.store.clone()),
        bot,
        api: api.clone(),
        secrets: config.signing_secrets.clone(),
        command: config.command.clone(),
        locales: Mutex::new(HashMap::new()),
        names: Default::default(),
        options,
    });
    let router = (!config.signing_secrets.is_empty()).then(|| http::router(slack.clone()));
    if config.app_token.is_some() {
        // down until Slack says hello: the health check reports it
        slack.bot.metrics.set_connected(socket::TRANSPORT, false);
    }
    let tasks = config.app_token.clone().map(|token| socket::run(slack.clone(), token).boxed()).into_iter().collect();
    tracing::info!(
        http = router.is_some(),
        socket_mode = config.app_token.is_some(),
        api = %config.api_url,
        "Slack transport ready"
    );
    Ok(TransportParts {
        router,
        tasks,
        deliverer: Some(("slack:", Arc::new(SlackDeliver::new(api.with_policy(RetryPolicy::ONCE))))),
    })
}

/// What every request handler shares.
pub(crate) struct Slack {
    bot: Arc<Bot>,
    api: SlackApi,
    secrets: Vec<Secret>,
    command: String,
    replays: Replays,
    /// users.info answers: a person's language, until when it is trusted.
    locales: Mutex<HashMap<String, (Option<Lang>, Instant)>>,
    /// team.info answers: the workspace's name.
    names: crate::transport::names::Names,
    options: Options,
}

impl fmt::Debug for Slack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Slack")
            .field("api", &self.api)
            .field("secrets", &self.secrets)
            .field("command", &self.command)
            .finish_non_exhaustive()
    }
}

/// Remembered locales at most; beyond that the memory starts over.
const LOCALES_MAX: usize = 10_000;
/// How long a failed users.info is not asked again.
const LOCALE_RETRY: Duration = Duration::from_secs(5 * 60);
/// users.info gets this long before the request goes on without it.
const LOCALE_WAIT: Duration = Duration::from_millis(700);

impl Slack {
    /// Serves one verified request; returns the acknowledgement. What takes longer continues in
    /// the background.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn serve(self: &Arc<Self>, request: Request) -> Result<Ack, PayloadError> {
        // the deadline counts from arrival: the language lookup below spends from it too
        let started = Instant::now();
        let deadline = tokio::time::Instant::now() + self.options.ack_deadline;
        if let Request::Event(body) = &request {
            match body {
                EventBody::UrlVerification { challenge } => {
                    return Ok(Ack::Body(AckBody::Challenge { challenge: challenge.clone() }));
                }
                EventBody::Callback { team_id, event_id, event } => {
                    if !self.first_time(&format!("event:{event_id}")).await {
                        tracing::info!(event_id = %event_id, "an event delivered again; handled already");
                        return Ok(Ack::Empty);
                    }
                    match event {
                        Event::Uninstalled {} => {
                            tracing::warn!(team = %team_id, "the app was uninstalled from this Slack workspace")
                        }
                        Event::TokensRevoked {} => {
                            tracing::warn!(team = %team_id, "Slack revoked tokens of this app; replies will fail until it is reinstalled")
                        }
                        _ => {}
                    }
                }
                EventBody::Other => return Ok(Ack::Empty),
            }
        }
        let Some(mut incoming) = request.inbound()? else {
            return Ok(Ack::Empty);
        };
        let (locale, name) = tokio::join!(
            self.locale(&incoming.user),
            self.names.get(self.bot.store.as_ref(), &incoming.inbound.workspace.id, self.team_name(&incoming.team))
        );
        incoming.inbound.actor.locale = locale;
        if let Some(name) = name {
            incoming.inbound.workspace.name = name;
        }
        let lang = incoming.inbound.actor.locale.unwrap_or(self.bot.defaults.lang);
        let inbound = incoming.inbound.clone();
        let reply = Replying { slack: self.clone(), incoming, lang, started };
        let answer = deadline::drive(&self.bot, inbound, lang, deadline, reply).await;
        if let Some(after) = answer.after {
            self.bot.work.spawn(after);
        }
        Ok(answer.first)
    }

    /// True the first time any replica is offered `key` (see `transport/replays.rs`).
    pub(crate) async fn first_time(&self, key: &str) -> bool {
        // the wall clock, as the signature check uses: the bot's clock may be a test's
        self.replays.first_time(&format!("slack:{key}"), chrono::Utc::now()).await
    }

    /// The team's name, from team.info.
    async fn team_name(&self, team: &str) -> Option<String> {
        let lookup = self.api.with_policy(RetryPolicy::ONCE);
        match lookup.call_form("team.info", &[("team", team.to_string())]).await {
            Ok(answer) => answer.pointer("/team/name").and_then(|n| n.as_str()).map(str::to_string),
            Err(e) => {
                tracing::info!(error = %e, "team.info failed; the workspace keeps the name it has");
                None
            }
        }
    }

    /// The person's language from users.info (remembered), if it is one the bot speaks.
    async fn locale(&self, user: &str) -> Option<Lang> {
        let now = Instant::now();
        {
            let cache = self.locales.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((lang, until)) = cache.get(user)
                && *until > now
            {
                return *lang;
            }
        }
        let lookup = self.api.with_policy(RetryPolicy::ONCE);
        let asked = tokio::time::timeout(
            LOCALE_WAIT,
            lookup.call_form("users.info", &[("user", user.to_string()), ("include_locale", "true".to_string())]),
        )
        .await;
        let (lang, keep) = match asked {
            Ok(Ok(answer)) => (
                answer.pointer("/user/locale").and_then(|l| l.as_str()).and_then(|l| Lang::parse(l).ok()),
                self.options.locale_ttl,
            ),
            _ => (None, LOCALE_RETRY),
        };
        let mut cache = self.locales.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= LOCALES_MAX {
            cache.clear();
        }
        cache.insert(user.to_string(), (lang, now + keep));
        lang
    }

    /// Runs the Web API calls of a reply in order; a call that fails for good is logged and the
    /// person told.
    async fn execute(&self, incoming: &Incoming, lang: Lang, effects: Vec<Effect>) {
        for effect in effects {
            if let Err(e) = self.apply(effect).await {
                let text = if e.code() == "expired_trigger_id" {
                    self.bot.prompts.get(lang, "slack.form_expired").to_string()
                } else {
                    let args = [("error", e.code())];
                    self.bot.prompts.fill(lang, "slack.failed", &args)
                };
                self.tell(incoming, &text).await;
            }
        }
    }

    /// One effect, then its fallbacks while they fail.
    async fn apply(&self, effect: Effect) -> Result<(), ApiError> {
        let mut next = Some(effect);
        let mut failure = None;
        while let Some(effect) = next.take() {
            let fallback = match &effect {
                Effect::Respond { fallback, .. } => fallback.clone(),
                _ => None,
            };
            match self.apply_one(effect).await {
                Ok(()) => return Ok(()),
                Err(e) => {
                    if fallback.is_some() {
                        tracing::info!(error = %e, "the response_url did not take the reply; posting it another way");
                    }
                    failure = Some(e);
                    next = fallback.map(|f| *f);
                }
            }
        }
        Err(failure.unwrap_or(ApiError::Decode { method: "none".into() }))
    }

    async fn apply_one(&self, effect: Effect) -> Result<(), ApiError> {
        let api = &self.api;
        match effect {
            Effect::Respond { url, body, .. } => api.respond(&url, &body).await,
            Effect::Post { to, message, ephemeral_for } => {
                deliver::post(api, &to, &message, ephemeral_for.as_deref()).await
            }
            Effect::Update { channel, ts, message } => deliver::update(api, &channel, &ts, &message).await,
            Effect::OpenView { trigger_id, view } => {
                let call = ViewCall { trigger_id: Some(&trigger_id), view_id: None, view: &view };
                api.call("views.open", &call).await.map(drop)
            }
            Effect::PushView { trigger_id, view } => {
                let call = ViewCall { trigger_id: Some(&trigger_id), view_id: None, view: &view };
                api.call("views.push", &call).await.map(drop)
            }
            Effect::UpdateView { view_id, view } => {
                let call = ViewCall { trigger_id: None, view_id: Some(&view_id), view: &view };
                api.call("views.update", &call).await.map(drop)
            }
            Effect::Upload { to, file } => deliver::upload(api, &to, &file).await,
        }
    }

    /// Tells the person something privately: through the request's `response_url` if there is
    /// one, otherwise in their DM; if neither works, only the log knows.
    async fn tell(&self, incoming: &Incoming, text: &str) {
        let notice = render::notice(text);
        if let Some(url) = &incoming.origin.response_url {
            let body = reply::response_body(&notice, Visibility::Private, false);
            if self.api.respond(url, &body).await.is_ok() {
                return;
            }
        }
        let to = Target::User(incoming.user.clone());
        if let Err(e) = deliver::post(&self.api, &to, &notice, None).await {
            tracing::error!(error = %e, user = %incoming.user, "could not tell the person that their reply failed");
        }
    }
}

/// How a request is answered: the acknowledgement with what came in time, else an early
/// acknowledgement and the replies through the Web API when they come.
struct Replying {
    slack: Arc<Slack>,
    incoming: Incoming,
    lang: Lang,
    started: Instant,
}

impl Replying {
    fn texts(&self) -> Texts<'_> {
        Texts { prompts: &self.slack.bot.prompts, lang: self.lang, command: &self.slack.command }
    }
}

impl Reply for Replying {
    type First = Ack;

    fn in_time(self, replies: Replies) -> Answer<Ack> {
        let replies = match replies {
            Ok(replies) => replies,
            Err(crash) => {
                return Answer::then(Ack::Empty, async move { self.slack.tell(&self.incoming, &crash.apology).await });
            }
        };
        let plan = reply::plan(&self.incoming, &replies, Timing::InTime, &self.texts());
        tracing::info!(
            kind = ?self.incoming.kind(),
            source = ?self.incoming.source,
            team = %self.incoming.team,
            user = %self.incoming.user,
            ms = self.started.elapsed().as_millis() as u64,
            calls = plan.steps.len(),
            "slack request answered"
        );
        if plan.steps.is_empty() {
            return Answer::now(plan.first);
        }
        let effects = plan.steps;
        Answer::then(plan.first, async move { self.slack.execute(&self.incoming, self.lang, effects).await })
    }

    fn deferred(&self) -> Ack {
        tracing::info!(
            kind = ?self.incoming.kind(),
            source = ?self.incoming.source,
            team = %self.incoming.team,
            user = %self.incoming.user,
            "the bot is still working; acknowledged first, the replies will follow"
        );
        reply::late_ack(&self.incoming, &self.texts())
    }

    fn late(self, replies: Replies) -> futures_util::future::BoxFuture<'static, ()> {
        Box::pin(async move {
            match replies {
                Ok(replies) => {
                    let plan = reply::plan(&self.incoming, &replies, Timing::Late, &self.texts());
                    self.slack.execute(&self.incoming, self.lang, plan.steps).await;
                }
                Err(crash) => self.slack.tell(&self.incoming, &crash.apology).await,
            }
        })
    }
}
