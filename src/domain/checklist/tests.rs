//! The checklist definition and the flow through it.

use super::*;

fn one(s: &str) -> Answer {
    Answer::One(s.into())
}

#[test]
fn the_builtin_checklist_asks_the_questions_of_the_spec_in_order() {
    let c = builtin();
    let ids: Vec<&str> = c.questions().iter().map(|q| q.id.as_str()).collect();
    let spec: Vec<&str> = crate::domain::verdict::SCHEMA.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(ids, spec);
}

#[test]
fn the_first_question_is_next_and_progress_counts_questions_that_may_apply() {
    let c = builtin();
    let answers = Answers::default();
    let view = c.view(&answers);
    assert_eq!(view.next().unwrap().id, "action");
    // nothing is known yet, so every question may still apply
    assert_eq!(view.progress("action"), (1, 23));
    assert_eq!(view.previous("action"), None);
}

#[test]
fn a_skipped_question_is_not_asked_not_counted_and_not_gone_back_to() {
    let c = builtin();
    let mut answers = Answers::default();
    for (q, a) in [
        ("goal", Answer::Text("Cut stockouts at store 12".into())),
        ("driver", one("problem")),
        ("action", one("person_decides")),
        ("current", one("people_digital")),
        ("data_level", one("lv3")),
        ("alternatives", one("tried_failed")),
        ("fit", Answer::Many(vec!["volume".into()])),
        ("baseline", one("unknown")),
    ] {
        answers.set(q, a);
    }
    let view = c.view(&answers);
    assert_eq!(view.applies("baseline_accuracy"), Some(false));
    assert_eq!(view.next().unwrap().id, "target_accuracy");
    assert_eq!(view.progress("target_accuracy"), (9, 22));
    assert_eq!(view.previous("target_accuracy").unwrap().id, "baseline", "Back skips what was skipped");
    // an answer stored before the question stopped applying does not count
    answers.set("baseline_accuracy", Answer::Number(50.0));
    assert_eq!(c.view(&answers).input("baseline_accuracy"), Input::Skipped);
}

#[test]
fn the_checklist_is_complete_when_every_question_that_applies_is_answered() {
    let c = builtin();
    let mut answers = Answers::default();
    let mut asked = Vec::new();
    while let Some(q) = c.view(&answers).next() {
        let q = q.clone();
        asked.push(q.id.clone());
        let a = match &q.kind {
            QuestionKind::Text { .. } => Answer::Text("A goal of enough length".into()),
            QuestionKind::Number { .. } => Answer::Number(0.0),
            QuestionKind::One { options } => Answer::One(options[0].id.clone()),
            QuestionKind::Many { options } => Answer::Many(vec![options[0].id.clone()]),
        };
        answers.set(&q.id, a);
        assert!(asked.len() <= 23, "the flow ends");
    }
    assert!(c.view(&answers).is_complete());
    // value_base 0 skips uplift_pct; owner funded skips scale; error_cost low skips human_review
    for skipped in ["uplift_pct", "scale", "human_review"] {
        assert!(!asked.contains(&skipped.to_string()), "{skipped} was asked");
    }
}

fn load(text: &str) -> Result<Checklist, DefinitionError> {
    let mut base: toml::Value =
        include_str!("../../../prompts/checklist.toml").parse::<toml::Table>().map(toml::Value::Table).unwrap();
    let over: toml::Value = text.parse::<toml::Table>().map(toml::Value::Table).unwrap();
    crate::prompts::merge(&mut base, over, "").unwrap();
    Checklist::from_toml(base)
}

#[test]
fn a_definition_missing_a_translation_is_refused_naming_the_text() {
    let e = load("[outcomes.clarify]\ntitle = { en = \"Clarify\", ja = \"\" }").unwrap_err();
    assert!(e.0.contains("outcomes.clarify.title") && e.0.contains("ja"), "{e}");
    let e = load("[outcomes.clarify]\ntitle = { en = \"Clarify {x}\", ja = \"明確に\" }").unwrap_err();
    assert!(e.0.contains("placeholders"), "{e}");
}

#[test]
fn a_definition_with_a_bad_condition_or_schema_is_refused() {
    let e = load("[[questions]]\nid = \"scale\"\nask_if = \"owner = rich\"").unwrap_err();
    assert!(e.0.contains("'rich' is not an option of 'owner'"), "{e}");
    let e = load("[[questions]]\nid = \"goal\"\nask_if = \"maintenance = nobody\"").unwrap_err();
    assert!(e.0.contains("not an earlier question"), "{e}");
    let e = load("[[questions]]\nid = \"driver\"\nkind = \"text\"").unwrap_err();
    assert!(e.0.contains("'driver' must be of kind 'one'"), "{e}");
    let e = load("[reasons.clarify]\nunsrue = { en = \"x\", ja = \"x\" }").unwrap_err();
    assert!(e.0.contains("reasons.clarify.unsrue") && e.0.contains("typo"), "{e}");
}

#[test]
fn an_extra_question_is_asked_and_stored_but_leaves_the_verdict_alone() {
    let c = load(
        "[[questions]]\nid = \"budget_code\"\nkind = \"text\"\nlabel = { en = \"Budget code\", ja = \"予算コード\" }\ntext = { en = \"Budget code?\", ja = \"予算コードは？\" }",
    )
    .unwrap();
    assert_eq!(c.questions().last().unwrap().id, "budget_code");
}

#[test]
fn an_option_id_that_could_not_travel_in_a_button_is_refused() {
    // option ids go into the ids of buttons (`a:N-3:question:option`): a `:` would split them,
    // and a `~2` at the end is cut off by the Discord transport (fuzz/fuzz_targets/custom_id.rs)
    for bad in ["Yes", "x~2", "a:b", "two words", ""] {
        let e = load(&format!(
            "[[questions]]\nid = \"budget\"\nkind = \"one\"\nlabel = {{ en = \"Budget\", ja = \"予算\" }}\ntext = {{ en = \"Budget?\", ja = \"予算は？\" }}\noptions = [{{ id = \"{bad}\", en = \"x\", ja = \"x\" }}]"
        ))
        .unwrap_err();
        assert!(e.0.contains(&format!("option id '{bad}'")), "{e}");
    }
}

#[test]
fn every_question_has_a_short_label_that_fits_a_form_field() {
    // Discord cuts modal labels at 45 characters; forms show the label and the full question as
    // the field's hint or placeholder
    let c = builtin();
    for q in c.questions() {
        for lang in crate::domain::Lang::ALL {
            let label = q.label.get(lang);
            assert!(label.chars().count() <= 45, "{}: {label}", q.id);
            assert!(label.chars().count() < q.text.get(lang).chars().count(), "{}: a label, not the question", q.id);
        }
    }
}
