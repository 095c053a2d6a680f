//! Discord end to end: the application serves `POST /discord/interactions` and talks to a local
//! fake of the Discord API; requests are signed with a test Ed25519 key, as Discord signs them.
//! The gateway is tested where a serenity interaction becomes an inbound event and its answer a
//! REST call.

use std::sync::Arc;
use std::time::Duration;

use ed25519_dalek::{Signer, SigningKey};
use kakehashi::chat::{Block, Bot, InboundEvent, Message, Recipient, Span, text};
use kakehashi::cli::server::Application;
use kakehashi::clock::{Clock, ManualClock};
use kakehashi::config::Config;
use kakehashi::domain::{ItemKind, ItemRef, Lang, Outcome, Settings, Status};
use kakehashi::outbox::{Deliver, DeliveryError};
use kakehashi::prompts::Prompts;
use kakehashi::transport::discord::api::DiscordApi;
use kakehashi::transport::discord::deliver::DiscordDeliver;
use kakehashi::transport::discord::inbound::{self, Incoming, Kind};
use kakehashi::transport::discord::interaction::Discord;
use kakehashi::transport::discord::{endpoint, gateway, verify::SignatureCheck};
use serde_json::{Value, json};

use crate::conversation::{PROTOTYPE, answered_in_its_group, machine_prototype, prototype_value};
use crate::discord_fake::{
    ADMIN, AIKO, APP, BEN, DM_CHANNEL, FakeDiscord, GUILD, Sender, autocomplete, command, component, custom_ids, modal,
    text as said,
};
use crate::helpers::{Gated, TestDb, backends, sqlite, t0};

const WORKSPACE: &str = "discord:1200000000000000002";

fn key() -> SigningKey {
    SigningKey::from_bytes(&[42u8; 32])
}

fn public_key() -> String {
    hex::encode(key().verifying_key().to_bytes())
}

/// The application on a random port, as `kakehashi serve` runs it in endpoint mode, and the fake
/// Discord API it talks to.
struct DiscordApp {
    url: String,
    bot: Arc<Bot>,
    clock: Arc<ManualClock>,
    fake: FakeDiscord,
    http: reqwest::Client,
    n: std::sync::atomic::AtomicU64,
    _db: TestDb,
}

fn bot(db: &TestDb, clock: Arc<ManualClock>) -> Arc<Bot> {
    Arc::new(Bot::new(db.store.clone(), Arc::new(Prompts::embedded()), clock, Settings::default()))
}

async fn spawn(db: TestDb) -> DiscordApp {
    let fake = FakeDiscord::start().await;
    let clock = Arc::new(ManualClock::new(t0()));
    let bot = bot(&db, clock.clone());
    let pk = public_key();
    let vars = [
        ("DISCORD_MODE", "endpoint"),
        ("DISCORD_PUBLIC_KEY", pk.as_str()),
        ("DISCORD_APPLICATION_ID", APP),
        ("DISCORD_GUILD_ID", GUILD),
        ("DISCORD_TOKEN", "test-bot-token"),
        ("DISCORD_API_URL", fake.url.as_str()),
    ];
    let env = move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string());
    let config = Config::load(None, &env).expect("a Discord endpoint configuration");
    let app =
        Application::build(&config, bot.clone(), "127.0.0.1:0".parse().unwrap()).await.expect("the server starts");
    let url = format!("http://{}", app.addr());
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    DiscordApp { url, bot, clock, fake, http: reqwest::Client::new(), n: Default::default(), _db: db }
}

/// A signature header's value, when the request has one.
type Signature = Option<String>;

fn sign(key: &SigningKey, timestamp: &str, body: &[u8]) -> String {
    let mut message = timestamp.as_bytes().to_vec();
    message.extend_from_slice(body);
    hex::encode(key.sign(&message).to_bytes())
}

impl DiscordApp {
    fn next(&self) -> u64 {
        self.n.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    }

