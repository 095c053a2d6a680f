//! Replicas share the replay guard (issue 14): two `kakehashi serve` applications on one
//! PostgreSQL database behind a round-robin TCP proxy (every connection goes to the next
//! replica). Slack's retry of an event and a resent Discord interaction land on the other replica
//! and are still handled once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use ed25519_dalek::{Signer, SigningKey};
use kakehashi::chat::Bot;
use kakehashi::cli::server::Application;
use kakehashi::config::Config;
use kakehashi::domain::ItemKind;
use kakehashi::prompts::Prompts;
use kakehashi::storage::{self, ItemFilter};
use serde_json::json;

use crate::discord_fake::{self, FakeDiscord, Sender};
use crate::fake_slack::FakeSlack;
use crate::helpers::{pg_admin, postgres};

const SECRET: &str = "replicas-signing-secret";
const TEAM: &str = "T0REPL";

fn key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

fn config(slack: &FakeSlack, discord: &FakeDiscord) -> Config {
    let (slack_api, discord_api) = (slack.api_url(), discord.url.clone());
    let public_key = hex::encode(key().verifying_key().as_bytes());
    let env = move |k: &str| -> Option<String> {
        match k {
            "SLACK_SIGNING_SECRET" => Some(SECRET.into()),
            "SLACK_BOT_TOKEN" => Some("xoxb-replicas".into()),
            "SLACK_API_URL" => Some(slack_api.clone()),
            "DISCORD_MODE" => Some("endpoint".into()),
            "DISCORD_APPLICATION_ID" => Some(discord_fake::APP.into()),
            "DISCORD_PUBLIC_KEY" => Some(public_key.clone()),
            "DISCORD_API_URL" => Some(discord_api.clone()),
            _ => None,
        }
    };
    Config::load(Some(std::path::Path::new("/dev/null")), &env).unwrap()
}

/// A replica: its own process state (its own in-memory guard), the shared database.
async fn replica(config: &Config, db: &storage::DatabaseUrl) -> String {
    let store = storage::open(db).await.unwrap();
    let bot = Arc::new(Bot::new(
        store,
        Arc::new(Prompts::embedded()),
        Arc::new(kakehashi::clock::SystemClock),
        Default::default(),
    ));
    let app = Application::build(config, bot, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let addr = app.addr().to_string();
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    addr
}

/// A TCP proxy that sends each new connection to the next backend in turn; how many went where.
async fn round_robin(backends: Vec<String>) -> (String, Arc<Vec<AtomicUsize>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let counts = Arc::new(backends.iter().map(|_| AtomicUsize::new(0)).collect::<Vec<_>>());
    let seen = counts.clone();
    tokio::spawn(async move {
        let mut next = 0;
        while let Ok((mut client, _)) = listener.accept().await {
            let i = next % backends.len();
            next += 1;
            seen[i].fetch_add(1, Ordering::SeqCst);
            let backend = backends[i].clone();
            tokio::spawn(async move {
                if let Ok(mut server) = tokio::net::TcpStream::connect(backend).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });
    (addr, counts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_reaching_the_other_replica_is_handled_once() {
    let Some(admin) = pg_admin() else { return };
    let db = postgres(&admin).await;
    let (slack, discord) = (FakeSlack::start().await, FakeDiscord::start().await);
    let config = config(&slack, &discord);
    let backends = vec![replica(&config, &db.url).await, replica(&config, &db.url).await];
    let (proxy, counts) = round_robin(backends).await;
    // a new connection per request, so the proxy alternates the replicas
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();

    // Slack delivers an event, then retries it (signed anew, a second later) to the other replica
    let event = json!({
        "token": "deprecated", "team_id": TEAM, "api_app_id": "A1", "type": "event_callback",
        "event_id": "Ev0REPLICA", "event_time": 1_700_000_000,
        "event": {"type": "app_mention", "user": "U1", "text": "<@UBOT> mine", "ts": "1.2", "channel": "C1", "event_ts": "1.2"},
    })
    .to_string();
    for (retry, ts) in [(None, now()), (Some("1"), now() + 1)] {
        let ts = ts.to_string();
        let mut request = http
            .post(format!("http://{proxy}/slack/events"))
            .header("content-type", "application/json")
            .header("x-slack-request-timestamp", &ts)
            .header("x-slack-signature", kakehashi::transport::slack::verify::sign(SECRET, &ts, event.as_bytes()))
            .body(event.clone());
        if let Some(n) = retry {
            request = request.header("x-slack-retry-num", n).header("x-slack-retry-reason", "http_timeout");
        }
        assert_eq!(request.send().await.unwrap().status(), 200);
    }
    slack.wait_calls("chat.postEphemeral", 1).await;

    // a Discord interaction (a need submitted in a modal) sent twice, the same bytes
    let who = Sender::member(discord_fake::AIKO);
    let fields = [("title", "Forecast demand across replicas"), ("team", "Stores"), ("description", "")];
    let body = serde_json::to_vec(&discord_fake::modal(who, 4242, "need", &fields, false)).unwrap();
    let ts = now().to_string();
    let mut signed = ts.as_bytes().to_vec();
    signed.extend_from_slice(&body);
    let signature = hex::encode(key().sign(&signed).to_bytes());
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let r = http
            .post(format!("http://{proxy}/discord/interactions"))
            .header("content-type", "application/json")
            .header("x-signature-timestamp", &ts)
            .header("x-signature-ed25519", &signature)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [200, 409], "the resent interaction is refused as handled");

    assert_eq!(
        counts.iter().map(|c| c.load(Ordering::SeqCst)).collect::<Vec<_>>(),
        [2, 2],
        "each replica got one of each"
    );
    // the Slack retry did nothing more: still one reply (a handled retry would have replied by
    // now; there is no event to wait for when nothing happens)
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(slack.calls_of("chat.postEphemeral").len(), 1, "the retried event is answered once");
    let ws = format!("discord:{}", discord_fake::GUILD);
    let filter = ItemFilter { kind: Some(ItemKind::Need), ..ItemFilter::default() };
    let (needs, _) = db.store.list_items(&ws, &filter, 100).await.unwrap();
    assert_eq!(needs.len(), 1, "the resent interaction created nothing: {needs:?}");
}
