//! The integration tests: one binary. Storage tests run on SQLite and PostgreSQL (set
//! KAKEHASHI_TEST_PG to a PostgreSQL admin URL; in CI it must be set).

mod assess;
mod backup;
mod console;
mod conversation;
mod crash;
mod demo;
mod discord;
mod discord_fake;
mod fake_slack;
mod faults;
mod flaky;
mod follow;
mod front;
mod group_commit;
mod helpers;
mod hostile;
mod jobs;
mod layout;
mod ops;
mod prompts;
mod replicas;
mod schema;
mod similar;
mod slack;
mod storage;
mod tracking;
