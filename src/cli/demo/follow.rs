//! The demo's follow-through (SPEC §5): the reminders the bot sent during the quarter, then a few
//! weeks after it — the AI team delivers a high-risk use, the weekly digest names the week's
//! delivered work, the requester of the quarter's first delivery answers the realised-value
//! check-in, and the AI register is shown with its high-risk entry.

use std::fmt::Write as _;

use chrono::{DateTime, Duration, Utc};

use super::{AI_ENGINEER, AI_LEAD, DemoError, Happening, Player};
use crate::chat::{InboundEvent, Outbound};
use crate::clock::ManualClock;
use crate::domain::nudge::NudgeKind;
use crate::domain::{Change, ItemRef, Status};
use crate::jobs::{self, Scheduler};
use crate::transport::console::{WORKSPACE_ID, render_blocks};

/// The reminders recorded on `items` (in the history of each), as happenings.
pub(super) async fn reminders(player: &Player<'_>, items: &[ItemRef]) -> Result<Vec<Happening>, DemoError> {
    let mut out = Vec::new();
    for item in items {
        for e in player.bot.store.events(WORKSPACE_ID, *item).await? {
            if let Change::Nudged { nudge, to, .. } = &e.change {
                let what = match nudge {
                    NudgeKind::Checklist => "to finish the checklist (with a Resume button)",
                    NudgeKind::Stale => "for an update after 14 quiet days (with one-click moves)",
                    NudgeKind::Checkin => "whether it delivered its value",
                    NudgeKind::Review => "to review its register entry",
                };
                out.push(Happening { at: e.at, line: format!("{item} the bot reminds {to} {what}") });
            }
        }
    }
    Ok(out)
}

/// Plays the weeks after the quarter that ended at `end`; what happened, as text.
pub(super) async fn epilogue(
    player: &Player<'_>,
    clock: &ManualClock,
    end: DateTime<Utc>,
    high_risk: ItemRef,
    first_delivered: (ItemRef, &str),
) -> Result<String, DemoError> {
    let bot = player.bot;
    let scheduler = Scheduler::new(bot.store.clone(), bot.prompts.clone());
    let mut out = String::new();
    let _ = writeln!(out, "\nAfter the quarter, the follow-through:");
    // the AI team takes on and delivers the attrition list, with a person reviewing every name
    let day = |d: i64, h: i64| end + Duration::days(d) + Duration::hours(1 + h);
    for (at, to, actor, note) in [
        (day(0, 0), Status::Accepted, AI_LEAD, "A monthly list for HR, with a person reviewing every name"),
        (day(0, 1), Status::InProgress, AI_ENGINEER, ""),
        (day(3, 0), Status::Delivered, AI_ENGINEER, "Live for HR; every flagged name is reviewed by a manager"),
    ] {
        clock.set(at);
        player.transition(high_risk, to, actor, note).await?;
        let _ = writeln!(
            out,
            "  {} {high_risk} {actor} moves it to {}",
            at.format("%Y-%m-%d"),
            to.as_str().replace('_', " ")
        );
    }
    // the weekly jobs every Monday; the first digest names the week's delivered work
    let mut digest_text = String::new();
    for week in 1..=5 {
        let monday = end + Duration::weeks(week);
        clock.set(monday);
        scheduler.run_once(monday).await.map_err(DemoError::Store)?;
        if week == 1 {
            let ws =
                bot.store.workspace(WORKSPACE_ID).await?.ok_or_else(|| DemoError::Script("no workspace".into()))?;
            let e = crate::views::digest::evaluate(bot.store.as_ref(), &ws, monday)
                .await
                .map_err(|e| DemoError::Script(e.to_string()))?;
            let d = crate::views::digest::build(bot.store.as_ref(), &ws, e, monday, None)
                .await
                .map_err(|e| DemoError::Script(e.to_string()))?;
            if d.credits.delivered.iter().all(|c| c.reference != high_risk) {
                return Err(DemoError::Script(format!("the digest does not name {high_risk}")));
            }
            let (message, _) =
                jobs::digest_message(&bot.prompts, &ws, &d).map_err(|e| DemoError::Script(e.to_string()))?;
            digest_text = render_blocks(&message.blocks, false);
        }
    }
    for h in reminders(player, &[first_delivered.0, high_risk]).await? {
        if h.at > end {
            let _ = writeln!(out, "  {} {}", h.at.format("%Y-%m-%d"), h.line);
        }
    }
    // the requester answers the check-in with the form
    let (item, requester) = first_delivered;
    let replies = player
        .send(
            requester,
            InboundEvent::Form {
                id: crate::chat::FormKind::Value { item }.to_string(),
                values: [("amount".to_string(), "9000000".to_string())].into(),
            },
        )
        .await;
    let said = replies
        .iter()
        .filter_map(|r| match r {
            Outbound::Message(m) => Some(render_blocks(&m.blocks, false)),
            _ => None,
        })
        .collect::<String>();
    if !said.contains("9,000,000") {
        return Err(DemoError::Script(format!("{item}: the realised value was not recorded: {said}")));
    }
    let _ = writeln!(
        out,
        "  {} {item} {requester} answers the check-in: {}",
        clock_day(end + Duration::weeks(5)),
        said.trim()
    );

    let register = player.send(AI_LEAD, InboundEvent::Command { text: "register".into() }).await;
    let _ = writeln!(out, "\nThe AI register, as `register` shows it:\n");
    for r in &register {
        if let Outbound::Message(m) = r {
            out.push_str(&render_blocks(&m.blocks, false));
        }
    }
    let _ = writeln!(out, "\nThe weekly digest of the week {high_risk} was delivered:\n");
    out.push_str(&digest_text);
    Ok(out)
}

fn clock_day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}
