//! Follow-through (SPEC §5): when a reminder is due, when it may be sent, and what realised value
//! an item has. Pure: the time is always a parameter.
//!
//! - Working hours: a nudge is sent only outside the quiet hours (default 19:00–08:00) and not on
//!   Saturday or Sunday, in the workspace's time zone; one due then waits for the next working
//!   hour.
//! - Each nudge has a key (its kind and what it is about); it is recorded as an event with that
//!   key, which the database keeps unique, so it is sent once whatever restarts and replicas do.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::item::{Change, Event};

/// The actor of what the bot does by itself (reminders).
pub const BOT: &str = "kakehashi";

/// The follow-through settings of a workspace (`admin set`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FollowSettings {
    /// Nudges, check-ins and review reminders at all.
    pub nudges: bool,
    /// Days after which an unfinished checklist is reminded (at most two reminders).
    pub checklist_days: Vec<u32>,
    /// Needs waiting for triage longer than this are listed to the AI team.
    pub triage_days: u32,
    /// An item in progress or prototyping with no event for this long: its owner is asked.
    pub stale_days: u32,
    /// Weeks after delivery or going into service when the realised value is asked for.
    pub checkin_weeks: u32,
    /// How often the register is reviewed, in months, and for high-risk uses.
    pub review_months: u32,
    pub review_months_high: u32,
    /// Quiet hours, local: from this hour to `quiet_to` (default 19 to 8).
    pub quiet_from: u32,
    pub quiet_to: u32,
}

impl Default for FollowSettings {
    fn default() -> Self {
        FollowSettings {
            nudges: true,
            checklist_days: vec![2, 7],
            triage_days: 5,
            stale_days: 14,
            checkin_weeks: 8,
            review_months: 6,
            review_months_high: 3,
            quiet_from: 19,
            quiet_to: 8,
        }
    }
}

impl FollowSettings {
    /// Whether `now` is quiet (night or weekend) in `tz`.
    pub fn is_quiet(&self, now: DateTime<Utc>, tz: Tz) -> bool {
        let local = now.with_timezone(&tz);
        if matches!(local.weekday(), Weekday::Sat | Weekday::Sun) {
            return true;
        }
        let h = local.hour();
        if self.quiet_from == self.quiet_to {
            return false;
        }
        if self.quiet_from > self.quiet_to {
            h >= self.quiet_from || h < self.quiet_to
        } else {
            h >= self.quiet_from && h < self.quiet_to
        }
    }

    /// The first moment at or after `now` that is not quiet (on the hour).
    pub fn next_open(&self, now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
        if !self.is_quiet(now, tz) {
            return now;
        }
        let local = now.with_timezone(&tz);
        let mut hour = local.date_naive().and_time(NaiveTime::from_hms_opt(local.hour(), 0, 0).expect("an hour"));
        for _ in 0..24 * 8 {
            hour += Duration::hours(1);
            // an hour that daylight saving skips has no instant: try the next one
            if let Some(at) = tz.from_local_datetime(&hour).earliest() {
                let at = at.with_timezone(&Utc);
                if !self.is_quiet(at, tz) {
                    return at;
                }
            }
        }
        now
    }

    /// The reminder of an unfinished checklist due at `now` for a checklist started at `started`:
    /// its number (1 or 2) — the latest whose day has passed.
    pub fn checklist_due(&self, started: DateTime<Utc>, now: DateTime<Utc>) -> Option<usize> {
        self.checklist_days
            .iter()
            .enumerate()
            .take(2)
            .filter(|(_, d)| now - started >= Duration::days(i64::from(**d)))
            .map(|(i, _)| i + 1)
            .next_back()
    }

    /// Whether a need submitted at `submitted` has waited for triage over the threshold.
    pub fn waits_too_long(&self, submitted: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now - submitted > Duration::days(i64::from(self.triage_days))
    }

    /// Whether an item whose last event (other than reminders) was at `last` has been quiet long
    /// enough for its owner to be asked.
    pub fn stale(&self, last: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now - last >= Duration::days(i64::from(self.stale_days))
    }

    /// Whether the realised-value check-in of an item in service since `since` is due.
    pub fn checkin_due(&self, since: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now - since >= Duration::weeks(i64::from(self.checkin_weeks))
    }
}

