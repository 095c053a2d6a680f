//! Workspace settings and people's roles, remembered in memory: every request reads both, and
//! they change rarely (an admin's command).
//!
//! A change made through this process drops what it changed once its transaction is committed.
//! A change made elsewhere:
//! - PostgreSQL (several replicas): the change's transaction sends `NOTIFY` on
//!   [`CHANNEL`] with the workspace id; every replica listens (see `postgres.rs`) and drops what
//!   it remembers of that workspace. While a replica's listening connection is down, it remembers
//!   nothing and reads the database, and when it listens again it starts empty: a notification
//!   missed meanwhile cannot leave it stale.
//! - SQLite is served by one `kakehashi serve`; another process that opens the same file (the
//!   console, say) can still change a workspace, so on SQLite an entry is trusted for
//!   [`SQLITE_TTL`] only.
//!
//! A read that started before a change must not store what it read after the change dropped the
//! entry: every drop bumps a generation, and a read stores its result only if the generation is
//! the one it started with.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::Workspace;
use crate::domain::Role;

/// The PostgreSQL channel replicas tell each other on that a workspace's settings or roles changed.
pub const CHANNEL: &str = "kakehashi_cache";
/// How long an entry is trusted on SQLite (another process may write the same file).
pub const SQLITE_TTL: Duration = Duration::from_secs(5);
/// Remembered people's roles at most; beyond that the memory starts over.
const ROLES_MAX: usize = 20_000;

pub struct Cache {
    /// How long an entry is trusted (None: until it is dropped).
    ttl: Option<Duration>,
    /// False while changes made elsewhere could go unnoticed (the listener is down).
    enabled: AtomicBool,
    generation: AtomicU64,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    workspaces: HashMap<String, (Workspace, Instant)>,
    /// workspace → user → roles.
    roles: HashMap<String, HashMap<String, (Vec<Role>, Instant)>>,
    /// How many people's roles `roles` holds.
    people: usize,
}

impl Cache {
    /// A cache whose entries live `ttl` (or until dropped), on from the start.
    pub fn new(ttl: Option<Duration>) -> Cache {
        Cache { ttl, enabled: AtomicBool::new(true), generation: AtomicU64::new(0), inner: Mutex::default() }
    }

    /// A cache that stays off until [`Cache::enable`] (the listener is up).
    pub fn disabled() -> Cache {
        let cache = Cache::new(None);
        cache.enabled.store(false, Ordering::SeqCst);
        cache
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn fresh(&self, at: Instant) -> bool {
        self.ttl.is_none_or(|ttl| at.elapsed() < ttl)
    }

    /// The generation to pass to the `put_*` of a read that starts now.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub fn workspace(&self, id: &str) -> Option<Workspace> {
        if !self.enabled.load(Ordering::SeqCst) {
            return None;
        }
        let inner = self.lock();
        inner.workspaces.get(id).filter(|(_, at)| self.fresh(*at)).map(|(w, _)| w.clone())
    }

    pub fn put_workspace(&self, generation: u64, workspace: &Workspace) {
        let mut inner = self.lock();
        // checked under the lock: a drop bumps the generation under it too
        if self.enabled.load(Ordering::SeqCst) && self.generation() == generation {
            inner.workspaces.insert(workspace.id.to_string(), (workspace.clone(), Instant::now()));
        }
    }

    pub fn roles(&self, workspace: &str, user: &str) -> Option<Vec<Role>> {
        if !self.enabled.load(Ordering::SeqCst) {
            return None;
        }
        let inner = self.lock();
        inner.roles.get(workspace)?.get(user).filter(|(_, at)| self.fresh(*at)).map(|(r, _)| r.clone())
    }

    pub fn put_roles(&self, generation: u64, workspace: &str, user: &str, roles: &[Role]) {
        let mut inner = self.lock();
        if self.enabled.load(Ordering::SeqCst) && self.generation() == generation {
            if inner.people >= ROLES_MAX {
                inner.roles.clear();
                inner.people = 0;
            }
            let entry = (roles.to_vec(), Instant::now());
            if inner.roles.entry(workspace.to_string()).or_default().insert(user.to_string(), entry).is_none() {
                inner.people += 1;
            }
        }
    }

    /// Forgets the workspace's settings and everyone's roles in it.
    pub fn drop_workspace(&self, workspace: &str) {
        let mut inner = self.lock();
        self.generation.fetch_add(1, Ordering::SeqCst);
        inner.workspaces.remove(workspace);
        if let Some(people) = inner.roles.remove(workspace) {
            inner.people -= people.len();
        }
    }

    /// Forgets everything; off until [`Cache::enable`].
    pub fn disable(&self) {
        let mut inner = self.lock();
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.enabled.store(false, Ordering::SeqCst);
        *inner = Inner::default();
    }

    /// Starts remembering again, empty.
    pub fn enable(&self) {
        let mut inner = self.lock();
        self.generation.fetch_add(1, Ordering::SeqCst);
        *inner = Inner::default();
        self.enabled.store(true, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Settings;

    fn workspace(id: &str) -> Workspace {
        Workspace { id: id.into(), name: "n".into(), settings: Settings::default(), created_at: chrono::Utc::now() }
    }

    #[test]
    fn an_entry_is_remembered_until_its_workspace_changes() {
        let cache = Cache::new(None);
        let g = cache.generation();
        cache.put_workspace(g, &workspace("w"));
        cache.put_roles(g, "w", "u", &[Role::Admin]);
        assert_eq!(cache.workspace("w").map(|w| w.id), Some("w".into()));
        assert_eq!(cache.roles("w", "u"), Some(vec![Role::Admin]));
        cache.drop_workspace("w");
        assert_eq!(cache.workspace("w"), None);
        assert_eq!(cache.roles("w", "u"), None);
    }

    #[test]
    fn a_read_that_started_before_a_change_is_not_stored() {
        let cache = Cache::new(None);
        let before = cache.generation();
        cache.drop_workspace("w");
        cache.put_workspace(before, &workspace("w"));
        cache.put_roles(before, "w", "u", &[]);
        assert_eq!(cache.workspace("w"), None);
        assert_eq!(cache.roles("w", "u"), None);
    }

    #[test]
    fn a_disabled_cache_remembers_nothing_and_starts_empty_when_enabled() {
        let cache = Cache::disabled();
        cache.put_workspace(cache.generation(), &workspace("w"));
        assert_eq!(cache.workspace("w"), None);
        cache.enable();
        cache.put_workspace(cache.generation(), &workspace("w"));
        assert!(cache.workspace("w").is_some());
        cache.disable();
        assert_eq!(cache.workspace("w"), None);
    }

    #[test]
    fn entries_expire_after_the_ttl() {
        let cache = Cache::new(Some(Duration::ZERO));
        cache.put_workspace(cache.generation(), &workspace("w"));
        assert_eq!(cache.workspace("w"), None);
    }
}
