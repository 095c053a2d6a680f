//! Block Kit: every [`Block`], [`Control`] and [`Span`] of a neutral [`Message`], and every
//! [`Form`] as a modal. Pure functions.
//!
//! Text is escaped (`&`, `<`, `>`) and sent `verbatim`, so nothing a person typed becomes a
//! mention, a channel-wide ping or a link; the only mentions are [`Span::User`] ids of Slack's
//! shape. Slack's limits are kept on purpose ([`limits`]): a message over 50 blocks is split into
//! several messages, a long text over several sections, fields ten to a section, options a
//! hundred to a select; what cannot be split (a button label, a modal title, a header) is
//! shortened with a visible "…". Lengths are counted in UTF-16 units, which is never less than
//! what Slack counts.
//!
//! To render one more block or control: a case in [`message`] (or [`controls`]) that keeps its
//! limits, and a test that shows the JSON.

use serde_json::{Map, Value, json};

use super::payload::is_user_id;
use crate::chat::{Block, Control, FieldKind, Form, Message, Span, Style};

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

/// One message as Slack takes it: blocks and the notification text.
#[derive(Debug, Clone, PartialEq)]
pub struct SlackMessage {
    pub blocks: Vec<Value>,
    pub text: String,
}

/// Length as Slack may count it: UTF-16 units (an emoji is two).
pub fn len(s: &str) -> usize {
    s.encode_utf16().count()
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

/// Plain text cut to `max` with a visible "…" when it is longer.
pub fn shorten(s: &str, max: usize) -> String {
    if len(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.len_utf16();
        if used + w > max.saturating_sub(1) {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Where mrkdwn may be cut without breaking an entity (`&amp;`) or a mention (`<@U1>`): a byte
/// index at most `max` UTF-16 units in, preferring a line break, then a space.
fn cut_point(s: &str, max: usize) -> usize {
    let mut end = 0;
    let mut used = 0;
    for (i, c) in s.char_indices() {
        let w = c.len_utf16();
        if used + w > max {
            break;
        }
        used += w;
        end = i + c.len_utf8();
    }
    if end >= s.len() {
        return s.len();
    }
    let head = &s[..end];
    if let Some(i) = head.rfind('\n').filter(|&i| i > 0) {
        return i + 1;
    }
    if let Some(i) = head.rfind(' ').filter(|&i| i > 0) {
        return i + 1;
    }
    // no space to cut at: step back out of an unfinished `&…;` or `<…>`
    let amp = head.rfind('&').filter(|&i| !head[i..].contains(';'));
    let lt = head.rfind('<').filter(|&i| !head[i..].contains('>'));
    match amp.into_iter().chain(lt).min() {
        Some(i) if i > 0 => i,
        _ => end.max(s.chars().next().map_or(0, char::len_utf8)),
    }
}

/// mrkdwn split into pieces of at most `max` units.
fn split_mrkdwn(s: &str, max: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let at = cut_point(rest, max);
        let piece = rest[..at].trim_end();
        if !piece.trim().is_empty() {
            pieces.push(piece.to_string());
        }
        rest = &rest[at..];
    }
    pieces
}

/// mrkdwn cut to `max` units with a visible "…".
fn shorten_mrkdwn(s: &str, max: usize) -> String {
    if len(s) <= max {
        return s.to_string();
    }
    let at = cut_point(s, max.saturating_sub(1));
    format!("{}…", s[..at].trim_end())
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

fn plain(text: &str) -> Value {
    json!({"type": "plain_text", "text": text, "emoji": true})
}

fn md(text: &str) -> Value {
    json!({"type": "mrkdwn", "text": text, "verbatim": true})
}

fn section(text: &str) -> Value {
    json!({"type": "section", "text": md(text)})
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
        blocks.push(section(&text));
    }
    blocks.chunks(MESSAGE_BLOCKS).map(|chunk| SlackMessage { blocks: chunk.to_vec(), text: text.clone() }).collect()
}

fn render_block(block: &Block, out: &mut Vec<Value>) {
    match block {
        Block::Heading(h) => {
            let h = h.trim();
            if !h.is_empty() {
                out.push(json!({"type": "header", "text": plain(&shorten(h, HEADER_TEXT))}));
            }
        }
        Block::Text(spans) => {
            for piece in split_mrkdwn(&mrkdwn(spans), SECTION_TEXT) {
                out.push(section(&piece));
            }
        }
        Block::Context(spans) => {
            let text = mrkdwn(spans);
            if !text.trim().is_empty() {
                out.push(json!({
                    "type": "context",
                    "elements": [md(&shorten_mrkdwn(&text, CONTEXT_TEXT))]
                }));
            }
        }
        Block::Fields(fields) => {
            let rendered: Vec<Value> = fields
                .iter()
                .map(|(label, value)| {
                    let value = mrkdwn(value);
                    let value = if value.trim().is_empty() { "–".to_string() } else { value };
                    md(&shorten_mrkdwn(&format!("{}\n{}", marked(label, '*'), value), FIELD_TEXT))
                })
                .collect();
            for chunk in rendered.chunks(FIELDS_PER_SECTION) {
                out.push(json!({"type": "section", "fields": chunk}));
            }
        }
        Block::List(items) => {
            let lines: Vec<String> = items.iter().map(|item| format!("• {}", mrkdwn(item))).collect();
            for piece in split_mrkdwn(&lines.join("\n"), SECTION_TEXT) {
                out.push(section(&piece));
            }
        }
        Block::Divider => out.push(json!({"type": "divider"})),
        Block::Controls(cs) => out.extend(controls(cs)),
    }
}

/// Controls as `actions` blocks: at most 25 elements each, and a new block wherever an
/// `action_id` would repeat inside one (a long select split in several).
pub fn controls(controls: &[Control]) -> Vec<Value> {
    let mut blocks = Vec::new();
    let mut current: Vec<Value> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let mut push = |element: Value, id: String, current: &mut Vec<Value>, ids: &mut Vec<String>| {
        if current.len() == ACTIONS_ELEMENTS || ids.contains(&id) {
            blocks.push(json!({"type": "actions", "elements": std::mem::take(current)}));
            ids.clear();
        }
        current.push(element);
        ids.push(id);
    };
    for control in controls {
        for element in control_elements(control) {
            let id = element["action_id"].as_str().unwrap_or_default().to_string();
            push(element, id, &mut current, &mut ids);
        }
    }
    if !current.is_empty() {
        blocks.push(json!({"type": "actions", "elements": current}));
    }
    blocks
}

fn usable_id(id: &str) -> bool {
    if id.is_empty() || len(id) > ID {
        tracing::warn!(len = id.len(), "a control's action id does not fit Slack; it is left out");
        return false;
    }
    true
}

fn placeholder(p: &str) -> Option<Value> {
    let p = p.trim();
    (!p.is_empty()).then(|| plain(&shorten(p, PLACEHOLDER)))
}

fn control_elements(control: &Control) -> Vec<Value> {
    match control {
        Control::Button(b) => {
            if !usable_id(&b.action) {
                return Vec::new();
            }
            let label = if b.label.trim().is_empty() { "…" } else { b.label.trim() };
            let mut e = json!({
                "type": "button",
                "action_id": b.action,
                "text": plain(&shorten(label, BUTTON_TEXT)),
            });
            match b.style {
                Style::Primary => e["style"] = json!("primary"),
                Style::Danger => e["style"] = json!("danger"),
                Style::Default => {}
            }
            vec![e]
        }
        Control::UserPicker(p) => {
            if !usable_id(&p.action) {
                return Vec::new();
            }
            let mut e = json!({"type": "users_select", "action_id": p.action});
            if let Some(ph) = placeholder(&p.placeholder) {
                e["placeholder"] = ph;
            }
            vec![e]
        }
        Control::Select(s) => {
            if !usable_id(&s.action) {
                return Vec::new();
            }
            let options: Vec<(&str, Value)> = s
                .options
                .iter()
                .filter(|o| {
                    let fits = !o.value.is_empty() && len(&o.value) <= OPTION_VALUE;
                    if !fits {
                        tracing::warn!(select = %s.action, "an option's value does not fit Slack; it is left out");
                    }
                    fits
                })
                .map(|o| {
                    let label = if o.label.trim().is_empty() { &o.value } else { &o.label };
                    (o.value.as_str(), json!({"text": plain(&shorten(label.trim(), OPTION_TEXT)), "value": o.value}))
                })
                .collect();
            options
                .chunks(SELECT_OPTIONS)
                .map(|chunk| {
                    let kind = if s.multi { "multi_static_select" } else { "static_select" };
                    let mut e = json!({
                        "type": kind,
                        "action_id": s.action,
                        "options": chunk.iter().map(|(_, o)| o.clone()).collect::<Vec<_>>(),
                    });
                    if let Some(ph) = placeholder(&s.placeholder) {
                        e["placeholder"] = ph;
                    }
                    let initial: Vec<Value> = chunk
                        .iter()
                        .filter(|(v, _)| s.initial.iter().any(|i| i == v))
                        .map(|(_, o)| o.clone())
                        .collect();
                    if s.multi && !initial.is_empty() {
                        e["initial_options"] = Value::Array(initial);
                    } else if let Some(first) = initial.into_iter().next() {
                        e["initial_option"] = first;
                    }
                    e
                })
                .collect()
        }
    }
}

/// The `action_id` of every form input; the `block_id` is the field id.
pub const INPUT_ACTION: &str = "value";

/// A form as a modal view. Errors (a form shown again) appear under their fields; `metadata`
/// goes into `private_metadata`.
pub fn modal(form: &Form, metadata: &str) -> Value {
    let mut blocks = Vec::new();
    let known = |id: &str| form.fields.iter().any(|f| f.id == id);
    for (field, error) in &form.errors {
        if !known(field) {
            blocks.push(warning(error));
        }
    }
    for field in &form.fields {
        if field.id.is_empty() || len(&field.id) > ID {
            tracing::warn!(form = %form.id, "a field id does not fit Slack's block_id; it is left out");
            continue;
        }
        let max_length = match field.max_len {
            0 => INPUT_MAX_LENGTH,
            n => n.min(INPUT_MAX_LENGTH),
        };
        let mut element = json!({
            "type": "plain_text_input",
            "action_id": INPUT_ACTION,
            "multiline": field.kind == FieldKind::Long,
            "max_length": max_length,
        });
        if let Some(initial) = field.initial.as_deref().filter(|v| !v.is_empty()) {
            // cut, not marked: a "…" would be submitted as part of the value
            element["initial_value"] = json!(cut(initial, max_length));
        }
        let label = if field.label.trim().is_empty() { &field.id } else { field.label.trim() };
        let mut input = json!({
            "type": "input",
            "block_id": field.id,
            "optional": !field.required,
            "label": plain(&shorten(label, INPUT_LABEL)),
            "element": element,
        });
        if let Some(hint) = field.hint.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
            input["hint"] = plain(&shorten(hint, INPUT_HINT));
        }
        blocks.push(input);
        for (_, error) in form.errors.iter().filter(|(f, _)| *f == field.id) {
            blocks.push(warning(error));
        }
    }
    if blocks.len() > MODAL_BLOCKS {
        blocks.truncate(MODAL_BLOCKS - 1);
        blocks.push(json!({"type": "context", "elements": [md("…")]}));
    }
    let title = match form.title.trim() {
        "" => "kakehashi",
        t => t,
    };
    let submit = match form.submit.trim() {
        "" => "OK",
        s => s,
    };
    json!({
        "type": "modal",
        "callback_id": cut(&form.id, ID),
        "title": plain(&shorten(title, MODAL_TITLE)),
        "submit": plain(&shorten(submit, MODAL_BUTTON)),
        "private_metadata": metadata,
        "blocks": blocks,
    })
}

fn warning(error: &str) -> Value {
    json!({"type": "context", "elements": [md(&shorten_mrkdwn(&format!("⚠ {}", escape(error)), CONTEXT_TEXT))]})
}

/// Text cut to `max` units without a mark.
fn cut(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        used += c.len_utf16();
        if used > max {
            break;
        }
        out.push(c);
    }
    out
}

/// The `errors` of a `response_action: errors` acknowledgement: each error under its field's
/// block (an error for no known field goes under the first one).
pub fn field_errors(form: &Form) -> Value {
    let mut map = Map::new();
    let first = form.fields.first().map(|f| f.id.clone()).unwrap_or_default();
    for (field, error) in &form.errors {
        let key = if form.fields.iter().any(|f| f.id == *field) { field.clone() } else { first.clone() };
        let text = match map.get(&key).and_then(Value::as_str) {
            Some(before) => format!("{before} {error}"),
            None => error.clone(),
        };
        map.insert(key, json!(shorten(&text, INPUT_HINT)));
    }
    Value::Object(map)
}

/// A modal that only says something (a form being worked on, a form done with).
pub fn notice_view(text: &str, metadata: &str) -> Value {
    json!({
        "type": "modal",
        "title": plain("kakehashi"),
        "private_metadata": metadata,
        "blocks": [section(&shorten_mrkdwn(&escape(text), SECTION_TEXT))],
    })
}

/// A short text as one message (a notice from the transport itself).
pub fn notice(text: &str) -> SlackMessage {
    let escaped = escape(text);
    SlackMessage {
        blocks: split_mrkdwn(&escaped, SECTION_TEXT).iter().map(|p| section(p)).take(MESSAGE_BLOCKS).collect(),
        text: escape(&shorten(text, FALLBACK_TEXT / 2)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Button, Field, Select, SelectOption, UserPicker, text};

    fn button(action: &str, label: &str) -> Control {
        Control::Button(Button {
            action: action.into(),
            label: label.into(),
            style: Style::Default,
            key: None,
            opens_form: false,
        })
    }

    fn all_text(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Array(a) => a.iter().map(all_text).collect::<Vec<_>>().join("\n"),
            Value::Object(o) => o.values().map(all_text).collect::<Vec<_>>().join("\n"),
            _ => String::new(),
        }
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
            for b in &m.blocks {
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
        let types: Vec<&str> = out[0].blocks.iter().map(|b| b["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["header", "section", "section", "context", "section", "divider", "actions"]);
        let b = &out[0].blocks;
        assert_eq!(b[1]["text"]["text"], "*Why* because");
        assert_eq!(b[2]["fields"][0]["text"], "*Status*\nscreening");
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
    fn button_styles_map_to_slacks() {
        let b = |style| {
            Control::Button(Button {
                action: "x".into(),
                label: "X".into(),
                style,
                key: Some("back".into()),
                opens_form: true,
            })
        };
        let out = controls(&[b(Style::Primary), b(Style::Danger), b(Style::Default)]);
        // the same action id three times: three blocks
        assert_eq!(out.len(), 3);
        assert_eq!(out[0]["elements"][0]["style"], "primary");
        assert_eq!(out[1]["elements"][0]["style"], "danger");
        assert!(out[2]["elements"][0].get("style").is_none());
    }

    #[test]
    fn a_long_message_is_split_into_messages_of_fifty_blocks() {
        let blocks: Vec<Block> = (0..120).map(|i| Block::Text(text(format!("line {i}")))).collect();
        let out = message(&Message::private(blocks));
        assert_eq!(out.iter().map(|m| m.blocks.len()).collect::<Vec<_>>(), [50, 50, 20]);
        assert_eq!(out[2].blocks[19]["text"]["text"], "line 119", "nothing is lost");
    }

    #[test]
    fn a_long_text_is_split_over_sections_without_breaking_entities() {
        let long = "R&D <plan> ".repeat(700); // 7,700 characters, 10,500 once escaped
        let out = message(&Message::private(vec![Block::Text(text(long.clone()))]));
        let sections = &out[0].blocks;
        assert!(sections.len() >= 4, "{}", sections.len());
        let mut joined = String::new();
        for s in sections {
            let t = s["text"]["text"].as_str().unwrap();
            assert!(len(t) <= SECTION_TEXT);
            assert!(!t.ends_with('&') && !t.contains("&a "), "{t}");
            joined.push_str(t);
        }
        assert_eq!(joined.replace(' ', ""), escape(&long).replace(' ', ""), "everything is shown");
        // one word longer than a section, and no space to cut at
        let word = "&".repeat(4000);
        let out = message(&Message::private(vec![Block::Text(text(word))]));
        for s in &out[0].blocks {
            let t = s["text"]["text"].as_str().unwrap();
            assert!(len(t) <= SECTION_TEXT);
            assert!(t.starts_with("&amp;") && t.ends_with("&amp;"), "cut between entities");
        }
    }

    #[test]
    fn fields_go_ten_to_a_section_and_long_ones_are_shortened_visibly() {
        let fields: Vec<(String, Vec<Span>)> =
            (0..23).map(|i| (format!("F{i}"), text("x".repeat(if i == 0 { 2500 } else { 5 })))).collect();
        let out = message(&Message::private(vec![Block::Fields(fields)]));
        let sizes: Vec<usize> = out[0].blocks.iter().map(|b| b["fields"].as_array().unwrap().len()).collect();
        assert_eq!(sizes, [10, 10, 3]);
        let first = out[0].blocks[0]["fields"][0]["text"].as_str().unwrap();
        assert!(len(first) <= FIELD_TEXT && first.ends_with('…'), "{first}");
    }

    #[test]
    fn labels_and_headers_are_shortened_with_a_visible_mark() {
        let label = "絵".repeat(100);
        let out = controls(&[button("x", &label)]);
        let t = out[0]["elements"][0]["text"]["text"].as_str().unwrap();
        assert_eq!(len(t), BUTTON_TEXT);
        assert!(t.ends_with('…'));
        let emoji = "😀".repeat(80);
        let out = message(&Message::private(vec![Block::Heading(emoji)]));
        let h = out[0].blocks[0]["text"]["text"].as_str().unwrap();
        assert!(len(h) <= HEADER_TEXT && h.ends_with('…'));
        assert!(h.trim_end_matches('…').chars().all(|c| c == '😀'), "no half emoji");
    }

    #[test]
    fn a_select_over_a_hundred_options_is_split_and_long_labels_shortened() {
        let options: Vec<SelectOption> = (0..230)
            .map(|i| SelectOption { value: format!("v{i}"), label: format!("{i} {}", "o".repeat(100)) })
            .collect();
        let out = controls(&[Control::Select(Select {
            action: "e:N-1".into(),
            placeholder: "p".repeat(200),
            options,
            multi: false,
            initial: vec!["v150".into()],
        })]);
        assert_eq!(out.len(), 3, "one block per select: the action id repeats");
        let counts: Vec<usize> = out.iter().map(|b| b["elements"][0]["options"].as_array().unwrap().len()).collect();
        assert_eq!(counts, [100, 100, 30]);
        assert!(out[0]["elements"][0].get("initial_option").is_none());
        assert_eq!(out[1]["elements"][0]["initial_option"]["value"], "v150");
        let label = out[0]["elements"][0]["options"][0]["text"]["text"].as_str().unwrap();
        assert!(len(label) <= OPTION_TEXT && label.ends_with('…'));
        let ph = out[0]["elements"][0]["placeholder"]["text"].as_str().unwrap();
        assert!(len(ph) <= PLACEHOLDER);
    }

    #[test]
    fn more_than_25_controls_fill_several_action_blocks() {
        let buttons: Vec<Control> = (0..60).map(|i| button(&format!("b{i}"), "B")).collect();
        let out = controls(&buttons);
        let sizes: Vec<usize> = out.iter().map(|b| b["elements"].as_array().unwrap().len()).collect();
        assert_eq!(sizes, [25, 25, 10]);
    }

    #[test]
    fn controls_whose_ids_do_not_fit_are_left_out_rather_than_rejected() {
        let out = controls(&[button(&"x".repeat(256), "Too long"), button("ok", "OK")]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0]["elements"].as_array().unwrap().len(), 1);
        let empty = controls(&[Control::Select(Select {
            action: "s".into(),
            placeholder: String::new(),
            options: vec![],
            multi: true,
            initial: vec![],
        })]);
        assert!(empty.is_empty(), "a select without options is not sent");
    }

    fn form(errors: Vec<(String, String)>) -> Form {
        Form {
            id: "ans:N-1:baseline_accuracy".into(),
            title: "N-1 · Accuracy today, a long label".into(),
            submit: "Save".into(),
            fields: vec![
                Field {
                    id: "answer".into(),
                    label: "Current accuracy or quality, % <@U1>".into(),
                    hint: Some("0 to 100".into()),
                    kind: FieldKind::Number,
                    required: true,
                    initial: Some("lots".into()),
                    max_len: 40,
                },
                Field {
                    id: "description".into(),
                    label: "Details".into(),
                    hint: None,
                    kind: FieldKind::Long,
                    required: false,
                    initial: Some("d".repeat(4000)),
                    max_len: 4000,
                },
            ],
            errors,
        }
    }

    #[test]
    fn a_form_becomes_a_modal_within_slacks_limits() {
        let v = modal(&form(vec![]), "{\"c\":\"C1\"}");
        assert_eq!(v["type"], "modal");
        assert_eq!(v["callback_id"], "ans:N-1:baseline_accuracy");
        let title = v["title"]["text"].as_str().unwrap();
        assert!(len(title) <= MODAL_TITLE && title.ends_with('…'), "{title}");
        assert_eq!(v["submit"]["text"], "Save");
        assert_eq!(v["private_metadata"], "{\"c\":\"C1\"}");
        let blocks = v["blocks"].as_array().unwrap();
        assert_eq!(blocks[0]["type"], "input");
        assert_eq!(blocks[0]["block_id"], "answer");
        assert_eq!(blocks[0]["optional"], false);
        assert_eq!(
            blocks[0]["label"]["text"], "Current accuracy or quality, % <@U1>",
            "plain_text shows it as typed and never mentions"
        );
        assert_eq!(blocks[0]["element"]["action_id"], INPUT_ACTION);
        assert_eq!(blocks[0]["element"]["max_length"], 40);
        assert_eq!(blocks[0]["element"]["initial_value"], "lots");
        assert_eq!(blocks[0]["hint"]["text"], "0 to 100");
        assert_eq!(blocks[1]["element"]["multiline"], true);
        assert_eq!(blocks[1]["element"]["max_length"], INPUT_MAX_LENGTH);
        assert_eq!(len(blocks[1]["element"]["initial_value"].as_str().unwrap()), INPUT_MAX_LENGTH);
        assert_eq!(blocks[1]["optional"], true);
    }

    #[test]
    fn form_errors_show_under_their_fields_and_as_response_errors() {
        let f =
            form(vec![("answer".into(), "“lots” is not a number".into()), ("elsewhere".into(), "<b>bad</b>".into())]);
        let v = modal(&f, "");
        let blocks = v["blocks"].as_array().unwrap();
        let types: Vec<&str> = blocks.iter().map(|b| b["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["context", "input", "context", "input"]);
        assert_eq!(blocks[0]["elements"][0]["text"], "⚠ &lt;b&gt;bad&lt;/b&gt;");
        let errors = field_errors(&f);
        assert_eq!(errors, json!({"answer": "“lots” is not a number <b>bad</b>"}));
    }

    #[test]
    fn a_modal_never_exceeds_a_hundred_blocks() {
        let mut f = form(vec![]);
        f.fields = (0..150)
            .map(|i| Field {
                id: format!("f{i}"),
                label: "L".into(),
                hint: None,
                kind: FieldKind::Short,
                required: false,
                initial: None,
                max_len: 10,
            })
            .collect();
        let v = modal(&f, "");
        let blocks = v["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), MODAL_BLOCKS);
        assert_eq!(blocks[99]["elements"][0]["text"], "…");
    }

    #[test]
    fn text_helpers_count_and_cut_as_slack_does() {
        assert_eq!(len("😀a"), 3);
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(cut("abcdef", 4), "abcd");
        assert_eq!(escape("a<b>&c"), "a&lt;b&gt;&amp;c");
        assert_eq!(split_mrkdwn("aaa bbb ccc", 8), ["aaa bbb", "ccc"]);
        assert_eq!(split_mrkdwn("x &amp;y", 6), ["x", "&amp;y"]);
        assert_eq!(shorten_mrkdwn("hello &amp; bye", 10), "hello…");
        let n = notice("a <b>");
        assert_eq!(n.blocks[0]["text"]["text"], "a &lt;b&gt;");
        assert!(all_text(&notice_view("x & y", "m")).contains("x &amp; y"));
    }
}
