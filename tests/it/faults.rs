//! Outbound faults (issue 7): the fake Slack and Discord APIs answer 429 with Retry-After, 500,
//! slowly, or drop the connection; when they recover, every notification and the digest has been
//! delivered exactly once — and people using the bot meanwhile were answered in time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration as StdDuration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Duration, TimeZone, Utc};
use ed25519_dalek::{Signer, SigningKey};
use kakehashi::chat::{Block, Bot, Message, Span};
use kakehashi::clock::ManualClock;
use kakehashi::config::Config;
use kakehashi::domain::text::{Description, TeamName, Title};
use kakehashi::domain::{ItemKind, Recipient, Settings};
use kakehashi::jobs::Scheduler;
use kakehashi::outbox::{self, Deliverers};
use kakehashi::prompts::Prompts;
use kakehashi::storage::{NewItem, Save, Store};
use serde_json::Value;

use crate::discord_fake::{self, FakeDiscord, Sender};
use crate::fake_slack::{FakeSlack, Scripted};
use crate::helpers::{TestDb, sqlite, t0};

const SECRET: &str = "faults-signing-secret";
const NOTICES: usize = 8;

fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
}

fn unix() -> String {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs().to_string()
}

/// The bot's HTTP routes for `config` on a free port (no background workers: the test delivers),
/// and the deliverers of its transports.
async fn serve(config: &Config, db: &TestDb) -> (String, Deliverers) {
    let bot = Arc::new(Bot::new(
        db.store.clone(),
        Arc::new(Prompts::embedded()),
        Arc::new(ManualClock::new(t0())),
        Settings::default(),
    ));
    let mut router = axum::Router::new();
    let mut deliverers = Deliverers::default();
    for part in kakehashi::cli::server::transports(config, &bot).unwrap() {
        if let Some(r) = part.router {
            router = router.merge(r);
        }
        if let Some((prefix, d)) = part.deliverer {
            deliverers.register(prefix, d);
        }
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, deliverers)
}

/// `NOTICES` messages to people and a channel, each saying its number, and the week's digest.
async fn queue_everything(store: &Arc<dyn Store>, workspace: &str, person: &str, channel: &str) {
    // the follow-through jobs are off: only the weekly ones run here (tests/it/follow.rs has them)
    let follow = kakehashi::domain::nudge::FollowSettings { nudges: false, ..Default::default() };
    let settings = Settings { digest_channel: Some(channel.into()), follow, ..Settings::default() };
    store.ensure_workspace(workspace, "Faults", &settings, monday() - Duration::days(6)).await.unwrap();
    let mut item = store
        .create_item(NewItem {
            workspace: workspace.into(),
            kind: ItemKind::Need,
            title: Title::parse("Forecast demand").unwrap(),
            description: Description::parse("").unwrap(),
            team: TeamName::parse("Stores").unwrap(),
            requester: person.into(),
            at: monday() - Duration::days(1),
        })
        .await
        .unwrap();
    let notices: Vec<_> = (0..NOTICES)
        .map(|n| {
            let to = if n % 2 == 0 { Recipient::User(person.into()) } else { Recipient::Channel(channel.into()) };
            let message = Message::private(vec![Block::Text(vec![Span::plain(format!("notice #{n}#"))])]);
            outbox::notice(workspace, to, &outbox::Payload::Message { message }, monday())
        })
        .collect();
    store.save_item(&mut item, person, Save { notices: &notices, ..Save::default() }).await.unwrap();
    let scheduler = Scheduler::new(store.clone(), Arc::new(Prompts::embedded()));
    let mut done = 0;
    for tick in 0..4 {
        done += scheduler.run_once(monday() + Duration::seconds(30 * tick)).await.unwrap().done;
    }
    assert_eq!(done, 2, "the stage evaluation and the digest");
}

