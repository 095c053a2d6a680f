//! A load tool for a running `kakehashi serve`: it signs requests as the platforms do and drives
//! the server at a chosen concurrency for a chosen time or number of requests, then reports the
//! latency from request to response (p50, p99, p99.9, max), the throughput, the errors, and the
//! server's peak memory (VmHWM from /proc/<pid>/status, with `--server-pid`).
//!
//! Discord: interactions signed with Ed25519 from `--seed` (start the server with the public key
//! that `--print-public-key` prints). Scenarios: `ping` (verification and parsing only),
//! `submit` (a need's modal submitted: the need is
//! created and its first question asked), `show` (`/ai show N-1`), `mine` (`/ai mine`), `modal`
//! (`/ai need …`, which answers with the modal), or `mix` (each client cycles through them all).
//!
//! Slack: slash commands `need <title>`, form-encoded to `/slack/commands`, signed with the
//! signing secret (`v0=` HMAC-SHA256).
//!
//! ```sh
//! cargo run --release --example load -- --seed 11…11 --print-public-key
//! cargo run --release --example load -- --url http://127.0.0.1:8080 --seed 11…11 \
//!     --scenario mix --concurrency 64 --duration 10 --server-pid 1234
//! ```
//! `bash benches/load.sh` does all of it: builds, starts the server on a temporary SQLite file,
//! runs at 1 and 64 concurrent clients, and stops the server.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::{Parser, ValueEnum};
use ed25519_dalek::{Signer, SigningKey};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

