//! `kakehashi serve`: one HTTP server for every transport that receives requests (Slack's
//! slash commands and interactions, Discord's interactions endpoint), and the background work of
//! the transports that hold connections (Slack Socket Mode, the Discord gateway).
//!
//! [`Application::build`] binds the port first (port 0 picks a free one, for tests) and reports
//! it; [`Application::run_until_stopped`] serves until the shutdown future resolves, then lets
//! in-flight requests finish. To add a transport: have it return
//! [`TransportParts`](crate::transport::TransportParts) and add it in [`transports`].
//!
//! The front holds under slow and hostile clients with the limits of [`ServerConfig`]: at most
//! `max_connections` open (further ones wait in the kernel's backlog), headers within
//! `header_timeout` (an idle keep-alive connection is closed after it too), and on the platform
//! routes ([`guard`]) at most `max_requests` at once, each body refused from its Content-Length
//! above `max_body` before anything is read, counted as it streams, and read within
//! `body_timeout`. The operations routes skip the request cap, so a flood never makes
//! `/livez` fail.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use serde_json::json;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::chat::Bot;
use crate::config::{Config, ServerConfig};
use crate::outbox::Deliverers;
use crate::transport::TransportParts;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("{0}")]
    Transport(String),
}

pub struct Application {
    listener: tokio::net::TcpListener,
    router: Router,
    tasks: Vec<BoxFuture<'static, ()>>,
    pub deliverers: Deliverers,
    addr: SocketAddr,
    bot: Arc<Bot>,
    limits: ServerConfig,
    /// Cancelled when the shutdown starts: bodies still being read are given up.
    stopping: CancellationToken,
}

