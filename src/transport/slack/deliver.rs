//! Posting without a request to answer: [`SlackDeliver`] sends the bot's own messages (a DM to a
//! requester, a card in a channel) and files, and the helpers here post, open DMs and upload for
//! the rest of the transport.
//!
//! A delivery tries once and says what to do next: [`DeliveryError::Retry`] (with Slack's
//! `Retry-After`) for rate limits, server errors and dropped connections; [`DeliveryError::Fatal`]
//! for what will never work (`channel_not_found`, `not_in_channel`, a revoked token).

use async_trait::async_trait;
use serde_json::{Value, json};

use super::api::{ApiError, SlackApi, delivery_error};
use super::render::{self, SlackMessage};
use super::reply::Target;
use crate::chat::{Attachment, Message, Recipient};
use crate::delivery::{Deliver, DeliveryError, Stopped};
use crate::domain::id::{Platform, platform_of};

/// The conversation to post into: a channel as it is, a person's DM through conversations.open.
pub(crate) async fn channel_for(api: &SlackApi, to: &Target) -> Result<String, ApiError> {
    match to {
        Target::Channel(c) => Ok(c.clone()),
        Target::User(user) => {
            let answer = api.call_form("conversations.open", &[("users", user.clone())]).await?;
            answer
                .pointer("/channel/id")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| ApiError::Decode { method: "conversations.open".into() })
        }
    }
}

/// chat.postMessage, or chat.postEphemeral when `ephemeral_for` names the one who sees it.
pub(crate) async fn post(
    api: &SlackApi,
    to: &Target,
    message: &SlackMessage,
    ephemeral_for: Option<&str>,
) -> Result<(), ApiError> {
    let channel = channel_for(api, to).await?;
    match ephemeral_for {
        Some(user) => api
            .call(
                "chat.postEphemeral",
                &json!({"channel": channel, "user": user, "blocks": message.blocks, "text": message.text}),
            )
            .await
            .map(drop),
        None => api
            .call(
                "chat.postMessage",
                &json!({
                    "channel": channel,
                    "blocks": message.blocks,
                    "text": message.text,
                    "unfurl_links": false,
                    "unfurl_media": false,
                }),
            )
            .await
            .map(drop),
    }
}

/// chat.update of a message the bot posted earlier.
pub(crate) async fn update(api: &SlackApi, channel: &str, ts: &str, message: &SlackMessage) -> Result<(), ApiError> {
    api.call("chat.update", &json!({"channel": channel, "ts": ts, "blocks": message.blocks, "text": message.text}))
        .await
        .map(drop)
}

/// A file into a conversation: an upload URL, the bytes, then the file shared with a comment.
pub(crate) async fn upload(api: &SlackApi, to: &Target, file: &Attachment) -> Result<(), ApiError> {
    let channel = channel_for(api, to).await?;
    let name = if file.name.trim().is_empty() { "kakehashi" } else { file.name.trim() };
    let slot = api
        .call_form(
            "files.getUploadURLExternal",
            &[("filename", name.to_string()), ("length", file.bytes.len().to_string())],
        )
        .await?;
    let missing = || ApiError::Decode { method: "files.getUploadURLExternal".into() };
    let url = slot.get("upload_url").and_then(Value::as_str).ok_or_else(missing)?;
    let id = slot.get("file_id").and_then(Value::as_str).ok_or_else(missing)?;
    api.upload(url, &file.bytes, &file.content_type).await?;
    api.call_form(
        "files.completeUploadExternal",
        &[
            ("files", json!([{"id": id, "title": name}]).to_string()),
            ("channel_id", channel),
            ("initial_comment", render::escape(&file.comment)),
        ],
    )
    .await
    .map(drop)
}

/// Sends the bot's own messages and files to a person or a channel of the bot's workspace.
#[derive(Debug, Clone)]
pub struct SlackDeliver {
    api: SlackApi,
}

impl SlackDeliver {
    /// `api` is used as it is; give it [`RetryPolicy::ONCE`](super::api::RetryPolicy::ONCE) so
    /// the caller's queue decides when to try again.
    pub fn new(api: SlackApi) -> SlackDeliver {
        SlackDeliver { api }
    }
}

fn target(to: &Recipient) -> Target {
    match to {
        Recipient::User(u) => Target::User(u.to_string()),
        Recipient::Channel(c) => Target::Channel(c.clone()),
    }
}

#[async_trait]
impl Deliver for SlackDeliver {
    async fn deliver(&self, workspace: &str, to: &Recipient, message: &Message) -> Result<(), DeliveryError> {
        self.deliver_from(workspace, to, message, 0).await.map_err(|stopped| stopped.error)
    }

    /// A long message goes out as several posts (Slack's 50-block limit); the ones before `from`
    /// arrived in an earlier attempt.
    #[tracing::instrument(skip(self, message), fields(to = ?to))]
    async fn deliver_from(
        &self,
        workspace: &str,
        to: &Recipient,
        message: &Message,
        from: usize,
    ) -> Result<(), Stopped> {
        if platform_of(workspace) != Some(Platform::Slack) {
            let error = DeliveryError::Fatal { reason: format!("{workspace} is not a Slack workspace") };
            return Err(Stopped { sent: from, error });
        }
        let channel =
            channel_for(&self.api, &target(to)).await.map_err(|e| Stopped { sent: from, error: delivery_error(&e) })?;
        for (n, part) in render::message(message).iter().enumerate().skip(from) {
            post(&self.api, &Target::Channel(channel.clone()), part, None)
                .await
                .map_err(|e| Stopped { sent: n, error: delivery_error(&e) })?;
        }
        Ok(())
    }
    /// A file (a chart, an export) to a person (in their DM) or a channel: Slack's external upload
    /// flow.
    #[tracing::instrument(skip(self, file), fields(to = ?to, file = %file.name))]
    async fn deliver_file(&self, workspace: &str, to: &Recipient, file: &Attachment) -> Result<(), DeliveryError> {
        if platform_of(workspace) != Some(Platform::Slack) {
            return Err(DeliveryError::Fatal { reason: format!("{workspace} is not a Slack workspace") });
        }
        upload(&self.api, &target(to), file).await.map_err(|e| delivery_error(&e))
    }
}
