//! Socket Mode: the bot opens a WebSocket to Slack (no public URL needed) and receives the same
//! slash commands, interactions and events as envelopes over it.
//!
//! The loop: apps.connections.open with the app-level token gives a `wss://` URL; Slack says
//! `hello`; each envelope is handled by [`Slack::serve`] like an HTTP request and acknowledged by
//! its `envelope_id` (with the reply as `payload` where Slack takes one: a slash command's
//! message, a submitted modal's `response_action`). A repeated envelope id is acknowledged and
//! not handled again. On a `disconnect` message (Slack rotates connections every few hours) the
//! bot reconnects at once; a healthy connection that drops is reopened at once too, and failures
//! in a row wait 1, 2, 4 … 60 seconds. A ping every 30 seconds notices a connection that died
//! silently.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::Value;
#[cfg(test)]
use serde_json::json;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use super::Slack;
use super::blocks::EnvelopeAck;
use super::payload::{EventBody, Interaction, PayloadError, Request, SlashCommand};
use super::reply::Ack;
use crate::config::Secret;

const PING_EVERY: Duration = Duration::from_secs(30);
/// Nothing heard for this long (not even a pong): the connection is dead.
const SILENCE: Duration = Duration::from_secs(120);
const BACKOFF_MAX: Duration = Duration::from_secs(60);

/// How a connection ended.
#[derive(Debug)]
enum Ended {
    /// Slack asked for a new connection.
    Asked(String),
    /// A connection that worked went away.
    Dropped,
    /// Connecting failed, or the connection died before Slack said hello.
    Failed(String),
}

/// The wait before the `failures`-th attempt in a row: 1, 2, 4 … 60 s, with up to a quarter
/// more at random so replicas do not reconnect in step.
pub fn backoff(failures: u32) -> Duration {
    let base = Duration::from_secs(1u64 << failures.saturating_sub(1).min(6)).min(BACKOFF_MAX);
    let jitter = (uuid::Uuid::new_v4().as_u128() % 1000) as u32;
    base + base / 4 * jitter / 1000
}

/// The connection's name in `/healthz` and `/metrics`.
pub const TRANSPORT: &str = "slack_socket_mode";

/// Keeps a Socket Mode connection open for as long as the server runs.
pub async fn run(slack: Arc<Slack>, app_token: Secret) {
    let mut failures = 0u32;
    loop {
        let ended = session(&slack, &app_token).await;
        slack.bot.metrics.set_connected(TRANSPORT, false);
        match ended {
            Ended::Asked(reason) => {
                tracing::info!(reason = %reason, "Slack asked for a new Socket Mode connection");
                failures = 0;
            }
            Ended::Dropped => {
                tracing::warn!("the Socket Mode connection dropped; reconnecting");
                failures = 0;
            }
            Ended::Failed(reason) => {
                failures += 1;
                let wait = backoff(failures);
                tracing::warn!(reason = %reason, failures, wait_s = wait.as_secs_f32(), "Socket Mode connection failed; trying again");
                tokio::time::sleep(wait).await;
            }
        }
    }
}

#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    envelope_id: Option<String>,
    #[serde(default)]
    payload: Option<Value>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    retry_attempt: Option<u32>,
}

async fn session(slack: &Arc<Slack>, app_token: &Secret) -> Ended {
    let url = match slack.api.call_form_as(app_token, "apps.connections.open", &[]).await {
        Ok(answer) => match answer.get("url").and_then(Value::as_str) {
            Some(url) => url.to_string(),
            None => return Ended::Failed("apps.connections.open gave no URL".into()),
        },
        Err(e) => return Ended::Failed(e.to_string()),
    };
    // the URL carries a ticket: it is never logged
    let socket = match tokio_tungstenite::connect_async(url.as_str()).await {
        Ok((socket, _)) => socket,
        Err(e) => return Ended::Failed(format!("cannot open the WebSocket: {}", kind_of(&e))),
    };
    let (mut write, mut read) = socket.split();
    let (acks, mut outgoing) = mpsc::channel::<String>(256);
    let mut hello = false;
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut heard = Instant::now();
    let dropped = |hello: bool| {
        if hello { Ended::Dropped } else { Ended::Failed("the connection closed before Slack said hello".into()) }
    };
    loop {
        tokio::select! {
            Some(ack) = outgoing.recv() => {
                if write.send(Message::Text(ack)).await.is_err() {
                    return dropped(hello);
                }
            }
            _ = ping.tick() => {
                if heard.elapsed() > SILENCE {
                    return dropped(hello);
                }
                let _ = write.send(Message::Ping(Vec::new())).await;
            }
            message = read.next() => {
                heard = Instant::now();
                match message {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return dropped(hello),
                    Some(Ok(Message::Text(text))) => {
                        let envelope: Envelope = match serde_json::from_str(&text) {
                            Ok(e) => e,
                            Err(e) => {
                                tracing::warn!(error = %e, "a Socket Mode message that is not an envelope");
                                continue;
                            }
                        };
                        match (envelope.kind.as_str(), &envelope.envelope_id) {
                            ("hello", _) => {
                                hello = true;
                                slack.bot.metrics.set_connected(TRANSPORT, true);
                                tracing::info!("Socket Mode connected");
                            }
                            ("disconnect", _) => {
                                let _ = write.send(Message::Close(None)).await;
                                return Ended::Asked(envelope.reason.unwrap_or_default());
                            }
                            (_, Some(_)) => {
                                let (me, acks) = (slack.clone(), acks.clone());
                                slack.bot.work.spawn(async move { handle(me, envelope, acks).await });
                            }
                            (other, None) => tracing::debug!(kind = other, "a Socket Mode message without an envelope id"),
                        }
                    }
                    Some(Ok(_)) => {}
                }
            }
        }
    }
}

