//! kakehashi: a chat-ops bridge between a company's AI team and everyone else.
//!
//! Dependencies point inward: `transport` → `chat` → `domain`; `storage` → `domain`.
//! `startup` is the one module that knows them all.

pub mod assess;
pub mod chart;
pub mod chat;
pub mod cli;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod demo;
pub mod domain;
pub mod error;
pub mod export;
pub mod jobs;
pub mod metrics;
pub mod prompts;
pub mod server;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod transport;
pub mod views;
