//! The stage model of SPEC §3: which stage the AI team is in, from signals over trailing windows,
//! announced only once it held for two weekly evaluations (an admin-pinned stage wins), and the
//! pains the signals actually show.
//!
//! - Stage 1: no AI department yet; a few in-house experts do AI next to their main job.
//! - Stage 2: a department exists, but needs outrun capacity (the backlog grew in 3 of the last 4
//!   weeks) or seeds get less than 20% of the work.
//! - Stage 3: seeds get 20% or more and the backlog is not growing.
//!
//! Everything here is a pure function of the items' history (the timestamps the lifecycle keeps)
//! and the settings at the time of evaluation.

use serde::{Deserialize, Serialize};

use chrono::{DateTime, Duration, Utc};

use super::item::{ItemKind, Status};
use super::stats::StatRow;

/// Weeks the signals look back.
pub const WINDOW_WEEKS: i64 = 4;
/// Weeks seed adoption looks back.
pub const ADOPTION_WEEKS: i64 = 12;
/// Seed share at which the AI team has room for its own work.
pub const SEED_SHARE_FOR_STAGE_3: f64 = 0.2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum Stage {
    One = 1,
    Two = 2,
    Three = 3,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::One, Stage::Two, Stage::Three];

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn parse(n: u8) -> Option<Stage> {
        match n {
            1 => Some(Stage::One),
            2 => Some(Stage::Two),
            3 => Some(Stage::Three),
            _ => None,
        }
    }
}

impl From<Stage> for u8 {
    fn from(s: Stage) -> u8 {
        s.number()
    }
}

impl TryFrom<u8> for Stage {
    type Error = String;
    fn try_from(n: u8) -> Result<Stage, String> {
        Stage::parse(n).ok_or_else(|| format!("{n} is not a stage (1–3)"))
    }
}

/// What the stage is judged on, at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signals {
    pub at: DateTime<Utc>,
    pub ai_department: bool,
    pub team_size: usize,
    /// Needs submitted in the window.
    pub needs_in: usize,
    /// Needs delivered or redirected in the window.
    pub needs_done: usize,
    /// Needs waiting for or in the hands of the AI team now.
    pub backlog: usize,
    /// The backlog at the end of each of the last five weeks, oldest first (the last is now).
    pub backlog_weeks: Vec<usize>,
    /// The backlog grew in at least 3 of the last 4 weeks.
    pub backlog_growing: bool,
    /// Median submission → first triage action in the window, in hours.
    pub first_response_hours: Option<f64>,
    /// Median submission → delivered or redirected in the window, in hours.
    pub lead_time_hours: Option<f64>,
    /// Seeds being worked on now (idea, prototyping, pitched).
    pub seeds_active: usize,
    /// Seeds in service now.
    pub seeds_in_service: usize,
    /// Seeds decided (in service or shelved) in the last 12 weeks, and the share in service.
    pub seeds_decided: usize,
    pub adoption: Option<f64>,
    /// Needs the AI team is working on now (accepted or in progress).
    pub needs_in_progress: usize,
    /// Active seeds / (active seeds + needs in progress); 0 when both are 0.
    pub seed_share: f64,
    /// Share of the window's needs whose data is at level lv1 or below.
    pub low_data_share: Option<f64>,
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

fn hours(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_seconds().max(0) as f64 / 3600.0
}

/// Needs waiting for or with the AI team at `t`.
fn backlog_at(rows: &[StatRow], t: DateTime<Utc>) -> usize {
    rows.iter()
        .filter(|r| r.kind == ItemKind::Need)
        .filter(|r| r.submitted_at.is_some_and(|s| s <= t))
        .filter(|r| r.resolved_at.is_none_or(|d| d > t))
        .count()
}

