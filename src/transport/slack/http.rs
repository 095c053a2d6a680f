//! The three Request URLs Slack posts to. Each request is checked before anything else: a body
//! over [`BODY_LIMIT`] gets 413, a missing, stale or wrong signature 401 (nothing parsed, nothing
//! stored), a replayed one an empty 200; only then is the body parsed (400 if it is not what Slack
//! sends) and served.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use super::Slack;
use super::payload::{self, EventBody, Interaction, PayloadError, Request, SlashCommand};
use super::reply::Ack;
use super::verify::verify;

/// Slack's payloads are a few kilobytes; a megabyte leaves room and stops floods.
pub const BODY_LIMIT: usize = 1024 * 1024;

pub fn router(slack: Arc<Slack>) -> Router {
    Router::new()
        .route("/slack/commands", post(commands))
        .route("/slack/interactions", post(interactions))
        .route("/slack/events", post(events))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(slack)
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

impl Slack {
    /// Lets a request through if Slack signed it and it was not seen before; otherwise the
    /// answer it gets.
    async fn admit(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), Refused> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let (timestamp, signature) = (header("x-slack-request-timestamp"), header("x-slack-signature"));
        if let Err(e) = verify(&self.secrets, timestamp, signature, body, now()) {
            tracing::warn!(reason = %e, "refused a request that Slack did not sign");
            return Err(Refused::Unsigned);
        }
        if let (Some(ts), Some(sig)) = (timestamp, signature)
            && !self.first_time(&format!("signature:{ts}:{sig}")).await
        {
            tracing::info!("a signed request came again; handled already");
            return Err(Refused::Repeat);
        }
        Ok(())
    }
}

enum Refused {
    Unsigned,
    Repeat,
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::Unsigned => (StatusCode::UNAUTHORIZED, "invalid signature").into_response(),
            Refused::Repeat => StatusCode::OK.into_response(),
        }
    }
}

fn bad_request(e: PayloadError) -> Response {
    tracing::warn!(error = %e, "a signed request that is not what Slack sends");
    (StatusCode::BAD_REQUEST, "malformed request").into_response()
}

fn answer(result: Result<Ack, PayloadError>) -> Response {
    match result {
        Ok(Ack::Empty) => StatusCode::OK.into_response(),
        Ok(Ack::Body(body)) => axum::Json(body).into_response(),
        Err(e) => bad_request(e),
    }
}

#[tracing::instrument(level = "debug", skip_all)]
async fn commands(State(slack): State<Arc<Slack>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = slack.admit(&headers, &body).await {
        return refused.into_response();
    }
    let pairs = match payload::form(&body) {
        Ok(p) => p,
        Err(e) => return bad_request(e),
    };
    // Slack checking the certificate: nothing to do
    if pairs.iter().any(|(k, v)| k == "ssl_check" && v == "1") {
        return StatusCode::OK.into_response();
    }
    match SlashCommand::from_form(&pairs) {
        Ok(command) => answer(slack.serve(Request::Command(command)).await),
        Err(e) => bad_request(e),
    }
}

#[tracing::instrument(level = "debug", skip_all)]
async fn interactions(State(slack): State<Arc<Slack>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = slack.admit(&headers, &body).await {
        return refused.into_response();
    }
    let interaction = match payload::form(&body).and_then(|p| Interaction::from_form(&p)) {
        Ok(i) => i,
        Err(e) => return bad_request(e),
    };
    answer(slack.serve(Request::Interaction(Box::new(interaction))).await)
}

#[tracing::instrument(level = "debug", skip_all, fields(retry))]
async fn events(State(slack): State<Arc<Slack>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = slack.admit(&headers, &body).await {
        return refused.into_response();
    }
    if let Some(n) = headers.get("x-slack-retry-num").and_then(|v| v.to_str().ok()) {
        tracing::Span::current().record("retry", n);
    }
    match EventBody::parse(&body) {
        Ok(event) => answer(slack.serve(Request::Event(event)).await),
        Err(e) => bad_request(e),
    }
}
