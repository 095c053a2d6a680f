//! A local fake of Slack for the end-to-end tests: the Web API (`/api/{method}`), response URLs
//! (`/hooks/{n}`), upload URLs (`/upload/{id}`) and a Socket Mode WebSocket server. It records
//! every call, answers as Slack does by default, and can be told to answer a method with a 429
//! (with Retry-After), a server error, an `ok: false` error or slowly, or to drop connections.
//! Tests wait on its record with a timeout instead of sleeping.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

use crate::flaky::{Drops, FlakyListener, one_call_per_connection};

/// How long a test waits for something the fake should see.
pub const WAIT: Duration = Duration::from_secs(15);
/// The test workspace's name, as team.info gives it.
pub const TEAM_NAME: &str = "Acme Retail Japan";

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Call {
    /// The Web API method (`chat.postMessage`), `hook:{n}` for a response URL, `upload:{id}`.
    pub method: String,
    pub authorization: Option<String>,
    /// The JSON body, or the form fields as an object of strings.
    pub body: Value,
    pub bytes: usize,
    pub at: Instant,
    /// Answered with success (HTTP 200 and, for the Web API, `ok: true`).
    pub ok: bool,
}

/// A scripted answer for the next call of a method.
#[derive(Debug, Clone)]
pub enum Scripted {
    /// The usual answer (to let some calls through before a failure).
    Pass,
    /// The usual answer, after a wait.
    Slow {
        millis: u64,
    },
    RateLimited {
        after_secs: u64,
    },
    Status(u16, &'static str),
    Error(&'static str),
}

struct Inner {
    calls: Mutex<Vec<Call>>,
    changed: watch::Sender<usize>,
    scripted: Mutex<HashMap<String, VecDeque<Scripted>>>,
    socket_url: Mutex<Option<String>>,
    locale: Mutex<String>,
    counter: AtomicU64,
    addr: SocketAddr,
    drops: Drops,
    /// Channels whose chat.postMessage never answers (the bot's client gives up).
    hanging: Mutex<Vec<String>>,
}

#[derive(Clone)]
pub struct FakeSlack {
    inner: Arc<Inner>,
}

impl FakeSlack {
    pub async fn start() -> FakeSlack {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let inner = Arc::new(Inner {
            calls: Mutex::new(Vec::new()),
            changed: watch::channel(0).0,
            scripted: Mutex::new(HashMap::new()),
            socket_url: Mutex::new(None),
            locale: Mutex::new("en-US".into()),
            counter: AtomicU64::new(1),
            addr,
            drops: Drops::default(),
            hanging: Mutex::new(Vec::new()),
        });
        let router = Router::new()
            .route("/api/{method}", post(api))
            .route("/hooks/{n}", post(hook))
            .route("/upload/{id}", post(upload))
            .with_state(inner.clone());
        let listener = FlakyListener::new(listener, inner.drops.clone());
        tokio::spawn(async move {
            axum::serve(listener, one_call_per_connection(router)).await.unwrap();
        });
        FakeSlack { inner }
    }

    /// What SLACK_API_URL points at.
    pub fn api_url(&self) -> String {
        format!("http://{}/api", self.inner.addr)
    }

    /// A fresh response URL, as Slack puts in each request.
    pub fn response_url(&self) -> String {
        let n = self.inner.counter.fetch_add(1, Ordering::SeqCst);
        format!("http://{}/hooks/{n}", self.inner.addr)
    }

    pub fn next_id(&self) -> u64 {
        self.inner.counter.fetch_add(1, Ordering::SeqCst)
    }

    /// The next `times` calls of `method` get `answer`.
    pub fn script(&self, method: &str, answer: Scripted, times: usize) {
        let mut s = self.inner.scripted.lock().unwrap();
        let q = s.entry(method.to_string()).or_default();
        for _ in 0..times {
            q.push_back(answer.clone());
        }
    }

    /// The next `n` connections are dropped after their request arrives, unanswered.
    /// Makes chat.postMessage to `channel` hang: no answer ever comes.
    pub fn hang_channel(&self, channel: &str) {
        self.inner.hanging.lock().unwrap().push(channel.to_string());
    }

    pub fn drop_connections(&self, n: usize) {
        self.inner.drops.arm(n);
    }

    /// Connections dropped so far.
    pub fn dropped(&self) -> usize {
        self.inner.drops.dropped()
    }

    pub fn set_locale(&self, locale: &str) {
        *self.inner.locale.lock().unwrap() = locale.into();
    }

    pub fn set_socket_url(&self, url: &str) {
        *self.inner.socket_url.lock().unwrap() = Some(url.into());
    }

    pub fn calls(&self) -> Vec<Call> {
        self.inner.calls.lock().unwrap().clone()
    }

    /// The calls of one method (or `hook:{n}` for a response URL).
    pub fn calls_of(&self, method: &str) -> Vec<Call> {
        self.calls().into_iter().filter(|c| c.method == method).collect()
    }

    /// Waits until `done` holds for the record; panics after [`WAIT`] naming `what`.
    pub async fn wait_until(&self, what: &str, done: impl Fn(&[Call]) -> bool) -> Vec<Call> {
        let mut rx = self.inner.changed.subscribe();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            {
                let calls = self.inner.calls.lock().unwrap();
                if done(&calls) {
                    return calls.clone();
                }
            }
            if tokio::time::timeout_at(deadline, rx.changed()).await.is_err() {
                panic!(
                    "the fake Slack never saw {what}; it saw:\n{}",
                    self.calls().iter().map(|c| format!("{} {}", c.method, c.body)).collect::<Vec<_>>().join("\n")
                );
            }
        }
    }

    /// Waits for at least `n` calls of `method` and returns them.
    pub async fn wait_calls(&self, method: &str, n: usize) -> Vec<Call> {
        self.wait_until(&format!("{n} × {method}"), |calls| calls.iter().filter(|c| c.method == method).count() >= n)
            .await
            .into_iter()
            .filter(|c| c.method == method)
            .collect()
    }

    /// Waits for the posts to a response URL (given as the URL).
    pub async fn wait_hook(&self, url: &str, n: usize) -> Vec<Call> {
        let id = url.rsplit('/').next().unwrap();
        self.wait_calls(&format!("hook:{id}"), n).await
    }
}

fn parse(headers: &HeaderMap, body: &[u8]) -> Value {
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.starts_with("application/json") {
        serde_json::from_slice(body).unwrap_or(Value::Null)
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        Value::Object(pairs.into_iter().map(|(k, v)| (k, Value::String(v))).collect())
    } else {
        Value::Null
    }
}

fn record(inner: &Inner, method: String, headers: &HeaderMap, body: &[u8], ok: bool) {
    let call = Call {
        method,
        authorization: headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_string),
        body: parse(headers, body),
        bytes: body.len(),
        at: Instant::now(),
        ok,
    };
    inner.calls.lock().unwrap().push(call);
    inner.changed.send_modify(|n| *n += 1);
}

