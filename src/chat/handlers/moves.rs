//! Changing an item: lifecycle moves (`move <id> <status> [note]` and the buttons of triage cards
//! and `show`), `assign <id> <user>` and `effort <id> <days>`. One path serves commands and
//! buttons: check who may do it, change the item in the domain, store it with its events and
//! the messages it causes (the requester hears of every status change of their need; a new owner
//! hears they own it), in one transaction.

use super::super::message::{
    Block, Button, Control, Field, FieldKind, Form, Message, Outbound, Recipient, Span, Style, UserPicker, text,
};
use super::super::{Action, Ctx, FormKind, render};
use super::load;
use crate::domain::text::Note;
use crate::domain::{ItemKind, ItemRef, Role, Status, TransitionError, UserId, WorkItem};
use crate::error::Error;
use crate::storage::{NewNotice, Save, StoreError};

/// What a person asked to change.
#[derive(Debug, Clone)]
pub enum Change {
    Move { to: Status, note: String },
    Assign { user: UserId },
    Effort { days: f64 },
}

use super::super::command::MAX_EFFORT_DAYS;

/// Moves whose button opens a form for a note: those that need one, and Accept, whose note
/// (what happens next, when) is optional.
fn asks_note(to: Status) -> bool {
    to.requires_note() || to == Status::Accepted
}

/// A move by button: straight away, or the form for its note when the move asks for one.
pub async fn start_move(ctx: &Ctx<'_>, item: ItemRef, to: Status) -> Result<Vec<Outbound>, Error> {
    if asks_note(to) {
        let loaded = load(ctx, item).await?;
        may_move(ctx, &loaded, to)?;
        if loaded.status == to {
            return Ok(vec![unchanged(ctx, &loaded)]);
        }
        return Ok(vec![Outbound::Form(note_form(ctx, item, to, None, Vec::new()))]);
    }
    apply(ctx, item, Change::Move { to, note: String::new() }, true).await
}

/// The submitted note of a move.
pub async fn submit_move(ctx: &Ctx<'_>, item: ItemRef, to: Status, note: &str) -> Result<Vec<Outbound>, Error> {
    if let Err(e) = Note::parse(note) {
        let errors = vec![("note".to_string(), render::text_error(ctx, &e))];
        return Ok(vec![Outbound::Form(note_form(ctx, item, to, Some(note), errors))]);
    }
    if to.requires_note() && note.trim().is_empty() {
        let errors = vec![("note".to_string(), note_needed(ctx, item, to))];
        return Ok(vec![Outbound::Form(note_form(ctx, item, to, Some(note), errors))]);
    }
    apply(ctx, item, Change::Move { to, note: note.to_string() }, true).await
}

/// `move <id> <status> [note]`.
pub async fn move_item(ctx: &Ctx<'_>, id: ItemRef, status: Status, note: String) -> Result<Vec<Outbound>, Error> {
    apply(ctx, id, Change::Move { to: status, note }, false).await
}

/// `assign <id> <person>`.
pub async fn assign(ctx: &Ctx<'_>, id: ItemRef, user: UserId) -> Result<Vec<Outbound>, Error> {
    apply(ctx, id, Change::Assign { user }, false).await
}

/// `effort <id> <person-days>`.
pub async fn effort(ctx: &Ctx<'_>, id: ItemRef, days: f64) -> Result<Vec<Outbound>, Error> {
    apply(ctx, id, Change::Effort { days }, false).await
}

