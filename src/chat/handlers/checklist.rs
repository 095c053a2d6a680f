//! The checklist conversation: one step at a time, only while an answer can still change the
//! outcome ([`conversation::plan`]): buttons for choices, a select kept until *Next* for "choose
//! all that apply", one form for a text or number question or a group of them; honest progress
//! ("step 4 · at most 5 more"), Back and "finish later". Answers are saved as they come, so it
//! can be resumed anywhere and changed after the verdict, also questions that were never asked.

use std::collections::BTreeMap;

use super::super::message::{
    Block, Button, Control, Field, FieldKind, Form, Message, Outbound, Select, SelectOption, Span, Style, text,
};
use super::super::{Action, Ctx, FormKind, render};
use super::load;
use crate::domain::checklist::{Answer, AnswerError, Question, QuestionKind, View};
use crate::domain::conversation::{self, Plan};
use crate::domain::screening::{Answered, record_answers};
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
        QuestionKind::Text { .. } | QuestionKind::Number { .. } => {
            let plan = plan(ctx, &view);
            Outbound::Form(answer_form(ctx, &item, &form_questions(&plan, q), &BTreeMap::new()))
        }
        _ => Outbound::Message(ask_message(ctx, &item, &view, q)),
    }])
}

fn plan<'a>(ctx: &Ctx, view: &View<'a>) -> Plan<'a> {
    conversation::plan(view, &ctx.workspace.settings.value)
}

/// The questions of the form that answers `q`: the text and number questions of its step, when
/// `q` is in the step now due (the choice that opens a group is a click of its own); otherwise
/// `q` alone (an edit, a question that was not asked).
fn form_questions<'a>(plan: &Plan<'a>, q: &'a Question) -> Vec<&'a Question> {
    if plan.step.iter().any(|s| s.id == q.id) {
        plan.step.iter().copied().filter(|s| is_typed(s)).collect()
    } else {
        vec![q]
    }
}

/// Whether a question is answered by typing (in a form) rather than by a click.
fn is_typed(q: &Question) -> bool {
    matches!(q.kind, QuestionKind::Text { .. } | QuestionKind::Number { .. })
}

