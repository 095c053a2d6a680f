//! The AI register as the store holds it (SPEC §5): every need delivered with ML and every seed in
//! service, until retired, with what [`crate::domain::register`] derives from its answers and
//! history. Read by `register`, `admin export register`, the review reminders and the digest.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::checklist::Answer;
use crate::domain::nudge::{self, Realised};
use crate::domain::register::{self, Risk, Tier};
use crate::domain::{Change, Event, ItemRef, Status, UserId, WorkItem};
use crate::export::{Num, Time};
use crate::storage::{ItemFilter, Store, StoreError, Workspace};

/// How many items in service the register reads at most.
pub const LIMIT: i64 = 2_000;

/// One use in service, with its item and history.
#[derive(Debug, Clone)]
pub struct Line {
    pub item: WorkItem,
    pub events: Vec<Event>,
    pub entry: register::Entry,
    pub realised: Option<Realised>,
    /// Who answers for it: the owner; without one, who delivered it or put it into service;
    /// failing that, the requester.
    pub owner: UserId,
}

impl Line {
    pub fn reference(&self) -> ItemRef {
        self.item.reference
    }

    pub fn owner(&self) -> &UserId {
        &self.owner
    }

    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        self.entry.next_review <= now
    }

    fn option(&self, question: &str) -> String {
        match self.item.answers.get(question) {
            Some(Answer::One(o)) => o.clone(),
            Some(Answer::Many(v)) => v.join(","),
            _ => String::new(),
        }
    }
}

/// The register of a workspace, oldest in service first.
pub async fn lines(store: &dyn Store, ws: &Workspace) -> Result<Vec<Line>, StoreError> {
    let filter = ItemFilter {
        statuses: vec![Status::Delivered, Status::Closed, Status::InService],
        oldest_first: true,
        ..ItemFilter::default()
    };
    let (found, _) = store.list_items(&ws.id, &filter, LIMIT).await?;
    let follow = &ws.settings.follow;
    let mut lines = Vec::new();
    for summary in found {
        let Some(item) = store.item(&ws.id, summary.reference).await? else { continue };
        if !register::in_service(&item) {
            continue;
        }
        let events = store.events(&ws.id, item.reference).await?;
        let Some(entry) = register::entry(&item, &events, follow.review_months, follow.review_months_high) else {
            continue;
        };
        let realised = nudge::realised(&events).map(|(r, _)| r);
        let mover = events
            .iter()
            .find(|e| matches!(e.change, Change::Status { to: Status::Delivered | Status::InService, .. }))
            .map(|e| e.actor.clone());
        let owner = item.owner.clone().or(mover).unwrap_or_else(|| item.requester.clone());
        lines.push(Line { item, events, entry, realised, owner });
    }
    lines.sort_by_key(|l| (l.entry.since, l.item.reference));
    Ok(lines)
}

/// A delivered need or a seed in service (register or not), with its latest check-in answer.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub item: WorkItem,
    pub answer: Option<(Realised, DateTime<Utc>)>,
}

impl Delivered {
    pub fn estimate(&self) -> Option<f64> {
        self.item.verdict.as_ref().and_then(|v| v.value.as_ref()).map(|v| v.yearly_value)
    }
}

/// Every need delivered and seed in service in the workspace, delivered first-come first.
pub async fn delivered(store: &dyn Store, ws: &Workspace) -> Result<Vec<Delivered>, StoreError> {
    let filter = ItemFilter {
        statuses: vec![Status::Delivered, Status::Closed, Status::InService],
        oldest_first: true,
        ..ItemFilter::default()
    };
    let (found, _) = store.list_items(&ws.id, &filter, LIMIT).await?;
    let mut out = Vec::new();
    for summary in found {
        let Some(item) = store.item(&ws.id, summary.reference).await? else { continue };
        if item.resolved_at.is_none() {
            continue;
        }
        let events = store.events(&ws.id, item.reference).await?;
        out.push(Delivered { item, answer: nudge::realised(&events) });
    }
    Ok(out)
}

/// Estimated against realised value of what was delivered in `[since, until)`.
pub fn summary(all: &[Delivered], since: Option<DateTime<Utc>>, until: DateTime<Utc>) -> nudge::ValueSummary {
    let mut v = nudge::ValueSummary::default();
    for d in all {
        let at = d.item.resolved_at.unwrap_or(d.item.updated_at);
        if since.is_none_or(|s| at >= s) && at < until {
            v.add(d.estimate(), d.answer.map(|(r, _)| r));
        }
    }
    v
}

/// A register line as exported (README "The AI register" documents the columns).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportLine {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub owner: String,
    pub requester: String,
    pub since: DateTime<Utc>,
    pub upkeep: String,
    pub human_oversight: String,
    pub risk_tier: Tier,
    pub risk_reasons: String,
    pub last_review: Option<DateTime<Utc>>,
    pub next_review: DateTime<Utc>,
    pub estimated_yearly_value: Option<f64>,
    pub realised: Option<String>,
    pub realised_yearly_value: Option<f64>,
}

impl ExportLine {
    pub fn of(line: &Line) -> ExportLine {
        let Risk { tier, reasons, .. } = &line.entry.risk;
        ExportLine {
            id: line.item.reference.to_string(),
            kind: line.item.kind().as_str().to_string(),
            title: line.item.title.to_string(),
            owner: line.owner().to_string(),
            requester: line.item.requester.to_string(),
            since: line.entry.since,
            upkeep: line.option("maintenance"),
            human_oversight: line.option("human_review"),
            risk_tier: *tier,
            risk_reasons: reasons.join(","),
            last_review: line.entry.reviewed_at,
            next_review: line.entry.next_review,
            estimated_yearly_value: line.item.verdict.as_ref().and_then(|v| v.value.as_ref()).map(|v| v.yearly_value),
            realised: line.realised.map(|r| r.kind().to_string()),
            realised_yearly_value: line.realised.map(Realised::yearly),
        }
    }
}

/// The CSV columns of a register line (the header comes from the field names).
#[derive(Serialize, Default)]
pub struct LineCsv<'a> {
    id: &'a str,
    kind: &'a str,
    title: &'a str,
    owner: &'a str,
    requester: &'a str,
    since: Time,
    upkeep: &'a str,
    human_oversight: &'a str,
    risk_tier: &'a str,
    risk_reasons: &'a str,
    last_review: Time,
    next_review: Time,
    estimated_yearly_value: Num,
    realised: Option<&'a str>,
    realised_yearly_value: Num,
}

impl crate::export::Row for ExportLine {
    type Csv<'a> = LineCsv<'a>;

    fn csv(&self) -> LineCsv<'_> {
        LineCsv {
            id: &self.id,
            kind: &self.kind,
            title: &self.title,
            owner: &self.owner,
            requester: &self.requester,
            since: Time(Some(self.since)),
            upkeep: &self.upkeep,
            human_oversight: &self.human_oversight,
            risk_tier: self.risk_tier.as_str(),
            risk_reasons: &self.risk_reasons,
            last_review: Time(self.last_review),
            next_review: Time(Some(self.next_review)),
            estimated_yearly_value: Num(self.estimated_yearly_value),
            realised: self.realised.as_deref(),
            realised_yearly_value: Num(self.realised_yearly_value),
        }
    }
}
