//! What was already delivered: Events API retries (the same `event_id`), Socket Mode envelopes
//! sent again (the same `envelope_id`) and replayed HTTP requests (the same signature) are
//! acknowledged but not handled twice.
//!
//! Kept in memory: Slack retries within minutes, and the conversation layer is idempotent for
//! answers anyway, so what a restart forgets costs nothing. `now` is a parameter.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Slack's last Events API retry comes about five minutes after the first delivery; a replayed
/// signature is refused after five minutes anyway.
pub const KEEP: Duration = Duration::from_secs(60 * 60);
/// Bounds memory under a flood of distinct ids: the oldest are forgotten first.
pub const CAPACITY: usize = 100_000;

#[derive(Default)]
pub struct Seen {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    keys: HashSet<String>,
    order: VecDeque<(Instant, String)>,
}

impl Seen {
    /// True the first time `key` is offered (within [`KEEP`]); false for a repeat.
    pub fn first_time(&self, key: &str, now: Instant) -> bool {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        while let Some((at, _)) = inner.order.front() {
            if now.saturating_duration_since(*at) <= KEEP && inner.order.len() < CAPACITY {
                break;
            }
            if let Some((_, old)) = inner.order.pop_front() {
                inner.keys.remove(&old);
            }
        }
        if inner.keys.contains(key) {
            return false;
        }
        inner.keys.insert(key.to_string());
        inner.order.push_back((now, key.to_string()));
        true
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
        assert!(!seen.first_time("event:Ev1", t0 + Duration::from_secs(300)));
        assert!(seen.first_time("event:Ev2", t0 + Duration::from_secs(300)));
        assert!(
            seen.first_time("event:Ev1", t0 + KEEP + Duration::from_secs(1)),
            "forgotten after KEEP"
        );
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