pub async fn back(ctx: &Ctx<'_>, item: ItemRef, from: &str) -> Result<Vec<Outbound>, Error> {
    let item = open_need(ctx, item).await?;
    let view = ctx.prompts().checklist.view(&item.answers);
    let current = applicable(ctx, &item, &view, from)?;
    let q = conversation::previous(&view, from).unwrap_or(current);
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
        vec![Block::Heading(ctx.tf("answers.heading", &[("item", id.clone()), ("title", item.title.to_string())]))];
    if answered.is_empty() {
        blocks.push(Block::Text(text(ctx.tf("answers.none", &[("item", id)]))));
        return Ok(vec![Outbound::Message(Message::private(blocks))]);
    }
    blocks.push(render::answers(ctx, &answered));
    // questions never asked (their answers did not decide anything) can be answered here too
    let not_asked = conversation::unanswered(&view);
    let options: Vec<SelectOption> = answered
        .iter()
        .map(|(q, _)| SelectOption { value: q.id.clone(), label: q.label.get(ctx.lang).to_string() })
        .chain(not_asked.iter().map(|q| SelectOption {
            value: q.id.clone(),
            label: ctx.tf("answers.not_asked", &[("question", q.label.get(ctx.lang).to_string())]),
        }))
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

/// Picks of a several-choice question so far (Slack sends one payload per pick): the question
/// again with the picks shown and kept in the select, and *Next* to take them.
pub async fn keep(ctx: &Ctx<'_>, item: ItemRef, question: &str, values: &[String]) -> Result<Vec<Outbound>, Error> {
    let item = open_need(ctx, item).await?;
    let view = ctx.prompts().checklist.view(&item.answers);
    let q = applicable(ctx, &item, &view, question)?;
    let picks = match values {
        [] => Vec::new(),
        _ => match q.parse_input(values) {
            Ok(Answer::Many(picks)) => picks,
            Ok(_) => Vec::new(),
            Err(e) => return Err(Error::User(answer_error(ctx, &e))),
        },
    };
    let mut message = ask_message_with(ctx, &item, &view, q, Some(&picks));
    message.replace = true;
    Ok(vec![Outbound::Message(message)])
}

/// *Next* after picks: the picks are the answer.
pub async fn take(ctx: &Ctx<'_>, item: ItemRef, question: &str, picks: &str) -> Result<Vec<Outbound>, Error> {
    let checklist = &ctx.prompts().checklist;
    let options = checklist.question(question).map(|q| q.options()).unwrap_or(&[]);
    let values: Option<Vec<String>> =
        picks.split('_').map(|i| i.parse::<usize>().ok().and_then(|i| options.get(i)).map(|o| o.id.clone())).collect();
    let values = values.ok_or_else(|| ctx.refuse("error.stale", &[]))?;
    answer(ctx, item, question, &values).await
}

/// An answer from a button or a select.
pub async fn answer(ctx: &Ctx<'_>, item: ItemRef, question: &str, values: &[String]) -> Result<Vec<Outbound>, Error> {
    let given = vec![(question.to_string(), values.to_vec())];
    let saved = save_answers(ctx, item, &given).await?;
    match saved.refused.first() {
        None => {
            let mut replies = after_answer(ctx, &saved.item, saved.answered);
            replies.extend(next_form(ctx, &saved.item).map(Outbound::Form));
            Ok(replies)
        }
        Some((_, e)) => Err(Error::User(answer_error(ctx, e))),
    }
}

/// After a click or a form, the form of the next step when it is one (numbers, a text): it opens
/// at once where the platform can (Slack opens it with the click's trigger, or in place of the
/// submitted form; Discord as the click's response; the console asks it), which saves the click
/// on *Answer…*; where it cannot (Discord after a modal), the message's *Answer…* button opens it.
fn next_form(ctx: &Ctx, item: &WorkItem) -> Option<Form> {
    if item.verdict.is_some() {
        return None;
    }
    let view = ctx.prompts().checklist.view(&item.answers);
    let plan = plan(ctx, &view);
    let first = plan.next()?;
    is_typed(first).then(|| answer_form(ctx, item, &plan.step, &BTreeMap::new()))
}

/// The answers of a form: one text or number question, or the fields of a step. Good values
/// are saved; a bad one shows the form again with what was typed and, under the field, what
/// was wrong with it.
pub async fn submit_form(
    ctx: &Ctx<'_>,
    item: ItemRef,
    question: &str,
    values: &BTreeMap<String, String>,
) -> Result<Vec<Outbound>, Error> {
    let checklist = &ctx.prompts().checklist;
    let mut given: Vec<(String, Vec<String>)> = Vec::new();
    for (field, value) in values {
        // forms of one question name their field "answer"; forms of a step name each field by
        // its question; an optional field left empty is left unanswered
        let id = if field == "answer" { question } else { field.as_str() };
        if checklist.question(id).is_none() || (field != "answer" && value.trim().is_empty()) {
            continue;
        }
        given.push((id.to_string(), vec![value.clone()]));
    }
    if given.is_empty() {
        given.push((question.to_string(), Vec::new()));
    }
    let saved = save_answers(ctx, item, &given).await?;
    if saved.refused.is_empty() {
        let mut replies = after_answer(ctx, &saved.item, saved.answered);
        replies.extend(next_form(ctx, &saved.item).map(Outbound::Form));
        return Ok(replies);
    }
    let item = saved.item;
    let view = checklist.view(&item.answers);
    let questions: Vec<&Question> = checklist
        .questions()
        .iter()
        .filter(|q| values.contains_key(&q.id) || (q.id == question && values.contains_key("answer")))
        .collect();
    let questions = if questions.is_empty() { vec![applicable(ctx, &item, &view, question)?] } else { questions };
    let typed: BTreeMap<String, String> = questions
        .iter()
        .filter_map(|q| {
            let v = values.get(&q.id).or_else(|| (q.id == question).then(|| values.get("answer")).flatten())?;
            Some((q.id.clone(), v.chars().take(4000).collect()))
        })
        .collect();
    let mut form = answer_form(ctx, &item, &questions, &typed);
    for (q, e) in &saved.refused {
        let field = if questions.len() == 1 { "answer".to_string() } else { q.clone() };
        form.errors.push((field, answer_error(ctx, e)));
    }
    Ok(vec![Outbound::Form(form)])
}

/// The need after a step, what became of it, and the answers refused (question, why).
struct Saved {
    item: WorkItem,
    answered: Answered,
    refused: Vec<(String, AnswerError)>,
}

async fn save_answers(ctx: &Ctx<'_>, item: ItemRef, given: &[(String, Vec<String>)]) -> Result<Saved, Error> {
    let checklist = &ctx.prompts().checklist;
    // A save that lost a race (a double click, another replica) reads the item again.
    for _ in 0..3 {
        let mut item = open_need(ctx, item).await?;
        let view = checklist.view(&item.answers);
        let mut good: Vec<(String, Answer)> = Vec::new();
        let mut refused = Vec::new();
        for (question, values) in given {
            let q = applicable(ctx, &item, &view, question)?;
            match q.parse_input(values) {
                Ok(a) => good.push((q.id.clone(), a)),
                Err(e) => refused.push((q.id.clone(), e)),
            }
        }
        drop(view);
        if good.is_empty() {
            return Ok(Saved { item, answered: Answered::Unchanged, refused });
        }
        let value_settings = &ctx.workspace.settings.value;
        let (answered, events) = record_answers(&mut item, checklist, value_settings, &good, ctx.actor(), ctx.now);
        if answered != Answered::Unchanged {
            // the AI team hears of a need the moment its checklist is done
            let notices: Vec<_> = match answered {
                Answered::Submitted => {
                    let similar = ctx
                        .store()
                        .similar_needs(
                            &ctx.workspace.id,
                            Some(item.reference),
                            item.title.as_str(),
                            &item.description,
                            super::intake::SIMILAR,
                        )
                        .await
                        .unwrap_or_else(|e| {
                            tracing::warn!(item = %item.reference, error = %e, "similar needs not looked up");
                            Vec::new()
                        });
                    super::moves::triage_notice(ctx, &item, &similar).into_iter().collect()
                }
                _ => Vec::new(),
            };
            let ids: Vec<String> = good.iter().map(|(q, _)| q.clone()).collect();
            let save = Save { answers: &ids, events: &events, notices: &notices };
            match ctx.store().save_item(&mut item, ctx.actor(), save).await {
                Ok(()) => {}
                Err(StoreError::Conflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        if answered == Answered::Submitted {
            tracing::info!(item = %item.reference, outcome = ?item.outcome(), "checklist finished");
        }
        // a refused field that no longer applies after the others (uplift once the revenue is 0)
        let view = checklist.view(&item.answers);
        refused.retain(|(q, _)| view.applies(q) != Some(false));
        drop(view);
        return Ok(Saved { item, answered, refused });
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
    let message = match (plan(ctx, &view).next(), &item.verdict) {
        (None, Some(_)) => verdict_message(ctx, item, note),
        _ => next_step(ctx, item),
    };
    vec![Outbound::Message(message.replacing())]
}

/// Where a need stands: its next question, or its verdict.
pub fn next_step(ctx: &Ctx, item: &WorkItem) -> Message {
    let view = ctx.prompts().checklist.view(&item.answers);
    match plan(ctx, &view).next() {
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
    ask_message_with(ctx, item, view, q, None)
}

/// The question; `picks`: options picked so far and not yet taken (several-choice questions).
fn ask_message_with(ctx: &Ctx, item: &WorkItem, view: &View, q: &Question, picks: Option<&[String]>) -> Message {
    let reference = item.reference;
    let current = item.answers.get(&q.id);
    let mut blocks =
        vec![Block::Context(text(progress(ctx, item, view, q))), Block::Text(vec![Span::Bold(question_text(ctx, q))])];
    if let Some(hint) = &q.hint {
        blocks.push(Block::Context(text(hint.get(ctx.lang))));
    }
    if let Some(a) = current {
        blocks.push(Block::Context(text(ctx.tf("checklist.current", &[("answer", render::answer(ctx, &q.id, a))]))));
    }
    if let Some(picks) = picks.filter(|p| !p.is_empty()) {
        let chosen = render::answer(ctx, &q.id, &Answer::Many(picks.to_vec()));
        blocks.push(Block::Text(text(ctx.tf("checklist.chosen", &[("answer", chosen)]))));
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
            initial: match (picks, current) {
                (Some(p), _) => p.to_vec(),
                (None, Some(Answer::Many(v))) => v.clone(),
                _ => Vec::new(),
            },
        })]
        .into_iter()
        .chain(picks.filter(|p| !p.is_empty()).map(|p| {
            let places: Vec<String> =
                p.iter().filter_map(|id| options.iter().position(|o| &o.id == id)).map(|i| i.to_string()).collect();
            Control::Button(Button {
                action: Action::Take { item: reference, question: q.id.clone(), picks: places.join("_") }.to_string(),
                label: ctx.t("checklist.next"),
                style: Style::Primary,
                key: None,
                opens_form: false,
            })
        }))
        .collect(),
        QuestionKind::Text { .. } | QuestionKind::Number { .. } => vec![Control::Button(Button {
            action: Action::Ask { item: reference, question: q.id.clone() }.to_string(),
            label: ctx.t("checklist.answer"),
            style: Style::Primary,
            key: None,
            opens_form: true,
        })],
    };
    if conversation::previous(view, &q.id).is_some() {
        controls.push(nav(ctx, Action::Back { item: reference, question: q.id.clone() }, "checklist.back", "back"));
    }
    controls.push(nav(ctx, Action::Later { item: reference }, "checklist.later_button", "later"));
    blocks.push(Block::Controls(controls));
    Message::private(blocks)
}

/// "N-3 · Title · step 4 · at most 5 more": the step of the question on its path, never a
/// total that shrinks. A question shown again (Back, an edit) counts the steps before it.
fn progress(ctx: &Ctx, item: &WorkItem, view: &View, q: &Question) -> String {
    let plan = plan(ctx, view);
    let here = plan.step.iter().any(|s| s.id == q.id);
    let (step, more) = if here {
        (plan.done + 1, plan.at_most)
    } else {
        let before = view.answered().into_iter().take_while(|(a, _)| a.id != q.id).count();
        (before + 1, plan.at_most + usize::from(!plan.is_complete()))
    };
    let args = [
        ("item", item.reference.to_string()),
        ("title", shorten(item.title.as_str(), 60)),
        ("n", step.to_string()),
        ("more", more.to_string()),
    ];
    if more == 0 { ctx.tf("checklist.progress_last", &args) } else { ctx.tf("checklist.progress", &args) }
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

/// The form of one step: a field per question, labelled with its short label (a modal label
/// holds 45 characters), the full question and its hint as the field's hint. A form of one
/// question names its field "answer".
fn answer_form(ctx: &Ctx, item: &WorkItem, questions: &[&Question], typed: &BTreeMap<String, String>) -> Form {
    let single = questions.len() == 1;
    let fields = questions
        .iter()
        .map(|q| {
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
            let hint = match &q.hint {
                Some(h) => format!("{} {}", question_text(ctx, q), h.get(ctx.lang)),
                None => question_text(ctx, q),
            };
            Field {
                id: if single { "answer".into() } else { q.id.clone() },
                label: q.label.get(ctx.lang).to_string(),
                hint: Some(hint),
                kind,
                // a field whose question depends on another answer (uplift on the revenue) may
                // stay empty; if it turns out to be needed, it is asked on its own
                required: single || q.ask_if.is_none(),
                initial: typed.get(&q.id).cloned().or(current),
                max_len,
            }
        })
        .collect();
    let first = questions[0];
    let title = if single {
        format!("{} · {}", item.reference, first.label.get(ctx.lang))
    } else {
        format!("{} · {}", item.reference, ctx.t("checklist.form_title"))
    };
    Form {
        id: FormKind::Answer { item: item.reference, question: first.id.clone() }.to_string(),
        title,
        submit: ctx.t("checklist.save"),
        fields,
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
