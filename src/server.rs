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
use axum::routing::get;
use futures_util::future::BoxFuture;

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
}

impl Application {
    /// Builds every configured transport and binds the listening socket.
    pub async fn build(config: &Config, bot: Arc<Bot>, bind: SocketAddr) -> Result<Application, ServeError> {
        let mut router = Router::new().route("/healthz", get(|| async { "ok" }));
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
        // the background work every replica does: the weekly jobs and the delivery of messages
        let scheduler = crate::jobs::Scheduler::new(bot.store.clone(), bot.prompts.clone());
        tasks.push(Box::pin(crate::jobs::run(scheduler, bot.clock.clone(), std::time::Duration::from_secs(30))));
        tasks.push(Box::pin(crate::delivery::run(
            bot.store.clone(),
            deliverers.clone(),
            bot.clock.clone(),
            std::time::Duration::from_secs(1),
        )));
        let listener =
            tokio::net::TcpListener::bind(bind).await.map_err(|source| ServeError::Bind { addr: bind, source })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Bind { addr: bind, source })?;
        Ok(Application { listener, router, tasks, deliverers, addr })
    }

    /// The address actually bound (with the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `shutdown` resolves; in-flight requests finish, background tasks stop.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let background: Vec<_> = self.tasks.into_iter().map(tokio::spawn).collect();
        tracing::info!(addr = %self.addr, "listening");
        let result = axum::serve(self.listener, self.router).with_graceful_shutdown(shutdown).await;
        for task in background {
            task.abort();
        }
        result
    }
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
