//! The HTTP front under hostile clients (issue 14), against the real `kakehashi serve` process:
//! 200 slowloris connections (headers trickling in) and 100 half-sent 1 MB bodies — half
//! declaring their size, half streaming chunked; each sends 500 kB and stops — while a normal signed Slack request is still
//! answered, memory stays bounded, and SIGTERM ends the process with 0 within the drain time
//! even though those clients are still connected. The header and body timeouts are set long
//! here, so it is the shutdown, not a timeout, that closes them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::Child;

use crate::fake_slack::FakeSlack;
use crate::helpers::serve_process;

const SECRET: &str = "front-test-signing-secret";
const DRAIN: u64 = 3;
const SLOWLORIS: usize = 200;
const HALF_SENT: usize = 100;
const MB: usize = 1_000_000;

async fn start(slack: &FakeSlack) -> (Child, String) {
    let dir = tempfile::tempdir().unwrap().keep();
    let env = [
        ("SLACK_SIGNING_SECRET", SECRET.to_string()),
        ("SLACK_BOT_TOKEN", "xoxb-front-test".to_string()),
        ("SLACK_API_URL", slack.api_url()),
        ("KAKEHASHI_HEADER_TIMEOUT", "60".to_string()),
        ("KAKEHASHI_BODY_TIMEOUT", "60".to_string()),
        ("KAKEHASHI_DRAIN_TIMEOUT", DRAIN.to_string()),
    ];
    serve_process(&format!("sqlite://{}", dir.join("front.db").display()), &env).await
}

/// The resident memory of `pid`, in MiB.
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS");
    kb / 1024.0
}

