//! Roles per workspace. Everyone is a member; the AI team triages and moves work; managers
//! receive and preview the digest; admins configure and query, and may do everything.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Member,
    AiTeam,
    Manager,
    Admin,
}

impl Role {
    /// The roles that can be granted (member is everyone's).
    pub const GRANTABLE: [Role; 3] = [Role::AiTeam, Role::Manager, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::AiTeam => "ai_team",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "member" => Some(Role::Member),
            "ai_team" | "ai" => Some(Role::AiTeam),
            "manager" => Some(Role::Manager),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The roles one person holds in one workspace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles(BTreeSet<Role>);

impl Roles {
    pub fn new(roles: impl IntoIterator<Item = Role>) -> Roles {
        Roles(roles.into_iter().collect())
    }

    /// Whether these roles allow what `needed` allows: member is everyone; admin allows all.
    pub fn allow(&self, needed: Role) -> bool {
        needed == Role::Member || self.0.contains(&needed) || self.0.contains(&Role::Admin)
    }

    pub fn insert(&mut self, role: Role) {
        self.0.insert(role);
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_may_do_everything_and_members_only_what_members_may() {
        let admin = Roles::new([Role::Admin]);
        let team = Roles::new([Role::AiTeam]);
        let nobody = Roles::default();
        for r in [Role::Member, Role::AiTeam, Role::Manager, Role::Admin] {
            assert!(admin.allow(r));
        }
        assert!(team.allow(Role::AiTeam) && team.allow(Role::Member));
        assert!(!team.allow(Role::Manager) && !team.allow(Role::Admin));
        assert!(nobody.allow(Role::Member) && !nobody.allow(Role::AiTeam));
        assert_eq!(Role::parse("AI-team"), Some(Role::AiTeam));
        assert_eq!(Role::parse("boss"), None);
    }
}
