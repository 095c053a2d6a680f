use std::process::ExitCode;

use clap::Parser;
use kakehashi::cli::Cli;
use kakehashi::config::Config;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kakehashi: the configuration has problems:\n{e}");
            return ExitCode::from(2);
        }
    };
    kakehashi::telemetry::init(&config.log, kakehashi::startup::default_log_filter(&cli.command));
    kakehashi::startup::run(cli.command, config).await
}
