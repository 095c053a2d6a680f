//! Messages that are not replies, on Discord: to a person, open (or find) the DM channel and
//! post there; to a channel, post there. A rate limit, a Discord failure (5xx) or a lost
//! connection is a [`DeliveryError::Retry`] (with Discord's `retry_after` when it said one); a
//! refusal (the bot cannot see the channel, the user or channel does not exist, a bad token) is
//! [`DeliveryError::Fatal`].

use std::sync::Arc;

use async_trait::async_trait;
use serenity::all::ChannelId;

use super::api::{ApiError, DiscordApi};
use super::render::{self, Out, snowflake};
use crate::chat::{Attachment, Message, Recipient};
use crate::outbox::DeliveryError;
use crate::transport::post::Post;

pub struct DiscordDeliver {
    pub api: Arc<DiscordApi>,
}

#[async_trait]
impl Post for DiscordDeliver {
    const PLATFORM: &'static str = "Discord";
    const PREFIX: &'static str = "discord:";
    type Part = Out;
    type Place = ChannelId;

    fn parts(&self, message: &Message) -> Vec<Out> {
        render::message(message)
    }

    /// The DM channel for a person, the channel itself otherwise.
    async fn place(&self, to: &Recipient) -> Result<ChannelId, DeliveryError> {
        match to {
            Recipient::User(user) => {
                let id = snowflake(user)
                    .ok_or_else(|| DeliveryError::Fatal { reason: format!("'{user}' is not a Discord user id") })?;
                self.api.dm_channel(id).await.map_err(failure)
            }
            Recipient::Channel(channel) => {
                let id = snowflake(channel).ok_or_else(|| DeliveryError::Fatal {
                    reason: format!("'{channel}' is not a Discord channel id"),
                })?;
                Ok(ChannelId::new(id))
            }
        }
    }

    async fn post(&self, channel: &ChannelId, page: &Out) -> Result<(), DeliveryError> {
        self.api.post_message(*channel, &page.channel_message()).await.map_err(failure)
    }

    async fn post_file(&self, to: &Recipient, file: &Attachment) -> Result<(), DeliveryError> {
        let channel = self.place(to).await?;
        let upload = serenity::all::CreateAttachment::bytes(file.bytes.clone(), file.name.clone());
        let comment = render::UNIT.shorten(&render::escape(&file.comment, true), 2000);
        self.api.post_file(channel, upload, &comment).await.map_err(failure)
    }
}

fn failure(e: ApiError) -> DeliveryError {
    match &e {
        ApiError::Status { retry_after, .. } if e.is_temporary() => {
            DeliveryError::Retry { after: *retry_after, reason: e.to_string() }
        }
        ApiError::Connection(_) => DeliveryError::Retry { after: None, reason: e.to_string() },
        _ => DeliveryError::Fatal { reason: e.to_string() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn status(status: u16, retry_after: Option<Duration>) -> ApiError {
        ApiError::Status { status, retry_after, code: None, message: "m".into() }
    }

    #[test]
    fn rate_limits_server_errors_and_lost_connections_are_retried_refusals_are_not() {
        let wait = Some(Duration::from_millis(1500));
        assert!(matches!(failure(status(429, wait)), DeliveryError::Retry { after, .. } if after == wait));
        assert!(matches!(failure(status(502, None)), DeliveryError::Retry { after: None, .. }));
        assert!(matches!(failure(ApiError::Connection("refused".into())), DeliveryError::Retry { .. }));
        for s in [400, 401, 403, 404] {
            assert!(matches!(failure(status(s, None)), DeliveryError::Fatal { .. }), "{s}");
        }
    }
}