/// The signals at `at`.
pub fn signals(rows: &[StatRow], at: DateTime<Utc>, ai_department: bool, team_size: usize) -> Signals {
    let from = at - Duration::weeks(WINDOW_WEEKS);
    let inside = |t: Option<DateTime<Utc>>| t.is_some_and(|t| t > from && t <= at);
    let needs = || rows.iter().filter(|r| r.kind == ItemKind::Need);
    let seeds = || rows.iter().filter(|r| r.kind == ItemKind::Seed);
    let done = |r: &&StatRow| {
        inside(r.resolved_at) && matches!(r.status, Status::Delivered | Status::Closed | Status::Redirected)
    };

    let needs_in = needs().filter(|r| inside(r.submitted_at)).count();
    let needs_done = needs().filter(done).count();
    let backlog_weeks: Vec<usize> =
        (0..=WINDOW_WEEKS).rev().map(|w| backlog_at(rows, at - Duration::weeks(w))).collect();
    let growth = backlog_weeks.windows(2).filter(|w| w[1] > w[0]).count();
    let first_response = needs()
        .filter(|r| inside(r.first_response_at))
        .filter_map(|r| Some(hours(r.submitted_at?, r.first_response_at?)))
        .collect();
    let lead_time = needs().filter(done).filter_map(|r| Some(hours(r.submitted_at?, r.resolved_at?))).collect();

    // a seed is active from its creation until it is decided; "decided" counts the last 12 weeks
    let seeds_active = seeds().filter(|r| r.created_at <= at && r.resolved_at.is_none_or(|d| d > at)).count();
    let seeds_in_service =
        seeds().filter(|r| r.status == Status::InService && r.resolved_at.is_some_and(|d| d <= at)).count();
    let adoption_from = at - Duration::weeks(ADOPTION_WEEKS);
    let decided: Vec<&StatRow> = seeds()
        .filter(|r| matches!(r.status, Status::InService | Status::Shelved))
        .filter(|r| r.resolved_at.is_some_and(|d| d > adoption_from && d <= at))
        .collect();
    let adopted = decided.iter().filter(|r| r.status == Status::InService).count();
    let needs_in_progress = needs()
        .filter(|r| r.first_response_at.is_some_and(|f| f <= at) && r.resolved_at.is_none_or(|d| d > at))
        .filter(|r| matches!(r.status, Status::Accepted | Status::InProgress | Status::Delivered | Status::Closed))
        .count();
    let seed_share = if seeds_active + needs_in_progress == 0 {
        0.0
    } else {
        seeds_active as f64 / (seeds_active + needs_in_progress) as f64
    };
    let window_needs: Vec<&StatRow> =
        rows.iter().filter(|r| r.kind == ItemKind::Need && inside(r.submitted_at)).collect();
    let low_data_share = (!window_needs.is_empty())
        .then(|| window_needs.iter().filter(|r| r.low_data).count() as f64 / window_needs.len() as f64);

    Signals {
        at,
        ai_department,
        team_size,
        needs_in,
        needs_done,
        backlog: *backlog_weeks.last().unwrap_or(&0),
        backlog_growing: growth >= 3,
        backlog_weeks,
        first_response_hours: median(first_response),
        lead_time_hours: median(lead_time),
        seeds_active,
        seeds_in_service,
        seeds_decided: decided.len(),
        adoption: (!decided.is_empty()).then(|| adopted as f64 / decided.len() as f64),
        needs_in_progress,
        seed_share,
        low_data_share,
    }
}

/// The stage the signals show this week, before hysteresis.
pub fn raw_stage(s: &Signals) -> Stage {
    if !s.ai_department {
        Stage::One
    } else if s.backlog_growing || s.seed_share < SEED_SHARE_FOR_STAGE_3 {
        Stage::Two
    } else {
        Stage::Three
    }
}

/// A pain the signals show, with what helps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pain {
    /// Stage 1: experts do AI next to their main job; nobody owns it.
    PartTimeExperts,
    /// The backlog grew in 3 of the last 4 weeks.
    BacklogGrowing,
    /// A third or more of the recent needs come with data at lv1 or below.
    DataNotOrganised,
    /// Needs wait, yet nothing was delivered or redirected in 4 weeks.
    NothingDelivered,
    /// Seeds get less than a fifth of the work.
    NoRoomForSeeds,
    /// Seed adoption under 30% with 3 or more decided seeds.
    SeedsNotAdopted,
    /// The median first response took more than 3 days.
    SlowFirstResponse,
}

impl Pain {
    pub const ALL: [Pain; 7] = [
        Pain::PartTimeExperts,
        Pain::BacklogGrowing,
        Pain::DataNotOrganised,
        Pain::NothingDelivered,
        Pain::NoRoomForSeeds,
        Pain::SeedsNotAdopted,
        Pain::SlowFirstResponse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Pain::PartTimeExperts => "part_time_experts",
            Pain::BacklogGrowing => "backlog_growing",
            Pain::DataNotOrganised => "data_not_organised",
            Pain::NothingDelivered => "nothing_delivered",
            Pain::NoRoomForSeeds => "no_room_for_seeds",
            Pain::SeedsNotAdopted => "seeds_not_adopted",
            Pain::SlowFirstResponse => "slow_first_response",
        }
    }
}

