//! Contribution figures: what the AI team delivered, solved without ML, put in service, how fast
//! it first responded and how long needs took — in total, by requesting team and by month.
//!
//! An item counts in a period by the time its fact happened: a need is "in" when it was submitted,
//! "delivered" or "redirected" when it reached that status, a first response when the first triage
//! action happened. The backlog is counted now, whatever the period.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};

use super::item::{ItemKind, Status};
use super::verdict::Outcome;

/// What statistics need of one item.
#[derive(Debug, Clone, PartialEq)]
pub struct StatRow {
    pub kind: ItemKind,
    pub status: Status,
    pub team: String,
    pub team_key: String,
    pub outcome: Option<Outcome>,
    pub yearly_value: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// The need's data is at level lv1 or below (not recorded, lv0, lv1).
    pub low_data: bool,
}

/// `[since, until)`; no `since` means from the beginning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Period {
    pub since: Option<DateTime<Utc>>,
    pub until: DateTime<Utc>,
}

impl Period {
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.since.is_none_or(|s| t >= s) && t < self.until
    }
}

/// A set of durations, summarised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Durations {
    hours: Vec<f64>,
}

impl Durations {
    fn add(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) {
        self.hours.push((to - from).num_seconds().max(0) as f64 / 3600.0);
    }

    pub fn count(&self) -> usize {
        self.hours.len()
    }

    /// The median in hours (the mean of the middle two for an even count).
    pub fn median_hours(&self) -> Option<f64> {
        if self.hours.is_empty() {
            return None;
        }
        let mut h = self.hours.clone();
        h.sort_by(f64::total_cmp);
        let n = h.len();
        Some(if n % 2 == 1 { h[n / 2] } else { (h[n / 2 - 1] + h[n / 2]) / 2.0 })
    }

    pub fn mean_hours(&self) -> Option<f64> {
        (!self.hours.is_empty()).then(|| self.hours.iter().sum::<f64>() / self.hours.len() as f64)
    }
}

/// The figures for one group (everything, a team, a month).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Needs submitted (checklist finished).
    pub needs_in: usize,
    /// Needs delivered with ML.
    pub delivered: usize,
    /// Needs solved without ML: redirected with advice.
    pub redirected: usize,
    pub declined: usize,
    pub withdrawn: usize,
    /// Seeds that went into service.
    pub seeds_in_service: usize,
    pub seeds_shelved: usize,
    /// The estimated yearly value of the needs delivered.
    pub value_delivered: f64,
    /// Submission → first triage action.
    pub first_response: Durations,
    /// Submission → delivered or redirected.
    pub lead_time: Durations,
    /// Needs waiting for or in the AI team's hands now (submitted, accepted, in progress).
    pub backlog: usize,
}

impl Figures {
    /// Adds what `row` did at times for which `inside` holds; the backlog when `backlog` is set.
    fn add(&mut self, row: &StatRow, inside: &dyn Fn(DateTime<Utc>) -> bool, backlog: bool) {
        let inside = |t: Option<DateTime<Utc>>| t.is_some_and(inside);
        match row.kind {
            ItemKind::Need => {
                if inside(row.submitted_at) {
                    self.needs_in += 1;
                }
                if let (Some(s), Some(f)) = (row.submitted_at, row.first_response_at)
                    && inside(Some(f))
                {
                    self.first_response.add(s, f);
                }
                if backlog && matches!(row.status, Status::Submitted | Status::Accepted | Status::InProgress) {
                    self.backlog += 1;
                }
                if inside(row.resolved_at) {
                    match row.status {
                        Status::Delivered | Status::Closed => {
                            self.delivered += 1;
                            self.value_delivered += row.yearly_value.unwrap_or(0.0);
                        }
                        Status::Redirected => self.redirected += 1,
                        Status::Declined => self.declined += 1,
                        Status::Withdrawn => self.withdrawn += 1,
                        _ => {}
                    }
                    if let (Some(s), Some(r)) = (row.submitted_at, row.resolved_at)
                        && matches!(row.status, Status::Delivered | Status::Closed | Status::Redirected)
                    {
                        self.lead_time.add(s, r);
                    }
                }
            }
            ItemKind::Seed => {
                if inside(row.resolved_at) {
                    match row.status {
                        Status::InService => self.seeds_in_service += 1,
                        Status::Shelved => self.seeds_shelved += 1,
                        _ => {}
                    }
                }
            }
        }
    }

