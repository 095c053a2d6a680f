//! Slack's payloads, parsed strictly after the signature is checked: slash commands
//! (form-encoded over HTTP, JSON in Socket Mode), interactions (`block_actions`,
//! `view_submission`, `view_closed`: JSON in the `payload` form field, or in the envelope) and
//! Events API callbacks. Each becomes a [`Request`]; `incoming.rs` turns it into the neutral
//! [`Inbound`](crate::chat::Inbound) with where its replies go. What we send back is in
//! [`blocks`](super::blocks).
//!
//! To handle one more kind of payload: a variant here with its serde shape, a case in
//! [`Request::inbound`], and a test with a payload as Slack sends it.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

pub use super::incoming::{Incoming, METADATA_MAX, MessageRef, Origin, Source, is_user_id, unescape};
pub use crate::transport::incoming::Kind;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("the body is not valid UTF-8")]
    NotUtf8,
    #[error("the form encoding is broken: {0}")]
    BadForm(String),
    #[error("the field '{0}' is missing")]
    Missing(&'static str),
    #[error("the JSON does not have the expected shape: {0}")]
    BadJson(String),
}

/// Decodes `application/x-www-form-urlencoded`, refusing invalid UTF-8 instead of replacing it.
pub fn form(body: &[u8]) -> Result<Vec<(String, String)>, PayloadError> {
    let text = std::str::from_utf8(body).map_err(|_| PayloadError::NotUtf8)?;
    let mut pairs = Vec::new();
    for part in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        pairs.push((decode(k)?, decode(v)?));
    }
    Ok(pairs)
}

fn decode(s: &str) -> Result<String, PayloadError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| PayloadError::BadForm("a % is not followed by two hex digits".into()))?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| PayloadError::NotUtf8)
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A slash command, as sent to the Request URL or in a `slash_commands` envelope.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct SlashCommand {
    pub team_id: String,
    #[serde(default)]
    pub team_domain: Option<String>,
    pub user_id: String,
    #[serde(default)]
    pub user_name: Option<String>,
    pub channel_id: String,
    #[serde(default)]
    pub channel_name: Option<String>,
    #[serde(default)]
    pub command: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub response_url: Option<String>,
    #[serde(default)]
    pub trigger_id: Option<String>,
}

