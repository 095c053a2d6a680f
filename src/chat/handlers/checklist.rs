//! The checklist conversation: one question at a time with buttons for choices and a form for
//! text and numbers, a progress indicator, Back and "finish later"; answers are saved as they
//! come, so it can be resumed anywhere and changed after the verdict.

use std::collections::BTreeMap;

use super::super::message::{
    Block, Button, Control, Field, FieldKind, Form, Message, Outbound, Select, SelectOption, Span, Style, text,
};
use super::super::{Action, Ctx, FormKind, render};
use super::load;
use crate::domain::checklist::{Answer, AnswerError, Question, QuestionKind, View};
use crate::domain::screening::{Answered, record_answer};
use crate::domain::settings::group;
use crate::domain::verdict::shorten;
use crate::domain::{ItemKind, ItemRef, WorkItem};
use crate::error::Error;
use crate::storage::{Save, StoreError};

/// Selects show at most this many options (Discord's limit); longer lists are split.
const SELECT_MAX: usize = 25;

/// `resume <id>`: the next question, or the verdict if every question is answered.
pub async fn resume(ctx: &Ctx<'_>, item: ItemRef) -> Result<Vec<Outbound>, Error> {
    let item = own_need(ctx, item).await?;
    Ok(vec![Outbound::Message(next_step(ctx, &item))])
}

/// Shows a question again (Back, an edit) or opens the form of a text or number question.
pub async fn ask(ctx: &Ctx<'_>, item: ItemRef, question: &str) -> Result<Vec<Outbound>, Error> {
    let item = open_need(ctx, item).await?;
    let view = ctx.prompts().checklist.view(&item.answers);
    let q = applicable(ctx, &item, &view, question)?;
    Ok(vec![match q.kind {
        QuestionKind::Text { .. } | QuestionKind::Number { .. } => Outbound::Form(answer_form(ctx, &item, q, None)),
        _ => Outbound::Message(ask_message(ctx, &item, &view, q)),
    }])
}

pub async fn back(ctx: &Ctx<'_>, item: ItemRef, from: &str) -> Result<Vec<Outbound>, Error> {
    let item = open_need(ctx, item).await?;
    let view = ctx.prompts().checklist.view(&item.answers);
    let current = applicable(ctx, &item, &view, from)?;
    let q = view.previous(from).unwrap_or(current);
    Ok(vec![Outbound::Message(ask_message(ctx, &item, &view, q))])
}

pub async fn later(ctx: &Ctx<'_>, item: ItemRef) -> Result<Vec<Outbound>, Error> {
    let item = own_need(ctx, item).await?;
    let saved = ctx.tf("checklist.later", &[("item", item.reference.to_string())]);
    Ok(vec![Outbound::Message(Message::private(vec![Block::Text(text(saved))]).replacing())])
}

/// `answers <id>`: every answer, and a way to change one.
pub async fn answers(ctx: &Ctx<'_>, item: ItemRef) -> Result<Vec<Outbound>, Error> {
    let item = open_need(ctx, item).await?;
    let view = ctx.prompts().checklist.view(&item.answers);
    let answered = view.answered();
    let id = item.reference.to_string();
    let mut blocks =
        vec![Block::Heading(ctx.tf("answers.heading", &[("item", id.clone()), ("title", item.title.clone())]))];
    if answered.is_empty() {
        blocks.push(Block::Text(text(ctx.tf("answers.none", &[("item", id)]))));
        return Ok(vec![Outbound::Message(Message::private(blocks))]);
    }
    blocks.push(render::answers(ctx, &answered));
    let options: Vec<SelectOption> = answered
        .iter()
        .map(|(q, _)| SelectOption { value: q.id.clone(), label: q.label.get(ctx.lang).to_string() })
        .collect();
    let selects = options
        .chunks(SELECT_MAX)
        .map(|chunk| {
            Control::Select(Select {
                action: Action::Edit { item: item.reference }.to_string(),
                placeholder: ctx.t("answers.pick"),
                options: chunk.to_vec(),
                multi: false,
                initial: Vec::new(),
            })
        })
        .collect();
    blocks.push(Block::Controls(selects));
    Ok(vec![Outbound::Message(Message::private(blocks))])
}