    async fn post_raw(&self, body: &[u8], signature: Option<String>, timestamp: Option<String>) -> (u16, String) {
        let mut req = self.http.post(format!("{}/discord/interactions", self.url)).body(body.to_vec());
        if let Some(s) = signature {
            req = req.header("X-Signature-Ed25519", s);
        }
        if let Some(t) = timestamp {
            req = req.header("X-Signature-Timestamp", t);
        }
        let res = req.send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// Sends an interaction signed as Discord signs it; its response.
    async fn send(&self, interaction: &Value) -> Value {
        let body = serde_json::to_vec(interaction).unwrap();
        let ts = self.clock.now().timestamp().to_string();
        let (status, text) = self.post_raw(&body, Some(sign(&key(), &ts, &body)), Some(ts)).await;
        assert_eq!(status, 200, "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        check_message_limits(&v);
        v
    }

    async fn command(&self, who: Sender, sub: &str, options: &[(&str, Value)]) -> Value {
        self.send(&command(who, self.next(), "ai", &[sub], options)).await
    }

    async fn click(&self, who: Sender, id: &str) -> Value {
        self.send(&component(who, self.next(), id, None)).await
    }

    async fn submit(&self, who: Sender, form: &str, fields: &[(&str, &str)], from_message: bool) -> Value {
        self.send(&modal(who, self.next(), form, fields, from_message)).await
    }
}

/// Every message response stays within Discord's limits and pings nobody it was not meant to.
fn check_message_limits(v: &Value) {
    let data = &v["data"];
    match v["type"].as_u64() {
        Some(4 | 7) => {
            assert!(data["content"].as_str().unwrap_or("").chars().count() <= 2000);
            assert_eq!(data["allowed_mentions"]["parse"], json!([]), "{v}");
            let rows = data["components"].as_array().cloned().unwrap_or_default();
            assert!(rows.len() <= 5);
            for row in rows {
                let cs = row["components"].as_array().unwrap();
                assert!(cs.len() <= 5);
                for c in cs {
                    assert!(c["custom_id"].as_str().unwrap().len() <= 100);
                    if c["type"] == 3 {
                        assert_eq!(cs.len(), 1, "a select is alone in its row");
                        assert!(c["options"].as_array().unwrap().len() <= 25);
                    }
                }
            }
        }
        Some(9) => {
            assert!(data["title"].as_str().unwrap().chars().count() <= 45);
            assert!((1..=5).contains(&data["components"].as_array().unwrap().len()));
        }
        _ => {}
    }
}

/// Answers the question the message asks, as a person would on Discord: a button, a select, or
/// the "Answer…" button and its modal. Returns the response (the message updated in place).
async fn answer(app: &DiscordApp, who: Sender, data: &Value, question: &str, value: &str) -> Value {
    answer_counted(app, who, data, question, value).await.0
}

/// Answers every question of `script` in turn, from the message `data`; returns the last
/// message's data and the round trips it all took.
async fn answer_all(app: &DiscordApp, who: Sender, mut data: Value, script: &[(&str, &str)]) -> (Value, usize) {
    let mut round_trips = 0;
    for (q, v) in script {
        let (response, trips) = answer_counted(app, who, &data, q, v).await;
        data = response["data"].clone();
        round_trips += trips;
    }
    (data, round_trips)
}

/// Answers the question `data` asks; returns the response and the round trips it took (a
/// click, and a submitted modal).
async fn answer_counted(app: &DiscordApp, who: Sender, data: &Value, question: &str, value: &str) -> (Value, usize) {
    let ids = custom_ids(data);
    let mut trips = 1;
    let find = |prefix: &str, suffix: &str| {
        ids.iter()
            .find(|id| id.starts_with(prefix) && id.contains(&format!(":{question}")) && id.ends_with(suffix))
            .cloned()
    };
    let response = if let Some(button) = find("a:", &format!(":{question}:{value}")) {
        let clicked = app.click(who, &button).await;
        if clicked["type"] == 9 {
            // the click's next step is a form: its modal opened at once
            trips = 2;
            submit_modal(app, who, &clicked, question, value).await
        } else {
            clicked
        }
    } else if let Some(select) = find("p:", question) {
        let values: Vec<&str> = value.split(',').collect();
        app.send(&component(who, app.next(), &select, Some(&values))).await
    } else if let Some(open) = find("q:", question) {
        let opened = app.click(who, &open).await;
        assert_eq!(opened["type"], 9, "the Answer button opens a modal: {opened}");
        trips = 2;
        submit_modal(app, who, &opened, question, value).await
    } else if answered_in_its_group(question) {
        return (json!({"type": 7, "data": data.clone()}), 0);
    } else {
        panic!("'{question}' is not being asked: {}", said(data));
    };
    assert_eq!(response["type"], 7, "the checklist updates its message in place: {response}");
    (response, trips)
}

/// Fills every text input of an opened checklist modal from the script (`value` for `question`)
/// and submits it.
async fn submit_modal(app: &DiscordApp, who: Sender, opened: &Value, question: &str, value: &str) -> Value {
    let form = opened["data"]["custom_id"].as_str().unwrap().to_string();
    let typed: Vec<(String, &str)> = opened["data"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let id = row["components"][0]["custom_id"].as_str().unwrap().to_string();
            // a form of one question names its field "answer" and the question in its own id
            let asks = if id == "answer" { form.rsplit(':').next().unwrap() } else { id.as_str() };
            let v = if asks == question { value } else { prototype_value(asks) };
            (id, v)
        })
        .collect();
    let typed: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    app.submit(who, &form, &typed, true).await
}

/// `/ai need <title>`, its modal, and the first question.
async fn submit_need(app: &DiscordApp, who: Sender, title: &str) -> Value {
    let opened = app.command(who, "need", &[("title", json!(title))]).await;
    assert_eq!(opened["type"], 9, "{opened}");
    assert_eq!(opened["data"]["custom_id"], "need");
    let title_input = &opened["data"]["components"][0]["components"][0];
    assert_eq!(title_input["custom_id"], "title");
    assert_eq!(title_input["value"], title);
    let first =
        app.submit(who, "need", &[("title", title), ("team", "Store operations"), ("description", "")], false).await;
    assert_eq!(first["type"], 4, "{first}");
    assert_eq!(first["data"]["flags"], 64, "the checklist is private");
    first
}

#[tokio::test]
async fn a_ping_is_answered_with_a_pong() {
    let app = spawn(sqlite().await).await;
    let ping = json!({ "id": "1", "application_id": APP, "type": 1, "token": "t", "version": 1 });
    assert_eq!(app.send(&ping).await, json!({ "type": 1 }), "PONG, nothing else");
}

#[tokio::test]
async fn unsigned_forged_stale_or_altered_requests_get_401_and_touch_nothing() {
    let app = spawn(sqlite().await).await;
    let interaction = command(Sender::member(AIKO), 1, "ai", &["need"], &[("title", json!("Forecast"))]);
    let body = serde_json::to_vec(&interaction).unwrap();
    let now = app.clock.now().timestamp();
    let ts = now.to_string();
    let stranger = SigningKey::from_bytes(&[7u8; 32]);
    let cases: Vec<(&str, Vec<u8>, Signature, Signature)> = vec![
        ("no headers", body.clone(), None, None),
        ("no timestamp", body.clone(), Some(sign(&key(), &ts, &body)), None),
        ("another key", body.clone(), Some(sign(&stranger, &ts, &body)), Some(ts.clone())),
        ("garbage signature", body.clone(), Some("00".repeat(64)), Some(ts.clone())),
        (
            "altered body",
            body.iter().copied().map(|b| if b == b'F' { b'G' } else { b }).collect(),
            Some(sign(&key(), &ts, &body)),
            Some(ts.clone()),
        ),
        ("another timestamp", body.clone(), Some(sign(&key(), &ts, &body)), Some((now + 1).to_string())),
        (
            "six minutes old",
            body.clone(),
            Some(sign(&key(), &(now - 360).to_string(), &body)),
            Some((now - 360).to_string()),
        ),
        (
            "six minutes ahead",
            body.clone(),
            Some(sign(&key(), &(now + 360).to_string(), &body)),
            Some((now + 360).to_string()),
        ),
    ];
    for (case, body, sig, ts) in cases {
        let (status, _) = app.post_raw(&body, sig, ts).await;
        assert_eq!(status, 401, "{case}");
    }
    assert!(app.bot.store.workspace(WORKSPACE).await.unwrap().is_none(), "nothing was stored");
    let (status, _) = {
        let ts = (now - 290).to_string();
        app.post_raw(&body, Some(sign(&key(), &ts, &body)), Some(ts)).await
    };
    assert_eq!(status, 200, "within five minutes is fresh");
}

#[tokio::test]
async fn a_signed_body_that_is_not_an_interaction_gets_400() {
    let app = spawn(sqlite().await).await;
    let ts = app.clock.now().timestamp().to_string();
    for body in [&b"not json"[..], b"{}", br#"{"type": 2, "id": "1"}"#, b""] {
        let (status, _) = app.post_raw(body, Some(sign(&key(), &ts, body)), Some(ts.clone())).await;
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(body));
    }
    assert!(app.bot.store.workspace(WORKSPACE).await.unwrap().is_none());
}

