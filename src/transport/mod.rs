//! Transports: thin adapters between a platform and the conversation engine. Each one verifies
//! and parses what arrives into an [`Inbound`](crate::chat::Inbound), hands it to the
//! [`Bot`](crate::chat::Bot), and renders the replies in the platform's format.
//!
//! What the platforms share lives here, written once:
//! - [`deadline`]: the bot answers within the platform's deadline, or the request is acknowledged
//!   and the replies follow late; a handler that panicked becomes the apology;
//! - [`incoming`]: the [`Kind`](incoming::Kind) of a request (typed, a control used, a form
//!   submitted), and why the rest of what each platform keeps to answer stays its own;
//! - [`text`]: measuring, cutting and splitting text by the unit a platform counts in;
//! - [`post`]: the bot's own messages, in parts that a retry resumes;
//! - [`names`]: workspaces' display names; [`Replays`]: the replay guard;
//! - [`TransportParts`]: what a transport adds to the server.
//!
//! To add a transport: a module here that builds `Inbound` events (with a workspace id prefixed
//! by the platform, e.g. `slack:T0123`), renders every `Outbound` and `Block` variant, answers
//! through [`deadline::drive`] with its own [`deadline::Reply`], and returns [`TransportParts`]
//! for `server.rs` to mount.

pub mod console;
pub mod deadline;
pub mod discord;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod incoming;
pub mod names;
pub mod post;
pub(crate) mod replays;
pub mod slack;
pub mod text;

use std::sync::Arc;

use axum::Router;
use futures_util::future::BoxFuture;

use crate::outbox::Deliver;

/// The replay guard every transport shares (written with Slack's, which came first).
pub(crate) use replays::Replays;

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

/// A transport that cannot be set up as configured; the text names what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SetupError(pub String);