/// The scripted answer for this call of `method`, if one is waiting (after its wait, if slow).
async fn scripted(inner: &Inner, method: &str) -> Option<Response> {
    let next = inner.scripted.lock().unwrap().get_mut(method).and_then(VecDeque::pop_front)?;
    Some(match next {
        Scripted::Pass => return None,
        Scripted::Slow { millis } => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            return None;
        }
        Scripted::RateLimited { after_secs } => {
            (StatusCode::TOO_MANY_REQUESTS, [("retry-after", after_secs.to_string())], "").into_response()
        }
        Scripted::Status(status, body) => (StatusCode::from_u16(status).unwrap(), body).into_response(),
        Scripted::Error(code) => axum::Json(json!({"ok": false, "error": code})).into_response(),
    })
}

async fn api(State(inner): State<Arc<Inner>>, Path(method): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    if method == "chat.postMessage" {
        let channel = parse(&headers, &body)["channel"].as_str().unwrap_or_default().to_string();
        if inner.hanging.lock().unwrap().contains(&channel) {
            std::future::pending::<()>().await;
        }
    }
    if let Some(answer) = scripted(&inner, &method).await {
        record(&inner, method, &headers, &body, false);
        return answer;
    }
    let n = inner.counter.fetch_add(1, Ordering::SeqCst);
    let last = parse(&headers, &body);
    let answer = match method.as_str() {
        "views.open" | "views.push" | "views.update" => {
            json!({"ok": true, "view": {"id": format!("V{n}")}})
        }
        "chat.postMessage" => {
            json!({"ok": true, "channel": last["channel"], "ts": format!("{n}.000100")})
        }
        "chat.postEphemeral" => json!({"ok": true, "message_ts": format!("{n}.000200")}),
        "chat.update" => json!({"ok": true, "channel": last["channel"], "ts": last["ts"]}),
        "conversations.open" => {
            let user = last["users"].as_str().unwrap_or("U0").to_string();
            json!({"ok": true, "channel": {"id": format!("D{}", user.trim_start_matches('U'))}})
        }
        "team.info" => json!({"ok": true, "team": {"id": last["team"], "name": TEAM_NAME, "domain": "acme"}}),
        "users.info" => {
            let locale = inner.locale.lock().unwrap().clone();
            json!({"ok": true, "user": {"id": last["user"], "locale": locale}})
        }
        "apps.connections.open" => match inner.socket_url.lock().unwrap().clone() {
            Some(url) => json!({"ok": true, "url": url}),
            None => json!({"ok": false, "error": "no_socket_server"}),
        },
        "files.getUploadURLExternal" => json!({
            "ok": true,
            "upload_url": format!("http://{}/upload/F{n}", inner.addr),
            "file_id": format!("F{n}"),
        }),
        "files.completeUploadExternal" => json!({"ok": true, "files": [{"id": "F"}]}),
        _ => json!({"ok": false, "error": "unknown_method"}),
    };
    record(&inner, method, &headers, &body, answer["ok"] == true);
    axum::Json(answer).into_response()
}