#[tokio::test]
async fn a_need_goes_from_the_slash_command_to_its_verdict_on_discord() {
    for db in backends().await {
        let app = spawn(db).await;
        let aiko = Sender::member(AIKO);
        let first = submit_need(&app, aiko, "Forecast weekly demand for store 12").await;
        let text = said(&first["data"]);
        assert!(text.contains("N-1 is saved"), "{text}");
        assert!(text.contains("step 1 · at most 17 more"), "{text}");
        // the command and the need's modal, then every step
        let (data, round_trips) = answer_all(&app, aiko, first["data"].clone(), PROTOTYPE).await;
        let round_trips = round_trips + 2;
        // 17: a choice whose next step is a form opens the form at once (the accuracies)
        assert!(round_trips <= 17, "{round_trips} round trips from the command to the verdict");
        let text = said(&data);
        assert!(text.contains("N-1 · Verdict: Worth an ML prototype"), "{text}");
        assert!(text.contains("The AI team gets it for triage now"), "{text}");
        let n1 = ItemRef { kind: ItemKind::Need, number: 1 };
        let item = app.bot.store.item(WORKSPACE, n1).await.unwrap().unwrap();
        assert_eq!(item.status, Status::Submitted);
        assert_eq!(item.outcome(), Some(Outcome::MlPrototype));
        assert_eq!(item.requester, AIKO, "the actor is the Discord user id");
        assert_eq!(item.answers.len(), PROTOTYPE.len());
    }
}

#[tokio::test]
async fn a_prototype_that_needs_a_machine_is_asked_its_bar_in_the_accuracy_form_on_discord() {
    let app = spawn(sqlite().await).await;
    let aiko = Sender::member(AIKO);
    let first = submit_need(&app, aiko, "Route support tickets to the right desk").await;
    let script = machine_prototype();
    let (data, round_trips) = answer_all(&app, aiko, first["data"].clone(), &script).await;
    let round_trips = round_trips + 2;
    assert!(round_trips <= 18, "{round_trips} round trips from the command to the verdict");
    let text = said(&data);
    assert!(text.contains("N-1 · Verdict: Worth an ML prototype"), "{text}");
    assert!(text.contains("92% to 96% halves the error") && text.contains("reaches the 96% you need"), "{text}");
    assert!(!text.contains("no answer"), "{text}");
    let n1 = ItemRef { kind: ItemKind::Need, number: 1 };
    let item = app.bot.store.item(WORKSPACE, n1).await.unwrap().unwrap();
    assert_eq!(item.outcome(), Some(Outcome::MlPrototype));
    assert_eq!(item.answers.len(), script.len());
    assert!(item.answers.get("alternatives").is_none(), "simpler fixes cannot matter with a machine fit");
}

#[tokio::test]
async fn a_similar_earlier_need_is_shown_and_the_new_one_withdrawn_with_one_click_on_discord() {
    let app = spawn(sqlite().await).await;
    let first = submit_need(&app, Sender::member(AIKO), "Automate expense claim checks").await;
    assert!(said(&first["data"]).contains("step 1"), "nothing alike yet: {}", said(&first["data"]));
    let ben = Sender::member(BEN);
    let shown = submit_need(&app, ben, "Check expense claims automatically").await;
    check_message_limits(&shown);
    let text = said(&shown["data"]);
    assert!(text.contains("N-1") && text.contains("Automate expense claim checks"), "{text}");
    let done = app.click(ben, "m:N-2:withdrawn").await;
    assert!(said(&done["data"]).contains("N-2: now withdrawn"), "{done}");
    let item = app.bot.store.item(WORKSPACE, ItemRef { kind: ItemKind::Need, number: 2 }).await.unwrap().unwrap();
    assert_eq!(item.status, Status::Withdrawn);
}

#[tokio::test]
async fn a_paper_process_reaches_its_verdict_in_a_few_round_trips_on_discord() {
    let app = spawn(sqlite().await).await;
    let aiko = Sender::member(AIKO);
    let mut data = submit_need(&app, aiko, "Predict late deliveries").await["data"].clone();
    let mut round_trips = 2;
    for (q, v) in [("action", "person_decides"), ("driver", "problem"), ("current", "paper")] {
        let (response, trips) = answer_counted(&app, aiko, &data, q, v).await;
        data = response["data"].clone();
        round_trips += trips;
    }
    assert!(said(&data).contains("Verdict: Not ML yet: digitise first"), "{}", said(&data));
    assert!(round_trips <= 8, "{round_trips}");
}

