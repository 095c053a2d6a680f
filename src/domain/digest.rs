//! The weekly digest as data (SPEC §3): the stage and any transition, contributions, what waits,
//! needs versus seeds, requesting teams, the pains seen, and twelve weeks for the chart. Built from
//! the items' history at a moment; rendering is elsewhere.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::item::{ItemKind, ItemRef, Status, UserId};
use super::nudge::ValueSummary;
use super::stage::Evaluation;
use super::stats::{self, Figures, Period, StatRow};

/// Needs listed under "oldest waiting".
pub const OLDEST_SHOWN: usize = 5;
/// Weeks in the chart.
pub const CHART_WEEKS: i64 = 12;

/// A need waiting for triage.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    pub reference: ItemRef,
    pub title: String,
    pub team: String,
    pub submitted_at: DateTime<Utc>,
}

/// One week of the chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartWeek {
    /// The start of the week.
    pub start: DateTime<Utc>,
    pub needs_in: usize,
    /// Delivered or redirected.
    pub needs_done: usize,
    /// Seeds in service at the end of the week.
    pub seeds_in_service: usize,
}

/// A piece of work credited by name: what it is and who did it.
#[derive(Debug, Clone, PartialEq)]
pub struct Credit {
    pub reference: ItemRef,
    pub title: String,
    /// Who did it (the owner, or whoever made the move); none when nobody is known.
    pub by: Option<UserId>,
}

/// A realised value confirmed this week.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirmed {
    pub reference: ItemRef,
    pub title: String,
    pub amount: f64,
}

/// A register review that is overdue.
#[derive(Debug, Clone, PartialEq)]
pub struct Overdue {
    pub reference: ItemRef,
    pub title: String,
    pub owner: UserId,
    pub due: DateTime<Utc>,
}

/// What the digest credits by name (SPEC §5): this week's delivered, redirected and in-service
/// work with who did it, the realised values confirmed, the value checked so far, the overdue
/// register reviews and the needs waiting for triage over the threshold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Credits {
    pub delivered: Vec<Credit>,
    pub redirected: Vec<Credit>,
    pub in_service: Vec<Credit>,
    pub confirmed: Vec<Confirmed>,
    /// Estimated against realised value of everything delivered so far.
    pub value: ValueSummary,
    pub overdue_reviews: Vec<Overdue>,
    pub waiting_over: Vec<Waiting>,
    pub waiting_days: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    /// The moment the digest describes (the end of its week).
    pub at: DateTime<Utc>,
    /// When it was due, if it is sent late.
    pub late_from: Option<DateTime<Utc>>,
    pub evaluation: Evaluation,
    /// The last 7 days.
    pub week: Figures,
    /// The last 4 weeks.
    pub four_weeks: Figures,
    pub oldest_waiting: Vec<Waiting>,
    /// Needs submitted in the last 4 weeks, by requesting team, most first.
    pub teams: Vec<(String, usize)>,
    pub chart: Vec<ChartWeek>,
    /// Filled by the caller from the items' histories ([`Credits`]).
    pub credits: Credits,
}

impl Digest {
    /// Nothing happened this week (the digest is still sent, and says so).
    pub fn is_quiet(&self) -> bool {
        let w = &self.week;
        w.needs_in == 0 && w.delivered == 0 && w.redirected == 0 && w.seeds_in_service == 0 && w.seeds_shelved == 0
    }
}

/// The digest at `at` from every item's history, the needs waiting for triage, and this week's
/// stage evaluation.
pub fn build(
    rows: &[StatRow],
    waiting: Vec<Waiting>,
    evaluation: Evaluation,
    at: DateTime<Utc>,
    late_from: Option<DateTime<Utc>>,
) -> Digest {
    let period = |weeks: i64| Period { since: Some(at - Duration::weeks(weeks)), until: at };
    let week = stats::compute(rows, period(1));
    let four = stats::compute(rows, period(4));
    let mut oldest = waiting;
    oldest.sort_by_key(|w| w.submitted_at);
    oldest.truncate(OLDEST_SHOWN);
    let teams = four
        .by_team
        .iter()
        .filter(|(_, f)| f.needs_in > 0)
        .map(|(name, f)| (name.clone(), f.needs_in))
        .collect::<Vec<_>>();
    Digest {
        at,
        late_from,
        evaluation,
        week: week.total,
        four_weeks: four.total,
        oldest_waiting: oldest,
        teams: sorted(teams),
        chart: chart(rows, at),
        credits: Credits::default(),
    }
}