/// Delivers until nothing is left, a minute of the outbox's clock per round, while `ask` is
/// called over and over as a person using the bot; returns how many were answered meanwhile.
async fn drain_while_people_ask<F, Fut>(store: &Arc<dyn Store>, deliverers: &Deliverers, ask: F) -> usize
where
    F: Fn(u64) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let draining = Arc::new(AtomicBool::new(true));
    let people = {
        let draining = draining.clone();
        tokio::spawn(async move {
            let mut n = 0;
            while draining.load(Ordering::SeqCst) {
                ask(n).await;
                n += 1;
            }
            n as usize
        })
    };
    let mut now = monday() + Duration::minutes(2);
    let mut given_up = 0;
    for _ in 0..40 {
        given_up += outbox::run_once(store.as_ref(), deliverers, now).await.unwrap().given_up;
        now += Duration::minutes(1);
    }
    draining.store(false, Ordering::SeqCst);
    assert_eq!(given_up, 0, "nothing is given up");
    people.await.unwrap()
}

/// The configuration of a bot on Slack whose Web API is `fake`.
fn slack_config(fake: &FakeSlack) -> Config {
    let api = fake.api_url();
    let env = move |k: &str| match k {
        "SLACK_SIGNING_SECRET" => Some(SECRET.to_string()),
        "SLACK_BOT_TOKEN" => Some("xoxb-faults".to_string()),
        "SLACK_API_URL" => Some(api.clone()),
        _ => None,
    };
    Config::load(None, &env).unwrap()
}