#[tokio::test]
async fn a_bad_answer_in_a_modal_comes_back_with_the_error_and_a_button_to_open_it_again() {
    let app = spawn(sqlite().await).await;
    let aiko = Sender::member(AIKO);
    let mut data = submit_need(&app, aiko, "Spot scratches").await["data"].clone();
    for (q, v) in &PROTOTYPE[..5] {
        data = answer(&app, aiko, &data, q, v).await["data"].clone();
    }
    assert!(said(&data).contains("step 6 · at most"), "{}", said(&data));
    // how the accuracy today is known, then its form at once: one step
    let opened = app.click(aiko, "a:N-1:baseline:measured").await;
    assert_eq!(opened["type"], 9, "{opened}");
    let inputs: Vec<&Value> =
        opened["data"]["components"].as_array().unwrap().iter().map(|r| &r["components"][0]).collect();
    let labels: Vec<&str> = inputs.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["Accuracy today", "Accuracy needed"], "one modal, short labels");
    assert!(inputs[0]["placeholder"].as_str().unwrap().starts_with("Current accuracy or quality"), "{opened}");
    let typed = [("baseline_accuracy", "ninety-two"), ("target_accuracy", "96")];
    let refused = app.submit(aiko, "ans:N-1:baseline_accuracy", &typed, true).await;
    assert_eq!(refused["type"], 4, "a new private message, the question stays: {refused}");
    assert_eq!(refused["data"]["flags"], 64);
    let text = said(&refused["data"]);
    assert!(text.contains("is not a number") && text.contains("Accuracy today"), "names the field: {text}");
    assert!(text.contains("You wrote: ninety\\-two") || text.contains("You wrote: ninety-two"), "{text}");
    assert_eq!(custom_ids(&refused["data"]), ["o:ans:N-1:baseline_accuracy"]);
    let reopened = app.click(aiko, "o:ans:N-1:baseline_accuracy").await;
    assert_eq!(reopened["type"], 9, "{reopened}");
    assert_eq!(reopened["data"]["custom_id"], "ans:N-1:baseline_accuracy");
    // the good value was saved: the form asks only what is still missing
    let rows = reopened["data"]["components"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{reopened}");
    assert_eq!(rows[0]["components"][0]["label"], "Accuracy today");
    let n1 = ItemRef { kind: ItemKind::Need, number: 1 };
    let item = app.bot.store.item(WORKSPACE, n1).await.unwrap().unwrap();
    assert_eq!(item.answers.get("target_accuracy"), Some(&kakehashi::domain::Answer::Number(96.0)), "kept");
    let saved = app.submit(aiko, "ans:N-1:baseline_accuracy", &[("answer", "92")], true).await;
    assert_eq!(saved["type"], 7);
    assert!(said(&saved["data"]).contains("step 7 · at most"), "{}", said(&saved["data"]));
}

#[tokio::test]
async fn item_ids_autocomplete_from_the_persons_own_items() {
    let app = spawn(sqlite().await).await;
    let aiko = Sender::member(AIKO);
    submit_need(&app, aiko, "Forecast weekly demand").await;
    submit_need(&app, aiko, "Spot scratches on panels").await;
    let choices = |v: &Value| -> Vec<(String, String)> {
        assert_eq!(v["type"], 8, "{v}");
        v["data"]["choices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["name"].as_str().unwrap().to_string(), c["value"].as_str().unwrap().to_string()))
            .collect()
    };
    let all = choices(&app.send(&autocomplete(aiko, 90, "show", "id", "")).await);
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all.contains(&("N-1 · Forecast weekly demand".into(), "N-1".into())), "{all:?}");
    let typed = choices(&app.send(&autocomplete(aiko, 91, "resume", "id", "n2")).await);
    assert_eq!(typed, [("N-2 · Spot scratches on panels".to_string(), "N-2".to_string())]);
    let by_title = choices(&app.send(&autocomplete(aiko, 92, "answers", "id", "forecast")).await);
    assert_eq!(by_title.len(), 1);
    let ben = choices(&app.send(&autocomplete(Sender::member(BEN), 93, "show", "id", "")).await);
    assert!(ben.is_empty(), "only one's own items: {ben:?}");
}

