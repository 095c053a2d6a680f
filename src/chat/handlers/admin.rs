//! Admin commands: the workspace's settings (channels, language, currency, the value gate, the
//! AI-department flag) and its roles. Every change is recorded in the audit trail with who made
//! it. The queries (`stats`, `export`, `audit`) live in `reports.rs`.

use super::super::Ctx;
use super::super::args::{ChannelId, ChannelPurpose, Setting, StagePin};
use super::super::message::{Block, Message, Outbound, Span, text};
use crate::domain::checklist::parse_number;
use crate::domain::schedule::Schedule;
use crate::domain::settings::{Currency, group, percent};
use crate::domain::{Lang, Role, Settings, UserId};
use crate::error::Error;
use crate::storage::AdminAction;

/// `admin settings`.
pub async fn settings(ctx: &Ctx<'_>) -> Result<Vec<Outbound>, Error> {
    ctx.store().record_admin(&admin_action(ctx, "settings.view", "")).await?;
    Ok(reply(settings_blocks(ctx, &ctx.workspace.settings)))
}

/// `admin channel triage|digest [channel]`: without a channel, the one the command is typed in.
pub async fn channel(ctx: &Ctx<'_>, which: ChannelPurpose, channel: Option<ChannelId>) -> Result<Vec<Outbound>, Error> {
    let channel = channel.map(|c| c.0).unwrap_or_else(|| ctx.inbound.place.channel.clone());
    let mut s = ctx.workspace.settings.clone();
    match which {
        ChannelPurpose::Triage => s.triage_channel = Some(channel.clone()),
        ChannelPurpose::Digest => s.digest_channel = Some(channel.clone()),
    }
    save(ctx, s, &format!("settings.{}_channel", which.as_str()), &channel).await
}

/// `admin roles add <person> <role>`.
pub async fn role_add(ctx: &Ctx<'_>, user: UserId, role: Role) -> Result<Vec<Outbound>, Error> {
    set_role(ctx, &user, role, true).await
}

/// `admin roles remove <person> <role>`.
pub async fn role_remove(ctx: &Ctx<'_>, user: UserId, role: Role) -> Result<Vec<Outbound>, Error> {
    set_role(ctx, &user, role, false).await
}

/// `admin stage 1|2|3|auto`.
pub async fn pin_stage(ctx: &Ctx<'_>, stage: StagePin) -> Result<Vec<Outbound>, Error> {
    let mut s = ctx.workspace.settings.clone();
    s.pinned_stage = stage.stage();
    save(ctx, s, "settings.pinned_stage", stage.as_str()).await
}

fn reply(blocks: Vec<Block>) -> Vec<Outbound> {
    vec![Outbound::Message(Message::private(blocks))]
}

