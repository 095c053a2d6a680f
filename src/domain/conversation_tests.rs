//! The conversation asks what decides, then stops; and it ends where `assess` of the full
//! answers ends.

use super::*;
use crate::domain::checklist::KindTag;
use crate::domain::checklist::{Answer, Answers, builtin};
use crate::domain::verdict::assess;
use proptest::prelude::*;

fn one(s: &str) -> Answer {
    Answer::One(s.into())
}

fn many(v: &[&str]) -> Answer {
    Answer::Many(v.iter().map(|s| s.to_string()).collect())
}

/// Plays the conversation, answering each step from `full`; returns the answers given and the
/// steps taken, checking on the way that the bound on what follows never lies.
fn converse(full: &Answers) -> (Answers, Vec<Vec<String>>) {
    let c = builtin();
    let settings = ValueSettings::default();
    let mut given = Answers::default();
    let mut steps: Vec<Vec<String>> = Vec::new();
    let mut bounds: Vec<usize> = Vec::new();
    loop {
        let view = c.view(&given);
        let plan = plan(&view, &settings);
        assert_eq!(plan.done, steps.len(), "steps counted as they are answered");
        if plan.is_complete() {
            break;
        }
        bounds.push(plan.at_most);
        let ids: Vec<String> = plan.step.iter().map(|q| q.id.clone()).collect();
        drop(view);
        for id in &ids {
            let a = full.get(id).unwrap_or_else(|| panic!("the full answers lack '{id}'")).clone();
            given.set(id, a);
        }
        steps.push(ids);
        assert!(steps.len() <= 23, "the conversation does not end: {steps:?}");
    }
    for (i, bound) in bounds.iter().enumerate() {
        let after = steps.len() - i - 1;
        assert!(after <= *bound, "step {} said at most {bound} more, then {after} came: {steps:?}", i + 1);
    }
    (given, steps)
}

fn answers(list: &[(&str, Answer)]) -> Answers {
    list.iter().map(|(q, a)| (q.to_string(), a.clone())).collect()
}

/// Every question answered: an ML prototype with good data and a real value.
fn prototype() -> Vec<(&'static str, Answer)> {
    vec![
        ("action", one("person_decides")),
        ("driver", one("problem")),
        ("goal", Answer::Text("Cut stockouts at store 12 by a fifth".into())),
        ("current", one("people_digital")),
        ("data_level", one("lv3")),
        ("fit", many(&["volume"])),
        ("alternatives", one("tried_failed")),
        ("baseline", one("measured")),
        ("baseline_accuracy", Answer::Number(92.0)),
        ("target_accuracy", Answer::Number(96.0)),
        ("volume", Answer::Number(20_000.0)),
        ("hours", Answer::Number(400.0)),
        ("value_base", Answer::Number(500_000_000.0)),
        ("uplift_pct", Answer::Number(2.0)),
        ("rules", one("impossible")),
        ("labels", one("1k_100k")),
        ("error_cost", one("high")),
        ("human_review", one("no")),
        ("owner", one("unfunded_owner")),
        ("scale", one("no")),
        ("feedback", one("not_recorded")),
        ("people_impact", many(&["personal_data"])),
        ("maintenance", one("ai_team")),
    ]
}