impl SlashCommand {
    pub fn from_form(pairs: &[(String, String)]) -> Result<SlashCommand, PayloadError> {
        let need = |name: &'static str| {
            field(pairs, name).filter(|v| !v.is_empty()).map(str::to_string).ok_or(PayloadError::Missing(name))
        };
        let opt = |name: &str| field(pairs, name).filter(|v| !v.is_empty()).map(str::to_string);
        Ok(SlashCommand {
            team_id: need("team_id")?,
            team_domain: opt("team_domain"),
            user_id: need("user_id")?,
            user_name: opt("user_name"),
            channel_id: need("channel_id")?,
            channel_name: opt("channel_name"),
            command: opt("command").unwrap_or_default(),
            text: field(pairs, "text").unwrap_or("").to_string(),
            response_url: opt("response_url"),
            trigger_id: opt("trigger_id"),
        })
    }

    pub fn from_json(value: Value) -> Result<SlashCommand, PayloadError> {
        let c: SlashCommand = serde_json::from_value(value).map_err(|e| PayloadError::BadJson(e.to_string()))?;
        for (name, v) in [("team_id", &c.team_id), ("user_id", &c.user_id), ("channel_id", &c.channel_id)] {
            if v.is_empty() {
                return Err(PayloadError::Missing(name));
            }
        }
        Ok(c)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct Team {
    pub id: String,
    #[serde(default)]
    pub domain: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub team_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct Channel {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// Where a clicked control lives: a message (with its channel and timestamp) or a view.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct Container {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub message_ts: Option<String>,
    #[serde(default)]
    pub channel_id: Option<String>,
    #[serde(default)]
    pub is_ephemeral: bool,
    #[serde(default)]
    pub view_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct Picked {
    pub value: String,
}

/// One used control, or one input of a submitted view: whatever its element type, its value.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct ElementValue {
    #[serde(default)]
    pub action_id: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub selected_option: Option<Picked>,
    #[serde(default)]
    pub selected_options: Option<Vec<Picked>>,
    #[serde(default)]
    pub selected_user: Option<String>,
    #[serde(default)]
    pub selected_users: Option<Vec<String>>,
}

impl ElementValue {
    /// The picked values; a button has none.
    pub fn values(&self) -> Vec<String> {
        if let Some(options) = &self.selected_options {
            return options.iter().map(|o| o.value.clone()).collect();
        }
        if let Some(users) = &self.selected_users {
            return users.clone();
        }
        if let Some(o) = &self.selected_option {
            return vec![o.value.clone()];
        }
        if let Some(u) = &self.selected_user {
            return vec![u.clone()];
        }
        match (&self.kind[..], &self.value) {
            ("button", _) | (_, None) => Vec::new(),
            (_, Some(v)) => vec![v.clone()],
        }
    }

    /// The value of a form input, as one string (several picks joined by commas).
    pub fn text(&self) -> String {
        match &self.value {
            Some(v) => v.clone(),
            None => self.values().join(","),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct ViewState {
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, ElementValue>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct View {
    pub id: String,
    #[serde(default)]
    pub callback_id: String,
    #[serde(default)]
    pub private_metadata: String,
    #[serde(default)]
    pub state: ViewState,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BlockActions {
    #[serde(default)]
    pub team: Option<Team>,
    pub user: User,
    #[serde(default)]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub container: Container,
    #[serde(default)]
    pub trigger_id: Option<String>,
    #[serde(default)]
    pub response_url: Option<String>,
    #[serde(default)]
    pub actions: Vec<ElementValue>,
    #[serde(default)]
    pub view: Option<View>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ViewSubmission {
    #[serde(default)]
    pub team: Option<Team>,
    pub user: User,
    #[serde(default)]
    pub trigger_id: Option<String>,
    pub view: View,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type")]
pub enum Interaction {
    #[serde(rename = "block_actions")]
    BlockActions(BlockActions),
    #[serde(rename = "view_submission")]
    ViewSubmission(ViewSubmission),
    #[serde(rename = "view_closed")]
    ViewClosed {},
    /// Shortcuts and the like, which this app does not declare.
    #[serde(other)]
    Other,
}

impl Interaction {
    /// From the `payload` field of an interaction request.
    pub fn from_form(pairs: &[(String, String)]) -> Result<Interaction, PayloadError> {
        let payload = field(pairs, "payload").ok_or(PayloadError::Missing("payload"))?;
        let value: Value = serde_json::from_str(payload).map_err(|e| PayloadError::BadJson(e.to_string()))?;
        Interaction::from_json(value)
    }

    pub fn from_json(value: Value) -> Result<Interaction, PayloadError> {
        serde_json::from_value(value).map_err(|e| PayloadError::BadJson(e.to_string()))
    }
}

/// An Events API body.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type")]
pub enum EventBody {
    #[serde(rename = "url_verification")]
    UrlVerification { challenge: String },
    #[serde(rename = "event_callback")]
    Callback { team_id: String, event_id: String, event: Event },
    #[serde(other)]
    Other,
}

impl EventBody {
    pub fn parse(body: &[u8]) -> Result<EventBody, PayloadError> {
        std::str::from_utf8(body).map_err(|_| PayloadError::NotUtf8)?;
        serde_json::from_slice(body).map_err(|e| PayloadError::BadJson(e.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    /// Someone wrote `@kakehashi show N-3` in a channel the bot is in.
    #[serde(rename = "app_mention")]
    Mention {
        #[serde(default)]
        user: Option<String>,
        #[serde(default)]
        bot_id: Option<String>,
        text: String,
        channel: String,
    },
    /// A message in a conversation the bot is subscribed to: its DM (the Messages tab), where
    /// what a person types is read as a command.
    #[serde(rename = "message")]
    Message {
        #[serde(default)]
        channel_type: Option<String>,
        #[serde(default)]
        user: Option<String>,
        #[serde(default)]
        bot_id: Option<String>,
        /// Edits, deletions, joins…: not something a person said to the bot.
        #[serde(default)]
        subtype: Option<String>,
        #[serde(default)]
        text: String,
        channel: String,
    },
    #[serde(rename = "app_uninstalled")]
    Uninstalled {},
    #[serde(rename = "tokens_revoked")]
    TokensRevoked {},
    #[serde(other)]
    Other,
}

/// Something Slack sent, parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Command(SlashCommand),
    Interaction(Box<Interaction>),
    Event(EventBody),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_decoding_is_strict_about_utf8_and_escapes() {
        let pairs = form(b"a=1&text=need+R%26D+%E3%81%82&empty=&flag").unwrap();
        assert_eq!(
            pairs,
            [
                ("a".into(), "1".into()),
                ("text".into(), "need R&D あ".into()),
                ("empty".into(), "".into()),
                ("flag".into(), "".into())
            ]
        );
        assert_eq!(form(b"text=%FF%FE"), Err(PayloadError::NotUtf8));
        assert_eq!(form(b"text=\xff"), Err(PayloadError::NotUtf8));
        assert!(matches!(form(b"text=%4"), Err(PayloadError::BadForm(_))));
        assert!(matches!(form(b"text=%zz"), Err(PayloadError::BadForm(_))));
    }

    #[test]
    fn selects_and_user_pickers_carry_what_was_picked() {
        let multi: ElementValue = serde_json::from_value(json!({
            "action_id": "p:N-1:fit", "type": "multi_static_select",
            "selected_options": [{"text": {"type": "plain_text", "text": "x"}, "value": "volume"}, {"value": "drift"}]
        }))
        .unwrap();
        assert_eq!(multi.values(), ["volume", "drift"]);
        let one: ElementValue = serde_json::from_value(json!({
            "action_id": "e:N-1", "type": "static_select", "selected_option": {"value": "action"}
        }))
        .unwrap();
        assert_eq!(one.values(), ["action"]);
        let user: ElementValue =
            serde_json::from_value(json!({"action_id": "x", "type": "users_select", "selected_user": "U7"})).unwrap();
        assert_eq!(user.values(), ["U7"]);
        let none: ElementValue =
            serde_json::from_value(json!({"action_id": "x", "type": "multi_static_select", "selected_options": []}))
                .unwrap();
        assert!(none.values().is_empty());
    }

    #[test]
    fn url_verification_and_other_events_parse() {
        let v = EventBody::parse(br#"{"type":"url_verification","challenge":"abc","token":"x"}"#).unwrap();
        assert_eq!(v, EventBody::UrlVerification { challenge: "abc".into() });
        let other = EventBody::parse(
            br#"{"type":"event_callback","team_id":"T1","event_id":"Ev3","event":{"type":"reaction_added"}}"#,
        )
        .unwrap();
        assert!(matches!(other, EventBody::Callback { event: Event::Other, .. }));
        assert_eq!(EventBody::parse(b"\xff"), Err(PayloadError::NotUtf8));
        assert!(EventBody::parse(b"{}").is_err());
    }
}
