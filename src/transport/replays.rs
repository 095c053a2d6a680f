//! What was already delivered: Events API retries (the same `event_id`), Socket Mode envelopes
//! sent again (the same `envelope_id`), replayed HTTP requests (the same signature and
//! timestamp) and Discord interactions sent again or reaching two replicas over the gateway (the
//! same interaction id) are acknowledged but not handled twice — by any replica.
//!
//! [`Replays`] asks two places: this process's memory ([`Seen`], 64-bit keyed hashes, a few dozen
//! bytes per request), which answers a repeat this process saw without a database round trip;
//! then, for a key new to this process, the database ([`Store::claim_key`], one `INSERT … ON
//! CONFLICT DO NOTHING`), which every replica shares, so a retry that a load balancer sends to
//! another replica is found there. Keys are kept for [`KEEP`]: Slack retries within minutes and
//! both platforms' signatures are refused after five; the `forget_replay_keys` job deletes them
//! afterwards. `now` is a parameter.
//!
//! If the database does not answer, the request is let through (and logged): handling it needs
//! the database anyway, so it fails visibly rather than being dropped in silence.

use std::collections::hash_map::RandomState;
use std::collections::{HashSet, VecDeque};
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::storage::Store;

/// Slack's last Events API retry comes about five minutes after the first delivery, and a
/// signature older than five minutes is refused before it gets here.
pub const KEEP: Duration = Duration::from_secs(10 * 60);
/// Bounds memory under a flood of distinct ids: the oldest are forgotten first.
pub const CAPACITY: usize = 100_000;

#[derive(Default)]
pub struct Seen {
    inner: Mutex<Inner>,
    /// Keyed per process, so nobody can craft ids that collide.
    hasher: RandomState,
}

#[derive(Default)]
struct Inner {
    keys: HashSet<u64>,
    order: VecDeque<(Instant, u64)>,
}

impl Seen {
    /// True the first time `key` is offered (within [`KEEP`]); false for a repeat.
    pub fn first_time(&self, key: &str, now: Instant) -> bool {
        let hash = self.hasher.hash_one(key);
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        while let Some((at, _)) = inner.order.front() {
            if now.saturating_duration_since(*at) <= KEEP && inner.order.len() < CAPACITY {
                break;
            }
            if let Some((_, old)) = inner.order.pop_front() {
                inner.keys.remove(&old);
            }
        }
        if !inner.keys.insert(hash) {
            return false;
        }
        inner.order.push_back((now, hash));
        true
    }
}

/// The replay guard every transport shares: this process's memory, then the database.
pub struct Replays {
    seen: Seen,
    store: Arc<dyn Store>,
}

impl Replays {
    pub fn new(store: Arc<dyn Store>) -> Replays {
        Replays { seen: Seen::default(), store }
    }

    /// True the first time `key` is offered to any replica (within [`KEEP`]); false for a repeat.
    pub async fn first_time(&self, key: &str, now: chrono::DateTime<chrono::Utc>) -> bool {
        if !self.seen.first_time(key, Instant::now()) {
            return false;
        }
        let expires = now + chrono::Duration::from_std(KEEP).expect("KEEP fits");
        match self.store.claim_key(key, expires).await {
            Ok(first) => first,
            Err(e) => {
                tracing::warn!(error = %e, "the replay guard cannot reach the database; the request goes on");
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_new_once_then_a_repeat_until_it_is_forgotten() {
        let seen = Seen::default();
        let t0 = Instant::now();
        assert!(seen.first_time("event:Ev1", t0));
        assert!(!seen.first_time("event:Ev1", t0 + Duration::from_secs(360)));
        assert!(seen.first_time("event:Ev2", t0 + Duration::from_secs(360)));
        assert!(seen.first_time("event:Ev1", t0 + KEEP + Duration::from_secs(1)), "forgotten after KEEP");
    }

    #[test]
    fn memory_stays_bounded() {
        let seen = Seen::default();
        let t0 = Instant::now();
        for i in 0..CAPACITY + 10 {
            assert!(seen.first_time(&format!("k{i}"), t0));
        }
        let inner = seen.inner.lock().unwrap();
        assert!(inner.keys.len() <= CAPACITY);
        assert_eq!(inner.keys.len(), inner.order.len());
    }
}
