use std::process::ExitCode;

use clap::Parser;
use kakehashi::cli::Cli;
use kakehashi::config::Config;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, kakehashi::cli::CliCommand::Serve { .. }) {
        // `kakehashi export | head` ends quietly, as command-line tools do; the server keeps
        // Rust's default (a closed pipe is an error to handle, not a reason to die)
        #[cfg(unix)]
        // SAFETY: this only sets the process's disposition of SIGPIPE; no handler is installed
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    let config = match Config::from_env(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kakehashi: the configuration has problems:\n{e}");
            return ExitCode::from(2);
        }
    };
    kakehashi::ops::telemetry::init(&config.log, kakehashi::cli::startup::default_log_filter(&cli.command));
    kakehashi::cli::startup::run(cli.command, config).await
}
