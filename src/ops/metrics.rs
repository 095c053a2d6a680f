//! What the operator sees at `GET /metrics`, in the Prometheus text format (version 0.0.4).
//!
//! One [`Metrics`] lives in the [`Bot`](crate::chat::Bot) and is shared by everything that
//! counts: the HTTP server (requests by route and outcome, and their latency), Socket Mode and
//! the gateway (the same, under their own route names, and whether they are connected), the
//! scheduler (job runs by outcome), the outbox (deliveries by outcome) and the Slack and Discord
//! API clients (calls by HTTP status). Label values come from small fixed sets (route templates,
//! not paths; status codes), so the number of series stays bounded whatever users send.
//!
//! The series live in the `metrics` crate's registry, written out by `metrics-exporter-prometheus`
//! (atomics per series, no lock on the hot path). The metrics a server has not used yet are still
//! listed (`# HELP`/`# TYPE`), so a dashboard can be built against a fresh process.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

/// Upper bounds (seconds) of the latency histogram's buckets; `+Inf` is implied.
pub const BUCKETS: [f64; 13] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

const REQUESTS: &str = "kakehashi_requests_total";
const LATENCY: &str = "kakehashi_request_duration_seconds";
const JOBS: &str = "kakehashi_job_runs_total";
const DELIVERIES: &str = "kakehashi_deliveries_total";
const OUTBOUND: &str = "kakehashi_outbound_calls_total";
const CONNECTED: &str = "kakehashi_transport_connected";

/// Every metric: name, type, help.
const DEFS: [(&str, &str, &str); 6] = [
    (REQUESTS, "counter", "Requests handled, by route and outcome (ok, unauthorized, rejected, error)."),
    (LATENCY, "histogram", "Time from a request's arrival to its answer, by route."),
    (JOBS, "counter", "Scheduled job runs finished, by job and outcome (done, failed, skipped)."),
    (DELIVERIES, "counter", "Outbox deliveries (notifications, digests), by outcome (sent, retry, given_up)."),
    (OUTBOUND, "counter", "Calls to the Slack and Discord APIs, by platform and HTTP status (or 'error')."),
    (CONNECTED, "gauge", "1 while a held connection (Slack Socket Mode, the Discord gateway) is up."),
];

/// Latency samples recorded between two drains of the histogram's sample buffer (a scrape
/// drains it too), so that memory stays bounded when nobody scrapes.
const UPKEEP_EVERY: u32 = 1024;

/// The registry: a Prometheus recorder of the `metrics` crate, kept to this instance (never
/// installed globally, so every [`Bot`](crate::chat::Bot) and test has its own). Cheap to share
/// in an `Arc`; every method takes `&self`.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    /// Held connections and whether each is up, for the health check.
    connections: Mutex<BTreeMap<String, bool>>,
    samples: AtomicU32,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(LATENCY.to_string()), &BUCKETS)
            .expect("the latency buckets are a valid, non-empty list")
            .build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            for (name, kind, help) in DEFS {
                match kind {
                    "counter" => metrics::describe_counter!(name, help),
                    "gauge" => metrics::describe_gauge!(name, help),
                    _ => metrics::describe_histogram!(name, help),
                }
            }
        });
        Metrics { recorder, handle, connections: Mutex::default(), samples: AtomicU32::new(0) }
    }
}

/// How a request ended, from its HTTP status.
pub fn outcome(status: u16) -> &'static str {
    match status {
        200..=399 => "ok",
        401 => "unauthorized",
        400..=499 => "rejected",
        _ => "error",
    }
}

impl Metrics {
    fn with<T>(&self, f: impl FnOnce() -> T) -> T {
        metrics::with_local_recorder(&self.recorder, f)
    }

    /// A request on `route` (a route template like `/slack/commands`, or `slack_socket_mode`)
    /// ended with `outcome` after `elapsed`.
    pub fn request(&self, route: &str, outcome: &str, elapsed: Duration) {
        self.with(|| {
            metrics::counter!(REQUESTS, "route" => route.to_string(), "outcome" => outcome.to_string()).increment(1);
            metrics::histogram!(LATENCY, "route" => route.to_string()).record(elapsed.as_secs_f64());
        });
        if self.samples.fetch_add(1, Ordering::Relaxed) % UPKEEP_EVERY == UPKEEP_EVERY - 1 {
            self.handle.run_upkeep();
        }
    }

    /// A run of `job` finished: `done`, `failed` (to be retried) or `skipped`.
    pub fn job(&self, job: &str, outcome: &str) {
        self.with(|| metrics::counter!(JOBS, "job" => job.to_string(), "outcome" => outcome.to_string()).increment(1));
    }

    /// `n` outbox deliveries ended with `outcome`: `sent`, `retry` or `given_up`.
    pub fn deliveries(&self, outcome: &str, n: usize) {
        if n > 0 {
            self.with(|| metrics::counter!(DELIVERIES, "outcome" => outcome.to_string()).increment(n as u64));
        }
    }

