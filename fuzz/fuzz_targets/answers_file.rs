//! An answers file (`kakehashi assess FILE`): any bytes as its text, read against the built-in
//! checklist, then judged with the default value settings and written as JSON in both
//! languages.
//!
//! What must hold: nothing panics; a refusal says what is wrong; every note names an answer
//! that was given; the verdict is the same when judged twice (it depends on the answers only)
//! and its JSON is an object with an outcome.

#![no_main]

mod common;

use kakehashi::cli::assess;
use kakehashi::domain::{Lang, ValueSettings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let checklist = &common::prompts().checklist;
    let (answers, notes) = match assess::parse_answers(checklist, text) {
        Ok(parsed) => parsed,
        Err(e) => {
            assert!(!e.trim().is_empty(), "an empty refusal of {text:?}");
            return;
        }
    };
    let given: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).expect("a file that was read is a JSON object");
    for note in &notes {
        assert!(given.keys().any(|id| note.contains(&format!("'{id}'"))), "{note}");
    }
    let settings = ValueSettings::default();
    let verdict = assess::assess(checklist, &answers, &settings);
    // (compared as written: a value estimate may be NaN, which equals nothing)
    let again = assess::assess(checklist, &answers, &settings);
    assert_eq!(format!("{verdict:?}"), format!("{again:?}"), "the verdict depends on the answers only");
    for lang in Lang::ALL {
        let json: serde_json::Value =
            serde_json::from_str(&assess::to_json(checklist, &verdict, lang)).expect("the JSON output is JSON");
        assert!(json.get("outcome").is_some_and(|o| o.is_string()), "{json}");
    }
});
