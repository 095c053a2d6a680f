//! Workspace display names as the platforms give them — a Slack team's name (`team.info`), a
//! Discord server's (`GET /guilds/{id}`) — for the digest's headline. A name is asked for at most
//! once a day per workspace, within a short wait so a reply is never held up for it, and kept in
//! the store once known; a lookup that fails is tried again after five minutes, and meanwhile the
//! workspace keeps the name it has.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::storage::Store;
use crate::transport::text::Unit;

/// How long a looked-up name is trusted.
pub const NAME_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// How long a failed lookup is not tried again.
const NAME_RETRY: Duration = Duration::from_secs(5 * 60);
/// How long a lookup may take before the request goes on without it.
pub const NAME_WAIT: Duration = Duration::from_millis(700);
/// Remembered workspaces at most; beyond that the memory starts over.
const NAMES_MAX: usize = 10_000;

/// The names looked up so far, and until when each is trusted.
#[derive(Debug, Default)]
pub struct Names {
    known: Mutex<HashMap<String, (Option<String>, Instant)>>,
}

impl Names {
    /// The display name of `workspace`: remembered, or asked for with `lookup` (which gets
    /// [`NAME_WAIT`]) and then stored. None while it is not known.
    pub async fn get<F>(&self, store: &dyn Store, workspace: &str, lookup: F) -> Option<String>
    where
        F: Future<Output = Option<String>>,
    {
        let now = Instant::now();
        {
            let known = self.known.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((name, until)) = known.get(workspace)
                && *until > now
            {
                return name.clone();
            }
        }
        let name = tokio::time::timeout(NAME_WAIT, lookup)
            .await
            .ok()
            .flatten()
            .map(|n| Unit::Char.cut(n.trim(), 100).to_string())
            .filter(|n| !n.is_empty());
        if let Some(name) = &name
            && let Err(e) = store.set_workspace_name(workspace, name).await
        {
            tracing::warn!(error = %e, workspace, "the workspace's name could not be stored");
        }
        let keep = if name.is_some() { NAME_TTL } else { NAME_RETRY };
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        if known.len() >= NAMES_MAX {
            known.clear();
        }
        known.insert(workspace.to_string(), (name.clone(), now + keep));
        name
    }
}
