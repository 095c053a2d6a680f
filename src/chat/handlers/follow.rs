//! Follow-through that people answer (SPEC §5): `snooze 2w` / `snooze off`, and the realised-value
//! check-in — its buttons (no measurable effect, no longer used) and its form (the realised
//! yearly value). Each answer is an event of the item.

use super::super::message::{Block, Field, FieldKind, Form, Message, Outbound, text};
use super::super::{Ctx, FormKind};
use super::load;
use crate::domain::checklist::parse_number;
use crate::domain::nudge::{self, Realised};
use crate::domain::{Change, Event, ItemKind, ItemRef, Role, Status, UserId, WorkItem};
use crate::error::Error;
use crate::storage::{AdminAction, SNOOZE, Save};

/// `snooze 2w`: no reminders for the actor until then; `snooze off`: reminders again.
pub async fn snooze(ctx: &Ctx<'_>, period: crate::chat::args::Word) -> Result<Vec<Outbound>, Error> {
    let period = period.0.as_str();
    let (detail, said) = if period.trim().eq_ignore_ascii_case("off") {
        ("off".to_string(), ctx.t("snooze.off"))
    } else {
        let d = nudge::parse_snooze(period)
            .ok_or_else(|| ctx.refuse("snooze.bad", &[("given", period.chars().take(20).collect())]))?;
        let until = ctx.now + d;
        let local = until.with_timezone(&ctx.workspace.settings.schedule().tz());
        (until.to_rfc3339(), ctx.tf("snooze.until", &[("date", local.format("%Y-%m-%d %H:%M %Z").to_string())]))
    };
    let action = AdminAction {
        workspace: ctx.workspace.id.to_string(),
        actor: UserId::from(ctx.actor().to_string()),
        action: SNOOZE.to_string(),
        detail,
        at: ctx.now,
    };
    ctx.store().record_admin(&action).await?;
    Ok(vec![Outbound::Message(Message::private(vec![Block::Text(text(said))]))])
}

/// Estimated against realised value, in words: what `show`, `register` and the check-in say.
pub fn value_text(ctx: &Ctx, item: &WorkItem, realised: Option<Realised>) -> String {
    let currency = &ctx.workspace.settings.value.currency;
    let estimated = item
        .verdict
        .as_ref()
        .and_then(|v| v.value.as_ref())
        .map(|v| currency.format(v.yearly_value))
        .unwrap_or_else(|| ctx.t("value.no_estimate"));
    let realised = match realised {
        None => ctx.t("value.unconfirmed"),
        Some(Realised::Confirmed(v)) => ctx.tf("value.confirmed", &[("value", currency.format(v))]),
        Some(Realised::NoEffect) => ctx.t("value.no_effect"),
        Some(Realised::NoLongerUsed) => ctx.t("value.no_longer_used"),
    };
    ctx.tf("value.line", &[("estimated", estimated), ("realised", realised)])
}

/// Whether an item is at a stage where its value can be checked: delivered, or in service.
pub fn checkable(item: &WorkItem) -> bool {
    matches!(item.status, Status::Delivered | Status::Closed | Status::InService)
}

/// Who answers the check-in: the requester of a need, the owner of a seed; the AI team too.
fn may_answer(ctx: &Ctx, item: &WorkItem) -> Result<(), Error> {
    let addressee = match item.kind() {
        ItemKind::Need => Some(&item.requester),
        ItemKind::Seed => item.owner.as_ref(),
    };
    if addressee.is_some_and(|a| a == ctx.actor()) || ctx.roles.allow(Role::AiTeam) {
        Ok(())
    } else {
        Err(ctx.refuse("value.not_yours", &[("item", item.reference.to_string())]))
    }
}