impl Application {
    /// Builds every configured transport and binds the listening socket.
    pub async fn build(config: &Config, bot: Arc<Bot>, bind: SocketAddr) -> Result<Application, ServeError> {
        let mut router = Router::new();
        let mut tasks = Vec::new();
        let mut deliverers = Deliverers::default();
        let parts: Vec<TransportParts> = transports(config, &bot)?;
        for part in parts {
            if let Some(r) = part.router {
                router = router.merge(r);
            }
            tasks.extend(part.tasks);
            if let Some((prefix, d)) = part.deliverer {
                deliverers.register(prefix, d);
            }
        }
        let stopping = CancellationToken::new();
        let router = with_operations(guarded(router, &config.server, stopping.clone()), bot.clone());
        // the background work every replica does: the weekly jobs and the delivery of messages
        let scheduler = crate::jobs::Scheduler {
            metrics: bot.metrics.clone(),
            ..crate::jobs::Scheduler::new(bot.store.clone(), bot.prompts.clone())
        };
        tasks.push(Box::pin(crate::jobs::run(scheduler, bot.clock.clone(), std::time::Duration::from_secs(30))));
        tasks.push(Box::pin(crate::outbox::run(
            bot.store.clone(),
            deliverers.clone(),
            bot.clock.clone(),
            std::time::Duration::from_secs(1),
            bot.metrics.clone(),
        )));
        let listener =
            tokio::net::TcpListener::bind(bind).await.map_err(|source| ServeError::Bind { addr: bind, source })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Bind { addr: bind, source })?;
        Ok(Application { listener, router, tasks, deliverers, addr, bot, limits: config.server.clone(), stopping })
    }

    /// The address actually bound (with the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `shutdown` resolves. Then it stops accepting connections, closes idle ones,
    /// gives up bodies still being read (`503`), lets requests already being handled finish and
    /// waits for replies still being sent after their acknowledgement — all within the drain
    /// time, after which whatever is left is cut — and stops the background tasks (the outbox and
    /// the scheduler keep their state in the database, so nothing they were doing is lost).
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let background: Vec<_> = self.tasks.into_iter().map(tokio::spawn).collect();
        tracing::info!(addr = %self.addr, "listening");
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(self.limits.header_timeout)
            // a connection's read buffer stays small (headers and body chunks pass through it)
            .max_buf_size(READ_BUFFER);
        let slots = Arc::new(Semaphore::new(self.limits.max_connections));
        let mut connections = tokio::task::JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            while connections.try_join_next().is_some() {}
            let slot = tokio::select! {
                slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
                () = &mut shutdown => break,
            };
            let stream = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // out of file descriptors, or a connection reset before it was taken:
                        // wait a little instead of spinning
                        tracing::warn!(error = %e, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let _ = stream.set_nodelay(true);
            let router = self.router.clone();
            // requests of this connection being handled: at shutdown, one with none (idle, or
            // still sending its headers) is closed at once
            let busy = Arc::new(());
            let in_service = busy.clone();
            let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                let handling = in_service.clone();
                let response = tower_service::Service::call(&mut router.clone(), request);
                async move {
                    let answer = response.await;
                    drop(handling);
                    answer
                }
            });
            let connection = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let stopping = self.stopping.clone();
            connections.spawn(async move {
                let _slot = slot;
                tokio::pin!(connection);
                let finished = tokio::select! {
                    finished = connection.as_mut() => finished,
                    () = stopping.cancelled() => {
                        // two references when idle: `busy` and the service's `in_service`
                        if Arc::strong_count(&busy) <= 2 {
                            return;
                        }
                        connection.as_mut().graceful_shutdown();
                        connection.await
                    }
                };
                if let Err(e) = finished {
                    tracing::debug!(error = %e, "a connection ended with an error");
                }
            });
        }
        drop(self.listener);
        let deadline = tokio::time::Instant::now() + self.limits.drain_timeout;
        self.stopping.cancel();
        let drained = tokio::time::timeout_at(deadline, async { while connections.join_next().await.is_some() {} });
        if drained.await.is_err() {
            tracing::warn!(left = connections.len(), "connections still open when the drain time ran out; closed");
            connections.shutdown().await;
        }
        self.bot.work.close();
        if tokio::time::timeout_at(deadline, self.bot.work.wait()).await.is_err() {
            tracing::warn!(left = self.bot.work.len(), "replies still being sent when the shutdown gave up waiting");
        }
        for task in background {
            task.abort();
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// The platform routes behind the request limits of `limits` (see the module's header).
pub fn guarded(router: Router, limits: &ServerConfig, stopping: CancellationToken) -> Router {
    let front = Arc::new(Front {
        max_body: limits.max_body,
        body_timeout: limits.body_timeout,
        requests: Arc::new(Semaphore::new(limits.max_requests)),
        stopping,
    });
    router.layer(axum::middleware::from_fn_with_state(front, guard))
}

/// The largest read buffer of a connection (hyper's default grows to about 400 kB).
const READ_BUFFER: usize = 64 * 1024;

struct Front {
    max_body: usize,
    body_timeout: Duration,
    requests: Arc<Semaphore>,
    stopping: CancellationToken,
}

/// Takes a request slot, then reads the whole body within the limits before the handler runs:
/// `413` for a body over the limit (declared or streamed), `408` for one not sent in time,
/// `503` when the server is shutting down meanwhile.
async fn guard(State(front): State<Arc<Front>>, request: Request, next: Next) -> Response {
    let _slot = tokio::select! {
        slot = front.requests.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
        () = front.stopping.cancelled() => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > front.max_body as u64) {
        return too_large(front.max_body);
    }
    let (parts, body) = request.into_parts();
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::with_capacity(declared.map_or(0, |n| n as usize));
    let read = async {
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| StatusCode::BAD_REQUEST.into_response())?;
            if bytes.len() + chunk.len() > front.max_body {
                return Err(too_large(front.max_body));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(())
    };
    let read = tokio::select! {
        read = tokio::time::timeout(front.body_timeout, read) => read,
        () = front.stopping.cancelled() => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    match read {
        Ok(Ok(())) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Ok(Err(refused)) => refused,
        Err(_) => {
            tracing::debug!("a request body was not sent in time");
            (StatusCode::REQUEST_TIMEOUT, [(header::CONNECTION, "close")], "request body not sent in time")
                .into_response()
        }
    }
}

fn too_large(limit: usize) -> Response {
    tracing::debug!(limit, "a request body over the limit was refused");
    (StatusCode::PAYLOAD_TOO_LARGE, [(header::CONNECTION, "close")], format!("request body over {limit} bytes"))
        .into_response()
}

/// Adds `/livez`, `/readyz` (and `/healthz`, its older name) and `/metrics`, and counts every
/// request by route and outcome.
pub fn with_operations(router: Router, bot: Arc<Bot>) -> Router {
    let operations = Router::new()
        .route("/livez", get(live))
        .route("/readyz", get(health))
        .route("/healthz", get(health))
        .route("/metrics", get(metrics))
        .with_state(bot.clone());
    router.merge(operations).layer(axum::middleware::from_fn_with_state(bot, count))
}

/// Liveness: `200` whenever the process answers at all. It looks at nothing else, so an
/// orchestrator never restarts a healthy process because the database is down.
async fn live() -> Response {
    axum::Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") })).into_response()
}

async fn count(State(bot): State<Arc<Bot>>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    // the route template, never the path: users cannot grow the number of series
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |m| m.as_str()).to_string();
    let response = next.run(request).await;
    bot.metrics.request(&route, crate::ops::metrics::outcome(response.status().as_u16()), started.elapsed());
    response
}

/// Readiness: `200` with a JSON report when the database answers and every held connection is
/// up; `503` with the same report naming what is down otherwise.
async fn health(State(bot): State<Arc<Bot>>) -> Response {
    let started = std::time::Instant::now();
    let database = match tokio::time::timeout(std::time::Duration::from_secs(2), bot.store.ping()).await {
        Ok(Ok(())) => json!({ "ok": true, "backend": bot.store.backend(), "ms": started.elapsed().as_millis() as u64 }),
        Ok(Err(e)) => json!({ "ok": false, "backend": bot.store.backend(), "error": e.to_string() }),
        Err(_) => json!({ "ok": false, "backend": bot.store.backend(), "error": "no answer within 2 seconds" }),
    };
    let connections = bot.metrics.connections();
    let healthy = database["ok"] == true && connections.iter().all(|(_, up)| *up);
    let transports: serde_json::Map<String, serde_json::Value> = connections
        .into_iter()
        .map(|(name, up)| (name, json!(if up { "connected" } else { "disconnected" })))
        .collect();
    let status = if healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = json!({
        "status": if healthy { "ok" } else { "unhealthy" },
        "version": env!("CARGO_PKG_VERSION"),
        "database": database,
        "transports": transports,
    });
    (status, axum::Json(body)).into_response()
}

async fn metrics(State(bot): State<Arc<Bot>>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], bot.metrics.render()).into_response()
}

/// The transports the configuration turns on.
pub fn transports(config: &Config, bot: &Arc<Bot>) -> Result<Vec<TransportParts>, ServeError> {
    let failed = |e: crate::transport::SetupError| ServeError::Transport(e.0);
    let mut parts = Vec::new();
    if let Some(discord) = &config.discord {
        parts.push(crate::transport::discord::parts(discord, bot.clone()).map_err(failed)?);
    }
    if let Some(slack) = &config.slack {
        parts.push(crate::transport::slack::parts(slack, bot.clone()).map_err(failed)?);
    }
    Ok(parts)
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