/// `admin set <setting> <value>`: each setting checked by its own rule.
pub async fn set(ctx: &Ctx<'_>, setting: Setting, value: String) -> Result<Vec<Outbound>, Error> {
    let (key, value) = (setting.as_str(), value.as_str());
    let mut s = ctx.workspace.settings.clone();
    let bad = |rule: &str| {
        ctx.refuse(
            "admin.bad_value",
            &[("setting", key.to_string()), ("value", value.chars().take(40).collect()), ("rule", ctx.t(rule))],
        )
    };
    let number = |v: &str| parse_number(v).filter(|x| x.is_finite());
    match setting {
        Setting::Lang => s.lang = Lang::parse(value).map_err(|_| bad("admin.rule.lang"))?,
        Setting::Currency => s.value.currency = Currency::parse(value).map_err(|_| bad("admin.rule.currency"))?,
        Setting::HourlyCost => {
            s.value.hourly_cost = number(value).filter(|x| *x >= 0.0).ok_or_else(|| bad("admin.rule.hourly_cost"))?
        }
        Setting::AutomatableShare => {
            // "0.4" or "40%"
            let share = number(value).map(|x| if value.trim_end().ends_with('%') { x / 100.0 } else { x });
            s.value.automatable_share =
                share.filter(|x| (0.0..=1.0).contains(x)).ok_or_else(|| bad("admin.rule.automatable_share"))?;
        }
        Setting::MlYearlyCost => {
            s.value.ml_yearly_cost =
                number(value).filter(|x| *x > 0.0).ok_or_else(|| bad("admin.rule.ml_yearly_cost"))?
        }
        Setting::Timezone => {
            Schedule::parse(&s.digest_cron, value).map_err(|_| bad("admin.rule.timezone"))?;
            s.timezone = value.trim().to_string();
        }
        Setting::DigestSchedule => {
            let schedule = Schedule::parse(value, &s.timezone)
                .map_err(|e| ctx.refuse("admin.bad_schedule", &[("error", e.to_string())]))?;
            s.digest_cron = schedule.expr().to_string();
        }
        Setting::DigestDms => s.digest_dms = yes_no(value).ok_or_else(|| bad("admin.rule.ai_department"))?,
        Setting::AiDepartment => s.ai_department = yes_no(value).ok_or_else(|| bad("admin.rule.ai_department"))?,
        Setting::Nudges => s.follow.nudges = yes_no(value).ok_or_else(|| bad("admin.rule.nudges"))?,
        Setting::NudgeChecklistDays => {
            let days: Option<Vec<u32>> =
                value.split(',').map(|d| d.trim().parse::<u32>().ok().filter(|d| (1..=90).contains(d))).collect();
            s.follow.checklist_days = days
                .filter(|d| (1..=2).contains(&d.len()) && d.windows(2).all(|w| w[0] < w[1]))
                .ok_or_else(|| bad("admin.rule.nudge_checklist_days"))?;
        }
        Setting::NudgeTriageDays => {
            s.follow.triage_days = whole(value, 1, 90).ok_or_else(|| bad("admin.rule.nudge_triage_days"))?
        }
        Setting::NudgeStaleDays => {
            s.follow.stale_days = whole(value, 1, 365).ok_or_else(|| bad("admin.rule.nudge_stale_days"))?
        }
        Setting::CheckinWeeks => {
            s.follow.checkin_weeks = whole(value, 1, 104).ok_or_else(|| bad("admin.rule.checkin_weeks"))?
        }
        Setting::ReviewMonths => {
            s.follow.review_months = whole(value, 1, 36).ok_or_else(|| bad("admin.rule.review_months"))?
        }
        Setting::ReviewMonthsHigh => {
            s.follow.review_months_high = whole(value, 1, 36).ok_or_else(|| bad("admin.rule.review_months_high"))?
        }
        Setting::QuietHours => {
            let (from, to) = value.split_once('-').ok_or_else(|| bad("admin.rule.quiet_hours"))?;
            s.follow.quiet_from = whole(from, 0, 23).ok_or_else(|| bad("admin.rule.quiet_hours"))?;
            s.follow.quiet_to = whole(to, 0, 23).ok_or_else(|| bad("admin.rule.quiet_hours"))?;
        }
    }
    save(ctx, s, &format!("settings.{key}"), value.trim()).await
}

fn yes_no(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "on" => Some(true),
        "no" | "false" | "off" => Some(false),
        _ => None,
    }
}

/// A whole number from `min` to `max` (days, weeks, months, hours).
fn whole(value: &str, min: u32, max: u32) -> Option<u32> {
    value.trim().parse::<u32>().ok().filter(|d| (min..=max).contains(d))
}

async fn save(ctx: &Ctx<'_>, settings: Settings, action: &str, detail: &str) -> Result<Vec<Outbound>, Error> {
    ctx.store().update_settings(&settings, &admin_action(ctx, action, detail)).await?;
    tracing::info!(action, "settings changed");
    let mut blocks = vec![Block::Text(text(ctx.t("admin.saved")))];
    blocks.extend(settings_blocks(ctx, &settings));
    Ok(reply(blocks))
}

/// The record of an admin action for the audit trail.
pub fn admin_action(ctx: &Ctx, action: &str, detail: &str) -> AdminAction {
    AdminAction {
        workspace: ctx.workspace.id.to_string(),
        actor: ctx.actor().into(),
        action: action.to_string(),
        detail: detail.chars().take(500).collect(),
        at: ctx.now,
    }
}

