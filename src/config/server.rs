//! The HTTP front's settings: where it listens and what it tolerates from clients.

use std::net::SocketAddr;
use std::time::Duration;

use super::sources::Sources;

/// The HTTP front: where it listens and what it tolerates from clients (README "Operations").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    pub bind: SocketAddr,
    /// How long a client has to send a request's headers.
    pub header_timeout: Duration,
    /// How long a client has to send a request's whole body (from the end of its headers).
    pub body_timeout: Duration,
    /// The largest request body, in bytes.
    pub max_body: usize,
    /// Connections open at once.
    pub max_connections: usize,
    /// Platform requests served at once, body read included.
    pub max_requests: usize,
    /// How long a shutdown waits for requests in flight and replies still being sent.
    pub drain_timeout: Duration,
}

impl ServerConfig {
    /// The defaults, listening on `bind`.
    pub fn new(bind: SocketAddr) -> ServerConfig {
        ServerConfig {
            bind,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_body: 256 * 1024,
            max_connections: 512,
            max_requests: 128,
            drain_timeout: Duration::from_secs(20),
        }
    }
}

/// The server's settings, listening on `bind`.
pub(super) fn read(s: &mut Sources, bind: SocketAddr) -> ServerConfig {
    let base = ServerConfig::new(bind);
    let seconds = |s: &mut Sources, name: &str, default: Duration| {
        let x = s.number(name, default.as_secs_f64(), |x| (0.1..=3600.0).contains(&x), "between 0.1 and 3600 seconds");
        Duration::from_secs_f64(x)
    };
    let count = |s: &mut Sources, name: &str, default: usize, max: f64, rule: &str| {
        s.number(name, default as f64, |x| x >= 1.0 && x <= max && x.fract() == 0.0, rule) as usize
    };
    ServerConfig {
        header_timeout: seconds(s, "server.header_timeout", base.header_timeout),
        body_timeout: seconds(s, "server.body_timeout", base.body_timeout),
        max_body: count(
            s,
            "server.max_body",
            base.max_body,
            (64 * 1024 * 1024) as f64,
            "a whole number of bytes from 1 to 67108864",
        ),
        max_connections: count(
            s,
            "server.max_connections",
            base.max_connections,
            100_000.0,
            "a whole number from 1 to 100000",
        ),
        max_requests: count(s, "server.max_requests", base.max_requests, 100_000.0, "a whole number from 1 to 100000"),
        drain_timeout: seconds(s, "server.drain_timeout", base.drain_timeout),
        bind,
    }
}
