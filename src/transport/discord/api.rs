//! The Discord REST API through serenity's HTTP client: serenity's routes, its token handling,
//! its base-URL override (for a local fake in tests) and, against the real API, its rate
//! limiter. Unlike `Http::request` this keeps the raw answer of a failed call, so a 429's
//! `retry_after` reaches [`ApiError`] and, from there, a delivery's retry.
//!
//! To add a call: a method here that builds a serenity [`Request`] on the right [`Route`] with a
//! JSON body (a serenity builder serialised), and hands it to [`DiscordApi::call`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serenity::builder::CreateAttachment;
use serenity::http::{Http, HttpBuilder, LightMethod, Multipart, MultipartUpload, Request, Route, StatusCode};
use serenity::model::id::{ApplicationId, ChannelId, GuildId, InteractionId};

/// Where the real Discord API lives; any other base URL turns serenity's rate limiter off
/// (it would send requests to discord.com whatever the base URL says).
pub const DEFAULT_API_URL: &str = "https://discord.com";

/// A failed call, with what Discord said about it. Its text never holds a token.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("Discord answered {status}: {message}")]
    Status {
        status: u16,
        /// How long Discord asked to wait (a 429's `retry_after`, or its Retry-After header).
        retry_after: Option<Duration>,
        /// Discord's JSON error code (10003 unknown channel, 50007 cannot DM this user, …).
        code: Option<i64>,
        message: String,
    },
    /// The request did not get an answer: a refused or dropped connection, a timeout.
    #[error("no answer from Discord: {0}")]
    Connection(String),
    /// The request could not be built, or the answer not read.
    #[error("{0}")]
    Invalid(String),
}

impl ApiError {
    /// Trying again later may work: rate limits, Discord's own failures, lost connections.
    pub fn is_temporary(&self) -> bool {
        match self {
            ApiError::Status { status, .. } => *status == 429 || *status >= 500,
            ApiError::Connection(_) => true,
            ApiError::Invalid(_) => false,
        }
    }
}

/// The REST client: serenity's [`Http`] (token, routes, rate limiter, base URL) and the reqwest
/// client it runs on.
pub struct DiscordApi {
    http: Arc<Http>,
    client: reqwest::Client,
    has_token: bool,
    base: String,
    metrics: Arc<crate::ops::metrics::Metrics>,
}

impl fmt::Debug for DiscordApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiscordApi")
            .field("base", &self.base)
            .field("token", &if self.has_token { "***" } else { "(none)" })
            .field("rate_limiter", &self.http.ratelimiter.is_some())
            .finish()
    }
}

impl DiscordApi {
    /// A client for `base` (the real API, or a fake in tests). Without a token only the
    /// interaction webhooks work (follow-ups and edits of a response); they need none.
    pub fn new(token: Option<&str>, base: &str) -> DiscordApi {
        let base = base.trim_end_matches('/').to_string();
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a reqwest client with rustls builds");
        let mut builder = HttpBuilder::new(token.unwrap_or("")).client(client.clone());
        if base != DEFAULT_API_URL || token.is_none() {
            builder = builder.proxy(base.clone()).ratelimiter_disabled(true);
        }
        DiscordApi {
            http: Arc::new(builder.build()),
            client,
            has_token: token.is_some(),
            base,
            metrics: Arc::default(),
        }
    }

    /// The same client, counting its calls in `metrics`.
    pub fn with_metrics(self, metrics: Arc<crate::ops::metrics::Metrics>) -> DiscordApi {
        DiscordApi { metrics, ..self }
    }

    /// serenity's client, for the gateway.
    pub fn http(&self) -> Arc<Http> {
        self.http.clone()
    }

    pub fn has_token(&self) -> bool {
        self.has_token
    }

