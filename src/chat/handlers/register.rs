//! The AI register (SPEC §5): `register [risk:…] [owner:…]` lists what runs in service,
//! `retire <id> <note>` takes a use out of it (an event, nothing is deleted), the review
//! reminder's buttons (still in use; retire…) and `admin export register`.

use super::super::message::{Attachment, Block, Field, FieldKind, Form, Message, Outbound, Span, text};
use super::super::{Ctx, FormKind, render};
use super::load;
use crate::domain::register::{PEOPLE_IMPACT, Tier};
use crate::domain::text::Note;
use crate::domain::{Change, Event, ItemRef, Role, UserId};
use crate::error::Error;
use crate::export::{Format, Writer};
use crate::storage::Save;
use crate::views::register::{ExportLine, Line};

/// `register [risk:…] [owner:…]`.
pub async fn list(ctx: &Ctx<'_>, risk: Option<Tier>, owner: Option<UserId>) -> Result<Vec<Outbound>, Error> {
    let lines = crate::views::register::lines(ctx.store(), &ctx.workspace).await?;
    let shown: Vec<&Line> = lines
        .iter()
        .filter(|l| risk.is_none_or(|r| l.entry.risk.tier == r))
        .filter(|l| owner.as_ref().is_none_or(|o| l.owner() == o))
        .collect();
    if shown.is_empty() {
        let key = if lines.is_empty() { "register.none" } else { "register.none_match" };
        return Ok(vec![Outbound::Message(Message::private(vec![Block::Text(text(ctx.t(key)))]))]);
    }
    let mut blocks = vec![Block::Heading(render::count(ctx, "register.heading", shown.len()))];
    for line in shown {
        blocks.extend(entry_blocks(ctx, line));
    }
    blocks.push(Block::Context(text(ctx.t("register.footer"))));
    Ok(vec![Outbound::Message(Message::private(blocks))])
}

/// One entry: title, then owner, since, upkeep, oversight, risk with its reasons, review, value.
pub fn entry_blocks(ctx: &Ctx, line: &Line) -> Vec<Block> {
    let item = &line.item;
    let e = &line.entry;
    let day = |d: chrono::DateTime<chrono::Utc>| d.format("%Y-%m-%d").to_string();
    let answer = |q: &str| {
        item.answers.get(q).map(|a| render::answer(ctx, q, a)).unwrap_or_else(|| ctx.t("register.not_answered"))
    };
    let mut review = day(e.next_review);
    if line.overdue(ctx.now) {
        review = ctx.tf("register.overdue", &[("date", review)]);
    }
    vec![
        Block::Text(vec![Span::Bold(format!("{} · {}", item.reference, item.title))]),
        Block::Fields(vec![
            (ctx.t("register.owner"), vec![Span::User(line.owner().clone())]),
            (ctx.t("register.since"), text(day(e.since))),
            (ctx.t("register.upkeep"), text(answer("maintenance"))),
            (ctx.t("register.oversight"), text(answer("human_review"))),
            (ctx.t("register.risk"), text(risk_text(ctx, line))),
            (ctx.t("register.next_review"), text(review)),
            (ctx.t("register.value"), text(super::follow::value_text(ctx, item, line.realised))),
        ]),
    ]
}

/// The risk tier and the answers that decided it, quoted.
pub fn risk_text(ctx: &Ctx, line: &Line) -> String {
    let risk = &line.entry.risk;
    let tier = ctx.t(&format!("register.tier.{}", risk.tier.as_str()));
    if !risk.answered {
        return ctx.tf("register.risk_unanswered", &[("tier", tier)]);
    }
    let question = ctx.prompts().checklist.question(PEOPLE_IMPACT);
    let quoted: Vec<String> = risk
        .reasons
        .iter()
        .map(|r| format!("“{}”", question.and_then(|q| q.option_label(r, ctx.lang)).unwrap_or(r)))
        .collect();
    if quoted.is_empty() {
        ctx.tf("register.risk_none", &[("tier", tier)])
    } else {
        ctx.tf("register.risk_because", &[("tier", tier), ("reasons", quoted.join(", "))])
    }
}

