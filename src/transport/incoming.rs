//! What arrives, as far as answering it goes: the part every platform shares.
//!
//! Each platform reads a request into the neutral [`Inbound`](crate::chat::Inbound) and keeps beside it what
//! it needs to answer. Of that, one thing has the same shape everywhere: the [`Kind`] of request
//! — something typed, a control used, a form submitted — which decides how it may be answered
//! (whether the reply may be the first answer itself, replace the message whose control was
//! used, show a form again with its errors). It is written once, here, and read off the event.
//!
//! What stays with each platform, because the data really differs:
//! - the way back: Slack's `Origin` (the conversation, a `response_url`, the message to replace;
//!   it travels through a modal's `private_metadata`) and `trigger_id`/`view`; Discord's
//!   `Origin` (the interaction's id, application and token, valid 15 minutes, and the largest
//!   file a reply may carry). Nothing in one has a counterpart in the other;
//! - what only one platform tells apart: how a Slack request came ([`slack::payload::Source`]:
//!   a slash command, an `@mention`, a DM line, an interaction — which decides whether there is
//!   a `response_url` and a `trigger_id`), and whether a Discord interaction came from a
//!   message (a click on it, a modal opened from its button), whose answer may update it;
//! - the wrapper: Slack's request is one event or nothing, Discord's interaction may also be a
//!   ping, an autocomplete, something unsupported or a command naming an unpostable channel,
//!   each answered differently: an enum of its own.
//!
//! The first answer and the steps after it are one shape too: [`deadline::Plan`](super::deadline::Plan).
//!
//! [`slack::payload::Source`]: super::slack::payload::Source

use crate::chat::InboundEvent;

/// What kind of request it was, on any platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Typed: a slash command (on Slack also an `@mention` or a line in the bot's DM).
    Command,
    /// A control used: a button clicked, an option picked.
    Action,
    /// A form (a modal) submitted.
    Submission,
}

impl Kind {
    /// The kind of an event.
    pub fn of(event: &InboundEvent) -> Kind {
        match event {
            InboundEvent::Command { .. } => Kind::Command,
            InboundEvent::Action { .. } => Kind::Action,
            InboundEvent::Form { .. } => Kind::Submission,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_is_read_off_the_event() {
        assert_eq!(Kind::of(&InboundEvent::Command { text: "mine".into() }), Kind::Command);
        assert_eq!(Kind::of(&InboundEvent::Action { id: "a".into(), values: vec![] }), Kind::Action);
        assert_eq!(Kind::of(&InboundEvent::Form { id: "f".into(), values: Default::default() }), Kind::Submission);
    }
}
