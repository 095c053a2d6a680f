//! Work items — needs (`N-<n>`) and seeds (`S-<n>`) — and their lifecycles (SPEC §1).
//!
//! The lifecycle is one table, [`Status::next`]; an attempt to move anywhere else is a
//! [`TransitionError`] that names the moves that are allowed. Every move becomes an [`Event`].

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::checklist::{Answer, Answers};
pub use super::id::UserId;
use super::text::{Note, TeamName, Title};
use super::verdict::{Outcome, Verdict};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Need,
    Seed,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Need => "need",
            ItemKind::Seed => "seed",
        }
    }

    pub fn parse(s: &str) -> Option<ItemKind> {
        match s {
            "need" => Some(ItemKind::Need),
            "seed" => Some(ItemKind::Seed),
            _ => None,
        }
    }

    fn prefix(self) -> char {
        match self {
            ItemKind::Need => 'N',
            ItemKind::Seed => 'S',
        }
    }

    /// Where a new item of this kind starts.
    pub fn initial_status(self) -> Status {
        match self {
            ItemKind::Need => Status::Screening,
            ItemKind::Seed => Status::Idea,
        }
    }
}

/// The id people use for an item: `N-12` or `S-3`, numbered per workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemRef {
    pub kind: ItemKind,
    pub number: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an item id; ids look like N-12 (a need) or S-3 (a seed)")]
pub struct BadItemRef(pub String);

impl ItemRef {
    /// Accepts `N-12`, `n-12`, `N12` and `#N-12`.
    pub fn parse(input: &str) -> Result<ItemRef, BadItemRef> {
        let bad = || BadItemRef(input.to_string());
        let s = input.trim().trim_start_matches('#');
        let mut chars = s.chars();
        let kind = match chars.next().map(|c| c.to_ascii_uppercase()) {
            Some('N') => ItemKind::Need,
            Some('S') => ItemKind::Seed,
            _ => return Err(bad()),
        };
        let rest = chars.as_str();
        let digits = rest.strip_prefix('-').unwrap_or(rest);
        if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let number: i64 = digits.parse().map_err(|_| bad())?;
        if number < 1 {
            return Err(bad());
        }
        Ok(ItemRef { kind, number })
    }
}

impl fmt::Display for ItemRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.kind.prefix(), self.number)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    // needs
    Screening,
    Submitted,
    Accepted,
    Redirected,
    Declined,
    InProgress,
    Delivered,
    Closed,
    Withdrawn,
    // seeds
    Idea,
    Prototyping,
    Pitched,
    InService,
    Shelved,
}

impl Status {
    pub const ALL: [Status; 14] = [
        Status::Screening,
        Status::Submitted,
        Status::Accepted,
        Status::Redirected,
        Status::Declined,
        Status::InProgress,
        Status::Delivered,
        Status::Closed,
        Status::Withdrawn,
        Status::Idea,
        Status::Prototyping,
        Status::Pitched,
        Status::InService,
        Status::Shelved,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Screening => "screening",
            Status::Submitted => "submitted",
            Status::Accepted => "accepted",
            Status::Redirected => "redirected",
            Status::Declined => "declined",
            Status::InProgress => "in_progress",
            Status::Delivered => "delivered",
            Status::Closed => "closed",
            Status::Withdrawn => "withdrawn",
            Status::Idea => "idea",
            Status::Prototyping => "prototyping",
            Status::Pitched => "pitched",
            Status::InService => "in_service",
            Status::Shelved => "shelved",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn kind(self) -> ItemKind {
        match self {
            Status::Idea | Status::Prototyping | Status::Pitched | Status::InService | Status::Shelved => {
                ItemKind::Seed
            }
            _ => ItemKind::Need,
        }
    }

    /// The lifecycle: where an item in this status may go next.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Screening => &[Submitted, Withdrawn],
            Submitted => &[Accepted, Redirected, Declined, Withdrawn],
            Accepted => &[InProgress, Withdrawn],
            InProgress => &[Delivered, Withdrawn],
            Delivered => &[Closed],
            Redirected | Declined | Closed | Withdrawn => &[],
            Idea => &[Prototyping, Shelved],
            Prototyping => &[Pitched, Shelved],
            Pitched => &[InService, Shelved],
            InService | Shelved => &[],
        }
    }

    /// A need that still waits for something to happen (a requester may withdraw it).
    pub fn is_open(self) -> bool {
        matches!(self, Status::Screening | Status::Submitted | Status::Accepted | Status::InProgress)
    }

    /// Moves that must say why: the advice of a redirect, the reason for a decline, what a
    /// shelved seed taught.
    pub fn requires_note(self) -> bool {
        matches!(self, Status::Redirected | Status::Declined | Status::Shelved)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("{item} cannot move from {from} to {to}; allowed: {}", list(allowed))]
    NotAllowed { item: ItemRef, from: Status, to: Status, allowed: Vec<Status> },
    #[error("moving {item} to {to} needs a note")]
    NoteRequired { item: ItemRef, to: Status },
}

