//! The console, end to end: the real binary, a script on standard input, the transcript on
//! standard output.

use std::io::Write;
use std::process::{Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_kakehashi");

/// Runs `kakehashi console` with `input` piped in; returns (status, stdout, stderr).
pub fn console(args: &[&str], input: &str, envs: &[(&str, &str)]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(BIN);
    cmd.arg("console").args(args).current_dir(dir.path()).env_remove("KAKEHASHI_DB").env_remove("KAKEHASHI_LANG");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A whole need, typed: the form (title kept, team, no description), then every step the
/// conversation asks (the numbers of a step field by field): the prototype of
/// conversation::PROTOTYPE.
pub const WHOLE_NEED: &str = "need Forecast weekly demand for store 12\n\nStore operations\n\n\
2\n1\n2\n5\n6,7\n1\n92\n96\n160\n800000000\n2\n3\n4\n2\n1\n1\n4\n1\n";

#[test]
fn a_whole_need_can_be_scripted_through_the_console() {
    let db = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", db.path().join("k.db").display());
    let (status, out, err) = console(&["--user", "aiko", "--db", &url], &format!("{WHOLE_NEED}show N-1\nquit\n"), &[]);
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("N-1 is saved: “Forecast weekly demand for store 12”"), "{out}");
    assert!(out.contains("step 4 · at most"), "{out}");
    assert!(out.contains("1) A problem hurts today"), "choices are numbered: {out}");
    assert!(out.contains("N-1 · Verdict: Worth an ML prototype"), "{out}");
    assert!(out.contains("Status: submitted"), "{out}");
    assert!(out.contains("Bye. Everything is saved."), "{out}");
    assert!(!out.contains('\x1b'), "no colour codes when the output is not a terminal");

    // the answers are in the file: a second session sees the same need
    let (_, again, _) = console(&["--user", "aiko", "--db", &url], "mine\n", &[]);
    assert!(again.contains("N-1 Forecast weekly demand for store 12 · submitted · Worth an ML prototype"), "{again}");
}

#[test]
fn back_later_and_resume_work_from_the_keyboard() {
    let input = "need Forecast demand\n\nStores\n\n2\n/back\n2\n/later\nresume N-1\n";
    let (status, out, err) = console(&["--user", "aiko"], input, &[]);
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("Current answer: A person decides with it"), "/back shows the answer given: {out}");
    assert!(out.contains("Saved. Continue any time with resume N-1."), "{out}");
    let resumed = out.rsplit("resume N-1\n").next().unwrap();
    assert!(resumed.contains("step 2 · at most") && resumed.contains("Why now?"), "{resumed}");
}

#[test]
fn a_wrong_choice_or_a_bad_number_asks_again() {
    let input = "need Forecast demand\n\nStores\n\n9\n2\n1\n2\n5\n6\n1\nabc\n96\n92\n\n";
    let (_, out, _) = console(&["--user", "aiko"], input, &[]);
    assert!(out.contains("“9” is not on the list."), "{out}");
    assert!(out.contains("“abc” is not a number"), "{out}");
    assert!(out.contains("⚠ Accuracy today:"), "the error names the field: {out}");
    assert!(out.contains("staff-hours"), "the flow goes on after good answers: {out}");
}

#[test]
fn the_console_speaks_japanese_and_reads_the_database_from_the_environment() {
    let db = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", db.path().join("ja.db").display());
    let (status, out, err) = console(&["--lang", "ja", "--user", "hana"], WHOLE_NEED, &[("KAKEHASHI_DB", &url)]);
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("答えが得られたら、誰が何を変えますか"), "{out}");
    assert!(out.contains("判定：MLプロトタイプを試す価値あり"), "{out}");
    assert!(db.path().join("ja.db").exists(), "KAKEHASHI_DB named the file");
}

#[test]
fn a_bad_database_url_is_refused_with_the_forms_that_work() {
    let (status, _, err) = console(&["--db", "mysql://x"], "", &[]);
    assert_eq!(status, 2);
    assert!(err.contains("use sqlite://PATH"), "{err}");
    let (status, _, err) = console(&[], "", &[("KAKEHASHI_LANG", "fr")]);
    assert_eq!(status, 2);
    assert!(err.contains("KAKEHASHI_LANG"), "{err}");
}

#[test]
fn an_empty_workspaces_digest_says_there_is_nothing_yet() {
    let (status, out, err) = console(&["--user", "aiko"], "digest\n", &[]);
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("Nothing in the AI team's hands yet"), "{out}");
    assert!(!out.contains("0% of the work"), "{out}");
}

#[test]
fn a_missing_note_is_refused_with_an_example_for_that_move() {
    let input = "seed Try a tiny model\n\n\n\nmove S-1 prototyping\nmove S-1 shelved\n";
    let (status, out, err) = console(&["--user", "aiko"], input, &[]);
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("e.g. move S-1 shelved Accuracy stayed below the manual check."), "{out}");
    assert!(!out.contains("redirected"), "no need's example for a seed: {out}");
}

#[test]
fn the_audit_trail_shows_changes_in_words_and_look_ups_only_when_asked() {
    let input = "admin roles add kenji ai_team\nadmin stats\nadmin roles list\nadmin audit\nadmin audit all\n";
    let (status, out, err) = console(&["--user", "aiko"], input, &[]);
    assert_eq!(status, 0, "{err}");
    let parts: Vec<&str> = out.split("Audit trail (newest first)").collect();
    assert_eq!(parts.len(), 3, "{out}");
    let (changes, all) = (parts[1], parts[2]);
    assert!(changes.contains("@aiko gave @kenji the AI team role"), "{changes}");
    assert!(!changes.contains("roles.add") && !changes.contains("statistics"), "{changes}");
    assert!(changes.contains("admin audit all shows the look-ups"), "{changes}");
    assert!(all.contains("looked at the statistics") && all.contains("listed the roles"), "{all}");
    assert!(all.contains("read the audit trail"), "{all}");
}