fn with(changes: &[(&'static str, Answer)]) -> Answers {
    let mut a = prototype();
    for (q, ans) in changes {
        a.retain(|(k, _)| k != q);
        a.push((q, ans.clone()));
    }
    answers(&a)
}

#[test]
fn a_report_is_settled_after_two_questions() {
    let (given, steps) = converse(&with(&[("action", one("report"))]));
    assert_eq!(steps, [vec!["action"], vec!["driver"]]);
    let v = assess(&builtin().view(&given), &ValueSettings::default());
    assert_eq!(v.outcome, Outcome::NotMlReport);
}

#[test]
fn a_paper_process_is_settled_without_a_flag_question() {
    let (_, steps) = converse(&with(&[("current", one("paper"))]));
    assert_eq!(steps, [vec!["action"], vec!["driver"], vec!["current"]]);
}

#[test]
fn the_goal_is_asked_only_when_the_need_was_pushed_from_outside() {
    let (_, steps) = converse(&with(&[("driver", one("mandate")), ("goal", Answer::Text("AI".into()))]));
    assert_eq!(steps, [vec!["action"], vec!["driver"], vec!["goal"]]);
}

#[test]
fn an_ml_prototype_asks_the_numbers_in_groups_and_then_the_flag_questions() {
    let full = with(&[("fit", many(&["training_cost"]))]);
    let (given, steps) = converse(&full);
    let flat: Vec<&str> = steps.iter().flatten().map(String::as_str).collect();
    let accuracy: Vec<String> = ["baseline", "baseline_accuracy", "target_accuracy"].map(String::from).to_vec();
    assert!(steps.contains(&accuracy), "{steps:?}");
    assert!(steps.contains(&vec!["hours".to_string(), "value_base".to_string(), "uplift_pct".to_string()]));
    assert!(!flat.contains(&"volume"), "no rule reads the volume");
    for q in ["error_cost", "human_review", "owner", "scale", "feedback", "people_impact", "maintenance"] {
        assert!(flat.contains(&q), "{q} raises a flag on the ML path: {flat:?}");
    }
    let settings = ValueSettings::default();
    let short = assess(&builtin().view(&given), &settings);
    let long = assess(&builtin().view(&full), &settings);
    assert_eq!(short.outcome, Outcome::MlPrototype);
    assert_eq!(short.flag_ids(), long.flag_ids());
    assert!(steps.len() <= 18, "{} steps: {steps:?}", steps.len());
}

#[test]
fn feedback_is_not_asked_once_upkeep_is_already_a_risk() {
    // drift in what fits raises the upkeep flag; how soon a result is known cannot add to it
    let full = with(&[("fit", many(&["volume", "drift"])), ("feedback", one("not_recorded"))]);
    let (given, steps) = converse(&full);
    let flat: Vec<&str> = steps.iter().flatten().map(String::as_str).collect();
    assert!(!flat.contains(&"feedback") && flat.contains(&"maintenance"), "{flat:?}");
    let settings = ValueSettings::default();
    let short = assess(&builtin().view(&given), &settings);
    assert_eq!(short.flag_ids(), assess(&builtin().view(&full), &settings).flag_ids());
    assert!(short.flag_ids().contains(&crate::domain::verdict::Flag::Maintenance));
    assert_eq!(crate::domain::verdict::raised_flags(&builtin().view(&given), &settings), short.flag_ids());
    // without drift it is asked
    let (_, steps) = converse(&with(&[("fit", many(&["volume"]))]));
    assert!(steps.iter().flatten().any(|q| q == "feedback"), "{steps:?}");
}

#[test]
fn a_prototype_is_asked_its_bar_in_the_accuracy_step_and_other_outcomes_are_not() {
    // fit says people cannot keep up, so "people already reach the quality" cannot hold and
    // neither can the workflow rule: alternatives are not asked. The accuracies decide nothing
    // either, but a prototype's verdict states the bar it must reach: they come with how the
    // accuracy today is known, in one step.
    let (given, steps) = converse(&answers(&prototype()));
    let flat: Vec<&str> = steps.iter().flatten().map(String::as_str).collect();
    assert!(!flat.contains(&"alternatives"), "{flat:?}");
    assert!(
        steps.iter().any(|s| s == &["baseline", "baseline_accuracy", "target_accuracy"]),
        "the choice and its form are one step: {steps:?}"
    );
    let verdict = assess(&builtin().view(&given), &ValueSettings::default());
    assert_eq!(verdict.outcome, Outcome::MlPrototype);
    assert_eq!(verdict.next.key, "outcomes.ml_prototype.next");
    // data first: no prototype can follow, so no bar is asked (how the accuracy today is known
    // still is, for the flag it raises)
    let (_, steps) = converse(&with(&[("data_level", one("lv1"))]));
    let flat: Vec<&str> = steps.iter().flatten().map(String::as_str).collect();
    assert!(flat.contains(&"baseline") && !flat.contains(&"target_accuracy"), "{flat:?}");
}

#[test]
fn progress_never_grows_and_reaches_nothing_when_the_outcome_ends_the_talk() {
    let c = builtin();
    let settings = ValueSettings::default();
    let empty = Answers::default();
    let start = plan(&c.view(&empty), &settings);
    assert_eq!((start.done, start.next().unwrap().id.as_str()), (0, "action"));
    // 22 questions may be asked (not the volume); two groups make them 18 steps, less this one
    assert_eq!(start.at_most, 17);
    let report = answers(&[("action", one("report")), ("driver", one("problem"))]);
    let p = plan(&c.view(&report), &settings);
    assert!(p.is_complete());
    assert_eq!(p.fixed, Some(Outcome::NotMlReport));
}

#[test]
fn the_choice_that_opens_the_accuracy_form_and_the_form_are_one_step() {
    let c = builtin();
    let settings = ValueSettings::default();
    let mut given = answers(&[
        ("action", one("person_decides")),
        ("driver", one("problem")),
        ("current", one("people_digital")),
        ("data_level", one("lv3")),
        ("fit", many(&["training_cost"])),
        ("alternatives", one("tried_failed")),
    ]);
    let before = plan(&c.view(&given), &settings);
    let ids: Vec<&str> = before.step.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, ["baseline", "baseline_accuracy", "target_accuracy"]);
    let before = (before.done, before.at_most);
    // the click on "measured": the same step, its form now due, the bound unchanged
    given.set("baseline", one("measured"));
    let view = c.view(&given);
    let after = plan(&view, &settings);
    let ids: Vec<&str> = after.step.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, ["baseline_accuracy", "target_accuracy"]);
    assert_eq!((after.done, after.at_most), before);
    drop(view);
    assert_eq!(previous(&c.view(&given), "baseline_accuracy").unwrap().id, "baseline", "Back from the form");
    // "unknown": nothing to compare, the step is over
    given.set("baseline", one("unknown"));
    let unknown = plan(&c.view(&given), &settings);
    assert!(unknown.step.iter().all(|q| !q.id.ends_with("accuracy")), "{:?}", unknown.step);
    assert_eq!(unknown.done, before.0 + 1);
}