#[derive(Parser, Debug)]
#[command(about = "Drive a running kakehashi server with signed Discord or Slack requests")]
struct Args {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    #[arg(long, value_enum, default_value_t = Platform::Discord)]
    platform: Platform,
    /// Discord: the Ed25519 seed to sign with, 64 hex characters.
    #[arg(long, value_name = "HEX")]
    seed: Option<String>,
    /// Print the public key for --seed (for DISCORD_PUBLIC_KEY) and exit.
    #[arg(long)]
    print_public_key: bool,
    /// Slack: the signing secret.
    #[arg(long)]
    secret: Option<String>,
    /// Discord: what each request does.
    #[arg(long, value_enum, default_value_t = Scenario::Mix)]
    scenario: Scenario,
    /// Clients sending at the same time, each waiting for its answer before the next request.
    #[arg(long, default_value_t = 1)]
    concurrency: usize,
    /// How long to run, in seconds (unless --requests is given).
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Stop after this many requests in all, instead of after --duration.
    #[arg(long)]
    requests: Option<u64>,
    /// Requests per client before measuring starts (a warm pool, a warm database).
    #[arg(long, default_value_t = 5)]
    warmup: u64,
    /// The server's process id, to report its peak memory.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Wait up to 10 s for the server's /healthz before starting.
    #[arg(long)]
    wait: bool,
    /// Discord: the guild the requests come from.
    #[arg(long, default_value = "1000000000000000001")]
    guild: String,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Platform {
    Discord,
    Slack,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    /// A PING: signature, parsing and the response only (the transport's own cost).
    Ping,
    Submit,
    Show,
    Mine,
    Modal,
    Mix,
}

/// The Ed25519 signature Discord sends in X-Signature-Ed25519: over timestamp + body, hex.
fn discord_signature(key: &SigningKey, timestamp: &str, body: &[u8]) -> String {
    let mut message = Vec::with_capacity(timestamp.len() + body.len());
    message.extend_from_slice(timestamp.as_bytes());
    message.extend_from_slice(body);
    hex::encode(key.sign(&message).to_bytes())
}

/// The signature Slack sends in X-Slack-Signature: `v0=` + hex(HMAC-SHA256(secret,
/// "v0:" + timestamp + ":" + body)).
fn slack_signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

fn signing_key(seed: &str) -> Result<SigningKey, String> {
    let bytes: [u8; 32] = hex::decode(seed.trim())
        .map_err(|_| "--seed: not hexadecimal".to_string())?
        .try_into()
        .map_err(|_| "--seed: 32 bytes (64 hex characters) are needed".to_string())?;
    Ok(SigningKey::from_bytes(&bytes))
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// One request: where it goes, its body and headers, and the interaction response type it
/// should get (Discord).
struct Prepared {
    path: &'static str,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
    content_type: &'static str,
    expect_type: Option<u64>,
}

/// An interaction as Discord sends it, from `user` in `guild`.
fn interaction(kind: u8, data: Value, user: &str, guild: &str, n: u64) -> Value {
    json!({
        "id": format!("{}", 1_600_000_000_000_000_000u64 + n),
        "application_id": "1",
        "type": kind,
        "data": data,
        "guild_id": guild,
        "channel_id": "1300000000000000003",
        "member": {
            "user": { "id": user, "username": "load", "discriminator": "0", "global_name": null, "avatar": null },
            "roles": [], "joined_at": "2026-01-01T00:00:00.000000+00:00",
            "deaf": false, "mute": false, "flags": 0, "permissions": "1024"
        },
        "token": format!("load-token-{n}"),
        "version": 1,
        "locale": "en-US",
        "app_permissions": "0",
        "entitlements": [],
        "authorizing_integration_owners": {},
        "context": 0,
        "attachment_size_limit": 26214400
    })
}

fn slash(sub: &str, options: Value) -> Value {
    json!({ "id": "1700000000000000007", "name": "ai", "type": 1,
            "options": [{ "name": sub, "type": 1, "options": options }] })
}

fn discord_request(scenario: Scenario, client: usize, n: u64, key: &SigningKey, guild: &str) -> Prepared {
    let user = format!("{}", 900_000_000_000_000_000u64 + client as u64);
    let title = format!("Forecast demand for store {client}-{n}");
    let step = match scenario {
        Scenario::Mix => [Scenario::Submit, Scenario::Show, Scenario::Mine, Scenario::Modal][(n % 4) as usize],
        other => other,
    };
    let (value, expect) = match step {
        Scenario::Ping => (
            json!({ "id": format!("{}", 1_600_000_000_000_000_000u64 + n), "application_id": "1", "type": 1, "token": "t", "version": 1 }),
            1,
        ),
        Scenario::Submit => (
            interaction(
                5,
                json!({ "custom_id": "need", "components": [
                    { "type": 1, "components": [{ "type": 4, "custom_id": "title", "value": title }] },
                    { "type": 1, "components": [{ "type": 4, "custom_id": "team", "value": "Store operations" }] },
                    { "type": 1, "components": [{ "type": 4, "custom_id": "description", "value": "" }] }
                ]}),
                &user,
                guild,
                n,
            ),
            4,
        ),
        Scenario::Show => {
            (interaction(2, slash("show", json!([{ "name": "id", "type": 3, "value": "N-1" }])), &user, guild, n), 4)
        }
        Scenario::Mine => (interaction(2, slash("mine", json!([])), &user, guild, n), 4),
        Scenario::Modal | Scenario::Mix => {
            (interaction(2, slash("need", json!([{ "name": "title", "type": 3, "value": title }])), &user, guild, n), 9)
        }
    };
    let body = serde_json::to_vec(&value).expect("JSON");
    let ts = unix_now().to_string();
    let signature = discord_signature(key, &ts, &body);
    Prepared {
        path: "/discord/interactions",
        body,
        headers: vec![("X-Signature-Ed25519", signature), ("X-Signature-Timestamp", ts)],
        content_type: "application/json",
        expect_type: Some(expect),
    }
}

fn slack_request(secret: &str, client: usize, n: u64) -> Prepared {
    let fields = [
        ("team_id", "T0LOAD".to_string()),
        ("channel_id", "C0LOAD".to_string()),
        ("user_id", format!("U{client:06}")),
        ("command", "/ai".to_string()),
        ("text", format!("need Forecast demand for store {client}-{n}")),
        ("api_app_id", "A0LOAD".to_string()),
        ("response_url", "http://127.0.0.1:9/response".to_string()),
        ("trigger_id", format!("{n}.{client}.load")),
    ];
    let body = serde_urlencoded::to_string(fields).expect("form encoding").into_bytes();
    let ts = unix_now().to_string();
    let signature = slack_signature(secret, &ts, &body);
    Prepared {
        path: "/slack/commands",
        body,
        headers: vec![("X-Slack-Signature", signature), ("X-Slack-Request-Timestamp", ts)],
        content_type: "application/x-www-form-urlencoded",
        expect_type: None,
    }
}

#[derive(Default)]
struct ClientResult {
    latencies: Vec<Duration>,
    errors: u64,
    first_error: Option<String>,
}

/// Sends one request; Ok if the server answered as expected.
async fn send(http: &reqwest::Client, base: &str, p: Prepared) -> Result<(), String> {
    let mut req = http.post(format!("{base}{}", p.path)).header("content-type", p.content_type).body(p.body);
    for (k, v) in p.headers {
        req = req.header(k, v);
    }
    let res = req.send().await.map_err(|e| e.to_string())?;
    let status = res.status();
    let body = res.bytes().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&body)));
    }
    if let Some(expected) = p.expect_type {
        let v: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        if v["type"].as_u64() != Some(expected) {
            return Err(format!("expected response type {expected}, got {v}"));
        }
    }
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    // nearest rank; the small margin keeps 99.9 % of 1000 at 999, not 1000
    let rank = ((p / 100.0) * sorted.len() as f64 - 1e-9).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// VmHWM (peak resident memory) of a process, from /proc.
fn peak_rss(pid: u32) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
}

