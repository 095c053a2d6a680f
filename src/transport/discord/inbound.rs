//! A Discord interaction (as serenity reads it, from the gateway or the endpoint) in the
//! conversation's terms: an [`Inbound`] event, plus what is needed to answer it ([`Origin`]: the
//! interaction's token, its [`Kind`] — the platforms' shared one — and whether it came from a
//! message). What is Discord's own and what is shared is decided in
//! [`transport::incoming`](crate::transport::incoming).
//!
//! - workspace: `discord:{guild_id}`; in a direct message with the bot, `discord:dm:{user_id}`
//!   (each person's DMs are a workspace of their own);
//! - actor: the Discord user id, their language when Discord's locale is one kakehashi speaks,
//!   and `workspace_admin` when their permissions include Manage Server (or Administrator);
//! - place: the channel, `direct` outside a guild;
//! - a slash command becomes its text line, a click or pick the component's custom id with the
//!   picked values, a modal submission the modal's custom id with each input's value.

use std::collections::BTreeMap;

use serenity::all::{
    ActionRowComponent, ApplicationId, ChannelId, CommandInteraction, ComponentInteraction,
    ComponentInteractionDataKind, GuildId, Interaction, InteractionId, Member, ModalInteraction, Permissions, User,
};

use super::commands::Invoked;
use super::render::strip_suffix;
use crate::chat::{Actor, Inbound, InboundEvent, Place, WorkspaceRef};
use crate::domain::Lang;

/// What it takes to answer an interaction later (a follow-up, an edit).
#[derive(Clone)]
pub struct Origin {
    pub interaction: InteractionId,
    pub application: ApplicationId,
    /// The interaction's token: valid 15 minutes, never logged.
    pub token: String,
    /// What kind of interaction: a command, a component used, a modal submitted.
    pub kind: Kind,
    /// It came from a message — a component on it, or a modal opened from its button — which
    /// its answer may update in place (Discord's own: Slack keeps the message in its origin).
    pub on_message: bool,
    /// The largest file, in bytes, a reply to this interaction may carry (Discord's
    /// `attachment_size_limit`: 10 MiB unless the server is boosted).
    pub attachment_limit: u32,
}

impl std::fmt::Debug for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Origin")
            .field("interaction", &self.interaction)
            .field("kind", &self.kind)
            .field("on_message", &self.on_message)
            .finish_non_exhaustive()
    }
}

/// The kind of an interaction is the platforms' shared one.
pub use crate::transport::incoming::Kind;

