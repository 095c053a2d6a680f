//! The "should this be ML?" checklist (SPEC §2): its definition, loaded from
//! prompts/checklist.toml, and the flow through it.
//!
//! To add a question, add a `[[questions]]` entry to prompts/checklist.toml with texts in every
//! language; it is asked in file order and stored under its id. Only the questions listed in
//! [`crate::domain::verdict::SCHEMA`] feed the verdict; a new one is asked and stored, and the
//! verdict code must be taught to use it.

mod answer;
mod condition;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Deserialize;

pub use answer::{Answer, AnswerError, Answers, Input, NUMBER_CEILING, parse_number};
pub use condition::{Condition, ConditionError, Test};

use super::lang::Lang;
use super::text::{Localized, check_localized, flatten_localized};
use super::verdict;

/// Discord allows 25 options in a select; a question never offers more.
pub const MAX_OPTIONS: usize = 25;

#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub id: String,
    pub label: Localized,
}

#[derive(Debug, Clone, PartialEq)]
pub enum QuestionKind {
    Text { max_len: usize },
    One { options: Vec<Choice> },
    Many { options: Vec<Choice> },
    Number { min: f64, max: Option<f64> },
}

impl QuestionKind {
    pub fn tag(&self) -> KindTag {
        match self {
            QuestionKind::Text { .. } => KindTag::Text,
            QuestionKind::One { .. } => KindTag::One,
            QuestionKind::Many { .. } => KindTag::Many,
            QuestionKind::Number { .. } => KindTag::Number,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindTag {
    Text,
    One,
    Many,
    Number,
}

impl KindTag {
    fn name(self) -> &'static str {
        match self {
            KindTag::Text => "text",
            KindTag::One => "one",
            KindTag::Many => "many",
            KindTag::Number => "number",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    /// A short name ("Goal"), used when answers are listed and quoted.
    pub label: Localized,
    pub text: Localized,
    pub hint: Option<Localized>,
    pub ask_if: Option<Condition>,
}

impl Question {
    pub fn options(&self) -> &[Choice] {
        match &self.kind {
            QuestionKind::One { options } | QuestionKind::Many { options } => options,
            _ => &[],
        }
    }

    pub fn option_label(&self, id: &str, lang: Lang) -> Option<&str> {
        self.options().iter().find(|o| o.id == id).map(|o| o.label.get(lang))
    }
}

/// The checklist: its questions in the order they are asked, and every text of the verdict
/// (outcomes, flags, data levels, reasons), in every language.
#[derive(Debug, Clone)]
pub struct Checklist {
    questions: Vec<Question>,
    index: HashMap<String, usize>,
    texts: BTreeMap<String, Localized>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("checklist: {0}")]
pub struct DefinitionError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, DefinitionError> {
    Err(DefinitionError(msg.into()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    kind: String,
    label: Localized,
    text: Localized,
    hint: Option<Localized>,
    #[serde(default)]
    options: Vec<RawChoice>,
    min: Option<f64>,
    max: Option<f64>,
    max_len: Option<usize>,
    ask_if: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    id: String,
    en: String,
    ja: String,
}

impl Checklist {
    /// Builds the checklist from the parsed TOML of prompts/checklist.toml and checks it whole:
    /// every text in every language, translations with the same placeholders, conditions that
    /// refer to earlier questions and real options, and the questions the verdict relies on.
    pub fn from_toml(value: toml::Value) -> Result<Checklist, DefinitionError> {
        let toml::Value::Table(mut table) = value else {
            return err("the file must be a table");
        };
        let raw_questions = table.remove("questions").ok_or_else(|| DefinitionError("no [[questions]]".into()))?;
        let raw_questions: Vec<RawQuestion> = raw_questions
            .try_into()
            .map_err(|e: toml::de::Error| DefinitionError(format!("questions: {}", e.message())))?;

        let texts = flatten_localized(toml::Value::Table(table)).map_err(DefinitionError)?;

        let mut questions: Vec<Question> = Vec::with_capacity(raw_questions.len());
        let mut index = HashMap::new();
        for raw in raw_questions {
            let q = build_question(raw, &questions)?;
            if index.insert(q.id.clone(), questions.len()).is_some() {
                return err(format!("question '{}' appears twice", q.id));
            }
            questions.push(q);
        }
        let checklist = Checklist { questions, index, texts };
        checklist.check_schema()?;
        checklist.check_texts()?;
        Ok(checklist)
    }

    fn check_schema(&self) -> Result<(), DefinitionError> {
        for (id, kind, options) in verdict::SCHEMA {
            let Some(q) = self.question(id) else {
                return err(format!("question '{id}' is missing; the verdict needs it"));
            };
            if q.kind.tag() != *kind {
                return err(format!("question '{id}' must be of kind '{}'", kind.name()));
            }
            let have: BTreeSet<&str> = q.options().iter().map(|o| o.id.as_str()).collect();
            let want: BTreeSet<&str> = options.iter().copied().collect();
            if have != want {
                return err(format!("question '{id}' must have exactly the options {}", options.join(", ")));
            }
        }
        Ok(())
    }

    fn check_texts(&self) -> Result<(), DefinitionError> {
        let required: BTreeSet<String> = verdict::text_keys().into_iter().collect();
        for key in &required {
            if !self.texts.contains_key(key) {
                return err(format!("text '{key}' is missing"));
            }
        }
        for key in self.texts.keys() {
            if !required.contains(key) {
                return err(format!("text '{key}' is not used by kakehashi (a typo?)"));
            }
        }
        for (key, text) in &self.texts {
            check_localized(key, text).map_err(DefinitionError)?;
        }
        Ok(())
    }

    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.index.get(id).map(|&i| &self.questions[i])
    }

    /// A text of the verdict by key (`outcomes.clarify.title`, `reasons.clarify.unsure` …).
    /// Keys are checked at load time; an unknown key shows itself instead of failing.
    pub fn text<'a>(&'a self, key: &'a str, lang: Lang) -> &'a str {
        self.texts.get(key).map(|t| t.get(lang)).unwrap_or(key)
    }

    /// The checklist as it stands for these answers.
    pub fn view<'a>(&'a self, answers: &'a Answers) -> View<'a> {
        let mut applies: Vec<Option<bool>> = Vec::with_capacity(self.questions.len());
        for q in &self.questions {
            let a = match &q.ask_if {
                None => Some(true),
                Some(c) => c.eval(&|id: &str| input_at(self, answers, &applies, id)),
            };
            applies.push(a);
        }
        View { checklist: self, answers, applies }
    }
}

fn input_at<'a>(c: &Checklist, answers: &'a Answers, applies: &[Option<bool>], id: &str) -> Input<'a> {
    match c.index.get(id) {
        Some(&i) if i < applies.len() && applies[i] == Some(false) => Input::Skipped,
        Some(&i) if i < applies.len() => answers.get(id).map(Input::Given).unwrap_or(Input::Missing),
        _ => Input::Missing,
    }
}

/// Where a need stands in the checklist: which questions apply, which is next, the progress.
pub struct View<'a> {
    checklist: &'a Checklist,
    answers: &'a Answers,
    applies: Vec<Option<bool>>,
}

impl<'a> View<'a> {
    pub fn checklist(&self) -> &'a Checklist {
        self.checklist
    }

    /// What a question contributes: its answer, skipped (by `ask_if`), or missing.
    pub fn input(&self, id: &str) -> Input<'a> {
        input_at(self.checklist, self.answers, &self.applies, id)
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.checklist.index.get(id).copied()
    }

