//! The types a command's parameters hold, and how each is read from the text of a command line.
//! A field's type in the registry (`registry.rs`) decides its parameter: what kind of value it
//! takes (Discord picks its option type from that), the choices it offers, the bounds every
//! value keeps ([`Value::LIMIT`]; a field may declare tighter ones), and whether it may be left
//! out (`Option<T>`, or a field with a default).
//!
//! To let a parameter hold a new type: implement [`Value`] for it — or, for a fixed list of
//! words, declare it with `choice!` below.

use chrono::NaiveDate;

use super::command::{CommandSpec, Limit, ParamKind, ParseError, parse_channel, parse_user};
use crate::domain::register::Tier;
use crate::domain::{ItemKind, ItemRef, Role, Status, UserId, stage::Stage};
use crate::export::{Format as ExportFormat, What as ExportWhat};

/// A value a parameter can hold.
pub trait Value: Sized {
    const KIND: ParamKind;
    /// The bounds every value of the type keeps (a field may declare its own in the registry).
    const LIMIT: Limit = Limit::None;
    /// The value as written in a command line (already unquoted), or None if it does not fit.
    fn read(given: &str) -> Option<Self>;
}

/// A field of a command: a [`Value`] that must be given (unless the registry gives it a
/// default), or an `Option` of one that may be left out.
pub trait Arg: Sized {
    const KIND: ParamKind;
    const REQUIRED: bool;
    const LIMIT: Limit;
    fn take(
        spec: &'static CommandSpec,
        name: &'static str,
        given: Option<&str>,
        default: Option<Self>,
    ) -> Result<Self, ParseError>;
}

fn read<T: Value>(spec: &'static CommandSpec, name: &'static str, given: &str) -> Result<T, ParseError> {
    let cut = super::command::cut(given);
    T::read(given).ok_or(match T::KIND {
        ParamKind::Item => ParseError::BadItem { command: spec, given: cut },
        _ => ParseError::BadValue { command: spec, param: name, given: cut },
    })
}

impl<T: Value> Arg for T {
    const KIND: ParamKind = T::KIND;
    const REQUIRED: bool = true;
    const LIMIT: Limit = T::LIMIT;
    fn take(
        spec: &'static CommandSpec,
        name: &'static str,
        given: Option<&str>,
        default: Option<T>,
    ) -> Result<T, ParseError> {
        match given {
            Some(v) => read(spec, name, v),
            None => default.ok_or(ParseError::Missing { command: spec, param: name }),
        }
    }
}

impl<T: Value> Arg for Option<T> {
    const KIND: ParamKind = T::KIND;
    const REQUIRED: bool = false;
    const LIMIT: Limit = T::LIMIT;
    fn take(
        spec: &'static CommandSpec,
        name: &'static str,
        given: Option<&str>,
        default: Option<Option<T>>,
    ) -> Result<Option<T>, ParseError> {
        match given {
            Some(v) => read(spec, name, v).map(Some),
            None => Ok(default.flatten()),
        }
    }
}

/// The rest of the line, as typed (a title, a note, a setting's value).
impl Value for String {
    const KIND: ParamKind = ParamKind::Text;
    fn read(given: &str) -> Option<String> {
        Some(given.to_string())
    }
}

/// One word (or a "quoted phrase") as typed, such as a team to filter by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word(pub String);

impl Value for Word {
    const KIND: ParamKind = ParamKind::Word;
    fn read(given: &str) -> Option<Word> {
        Some(Word(given.to_string()))
    }
}

/// What `help` is asked about: a command's words, lower-cased, single-spaced (`admin set`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic(pub String);

