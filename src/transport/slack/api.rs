//! The Slack Web API over reqwest: `POST {api_url}/{method}` with the bot token as a bearer,
//! JSON or form bodies, and the answers' `ok` checked.
//!
//! - `ok: false` becomes [`ApiError::Slack`] with Slack's error code, logged as one clear line
//!   (with Slack's own explanation when it gives one).
//! - HTTP 429 waits as long as `Retry-After` says (if that is within [`RetryPolicy::max_wait`])
//!   and tries again; 5xx and connection failures are retried with a doubling backoff.
//! - Tokens travel only in the `Authorization` header and only to `api_url`, never to a
//!   `response_url` or an upload URL; no URL, body or header is ever logged, and the client's
//!   `Debug` shows no token.
//!
//! To call one more method: `call` (JSON) or `call_form` (simple arguments) with its name.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use serde::Serialize;
use serde_json::Value;

use crate::config::Secret;
use crate::ops::metrics::Metrics;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// The wait after the first failure; doubled after each further one.
    pub backoff: Duration,
    /// A `Retry-After` longer than this is not waited for: the error goes to the caller.
    pub max_wait: Duration,
}

impl RetryPolicy {
    /// For replies to people: a few quick tries.
    pub const INTERACTIVE: RetryPolicy =
        RetryPolicy { attempts: 3, backoff: Duration::from_millis(250), max_wait: Duration::from_secs(10) };
    /// One try: the caller (a delivery queue) decides when to try again.
    pub const ONCE: RetryPolicy = RetryPolicy { attempts: 1, backoff: Duration::ZERO, max_wait: Duration::ZERO };
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// Slack answered `ok: false`.
    #[error("{method}: Slack refused it: {code}")]
    Slack { method: String, code: String },
    #[error("{method}: rate limited{}", after.map(|a| format!(", retry after {}s", a.as_secs())).unwrap_or_default())]
    RateLimited { method: String, after: Option<Duration> },
    #[error("{method}: HTTP status {status}")]
    Status { method: String, status: u16 },
    #[error("{method}: {reason}")]
    Network { method: String, reason: String },
    #[error("{method}: the answer is not what Slack sends")]
    Decode { method: String },
}

impl ApiError {
    /// Slack's error code, or a word for the kind of failure.
    pub fn code(&self) -> String {
        match self {
            ApiError::Slack { code, .. } => code.clone(),
            ApiError::RateLimited { .. } => "rate_limited".into(),
            ApiError::Status { status, .. } => format!("http_{status}"),
            ApiError::Network { .. } => "network".into(),
            ApiError::Decode { .. } => "bad_answer".into(),
        }
    }

    /// Worth trying again later: rate limits, server errors, dropped connections, and Slack's
    /// own "try again" codes.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::RateLimited { .. } | ApiError::Network { .. } => true,
            ApiError::Status { status, .. } => *status >= 500 || *status == 408,
            ApiError::Slack { code, .. } => matches!(
                code.as_str(),
                "ratelimited" | "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout"
            ),
            ApiError::Decode { .. } => false,
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::RateLimited { after, .. } => *after,
            _ => None,
        }
    }
}

#[derive(Clone)]
pub struct SlackApi {
    http: reqwest::Client,
    base: String,
    token: Secret,
    policy: RetryPolicy,
    metrics: Arc<Metrics>,
    /// Shared by the clones of this client (same token, same workspace).
    dms: Arc<DmChannels>,
}

/// The DM conversation of each person the bot has written to. conversations.open gives the same
/// id every time for a person, so it is asked once rather than before every message (one call
/// fewer per message, and fewer against its rate limit). Forgotten when a post into it fails
/// (the next message opens it again); emptied whenever it holds [`DmChannels::MAX`] people.
#[derive(Default)]
pub(crate) struct DmChannels(std::sync::Mutex<std::collections::HashMap<String, String>>);

impl DmChannels {
    const MAX: usize = 10_000;

    pub(crate) fn get(&self, user: &str) -> Option<String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).get(user).cloned()
    }

    pub(crate) fn remember(&self, user: &str, channel: &str) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= Self::MAX {
            map.clear();
        }
        map.insert(user.to_string(), channel.to_string());
    }

    pub(crate) fn forget_channel(&self, channel: &str) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).retain(|_, c| c != channel);
    }
}

impl fmt::Debug for SlackApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlackApi")
            .field("base", &self.base)
            .field("token", &self.token)
            .field("policy", &self.policy)
            .finish()
    }
}

enum Body<'a> {
    Json(Vec<u8>),
    Form(&'a [(&'a str, String)]),
    Bytes(&'a [u8], &'a str),
}

impl Body<'_> {
    fn json(body: &impl Serialize) -> Body<'static> {
        Body::Json(serde_json::to_vec(body).unwrap_or_default())
    }
}

impl SlackApi {
    pub fn new(http: reqwest::Client, base: &str, token: Secret, policy: RetryPolicy) -> SlackApi {
        SlackApi {
            http,
            base: base.trim_end_matches('/').to_string(),
            token,
            policy,
            metrics: Arc::default(),
            dms: Arc::default(),
        }
    }

