//! Block Kit: every [`Block`] and [`Span`] of a neutral [`Message`] as Slack blocks
//! ([`blocks`](super::blocks)); the controls are drawn in `controls.rs`, forms as modals in
//! `modal.rs`. Pure functions.
//!
//! Text is escaped (`&`, `<`, `>`) and sent `verbatim`, so nothing a person typed becomes a
//! mention, a channel-wide ping or a link; the only mentions are [`Span::User`] ids of Slack's
//! shape. Slack's limits are kept on purpose ([`limits`]): a message over 50 blocks is split into
//! several messages, a long text over several sections, fields ten to a section, options a
//! hundred to a select; what cannot be split (a button label, a modal title, a header) is
//! shortened with a visible "…". Lengths are counted in UTF-16 units ([`UNIT`]), which is never
//! less than what Slack counts.
//!
//! To render one more block or control: a case in [`message`] (or `controls.rs`) that keeps its
//! limits, and a test that shows the JSON.

use super::blocks::{Block as Kit, Text};
use super::payload::is_user_id;
use crate::chat::{Block, Message, Span};
use crate::transport::text::{Markup, Unit};

pub use super::blocks::SlackMessage;
pub use super::controls::controls;
pub use super::modal::{INPUT_ACTION, field_errors, modal, notice_view};

/// Slack's documented limits that rendering keeps.
pub mod limits {
    pub const MESSAGE_BLOCKS: usize = 50;
    pub const MODAL_BLOCKS: usize = 100;
    pub const SECTION_TEXT: usize = 3000;
    pub const FIELDS_PER_SECTION: usize = 10;
    pub const FIELD_TEXT: usize = 2000;
    pub const CONTEXT_TEXT: usize = 3000;
    pub const HEADER_TEXT: usize = 150;
    pub const ACTIONS_ELEMENTS: usize = 25;
    pub const BUTTON_TEXT: usize = 75;
    pub const OPTION_TEXT: usize = 75;
    pub const OPTION_VALUE: usize = 150;
    pub const SELECT_OPTIONS: usize = 100;
    pub const PLACEHOLDER: usize = 150;
    pub const ID: usize = 255;
    pub const MODAL_TITLE: usize = 24;
    pub const MODAL_BUTTON: usize = 24;
    pub const INPUT_LABEL: usize = 2000;
    pub const INPUT_HINT: usize = 2000;
    pub const INPUT_MAX_LENGTH: usize = 3000;
    /// The notification text that goes with blocks (shown in notifications and old clients).
    pub const FALLBACK_TEXT: usize = 300;
}

use limits::*;

/// Slack may count UTF-16 units (an emoji is two).
pub const UNIT: Unit = Unit::Utf16;

/// mrkdwn within `max`, cut at a break and never inside an entity, with a visible "…".
pub(super) fn shorten_mrkdwn(s: &str, max: usize) -> String {
    UNIT.shorten_at_break(s, max, Markup::Entities)
}

/// mrkdwn in pieces of at most `max`, cut at breaks and never inside an entity.
pub(super) fn split_mrkdwn(s: &str, max: usize) -> Vec<String> {
    UNIT.split(s, max, Markup::Entities)
}

