//! One file per feature. A command's handler is bound to it in `registry.rs` (to add a
//! command, see there): a plain async function that takes a [`Ctx`] and the command's typed
//! parameters, and returns replies or an [`Error`]. The two entry points below route a button
//! press (an action) or a submitted form to the function that serves it.

pub(super) mod admin;
pub(super) mod checklist;
pub(super) mod follow;
pub(super) mod help;
pub(super) mod intake;
pub(super) mod items;
pub(super) mod list;
pub(super) mod moves;
pub(super) mod register;
pub(super) mod reports;
pub(super) mod weekly;

use std::collections::BTreeMap;

use super::command::{CommandSpec, ParseError};
use super::message::Outbound;
use super::{Action, Ctx, FormKind, Syntax};
use crate::domain::{ItemKind, ItemRef, Lang, WorkItem};
use crate::error::Error;
use crate::prompts::Prompts;

pub async fn action(ctx: &Ctx<'_>, action: Action, values: &[String]) -> Result<Vec<Outbound>, Error> {
    match action {
        Action::Answer { item, question, option } => checklist::answer(ctx, item, &question, &[option]).await,
        Action::Pick { item, question } => checklist::answer(ctx, item, &question, values).await,
        Action::Keep { item, question } => checklist::keep(ctx, item, &question, values).await,
        Action::Take { item, question, picks } => checklist::take(ctx, item, &question, &picks).await,
        Action::Ask { item, question } => checklist::ask(ctx, item, &question).await,
        Action::Back { item, question } => checklist::back(ctx, item, &question).await,
        Action::Later { item } => checklist::later(ctx, item).await,
        Action::Edit { item } => match values.first() {
            Some(question) => checklist::ask(ctx, item, question).await,
            None => checklist::answers(ctx, item).await,
        },
        Action::Resume { item } => checklist::resume(ctx, item).await,
        Action::Move { item, to } => moves::start_move(ctx, item, to).await,
        Action::Assign { item } => match values.first().and_then(|v| super::command::parse_user(v)) {
            Some(user) => moves::apply(ctx, item, moves::Change::Assign { user }, true).await,
            None => Err(ctx.refuse("error.stale", &[])),
        },
        Action::Value { item, answer } => follow::answer(ctx, item, answer.into()).await,
        Action::Reviewed { item } => register::reviewed(ctx, item).await,
        Action::Open { form } => match form {
            FormKind::Need => intake::start(ctx, ItemKind::Need, "").await,
            FormKind::Seed => intake::start(ctx, ItemKind::Seed, "").await,
            FormKind::Answer { item, question } => checklist::ask(ctx, item, &question).await,
            FormKind::Move { item, to } => moves::start_move(ctx, item, to).await,
            FormKind::Value { item } => follow::open_form(ctx, item).await,
            FormKind::Retire { item } => Ok(vec![Outbound::Form(register::retire_form(ctx, item, Vec::new()))]),
        },
    }
}

pub async fn form(ctx: &Ctx<'_>, form: FormKind, values: &BTreeMap<String, String>) -> Result<Vec<Outbound>, Error> {
    match form {
        FormKind::Need => intake::submit(ctx, ItemKind::Need, values).await,
        FormKind::Seed => intake::submit(ctx, ItemKind::Seed, values).await,
        FormKind::Answer { item, question } => checklist::submit_form(ctx, item, &question, values).await,
        FormKind::Move { item, to } => {
            moves::submit_move(ctx, item, to, values.get("note").map(String::as_str).unwrap_or("")).await
        }
        FormKind::Value { item } => {
            follow::submit(ctx, item, values.get("amount").map(String::as_str).unwrap_or("")).await
        }
        FormKind::Retire { item } => {
            let note = values.get("note").map(String::as_str).unwrap_or("");
            if note.trim().is_empty() {
                let errors = vec![("note".to_string(), ctx.tf("register.retire_note", &[("item", item.to_string())]))];
                return Ok(vec![Outbound::Form(register::retire_form(ctx, item, errors))]);
            }
            register::retire(ctx, item, note).await
        }
    }
}

/// A command that did not parse, in words: what was wrong and what to type instead.
pub fn parse_error(ctx: &Ctx, e: ParseError) -> Error {
    Error::User(parse_error_text_in(ctx.prompts(), ctx.lang, ctx.syntax(), e))
}

/// The words of [`parse_error`], from the texts alone: what was wrong with a command line and
/// what to type instead, in `lang`. Public so that the fuzz targets can render refusals without
/// a workspace.
pub fn parse_error_text(prompts: &Prompts, lang: Lang, e: ParseError) -> String {
    parse_error_text_in(prompts, lang, Syntax::Console, e)
}

/// [`parse_error_text`] with commands written as `syntax` types them.
pub fn parse_error_text_in(prompts: &Prompts, lang: Lang, syntax: Syntax, e: ParseError) -> String {
    // the keys are written out in each call, so that the test of message keys finds them
    let usage = |command: &CommandSpec| syntax.command(prompts.get(lang, &format!("help.{}.usage", command.key())));
    match e {
        ParseError::Unknown { given, suggestion } => {
            let mut s = prompts.fill(lang, "error.unknown_command", &[("given", given)]);
            if let Some(suggestion) = suggestion {
                s.push(' ');
                s.push_str(&prompts.fill(lang, "error.suggest", &[("usage", usage(suggestion))]));
            }
            s.push(' ');
            s.push_str(&syntax.render(prompts.marked(lang, "error.try_help")));
            s
        }
        ParseError::Missing { command, param } => {
            let args = [("command", command.name()), ("param", param.to_string()), ("usage", usage(command))];
            prompts.fill(lang, "error.missing", &args)
        }
        ParseError::BadItem { given, .. } => prompts.fill(lang, "error.bad_item", &[("given", given)]),
        ParseError::BadValue { command, param, given } => {
            let args = [("param", param.to_string()), ("given", given), ("usage", usage(command))];
            prompts.fill(lang, "error.bad_value", &args)
        }
        ParseError::Extra { command, extra } => {
            let args = [("command", command.name()), ("extra", extra), ("usage", usage(command))];
            prompts.fill(lang, "error.extra", &args)
        }
    }
}

/// The item, or a sentence saying it does not exist here.
pub async fn load(ctx: &Ctx<'_>, item: ItemRef) -> Result<WorkItem, Error> {
    ctx.store()
        .item(&ctx.workspace.id, item)
        .await?
        .ok_or_else(|| ctx.refuse("error.no_item", &[("item", item.to_string())]))
}
