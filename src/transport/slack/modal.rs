//! Forms as Block Kit modal views, within Slack's limits: an `input` block per field (its
//! `block_id` is the field id, its element's `action_id` is [`INPUT_ACTION`]), errors under their
//! fields, at most a hundred blocks; and the small views that only say something.

use std::collections::BTreeMap;

use super::blocks::{Block, Input, Text, View};
use super::render::limits::*;
use super::render::{UNIT, escape, shorten_mrkdwn};
use crate::chat::{FieldKind, Form};

/// The `action_id` of every form input; the `block_id` is the field id.
pub const INPUT_ACTION: &str = "value";

/// A form as a modal view. Errors (a form shown again) appear under their fields; `metadata`
/// goes into `private_metadata`.
pub fn modal(form: &Form, metadata: &str) -> View {
    let mut blocks = Vec::new();
    let known = |id: &str| form.fields.iter().any(|f| f.id == id);
    for (field, error) in &form.errors {
        if !known(field) {
            blocks.push(warning(error));
        }
    }
    for field in &form.fields {
        if field.id.is_empty() || UNIT.len(&field.id) > ID {
            tracing::warn!(form = %form.id, "a field id does not fit Slack's block_id; it is left out");
            continue;
        }
        let max_length = match field.max_len {
            0 => INPUT_MAX_LENGTH,
            n => n.min(INPUT_MAX_LENGTH),
        };
        let element = Input::PlainTextInput {
            action_id: INPUT_ACTION.to_string(),
            multiline: field.kind == FieldKind::Long,
            max_length,
            // cut, not marked: a "…" would be submitted as part of the value
            initial_value: field
                .initial
                .as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| UNIT.cut(v, max_length).to_string()),
        };
        let label = if field.label.trim().is_empty() { &field.id } else { field.label.trim() };
        blocks.push(Block::Input {
            block_id: field.id.clone(),
            optional: !field.required,
            label: Text::plain(UNIT.shorten(label, INPUT_LABEL)),
            element,
            hint: field
                .hint
                .as_deref()
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(|h| Text::plain(UNIT.shorten(h, INPUT_HINT))),
        });
        for (_, error) in form.errors.iter().filter(|(f, _)| *f == field.id) {
            blocks.push(warning(error));
        }
    }
    if blocks.len() > MODAL_BLOCKS {
        blocks.truncate(MODAL_BLOCKS - 1);
        blocks.push(Block::context("…"));
    }
    let title = match form.title.trim() {
        "" => "kakehashi",
        t => t,
    };
    let submit = match form.submit.trim() {
        "" => "OK",
        s => s,
    };
    View::Modal {
        callback_id: Some(UNIT.cut(&form.id, ID).to_string()),
        title: Text::plain(UNIT.shorten(title, MODAL_TITLE)),
        submit: Some(Text::plain(UNIT.shorten(submit, MODAL_BUTTON))),
        private_metadata: metadata.to_string(),
        blocks,
    }
}

fn warning(error: &str) -> Block {
    Block::context(shorten_mrkdwn(&format!("⚠ {}", escape(error)), CONTEXT_TEXT))
}

/// The `errors` of a `response_action: errors` acknowledgement: each error under its field's
/// block (an error for no known field goes under the first one).
pub fn field_errors(form: &Form) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let first = form.fields.first().map(|f| f.id.clone()).unwrap_or_default();
    for (field, error) in &form.errors {
        let key = if form.fields.iter().any(|f| f.id == *field) { field.clone() } else { first.clone() };
        let text = match map.get(&key) {
            Some(before) => format!("{before} {error}"),
            None => error.clone(),
        };
        map.insert(key, UNIT.shorten(&text, INPUT_HINT));
    }
    map
}

/// A modal that only says something (a form being worked on, a form done with).
pub fn notice_view(text: &str, metadata: &str) -> View {
    View::Modal {
        callback_id: None,
        title: Text::plain("kakehashi"),
        submit: None,
        private_metadata: metadata.to_string(),
        blocks: vec![Block::section(shorten_mrkdwn(&escape(text), SECTION_TEXT))],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::Field;
    use serde_json::{Value, json};

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

    fn json(view: &View) -> Value {
        serde_json::to_value(view).unwrap()
    }

    #[test]
    fn a_form_becomes_a_modal_within_slacks_limits() {
        let v = json(&modal(&form(vec![]), "{\"c\":\"C1\"}"));
        assert_eq!(v["type"], "modal");
        assert_eq!(v["callback_id"], "ans:N-1:baseline_accuracy");
        let title = v["title"]["text"].as_str().unwrap();
        assert!(UNIT.len(title) <= MODAL_TITLE && title.ends_with('…'), "{title}");
        assert_eq!(v["title"]["type"], "plain_text");
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
        assert_eq!(blocks[0]["element"]["type"], "plain_text_input");
        assert_eq!(blocks[0]["element"]["action_id"], INPUT_ACTION);
        assert_eq!(blocks[0]["element"]["multiline"], false);
        assert_eq!(blocks[0]["element"]["max_length"], 40);
        assert_eq!(blocks[0]["element"]["initial_value"], "lots");
        assert_eq!(blocks[0]["hint"]["text"], "0 to 100");
        assert_eq!(blocks[1]["element"]["multiline"], true);
        assert_eq!(blocks[1]["element"]["max_length"], INPUT_MAX_LENGTH);
        assert_eq!(UNIT.len(blocks[1]["element"]["initial_value"].as_str().unwrap()), INPUT_MAX_LENGTH);
        assert_eq!(blocks[1]["optional"], true);
        assert!(blocks[1].get("hint").is_none());
    }

    #[test]
    fn form_errors_show_under_their_fields_and_as_response_errors() {
        let f =
            form(vec![("answer".into(), "“lots” is not a number".into()), ("elsewhere".into(), "<b>bad</b>".into())]);
        let v = json(&modal(&f, ""));
        let blocks = v["blocks"].as_array().unwrap();
        let types: Vec<&str> = blocks.iter().map(|b| b["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["context", "input", "context", "input"]);
        assert_eq!(blocks[0]["elements"][0]["text"], "⚠ &lt;b&gt;bad&lt;/b&gt;");
        let errors = serde_json::to_value(field_errors(&f)).unwrap();
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
        let v = json(&modal(&f, ""));
        let blocks = v["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), MODAL_BLOCKS);
        assert_eq!(blocks[99]["elements"][0]["text"], "…");
    }

    #[test]
    fn a_notice_view_only_says_its_text() {
        let v = json(&notice_view("x & y", "m"));
        assert_eq!(
            v,
            json!({
                "type": "modal",
                "title": {"type": "plain_text", "text": "kakehashi", "emoji": true},
                "private_metadata": "m",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x &amp; y", "verbatim": true}}]
            })
        );
    }
}
