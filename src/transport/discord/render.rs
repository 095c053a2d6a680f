//! Outbound messages and forms in Discord's format, within Discord's limits on purpose (the
//! markdown is written in `markdown.rs`, the action rows in `components.rs`):
//!
//! - text becomes markdown content (≤ 2000 characters); longer text moves into embeds (≤ 4096
//!   characters each, ≤ 6000 and ≤ 10 embeds per message), and what still does not fit goes into
//!   further messages ([`message`] returns pages);
//! - controls become action rows: ≤ 5 buttons a row (labels ≤ 80), a select alone in its row with
//!   ≤ 25 options (a longer list becomes several selects), ≤ 5 rows a message (more go onto a
//!   further page), custom ids ≤ 100 and unique in a message (a repeated id gets `~2`, `~3`,
//!   which [`strip_suffix`] removes when the click comes back);
//! - a form becomes a modal: title ≤ 45, ≤ 5 text inputs (labels ≤ 45, values ≤ 4000).
//!
//! Every message carries `allowed_mentions` that allow exactly the users the bot named with
//! [`Span::User`]; text is escaped so that nothing typed by a person becomes markup or a
//! mention (`@everyone`, `<@…>` and the like get a zero-width space).

use serenity::all::{
    CreateActionRow, CreateAllowedMentions, CreateEmbed, CreateInputText, CreateInteractionResponseFollowup,
    CreateInteractionResponseMessage, CreateMessage, CreateModal, EditInteractionResponse, InputTextStyle,
    MessageFlags, UserId,
};

use super::components::{row, rows};
use super::markdown::Markdown;
use crate::chat::{Action, Block, Control, FieldKind, Form, FormKind, Message, Span, Style, Visibility};
use crate::domain::Lang;
use crate::prompts::Prompts;
use crate::transport::text::{Markup, Unit};

pub use super::components::{ButtonOut, Row, SelectOut, strip_suffix};
pub use super::markdown::{escape, snowflake};

pub const CONTENT_MAX: usize = 2000;
pub const EMBED_DESCRIPTION_MAX: usize = 4096;
pub const EMBED_TOTAL_MAX: usize = 6000;
pub const EMBEDS_PER_MESSAGE: usize = 10;
pub const ROWS_MAX: usize = 5;
pub const BUTTONS_PER_ROW: usize = 5;
pub const BUTTON_LABEL_MAX: usize = 80;
pub const SELECT_OPTIONS_MAX: usize = 25;
pub const SELECT_TEXT_MAX: usize = 100;
pub const PLACEHOLDER_MAX: usize = 150;
pub const CUSTOM_ID_MAX: usize = 100;
pub const MODAL_TITLE_MAX: usize = 45;
pub const MODAL_INPUTS_MAX: usize = 5;
pub const INPUT_LABEL_MAX: usize = 45;
pub const INPUT_PLACEHOLDER_MAX: usize = 100;
pub const INPUT_VALUE_MAX: usize = 4000;

/// Discord counts characters.
pub const UNIT: Unit = Unit::Char;

/// At most `max` characters, with … when cut (the commands' descriptions use it).
pub fn cut(s: &str, max: usize) -> String {
    UNIT.shorten(s, max)
}

/// One Discord message, before it becomes a serenity builder.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Out {
    pub content: String,
    pub embeds: Vec<String>,
    pub rows: Vec<Row>,
    pub ephemeral: bool,
    /// The users it may ping: those the bot named, nobody else.
    pub mentions: Vec<u64>,
}

/// A message as one or more Discord messages (usually one).
pub fn message(m: &Message) -> Vec<Out> {
    let mut text = Markdown::default();
    let mut controls = Vec::new();
    for block in &m.blocks {
        match block {
            Block::Controls(c) => controls.extend(c.iter().cloned()),
            other => text.block(other),
        }
    }
    let ephemeral = m.visibility == Visibility::Private;
    let mentions = text.mentions.clone();
    let body = text.finish();
    let mut pages: Vec<Out> = Vec::new();
    if UNIT.len(&body) <= CONTENT_MAX {
        pages.push(Out { content: body, ..Out::default() });
    } else {
        let mut page = Out::default();
        let mut total = 0;
        for chunk in UNIT.split(&body, EMBED_DESCRIPTION_MAX, Markup::Plain) {
            let len = UNIT.len(&chunk);
            if !page.embeds.is_empty() && (total + len > EMBED_TOTAL_MAX || page.embeds.len() == EMBEDS_PER_MESSAGE) {
                pages.push(std::mem::take(&mut page));
                total = 0;
            }
            total += len;
            page.embeds.push(chunk);
        }
        pages.push(page);
    }
    let rows = rows(&controls);
    let mut rows = rows.chunks(ROWS_MAX);
    if let Some(first) = rows.next() {
        pages.last_mut().expect("one page at least").rows = first.to_vec();
    }
    for more in rows {
        pages.push(Out { rows: more.to_vec(), ..Out::default() });
    }
    for page in &mut pages {
        page.ephemeral = ephemeral;
        page.mentions = mentions.clone();
    }
    pages
}