    /// Sends one request; the body of a successful answer, or what went wrong.
    pub async fn call(&self, request: Request<'_>) -> Result<Vec<u8>, ApiError> {
        let response = self.send(request).await;
        self.metrics.outbound("discord", response.as_ref().ok().map(|r| r.status().as_u16()));
        let response = response?;
        let status = response.status();
        let header_wait = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok());
        let body = response.bytes().await.map_err(reqwest_error)?.to_vec();
        if status.is_success() {
            return Ok(body);
        }
        Err(status_error(status, header_wait, &body))
    }

    async fn send(&self, request: Request<'_>) -> Result<reqwest::Response, ApiError> {
        Ok(match &self.http.ratelimiter {
            Some(limiter) => limiter.perform(request).await.map_err(serenity_error)?,
            None => {
                let token = if self.has_token { self.http.token() } else { "" };
                let mut built = request
                    .build(&self.client, token, self.http.proxy.as_deref())
                    .map_err(serenity_error)?
                    .build()
                    .map_err(reqwest_error)?;
                if !self.has_token {
                    built.headers_mut().remove(reqwest::header::AUTHORIZATION);
                }
                self.client.execute(built).await.map_err(reqwest_error)?
            }
        })
    }

    async fn json(&self, route: Route<'_>, method: LightMethod, body: &impl Serialize) -> Result<Vec<u8>, ApiError> {
        let body = serde_json::to_vec(body).map_err(|e| ApiError::Invalid(e.to_string()))?;
        self.call(Request::new(route, method).body(Some(body))).await
    }

    /// Answers an interaction that came over the gateway (the endpoint answers in its HTTP
    /// response instead).
    pub async fn respond(
        &self,
        interaction: InteractionId,
        token: &str,
        response: &impl Serialize,
    ) -> Result<(), ApiError> {
        let route = Route::InteractionResponse { interaction_id: interaction, token };
        self.json(route, LightMethod::Post, response).await.map(drop)
    }

    /// Replaces the interaction's first response (or, after a deferred update, the message whose
    /// component was used).
    pub async fn edit_original(
        &self,
        application: ApplicationId,
        token: &str,
        message: &impl Serialize,
    ) -> Result<(), ApiError> {
        let route = Route::WebhookOriginalInteractionResponse { application_id: application, token };
        self.json(route, LightMethod::Patch, message).await.map(drop)
    }

    pub async fn delete_original(&self, application: ApplicationId, token: &str) -> Result<(), ApiError> {
        let route = Route::WebhookOriginalInteractionResponse { application_id: application, token };
        self.call(Request::new(route, LightMethod::Delete)).await.map(drop)
    }

    /// One more message for an interaction, with files if there are any.
    pub async fn follow_up(
        &self,
        application: ApplicationId,
        token: &str,
        message: &impl Serialize,
        files: Vec<CreateAttachment>,
    ) -> Result<(), ApiError> {
        let route = Route::WebhookFollowupMessages { application_id: application, token };
        if files.is_empty() {
            return self.json(route, LightMethod::Post, message).await.map(drop);
        }
        let payload = serde_json::to_string(message).map_err(|e| ApiError::Invalid(e.to_string()))?;
        let request = Request::new(route, LightMethod::Post).multipart(Some(Multipart {
            upload: MultipartUpload::Attachments(files),
            fields: Vec::new(),
            payload_json: Some(payload),
        }));
        self.call(request).await.map(drop)
    }

    /// Opens (or finds) the direct-message channel with a user; its id.
    pub async fn dm_channel(&self, user: u64) -> Result<ChannelId, ApiError> {
        let body = serde_json::json!({ "recipient_id": user.to_string() });
        let answer = self.json(Route::UserMeDmChannels, LightMethod::Post, &body).await?;
        channel_id(&answer)
    }

    /// A server's name (the bot is a member of every server it answers in).
    pub async fn guild_name(&self, guild: GuildId) -> Result<String, ApiError> {
        let answer = self.call(Request::new(Route::Guild { guild_id: guild }, LightMethod::Get)).await?;
        serde_json::from_slice::<serde_json::Value>(&answer)
            .ok()
            .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_string))
            .ok_or_else(|| ApiError::Invalid("a guild without a name".into()))
    }

    pub async fn post_message(&self, channel: ChannelId, message: &impl Serialize) -> Result<(), ApiError> {
        let route = Route::ChannelMessages { channel_id: channel };
        self.json(route, LightMethod::Post, message).await.map(drop)
    }

    /// Posts a file (the digest's chart) with a line of text, pinging nobody.
    pub async fn post_file(&self, channel: ChannelId, file: CreateAttachment, content: &str) -> Result<(), ApiError> {
        let route = Route::ChannelMessages { channel_id: channel };
        let payload = serde_json::json!({ "content": content, "allowed_mentions": { "parse": [] } });
        let request = Request::new(route, LightMethod::Post).multipart(Some(Multipart {
            upload: MultipartUpload::Attachments(vec![file]),
            fields: Vec::new(),
            payload_json: Some(payload.to_string()),
        }));
        self.call(request).await.map(drop)
    }

    /// Replaces every command of the application, globally or in one guild (a bulk overwrite).
    pub async fn overwrite_commands(
        &self,
        application: ApplicationId,
        guild: Option<GuildId>,
        commands: &impl Serialize,
    ) -> Result<(), ApiError> {
        let route = match guild {
            Some(guild_id) => Route::GuildCommands { application_id: application, guild_id },
            None => Route::Commands { application_id: application },
        };
        self.json(route, LightMethod::Put, commands).await.map(drop)
    }
}

