//! Logging: tracing to standard error, as text or JSON lines, filtered by `log.filter`.

use tracing_subscriber::EnvFilter;

use crate::config::LogConfig;

/// Installs the global subscriber. `default` applies when no filter is configured.
pub fn init(log: &LogConfig, default: &str) {
    let filter =
        log.filter.as_deref().and_then(|f| EnvFilter::try_new(f).ok()).unwrap_or_else(|| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if log.json { builder.json().try_init() } else { builder.try_init() };
}