/// Whether a message goes out as one Discord message (not split into pages): messages are
/// joined while the joined one still fits, so a reply that is several messages needs no
/// follow-ups and the first answer is the one that shows at once.
pub fn fits(m: &Message) -> bool {
    message(m).len() == 1
}

/// A form as a modal.
pub fn modal(form: &Form) -> CreateModal {
    let inputs = form
        .fields
        .iter()
        .take(MODAL_INPUTS_MAX)
        .map(|f| {
            let max = f.max_len.clamp(1, INPUT_VALUE_MAX);
            let style = match f.kind {
                FieldKind::Long => InputTextStyle::Paragraph,
                FieldKind::Short | FieldKind::Number => InputTextStyle::Short,
            };
            let mut input = CreateInputText::new(style, UNIT.shorten(&f.label, INPUT_LABEL_MAX), &f.id)
                .required(f.required)
                .max_length(max as u16);
            if f.required {
                input = input.min_length(1);
            }
            let placeholder = f.hint.clone().unwrap_or_else(|| f.label.clone());
            if UNIT.len(&f.label) > INPUT_LABEL_MAX || f.hint.is_some() {
                input = input.placeholder(UNIT.shorten(&placeholder, INPUT_PLACEHOLDER_MAX));
            }
            if let Some(v) = f.initial.as_deref().filter(|v| !v.is_empty()) {
                input = input.value(UNIT.cut(v, max));
            }
            CreateActionRow::InputText(input)
        })
        .collect();
    if form.fields.len() > MODAL_INPUTS_MAX {
        tracing::warn!(form = %form.id, fields = form.fields.len(), "a form has more fields than a modal holds");
    }
    CreateModal::new(&form.id, UNIT.shorten(&form.title, MODAL_TITLE_MAX)).components(inputs)
}

/// A form that cannot be shown as a modal here (Discord opens modals only as the first answer
/// to a command or a click, and a modal cannot show errors): a message with the errors and what
/// was typed, and a button that opens the form again.
pub fn form_message(form: &Form, prompts: &Prompts, lang: Lang) -> Message {
    let mut blocks = Vec::new();
    if form.errors.is_empty() {
        blocks.push(Block::Text(vec![Span::plain(prompts.get(lang, "discord.form_ready"))]));
    } else {
        blocks.push(Block::Heading(form.title.clone()));
        blocks.push(Block::Text(vec![Span::plain(prompts.get(lang, "discord.form_errors"))]));
        let mut items = Vec::new();
        for (field, error) in &form.errors {
            let f = form.fields.iter().find(|f| &f.id == field);
            let mut item = vec![Span::plain(error.clone())];
            if let Some(typed) = f.and_then(|f| f.initial.as_deref()).filter(|v| !v.is_empty()) {
                let shown = UNIT.cut(typed, 200).to_string();
                item.push(Span::plain("\n"));
                item.push(Span::plain(prompts.fill(lang, "discord.you_wrote", &[("value", shown)])));
            }
            items.push(item);
        }
        blocks.push(Block::List(items));
    }
    if let Some(kind) = FormKind::parse(&form.id) {
        blocks.push(Block::Controls(vec![Control::Button(crate::chat::Button {
            action: Action::Open { form: kind }.to_string(),
            label: prompts.get(lang, "discord.reopen").to_string(),
            style: Style::Primary,
            key: None,
            opens_form: true,
        })]));
    }
    Message::private(blocks)
}

impl Out {
    fn allowed_mentions(&self) -> CreateAllowedMentions {
        CreateAllowedMentions::new().users(self.mentions.iter().map(|&id| UserId::new(id))).replied_user(false)
    }

    fn embeds(&self) -> Vec<CreateEmbed> {
        self.embeds.iter().map(|d| CreateEmbed::new().description(d)).collect()
    }

    fn components(&self) -> Vec<CreateActionRow> {
        self.rows.iter().map(row).collect()
    }