#[tokio::test]
async fn commands_are_registered_from_the_registry_at_start_with_admin_commands_hidden() {
    let app = spawn(sqlite().await).await;
    let put = app.fake.wait_for("command registration", |c| c.method == "PUT").await;
    assert_eq!(
        put.path,
        format!("/api/v10/applications/{APP}/guilds/{GUILD}/commands"),
        "a bulk overwrite in the guild"
    );
    assert_eq!(put.authorization.as_deref(), Some("Bot test-bot-token"));
    let commands = put.body.as_array().unwrap();
    let ai = commands.iter().find(|c| c["name"] == "ai").expect("/ai");
    let subs: Vec<&str> = ai["options"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    let members: Vec<&str> = kakehashi::chat::COMMANDS.iter().filter(|c| !c.admin).map(|c| c.path[0]).collect();
    for m in &members {
        assert!(subs.contains(m), "/ai {m}");
    }
    let show = ai["options"].as_array().unwrap().iter().find(|o| o["name"] == "show").unwrap();
    assert_eq!(show["options"][0]["autocomplete"], true, "item ids autocomplete");
    let admin_specs = kakehashi::chat::COMMANDS.iter().filter(|c| c.admin).count();
    let admin = commands.iter().find(|c| c["name"] == "ai-admin");
    match admin {
        Some(a) => {
            assert!(admin_specs > 0);
            assert_eq!(a["default_member_permissions"], "32", "hidden from members without Manage Server");
        }
        None => assert_eq!(admin_specs, 0, "admin commands are registered under /ai-admin"),
    }
    assert!(ai.get("default_member_permissions").is_none_or(Value::is_null));
}

#[tokio::test]
async fn an_admin_command_is_refused_to_a_member_and_run_for_someone_who_manages_the_server() {
    let app = spawn(sqlite().await).await;
    let member = Sender::member(AIKO);
    let refused = app.send(&command(member, 1, "ai-admin", &["roles", "list"], &[])).await;
    let text = refused["data"]["content"].as_str().unwrap_or_default().to_string();
    assert!(text.contains("This needs the admin role"), "{refused}");
    assert_eq!(refused["data"]["flags"], 64, "the refusal is private");
    let admin = Sender::member(ADMIN);
    let granted = app
        .send(&command(admin, 2, "ai-admin", &["roles", "add"], &[("user", json!(AIKO)), ("role", json!("ai_team"))]))
        .await;
    let said = serde_json::to_string(&granted).unwrap();
    assert!(said.contains("now has the AI team role"), "{said}");
    assert!(said.contains(&format!("<@{AIKO}>")), "the person is named by id: {said}");
}

#[tokio::test]
async fn the_interaction_says_who_acts_where_in_which_language_and_whether_they_manage_the_server() {
    let read = |v: Value| match inbound::read(&serde_json::from_value(v).unwrap()) {
        Incoming::Event(inbound, origin) => (*inbound, origin),
        _ => panic!("an event"),
    };
    let (i, origin) = read(command(Sender::member(ADMIN), 1, "ai", &["show"], &[("id", json!("N-3"))]));
    assert_eq!(i.workspace.id, WORKSPACE);
    assert_eq!(i.actor.id, ADMIN);
    assert!(i.actor.workspace_admin, "Manage Server");
    assert_eq!(i.actor.locale, Some(Lang::En));
    assert!(!i.place.direct);
    assert_eq!(i.event, InboundEvent::Command { text: "show N-3".into() });
    assert_eq!(origin.kind, Kind::Command);
    assert!(!format!("{origin:?}").contains("interaction-token"), "the token is never printed");

    let ja = Sender { locale: "ja", ..Sender::member(AIKO) };
    let (i, _) = read(component(ja, 2, "p:N-1:fit~2", Some(&["volume", "drift"])));
    assert!(!i.actor.workspace_admin);
    assert_eq!(i.actor.locale, Some(Lang::Ja));
    assert_eq!(i.event, InboundEvent::Action { id: "p:N-1:fit".into(), values: vec!["volume".into(), "drift".into()] });

    let dm = Sender { in_guild: false, locale: "fr", ..Sender::member(BEN) };
    let (i, origin) = read(modal(dm, 3, "need", &[("title", "x"), ("team", "y")], false));
    assert_eq!(i.workspace.id, format!("discord:dm:{BEN}"));
    assert!(i.place.direct);
    assert_eq!(i.place.channel, DM_CHANNEL);
    assert_eq!(i.actor.locale, None, "a language kakehashi does not speak");
    assert_eq!((origin.kind, origin.on_message), (Kind::Submission, false));
    match i.event {
        InboundEvent::Form { id, values } => {
            assert_eq!(id, "need");
            assert_eq!(values["team"], "y");
        }
        other => panic!("{other:?}"),
    }
    let (i, _) = read(command(Sender::member(ADMIN), 4, "ai-admin", &["roles", "add"], &[("user", json!(AIKO))]));
    assert_eq!(i.event, InboundEvent::Command { text: format!("admin roles add <@{AIKO}>") });
}

#[tokio::test]
async fn what_people_type_cannot_ping_anyone() {
    let app = spawn(sqlite().await).await;
    let aiko = Sender::member(AIKO);
    let first = submit_need(&app, aiko, "@everyone look <@810000000000000003> <@&5> **now**").await;
    let content = first["data"]["content"].as_str().unwrap();
    assert!(!content.contains("@everyone") && !content.contains("<@8") && !content.contains("<@&"), "{content}");
    assert!(content.contains("@\u{200B}everyone"), "{content}");
    assert!(content.contains("\\*\\*now\\*\\*"), "markdown is shown as typed: {content}");
    assert_eq!(
        first["data"]["allowed_mentions"],
        json!({ "parse": [], "users": [], "roles": [], "replied_user": false })
    );
}

#[tokio::test]
async fn a_late_reply_is_deferred_then_edits_the_original_response() {
    let db = sqlite().await;
    let fake = FakeDiscord::start().await;
    let clock = Arc::new(ManualClock::new(t0()));
    let gated = Arc::new(Gated::new(db.store.clone()));
    gated.close();
    let discord = Arc::new(Discord::new(
        Arc::new(Bot::new(gated.clone(), Arc::new(Prompts::embedded()), clock.clone(), Settings::default())),
        Arc::new(DiscordApi::new(None, &fake.url)),
        Duration::from_millis(100),
    ));
    let router = endpoint::router(discord, SignatureCheck::parse(&public_key()).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let post = |v: Value| {
        let url = url.clone();
        let clock = clock.clone();
        async move {
            let body = serde_json::to_vec(&v).unwrap();
            let ts = clock.now().timestamp().to_string();
            let res = reqwest::Client::new()
                .post(format!("{url}/discord/interactions"))
                .header("X-Signature-Ed25519", sign(&key(), &ts, &body))
                .header("X-Signature-Timestamp", ts)
                .body(body)
                .send()
                .await
                .unwrap();
            res.json::<Value>().await.unwrap()
        }
    };
    let aiko = Sender::member(AIKO);
    let deferred = post(command(aiko, 1, "ai", &["mine"], &[])).await;
    assert_eq!(deferred["type"], 5, "{deferred}");
    assert_eq!(deferred["data"]["flags"], 64, "the loading message is private");
    assert!(fake.calls().is_empty(), "nothing before the reply is ready");
    gated.open();
    let edit = fake.wait_for("the edit of the original response", |c| c.method == "PATCH").await;
    assert_eq!(edit.path, format!("/api/v10/webhooks/{APP}/interaction-token-1/messages/@original"));
    assert!(edit.body["content"].as_str().unwrap().contains("no needs or seeds yet"), "{}", edit.body);
    assert_eq!(edit.body["allowed_mentions"]["parse"], json!([]));
    assert_eq!(edit.authorization, None, "interaction webhooks need no bot token");

    // a command whose reply is a form cannot open a modal once deferred: a button opens it
    gated.close();
    let deferred = post(command(aiko, 2, "ai", &["need"], &[("title", json!("Forecast"))])).await;
    assert_eq!(deferred["type"], 5);
    gated.open();
    let edit = fake.wait_for("the form's button", |c| c.path.contains("interaction-token-2")).await;
    assert!(edit.body["content"].as_str().unwrap().contains("Your form is ready"), "{}", edit.body);
    assert_eq!(edit.body["components"][0]["components"][0]["custom_id"], "o:need");

    // a late click is acknowledged (type 6) and its reply edits the clicked message
    gated.close();
    let ack = post(component(aiko, 3, "o:need", None)).await;
    assert_eq!(ack["type"], 6, "{ack}");
    gated.open();
    let follow = fake.wait_for("the click's reply", |c| c.path.contains("interaction-token-3")).await;
    assert_eq!(follow.method, "POST", "a reply that does not replace the message follows up");
    assert!(follow.body["content"].as_str().unwrap().contains("Your form is ready"));
    assert_eq!(follow.body["flags"], 64);
}

#[tokio::test]
async fn a_gateway_interaction_is_answered_through_the_rest_api() {
    let db = sqlite().await;
    let fake = FakeDiscord::start().await;
    let clock = Arc::new(ManualClock::new(t0()));
    let discord = Arc::new(Discord::new(
        bot(&db, clock),
        Arc::new(DiscordApi::new(Some("gateway-token"), &fake.url)),
        Duration::from_secs(2),
    ));
    let aiko = Sender::member(AIKO);
    let need = command(aiko, 11, "ai", &["need"], &[("title", json!("Forecast weekly demand"))]);
    gateway::on_interaction(&discord, serde_json::from_value(need).unwrap()).await;
    let call = fake.wait_for("the callback", |c| c.path.contains("interaction-token-11")).await;
    assert_eq!(call.method, "POST");
    assert_eq!(call.path, "/api/v10/interactions/1600000000000000011/interaction-token-11/callback");
    assert_eq!(call.body["type"], 9, "the need's modal: {}", call.body);
    assert_eq!(call.authorization.as_deref(), Some("Bot gateway-token"));

    let submitted =
        modal(aiko, 12, "need", &[("title", "Forecast weekly demand"), ("team", "Stores"), ("description", "")], false);
    gateway::on_interaction(&discord, serde_json::from_value(submitted).unwrap()).await;
    let mut call = fake.wait_for("the callback", |c| c.path.contains("interaction-token-12")).await;
    assert_eq!(call.body["type"], 4);
    assert!(said(&call.body["data"]).contains("N-1 is saved"));
    // "a mandate" makes the goal decide: the click on it opens the goal's modal at once
    for (n, click, response) in [(13, "a:N-1:action:person_decides", 7), (14, "a:N-1:driver:mandate", 9)] {
        assert!(custom_ids(&call.body["data"]).contains(&click.to_string()), "{}", call.body);
        gateway::on_interaction(&discord, serde_json::from_value(component(aiko, n, click, None)).unwrap()).await;
        let token = format!("interaction-token-{n}");
        call = fake.wait_for("the callback", |c| c.path.contains(&token)).await;
        assert_eq!(call.body["type"], response, "{}", call.body);
    }
    assert_eq!(call.body["data"]["custom_id"], "ans:N-1:goal");
}

#[tokio::test]
async fn a_notice_to_a_person_opens_a_dm_and_pings_only_whom_the_bot_names() {
    let fake = FakeDiscord::start().await;
    let deliver = DiscordDeliver { api: Arc::new(DiscordApi::new(Some("bot-token"), &fake.url)) };
    let notice = Message::private(vec![Block::Text(vec![
        Span::plain("N-1 moved on; requested by "),
        Span::User(AIKO.into()),
        Span::plain(" @here"),
    ])]);
    deliver.deliver(WORKSPACE, &Recipient::User(AIKO.into()), &notice).await.unwrap();
    let calls = fake.calls();
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert_eq!((calls[0].method.as_str(), calls[0].path.as_str()), ("POST", "/api/v10/users/@me/channels"));
    assert_eq!(calls[0].body, json!({ "recipient_id": AIKO }));
    assert_eq!(calls[1].path, format!("/api/v10/channels/{DM_CHANNEL}/messages"));
    assert_eq!(calls[1].authorization.as_deref(), Some("Bot bot-token"));
    let body = &calls[1].body;
    assert_eq!(body["allowed_mentions"]["parse"], json!([]));
    assert_eq!(body["allowed_mentions"]["users"], json!([AIKO]));
    assert!(body["content"].as_str().unwrap().contains(&format!("<@{AIKO}> @\u{200B}here")), "{body}");
    assert!(body.get("flags").is_none_or(|f| f == 0), "no ephemeral flag outside interactions");

    let channel = Recipient::Channel("1900000000000000009".into());
    deliver.deliver(WORKSPACE, &channel, &Message::private(vec![Block::Text(text("Digest"))])).await.unwrap();
    assert_eq!(fake.calls().last().unwrap().path, "/api/v10/channels/1900000000000000009/messages");
}

#[tokio::test]
async fn delivery_failures_are_retried_or_given_up_as_discord_answers() {
    let fake = FakeDiscord::start().await;
    let deliver = DiscordDeliver { api: Arc::new(DiscordApi::new(Some("bot-token"), &fake.url)) };
    let notice = Message::private(vec![Block::Text(text("Hello"))]);
    let channel = Recipient::Channel("1900000000000000009".into());
    fake.answer_next(
        "/messages",
        429,
        r#"{"message":"You are being rate limited.","retry_after":1.5,"global":false}"#,
        Some("2"),
    );
    assert_eq!(
        deliver.deliver(WORKSPACE, &channel, &notice).await,
        Err(DeliveryError::Retry {
            after: Some(Duration::from_millis(1500)),
            reason: "Discord answered 429: You are being rate limited.".into()
        })
    );
    fake.answer_next("/messages", 502, "", None);
    assert!(matches!(
        deliver.deliver(WORKSPACE, &channel, &notice).await,
        Err(DeliveryError::Retry { after: None, .. })
    ));
    fake.answer_next("/messages", 404, r#"{"code":10003,"message":"Unknown Channel"}"#, None);
    assert!(
        matches!(deliver.deliver(WORKSPACE, &channel, &notice).await, Err(DeliveryError::Fatal { reason }) if reason.contains("Unknown Channel"))
    );
    fake.answer_next(
        "/users/@me/channels",
        403,
        r#"{"code":50007,"message":"Cannot send messages to this user"}"#,
        None,
    );
    assert!(matches!(
        deliver.deliver(WORKSPACE, &Recipient::User(BEN.into()), &notice).await,
        Err(DeliveryError::Fatal { .. })
    ));
    assert!(
        matches!(
            deliver.deliver(WORKSPACE, &Recipient::User("aiko".into()), &notice).await,
            Err(DeliveryError::Fatal { .. })
        ),
        "not a Discord id"
    );
    assert_eq!(deliver.deliver(WORKSPACE, &channel, &notice).await, Ok(()), "and then it works again");

    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gone = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let unreachable = DiscordDeliver { api: Arc::new(DiscordApi::new(Some("bot-token"), &gone)) };
    let e = unreachable.deliver(WORKSPACE, &channel, &notice).await.unwrap_err();
    assert!(matches!(e, DeliveryError::Retry { .. }), "{e:?}");
    assert!(!e.to_string().contains("bot-token"));
}

#[tokio::test]
async fn the_invite_link_names_the_two_scopes_and_the_minimal_permissions() {
    let out = std::process::Command::new(crate::console::BIN)
        .args(["discord-invite", "--application-id", APP])
        .env_remove("DISCORD_TOKEN")
        .env_remove("DISCORD_PUBLIC_KEY")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!(
            "https://discord.com/oauth2/authorize?client_id={APP}&scope=bot+applications.commands&permissions=52224"
        )
    );
    let out = std::process::Command::new(crate::console::BIN)
        .arg("discord-invite")
        .env_remove("DISCORD_TOKEN")
        .env_remove("DISCORD_PUBLIC_KEY")
        .env_remove("DISCORD_APPLICATION_ID")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DISCORD_APPLICATION_ID"));
}

#[test]
fn the_discord_configuration_never_shows_its_token() {
    let env = |k: &str| match k {
        "DISCORD_TOKEN" => Some("MTIz.very-secret".to_string()),
        "DISCORD_APPLICATION_ID" => Some(APP.to_string()),
        _ => None,
    };
    let config = Config::load(None, &env).unwrap();
    let shown = format!("{config:?}");
    assert!(shown.contains("Secret(***)") && !shown.contains("very-secret"), "{shown}");
    let api = DiscordApi::new(Some("MTIz.very-secret"), "https://discord.com");
    assert!(!format!("{api:?}").contains("very-secret"));
}

/// The option `name` of the subcommand `path` of the registered command `top`.
fn registered_option<'a>(commands: &'a [Value], top: &str, path: &[&str], name: &str) -> &'a Value {
    let mut node = commands.iter().find(|c| c["name"] == top).unwrap_or_else(|| panic!("/{top}"));
    for word in path {
        node = node["options"].as_array().unwrap().iter().find(|o| o["name"] == *word).unwrap();
    }
    node["options"].as_array().unwrap().iter().find(|o| o["name"] == name).unwrap_or_else(|| panic!("{name}"))
}