impl Value for Topic {
    const KIND: ParamKind = ParamKind::Text;
    /// Longer than any command's words (`admin roles remove`).
    const LIMIT: Limit = Limit::Chars { min: 0, max: 40 };
    fn read(given: &str) -> Option<Topic> {
        Some(Topic(given.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")))
    }
}

/// A channel's id, from a channel mention or a name (see [`parse_channel`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelId(pub String);

impl Value for ChannelId {
    const KIND: ParamKind = ParamKind::Channel;
    fn read(given: &str) -> Option<ChannelId> {
        parse_channel(given).map(ChannelId)
    }
}

impl Value for UserId {
    const KIND: ParamKind = ParamKind::User;
    fn read(given: &str) -> Option<UserId> {
        parse_user(given)
    }
}

impl Value for ItemRef {
    const KIND: ParamKind = ParamKind::Item;
    const LIMIT: Limit = Limit::Chars { min: 0, max: 20 };
    fn read(given: &str) -> Option<ItemRef> {
        ItemRef::parse(given).ok()
    }
}

/// A register risk tier, highest first.
impl Value for Tier {
    const KIND: ParamKind = ParamKind::Choice(&["high", "limited", "minimal"]);
    fn read(given: &str) -> Option<Tier> {
        Tier::parse(given)
    }
}

/// A number such as `2.5` or `1,200`.
impl Value for f64 {
    const KIND: ParamKind = ParamKind::Number;
    fn read(given: &str) -> Option<f64> {
        crate::domain::checklist::parse_number(given)
    }
}

/// A day, `YYYY-MM-DD`.
impl Value for NaiveDate {
    const KIND: ParamKind = ParamKind::Date;
    /// YYYY-MM-DD.
    const LIMIT: Limit = Limit::Chars { min: 10, max: 10 };
    fn read(given: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(given, "%Y-%m-%d").ok()
    }
}

/// The status names `move` takes.
pub const STATUSES: [&str; Status::ALL.len()] = {
    let mut names = [""; Status::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = Status::ALL[i].as_str();
        i += 1;
    }
    names
};

impl Value for Status {
    const KIND: ParamKind = ParamKind::Choice(&STATUSES);
    fn read(given: &str) -> Option<Status> {
        Status::parse(&given.to_ascii_lowercase())
    }
}

/// What `list` filters by: a status, or `open` (every status that is not final).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStatus {
    Open,
    Is(Status),
}

const LIST_STATUSES: [&str; STATUSES.len() + 1] = {
    let mut all = ["open"; STATUSES.len() + 1];
    let mut i = 0;
    while i < STATUSES.len() {
        all[i + 1] = STATUSES[i];
        i += 1;
    }
    all
};

impl Value for ListStatus {
    const KIND: ParamKind = ParamKind::Choice(&LIST_STATUSES);
    fn read(given: &str) -> Option<ListStatus> {
        match given.to_ascii_lowercase().as_str() {
            "open" => Some(ListStatus::Open),
            s => Status::parse(s).map(ListStatus::Is),
        }
    }
}

impl Value for ItemKind {
    const KIND: ParamKind = ParamKind::Choice(&["need", "seed"]);
    fn read(given: &str) -> Option<ItemKind> {
        ItemKind::parse(&given.to_ascii_lowercase())
    }
}

impl Value for Role {
    const KIND: ParamKind = ParamKind::Choice(&["ai_team", "manager", "admin"]);
    fn read(given: &str) -> Option<Role> {
        Role::parse(&given.to_ascii_lowercase())
    }
}

impl Value for ExportWhat {
    const KIND: ParamKind = ParamKind::Choice(&["items", "events"]);
    fn read(given: &str) -> Option<ExportWhat> {
        ExportWhat::parse(&given.to_ascii_lowercase())
    }
}

impl Value for ExportFormat {
    const KIND: ParamKind = ParamKind::Choice(&["csv", "json"]);
    fn read(given: &str) -> Option<ExportFormat> {
        ExportFormat::parse(&given.to_ascii_lowercase())
    }
}

/// A fixed list of words as an enum: each variant and the word that names it.
macro_rules! choice {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const NAMES: &'static [&'static str] = &[$($word),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl Value for $name {
            const KIND: ParamKind = ParamKind::Choice(Self::NAMES);
            fn read(given: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|c| c.as_str().eq_ignore_ascii_case(given))
            }
        }
    };
}

choice! {
    /// The settings `admin set` changes.
    Setting {
        Lang = "lang",
        Currency = "currency",
        HourlyCost = "hourly_cost",
        AutomatableShare = "automatable_share",
        MlYearlyCost = "ml_yearly_cost",
        AiDepartment = "ai_department",
        Timezone = "timezone",
        DigestSchedule = "digest_schedule",
        DigestDms = "digest_dms",
        Nudges = "nudges",
        NudgeChecklistDays = "nudge_checklist_days",
        NudgeTriageDays = "nudge_triage_days",
        NudgeStaleDays = "nudge_stale_days",
        CheckinWeeks = "checkin_weeks",
        ReviewMonths = "review_months",
        ReviewMonthsHigh = "review_months_high",
        QuietHours = "quiet_hours",
    }
}

/// The names of the settings `admin set` changes.
pub const SETTINGS: &[&str] = Setting::NAMES;

choice! {
    /// The channels `admin channel` sets.
    ChannelPurpose {
        /// Where triage cards go (the AI team's channel).
        Triage = "triage",
        /// Where the weekly digest goes (the managers').
        Digest = "digest",
    }
}

choice! {
    /// What `admin audit` shows.
    AuditShow {
        /// Changes only.
        Changes = "changes",
        /// The admin actions that only read, too.
        All = "all",
    }
}

choice! {
    /// `admin stage`: a stage to pin, or `auto` to follow the signals again.
    StagePin {
        One = "1",
        Two = "2",
        Three = "3",
        Auto = "auto",
    }
}

impl StagePin {
    /// The stage pinned, or None to follow the signals.
    pub fn stage(self) -> Option<Stage> {
        match self {
            StagePin::One => Stage::parse(1),
            StagePin::Two => Stage::parse(2),
            StagePin::Three => Stage::parse(3),
            StagePin::Auto => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_are_the_statuses_in_order() {
        assert_eq!(STATUSES.len(), Status::ALL.len());
        for (name, status) in STATUSES.iter().zip(Status::ALL) {
            assert_eq!(Status::parse(name), Some(status));
        }
        assert_eq!(LIST_STATUSES[0], "open");
        assert_eq!(ListStatus::read("OPEN"), Some(ListStatus::Open));
        assert_eq!(ListStatus::read("shelved"), Some(ListStatus::Is(Status::Shelved)));
    }

    #[test]
    fn choices_read_their_words_in_any_case_and_nothing_else() {
        assert_eq!(Setting::read("Hourly_Cost"), Some(Setting::HourlyCost));
        assert_eq!(Setting::read("colour"), None);
        assert_eq!(StagePin::read("2").and_then(StagePin::stage), Stage::parse(2));
        assert_eq!(StagePin::read("auto").map(StagePin::stage), Some(None));
        assert_eq!(Topic::read("  Admin   SET ").map(|t| t.0), Some("admin set".to_string()));
    }
}