#[test]
fn back_goes_to_the_last_answer_given_before_the_step() {
    let c = builtin();
    let given = answers(&[("action", one("automatic")), ("driver", one("problem")), ("current", one("rules"))]);
    let view = c.view(&given);
    assert_eq!(previous(&view, "data_level").unwrap().id, "current");
    assert_eq!(previous(&view, "target_accuracy").unwrap().id, "current");
    assert!(previous(&view, "action").is_none());
    let left: Vec<&str> = unanswered(&view).iter().map(|q| q.id.as_str()).collect();
    assert!(left.contains(&"goal") && !left.contains(&"driver"));
}

/// A full, valid answers file: every question answered as a person could.
fn full_answers() -> impl Strategy<Value = Answers> {
    let per_question: Vec<BoxedStrategy<(String, Answer)>> = crate::domain::verdict::SCHEMA
        .iter()
        .map(|(id, kind, options)| {
            let id = id.to_string();
            let options: Vec<String> = options.iter().map(|s| s.to_string()).collect();
            let strategy: BoxedStrategy<Answer> = match kind {
                KindTag::Text => prop_oneof![
                    "[a-z ]{0,14}".prop_map(Answer::Text),
                    "[a-zA-Z ]{15,60}".prop_map(Answer::Text),
                    "[ぁ-ん]{1,30}".prop_map(Answer::Text),
                ]
                .boxed(),
                KindTag::Number => prop_oneof![
                    (0.0f64..=100.0).prop_map(|x| Answer::Number(x.round())),
                    Just(Answer::Number(0.0)),
                    prop::sample::select(vec![1e5, 1e6, 5e7, 1e8, 1e9, 1e10]).prop_map(Answer::Number),
                    (0.0f64..5000.0).prop_map(Answer::Number),
                ]
                .boxed(),
                KindTag::One => prop::sample::select(options).prop_map(Answer::One).boxed(),
                KindTag::Many => {
                    let rest: Vec<String> = options.iter().filter(|o| *o != "none").cloned().collect();
                    prop_oneof![
                        Just(Answer::Many(vec!["none".to_string()])),
                        prop::sample::subsequence(rest.clone(), 1..=rest.len()).prop_map(Answer::Many),
                    ]
                    .boxed()
                }
            };
            strategy.prop_map(move |a| (id.clone(), a)).boxed()
        })
        .collect();
    per_question.prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn a_conversation_reaches_the_outcome_and_flags_of_the_full_answers(full in full_answers()) {
        let c = builtin();
        let settings = ValueSettings::default();
        let (given, steps) = converse(&full);
        let short = assess(&c.view(&given), &settings);
        let long = assess(&c.view(&full), &settings);
        prop_assert_eq!(short.outcome, long.outcome, "steps {:?}", steps);
        let p = plan(&c.view(&given), &settings);
        prop_assert_eq!(p.fixed, Some(long.outcome));
        if ends_at_once(long.outcome) {
            // rules 1–3 need action, driver (goal), current and data_level; "people already
            // reach the quality" needs fit, baseline and the accuracies too (alternatives when
            // fit is "none", goal when the driver is a mandate): 9 at most; 5 on every other path that ends at once
            let most = if long.outcome == Outcome::NotMlWorkflow { 9 } else { 5 };
            prop_assert!(steps.len() <= most, "{} steps to {:?}: {:?}", steps.len(), long.outcome, steps);
        } else {
            prop_assert_eq!(short.flag_ids(), long.flag_ids(), "steps {:?}", steps);
            prop_assert_eq!(&short.value, &long.value);
        }
        prop_assert!(steps.len() <= 19, "{} steps: {:?}", steps.len(), steps);
    }
}
