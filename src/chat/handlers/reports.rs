//! Admin queries: `stats` (what the AI team contributed, by team and by month), `export` (every
//! item or event as a CSV or JSON file) and `audit` (who changed what, newest first). Each is
//! itself recorded in the audit trail.

use chrono::{Duration, NaiveDate};

use super::super::args::AuditShow;
use super::super::message::{Attachment, Block, Message, Outbound, Span, text};
use super::super::{Ctx, render};
use super::admin::admin_action;
use super::list::midnight;
use crate::domain::stats::{self, Figures, Period};
use crate::domain::{ItemRef, UserId};
use crate::error::Error;
use crate::export::{Format, What, Writer};
use crate::storage::{AuditFilter, ExportEvent, ExportItem, StoreError};

/// Months `stats` lists at most (the most recent ones).
const MONTHS_SHOWN: usize = 12;
/// Teams `stats` lists at most (the busiest ones).
const TEAMS_SHOWN: usize = 20;
/// A chat export larger than this is refused in favour of the command line.
const CHAT_EXPORT_LIMIT: usize = 20 * 1024 * 1024;
/// Lines `audit` shows.
const AUDIT_LIMIT: i64 = 30;

pub async fn stats(ctx: &Ctx<'_>, since: Option<NaiveDate>, until: Option<NaiveDate>) -> Result<Vec<Outbound>, Error> {
    // by default the last quarter (13 weeks): what managers look back on, and cheap to read
    let period = Period {
        since: Some(since.map(midnight).unwrap_or(ctx.now - Duration::weeks(13))),
        // up to and including now
        until: until.map(|d| midnight(d) + Duration::days(1)).unwrap_or(ctx.now + Duration::seconds(1)),
    };
    let rows = ctx.store().stat_rows(&ctx.workspace.id, period.since).await?;
    let s = stats::compute(&rows, period);
    ctx.store().record_admin(&admin_action(ctx, "stats", &period_text(ctx, &period))).await?;
    let mut blocks = vec![Block::Heading(ctx.tf("stats.heading", &[("period", period_text(ctx, &period))]))];
    blocks.push(Block::Fields(figures_fields(ctx, &s.total)));
    let delivered = crate::views::register::delivered(ctx.store(), &ctx.workspace).await?;
    let value = crate::views::register::summary(&delivered, period.since, period.until);
    blocks.push(Block::Fields(super::follow::value_fields(ctx, &value)));
    if !s.by_team.is_empty() {
        blocks.push(Block::Text(vec![Span::Bold(ctx.t("stats.by_team"))]));
        blocks.push(Block::List(
            s.by_team
                .iter()
                .take(TEAMS_SHOWN)
                .map(|(team, f)| {
                    let name = if team.is_empty() { ctx.t("stats.no_team") } else { team.clone() };
                    vec![Span::Bold(name), Span::plain(format!(": {}", figures_line(ctx, f)))]
                })
                .collect(),
        ));
    }
    if !s.by_month.is_empty() {
        blocks.push(Block::Text(vec![Span::Bold(ctx.t("stats.by_month"))]));
        let skip = s.by_month.len().saturating_sub(MONTHS_SHOWN);
        blocks.push(Block::List(
            s.by_month
                .iter()
                .skip(skip)
                .map(|(month, f)| vec![Span::Bold(month.clone()), Span::plain(format!(": {}", figures_line(ctx, f)))])
                .collect(),
        ));
    }
    Ok(vec![Outbound::Message(Message::private(blocks))])
}

fn period_text(ctx: &Ctx, p: &Period) -> String {
    let day = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d").to_string();
    match p.since {
        Some(s) => ctx.tf("stats.period", &[("since", day(s)), ("until", day(p.until - Duration::seconds(1)))]),
        None => ctx.tf("stats.period_all", &[("until", day(p.until - Duration::seconds(1)))]),
    }
}

fn median(ctx: &Ctx, d: &stats::Durations) -> String {
    d.median_hours().map(|h| render::duration(ctx, h)).unwrap_or_else(|| ctx.t("show.none"))
}

