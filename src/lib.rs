//! kakehashi: a chat-ops bridge between a company's AI team and everyone else.
//!
//! Dependencies point inward: `transport` → `chat` → `domain`; `storage` → `domain`.
//! `startup` is the one module that knows them all.

pub mod chat;
pub mod clock;
pub mod domain;
pub mod error;
pub mod prompts;
pub mod storage;
