//! Every command, declared once. A declaration gives the command's words, `admin` if only admins
//! may run it, its parameters as typed fields, and the handler that serves it. From this list
//! come the [`Command`] enum, the registry [`COMMANDS`] (which the parser, `help`, the
//! platforms' hints and Discord's slash commands read) and the dispatch to the handler.
//!
//! A field's name is the parameter's name; its type says what it takes (see `args.rs`): `String`
//! the rest of the line, `ItemRef` an item id, `UserId` a person, `NaiveDate` a date, a choice
//! enum one of its words. `Option<T>` may be left out; `= value` gives a default, which also
//! makes it optional. `[max N]` after the type bounds a text to N characters (what is stored of
//! it), `[range A, B]` a number; without one, the type's own bounds hold (an item id, a date).
//! Platforms with typed options (Discord) enforce the bounds as the person types. Parameters
//! come in the order declared (a `String` takes the rest of the line, so it comes last).
//!
//! To add a command:
//! 1. declare it below, e.g.
//!    `Snooze ["snooze"] { id: ItemRef, until: NaiveDate, note: String [max Note::MAX] } => items::snooze;`
//!    (`admin` after the words for an admin command, whose path starts with "admin");
//! 2. write its handler in `handlers/`: `pub async fn snooze(ctx: &Ctx<'_>, id: ItemRef, until:
//!    NaiveDate) -> Result<Vec<Outbound>, Error>` — the fields in order, typed;
//! 3. give it `help.<words joined by _>.usage`, `.summary` and `.details` in
//!    prompts/messages.toml, in English and Japanese (a test checks they exist).
//!
//! Nothing else: the parser, `help`, the hints and Discord's slash commands follow.

use chrono::NaiveDate;

use super::args::{Arg, AuditShow, ChannelId, ChannelPurpose, ListStatus, Setting, StagePin, Topic, Word};
use super::command::{Args, CommandSpec, Limit, MAX_EFFORT_DAYS, Param, ParseError};
use super::handlers::{admin, checklist, follow, help, intake, items, list, moves, register, reports, weekly};
use super::{Ctx, Outbound};
use crate::domain::register::Tier;
use crate::domain::text::{Note, TeamName, Title};
use crate::domain::{ItemKind, ItemRef, Role, Status, UserId};
use crate::error::Error;
use crate::export::{Format as ExportFormat, What as ExportWhat};