    /// Whether the question is asked for these answers (`None`: it depends on one not given yet).
    pub fn applies(&self, id: &str) -> Option<bool> {
        self.position(id).and_then(|i| self.applies[i])
    }

    /// The first question that applies and has no answer yet; `None` when the checklist is done.
    pub fn next(&self) -> Option<&'a Question> {
        self.checklist
            .questions
            .iter()
            .zip(&self.applies)
            .find(|(q, a)| **a != Some(false) && self.answers.get(&q.id).is_none())
            .map(|(q, _)| q)
    }

    pub fn is_complete(&self) -> bool {
        self.next().is_none()
    }

    /// "4/12": the question's place among those that apply or may still apply, and their count.
    pub fn progress(&self, id: &str) -> (usize, usize) {
        let counted = |a: &&Option<bool>| **a != Some(false);
        let total = self.applies.iter().filter(counted).count();
        let upto = self.position(id).map(|i| i + 1).unwrap_or(0);
        let place = self.applies[..upto].iter().filter(counted).count();
        (place.max(1), total)
    }

    /// The question asked before this one (for Back).
    pub fn previous(&self, id: &str) -> Option<&'a Question> {
        let i = self.position(id)?;
        (0..i).rev().find(|&j| self.applies[j] != Some(false)).map(|j| &self.checklist.questions[j])
    }

    /// The answers that count, in checklist order: those of questions that apply.
    pub fn answered(&self) -> Vec<(&'a Question, &'a Answer)> {
        self.checklist
            .questions
            .iter()
            .filter_map(|q| match self.input(&q.id) {
                Input::Given(a) => Some((q, a)),
                _ => None,
            })
            .collect()
    }
}