/// Applies a change by command (`from_button` false: a private confirmation) or by button (the
/// card it came from is replaced by the item's new card).
pub async fn apply(
    ctx: &Ctx<'_>,
    reference: ItemRef,
    change: Change,
    from_button: bool,
) -> Result<Vec<Outbound>, Error> {
    if let Change::Assign { user } = &change {
        let roles = ctx.store().roles_of(&ctx.workspace.id, user).await?;
        if !roles.iter().any(|r| matches!(r, Role::AiTeam | Role::Admin)) {
            return Err(ctx.refuse("assign.not_team", &[("user", user.to_string())]));
        }
    }
    // a save that lost a race (a double click, another replica) reads the item again
    for _ in 0..3 {
        let mut item = load(ctx, reference).await?;
        let before = item.status;
        let event = match &change {
            Change::Move { to, note } => {
                may_move(ctx, &item, *to)?;
                if item.status == *to {
                    return Ok(vec![unchanged(ctx, &item)]);
                }
                let note = Note::parse(note).map_err(|e| Error::User(render::text_error(ctx, &e)))?;
                Some(item.transition(*to, ctx.actor(), Some(note), ctx.now).map_err(|e| transition_error(ctx, e))?)
            }
            Change::Assign { user } => {
                ctx.require(Role::AiTeam)?;
                open_for_work(ctx, &item)?;
                item.assign(user, ctx.actor(), ctx.now)
            }
            Change::Effort { days } => {
                ctx.require(Role::AiTeam)?;
                if !days.is_finite() || *days < 0.0 || *days > MAX_EFFORT_DAYS {
                    return Err(ctx.refuse("effort.range", &[("max", MAX_EFFORT_DAYS.to_string())]));
                }
                item.set_effort(*days, ctx.actor(), ctx.now)
            }
        };
        let Some(event) = event else {
            return Ok(vec![unchanged(ctx, &item)]);
        };
        let notices = notices(ctx, &item, before, &change, event.note.as_deref());
        match ctx
            .store()
            .save_item(&mut item, ctx.actor(), Save { answers: &[], events: &[event], notices: &notices })
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e.into()),
        }
        tracing::info!(item = %item.reference, status = %item.status, "item changed");
        let done = ctx.tf("move.done", &[("item", item.reference.to_string()), ("what", said(ctx, &item, &change))]);
        return Ok(if from_button {
            let mut blocks = card(ctx, &item, ctx.workspace_lang(), false);
            blocks.insert(0, Block::Context(text(done)));
            vec![Outbound::Message(Message { visibility: super::super::Visibility::Public, replace: true, blocks })]
        } else {
            vec![Outbound::Message(Message::private(vec![Block::Text(text(done))]))]
        });
    }
    Err(Error::Internal(anyhow::anyhow!("{reference}: the change lost three races in a row")))
}

/// Who may make this move: the AI team any move; the requester of a need may withdraw it while
/// it is open and close it once delivered. The checklist alone submits a need.
fn may_move(ctx: &Ctx, item: &WorkItem, to: Status) -> Result<(), Error> {
    let args = || vec![("item", item.reference.to_string()), ("status", render::status(ctx, to))];
    if to.kind() != item.kind() {
        let allowed = item.status.next().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
        return Err(ctx.refuse("move.wrong_kind", &[("item", item.reference.to_string()), ("allowed", allowed)]));
    }
    if to == Status::Submitted && item.status == Status::Screening {
        return Err(ctx.refuse("move.by_checklist", &args()));
    }
    let requester = item.requester == ctx.actor();
    let own_move = requester
        && item.kind() == ItemKind::Need
        && matches!((item.status, to), (s, Status::Withdrawn) if s.is_open())
        || requester && item.status == Status::Delivered && to == Status::Closed;
    if own_move || ctx.roles.allow(Role::AiTeam) { Ok(()) } else { Err(ctx.refuse("move.role", &args())) }
}

fn open_for_work(ctx: &Ctx, item: &WorkItem) -> Result<(), Error> {
    if item.status.next().is_empty() {
        return Err(ctx.refuse(
            "error.final",
            &[("item", item.reference.to_string()), ("status", render::status(ctx, item.status))],
        ));
    }
    Ok(())
}

fn transition_error(ctx: &Ctx, e: TransitionError) -> Error {
    match e {
        TransitionError::NotAllowed { item, from, to, allowed } => {
            let allowed = if allowed.is_empty() {
                ctx.t("move.final")
            } else {
                allowed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            };
            ctx.refuse(
                "move.not_allowed",
                &[
                    ("item", item.to_string()),
                    ("from", from.as_str().to_string()),
                    ("to", to.as_str().to_string()),
                    ("allowed", allowed),
                ],
            )
        }
        TransitionError::NoteRequired { item, to } => Error::User(note_needed(ctx, item, to)),
    }
}

