//! Messages that are not replies — a direct message to a requester, a triage card in the AI
//! team's channel, a digest — go through a transport's [`Deliver`]. Each transport provides one;
//! [`Deliverers`] finds the right one by the workspace id's platform prefix (`slack:`, `discord:`,
//! `console:`).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::chat::{Attachment, Message, Recipient};
pub use crate::chat::{Payload, notice};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Try again later (a rate limit, a server error, a dropped connection); `after` is what the
    /// platform asked for, if it said.
    #[error("temporary failure: {reason}")]
    Retry { after: Option<Duration>, reason: String },
    /// It will never work (the channel is gone, the bot was removed): give up and log.
    #[error("permanent failure: {reason}")]
    Fatal { reason: String },
}

/// A delivery that stopped part-way through a message sent in several parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stopped {
    /// Parts of the message delivered, counted from its first part.
    pub sent: usize,
    pub error: DeliveryError,
}

#[async_trait]
pub trait Deliver: Send + Sync {
    /// Sends `message` to a person (as a direct message) or a channel of `workspace`.
    async fn deliver(&self, workspace: &str, to: &Recipient, message: &Message) -> Result<(), DeliveryError>;

    /// Sends the parts of `message` from part `from` on: the earlier ones arrived in an earlier
    /// attempt. A transport that splits long messages (Slack's block limit, Discord's embed
    /// limit) overrides this and says in [`Stopped`] how far it got, so a retry never repeats a
    /// part; for one that never splits, a message is a single part.
    async fn deliver_from(
        &self,
        workspace: &str,
        to: &Recipient,
        message: &Message,
        from: usize,
    ) -> Result<(), Stopped> {
        if from > 0 {
            return Ok(());
        }
        self.deliver(workspace, to, message).await.map_err(|error| Stopped { sent: 0, error })
    }

    /// Sends a file (the digest's chart) to a person or a channel of `workspace`.
    async fn deliver_file(&self, workspace: &str, to: &Recipient, file: &Attachment) -> Result<(), DeliveryError>;
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
        self.by_prefix.iter().find(|(p, _)| workspace.starts_with(p.as_str())).map(|(_, d)| d)
    }
}

/// How long a claimed notice stays with one deliverer before another may take it over.
pub const LEASE: chrono::Duration = chrono::Duration::minutes(5);
/// A notice that could not be delivered for this long is given up (and logged).
pub const GIVE_UP_AFTER: chrono::Duration = chrono::Duration::hours(24);
/// Notices claimed at a time.
const BATCH: i64 = 50;

/// What one pass of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    pub sent: usize,
    pub retried: usize,
    pub given_up: usize,
}

/// The wait before attempt `attempts + 1`: what the platform asked for, or 5 s doubling per
/// attempt up to an hour.
pub fn backoff(attempts: i64, asked: Option<Duration>) -> chrono::Duration {
    let ours = Duration::from_secs(5u64.saturating_mul(1u64 << attempts.clamp(0, 10)));
    let wait = asked.unwrap_or(ours).min(Duration::from_secs(3600));
    chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1))
}

impl Deliverers {
    pub fn prefixes(&self) -> impl Iterator<Item = (&str, &Arc<dyn Deliver>)> {
        self.by_prefix.iter().map(|(p, d)| (p.as_str(), d))
    }
}

/// Recipients served at once in one pass: each gets its notices in order, one after the other,
/// and one that hangs (a platform call waits up to 15 s) holds up only its own.
pub const CONCURRENCY: usize = 16;

