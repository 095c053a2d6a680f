//! A local fake of the Discord REST API (it records every call and answers as Discord would, or
//! as a test tells it to: a 429, a 500, a 404), and interaction payloads as Discord sends them.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::flaky::{Drops, FlakyListener, one_call_per_connection};

pub const APP: &str = "1100000000000000001";
pub const GUILD: &str = "1200000000000000002";
/// The test server's name, as `GET /guilds/{id}` gives it.
pub const GUILD_NAME: &str = "Acme Retail";
pub const CHANNEL: &str = "1300000000000000003";
pub const DM_CHANNEL: &str = "1400000000000000004";
/// A member who manages the server, and one who does not.
pub const ADMIN: &str = "810000000000000001";
pub const AIKO: &str = "810000000000000002";
pub const BEN: &str = "810000000000000003";

#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    /// The JSON body; a multipart body as its raw text.
    pub body: Value,
    /// The HTTP status it was answered with.
    pub status: u16,
}

struct Scripted {
    path_contains: String,
    status: u16,
    body: String,
    retry_after: Option<String>,
    /// Answer as usual, after this wait.
    delay: Option<Duration>,
}

#[derive(Default)]
struct Recorded {
    calls: Mutex<Vec<Call>>,
    scripted: Mutex<Vec<Scripted>>,
    changed: Notify,
    drops: Drops,
    /// What `GET /gateway` answers.
    gateway_url: Mutex<Option<String>>,
}