/// Builds a command from the values of its parameters.
pub(super) type Build = fn(&'static CommandSpec, &Args) -> Result<Command, ParseError>;

/// `true` if given a token, `false` if not.
macro_rules! present {
    () => {
        false
    };
    ($($t:tt)+) => {
        true
    };
}

/// The bounds a field declares, or else its type's.
macro_rules! limit {
    ($ty:ty) => {
        <$ty as Arg>::LIMIT
    };
    ($ty:ty, max $max:expr) => {
        Limit::Chars { min: 0, max: $max }
    };
    ($ty:ty, range $min:expr, $max:expr) => {
        Limit::Range { min: $min, max: $max }
    };
}

/// `Some(default)` if given one.
macro_rules! default {
    () => {
        None
    };
    ($e:expr) => {
        Some($e)
    };
}

macro_rules! commands {
    ($(
        $(#[$meta:meta])*
        $variant:ident [$($word:literal)+] $($admin:ident)? {
            $($field:ident : $ty:ty $([$($limit:tt)+])? $(= $default:expr)?),* $(,)?
        } => $handler:path;
    )*) => {
        /// A parsed command, with its parameters typed.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Command {
            $($(#[$meta])* $variant { $($field: $ty),* },)*
        }

        /// Every command, in the order `help` lists them.
        pub const COMMANDS: &[CommandSpec] = &[$(
            CommandSpec {
                path: &[$($word),+],
                params: &[$(Param {
                    name: stringify!($field),
                    kind: <$ty as Arg>::KIND,
                    required: <$ty as Arg>::REQUIRED && !present!($($default)?),
                    limit: limit!($ty $(, $($limit)+)?),
                }),*],
                admin: present!($($admin)?),
            },
        )*];

        /// How each command of [`COMMANDS`] is built, in the same order.
        pub(super) const BUILD: &[Build] = &[$(
            |_spec, _args| Ok(Command::$variant {
                $($field: <$ty as Arg>::take(_spec, stringify!($field), _args.get(stringify!($field)), default!($($default)?))?,)*
            }),
        )*];

        impl Command {
            /// Runs the command's handler (admin commands for admins only).
            pub(super) async fn run(self, ctx: &Ctx<'_>) -> Result<Vec<Outbound>, Error> {
                match self {
                    $(Command::$variant { $($field),* } => {
                        if present!($($admin)?) {
                            ctx.require(Role::Admin)?;
                        }
                        $handler(ctx, $($field),*).await
                    })*
                }
            }
        }
    };
}

commands! {
    /// Submit a need: a form, then the checklist.
    Need ["need"] { title: String [max Title::MAX] = String::new() } => intake::need;
    /// Record a seed (AI-team work nobody asked for).
    Seed ["seed"] { title: String [max Title::MAX] = String::new() } => intake::seed;
    /// The actor's needs and seeds.
    Mine ["mine"] {} => items::mine;
    Show ["show"] { id: ItemRef } => items::show;
    /// Continue a checklist where it stopped.
    Resume ["resume"] { id: ItemRef } => checklist::resume;
    /// The answers given, and a way to change one.
    Answers ["answers"] { id: ItemRef } => checklist::answers;
    /// The list of commands, or one explained.
    Help ["help"] { command: Option<Topic> } => help::help;
    /// Items that match, newest first.
    List ["list"] {
        kind: Option<ItemKind>,
        status: Option<ListStatus>,
        team: Option<Word> [max TeamName::MAX],
        owner: Option<UserId>,
        since: Option<NaiveDate>,
    } => list::list;
    /// Move an item along its lifecycle.
    Move ["move"] { id: ItemRef, status: Status, note: String [max Note::MAX] = String::new() } => moves::move_item;
    Assign ["assign"] { id: ItemRef, user: UserId } => moves::assign;
    /// Record the effort spent, in person-days.
    Effort ["effort"] { id: ItemRef, days: f64 [range 0.0, MAX_EFFORT_DAYS] } => moves::effort;
    /// A preview of the coming weekly digest.
    Digest ["digest"] {} => weekly::preview;
    /// The AI team's stage now, with its signals.
    Stage ["stage"] {} => weekly::stage;
    /// The AI register: what runs in service (SPEC §5).
    Register ["register"] { risk: Option<Tier>, owner: Option<UserId> } => register::list;
    /// Take an item out of service, with why.
    Retire ["retire"] { id: ItemRef, note: String [max Note::MAX] } => register::retire;
    /// Pause reminders for a while (`2w`), or `off` to end the pause.
    Snooze ["snooze"] { period: Word } => follow::snooze;
    AdminSettings ["admin" "settings"] admin {} => admin::settings;
    AdminSet ["admin" "set"] admin { setting: Setting, value: String [max 100] } => admin::set;
    /// Where triage cards or the digest go; without a channel, the one typed in.
    AdminChannel ["admin" "channel"] admin { which: ChannelPurpose, channel: Option<ChannelId> } => admin::channel;
    AdminRolesAdd ["admin" "roles" "add"] admin { user: UserId, role: Role } => admin::role_add;
    AdminRolesRemove ["admin" "roles" "remove"] admin { user: UserId, role: Role } => admin::role_remove;
    AdminRolesList ["admin" "roles" "list"] admin {} => admin::roles;
    AdminStats ["admin" "stats"] admin { since: Option<NaiveDate>, until: Option<NaiveDate> } => reports::stats;
    AdminExport ["admin" "export"] admin {
        what: ExportWhat = ExportWhat::Items,
        format: ExportFormat = ExportFormat::Csv,
        since: Option<NaiveDate>,
    } => reports::export;
    /// Pin the stage (1–3), or `auto` to follow the signals again.
    AdminStage ["admin" "stage"] admin { stage: StagePin } => admin::pin_stage;
    AdminAudit ["admin" "audit"] admin {
        show: AuditShow = AuditShow::Changes,
        actor: Option<UserId>,
        item: Option<ItemRef>,
        since: Option<NaiveDate>,
    } => reports::audit;
}
