//! What managers see of the weekly work: `digest` (a preview of the coming digest, nothing sent)
//! and `stage` (where the AI team stands, and why).

use super::super::message::{Attachment, Block, Message, Outbound, Span, text};
use super::super::{Ctx, digest as render};
use crate::domain::Role;
use crate::domain::settings::percent;
use crate::domain::stage::Evaluation;
use crate::error::Error;

/// The digest as it would go out now, in the asker's language, with its chart.
pub async fn preview(ctx: &Ctx<'_>) -> Result<Vec<Outbound>, Error> {
    ctx.require(Role::Manager)?;
    let evaluation = evaluation(ctx).await?;
    let d =
        crate::views::digest::build(ctx.store(), &ctx.workspace, evaluation, ctx.now, None).await.map_err(internal)?;
    let mut blocks = vec![Block::Context(text(ctx.t("digest.preview")))];
    if ctx.workspace.settings.digest_channel.is_none() {
        blocks.push(Block::Context(text(ctx.t("digest.no_channel"))));
    }
    blocks.extend(render::blocks(ctx.prompts(), ctx.lang, &ctx.workspace.name, &ctx.workspace.settings, &d));
    let png =
        render::chart_png(ctx.prompts(), ctx.lang, &ctx.workspace.settings, &d).map_err(|e| internal(e.to_string()))?;
    Ok(vec![
        Outbound::Message(Message::private(blocks)),
        Outbound::File(Attachment {
            name: format!("kakehashi-digest-preview-{}.png", ctx.now.format("%Y-%m-%d")),
            content_type: "image/png".into(),
            bytes: png,
            comment: ctx.t("digest.chart_file"),
        }),
    ])
}

/// The stage now: the last weekly evaluation if it is this week's, or one made now.
pub async fn stage(ctx: &Ctx<'_>) -> Result<Vec<Outbound>, Error> {
    ctx.require(Role::Manager)?;
    let e = evaluation(ctx).await?;
    let s = &e.signals;
    let t = |key: &str| ctx.t(key);
    let none = || t("show.none");
    let hours = |h: Option<f64>| h.map(|h| super::super::render::duration(ctx, h)).unwrap_or_else(none);
    let mut blocks = vec![
        Block::Heading(t(&format!("stages.stage.{}.name", e.stage.number()))),
        Block::Text(text(t(&format!("stages.stage.{}.summary", e.stage.number())))),
    ];
    if e.pinned {
        blocks.push(Block::Context(text(t("digest.pinned"))));
    } else if e.raw != e.stage {
        blocks.push(Block::Context(text(ctx.tf("stage.pending", &[("raw", e.raw.number().to_string())]))));
    }
    blocks.push(Block::Fields(vec![
        (t("stage.department"), text(t(if s.ai_department { "admin.yes" } else { "admin.no" }))),
        (t("stage.team_size"), text(s.team_size.to_string())),
        (
            t("stage.needs"),
            text(ctx.tf("stage.needs_value", &[("in", s.needs_in.to_string()), ("done", s.needs_done.to_string())])),
        ),
        (t("stats.backlog"), text(s.backlog_weeks.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(" → "))),
        (t("stats.first_response"), text(hours(s.first_response_hours))),
        (t("stats.lead_time"), text(hours(s.lead_time_hours))),
        (t("stage.seed_share"), text(percent((s.seed_share * 1000.0).round() / 10.0))),
        (
            t("stage.adoption"),
            text(
                s.adoption
                    .map(|a| format!("{} ({})", percent((a * 1000.0).round() / 10.0), s.seeds_decided))
                    .unwrap_or_else(none),
            ),
        ),
    ]));
    for p in &e.pains {
        blocks.push(Block::List(vec![vec![Span::plain(t(&format!("stages.pains.{}.text", p.as_str())))]]));
    }
    blocks.push(Block::Context(text(t("stage.how"))));
    Ok(vec![Outbound::Message(Message::private(blocks))])
}

async fn evaluation(ctx: &Ctx<'_>) -> Result<Evaluation, Error> {
    crate::views::digest::evaluate(ctx.store(), &ctx.workspace, ctx.now).await.map_err(internal)
}

fn internal(e: impl ToString) -> Error {
    Error::Internal(anyhow::anyhow!(e.to_string()))
}