fn list(statuses: &[Status]) -> String {
    if statuses.is_empty() {
        return "none (it is final)".into();
    }
    statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

/// Where a message goes when it is not a reply: a person (a direct message) or a channel.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Recipient {
    User(UserId),
    Channel(String),
}

/// A work item as stored. Text fields were checked by the `parse` constructors of
/// [`super::text`] when they were first written.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkItem {
    pub workspace: String,
    pub reference: ItemRef,
    pub title: Title,
    pub description: String,
    pub team: TeamName,
    pub requester: UserId,
    pub owner: Option<UserId>,
    pub status: Status,
    pub answers: Answers,
    pub verdict: Option<Verdict>,
    pub effort_days: Option<f64>,
    /// When the checklist finished and the need went to triage.
    pub submitted_at: Option<DateTime<Utc>>,
    /// The first triage action (accept, redirect, decline, assign): the first response.
    pub first_response_at: Option<DateTime<Utc>>,
    /// When it reached an end: delivered, redirected, declined or withdrawn (needs); in service
    /// or shelved (seeds).
    pub resolved_at: Option<DateTime<Utc>>,
    /// Bumped on every save; a save that finds another version lost a race and is retried.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl WorkItem {
    pub fn kind(&self) -> ItemKind {
        self.reference.kind
    }

    pub fn outcome(&self) -> Option<Outcome> {
        self.verdict.as_ref().map(|v| v.outcome)
    }

    /// Moves the item along its lifecycle, or says which moves are allowed.
    pub fn transition(
        &mut self,
        to: Status,
        actor: &str,
        note: Option<Note>,
        now: DateTime<Utc>,
    ) -> Result<Event, TransitionError> {
        let from = self.status;
        if !from.next().contains(&to) {
            return Err(TransitionError::NotAllowed { item: self.reference, from, to, allowed: from.next().to_vec() });
        }
        let note = note.filter(|n| !n.as_str().is_empty());
        if to.requires_note() && note.is_none() {
            return Err(TransitionError::NoteRequired { item: self.reference, to });
        }
        self.status = to;
        self.updated_at = now;
        match to {
            Status::Submitted => self.submitted_at = Some(now),
            Status::Accepted | Status::Redirected | Status::Declined if from == Status::Submitted => {
                self.first_response_at.get_or_insert(now);
            }
            _ => {}
        }
        if matches!(
            to,
            Status::Delivered
                | Status::Redirected
                | Status::Declined
                | Status::Withdrawn
                | Status::InService
                | Status::Shelved
        ) {
            self.resolved_at = Some(now);
        }
        Ok(Event {
            item: self.reference,
            actor: actor.into(),
            change: Change::Status { from, to },
            note: note.map(|n| n.as_str().to_string()),
            at: now,
        })
    }
}

impl WorkItem {
    /// Gives the item an owner; on a need waiting for triage this is a first response.
    pub fn assign(&mut self, owner: &str, actor: &str, now: DateTime<Utc>) -> Option<Event> {
        if self.owner.as_deref() == Some(owner) {
            return None;
        }
        let from = self.owner.replace(owner.into());
        if self.status == Status::Submitted {
            self.first_response_at.get_or_insert(now);
        }
        self.updated_at = now;
        Some(Event {
            item: self.reference,
            actor: actor.into(),
            change: Change::Assigned { from, to: owner.into() },
            note: None,
            at: now,
        })
    }

    /// Records the effort in person-days.
    pub fn set_effort(&mut self, days: f64, actor: &str, now: DateTime<Utc>) -> Option<Event> {
        if self.effort_days == Some(days) {
            return None;
        }
        let from = self.effort_days.replace(days);
        self.updated_at = now;
        Some(Event {
            item: self.reference,
            actor: actor.into(),
            change: Change::Effort { from, to: days },
            note: None,
            at: now,
        })
    }
}

