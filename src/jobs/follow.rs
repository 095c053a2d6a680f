//! The follow-through jobs (SPEC §5), run by the scheduler of [`crate::jobs`]:
//!
//! - [`Job::FollowUp`](crate::jobs::Job::FollowUp), every 5 minutes of a workspace's working hours: the reminders
//!   addressed to one person — an unfinished checklist (after 2 and 7 days), an item gone quiet
//!   (its owner, after 14 days), the realised-value check-in (8 weeks after delivery or going
//!   into service) and the register review (every 6 months, 3 for high risk). Each is recorded
//!   as a `nudged` event whose key the database keeps unique, with its message in the same
//!   transaction ([`Store::record_nudge`]): sent once, whichever replica or restart gets there
//!   first. A person who snoozed gets nothing until the snooze ends.
//! - [`Job::TriageNudge`](crate::jobs::Job::TriageNudge), once a working day: the needs waiting for
//!   triage over the threshold, in one message to the AI team's channel, listed when the run
//!   executes (a need triaged before then is not in it).
//!
//! Nothing here mentions anyone: a reminder goes to its addressee by direct message and names
//! items by id and title (plain text, which the platforms escape), and the list in the AI team's
//! channel names no person.
//!
//! To add a reminder: a [`NudgeKind`], a function that finds what is due and calls [`send`], and
//! its texts under `nudge.` in prompts/messages.toml.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::chat::{Action, Block, Button, Control, FormKind, Message, Span, Style, Syntax, Visibility};
use crate::domain::nudge::{self, BOT, FollowSettings, NoValue, NudgeKind};
use crate::domain::{Change, Event, ItemKind, ItemRef, Lang, Recipient, Status, UserId, WorkItem};
use crate::outbox::{self, Payload};
use crate::prompts::Prompts;
use crate::storage::{ItemFilter, NewNotice, Store, StoreError, Workspace};

/// How many items of one kind a sweep reads at most.
const SWEEP_LIMIT: i64 = 500;

/// Texts in the workspace's language, commands written as its platform types them.
struct Texts<'a> {
    prompts: &'a Prompts,
    lang: Lang,
    syntax: Syntax,
}

impl Texts<'_> {
    fn t(&self, key: &str, args: &[(&str, String)]) -> String {
        crate::domain::text::fill(&self.syntax.render(self.prompts.marked(self.lang, key)), args)
    }
}

fn texts<'a>(prompts: &'a Prompts, ws: &Workspace) -> Texts<'a> {
    Texts { prompts, lang: ws.settings.lang, syntax: Syntax::of_workspace(&ws.id) }
}

/// Whether reminders may go out in the workspace at `now` (switched on, not quiet hours).
pub fn open(ws: &Workspace, now: DateTime<Utc>) -> bool {
    let f = &ws.settings.follow;
    f.nudges && !f.is_quiet(now, ws.settings.schedule().tz())
}

/// One sweep of a workspace: what it needs to send reminders, and who snoozed (asked once per
/// person).
struct Sweep<'a> {
    store: &'a dyn Store,
    ws: &'a Workspace,
    now: DateTime<Utc>,
    snoozed: HashMap<String, bool>,
    sent: usize,
}

impl Sweep<'_> {
    async fn snoozed(&mut self, user: &str) -> Result<bool, StoreError> {
        if let Some(s) = self.snoozed.get(user) {
            return Ok(*s);
        }
        let s = self.store.snoozed_until(&self.ws.id, user).await?.is_some_and(|until| until > self.now);
        self.snoozed.insert(user.to_string(), s);
        Ok(s)
    }

    /// One reminder: recorded and queued once, unless its addressee snoozed.
    async fn send(
        &mut self,
        item: ItemRef,
        (nudge, key): (NudgeKind, String),
        to: &UserId,
        blocks: Vec<Block>,
    ) -> Result<(), StoreError> {
        if self.snoozed(to).await? {
            return Ok(());
        }
        let event = Event {
            item,
            actor: UserId::from(BOT),
            change: Change::Nudged { nudge, key, to: to.clone() },
            note: None,
            at: self.now,
        };
        let message = Message { visibility: Visibility::Public, replace: false, blocks };
        let notice = outbox::notice(&self.ws.id, Recipient::User(to.clone()), &Payload::Message { message }, self.now);
        if self.store.record_nudge(&self.ws.id, &event, &notice).await? {
            tracing::info!(workspace = %self.ws.id, item = %item, nudge = nudge.as_str(), "reminder queued");
            self.sent += 1;
        }
        Ok(())
    }
}

fn button(action: String, label: String, style: Style, opens_form: bool) -> Control {
    Control::Button(Button { action, label, style, key: None, opens_form })
}

