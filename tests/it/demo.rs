//! `kakehashi demo`: a quarter played through the real engine.

use std::process::Command;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use kakehashi::chat::Bot;
use kakehashi::clock::ManualClock;
use kakehashi::domain::{Lang, Outcome, Settings};
use kakehashi::prompts::Prompts;

use crate::console::BIN;
use crate::helpers::backends;

#[tokio::test]
async fn the_demo_plays_every_outcome_and_every_seed_state_on_both_backends() {
    let now = Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap();
    for db in backends().await {
        let clock = Arc::new(ManualClock::new(now));
        let bot = Bot::new(db.store.clone(), Arc::new(Prompts::embedded()), clock.clone(), Settings::default());
        let out = tempfile::tempdir().unwrap();
        let report = kakehashi::cli::demo::play(&bot, &clock, now, Lang::En, out.path()).await.unwrap();
        assert!(report.contains("2026-08-24 to 2026-11-22"), "the quarter ends the Sunday before now: {report}");
        assert!(report.contains("19 needs from 12 teams"), "{report}");
        assert!(
            report.contains("Finance asks “Automate checks of expense reports”; the bot shows a similar earlier need: N-3 Use AI on expense reports · declined · “No result to change yet"),
            "the near-duplicate: {report}"
        );
        assert!(report.contains("yuki withdraws it with one click"), "{report}");
        assert!(
            report.contains("The stage changed: 1 → 2."),
            "the quarter's last digest announces the new stage: {report}"
        );
        assert!(report.contains("The backlog grew in 3 of the last 4 weeks"), "{report}");
        let chart = out.path().join("kakehashi-digest-2026-11-23.png");
        assert!(std::fs::read(&chart).unwrap().starts_with(b"\x89PNG"), "the chart is written");
        for o in Outcome::ALL {
            let title = bot.prompts.checklist.text(&format!("outcomes.{}.title", o.as_str()), Lang::En).to_string();
            let line = report.lines().find(|l| l.trim_start().starts_with(&title)).unwrap_or_else(|| panic!("{title}"));
            assert!(!line.contains(" 0  "), "every outcome occurs: {line}");
        }
        for state in ["idea", "prototyping", "pitched", "in service", "shelved"] {
            assert!(report.lines().any(|l| l.trim_start().starts_with(state)), "{state}: {report}");
        }
        assert!(report.contains("92% to 96% halves the error"), "the demand forecast: {report}");
        assert!(report.contains("Not worth building with ML"), "the cucumbers: {report}");
        assert!(report.contains("a data collection platform and simple BI"), "the lv0 team: {report}");
        assert!(report.contains("the verdict goes from Clarify the need first to Worth an ML prototype"));
        // the follow-through (issue 12): a reminder, a realised-value answer, the register with a
        // high-risk entry, and a digest that names the week's delivered work
        assert!(report.contains("the bot reminds aiko to finish the checklist"), "{report}");
        assert!(report.contains("aiko answers the check-in: Thanks, recorded for N-1"), "{report}");
        assert!(report.contains("realised ¥9,000,000"), "{report}");
        assert!(report.contains("N-16 · Predict who is about to leave"), "{report}");
        assert!(report.contains("Risk: high, because: “Decide about people (hiring, credit, evaluation)”"), "{report}");
        assert!(report.contains("1 need delivered this week"), "{report}");
        assert!(report.contains("N-16 Predict who is about to leave — @taro"), "{report}");

        // it refuses to run twice into the same database
        let again = kakehashi::cli::demo::play(&bot, &clock, now, Lang::En, out.path()).await;
        assert!(matches!(again, Err(kakehashi::cli::demo::DemoError::NotEmpty)), "{}", db.name);
    }
}

#[test]
fn the_demo_command_runs_in_a_temporary_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN).arg("demo").current_dir(dir.path()).env_remove("KAKEHASHI_DB").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Needs by verdict"), "{text}");
    let left: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(left.len(), 1, "only the chart is left behind, in the current directory: {left:?}");
    assert!(left[0].starts_with("kakehashi-digest-") && left[0].ends_with(".png"));
}
