//! What kakehashi sends to Slack, as typed serde structs: Block Kit (text objects, blocks,
//! elements, modal views), the bodies of the Web API methods that carry it (chat.postMessage,
//! chat.postEphemeral, chat.update, views.open/push/update), the `response_url` body and the
//! acknowledgements. What Slack sends us is in [`payload`](super::payload).
//!
//! Only the fields kakehashi uses are modelled; an optional one is left out of the JSON when it
//! is not set, as Slack documents. The builders in `render.rs`, `controls.rs` and `modal.rs`
//! keep Slack's limits; these types only give the JSON its shape.
//!
//! To send one more kind of block or element: a variant here with its fields as Slack names
//! them, and a test in the builder that shows its JSON.

use std::collections::BTreeMap;

use serde::Serialize;

/// A text object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Text {
    /// Shown as it is; emoji codes become emoji.
    PlainText { text: String, emoji: bool },
    /// mrkdwn, `verbatim`: Slack links and mentions nothing on its own.
    Mrkdwn { text: String, verbatim: bool },
}

impl Text {
    pub fn plain(text: impl Into<String>) -> Text {
        Text::PlainText { text: text.into(), emoji: true }
    }

    pub fn mrkdwn(text: impl Into<String>) -> Text {
        Text::Mrkdwn { text: text.into(), verbatim: true }
    }

    pub fn text(&self) -> &str {
        match self {
            Text::PlainText { text, .. } | Text::Mrkdwn { text, .. } => text,
        }
    }
}

/// A layout block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Header {
        text: Text,
    },
    Section {
        #[serde(skip_serializing_if = "Option::is_none")]
        text: Option<Text>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        fields: Vec<Text>,
    },
    Context {
        elements: Vec<Text>,
    },
    Divider,
    Actions {
        elements: Vec<Element>,
    },
    Input {
        block_id: String,
        optional: bool,
        label: Text,
        element: Input,
        #[serde(skip_serializing_if = "Option::is_none")]
        hint: Option<Text>,
    },
}

impl Block {
    /// A section of mrkdwn.
    pub fn section(mrkdwn: impl Into<String>) -> Block {
        Block::Section { text: Some(Text::mrkdwn(mrkdwn)), fields: Vec::new() }
    }

    /// A context line of mrkdwn.
    pub fn context(mrkdwn: impl Into<String>) -> Block {
        Block::Context { elements: vec![Text::mrkdwn(mrkdwn)] }
    }
}

/// An interactive element of an `actions` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Element {
    Button {
        action_id: String,
        text: Text,
        #[serde(skip_serializing_if = "Option::is_none")]
        style: Option<ButtonStyle>,
    },
    UsersSelect {
        action_id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        placeholder: Option<Text>,
    },
    StaticSelect {
        action_id: String,
        options: Vec<Choice>,
        #[serde(skip_serializing_if = "Option::is_none")]
        placeholder: Option<Text>,
        #[serde(skip_serializing_if = "Option::is_none")]
        initial_option: Option<Choice>,
    },
    MultiStaticSelect {
        action_id: String,
        options: Vec<Choice>,
        #[serde(skip_serializing_if = "Option::is_none")]
        placeholder: Option<Text>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        initial_options: Vec<Choice>,
    },
}

impl Element {
    pub fn action_id(&self) -> &str {
        match self {
            Element::Button { action_id, .. }
            | Element::UsersSelect { action_id, .. }
            | Element::StaticSelect { action_id, .. }
            | Element::MultiStaticSelect { action_id, .. } => action_id,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ButtonStyle {
    Primary,
    Danger,
}

/// An option of a select.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub text: Text,
    pub value: String,
}

/// The element of an `input` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Input {
    PlainTextInput {
        action_id: String,
        multiline: bool,
        max_length: usize,
        #[serde(skip_serializing_if = "Option::is_none")]
        initial_value: Option<String>,
    },
}

/// A view: kakehashi's are modals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum View {
    Modal {
        /// Which form it is; a view that only says something has none.
        #[serde(skip_serializing_if = "Option::is_none")]
        callback_id: Option<String>,
        title: Text,
        #[serde(skip_serializing_if = "Option::is_none")]
        submit: Option<Text>,
        private_metadata: String,
        blocks: Vec<Block>,
    },
}

/// One message as Slack takes it: blocks and the notification text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlackMessage {
    pub blocks: Vec<Block>,
    pub text: String,
}

/// Who sees a message posted through a `response_url`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseType {
    Ephemeral,
    InChannel,
}

/// The body of a `response_url` post, or of a slash command's acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResponseBody {
    #[serde(flatten)]
    pub message: SlackMessage,
    pub replace_original: bool,
    /// Only for a new message: a replacement keeps the visibility of the one it replaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_type: Option<ResponseType>,
}

