//! A Discord interaction body (JSON, as Discord posts it to `/discord/interactions` or the
//! gateway delivers it): read as the endpoint reads it ([`parse`]), then made the neutral event.
//!
//! What must hold: the workspace is `discord:<guild>` in a server and `discord:dm:<user>`
//! outside one, the actor is the user who acted; a click comes back as the custom id the bot
//! wrote (without the `~n` that kept it unique); a modal's fields are its text inputs; a slash
//! command's options become a text line that the parser reads as that same command (never an
//! unknown command, never a word too many), and a refusal of it carries no live mention.

#![no_main]

mod common;

use kakehashi::chat::InboundEvent;
use kakehashi::transport::discord::commands::Invoked;
use kakehashi::transport::discord::inbound::{Incoming, Kind, parse, read};
use kakehashi::transport::discord::render::strip_suffix;
use libfuzzer_sys::fuzz_target;
use serenity::all::Interaction;

fuzz_target!(|body: &[u8]| {
    let Ok(interaction) = parse(body) else {
        return;
    };
    match read(&interaction) {
        Incoming::Ping | Incoming::Unsupported(_) => {}
        Incoming::Autocomplete { inbound, invoked } => {
            check_workspace(&interaction, &inbound);
            let _ = invoked.focused_kind();
        }
        Incoming::Unpostable(inbound, origin, _) => {
            check_workspace(&interaction, &inbound);
            assert_eq!(origin.kind, Kind::Command, "only a command names a channel");
        }
        Incoming::Event(inbound, origin) => {
            check_workspace(&interaction, &inbound);
            match (&interaction, origin.kind, &inbound.event) {
                (Interaction::Command(c), Kind::Command, InboundEvent::Command { text }) => {
                    assert!(!origin.on_message, "a command does not come from a message");
                    let invoked = Invoked::read(&c.data);
                    assert_eq!(text, &invoked.line());
                    if let Some(spec) = invoked.spec {
                        common::check_line(spec, text);
                    }
                    common::check_command_line(text);
                }
                (Interaction::Component(c), Kind::Action, InboundEvent::Action { id, .. }) => {
                    assert!(origin.on_message, "a component is on a message");
                    let custom_id = &c.data.custom_id;
                    assert_eq!(id, strip_suffix(custom_id));
                    // a suffix is digits after the last `~`; the id without it has none to take
                    assert!(custom_id == id || custom_id[id.len()..].starts_with('~'));
                }
                (Interaction::Modal(m), Kind::Submission, InboundEvent::Form { id, values }) => {
                    assert_eq!(id, &m.data.custom_id);
                    assert_eq!(origin.on_message, m.message.is_some());
                    assert!(values.len() <= m.data.components.iter().map(|r| r.components.len()).sum());
                }
                (i, k, e) => panic!("{:?} read as {k:?} {e:?}", i.kind()),
            }
        }
    }
});

/// Where an event happened and who did it.
fn check_workspace(interaction: &Interaction, inbound: &kakehashi::chat::Inbound) {
    let (guild, user) = match interaction {
        Interaction::Command(c) | Interaction::Autocomplete(c) => (c.guild_id, c.user.id),
        Interaction::Component(c) => (c.guild_id, c.user.id),
        Interaction::Modal(m) => (m.guild_id, m.user.id),
        _ => unreachable!("only these become events"),
    };
    let expected = match guild {
        Some(g) => format!("discord:{g}"),
        None => format!("discord:dm:{user}"),
    };
    assert_eq!(inbound.workspace.id, expected);
    assert_eq!(inbound.place.direct, guild.is_none());
    assert_eq!(inbound.actor.id, user.to_string());
}