    /// Whether anything at all was counted.
    pub fn is_empty(&self) -> bool {
        *self == Figures::default()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub period: Period,
    pub total: Figures,
    /// By requesting team (display name of the grouping key), largest first.
    pub by_team: Vec<(String, Figures)>,
    /// By calendar month (`2026-11`) of the facts counted, oldest first.
    pub by_month: Vec<(String, Figures)>,
}

/// The figures of `rows` in `period`, in one pass over the rows.
pub fn compute(rows: &[StatRow], period: Period) -> Stats {
    let in_period = |t: DateTime<Utc>| period.contains(t);
    let mut total = Figures::default();
    let mut teams: BTreeMap<&str, (&str, Figures)> = BTreeMap::new();
    let mut months: BTreeMap<(i32, u32), Figures> = BTreeMap::new();
    for row in rows {
        total.add(row, &in_period, true);
        teams
            .entry(row.team_key.as_str())
            .or_insert((row.team.as_str(), Figures::default()))
            .1
            .add(row, &in_period, true);
        // each fact counts in the month it happened in
        let mut seen: [Option<(i32, u32)>; 3] = [None; 3];
        for (i, t) in [row.submitted_at, row.first_response_at, row.resolved_at].into_iter().enumerate() {
            let Some(t) = t.filter(|t| in_period(*t)) else { continue };
            let month = (t.year(), t.month());
            if seen.contains(&Some(month)) {
                continue;
            }
            seen[i] = Some(month);
            let within = |x: DateTime<Utc>| in_period(x) && (x.year(), x.month()) == month;
            months.entry(month).or_default().add(row, &within, false);
        }
    }
    let mut by_team: Vec<(String, Figures)> =
        teams.into_values().filter(|(_, f)| !f.is_empty()).map(|(name, f)| (name.to_string(), f)).collect();
    by_team.sort_by(|a, b| (b.1.needs_in + b.1.backlog).cmp(&(a.1.needs_in + a.1.backlog)).then(a.0.cmp(&b.0)));
    let by_month = months.into_iter().map(|((y, m), f)| (format!("{y:04}-{m:02}"), f)).collect();
    Stats { period, total, by_team, by_month }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
    }

    fn need(team: &str, status: Status, submitted: u32, first: Option<(u32, u32)>, resolved: Option<u32>) -> StatRow {
        StatRow {
            kind: ItemKind::Need,
            status,
            team: team.to_string(),
            team_key: team.to_lowercase(),
            outcome: None,
            yearly_value: Some(1_000_000.0),
            created_at: t(submitted, 9),
            submitted_at: Some(t(submitted, 10)),
            first_response_at: first.map(|(d, h)| t(d, h)),
            resolved_at: resolved.map(|d| t(d, 10)),
            low_data: false,
        }
    }

    /// A hand-computed history: five needs and two seeds from two teams in March 2026.
    fn history() -> Vec<StatRow> {
        let seed = |status, resolved: Option<u32>| StatRow {
            kind: ItemKind::Seed,
            status,
            team: String::new(),
            team_key: String::new(),
            outcome: None,
            yearly_value: None,
            created_at: t(1, 9),
            submitted_at: None,
            first_response_at: None,
            resolved_at: resolved.map(|d| t(d, 10)),
            low_data: false,
        };
        vec![
            // delivered: submitted day 2 10:00, answered 12:00 (2 h), delivered day 12 (10 days)
            need("Sales", Status::Delivered, 2, Some((2, 12)), Some(12)),
            // redirected: submitted day 3, answered day 4 10:00 (24 h), redirected then (1 day)
            need("Sales", Status::Redirected, 3, Some((4, 10)), Some(4)),
            // accepted, in the backlog: answered after 6 h
            need("Stores", Status::Accepted, 5, Some((5, 16)), None),
            // waiting for triage
            need("Stores", Status::Submitted, 20, None, None),
            // closed after delivery: lead time 4 days, first response 4 h
            need("stores", Status::Closed, 6, Some((6, 14)), Some(10)),
            seed(Status::InService, Some(15)),
            seed(Status::Shelved, Some(16)),
        ]
    }

    #[test]
    fn figures_match_the_hand_computed_history() {
        let s = compute(&history(), Period { since: None, until: t(31, 0) });
        let f = &s.total;
        assert_eq!((f.needs_in, f.delivered, f.redirected, f.backlog), (5, 2, 1, 2));
        assert_eq!((f.seeds_in_service, f.seeds_shelved), (1, 1));
        assert_eq!(f.value_delivered, 2_000_000.0);
        // first responses: 2, 24, 6, 4 hours → median (4 + 6) / 2 = 5, mean 9
        assert_eq!(f.first_response.count(), 4);
        assert_eq!(f.first_response.median_hours(), Some(5.0));
        assert_eq!(f.first_response.mean_hours(), Some(9.0));
        // lead times: 240 h, 24 h, 96 h → median 96
        assert_eq!(f.lead_time.median_hours(), Some(96.0));
    }

    #[test]
    fn teams_group_by_their_key_and_a_period_counts_only_what_happened_in_it() {
        let s = compute(&history(), Period { since: None, until: t(31, 0) });
        let stores = s.by_team.iter().find(|(n, _)| n == "Stores").expect("Stores and stores are one team");
        assert_eq!(stores.1.needs_in, 3);
        let second_week = Period { since: Some(t(8, 0)), until: t(15, 0) };
        let w = compute(&history(), second_week).total;
        assert_eq!((w.needs_in, w.delivered, w.redirected, w.seeds_in_service), (0, 2, 0, 0));
        assert_eq!(w.first_response.count(), 0);
        assert_eq!(w.backlog, 2, "the backlog is counted now, whatever the period");
    }

    #[test]
    fn months_split_the_facts_by_when_they_happened() {
        let mut rows = history();
        rows.push(StatRow {
            submitted_at: Some(Utc.with_ymd_and_hms(2026, 4, 2, 10, 0, 0).unwrap()),
            created_at: Utc.with_ymd_and_hms(2026, 4, 2, 9, 0, 0).unwrap(),
            ..need("Sales", Status::Submitted, 1, None, None)
        });
        let s = compute(&rows, Period { since: None, until: Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap() });
        let months: Vec<(&str, usize)> = s.by_month.iter().map(|(m, f)| (m.as_str(), f.needs_in)).collect();
        assert_eq!(months, [("2026-03", 5), ("2026-04", 1)]);
    }
}