/// Why this move needs a note, and what the note should say.
/// The example is for this very move (a decline's example is a reason, a seed's what was learned).
fn note_needed(ctx: &Ctx, item: ItemRef, to: Status) -> String {
    ctx.tf(
        "move.note_needed",
        &[
            ("item", item.to_string()),
            ("status", to.as_str().to_string()),
            ("what", ctx.t(&format!("move.note.{}", to.as_str()))),
            ("example", ctx.t(&format!("move.example.{}", to.as_str()))),
        ],
    )
}

fn note_form(ctx: &Ctx, item: ItemRef, to: Status, typed: Option<&str>, errors: Vec<(String, String)>) -> Form {
    Form {
        id: FormKind::Move { item, to }.to_string(),
        title: format!("{item} · {}", render::status(ctx, to)),
        submit: ctx.t("move.submit"),
        fields: vec![Field {
            id: "note".into(),
            label: ctx.t(&format!("move.note.{}", to.as_str())),
            hint: None,
            kind: FieldKind::Long,
            required: to.requires_note(),
            initial: typed.map(|t| t.chars().take(Note::MAX).collect()),
            max_len: Note::MAX,
        }],
        errors,
    }
}

/// The messages a change causes, in the workspace's language.
fn notices(ctx: &Ctx, item: &WorkItem, before: Status, change: &Change, note: Option<&str>) -> Vec<NewNotice> {
    let lang = ctx.workspace_lang();
    let t = |key: &str, args: &[(&str, String)]| ctx.prompts().fill(lang, key, args);
    let mut out = Vec::new();
    let about = [("item", item.reference.to_string()), ("title", item.title.to_string())];
    if item.kind() == ItemKind::Need && item.status != before && item.requester != ctx.actor() {
        let status = ctx.prompts().get(lang, &format!("status.{}", item.status.as_str())).to_string();
        let mut spans = vec![
            Span::plain(t("notify.status", &[about[0].clone(), about[1].clone(), ("status", status)])),
            Span::plain(" "),
        ];
        spans.extend(render::with_person(&t("notify.by", &[]), ctx.actor()));
        let mut blocks = vec![Block::Text(spans)];
        if let Some(note) = note {
            blocks.push(Block::Text(vec![
                Span::Bold(ctx.prompts().get(lang, &format!("move.note.{}", item.status.as_str())).to_string()),
                Span::plain(format!(" {note}")),
            ]));
        }
        out.push(ctx.notice(Recipient::User(item.requester.clone()), blocks));
    }
    if let Change::Assign { user } = change
        && user != ctx.actor()
    {
        let mut spans = vec![Span::plain(t("notify.assigned", &about)), Span::plain(" ")];
        spans.extend(render::with_person(&t("notify.by", &[]), ctx.actor()));
        let blocks = vec![Block::Text(spans)];
        out.push(ctx.notice(Recipient::User(user.clone()), blocks));
    }
    out
}

fn said(ctx: &Ctx, item: &WorkItem, change: &Change) -> String {
    match change {
        Change::Move { .. } => ctx.tf("move.said.status", &[("status", render::status(ctx, item.status))]),
        Change::Assign { user } => ctx.tf("move.said.owner", &[("user", user.to_string())]),
        Change::Effort { days } => ctx.tf("move.said.effort", &[("days", crate::domain::settings::group(*days))]),
    }
}

/// A repeat (a second click, a move already made by someone else): said to the actor alone;
/// the card a button belongs to is shared and stays as it is.
fn unchanged(ctx: &Ctx, item: &WorkItem) -> Outbound {
    let text_ = ctx.tf("move.unchanged", &[("item", item.reference.to_string())]);
    Outbound::Message(Message::private(vec![Block::Text(text(text_))]))
}

