//! An interaction request (`payload=<JSON>` form-encoded, as Slack posts it to
//! `/slack/interactions`), the same bytes as the bare JSON (as a Socket Mode envelope carries
//! it), and as an Events API body (`/slack/events`): parsed, then made the neutral event.
//!
//! What must hold: a click becomes an action with the clicked control's id, a submitted modal
//! a form with its callback id, both in a `slack:` workspace; where the replies go
//! ([`Origin`]) fits Slack's `private_metadata` and reads back as it was written when it fits
//! whole; an `@mention`'s text, read as a command line, is refused without a live mention.

#![no_main]

mod common;

use kakehashi::chat::{Action, FormKind, InboundEvent};
use kakehashi::transport::slack::payload::{self, EventBody, Interaction, Kind, METADATA_MAX, Origin, Request, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(i) = payload::form(body).and_then(|pairs| Interaction::from_form(&pairs)) {
        check(&i);
    }
    if let Ok(value) = serde_json::from_slice(body)
        && let Ok(i) = Interaction::from_json(value)
    {
        check(&i);
    }
    if let Ok(event) = EventBody::parse(body)
        && let Ok(Some(incoming)) = Request::Event(event).inbound()
    {
        // an event is a mention or a line in the bot's DM, and either is typed
        assert!(matches!(incoming.source, Source::Mention | Source::DirectMessage), "{:?}", incoming.source);
        assert_eq!(incoming.kind(), Kind::Command);
        check_origin(&incoming.origin);
        if let InboundEvent::Command { text } = &incoming.inbound.event {
            common::check_command_line(text);
        }
    }
});

fn check(interaction: &Interaction) {
    let Ok(Some(incoming)) = Request::Interaction(Box::new(interaction.clone())).inbound() else {
        return;
    };
    assert!(incoming.inbound.workspace.id.starts_with("slack:"));
    assert_eq!(incoming.inbound.workspace.id, format!("slack:{}", incoming.team));
    assert_eq!(incoming.inbound.actor.id, incoming.user);
    check_origin(&incoming.origin);
    match (interaction, &incoming.inbound.event) {
        (Interaction::BlockActions(a), InboundEvent::Action { id, values }) => {
            assert_eq!((incoming.source, incoming.kind()), (Source::Interaction, Kind::Action));
            assert!(!id.is_empty());
            assert_eq!(id, &a.actions[0].action_id, "the first control's id is the action");
            assert_eq!(values, &a.actions[0].values());
            let _ = Action::parse(id);
        }
        (Interaction::ViewSubmission(s), InboundEvent::Form { id, values }) => {
            assert_eq!((incoming.source, incoming.kind()), (Source::Interaction, Kind::Submission));
            assert!(!id.is_empty());
            assert_eq!(id, &s.view.callback_id);
            assert!(values.keys().all(|block| s.view.state.values.contains_key(block)));
            let _ = FormKind::parse(id);
        }
        (i, e) => panic!("{i:?} became {e:?}"),
    }
}

/// Where the replies go travels through a modal as `private_metadata`: within Slack's limit,
/// and whole whenever the whole fits.
fn check_origin(origin: &Origin) {
    let metadata = origin.to_metadata();
    assert!(metadata.len() <= METADATA_MAX, "{} bytes of metadata", metadata.len());
    let back = Origin::from_metadata(&metadata);
    let whole = serde_json::to_string(origin).expect("an origin serialises");
    if whole.len() <= METADATA_MAX {
        assert_eq!(&back, origin, "{metadata}");
    } else {
        // what was left out is left out, nothing else changes
        assert_eq!(back.direct, origin.direct);
        assert!(back.channel.is_none() || back.channel == origin.channel);
        assert!(back.response_url.is_none() || back.response_url == origin.response_url);
        assert!(back.message.is_none() || back.message == origin.message);
    }
}
