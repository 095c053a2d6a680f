//! When a workspace's weekly jobs run: a cron expression in the usual five fields (minute hour
//! day-of-month month day-of-week) and an IANA time zone. Default: `0 9 * * Mon`, Asia/Tokyo.
//!
//! Days of the week are stored as names: in five-field cron, 0 and 7 are Sunday and 1 is Monday,
//! while the `cron` crate counts 1 as Sunday; expressions are translated to names when parsed,
//! so `0 9 * * 1` means Monday and is stored as `0 9 * * Mon`.
//!
//! Fire times are computed on the local wall clock, then placed in the zone: a time that a
//! spring-forward gap skips fires at the first valid minute after it, and a time that a fall-back
//! hour repeats fires once, at its first occurrence. So a weekly digest never vanishes or doubles
//! around daylight saving.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

pub const DEFAULT_CRON: &str = "0 9 * * Mon";
pub const DEFAULT_TZ: &str = "Asia/Tokyo";

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

#[derive(Clone)]
pub struct Schedule {
    expr: String,
    cron: cron::Schedule,
    tz: Tz,
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Schedule({} {})", self.expr, self.tz)
    }
}

impl PartialEq for Schedule {
    fn eq(&self, other: &Self) -> bool {
        self.expr == other.expr && self.tz == other.tz
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("'{0}' needs five fields — minute hour day-of-month month day-of-week — such as 0 9 * * Mon")]
    Fields(String),
    #[error("'{expr}': {reason}")]
    Cron { expr: String, reason: String },
    #[error("'{0}' is not an IANA time zone such as Asia/Tokyo, Europe/Berlin or America/New_York")]
    Zone(String),
    #[error("'{0}' does not fire once a week; the digest is weekly, so pick one day and time, such as 0 9 * * Mon")]
    NotWeekly(String),
}

impl Schedule {
    pub fn default_weekly() -> Schedule {
        Schedule::parse(DEFAULT_CRON, DEFAULT_TZ).expect("the default schedule is valid")
    }

    /// Reads a five-field cron expression and a time zone name. The jobs are weekly (the stage's
    /// hysteresis counts weeks, the digest reports one), so the expression must fire once a week:
    /// one day of the week and one time.
    pub fn parse(expr: &str, zone: &str) -> Result<Schedule, ScheduleError> {
        let schedule = Schedule::any(expr, zone)?;
        let probe = Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).single().expect("a valid date");
        let fires = schedule.upcoming(probe, 6);
        // a week apart, give or take a daylight-saving hour
        let weekly = |gap: Duration| (gap - Duration::weeks(1)).num_minutes().abs() <= 60;
        if fires.len() < 6 || !fires.windows(2).all(|w| weekly(w[1] - w[0])) {
            return Err(ScheduleError::NotWeekly(expr.trim().into()));
        }
        Ok(schedule)
    }

    /// Any five-field expression that fires at all.
    fn any(expr: &str, zone: &str) -> Result<Schedule, ScheduleError> {
        let tz = Tz::from_str(zone.trim()).map_err(|_| ScheduleError::Zone(zone.trim().to_string()))?;
        let fields: Vec<&str> = expr.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(ScheduleError::Fields(expr.trim().to_string()));
        }
        let dow = days_of_week(fields[4]).map_err(|reason| ScheduleError::Cron { expr: expr.trim().into(), reason })?;
        let normal = format!("{} {} {} {} {}", fields[0], fields[1], fields[2], fields[3], dow);
        let six = format!("0 {normal}");
        let cron = cron::Schedule::from_str(&six)
            .map_err(|e| ScheduleError::Cron { expr: expr.trim().into(), reason: e.to_string() })?;
        let schedule = Schedule { expr: normal, cron, tz };
        let probe = Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).single().expect("a valid date");
        let firsts = schedule.upcoming(probe, 3);
        if firsts.len() < 2 {
            return Err(ScheduleError::Cron { expr: expr.trim().into(), reason: "it never fires".into() });
        }
        Ok(schedule)
    }

    /// The expression as stored: five fields, days of the week as names.
    pub fn expr(&self) -> &str {
        &self.expr
    }

    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// The first fire time strictly after `t`.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.fires_from(t - Duration::hours(3)).find(|f| *f > t)
    }

    /// The next `n` fire times after `t`.
    pub fn upcoming(&self, t: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        let mut out: Vec<DateTime<Utc>> = Vec::with_capacity(n);
        for f in self.fires_from(t - Duration::hours(3)) {
            if f > t && out.last().is_none_or(|l| f > *l) {
                out.push(f);
            }
            if out.len() == n {
                break;
            }
        }
        out
    }

    /// The latest fire time at or before `t`, looking back at most `within`.
    pub fn last_at_or_before(&self, t: DateTime<Utc>, within: Duration) -> Option<DateTime<Utc>> {
        let mut last = None;
        for f in self.fires_from(t - within) {
            if f > t {
                break;
            }
            if f >= t - within {
                last = Some(f);
            }
        }
        last
    }

    /// Fire times from about `t` on, in order, each placed in the zone.
    fn fires_from(&self, t: DateTime<Utc>) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        let local = t.with_timezone(&self.tz).naive_local();
        // the cron crate walks the wall clock as if it were UTC; each time is then placed in the zone
        self.cron.after_owned(Utc.from_utc_datetime(&local)).map(move |wall| self.place(wall.naive_utc()))
    }

    fn place(&self, wall: NaiveDateTime) -> DateTime<Utc> {
        let mut wall = wall;
        for _ in 0..12 {
            match self.tz.from_local_datetime(&wall) {
                LocalResult::Single(t) => return t.with_timezone(&Utc),
                LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
                // a gap: the first valid minute after it
                LocalResult::None => wall += Duration::minutes(15),
            }
        }
        Utc.from_utc_datetime(&wall)
    }

    /// A fire time as people read it: `Mon 2026-11-30 09:00 JST`.
    pub fn local(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz).format("%a %Y-%m-%d %H:%M %Z").to_string()
    }
}