/// An answer from a button or a select.
pub async fn answer(ctx: &Ctx<'_>, item: ItemRef, question: &str, values: &[String]) -> Result<Vec<Outbound>, Error> {
    let saved = save_answer(ctx, item, question, values).await?;
    match saved.outcome {
        Ok(answered) => Ok(after_answer(ctx, &saved.item, answered)),
        Err(invalid) => Err(Error::User(answer_error(ctx, &invalid.1))),
    }
}

/// An answer from the form of a text or number question; a bad one shows the form again.
pub async fn submit_form(
    ctx: &Ctx<'_>,
    item: ItemRef,
    question: &str,
    values: &BTreeMap<String, String>,
) -> Result<Vec<Outbound>, Error> {
    let given: Vec<String> = values.get("answer").cloned().into_iter().collect();
    let saved = save_answer(ctx, item, question, &given).await?;
    match saved.outcome {
        Ok(answered) => Ok(after_answer(ctx, &saved.item, answered)),
        Err(invalid) => {
            let (q, e) = *invalid;
            let item = saved.item;
            let typed = given.first().map(|s| s.chars().take(4000).collect());
            let mut form = answer_form(ctx, &item, &q, typed);
            form.errors.push(("answer".into(), answer_error(ctx, &e)));
            Ok(vec![Outbound::Form(form)])
        }
    }
}

/// The need after an answer, and what became of the answer: taken, or refused for a reason.
struct Saved {
    item: WorkItem,
    outcome: Result<Answered, Box<(Question, AnswerError)>>,
}