fn figures_fields(ctx: &Ctx, f: &Figures) -> Vec<(String, Vec<Span>)> {
    let n = |x: usize| text(x.to_string());
    let currency = &ctx.workspace.settings.value.currency;
    vec![
        (ctx.t("stats.needs_in"), n(f.needs_in)),
        (ctx.t("stats.delivered"), n(f.delivered)),
        (ctx.t("stats.redirected"), n(f.redirected)),
        (ctx.t("stats.declined"), n(f.declined)),
        (ctx.t("stats.seeds_in_service"), n(f.seeds_in_service)),
        (ctx.t("stats.seeds_shelved"), n(f.seeds_shelved)),
        (ctx.t("stats.value_delivered"), text(currency.format(f.value_delivered))),
        (ctx.t("stats.first_response"), text(median(ctx, &f.first_response))),
        (ctx.t("stats.lead_time"), text(median(ctx, &f.lead_time))),
        (ctx.t("stats.backlog"), n(f.backlog)),
    ]
}

fn figures_line(ctx: &Ctx, f: &Figures) -> String {
    ctx.tf(
        "stats.line",
        &[
            ("in", f.needs_in.to_string()),
            ("delivered", f.delivered.to_string()),
            ("redirected", f.redirected.to_string()),
            ("first", median(ctx, &f.first_response)),
            ("lead", median(ctx, &f.lead_time)),
        ],
    )
}

pub async fn export(
    ctx: &Ctx<'_>,
    what: What,
    format: Format,
    since: Option<NaiveDate>,
) -> Result<Vec<Outbound>, Error> {
    if what == What::Register {
        return super::register::export(ctx, format).await;
    }
    let from = since.map(midnight);
    let ws = &ctx.workspace.id;
    let internal = |e: std::io::Error| Error::Internal(e.into());
    let (what, done) = if what == What::Events {
        let mut w = Writer::start::<ExportEvent>(Vec::new(), format).map_err(internal)?;
        let result = ctx.store().export_events(ws, from, &mut capped(&mut w)).await;
        ("events", (result, w))
    } else {
        let mut w = Writer::start::<ExportItem>(Vec::new(), format).map_err(internal)?;
        let result = ctx.store().export_items(ws, from, &mut capped(&mut w)).await;
        ("items", (result, w))
    };
    let (result, writer) = done;
    match result {
        Ok(()) => {}
        Err(StoreError::Write(_)) => return Err(ctx.refuse("export.too_large", &[])),
        Err(e) => return Err(e.into()),
    }
    let rows = writer.rows();
    let bytes = writer.finish().map_err(internal)?;
    let detail =
        format!("{what} {} since {}", format.extension(), since.map(|d| d.to_string()).unwrap_or("start".into()));
    ctx.store().record_admin(&admin_action(ctx, "export", &detail)).await?;
    Ok(vec![Outbound::File(Attachment {
        name: format!("kakehashi-{what}-{}.{}", ctx.now.format("%Y-%m-%d"), format.extension()),
        content_type: format.content_type().to_string(),
        bytes,
        comment: ctx.tf(&format!("export.done_{what}"), &[("n", rows.to_string())]),
    })])
}

/// A sink into an in-memory file that stops once the file outgrows what chat can carry.
fn capped<R: crate::export::Row>(w: &mut Writer<Vec<u8>>) -> impl FnMut(R) -> std::io::Result<()> + Send + '_ {
    move |row: R| {
        if w.len() > CHAT_EXPORT_LIMIT {
            return Err(std::io::Error::other("the export is too large for chat"));
        }
        w.write(&row)
    }
}