/// The check-in answered by button (`no_effect`, `no_longer_used`).
pub async fn answer(ctx: &Ctx<'_>, item: ItemRef, answer: Realised) -> Result<Vec<Outbound>, Error> {
    let item = load(ctx, item).await?;
    if !checkable(&item) {
        return Err(ctx.refuse("value.not_in_service", &[("item", item.reference.to_string())]));
    }
    may_answer(ctx, &item)?;
    let events = ctx.store().events(&ctx.workspace.id, item.reference).await?;
    if nudge::realised(&events).map(|(r, _)| r) == Some(answer) {
        let said = ctx.tf("value.already", &[("item", item.reference.to_string())]);
        return Ok(vec![Outbound::Message(Message::private(vec![Block::Text(text(said))]))]);
    }
    let mut item = item;
    item.updated_at = ctx.now;
    let event = Event {
        item: item.reference,
        actor: UserId::from(ctx.actor().to_string()),
        change: Change::Value { realised: answer },
        note: None,
        at: ctx.now,
    };
    ctx.store().save_item(&mut item, ctx.actor(), Save { events: &[event], ..Save::default() }).await?;
    let said = ctx
        .tf("value.thanks", &[("item", item.reference.to_string()), ("value", value_text(ctx, &item, Some(answer)))]);
    Ok(vec![Outbound::Message(Message::private(vec![Block::Text(text(said))]).replacing())])
}

/// The form for the realised yearly value.
pub fn value_form(ctx: &Ctx, item: ItemRef, typed: Option<&str>, errors: Vec<(String, String)>) -> Form {
    Form {
        id: FormKind::Value { item }.to_string(),
        title: ctx.tf("value.form_title", &[("item", item.to_string())]),
        submit: ctx.t("value.form_submit"),
        fields: vec![Field {
            id: "amount".into(),
            label: ctx
                .tf("value.form_label", &[("currency", ctx.workspace.settings.value.currency.code().to_string())]),
            hint: Some(ctx.t("value.form_hint")),
            kind: FieldKind::Number,
            required: true,
            initial: typed.map(str::to_string),
            max_len: 20,
        }],
        errors,
    }
}

/// The check-in's form opened from its button.
pub async fn open_form(ctx: &Ctx<'_>, item: ItemRef) -> Result<Vec<Outbound>, Error> {
    let loaded = load(ctx, item).await?;
    if !checkable(&loaded) {
        return Err(ctx.refuse("value.not_in_service", &[("item", item.to_string())]));
    }
    may_answer(ctx, &loaded)?;
    Ok(vec![Outbound::Form(value_form(ctx, item, None, Vec::new()))])
}

/// The check-in answered by form: the realised yearly value.
pub async fn submit(ctx: &Ctx<'_>, item: ItemRef, typed: &str) -> Result<Vec<Outbound>, Error> {
    match parse_number(typed).filter(|v| v.is_finite() && *v >= 0.0 && *v < 1e15) {
        Some(v) => answer(ctx, item, Realised::Confirmed(v)).await,
        None => {
            let errors = vec![("amount".to_string(), ctx.t("value.bad_amount"))];
            Ok(vec![Outbound::Form(value_form(ctx, item, Some(typed), errors))])
        }
    }
}

/// Estimated against realised value of delivered work, and the share checked: `admin stats`.
pub fn value_fields(ctx: &Ctx, v: &nudge::ValueSummary) -> Vec<(String, Vec<super::super::message::Span>)> {
    let currency = &ctx.workspace.settings.value.currency;
    let share = crate::domain::settings::percent(v.share_answered() * 100.0);
    vec![
        (ctx.t("value.stats_estimated"), text(currency.format(v.estimated))),
        (
            ctx.t("value.stats_realised"),
            text(ctx.tf(
                "value.stats_realised_of",
                &[("realised", currency.format(v.realised)), ("estimated", currency.format(v.estimated_answered))],
            )),
        ),
        (
            ctx.t("value.stats_checked"),
            text(ctx.tf(
                "value.stats_share",
                &[("answered", v.answered.to_string()), ("delivered", v.delivered.to_string()), ("share", share)],
            )),
        ),
    ]
}