/// A person's `snooze`: `2w`, `10d`, `1w`; at most 13 weeks.
pub fn parse_snooze(s: &str) -> Option<Duration> {
    let s = s.trim().to_ascii_lowercase();
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = n.parse().ok().filter(|n| *n > 0)?;
    let d = match unit.trim() {
        "d" | "day" | "days" | "日" => Duration::days(n),
        "w" | "week" | "weeks" | "週" | "週間" => Duration::weeks(n),
        _ => return None,
    };
    (d <= Duration::weeks(13)).then_some(d)
}

/// What the kinds of reminder are called in their keys and events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NudgeKind {
    /// An unfinished checklist, to its requester (key: 1 or 2).
    Checklist,
    /// An item in progress or prototyping gone quiet, to its owner (key: the last event's time).
    Stale,
    /// The realised-value check-in, to the requester or the seed's owner (key: 1).
    Checkin,
    /// The register review, to the owner (key: the review date).
    Review,
}

impl NudgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NudgeKind::Checklist => "checklist",
            NudgeKind::Stale => "stale",
            NudgeKind::Checkin => "checkin",
            NudgeKind::Review => "review",
        }
    }
}

/// The last event of an item that is not a reminder: when something last happened to it.
pub fn last_activity(events: &[Event]) -> Option<DateTime<Utc>> {
    events.iter().filter(|e| !matches!(e.change, Change::Nudged { .. })).map(|e| e.at).max()
}

/// The realised value of an item, as its requester or owner last said.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "answer", content = "amount")]
pub enum Realised {
    /// It delivered this much a year.
    Confirmed(f64),
    NoEffect,
    NoLongerUsed,
}

impl Realised {
    pub fn kind(self) -> &'static str {
        match self {
            Realised::Confirmed(_) => "value_confirmed",
            Realised::NoEffect => "no_effect",
            Realised::NoLongerUsed => "no_longer_used",
        }
    }

    /// The yearly value it stands for (none for "no longer used" and "no effect": zero).
    pub fn yearly(self) -> f64 {
        match self {
            Realised::Confirmed(v) => v,
            Realised::NoEffect | Realised::NoLongerUsed => 0.0,
        }
    }
}

/// The answers to the check-in that carry no amount (its buttons).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoValue {
    NoEffect,
    NoLongerUsed,
}

impl From<NoValue> for Realised {
    fn from(v: NoValue) -> Realised {
        match v {
            NoValue::NoEffect => Realised::NoEffect,
            NoValue::NoLongerUsed => Realised::NoLongerUsed,
        }
    }
}

/// The latest answer to the check-in, from an item's history.
pub fn realised(events: &[Event]) -> Option<(Realised, DateTime<Utc>)> {
    events
        .iter()
        .filter_map(|e| match e.change {
            Change::Value { realised } => Some((realised, e.at)),
            _ => None,
        })
        .next_back()
}

/// Estimated against realised value over a set of delivered items (SPEC §5).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ValueSummary {
    /// Items delivered or in service.
    pub delivered: usize,
    /// Of those, how many answered the check-in at all, and how many with an amount.
    pub answered: usize,
    pub confirmed: usize,
    /// The checklist's estimates of all of them.
    pub estimated: f64,
    /// The estimates of those answered, and what they realised (0 for no effect or no longer used).
    pub estimated_answered: f64,
    pub realised: f64,
}

impl ValueSummary {
    /// Adds one delivered item: its estimate and its latest check-in answer.
    pub fn add(&mut self, estimate: Option<f64>, answer: Option<Realised>) {
        self.delivered += 1;
        self.estimated += estimate.unwrap_or(0.0);
        if let Some(a) = answer {
            self.answered += 1;
            self.confirmed += usize::from(matches!(a, Realised::Confirmed(_)));
            self.estimated_answered += estimate.unwrap_or(0.0);
            self.realised += a.yearly();
        }
    }

    /// The share of delivered items whose value was checked (answered), 0–1.
    pub fn share_answered(&self) -> f64 {
        if self.delivered == 0 { 0.0 } else { self.answered as f64 / self.delivered as f64 }
    }
}