/// What a question or option id may be: 1–32 characters of a–z, 0–9 and `_`. Ids travel in
/// the ids of buttons, selects and forms ([`crate::chat::Action`]), where `:` separates the
/// parts and Discord's renderer marks a repeated id with `~n`; these characters keep them
/// apart.
pub fn is_id(id: &str) -> bool {
    (1..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn build_question(raw: RawQuestion, earlier: &[Question]) -> Result<Question, DefinitionError> {
    let id = raw.id;
    if !is_id(&id) {
        return err(format!("question id '{id}' must be 1–32 characters of a–z, 0–9 and _"));
    }
    let ctx = |what: &str| format!("questions.{id}.{what}");
    check_localized(&ctx("label"), &raw.label).map_err(DefinitionError)?;
    check_localized(&ctx("text"), &raw.text).map_err(DefinitionError)?;
    if let Some(h) = &raw.hint {
        check_localized(&ctx("hint"), h).map_err(DefinitionError)?;
    }
    let choices = |raw_options: Vec<RawChoice>| -> Result<Vec<Choice>, DefinitionError> {
        if raw_options.is_empty() || raw_options.len() > MAX_OPTIONS {
            return err(format!("question '{id}' needs 1–{MAX_OPTIONS} options"));
        }
        let mut seen = BTreeSet::new();
        raw_options
            .into_iter()
            .map(|o| {
                if !is_id(&o.id) || !seen.insert(o.id.clone()) {
                    let why = "must be 1–32 characters of a–z, 0–9 and _, and not repeated";
                    return err(format!("question '{id}': option id '{}' {why}", o.id));
                }
                let label = Localized { en: o.en, ja: o.ja };
                check_localized(&ctx(&format!("options.{}", o.id)), &label).map_err(DefinitionError)?;
                Ok(Choice { id: o.id, label })
            })
            .collect()
    };
    let kind = match raw.kind.as_str() {
        "text" => QuestionKind::Text { max_len: raw.max_len.unwrap_or(1000).clamp(1, 4000) },
        "one" => QuestionKind::One { options: choices(raw.options)? },
        "many" => QuestionKind::Many { options: choices(raw.options)? },
        "number" => {
            let min = raw.min.unwrap_or(0.0);
            if raw.max.is_some_and(|m| m < min) {
                return err(format!("question '{id}': max is below min"));
            }
            QuestionKind::Number { min, max: raw.max }
        }
        other => {
            return err(format!("question '{id}': kind '{other}' is not one of text, one, many, number"));
        }
    };
    let ask_if = match raw.ask_if {
        None => None,
        Some(s) => {
            let c = Condition::parse(&s).map_err(|e| DefinitionError(format!("question '{id}': ask_if: {e}")))?;
            for (qid, test) in c.tests() {
                check_test(&id, qid, test, earlier)?;
            }
            Some(c)
        }
    };
    Ok(Question { id, kind, label: raw.label, text: raw.text, hint: raw.hint, ask_if })
}

fn check_test(id: &str, qid: &str, test: &Test, earlier: &[Question]) -> Result<(), DefinitionError> {
    let Some(q) = earlier.iter().find(|q| q.id == qid) else {
        return err(format!("question '{id}': ask_if refers to '{qid}', which is not an earlier question"));
    };
    let known = |o: &str| q.options().iter().any(|c| c.id == o);
    let bad = |what: &str| err(format!("question '{id}': ask_if: {what}"));
    match (test, q.kind.tag()) {
        (Test::Answered, _) => Ok(()),
        (Test::Eq(condition::Value::Number(_)) | Test::Ne(condition::Value::Number(_)), KindTag::Number) => Ok(()),
        (Test::Lt(_) | Test::Le(_) | Test::Gt(_) | Test::Ge(_), KindTag::Number) => Ok(()),
        (Test::Eq(condition::Value::Word(w)) | Test::Ne(condition::Value::Word(w)), KindTag::One) => {
            if known(w) {
                Ok(())
            } else {
                bad(&format!("'{w}' is not an option of '{qid}'"))
            }
        }
        (Test::In(list) | Test::NotIn(list), KindTag::One) => match list.iter().find(|w| !known(w)) {
            Some(w) => bad(&format!("'{w}' is not an option of '{qid}'")),
            None => Ok(()),
        },
        (Test::Has(w), KindTag::Many) => {
            if known(w) {
                Ok(())
            } else {
                bad(&format!("'{w}' is not an option of '{qid}'"))
            }
        }
        _ => bad(&format!("that test does not fit '{qid}', a question of kind '{}'", q.kind.tag().name())),
    }
}

/// The built-in checklist, for tests of the domain.
#[cfg(test)]
pub fn builtin() -> Checklist {
    let value: toml::Value = include_str!("../../../prompts/checklist.toml")
        .parse::<toml::Table>()
        .map(toml::Value::Table)
        .expect("prompts/checklist.toml is TOML");
    Checklist::from_toml(value).expect("prompts/checklist.toml is a valid checklist")
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
