//! `kakehashi serve`: one HTTP server for every transport that receives requests (Slack's
//! slash commands and interactions, Discord's interactions endpoint), and the background work of
//! the transports that hold connections (Slack Socket Mode, the Discord gateway).
//!
//! [`Application::build`] binds the port first (port 0 picks a free one, for tests) and reports
//! it; [`Application::run_until_stopped`] serves until the shutdown future resolves, then lets
//! in-flight requests finish. To add a transport: have it return [`TransportParts`] and add it in
//! `build`.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::future::BoxFuture;
use serde_json::json;

use crate::chat::Bot;
use crate::config::Config;
use crate::delivery::{Deliver, Deliverers};

/// What a transport adds to the server.
#[derive(Default)]
pub struct TransportParts {
    /// Routes it serves (mounted at the root; each transport uses its own path prefix).
    pub router: Option<Router>,
    /// Long-running work: a WebSocket client, a gateway connection.
    pub tasks: Vec<BoxFuture<'static, ()>>,
    /// How it sends messages that are not replies, under its workspace prefix.
    pub deliverer: Option<(&'static str, Arc<dyn Deliver>)>,
}

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
}

/// How long a graceful shutdown waits for replies still being sent after their acknowledgement.
pub const DRAIN: std::time::Duration = std::time::Duration::from_secs(20);

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
        let router = with_operations(router, bot.clone());
        // the background work every replica does: the weekly jobs and the delivery of messages
        let scheduler = crate::jobs::Scheduler {
            metrics: bot.metrics.clone(),
            ..crate::jobs::Scheduler::new(bot.store.clone(), bot.prompts.clone())
        };
        tasks.push(Box::pin(crate::jobs::run(scheduler, bot.clock.clone(), std::time::Duration::from_secs(30))));
        tasks.push(Box::pin(crate::delivery::run(
            bot.store.clone(),
            deliverers.clone(),
            bot.clock.clone(),
            std::time::Duration::from_secs(1),
            bot.metrics.clone(),
        )));
        let listener =
            tokio::net::TcpListener::bind(bind).await.map_err(|source| ServeError::Bind { addr: bind, source })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Bind { addr: bind, source })?;
        Ok(Application { listener, router, tasks, deliverers, addr, bot })
    }

    /// The address actually bound (with the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `shutdown` resolves. Then it stops accepting connections, lets in-flight
    /// requests finish, waits up to [`DRAIN`] for replies still being sent after their
    /// acknowledgement, and stops the background tasks (the outbox and the scheduler keep their
    /// state in the database, so nothing they were doing is lost).
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let background: Vec<_> = self.tasks.into_iter().map(tokio::spawn).collect();
        tracing::info!(addr = %self.addr, "listening");
        let result = axum::serve(self.listener, self.router).with_graceful_shutdown(shutdown).await;
        self.bot.work.close();
        if tokio::time::timeout(DRAIN, self.bot.work.wait()).await.is_err() {
            tracing::warn!(left = self.bot.work.len(), "replies still being sent when the shutdown gave up waiting");
        }
        for task in background {
            task.abort();
        }
        tracing::info!("stopped");
        result
    }
}

/// Adds `/healthz` and `/metrics`, and counts every request by route and outcome.
pub fn with_operations(router: Router, bot: Arc<Bot>) -> Router {
    let operations =
        Router::new().route("/healthz", get(health)).route("/metrics", get(metrics)).with_state(bot.clone());
    router.merge(operations).layer(axum::middleware::from_fn_with_state(bot, count))
}

async fn count(State(bot): State<Arc<Bot>>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    // the route template, never the path: users cannot grow the number of series
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |m| m.as_str()).to_string();
    let response = next.run(request).await;
    bot.metrics.request(&route, crate::metrics::outcome(response.status().as_u16()), started.elapsed());
    response
}

/// `200` with a JSON report when the database answers and every held connection is up;
/// `503` with the same report naming what is down otherwise.
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
    let mut parts = Vec::new();
    if let Some(discord) = &config.discord {
        parts.push(crate::transport::discord::parts(discord, bot.clone())?);
    }
    if let Some(slack) = &config.slack {
        parts.push(
            crate::transport::slack::parts(slack, bot.clone()).map_err(|e| ServeError::Transport(e.to_string()))?,
        );
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
