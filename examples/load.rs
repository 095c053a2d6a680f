//! The load tool: it signs requests exactly as Slack and Discord do, drives a `kakehashi serve`
//! at a chosen concurrency, and reports latency (p50, p99, p99.9, max), throughput, errors, and
//! the server's memory (peak resident set) and CPU time per request.
//!
//! It can start the server itself (`--spawn`), with both transports configured, on the database
//! you name, and a local stand-in for the Slack Web API (the server's replies that go through the
//! API — modals, follow-ups — cost a real HTTP call each, answered at once). Or it drives a server
//! already running (`--url`, with `--server-pid` for its memory).
//!
//! ```sh
//! cargo build --release --bin kakehashi --example load
//! target/release/examples/load --spawn target/release/kakehashi --db sqlite:///tmp/load.db \
//!     --platform slack --scenario submit --concurrency 64 --duration 10
//! ```
//!
//! Load model. Each client holds its own connection and sends its next request as soon as the
//! answer to the last one arrives (closed loop): the server is kept saturated, and the latency
//! then includes the queue (Little's law: latency ≈ clients ÷ throughput). With `--rate R`,
//! requests start on a fixed schedule of R per second in all, spread over the clients (open
//! loop), and each latency counts from the moment its request was due, so a server that falls
//! behind is not flattered. `benches/load.sh` runs the matrix recorded in BENCHMARKS.md.
//!
//! Scenarios: `submit` creates a need (Slack: the need modal submitted; Discord: its modal
//! submitted), `show` (`/ai show N-1`), `mine` (`/ai mine`), `modal` (`/ai need …`, answered with
//! the need's modal), `ping` (Discord's PING; Slack: `/ai help`), `mix` (each client cycles through
//! submit, show, mine and modal).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::{Parser, ValueEnum};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Value, json};