    /// For an interaction response (type 4 or 7).
    pub fn response(&self) -> CreateInteractionResponseMessage {
        CreateInteractionResponseMessage::new()
            .content(&self.content)
            .embeds(self.embeds())
            .components(self.components())
            .allowed_mentions(self.allowed_mentions())
            .ephemeral(self.ephemeral)
    }

    pub fn follow_up(&self) -> CreateInteractionResponseFollowup {
        CreateInteractionResponseFollowup::new()
            .content(&self.content)
            .embeds(self.embeds())
            .components(self.components())
            .allowed_mentions(self.allowed_mentions())
            .ephemeral(self.ephemeral)
    }

    /// For an edit of the original response (its visibility cannot change).
    pub fn edit(&self) -> EditInteractionResponse {
        EditInteractionResponse::new()
            .content(&self.content)
            .embeds(self.embeds())
            .components(self.components())
            .allowed_mentions(self.allowed_mentions())
    }

    /// For a message that is not a reply (a channel or a direct message: nothing is ephemeral).
    pub fn channel_message(&self) -> CreateMessage {
        CreateMessage::new()
            .content(&self.content)
            .embeds(self.embeds())
            .components(self.components())
            .allowed_mentions(self.allowed_mentions())
            .flags(MessageFlags::empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Field, Select, SelectOption, UserPicker, text};
    use crate::transport::fixtures::{button, volume_form};

    fn json(v: impl serde::Serialize) -> serde_json::Value {
        serde_json::to_value(v).unwrap()
    }

    #[test]
    fn only_the_users_the_bot_names_may_be_pinged() {
        let m = Message::private(vec![
            Block::Text(vec![
                Span::plain("requested by "),
                Span::User("81234567890123456".into()),
                Span::plain(" for @everyone <@42>"),
            ]),
            Block::Fields(vec![("Owner".into(), vec![Span::User("aiko".into())])]),
        ]);
        let pages = message(&m);
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0].mentions, vec![81234567890123456]);
        assert!(pages[0].content.contains("<@81234567890123456>"));
        assert!(pages[0].content.contains("@aiko"), "a name that is not an id stays text");
        let v = json(pages[0].response());
        assert_eq!(v["allowed_mentions"]["parse"], serde_json::json!([]));
        assert_eq!(v["allowed_mentions"]["users"], serde_json::json!(["81234567890123456"]));
        assert_eq!(v["allowed_mentions"]["roles"], serde_json::json!([]));
        assert_eq!(v["flags"], 64, "private is ephemeral");
        for payload in [json(pages[0].follow_up()), json(pages[0].edit()), json(pages[0].channel_message())] {
            assert_eq!(payload["allowed_mentions"]["parse"], serde_json::json!([]), "{payload}");
        }
    }

    #[test]
    fn long_text_moves_into_embeds_and_then_onto_more_messages() {
        let para = "word ".repeat(300); // 1500 characters a block
        let blocks: Vec<Block> = (0..3).map(|_| Block::Text(text(para.trim()))).collect();
        let pages = message(&Message::private(blocks.clone()));
        assert_eq!(pages.len(), 1, "4500 characters fit in embeds of one message");
        assert!(pages[0].content.is_empty());
        assert!(pages[0].embeds.iter().all(|e| e.chars().count() <= EMBED_DESCRIPTION_MAX));
        let blocks: Vec<Block> = (0..10).map(|_| Block::Text(text(para.trim()))).collect();
        let mut with_button = blocks;
        with_button.push(Block::Controls(vec![button("l:N-1", "Later")]));
        let pages = message(&Message::private(with_button));
        assert!(pages.len() >= 3, "{}", pages.len());
        for p in &pages {
            let total: usize = p.embeds.iter().map(|e| e.chars().count()).sum();
            assert!(total <= EMBED_TOTAL_MAX && p.embeds.len() <= EMBEDS_PER_MESSAGE);
            assert!(p.content.chars().count() <= CONTENT_MAX);
        }
        assert!(pages.last().unwrap().rows.len() == 1, "controls come last");
        let words: usize = pages.iter().flat_map(|p| &p.embeds).map(|e| e.split_whitespace().count()).sum();
        assert_eq!(words, 3000, "nothing is lost");
    }

    #[test]
    fn controls_fit_discords_rows() {
        let mut controls: Vec<Control> = (0..9).map(|i| button(&format!("a:N-1:q:o{i}"), &"L".repeat(100))).collect();
        controls.push(Control::Select(Select {
            action: "p:N-1:fit".into(),
            placeholder: "Pick".into(),
            options: (0..30).map(|i| SelectOption { value: format!("v{i}"), label: format!("Option {i}") }).collect(),
            multi: true,
            initial: vec!["v1".into()],
        }));
        controls.push(Control::UserPicker(UserPicker { action: "u:1".into(), placeholder: "Who?".into() }));
        controls.push(button(&"x".repeat(101), "too long an id"));
        controls.push(button("l:N-1", "Later"));
        let pages = message(&Message::private(vec![Block::Text(text("q")), Block::Controls(controls)]));
        let rows: Vec<&Row> = pages.iter().flat_map(|p| &p.rows).collect();
        assert!(pages.iter().all(|p| p.rows.len() <= ROWS_MAX));
        assert_eq!(pages.len(), 2, "six rows: five on the first message, one more after");
        match rows[0] {
            Row::Buttons(b) => {
                assert_eq!(b.len(), 5);
                assert_eq!(b[0].label.chars().count(), BUTTON_LABEL_MAX);
            }
            other => panic!("{other:?}"),
        }
        let selects: Vec<&SelectOut> = rows
            .iter()
            .filter_map(|r| match r {
                Row::Select(s) => Some(s),
                _ => None,
            })
            .collect();
        assert_eq!(selects.len(), 2);
        assert_eq!(selects[0].options.len(), 25);
        assert_eq!(selects[0].custom_id, "p:N-1:fit");
        assert_eq!(selects[1].custom_id, "p:N-1:fit~2", "ids stay unique in a message");
        assert_eq!(strip_suffix(&selects[1].custom_id), "p:N-1:fit");
        assert!(selects[0].options[1].2, "the current answer is preselected");
        assert!(rows.iter().any(|r| matches!(r, Row::Users { .. })));
        let all = serde_json::to_string(&pages.iter().map(|p| json(p.response())).collect::<Vec<_>>()).unwrap();
        assert!(!all.contains(&"x".repeat(101)), "an id over 100 characters is left out");
        let v = json(pages[0].response());
        assert_eq!(v["components"][2]["components"][0]["max_values"], 25);
    }

    #[test]
    fn a_form_becomes_a_modal_within_limits() {
        let form = Form {
            id: "ans:N-1:goal".into(),
            title: "N-1 · A rather long question label that goes on and on".into(),
            submit: "Save".into(),
            fields: vec![Field {
                id: "answer".into(),
                label: "What business result should change? Say it without the word AI.".into(),
                hint: None,
                kind: FieldKind::Long,
                required: true,
                initial: Some("y".repeat(5000)),
                max_len: 8000,
            }],
            errors: vec![],
        };
        let v = json(modal(&form));
        assert_eq!(v["custom_id"], "ans:N-1:goal");
        assert!(v["title"].as_str().unwrap().chars().count() <= MODAL_TITLE_MAX);
        let input = &v["components"][0]["components"][0];
        assert_eq!(input["style"], 2);
        assert!(input["label"].as_str().unwrap().chars().count() <= INPUT_LABEL_MAX);
        assert_eq!(input["max_length"], 4000);
        assert_eq!(input["value"].as_str().unwrap().len(), 4000);
        assert!(input["placeholder"].as_str().unwrap().starts_with("What business result"));
    }

    #[test]
    fn a_form_with_errors_becomes_a_message_with_a_button_to_open_it_again() {
        let prompts = Prompts::embedded();
        let form = volume_form(Some("lots @everyone"), vec![("answer".into(), "“lots” is not a number.".into())]);
        let m = form_message(&form, &prompts, Lang::En);
        let out = &message(&m)[0];
        assert!(out.content.contains("is not a number"), "{}", out.content);
        assert!(out.content.contains("You wrote: lots @\u{200B}everyone"), "{}", out.content);
        assert!(out.ephemeral);
        match &out.rows[0] {
            Row::Buttons(b) => {
                assert_eq!(b[0].custom_id, "o:ans:N-1:volume");
                assert_eq!(b[0].label, "Open the form");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn messages_of_one_visibility_merge_while_they_fit() {
        let a = Message::private(vec![Block::Text(text("N-1 is saved"))]);
        let b =
            Message::private(vec![Block::Text(text("question 1")), Block::Controls(vec![button("l:N-1", "Later")])]);
        let merged = Message::merge_while(vec![a.clone(), b], fits);
        assert_eq!(merged.len(), 1);
        assert_eq!(message(&merged[0])[0].content, "N-1 is saved\nquestion 1");
        let public = Message { visibility: Visibility::Public, replace: false, blocks: vec![Block::Text(text("hi"))] };
        assert_eq!(Message::merge_while(vec![a, public], fits).len(), 2);
    }
}
