//! How fast `kakehashi serve` acknowledges Slack, and how much memory it holds (issue 3):
//!
//! ```sh
//! cargo bench --bench slack_ack
//! ```
//!
//! Starts the release binary with a fresh SQLite file and a local fake of the Slack Web API,
//! measures its resident memory once it is ready and idle, then sends `/ai mine` slash commands
//! signed exactly as Slack signs them over loopback — one client at a time, then 64 at once — and
//! prints the p50 and p99 time from sending a command to receiving its acknowledgement (which
//! carries the reply, read from the database), the requests per second, and the server's CPU time
//! per request (which does not depend on what else the machine is doing; the latencies do: the
//! client runs on the same cores).
//!
//! `BENCH_TEXT=help` sends another command; `BENCH_LOG=warn` sets the server's log filter (the
//! default is `serve`'s own, `info`).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Path;
use axum::routing::post;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

const SECRET: &str = "bench-signing-secret";
const SERIAL: usize = 2_000;
const CONCURRENT: usize = 20_000;
const CLIENTS: usize = 64;
const USERS: usize = 50;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(run());
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// CPU time the process has used (user + system), from /proc.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // the fields after the command name, which is in parentheses
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks: u64 = [11, 12].iter().filter_map(|&i| fields.get(i).and_then(|v| v.parse::<u64>().ok())).sum();
    // USER_HZ is 100 on Linux
    Duration::from_millis(ticks * 10)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn fake_slack() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = Router::new().route(
        "/api/{method}",
        post(|Path(method): Path<String>| async move {
            axum::Json(match method.as_str() {
                "users.info" => json!({"ok": true, "user": {"locale": "en-US"}}),
                _ => json!({"ok": true}),
            })
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}/api")
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// One signed `/ai mine`; returns how long the acknowledgement took.
async fn command(client: &reqwest::Client, url: &str, n: usize) -> Duration {
    let user = format!("U{:04}", n % USERS);
    let trigger = format!("{n}.{}.bench", now());
    let body = serde_urlencoded::to_string([
        ("team_id", "TBENCH"),
        ("team_domain", "bench"),
        ("channel_id", "C1"),
        ("channel_name", "general"),
        ("user_id", user.as_str()),
        ("user_name", "bench"),
        ("command", "/ai"),
        ("text", std::env::var("BENCH_TEXT").as_deref().unwrap_or("mine")),
        ("response_url", "http://127.0.0.1:9/hooks/unused"),
        ("trigger_id", trigger.as_str()),
    ])
    .unwrap();
    let ts = now().to_string();
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("v0:{ts}:{body}").as_bytes());
    let signature = format!("v0={}", hex::encode(mac.finalize().into_bytes()));
    let started = Instant::now();
    let response = client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", ts)
        .header("x-slack-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let bytes = response.bytes().await.unwrap();
    let took = started.elapsed();
    assert!(bytes.starts_with(b"{"), "the reply is in the acknowledgement");
    took
}

fn report(name: &str, mut times: Vec<Duration>, wall: Duration, server_cpu: Duration) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<11} {:>6} requests  p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  {:>6.0} req/s  server CPU {:>4.0} µs/request",
        times.len(),
        ms(at(0.50)),
        ms(at(0.99)),
        ms(*times.last().unwrap()),
        times.len() as f64 / wall.as_secs_f64(),
        server_cpu.as_secs_f64() * 1e6 / times.len() as f64,
    );
}

async fn run() {
    let api = fake_slack().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_kakehashi"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SLACK_SIGNING_SECRET", SECRET)
        .env("SLACK_BOT_TOKEN", "xoxb-bench")
        .env("SLACK_API_URL", &api)
        .env("KAKEHASHI_DB", format!("sqlite://{}", dir.path().join("bench.db").display()))
        .env("KAKEHASHI_BIND", format!("127.0.0.1:{port}"))
        .env("KAKEHASHI_LOG", std::env::var("BENCH_LOG").unwrap_or_else(|_| "info".into()))
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the release binary starts");
    let server = Server(child);
    let pid = server.0.id();
    let client = reqwest::Client::builder().pool_max_idle_per_host(CLIENTS).build().unwrap();
    let health = format!("http://127.0.0.1:{port}/healthz");
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(&health).send().await.is_err() {
        assert!(Instant::now() < deadline, "kakehashi serve did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = rss_kib(pid);
    println!("kakehashi serve, SQLite, loopback; idle RSS {:.1} MiB", idle as f64 / 1024.0);

    let url = format!("http://127.0.0.1:{port}/slack/commands");
    // warm up: each user's language is looked up once, connections are opened
    for n in 0..200 {
        command(&client, &url, n).await;
    }

    let started = Instant::now();
    let cpu = cpu_time(pid);
    let mut serial = Vec::with_capacity(SERIAL);
    for n in 0..SERIAL {
        serial.push(command(&client, &url, 1_000 + n).await);
    }
    report("1 client", serial, started.elapsed(), cpu_time(pid) - cpu);

    let client = Arc::new(client);
    let url = Arc::new(url);
    let started = Instant::now();
    let cpu = cpu_time(pid);
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let client = client.clone();
            let url = url.clone();
            tokio::spawn(async move {
                let mut times = Vec::with_capacity(CONCURRENT / CLIENTS);
                for i in 0..CONCURRENT / CLIENTS {
                    times.push(command(&client, &url, 100_000 + c * 10_000 + i).await);
                }
                times
            })
        })
        .collect();
    let mut all = Vec::with_capacity(CONCURRENT);
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    report("64 clients", all, started.elapsed(), cpu_time(pid) - cpu);
    println!("RSS after the load {:.1} MiB", rss_kib(pid) as f64 / 1024.0);
}