/// An item's card: what it is, where it stands, its verdict, and the moves the AI team can make
/// (the triage card is this card for a need just submitted).
///
/// With `mine_only`, only the moves the actor may make are offered (for `show`).
pub fn card(ctx: &Ctx, item: &WorkItem, lang: crate::domain::Lang, mine_only: bool) -> Vec<Block> {
    let p = ctx.prompts();
    let t = |key: &str| p.get(lang, key).to_string();
    let mut blocks = vec![Block::Heading(format!("{} · {}", item.reference, item.title))];
    let mut fields = vec![
        (t("show.status"), text(p.get(lang, &format!("status.{}", item.status.as_str())))),
        (t("show.requester"), vec![Span::User(item.requester.clone())]),
    ];
    if !item.team.is_empty() {
        fields.push((t("show.team"), text(item.team.as_str())));
    }
    if let Some(owner) = &item.owner {
        fields.push((t("show.owner"), vec![Span::User(owner.clone())]));
    }
    blocks.push(Block::Fields(fields));
    if let Some(v) = &item.verdict {
        blocks.extend(render::verdict_blocks(p, lang, Some(item.reference), v));
    }
    let moves = controls(ctx, item, lang, mine_only);
    if !moves.is_empty() {
        blocks.push(Block::Controls(moves));
    }
    blocks
}

/// Buttons for the moves the item allows, and a person picker to assign it while it is open.
pub fn controls(ctx: &Ctx, item: &WorkItem, lang: crate::domain::Lang, mine_only: bool) -> Vec<Control> {
    let p = ctx.prompts();
    let mut controls: Vec<Control> = item
        .status
        .next()
        .iter()
        .filter(|to| **to != Status::Submitted)
        // the shared card (triage) offers the AI team's moves; withdrawing is the requester's
        .filter(|to| if mine_only { may_move(ctx, item, **to).is_ok() } else { **to != Status::Withdrawn })
        .map(|to| {
            Control::Button(Button {
                action: Action::Move { item: item.reference, to: *to }.to_string(),
                label: p.get(lang, &format!("move.button.{}", to.as_str())).to_string(),
                style: match to {
                    Status::Accepted
                    | Status::InProgress
                    | Status::Delivered
                    | Status::Prototyping
                    | Status::InService => Style::Primary,
                    Status::Declined | Status::Withdrawn | Status::Shelved => Style::Danger,
                    _ => Style::Default,
                },
                key: None,
                opens_form: asks_note(*to),
            })
        })
        .collect();
    let may_assign = !mine_only || ctx.roles.allow(Role::AiTeam);
    if may_assign && !item.status.next().is_empty() && item.status != Status::Screening {
        controls.push(Control::UserPicker(UserPicker {
            action: Action::Assign { item: item.reference }.to_string(),
            placeholder: p.get(lang, "move.assign").to_string(),
        }));
    }
    controls
}

/// The triage card for a need whose checklist just finished, for the AI team's channel, with the
/// earlier needs that read like it.
pub fn triage_notice(ctx: &Ctx, item: &WorkItem, similar: &[crate::storage::SimilarNeed]) -> Option<NewNotice> {
    let channel = ctx.workspace.settings.triage_channel.clone()?;
    let lang = ctx.workspace_lang();
    let mut blocks =
        vec![Block::Context(text(ctx.prompts().fill(lang, "triage.intro", &[("item", item.reference.to_string())])))];
    let mut card = card(ctx, item, lang, false);
    if !similar.is_empty() {
        let at = card.iter().rposition(|b| matches!(b, Block::Controls(_))).unwrap_or(card.len());
        let list = render::similar_list(ctx.prompts(), lang, similar);
        card.splice(
            at..at,
            [Block::Text(vec![Span::Bold(ctx.prompts().get(lang, "triage.similar").to_string())]), list],
        );
    }
    blocks.extend(card);
    Some(ctx.notice(Recipient::Channel(channel), blocks))
}
