//! What the operator relies on (issue 7): `/healthz` says whether the database answers and the
//! held connections are up, `/metrics` counts what the server did in the Prometheus format, and
//! a graceful shutdown lets replies in flight reach people. The real server, the fake Slack API
//! and the fake Socket Mode server.

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kakehashi::chat::Bot;
use kakehashi::cli::server::Application;
use kakehashi::config::Config;
use kakehashi::prompts::Prompts;
use kakehashi::storage::Store;
use kakehashi::transport::slack::verify;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::oneshot;

use crate::console::BIN;
use crate::fake_slack::{FakeSlack, FakeSocket};
use crate::helpers::{Gated, sqlite};

const SECRET: &str = "ops-test-signing-secret";

fn config(fake: &FakeSlack, socket: Option<&str>) -> Config {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("empty.toml");
    std::fs::write(&file, "").unwrap();
    let (api, socket) = (fake.api_url(), socket.map(str::to_string));
    if let Some(url) = &socket {
        fake.set_socket_url(url);
    }
    let env = move |k: &str| -> Option<String> {
        match k {
            "SLACK_SIGNING_SECRET" => Some(SECRET.into()),
            "SLACK_BOT_TOKEN" => Some("xoxb-ops-test".into()),
            "SLACK_APP_TOKEN" if socket.is_some() => Some("xapp-ops-test".into()),
            "SLACK_API_URL" => Some(api.clone()),
            _ => None,
        }
    };
    Config::load(Some(&file), &env).unwrap()
}

fn bot(store: Arc<dyn Store>) -> Arc<Bot> {
    Arc::new(Bot::new(
        store,
        Arc::new(Prompts::embedded()),
        Arc::new(kakehashi::clock::SystemClock),
        Default::default(),
    ))
}