/// What failed, without the URL (it carries the connection ticket).
fn kind_of(e: &tokio_tungstenite::tungstenite::Error) -> String {
    use tokio_tungstenite::tungstenite::Error;
    match e {
        Error::Io(io) => format!("I/O: {}", io.kind()),
        Error::Tls(_) => "TLS".into(),
        Error::Http(response) => format!("HTTP status {}", response.status()),
        Error::Url(_) => "bad URL".into(),
        other => crate::transport::text::Unit::Char.cut(&other.to_string(), 80).to_string(),
    }
}

fn request(kind: &str, payload: Value) -> Result<Option<Request>, PayloadError> {
    Ok(match kind {
        "slash_commands" => Some(Request::Command(SlashCommand::from_json(payload)?)),
        "interactive" => Some(Request::Interaction(Box::new(Interaction::from_json(payload)?))),
        "events_api" => Some(Request::Event(
            serde_json::from_value::<EventBody>(payload).map_err(|e| PayloadError::BadJson(e.to_string()))?,
        )),
        _ => None,
    })
}

#[tracing::instrument(skip_all, fields(kind = %envelope.kind, retry = envelope.retry_attempt))]
async fn handle(slack: Arc<Slack>, envelope: Envelope, acks: mpsc::Sender<String>) {
    let started = Instant::now();
    let id = envelope.envelope_id.unwrap_or_default();
    let mut reply = None;
    let mut outcome = "ok";
    if !slack.first_time(&format!("envelope:{id}")).await {
        tracing::info!("an envelope delivered again; handled already");
    } else {
        let parsed = request(&envelope.kind, envelope.payload.unwrap_or(Value::Null));
        match parsed {
            Ok(Some(request)) => match slack.serve(request).await {
                Ok(Ack::Body(payload)) => reply = Some(payload),
                Ok(Ack::Empty) => {}
                Err(e) => {
                    outcome = "rejected";
                    tracing::warn!(error = %e, "an envelope that is not what Slack sends");
                }
            },
            Ok(None) => tracing::debug!("an envelope of a kind this app does not handle"),
            Err(e) => {
                outcome = "rejected";
                tracing::warn!(error = %e, "an envelope that is not what Slack sends");
            }
        }
    }
    slack.bot.metrics.request(TRANSPORT, outcome, started.elapsed());
    let ack = EnvelopeAck { envelope_id: &id, payload: reply.as_ref() };
    let ack = serde_json::to_string(&ack).unwrap_or_default();
    if acks.send(ack).await.is_err() {
        tracing::warn!("the connection closed before an envelope was acknowledged");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_in_a_row_wait_longer_up_to_a_minute() {
        let within = |n: u32, secs: u64| {
            let b = backoff(n);
            assert!(b >= Duration::from_secs(secs) && b <= Duration::from_secs(secs) * 5 / 4, "{n}: {b:?}");
        };
        within(1, 1);
        within(2, 2);
        within(3, 4);
        within(7, 60);
        within(40, 60);
    }

    #[test]
    fn envelopes_become_requests() {
        let command =
            request("slash_commands", json!({"team_id": "T1", "user_id": "U1", "channel_id": "C1", "text": "mine"}))
                .unwrap();
        assert!(matches!(command, Some(Request::Command(c)) if c.text == "mine"));
        let event = request(
            "events_api",
            json!({"type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event": {"type": "tokens_revoked"}}),
        )
        .unwrap();
        assert!(matches!(event, Some(Request::Event(EventBody::Callback { .. }))));
        assert!(request("interactive", json!({"type": "block_actions"})).is_err());
        assert!(request("something_new", json!({})).unwrap().is_none());
    }
}
