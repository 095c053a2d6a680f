//! `list [kind] [status] [team:…] [owner:…] [since:…]`: items that match, newest first.

use chrono::NaiveDate;

use super::super::args::{ListStatus, Word};
use super::super::message::{Block, Message, Outbound, text};
use super::super::{Ctx, render};
use crate::domain::text::team_key;
use crate::domain::{ItemKind, Status, UserId};
use crate::error::Error;
use crate::storage::ItemFilter;

/// How many lines `list` shows; the count says how many matched in all.
const LIST_LIMIT: i64 = 50;

/// Needs waiting or under way, and seeds still being worked on.
pub const OPEN: &[Status] = &[
    Status::Screening,
    Status::Submitted,
    Status::Accepted,
    Status::InProgress,
    Status::Idea,
    Status::Prototyping,
    Status::Pitched,
];

pub async fn list(
    ctx: &Ctx<'_>,
    kind: Option<ItemKind>,
    status: Option<ListStatus>,
    team: Option<Word>,
    owner: Option<UserId>,
    since: Option<NaiveDate>,
) -> Result<Vec<Outbound>, Error> {
    let statuses = match status {
        None => Vec::new(),
        Some(ListStatus::Open) => OPEN.iter().copied().filter(|s| kind.is_none_or(|k| s.kind() == k)).collect(),
        Some(ListStatus::Is(s)) => vec![s],
    };
    let filter = ItemFilter {
        kind,
        statuses,
        team_key: team.map(|t| team_key(&t.0)),
        owner,
        since: since.map(midnight),
        oldest_first: false,
    };
    let (items, total) = ctx.store().list_items(&ctx.workspace.id, &filter, LIST_LIMIT).await?;
    if total == 0 {
        return Ok(vec![Outbound::Message(Message::private(vec![Block::Text(text(ctx.t("list.none")))]))]);
    }
    let mut blocks = vec![Block::Heading(ctx.tf("list.heading", &[("n", total.to_string())]))];
    blocks.push(Block::List(items.iter().map(|i| render::item_line(ctx, i, true)).collect()));
    if total > LIST_LIMIT {
        blocks.push(Block::Context(text(ctx.tf("list.more", &[("n", LIST_LIMIT.to_string())]))));
    }
    Ok(vec![Outbound::Message(Message::private(blocks))])
}

/// The start of a day, UTC.
pub fn midnight(d: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
}
