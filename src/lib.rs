//! kakehashi: a chat-ops bridge between a company's AI team and everyone else.
//!
//! Dependencies point inward: `transport` → `chat` → `domain`; `storage` → `domain`.
//! `startup` is the one module that knows them all.

pub mod chat;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod export;
pub mod jobs;
pub mod ops;
pub mod outbox;
pub mod prompts;
pub mod storage;
pub mod transport;
pub mod views;
