//! A slash-command request body (form-encoded, as Slack posts it to `/slack/commands`): parsed
//! as the endpoint parses it, then made the neutral event. A body that parses has the ids it
//! must have and becomes a command in a `slack:` workspace; the typed text, read as a command
//! line, is refused without a live mention; and the form decoder reads back what a standard
//! encoder writes of what it decoded.

#![no_main]

mod common;

use kakehashi::chat::InboundEvent;
use kakehashi::transport::slack::payload::{self, Kind, Request, SlashCommand, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let Ok(pairs) = payload::form(body) else {
        return;
    };
    // the decoder agrees with a standard encoder: what it read, encoded again, reads the same
    let again = serde_urlencoded::to_string(&pairs).expect("pairs of text encode");
    assert_eq!(payload::form(again.as_bytes()).as_ref(), Ok(&pairs), "{again}");
    let Ok(command) = SlashCommand::from_form(&pairs) else {
        return;
    };
    assert!(!command.team_id.is_empty() && !command.user_id.is_empty() && !command.channel_id.is_empty());
    let incoming = Request::Command(command.clone())
        .inbound()
        .expect("a parsed slash command is an event")
        .expect("a slash command is always handled");
    assert_eq!((incoming.source, incoming.kind()), (Source::SlashCommand, Kind::Command));
    assert_eq!(incoming.inbound.workspace.id, format!("slack:{}", command.team_id));
    assert_eq!(incoming.inbound.actor.id, command.user_id);
    assert_eq!(incoming.inbound.place.channel, command.channel_id);
    let InboundEvent::Command { text } = &incoming.inbound.event else {
        panic!("a slash command became {:?}", incoming.inbound.event);
    };
    common::check_command_line(text);
});