async fn save_answer(ctx: &Ctx<'_>, item: ItemRef, question: &str, values: &[String]) -> Result<Saved, Error> {
    let checklist = &ctx.prompts().checklist;
    // A save that lost a race (a double click, another replica) reads the item again.
    for _ in 0..3 {
        let mut item = open_need(ctx, item).await?;
        let q = applicable(ctx, &item, &checklist.view(&item.answers), question)?.clone();
        let answer: Answer = match q.parse_input(values) {
            Ok(a) => a,
            Err(e) => {
                return Ok(Saved { item, outcome: Err(Box::new((q, e))) });
            }
        };
        let value_settings = &ctx.workspace.settings.value;
        let (answered, events) =
            record_answer(&mut item, checklist, value_settings, &q.id, answer, ctx.actor(), ctx.now);
        if answered != Answered::Unchanged {
            // the AI team hears of a need the moment its checklist is done
            let notices: Vec<_> = match answered {
                Answered::Submitted => super::moves::triage_notice(ctx, &item).into_iter().collect(),
                _ => Vec::new(),
            };
            let save = Save { answers: std::slice::from_ref(&q.id), events: &events, notices: &notices };
            match ctx.store().save_item(&mut item, ctx.actor(), save).await {
                Ok(()) => {}
                Err(StoreError::Conflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        if answered == Answered::Submitted {
            tracing::info!(item = %item.reference, outcome = ?item.outcome(), "checklist finished");
        }
        return Ok(Saved { item, outcome: Ok(answered) });
    }
    Err(Error::Internal(anyhow::anyhow!("{item}: the answer lost three races in a row")))
}

fn after_answer(ctx: &Ctx, item: &WorkItem, answered: Answered) -> Vec<Outbound> {
    let note = match answered {
        Answered::Submitted => Some(ctx.t("verdict.submitted")),
        Answered::Reassessed { before, after } if before != after => after.map(|after| {
            ctx.tf(
                "verdict.changed",
                &[
                    ("before", before.map(|o| render::outcome(ctx, o)).unwrap_or_default()),
                    ("after", render::outcome(ctx, after)),
                ],
            )
        }),
        Answered::Reassessed { after: Some(o), .. } => {
            Some(ctx.tf("verdict.unchanged", &[("title", render::outcome(ctx, o))]))
        }
        _ => None,
    };
    let view = ctx.prompts().checklist.view(&item.answers);
    let message = match (view.next(), &item.verdict) {
        (None, Some(_)) => verdict_message(ctx, item, note),
        _ => next_step(ctx, item),
    };
    vec![Outbound::Message(message.replacing())]
}

/// Where a need stands: its next question, or its verdict.
pub fn next_step(ctx: &Ctx, item: &WorkItem) -> Message {
    let view = ctx.prompts().checklist.view(&item.answers);
    match view.next() {
        Some(q) => ask_message(ctx, item, &view, q),
        None => verdict_message(ctx, item, None),
    }
}

fn verdict_message(ctx: &Ctx, item: &WorkItem, note: Option<String>) -> Message {
    let Some(verdict) = &item.verdict else {
        return Message::private(vec![Block::Text(text(
            ctx.tf("answers.none", &[("item", item.reference.to_string())]),
        ))]);
    };
    let mut blocks = render::verdict(ctx, item.reference, verdict);
    if let Some(note) = note {
        blocks.push(Block::Text(text(note)));
    }
    blocks.push(Block::Controls(vec![Control::Button(Button {
        action: Action::Edit { item: item.reference }.to_string(),
        label: ctx.t("verdict.edit"),
        style: Style::Default,
        key: None,
        opens_form: false,
    })]));
    Message::private(blocks)
}

/// The message that asks one question: progress, the question, its choices, Back, later.
fn ask_message(ctx: &Ctx, item: &WorkItem, view: &View, q: &Question) -> Message {
    let (n, total) = view.progress(&q.id);
    let reference = item.reference;
    let current = item.answers.get(&q.id);
    let mut blocks = vec![
        Block::Context(text(ctx.tf(
            "checklist.progress",
            &[
                ("item", reference.to_string()),
                ("title", shorten(&item.title, 60)),
                ("n", n.to_string()),
                ("total", total.to_string()),
            ],
        ))),
        Block::Text(vec![Span::Bold(question_text(ctx, q))]),
    ];
    if let Some(hint) = &q.hint {
        blocks.push(Block::Context(text(hint.get(ctx.lang))));
    }
    if let Some(a) = current {
        blocks.push(Block::Context(text(ctx.tf("checklist.current", &[("answer", render::answer(ctx, &q.id, a))]))));
    }
    let is = |o: &str| match current {
        Some(Answer::One(x)) => x == o,
        _ => false,
    };
    let mut controls: Vec<Control> = match &q.kind {
        QuestionKind::One { options } => options
            .iter()
            .map(|o| {
                Control::Button(Button {
                    action: Action::Answer { item: reference, question: q.id.clone(), option: o.id.clone() }
                        .to_string(),
                    label: o.label.get(ctx.lang).to_string(),
                    style: if is(&o.id) { Style::Primary } else { Style::Default },
                    key: None,
                    opens_form: false,
                })
            })
            .collect(),
        QuestionKind::Many { options } => vec![Control::Select(Select {
            action: Action::Pick { item: reference, question: q.id.clone() }.to_string(),
            placeholder: ctx.t("checklist.pick"),
            options: options
                .iter()
                .map(|o| SelectOption { value: o.id.clone(), label: o.label.get(ctx.lang).to_string() })
                .collect(),
            multi: true,
            initial: match current {
                Some(Answer::Many(v)) => v.clone(),
                _ => Vec::new(),
            },
        })],
        QuestionKind::Text { .. } | QuestionKind::Number { .. } => vec![Control::Button(Button {
            action: Action::Ask { item: reference, question: q.id.clone() }.to_string(),
            label: ctx.t("checklist.answer"),
            style: Style::Primary,
            key: None,
            opens_form: true,
        })],
    };
    if view.previous(&q.id).is_some() {
        controls.push(nav(ctx, Action::Back { item: reference, question: q.id.clone() }, "checklist.back", "back"));
    }
    controls.push(nav(ctx, Action::Later { item: reference }, "checklist.later_button", "later"));
    blocks.push(Block::Controls(controls));
    Message::private(blocks)
}

fn nav(ctx: &Ctx, action: Action, label: &str, key: &'static str) -> Control {
    Control::Button(Button {
        action: action.to_string(),
        label: ctx.t(label),
        style: Style::Default,
        key: Some(key.to_string()),
        opens_form: false,
    })
}

fn question_text(ctx: &Ctx, q: &Question) -> String {
    crate::domain::text::fill(
        q.text.get(ctx.lang),
        &[("currency", ctx.workspace.settings.value.currency.code().to_string())],
    )
}

fn answer_form(ctx: &Ctx, item: &WorkItem, q: &Question, typed: Option<String>) -> Form {
    let current = item.answers.get(&q.id).map(|a| match a {
        Answer::Number(x) => group(*x).replace(',', ""),
        Answer::Text(s) => s.clone(),
        other => render::answer(ctx, &q.id, other),
    });
    let (kind, max_len) = match q.kind {
        QuestionKind::Number { .. } => (FieldKind::Number, 40),
        QuestionKind::Text { max_len } => (FieldKind::Long, max_len),
        _ => (FieldKind::Short, 200),
    };
    Form {
        id: FormKind::Answer { item: item.reference, question: q.id.clone() }.to_string(),
        title: format!("{} · {}", item.reference, q.label.get(ctx.lang)),
        submit: ctx.t("checklist.save"),
        fields: vec![Field {
            id: "answer".into(),
            label: question_text(ctx, q),
            hint: q.hint.as_ref().map(|h| h.get(ctx.lang).to_string()),
            kind,
            required: true,
            initial: typed.or(current),
            max_len,
        }],
        errors: Vec::new(),
    }
}

/// What was wrong with an answer, in words, naming the question.
fn answer_error(ctx: &Ctx, e: &AnswerError) -> String {
    let question = render::question_label(ctx, e.question());
    let q = ("question", question.clone());
    match e {
        AnswerError::UnknownQuestion { .. } => ctx.tf("answer.unknown_question", &[q]),
        AnswerError::UnknownOption { given, .. } => ctx.tf("answer.unknown_option", &[q, ("given", given.clone())]),
        AnswerError::WrongType { .. } => ctx.tf("answer.wrong_type", &[q]),
        AnswerError::NotANumber { given, .. } => ctx.tf("answer.not_a_number", &[q, ("given", given.clone())]),
        // the bound that was crossed, with its limit (a question without a maximum still has
        // NUMBER_CEILING)
        AnswerError::OutOfRange { value, max, above: true, .. } => {
            ctx.tf("answer.at_most", &[q, ("value", value.clone()), ("max", group(*max))])
        }
        AnswerError::OutOfRange { value, min, .. } => {
            ctx.tf("answer.at_least", &[q, ("value", value.clone()), ("min", group(*min))])
        }
        AnswerError::Empty { .. } => ctx.tf("answer.empty", &[q]),
        AnswerError::TooLong { len, max, .. } => {
            ctx.tf("answer.too_long", &[q, ("len", len.to_string()), ("max", max.to_string())])
        }
        AnswerError::NoneCombined { .. } => ctx.tf("answer.none_combined", &[q]),
    }
}

/// The question, if it exists and applies to this need.
fn applicable<'c>(ctx: &Ctx, item: &WorkItem, view: &View<'c>, question: &str) -> Result<&'c Question, Error> {
    let args = || vec![("item", item.reference.to_string()), ("question", render::question_label(ctx, question))];
    let q = view.checklist().question(question).ok_or_else(|| ctx.refuse("error.unknown_question", &args()))?;
    if view.applies(question) == Some(false) {
        return Err(ctx.refuse("error.question_skipped", &args()));
    }
    Ok(q)
}

/// A need of the person asking.
async fn own_need(ctx: &Ctx<'_>, item: ItemRef) -> Result<WorkItem, Error> {
    let args = [("item", item.to_string())];
    if item.kind != ItemKind::Need {
        return Err(ctx.refuse("error.not_a_need", &args));
    }
    let loaded = load(ctx, item).await?;
    if loaded.requester != ctx.actor() {
        return Err(ctx.refuse("error.not_requester", &args));
    }
    Ok(loaded)
}

/// A need of the person asking whose answers may still change.
async fn open_need(ctx: &Ctx<'_>, item: ItemRef) -> Result<WorkItem, Error> {
    let loaded = own_need(ctx, item).await?;
    if !loaded.status.is_open() {
        return Err(
            ctx.refuse("error.final", &[("item", item.to_string()), ("status", render::status(ctx, loaded.status))])
        );
    }
    Ok(loaded)
}