/// The numbers of the `notice #n#` texts in `bodies`, sorted.
fn notice_numbers<'a>(bodies: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let mut found: Vec<usize> = bodies
        .flat_map(|b| b.split("notice #").skip(1).filter_map(|s| s.split('#').next()?.parse().ok()).collect::<Vec<_>>())
        .collect();
    found.sort();
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_deliveries_survive_rate_limits_errors_slowness_and_dropped_connections_once() {
    let db = sqlite().await;
    let fake = FakeSlack::start().await;
    let config = slack_config(&fake);
    let (url, deliverers) = serve(&config, &db).await;
    queue_everything(&db.store, "slack:T0FAULT", "U5", "C42").await;

    let http = reqwest::Client::new();
    let ask = {
        let (fake, url) = (fake.clone(), url.clone());
        move |_n: u64| {
            let (fake, url, http) = (fake.clone(), url.clone(), http.clone());
            async move {
                let body = serde_urlencoded::to_string([
                    ("team_id", "T0FAULT"),
                    ("channel_id", "C1"),
                    ("user_id", "U9"),
                    ("command", "/ai"),
                    ("text", "help"),
                    ("response_url", fake.response_url().as_str()),
                    ("trigger_id", "1.2.trigger"),
                ])
                .unwrap();
                let ts = unix();
                let signature = kakehashi::transport::slack::verify::sign(SECRET, &ts, body.as_bytes());
                let r = http
                    .post(format!("{url}/slack/commands"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("x-slack-request-timestamp", ts)
                    .header("x-slack-signature", signature)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                let ack: Value = r.json().await.expect("the answer is in the acknowledgement: in time");
                assert!(ack.to_string().contains("need"), "the help text: {ack}");
            }
        }
    };
    // a first question, so the person's language is known before the network turns bad
    ask(0).await;

    // every kind of trouble, spread over the calls delivery makes
    fake.script("conversations.open", Scripted::RateLimited { after_secs: 3 }, 1);
    fake.script("chat.postMessage", Scripted::RateLimited { after_secs: 7 }, 1);
    fake.script("chat.postMessage", Scripted::Status(500, "internal_error"), 1);
    fake.script("chat.postMessage", Scripted::Slow { millis: 1500 }, 1);
    fake.script("chat.postMessage", Scripted::Status(503, "service_unavailable"), 1);
    fake.script("files.getUploadURLExternal", Scripted::Status(502, "bad_gateway"), 1);
    fake.script("files.completeUploadExternal", Scripted::RateLimited { after_secs: 2 }, 1);
    fake.drop_connections(3);

    let answered = drain_while_people_ask(&db.store, &deliverers, ask).await;
    assert!(answered >= 3, "people were answered while deliveries struggled ({answered})");
    assert_eq!(fake.dropped(), 3, "three connections dropped");

    let posted: Vec<_> = fake.calls_of("chat.postMessage").into_iter().filter(|c| c.ok).collect();
    let texts: Vec<String> = posted.iter().map(|c| c.body["blocks"].to_string()).collect();
    assert_eq!(notice_numbers(texts.iter().map(String::as_str)), (0..NOTICES).collect::<Vec<_>>(), "each once");
    let digests = texts.iter().filter(|t| t.contains("Weekly AI digest")).count();
    assert_eq!(digests, 1, "the digest once");
    let shared: Vec<_> = fake.calls_of("files.completeUploadExternal").into_iter().filter(|c| c.ok).collect();
    assert_eq!(shared.len(), 1, "the chart once");
    assert_eq!(posted.len(), NOTICES + 1, "nothing else was posted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_deliveries_survive_rate_limits_errors_slowness_and_dropped_connections_once() {
    let db = sqlite().await;
    let fake = FakeDiscord::start().await;
    let key = SigningKey::from_bytes(&[5u8; 32]);
    let public_key = hex::encode(key.verifying_key().as_bytes());
    let fake_url = fake.url.clone();
    let env = move |k: &str| match k {
        "DISCORD_MODE" => Some("endpoint".to_string()),
        "DISCORD_PUBLIC_KEY" => Some(public_key.clone()),
        "DISCORD_APPLICATION_ID" => Some(discord_fake::APP.to_string()),
        "DISCORD_TOKEN" => Some("faults-bot-token".to_string()),
        "DISCORD_API_URL" => Some(fake_url.clone()),
        _ => None,
    };
    let config = Config::load(None, &env).unwrap();
    let (url, deliverers) = serve(&config, &db).await;
    let channel = "1900000000000000009";
    queue_everything(&db.store, &format!("discord:{}", discord_fake::GUILD), discord_fake::AIKO, channel).await;

    let http = reqwest::Client::new();
    let ask = move |n: u64| {
        let (url, http, key) = (url.clone(), http.clone(), key.clone());
        async move {
            let value = discord_fake::command(Sender::member(discord_fake::BEN), 1000 + n, "ai", &["help"], &[]);
            let body = serde_json::to_vec(&value).unwrap();
            // the bot's clock stands at t0
            let ts = t0().timestamp().to_string();
            let mut signed = ts.as_bytes().to_vec();
            signed.extend_from_slice(&body);
            let r = http
                .post(format!("{url}/discord/interactions"))
                .header("content-type", "application/json")
                .header("x-signature-timestamp", ts)
                .header("x-signature-ed25519", hex::encode(key.sign(&signed).to_bytes()))
                .body(body)
                .send()
                .await
                .unwrap();
            let status = r.status();
            let answer: Value = r.json().await.unwrap_or_default();
            assert_eq!(status, 200, "{answer}");
            assert_eq!(answer["type"], 4, "answered in the response, in time: {answer}");
        }
    };

    let rate_limited = r#"{"message":"You are being rate limited.","retry_after":2.5,"global":false}"#;
    fake.answer_next("/users/@me/channels", 429, rate_limited, Some("3"));
    fake.answer_next("/messages", 429, rate_limited, Some("3"));
    fake.answer_next("/messages", 500, r#"{"message":"500: Internal Server Error","code":0}"#, None);
    fake.answer_slowly("/messages", StdDuration::from_millis(1500));
    fake.answer_next("/messages", 502, "", None);
    fake.drop_connections(3);

    let answered = drain_while_people_ask(&db.store, &deliverers, ask).await;
    assert!(answered >= 3, "people were answered while deliveries struggled ({answered})");
    assert_eq!(fake.dropped(), 3);

    let posted: Vec<_> = fake
        .calls()
        .into_iter()
        .filter(|c| c.status == 200 && c.method == "POST" && c.path.ends_with("/messages"))
        .collect();
    let bodies: Vec<String> = posted.iter().map(|c| c.body.to_string()).collect();
    assert_eq!(notice_numbers(bodies.iter().map(String::as_str)), (0..NOTICES).collect::<Vec<_>>(), "each once");
    assert_eq!(bodies.iter().filter(|b| b.contains("Weekly AI digest")).count(), 1, "the digest once");
    assert_eq!(bodies.iter().filter(|b| b.contains("kakehashi-digest-")).count(), 1, "the chart once");
    assert_eq!(posted.len(), NOTICES + 2, "nothing else was posted: {bodies:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_hanging_recipient_holds_up_nobody_else_in_the_outbox() {
    let db = sqlite().await;
    let fake = FakeSlack::start().await;
    let config = slack_config(&fake);
    let (_, deliverers) = serve(&config, &db).await;
    let store = db.store.clone();
    let workspace = "slack:T0HANG";
    store.ensure_workspace(workspace, "Hang", &Settings::default(), monday() - Duration::days(1)).await.unwrap();
    let mut item = store
        .create_item(NewItem {
            workspace: workspace.into(),
            kind: ItemKind::Need,
            title: Title::parse("Forecast demand").unwrap(),
            description: Description::parse("").unwrap(),
            team: TeamName::parse("Stores").unwrap(),
            requester: "U1".into(),
            at: monday() - Duration::days(1),
        })
        .await
        .unwrap();
    // the hanging channel's notices come first: one at a time, they would hold up all the others
    let mut channels = vec!["C0HANG", "C0HANG"];
    let healthy: Vec<String> = (1..=9).map(|n| format!("C{n}")).collect();
    channels.extend(healthy.iter().map(String::as_str));
    let notices: Vec<_> = channels
        .iter()
        .enumerate()
        .map(|(n, channel)| {
            let message = Message::private(vec![Block::Text(vec![Span::plain(format!("notice #{n}#"))])]);
            outbox::notice(
                workspace,
                Recipient::Channel(channel.to_string()),
                &outbox::Payload::Message { message },
                monday(),
            )
        })
        .collect();
    store.save_item(&mut item, "U1", Save { notices: &notices, ..Save::default() }).await.unwrap();
    fake.hang_channel("C0HANG");

    let started = std::time::Instant::now();
    let pass = {
        let (store, deliverers) = (store.clone(), deliverers.clone());
        tokio::spawn(async move { outbox::run_once(store.as_ref(), &deliverers, monday()).await })
    };
    let calls = fake
        .wait_until("the nine healthy channels delivered", |calls| {
            healthy.iter().all(|c| {
                calls
                    .iter()
                    .any(|call| call.ok && call.method == "chat.postMessage" && call.body["channel"] == c.as_str())
            })
        })
        .await;
    let took = started.elapsed();
    eprintln!("nine healthy recipients delivered in {} ms while one hangs", took.as_millis());
    // one at a time they would have waited for the Slack client to give up (15 s)
    assert!(took < StdDuration::from_secs(10), "the nine waited for the hanging one: {took:?}");
    assert!(!pass.is_finished(), "the hanging channel is still being tried");
    let to_hanging = calls.iter().filter(|c| c.body["channel"] == "C0HANG").count();
    assert_eq!(to_hanging, 0, "the hanging channel's second notice waits behind its first");

    // the hanging call times out: the channel's notices are retried later, in order, nothing lost
    let report = pass.await.unwrap().unwrap();
    assert_eq!((report.sent, report.retried, report.given_up), (9, 1, 0), "the second one waits for the first");
}