#[derive(Parser, Debug)]
#[command(about = "Drive a kakehashi server with requests signed as Slack and Discord sign them")]
struct Args {
    /// Start this kakehashi binary (and stop it at the end) instead of using --url.
    #[arg(long, value_name = "BIN")]
    spawn: Option<String>,
    /// With --spawn: the database (sqlite://PATH or postgres://…); a fresh temporary SQLite file
    /// by default.
    #[arg(long, value_name = "URL")]
    db: Option<String>,
    /// With --spawn: the server's log filter.
    #[arg(long, default_value = "warn")]
    log: String,
    /// The server's base URL (without --spawn).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The server's process id, for its memory and CPU (without --spawn).
    #[arg(long)]
    server_pid: Option<u32>,
    #[arg(long, value_enum, default_value_t = Platform::Slack)]
    platform: Platform,
    #[arg(long, value_enum, default_value_t = Scenario::Submit)]
    scenario: Scenario,
    /// Discord: the Ed25519 seed to sign with, 64 hex characters (with --spawn, a fixed one).
    #[arg(long, value_name = "HEX")]
    seed: Option<String>,
    /// Print the public key for --seed (for DISCORD_PUBLIC_KEY) and exit.
    #[arg(long)]
    print_public_key: bool,
    /// Slack: the signing secret (with --spawn, a fixed one).
    #[arg(long)]
    secret: Option<String>,
    /// Clients sending at the same time, each on its own connection.
    #[arg(long, default_value_t = 1)]
    concurrency: usize,
    /// Requests per second in all (open loop); without it, each client sends as soon as it has
    /// its answer (closed loop).
    #[arg(long)]
    rate: Option<f64>,
    /// How long to measure, in seconds (unless --requests is given).
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Stop after this many requests in all, instead of after --duration.
    #[arg(long)]
    requests: Option<u64>,
    /// Requests per client before measuring starts (warm connections, caches, database).
    #[arg(long, default_value_t = 8)]
    warmup: u64,
    /// Discord: the server the requests come from.
    #[arg(long, default_value = "1000000000000000001")]
    guild: String,
    /// Slack: the workspace the requests come from.
    #[arg(long, default_value = "T0LOAD")]
    team: String,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Platform {
    Discord,
    Slack,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    Ping,
    Submit,
    Show,
    Mine,
    Modal,
    Mix,
}

impl Scenario {
    /// The scenario of a client's `n`th request.
    fn step(self, n: u64) -> Scenario {
        match self {
            Scenario::Mix => [Scenario::Submit, Scenario::Show, Scenario::Mine, Scenario::Modal][(n % 4) as usize],
            other => other,
        }
    }
}

const SECRET: &str = "load-tool-signing-secret";
const SEED: &str = "1111111111111111111111111111111111111111111111111111111111111111";

/// The Ed25519 signature Discord sends in X-Signature-Ed25519: over timestamp + body, hex.
fn discord_signature(key: &SigningKey, timestamp: &str, body: &[u8]) -> String {
    let mut message = Vec::with_capacity(timestamp.len() + body.len());
    message.extend_from_slice(timestamp.as_bytes());
    message.extend_from_slice(body);
    hex::encode(key.sign(&message).to_bytes())
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

/// One request: where it goes, its body and headers, and what a good answer looks like.
struct Prepared {
    path: &'static str,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
    content_type: &'static str,
    /// Discord: the interaction response type expected.
    expect_type: Option<u64>,
}

/// What every request needs to be built.
struct Requests {
    platform: Platform,
    scenario: Scenario,
    key: SigningKey,
    secret: String,
    guild: String,
    team: String,
    /// The Slack stand-in, for response URLs.
    hooks: String,
}

impl Requests {
    fn request(&self, client: usize, n: u64) -> Prepared {
        let step = self.scenario.step(n);
        match self.platform {
            Platform::Discord => self.discord(step, client, n),
            Platform::Slack => self.slack(step, client, n),
        }
    }

    fn discord(&self, step: Scenario, client: usize, n: u64) -> Prepared {
        let user = format!("{}", 900_000_000_000_000_000u64 + client as u64);
        let title = format!("Forecast demand for store {client}-{n}");
        let slash = |sub: &str, options: Value| {
            json!({ "id": "1700000000000000007", "name": "ai", "type": 1,
                    "options": [{ "name": sub, "type": 1, "options": options }] })
        };
        let (kind, data, expect) = match step {
            Scenario::Ping => (1, Value::Null, 1),
            Scenario::Submit => (
                5,
                json!({ "custom_id": "need", "components": [
                    { "type": 1, "components": [{ "type": 4, "custom_id": "title", "value": title }] },
                    { "type": 1, "components": [{ "type": 4, "custom_id": "team", "value": "Store operations" }] },
                    { "type": 1, "components": [{ "type": 4, "custom_id": "description", "value": "" }] }
                ]}),
                4,
            ),
            Scenario::Show => (2, slash("show", json!([{ "name": "id", "type": 3, "value": "N-1" }])), 4),
            Scenario::Mine => (2, slash("mine", json!([])), 4),
            Scenario::Modal | Scenario::Mix => {
                (2, slash("need", json!([{ "name": "title", "type": 3, "value": title }])), 9)
            }
        };
        let mut value = json!({
            "id": format!("{}", 1_600_000_000_000_000_000u64 + (client as u64) * 1_000_000_000 + n),
            "application_id": "1",
            "type": kind,
            "token": format!("load-token-{client}-{n}"),
            "version": 1,
        });
        if kind != 1 {
            value["data"] = data;
            value["guild_id"] = json!(self.guild);
            value["channel_id"] = json!("1300000000000000003");
            value["locale"] = json!("en-US");
            value["member"] = json!({
                "user": { "id": user, "username": "load", "discriminator": "0", "global_name": null, "avatar": null },
                "roles": [], "joined_at": "2026-01-01T00:00:00.000000+00:00",
                "deaf": false, "mute": false, "flags": 0, "permissions": "1024"
            });
            value["app_permissions"] = json!("0");
            value["entitlements"] = json!([]);
            value["authorizing_integration_owners"] = json!({});
            value["context"] = json!(0);
            value["attachment_size_limit"] = json!(26214400);
        }
        let body = serde_json::to_vec(&value).expect("JSON");
        let ts = unix_now().to_string();
        let signature = discord_signature(&self.key, &ts, &body);
        Prepared {
            path: "/discord/interactions",
            body,
            headers: vec![("X-Signature-Ed25519", signature), ("X-Signature-Timestamp", ts)],
            content_type: "application/json",
            expect_type: Some(expect),
        }
    }

    fn slack(&self, step: Scenario, client: usize, n: u64) -> Prepared {
        let user = format!("U{client:06}");
        let title = format!("Forecast demand for store {client}-{n}");
        let (path, body) = match step {
            Scenario::Submit => {
                let payload = json!({
                    "type": "view_submission",
                    "team": { "id": self.team, "domain": "load" },
                    "user": { "id": user, "team_id": self.team, "name": "load" },
                    "api_app_id": "A0LOAD",
                    "trigger_id": format!("{n}.{client}.load"),
                    "view": {
                        "id": format!("V{client}x{n}"), "type": "modal", "callback_id": "need",
                        "private_metadata": "{\"c\":\"C0LOAD\"}", "hash": "1.load",
                        "state": { "values": {
                            "title": { "value": { "type": "plain_text_input", "value": title } },
                            "team": { "value": { "type": "plain_text_input", "value": "Store operations" } },
                            "description": { "value": { "type": "plain_text_input", "value": "" } }
                        } }
                    }
                });
                ("/slack/interactions", serde_urlencoded::to_string([("payload", payload.to_string())]))
            }
            other => {
                let text = match other {
                    Scenario::Show => "show N-1".to_string(),
                    Scenario::Mine => "mine".to_string(),
                    Scenario::Ping => "help".to_string(),
                    _ => format!("need {title}"),
                };
                let fields = [
                    ("team_id", self.team.clone()),
                    ("channel_id", "C0LOAD".to_string()),
                    ("user_id", user),
                    ("command", "/ai".to_string()),
                    ("text", text),
                    ("api_app_id", "A0LOAD".to_string()),
                    ("response_url", format!("{}/{client}-{n}", self.hooks)),
                    ("trigger_id", format!("{n}.{client}.load")),
                ];
                ("/slack/commands", serde_urlencoded::to_string(fields))
            }
        };
        let body = body.expect("form encoding").into_bytes();
        let ts = unix_now().to_string();
        let signature = kakehashi::transport::slack::verify::sign(&self.secret, &ts, &body);
        Prepared {
            path,
            body,
            headers: vec![("X-Slack-Signature", signature), ("X-Slack-Request-Timestamp", ts)],
            content_type: "application/x-www-form-urlencoded",
            expect_type: None,
        }
    }
}

/// A stand-in for the Slack Web API and response URLs: every call succeeds at once.
async fn slack_stand_in() -> Result<String, String> {
    use axum::extract::Path;
    use axum::routing::post;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let router = axum::Router::new()
        .route(
            "/api/{method}",
            post(|Path(method): Path<String>| async move {
                axum::Json(match method.as_str() {
                    "users.info" => json!({"ok": true, "user": {"locale": "en-US"}}),
                    "views.open" | "views.push" | "views.update" => json!({"ok": true, "view": {"id": "V1"}}),
                    "conversations.open" => json!({"ok": true, "channel": {"id": "D1"}}),
                    "chat.postMessage" | "chat.update" => json!({"ok": true, "channel": "C0LOAD", "ts": "1.000100"}),
                    _ => json!({"ok": true}),
                })
            }),
        )
        .route("/hooks/{id}", post(|| async { "ok" }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(format!("http://{addr}"))
}

/// The server this run drives; stopped when dropped, if this tool started it.
struct Server {
    child: Option<Child>,
    pid: Option<u32>,
    url: String,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn spawn(bin: &str, db: Option<&str>, log: &str, stand_in: &str, key: &SigningKey) -> Result<Server, String> {
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let (db, dir) = match db {
        Some(url) => (url.to_string(), None),
        None => {
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            (format!("sqlite://{}", dir.path().join("load.db").display()), Some(dir))
        }
    };
    let child = Command::new(bin)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--db", &db])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("KAKEHASHI_LOG", log)
        .env("SLACK_SIGNING_SECRET", SECRET)
        .env("SLACK_BOT_TOKEN", "xoxb-load-tool")
        .env("SLACK_API_URL", format!("{stand_in}/api"))
        .env("DISCORD_MODE", "endpoint")
        .env("DISCORD_APPLICATION_ID", "1")
        .env("DISCORD_PUBLIC_KEY", hex::encode(key.verifying_key().to_bytes()))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {bin}: {e}"))?;
    let pid = child.id();
    Ok(Server { child: Some(child), pid: Some(pid), url: format!("http://127.0.0.1:{port}"), _dir: dir })
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

/// A field of /proc/<pid>/status, in KiB (VmHWM: the peak resident set; VmRSS: now).
fn memory_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| l.strip_prefix(field)).and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// CPU time the process has used (user + system), from /proc/<pid>/stat.
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // the fields after the command name, which is in parentheses
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = [11, 12].iter().filter_map(|&i| fields.get(i)?.parse::<u64>().ok()).sum();
    // USER_HZ is 100 on Linux
    Some(Duration::from_millis(ticks * 10))
}

async fn wait_ready(http: &reqwest::Client, base: &str) -> Result<(), String> {
    let until = Instant::now() + Duration::from_secs(30);
    while Instant::now() < until {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("{base}/healthz did not answer within 30 s"))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::from(1),
        Err(e) => {
            eprintln!("load: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

/// Runs the load; Ok(false) when some requests failed.
async fn run(args: Args) -> Result<bool, String> {
    let key = signing_key(args.seed.as_deref().unwrap_or(SEED))?;
    if args.print_public_key {
        println!("{}", hex::encode(key.verifying_key().to_bytes()));
        return Ok(true);
    }
    let stand_in = slack_stand_in().await?;
    let server = match &args.spawn {
        Some(bin) => spawn(bin, args.db.as_deref(), &args.log, &stand_in, &key)?,
        None => {
            Server { child: None, pid: args.server_pid, url: args.url.trim_end_matches('/').to_string(), _dir: None }
        }
    };
    let concurrency = args.concurrency.max(1);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    wait_ready(&http, &server.url).await?;
    let idle = server.pid.and_then(|p| memory_kib(p, "VmRSS:"));
    let signer = Arc::new(Requests {
        platform: args.platform,
        scenario: args.scenario,
        key,
        secret: args.secret.clone().unwrap_or_else(|| SECRET.to_string()),
        guild: args.guild.clone(),
        team: args.team.clone(),
        hooks: format!("{stand_in}/hooks"),
    });

    // warm-up: every client's first requests (its need N-1 exists, its connection is open)
    let warm: Vec<_> = (0..concurrency)
        .map(|client| {
            let (http, base, signer) = (http.clone(), server.url.clone(), signer.clone());
            let warmup = args.warmup;
            tokio::spawn(async move {
                for n in 0..warmup {
                    send(&http, &base, signer.request(client, n * 4)).await?;
                }
                Ok::<(), String>(())
            })
        })
        .collect();
    for w in warm {
        w.await.map_err(|e| e.to_string())??;
    }

    let budget = args.requests.map(|r| Arc::new(AtomicU64::new(r)));
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(args.duration);
    let cpu_before = server.pid.and_then(cpu_time);
    // open loop: client c sends its k-th request at (k * clients + c) / rate
    let interval = args.rate.map(|r| Duration::from_secs_f64(concurrency as f64 / r.max(0.001)));
    let mut tasks = Vec::new();
    for client in 0..concurrency {
        let (http, base, signer, budget) = (http.clone(), server.url.clone(), signer.clone(), budget.clone());
        let offset = interval.map(|i| i.mul_f64(client as f64 / concurrency as f64));
        let first = args.warmup * 4;
        tasks.push(tokio::spawn(async move {
            let mut result = ClientResult::default();
            for k in 0u64.. {
                let due = match (interval, offset) {
                    (Some(i), Some(o)) => started + o + i.mul_f64(k as f64),
                    _ => Instant::now(),
                };
                let more = match &budget {
                    Some(b) => b.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |x| x.checked_sub(1)).is_ok(),
                    None => due < deadline,
                };
                if !more {
                    break;
                }
                tokio::time::sleep_until(due.into()).await;
                let request = signer.request(client, first + k);
                let outcome = send(&http, &base, request).await;
                match outcome {
                    Ok(()) => result.latencies.push(due.elapsed()),
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
    let total = latencies.len() as u64 + errors;
    let what = format!("{:?}/{:?}", args.platform, args.scenario).to_lowercase();
    let model = match args.rate {
        Some(r) => format!("open loop at {r:.0}/s"),
        None => "closed loop".to_string(),
    };
    println!(
        "{what}: {concurrency} clients, {model}, {:.1} s: {} ok, {errors} errors, {:.0} requests/s",
        elapsed.as_secs_f64(),
        latencies.len(),
        total as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  latency p50 {} · p99 {} · p99.9 {} · max {}",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0)),
        ms(percentile(&latencies, 99.9)),
        ms(latencies.last().copied().unwrap_or_default())
    );
    if let Some(pid) = server.pid {
        let cpu = cpu_time(pid).zip(cpu_before).map(|(after, before)| after.saturating_sub(before));
        let mib = |k: u64| format!("{:.1} MiB", k as f64 / 1024.0);
        println!(
            "  server: peak RSS {} (idle before the run {}), CPU {} per request",
            memory_kib(pid, "VmHWM:").map_or("?".into(), mib),
            idle.map_or("?".into(), mib),
            cpu.map_or("?".into(), |c| format!("{:.0} µs", c.as_secs_f64() * 1e6 / total.max(1) as f64)),
        );
    }
    if let Some(e) = first_error {
        println!("  first error: {e}");
    }
    Ok(errors == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(platform: Platform, scenario: Scenario) -> Requests {
        Requests {
            platform,
            scenario,
            key: signing_key(SEED).unwrap(),
            secret: "secret".into(),
            guild: "1".into(),
            team: "T1".into(),
            hooks: "http://127.0.0.1:9/hooks".into(),
        }
    }

    #[test]
    fn slack_requests_verify_with_the_signing_secret() {
        let secret = [kakehashi::config::Secret::new("secret")];
        for scenario in [Scenario::Submit, Scenario::Show, Scenario::Mine, Scenario::Modal, Scenario::Ping] {
            let p = signer(Platform::Slack, scenario).request(3, 7);
            let ts: i64 = p.headers[1].1.parse().unwrap();
            let verified = kakehashi::transport::slack::verify::verify(
                &secret,
                Some(&p.headers[1].1),
                Some(&p.headers[0].1),
                &p.body,
                ts,
            );
            assert!(verified.is_ok(), "{scenario:?}: {verified:?}");
        }
        let submit = String::from_utf8(signer(Platform::Slack, Scenario::Submit).request(3, 7).body).unwrap();
        assert!(submit.starts_with("payload=") && submit.contains("view_submission"), "{submit}");
    }

    #[test]
    fn discord_requests_verify_with_the_printed_public_key() {
        let key = signing_key(SEED).unwrap();
        let public = hex::encode(key.verifying_key().to_bytes());
        let check = kakehashi::transport::discord::verify::SignatureCheck::parse(&public).unwrap();
        for scenario in [Scenario::Submit, Scenario::Show, Scenario::Mine, Scenario::Modal, Scenario::Ping] {
            let p = signer(Platform::Discord, scenario).request(1, 2);
            let ts: i64 = p.headers[1].1.parse().unwrap();
            assert_eq!(check.check(Some(&p.headers[0].1), Some(&p.headers[1].1), &p.body, ts), Ok(()));
            let v: serde_json::Value = serde_json::from_slice(&p.body).unwrap();
            assert!(serde_json::from_value::<serenity::all::Interaction>(v).is_ok(), "{scenario:?} is an interaction");
        }
        assert!(signing_key("11").is_err());
    }

    #[test]
    fn a_mix_cycles_through_the_scenarios() {
        let steps: Vec<Scenario> = (0..5).map(|n| Scenario::Mix.step(n)).collect();
        use Scenario::*;
        assert_eq!(steps, vec![Submit, Show, Mine, Modal, Submit]);
        assert_eq!(Show.step(3), Show);
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