    /// A call to a platform's API got `status` (an HTTP status, or `None` when no answer came).
    pub fn outbound(&self, platform: &str, status: Option<u16>) {
        let status = status.map_or_else(|| "error".to_string(), |s| s.to_string());
        self.with(|| metrics::counter!(OUTBOUND, "platform" => platform.to_string(), "status" => status).increment(1));
    }

    /// A held connection went up or down. Registering it as down at start-up makes it count in
    /// [`Metrics::connections`] before it first connects.
    pub fn set_connected(&self, transport: &str, up: bool) {
        self.connections.lock().unwrap_or_else(|p| p.into_inner()).insert(transport.to_string(), up);
        self.with(|| metrics::gauge!(CONNECTED, "transport" => transport.to_string()).set(f64::from(u8::from(up))));
    }

    /// Every held connection and whether it is up, by name.
    pub fn connections(&self) -> Vec<(String, bool)> {
        let connections = self.connections.lock().unwrap_or_else(|p| p.into_inner());
        connections.iter().map(|(name, up)| (name.clone(), *up)).collect()
    }

    /// A counter's value, for tests and the health check; 0 for a series never touched.
    pub fn counter(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
        let series = if labels.is_empty() { format!("{name} ") } else { format!("{name}{{{}}} ", labels.join(",")) };
        let text = self.render();
        text.lines()
            .filter_map(|line| line.strip_prefix(series.as_str()))
            .filter_map(|value| value.trim().parse::<u64>().ok())
            .sum()
    }

    /// The whole registry in the Prometheus text exposition format. A metric that has no series
    /// yet is still listed (`# HELP`, `# TYPE`), so a dashboard can be built against a fresh
    /// process.
    pub fn render(&self) -> String {
        let mut out = self.handle.render();
        for (name, kind, help) in DEFS {
            if !out.contains(&format!("# TYPE {name} ")) {
                out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_registry_lists_every_metric() {
        let text = Metrics::default().render();
        for (name, kind, _) in DEFS {
            assert!(text.contains(&format!("# TYPE {name} {kind}")), "{text}");
        }
    }

    #[test]
    fn requests_count_by_route_and_outcome_and_fill_cumulative_buckets() {
        let m = Metrics::default();
        m.request("/slack/commands", "ok", Duration::from_micros(800));
        m.request("/slack/commands", "ok", Duration::from_millis(20));
        m.request("/slack/commands", "unauthorized", Duration::from_secs(30));
        let text = m.render();
        assert!(text.contains("kakehashi_requests_total{route=\"/slack/commands\",outcome=\"ok\"} 2"), "{text}");
        assert!(text.contains("kakehashi_requests_total{route=\"/slack/commands\",outcome=\"unauthorized\"} 1"));
        let bucket =
            |le: &str| format!("kakehashi_request_duration_seconds_bucket{{route=\"/slack/commands\",le=\"{le}\"}}");
        assert!(text.contains(&format!("{} 1\n", bucket("0.001"))), "{text}");
        assert!(text.contains(&format!("{} 1\n", bucket("0.01"))));
        assert!(text.contains(&format!("{} 2\n", bucket("0.025"))));
        assert!(text.contains(&format!("{} 2\n", bucket("10"))));
        assert!(text.contains(&format!("{} 3\n", bucket("+Inf"))));
        assert!(text.contains("kakehashi_request_duration_seconds_count{route=\"/slack/commands\"} 3"));
        assert_eq!(m.counter(REQUESTS, &[("route", "/slack/commands"), ("outcome", "ok")]), 2);
    }

    #[test]
    fn label_values_are_escaped() {
        let m = Metrics::default();
        m.job("we\"ird\\job\n", "done");
        assert!(m.render().contains(r#"kakehashi_job_runs_total{job="we\"ird\\job\n",outcome="done"} 1"#));
    }

    #[test]
    fn connections_are_gauges_and_listed_for_the_health_check() {
        let m = Metrics::default();
        m.set_connected("slack_socket_mode", false);
        assert_eq!(m.connections(), vec![("slack_socket_mode".to_string(), false)]);
        m.set_connected("slack_socket_mode", true);
        assert_eq!(m.connections(), vec![("slack_socket_mode".to_string(), true)]);
        assert!(m.render().contains("kakehashi_transport_connected{transport=\"slack_socket_mode\"} 1"));
    }

    #[test]
    fn outbound_calls_count_by_status_or_error() {
        let m = Metrics::default();
        m.outbound("slack", Some(429));
        m.outbound("slack", Some(429));
        m.outbound("discord", None);
        let text = m.render();
        assert!(text.contains("kakehashi_outbound_calls_total{platform=\"slack\",status=\"429\"} 2"), "{text}");
        assert!(text.contains("kakehashi_outbound_calls_total{platform=\"discord\",status=\"error\"} 1"));
    }

    #[test]
    fn statuses_map_to_outcomes() {
        assert_eq!(outcome(200), "ok");
        assert_eq!(outcome(401), "unauthorized");
        assert_eq!(outcome(400), "rejected");
        assert_eq!(outcome(503), "error");
    }
}
