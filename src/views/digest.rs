//! The weekly digest's content, read from the store: the stage evaluation, the figures, the
//! waiting needs and the week's work credited by name. The scheduler sends it
//! ([`crate::jobs`]); `digest` previews it ([`crate::chat`]); both render it through
//! `chat::digest`.

use chrono::{DateTime, Duration, Utc};

use crate::domain::digest::{self, Confirmed, Credit, Credits, Digest, Overdue, Waiting};
use crate::domain::nudge;
use crate::domain::stage::{self, Evaluation};
use crate::domain::{Change, Event, ItemKind, Role, Status, WorkItem};
use crate::storage::{ItemFilter, ItemSummary, Store, StoreError, StoredEvaluation, Workspace};

/// How far back the figures look.
pub const HORIZON: Duration = Duration::weeks(13);

/// At most this many items of one kind are read for the credits.
const READ_LIMIT: i64 = 500;

#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a stored evaluation is unreadable: {0}")]
    Unreadable(String),
}

pub fn stored(e: &Evaluation) -> StoredEvaluation {
    StoredEvaluation {
        at: e.at,
        stage: e.stage.number(),
        json: serde_json::to_string(e).expect("an evaluation serialises"),
    }
}

pub fn parse(s: &StoredEvaluation) -> Result<Evaluation, DigestError> {
    serde_json::from_str(&s.json).map_err(|e| DigestError::Unreadable(e.to_string()))
}

/// The stage at `at`, after the last evaluation before it.
pub async fn evaluate(store: &dyn Store, ws: &Workspace, at: DateTime<Utc>) -> Result<Evaluation, DigestError> {
    let rows = store.stat_rows(&ws.id, Some(at - HORIZON)).await?;
    let team = store.count_role(&ws.id, Role::AiTeam).await?.max(0) as usize;
    let previous = match store.last_evaluation(&ws.id, at - Duration::seconds(1)).await? {
        Some(p) => Some(parse(&p)?),
        None => None,
    };
    let signals = stage::signals(&rows, at, ws.settings.ai_department, team);
    Ok(stage::evaluate(previous.as_ref(), signals, ws.settings.pinned_stage))
}

/// The digest of the week that ends at `at`.
pub async fn build(
    store: &dyn Store,
    ws: &Workspace,
    evaluation: Evaluation,
    at: DateTime<Utc>,
    late_from: Option<DateTime<Utc>>,
) -> Result<Digest, DigestError> {
    let rows = store.stat_rows(&ws.id, Some(at - HORIZON)).await?;
    let filter = ItemFilter { statuses: vec![Status::Submitted], oldest_first: true, ..ItemFilter::default() };
    let (waiting, _) = store.list_items(&ws.id, &filter, digest::OLDEST_SHOWN as i64).await?;
    let waiting = waiting.into_iter().map(as_waiting).collect();
    let mut d = digest::build(&rows, waiting, evaluation, at, late_from);
    d.credits = credits(store, ws, at).await?;
    Ok(d)
}

/// What the digest of the week ending at `at` credits by name ([`crate::domain::digest::Credits`]).
pub async fn credits(store: &dyn Store, ws: &Workspace, at: DateTime<Utc>) -> Result<Credits, StoreError> {
    let week = |t: Option<DateTime<Utc>>| t.is_some_and(|t| t >= at - Duration::weeks(1) && t < at);
    let mut c = Credits { waiting_days: ws.settings.follow.triage_days, ..Credits::default() };
    let delivered = super::register::delivered(store, ws).await?;
    c.value = super::register::summary(&delivered, None, at);
    for d in &delivered {
        let item = &d.item;
        if week(item.resolved_at) {
            let events = store.events(&ws.id, item.reference).await?;
            let credit = credit(item, &events);
            match item.kind() {
                ItemKind::Need => c.delivered.push(credit),
                ItemKind::Seed => c.in_service.push(credit),
            }
        }
        if let Some((nudge::Realised::Confirmed(amount), when)) = d.answer
            && week(Some(when))
        {
            c.confirmed.push(Confirmed { reference: item.reference, title: item.title.to_string(), amount });
        }
    }
    let redirected = ItemFilter { statuses: vec![Status::Redirected], since: None, ..ItemFilter::default() };
    let (found, _) = store.list_items(&ws.id, &redirected, READ_LIMIT).await?;
    for s in found.into_iter().filter(|s| s.updated_at >= at - Duration::weeks(1)) {
        let Some(item) = store.item(&ws.id, s.reference).await? else { continue };
        if week(item.resolved_at) {
            let events = store.events(&ws.id, item.reference).await?;
            c.redirected.push(credit(&item, &events));
        }
    }
    for line in super::register::lines(store, ws).await? {
        if line.overdue(at) {
            c.overdue_reviews.push(Overdue {
                reference: line.item.reference,
                title: line.item.title.to_string(),
                owner: line.owner().clone(),
                due: line.entry.next_review,
            });
        }
    }
    let waiting = ItemFilter { statuses: vec![Status::Submitted], oldest_first: true, ..ItemFilter::default() };
    let (found, _) = store.list_items(&ws.id, &waiting, READ_LIMIT).await?;
    c.waiting_over = found
        .into_iter()
        .filter(|i| i.submitted_at.is_some_and(|s| ws.settings.follow.waits_too_long(s, at)))
        .map(as_waiting)
        .collect();
    Ok(c)
}

/// Who did a piece of work: its owner, or whoever moved it to where it is.
fn credit(item: &WorkItem, events: &[Event]) -> Credit {
    let mover = events
        .iter()
        .rev()
        .find(|e| matches!(e.change, Change::Status { to, .. } if to == item.status))
        .map(|e| e.actor.clone());
    Credit { reference: item.reference, title: item.title.to_string(), by: item.owner.clone().or(mover) }
}

/// A need waiting for triage, as the digest lists it.
fn as_waiting(i: ItemSummary) -> Waiting {
    Waiting {
        reference: i.reference,
        submitted_at: i.submitted_at.unwrap_or(i.updated_at),
        title: i.title,
        team: i.team,
    }
}