/// One row of an item's history: who changed what, when. The history, the audit trail and the
/// source of every metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub item: ItemRef,
    pub actor: UserId,
    pub change: Change,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Created {
        status: Status,
    },
    Status {
        from: Status,
        to: Status,
    },
    /// An answer changed after the verdict; the verdict was recomputed.
    AnswerEdited {
        question: String,
        before: Option<Answer>,
        after: Answer,
        outcome_before: Option<Outcome>,
        outcome_after: Option<Outcome>,
    },
    Assigned {
        from: Option<UserId>,
        to: UserId,
    },
    Effort {
        from: Option<f64>,
        to: f64,
    },
    /// A reminder was sent to `to` (SPEC §5); the key makes it once only.
    Nudged {
        nudge: super::nudge::NudgeKind,
        key: String,
        to: UserId,
    },
    /// The answer to the realised-value check-in.
    Value {
        realised: super::nudge::Realised,
    },
    /// Confirmed still in use at a register review.
    Reviewed,
    /// Taken out of service: it leaves the register (the note says why).
    Retired,
}

impl Change {
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Created { .. } => "created",
            Change::Status { .. } => "status",
            Change::AnswerEdited { .. } => "answer_edited",
            Change::Assigned { .. } => "assigned",
            Change::Effort { .. } => "effort",
            Change::Nudged { .. } => "nudged",
            Change::Value { realised } => realised.kind(),
            Change::Reviewed => "reviewed",
            Change::Retired => "retired",
        }
    }

    /// The (from, to) statuses of the event row.
    pub fn statuses(&self) -> (Option<Status>, Option<Status>) {
        match self {
            Change::Created { status } => (None, Some(*status)),
            Change::Status { from, to } => (Some(*from), Some(*to)),
            _ => (None, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: ItemKind) -> WorkItem {
        let now = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
        WorkItem {
            workspace: "w".into(),
            reference: ItemRef { kind, number: 1 },
            title: Title::parse("t").unwrap(),
            description: String::new(),
            team: TeamName::parse("").unwrap(),
            requester: "u".into(),
            owner: None,
            status: kind.initial_status(),
            answers: Answers::default(),
            verdict: None,
            effort_days: None,
            submitted_at: None,
            first_response_at: None,
            resolved_at: None,
            version: 0,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn item_refs_parse_in_the_forms_people_type() {
        for s in ["N-12", "n-12", "N12", "#N-12", " n-12 "] {
            assert_eq!(ItemRef::parse(s), Ok(ItemRef { kind: ItemKind::Need, number: 12 }), "{s}");
        }
        assert_eq!(ItemRef::parse("S-3").unwrap().to_string(), "S-3");
        for s in ["", "N", "N-", "X-1", "N-0", "N--1", "N-1a", "N-99999999999999999999"] {
            assert!(ItemRef::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn every_status_belongs_to_one_kind_and_moves_only_within_it() {
        for s in Status::ALL {
            for next in s.next() {
                assert_eq!(next.kind(), s.kind(), "{s} -> {next}");
            }
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn a_need_walks_from_screening_to_closed() {
        let mut need = item(ItemKind::Need);
        let now = need.created_at;
        for to in [Status::Submitted, Status::Accepted, Status::InProgress, Status::Delivered, Status::Closed] {
            let e = need.transition(to, "ai", None, now).unwrap();
            assert_eq!(e.change.statuses().1, Some(to));
        }
        assert_eq!(need.status, Status::Closed);
    }

    #[test]
    fn an_invalid_transition_names_the_allowed_ones() {
        let mut need = item(ItemKind::Need);
        let now = need.created_at;
        let err = need.transition(Status::Delivered, "ai", None, now).unwrap_err();
        assert_eq!(
            err,
            TransitionError::NotAllowed {
                item: need.reference,
                from: Status::Screening,
                to: Status::Delivered,
                allowed: vec![Status::Submitted, Status::Withdrawn],
            }
        );
        assert!(err.to_string().contains("allowed: submitted, withdrawn"), "{err}");
        assert_eq!(need.status, Status::Screening, "a refused move changes nothing");
    }

    #[test]
    fn shelving_a_seed_requires_what_was_learned() {
        let mut seed = item(ItemKind::Seed);
        let now = seed.created_at;
        let err = seed.transition(Status::Shelved, "ai", None, now).unwrap_err();
        assert!(matches!(err, TransitionError::NoteRequired { .. }));
        let blank = Note::parse("   ").unwrap();
        assert!(seed.transition(Status::Shelved, "ai", Some(blank), now).is_err());
        let note = Note::parse("Users wanted a weekly export, not a model").unwrap();
        let e = seed.transition(Status::Shelved, "ai", Some(note), now).unwrap();
        assert_eq!(e.note.as_deref(), Some("Users wanted a weekly export, not a model"));
    }

    #[test]
    fn final_statuses_allow_no_move() {
        let mut need = item(ItemKind::Need);
        need.status = Status::Withdrawn;
        let err = need.transition(Status::Submitted, "u", None, need.created_at).unwrap_err();
        assert!(err.to_string().contains("none (it is final)"));
    }
}