#[tokio::test]
async fn options_carry_the_stored_limits_postable_channel_kinds_and_written_descriptions() {
    let app = spawn(sqlite().await).await;
    let put = app.fake.wait_for("command registration", |c| c.method == "PUT").await;
    let commands = put.body.as_array().unwrap().clone();
    let title = registered_option(&commands, "ai", &["need"], "title");
    assert_eq!(title["max_length"], 200, "a title is stored up to 200 characters");
    assert_eq!(registered_option(&commands, "ai", &["move"], "note")["max_length"], 2000);
    assert_eq!(registered_option(&commands, "ai", &["list"], "team")["max_length"], 100);
    let days = registered_option(&commands, "ai", &["effort"], "days");
    assert_eq!((days["min_value"].as_f64(), days["max_value"].as_f64()), (Some(0.0), Some(10000.0)));
    let channel = registered_option(&commands, "ai-admin", &["channel"], "channel");
    assert_eq!(channel["channel_types"], json!([0, 5]), "text and announcement channels only");
    let which = registered_option(&commands, "ai-admin", &["channel"], "which");
    assert!(which["description"].as_str().unwrap().starts_with("Triage cards"), "{which}");
    assert!(!which["description"].as_str().unwrap().contains("pick one"));
    assert!(title["description"].as_str().unwrap().starts_with("What you need"), "{title}");
    let ja = title["description_localizations"]["ja"].as_str().unwrap();
    assert!(!ja.contains("title") && ja.contains("必要なこと"), "{ja}");
    // every option of every command has a written description, within Discord's 100 characters
    fn walk(v: &Value, out: &mut Vec<String>) {
        for o in v["options"].as_array().into_iter().flatten() {
            if o["type"].as_u64().is_some_and(|t| t > 2) {
                let d = o["description"].as_str().unwrap();
                assert!(!d.starts_with("discord.") && d.chars().count() <= 100, "{d}");
                out.push(d.to_string());
            }
            walk(o, out);
        }
    }
    let mut all = Vec::new();
    commands.iter().for_each(|c| walk(c, &mut all));
    assert!(all.len() > 20 && all.iter().all(|d| !d.starts_with("The ") || !d.ends_with("a number")), "{all:?}");
}