/// chat.postMessage, chat.postEphemeral (with `user`) and chat.update (with `ts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatMessage<'a> {
    pub channel: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ts: Option<&'a str>,
    #[serde(flatten)]
    pub message: &'a SlackMessage,
    /// chat.postMessage only: no previews of links and media a person typed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unfurl_links: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unfurl_media: Option<bool>,
}

impl<'a> ChatMessage<'a> {
    /// chat.postMessage, without unfurling.
    pub fn post(channel: &'a str, message: &'a SlackMessage) -> ChatMessage<'a> {
        ChatMessage { channel, user: None, ts: None, message, unfurl_links: Some(false), unfurl_media: Some(false) }
    }

    /// chat.postEphemeral, seen by `user` only.
    pub fn ephemeral(channel: &'a str, user: &'a str, message: &'a SlackMessage) -> ChatMessage<'a> {
        ChatMessage { channel, user: Some(user), ts: None, message, unfurl_links: None, unfurl_media: None }
    }

    /// chat.update of the message at `ts`.
    pub fn update(channel: &'a str, ts: &'a str, message: &'a SlackMessage) -> ChatMessage<'a> {
        ChatMessage { channel, user: None, ts: Some(ts), message, unfurl_links: None, unfurl_media: None }
    }
}

/// views.open and views.push (by `trigger_id`), views.update (by `view_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViewCall<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub view_id: Option<&'a str>,
    pub view: &'a View,
}

/// One file of files.completeUploadExternal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UploadedFile<'a> {
    pub id: &'a str,
    pub title: &'a str,
}

/// What a submitted modal's acknowledgement does with the modal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "response_action", rename_all = "snake_case")]
pub enum ResponseAction {
    /// Shows it again with an error under each named block.
    Errors { errors: BTreeMap<String, String> },
    /// Replaces it.
    Update { view: View },
}

/// The body of an acknowledgement that says something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AckBody {
    /// A slash command's reply.
    Message(ResponseBody),
    /// A submitted modal's fate.
    Action(ResponseAction),
    /// The Events API's URL check.
    Challenge { challenge: String },
}

/// The acknowledgement of a Socket Mode envelope, with the acknowledgement's body if it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvelopeAck<'a> {
    pub envelope_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<&'a AckBody>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message() -> SlackMessage {
        SlackMessage { blocks: vec![Block::section("hi"), Block::Divider], text: "hi".into() }
    }

    #[test]
    fn blocks_and_text_objects_have_slacks_shape() {
        let v = serde_json::to_value(message()).unwrap();
        assert_eq!(
            v,
            json!({
                "blocks": [
                    {"type": "section", "text": {"type": "mrkdwn", "text": "hi", "verbatim": true}},
                    {"type": "divider"}
                ],
                "text": "hi"
            })
        );
        let button =
            Element::Button { action_id: "x".into(), text: Text::plain("X"), style: Some(ButtonStyle::Danger) };
        assert_eq!(
            serde_json::to_value(button).unwrap(),
            json!({"type": "button", "action_id": "x", "text": {"type": "plain_text", "text": "X", "emoji": true}, "style": "danger"})
        );
    }

    #[test]
    fn method_bodies_carry_only_what_each_method_takes() {
        let m = message();
        let post = serde_json::to_value(ChatMessage::post("C1", &m)).unwrap();
        assert_eq!(post["unfurl_links"], false);
        assert_eq!(post["unfurl_media"], false);
        assert!(post.get("user").is_none() && post.get("ts").is_none());
        let ephemeral = serde_json::to_value(ChatMessage::ephemeral("C1", "U1", &m)).unwrap();
        assert_eq!(ephemeral["user"], "U1");
        assert!(ephemeral.get("unfurl_links").is_none());
        let update = serde_json::to_value(ChatMessage::update("C1", "1.2", &m)).unwrap();
        assert_eq!(update["ts"], "1.2");
        assert_eq!(update["blocks"][1]["type"], "divider");
        let body = ResponseBody { message: m, replace_original: false, response_type: Some(ResponseType::InChannel) };
        let v = serde_json::to_value(AckBody::Message(body)).unwrap();
        assert_eq!(v["response_type"], "in_channel");
        assert_eq!(v["replace_original"], false);
        let errors = ResponseAction::Errors { errors: [("answer".to_string(), "bad".to_string())].into() };
        assert_eq!(
            serde_json::to_value(AckBody::Action(errors)).unwrap(),
            json!({"response_action": "errors", "errors": {"answer": "bad"}})
        );
        assert_eq!(
            serde_json::to_value(AckBody::Challenge { challenge: "c".into() }).unwrap(),
            json!({"challenge": "c"})
        );
    }
}
