//! Posting without a request to answer: [`SlackDeliver`] sends the bot's own messages (a DM to a
//! requester, a card in a channel) and files, and the helpers here post, open DMs and upload for
//! the rest of the transport.
//!
//! A delivery tries once and says what to do next: [`DeliveryError::Retry`] (with Slack's
//! `Retry-After`) for rate limits, server errors and dropped connections; [`DeliveryError::Fatal`]
//! for what will never work (`channel_not_found`, `not_in_channel`, a revoked token).

use async_trait::async_trait;
use serde_json::Value;

use super::api::{ApiError, SlackApi, delivery_error};
use super::blocks::{ChatMessage, SlackMessage, UploadedFile};
use super::render;
use super::reply::Target;
use crate::chat::{Attachment, Message, Recipient};
use crate::outbox::DeliveryError;
use crate::transport::post::Post;

/// The conversation to post into: a channel as it is, a person's DM through conversations.open.
pub(crate) async fn channel_for(api: &SlackApi, to: &Target) -> Result<String, ApiError> {
    match to {
        Target::Channel(c) => Ok(c.clone()),
        Target::User(user) => {
            if let Some(channel) = api.dms().get(user) {
                return Ok(channel);
            }
            let answer = api.call_form("conversations.open", &[("users", user.clone())]).await?;
            let channel = answer
                .pointer("/channel/id")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| ApiError::Decode { method: "conversations.open".into() })?;
            api.dms().remember(user, &channel);
            Ok(channel)
        }
    }
}

/// After Slack refused a post into `channel`: if it is a remembered DM, it is opened afresh next
/// time (it may have been closed or archived since).
fn forget_on_failure<T>(api: &SlackApi, channel: &str, result: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(ApiError::Slack { .. }) = &result {
        api.dms().forget_channel(channel);
    }
    result
}

/// chat.postMessage, or chat.postEphemeral when `ephemeral_for` names the one who sees it.
pub(crate) async fn post(
    api: &SlackApi,
    to: &Target,
    message: &SlackMessage,
    ephemeral_for: Option<&str>,
) -> Result<(), ApiError> {
    let channel = channel_for(api, to).await?;
    let posted = match ephemeral_for {
        Some(user) => api.call("chat.postEphemeral", &ChatMessage::ephemeral(&channel, user, message)).await.map(drop),
        None => api.call("chat.postMessage", &ChatMessage::post(&channel, message)).await.map(drop),
    };
    forget_on_failure(api, &channel, posted)
}

/// chat.update of a message the bot posted earlier.
pub(crate) async fn update(api: &SlackApi, channel: &str, ts: &str, message: &SlackMessage) -> Result<(), ApiError> {
    api.call("chat.update", &ChatMessage::update(channel, ts, message)).await.map(drop)
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
            ("files", serde_json::to_string(&[UploadedFile { id, title: name }]).unwrap_or_default()),
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
impl Post for SlackDeliver {
    const PLATFORM: &'static str = "Slack";
    const PREFIX: &'static str = "slack:";
    type Part = SlackMessage;
    /// The conversation's id.
    type Place = String;

    /// Several posts for a message over Slack's 50-block limit.
    fn parts(&self, message: &Message) -> Vec<SlackMessage> {
        render::message(message)
    }

    async fn place(&self, to: &Recipient) -> Result<String, DeliveryError> {
        channel_for(&self.api, &target(to)).await.map_err(|e| delivery_error(&e))
    }

    async fn post(&self, channel: &String, part: &SlackMessage) -> Result<(), DeliveryError> {
        post(&self.api, &Target::Channel(channel.clone()), part, None).await.map_err(|e| delivery_error(&e))
    }

    /// A file (a chart, an export) to a person (in their DM) or a channel: Slack's external upload
    /// flow.
    async fn post_file(&self, to: &Recipient, file: &Attachment) -> Result<(), DeliveryError> {
        upload(&self.api, &target(to), file).await.map_err(|e| delivery_error(&e))
    }
}
