//! Messages that are not replies — a direct message to a requester, a triage card in the AI
//! team's channel, a digest — go through a transport's [`Deliver`]. Each transport provides one;
//! [`Deliverers`] finds the right one by the workspace id's platform prefix (`slack:`, `discord:`,
//! `console:`).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::chat::{Message, Recipient};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Try again later (a rate limit, a server error, a dropped connection); `after` is what the
    /// platform asked for, if it said.
    #[error("temporary failure: {reason}")]
    Retry {
        after: Option<Duration>,
        reason: String,
    },
    /// It will never work (the channel is gone, the bot was removed): give up and log.
    #[error("permanent failure: {reason}")]
    Fatal { reason: String },
}

#[async_trait]
pub trait Deliver: Send + Sync {
    /// Sends `message` to a person (as a direct message) or a channel of `workspace`.
    async fn deliver(
        &self,
        workspace: &str,
        to: &Recipient,
        message: &Message,
    ) -> Result<(), DeliveryError>;
}

/// The transports' deliverers, by the platform prefix of workspace ids.
#[derive(Clone, Default)]
pub struct Deliverers {
    by_prefix: Vec<(String, Arc<dyn Deliver>)>,
}

impl Deliverers {
    /// Registers the deliverer for workspaces whose id starts with `prefix` (e.g. `slack:`).
    pub fn register(&mut self, prefix: &str, deliver: Arc<dyn Deliver>) {
        self.by_prefix.push((prefix.to_string(), deliver));
    }

    pub fn for_workspace(&self, workspace: &str) -> Option<&Arc<dyn Deliver>> {
        self.by_prefix
            .iter()
            .find(|(p, _)| workspace.starts_with(p.as_str()))
            .map(|(_, d)| d)
    }
}