fn settings_blocks(ctx: &Ctx, s: &Settings) -> Vec<Block> {
    let c = &s.value.currency;
    let schedule = s.schedule();
    let channel = |ch: &Option<String>| match ch {
        Some(id) => vec![Span::Channel(id.clone())],
        None => text(ctx.t("admin.unset")),
    };
    vec![
        Block::Heading(ctx.t("admin.settings")),
        Block::Fields(vec![
            ("lang".into(), text(s.lang.code())),
            ("currency".into(), text(c.code())),
            ("hourly_cost".into(), text(c.format(s.value.hourly_cost))),
            ("automatable_share".into(), text(percent(s.value.automatable_share * 100.0))),
            ("ml_yearly_cost".into(), text(c.format(s.value.ml_yearly_cost))),
            ("ai_department".into(), text(ctx.t(if s.ai_department { "admin.yes" } else { "admin.no" }))),
            (ctx.t("admin.triage_channel"), channel(&s.triage_channel)),
            (ctx.t("admin.digest_channel"), channel(&s.digest_channel)),
            ("timezone".into(), text(s.timezone.clone())),
            ("digest_schedule".into(), text(s.digest_cron.clone())),
            (
                ctx.t("admin.next_digests"),
                text(
                    schedule
                        .upcoming(ctx.now, 3)
                        .into_iter()
                        .map(|t| schedule.local(t))
                        .collect::<Vec<_>>()
                        .join(" · "),
                ),
            ),
            ("digest_dms".into(), text(ctx.t(if s.digest_dms { "admin.yes" } else { "admin.no" }))),
            (
                ctx.t("admin.pinned_stage"),
                text(s.pinned_stage.map(|p| p.number().to_string()).unwrap_or_else(|| ctx.t("admin.auto"))),
            ),
            ("nudges".into(), text(ctx.t(if s.follow.nudges { "admin.yes" } else { "admin.no" }))),
            (
                "nudge_checklist_days".into(),
                text(s.follow.checklist_days.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(",")),
            ),
            ("nudge_triage_days".into(), text(s.follow.triage_days.to_string())),
            ("nudge_stale_days".into(), text(s.follow.stale_days.to_string())),
            ("checkin_weeks".into(), text(s.follow.checkin_weeks.to_string())),
            ("review_months".into(), text(s.follow.review_months.to_string())),
            ("review_months_high".into(), text(s.follow.review_months_high.to_string())),
            ("quiet_hours".into(), text(format!("{}-{}", s.follow.quiet_from, s.follow.quiet_to))),
        ]),
        Block::Context(text(ctx.t("admin.settings_hint"))),
    ]
}

async fn set_role(ctx: &Ctx<'_>, user: &UserId, role: Role, grant: bool) -> Result<Vec<Outbound>, Error> {
    let action = admin_action(ctx, if grant { "roles.add" } else { "roles.remove" }, &format!("{user} {role}"));
    let changed = ctx.store().set_role(user, role, grant, &action).await?;
    let key = match (grant, changed) {
        (true, true) => "admin.role_added",
        (false, true) => "admin.role_removed",
        (true, false) => "admin.role_had",
        (false, false) => "admin.role_lacked",
    };
    let role_name = ctx.t(&format!("role.{}", role.as_str()));
    let said = ctx.tf(key, &[("role", role_name)]);
    Ok(reply(vec![Block::Text(vec![Span::User(user.clone()), Span::plain(format!(" {said}"))])]))
}

/// `admin roles list`.
pub async fn roles(ctx: &Ctx<'_>) -> Result<Vec<Outbound>, Error> {
    ctx.store().record_admin(&admin_action(ctx, "roles.list", "")).await?;
    let members = ctx.store().role_members(&ctx.workspace.id).await?;
    let mut blocks = vec![Block::Heading(ctx.t("admin.roles"))];
    for role in Role::GRANTABLE {
        let people: Vec<Span> = members
            .iter()
            .filter(|(_, r)| *r == role)
            .flat_map(|(u, _)| [Span::User(u.clone()), Span::plain(" ")])
            .collect();
        let value = if people.is_empty() { text(ctx.t("admin.nobody")) } else { people };
        let mut line = vec![Span::Bold(ctx.t(&format!("role.{}", role.as_str()))), Span::plain(": ")];
        line.extend(value);
        blocks.push(Block::Text(line));
    }
    if !ctx.bot.admins.is_empty() {
        blocks.push(Block::Context(text(ctx.tf("admin.config_admins", &[("n", group(ctx.bot.admins.len() as f64))]))));
    }
    Ok(reply(blocks))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_setting_has_its_rule_text() {
        let p = crate::prompts::Prompts::embedded();
        for key in crate::chat::args::Setting::NAMES {
            let rule = format!("admin.rule.{key}");
            assert_ne!(p.get(crate::domain::Lang::En, &rule), rule, "{rule}");
        }
    }
}
