//! Slack end to end: the real server (`Application::build` on a random port, a fresh database)
//! receives requests signed exactly as Slack signs them, and talks to a local fake of Slack
//! (`fake_slack.rs`) that records every Web API call. Socket Mode runs against a local fake
//! WebSocket server. Nothing sleeps to wait: tests wait on what the fake records.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use kakehashi::chat::{Attachment, Block, Bot, Message, Recipient, text};
use kakehashi::cli::server::Application;
use kakehashi::clock::ManualClock;
use kakehashi::config::Config;
use kakehashi::domain::{ItemKind, ItemRef, Settings, Status};
use kakehashi::outbox::{Deliver, Deliverers, DeliveryError};
use kakehashi::prompts::Prompts;
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::oneshot;

use crate::conversation::{PROTOTYPE, answered_in_its_group, machine_prototype, prototype_value};
use crate::fake_slack::{FakeSlack, FakeSocket, Scripted};
use crate::helpers::{TestDb, backends, sqlite, t0};

const SECRET: &str = "f2b3c4d5e6a7980112233445566778899";
const OLD_SECRET: &str = "0ld-s1gning-secret-still-accepted";
const BOT_TOKEN: &str = "xoxb-1111-2222-bot-token-n3ver-l0gged";
const APP_TOKEN: &str = "xapp-1-A1-3333-app-token-n3ver-l0gged";
const TEAM: &str = "T0KAKE";
const WORKSPACE: &str = "slack:T0KAKE";

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`, as Slack signs.
fn signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("v0:{timestamp}:").as_bytes());
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// What the last step of a checklist helper left open: a click's trigger (a form may have opened
/// with it), or the next form shown in place of a submitted one; with the response URL.
enum Opened {
    Click(String, String),
    View(String, Value),
}

struct Server {
    /// The trigger of the last click the checklist helpers made (a form may have opened with it).
    last_click: std::sync::Mutex<Option<Opened>>,
    addr: SocketAddr,
    fake: FakeSlack,
    bot: Arc<Bot>,
    deliverers: Deliverers,
    http: reqwest::Client,
    _db: TestDb,
    _stop: oneshot::Sender<()>,
}

struct Setup {
    signing: bool,
    socket: Option<String>,
}

const HTTP: Setup = Setup { signing: true, socket: None };

fn config(fake: &FakeSlack, setup: &Setup) -> Config {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("empty.toml");
    std::fs::write(&file, "").unwrap();
    let api = fake.api_url();
    let secrets = format!("{OLD_SECRET},{SECRET}");
    let env = move |k: &str| -> Option<String> {
        match k {
            "SLACK_SIGNING_SECRET" if setup.signing => Some(secrets.clone()),
            "SLACK_BOT_TOKEN" => Some(BOT_TOKEN.into()),
            "SLACK_APP_TOKEN" if setup.socket.is_some() => Some(APP_TOKEN.into()),
            "SLACK_API_URL" => Some(api.clone()),
            _ => None,
        }
    };
    Config::load(Some(&file), &env).expect("the test configuration is valid")
}

fn bot(db: &TestDb) -> Arc<Bot> {
    Arc::new(Bot::new(
        db.store.clone(),
        Arc::new(Prompts::embedded()),
        Arc::new(ManualClock::new(t0())),
        Settings::default(),
    ))
}

async fn serve(db: TestDb, setup: Setup) -> Server {
    let fake = FakeSlack::start().await;
    if let Some(url) = &setup.socket {
        fake.set_socket_url(url);
    }
    let config = config(&fake, &setup);
    let bot = bot(&db);
    let app =
        Application::build(&config, bot.clone(), "127.0.0.1:0".parse().unwrap()).await.expect("the server starts");
    let addr = app.addr();
    let deliverers = app.deliverers.clone();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until_stopped(async {
        let _ = stopped.await;
    }));
    Server {
        last_click: Default::default(),
        addr,
        fake,
        bot,
        deliverers,
        http: reqwest::Client::new(),
        _db: db,
        _stop: stop,
    }
}

/// What a slash command got back, and what Slack gave it to answer with.
struct Sent {
    status: u16,
    body: Option<Value>,
    response_url: String,
    trigger_id: String,
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn post_with(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        headers: &[(&str, String)],
    ) -> reqwest::Response {
        let mut r = self.http.post(self.url(path)).header("content-type", content_type).body(body);
        for (k, v) in headers {
            r = r.header(*k, v);
        }
        r.send().await.unwrap()
    }

    /// Signed with `secret` at `timestamp`.
    async fn post_signed_as(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        secret: &str,
        timestamp: i64,
    ) -> reqwest::Response {
        let ts = timestamp.to_string();
        let sig = signature(secret, &ts, &body);
        self.post_with(path, content_type, body, &[("x-slack-request-timestamp", ts), ("x-slack-signature", sig)]).await
    }

    async fn post_signed(&self, path: &str, content_type: &str, body: Vec<u8>) -> reqwest::Response {
        self.post_signed_as(path, content_type, body, SECRET, now()).await
    }

    fn command_body(&self, user: &str, channel: &str, text: &str) -> (Vec<u8>, String, String) {
        let response_url = self.fake.response_url();
        let trigger_id = format!("{}.{}.trigger", self.fake.next_id(), now());
        let body = serde_urlencoded::to_string([
            ("token", "deprecated-verification-token"),
            ("team_id", TEAM),
            ("team_domain", "acme"),
            ("channel_id", channel),
            ("channel_name", "general"),
            ("user_id", user),
            ("user_name", "aiko"),
            ("command", "/ai"),
            ("text", text),
            ("api_app_id", "A1"),
            ("is_enterprise_install", "false"),
            ("response_url", response_url.as_str()),
            ("trigger_id", trigger_id.as_str()),
        ])
        .unwrap();
        (body.into_bytes(), response_url, trigger_id)
    }

    async fn command(&self, user: &str, channel: &str, text: &str) -> Sent {
        let (body, response_url, trigger_id) = self.command_body(user, channel, text);
        let r = self.post_signed("/slack/commands", "application/x-www-form-urlencoded", body).await;
        let status = r.status().as_u16();
        let bytes = r.bytes().await.unwrap();
        Sent { status, body: serde_json::from_slice(&bytes).ok(), response_url, trigger_id }
    }

    async fn interact(&self, payload: &Value) -> (u16, Option<Value>) {
        let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        let r = self.post_signed("/slack/interactions", "application/x-www-form-urlencoded", body.into_bytes()).await;
        let status = r.status().as_u16();
        let bytes = r.bytes().await.unwrap();
        (status, serde_json::from_slice(&bytes).ok())
    }
}

/// Every text in a Slack payload, joined.
fn texts(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(texts).collect::<Vec<_>>().join("\n"),
        Value::Object(o) => o
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "type" | "action_id" | "block_id" | "style"))
            .map(|(_, v)| texts(v))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// What Slack parses for markup: every mrkdwn text object and the notification text.
fn marked_up(v: &Value) -> String {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if o.get("type") == Some(&json!("mrkdwn")) {
                    out.push(o["text"].as_str().unwrap_or_default().to_string());
                }
                for x in o.values() {
                    walk(x, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(v, &mut out);
    if let Some(t) = v.get("text").and_then(Value::as_str) {
        out.push(t.to_string());
    }
    out.join("\n")
}

/// The interactive elements of a message's blocks.
fn elements(blocks: &Value) -> Vec<Value> {
    blocks
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn units(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Checks what Slack itself would refuse: block counts, text lengths, ids, options.
fn assert_slack_accepts(v: &Value, max_blocks: usize) {
    let blocks = v["blocks"].as_array().expect("blocks");
    assert!(!blocks.is_empty() && blocks.len() <= max_blocks, "{} blocks", blocks.len());
    for b in blocks {
        if let Some(t) = b.pointer("/text/text").and_then(Value::as_str) {
            let max = if b["type"] == "header" { 150 } else { 3000 };
            assert!(units(t) <= max && !t.is_empty(), "{b}");
        }
        if let Some(fields) = b["fields"].as_array() {
            assert!(fields.len() <= 10);
            for f in fields {
                assert!(units(f["text"].as_str().unwrap()) <= 2000);
            }
        }
        for e in elements(&json!([b])) {
            let id = e["action_id"].as_str().unwrap();
            assert!(!id.is_empty() && units(id) <= 255);
            if let Some(t) = e.pointer("/text/text").and_then(Value::as_str) {
                assert!(units(t) <= 75, "{e}");
            }
            if let Some(options) = e["options"].as_array() {
                assert!(!options.is_empty() && options.len() <= 100);
                for o in options {
                    assert!(units(o["text"]["text"].as_str().unwrap()) <= 75);
                    assert!(units(o["value"].as_str().unwrap()) <= 150);
                }
            }
        }
        if b["type"] == "actions" {
            let n = b["elements"].as_array().unwrap().len();
            assert!((1..=25).contains(&n));
        }
    }
    if v["type"] == "modal" {
        assert!(units(v["title"]["text"].as_str().unwrap()) <= 24);
        if let Some(s) = v.pointer("/submit/text").and_then(Value::as_str) {
            assert!(units(s) <= 24);
        }
        assert!(v["private_metadata"].as_str().unwrap().len() <= 3000);
        for b in blocks.iter().filter(|b| b["type"] == "input") {
            assert!(units(b["label"]["text"].as_str().unwrap()) <= 2000);
            assert!(b["element"]["max_length"].as_u64().unwrap() <= 3000);
        }
    }
}

fn user(id: &str) -> Value {
    json!({"id": id, "username": "aiko", "name": "aiko", "team_id": TEAM})
}

/// A click or a pick on an element of a message the person sees.
fn block_actions(user_id: &str, element: &Value, picked: &[&str], response_url: &str, trigger_id: &str) -> Value {
    let mut action = json!({
        "action_id": element["action_id"],
        "block_id": "blk",
        "type": element["type"],
        "action_ts": "1700000000.000001",
    });
    let option = |v: &str| {
        element["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["value"] == v)
            .unwrap_or_else(|| panic!("{v} is not offered in {element}"))
            .clone()
    };
    match element["type"].as_str().unwrap() {
        "button" => action["value"] = element.get("value").cloned().unwrap_or(Value::Null),
        "multi_static_select" => action["selected_options"] = picked.iter().map(|v| option(v)).collect(),
        "static_select" => action["selected_option"] = option(picked[0]),
        "users_select" => action["selected_user"] = json!(picked[0]),
        other => panic!("{other}"),
    }
    json!({
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "acme"},
        "user": user(user_id),
        "api_app_id": "A1",
        "token": "deprecated",
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": "C1", "is_ephemeral": true},
        "trigger_id": trigger_id,
        "channel": {"id": "C1", "name": "general"},
        "response_url": response_url,
        "actions": [action],
    })
}

/// A submitted modal, with its inputs typed in.
fn view_submission(user_id: &str, view: &Value, typed: &[(&str, &str)]) -> Value {
    let mut values = serde_json::Map::new();
    for (block, value) in typed {
        values.insert(block.to_string(), json!({"value": {"type": "plain_text_input", "value": value}}));
    }
    json!({
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "acme"},
        "user": user(user_id),
        "api_app_id": "A1",
        "trigger_id": "submit.trigger",
        "view": {
            "id": "VSUBMIT",
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "hash": "1.abc",
            "state": {"values": values},
        },
    })
}

impl Server {
    /// The modal views.open received for this trigger.
    async fn opened(&self, trigger_id: &str) -> Value {
        let calls = self
            .fake
            .wait_until(&format!("views.open for {trigger_id}"), |calls| {
                calls.iter().any(|c| c.method == "views.open" && c.body["trigger_id"] == trigger_id)
            })
            .await;
        let view = calls.iter().find(|c| c.method == "views.open" && c.body["trigger_id"] == trigger_id).unwrap().body
            ["view"]
            .clone();
        assert_slack_accepts(&view, 100);
        view
    }

    /// `/ai need <title>` typed by `user`, its form sent with `team`: the message that comes back
    /// where the command was typed (saved, and what comes first).
    async fn new_need(&self, user: &str, title: &str, team: &str) -> Value {
        let sent = self.command(user, "C1", &format!("need {title}")).await;
        let need = self.opened(&sent.trigger_id).await;
        self.interact(&view_submission(user, &need, &[("title", title), ("team", team), ("description", "")])).await;
        self.fake.wait_hook(&sent.response_url, 1).await[0].body.clone()
    }

    /// Uses the element `action_id` of the message `shown` with `picked` values; returns the
    /// response URL of the click.
    async fn use_control(&self, shown: &Value, action_id: &str, picked: &[&str]) -> (String, String) {
        let element = elements(&shown["blocks"])
            .into_iter()
            .find(|e| e["action_id"] == action_id)
            .unwrap_or_else(|| panic!("no {action_id} in {}", texts(shown)));
        let url = self.fake.response_url();
        let trigger = format!("{}.click", self.fake.next_id());
        let (status, body) = self.interact(&block_actions("U1", &element, picked, &url, &trigger)).await;
        assert_eq!((status, body), (200, None), "a click is acknowledged empty");
        (url, trigger)
    }

    /// The message that replaced `shown` after a click answered through `url`.
    async fn replacement(&self, url: &str) -> Value {
        let posted = self.fake.wait_hook(url, 1).await;
        let body = posted[0].body.clone();
        assert_eq!(body["replace_original"], true, "{body}");
        assert_slack_accepts(&body, 50);
        body
    }

    /// Answers the question `shown` asks, the way a person would in Slack.
    /// Answers the question `shown` asks; returns the new message and the round trips it took
    /// (a click, and a submitted form).
    async fn answer(&self, shown: &Value, question: &str, value: &str) -> Value {
        self.answer_counted(shown, question, value).await.0
    }

    /// Answers every question of `script` in turn, from the message `shown`; returns the last
    /// message and the round trips it all took.
    async fn answer_all(&self, mut shown: Value, script: &[(&str, &str)]) -> (Value, usize) {
        let mut round_trips = 0;
        for (question, value) in script {
            let (next, trips) = self.answer_counted(&shown, question, value).await;
            shown = next;
            round_trips += trips;
        }
        (shown, round_trips)
    }

    async fn answer_counted(&self, shown: &Value, question: &str, value: &str) -> (Value, usize) {
        let ids: Vec<String> =
            elements(&shown["blocks"]).iter().map(|e| e["action_id"].as_str().unwrap().to_string()).collect();
        let button = format!("a:N-1:{question}:{value}");
        let select = format!("p:N-1:{question}");
        let opener = format!("q:N-1:{question}");
        if ids.contains(&button) {
            let (url, trigger) = self.use_control(shown, &button, &[]).await;
            *self.last_click.lock().unwrap() = Some(Opened::Click(url.clone(), trigger));
            return (self.replacement(&url).await, 1);
        }
        if ids.contains(&select) {
            // Slack sends a payload for each pick, with every option picked so far; Next takes them
            let picked: Vec<&str> = value.split(',').collect();
            let mut current = shown.clone();
            for n in 1..=picked.len() {
                let (url, _) = self.use_control(&current, &select, &picked[..n]).await;
                current = self.replacement(&url).await;
            }
            let next = elements(&current["blocks"])
                .iter()
                .map(|e| e["action_id"].as_str().unwrap().to_string())
                .find(|id| id.starts_with(&format!("t:N-1:{question}:")))
                .unwrap_or_else(|| panic!("a Next button: {}", texts(&current)));
            let (url, trigger) = self.use_control(&current, &next, &[]).await;
            *self.last_click.lock().unwrap() = Some(Opened::Click(url.clone(), trigger));
            return (self.replacement(&url).await, picked.len() + 1);
        }
        if ids.contains(&opener) {
            // after a click whose next step is a form, the form opened with that click
            // (its answer is the second message to that click's response URL)
            let last_click = self.last_click.lock().unwrap().take();
            let (url, view, trips) = match last_click {
                Some(Opened::Click(url, trigger)) => (url, self.opened(&trigger).await, 1),
                Some(Opened::View(url, view)) => (url, view, 1),
                None => {
                    let (url, trigger) = self.use_control(shown, &opener, &[]).await;
                    (url, self.opened(&trigger).await, 2)
                }
            };
            let hook = format!("hook:{}", url.rsplit('/').next().unwrap());
            let posts = self.fake.calls_of(&hook).len() + 1;
            assert_eq!(view["callback_id"], format!("ans:N-1:{question}"));
            // every field of the step's form, from the script
            let typed: Vec<(String, &str)> = view["blocks"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|b| b["type"] == "input")
                .map(|b| {
                    let id = b["block_id"].as_str().unwrap().to_string();
                    let v = if id == "answer" || id == question { value } else { prototype_value(&id) };
                    (id, v)
                })
                .collect();
            let typed: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            let (status, body) = self.interact(&view_submission("U1", &view, &typed)).await;
            assert_eq!(status, 200);
            match body {
                // the next step's form in place of this one
                Some(ack) if ack["response_action"] == "update" => {
                    *self.last_click.lock().unwrap() = Some(Opened::View(url.clone(), ack["view"].clone()));
                }
                other => assert_eq!(other, None, "an accepted form closes"),
            }
            let posted = self.fake.wait_hook(&url, posts).await;
            let body = posted[posts - 1].body.clone();
            assert_eq!(body["replace_original"], true, "{body}");
            assert_slack_accepts(&body, 50);
            return (body, trips);
        }
        if answered_in_its_group(question) {
            return (shown.clone(), 0);
        }
        panic!("'{question}' is not being asked: {}", texts(shown));
    }
}

fn n1() -> ItemRef {
    ItemRef { kind: ItemKind::Need, number: 1 }
}

#[tokio::test]
async fn a_need_goes_from_the_slash_command_to_its_verdict_in_slack() {
    for db in backends().await {
        let s = serve(db, HTTP).await;
        let sent = s.command("U1", "C1", "need Forecast weekly demand for store 12").await;
        assert_eq!((sent.status, &sent.body), (200, &None), "acknowledged empty");

        let need = s.opened(&sent.trigger_id).await;
        assert_eq!(need["callback_id"], "need");
        assert_eq!(need["title"]["text"], "New need");
        assert_eq!(need["blocks"][0]["element"]["initial_value"], "Forecast weekly demand for store 12");
        let (status, ack) = s
            .interact(&view_submission(
                "U1",
                &need,
                &[("title", "Forecast weekly demand for store 12"), ("team", "Store operations"), ("description", "")],
            ))
            .await;
        assert_eq!((status, ack), (200, None), "the modal closes");

        // one message where the command was typed: saved, and the first question
        let posted = s.fake.wait_hook(&sent.response_url, 1).await;
        assert_eq!(posted[0].body["response_type"], "ephemeral");
        assert!(texts(&posted[0].body).contains("N-1 is saved"));
        assert!(posted[0].authorization.is_none(), "no token to a response URL");
        let shown = posted[0].body.clone();
        assert!(texts(&shown).contains("step 1 · at most 17 more"), "{}", texts(&shown));

        // the command and the need's form, then every step
        let (shown, round_trips) = s.answer_all(shown, PROTOTYPE).await;
        let round_trips = round_trips + 2;
        assert!(round_trips <= 19, "{round_trips} round trips from the command to the verdict");
        let verdict = texts(&shown);
        assert!(verdict.contains("N-1 · Verdict: Worth an ML prototype"), "{verdict}");
        assert!(verdict.contains("92% to 96% halves the error"), "{verdict}");
        assert_eq!(shown["blocks"][0]["type"], "header");

        let item = s.bot.store.item(WORKSPACE, n1()).await.unwrap().unwrap();
        assert_eq!(item.status, Status::Submitted, "{}", s._db.name);
        assert_eq!(item.answers.len(), PROTOTYPE.len());
        assert_eq!(item.requester, "U1", "the raw Slack user id");

        // every call with the bot token, every message and view within Slack's limits
        for call in s.fake.calls() {
            if !call.method.starts_with("hook:") {
                assert_eq!(
                    call.authorization.as_deref(),
                    Some(format!("Bearer {BOT_TOKEN}").as_str()),
                    "{}",
                    call.method
                );
            }
        }
    }
}

#[tokio::test]
async fn a_prototype_that_needs_a_machine_is_asked_its_bar_in_the_accuracy_form_in_slack() {
    let s = serve(sqlite().await, HTTP).await;
    let shown = s.new_need("U1", "Route support tickets to the right desk", "Customer care").await;
    let script = machine_prototype();
    let (shown, round_trips) = s.answer_all(shown, &script).await;
    // the command and the need's form, then every step
    let round_trips = round_trips + 2;
    assert!(round_trips <= 19, "{round_trips} round trips from the command to the verdict");
    let verdict = texts(&shown);
    assert!(verdict.contains("N-1 · Verdict: Worth an ML prototype"), "{verdict}");
    assert!(
        verdict.contains("92% to 96% halves the error") && verdict.contains("reaches the 96% you need"),
        "{verdict}"
    );
    assert!(!verdict.contains("no answer"), "{verdict}");
    let item = s.bot.store.item(WORKSPACE, n1()).await.unwrap().unwrap();
    assert_eq!(item.answers.len(), script.len());
    assert!(item.answers.get("alternatives").is_none(), "simpler fixes cannot matter with a machine fit");
}

#[tokio::test]
async fn a_multi_select_keeps_every_pick_until_next() {
    let s = serve(sqlite().await, HTTP).await;
    let mut shown = s.new_need("U1", "Forecast demand", "Stores").await;
    for (q, v) in &PROTOTYPE[..4] {
        shown = s.answer(&shown, q, v).await;
    }
    // three picks, three payloads; each shows what is chosen and keeps it in the select
    let picks = ["volume", "drift", "training_cost"];
    for n in 1..=3 {
        let (url, _) = s.use_control(&shown, "p:N-1:fit", &picks[..n]).await;
        shown = s.replacement(&url).await;
        let select = elements(&shown["blocks"]).into_iter().find(|e| e["action_id"] == "p:N-1:fit").unwrap();
        assert_eq!(select["initial_options"].as_array().unwrap().len(), n, "{select}");
        assert!(texts(&shown).contains("Chosen so far:"), "{}", texts(&shown));
        let item = s.bot.store.item(WORKSPACE, n1()).await.unwrap().unwrap();
        assert!(item.answers.get("fit").is_none(), "nothing is saved before Next");
    }
    assert!(texts(&shown).contains("Too many cases") && texts(&shown).contains("keeps changing"));
    let ids: Vec<String> =
        elements(&shown["blocks"]).iter().map(|e| e["action_id"].as_str().unwrap().to_string()).collect();
    let next_button = ids.iter().find(|id| id.starts_with("t:N-1:fit:")).expect("a Next button");
    let (url, _) = s.use_control(&shown, next_button, &[]).await;
    let next = s.replacement(&url).await;
    assert!(texts(&next).contains("How well do people"), "the next question: {}", texts(&next));
    let item = s.bot.store.item(WORKSPACE, n1()).await.unwrap().unwrap();
    let Some(kakehashi::domain::Answer::Many(mut fit)) = item.answers.get("fit").cloned() else { panic!() };
    fit.sort();
    assert_eq!(fit, ["drift", "training_cost", "volume"], "all three picks are the answer");
}

#[tokio::test]
async fn a_similar_earlier_need_is_shown_and_the_new_one_withdrawn_with_one_click_in_slack() {
    let s = serve(sqlite().await, HTTP).await;
    // use_control clicks as U1: U2 asked first
    for (user, title) in [("U2", "Automate expense claim checks"), ("U1", "Check expense claims automatically")] {
        let shown = s.new_need(user, title, "Finance").await;
        if user == "U2" {
            assert!(texts(&shown).contains("step 1"), "nothing alike yet: {}", texts(&shown));
            continue;
        }
        assert_eq!(shown["response_type"], "ephemeral");
        let text = texts(&shown);
        assert!(text.contains("N-1") && text.contains("Automate expense claim checks"), "{text}");
        assert_slack_accepts(&shown, 50);
        let (url, _) = s.use_control(&shown, "m:N-2:withdrawn", &[]).await;
        let after = s.replacement(&url).await;
        assert!(texts(&after).contains("N-2: now withdrawn"), "{}", texts(&after));
    }
    let item = s.bot.store.item(WORKSPACE, ItemRef { kind: ItemKind::Need, number: 2 }).await.unwrap().unwrap();
    assert_eq!(item.status, Status::Withdrawn);
}

#[tokio::test]
async fn a_paper_process_reaches_its_verdict_in_a_few_round_trips_in_slack() {
    let s = serve(sqlite().await, HTTP).await;
    let mut shown = s.new_need("U1", "Predict late deliveries", "Procurement").await;
    let mut round_trips = 2;
    for (q, v) in [("action", "person_decides"), ("driver", "problem"), ("current", "paper")] {
        let (next, trips) = s.answer_counted(&shown, q, v).await;
        shown = next;
        round_trips += trips;
    }
    assert!(texts(&shown).contains("Verdict: Not ML yet: digitise first"), "{}", texts(&shown));
    assert!(round_trips <= 8, "{round_trips}");
}

#[tokio::test]
async fn a_short_reply_comes_back_in_the_acknowledgement() {
    let s = serve(sqlite().await, HTTP).await;
    let started = std::time::Instant::now();
    let sent = s.command("U1", "C1", "mine").await;
    let took = started.elapsed();
    let body = sent.body.expect("the reply is the acknowledgement");
    assert_eq!(body["response_type"], "ephemeral");
    assert!(texts(&body).contains("You have no needs or seeds yet"), "{body}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert_slack_accepts(&body, 50);
    // the person's language was asked once and remembered
    s.command("U1", "C1", "help").await;
    assert_eq!(s.fake.calls_of("users.info").len(), 1);
}

#[tokio::test]
async fn a_japanese_slack_user_gets_japanese() {
    let s = serve(sqlite().await, HTTP).await;
    s.fake.set_locale("ja-JP");
    let body = s.command("U7", "C1", "mine").await.body.unwrap();
    assert!(texts(&body).contains("まだニーズもシーズもありません"), "{body}");
}

#[tokio::test]
async fn a_bad_number_comes_back_as_errors_under_the_field() {
    let s = serve(sqlite().await, HTTP).await;
    let mut shown = s.new_need("U1", "Forecast demand", "Stores").await;
    for (q, v) in &PROTOTYPE[..6] {
        shown = s.answer(&shown, q, v).await;
    }
    let (url, trigger) = s.use_control(&shown, "q:N-1:baseline_accuracy", &[]).await;
    let view = s.opened(&trigger).await;
    let labels: Vec<&str> =
        view["blocks"].as_array().unwrap().iter().map(|b| b["label"]["text"].as_str().unwrap()).collect();
    assert_eq!(labels, ["Accuracy today", "Accuracy needed"], "one modal, short labels");
    let typed = [("baseline_accuracy", "lots"), ("target_accuracy", "96")];
    let (status, ack) = s.interact(&view_submission("U1", &view, &typed)).await;
    assert_eq!(status, 200);
    let ack = ack.expect("errors in the acknowledgement");
    assert_eq!(ack["response_action"], "errors");
    let errors = ack["errors"].as_object().unwrap();
    assert_eq!(errors.len(), 1, "only the bad field: {ack}");
    assert!(errors["baseline_accuracy"].as_str().unwrap().contains("“lots” is not a number"), "{ack}");
    // the good value is kept: saved, and Slack keeps the modal as typed
    let item = s.bot.store.item(WORKSPACE, n1()).await.unwrap().unwrap();
    assert_eq!(item.answers.get("target_accuracy"), Some(&kakehashi::domain::Answer::Number(96.0)));
    let typed = [("baseline_accuracy", "92"), ("target_accuracy", "96")];
    let (status, ack) = s.interact(&view_submission("U1", &view, &typed)).await;
    assert_eq!(status, 200);
    let ack = ack.expect("the next step's form in place of this one");
    assert_eq!(ack["response_action"], "update");
    assert_eq!(ack["view"]["callback_id"], "ans:N-1:hours", "{ack}");
    assert!(texts(&s.replacement(&url).await).contains("staff-hours"));
}

#[tokio::test]
async fn user_text_is_escaped_and_typed_entities_read_as_typed() {
    let s = serve(sqlite().await, HTTP).await;
    let sent = s.command("U1", "C1", "need R&amp;D &lt;!channel&gt; plan").await;
    let need = s.opened(&sent.trigger_id).await;
    assert_eq!(need["blocks"][0]["element"]["initial_value"], "R&D <!channel> plan", "what the person typed");
    s.interact(&view_submission(
        "U1",
        &need,
        &[("title", "R&D <!channel> <@U999> plan"), ("team", "<!here>"), ("description", "")],
    ))
    .await;
    let posted = s.fake.wait_hook(&sent.response_url, 1).await;
    let saved = posted[0].body["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(saved.contains("R&amp;D &lt;!channel&gt; &lt;@U999&gt; plan"), "{saved}");
    for p in &posted {
        let marked = marked_up(&p.body);
        assert!(!marked.contains("<!channel>") && !marked.contains("<@U999>"), "{marked}");
    }
    let shown = s.command("U2", "C1", "show N-1").await.body.unwrap();
    let marked = marked_up(&shown);
    assert!(!marked.contains("<!here>") && !marked.contains("<!channel>") && !marked.contains("<@U999>"), "{marked}");
    assert!(marked.contains("<@U1>"), "the requester is a real mention: {marked}");
    // plain_text (a header) is never parsed: it may show the characters as typed
    assert_eq!(shown["blocks"][0]["type"], "header");
    assert!(shown["blocks"][0]["text"]["text"].as_str().unwrap().contains("<!channel>"));
}

#[tokio::test]
async fn requests_not_signed_by_slack_get_401_and_touch_nothing() {
    let s = serve(sqlite().await, HTTP).await;
    let (body, _, _) = s.command_body("U1", "C1", "need Forecast");
    let form = "application/x-www-form-urlencoded";
    let ts = now();
    let good = signature(SECRET, &ts.to_string(), &body);
    let mut tampered = body.clone();
    tampered.extend_from_slice(b"&text=mine");
    type Headers = Vec<(&'static str, String)>;
    let cases: Vec<(&str, Vec<u8>, Headers)> = vec![
        ("no headers", body.clone(), vec![]),
        ("no signature", body.clone(), vec![("x-slack-request-timestamp", ts.to_string())]),
        (
            "wrong secret",
            body.clone(),
            vec![
                ("x-slack-request-timestamp", ts.to_string()),
                ("x-slack-signature", signature("not-the-secret", &ts.to_string(), &body)),
            ],
        ),
        (
            "body changed after signing",
            tampered,
            vec![("x-slack-request-timestamp", ts.to_string()), ("x-slack-signature", good.clone())],
        ),
        (
            "timestamp changed after signing",
            body.clone(),
            vec![("x-slack-request-timestamp", (ts + 1).to_string()), ("x-slack-signature", good.clone())],
        ),
        (
            "garbage signature",
            body.clone(),
            vec![("x-slack-request-timestamp", ts.to_string()), ("x-slack-signature", "v0=zzzz".into())],
        ),
    ];
    for path in ["/slack/commands", "/slack/interactions", "/slack/events"] {
        for (what, body, headers) in &cases {
            let r = s.post_with(path, form, body.clone(), headers).await;
            assert_eq!(r.status().as_u16(), 401, "{path}: {what}");
        }
    }
    // just past the window when stale; well past it from the future, since the server reads its
    // clock a moment after `ts` was taken (seconds, on a loaded machine)
    for (what, at) in [("stale", ts - 301), ("from the future", ts + 360)] {
        let r = s.post_signed_as("/slack/commands", form, body.clone(), SECRET, at).await;
        assert_eq!(r.status().as_u16(), 401, "{what}");
    }
    assert!(s.fake.calls().is_empty(), "no call to Slack: {:?}", s.fake.calls());
    assert_eq!(s.bot.store.workspace(WORKSPACE).await.unwrap(), None, "nothing stored");
}

#[tokio::test]
async fn the_previous_signing_secret_still_works_while_rotating() {
    let s = serve(sqlite().await, HTTP).await;
    let (body, _, _) = s.command_body("U1", "C1", "mine");
    let r =
        s.post_signed_as("/slack/commands", "application/x-www-form-urlencoded", body, OLD_SECRET, now() - 299).await;
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(texts(&v).contains("You have no needs"));
}

#[tokio::test]
async fn signed_but_malformed_bodies_get_400_and_touch_nothing() {
    let s = serve(sqlite().await, HTTP).await;
    let form = "application/x-www-form-urlencoded";
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        ("/slack/commands", "raw invalid UTF-8", b"team_id=T1&text=\xff\xfe".to_vec()),
        ("/slack/commands", "encoded invalid UTF-8", b"team_id=T1&user_id=U1&channel_id=C1&text=%FF%FE".to_vec()),
        ("/slack/commands", "broken escape", b"team_id=T1&user_id=U1&channel_id=C1&text=%G1".to_vec()),
        ("/slack/commands", "no user", b"team_id=T1&channel_id=C1&text=mine".to_vec()),
        ("/slack/interactions", "no payload", b"foo=bar".to_vec()),
        ("/slack/interactions", "payload not JSON", b"payload=%7Bnot+json".to_vec()),
        (
            "/slack/interactions",
            "payload of the wrong shape",
            b"payload=%7B%22type%22%3A%22block_actions%22%7D".to_vec(),
        ),
        ("/slack/events", "not JSON", b"{\"type\":".to_vec()),
        ("/slack/events", "invalid UTF-8", b"{\"type\":\"\xff\"}".to_vec()),
    ];
    for (path, what, body) in cases {
        let r = s.post_signed(path, form, body).await;
        assert_eq!(r.status().as_u16(), 400, "{path}: {what}");
    }
    assert!(s.fake.calls().is_empty());
    assert_eq!(s.bot.store.workspace(WORKSPACE).await.unwrap(), None);
}

#[tokio::test]
async fn an_oversized_body_is_refused_before_anything_else() {
    let s = serve(sqlite().await, HTTP).await;
    let mut body = b"team_id=T1&text=".to_vec();
    body.resize(1024 * 1024 + 1, b'a');
    for path in ["/slack/commands", "/slack/interactions", "/slack/events"] {
        let r = s.post_signed(path, "application/x-www-form-urlencoded", body.clone()).await;
        assert_eq!(r.status().as_u16(), 413, "{path}");
    }
    assert!(s.fake.calls().is_empty());
}

#[tokio::test]
async fn a_replayed_request_is_acknowledged_but_not_handled_again() {
    let s = serve(sqlite().await, HTTP).await;
    let (body, _, trigger) = s.command_body("U1", "C1", "need Forecast");
    let ts = now().to_string();
    let headers = [("x-slack-request-timestamp", ts.clone()), ("x-slack-signature", signature(SECRET, &ts, &body))];
    let form = "application/x-www-form-urlencoded";
    let first = s.post_with("/slack/commands", form, body.clone(), &headers).await;
    assert_eq!(first.status().as_u16(), 200);
    let again = s.post_with("/slack/commands", form, body.clone(), &headers).await;
    assert_eq!(again.status().as_u16(), 200);
    assert!(again.bytes().await.unwrap().is_empty());
    s.opened(&trigger).await;
    // a later, different command proves the queue drained: still one modal for the first
    let later = s.command("U1", "C1", "need Other").await;
    s.opened(&later.trigger_id).await;
    assert_eq!(s.fake.calls_of("views.open").iter().filter(|c| c.body["trigger_id"] == trigger.as_str()).count(), 1);
    // the mine reply in the acknowledgement comes once too
    let (body, _, _) = s.command_body("U1", "C1", "mine");
    let ts = now().to_string();
    let headers = [("x-slack-request-timestamp", ts.clone()), ("x-slack-signature", signature(SECRET, &ts, &body))];
    let first = s.post_with("/slack/commands", form, body.clone(), &headers).await;
    assert!(!first.bytes().await.unwrap().is_empty());
    let again = s.post_with("/slack/commands", form, body, &headers).await;
    assert!(again.bytes().await.unwrap().is_empty());
}

/// Log lines written while a test runs on the current thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Captured {
    fn install(&self) -> tracing::subscriber::DefaultGuard {
        let subscriber = tracing_subscriber::fmt()
            .with_writer(self.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).to_string()
    }
}

fn mention(event_id: &str, text: &str) -> Vec<u8> {
    json!({
        "token": "deprecated",
        "team_id": TEAM,
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1_700_000_000,
        "event": {"type": "app_mention", "user": "U1", "text": text, "ts": "1.2", "channel": "C1", "event_ts": "1.2"},
    })
    .to_string()
    .into_bytes()
}

#[tokio::test(flavor = "current_thread")]
async fn an_event_retried_by_slack_is_handled_once() {
    let logs = Captured::default();
    let _guard = logs.install();
    let s = serve(sqlite().await, HTTP).await;
    let body = mention("Ev0001", "<@UBOT> mine");
    let r = s.post_signed("/slack/events", "application/json", body.clone()).await;
    assert_eq!(r.status().as_u16(), 200);
    let answered = s.fake.wait_calls("chat.postEphemeral", 1).await;
    assert_eq!(answered[0].body["user"], "U1");
    assert_eq!(answered[0].body["channel"], "C1");
    assert!(texts(&answered[0].body).contains("You have no needs"));
    // Slack's retry: the same event, signed anew a little later
    let ts = (now() + 1).to_string();
    let r = s
        .post_with(
            "/slack/events",
            "application/json",
            body.clone(),
            &[
                ("x-slack-request-timestamp", ts.clone()),
                ("x-slack-signature", signature(SECRET, &ts, &body)),
                ("x-slack-retry-num", "1".into()),
                ("x-slack-retry-reason", "http_timeout".into()),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(logs.text().contains("an event delivered again; handled already"), "the retry took the repeat path");
    assert_eq!(s.fake.calls_of("chat.postEphemeral").len(), 1);
}

#[tokio::test]
async fn url_verification_closed_modals_and_foreign_events_are_answered_plainly() {
    let s = serve(sqlite().await, HTTP).await;
    let r = s
        .post_signed(
            "/slack/events",
            "application/json",
            br#"{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#.to_vec(),
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["challenge"], "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    let closed = json!({"type": "view_closed", "team": {"id": TEAM}, "user": user("U1"), "view": {"id": "V1", "callback_id": "need"}, "is_cleared": false});
    assert_eq!(s.interact(&closed).await, (200, None));
    let other = br#"{"type":"event_callback","team_id":"T0KAKE","event_id":"Ev9","event":{"type":"reaction_added"}}"#;
    let r = s.post_signed("/slack/events", "application/json", other.to_vec()).await;
    assert_eq!(r.status().as_u16(), 200);
    let ssl =
        s.post_signed("/slack/commands", "application/x-www-form-urlencoded", b"ssl_check=1&token=x".to_vec()).await;
    assert_eq!(ssl.status().as_u16(), 200);
    assert!(s.fake.calls().is_empty(), "{:?}", s.fake.calls());
}

#[tokio::test]
async fn a_mention_that_needs_a_form_names_the_command_that_opens_it() {
    let s = serve(sqlite().await, HTTP).await;
    let r = s.post_signed("/slack/events", "application/json", mention("Ev0002", "<@UBOT> need Forecast")).await;
    assert_eq!(r.status().as_u16(), 200);
    let told = s.fake.wait_calls("chat.postEphemeral", 1).await;
    let t = texts(&told[0].body);
    assert!(t.contains("Type /ai need Forecast to open it"), "{t}");
    assert!(s.fake.calls_of("views.open").is_empty());
}

#[tokio::test]
async fn rate_limits_are_waited_out_as_retry_after_says() {
    let s = serve(sqlite().await, HTTP).await;
    s.fake.script("views.open", Scripted::RateLimited { after_secs: 1 }, 1);
    let sent = s.command("U1", "C1", "need Forecast").await;
    let calls = s.fake.wait_calls("views.open", 2).await;
    assert!(
        calls[1].at.duration_since(calls[0].at) >= Duration::from_millis(1000),
        "waited {:?}",
        calls[1].at.duration_since(calls[0].at)
    );
    assert_eq!(calls[1].body["trigger_id"], sent.trigger_id.as_str());
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff() {
    let s = serve(sqlite().await, HTTP).await;
    let sent = s.command("U1", "C1", "need Forecast").await;
    let need = s.opened(&sent.trigger_id).await;
    let hook = format!("hook:{}", sent.response_url.rsplit('/').next().unwrap());
    s.fake.script(&hook, Scripted::Status(503, "upstream"), 2);
    s.interact(&view_submission("U1", &need, &[("title", "Forecast"), ("team", "Stores"), ("description", "")])).await;
    // the message (saved, and the first question) is tried three times: two 503s, then it goes
    let calls = s.fake.wait_calls(&hook, 3).await;
    assert!(calls[1].at.duration_since(calls[0].at) >= Duration::from_millis(250));
    assert!(calls[2].at.duration_since(calls[1].at) >= Duration::from_millis(500));
    assert_eq!(calls[0].body, calls[2].body);
    assert!(texts(&calls[2].body).contains("N-1 is saved"));
    assert!(texts(&calls[2].body).contains("step 1 · at most 17 more"));
    assert!(s.fake.calls_of("chat.postMessage").is_empty(), "no fallback was needed");
}

#[tokio::test(flavor = "current_thread")]
async fn slack_refusing_a_call_is_logged_and_the_person_told() {
    let logs = Captured::default();
    let _guard = logs.install();
    let s = serve(sqlite().await, HTTP).await;
    s.fake.script("views.open", Scripted::Error("invalid_arguments"), 1);
    let sent = s.command("U1", "C1", "need Forecast").await;
    let told = s.fake.wait_hook(&sent.response_url, 1).await;
    assert_eq!(told[0].body["response_type"], "ephemeral");
    assert!(texts(&told[0].body).contains("Slack did not accept my reply (invalid_arguments)"), "{}", told[0].body);
    s.fake.script("views.open", Scripted::Error("expired_trigger_id"), 1);
    let sent = s.command("U1", "C1", "need Forecast").await;
    let told = s.fake.wait_hook(&sent.response_url, 1).await;
    assert!(texts(&told[0].body).contains("Slack could not open the form in time"));
    let log = logs.text();
    assert!(log.contains("Slack refused the call") && log.contains("invalid_arguments"), "{log}");
}

#[tokio::test]
async fn an_expired_response_url_falls_back_to_the_persons_dm() {
    let s = serve(sqlite().await, HTTP).await;
    let sent = s.command("U1", "C1", "need Forecast").await;
    let need = s.opened(&sent.trigger_id).await;
    let hook = format!("hook:{}", sent.response_url.rsplit('/').next().unwrap());
    s.fake.script(&hook, Scripted::Status(404, "expired_url"), 1);
    s.interact(&view_submission("U1", &need, &[("title", "Forecast"), ("team", "Stores"), ("description", "")])).await;
    let posted = s.fake.wait_calls("chat.postMessage", 1).await;
    assert_eq!(posted[0].body["channel"], "D1", "the DM conversations.open gave");
    assert!(texts(&posted[0].body).contains("N-1 is saved"));
    assert!(texts(&posted[0].body).contains("step 1 · at most 17 more"));
    assert_eq!(s.fake.calls_of("conversations.open")[0].body["users"], "U1");
    assert_eq!(s.fake.calls_of(&hook).len(), 1, "a Slack error code is not retried");
}

#[tokio::test]
async fn the_deliverer_posts_to_dms_and_channels_and_says_what_failed() {
    let s = serve(sqlite().await, HTTP).await;
    let d = s.deliverers.for_workspace(WORKSPACE).expect("slack: is registered").clone();
    let m = Message::private(vec![Block::Text(text("N-1 moved to accepted"))]);
    d.deliver(WORKSPACE, &Recipient::User("U1".into()), &m).await.unwrap();
    let posted = s.fake.wait_calls("chat.postMessage", 1).await;
    assert_eq!(posted[0].body["channel"], "D1");
    d.deliver(WORKSPACE, &Recipient::Channel("C42".into()), &m).await.unwrap();
    assert_eq!(s.fake.wait_calls("chat.postMessage", 2).await[1].body["channel"], "C42");

    s.fake.script("chat.postMessage", Scripted::RateLimited { after_secs: 7 }, 1);
    let e = d.deliver(WORKSPACE, &Recipient::Channel("C42".into()), &m).await.unwrap_err();
    assert!(matches!(e, DeliveryError::Retry { after: Some(a), .. } if a == Duration::from_secs(7)), "{e:?}");
    s.fake.script("chat.postMessage", Scripted::Status(502, "bad gateway"), 1);
    let e = d.deliver(WORKSPACE, &Recipient::Channel("C42".into()), &m).await.unwrap_err();
    assert!(matches!(e, DeliveryError::Retry { after: None, .. }), "{e:?}");
    for code in ["channel_not_found", "not_in_channel"] {
        s.fake.script("chat.postMessage", Scripted::Error(code), 1);
        let e = d.deliver(WORKSPACE, &Recipient::Channel("C42".into()), &m).await.unwrap_err();
        assert!(matches!(&e, DeliveryError::Fatal { reason } if reason.contains(code)), "{e:?}");
    }
}

#[tokio::test]
async fn a_persons_dm_is_opened_once_and_opened_again_after_slack_refused_a_post_into_it() {
    let s = serve(sqlite().await, HTTP).await;
    let d = s.deliverers.for_workspace(WORKSPACE).expect("slack: is registered").clone();
    let m = Message::private(vec![Block::Text(text("N-1 moved to accepted"))]);
    let to = Recipient::User("U1".into());
    for _ in 0..3 {
        d.deliver(WORKSPACE, &to, &m).await.unwrap();
    }
    assert_eq!(s.fake.wait_calls("chat.postMessage", 3).await.len(), 3);
    assert_eq!(s.fake.calls_of("conversations.open").len(), 1, "the DM is remembered");

    s.fake.script("chat.postMessage", Scripted::Error("is_archived"), 1);
    d.deliver(WORKSPACE, &to, &m).await.unwrap_err();
    d.deliver(WORKSPACE, &to, &m).await.unwrap();
    assert_eq!(s.fake.calls_of("conversations.open").len(), 2, "a refused DM is opened afresh");
    assert_eq!(s.fake.wait_calls("chat.postMessage", 5).await[4].body["channel"], "D1");
}

#[tokio::test]
async fn a_file_goes_up_in_three_steps_into_the_persons_dm() {
    let fake = FakeSlack::start().await;
    let api = kakehashi::transport::slack::SlackApi::new(
        reqwest::Client::new(),
        &fake.api_url(),
        kakehashi::config::Secret::new(BOT_TOKEN),
        kakehashi::transport::slack::RetryPolicy::ONCE,
    );
    let d = kakehashi::transport::slack::SlackDeliver::new(api);
    let file = Attachment {
        name: "digest.png".into(),
        content_type: "image/png".into(),
        bytes: vec![0x89, b'P', b'N', b'G', 1, 2, 3],
        comment: "Weekly digest <!channel>".into(),
    };
    d.deliver_file("slack:T1", &Recipient::User("U5".into()), &file).await.unwrap();
    let methods: Vec<String> = fake.calls().iter().map(|c| c.method.clone()).collect();
    assert_eq!(methods[0], "conversations.open");
    assert_eq!(methods[1], "files.getUploadURLExternal");
    assert!(methods[2].starts_with("upload:F"));
    assert_eq!(methods[3], "files.completeUploadExternal");
    let calls = fake.calls();
    assert_eq!(calls[1].body["length"], "7");
    assert_eq!(calls[2].bytes, 7);
    assert!(calls[2].authorization.is_none(), "no token to the upload URL");
    assert_eq!(calls[3].body["channel_id"], "D5");
    assert_eq!(calls[3].body["initial_comment"], "Weekly digest &lt;!channel&gt;");
    let files: Value = serde_json::from_str(calls[3].body["files"].as_str().unwrap()).unwrap();
    assert_eq!(files[0]["title"], "digest.png");
}

/// A clock that holds the bot still while its gate is shut: `now()`, the first thing the bot does
/// with a request, waits until the test opens the gate.
struct Gate {
    shut: Mutex<bool>,
    turn: std::sync::Condvar,
}

impl Gate {
    fn set(&self, shut: bool) {
        *self.shut.lock().unwrap() = shut;
        self.turn.notify_all();
    }
}

impl kakehashi::clock::Clock for Gate {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        // the worker hands its other tasks on while this one waits
        tokio::task::block_in_place(|| {
            let mut shut = self.shut.lock().unwrap();
            while *shut {
                shut = self.turn.wait(shut).unwrap();
            }
        });
        t0()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_bot_is_acknowledged_first_and_answers_when_done() {
    let db = sqlite().await;
    let fake = FakeSlack::start().await;
    let config = config(&fake, &HTTP);
    let gate = Arc::new(Gate { shut: Mutex::new(true), turn: std::sync::Condvar::new() });
    let slow_bot =
        Arc::new(Bot::new(db.store.clone(), Arc::new(Prompts::embedded()), gate.clone(), Settings::default()));
    let deadline = Duration::from_millis(200);
    let options = kakehashi::transport::slack::Options { ack_deadline: deadline, ..Default::default() };
    let parts = kakehashi::transport::slack::parts_with(config.slack.as_ref().unwrap(), slow_bot, options).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = parts.router.unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let (stop, _keep) = oneshot::channel::<()>();
    let s = Server {
        last_click: Default::default(),
        addr,
        fake,
        bot: bot(&db),
        deliverers: Deliverers::default(),
        http: reqwest::Client::new(),
        _db: db,
        _stop: stop,
    };
    let started = std::time::Instant::now();
    let sent = s.command("U1", "C1", "mine").await;
    let waited = started.elapsed();
    assert_eq!(sent.body, None, "acknowledged before the reply");
    assert!(waited >= deadline && waited < Duration::from_secs(3), "acknowledged at the deadline: {waited:?}");
    let hook = format!("hook:{}", sent.response_url.rsplit('/').next().unwrap());
    assert!(s.fake.calls_of(&hook).is_empty(), "nothing yet while the bot works");
    gate.set(false);
    let reply = s.fake.wait_hook(&sent.response_url, 1).await;
    assert!(texts(&reply[0].body).contains("You have no needs"));
    assert_eq!(reply[0].body["response_type"], "ephemeral");

    let sent = s.command("U1", "C1", "need Forecast").await;
    let need = s.opened(&sent.trigger_id).await;
    gate.set(true);
    let (status, ack) = s
        .interact(&view_submission("U1", &need, &[("title", "Forecast"), ("team", "Stores"), ("description", "")]))
        .await;
    assert_eq!(status, 200);
    let ack = ack.expect("a view that says it is working");
    assert_eq!(ack["response_action"], "update");
    assert!(texts(&ack).contains("Working on it…"));
    gate.set(false);
    let updated = s.fake.wait_calls("views.update", 1).await;
    assert_eq!(updated[0].body["view_id"], "VSUBMIT");
    assert!(texts(&updated[0].body).contains("Done."));
    let posted = s.fake.wait_hook(&sent.response_url, 1).await;
    assert!(texts(&posted[0].body).contains("step 1 · at most 17 more"));
}

fn envelope(id: &str, kind: &str, payload: Value) -> Value {
    json!({"envelope_id": id, "type": kind, "payload": payload, "accepts_response_payload": kind != "events_api", "retry_attempt": 0, "retry_reason": ""})
}

fn socket_command(fake: &FakeSlack, text: &str) -> (Value, String) {
    let trigger = format!("{}.socket", fake.next_id());
    (
        json!({
            "token": "x", "team_id": TEAM, "team_domain": "acme", "channel_id": "C1", "channel_name": "general",
            "user_id": "U1", "user_name": "aiko", "command": "/ai", "text": text, "api_app_id": "A1",
            "is_enterprise_install": "false", "response_url": fake.response_url(), "trigger_id": trigger,
        }),
        trigger,
    )
}

#[tokio::test]
async fn socket_mode_acknowledges_every_envelope_and_reconnects() {
    let mut socket = FakeSocket::start().await;
    let s = serve(sqlite().await, Setup { signing: false, socket: Some(socket.url.clone()) }).await;
    let r = s.post_signed("/slack/commands", "application/x-www-form-urlencoded", b"x=1".to_vec()).await;
    assert_eq!(r.status().as_u16(), 404, "no HTTP endpoints without a signing secret");

    let mut first = socket.connection().await;
    let opened = s.fake.calls_of("apps.connections.open");
    assert_eq!(
        opened[0].authorization.as_deref(),
        Some(format!("Bearer {APP_TOKEN}").as_str()),
        "the app-level token opens the connection"
    );
    first.hello().await;
    let (mine, _) = socket_command(&s.fake, "mine");
    first.send(envelope("env-1", "slash_commands", mine.clone())).await;
    let ack = first.receive().await;
    assert_eq!(ack["envelope_id"], "env-1");
    assert_eq!(ack["payload"]["response_type"], "ephemeral");
    assert!(texts(&ack["payload"]).contains("You have no needs"));
    // the same envelope again: acknowledged, not handled
    first.send(envelope("env-1", "slash_commands", mine)).await;
    let again = first.receive().await;
    assert_eq!(again, json!({"envelope_id": "env-1"}));

    let (need, trigger) = socket_command(&s.fake, "need Forecast");
    first.send(envelope("env-2", "slash_commands", need)).await;
    assert_eq!(first.receive().await, json!({"envelope_id": "env-2"}));
    let view = s.opened(&trigger).await;
    let submitted = view_submission("U1", &view, &[("title", "Forecast"), ("team", ""), ("description", "")]);
    first.send(envelope("env-3", "interactive", submitted)).await;
    let ack = first.receive().await;
    assert_eq!(ack["envelope_id"], "env-3");
    assert_eq!(ack["payload"]["response_action"], "errors", "the team is required");
    assert!(ack["payload"]["errors"]["team"].is_string(), "{ack}");

    // Slack rotates the connection
    first.send(json!({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "fake"}})).await;
    first.closed_by_the_bot().await;
    let mut second = socket.connection().await;
    assert_eq!(s.fake.calls_of("apps.connections.open").len(), 2);
    second.hello().await;
    let (help, _) = socket_command(&s.fake, "help");
    second.send(envelope("env-4", "slash_commands", help)).await;
    assert_eq!(second.receive().await["envelope_id"], "env-4");

    // the connection drops without a word
    drop(second);
    let mut third = socket.connection().await;
    third.hello().await;
    let event = json!({"type": "event_callback", "team_id": TEAM, "event_id": "Ev77", "event": {"type": "app_mention", "user": "U1", "text": "<@UBOT> mine", "channel": "C1"}});
    third.send(envelope("env-5", "events_api", event)).await;
    assert_eq!(third.receive().await, json!({"envelope_id": "env-5"}));
    s.fake.wait_calls("chat.postEphemeral", 1).await;
}

#[tokio::test(flavor = "current_thread")]
async fn tokens_and_secrets_never_reach_the_log() {
    let logs = Captured::default();
    let _guard = logs.install();
    let mut socket = FakeSocket::start().await;
    let s = serve(sqlite().await, Setup { signing: true, socket: Some(socket.url.clone()) }).await;
    let mut conn = socket.connection().await;
    conn.hello().await;
    // refusals, rate limits, a dead response URL, a bad signature, a delivery
    s.fake.script("views.open", Scripted::Error("invalid_auth"), 1);
    s.fake.script("users.info", Scripted::RateLimited { after_secs: 0 }, 1);
    let sent = s.command("U1", "C1", "need Forecast").await;
    s.fake.wait_hook(&sent.response_url, 1).await;
    let (body, _, _) = s.command_body("U1", "C1", "mine");
    s.post_signed_as("/slack/commands", "application/x-www-form-urlencoded", body, "wrong", now()).await;
    let d = s.deliverers.for_workspace(WORKSPACE).unwrap().clone();
    s.fake.script("chat.postMessage", Scripted::Error("not_in_channel"), 1);
    let _ = d.deliver(WORKSPACE, &Recipient::Channel("C9".into()), &Message::private(vec![Block::Divider])).await;
    conn.send(json!({"type": "disconnect", "reason": "warning"})).await;
    conn.closed_by_the_bot().await;
    let mut again = socket.connection().await;
    again.hello().await;

    let log = logs.text();
    assert!(log.contains("Slack refused the call"), "the log has the refusals:\n{log}");
    for secret in [BOT_TOKEN, APP_TOKEN, SECRET, OLD_SECRET, "socket-ticket-s3cr3t", "/hooks/"] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
    let config = config(&s.fake, &HTTP);
    let shown = format!("{config:?}");
    for secret in [BOT_TOKEN, SECRET, OLD_SECRET] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[test]
fn the_manifests_declare_what_the_server_serves() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/slack/");
    let http = std::fs::read_to_string(format!("{dir}manifest.yml")).unwrap();
    let socket = std::fs::read_to_string(format!("{dir}manifest-socket-mode.yml")).unwrap();
    for path in ["/slack/commands", "/slack/interactions", "/slack/events"] {
        assert!(http.contains(&format!("https://kakehashi.example.com{path}\n")), "{path}");
    }
    assert!(http.contains("socket_mode_enabled: false"));
    assert!(socket.contains("socket_mode_enabled: true"));
    assert!(!socket.contains("url:"), "Socket Mode needs no Request URLs");
    for m in [&http, &socket] {
        assert!(m.contains("- command: /ai\n"), "the default SLACK_COMMAND");
        assert!(m.contains("should_escape: true"));
        assert!(m.contains("- app_mention\n"));
        // every scope says why it is there, on the line above it
        let lines: Vec<&str> = m.lines().collect();
        let start = lines.iter().position(|l| l.trim() == "bot:").unwrap();
        let mut scopes = Vec::new();
        for (i, line) in lines.iter().enumerate().skip(start + 1) {
            let t = line.trim();
            if t == "settings:" {
                break;
            }
            if let Some(scope) = t.strip_prefix("- ") {
                assert!(lines[i - 1].trim().starts_with('#'), "{scope} has no reason");
                scopes.push(scope);
            }
        }
        assert_eq!(
            scopes,
            [
                "commands",
                "chat:write",
                "im:write",
                "users:read",
                "files:write",
                "app_mentions:read",
                "im:history",
                "team:read"
            ]
        );
        assert!(m.contains("- message.im\n") && m.contains("messages_tab_read_only_enabled: false"));
    }
    let readme = include_str!("../../README.md");
    let section = &readme[readme.find("## Run on Slack").expect("the README section")..];
    for var in [
        "SLACK_SIGNING_SECRET",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
        "SLACK_COMMAND",
        "KAKEHASHI_BIND",
        "deploy/slack/manifest.yml",
        "deploy/slack/manifest-socket-mode.yml",
        "/ai need",
    ] {
        assert!(section.contains(var), "README \"Run on Slack\" lacks {var}");
    }
}

/// A need created straight in the store, in `status` (for tests that start mid-lifecycle).
async fn need_in(s: &Server, requester: &str, title: &str, status: Status) -> ItemRef {
    use kakehashi::domain::text::{Description, TeamName, Title};
    let store = &s.bot.store;
    store.ensure_workspace(WORKSPACE, "acme", &Settings::default(), t0()).await.unwrap();
    let mut item = store
        .create_item(kakehashi::storage::NewItem {
            workspace: WORKSPACE.into(),
            kind: ItemKind::Need,
            title: Title::parse(title).unwrap(),
            description: Description::parse("").unwrap(),
            team: TeamName::parse("Sales").unwrap(),
            requester: requester.into(),
            at: t0(),
        })
        .await
        .unwrap();
    item.status = status;
    item.submitted_at = Some(t0());
    store.save_item(&mut item, "setup", kakehashi::storage::Save::default()).await.unwrap();
    item.reference
}

async fn grant(s: &Server, user: &str, role: kakehashi::domain::Role) {
    crate::helpers::grant_role(&s.bot.store, (WORKSPACE, "acme"), user, role).await;
}

#[tokio::test]
async fn a_status_dm_names_who_moved_it_with_a_space_and_a_mention_in_its_notification() {
    let s = serve(sqlite().await, HTTP).await;
    grant(&s, "U2", kakehashi::domain::Role::AiTeam).await;
    let need = need_in(&s, "U1", "Forecast demand", Status::Submitted).await;
    s.command("U2", "C1", &format!("move {need} accepted")).await;
    let report = kakehashi::outbox::run_once(s.bot.store.as_ref(), &s.deliverers, t0()).await.unwrap();
    assert_eq!(report.sent, 1);
    let posted = s.fake.wait_calls("chat.postMessage", 1).await;
    let dm = &posted[0].body;
    assert_eq!(dm["channel"], "D1");
    assert!(texts(&dm["blocks"]).contains("is now accepted. By <@U2>."), "{dm}");
    assert_eq!(
        dm["text"], "Your need N-1 “Forecast demand” is now accepted. By <@U2>.",
        "no raw id in the notification"
    );
}

/// A click on the button `action` of a card in channel C1, by `user`; returns its response URL
/// and trigger id.
async fn click_card(s: &Server, user: &str, action: &str) -> (String, String) {
    let element = json!({"type": "button", "action_id": action, "value": ""});
    let url = s.fake.response_url();
    let trigger = format!("{}.click", s.fake.next_id());
    let (status, body) = s.interact(&block_actions(user, &element, &[], &url, &trigger)).await;
    assert_eq!((status, body), (200, None));
    (url, trigger)
}

#[tokio::test]
async fn the_triage_card_offers_the_teams_moves_accept_asks_an_optional_note_and_repeats_stay_private() {
    let s = serve(sqlite().await, HTTP).await;
    grant(&s, "U2", kakehashi::domain::Role::AiTeam).await;
    need_in(&s, "U1", "Forecast demand", Status::Submitted).await;

    // Accept opens a form whose note may stay empty
    let (url, trigger) = click_card(&s, "U2", "m:N-1:accepted").await;
    let view = s.opened(&trigger).await;
    assert_eq!(view["blocks"][0]["optional"], true, "{view}");
    assert!(texts(&view).contains("optional"), "{view}");
    let (status, ack) = s.interact(&view_submission("U2", &view, &[("note", "")])).await;
    assert_eq!((status, ack), (200, None));
    let card = s.replacement(&url).await;
    let ids: Vec<String> =
        elements(&card["blocks"]).iter().map(|e| e["action_id"].as_str().unwrap().to_string()).collect();
    assert!(ids.contains(&"m:N-1:in_progress".to_string()), "{ids:?}");
    assert!(!ids.iter().any(|a| a.ends_with(":withdrawn")), "withdrawing is the requester's move: {ids:?}");
    assert_eq!(s.bot.store.item(WORKSPACE, n1()).await.unwrap().unwrap().status, Status::Accepted);

    // a second press (here: Accept again, as from a stale copy of the card) is answered to the
    // presser alone and leaves the shared card as it is
    let (url, _) = click_card(&s, "U2", "m:N-1:accepted").await;
    let posted = s.fake.wait_hook(&url, 1).await;
    let again = &posted[0].body;
    assert_eq!(again["replace_original"], false, "{again}");
    assert_eq!(again["response_type"], "ephemeral", "{again}");
    assert!(texts(again).contains("N-1 is already like that"), "{again}");
    assert!(elements(&again["blocks"]).is_empty(), "no copy of the card: {again}");
}

#[tokio::test]
async fn hints_and_help_on_slack_are_written_as_slack_commands() {
    let s = serve(sqlite().await, HTTP).await;
    let missing = s.command("U1", "C1", "show N-9").await.body.unwrap();
    assert!(texts(&missing).contains("Type /ai mine to see your items."), "{missing}");
    let help = texts(&s.command("U1", "C1", "help").await.body.unwrap());
    assert!(help.contains("`/ai need &lt;what you need&gt;`") && help.contains("`/ai resume &lt;id&gt;`"), "{help}");
    assert!(help.contains("/ai help &lt;command&gt; tells more"), "{help}");
    let typo = texts(&s.command("U1", "C1", "mnie").await.body.unwrap());
    assert!(typo.contains("Did you mean: /ai mine?") && typo.contains("Type /ai help to see"), "{typo}");
}

#[tokio::test]
async fn what_a_person_types_in_the_bots_dm_is_answered_there_as_a_command() {
    let s = serve(sqlite().await, HTTP).await;
    let event = |id: &str, ev: Value| {
        serde_json::to_vec(&json!({"type": "event_callback", "team_id": TEAM, "event_id": id, "event": ev})).unwrap()
    };
    let typed =
        json!({"type": "message", "channel_type": "im", "user": "U1", "text": "mine", "channel": "D7", "ts": "1.1"});
    let r = s.post_signed("/slack/events", "application/json", event("EvDm1", typed)).await;
    assert_eq!(r.status().as_u16(), 200);
    let posted = s.fake.wait_calls("chat.postMessage", 1).await;
    assert_eq!(posted[0].body["channel"], "D7", "answered in the DM itself");
    assert!(texts(&posted[0].body).contains("You have no needs or seeds yet"), "{}", posted[0].body);
    // the bot's own messages and edits there are not commands
    let own = json!({"type": "message", "channel_type": "im", "bot_id": "B1", "user": "UBOT", "text": "mine", "channel": "D7"});
    let edit = json!({"type": "message", "channel_type": "im", "subtype": "message_changed", "channel": "D7"});
    s.post_signed("/slack/events", "application/json", event("EvDm2", own)).await;
    s.post_signed("/slack/events", "application/json", event("EvDm3", edit)).await;
    s.command("U1", "C1", "help").await;
    assert_eq!(s.fake.calls_of("chat.postMessage").len(), 1);
}

#[tokio::test]
async fn settings_show_channels_as_links_and_the_digest_names_the_workspace_once_asked() {
    let s = serve(sqlite().await, HTTP).await;
    grant(&s, "U1", kakehashi::domain::Role::Admin).await;
    s.command("U1", "C0TRIAGE", "admin channel triage").await;
    let settings = s.command("U1", "C1", "admin settings").await.body.unwrap();
    let shown = texts(&settings);
    assert!(shown.contains("<#C0TRIAGE>"), "a channel link, which notifies nobody: {shown}");
    assert!(!shown.contains("`C0TRIAGE`"), "{shown}");
    let ws = s.bot.store.workspace(WORKSPACE).await.unwrap().unwrap();
    assert_eq!(ws.name, crate::fake_slack::TEAM_NAME, "team.info's name, kept in the store");
    let sent = s.command("U1", "C1", "digest").await;
    let posted = s.fake.wait_hook(&sent.response_url, 1).await;
    let preview = texts(&posted[0].body);
    assert!(preview.contains("Weekly AI digest · Acme Retail Japan · "), "{preview}");
    assert_eq!(s.fake.calls_of("team.info").len(), 1, "asked once, then remembered");
}

#[tokio::test]
async fn an_over_long_title_opens_the_form_cut_to_the_stored_limit() {
    let s = serve(sqlite().await, HTTP).await;
    let long = "Forecast ".repeat(700);
    let sent = s.command("U1", "C1", &format!("need {long}")).await;
    let view = s.opened(&sent.trigger_id).await;
    let title = &view["blocks"][0]["element"];
    assert_eq!(title["max_length"], 200, "{view}");
    assert_eq!(title["initial_value"].as_str().unwrap().chars().count(), 200, "{view}");
    assert!(texts(&view).contains("200"), "the limit is said: {view}");
}