fn channel_id(answer: &[u8]) -> Result<ChannelId, ApiError> {
    #[derive(serde::Deserialize)]
    struct Channel {
        id: serenity::model::id::ChannelId,
    }
    serde_json::from_slice::<Channel>(answer)
        .map(|c| c.id)
        .map_err(|e| ApiError::Invalid(format!("Discord's channel is not readable: {e}")))
}

/// A failed answer in words: Discord's JSON error (`code`, `message`, `retry_after`) when it
/// sent one.
fn status_error(status: StatusCode, header_wait: Option<f64>, body: &[u8]) -> ApiError {
    #[derive(serde::Deserialize, Default)]
    struct Body {
        code: Option<i64>,
        message: Option<String>,
        retry_after: Option<f64>,
    }
    let parsed: Body = serde_json::from_slice(body).unwrap_or_default();
    let wait = parsed.retry_after.or(header_wait).filter(|s| s.is_finite() && *s >= 0.0).map(Duration::from_secs_f64);
    ApiError::Status {
        status: status.as_u16(),
        retry_after: if status == StatusCode::TOO_MANY_REQUESTS { wait } else { None },
        code: parsed.code,
        message: parsed.message.unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_string()),
    }
}

/// reqwest's errors name the URL, and interaction URLs hold the interaction's token: drop it.
fn reqwest_error(e: reqwest::Error) -> ApiError {
    let temporary = e.is_connect() || e.is_timeout() || e.is_request() || e.is_body();
    let text = e.without_url().to_string();
    if temporary { ApiError::Connection(text) } else { ApiError::Invalid(text) }
}

fn serenity_error(e: serenity::Error) -> ApiError {
    match e {
        serenity::Error::Http(serenity::http::HttpError::Request(e)) => reqwest_error(e),
        serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(r)) => ApiError::Status {
            status: r.status_code.as_u16(),
            retry_after: None,
            code: Some(r.error.code as i64),
            message: r.error.message,
        },
        other => ApiError::Invalid(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let api = DiscordApi::new(Some("MTIz.secret-token"), "http://127.0.0.1:9");
        let shown = format!("{api:?}");
        assert!(!shown.contains("secret-token"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
        let http = format!("{:?}", api.http());
        assert!(!http.contains("secret-token"), "{http}");
    }

    #[test]
    fn a_rate_limit_carries_its_wait_and_other_failures_their_code() {
        let e = status_error(
            StatusCode::TOO_MANY_REQUESTS,
            Some(3.0),
            br#"{"message":"You are being rate limited.","retry_after":1.5,"global":false}"#,
        );
        assert_eq!(
            e,
            ApiError::Status {
                status: 429,
                retry_after: Some(Duration::from_millis(1500)),
                code: None,
                message: "You are being rate limited.".into()
            }
        );
        assert!(e.is_temporary());
        let e = status_error(StatusCode::TOO_MANY_REQUESTS, Some(2.0), b"not json");
        assert!(matches!(e, ApiError::Status { retry_after: Some(d), .. } if d == Duration::from_secs(2)));
        let e = status_error(StatusCode::NOT_FOUND, None, br#"{"code":10003,"message":"Unknown Channel"}"#);
        assert!(matches!(e, ApiError::Status { status: 404, code: Some(10003), retry_after: None, .. }));
        assert!(!e.is_temporary());
        assert!(status_error(StatusCode::BAD_GATEWAY, None, b"").is_temporary());
    }
}
