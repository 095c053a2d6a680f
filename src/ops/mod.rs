//! What operators read: the Prometheus metrics and the logs (telemetry).

pub mod metrics;
pub mod telemetry;