/// Sends a request head a line at a time, one line a second, never finishing it.
async fn slowloris(addr: String, connected: Arc<AtomicUsize>) {
    let Ok(mut s) = TcpStream::connect(&addr).await else { return };
    if s.write_all(b"POST /slack/commands HTTP/1.1\r\nHost: kakehashi\r\n").await.is_err() {
        return;
    }
    connected.fetch_add(1, Ordering::SeqCst);
    for i in 0.. {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if s.write_all(format!("x-slow-{i}: 1\r\n").as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Declares a 1 MB body, sends part of it and stops; returns the status line it got, if any.
async fn declared(addr: String, stalled: Arc<AtomicUsize>) -> Option<String> {
    let mut s = TcpStream::connect(&addr).await.ok()?;
    let head = format!(
        "POST /slack/commands HTTP/1.1\r\nHost: kakehashi\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {MB}\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.ok()?;
    // half of it; the refusal may close the connection while this is being written
    let _ = s.write_all(&vec![b'a'; MB / 2]).await;
    stalled.fetch_add(1, Ordering::SeqCst);
    let mut answer = vec![0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(20), s.read(&mut answer)).await.ok()?.ok()?;
    let line = String::from_utf8_lossy(&answer[..n]).lines().next().unwrap_or_default().to_string();
    // hold the connection open as a client that stopped would
    tokio::time::sleep(Duration::from_secs(60)).await;
    Some(line)
}

/// Streams a chunked 1 MB body, stops half-way (500 kB) and waits; the server refuses it once
/// the limit (256 KiB) is crossed, without buffering more.
async fn chunked(addr: String, stalled: Arc<AtomicUsize>) {
    let Ok(mut s) = TcpStream::connect(&addr).await else { return };
    let head = "POST /slack/commands HTTP/1.1\r\nHost: kakehashi\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n";
    if s.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let chunk = vec![b'a'; 10_000];
    for _ in 0..50 {
        let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
        frame.extend_from_slice(&chunk);
        frame.extend_from_slice(b"\r\n");
        if s.write_all(&frame).await.is_err() {
            break;
        }
    }
    stalled.fetch_add(1, Ordering::SeqCst);
    let mut sink = [0u8; 64];
    let _ = tokio::time::timeout(Duration::from_secs(60), s.read(&mut sink)).await;
}

async fn signed_command(addr: &str) -> (u16, String, Duration) {
    let ts = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs().to_string();
    let body = serde_urlencoded::to_string([
        ("team_id", "T0FRONT"),
        ("team_domain", "front"),
        ("channel_id", "C1"),
        ("user_id", "U1"),
        ("user_name", "aiko"),
        ("command", "/ai"),
        ("text", "help"),
        ("response_url", "http://127.0.0.1:9/hook"),
        ("trigger_id", "1.2.3"),
    ])
    .unwrap();
    let started = Instant::now();
    let r = reqwest::Client::new()
        .post(format!("http://{addr}/slack/commands"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", &ts)
        .header("x-slack-signature", kakehashi::transport::slack::verify::sign(SECRET, &ts, body.as_bytes()))
        .body(body)
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .expect("the signed request is answered");
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, text, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_half_sent_clients_neither_block_a_real_request_nor_the_shutdown() {
    let slack = FakeSlack::start().await;
    let (mut child, addr) = start(&slack).await;
    let pid = child.id().unwrap();
    let idle = rss_mib(pid);

    let (connected, stalled) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut clients = Vec::new();
    for _ in 0..SLOWLORIS {
        clients.push(tokio::spawn(slowloris(addr.clone(), connected.clone())));
    }
    for i in 0..HALF_SENT {
        if i % 2 == 0 {
            let (addr, stalled) = (addr.clone(), stalled.clone());
            clients.push(tokio::spawn(async move { drop(declared(addr, stalled).await) }));
        } else {
            clients.push(tokio::spawn(chunked(addr.clone(), stalled.clone())));
        }
    }
    let all_in = async {
        while connected.load(Ordering::SeqCst) < SLOWLORIS || stalled.load(Ordering::SeqCst) < HALF_SENT {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), all_in).await.expect("every hostile client got its bytes in");

    let (status, body, took) = signed_command(&addr).await;
    let loaded = rss_mib(pid);
    eprintln!(
        "front: signed request answered {status} in {} ms with {SLOWLORIS} slowloris and {HALF_SENT} half-sent bodies; RSS {idle:.1} MiB idle, {loaded:.1} MiB loaded",
        took.as_millis()
    );
    assert_eq!(status, 200, "{body}");
    assert!(!body.is_empty(), "the help comes back in the acknowledgement");
    // the acceptance is < 1 s; the bound here is loose for a machine busy with other builds
    assert!(took < Duration::from_secs(5), "the signed request waited {took:?}");
    // what the flood adds is bounded: each connection reads into at most 64 KiB, where reading
    // the half-sent bodies whole would add 100 MiB. The bound is on the growth, not the total:
    // this is the debug build, which idles at about 37 MiB (the release build at about 21; its
    // peaks under load are in BENCHMARKS.md). The growth measured 10–27 MiB (glibc gives a
    // second thread its own arena or not), so 40 leaves room and still catches whole bodies.
    assert!(loaded - idle < 40.0, "RSS {idle:.1} MiB idle, {loaded:.1} MiB loaded");

    let liveness = reqwest::get(format!("http://{addr}/livez")).await.unwrap();
    assert_eq!(liveness.status(), 200, "/livez answers under the flood");

    // SIGTERM with all those clients still connected: exit 0 within the drain time
    let asked = Instant::now();
    // SAFETY: sends a signal to the child this test started
    assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGTERM) }, 0);
    let exit = tokio::time::timeout(Duration::from_secs(DRAIN + 10), child.wait())
        .await
        .expect("the server exits after SIGTERM")
        .unwrap();
    let stopped = asked.elapsed();
    eprintln!("front: SIGTERM to exit {} ms (drain time {DRAIN} s)", stopped.as_millis());
    assert_eq!(exit.code(), Some(0), "{exit:?}");
    assert!(stopped <= Duration::from_secs(DRAIN + 2), "took {stopped:?}");
    for c in clients {
        c.abort();
    }
}

/// What the server answers to `head` followed by `body` (its status line), read without waiting
/// for the whole body to be sent.
async fn status_line(addr: &str, head: &str, body: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(head.as_bytes()).await.unwrap();
    let _ = s.write_all(body).await;
    let mut answer = vec![0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut answer)).await.expect("an answer").unwrap();
    String::from_utf8_lossy(&answer[..n]).lines().next().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_refused_from_its_length_or_as_it_streams() {
    let slack = FakeSlack::start().await;
    let (mut child, addr) = start(&slack).await;
    let declared = format!("POST /slack/commands HTTP/1.1\r\nHost: k\r\nContent-Length: {MB}\r\n\r\n");
    assert_eq!(status_line(&addr, &declared, b"").await, "HTTP/1.1 413 Payload Too Large", "refused before any byte");
    let streamed = "POST /slack/commands HTTP/1.1\r\nHost: k\r\nTransfer-Encoding: chunked\r\n\r\n";
    let mut body = Vec::new();
    for _ in 0..30 {
        body.extend_from_slice(format!("{:x}\r\n", 10_000).as_bytes());
        body.extend_from_slice(&[b'a'; 10_000]);
        body.extend_from_slice(b"\r\n");
    }
    assert_eq!(status_line(&addr, streamed, &body).await, "HTTP/1.1 413 Payload Too Large", "counted as it streams");
    let _ = child.start_kill();
}
