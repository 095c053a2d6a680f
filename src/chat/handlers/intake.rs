//! `need [title]` and `seed [title]`: a short form (title, team, description), then the item.
//! A need goes straight on to its checklist.

use std::collections::BTreeMap;

use super::super::message::{Block, Button, Control, Field, FieldKind, Form, Message, Outbound, Style, text};
use super::super::{Action, Ctx, FormKind, render};
use super::checklist;
use crate::domain::text::{Description, TeamName, TextError, TextField, Title};
use crate::domain::{ItemKind, Status};
use crate::error::Error;
use crate::storage::NewItem;

/// `need [title]`.
pub async fn need(ctx: &Ctx<'_>, title: String) -> Result<Vec<Outbound>, Error> {
    start(ctx, ItemKind::Need, &title).await
}

/// `seed [title]`.
pub async fn seed(ctx: &Ctx<'_>, title: String) -> Result<Vec<Outbound>, Error> {
    start(ctx, ItemKind::Seed, &title).await
}

pub async fn start(ctx: &Ctx<'_>, kind: ItemKind, title: &str) -> Result<Vec<Outbound>, Error> {
    if kind == ItemKind::Seed {
        ctx.require(crate::domain::Role::AiTeam)?;
    }
    let team = match kind {
        ItemKind::Need => ctx.store().last_team(&ctx.workspace.id, ctx.actor()).await?,
        ItemKind::Seed => None,
    };
    let mut values = BTreeMap::new();
    values.insert("title".to_string(), title.trim().to_string());
    values.insert("team".to_string(), team.unwrap_or_default());
    let errors = match Title::parse(title) {
        Err(e @ TextError::TooLong { .. }) => {
            vec![("title".to_string(), render::text_error(ctx, &e))]
        }
        _ => Vec::new(),
    };
    Ok(vec![Outbound::Form(form(ctx, kind, &values, errors))])
}

pub async fn submit(ctx: &Ctx<'_>, kind: ItemKind, values: &BTreeMap<String, String>) -> Result<Vec<Outbound>, Error> {
    if kind == ItemKind::Seed {
        ctx.require(crate::domain::Role::AiTeam)?;
    }
    let get = |k: &str| values.get(k).map(String::as_str).unwrap_or("");
    let mut errors = Vec::new();
    let mut check = |field: &str, r: Result<(), TextError>| {
        if let Err(e) = r {
            errors.push((field.to_string(), render::text_error(ctx, &e)));
        }
    };
    let title = Title::parse(get("title"));
    check("title", title.as_ref().map(|_| ()).map_err(Clone::clone));
    let team = TeamName::parse(get("team")).and_then(|t| match kind {
        ItemKind::Need if t.as_str().is_empty() => Err(TextError::Empty { field: TextField::Team }),
        _ => Ok(t),
    });
    check("team", team.as_ref().map(|_| ()).map_err(Clone::clone));
    let description = Description::parse(get("description"));
    check("description", description.as_ref().map(|_| ()).map_err(Clone::clone));
    let (Ok(title), Ok(team), Ok(description)) = (title, team, description) else {
        return Ok(vec![Outbound::Form(form(ctx, kind, values, errors))]);
    };
    let item = ctx
        .store()
        .create_item(NewItem {
            workspace: ctx.workspace.id.to_string(),
            kind,
            title,
            description,
            team,
            requester: ctx.actor().into(),
            at: ctx.now,
        })
        .await?;
    tracing::info!(item = %item.reference, "item created");
    let args = [("item", item.reference.to_string()), ("title", item.title.to_string())];
    match kind {
        ItemKind::Need => {
            let created = Message::private(vec![Block::Text(text(ctx.tf("intake.need.created", &args)))]);
            let similar = ctx
                .store()
                .similar_needs(&ctx.workspace.id, Some(item.reference), item.title.as_str(), &item.description, SIMILAR)
                .await
                // only an aid: the need is saved, so a failed lookup must not stop its questions
                .unwrap_or_else(|e| {
                    tracing::warn!(item = %item.reference, error = %e, "similar needs not looked up");
                    Vec::new()
                });
            let next = if similar.is_empty() {
                checklist::next_step(ctx, &item)
            } else {
                similar_message(ctx, &item, &similar)
            };
            Ok(vec![Outbound::Message(created), Outbound::Message(next)])
        }
        ItemKind::Seed => {
            let created = Message::private(vec![Block::Text(text(ctx.tf("intake.seed.created", &args)))]);
            Ok(vec![Outbound::Message(created)])
        }
    }
}

/// How many similar earlier needs intake and the triage card show.
pub const SIMILAR: usize = 3;

/// Earlier needs that read like the new one, before its questions: continue, or withdraw it in
/// one click (the requester's own withdraw move).
fn similar_message(ctx: &Ctx, item: &crate::domain::WorkItem, similar: &[crate::storage::SimilarNeed]) -> Message {
    let args = [("item", item.reference.to_string())];
    let button = |action: Action, label: String, style: Style| {
        Control::Button(Button { action: action.to_string(), label, style, key: None, opens_form: false })
    };
    Message::private(vec![
        Block::Text(text(ctx.tf("similar.intro", &args))),
        render::similar_list(ctx.prompts(), ctx.lang, similar),
        Block::Controls(vec![
            button(Action::Resume { item: item.reference }, ctx.t("similar.continue"), Style::Primary),
            button(
                Action::Move { item: item.reference, to: Status::Withdrawn },
                ctx.tf("similar.withdraw", &args),
                Style::Danger,
            ),
        ]),
    ])
}

fn form(ctx: &Ctx, kind: ItemKind, values: &BTreeMap<String, String>, errors: Vec<(String, String)>) -> Form {
    let k = kind.as_str();
    let t = |name: &str| ctx.t(&format!("intake.{k}.{name}"));
    // a value longer than its field is cut to fit (a form with an over-long initial value would
    // not open at all); the error under the field says what the limit is
    let initial =
        |id: &str, max: usize| values.get(id).filter(|v| !v.trim().is_empty()).map(|v| v.chars().take(max).collect());
    Form {
        id: match kind {
            ItemKind::Need => FormKind::Need,
            ItemKind::Seed => FormKind::Seed,
        }
        .to_string(),
        title: t("form_title"),
        submit: t("submit"),
        fields: vec![
            Field {
                id: "title".into(),
                label: t("title_label"),
                hint: Some(t("title_hint")),
                kind: FieldKind::Short,
                required: true,
                initial: initial("title", Title::MAX),
                max_len: Title::MAX,
            },
            Field {
                id: "team".into(),
                label: t("team_label"),
                hint: Some(t("team_hint")),
                kind: FieldKind::Short,
                required: kind == ItemKind::Need,
                initial: initial("team", TeamName::MAX),
                max_len: TeamName::MAX,
            },
            Field {
                id: "description".into(),
                label: t("description_label"),
                hint: None,
                kind: FieldKind::Long,
                required: false,
                initial: initial("description", Description::MAX),
                max_len: Description::MAX,
            },
        ],
        errors,
    }
}