/// Delivers every notice that is due now, through the deliverer of its platform. Tests and the
/// console call this directly; [`run`] calls it in a loop.
///
/// The claimed notices are grouped by recipient (a person or a channel of a workspace): up to
/// [`CONCURRENCY`] recipients are served at once, and each recipient's notices go out in the
/// order they were written, the next one only after the last was settled.
#[tracing::instrument(skip_all)]
pub async fn run_once(
    store: &dyn crate::storage::Store,
    deliverers: &Deliverers,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Report, crate::storage::StoreError> {
    use futures_util::StreamExt;
    let mut report = Report::default();
    for (prefix, deliver) in deliverers.prefixes() {
        loop {
            let claimed = store.claim_notices(prefix, now, LEASE, BATCH).await?;
            let full = claimed.len() as i64 == BATCH;
            // claimed in id order: grouping keeps each recipient's order
            let mut queues: Vec<Vec<crate::storage::Claimed>> = Vec::new();
            for notice in claimed {
                match queues
                    .iter_mut()
                    .find(|q| q[0].workspace == notice.workspace && q[0].recipient == notice.recipient)
                {
                    Some(queue) => queue.push(notice),
                    None => queues.push(vec![notice]),
                }
            }
            let mut passes = futures_util::stream::iter(queues)
                .map(|queue| deliver_in_order(store, deliver.as_ref(), queue, now))
                .buffer_unordered(CONCURRENCY);
            while let Some(done) = passes.next().await {
                let done = done?;
                report.sent += done.sent;
                report.retried += done.retried;
                report.given_up += done.given_up;
            }
            if !full {
                break;
            }
        }
    }
    Ok(report)
}

/// One recipient's notices, in order; each settled before the next is tried.
async fn deliver_in_order(
    store: &dyn crate::storage::Store,
    deliver: &dyn Deliver,
    queue: Vec<crate::storage::Claimed>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Report, crate::storage::StoreError> {
    use crate::storage::NoticeOutcome;
    let mut report = Report::default();
    // once one fails for now, the later ones wait for it: they are put off to its time (not
    // counted in the report: they were not tried)
    let mut held: Option<chrono::DateTime<chrono::Utc>> = None;
    for notice in queue {
        if let Some(at) = held {
            let error = "waiting for an earlier message to the same recipient".to_string();
            store
                .settle_notice(notice.id, NoticeOutcome::Retry { at, error, parts_sent: notice.parts_sent }, now)
                .await?;
            continue;
        }
        let (to, from) = (&notice.recipient, notice.parts_sent);
        let attempt = match serde_json::from_str::<Payload>(&notice.payload) {
            Err(e) => Err(e),
            Ok(Payload::Message { message }) => Ok(deliver.deliver_from(&notice.workspace, to, &message, from).await),
            Ok(Payload::File { file }) => {
                Ok(deliver.deliver_file(&notice.workspace, to, &file).await.map_err(|error| Stopped { sent: 0, error }))
            }
        };
        let outcome = match attempt {
            Err(e) => NoticeOutcome::GiveUp { error: format!("unreadable payload: {e}") },
            Ok(Ok(())) => NoticeOutcome::Sent,
            Ok(Err(Stopped { sent, error })) => match error {
                DeliveryError::Retry { .. } if now - notice.created_at > GIVE_UP_AFTER => {
                    NoticeOutcome::GiveUp { error: "still failing after 24 hours".into() }
                }
                DeliveryError::Retry { after, reason } => NoticeOutcome::Retry {
                    at: now + backoff(notice.attempts, after),
                    error: reason,
                    parts_sent: sent.max(from),
                },
                DeliveryError::Fatal { reason } => NoticeOutcome::GiveUp { error: reason },
            },
        };
        match &outcome {
            NoticeOutcome::Sent => report.sent += 1,
            NoticeOutcome::Retry { error, at, .. } => {
                report.retried += 1;
                held = Some(*at);
                tracing::warn!(notice = notice.id, %error, retry_at = %at, "delivery failed; will retry");
            }
            NoticeOutcome::GiveUp { error } => {
                report.given_up += 1;
                tracing::error!(notice = notice.id, workspace = %notice.workspace, %error, "delivery given up");
            }
        }
        store.settle_notice(notice.id, outcome, now).await?;
    }
    Ok(report)
}

/// Delivers notices until `stop` resolves, checking every `every`.
pub async fn run(
    store: Arc<dyn crate::storage::Store>,
    deliverers: Deliverers,
    clock: Arc<dyn crate::clock::Clock>,
    every: Duration,
    metrics: Arc<crate::ops::metrics::Metrics>,
) {
    loop {
        match run_once(store.as_ref(), &deliverers, clock.now()).await {
            Ok(report) => {
                let counts = [("sent", report.sent), ("retry", report.retried), ("given_up", report.given_up)];
                for (outcome, n) in counts {
                    metrics.deliveries(outcome, n);
                }
            }
            Err(e) => tracing::error!(error = ?e, "the delivery worker could not read the outbox"),
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_five_seconds_honours_retry_after_and_stops_at_an_hour() {
        assert_eq!(backoff(0, None), chrono::Duration::seconds(5));
        assert_eq!(backoff(3, None), chrono::Duration::seconds(40));
        assert_eq!(backoff(40, None), chrono::Duration::hours(1));
        assert_eq!(backoff(0, Some(Duration::from_secs(30))), chrono::Duration::seconds(30));
    }
}