/// What an interaction asks of the bot: an event to handle, or one of Discord's own requests.
/// (Slack's request is an event or nothing; this wrapper stays Discord's, see
/// [`transport::incoming`](crate::transport::incoming).)
pub enum Incoming {
    Ping,
    Event(Box<Inbound>, Origin),
    /// Someone is typing an option that suggests values.
    Autocomplete {
        inbound: Box<Inbound>,
        invoked: Invoked,
    },
    /// Something kakehashi does not offer (a role select, a context-menu command).
    Unsupported(&'static str),
    /// A command naming a channel no message can be posted in (its name): refused as it is.
    Unpostable(Box<Inbound>, Origin, String),
}

/// Keys under which serenity reads an image hash (a user's `avatar`, a guild's `icon`…).
const IMAGE_HASH_KEYS: &[&str] =
    &["avatar", "banner", "icon", "icon_hash", "splash", "discovery_splash", "asset", "badge", "cover_image", "image"];

/// An interaction body, read as serenity reads it. What serenity 0.12 would panic on rather than
/// refuse is refused first: an image hash that is not ASCII (serenity cuts a 32-byte one in
/// two-byte steps, which panics inside a multi-byte character). Discord sends hex there.
pub fn parse(body: &[u8]) -> Result<Interaction, String> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if let Some(key) = non_ascii_image_hash(&value) {
        return Err(format!("'{key}' is not an image hash"));
    }
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

fn non_ascii_image_hash(v: &serde_json::Value) -> Option<&str> {
    match v {
        serde_json::Value::Object(m) => m.iter().find_map(|(k, x)| match x {
            serde_json::Value::String(s) if !s.is_ascii() && IMAGE_HASH_KEYS.contains(&k.as_str()) => Some(k.as_str()),
            x => non_ascii_image_hash(x),
        }),
        serde_json::Value::Array(a) => a.iter().find_map(non_ascii_image_hash),
        _ => None,
    }
}

pub fn read(interaction: &Interaction) -> Incoming {
    match interaction {
        Interaction::Ping(_) => Incoming::Ping,
        Interaction::Command(c) => {
            let invoked = Invoked::read(&c.data);
            let text = invoked.line();
            let inbound = Box::new(command_inbound(c, InboundEvent::Command { text }));
            let origin = origin(c.id, c.application_id, &c.token, (Kind::Command, false), c.attachment_size_limit);
            match invoked.unpostable {
                Some(channel) => Incoming::Unpostable(inbound, origin, channel),
                None => Incoming::Event(inbound, origin),
            }
        }
        Interaction::Autocomplete(c) => {
            let invoked = Invoked::read(&c.data);
            let inbound = command_inbound(c, InboundEvent::Command { text: invoked.line() });
            Incoming::Autocomplete { inbound: Box::new(inbound), invoked }
        }
        Interaction::Component(c) => match component_event(c) {
            Some(event) => Incoming::Event(
                Box::new(component_inbound(c, event)),
                origin(c.id, c.application_id, &c.token, (Kind::Action, true), c.attachment_size_limit),
            ),
            None => Incoming::Unsupported("component"),
        },
        Interaction::Modal(m) => Incoming::Event(
            Box::new(modal_inbound(m)),
            origin(m.id, m.application_id, &m.token, (Kind::Submission, m.message.is_some()), m.attachment_size_limit),
        ),
        _ => Incoming::Unsupported("interaction"),
    }
}

/// `(kind, on_message)`: what kind of interaction, and whether it came from a message.
fn origin(id: InteractionId, app: ApplicationId, token: &str, asked: (Kind, bool), attachment_limit: u32) -> Origin {
    let (kind, on_message) = asked;
    Origin { interaction: id, application: app, token: token.to_string(), kind, on_message, attachment_limit }
}

fn component_event(c: &ComponentInteraction) -> Option<InboundEvent> {
    let values = match &c.data.kind {
        ComponentInteractionDataKind::Button => Vec::new(),
        ComponentInteractionDataKind::StringSelect { values } => values.clone(),
        ComponentInteractionDataKind::UserSelect { values } => values.iter().map(|u| u.to_string()).collect(),
        _ => return None,
    };
    Some(InboundEvent::Action { id: strip_suffix(&c.data.custom_id).to_string(), values })
}

fn command_inbound(c: &CommandInteraction, event: InboundEvent) -> Inbound {
    inbound(c.guild_id, c.member.as_deref(), &c.user, &c.locale, c.channel_id, event)
}

fn component_inbound(c: &ComponentInteraction, event: InboundEvent) -> Inbound {
    inbound(c.guild_id, c.member.as_ref(), &c.user, &c.locale, c.channel_id, event)
}

fn modal_inbound(m: &ModalInteraction) -> Inbound {
    let mut values = BTreeMap::new();
    for row in &m.data.components {
        for component in &row.components {
            if let ActionRowComponent::InputText(input) = component {
                values.insert(input.custom_id.clone(), input.value.clone().unwrap_or_default());
            }
        }
    }
    let event = InboundEvent::Form { id: m.data.custom_id.clone(), values };
    inbound(m.guild_id, m.member.as_ref(), &m.user, &m.locale, m.channel_id, event)
}

fn inbound(
    guild: Option<GuildId>,
    member: Option<&Member>,
    user: &User,
    locale: &str,
    channel: ChannelId,
    event: InboundEvent,
) -> Inbound {
    let (id, name) = match guild {
        Some(g) => (format!("discord:{g}"), format!("Discord {g}")),
        None => (format!("discord:dm:{}", user.id), format!("Discord DM {}", user.id)),
    };
    let admin = member
        .and_then(|m| m.permissions)
        .is_some_and(|p| p.intersects(Permissions::MANAGE_GUILD | Permissions::ADMINISTRATOR));
    let display =
        member.and_then(|m| m.nick.clone()).or_else(|| user.global_name.clone()).unwrap_or_else(|| user.name.clone());
    Inbound {
        workspace: WorkspaceRef { id: id.into(), name },
        actor: Actor {
            id: user.id.to_string().into(),
            name: display,
            locale: Lang::parse(locale).ok(),
            workspace_admin: admin,
        },
        place: Place { channel: channel.to_string(), direct: guild.is_none() },
        event,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_hash_that_is_not_ascii_is_refused_not_a_panic() {
        // found by fuzzing (fuzz/fuzz_targets/discord_interaction.rs): serenity 0.12.5 panics on
        // this body instead of refusing it
        let body = r#"{"type":3,"member":{"avatar":"VVVVVVjoin100000070955161VV٣i2o"}}"#;
        assert_eq!(parse(body.as_bytes()).err().as_deref(), Some("'avatar' is not an image hash"));
        let nested = r#"{"type":2,"data":{"resolved":{"users":{"1":{"id":"1","avatar":"あ"}}}}}"#;
        assert!(parse(nested.as_bytes()).is_err());
        assert!(parse(br#"{"id":"1","application_id":"2","type":1,"token":"t","version":1}"#).is_ok());
        let user = r#"{"id":"1","username":"aiko","avatar":"0123456789abcdef0123456789abcdef"}"#;
        let ping = format!(r#"{{"id":"1","application_id":"2","type":1,"token":"t","version":1,"user":{user}}}"#);
        assert!(matches!(parse(ping.as_bytes()), Ok(Interaction::Ping(_))), "a real hash is read");
    }
}