async fn wait_ready(http: &reqwest::Client, base: &str) -> Result<(), String> {
    let until = Instant::now() + Duration::from_secs(10);
    while Instant::now() < until {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("{base}/healthz did not answer within 10 s"))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("load: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let key = args.seed.as_deref().map(signing_key).transpose()?;
    if args.print_public_key {
        let key = key.ok_or("--print-public-key needs --seed")?;
        println!("{}", hex::encode(key.verifying_key().to_bytes()));
        return Ok(());
    }
    let secret = args.secret.clone();
    match args.platform {
        Platform::Discord if key.is_none() => return Err("Discord requests need --seed".into()),
        Platform::Slack if secret.is_none() => return Err("Slack requests need --secret".into()),
        _ => {}
    }
    let concurrency = args.concurrency.max(1);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let base = args.url.trim_end_matches('/').to_string();
    if args.wait {
        wait_ready(&http, &base).await?;
    }
    let key = Arc::new(key);
    let make = {
        let (key, secret, guild, platform, scenario) =
            (key.clone(), secret.clone(), args.guild.clone(), args.platform, args.scenario);
        Arc::new(move |client: usize, n: u64| match platform {
            Platform::Discord => discord_request(scenario, client, n, key.as_ref().as_ref().expect("a key"), &guild),
            Platform::Slack => slack_request(secret.as_deref().unwrap_or_default(), client, n),
        })
    };
    // warm-up: each client's first requests (its need exists, connections are open)
    for client in 0..concurrency {
        for n in 0..args.warmup {
            send(&http, &base, make(client, n * 4)).await?;
        }
    }
    let budget = args.requests.map(|r| Arc::new(AtomicU64::new(r)));
    let deadline = Instant::now() + Duration::from_secs_f64(args.duration);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..concurrency {
        let (http, base, make, budget) = (http.clone(), base.clone(), make.clone(), budget.clone());
        let warm = args.warmup * 4;
        tasks.push(tokio::spawn(async move {
            let mut result = ClientResult::default();
            let mut n = warm;
            loop {
                let more = match &budget {
                    Some(b) => b.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |x| x.checked_sub(1)).is_ok(),
                    None => Instant::now() < deadline,
                };
                if !more {
                    break;
                }
                let request = make(client, n);
                n += 1;
                let t = Instant::now();
                let outcome = send(&http, &base, request).await;
                let took = t.elapsed();
                match outcome {
                    Ok(()) => result.latencies.push(took),
                    Err(e) => {
                        result.errors += 1;
                        result.first_error.get_or_insert(e);
                    }
                }
            }
            result
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for t in tasks {
        let r = t.await.map_err(|e| e.to_string())?;
        latencies.extend(r.latencies);
        errors += r.errors;
        if first_error.is_none() {
            first_error = r.first_error;
        }
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let what = match args.platform {
        Platform::Discord => format!("discord/{:?}", args.scenario).to_lowercase(),
        Platform::Slack => "slack/need".to_string(),
    };
    println!(
        "{what}: {concurrency} client(s), {:.1} s: {} ok, {errors} errors, {:.0} requests/s",
        elapsed.as_secs_f64(),
        latencies.len(),
        (latencies.len() as u64 + errors) as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  latency p50 {} · p99 {} · p99.9 {} · max {}",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0)),
        ms(percentile(&latencies, 99.9)),
        ms(latencies.last().copied().unwrap_or_default())
    );
    if let Some(pid) = args.server_pid {
        match peak_rss(pid) {
            Some(rss) => println!("  server peak RSS (VmHWM) {rss}"),
            None => println!("  server peak RSS: /proc/{pid}/status is not readable"),
        }
    }
    if let Some(e) = first_error {
        println!("  first error: {e}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slack_signature_matches_slacks_documented_example() {
        let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        assert_eq!(
            slack_signature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body.as_bytes()),
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
        );
    }

    #[test]
    fn a_slack_request_is_a_signed_need_command() {
        let p = slack_request("secret", 3, 7);
        let body = String::from_utf8(p.body.clone()).unwrap();
        assert!(body.contains("command=%2Fai") && body.contains("text=need+Forecast"), "{body}");
        let ts = &p.headers[1].1;
        assert_eq!(p.headers[0].1, slack_signature("secret", ts, &p.body));
    }

    #[test]
    fn discord_requests_verify_with_the_printed_public_key() {
        let key = signing_key(&"11".repeat(32)).unwrap();
        let public = hex::encode(key.verifying_key().to_bytes());
        let check = kakehashi::transport::discord::verify::SignatureCheck::parse(&public).unwrap();
        for scenario in [Scenario::Submit, Scenario::Show, Scenario::Mine, Scenario::Modal] {
            let p = discord_request(scenario, 1, 2, &key, "1");
            let ts: i64 = p.headers[1].1.parse().unwrap();
            assert_eq!(check.check(Some(&p.headers[0].1), Some(&p.headers[1].1), &p.body, ts), Ok(()));
            let v: serde_json::Value = serde_json::from_slice(&p.body).unwrap();
            assert!(serde_json::from_value::<serenity::all::Interaction>(v).is_ok(), "{scenario:?} is an interaction");
        }
        assert!(signing_key("11").is_err());
    }

    #[test]
    fn percentiles_are_ranks_of_the_sorted_latencies() {
        let sorted: Vec<Duration> = (1..=1000).map(Duration::from_millis).collect();
        assert_eq!(percentile(&sorted, 50.0), Duration::from_millis(500));
        assert_eq!(percentile(&sorted, 99.0), Duration::from_millis(990));
        assert_eq!(percentile(&sorted, 99.9), Duration::from_millis(999));
        assert_eq!(percentile(&[], 99.0), Duration::ZERO);
    }
}
