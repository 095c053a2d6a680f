//! The configuration reference: every key, its variable, default and meaning ([`KEYS`]). The
//! README's table lists the same (a test checks it).

/// One configuration key: where it is set, its default, what it means.
pub struct Key {
    pub key: &'static str,
    pub var: &'static str,
    pub default: &'static str,
    pub meaning: &'static str,
}

const fn key(key: &'static str, var: &'static str, default: &'static str, meaning: &'static str) -> Key {
    Key { key, var, default, meaning }
}

/// The configuration reference.
pub const KEYS: &[Key] = &[
    key(
        "database_url",
        "KAKEHASHI_DB",
        "sqlite://kakehashi.db",
        "where the data lives: sqlite://PATH or postgres://USER@HOST/DB",
    ),
    key(
        "prompts_dir",
        "KAKEHASHI_PROMPTS_DIR",
        "(none)",
        "a directory whose checklist.toml / messages.toml override built-in texts",
    ),
    key("defaults.lang", "KAKEHASHI_LANG", "en", "language of new workspaces: en or ja"),
    key("defaults.currency", "KAKEHASHI_CURRENCY", "JPY", "currency of new workspaces (ISO code)"),
    key("defaults.hourly_cost", "KAKEHASHI_HOURLY_COST", "4000", "cost of one staff-hour, for the value gate"),
    key(
        "defaults.automatable_share",
        "KAKEHASHI_AUTOMATABLE_SHARE",
        "0.5",
        "share of today's staff-hours a model could take over (0–1)",
    ),
    key(
        "defaults.ml_yearly_cost",
        "KAKEHASHI_ML_YEARLY_COST",
        "12000000",
        "yearly cost of an ML project: build, run, retrain",
    ),
    key(
        "defaults.timezone",
        "KAKEHASHI_TIMEZONE",
        "Asia/Tokyo",
        "IANA time zone of new workspaces' weekly schedule and digest dates",
    ),
    key(
        "defaults.digest_schedule",
        "KAKEHASHI_DIGEST_SCHEDULE",
        "0 9 * * Mon",
        "when new workspaces get the weekly digest: five-field cron (minute hour day month weekday)",
    ),
    key(
        "admins",
        "KAKEHASHI_ADMINS",
        "(none)",
        "platform user ids that are admins everywhere, comma-separated: slack:U0123, discord:8123…, console:NAME",
    ),
    key(
        "log.filter",
        "KAKEHASHI_LOG",
        "warn (console, demo, assess), info (serve, check)",
        "what to log, as a tracing filter such as info or kakehashi=debug",
    ),
    key("log.format", "KAKEHASHI_LOG_FORMAT", "text", "log line format: text or json"),
    key(
        "server.bind",
        "KAKEHASHI_BIND",
        "127.0.0.1:8080",
        "address `kakehashi serve` listens on for Slack and Discord requests",
    ),
    key(
        "server.header_timeout",
        "KAKEHASHI_HEADER_TIMEOUT",
        "10",
        "seconds a client has to send a request's headers; then the connection is closed",
    ),
    key(
        "server.body_timeout",
        "KAKEHASHI_BODY_TIMEOUT",
        "10",
        "seconds a client has to send a request's whole body; then it gets 408",
    ),
    key(
        "server.max_body",
        "KAKEHASHI_MAX_BODY",
        "262144",
        "largest request body in bytes; a larger one gets 413 (from its Content-Length, or as it streams)",
    ),
    key(
        "server.max_connections",
        "KAKEHASHI_MAX_CONNECTIONS",
        "512",
        "open connections at most; further ones wait to be accepted",
    ),
    key(
        "server.max_requests",
        "KAKEHASHI_MAX_REQUESTS",
        "128",
        "Slack and Discord requests served at once (body read included); further ones wait",
    ),
    key(
        "server.drain_timeout",
        "KAKEHASHI_DRAIN_TIMEOUT",
        "20",
        "seconds a SIGTERM waits for requests in flight and replies being sent before exiting",
    ),
    key(
        "slack.signing_secret",
        "SLACK_SIGNING_SECRET",
        "(none)",
        "the app's signing secret; several, comma-separated, while rotating",
    ),
    key("slack.bot_token", "SLACK_BOT_TOKEN", "(none)", "the bot token (xoxb-…)"),
    key(
        "slack.app_token",
        "SLACK_APP_TOKEN",
        "(none)",
        "an app-level token (xapp-…) with connections:write: enables Socket Mode",
    ),
    key("slack.api_url", "SLACK_API_URL", "https://slack.com/api", "the Slack Web API (changed only for tests)"),
    key("slack.command", "SLACK_COMMAND", "/ai", "the slash command the app declares"),
    key("discord.token", "DISCORD_TOKEN", "(none)", "the bot token"),
    key("discord.application_id", "DISCORD_APPLICATION_ID", "(none)", "the application id"),
    key(
        "discord.public_key",
        "DISCORD_PUBLIC_KEY",
        "(none)",
        "the application's public key (hex), for the interactions endpoint",
    ),
    key(
        "discord.guild_id",
        "DISCORD_GUILD_ID",
        "(none)",
        "register commands to this guild only (instant; for testing) instead of globally",
    ),
    key("discord.mode", "DISCORD_MODE", "gateway", "how interactions arrive: gateway or endpoint"),
    key("discord.api_url", "DISCORD_API_URL", "https://discord.com", "the Discord API (changed only for tests)"),
];

/// The variable that names the configuration file (default: ./kakehashi.toml if it exists).
pub const CONFIG_FILE_VAR: &str = "KAKEHASHI_CONFIG";