struct Running {
    base: String,
    http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start(config: &Config, bot: Arc<Bot>) -> Running {
    let app = Application::build(config, bot, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let base = format!("http://{}", app.addr());
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(app.run_until_stopped(async {
        let _ = stopped.await;
    }));
    Running { base, http: reqwest::Client::new(), stop: Some(stop), done }
}

impl Running {
    async fn health(&self) -> (u16, Value) {
        let r = self.http.get(format!("{}/healthz", self.base)).send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    /// Polls `/healthz` until it answers `status` (a connection changes state in the background).
    async fn health_becomes(&self, status: u16) -> Value {
        for _ in 0..200 {
            let (got, body) = self.health().await;
            if got == status {
                return body;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("/healthz never answered {status}: {:?}\n{}", self.health().await, self.metrics().await);
    }

    async fn metrics(&self) -> String {
        let r = self.http.get(format!("{}/metrics", self.base)).send().await.unwrap();
        assert_eq!(r.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
        r.text().await.unwrap()
    }

    /// A slash command signed with `secret`; the HTTP status and body.
    async fn command(&self, secret: &str, text: &str) -> (u16, String) {
        self.command_answered_at(secret, text, "http://127.0.0.1:9/hook").await
    }

    /// The same, with the `response_url` replies go to.
    async fn command_answered_at(&self, secret: &str, text: &str, response_url: &str) -> (u16, String) {
        let ts = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs().to_string();
        let body = serde_urlencoded::to_string([
            ("team_id", "T0OPS"),
            ("team_domain", "ops"),
            ("channel_id", "C1"),
            ("user_id", "U1"),
            ("user_name", "aiko"),
            ("command", "/ai"),
            ("text", text),
            ("response_url", response_url),
            ("trigger_id", "1.2.3"),
        ])
        .unwrap();
        let r = self
            .http
            .post(format!("{}/slack/commands", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", &ts)
            .header("x-slack-signature", verify::sign(secret, &ts, body.as_bytes()))
            .body(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
}

/// The value of the one sample line that starts with `series`.
fn sample(metrics: &str, series: &str) -> f64 {
    let line = metrics
        .lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .unwrap_or_else(|| panic!("no sample {series} in:\n{metrics}"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn healthz_follows_the_socket_mode_connection_and_metrics_count_what_happened() {
    let db = sqlite().await;
    let fake = FakeSlack::start().await;
    let mut socket = FakeSocket::start().await;
    let server = start(&config(&fake, Some(&socket.url)), bot(db.store.clone())).await;

    let (status, body) = server.health().await;
    assert_eq!(status, 503, "not healthy before Slack says hello: {body}");
    assert_eq!(body["status"], "unhealthy");
    assert_eq!(body["database"]["ok"], true);
    assert_eq!(body["database"]["backend"], "sqlite");
    assert_eq!(body["transports"]["slack_socket_mode"], "disconnected");

    let mut connection = socket.connection().await;
    connection.hello().await;
    let body = server.health_becomes(200).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["transports"]["slack_socket_mode"], "connected");

    let (status, text) = server.command(SECRET, "help").await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(server.command("not-the-secret", "help").await.0, 401);
    let unmatched = server.http.get(format!("{}/nothing/here", server.base)).send().await.unwrap();
    assert_eq!(unmatched.status().as_u16(), 404);

    let m = server.metrics().await;
    assert_eq!(sample(&m, r#"kakehashi_requests_total{route="/slack/commands",outcome="ok"}"#), 1.0);
    assert_eq!(sample(&m, r#"kakehashi_requests_total{route="/slack/commands",outcome="unauthorized"}"#), 1.0);
    assert_eq!(sample(&m, r#"kakehashi_requests_total{route="unmatched",outcome="rejected"}"#), 1.0);
    assert_eq!(sample(&m, r#"kakehashi_request_duration_seconds_count{route="/slack/commands"}"#), 2.0);
    assert_eq!(sample(&m, r#"kakehashi_request_duration_seconds_bucket{route="/slack/commands",le="+Inf"}"#), 2.0);
    assert!(sample(&m, r#"kakehashi_requests_total{route="/healthz",outcome="ok"}"#) >= 1.0);
    assert!(sample(&m, r#"kakehashi_requests_total{route="/healthz",outcome="error"}"#) >= 1.0, "the 503s count");
    assert_eq!(sample(&m, r#"kakehashi_transport_connected{transport="slack_socket_mode"}"#), 1.0);
    // apps.connections.open, and users.info for the person's language
    assert!(sample(&m, r#"kakehashi_outbound_calls_total{platform="slack",status="200"}"#) >= 2.0, "{m}");
    for name in ["kakehashi_job_runs_total", "kakehashi_deliveries_total"] {
        assert!(m.contains(&format!("# TYPE {name} counter")), "{m}");
    }

    // the connection drops: unhealthy until the bot is connected again
    drop(connection);
    let body = server.health_becomes(503).await;
    assert_eq!(body["transports"]["slack_socket_mode"], "disconnected");
    let mut again = socket.connection().await;
    again.hello().await;
    server.health_becomes(200).await;
}

#[tokio::test]
async fn readiness_says_when_the_database_does_not_answer_and_liveness_does_not_care() {
    let db = sqlite().await;
    let gated = Arc::new(Gated::new(db.store.clone()));
    let fake = FakeSlack::start().await;
    let server = start(&config(&fake, None), bot(gated.clone())).await;
    let (status, body) = server.health().await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["transports"], serde_json::json!({}), "no held connections on HTTP alone");

    gated.close();
    let (status, body) = server.health().await;
    assert_eq!(status, 503);
    assert_eq!(body["database"]["ok"], false);
    assert_eq!(body["database"]["error"], "no answer within 2 seconds");
    // readiness follows the database; liveness does not, so nobody restarts a healthy process
    let ready = server.http.get(format!("{}/readyz", server.base)).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let live = server.http.get(format!("{}/livez", server.base)).send().await.unwrap();
    assert_eq!(live.status(), 200);
    let healthcheck = |ready: bool| {
        let bind = server.base.trim_start_matches("http://").to_string();
        async move {
            let mut cmd = tokio::process::Command::new(BIN);
            cmd.arg("healthcheck").env_clear().env("KAKEHASHI_BIND", bind).stdout(Stdio::null()).stderr(Stdio::null());
            if ready {
                cmd.arg("--ready");
            }
            cmd.status().await.unwrap().code()
        }
    };
    assert_eq!(healthcheck(false).await, Some(0), "kakehashi healthcheck asks /livez");
    assert_eq!(healthcheck(true).await, Some(1), "kakehashi healthcheck --ready asks /readyz");
    gated.open();
    assert_eq!(server.health().await.0, 200);
    assert_eq!(healthcheck(true).await, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_shutdown_lets_replies_in_flight_reach_people() {
    let db = sqlite().await;
    let gated = Arc::new(Gated::new(db.store.clone()));
    let fake = FakeSlack::start().await;
    let mut server = start(&config(&fake, None), bot(gated.clone())).await;
    let response_url = fake.response_url();

    // the database hangs: the command is acknowledged at Slack's deadline, the reply waits
    gated.close();
    let (status, _) = server.command_answered_at(SECRET, "mine", &response_url).await;
    assert_eq!(status, 200, "acknowledged before the reply is ready");

    // SIGTERM arrives now: the server stops listening but waits for the reply
    server.stop.take().unwrap().send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!server.done.is_finished(), "the shutdown waits for the reply in flight");
    assert!(server.http.get(format!("{}/healthz", server.base)).send().await.is_err(), "no new requests");
    gated.open();
    tokio::time::timeout(Duration::from_secs(10), &mut server.done).await.unwrap().unwrap().unwrap();
    let hooks = fake.wait_hook(&response_url, 1).await;
    assert!(hooks[0].body.to_string().contains("You have no needs"), "{:?}", hooks[0].body);
}

#[tokio::test]
async fn serve_stops_cleanly_on_sigterm() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("k.db").display());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = tokio::process::Command::new(BIN)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--db", &db])
        .env_clear()
        .env("KAKEHASHI_LOG", "info")
        .env("KAKEHASHI_LOG_FORMAT", "json")
        .env("SLACK_SIGNING_SECRET", SECRET)
        .env("SLACK_BOT_TOKEN", "xoxb-ops-test")
        .env("SLACK_API_URL", fake.api_url())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut log = Vec::new();
    while let Ok(Some(line)) = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await.unwrap() {
        let listening = line.contains("listening");
        log.push(line);
        if listening {
            break;
        }
    }
    let url = format!("http://127.0.0.1:{port}/healthz");
    let probe = || std::process::Command::new(BIN).args(["healthcheck", "--url", &url]).env_clear().output().unwrap();
    let healthy = probe();
    assert!(healthy.status.success(), "{healthy:?}");
    assert!(String::from_utf8_lossy(&healthy.stdout).contains(r#""status":"ok""#), "{healthy:?}");

    let pid = child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait()).await.expect("it stops").unwrap();
    while let Ok(Some(line)) = lines.next_line().await {
        log.push(line);
    }
    assert!(status.success(), "exit status {status:?}; log:\n{}", log.join("\n"));
    let gone = probe();
    assert_eq!(gone.status.code(), Some(1), "a stopped server is not healthy");
    assert!(String::from_utf8_lossy(&gone.stderr).contains("kakehashi healthcheck: http://127.0.0.1:"), "{gone:?}");
    // every line is JSON, as asked; the last says the server stopped
    for line in &log {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(v["level"].is_string() && v["fields"]["message"].is_string(), "{line}");
    }
    assert!(log.iter().any(|l| l.contains("shutting down")), "{log:?}");
    assert!(log.last().unwrap().contains("stopped"), "{log:?}");
}

/// The container files name only variables and commands that exist, run as a user that is not
/// root, and configure a valid server (no container engine is needed to check that much).
#[test]
fn the_container_files_agree_with_the_code() {
    let dockerfile = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Dockerfile")).unwrap();
    assert!(dockerfile.lines().filter(|l| l.starts_with("FROM ")).count() >= 2, "a multi-stage build");
    let user = dockerfile.lines().find_map(|l| l.strip_prefix("USER ")).expect("a USER line");
    assert!(!user.starts_with('0') && !user.starts_with("root"), "runs as {user}");
    assert!(dockerfile.contains("VOLUME [\"/data\"]"));

    // the image's environment is a valid configuration that puts the database in the volume
    let joined = dockerfile.replace("\\\n", " ");
    let env: std::collections::BTreeMap<String, String> = joined
        .lines()
        .filter_map(|l| l.strip_prefix("ENV "))
        .flat_map(str::split_whitespace)
        .filter_map(|pair| pair.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect();
    assert_eq!(env["KAKEHASHI_DB"], "sqlite:///data/kakehashi.db", "{env:?}");
    assert!(kakehashi::config::unknown_variables(env.keys().cloned()).is_empty(), "{env:?}");
    let config = Config::load(None, &|k: &str| env.get(k).cloned()).expect("the image's settings are valid");
    assert_eq!(config.server.bind.to_string(), "0.0.0.0:8080");
    assert!(config.log.json);

    // the health check and the command are real subcommands
    let exec = |prefix: &str| -> Vec<String> {
        let line = dockerfile.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no {prefix} line"));
        line.split('"').skip(1).step_by(2).map(str::to_string).collect()
    };
    let health = exec("HEALTHCHECK");
    assert_eq!(health, ["kakehashi", "healthcheck"]);
    assert_eq!(exec("ENTRYPOINT"), ["kakehashi"]);
    for sub in [health[1].clone(), exec("CMD")[0].clone()] {
        let help = std::process::Command::new(BIN).args([&sub, "--help"]).output().unwrap();
        assert!(help.status.success(), "`kakehashi {sub}` exists: {help:?}");
    }

    // every kakehashi, Slack or Discord variable the compose file sets is one the bot reads
    let compose = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/compose.yaml")).unwrap();
    let known: Vec<&str> = kakehashi::config::KEYS.iter().map(|k| k.var).collect();
    let set: Vec<&str> = compose
        .lines()
        .filter_map(|l| l.trim().split_once(": ").map(|(k, _)| k))
        .filter(|k| ["KAKEHASHI_", "SLACK_", "DISCORD_"].iter().any(|p| k.starts_with(p)))
        .collect();
    assert!(set.len() >= 8, "{set:?}");
    for var in set {
        assert!(known.contains(&var), "compose.yaml sets {var}, which kakehashi does not read");
    }
}
