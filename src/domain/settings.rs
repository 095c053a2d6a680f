//! Per-workspace settings that the domain needs: language, currency and the cost figures of the
//! value gate (SPEC §2, rule 5), and how money and percentages are written.

use serde::{Deserialize, Serialize};

use super::lang::Lang;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub lang: Lang,
    pub value: ValueSettings,
    /// Where triage cards go: the AI team's channel.
    pub triage_channel: Option<String>,
    /// Where the weekly digest goes: the managers' channel.
    pub digest_channel: Option<String>,
    /// Whether the company has an AI department (a signal of the stage model).
    pub ai_department: bool,
    /// When the weekly jobs run: five-field cron, day names (see [`super::schedule`]).
    pub digest_cron: String,
    /// The IANA time zone of the schedule and of dates in the digest.
    pub timezone: String,
    /// Also send the digest to each manager directly.
    pub digest_dms: bool,
    /// A stage an admin pinned; it wins over the signals.
    pub pinned_stage: Option<super::stage::Stage>,
    /// Nudges, check-ins and register reviews (SPEC §5).
    pub follow: super::nudge::FollowSettings,
}

impl Settings {
    /// The weekly schedule (the stored one is checked when set; a bad one falls back to the default).
    pub fn schedule(&self) -> super::schedule::Schedule {
        super::schedule::Schedule::parse(&self.digest_cron, &self.timezone)
            .unwrap_or_else(|_| super::schedule::Schedule::default_weekly())
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lang: Lang::En,
            value: ValueSettings::default(),
            triage_channel: None,
            digest_channel: None,
            ai_department: false,
            digest_cron: super::schedule::DEFAULT_CRON.to_string(),
            timezone: super::schedule::DEFAULT_TZ.to_string(),
            digest_dms: false,
            pinned_stage: None,
            follow: super::nudge::FollowSettings::default(),
        }
    }
}

/// The figures of the value gate. Defaults follow SPEC §2: a yen workspace, ¥4,000 an hour,
/// half of today's staff-hours automatable, ¥12,000,000 a year for an ML project (about one
/// engineer-year with its infrastructure).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueSettings {
    pub currency: Currency,
    pub hourly_cost: f64,
    pub automatable_share: f64,
    pub ml_yearly_cost: f64,
}

impl Default for ValueSettings {
    fn default() -> Self {
        ValueSettings {
            currency: Currency::parse("JPY").expect("JPY is a currency code"),
            hourly_cost: 4_000.0,
            automatable_share: 0.5,
            ml_yearly_cost: 12_000_000.0,
        }
    }
}

/// An ISO 4217 code such as JPY, USD or EUR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a currency code; use three letters such as JPY, USD or EUR")]
pub struct BadCurrency(pub String);

impl Currency {
    pub fn parse(s: &str) -> Result<Currency, BadCurrency> {
        let code = s.trim().to_ascii_uppercase();
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Currency(code))
        } else {
            Err(BadCurrency(s.to_string()))
        }
    }

    pub fn code(&self) -> &str {
        &self.0
    }

    fn symbol(&self) -> Option<&'static str> {
        Some(match self.0.as_str() {
            "JPY" => "¥",
            "USD" => "$",
            "EUR" => "€",
            "GBP" => "£",
            "INR" => "₹",
            "KRW" => "₩",
            _ => return None,
        })
    }

    /// Whole units with thousands separators: `¥12,000,000`, `$4,000`, `1,500 CHF`.
    pub fn format(&self, amount: f64) -> String {
        let n = group(amount.round());
        match self.symbol() {
            Some(sym) if n.starts_with('-') => format!("-{sym}{}", &n[1..]),
            Some(sym) => format!("{sym}{n}"),
            None => format!("{n} {}", self.0),
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = BadCurrency;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Currency::parse(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.0
    }
}

/// `1234567.0` → `1,234,567`; fractions are kept to two places and trailing zeros dropped.
pub fn group(x: f64) -> String {
    let negative = x < 0.0;
    let x = x.abs();
    let whole = x.trunc();
    let frac = ((x - whole) * 100.0).round() as u64;
    let (whole, frac) = if frac >= 100 { (whole + 1.0, 0) } else { (whole, frac) };
    let digits = format!("{whole:.0}");
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 4);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if frac > 0 {
        let f = format!("{frac:02}");
        out.push('.');
        out.push_str(f.trim_end_matches('0'));
    }
    if negative && out != "0" {
        out.insert(0, '-');
    }
    out
}

/// A percentage as people write it: `0.1%`, `50%`, `12.5%`.
pub fn percent(x: f64) -> String {
    format!("{}%", group(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_in_whole_units_with_separators() {
        let jpy = Currency::parse("jpy").unwrap();
        assert_eq!(jpy.format(100_000_000.0), "¥100,000,000");
        assert_eq!(jpy.format(99.6), "¥100");
        assert_eq!(Currency::parse("CHF").unwrap().format(1500.0), "1,500 CHF");
        assert_eq!(Currency::parse("USD").unwrap().format(-2500.0), "-$2,500");
        assert!(Currency::parse("yens").is_err());
        assert!(Currency::parse("J1Y").is_err());
    }

    #[test]
    fn numbers_and_percentages_drop_needless_zeros() {
        assert_eq!(group(0.0), "0");
        assert_eq!(group(999.0), "999");
        assert_eq!(group(1000.0), "1,000");
        assert_eq!(group(1234.5), "1,234.5");
        assert_eq!(group(0.999), "1");
        assert_eq!(percent(0.1), "0.1%");
        assert_eq!(percent(50.0), "50%");
    }
}
