//! The text command grammar, which every transport ends in: any text as a command line, and
//! any parameter values as a transport with typed options writes them into a line.
//!
//! What must hold: the parser never panics; a refusal says something, in English and in
//! Japanese, and rendered for Slack and for Discord it carries no live mention (`<!channel>`,
//! `<@U…>`, `@everyone`, `@here`); a line written by [`CommandSpec::line`] reads back as its
//! own command, never an unknown one and never with a word too many.
//!
//! The bytes are read twice: whole, as a typed line; and as a command of the registry (the
//! first character picks it) with its parameter values separated by NUL characters.

#![no_main]

mod common;

use std::collections::BTreeMap;

use kakehashi::chat::{COMMANDS, CommandSpec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    common::check_command_line(text);

    let mut chars = text.chars();
    let Some(pick) = chars.next() else {
        return;
    };
    let spec: &'static CommandSpec = &COMMANDS[pick as usize % COMMANDS.len()];
    let values: BTreeMap<String, String> = spec
        .params
        .iter()
        .zip(chars.as_str().split('\0'))
        .filter(|(_, v)| !v.is_empty())
        .map(|(p, v)| (p.name.to_string(), v.to_string()))
        .collect();
    let line = spec.line(&values);
    common::check_line(spec, &line);
    common::check_command_line(&line);
});
