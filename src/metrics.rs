//! What the operator sees at `GET /metrics`, in the Prometheus text format (version 0.0.4).
//!
//! One [`Metrics`] lives in the [`Bot`](crate::chat::Bot) and is shared by everything that
//! counts: the HTTP server (requests by route and outcome, and their latency), Socket Mode and
//! the gateway (the same, under their own route names, and whether they are connected), the
//! scheduler (job runs by outcome), the outbox (deliveries by outcome) and the Slack and Discord
//! API clients (calls by HTTP status). Label values come from small fixed sets (route templates,
//! not paths; status codes), so the number of series stays bounded whatever users send.
//!
//! Every series is a few integers behind one mutex: a request takes it twice, for well under a
//! microsecond. The metrics a server has not used yet are still listed (`# HELP`/`# TYPE`), so a
//! dashboard can be built against a fresh process.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds (seconds) of the latency histogram's buckets; `+Inf` is implied.
pub const BUCKETS: [f64; 13] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

const REQUESTS: &str = "kakehashi_requests_total";
const LATENCY: &str = "kakehashi_request_duration_seconds";
const JOBS: &str = "kakehashi_job_runs_total";
const DELIVERIES: &str = "kakehashi_deliveries_total";
const OUTBOUND: &str = "kakehashi_outbound_calls_total";
const CONNECTED: &str = "kakehashi_transport_connected";

/// Every metric: name, type, help. Rendering follows this order.
const DEFS: [(&str, &str, &str); 6] = [
    (REQUESTS, "counter", "Requests handled, by route and outcome (ok, unauthorized, rejected, error)."),
    (LATENCY, "histogram", "Time from a request's arrival to its answer, by route."),
    (JOBS, "counter", "Scheduled job runs finished, by job and outcome (done, failed, skipped)."),
    (DELIVERIES, "counter", "Outbox deliveries (notifications, digests), by outcome (sent, retry, given_up)."),
    (OUTBOUND, "counter", "Calls to the Slack and Discord APIs, by platform and HTTP status (or 'error')."),
    (CONNECTED, "gauge", "1 while a held connection (Slack Socket Mode, the Discord gateway) is up."),
];

type Labels = Vec<(&'static str, String)>;

#[derive(Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Series {
    counters: BTreeMap<(&'static str, Labels), u64>,
    histograms: BTreeMap<(&'static str, Labels), Histogram>,
    gauges: BTreeMap<(&'static str, Labels), i64>,
}

/// The registry. Cheap to share in an `Arc`; every method takes `&self`.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<Series>,
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
    fn with<T>(&self, f: impl FnOnce(&mut Series) -> T) -> T {
        f(&mut self.series.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn add(&self, name: &'static str, labels: Labels) {
        self.with(|s| *s.counters.entry((name, labels)).or_default() += 1);
    }

    /// A request on `route` (a route template like `/slack/commands`, or `slack_socket_mode`)
    /// ended with `outcome` after `elapsed`.
    pub fn request(&self, route: &str, outcome: &str, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        self.with(|s| {
            *s.counters.entry((REQUESTS, vec![("route", route.into()), ("outcome", outcome.into())])).or_default() += 1;
            let h = s.histograms.entry((LATENCY, vec![("route", route.into())])).or_default();
            h.count += 1;
            h.sum += secs;
            if let Some(i) = BUCKETS.iter().position(|&b| secs <= b) {
                h.buckets[i] += 1;
            }
        });
    }

    /// A run of `job` finished: `done`, `failed` (to be retried) or `skipped`.
    pub fn job(&self, job: &str, outcome: &str) {
        self.add(JOBS, vec![("job", job.into()), ("outcome", outcome.into())]);
    }

    /// `n` outbox deliveries ended with `outcome`: `sent`, `retry` or `given_up`.
    pub fn deliveries(&self, outcome: &str, n: usize) {
        if n > 0 {
            self.with(|s| *s.counters.entry((DELIVERIES, vec![("outcome", outcome.into())])).or_default() += n as u64);
        }
    }

    /// A call to a platform's API got `status` (an HTTP status, or `None` when no answer came).
    pub fn outbound(&self, platform: &str, status: Option<u16>) {
        let status = status.map_or_else(|| "error".to_string(), |s| s.to_string());
        self.add(OUTBOUND, vec![("platform", platform.into()), ("status", status)]);
    }

    /// A held connection went up or down. Registering it as down at start-up makes it count in
    /// [`Metrics::connections`] before it first connects.
    pub fn set_connected(&self, transport: &str, up: bool) {
        self.with(|s| s.gauges.insert((CONNECTED, vec![("transport", transport.into())]), i64::from(up)));
    }

    /// Every held connection and whether it is up, by name.
    pub fn connections(&self) -> Vec<(String, bool)> {
        self.with(|s| {
            s.gauges
                .iter()
                .filter(|((name, _), _)| *name == CONNECTED)
                .map(|((_, labels), v)| (labels[0].1.clone(), *v == 1))
                .collect()
        })
    }

    /// A counter's value, for tests and the health check; 0 for a series never touched.
    pub fn counter(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        self.with(|s| {
            s.counters
                .iter()
                .filter(|((n, l), _)| {
                    *n == name
                        && l.len() == labels.len()
                        && l.iter().zip(labels).all(|((k, v), (k2, v2))| k == k2 && v == v2)
                })
                .map(|(_, v)| *v)
                .sum()
        })
    }

    /// The whole registry in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.with(|s| {
            for (name, kind, help) in DEFS {
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
                for ((_, labels), v) in s.counters.iter().filter(|((n, _), _)| *n == name) {
                    let _ = writeln!(out, "{name}{} {v}", braces(labels, None));
                }
                for ((_, labels), v) in s.gauges.iter().filter(|((n, _), _)| *n == name) {
                    let _ = writeln!(out, "{name}{} {v}", braces(labels, None));
                }
                for ((_, labels), h) in s.histograms.iter().filter(|((n, _), _)| *n == name) {
                    let mut running = 0;
                    for (bound, n) in BUCKETS.iter().zip(h.buckets) {
                        running += n;
                        let _ = writeln!(out, "{name}_bucket{} {running}", braces(labels, Some(&bound.to_string())));
                    }
                    let _ = writeln!(out, "{name}_bucket{} {}", braces(labels, Some("+Inf")), h.count);
                    let _ = writeln!(out, "{name}_sum{} {}", braces(labels, None), h.sum);
                    let _ = writeln!(out, "{name}_count{} {}", braces(labels, None), h.count);
                }
            }
        });
        out
    }
}

/// `{a="x",b="y"}` with `le` last when given; nothing for no labels.
fn braces(labels: &Labels, le: Option<&str>) -> String {
    let mut parts: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{}\"", escape(v))).collect();
    if let Some(le) = le {
        parts.push(format!("le=\"{le}\""));
    }
    if parts.is_empty() { String::new() } else { format!("{{{}}}", parts.join(",")) }
}

/// Label values escape backslash, double quote and newline.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
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