/// The pains these signals show.
pub fn pains(s: &Signals, stage: Stage) -> Vec<Pain> {
    let mut out = Vec::new();
    if stage == Stage::One {
        out.push(Pain::PartTimeExperts);
    }
    if s.backlog_growing {
        out.push(Pain::BacklogGrowing);
    }
    if s.needs_in >= 3 && s.low_data_share.is_some_and(|x| x >= 1.0 / 3.0) {
        out.push(Pain::DataNotOrganised);
    }
    if s.needs_done == 0 && s.backlog > 0 {
        out.push(Pain::NothingDelivered);
    }
    if s.ai_department && s.seed_share < SEED_SHARE_FOR_STAGE_3 {
        out.push(Pain::NoRoomForSeeds);
    }
    if s.seeds_decided >= 3 && s.adoption.is_some_and(|a| a < 0.3) {
        out.push(Pain::SeedsNotAdopted);
    }
    if s.first_response_hours.is_some_and(|h| h > 72.0) {
        out.push(Pain::SlowFirstResponse);
    }
    out
}

/// One weekly evaluation, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub at: DateTime<Utc>,
    /// What the signals showed this week.
    pub raw: Stage,
    /// The stage announced (after hysteresis, or pinned).
    pub stage: Stage,
    pub pinned: bool,
    /// Set when this evaluation announces a new stage: (from, to).
    pub transition: Option<(Stage, Stage)>,
    pub pains: Vec<Pain>,
    pub signals: Signals,
}

/// This week's evaluation, after `previous` (none for the first). A change is announced once the
/// new stage held for two consecutive evaluations; a pinned stage wins at once.
pub fn evaluate(previous: Option<&Evaluation>, signals: Signals, pinned: Option<Stage>) -> Evaluation {
    let raw = raw_stage(&signals);
    let (stage, transition) = match (previous, pinned) {
        (prev, Some(p)) => (p, prev.filter(|e| e.stage != p).map(|e| (e.stage, p))),
        (None, None) => (raw, None),
        (Some(prev), None) if raw != prev.stage && raw == prev.raw && !prev.pinned => (raw, Some((prev.stage, raw))),
        (Some(prev), None) => (prev.stage, None),
    };
    let pains = pains(&signals, stage);
    Evaluation { at: signals.at, raw, stage, pinned: pinned.is_some(), transition, pains, signals }
}