/// `&`, `<`, `>` as entities: the three characters mrkdwn gives meaning to.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A Slack conversation id (C…, G…, D…): anything else is not made a channel link.
fn is_channel_id(id: &str) -> bool {
    let b = id.as_bytes();
    (2..=32).contains(&b.len())
        && matches!(b[0], b'C' | b'G' | b'D')
        && b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Spans as mrkdwn: plain text escaped, bold and code marked line by line, mentions by id.
pub fn mrkdwn(spans: &[Span]) -> String {
    let mut out = String::new();
    for span in spans {
        match span {
            Span::Plain(t) => out.push_str(&escape(t)),
            Span::Bold(t) => out.push_str(&marked(t, '*')),
            Span::Code(t) => out.push_str(&marked(&t.replace('`', "'"), '`')),
            Span::User(id) if is_user_id(id) => {
                out.push_str("<@");
                out.push_str(id);
                out.push('>');
            }
            Span::User(id) => {
                out.push('@');
                out.push_str(&escape(id));
            }
            Span::Channel(id) if is_channel_id(id) => {
                out.push_str("<#");
                out.push_str(id);
                out.push('>');
            }
            Span::Channel(id) => {
                out.push('#');
                out.push_str(&escape(id));
            }
        }
    }
    out
}

/// Bold or code around each line's words (Slack's markers neither span lines nor take spaces
/// inside their ends).
fn marked(t: &str, mark: char) -> String {
    t.split('\n')
        .map(|line| {
            let core = line.trim();
            if core.is_empty() {
                return line.to_string();
            }
            let start = line.len() - line.trim_start().len();
            let end = start + core.len();
            format!("{}{mark}{}{mark}{}", &line[..start], escape(core), &line[end..])
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Spans as the notification text: plain words escaped, people as mentions (Slack shows them by
/// name in the notification; a raw id means nothing to anyone), no bold or code markers.
fn words(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Plain(t) | Span::Bold(t) | Span::Code(t) => escape(t),
            Span::User(_) | Span::Channel(_) => mrkdwn(std::slice::from_ref(s)),
        })
        .collect()
}

/// A neutral message as one or more Slack messages (more when it has over 50 blocks).
pub fn message(m: &Message) -> Vec<SlackMessage> {
    let mut blocks = Vec::new();
    for block in &m.blocks {
        render_block(block, &mut blocks);
    }
    let summary = m
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Heading(h) => Some(escape(h)),
            Block::Text(s) | Block::Context(s) => Some(words(s)),
            _ => None,
        })
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "kakehashi".to_string());
    let text = shorten_mrkdwn(&summary, FALLBACK_TEXT / 2);
    if blocks.is_empty() {
        blocks.push(Kit::section(text.clone()));
    }
    blocks.chunks(MESSAGE_BLOCKS).map(|chunk| SlackMessage { blocks: chunk.to_vec(), text: text.clone() }).collect()
}

fn render_block(block: &Block, out: &mut Vec<Kit>) {
    match block {
        Block::Heading(h) => {
            let h = h.trim();
            if !h.is_empty() {
                out.push(Kit::Header { text: Text::plain(UNIT.shorten(h, HEADER_TEXT)) });
            }
        }
        Block::Text(spans) => out.extend(split_mrkdwn(&mrkdwn(spans), SECTION_TEXT).into_iter().map(Kit::section)),
        Block::Context(spans) => {
            let text = mrkdwn(spans);
            if !text.trim().is_empty() {
                out.push(Kit::context(shorten_mrkdwn(&text, CONTEXT_TEXT)));
            }
        }
        Block::Fields(fields) => {
            let rendered: Vec<Text> = fields
                .iter()
                .map(|(label, value)| {
                    let value = mrkdwn(value);
                    let value = if value.trim().is_empty() { "–".to_string() } else { value };
                    Text::mrkdwn(shorten_mrkdwn(&format!("{}\n{}", marked(label, '*'), value), FIELD_TEXT))
                })
                .collect();
            for chunk in rendered.chunks(FIELDS_PER_SECTION) {
                out.push(Kit::Section { text: None, fields: chunk.to_vec() });
            }
        }
        Block::List(items) => {
            let lines: Vec<String> = items.iter().map(|item| format!("• {}", mrkdwn(item))).collect();
            out.extend(split_mrkdwn(&lines.join("\n"), SECTION_TEXT).into_iter().map(Kit::section));
        }
        Block::Divider => out.push(Kit::Divider),
        Block::Controls(cs) => out.extend(controls(cs)),
    }
}

