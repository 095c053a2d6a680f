//! The texts: complete in both languages, every key the code uses exists, overrides merge.

use kakehashi::domain::Lang;
use kakehashi::prompts::Prompts;

#[test]
fn every_message_key_the_code_uses_exists() {
    let prompts = Prompts::embedded();
    let keys: std::collections::BTreeSet<&str> = prompts.message_keys().collect();
    let mut missing = Vec::new();
    let mut checked = 0;
    for entry in walk(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))) {
        let source = std::fs::read_to_string(&entry).unwrap();
        let calls = [
            ".t(\"",
            ".tf(\"",
            ".refuse(\"",
            ".get(self.lang(), \"",
            ".fill(self.lang(), \"",
            ".get(lang, \"",
            ".fill(lang, \"",
            ".fill(lang_hint, \"",
        ];
        for call in calls {
            for (i, _) in source.match_indices(call) {
                let rest = &source[i + call.len()..];
                let key = &rest[..rest.find('"').unwrap()];
                if key.contains('{') {
                    continue; // formatted keys are checked by the tests that use them
                }
                checked += 1;
                if !keys.contains(key) {
                    missing.push(format!("{}: {key}", entry.display()));
                }
            }
        }
    }
    assert!(checked > 50, "the scan found the calls ({checked})");
    assert!(missing.is_empty(), "keys used but not in prompts/messages.toml:\n{}", missing.join("\n"));
    for name in kakehashi::chat::COMMANDS.iter().map(|c| c.key()) {
        for part in ["usage", "summary", "details"] {
            assert!(keys.contains(format!("help.{name}.{part}").as_str()), "help.{name}.{part}");
        }
    }
    for status in kakehashi::domain::Status::ALL {
        assert!(keys.contains(format!("status.{}", status.as_str()).as_str()));
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn an_override_directory_changes_one_text_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("messages.toml"),
        "[checklist]\nlater_button = { en = \"Pause\", ja = \"一時停止\" }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("checklist.toml"),
        "[[questions]]\nid = \"driver\"\ntext = { en = \"What makes this urgent?\", ja = \"なぜ急ぐのですか？\" }\n\
         options = [{ id = \"curious\", en = \"Just exploring\", ja = \"調べているだけ\" }]\n",
    )
    .unwrap();
    let p = Prompts::load(Some(dir.path())).unwrap();
    assert_eq!(p.get(Lang::En, "checklist.later_button"), "Pause");
    assert_eq!(p.get(Lang::En, "checklist.back"), "← Back");
    let driver = p.checklist.question("driver").unwrap();
    assert_eq!(driver.text.get(Lang::Ja), "なぜ急ぐのですか？");
    assert_eq!(driver.option_label("curious", Lang::En), Some("Just exploring"));
    assert_eq!(driver.option_label("problem", Lang::En), Some("A problem hurts today"));
}

#[test]
fn a_bad_override_is_refused_naming_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("messages.toml"), "[checklist]\nlatre = { en = \"x\", ja = \"x\" }\n").unwrap();
    let e = Prompts::load(Some(dir.path())).unwrap_err().to_string();
    assert!(e.contains("messages.toml") && e.contains("checklist.latre") && e.contains("typo"), "{e}");
    std::fs::write(dir.path().join("messages.toml"), "[checklist]\nback = { en = \"Back {x}\", ja = \"戻る\" }\n")
        .unwrap();
    let e = Prompts::load(Some(dir.path())).unwrap_err().to_string();
    assert!(e.contains("checklist.back") && e.contains("placeholders"), "{e}");
    std::fs::write(dir.path().join("messages.toml"), "").unwrap();
    std::fs::write(dir.path().join("checklist.toml"), "[[questions]]\nid = \"fit\"\nask_if = \"goal has x\"\n")
        .unwrap();
    let e = Prompts::load(Some(dir.path())).unwrap_err().to_string();
    assert!(e.contains("checklist.toml") && e.contains("fit"), "{e}");
}

#[test]
fn every_message_exists_in_both_languages() {
    let p = Prompts::embedded();
    for key in p.message_keys() {
        for lang in Lang::ALL {
            assert!(!p.get(lang, key).trim().is_empty(), "{key} in {lang}");
        }
    }
}

#[test]
fn every_marked_command_is_closed_and_reads_back_as_a_command() {
    let p = Prompts::embedded();
    for key in p.message_keys() {
        for lang in Lang::ALL {
            let text = p.marked(lang, key);
            assert_eq!(text.matches('`').count() % 2, 0, "{key} in {lang}: a command mark is not closed");
            for (i, command) in text.split('`').enumerate().filter(|(i, _)| i % 2 == 1) {
                let line = kakehashi::domain::text::fill(command, &[("item", "N-1".into()), ("user", "aiko".into())]);
                let line = line.replace("{status}", "declined").replace("{example}", "a note");
                let ok = kakehashi::chat::Command::parse(&line).is_ok()
                    || matches!(
                        kakehashi::chat::Command::parse(&line),
                        Err(kakehashi::chat::ParseError::Missing { .. })
                    )
                    || line.contains(['<', '|', '#']); // a usage: a placeholder, alternatives, a channel
                assert!(ok, "{key} in {lang}, mark {i}: `{line}` is not a command");
            }
        }
    }
}