    /// The same client, counting its calls in `metrics`.
    pub fn with_metrics(self, metrics: Arc<Metrics>) -> SlackApi {
        SlackApi { metrics, ..self }
    }

    /// The DM conversations known so far.
    pub(crate) fn dms(&self) -> &DmChannels {
        &self.dms
    }

    /// The same client with another retry policy.
    pub fn with_policy(&self, policy: RetryPolicy) -> SlackApi {
        SlackApi { policy, ..self.clone() }
    }

    pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .user_agent(concat!("kakehashi/", env!("CARGO_PKG_VERSION")))
            .build()
    }

    /// A method with a JSON body (blocks, views).
    pub async fn call(&self, method: &str, body: &impl Serialize) -> Result<Value, ApiError> {
        let url = format!("{}/{method}", self.base);
        let answer = self.send(method, &url, Some(&self.token), Body::json(body)).await?;
        json(method, answer)
    }

    /// A method with simple form arguments (lookups, uploads).
    pub async fn call_form(&self, method: &str, form: &[(&str, String)]) -> Result<Value, ApiError> {
        self.call_form_as(&self.token, method, form).await
    }

    /// The same with another token (the app-level token opens Socket Mode connections).
    pub async fn call_form_as(&self, token: &Secret, method: &str, form: &[(&str, String)]) -> Result<Value, ApiError> {
        let url = format!("{}/{method}", self.base);
        let answer = self.send(method, &url, Some(token), Body::Form(form)).await?;
        json(method, answer)
    }

    /// Posts to a `response_url` (no token: the URL is the credential).
    pub async fn respond(&self, url: &str, body: &impl Serialize) -> Result<(), ApiError> {
        let answer = self.send("response_url", url, None, Body::json(body)).await?;
        match answer {
            // Slack answers "ok" as text, or JSON with ok
            Answer::Json(v) => checked("response_url", v).map(drop),
            Answer::Text => Ok(()),
        }
    }

    /// Uploads file bytes to the URL files.getUploadURLExternal gave (no token either).
    pub async fn upload(&self, url: &str, bytes: &[u8], content_type: &str) -> Result<(), ApiError> {
        self.send("file_upload", url, None, Body::Bytes(bytes, content_type)).await.map(drop)
    }

    async fn send(&self, method: &str, url: &str, token: Option<&Secret>, body: Body<'_>) -> Result<Answer, ApiError> {
        let mut attempt = 1;
        loop {
            let started = Instant::now();
            let result = self.send_once(method, url, token, &body).await;
            tracing::debug!(
                method,
                attempt,
                ms = started.elapsed().as_millis() as u64,
                ok = result.is_ok(),
                "slack api call"
            );
            let wait = match &result {
                Err(ApiError::RateLimited { after, .. }) => {
                    let wait = after.unwrap_or(self.backoff(attempt));
                    if wait > self.policy.max_wait {
                        None
                    } else {
                        tracing::warn!(method, wait_s = wait.as_secs_f32(), "Slack rate limit; waiting as asked");
                        Some(wait)
                    }
                }
                Err(e @ (ApiError::Status { .. } | ApiError::Network { .. })) if e.is_transient() => {
                    Some(self.backoff(attempt))
                }
                _ => None,
            };
            match wait {
                Some(wait) if attempt < self.policy.attempts => {
                    if let Err(e) = &result {
                        tracing::info!(method, attempt, error = %e, "retrying a Slack call");
                    }
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                _ => {
                    if let Err(e) = &result {
                        log_failure(e);
                    }
                    return result;
                }
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.policy.backoff * 2u32.saturating_pow(attempt.saturating_sub(1))
    }

    async fn send_once(
        &self,
        method: &str,
        url: &str,
        token: Option<&Secret>,
        body: &Body<'_>,
    ) -> Result<Answer, ApiError> {
        let mut request = self.http.post(url);
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {}", token.expose()));
        }
        request = match body {
            Body::Json(bytes) => request.header(CONTENT_TYPE, "application/json; charset=utf-8").body(bytes.clone()),
            Body::Form(f) => request.form(f),
            Body::Bytes(b, ct) => request.header(CONTENT_TYPE, *ct).body(b.to_vec()),
        };
        let network = |e: reqwest::Error| ApiError::Network {
            method: method.to_string(),
            // without the URL: a response_url is a credential
            reason: e.without_url().to_string(),
        };
        let response = request.send().await;
        self.metrics.outbound("slack", response.as_ref().ok().map(|r| r.status().as_u16()));
        let response = response.map_err(network)?;
        let status = response.status();
        if status.as_u16() == 429 {
            let after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Err(ApiError::RateLimited { method: method.to_string(), after });
        }
        let bytes = response.bytes().await.map_err(network)?;
        if !status.is_success() {
            // a response_url that expired says so in its body
            if let Ok(v) = serde_json::from_slice::<Value>(&bytes)
                && v.get("ok") == Some(&Value::Bool(false))
            {
                return checked(method, v).map(|_| Answer::Text);
            }
            // a response_url that is gone answers 404 with a word such as expired_url
            let text = String::from_utf8_lossy(&bytes);
            let word = text.trim();
            if status.is_client_error()
                && status.as_u16() != 408
                && !word.is_empty()
                && word.len() <= 40
                && word.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            {
                tracing::warn!(method, error = %word, "Slack refused the call");
                return Err(ApiError::Slack { method: method.to_string(), code: word.to_string() });
            }
            return Err(ApiError::Status { method: method.to_string(), status: status.as_u16() });
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) if v.is_object() => Ok(Answer::Json(v)),
            _ => Ok(Answer::Text),
        }
    }
}