pub async fn audit(
    ctx: &Ctx<'_>,
    show: AuditShow,
    actor: Option<UserId>,
    item: Option<ItemRef>,
    since: Option<NaiveDate>,
) -> Result<Vec<Outbound>, Error> {
    let filter = AuditFilter { actor, item, since: since.map(midnight), reads: show == AuditShow::All };
    // reading the trail is itself an admin action; it is recorded after the read, so it does not
    // fill the page it asks for
    let entries = ctx.store().audit(&ctx.workspace.id, &filter, AUDIT_LIMIT).await?;
    let described = format!(
        "actor:{} item:{} since:{}",
        filter.actor.as_deref().unwrap_or("*"),
        filter.item.map(|i| i.to_string()).unwrap_or("*".into()),
        since.map(|d| d.to_string()).unwrap_or("*".into())
    );
    ctx.store().record_admin(&admin_action(ctx, "audit", &described)).await?;
    if entries.is_empty() {
        return Ok(vec![Outbound::Message(Message::private(vec![Block::Text(text(ctx.t("audit.none")))]))]);
    }
    let mut blocks = vec![Block::Heading(ctx.t("audit.heading"))];
    blocks.push(Block::List(
        entries
            .iter()
            .map(|e| {
                let mut line =
                    vec![Span::plain(format!("{} · ", e.at.format("%Y-%m-%d %H:%M UTC"))), who(ctx, &e.actor)];
                if let Some(item) = e.item {
                    line.push(Span::plain(" · "));
                    line.push(Span::Code(item.to_string()));
                }
                line.push(Span::plain(" "));
                match (&e.event, &e.admin) {
                    (Some(event), _) => line.push(Span::plain(super::items::change_text(ctx, &event.change))),
                    (None, Some((action, detail))) => line.extend(admin_said(ctx, action, detail)),
                    (None, None) => {}
                }
                if let Some(note) = e.event.as_ref().and_then(|ev| ev.note.as_ref()) {
                    line.push(Span::plain(format!(" — “{}”", render_note(note))));
                }
                line
            })
            .collect(),
    ));
    if entries.len() as i64 == AUDIT_LIMIT {
        blocks.push(Block::Context(text(ctx.tf("audit.more", &[("n", AUDIT_LIMIT.to_string())]))));
    }
    if show != AuditShow::All {
        blocks.push(Block::Context(text(ctx.t("audit.changes_only"))));
    }
    Ok(vec![Outbound::Message(Message::private(blocks))])
}

/// Who did it: a person as the platform names them; the command line as its operating-system user.
fn who(ctx: &Ctx, actor: &str) -> Span {
    match actor.strip_prefix("cli:") {
        Some(name) => Span::plain(ctx.tf("audit.cli", &[("name", name.to_string())])),
        None => render::actor(actor),
    }
}

/// An admin action in words, people in it named by the platform.
fn admin_said(ctx: &Ctx, action: &str, detail: &str) -> Vec<Span> {
    let detail_ = || detail.to_string();
    match action {
        "roles.add" | "roles.remove" => {
            let (user, role) = detail.rsplit_once(' ').unwrap_or((detail, ""));
            let role = crate::domain::Role::parse(role)
                .map(|r| ctx.t(&format!("role.{}", r.as_str())))
                .unwrap_or_else(|| role.to_string());
            let key = if action == "roles.add" { "audit.action.roles_add" } else { "audit.action.roles_remove" };
            let said = ctx.tf(key, &[("role", role)]);
            super::super::render::with_person(&said, user)
        }
        "export" => text(ctx.tf("audit.action.export", &[("detail", detail_())])),
        "digest.sent" => text(ctx.tf("audit.action.digest_sent", &[("detail", detail_())])),
        "stats" => text(ctx.tf("audit.action.stats", &[("detail", detail_())])),
        "audit" => text(ctx.t("audit.action.audit")),
        crate::storage::SNOOZE => text(ctx.tf("audit.action.snooze", &[("detail", detail_())])),
        "roles.list" => text(ctx.t("audit.action.roles_list")),
        "settings.view" => text(ctx.t("audit.action.settings_view")),
        _ => match action.strip_prefix("settings.") {
            Some(setting) if setting.ends_with("_channel") => {
                // the value stays a placeholder, then becomes the channel's link
                let said = ctx.tf("audit.action.setting", &[("setting", setting.to_string())]);
                super::super::render::with_span(&said, "{value}", Span::Channel(detail_()))
            }
            Some(setting) => {
                text(ctx.tf("audit.action.setting", &[("setting", setting.to_string()), ("value", detail_())]))
            }
            None => text(format!("{action}: {detail}")),
        },
    }
}

fn render_note(note: &str) -> String {
    crate::domain::verdict::shorten(note, 120)
}
