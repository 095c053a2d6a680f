//! `POST /discord/interactions`: interactions over HTTP. The raw body is checked against the
//! signature headers and the clock before anything reads it; a request that fails gets 401 and
//! touches nothing (Discord probes endpoints with bad signatures and drops one that accepts
//! them). A verified body that is not an interaction gets 400. Anything else is answered in the
//! HTTP response; what follows it (follow-ups, a deferred reply) runs after. An interaction
//! whose id any replica has seen already (a resent request) gets `409` and is not handled again.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serenity::all::{CreateInteractionResponse, Interaction};

use super::inbound::parse;
use super::interaction::{Discord, answer};
use super::verify::SignatureCheck;

pub const PATH: &str = "/discord/interactions";

#[derive(Clone)]
struct Endpoint {
    discord: Arc<Discord>,
    check: SignatureCheck,
}

pub fn router(discord: Arc<Discord>, check: SignatureCheck) -> Router {
    Router::new().route(PATH, post(interactions)).with_state(Endpoint { discord, check })
}

#[tracing::instrument(skip_all)]
async fn interactions(State(state): State<Endpoint>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let now = state.discord.bot.clock.now().timestamp();
    if let Err(why) = state.check.check(header("x-signature-ed25519"), header("x-signature-timestamp"), &body, now) {
        tracing::debug!(%why, "an interaction request was refused");
        return (StatusCode::UNAUTHORIZED, "invalid request signature").into_response();
    }
    let interaction: Interaction = match parse(&body) {
        Ok(i) => i,
        Err(e) => {
            tracing::warn!(error = %e, "a signed request is not an interaction");
            return (StatusCode::BAD_REQUEST, "not an interaction").into_response();
        }
    };
    if !state.discord.first_time(&interaction).await {
        tracing::info!(id = %interaction.id(), "an interaction sent again; handled already");
        return (StatusCode::CONFLICT, "interaction already handled").into_response();
    }
    let answer = answer(&state.discord, interaction).await;
    let written = match &answer.first {
        // serenity writes `"data": null` for these; Discord documents them bare
        CreateInteractionResponse::Pong => Ok(br#"{"type":1}"#.to_vec()),
        CreateInteractionResponse::Acknowledge => Ok(br#"{"type":6}"#.to_vec()),
        other => serde_json::to_vec(other),
    };
    let body = match written {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "a response could not be written");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if let Some(after) = answer.after {
        state.discord.bot.work.spawn(after);
    }
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
