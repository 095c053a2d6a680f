//! Answers to checklist questions, and turning what people type or send into them.
//!
//! One codec serves every source: an answers file and the database hold JSON (an option id, an
//! array of option ids, a number, a string), buttons and forms deliver strings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use unicode_normalization::UnicodeNormalization;

use super::{Question, QuestionKind};
use crate::domain::settings::group;
use crate::domain::text;

/// Stored with its kind (`{"one": "problem"}`), so it reads back without the checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    Text(String),
    One(String),
    Many(Vec<String>),
    Number(f64),
}

impl Answer {
    /// The plain form of answers files: an option id, an array of them, a number, a string.
    pub fn to_json(&self) -> Json {
        match self {
            Answer::Text(s) | Answer::One(s) => Json::String(s.clone()),
            Answer::Many(v) => Json::Array(v.iter().cloned().map(Json::String).collect()),
            Answer::Number(n) => serde_json::Number::from_f64(*n).map(Json::Number).unwrap_or(Json::Null),
        }
    }
}

/// The answers of one need, by question id.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answers(BTreeMap<String, Answer>);

impl Answers {
    pub fn get(&self, question: &str) -> Option<&Answer> {
        self.0.get(question)
    }

    /// Sets an answer; returns the one it replaced.
    pub fn set(&mut self, question: &str, answer: Answer) -> Option<Answer> {
        self.0.insert(question.to_string(), answer)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Answer)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(String, Answer)> for Answers {
    fn from_iter<T: IntoIterator<Item = (String, Answer)>>(iter: T) -> Self {
        Answers(iter.into_iter().collect())
    }
}

/// What a question contributes when conditions and rules read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Input<'a> {
    Given(&'a Answer),
    /// `ask_if` says it does not apply (any stored answer is ignored).
    Skipped,
    /// It applies (or may) but nobody answered it yet.
    Missing,
}

/// Numbers without a stated bound stay below this, so arithmetic and formatting stay sane.
pub const NUMBER_CEILING: f64 = 1e15;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnswerError {
    #[error("'{question}' is not a question of the checklist")]
    UnknownQuestion { question: String },
    #[error("{question}: '{given}' is not an option; choose one of {}", allowed.join(", "))]
    UnknownOption { question: String, given: String, allowed: Vec<String> },
    #[error("{question}: expected {expected}")]
    WrongType { question: String, expected: &'static str },
    #[error("{question}: '{given}' is not a number")]
    NotANumber { question: String, given: String },
    /// Below `min`, or (`above`) over `max` (a question without a maximum has [`NUMBER_CEILING`]).
    #[error("{question}: {value} is {}", if *above { format!("too large; at most {}", group(*max)) } else { format!("too small; at least {}", group(*min)) })]
    OutOfRange { question: String, value: String, min: f64, max: f64, above: bool },
    #[error("{question}: the answer is empty")]
    Empty { question: String },
    #[error("{question}: the answer is {len} characters long; the limit is {max}")]
    TooLong { question: String, len: usize, max: usize },
    #[error("{question}: 'none' cannot be combined with other options")]
    NoneCombined { question: String },
}

impl AnswerError {
    pub fn question(&self) -> &str {
        match self {
            AnswerError::UnknownQuestion { question }
            | AnswerError::UnknownOption { question, .. }
            | AnswerError::WrongType { question, .. }
            | AnswerError::NotANumber { question, .. }
            | AnswerError::OutOfRange { question, .. }
            | AnswerError::Empty { question }
            | AnswerError::TooLong { question, .. }
            | AnswerError::NoneCombined { question } => question,
        }
    }
}

impl Question {
    /// Reads an answer from JSON (an answers file, the database, an event's detail).
    pub fn parse_json(&self, value: &Json) -> Result<Answer, AnswerError> {
        let q = || self.id.clone();
        match &self.kind {
            QuestionKind::Text { max_len } => match value {
                Json::String(s) => self.text_answer(s, *max_len, true),
                _ => Err(AnswerError::WrongType { question: q(), expected: "a string" }),
            },
            QuestionKind::One { .. } => match value {
                Json::String(s) => self.option(s).map(Answer::One),
                _ => Err(AnswerError::WrongType { question: q(), expected: "an option id (a string)" }),
            },
            QuestionKind::Many { .. } => match value {
                Json::Array(items) => {
                    let mut ids = Vec::with_capacity(items.len());
                    for item in items {
                        match item {
                            Json::String(s) => ids.push(s.clone()),
                            _ => {
                                return Err(AnswerError::WrongType {
                                    question: q(),
                                    expected: "an array of option ids (strings)",
                                });
                            }
                        }
                    }
                    self.many(&ids)
                }
                Json::String(s) => self.many(std::slice::from_ref(s)),
                _ => Err(AnswerError::WrongType { question: q(), expected: "an array of option ids" }),
            },
            QuestionKind::Number { .. } => match value {
                Json::Number(n) => match n.as_f64() {
                    Some(x) => self.number(x, &n.to_string()),
                    None => Err(AnswerError::NotANumber { question: q(), given: n.to_string() }),
                },
                _ => Err(AnswerError::WrongType { question: q(), expected: "a number" }),
            },
        }
    }

    /// Reads an answer from what a person sent: the option ids picked, or the text typed.
    pub fn parse_input(&self, values: &[String]) -> Result<Answer, AnswerError> {
        let first = values.first().map(String::as_str).unwrap_or("");
        match &self.kind {
            QuestionKind::Text { max_len } => self.text_answer(first, *max_len, false),
            QuestionKind::One { .. } => self.option(first.trim()).map(Answer::One),
            QuestionKind::Many { .. } => {
                let ids: Vec<String> = values
                    .iter()
                    .flat_map(|v| v.split(','))
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                self.many(&ids)
            }
            QuestionKind::Number { .. } => {
                let typed = first.trim();
                let x = parse_number(typed).ok_or_else(|| AnswerError::NotANumber {
                    question: self.id.clone(),
                    given: text::clean(typed, false).chars().take(40).collect(),
                })?;
                self.number(x, typed)
            }
        }
    }

    fn text_answer(&self, raw: &str, max_len: usize, allow_empty: bool) -> Result<Answer, AnswerError> {
        let s = text::clean(raw, true);
        let len = s.chars().count();
        if len == 0 && !allow_empty {
            return Err(AnswerError::Empty { question: self.id.clone() });
        }
        if len > max_len {
            return Err(AnswerError::TooLong { question: self.id.clone(), len, max: max_len });
        }
        Ok(Answer::Text(s))
    }

    fn option(&self, id: &str) -> Result<String, AnswerError> {
        let options = self.options();
        if options.iter().any(|o| o.id == id) {
            Ok(id.to_string())
        } else {
            Err(AnswerError::UnknownOption {
                question: self.id.clone(),
                given: text::clean(id, false).chars().take(40).collect(),
                allowed: options.iter().map(|o| o.id.clone()).collect(),
            })
        }
    }

    fn many(&self, ids: &[String]) -> Result<Answer, AnswerError> {
        if ids.is_empty() {
            return Err(AnswerError::Empty { question: self.id.clone() });
        }
        let mut picked: Vec<String> = Vec::with_capacity(ids.len());
        for id in ids {
            let id = self.option(id)?;
            if !picked.contains(&id) {
                picked.push(id);
            }
        }
        if picked.len() > 1 && picked.iter().any(|p| p == "none") {
            return Err(AnswerError::NoneCombined { question: self.id.clone() });
        }
        // keep the checklist's order, so equal choices compare equal
        let order = self.options();
        picked.sort_by_key(|p| order.iter().position(|o| &o.id == p));
        Ok(Answer::Many(picked))
    }

    fn number(&self, x: f64, shown: &str) -> Result<Answer, AnswerError> {
        let QuestionKind::Number { min, max } = self.kind else {
            return Err(AnswerError::WrongType { question: self.id.clone(), expected: "a number" });
        };
        let max = max.unwrap_or(NUMBER_CEILING);
        if !x.is_finite() || x < min || x > max {
            return Err(AnswerError::OutOfRange {
                question: self.id.clone(),
                value: text::clean(shown, false).chars().take(40).collect(),
                min,
                max,
                above: x.is_nan() || x > max,
            });
        }
        Ok(Answer::Number(x))
    }
}

/// Reads a number as people type it: `1,200`, `92%`, `¥3,000,000`, `１２`, `1.5e6`.
pub fn parse_number(typed: &str) -> Option<f64> {
    let s: String = typed.nfkc().collect();
    let s: String = s
        .trim()
        .trim_end_matches('%')
        .trim_start_matches(['¥', '$', '€', '£'])
        .chars()
        .filter(|c| *c != ',' && *c != '_' && !c.is_whitespace())
        .collect();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let x: f64 = s.parse().ok()?;
    x.is_finite().then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_people_type_them() {
        assert_eq!(parse_number("1,200"), Some(1200.0));
        assert_eq!(parse_number(" 92% "), Some(92.0));
        assert_eq!(parse_number("¥3,000,000"), Some(3_000_000.0));
        assert_eq!(parse_number("１２"), Some(12.0));
        assert_eq!(parse_number("1.5e6"), Some(1_500_000.0));
        for bad in ["", "abc", "NaN", "inf", "1e999", "12 apples"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_number_out_of_range_names_the_bound_it_crossed() {
        let q = |min: f64, max: Option<f64>| Question {
            id: "cases".into(),
            kind: QuestionKind::Number { min, max },
            label: text::Localized::default(),
            text: text::Localized::default(),
            hint: None,
            ask_if: None,
        };
        let above = |e: AnswerError| matches!(e, AnswerError::OutOfRange { above: true, .. });
        let huge = q(0.0, None).parse_input(&["99999999999999999999999".into()]).unwrap_err();
        assert_eq!(huge.to_string(), "cases: 99999999999999999999999 is too large; at most 1,000,000,000,000,000");
        assert!(above(huge));
        let negative = q(0.0, None).parse_input(&["-3".into()]).unwrap_err();
        assert_eq!(negative.to_string(), "cases: -3 is too small; at least 0");
        assert!(above(q(0.0, Some(100.0)).parse_input(&["101".into()]).unwrap_err()));
        assert!(!above(q(1.0, Some(100.0)).parse_input(&["0.5".into()]).unwrap_err()));
    }
}
