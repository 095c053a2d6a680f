//! The command line: its flags (here), and what each command runs — `startup` (serve, console,
//! export, backup…), `server` (the HTTP front and its background tasks), `assess`, `demo`.

pub mod assess;
pub mod demo;
pub mod server;
pub mod startup;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::domain::Lang;
pub use crate::export::{Format as ExportFormat, What as ExportWhat};

/// kakehashi — a chat-ops bridge between a company's AI team and everyone else.
#[derive(Parser, Debug)]
#[command(name = "kakehashi", version, about, long_about = None)]
pub struct Cli {
    /// Configuration file (default: ./kakehashi.toml if it exists; or set KAKEHASHI_CONFIG).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: CliCommand,
}

#[derive(Subcommand, Debug)]
pub enum CliCommand {
    /// Chat with the bot in this terminal: submit needs, answer the checklist, look things up.
    Console {
        /// Who you are in the conversation (default: your login name).
        #[arg(long, value_name = "NAME")]
        user: Option<String>,
        /// Your language (default: the workspace's).
        #[arg(long, value_name = "en|ja")]
        lang: Option<Lang>,
        /// Database URL: sqlite://PATH or postgres://USER@HOST/DB (default: KAKEHASHI_DB).
        #[arg(long, value_name = "URL")]
        db: Option<String>,
    },
    /// Give the verdict for an answers file (JSON, question id → answer); stores nothing.
    Assess {
        /// The answers file.
        #[arg(long, value_name = "FILE")]
        answers: PathBuf,
        #[arg(long, value_name = "en|ja")]
        lang: Option<Lang>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Play a quarter of a made-up company through the real engine and print what happened.
    Demo {
        /// Keep the demo's data here (default: a temporary SQLite file, removed afterwards).
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// Where the quarter's digest chart goes (default: the current directory).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[arg(long, value_name = "en|ja")]
        lang: Option<Lang>,
    },
    /// Run the bot for Slack and Discord: the HTTP server and the platform connections.
    Serve {
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// Listen here instead of server.bind (KAKEHASHI_BIND).
        #[arg(long, value_name = "ADDR")]
        bind: Option<std::net::SocketAddr>,
    },
    /// Write every item (with its answers) or every event of a workspace to standard output, as
    /// CSV or JSON, streaming.
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// Items (with answers) or events (the history and audit trail).
        #[arg(long, value_enum, default_value_t = ExportWhat::Items)]
        what: ExportWhat,
        /// Only what was created (items) or happened (events) on or after this day (YYYY-MM-DD, UTC).
        #[arg(long, value_name = "DATE")]
        since: Option<chrono::NaiveDate>,
        /// The workspace (`kakehashi check` lists them); needed when the database holds several.
        #[arg(long, value_name = "ID")]
        workspace: Option<String>,
        #[arg(long, value_name = "URL")]
        db: Option<String>,
    },
    /// Copy the SQLite database, consistent as of one moment, into a new file while the server
    /// runs (for PostgreSQL it says how to use pg_dump). README "Backup and restore".
    Backup {
        /// The new file to write (it must not exist).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
        #[arg(long, value_name = "URL")]
        db: Option<String>,
    },
    /// Print the link that adds the bot to a Discord server: scopes bot and
    /// applications.commands, and only the permissions the bot needs.
    DiscordInvite {
        /// The application id (default: discord.application_id, DISCORD_APPLICATION_ID).
        #[arg(long, value_name = "ID")]
        application_id: Option<u64>,
    },
    /// Build the weekly digest of a workspace now (or as of --at) and send it, or print it.
    Digest {
        /// The workspace, e.g. console:local, slack:T0123 or discord:8123… (`kakehashi check` lists them).
        #[arg(long, value_name = "ID")]
        workspace: String,
        /// The moment the digest describes: 2026-11-30, "2026-11-30 09:00" (in the workspace's
        /// time zone) or an RFC 3339 time (default: now).
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// Print it as Markdown (and write the chart) instead of sending it.
        #[arg(long)]
        dry_run: bool,
        /// Where the chart goes (default: the current directory).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[arg(long, value_name = "URL")]
        db: Option<String>,
    },
    /// Ask a running server whether it is alive (/livez) — or, with --ready, ready to serve
    /// (/readyz: the database and the platform connections) — and exit 0 when it is (for
    /// container health checks: the image has no curl).
    Healthcheck {
        /// Ask /readyz instead of /livez.
        #[arg(long)]
        ready: bool,
        /// The URL to ask (default: /livez or /readyz on server.bind, with 0.0.0.0 read as
        /// 127.0.0.1).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// Check the configuration and the prompts, and open the database; name every problem.
    Check {
        #[arg(long, value_name = "URL")]
        db: Option<String>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}
