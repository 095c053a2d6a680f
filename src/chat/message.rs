//! What flows in and out of the conversation engine, in no platform's terms.
//!
//! Transports turn a platform payload into an [`Inbound`] and render each [`Outbound`] in the
//! platform's own format (Block Kit, Discord components, terminal text). Text reaches them as
//! [`Span`]s: plain text is always shown as typed (escaped where the platform has markup), and
//! the only mentions are [`Span::User`] spans the bot built from ids.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::{Lang, UserId, WorkspaceId};

/// One thing a person did: typed a command, clicked or picked, or submitted a form.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    pub workspace: WorkspaceRef,
    pub actor: Actor,
    pub place: Place,
    pub event: InboundEvent,
}

/// A Slack team, a Discord guild, or the local console workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkspaceRef {
    /// Unique across platforms: `console:local`, `slack:T0123`, `discord:81234…`.
    pub id: WorkspaceId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Actor {
    pub id: UserId,
    pub name: String,
    /// The person's own language, when the platform tells it.
    pub locale: Option<Lang>,
    /// The platform says this person administers the workspace (Discord: Manage Server).
    pub workspace_admin: bool,
}

/// Where the event happened, so replies go back there.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub channel: String,
    pub direct: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum InboundEvent {
    /// The text after the slash command, e.g. `need Forecast weekly demand`.
    Command { text: String },
    /// A button click (no values) or a select choice (the picked values).
    Action { id: String, values: Vec<String> },
    /// A submitted form, by field id.
    Form { id: String, values: BTreeMap<String, String> },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outbound {
    Message(Message),
    Form(Form),
    /// A file for the actor (an export), with a message to go with it.
    File(Attachment),
}

impl Outbound {
    /// The replies with each run of neighbouring messages joined as [`Message::merge_while`]
    /// joins them; forms and files stay where they were, between the runs.
    pub fn merge_messages(replies: Vec<Outbound>, fits: impl Fn(&Message) -> bool) -> Vec<Outbound> {
        let mut out = Vec::with_capacity(replies.len());
        let mut run: Vec<Message> = Vec::new();
        let flush = |run: &mut Vec<Message>, out: &mut Vec<Outbound>| {
            out.extend(Message::merge_while(std::mem::take(run), &fits).into_iter().map(Outbound::Message));
        };
        for reply in replies {
            match reply {
                Outbound::Message(m) => run.push(m),
                other => {
                    flush(&mut run, &mut out);
                    out.push(other);
                }
            }
        }
        flush(&mut run, &mut out);
        out
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    #[serde(with = "base64_bytes")]
    pub bytes: Vec<u8>,
    pub comment: String,
}

/// Bytes as base64 in JSON (the outbox stores attachments that way).
mod base64_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

pub use crate::domain::Recipient;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Visibility {
    /// Only the actor sees it (an ephemeral message or a DM).
    Private,
    /// Everyone in the place sees it.
    Public,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub visibility: Visibility,
    /// Replace the message whose control was used (the checklist updates in place).
    pub replace: bool,
    pub blocks: Vec<Block>,
}

impl Message {
    /// Neighbouring messages of one visibility joined into one while the joined message still
    /// `fits` the platform (one message there, not several): a reply of "saved" and the first
    /// question goes out as one post. The joined message replaces the clicked one if either did.
    pub fn merge_while(messages: Vec<Message>, fits: impl Fn(&Message) -> bool) -> Vec<Message> {
        let mut merged: Vec<Message> = Vec::new();
        for m in messages {
            if let Some(last) = merged.last_mut()
                && last.visibility == m.visibility
            {
                let mut joined = last.clone();
                joined.replace |= m.replace;
                joined.blocks.extend(m.blocks.iter().cloned());
                if fits(&joined) {
                    *last = joined;
                    continue;
                }
            }
            merged.push(m);
        }
        merged
    }

    pub fn private(blocks: Vec<Block>) -> Message {
        Message { visibility: Visibility::Private, replace: false, blocks }
    }

    pub fn replacing(mut self) -> Message {
        self.replace = true;
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Block {
    Heading(String),
    Text(Vec<Span>),
    /// Label and value pairs, laid out side by side where the platform can.
    Fields(Vec<(String, Vec<Span>)>),
    /// Small print: progress, hints, ids.
    Context(Vec<Span>),
    /// A bulleted list.
    List(Vec<Vec<Span>>),
    Divider,
    Controls(Vec<Control>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Span {
    Plain(String),
    Bold(String),
    Code(String),
    /// A mention the bot means to make, by id.
    User(UserId),
    /// A channel, by id, shown the way the platform links a channel (it notifies nobody).
    Channel(String),
}

impl Span {
    pub fn plain(s: impl Into<String>) -> Span {
        Span::Plain(s.into())
    }
}

/// Plain text as one span: `text("…")`.
pub fn text(s: impl Into<String>) -> Vec<Span> {
    vec![Span::Plain(s.into())]
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Control {
    Button(Button),
    Select(Select),
    /// Pick a person of the workspace; the action's value is their user id.
    UserPicker(UserPicker),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserPicker {
    pub action: String,
    pub placeholder: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Style {
    Default,
    Primary,
    Danger,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Button {
    /// The action id it sends back (at most 100 characters, Discord's limit).
    pub action: String,
    pub label: String,
    pub style: Style,
    /// A navigation button the console offers as a word (`/back`) rather than a number.
    pub key: Option<String>,
    /// Clicking it opens a form (the console opens it at once).
    pub opens_form: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Select {
    pub action: String,
    pub placeholder: String,
    pub options: Vec<SelectOption>,
    /// Several may be picked.
    pub multi: bool,
    pub initial: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
}

/// A form to fill in: a modal on Slack and Discord, prompts in the console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Form {
    pub id: String,
    pub title: String,
    pub submit: String,
    pub fields: Vec<Field>,
    /// Problems with the last submission, by field id; the form is shown again with them.
    pub errors: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub id: String,
    pub label: String,
    pub hint: Option<String>,
    pub kind: FieldKind,
    pub required: bool,
    pub initial: Option<String>,
    pub max_len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldKind {
    Short,
    Long,
    Number,
}

/// What an outbox row carries: a message or a file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Payload {
    Message { message: Message },
    File { file: Attachment },
}

/// An outbox row to write with the change that causes it.
pub fn notice(
    workspace: &str,
    to: Recipient,
    payload: &Payload,
    at: chrono::DateTime<chrono::Utc>,
) -> crate::storage::NewNotice {
    crate::storage::NewNotice {
        workspace: workspace.to_string(),
        recipient: to,
        payload: serde_json::to_string(payload).expect("a payload serialises"),
        at,
    }
}
