//! The domain: pure logic, no I/O. No async, no database, no platform types; the time is
//! always a parameter.

pub mod checklist;
pub mod conversation;
pub mod digest;
pub mod id;
pub mod item;
pub mod lang;
pub mod nudge;
pub mod register;
pub mod role;
pub mod schedule;
pub mod screening;
pub mod settings;
pub mod similar;
pub mod stage;
pub mod stats;
pub mod text;
pub mod verdict;

pub use checklist::{Answer, Answers, Checklist};
pub use id::{Platform, UserId, WorkspaceId};
pub use item::{Change, Event, ItemKind, ItemRef, Recipient, Status, TransitionError, WorkItem};
pub use lang::Lang;
pub use role::{Role, Roles};
pub use settings::{Currency, Settings, ValueSettings};
pub use verdict::{Flag, Outcome, Verdict};
