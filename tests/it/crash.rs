//! Crash safety (issue 7): `kakehashi serve` as a real process, driven with signed Slack and
//! Discord requests that each create a need, is killed with SIGKILL mid-load several times and
//! started again. Every request that got a success answer must be in the database afterwards,
//! none twice, and the database must open clean.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ed25519_dalek::{Signer, SigningKey};
use kakehashi::domain::ItemKind;
use kakehashi::storage::{self, DatabaseUrl, ItemFilter};
use serde_json::{Value, json};
use tokio::process::Child;

use crate::discord_fake::{self, FakeDiscord, Sender};
use crate::fake_slack::FakeSlack;
use crate::helpers::{TestDb, backends, serve_process};

const SECRET: &str = "crash-test-signing-secret";
const SLACK_TEAM: &str = "T0CRASH";
const ROUNDS: usize = 3;
const CLIENTS: usize = 6;
/// Successful creations per round before the kill.
const PER_ROUND: usize = 40;

fn key() -> SigningKey {
    SigningKey::from_bytes(&[9u8; 32])
}

fn now() -> String {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs().to_string()
}

/// The server process, its address, and the fakes it talks to.
struct Server {
    child: Child,
    addr: String,
}

async fn start(db: &DatabaseUrl, slack: &FakeSlack, discord: &FakeDiscord) -> Server {
    let env = [
        ("SLACK_SIGNING_SECRET", SECRET.to_string()),
        ("SLACK_BOT_TOKEN", "xoxb-crash-test".to_string()),
        ("SLACK_API_URL", slack.api_url()),
        ("DISCORD_MODE", "endpoint".to_string()),
        ("DISCORD_APPLICATION_ID", discord_fake::APP.to_string()),
        ("DISCORD_PUBLIC_KEY", hex::encode(key().verifying_key().as_bytes())),
        ("DISCORD_API_URL", discord.url.clone()),
    ];
    let (child, addr) = serve_process(&db.to_string(), &env).await;
    Server { child, addr }
}