async fn hook(State(inner): State<Arc<Inner>>, Path(n): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let method = format!("hook:{n}");
    if let Some(answer) = scripted(&inner, &method).await {
        record(&inner, method, &headers, &body, false);
        return answer;
    }
    record(&inner, method, &headers, &body, true);
    "ok".into_response()
}

async fn upload(State(inner): State<Arc<Inner>>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    record(&inner, format!("upload:{id}"), &headers, &body, true);
    "OK".into_response()
}

/// A Socket Mode server: each connection the bot opens arrives as a [`Connection`].
pub struct FakeSocket {
    pub url: String,
    incoming: mpsc::Receiver<Connection>,
}

impl FakeSocket {
    pub async fn start() -> FakeSocket {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/link/?ticket=socket-ticket-s3cr3t", listener.local_addr().unwrap());
        let (tx, incoming) = mpsc::channel(8);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                if let Ok(ws) = tokio_tungstenite::accept_async(stream).await {
                    let _ = tx.send(Connection { ws }).await;
                }
            }
        });
        FakeSocket { url, incoming }
    }

    /// The next connection the bot opens.
    pub async fn connection(&mut self) -> Connection {
        tokio::time::timeout(WAIT, self.incoming.recv())
            .await
            .expect("the bot connects to the Socket Mode server")
            .expect("the server runs")
    }
}

pub struct Connection {
    ws: WebSocketStream<TcpStream>,
}

impl Connection {
    pub async fn send(&mut self, v: Value) {
        self.ws.send(Message::Text(v.to_string())).await.unwrap();
    }

    pub async fn hello(&mut self) {
        self.send(json!({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}, "debug_info": {"host": "fake"}}))
            .await;
    }

    /// The next text message from the bot, as JSON.
    pub async fn receive(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("the bot answers over the socket")
                .expect("the socket is open")
                .expect("a readable message");
            match message {
                Message::Text(t) => return serde_json::from_str(&t).unwrap(),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    /// Waits until the bot closes the connection.
    pub async fn closed_by_the_bot(&mut self) {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next()).await.expect("the bot closes the connection") {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => continue,
            }
        }
    }
}
