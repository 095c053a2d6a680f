//! Controls as Discord action rows: buttons five to a row, each select alone in its row with at
//! most 25 options (a longer list becomes several selects), user pickers; custom ids unique in a
//! message (a repeated one gets `~2`, `~3`…, which [`strip_suffix`] removes when the click comes
//! back).

use serenity::all::{
    ButtonStyle, CreateActionRow, CreateButton, CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption,
};

use super::render::{
    BUTTON_LABEL_MAX, BUTTONS_PER_ROW, CUSTOM_ID_MAX, PLACEHOLDER_MAX, SELECT_OPTIONS_MAX, SELECT_TEXT_MAX, UNIT,
};
use crate::chat::{Control, Style};

#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Buttons(Vec<ButtonOut>),
    Select(SelectOut),
    Users { custom_id: String, placeholder: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ButtonOut {
    pub custom_id: String,
    pub label: String,
    pub style: Style,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SelectOut {
    pub custom_id: String,
    pub placeholder: String,
    pub options: Vec<(String, String, bool)>,
    pub multi: bool,
}

/// Controls as action rows: buttons five to a row, each select in its own row.
pub(super) fn rows(controls: &[Control]) -> Vec<Row> {
    let mut ids = UniqueIds::default();
    let mut rows = Vec::new();
    let mut buttons: Vec<ButtonOut> = Vec::new();
    for control in controls {
        match control {
            Control::Button(b) => {
                let Some(custom_id) = ids.take(&b.action) else {
                    continue;
                };
                if buttons.len() == BUTTONS_PER_ROW {
                    rows.push(Row::Buttons(std::mem::take(&mut buttons)));
                }
                buttons.push(ButtonOut { custom_id, label: UNIT.shorten(&b.label, BUTTON_LABEL_MAX), style: b.style });
            }
            Control::Select(s) => {
                if !buttons.is_empty() {
                    rows.push(Row::Buttons(std::mem::take(&mut buttons)));
                }
                for chunk in s.options.chunks(SELECT_OPTIONS_MAX) {
                    let Some(custom_id) = ids.take(&s.action) else {
                        continue;
                    };
                    rows.push(Row::Select(SelectOut {
                        custom_id,
                        placeholder: UNIT.shorten(&s.placeholder, PLACEHOLDER_MAX),
                        options: chunk
                            .iter()
                            .map(|o| {
                                (
                                    UNIT.shorten(&o.label, SELECT_TEXT_MAX),
                                    UNIT.shorten(&o.value, SELECT_TEXT_MAX),
                                    s.initial.contains(&o.value),
                                )
                            })
                            .collect(),
                        multi: s.multi,
                    }));
                }
            }
            Control::UserPicker(p) => {
                if !buttons.is_empty() {
                    rows.push(Row::Buttons(std::mem::take(&mut buttons)));
                }
                if let Some(custom_id) = ids.take(&p.action) {
                    rows.push(Row::Users { custom_id, placeholder: UNIT.shorten(&p.placeholder, PLACEHOLDER_MAX) });
                }
            }
        }
    }
    if !buttons.is_empty() {
        rows.push(Row::Buttons(buttons));
    }
    rows
}

/// Custom ids unique within one message: a repeat gets `~2`, `~3`…; one too long is dropped
/// (the bot keeps its ids within 100 characters, so this only guards against a mistake).
#[derive(Default)]
struct UniqueIds(Vec<String>);

impl UniqueIds {
    fn take(&mut self, id: &str) -> Option<String> {
        if id.is_empty() || id.len() > CUSTOM_ID_MAX {
            tracing::warn!(len = id.len(), "a control's id does not fit Discord; left out");
            return None;
        }
        let mut candidate = id.to_string();
        let mut n = 1;
        while self.0.contains(&candidate) {
            n += 1;
            candidate = format!("{id}~{n}");
            if candidate.len() > CUSTOM_ID_MAX {
                return None;
            }
        }
        self.0.push(candidate.clone());
        Some(candidate)
    }
}

/// The id as the bot wrote it: without the `~n` a repeated custom id got.
pub fn strip_suffix(custom_id: &str) -> &str {
    match custom_id.rsplit_once('~') {
        Some((id, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => id,
        _ => custom_id,
    }
}

pub(super) fn row(r: &Row) -> CreateActionRow {
    match r {
        Row::Buttons(buttons) => CreateActionRow::Buttons(
            buttons
                .iter()
                .map(|b| {
                    CreateButton::new(&b.custom_id).label(&b.label).style(match b.style {
                        Style::Primary => ButtonStyle::Primary,
                        Style::Danger => ButtonStyle::Danger,
                        Style::Default => ButtonStyle::Secondary,
                    })
                })
                .collect(),
        ),
        Row::Select(s) => {
            let options = s
                .options
                .iter()
                .map(|(label, value, on)| CreateSelectMenuOption::new(label, value).default_selection(*on))
                .collect::<Vec<_>>();
            let count = options.len().max(1) as u8;
            let mut menu = CreateSelectMenu::new(&s.custom_id, CreateSelectMenuKind::String { options });
            if !s.placeholder.is_empty() {
                menu = menu.placeholder(&s.placeholder);
            }
            if s.multi {
                menu = menu.min_values(1).max_values(count);
            }
            CreateActionRow::SelectMenu(menu)
        }
        Row::Users { custom_id, placeholder } => {
            let mut menu = CreateSelectMenu::new(custom_id, CreateSelectMenuKind::User { default_users: None });
            if !placeholder.is_empty() {
                menu = menu.placeholder(placeholder);
            }
            CreateActionRow::SelectMenu(menu)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_id_gets_a_suffix_that_comes_off_again() {
        let mut ids = UniqueIds::default();
        assert_eq!(ids.take("p:N-1:fit").as_deref(), Some("p:N-1:fit"));
        assert_eq!(ids.take("p:N-1:fit").as_deref(), Some("p:N-1:fit~2"));
        assert_eq!(ids.take("p:N-1:fit").as_deref(), Some("p:N-1:fit~3"));
        assert_eq!(ids.take(&"x".repeat(CUSTOM_ID_MAX + 1)), None);
        assert_eq!(ids.take(""), None);
        assert_eq!(strip_suffix("p:N-1:fit~3"), "p:N-1:fit");
        assert_eq!(strip_suffix("a~b"), "a~b");
        assert_eq!(strip_suffix("a~"), "a~");
    }
}
