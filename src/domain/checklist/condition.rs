//! `ask_if` conditions: when a question is worth asking.
//!
//! A condition is a small expression over earlier answers, written in prompts/checklist.toml:
//!
//! ```text
//! baseline != unknown
//! value_base > 0
//! rules != few_rules and data_level not in [not_recorded, lv0, lv1]
//! error_cost in [high, unacceptable]
//! fit has drift
//! ```
//!
//! Operators: `=`, `!=`, `<`, `<=`, `>`, `>=` (numbers), `in [..]`, `not in [..]`, `has` (a
//! several-choice answer contains an option), `answered`; joined with `and`, `or`, `not` and
//! parentheses. A comparison with a question that was skipped is false; one with a question not
//! yet answered is unknown, so evaluation is three-valued (`Option<bool>`, `None` = unknown).

use std::fmt;

use super::answer::{Answer, Input};

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Or(Vec<Condition>),
    And(Vec<Condition>),
    Not(Box<Condition>),
    Test { question: String, test: Test },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    Eq(Value),
    Ne(Value),
    Lt(f64),
    Le(f64),
    Gt(f64),
    Ge(f64),
    In(Vec<String>),
    NotIn(Vec<String>),
    Has(String),
    Answered,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Word(String),
    Number(f64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionError(pub String);

impl fmt::Display for ConditionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Condition {
    pub fn parse(input: &str) -> Result<Condition, ConditionError> {
        let tokens = tokenize(input)?;
        let mut p = Parser { tokens, pos: 0 };
        let c = p.or()?;
        if p.pos != p.tokens.len() {
            return Err(ConditionError(format!("unexpected '{}' in '{input}'", p.tokens[p.pos])));
        }
        Ok(c)
    }

    /// Every (question, test) pair, for validation against the checklist.
    pub fn tests(&self) -> Vec<(&str, &Test)> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<(&'a str, &'a Test)>) {
        match self {
            Condition::Or(cs) | Condition::And(cs) => cs.iter().for_each(|c| c.collect(out)),
            Condition::Not(c) => c.collect(out),
            Condition::Test { question, test } => out.push((question, test)),
        }
    }

    /// Three-valued evaluation: `Some(true)`, `Some(false)`, or `None` when it depends on a
    /// question not answered yet.
    pub fn eval<'a>(&self, input: &dyn Fn(&str) -> Input<'a>) -> Option<bool> {
        match self {
            Condition::Or(cs) => {
                let mut unknown = false;
                for c in cs {
                    match c.eval(input) {
                        Some(true) => return Some(true),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                if unknown { None } else { Some(false) }
            }
            Condition::And(cs) => {
                let mut unknown = false;
                for c in cs {
                    match c.eval(input) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                if unknown { None } else { Some(true) }
            }
            Condition::Not(c) => c.eval(input).map(|b| !b),
            Condition::Test { question, test } => match input(question) {
                Input::Missing => {
                    if matches!(test, Test::Answered) {
                        Some(false)
                    } else {
                        None
                    }
                }
                Input::Skipped => Some(false),
                Input::Given(answer) => Some(test.holds(answer)),
            },
        }
    }
}

impl Test {
    fn holds(&self, answer: &Answer) -> bool {
        match (self, answer) {
            (Test::Answered, _) => true,
            (Test::Eq(Value::Word(w)), Answer::One(o)) => o == w,
            (Test::Ne(Value::Word(w)), Answer::One(o)) => o != w,
            (Test::Eq(Value::Number(n)), Answer::Number(x)) => x == n,
            (Test::Ne(Value::Number(n)), Answer::Number(x)) => x != n,
            (Test::Lt(n), Answer::Number(x)) => x < n,
            (Test::Le(n), Answer::Number(x)) => x <= n,
            (Test::Gt(n), Answer::Number(x)) => x > n,
            (Test::Ge(n), Answer::Number(x)) => x >= n,
            (Test::In(set), Answer::One(o)) => set.contains(o),
            (Test::NotIn(set), Answer::One(o)) => !set.contains(o),
            (Test::Has(w), Answer::Many(list)) => list.contains(w),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Number(f64),
    Op(&'static str),
    Open,
    Close,
    LBracket,
    RBracket,
    Comma,
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Word(w) => f.write_str(w),
            Token::Number(n) => write!(f, "{n}"),
            Token::Op(o) => f.write_str(o),
            Token::Open => f.write_str("("),
            Token::Close => f.write_str(")"),
            Token::LBracket => f.write_str("["),
            Token::RBracket => f.write_str("]"),
            Token::Comma => f.write_str(","),
        }
    }
}

fn tokenize(input: &str) -> Result<Vec<Token>, ConditionError> {
    let mut out = Vec::new();
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => (out.push(Token::Open), i += 1).1,
            ')' => (out.push(Token::Close), i += 1).1,
            '[' => (out.push(Token::LBracket), i += 1).1,
            ']' => (out.push(Token::RBracket), i += 1).1,
            ',' => (out.push(Token::Comma), i += 1).1,
            '=' => (out.push(Token::Op("=")), i += 1).1,
            '!' | '<' | '>' => {
                let two = chars.get(i + 1) == Some(&'=');
                let op = match (c, two) {
                    ('!', true) => "!=",
                    ('<', true) => "<=",
                    ('>', true) => ">=",
                    ('<', false) => "<",
                    ('>', false) => ">",
                    _ => {
                        return Err(ConditionError(format!("'!' must be followed by '=' in '{input}'")));
                    }
                };
                out.push(Token::Op(op));
                i += if two { 2 } else { 1 };
            }
            c if c.is_ascii_digit() || c == '-' || c == '.' => {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let s: String = chars[start..i].iter().collect();
                // option ids such as `1k_100k` start with a digit: keep them words
                if i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                        i += 1;
                    }
                    out.push(Token::Word(chars[start..i].iter().collect()));
                } else {
                    let n = s.parse().map_err(|_| ConditionError(format!("'{s}' is not a number in '{input}'")))?;
                    out.push(Token::Number(n));
                }
            }
            c if c.is_alphanumeric() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Token::Word(chars[start..i].iter().collect()));
            }
            other => return Err(ConditionError(format!("unexpected '{other}' in '{input}'"))),
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn keyword(&self, k: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w == k)
    }

    fn or(&mut self) -> Result<Condition, ConditionError> {
        let mut parts = vec![self.and()?];
        while self.keyword("or") {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 { parts.pop().unwrap() } else { Condition::Or(parts) })
    }

    fn and(&mut self) -> Result<Condition, ConditionError> {
        let mut parts = vec![self.unary()?];
        while self.keyword("and") {
            self.pos += 1;
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 { parts.pop().unwrap() } else { Condition::And(parts) })
    }

    fn unary(&mut self) -> Result<Condition, ConditionError> {
        if self.keyword("not") {
            self.pos += 1;
            return Ok(Condition::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some(&Token::Open) {
            self.pos += 1;
            let c = self.or()?;
            return match self.next() {
                Some(Token::Close) => Ok(c),
                _ => Err(ConditionError("a '(' is not closed".into())),
            };
        }
        self.test()
    }

    fn test(&mut self) -> Result<Condition, ConditionError> {
        let question = match self.next() {
            Some(Token::Word(w)) => w,
            other => {
                return Err(ConditionError(format!("expected a question id, found {}", show(other))));
            }
        };
        let test = match self.next() {
            Some(Token::Op(op)) => {
                let value = match self.next() {
                    Some(Token::Word(w)) => Value::Word(w),
                    Some(Token::Number(n)) => Value::Number(n),
                    other => {
                        return Err(ConditionError(format!("expected a value after {op}, found {}", show(other))));
                    }
                };
                match (op, value) {
                    ("=", v) => Test::Eq(v),
                    ("!=", v) => Test::Ne(v),
                    (op, Value::Number(n)) => match op {
                        "<" => Test::Lt(n),
                        "<=" => Test::Le(n),
                        ">" => Test::Gt(n),
                        _ => Test::Ge(n),
                    },
                    (op, Value::Word(w)) => {
                        return Err(ConditionError(format!("'{op}' compares numbers, not '{w}'")));
                    }
                }
            }
            Some(Token::Word(w)) if w == "in" => Test::In(self.list()?),
            Some(Token::Word(w)) if w == "not" => match self.next() {
                Some(Token::Word(w)) if w == "in" => Test::NotIn(self.list()?),
                other => {
                    return Err(ConditionError(format!("expected 'in' after 'not', found {}", show(other))));
                }
            },
            Some(Token::Word(w)) if w == "has" => match self.next() {
                Some(Token::Word(w)) => Test::Has(w),
                other => {
                    return Err(ConditionError(format!("expected an option after 'has', found {}", show(other))));
                }
            },
            Some(Token::Word(w)) if w == "answered" => Test::Answered,
            other => {
                return Err(ConditionError(format!("expected an operator after '{question}', found {}", show(other))));
            }
        };
        Ok(Condition::Test { question, test })
    }

    fn list(&mut self) -> Result<Vec<String>, ConditionError> {
        if self.next() != Some(Token::LBracket) {
            return Err(ConditionError("expected '[' to start a list".into()));
        }
        let mut items = Vec::new();
        loop {
            match self.next() {
                Some(Token::Word(w)) => items.push(w),
                other => {
                    return Err(ConditionError(format!("expected an option in the list, found {}", show(other))));
                }
            }
            match self.next() {
                Some(Token::Comma) => continue,
                Some(Token::RBracket) => break,
                other => {
                    return Err(ConditionError(format!("expected ',' or ']', found {}", show(other))));
                }
            }
        }
        Ok(items)
    }
}

fn show(t: Option<Token>) -> String {
    match t {
        Some(t) => format!("'{t}'"),
        None => "the end".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(pairs: Vec<(&'static str, Answer)>) -> impl Fn(&str) -> Input<'static> {
        let leaked: &'static Vec<(&'static str, Answer)> = Box::leak(Box::new(pairs));
        move |q| leaked.iter().find(|(k, _)| *k == q).map(|(_, a)| Input::Given(a)).unwrap_or(Input::Missing)
    }

    #[test]
    fn conditions_parse_and_evaluate_against_answers() {
        let c = Condition::parse("rules != few_rules and data_level not in [not_recorded, lv0, lv1]").unwrap();
        let yes = given(vec![("rules", Answer::One("impossible".into())), ("data_level", Answer::One("lv3".into()))]);
        assert_eq!(c.eval(&yes), Some(true));
        let no = given(vec![("rules", Answer::One("impossible".into())), ("data_level", Answer::One("lv1".into()))]);
        assert_eq!(c.eval(&no), Some(false));
        let unknown = given(vec![("rules", Answer::One("impossible".into()))]);
        assert_eq!(c.eval(&unknown), None);
        let settled = given(vec![("rules", Answer::One("few_rules".into()))]);
        assert_eq!(c.eval(&settled), Some(false), "false and unknown is false");
    }

    #[test]
    fn numbers_lists_has_and_parentheses_work() {
        let c = Condition::parse("not (value_base <= 0) or fit has drift").unwrap();
        assert_eq!(c.eval(&given(vec![("value_base", Answer::Number(5.0))])), Some(true));
        let f = given(vec![("value_base", Answer::Number(0.0)), ("fit", Answer::Many(vec!["drift".into()]))]);
        assert_eq!(c.eval(&f), Some(true));
        let c = Condition::parse("labels in [1k_100k, gt_100k]").unwrap();
        assert_eq!(c.eval(&given(vec![("labels", Answer::One("1k_100k".into()))])), Some(true));
    }

    #[test]
    fn a_skipped_question_makes_its_comparisons_false() {
        let c = Condition::parse("baseline != unknown").unwrap();
        assert_eq!(c.eval(&|_: &str| Input::Skipped), Some(false));
        assert_eq!(c.eval(&|_: &str| Input::Missing), None);
        assert_eq!(Condition::parse("goal answered").unwrap().eval(&|_: &str| Input::Missing), Some(false));
    }

    #[test]
    fn malformed_conditions_are_rejected_with_a_reason() {
        for bad in ["", "baseline", "baseline !", "x in [a,", "x < word", "(a = b", "a = b c", "x in a"] {
            assert!(Condition::parse(bad).is_err(), "{bad}");
        }
    }
}