pub struct FakeDiscord {
    pub url: String,
    state: Arc<Recorded>,
}

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        let state = Arc::new(Recorded::default());
        let app = one_call_per_connection(Router::new().fallback(record).with_state(state.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let listener = FlakyListener::new(listener, state.drops.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeDiscord { url, state }
    }

    /// The next call whose path contains `path_contains` gets this answer instead.
    pub fn answer_next(&self, path_contains: &str, status: u16, body: &str, retry_after: Option<&str>) {
        self.state.scripted.lock().unwrap().push(Scripted {
            path_contains: path_contains.into(),
            status,
            body: body.into(),
            retry_after: retry_after.map(str::to_string),
            delay: None,
        });
    }

    /// The next call whose path contains `path_contains` is answered as usual, after `wait`.
    pub fn answer_slowly(&self, path_contains: &str, wait: Duration) {
        self.state.scripted.lock().unwrap().push(Scripted {
            path_contains: path_contains.into(),
            status: 200,
            body: String::new(),
            retry_after: None,
            delay: Some(wait),
        });
    }

    /// `GET /gateway` answers with this URL (a [`FakeGateway`]'s).
    pub fn set_gateway_url(&self, url: &str) {
        *self.state.gateway_url.lock().unwrap() = Some(url.to_string());
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state.calls.lock().unwrap().clone()
    }

    /// The next `n` connections are dropped after their request arrives, unanswered.
    pub fn drop_connections(&self, n: usize) {
        self.state.drops.arm(n);
    }

    /// Connections dropped so far.
    pub fn dropped(&self) -> usize {
        self.state.drops.dropped()
    }

    /// Waits (without polling) until a call matching `found` has been recorded.
    pub async fn wait_for(&self, what: &str, found: impl Fn(&Call) -> bool) -> Call {
        let wait = async {
            loop {
                let changed = self.state.changed.notified();
                tokio::pin!(changed);
                changed.as_mut().enable();
                if let Some(c) = self.calls().into_iter().find(|c| found(c)) {
                    return c;
                }
                changed.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(20), wait)
            .await
            .unwrap_or_else(|_| panic!("no {what} reached the fake Discord API; calls: {:#?}", self.calls()))
    }
}

async fn record(
    State(state): State<Arc<Recorded>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let scripted = {
        let mut list = state.scripted.lock().unwrap();
        list.iter().position(|s| path.contains(&s.path_contains)).map(|i| list.remove(i))
    };
    let response = match scripted {
        Some(Scripted { delay: Some(wait), .. }) => {
            tokio::time::sleep(wait).await;
            usual(&path)
        }
        Some(s) => {
            let mut response =
                (StatusCode::from_u16(s.status).unwrap(), [("content-type", "application/json")], s.body)
                    .into_response();
            if let Some(wait) = s.retry_after {
                response.headers_mut().insert("retry-after", wait.parse().unwrap());
            }
            response
        }
        None if path.ends_with("/gateway") || path.ends_with("/gateway/bot") => {
            let url = state.gateway_url.lock().unwrap().clone().unwrap_or_default();
            let limit = json!({"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1});
            (StatusCode::OK, axum::Json(json!({ "url": url, "shards": 1, "session_start_limit": limit })))
                .into_response()
        }
        None => usual(&path),
    };
    let body_value =
        serde_json::from_slice(&body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    state.calls.lock().unwrap().push(Call {
        method: method.to_string(),
        path,
        authorization: headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_string),
        body: body_value,
        status: response.status().as_u16(),
    });
    state.changed.notify_waiters();
    response
}

/// What Discord answers when all is well.
fn usual(path: &str) -> Response {
    let answer = if path.ends_with("/users/@me/channels") {
        json!({ "id": DM_CHANNEL, "type": 1 })
    } else if path.contains("/channels/") && path.ends_with("/messages") {
        json!({ "id": "1500000000000000005" })
    } else if path.ends_with("/commands") {
        json!([])
    } else if path.ends_with(&format!("/guilds/{GUILD}")) {
        json!({ "id": GUILD, "name": GUILD_NAME })
    } else {
        json!({})
    };
    (StatusCode::OK, axum::Json(answer)).into_response()
}

// ----- interactions as Discord sends them -----

fn user(id: &str) -> Value {
    json!({ "id": id, "username": format!("user{}", &id[id.len() - 3..]), "discriminator": "0", "global_name": null, "avatar": null })
}

/// Who sends an interaction: a member of the test guild, or a person in a DM with the bot.
#[derive(Clone, Copy)]
pub struct Sender {
    pub user: &'static str,
    pub manage_guild: bool,
    pub in_guild: bool,
    pub locale: &'static str,
}

impl Sender {
    pub fn member(user: &'static str) -> Sender {
        Sender { user, manage_guild: user == ADMIN, in_guild: true, locale: "en-US" }
    }
}

fn interaction(kind: u8, who: Sender, data: Value, n: u64) -> Value {
    let mut v = json!({
        "id": format!("{}", 1_600_000_000_000_000_000u64 + n),
        "application_id": APP,
        "type": kind,
        "data": data,
        "channel_id": if who.in_guild { CHANNEL } else { DM_CHANNEL },
        "token": format!("interaction-token-{n}"),
        "version": 1,
        "locale": who.locale,
        "app_permissions": "0",
        "entitlements": [],
        "authorizing_integration_owners": {},
        "context": if who.in_guild { 0 } else { 1 },
        "attachment_size_limit": 26214400
    });
    if who.in_guild {
        v["guild_id"] = json!(GUILD);
        v["member"] = json!({
            "user": user(who.user),
            "roles": [],
            "joined_at": "2026-01-01T00:00:00.000000+00:00",
            "deaf": false,
            "mute": false,
            "flags": 0,
            "permissions": if who.manage_guild { "32" } else { "1024" },
        });
    } else {
        v["user"] = user(who.user);
    }
    v
}

/// `/ai <sub> option:value…` (a `user` option is sent as a USER option).
pub fn command(who: Sender, n: u64, top: &str, path: &[&str], options: &[(&str, Value)]) -> Value {
    let leaf: Vec<Value> = options
        .iter()
        .map(|(name, value)| {
            let kind = match value {
                Value::Number(_) => 10,
                _ if *name == "user" => 6,
                _ => 3,
            };
            json!({ "name": name, "type": kind, "value": value })
        })
        .collect();
    interaction(2, who, json!({ "id": "1700000000000000007", "name": top, "type": 1, "options": nest(path, leaf) }), n)
}

fn nest(path: &[&str], leaf: Vec<Value>) -> Vec<Value> {
    match path {
        [] => leaf,
        [sub] => vec![json!({ "name": sub, "type": 1, "options": leaf })],
        [group, rest @ ..] => {
            vec![json!({ "name": group, "type": 2, "options": nest(rest, leaf) })]
        }
    }
}

/// Someone typing `typed` into the option `option` of `/ai <sub>`.
pub fn autocomplete(who: Sender, n: u64, sub: &str, option: &str, typed: &str) -> Value {
    interaction(
        4,
        who,
        json!({ "id": "1700000000000000007", "name": "ai", "type": 1, "options": [
            { "name": sub, "type": 1, "options": [
                { "name": option, "type": 3, "value": typed, "focused": true }
            ]}
        ]}),
        n,
    )
}

fn bot_message() -> Value {
    json!({
        "id": "1800000000000000008", "channel_id": CHANNEL, "author": user(APP),
        "content": "", "timestamp": "2026-06-01T09:00:00.000000+00:00", "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": [], "pinned": false, "type": 0, "flags": 64
    })
}

/// A click on a button (`values` None) or a pick in a select.
pub fn component(who: Sender, n: u64, custom_id: &str, values: Option<&[&str]>) -> Value {
    let data = match values {
        None => json!({ "custom_id": custom_id, "component_type": 2 }),
        Some(v) => json!({ "custom_id": custom_id, "component_type": 3, "values": v }),
    };
    let mut v = interaction(3, who, data, n);
    v["message"] = bot_message();
    v
}

/// A submitted modal; `from_message` when it was opened by a button on a message.
pub fn modal(who: Sender, n: u64, custom_id: &str, fields: &[(&str, &str)], from_message: bool) -> Value {
    let rows: Vec<Value> = fields
        .iter()
        .map(|(id, value)| json!({ "type": 1, "components": [{ "type": 4, "custom_id": id, "value": value }] }))
        .collect();
    let mut v = interaction(5, who, json!({ "custom_id": custom_id, "components": rows }), n);
    if from_message {
        v["message"] = bot_message();
    }
    v
}

/// The custom ids of a message's components (buttons and selects), from a response's `data`.
pub fn custom_ids(data: &Value) -> Vec<String> {
    data["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect()
}

/// A message's text: its content and its embeds' descriptions.
pub fn text(data: &Value) -> String {
    let mut s = data["content"].as_str().unwrap_or_default().to_string();
    for e in data["embeds"].as_array().into_iter().flatten() {
        s.push('\n');
        s.push_str(e["description"].as_str().unwrap_or_default());
    }
    s
}

// ----- the gateway -----

/// A fake Discord gateway: Hello, READY on Identify, RESUMED on Resume, an acknowledgement for
/// each heartbeat. Two addresses, like Discord's: the one `GET /gateway` gives, and the one READY
/// names as `resume_gateway_url`. A test can close every connection (code 4000) and refuse new
/// ones, as Discord does during an outage.
pub struct FakeGateway {
    pub url: String,
    state: Arc<Gateway>,
}

#[derive(Default)]
struct Gateway {
    refuse: std::sync::atomic::AtomicBool,
    kick: tokio::sync::watch::Sender<u64>,
    /// (which address, what the client sent first after Hello: "identify" or "resume").
    sessions: Mutex<Vec<(&'static str, &'static str)>>,
    changed: Notify,
}

impl FakeGateway {
    pub async fn start() -> FakeGateway {
        let state = Arc::new(Gateway::default());
        let main = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let resume = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}", main.local_addr().unwrap());
        let resume_url = format!("ws://{}", resume.local_addr().unwrap());
        for (listener, which) in [(main, "main"), (resume, "resume")] {
            let state = state.clone();
            let resume_url = resume_url.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    if state.refuse.load(std::sync::atomic::Ordering::SeqCst) {
                        drop(stream);
                        continue;
                    }
                    tokio::spawn(session(state.clone(), stream, which, resume_url.clone()));
                }
            });
        }
        FakeGateway { url, state }
    }

    /// Closes every open connection with code 4000; with `refuse`, new ones are dropped unanswered.
    pub fn drop_all(&self, refuse: bool) {
        self.state.refuse.store(refuse, std::sync::atomic::Ordering::SeqCst);
        self.state.kick.send_modify(|n| *n += 1);
    }

    pub fn accept(&self) {
        self.state.refuse.store(false, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn sessions(&self) -> Vec<(&'static str, &'static str)> {
        self.state.sessions.lock().unwrap().clone()
    }

    /// Waits until `n` sessions have started.
    pub async fn wait_sessions(&self, n: usize) -> Vec<(&'static str, &'static str)> {
        let wait = async {
            loop {
                let changed = self.state.changed.notified();
                tokio::pin!(changed);
                changed.as_mut().enable();
                if self.sessions().len() >= n {
                    return self.sessions();
                }
                changed.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(30), wait)
            .await
            .unwrap_or_else(|_| panic!("{n} gateway sessions did not start: {:?}", self.sessions()))
    }
}

async fn session(state: Arc<Gateway>, stream: tokio::net::TcpStream, which: &'static str, resume_url: String) {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::protocol::CloseFrame;
    let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else { return };
    let mut kick = state.kick.subscribe();
    kick.borrow_and_update();
    let send = |v: Value| Message::Text(v.to_string());
    if ws.send(send(json!({"op": 10, "d": {"heartbeat_interval": 500}}))).await.is_err() {
        return;
    }
    let mut seq = 0u64;
    loop {
        tokio::select! {
            _ = kick.changed() => {
                let frame = CloseFrame { code: 4000u16.into(), reason: "Unknown error".into() };
                let _ = ws.send(Message::Close(Some(frame))).await;
                return;
            }
            message = ws.next() => {
                let Some(Ok(Message::Text(text))) = message else { return };
                let v: Value = serde_json::from_str(&text).unwrap_or_default();
                seq += 1;
                let reply = match v["op"].as_u64() {
                    Some(1) => json!({"op": 11}),
                    Some(2) => {
                        state.sessions.lock().unwrap().push((which, "identify"));
                        state.changed.notify_waiters();
                        json!({"op": 0, "t": "READY", "s": seq, "d": {
                            "v": 10,
                            "user": {"id": APP, "username": "kakehashi", "discriminator": "0", "avatar": null, "bot": true},
                            "guilds": [],
                            "session_id": "session-1",
                            "resume_gateway_url": resume_url,
                            "shard": [0, 1],
                            "application": {"id": APP, "flags": 0}
                        }})
                    }
                    Some(6) => {
                        state.sessions.lock().unwrap().push((which, "resume"));
                        state.changed.notify_waiters();
                        json!({"op": 0, "t": "RESUMED", "s": seq, "d": {}})
                    }
                    _ => continue,
                };
                if ws.send(send(reply)).await.is_err() {
                    return;
                }
            }
        }
    }
}