/// Who may retire a use or confirm its review: the AI team, its owner, the requester of a need.
fn may_tend(ctx: &Ctx, line: &Line) -> Result<(), Error> {
    if ctx.roles.allow(Role::AiTeam) || line.owner() == ctx.actor() || line.item.requester == ctx.actor() {
        Ok(())
    } else {
        Err(ctx.refuse("register.not_yours", &[("item", line.item.reference.to_string())]))
    }
}

/// The register line of an item, or a sentence saying it is not in the register.
async fn in_register(ctx: &Ctx<'_>, item: ItemRef) -> Result<Line, Error> {
    load(ctx, item).await?;
    crate::views::register::lines(ctx.store(), &ctx.workspace)
        .await?
        .into_iter()
        .find(|l| l.item.reference == item)
        .ok_or_else(|| ctx.refuse("register.not_in", &[("item", item.to_string())]))
}

/// `retire <id> <note>`, or the retire form of a review reminder.
pub async fn retire(ctx: &Ctx<'_>, item: ItemRef, note: impl AsRef<str>) -> Result<Vec<Outbound>, Error> {
    let line = in_register(ctx, item).await?;
    may_tend(ctx, &line)?;
    let note = Note::parse(note.as_ref()).map_err(|e| Error::User(render::text_error(ctx, &e)))?;
    if note.as_str().trim().is_empty() {
        return Err(ctx.refuse("register.retire_note", &[("item", item.to_string())]));
    }
    record(ctx, line, Change::Retired, Some(note.as_str().to_string()), "register.retired").await
}

/// *Still in use* on a review reminder: the next review is counted from now.
pub async fn reviewed(ctx: &Ctx<'_>, item: ItemRef) -> Result<Vec<Outbound>, Error> {
    let line = in_register(ctx, item).await?;
    may_tend(ctx, &line)?;
    record(ctx, line, Change::Reviewed, None, "register.reviewed").await
}

async fn record(
    ctx: &Ctx<'_>,
    line: Line,
    change: Change,
    note: Option<String>,
    said: &str,
) -> Result<Vec<Outbound>, Error> {
    let mut item = line.item;
    item.updated_at = ctx.now;
    let event = Event { item: item.reference, actor: UserId::from(ctx.actor().to_string()), change, note, at: ctx.now };
    ctx.store().save_item(&mut item, ctx.actor(), Save { events: &[event], ..Save::default() }).await?;
    let text_ = ctx.tf(said, &[("item", item.reference.to_string()), ("title", item.title.to_string())]);
    Ok(vec![Outbound::Message(Message::private(vec![Block::Text(text(text_))]).replacing())])
}

/// The form that asks why a use is retired.
pub fn retire_form(ctx: &Ctx, item: ItemRef, errors: Vec<(String, String)>) -> Form {
    Form {
        id: FormKind::Retire { item }.to_string(),
        title: ctx.tf("register.retire_title", &[("item", item.to_string())]),
        submit: ctx.t("register.retire_submit"),
        fields: vec![Field {
            id: "note".into(),
            label: ctx.t("register.retire_label"),
            hint: Some(ctx.t("register.retire_hint")),
            kind: FieldKind::Long,
            required: true,
            initial: None,
            max_len: crate::domain::text::Note::MAX,
        }],
        errors,
    }
}

/// `admin export register [csv|json]`: the register as a file (README "The AI register").
pub async fn export(ctx: &Ctx<'_>, format: Format) -> Result<Vec<Outbound>, Error> {
    let internal = |e: std::io::Error| Error::Internal(e.into());
    let lines = crate::views::register::lines(ctx.store(), &ctx.workspace).await?;
    let mut w = Writer::start::<ExportLine>(Vec::new(), format).map_err(internal)?;
    for line in &lines {
        w.write(&ExportLine::of(line)).map_err(internal)?;
    }
    let bytes = w.finish().map_err(internal)?;
    let detail = format!("register {}", format.extension());
    ctx.store().record_admin(&super::admin::admin_action(ctx, "export", &detail)).await?;
    Ok(vec![Outbound::File(Attachment {
        name: format!("kakehashi-register-{}.{}", ctx.now.format("%Y-%m-%d"), format.extension()),
        content_type: format.content_type().to_string(),
        bytes,
        comment: render::count(ctx, "export.done_register", lines.len()),
    })])
}