/// A short text as one message (a notice from the transport itself).
pub fn notice(text: &str) -> SlackMessage {
    let escaped = escape(text);
    SlackMessage {
        blocks: split_mrkdwn(&escaped, SECTION_TEXT).into_iter().map(Kit::section).take(MESSAGE_BLOCKS).collect(),
        text: escape(&UNIT.shorten(text, FALLBACK_TEXT / 2)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Control, Select, SelectOption, UserPicker, text};
    use crate::transport::fixtures::button;
    use serde_json::Value;

    /// The blocks as the JSON Slack gets.
    fn json(blocks: &[Kit]) -> Vec<Value> {
        blocks.iter().map(|b| serde_json::to_value(b).unwrap()).collect()
    }

    #[test]
    fn user_text_cannot_become_a_mention_a_ping_or_a_link() {
        let hostile = "<!channel> <!here> <@U999> <https://evil.example|click> a & b";
        let spans = vec![Span::Plain(hostile.into()), Span::Bold(hostile.into()), Span::Code(hostile.into())];
        let m = mrkdwn(&spans);
        assert!(!m.contains('<') && !m.contains('>'), "{m}");
        assert!(m.contains("&lt;!channel&gt;") && m.contains("a &amp; b"), "{m}");
        let msg = Message::private(vec![
            Block::Heading(hostile.into()),
            Block::Text(spans.clone()),
            Block::Fields(vec![(hostile.into(), vec![Span::Plain(hostile.into())])]),
            Block::Context(spans.clone()),
            Block::List(vec![spans.clone()]),
        ]);
        for m in message(&msg) {
            for b in &json(&m.blocks) {
                for t in walk_texts(b) {
                    if t["type"] == "mrkdwn" {
                        let s = t["text"].as_str().unwrap();
                        assert!(!s.contains('<'), "{s}");
                        assert_eq!(t["verbatim"], true, "no automatic parsing of @here or links");
                    }
                }
            }
            assert!(!m.text.contains('<'), "{}", m.text);
        }
    }

    fn walk_texts(v: &Value) -> Vec<&Value> {
        let mut out = Vec::new();
        match v {
            Value::Object(o) => {
                if o.contains_key("type") && o.contains_key("text") && o["text"].is_string() {
                    out.push(v);
                }
                for x in o.values() {
                    out.extend(walk_texts(x));
                }
            }
            Value::Array(a) => a.iter().for_each(|x| out.extend(walk_texts(x))),
            _ => {}
        }
        out
    }

    #[test]
    fn mentions_come_only_from_ids_of_slacks_shape() {
        assert_eq!(mrkdwn(&[Span::User("U0123ABC".into())]), "<@U0123ABC>");
        assert_eq!(mrkdwn(&[Span::User("W42".into())]), "<@W42>");
        assert_eq!(mrkdwn(&[Span::User("U1> <!channel".into())]), "@U1&gt; &lt;!channel");
        assert_eq!(mrkdwn(&[Span::User("aiko".into())]), "@aiko");
        assert_eq!(mrkdwn(&[Span::Channel("C0123".into())]), "<#C0123>", "a channel link notifies nobody");
        assert_eq!(mrkdwn(&[Span::Channel("C1> <!here".into())]), "#C1&gt; &lt;!here");
    }

    #[test]
    fn the_notification_text_names_people_as_mentions_not_raw_ids() {
        let spans =
            vec![Span::plain("Your need N-1 is now accepted. By "), Span::User("U0AIKO".into()), Span::plain(". a<b")];
        let m = message(&Message::private(vec![Block::Text(spans)]));
        assert_eq!(m[0].text, "Your need N-1 is now accepted. By <@U0AIKO>. a&lt;b");
    }

    #[test]
    fn bold_and_code_mark_each_line_and_keep_spaces_outside() {
        assert_eq!(mrkdwn(&[Span::Bold(" Why \nthis".into())]), " *Why* \n*this*");
        assert_eq!(mrkdwn(&[Span::Code("N-1".into()), Span::plain(" a `b`")]), "`N-1` a `b`");
        assert_eq!(mrkdwn(&[Span::Code("a`b".into())]), "`a'b`");
    }

    #[test]
    fn every_block_kind_renders() {
        let m = Message::private(vec![
            Block::Heading("N-1 · Verdict".into()),
            Block::Text(vec![Span::Bold("Why".into()), Span::plain(" because")]),
            Block::Fields(vec![("Status".into(), text("screening"))]),
            Block::Context(text("question 4/12")),
            Block::List(vec![text("one"), text("two")]),
            Block::Divider,
            Block::Controls(vec![
                button("a:N-1:driver:problem", "A problem"),
                Control::Select(Select {
                    action: "p:N-1:fit".into(),
                    placeholder: "Pick".into(),
                    options: vec![
                        SelectOption { value: "volume".into(), label: "Volume".into() },
                        SelectOption { value: "drift".into(), label: "Drift".into() },
                    ],
                    multi: true,
                    initial: vec!["drift".into()],
                }),
                Control::Select(Select {
                    action: "e:N-1".into(),
                    placeholder: "Change".into(),
                    options: vec![SelectOption { value: "goal".into(), label: "Goal".into() }],
                    multi: false,
                    initial: vec!["goal".into()],
                }),
                Control::UserPicker(UserPicker { action: "o:N-1".into(), placeholder: "Someone".into() }),
            ]),
        ]);
        let out = message(&m);
        assert_eq!(out.len(), 1);
        let b = json(&out[0].blocks);
        let types: Vec<&str> = b.iter().map(|b| b["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["header", "section", "section", "context", "section", "divider", "actions"]);
        assert_eq!(b[0]["text"], serde_json::json!({"type": "plain_text", "text": "N-1 · Verdict", "emoji": true}));
        assert_eq!(b[1]["text"]["text"], "*Why* because");
        assert_eq!(b[1]["text"]["type"], "mrkdwn");
        assert_eq!(b[2]["fields"][0]["text"], "*Status*\nscreening");
        assert_eq!(b[3]["elements"][0]["text"], "question 4/12");
        assert_eq!(b[4]["text"]["text"], "• one\n• two");
        let elements = b[6]["elements"].as_array().unwrap();
        assert_eq!(elements[0]["type"], "button");
        assert_eq!(elements[0]["action_id"], "a:N-1:driver:problem");
        assert_eq!(elements[1]["type"], "multi_static_select");
        assert_eq!(elements[1]["initial_options"][0]["value"], "drift");
        assert_eq!(elements[2]["type"], "static_select");
        assert_eq!(elements[2]["initial_option"]["value"], "goal");
        assert_eq!(elements[3]["type"], "users_select");
        assert_eq!(out[0].text, "N-1 · Verdict");
    }

    #[test]
    fn a_long_message_is_split_into_messages_of_fifty_blocks() {
        let blocks: Vec<Block> = (0..120).map(|i| Block::Text(text(format!("line {i}")))).collect();
        let out = message(&Message::private(blocks));
        assert_eq!(out.iter().map(|m| m.blocks.len()).collect::<Vec<_>>(), [50, 50, 20]);
        assert_eq!(json(&out[2].blocks)[19]["text"]["text"], "line 119", "nothing is lost");
    }

    #[test]
    fn a_long_text_is_split_over_sections_without_breaking_entities() {
        let long = "R&D <plan> ".repeat(700); // 7,700 characters, 10,500 once escaped
        let out = message(&Message::private(vec![Block::Text(text(long.clone()))]));
        let sections = json(&out[0].blocks);
        assert!(sections.len() >= 4, "{}", sections.len());
        let mut joined = String::new();
        for s in &sections {
            let t = s["text"]["text"].as_str().unwrap();
            assert!(UNIT.len(t) <= SECTION_TEXT);
            assert!(!t.ends_with('&') && !t.contains("&a "), "{t}");
            joined.push_str(t);
        }
        assert_eq!(joined.replace(' ', ""), escape(&long).replace(' ', ""), "everything is shown");
        // one word longer than a section, and no space to cut at
        let word = "&".repeat(4000);
        let out = message(&Message::private(vec![Block::Text(text(word))]));
        for s in &json(&out[0].blocks) {
            let t = s["text"]["text"].as_str().unwrap();
            assert!(UNIT.len(t) <= SECTION_TEXT);
            assert!(t.starts_with("&amp;") && t.ends_with("&amp;"), "cut between entities");
        }
    }

    #[test]
    fn fields_go_ten_to_a_section_and_long_ones_are_shortened_visibly() {
        let fields: Vec<(String, Vec<Span>)> =
            (0..23).map(|i| (format!("F{i}"), text("x".repeat(if i == 0 { 2500 } else { 5 })))).collect();
        let out = message(&Message::private(vec![Block::Fields(fields)]));
        let blocks = json(&out[0].blocks);
        let sizes: Vec<usize> = blocks.iter().map(|b| b["fields"].as_array().unwrap().len()).collect();
        assert_eq!(sizes, [10, 10, 3]);
        let first = blocks[0]["fields"][0]["text"].as_str().unwrap();
        assert!(UNIT.len(first) <= FIELD_TEXT && first.ends_with('…'), "{first}");
    }

    #[test]
    fn headers_are_shortened_with_a_visible_mark() {
        let emoji = "😀".repeat(80);
        let out = message(&Message::private(vec![Block::Heading(emoji)]));
        let h = json(&out[0].blocks)[0]["text"]["text"].as_str().unwrap().to_string();
        assert!(UNIT.len(&h) <= HEADER_TEXT && h.ends_with('…'));
        assert!(h.trim_end_matches('…').chars().all(|c| c == '😀'), "no half emoji");
    }

    #[test]
    fn a_notice_is_escaped_text() {
        assert_eq!(escape("a<b>&c"), "a&lt;b&gt;&amp;c");
        let n = notice("a <b>");
        assert_eq!(json(&n.blocks)[0]["text"]["text"], "a &lt;b&gt;");
        assert_eq!(n.text, "a &lt;b&gt;");
    }
}
