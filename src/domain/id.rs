//! Who and where: a person's platform user id and a workspace's id, each its own type so that one
//! is never passed for the other, and the platform read from a workspace id by [`WorkspaceId::platform`]
//! instead of by comparing string prefixes.
//!
//! Both are stored as the strings they wrap (the storage layer binds [`UserId::as_str`] and
//! [`WorkspaceId::as_str`]); both dereference to `str` so that reading them stays plain.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

/// A platform user id: Slack `U…`, a Discord snowflake, a console name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    pub fn new(id: impl Into<String>) -> UserId {
        UserId(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a workspace lives. The id of a workspace starts with its platform's name and a colon
/// (`slack:T0123`, `discord:81234…`, `discord:dm:81234…`, `console:local`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    Console,
    Slack,
    Discord,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::Console, Platform::Slack, Platform::Discord];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Console => "console",
            Platform::Slack => "slack",
            Platform::Discord => "discord",
        }
    }

    /// What every workspace id of this platform starts with: `slack:`.
    pub fn prefix(self) -> &'static str {
        match self {
            Platform::Console => "console:",
            Platform::Slack => "slack:",
            Platform::Discord => "discord:",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A workspace's id, unique across platforms: the platform, a colon, and the platform's own id
/// (`slack:T0123`; a Discord DM is `discord:dm:<user>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WorkspaceId(String);

impl WorkspaceId {
    /// The id of a workspace of `platform` whose own id there is `id`.
    pub fn new(platform: Platform, id: &str) -> WorkspaceId {
        WorkspaceId(format!("{}{id}", platform.prefix()))
    }

    /// An id as stored or configured. Ids whose platform is not one we know are kept as they
    /// are ([`WorkspaceId::platform`] is then `None`), so old rows still load.
    pub fn from_stored(id: impl Into<String>) -> WorkspaceId {
        WorkspaceId(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The platform named by the id's first word.
    pub fn platform(&self) -> Option<Platform> {
        platform_of(&self.0)
    }

    /// The platform's own id: `T0123` for `slack:T0123`, `dm:81234` for a Discord DM.
    pub fn local(&self) -> &str {
        self.0.split_once(':').map(|(_, rest)| rest).unwrap_or(&self.0)
    }

    /// Whether this workspace is on `platform`.
    pub fn is(&self, platform: Platform) -> bool {
        self.platform() == Some(platform)
    }
}

/// The platform of a workspace id held as a string (at the storage and delivery boundary).
pub fn platform_of(workspace: &str) -> Option<Platform> {
    let word = workspace.split(':').next()?;
    Platform::ALL.into_iter().find(|p| p.as_str() == word && workspace.len() > word.len())
}

macro_rules! string_id {
    ($name:ident) => {
        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
    };
}

string_id!(UserId);
string_id!(WorkspaceId);

/// An id as stored or configured (see [`WorkspaceId::from_stored`]).
impl From<&str> for WorkspaceId {
    fn from(id: &str) -> WorkspaceId {
        WorkspaceId(id.to_string())
    }
}

impl From<String> for WorkspaceId {
    fn from(id: String) -> WorkspaceId {
        WorkspaceId(id)
    }
}

impl From<&str> for UserId {
    fn from(id: &str) -> UserId {
        UserId(id.to_string())
    }
}

impl From<String> for UserId {
    fn from(id: String) -> UserId {
        UserId(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workspace_id_names_its_platform() {
        assert_eq!(WorkspaceId::from_stored("slack:T1").platform(), Some(Platform::Slack));
        assert_eq!(WorkspaceId::from_stored("discord:dm:81").platform(), Some(Platform::Discord));
        assert_eq!(WorkspaceId::from_stored("discord:dm:81").local(), "dm:81");
        assert_eq!(WorkspaceId::new(Platform::Console, "local").as_str(), "console:local");
        assert_eq!(WorkspaceId::from_stored("slackish:T1").platform(), None);
        assert_eq!(WorkspaceId::from_stored("slack").platform(), None, "a platform needs its colon");
        assert!(WorkspaceId::from_stored("discord:8").is(Platform::Discord));
    }

    #[test]
    fn ids_compare_with_the_strings_they_wrap() {
        let u = UserId::from("aiko");
        assert_eq!(u, "aiko");
        assert_eq!(u.to_string(), "aiko");
        assert_eq!(serde_json::to_string(&u).unwrap(), "\"aiko\"");
    }
}