/// The item as its reminders name it: id and title, plain.
fn named(item: &WorkItem) -> Vec<Span> {
    vec![Span::Bold(format!("{} · {}", item.reference, item.title))]
}

/// Sends every person-addressed reminder that is due in the workspace; how many went out.
#[tracing::instrument(skip_all, fields(workspace = %ws.id))]
pub async fn follow_up(
    store: &dyn Store,
    prompts: &Prompts,
    ws: &Workspace,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    if !open(ws, now) {
        return Ok(0);
    }
    let f = &ws.settings.follow;
    let tx = texts(prompts, ws);
    let mut sweep = Sweep { store, ws, now, snoozed: HashMap::new(), sent: 0 };
    let list = |statuses: Vec<Status>| ItemFilter { statuses, oldest_first: true, ..ItemFilter::default() };

    // unfinished checklists, to their requesters
    let (screening, _) = store.list_items(&ws.id, &list(vec![Status::Screening]), SWEEP_LIMIT).await?;
    for s in screening {
        let Some(item) = store.item(&ws.id, s.reference).await? else { continue };
        let Some(level) = f.checklist_due(item.created_at, now) else { continue };
        let blocks = vec![
            Block::Text(tx.t("nudge.checklist", &[("item", item.reference.to_string())]).into_spans()),
            Block::Text(named(&item)),
            Block::Controls(vec![button(
                Action::Resume { item: item.reference }.to_string(),
                tx.t("nudge.resume", &[]),
                Style::Primary,
                false,
            )]),
            Block::Context(tx.t("nudge.snooze_hint", &[]).into_spans()),
        ];
        let key = level.to_string();
        sweep.send(item.reference, (NudgeKind::Checklist, key), &item.requester, blocks).await?;
    }

    // items gone quiet, to their owners
    let (quiet, _) =
        store.list_items(&ws.id, &list(vec![Status::InProgress, Status::Prototyping]), SWEEP_LIMIT).await?;
    for s in quiet {
        let Some(owner) = s.owner.clone() else { continue };
        let events = store.events(&ws.id, s.reference).await?;
        let Some(last) = nudge::last_activity(&events) else { continue };
        if !f.stale(last, now) {
            continue;
        }
        let Some(item) = store.item(&ws.id, s.reference).await? else { continue };
        let moves: Vec<Control> = item
            .status
            .next()
            .iter()
            // moves that need a note, or that are the requester's (withdraw), are not one click
            .filter(|to| !to.requires_note() && **to != Status::Withdrawn)
            .map(|to| {
                let label = tx.t("nudge.move", &[("status", tx.t(&format!("status.{}", to.as_str()), &[]))]);
                button(Action::Move { item: item.reference, to: *to }.to_string(), label, Style::Default, false)
            })
            .collect();
        let days = (now - last).num_days().to_string();
        let mut blocks = vec![
            Block::Text(tx.t("nudge.stale", &[("days", days), ("item", item.reference.to_string())]).into_spans()),
            Block::Text(named(&item)),
        ];
        if !moves.is_empty() {
            blocks.push(Block::Controls(moves));
        }
        blocks.push(Block::Context(tx.t("nudge.stale_hint", &[("item", item.reference.to_string())]).into_spans()));
        let key = last.to_rfc3339();
        sweep.send(item.reference, (NudgeKind::Stale, key), &owner, blocks).await?;
    }

    // the realised-value check-in, to the requester (the owner of a seed)
    let (done, _) = store
        .list_items(&ws.id, &list(vec![Status::Delivered, Status::Closed, Status::InService]), SWEEP_LIMIT)
        .await?;
    for s in done {
        let Some(item) = store.item(&ws.id, s.reference).await? else { continue };
        let Some(since) = item.resolved_at else { continue };
        if !f.checkin_due(since, now) {
            continue;
        }
        let to = match item.kind() {
            ItemKind::Need => Some(item.requester.clone()),
            ItemKind::Seed => item.owner.clone(),
        };
        let Some(to) = to else { continue };
        let events = store.events(&ws.id, item.reference).await?;
        let answered = nudge::realised(&events).is_some();
        let retired = events.iter().any(|e| matches!(e.change, Change::Retired));
        if answered || retired {
            continue;
        }
        let blocks = checkin_blocks(&tx, ws, &item, f);
        sweep.send(item.reference, (NudgeKind::Checkin, "1".into()), &to, blocks).await?;
    }

    // register reviews, to the owners
    for line in crate::views::register::lines(store, ws).await? {
        if !line.overdue(now) {
            continue;
        }
        let item = &line.item;
        let tier = tx.t(&format!("register.tier.{}", line.entry.risk.tier.as_str()), &[]);
        let blocks = vec![
            Block::Text(tx.t("nudge.review", &[("item", item.reference.to_string()), ("tier", tier)]).into_spans()),
            Block::Text(named(item)),
            Block::Controls(vec![
                button(
                    Action::Reviewed { item: item.reference }.to_string(),
                    tx.t("nudge.still_used", &[]),
                    Style::Primary,
                    false,
                ),
                button(
                    Action::Open { form: FormKind::Retire { item: item.reference } }.to_string(),
                    tx.t("nudge.retire", &[]),
                    Style::Danger,
                    true,
                ),
            ]),
            Block::Context(tx.t("nudge.review_hint", &[("item", item.reference.to_string())]).into_spans()),
        ];
        let key = line.entry.next_review.format("%Y-%m-%d").to_string();
        let owner = line.owner().clone();
        sweep.send(item.reference, (NudgeKind::Review, key), &owner, blocks).await?;
    }
    Ok(sweep.sent)
}