fn sorted(mut teams: Vec<(String, usize)>) -> Vec<(String, usize)> {
    teams.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    teams
}

/// Twelve weeks ending at `at`, oldest first.
pub fn chart(rows: &[StatRow], at: DateTime<Utc>) -> Vec<ChartWeek> {
    (0..CHART_WEEKS)
        .rev()
        .map(|k| {
            let end = at - Duration::weeks(k);
            let start = end - Duration::weeks(1);
            let inside = |t: Option<DateTime<Utc>>| t.is_some_and(|t| t >= start && t < end);
            let needs = rows.iter().filter(|r| r.kind == ItemKind::Need);
            ChartWeek {
                start,
                needs_in: needs.clone().filter(|r| inside(r.submitted_at)).count(),
                needs_done: needs
                    .filter(|r| inside(r.resolved_at))
                    .filter(|r| matches!(r.status, Status::Delivered | Status::Closed | Status::Redirected))
                    .count(),
                seeds_in_service: rows
                    .iter()
                    .filter(|r| r.kind == ItemKind::Seed && r.status == Status::InService)
                    .filter(|r| r.resolved_at.is_some_and(|d| d < end))
                    .count(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::stage::{self, Stage};
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap()
    }

    fn row(kind: ItemKind, status: Status, submitted_days_ago: i64, resolved_days_ago: Option<i64>) -> StatRow {
        StatRow {
            kind,
            status,
            team: "Sales".into(),
            team_key: "sales".into(),
            outcome: None,
            yearly_value: Some(1_000_000.0),
            created_at: at() - Duration::days(submitted_days_ago),
            submitted_at: (kind == ItemKind::Need).then(|| at() - Duration::days(submitted_days_ago)),
            first_response_at: None,
            resolved_at: resolved_days_ago.map(|d| at() - Duration::days(d)),
            low_data: false,
        }
    }

    fn evaluation(rows: &[StatRow]) -> Evaluation {
        stage::evaluate(None, stage::signals(rows, at(), true, 3), None)
    }

    #[test]
    fn the_digest_counts_the_week_and_four_weeks_and_lists_the_oldest_waiting() {
        let rows = vec![
            row(ItemKind::Need, Status::Delivered, 20, Some(3)),
            row(ItemKind::Need, Status::Redirected, 10, Some(12)),
            row(ItemKind::Need, Status::Submitted, 2, None),
            row(ItemKind::Seed, Status::InService, 60, Some(5)),
        ];
        let waiting = (0..7)
            .map(|n| Waiting {
                reference: ItemRef { kind: ItemKind::Need, number: n + 1 },
                title: format!("need {n}"),
                team: "Sales".into(),
                submitted_at: at() - Duration::days(n),
            })
            .collect();
        let d = build(&rows, waiting, evaluation(&rows), at(), None);
        assert_eq!((d.week.delivered, d.week.redirected, d.week.seeds_in_service), (1, 0, 1));
        assert_eq!((d.four_weeks.delivered, d.four_weeks.redirected, d.four_weeks.needs_in), (1, 1, 3));
        assert_eq!(d.oldest_waiting.len(), OLDEST_SHOWN);
        assert_eq!(d.oldest_waiting[0].reference.number, 7, "oldest first");
        assert_eq!(d.teams, vec![("Sales".to_string(), 3)]);
        assert!(!d.is_quiet());
        assert_eq!(d.evaluation.stage, Stage::Two);
    }

    #[test]
    fn an_empty_week_still_makes_a_digest_that_says_so() {
        let d = build(&[], Vec::new(), evaluation(&[]), at(), None);
        assert!(d.is_quiet());
        assert_eq!(d.chart.len(), 12);
        assert!(d.chart.iter().all(|w| w.needs_in == 0));
    }

    #[test]
    fn the_chart_counts_each_week_and_seeds_in_service_cumulatively() {
        let rows = vec![
            row(ItemKind::Need, Status::Delivered, 8, Some(1)),
            row(ItemKind::Need, Status::Submitted, 1, None),
            row(ItemKind::Seed, Status::InService, 60, Some(30)),
            row(ItemKind::Seed, Status::InService, 60, Some(2)),
        ];
        let c = chart(&rows, at());
        let last = c.last().unwrap();
        assert_eq!((last.needs_in, last.needs_done, last.seeds_in_service), (1, 1, 2));
        assert_eq!(c[c.len() - 2].needs_in, 1, "submitted 8 days ago: the week before");
        assert_eq!(c[c.len() - 2].seeds_in_service, 1);
        assert_eq!(c[0].start, at() - Duration::weeks(12));
    }
}