#[tokio::test]
async fn a_channel_no_message_can_be_posted_in_is_refused_clearly() {
    let app = spawn(sqlite().await).await;
    let category = "1300000000000000099";
    let mut v = command(Sender::member(ADMIN), 5, "ai-admin", &["channel"], &[("which", json!("digest"))]);
    v["data"]["options"][0]["options"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "channel", "type": 7, "value": category}));
    v["data"]["resolved"] =
        json!({"channels": {category: {"id": category, "name": "Projects", "type": 4, "permissions": "0"}}});
    let refused = app.send(&v).await;
    let text = refused["data"]["content"].as_str().unwrap_or_default();
    assert!(text.contains("“Projects” is not a channel a message can be posted in"), "{refused}");
    assert_eq!(refused["data"]["flags"], 64);
    let ws = app.bot.store.ensure_workspace(WORKSPACE, "x", &Settings::default(), t0()).await.unwrap();
    assert_eq!(ws.settings.digest_channel, None, "nothing saved");
}

#[tokio::test]
async fn hints_on_discord_name_the_slash_command_and_its_options() {
    let app = spawn(sqlite().await).await;
    let answer = app.command(Sender::member(AIKO), "answers", &[("id", json!("N-1"))]).await;
    let text = said(&answer["data"]);
    assert!(text.contains("/ai mine"), "{text}");
    let help = said(&app.command(Sender::member(AIKO), "help", &[]).await["data"]);
    assert!(help.contains("/ai resume id:<id>") && help.contains("/ai need title:<what you need>"), "{help}");
    let one = said(&app.command(Sender::member(AIKO), "help", &[("command", json!("resume"))]).await["data"]);
    assert!(one.contains("Example: /ai resume id:N-12."), "{one}");
}