/// Walks weekly evaluations over a history (for tests, the demo and back-filling).
pub fn walk(rows: &[StatRow], weeks: &[(DateTime<Utc>, bool, usize)], pinned: Option<Stage>) -> Vec<Evaluation> {
    let mut out: Vec<Evaluation> = Vec::with_capacity(weeks.len());
    for (at, department, team) in weeks {
        let s = signals(rows, *at, *department, *team);
        let e = evaluate(out.last(), s, pinned);
        out.push(e);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn week(n: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap() + Duration::weeks(n)
    }

    fn need(submitted: DateTime<Utc>, answered: Option<i64>, resolved: Option<(i64, Status)>) -> StatRow {
        let status = match (answered, resolved) {
            (_, Some((_, s))) => s,
            (Some(_), None) => Status::InProgress,
            (None, None) => Status::Submitted,
        };
        StatRow {
            kind: ItemKind::Need,
            status,
            team: "Sales".into(),
            team_key: "sales".into(),
            outcome: None,
            yearly_value: None,
            created_at: submitted,
            submitted_at: Some(submitted),
            first_response_at: answered.map(|h| submitted + Duration::hours(h)),
            resolved_at: resolved.map(|(d, _)| submitted + Duration::days(d)),
            low_data: false,
        }
    }

    fn seed(created: DateTime<Utc>, decided: Option<(i64, Status)>) -> StatRow {
        StatRow {
            kind: ItemKind::Seed,
            status: decided.map(|(_, s)| s).unwrap_or(Status::Prototyping),
            team: String::new(),
            team_key: String::new(),
            outcome: None,
            yearly_value: None,
            created_at: created,
            submitted_at: None,
            first_response_at: None,
            resolved_at: decided.map(|(d, _)| created + Duration::days(d)),
            low_data: false,
        }
    }

    /// A team's year: experts on the side (weeks 0–5), a department swamped by needs (6–13), room
    /// for seeds (14–21), then swamped again (22–29).
    fn history() -> Vec<StatRow> {
        let mut rows = Vec::new();
        // weeks 0–13: needs pour in faster than they are done, and stay open
        for w in 0..14 {
            for k in 0..3 {
                let answered = if k == 0 { Some(24) } else { None };
                let resolved = if k == 0 && w < 10 { Some((40, Status::Delivered)) } else { None };
                rows.push(need(week(w) + Duration::hours(k), answered, resolved));
            }
        }
        // weeks 12–13: the open needs are redirected or declined in a clean-up
        for r in rows.iter_mut() {
            if r.resolved_at.is_none() && r.first_response_at.is_none() {
                r.first_response_at = Some(week(13));
                r.resolved_at = Some(week(13) + Duration::days(1));
                r.status = Status::Redirected;
            }
        }
        // weeks 14–21: few needs, done quickly; the team starts seeds
        for w in 14..22 {
            rows.push(need(week(w), Some(4), Some((3, Status::Delivered))));
            rows.push(seed(week(w), None));
        }
        // weeks 22–29: the flood comes back and seeds are shelved
        for w in 22..30 {
            for k in 0..4 {
                rows.push(need(week(w) + Duration::hours(k), None, None));
            }
        }
        for r in rows.iter_mut().filter(|r| r.kind == ItemKind::Seed) {
            r.status = Status::Shelved;
            r.resolved_at = Some(week(23));
        }
        rows
    }

    #[test]
    fn a_team_walks_from_stage_1_to_3_and_back_announced_after_two_weeks() {
        let rows = history();
        let weeks: Vec<(DateTime<Utc>, bool, usize)> =
            (1..30).map(|w| (week(w) + Duration::hours(23), w >= 6, if w >= 6 { 4 } else { 1 })).collect();
        let walk = walk(&rows, &weeks, None);
        let stages: Vec<u8> = walk.iter().map(|e| e.stage.number()).collect();
        let transitions: Vec<(usize, u8, u8)> = walk
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.transition.map(|(a, b)| (i + 1, a.number(), b.number())))
            .collect();
        assert_eq!(stages[0], 1, "no department: stage 1");
        assert_eq!(walk[5].raw, Stage::Two, "week 6: the department exists");
        assert_eq!(walk[5].stage, Stage::One, "…but one week is not enough");
        assert_eq!(transitions[0], (7, 1, 2), "announced after two weeks: {stages:?}");
        // seeds take a fifth of the work from week 15 (announced week 16); the flood returns in week 23
        assert_eq!(transitions, vec![(7, 1, 2), (16, 2, 3), (24, 3, 2)], "{stages:?}");
    }

    #[test]
    fn a_single_odd_week_does_not_move_the_stage() {
        let s = |department| signals(&[], week(1), department, 2);
        let first = evaluate(None, s(true), None);
        assert_eq!(first.stage, Stage::Two);
        let blip = evaluate(Some(&first), s(false), None);
        assert_eq!((blip.raw, blip.stage, blip.transition), (Stage::One, Stage::Two, None));
        let back = evaluate(Some(&blip), s(true), None);
        assert_eq!((back.stage, back.transition), (Stage::Two, None));
    }

    #[test]
    fn a_pinned_stage_wins_at_once_and_unpinning_returns_to_the_signals() {
        let s = || signals(&[], week(1), false, 1);
        let first = evaluate(None, s(), None);
        assert_eq!(first.stage, Stage::One);
        let pinned = evaluate(Some(&first), s(), Some(Stage::Three));
        assert_eq!(
            (pinned.stage, pinned.transition, pinned.pinned),
            (Stage::Three, Some((Stage::One, Stage::Three)), true)
        );
        let still = evaluate(Some(&pinned), s(), Some(Stage::Three));
        assert_eq!(still.transition, None);
        let unpinned = evaluate(Some(&still), s(), None);
        assert_eq!(unpinned.stage, Stage::Three, "the signals must hold two weeks first");
        let then = evaluate(Some(&unpinned), s(), None);
        assert_eq!(then.transition, Some((Stage::Three, Stage::One)));
    }

    #[test]
    fn the_pains_named_are_the_ones_the_signals_show() {
        let rows: Vec<StatRow> = (0..4)
            .flat_map(|w| (0..2).map(move |k| need(week(w) + Duration::hours(k), Some(100), None)))
            .map(|mut r| {
                r.low_data = true;
                r
            })
            .collect();
        let s = signals(&rows, week(4), true, 3);
        assert!(s.backlog_growing, "{:?}", s.backlog_weeks);
        let p = pains(&s, raw_stage(&s));
        assert_eq!(
            p,
            vec![
                Pain::BacklogGrowing,
                Pain::DataNotOrganised,
                Pain::NothingDelivered,
                Pain::NoRoomForSeeds,
                Pain::SlowFirstResponse
            ]
        );
        let quiet = signals(&[], week(4), true, 3);
        assert_eq!(pains(&quiet, Stage::Three), vec![Pain::NoRoomForSeeds], "seed share 0 of nothing");
    }

    #[test]
    fn seeds_not_adopted_needs_three_decided_seeds() {
        let mut rows = vec![seed(week(0), Some((7, Status::Shelved))), seed(week(0), Some((7, Status::Shelved)))];
        let s = signals(&rows, week(4), true, 3);
        assert!(!pains(&s, Stage::Three).contains(&Pain::SeedsNotAdopted), "two are not enough to judge");
        rows.push(seed(week(1), Some((7, Status::Shelved))));
        let s = signals(&rows, week(4), true, 3);
        assert_eq!(s.adoption, Some(0.0));
        assert!(pains(&s, Stage::Three).contains(&Pain::SeedsNotAdopted));
    }
}