/// Translates a day-of-week field to names, with five-field cron's numbering (0 or 7 = Sunday).
fn days_of_week(field: &str) -> Result<String, String> {
    if field == "*" || field == "?" {
        return Ok("*".into());
    }
    let mut days = [false; 7];
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<usize>().map_err(|_| format!("'{s}' is not a step"))?),
            None => (part, 1),
        };
        if step == 0 {
            return Err("a step of 0".into());
        }
        let (from, to) = match range {
            "*" => (0, 6),
            r => match r.split_once('-') {
                Some((a, b)) => (day(a)?, day(b)?),
                None => {
                    let d = day(r)?;
                    (d, d)
                }
            },
        };
        let mut d = from;
        let mut count = 0;
        loop {
            if count % step == 0 {
                days[d] = true;
            }
            if d == to {
                break;
            }
            d = (d + 1) % 7;
            count += 1;
        }
    }
    let names: Vec<&str> = (1..7).chain([0]).filter(|d| days[*d]).map(|d| DAYS[d]).collect();
    Ok(if names.len() == 7 { "*".into() } else { names.join(",") })
}

/// A day of the week: 0–7 (0 and 7 Sunday) or a name (`Mon`, `monday`).
fn day(s: &str) -> Result<usize, String> {
    if let Ok(n) = s.parse::<usize>() {
        return if n <= 7 { Ok(n % 7) } else { Err(format!("'{s}' is not a day of the week (0–7)")) };
    }
    let lower = s.to_ascii_lowercase();
    DAYS.iter()
        .position(|d| lower.len() >= 3 && d.to_ascii_lowercase().starts_with(&lower[..3]))
        .ok_or_else(|| format!("'{s}' is not a day of the week; use Mon, Tue, … or 0–7"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn numbers_for_days_mean_what_five_field_cron_means_and_are_stored_as_names() {
        assert_eq!(Schedule::parse("0 9 * * 1", "UTC").unwrap().expr(), "0 9 * * Mon");
        assert_eq!(Schedule::parse("0 9 * * 0", "UTC").unwrap().expr(), "0 9 * * Sun");
        assert_eq!(Schedule::parse("0 9 * * 7", "UTC").unwrap().expr(), "0 9 * * Sun");
        assert_eq!(Schedule::parse("0 9 * * monday", "UTC").unwrap().expr(), "0 9 * * Mon");
        assert_eq!(days_of_week("1-5").unwrap(), "Mon,Tue,Wed,Thu,Fri");
        assert_eq!(days_of_week("5-1").unwrap(), "Mon,Fri,Sat,Sun");
        assert_eq!(days_of_week("monday,Wed").unwrap(), "Mon,Wed");
        // Monday 2026-11-30: 0 9 * * 1 fires on Mondays
        let s = Schedule::parse("0 9 * * 1", "UTC").unwrap();
        assert_eq!(s.next_after(utc(2026, 11, 27, 0, 0)), Some(utc(2026, 11, 30, 9, 0)));
    }

    #[test]
    fn bad_schedules_are_refused_saying_why() {
        assert!(matches!(Schedule::parse("0 9 * *", "UTC"), Err(ScheduleError::Fields(_))));
        assert!(matches!(Schedule::parse("0 9 * * Mon", "Mars/Olympus"), Err(ScheduleError::Zone(_))));
        assert!(matches!(Schedule::parse("0 25 * * Mon", "UTC"), Err(ScheduleError::Cron { .. })));
        assert!(matches!(Schedule::parse("0 9 * * 8", "UTC"), Err(ScheduleError::Cron { .. })));
        for not_weekly in ["* * * * *", "30 8 * * *", "0 9 * * 1-5", "0 9 1 * *", "0 9 1-7 * Mon", "0 9,17 * * Mon"] {
            let e = Schedule::parse(not_weekly, "UTC").unwrap_err();
            assert!(matches!(e, ScheduleError::NotWeekly(_)), "{not_weekly}: {e}");
            assert!(e.to_string().contains("0 9 * * Mon"), "the message shows one that works");
        }
    }

    #[test]
    fn the_default_fires_on_monday_at_nine_in_tokyo() {
        let s = Schedule::default_weekly();
        let next = s.upcoming(utc(2026, 11, 27, 23, 0), 3);
        // 09:00 JST is 00:00 UTC
        assert_eq!(next, vec![utc(2026, 11, 30, 0, 0), utc(2026, 12, 7, 0, 0), utc(2026, 12, 14, 0, 0)]);
        assert_eq!(s.local(next[0]), "Mon 2026-11-30 09:00 JST");
    }

    #[test]
    fn a_time_skipped_by_spring_forward_fires_at_the_first_valid_minute_that_day() {
        // Europe/Berlin jumps from 02:00 to 03:00 on Sunday 2026-03-29
        let s = Schedule::parse("30 2 * * Sun", "Europe/Berlin").unwrap();
        let fires = s.upcoming(utc(2026, 3, 20, 0, 0), 3);
        assert_eq!(fires[0], utc(2026, 3, 22, 1, 30), "02:30 CET");
        assert_eq!(fires[1], utc(2026, 3, 29, 1, 0), "03:00 CEST, the first minute after the gap");
        assert_eq!(fires[2], utc(2026, 4, 5, 0, 30), "02:30 CEST");
        // the Monday 09:00 digest keeps its wall-clock time across the change
        let monday = Schedule::parse("0 9 * * Mon", "Europe/Berlin").unwrap();
        let m = monday.upcoming(utc(2026, 3, 22, 0, 0), 2);
        assert_eq!(m, vec![utc(2026, 3, 23, 8, 0), utc(2026, 3, 30, 7, 0)]);
    }

    #[test]
    fn a_time_repeated_by_fall_back_fires_once() {
        // America/New_York repeats 01:00–02:00 on Sunday 2026-11-01
        let s = Schedule::parse("30 1 * * Sun", "America/New_York").unwrap();
        let fires = s.upcoming(utc(2026, 10, 30, 0, 0), 3);
        assert_eq!(fires[0], utc(2026, 11, 1, 5, 30), "01:30 EDT, the first of the two");
        assert_eq!(fires[1], utc(2026, 11, 8, 6, 30), "the next week, 01:30 EST");
        assert_eq!(fires.len(), 3);
        // an hourly schedule through the repeated hour fires once per wall-clock hour
        let hourly = Schedule::any("0 * * * *", "America/New_York").unwrap();
        let around = hourly.upcoming(utc(2026, 11, 1, 3, 30), 4);
        assert_eq!(
            around,
            vec![utc(2026, 11, 1, 4, 0), utc(2026, 11, 1, 5, 0), utc(2026, 11, 1, 7, 0), utc(2026, 11, 1, 8, 0)]
        );
    }

    #[test]
    fn the_last_fire_before_a_moment_is_found_within_a_window() {
        let s = Schedule::default_weekly();
        let monday = utc(2026, 11, 30, 0, 0);
        assert_eq!(s.last_at_or_before(monday, Duration::days(8)), Some(monday));
        assert_eq!(s.last_at_or_before(monday + Duration::hours(5), Duration::days(8)), Some(monday));
        assert_eq!(
            s.last_at_or_before(monday - Duration::minutes(1), Duration::days(8)),
            Some(monday - Duration::weeks(1))
        );
        assert_eq!(s.last_at_or_before(monday - Duration::minutes(1), Duration::days(2)), None);
    }
}
