//! What several targets check: a refusal rendered for Slack and for Discord carries no live
//! mention, and the texts every target needs, loaded once.

#![allow(dead_code)] // each target uses a part of it

use std::sync::OnceLock;

use kakehashi::chat::{Block, Command, CommandSpec, Message, ParseError, parse_error_text, text};
use kakehashi::domain::Lang;
use kakehashi::prompts::Prompts;
use kakehashi::transport::{discord, slack};
use serde_json::Value;

/// The built-in texts, loaded on the first call only.
pub fn prompts() -> &'static Prompts {
    static PROMPTS: OnceLock<Prompts> = OnceLock::new();
    PROMPTS.get_or_init(Prompts::embedded)
}

/// A command line as the bot reads it: if it is refused, the refusal says something in each
/// language, and it goes out on both platforms without a live mention.
pub fn check_command_line(line: &str) {
    if let Err(e) = Command::parse(line) {
        for lang in Lang::ALL {
            let said = parse_error_text(prompts(), lang, e.clone());
            assert!(!said.trim().is_empty(), "an empty refusal of {line:?}");
            check_outgoing(&Message::private(vec![Block::Text(text(said))]));
        }
    }
}

/// The line written for a registry command's options reads back as that command: whatever
/// the parser says about the values, it says it about this command.
pub fn check_line(spec: &'static CommandSpec, line: &str) {
    let about = |e: &ParseError| -> Option<&'static CommandSpec> {
        match e {
            ParseError::Unknown { .. } => None,
            ParseError::Missing { command, .. }
            | ParseError::BadItem { command, .. }
            | ParseError::BadValue { command, .. }
            | ParseError::Extra { command, .. } => Some(command),
        }
    };
    match Command::parse(line) {
        Ok(_) => {}
        Err(e) => {
            assert_eq!(about(&e).map(|c| c.name()), Some(spec.name()), "{line:?}: {e:?}");
            assert!(!matches!(e, ParseError::Extra { .. }), "{line:?}: {e:?}");
        }
    }
}

/// A message built from text a person typed: on Slack no markup at all (`<` is where mentions,
/// links and `<!channel>` begin), on Discord no `@everyone`, `@here` or `<@…>` left whole and
/// nobody allowed to be pinged.
pub fn check_outgoing(m: &Message) {
    for part in slack::render::message(m) {
        let mut texts = vec![part.text.clone()];
        let blocks = serde_json::to_value(&part.blocks).expect("Slack blocks serialise");
        mrkdwn(&blocks, &mut texts);
        for t in &texts {
            assert!(!t.contains('<'), "live markup in Slack output: {t:?}");
        }
    }
    for out in discord::render::message(m) {
        let v = serde_json::to_value(out.channel_message()).expect("a Discord message serialises");
        assert_eq!(v["allowed_mentions"]["parse"], serde_json::json!([]), "{v}");
        let s = v.to_string();
        for live in ["@everyone", "@here", "<@"] {
            assert!(!s.contains(live), "{live} in Discord output: {s}");
        }
    }
}

/// The strings Slack reads as mrkdwn: the `text` of mrkdwn objects.
fn mrkdwn(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if m.get("type").and_then(Value::as_str) == Some("mrkdwn") {
                out.extend(m.get("text").and_then(Value::as_str).map(str::to_string));
            }
            m.values().for_each(|x| mrkdwn(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| mrkdwn(x, out)),
        _ => {}
    }
}