enum Answer {
    Json(Value),
    Text,
}

/// The JSON a Web API method answers, checked.
fn json(method: &str, answer: Answer) -> Result<Value, ApiError> {
    match answer {
        Answer::Json(v) => checked(method, v),
        Answer::Text => Err(ApiError::Decode { method: method.to_string() }),
    }
}

fn checked(method: &str, v: Value) -> Result<Value, ApiError> {
    if v.get("ok").and_then(Value::as_bool) == Some(false) {
        let code = v.get("error").and_then(Value::as_str).unwrap_or("unknown_error").to_string();
        let details: Vec<&str> = v
            .pointer("/response_metadata/messages")
            .and_then(Value::as_array)
            .map(|m| m.iter().filter_map(Value::as_str).take(5).collect())
            .unwrap_or_default();
        if details.is_empty() {
            tracing::warn!(method, error = %code, "Slack refused the call");
        } else {
            tracing::warn!(method, error = %code, details = %details.join(" | "), "Slack refused the call");
        }
        return Err(ApiError::Slack { method: method.to_string(), code });
    }
    Ok(v)
}

/// Refusals (`ApiError::Slack`) are logged where they are read, with Slack's explanation.
fn log_failure(e: &ApiError) {
    if !matches!(e, ApiError::Slack { .. }) {
        tracing::warn!(error = %e, "a Slack call failed");
    }
}

/// Maps a failed call to what a delivery queue should do.
pub fn delivery_error(e: &ApiError) -> crate::outbox::DeliveryError {
    use crate::outbox::DeliveryError;
    if e.is_transient() {
        DeliveryError::Retry { after: e.retry_after(), reason: e.to_string() }
    } else {
        DeliveryError::Fatal { reason: e.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::DeliveryError;

    #[test]
    fn ok_false_becomes_slacks_error_code() {
        let e =
            checked("chat.postMessage", serde_json::json!({"ok": false, "error": "channel_not_found"})).unwrap_err();
        assert_eq!(e.code(), "channel_not_found");
        assert!(!e.is_transient());
        assert_eq!(e.to_string(), "chat.postMessage: Slack refused it: channel_not_found");
        assert!(checked("x", serde_json::json!({"ok": true})).is_ok());
    }

    #[test]
    fn failures_map_to_retry_or_give_up() {
        let limited = ApiError::RateLimited { method: "chat.postMessage".into(), after: Some(Duration::from_secs(30)) };
        assert_eq!(
            delivery_error(&limited),
            DeliveryError::Retry {
                after: Some(Duration::from_secs(30)),
                reason: "chat.postMessage: rate limited, retry after 30s".into()
            }
        );
        for transient in [
            ApiError::Status { method: "m".into(), status: 503 },
            ApiError::Network { method: "m".into(), reason: "connection refused".into() },
            ApiError::Slack { method: "m".into(), code: "internal_error".into() },
        ] {
            assert!(matches!(delivery_error(&transient), DeliveryError::Retry { .. }));
        }
        for fatal in ["channel_not_found", "not_in_channel", "is_archived", "invalid_auth"] {
            let e = ApiError::Slack { method: "m".into(), code: fatal.into() };
            assert!(matches!(delivery_error(&e), DeliveryError::Fatal { .. }), "{fatal}");
        }
        assert!(matches!(
            delivery_error(&ApiError::Status { method: "m".into(), status: 404 }),
            DeliveryError::Fatal { .. }
        ));
    }

    #[test]
    fn the_client_never_shows_its_token() {
        let api = SlackApi::new(
            reqwest::Client::new(),
            "https://slack.com/api/",
            Secret::new("xoxb-very-secret"),
            RetryPolicy::INTERACTIVE,
        );
        let shown = format!("{api:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("https://slack.com/api\""), "{shown}");
    }

    #[test]
    fn backoff_doubles() {
        let api = SlackApi::new(reqwest::Client::new(), "x", Secret::new("t"), RetryPolicy::INTERACTIVE);
        assert_eq!(api.backoff(1), Duration::from_millis(250));
        assert_eq!(api.backoff(2), Duration::from_millis(500));
        assert_eq!(api.backoff(3), Duration::from_millis(1000));
    }
}
