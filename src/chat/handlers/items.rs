//! Looking things up: `mine` (my items) and `show <id>` (one item, whole).

use super::super::message::{Block, Button, Control, Message, Outbound, Span, Style, text};
use super::super::{Action, Ctx, render};
use super::load;
use crate::domain::nudge::Realised;
use crate::domain::{Change, Event, ItemKind, ItemRef, Status};
use crate::error::Error;

/// How many items `mine` lists; older ones are reached with `show`.
const MINE_LIMIT: i64 = 30;
/// How many "Resume" buttons `mine` offers.
const RESUME_BUTTONS: usize = 5;

pub async fn mine(ctx: &Ctx<'_>) -> Result<Vec<Outbound>, Error> {
    let items = ctx.store().items_of(&ctx.workspace.id, ctx.actor(), MINE_LIMIT).await?;
    if items.is_empty() {
        return Ok(vec![Outbound::Message(Message::private(vec![Block::Text(text(ctx.t("mine.none")))]))]);
    }
    let mut blocks = vec![Block::Heading(ctx.t("mine.heading"))];
    blocks.push(Block::List(items.iter().map(|i| render::item_line(ctx, i, false)).collect()));
    if items.len() as i64 == MINE_LIMIT {
        blocks.push(Block::Context(text(ctx.tf("mine.more", &[("n", MINE_LIMIT.to_string())]))));
    }
    let resumable: Vec<Control> = items
        .iter()
        .filter(|i| i.status == Status::Screening && i.requester == ctx.actor())
        .take(RESUME_BUTTONS)
        .map(|i| {
            Control::Button(Button {
                action: Action::Resume { item: i.reference }.to_string(),
                label: ctx.tf("mine.resume", &[("item", i.reference.to_string())]),
                style: Style::Default,
                key: None,
                opens_form: false,
            })
        })
        .collect();
    if !resumable.is_empty() {
        blocks.push(Block::Controls(resumable));
    }
    Ok(vec![Outbound::Message(Message::private(blocks))])
}

pub async fn show(ctx: &Ctx<'_>, item: ItemRef) -> Result<Vec<Outbound>, Error> {
    let item = load(ctx, item).await?;
    let events = ctx.store().events(&ctx.workspace.id, item.reference).await?;
    let none = || text(ctx.t("show.none"));
    let mut blocks = vec![Block::Heading(format!("{} · {}", item.reference, item.title))];
    blocks.push(Block::Fields(vec![
        (ctx.t("show.kind"), text(ctx.t(&format!("kind.{}", item.kind().as_str())))),
        (ctx.t("show.status"), text(render::status(ctx, item.status))),
        (ctx.t("show.team"), if item.team.is_empty() { none() } else { text(item.team.as_str()) }),
        (ctx.t("show.requester"), vec![Span::User(item.requester.clone())]),
        (ctx.t("show.owner"), item.owner.clone().map(|o| vec![Span::User(o)]).unwrap_or_else(none)),
        (ctx.t("show.created"), text(when(item.created_at))),
    ]));
    if !item.description.is_empty() {
        blocks.push(Block::Text(text(item.description.clone())));
    }
    if item.kind() == ItemKind::Need {
        let view = ctx.prompts().checklist.view(&item.answers);
        let plan = crate::domain::conversation::plan(&view, &ctx.workspace.settings.value);
        match (&item.verdict, plan.next()) {
            (Some(v), _) => blocks.extend(render::verdict(ctx, item.reference, v)),
            (None, Some(_)) => {
                blocks.push(Block::Context(text(ctx.tf(
                    "show.no_verdict",
                    &[
                        ("item", item.reference.to_string()),
                        ("n", (plan.done + 1).to_string()),
                        ("more", plan.at_most.to_string()),
                    ],
                ))));
            }
            (None, None) => {}
        }
        let answered = view.answered();
        if !answered.is_empty() {
            blocks.push(Block::Text(vec![Span::Bold(ctx.t("show.answers"))]));
            blocks.push(render::answers(ctx, &answered));
        }
    }
    if super::follow::checkable(&item) {
        let realised = crate::domain::nudge::realised(&events).map(|(r, _)| r);
        blocks.push(Block::Fields(vec![(ctx.t("show.value"), text(super::follow::value_text(ctx, &item, realised)))]));
    }
    blocks.push(Block::Text(vec![Span::Bold(ctx.t("show.history"))]));
    blocks.push(Block::List(events.iter().map(|e| history_line(ctx, e)).collect()));
    let moves = super::moves::controls(ctx, &item, ctx.lang, true);
    if !moves.is_empty() {
        blocks.push(Block::Controls(moves));
    }
    Ok(vec![Outbound::Message(Message::private(blocks))])
}

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn history_line(ctx: &Ctx, e: &Event) -> Vec<Span> {
    let mut line = vec![Span::plain(format!("{} · ", when(e.at))), render::actor(&e.actor)];
    line.push(Span::plain(format!(" {}", change_text(ctx, &e.change))));
    if let Some(note) = &e.note {
        line.push(Span::plain(format!(" — “{note}”")));
    }
    line
}

/// What an event changed, in words (after the actor's name).
pub fn change_text(ctx: &Ctx, change: &Change) -> String {
    let none = || ctx.t("show.none");
    match change {
        Change::Created { status } => ctx.tf("history.created", &[("status", render::status(ctx, *status))]),
        Change::Status { from, to } => {
            ctx.tf("history.status", &[("from", render::status(ctx, *from)), ("to", render::status(ctx, *to))])
        }
        Change::AnswerEdited { question, before, after, outcome_before, outcome_after } => {
            let mut s = ctx.tf(
                "history.answer",
                &[
                    ("question", render::question_label(ctx, question)),
                    ("before", before.as_ref().map(|b| render::answer(ctx, question, b)).unwrap_or_else(none)),
                    ("after", render::answer(ctx, question, after)),
                ],
            );
            if outcome_before != outcome_after {
                let o = |x: &Option<crate::domain::Outcome>| x.map(|o| render::outcome(ctx, o)).unwrap_or_else(none);
                s.push_str(&ctx.tf("history.verdict", &[("before", o(outcome_before)), ("after", o(outcome_after))]));
            }
            s
        }
        Change::Assigned { from, to } => ctx.tf(
            "history.assigned",
            &[("from", from.as_ref().map(ToString::to_string).unwrap_or_else(none)), ("to", to.to_string())],
        ),
        Change::Effort { from, to } => ctx.tf(
            "history.effort",
            &[
                ("from", from.map(crate::domain::settings::group).unwrap_or_else(none)),
                ("to", crate::domain::settings::group(*to)),
            ],
        ),
        Change::Nudged { nudge, .. } => ctx.t(&format!("history.nudged_{}", nudge.as_str())),
        Change::Value { realised } => match realised {
            Realised::Confirmed(v) => {
                ctx.tf("history.value_confirmed", &[("value", ctx.workspace.settings.value.currency.format(*v))])
            }
            Realised::NoEffect => ctx.t("history.no_effect"),
            Realised::NoLongerUsed => ctx.t("history.no_longer_used"),
        },
        Change::Reviewed => ctx.t("history.reviewed"),
        Change::Retired => ctx.t("history.retired"),
    }
}