#[tokio::test]
async fn an_export_over_the_interactions_upload_limit_says_how_to_get_it_instead() {
    let app = spawn(sqlite().await).await;
    let mut v = command(Sender::member(ADMIN), 6, "ai-admin", &["export"], &[]);
    v["attachment_size_limit"] = json!(16);
    let answer = app.send(&v).await;
    let text = said(&answer["data"]);
    assert!(text.contains("more than Discord takes in a reply here") && text.contains("kakehashi export"), "{answer}");
    let posted_files =
        app.fake.calls().into_iter().filter(|c| c.body.as_str().is_some_and(|b| b.contains("filename"))).count();
    assert_eq!(posted_files, 0, "no upload Discord would refuse");
    // within the limit, the file goes up as a follow-up
    let within = app.send(&command(Sender::member(ADMIN), 7, "ai-admin", &["export"], &[])).await;
    assert!(!said(&within["data"]).contains("more than Discord takes"), "{within}");
}

#[tokio::test]
async fn the_digest_names_the_server_and_settings_link_channels() {
    let app = spawn(sqlite().await).await;
    let admin = Sender::member(ADMIN);
    let set = command(admin, 8, "ai-admin", &["channel"], &[("which", json!("triage"))]);
    app.send(&set).await;
    let settings = app.send(&command(admin, 9, "ai-admin", &["settings"], &[])).await;
    let shown = serde_json::to_string(&settings["data"]).unwrap();
    assert!(shown.contains(&format!("<#{}>", crate::discord_fake::CHANNEL)), "{shown}");
    let ws = app.bot.store.workspace(WORKSPACE).await.unwrap().unwrap();
    assert_eq!(ws.name, crate::discord_fake::GUILD_NAME);
    let preview = app.command(admin, "digest", &[]).await;
    let text = serde_json::to_string(&preview["data"]).unwrap();
    assert!(text.contains("Weekly AI digest · Acme Retail · "), "{text}");
    let asked = app.fake.calls().iter().filter(|c| c.method == "GET" && c.path.ends_with(GUILD)).count();
    assert_eq!(asked, 1, "the name is asked once and remembered");
}

/// The gateway gauge, as `/metrics` and `/healthz` read it.
fn gateway_up(bot: &Bot) -> Option<bool> {
    bot.metrics.connections().into_iter().find(|(t, _)| t == gateway::TRANSPORT).map(|(_, up)| up)
}

/// Waits until the gateway gauge says `up` (the watcher reads the shard runners every second).
async fn wait_gateway(bot: &Bot, up: bool, what: &str) {
    let wait = async {
        while gateway_up(bot) != Some(up) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), wait).await.unwrap_or_else(|_| panic!("{what}"));
}

#[tokio::test]
async fn gateway_health_follows_a_dropped_and_refused_connection_and_resumes_where_ready_said() {
    let db = sqlite().await;
    let fake = FakeDiscord::start().await;
    let gw = crate::discord_fake::FakeGateway::start().await;
    fake.set_gateway_url(&gw.url);
    let clock = Arc::new(ManualClock::new(t0()));
    let discord = Arc::new(Discord::new(
        bot(&db, clock),
        Arc::new(DiscordApi::new(Some("gateway-token"), &fake.url)),
        Duration::from_secs(2),
    ));
    let bot = discord.bot.clone();
    let run = tokio::spawn(gateway::run(discord, "gateway-token".into(), fake.url.clone()));
    gw.wait_sessions(1).await;
    wait_gateway(&bot, true, "the gateway never counted as connected").await;
    assert_eq!(gw.sessions()[0], ("main", "identify"));

    // Discord closes with 4000 and refuses to take the client back for a while
    gw.drop_all(true);
    wait_gateway(&bot, false, "a dropped, refused connection still counts as connected").await;
    // back: the client resumes on READY's resume_gateway_url and counts as connected again
    gw.accept();
    let sessions = gw.wait_sessions(2).await;
    assert_eq!(sessions[1].0, "resume", "reconnected on resume_gateway_url: {sessions:?}");
    wait_gateway(&bot, true, "the gateway did not come back").await;
    run.abort();
}

#[tokio::test]
async fn a_gateway_interaction_reaching_two_replicas_is_handled_once() {
    // two replicas connected as the same shard both get every interaction; they share a database
    let db = sqlite().await;
    let fake = FakeDiscord::start().await;
    let clock = Arc::new(ManualClock::new(t0()));
    let replica = || {
        let api = Arc::new(DiscordApi::new(Some("gateway-token"), &fake.url));
        Arc::new(Discord::new(bot(&db, clock.clone()), api, Duration::from_secs(2)))
    };
    let (one, two) = (replica(), replica());
    let aiko = Sender::member(AIKO);
    let submitted =
        modal(aiko, 21, "need", &[("title", "Forecast weekly demand"), ("team", "Stores"), ("description", "")], false);
    let event = || serde_json::from_value(submitted.clone()).unwrap();
    tokio::join!(gateway::on_interaction(&one, event()), gateway::on_interaction(&two, event()));
    let callbacks: Vec<_> = fake.calls().into_iter().filter(|c| c.path.contains("interaction-token-21")).collect();
    assert_eq!(callbacks.len(), 1, "one answer: {callbacks:?}");
    assert!(said(&callbacks[0].body["data"]).contains("N-1 is saved"));
    let mine = db.store.items_of(WORKSPACE, AIKO, 10).await.unwrap();
    assert_eq!(mine.len(), 1, "one need: {mine:?}");
}