/// The check-in: what was estimated, and three ways to answer.
fn checkin_blocks(tx: &Texts, ws: &Workspace, item: &WorkItem, f: &FollowSettings) -> Vec<Block> {
    let currency = &ws.settings.value.currency;
    let estimate = item
        .verdict
        .as_ref()
        .and_then(|v| v.value.as_ref())
        .map(|v| currency.format(v.yearly_value))
        .unwrap_or_else(|| tx.t("value.no_estimate", &[]));
    let key = if item.kind() == ItemKind::Seed { "nudge.checkin_seed" } else { "nudge.checkin" };
    let r = item.reference;
    vec![
        Block::Text(tx.t(key, &[("weeks", f.checkin_weeks.to_string()), ("item", r.to_string())]).into_spans()),
        Block::Text(named(item)),
        Block::Text(tx.t("nudge.estimate", &[("value", estimate)]).into_spans()),
        Block::Controls(vec![
            button(
                Action::Open { form: FormKind::Value { item: r } }.to_string(),
                tx.t("nudge.realised", &[]),
                Style::Primary,
                true,
            ),
            button(
                Action::Value { item: r, answer: NoValue::NoEffect }.to_string(),
                tx.t("value.no_effect", &[]),
                Style::Default,
                false,
            ),
            button(
                Action::Value { item: r, answer: NoValue::NoLongerUsed }.to_string(),
                tx.t("value.no_longer_used", &[]),
                Style::Default,
                false,
            ),
        ]),
        Block::Context(tx.t("nudge.snooze_hint", &[]).into_spans()),
    ]
}

/// The day's list of needs waiting for triage over the threshold, for the AI team's channel, as
/// it stands now (nothing when none waits so long, or the workspace has no triage channel).
#[tracing::instrument(skip_all, fields(workspace = %ws.id))]
pub async fn triage_list(
    store: &dyn Store,
    prompts: &Prompts,
    ws: &Workspace,
    now: DateTime<Utc>,
) -> Result<Vec<NewNotice>, StoreError> {
    let f = &ws.settings.follow;
    let Some(channel) = ws.settings.triage_channel.clone() else { return Ok(Vec::new()) };
    if !f.nudges {
        return Ok(Vec::new());
    }
    let filter = ItemFilter { statuses: vec![Status::Submitted], oldest_first: true, ..ItemFilter::default() };
    let (waiting, _) = store.list_items(&ws.id, &filter, SWEEP_LIMIT).await?;
    let late: Vec<_> =
        waiting.into_iter().filter(|i| i.submitted_at.is_some_and(|s| f.waits_too_long(s, now))).collect();
    if late.is_empty() {
        return Ok(Vec::new());
    }
    let tx = texts(prompts, ws);
    let heading = crate::chat::render::count_in(prompts, ws.settings.lang, "nudge.triage_heading", late.len());
    let lines = late
        .iter()
        .map(|i| {
            let days = i.submitted_at.map(|s| (now - s).num_days()).unwrap_or_default() as usize;
            let waited = crate::chat::render::count_in(prompts, ws.settings.lang, "nudge.days", days);
            vec![Span::Bold(i.reference.to_string()), Span::plain(format!(" {} · {} · {waited}", i.title, i.team))]
        })
        .collect();
    let blocks = vec![
        Block::Heading(crate::domain::text::fill(&heading, &[("days", f.triage_days.to_string())])),
        Block::List(lines),
        Block::Context(tx.t("nudge.triage_hint", &[]).into_spans()),
    ];
    let message = Message { visibility: Visibility::Public, replace: false, blocks };
    Ok(vec![outbox::notice(&ws.id, Recipient::Channel(channel), &Payload::Message { message }, now)])
}

trait IntoSpans {
    fn into_spans(self) -> Vec<Span>;
}

impl IntoSpans for String {
    fn into_spans(self) -> Vec<Span> {
        vec![Span::Plain(self)]
    }
}