/// One request that creates a need titled `title`, signed as its platform signs.
fn request(addr: &str, n: u64, title: &str) -> (String, Vec<(&'static str, String)>, Vec<u8>, &'static str) {
    let ts = now();
    if n.is_multiple_of(2) {
        let payload = json!({
            "type": "view_submission",
            "team": {"id": SLACK_TEAM, "domain": "crash"},
            "user": {"id": format!("U{}", n % 7), "team_id": SLACK_TEAM, "name": "someone"},
            "api_app_id": "A1",
            "trigger_id": format!("trigger.{n}"),
            "view": {
                "id": format!("V{n}"),
                "type": "modal",
                "callback_id": "need",
                "private_metadata": "{\"c\":\"C1\"}",
                "hash": "1.abc",
                "state": {"values": {
                    "title": {"value": {"type": "plain_text_input", "value": title}},
                    "team": {"value": {"type": "plain_text_input", "value": "Stores"}},
                    "description": {"value": {"type": "plain_text_input", "value": ""}},
                }},
            },
        });
        let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap().into_bytes();
        let signature = kakehashi::transport::slack::verify::sign(SECRET, &ts, &body);
        let headers = vec![("x-slack-request-timestamp", ts), ("x-slack-signature", signature)];
        (format!("http://{addr}/slack/interactions"), headers, body, "application/x-www-form-urlencoded")
    } else {
        let who = Sender::member(discord_fake::AIKO);
        let value =
            discord_fake::modal(who, n, "need", &[("title", title), ("team", "Stores"), ("description", "")], false);
        let body = serde_json::to_vec(&value).unwrap();
        let mut signed = ts.as_bytes().to_vec();
        signed.extend_from_slice(&body);
        let signature = hex::encode(key().sign(&signed).to_bytes());
        let headers = vec![("x-signature-timestamp", ts), ("x-signature-ed25519", signature)];
        (format!("http://{addr}/discord/interactions"), headers, body, "application/json")
    }
}

/// Clients that create needs until told to stop; the titles that got a success answer.
struct Load {
    acked: Arc<Mutex<Vec<String>>>,
    sent: Arc<AtomicU64>,
}

impl Load {
    /// Sends from `CLIENTS` clients to `addr` until `stop` fires; returns when all have stopped.
    async fn run(&self, addr: &str, round: usize, enough: usize, server: &mut Server) {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let (progress_tx, mut progress_rx) = tokio::sync::watch::channel(0usize);
        let progress_tx = Arc::new(progress_tx);
        let mut clients = Vec::new();
        for c in 0..CLIENTS {
            let (acked, sent, addr, stop, progress) =
                (self.acked.clone(), self.sent.clone(), addr.to_string(), stop_rx.clone(), progress_tx.clone());
            clients.push(tokio::spawn(async move {
                let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
                while !*stop.borrow() {
                    let n = sent.fetch_add(1, Ordering::SeqCst);
                    let title = format!("Crash test r{round} c{c} n{n}");
                    let (url, headers, body, content_type) = request(&addr, n, &title);
                    let mut req = http.post(url).header("content-type", content_type).body(body);
                    for (k, v) in headers {
                        req = req.header(k, v);
                    }
                    match req.send().await {
                        Ok(r) if r.status().is_success() => {
                            let text = r.text().await.unwrap_or_default();
                            check_success(&text, &title);
                            acked.lock().unwrap().push(title);
                            progress.send_modify(|p| *p += 1);
                        }
                        Ok(r) => panic!(
                            "a valid signed request was refused: {} {}",
                            r.status(),
                            r.text().await.unwrap_or_default()
                        ),
                        // the server died under it: not acknowledged
                        Err(_) => {}
                    }
                }
            }));
        }
        // mid-load: after `enough` successes this round, the server is killed while the clients send
        let waited = progress_rx.wait_for(|p| *p >= enough);
        tokio::time::timeout(Duration::from_secs(60), waited).await.expect("the load makes progress").unwrap();
        server.child.start_kill().expect("SIGKILL");
        server.child.wait().await.unwrap();
        stop_tx.send(true).unwrap();
        for c in clients {
            c.await.unwrap();
        }
    }
}

/// A success answer means the need was created, as the platform shows it.
fn check_success(body: &str, title: &str) {
    if body.is_empty() {
        return; // Slack: an empty acknowledgement closes the modal
    }
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    // Discord answers with the message (type 4) or defers (5); Slack with a view update
    let known = v["type"].as_u64().is_some_and(|t| t == 4 || t == 5) || v.get("response_action").is_some();
    assert!(known, "an unexpected success answer for {title}: {body}");
}

async fn crash_and_recover(db: &TestDb) {
    let slack = FakeSlack::start().await;
    let discord = FakeDiscord::start().await;
    let load = Load { acked: Arc::new(Mutex::new(Vec::new())), sent: Arc::new(AtomicU64::new(1)) };
    for round in 0..ROUNDS {
        let mut server = start(&db.url, &slack, &discord).await;
        let addr = server.addr.clone();
        load.run(&addr, round, PER_ROUND, &mut server).await;
    }
    // one more start: the database opens clean after the last kill, and the server serves
    let mut server = start(&db.url, &slack, &discord).await;
    let health = reqwest::get(format!("http://{}/healthz", server.addr)).await.unwrap();
    assert!(health.status().is_success());
    server.child.start_kill().unwrap();
    server.child.wait().await.unwrap();

    let store = storage::open(&db.url).await.expect("the database opens after the kills");
    let mut stored: BTreeMap<String, usize> = BTreeMap::new();
    for ws in [format!("slack:{SLACK_TEAM}"), format!("discord:{}", discord_fake::GUILD)] {
        let filter = ItemFilter { kind: Some(ItemKind::Need), ..ItemFilter::default() };
        let (items, _) = store.list_items(&ws, &filter, i64::MAX).await.unwrap();
        let mut numbers: Vec<i64> = items.iter().map(|i| i.reference.number).collect();
        numbers.sort();
        let expected: Vec<i64> = (1..=numbers.len() as i64).collect();
        assert_eq!(numbers, expected, "{}: {ws}'s needs are numbered 1…n, nothing half-written", db.name);
        for item in items {
            *stored.entry(item.title).or_default() += 1;
        }
    }
    let acked = load.acked.lock().unwrap().clone();
    assert!(acked.len() >= ROUNDS * PER_ROUND, "{}: {} acknowledged", db.name, acked.len());
    let lost: Vec<&String> = acked.iter().filter(|t| !stored.contains_key(*t)).collect();
    assert!(lost.is_empty(), "{}: acknowledged but not stored: {lost:?}", db.name);
    let twice: Vec<(&String, &usize)> = stored.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "{}: stored more than once: {twice:?}", db.name);
    if let DatabaseUrl::Sqlite(path) = &db.url {
        let url = format!("sqlite://{}", path.display());
        let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url).await.unwrap();
        let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut conn).await.unwrap();
        assert_eq!(check, "ok", "SQLite integrity after SIGKILL");
    }
    eprintln!(
        "{}: {} requests, {} acknowledged, {} needs stored",
        db.name,
        load.sent.load(Ordering::SeqCst) - 1,
        acked.len(),
        stored.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_request_survives_sigkill_once() {
    for db in backends().await {
        crash_and_recover(&db).await;
    }
}