/// The start of `now`'s local day in `tz`, as an instant (the key of once-a-day work).
pub fn local_day_start(now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let day = now.with_timezone(&tz).date_naive();
    tz.from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"))
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokyo(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        chrono_tz::Asia::Tokyo.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn quiet_hours_are_nights_and_weekends_in_local_time() {
        let f = FollowSettings::default();
        let tz = chrono_tz::Asia::Tokyo;
        // 2026-12-01 is a Tuesday
        assert!(!f.is_quiet(tokyo(2026, 12, 1, 8, 0), tz));
        assert!(!f.is_quiet(tokyo(2026, 12, 1, 18, 59), tz));
        assert!(f.is_quiet(tokyo(2026, 12, 1, 19, 0), tz));
        assert!(f.is_quiet(tokyo(2026, 12, 1, 7, 59), tz));
        assert!(f.is_quiet(tokyo(2026, 12, 5, 12, 0), tz), "Saturday");
        assert!(f.is_quiet(tokyo(2026, 12, 6, 12, 0), tz), "Sunday");
        assert_eq!(f.next_open(tokyo(2026, 12, 1, 19, 30), tz), tokyo(2026, 12, 2, 8, 0));
        assert_eq!(
            f.next_open(tokyo(2026, 12, 4, 20, 0), tz),
            tokyo(2026, 12, 7, 8, 0),
            "Friday night waits for Monday"
        );
        assert_eq!(f.next_open(tokyo(2026, 12, 1, 10, 17), tz), tokyo(2026, 12, 1, 10, 17));
    }

    #[test]
    fn a_checklist_is_reminded_after_two_and_seven_days_then_never_again() {
        let f = FollowSettings::default();
        let t = tokyo(2026, 12, 1, 10, 0);
        assert_eq!(f.checklist_due(t, t + Duration::days(2) - Duration::seconds(1)), None);
        assert_eq!(f.checklist_due(t, t + Duration::days(2)), Some(1));
        assert_eq!(f.checklist_due(t, t + Duration::days(6)), Some(1));
        assert_eq!(f.checklist_due(t, t + Duration::days(7)), Some(2));
        assert_eq!(f.checklist_due(t, t + Duration::days(70)), Some(2), "the second is the last");
    }

    #[test]
    fn snoozes_read_as_people_type_them() {
        assert_eq!(parse_snooze("2w"), Some(Duration::weeks(2)));
        assert_eq!(parse_snooze(" 10d "), Some(Duration::days(10)));
        assert_eq!(parse_snooze("1 week"), Some(Duration::weeks(1)));
        for bad in ["", "w", "0w", "2", "2y", "14w", "-1d", "off"] {
            assert_eq!(parse_snooze(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_value_summary_sets_realised_against_estimated() {
        let mut v = ValueSummary::default();
        v.add(Some(1_000_000.0), Some(Realised::Confirmed(600_000.0)));
        v.add(Some(500_000.0), Some(Realised::NoEffect));
        v.add(Some(2_000_000.0), None);
        v.add(None, Some(Realised::NoLongerUsed));
        assert_eq!((v.delivered, v.answered, v.confirmed), (4, 3, 1));
        assert_eq!(v.estimated, 3_500_000.0);
        assert_eq!(v.estimated_answered, 1_500_000.0);
        assert_eq!(v.realised, 600_000.0);
        assert_eq!(v.share_answered(), 0.75);
        assert_eq!(ValueSummary::default().share_answered(), 0.0);
    }

    #[test]
    fn the_thresholds_are_inclusive_where_the_spec_says_after() {
        let f = FollowSettings::default();
        let t = tokyo(2026, 12, 1, 10, 0);
        assert!(!f.waits_too_long(t, t + Duration::days(5)));
        assert!(f.waits_too_long(t, t + Duration::days(5) + Duration::minutes(1)));
        assert!(!f.stale(t, t + Duration::days(13)));
        assert!(f.stale(t, t + Duration::days(14)));
        assert!(!f.checkin_due(t, t + Duration::weeks(8) - Duration::minutes(1)));
        assert!(f.checkin_due(t, t + Duration::weeks(8)));
    }
}
