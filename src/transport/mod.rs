//! Transports: thin adapters between a platform and the conversation engine. Each one verifies
//! and parses what arrives into an [`Inbound`](crate::chat::Inbound), hands it to the
//! [`Bot`](crate::chat::Bot), and renders the replies in the platform's format.
//!
//! To add a transport: a module here that builds `Inbound` events (with a workspace id prefixed
//! by the platform, e.g. `slack:T0123`) and renders every `Outbound` and `Block` variant.

pub mod console;
pub mod discord;
pub mod names;
pub mod slack;

/// The replay guard every transport shares (written with Slack's, which came first).
pub(crate) use slack::dedupe::Replays;
