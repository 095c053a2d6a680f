//! `kakehashi assess`: the verdict for an answers file, as JSON or text; bad files exit 2.

use std::process::Command;

use crate::console::BIN;

fn assess(json: &str, args: &[&str]) -> (i32, String, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("answers.json");
    std::fs::write(&file, json).unwrap();
    let out = Command::new(BIN)
        .arg("assess")
        .arg("--answers")
        .arg(&file)
        .args(args)
        .current_dir(dir.path())
        .env_remove("KAKEHASHI_DB")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        dir,
    )
}

pub const CUCUMBERS: &str = r#"{
  "goal": "Stop spending two afternoons a week grading cucumbers",
  "driver": "problem", "action": "automatic", "current": "people_digital",
  "alternatives": "tried_failed", "fit": ["volume", "unpleasant", "device"],
  "baseline": "measured", "baseline_accuracy": 95, "target_accuracy": 95,
  "error_cost": "low", "volume": 30000, "hours": 60, "value_base": 3000000, "uplift_pct": 10,
  "owner": "funded_owner", "rules": "many_brittle", "data_level": "lv0",
  "feedback": "immediate_recorded", "people_impact": ["none"], "maintenance": "requester_team"
}"#;

#[test]
fn the_json_verdict_has_outcome_flags_reasons_next_step_and_value() {
    let (status, out, err, dir) = assess(CUCUMBERS, &["--format", "json"]);
    assert_eq!(status, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["outcome"], "not_worth_it");
    let flags: Vec<&str> = v["flags"].as_array().unwrap().iter().map(|f| f["flag"].as_str().unwrap()).collect();
    assert_eq!(flags, ["ethics", "embedded"]);
    let reasons = v["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 5, "rules 1 to 5 were checked");
    assert_eq!(reasons[4]["rule"], "not_worth_it");
    assert!(reasons[4]["text"].as_str().unwrap().contains("10% of ¥3,000,000 is ¥300,000 a year."));
    assert!(v["next_step"].as_str().unwrap().contains("does not cover"));
    assert_eq!(v["value"]["yearly_value"], 1_740_000.0);
    assert_eq!(v["value"]["yearly_cost"], 12_000_000.0);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "nothing but the answers file: nothing was written");
}

#[test]
fn the_text_verdict_reads_like_the_chat_reply_in_either_language() {
    let (status, out, _, _) = assess(CUCUMBERS, &[]);
    assert_eq!(status, 0);
    assert!(out.starts_with("Verdict: Not worth building with ML"), "{out}");
    assert!(out.contains("Next step:"), "{out}");
    let (_, ja, _, _) = assess(CUCUMBERS, &["--lang", "ja"]);
    assert!(ja.contains("判定：MLで作るには見合わない"), "{ja}");
}

#[test]
fn settings_of_the_value_gate_come_from_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.json");
    std::fs::write(&file, CUCUMBERS).unwrap();
    let out = Command::new(BIN)
        .args(["assess", "--format", "json", "--answers"])
        .arg(&file)
        .env("KAKEHASHI_ML_YEARLY_COST", "1000000")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outcome"], "data_first", "¥1,740,000 now covers a ¥1,000,000 project; lv0 data is next");
}

#[test]
fn bad_answers_exit_2_naming_the_question() {
    let cases = [
        (r#"{"drivr": "problem"}"#, "unknown question 'drivr'"),
        (
            r#"{"driver": "bored"}"#,
            "driver: 'bored' is not an option; choose one of problem, opportunity, mandate, curious",
        ),
        (r#"{"fit": "volume", "driver": 3}"#, "driver: expected an option id"),
        (r#"{"fit": [1]}"#, "fit: expected an array of option ids"),
        (r#"{"fit": ["none", "volume"]}"#, "fit: 'none' cannot be combined"),
        (r#"{"baseline_accuracy": 120}"#, "baseline_accuracy: 120 is too large; at most 100"),
        (r#"{"hours": -1}"#, "hours: -1 is too small; at least 0"),
        (r#"{"hours": 1e300}"#, "hours: 1e+300 is too large; at most 1,000,000,000,000,000"),
        (r#"{"hours": "12"}"#, "hours: expected a number"),
        (r#"{"goal": 12}"#, "goal: expected a string"),
        (r#"["driver"]"#, "expected a JSON object"),
        (r#"{"driver": "problem""#, "not valid JSON"),
    ];
    for (json, expected) in cases {
        let (status, out, err, dir) = assess(json, &["--format", "json"]);
        assert_eq!(status, 2, "{json}: {err}");
        assert!(err.contains(expected), "{json}: {err}");
        assert!(out.is_empty(), "{json}: no verdict on stdout");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "nothing written");
    }
    let out = Command::new(BIN).args(["assess", "--answers", "/nonexistent/a.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read it"));
}

#[test]
fn an_answer_to_a_question_that_does_not_apply_is_ignored_with_a_note() {
    let (status, out, err, _) = assess(r#"{"baseline": "unknown", "baseline_accuracy": 90}"#, &["--format", "json"]);
    assert_eq!(status, 0, "{err}");
    assert!(err.contains("'baseline_accuracy' is ignored"), "{err}");
    assert!(out.contains("\"outcome\""));
}
