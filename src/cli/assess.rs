//! `kakehashi assess`: the verdict for an answers file, with nothing stored anywhere.
//!
//! The file is a JSON object from question id to answer: an option id, an array of option ids
//! (several-choice questions), a number, or a string (text questions). Anything else is an
//! [`AssessError::Input`], which the command reports with exit status 2.

use std::path::Path;

use serde_json::Value as Json;

use crate::domain::checklist::{Answers, Checklist, Input};
use crate::domain::verdict::{self, Verdict};
use crate::domain::{Lang, ValueSettings};

#[derive(Debug, thiserror::Error)]
pub enum AssessError {
    /// The file is missing, not JSON, or holds an answer the checklist cannot take.
    #[error("{0}")]
    Input(String),
}

/// Reads and checks an answers file; notes for answers that are ignored come back too.
pub fn read_answers(checklist: &Checklist, path: &Path) -> Result<(Answers, Vec<String>), AssessError> {
    let shown = path.display();
    let text =
        std::fs::read_to_string(path).map_err(|e| AssessError::Input(format!("{shown}: cannot read it: {e}")))?;
    parse_answers(checklist, &text).map_err(|e| AssessError::Input(format!("{shown}: {e}")))
}

/// Parses answers from JSON text, naming the question of any bad answer.
pub fn parse_answers(checklist: &Checklist, text: &str) -> Result<(Answers, Vec<String>), String> {
    let json: Json = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let Json::Object(map) = json else {
        return Err("expected a JSON object from question id to answer, like {\"driver\": \"problem\"}".into());
    };
    let mut answers = Answers::default();
    for (id, value) in &map {
        let Some(q) = checklist.question(id) else {
            let known: Vec<&str> = checklist.questions().iter().map(|q| q.id.as_str()).collect();
            return Err(format!("unknown question '{}'; the questions are: {}", shorten(id), known.join(", ")));
        };
        let answer = q.parse_json(value).map_err(|e| e.to_string())?;
        answers.set(id, answer);
    }
    let view = checklist.view(&answers);
    let notes = map
        .keys()
        .filter(|id| view.input(id) == Input::Skipped)
        .map(|id| format!("note: '{id}' is ignored; it does not apply given the other answers"))
        .collect();
    Ok((answers, notes))
}

fn shorten(s: &str) -> String {
    verdict::shorten(s, 40)
}

pub fn assess(checklist: &Checklist, answers: &Answers, settings: &ValueSettings) -> Verdict {
    verdict::assess(&checklist.view(answers), settings)
}

/// The JSON output: outcome, title, reasons (rule, matched, text), flags, next step, value.
pub fn to_json(checklist: &Checklist, v: &Verdict, lang: Lang) -> String {
    let rendered = verdict::render(checklist, v, lang);
    serde_json::to_string_pretty(&rendered).expect("a rendered verdict serialises")
}
