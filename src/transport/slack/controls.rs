//! Controls as Block Kit `actions` blocks: buttons, selects (a hundred options each, a longer
//! list split over several) and user pickers, within Slack's limits. A control whose id does not
//! fit Slack is left out (with a log line) rather than have Slack refuse the whole message.

use super::blocks::{Block, ButtonStyle, Choice, Element, Text};
use super::render::UNIT;
use super::render::limits::*;
use crate::chat::{Control, Style};

/// Controls as `actions` blocks: at most 25 elements each, and a new block wherever an
/// `action_id` would repeat inside one (a long select split in several).
pub fn controls(controls: &[Control]) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Vec<Element> = Vec::new();
    for element in controls.iter().flat_map(elements) {
        if current.len() == ACTIONS_ELEMENTS || current.iter().any(|e| e.action_id() == element.action_id()) {
            blocks.push(Block::Actions { elements: std::mem::take(&mut current) });
        }
        current.push(element);
    }
    if !current.is_empty() {
        blocks.push(Block::Actions { elements: current });
    }
    blocks
}

fn usable_id(id: &str) -> bool {
    if id.is_empty() || UNIT.len(id) > ID {
        tracing::warn!(len = id.len(), "a control's action id does not fit Slack; it is left out");
        return false;
    }
    true
}

fn placeholder(p: &str) -> Option<Text> {
    let p = p.trim();
    (!p.is_empty()).then(|| Text::plain(UNIT.shorten(p, PLACEHOLDER)))
}

fn elements(control: &Control) -> Vec<Element> {
    match control {
        Control::Button(b) => {
            if !usable_id(&b.action) {
                return Vec::new();
            }
            let label = if b.label.trim().is_empty() { "…" } else { b.label.trim() };
            let style = match b.style {
                Style::Primary => Some(ButtonStyle::Primary),
                Style::Danger => Some(ButtonStyle::Danger),
                Style::Default => None,
            };
            vec![Element::Button {
                action_id: b.action.clone(),
                text: Text::plain(UNIT.shorten(label, BUTTON_TEXT)),
                style,
            }]
        }
        Control::UserPicker(p) => {
            if !usable_id(&p.action) {
                return Vec::new();
            }
            vec![Element::UsersSelect { action_id: p.action.clone(), placeholder: placeholder(&p.placeholder) }]
        }
        Control::Select(s) => {
            if !usable_id(&s.action) {
                return Vec::new();
            }
            let options: Vec<Choice> = s
                .options
                .iter()
                .filter(|o| {
                    let fits = !o.value.is_empty() && UNIT.len(&o.value) <= OPTION_VALUE;
                    if !fits {
                        tracing::warn!(select = %s.action, "an option's value does not fit Slack; it is left out");
                    }
                    fits
                })
                .map(|o| {
                    let label = if o.label.trim().is_empty() { &o.value } else { &o.label };
                    Choice { text: Text::plain(UNIT.shorten(label.trim(), OPTION_TEXT)), value: o.value.clone() }
                })
                .collect();
            options
                .chunks(SELECT_OPTIONS)
                .map(|chunk| {
                    let initial = chunk.iter().filter(|o| s.initial.contains(&o.value)).cloned();
                    let (action_id, options, placeholder) =
                        (s.action.clone(), chunk.to_vec(), placeholder(&s.placeholder));
                    if s.multi {
                        Element::MultiStaticSelect {
                            action_id,
                            options,
                            placeholder,
                            initial_options: initial.collect(),
                        }
                    } else {
                        Element::StaticSelect {
                            action_id,
                            options,
                            placeholder,
                            initial_option: initial.into_iter().next(),
                        }
                    }
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Button, Select, SelectOption};
    use crate::transport::fixtures::button;
    use serde_json::Value;

    /// The blocks as the JSON Slack gets.
    fn json(controls: &[Control]) -> Vec<Value> {
        super::controls(controls).iter().map(|b| serde_json::to_value(b).unwrap()).collect()
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
        let out = json(&[b(Style::Primary), b(Style::Danger), b(Style::Default)]);
        // the same action id three times: three blocks
        assert_eq!(out.len(), 3);
        assert_eq!(out[0]["elements"][0]["style"], "primary");
        assert_eq!(out[1]["elements"][0]["style"], "danger");
        assert!(out[2]["elements"][0].get("style").is_none());
        assert_eq!(
            out[2]["elements"][0]["text"],
            serde_json::json!({"type": "plain_text", "text": "X", "emoji": true})
        );
    }

    #[test]
    fn labels_are_shortened_with_a_visible_mark() {
        let label = "絵".repeat(100);
        let out = json(&[button("x", &label)]);
        let t = out[0]["elements"][0]["text"]["text"].as_str().unwrap();
        assert_eq!(UNIT.len(t), BUTTON_TEXT);
        assert!(t.ends_with('…'));
    }

    #[test]
    fn a_select_over_a_hundred_options_is_split_and_long_labels_shortened() {
        let options: Vec<SelectOption> = (0..230)
            .map(|i| SelectOption { value: format!("v{i}"), label: format!("{i} {}", "o".repeat(100)) })
            .collect();
        let out = json(&[Control::Select(Select {
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
        assert!(UNIT.len(label) <= OPTION_TEXT && label.ends_with('…'));
        let ph = out[0]["elements"][0]["placeholder"]["text"].as_str().unwrap();
        assert!(UNIT.len(ph) <= PLACEHOLDER);
    }

    #[test]
    fn more_than_25_controls_fill_several_action_blocks() {
        let buttons: Vec<Control> = (0..60).map(|i| button(&format!("b{i}"), "B")).collect();
        let out = json(&buttons);
        let sizes: Vec<usize> = out.iter().map(|b| b["elements"].as_array().unwrap().len()).collect();
        assert_eq!(sizes, [25, 25, 10]);
    }

    #[test]
    fn controls_whose_ids_do_not_fit_are_left_out_rather_than_rejected() {
        let out = json(&[button(&"x".repeat(256), "Too long"), button("ok", "OK")]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0]["elements"].as_array().unwrap().len(), 1);
        let empty = json(&[Control::Select(Select {
            action: "s".into(),
            placeholder: String::new(),
            options: vec![],
            multi: true,
            initial: vec![],
        })]);
        assert!(empty.is_empty(), "a select without options is not sent");
    }
}
