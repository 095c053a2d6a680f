//! Messages that are not replies (a DM to a requester, a card in a channel, a digest), written
//! once for every platform: a transport says how it splits a message into parts, where a
//! recipient's messages go and how one part is posted ([`Post`]); [`Deliver`] follows from it.
//! A message in several parts resumes where an earlier attempt stopped, and a failure says how
//! many parts went out ([`Stopped`]), so a retry never repeats a part.

use async_trait::async_trait;

use crate::chat::{Attachment, Message, Recipient};
use crate::outbox::{Deliver, DeliveryError, Stopped};

/// How one platform posts the bot's own messages.
#[async_trait]
pub trait Post: Send + Sync {
    /// The platform's name, as people read it ("Slack").
    const PLATFORM: &'static str;
    /// Its workspaces' prefix (`slack:`).
    const PREFIX: &'static str;
    /// One message as the platform takes it.
    type Part: Send + Sync;
    /// Where a recipient's messages go (a channel, a person's DM channel).
    type Place: Send + Sync;

    /// The message in parts within the platform's limits.
    fn parts(&self, message: &Message) -> Vec<Self::Part>;
    /// Where messages to `to` go.
    async fn place(&self, to: &Recipient) -> Result<Self::Place, DeliveryError>;
    /// Posts one part there.
    async fn post(&self, place: &Self::Place, part: &Self::Part) -> Result<(), DeliveryError>;
    /// Sends a file (a chart, an export) to `to`.
    async fn post_file(&self, to: &Recipient, file: &Attachment) -> Result<(), DeliveryError>;
}

/// Refuses a workspace of another platform.
fn ours<P: Post>(workspace: &str) -> Result<(), DeliveryError> {
    if workspace.starts_with(P::PREFIX) {
        return Ok(());
    }
    Err(DeliveryError::Fatal { reason: format!("{workspace} is not a {} workspace", P::PLATFORM) })
}

#[async_trait]
impl<P: Post> Deliver for P {
    async fn deliver(&self, workspace: &str, to: &Recipient, message: &Message) -> Result<(), DeliveryError> {
        self.deliver_from(workspace, to, message, 0).await.map_err(|stopped| stopped.error)
    }

    /// A long message goes out in several parts; the ones before `from` arrived in an earlier
    /// attempt.
    #[tracing::instrument(skip(self, message), fields(platform = P::PLATFORM, to = ?to))]
    async fn deliver_from(
        &self,
        workspace: &str,
        to: &Recipient,
        message: &Message,
        from: usize,
    ) -> Result<(), Stopped> {
        let place = async {
            ours::<P>(workspace)?;
            self.place(to).await
        };
        let place = place.await.map_err(|error| Stopped { sent: from, error })?;
        for (n, part) in self.parts(message).iter().enumerate().skip(from) {
            self.post(&place, part).await.map_err(|error| Stopped { sent: n, error })?;
        }
        Ok(())
    }

    #[tracing::instrument(skip(self, file), fields(platform = P::PLATFORM, to = ?to, file = %file.name))]
    async fn deliver_file(&self, workspace: &str, to: &Recipient, file: &Attachment) -> Result<(), DeliveryError> {
        ours::<P>(workspace)?;
        self.post_file(to, file).await
    }
}
