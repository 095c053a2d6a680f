//! Text that users type: cleaning, limits, and the templates our own texts are written in.
//!
//! Every text a user gives passes through one of the `parse` constructors here, so what is stored
//! is always within the limits of SPEC §1 and free of control characters.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use super::lang::Lang;

/// One text in every language we speak.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Localized {
    pub en: String,
    pub ja: String,
}

impl Localized {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ja => &self.ja,
        }
    }
}

/// Fills `{name}` placeholders from `args`; `{{` and `}}` stand for literal braces.
/// A placeholder without a value is left as it is, so a missing argument is visible, not silent.
/// Values lose their control and invisible characters (line breaks stay): a refusal that quotes
/// what was typed never carries a terminal escape or a bidirectional override.
pub fn fill(template: &str, args: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{{") {
            out.push('{');
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            out.push('}');
            rest = after;
        } else if tail.starts_with('{') {
            match tail.find('}') {
                Some(end) => {
                    let name = &tail[1..end];
                    match args.iter().find(|(k, _)| *k == name) {
                        Some((_, v)) => push_visible(&mut out, v),
                        None => out.push_str(&tail[..=end]),
                    }
                    rest = &tail[end + 1..];
                }
                None => {
                    out.push_str(tail);
                    rest = "";
                }
            }
        } else {
            out.push('}');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The placeholder names a template uses (for checking that translations agree).
pub fn placeholders(template: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{{") {
            rest = after;
            continue;
        }
        match tail.find('}') {
            Some(end) => {
                names.insert(tail[1..end].to_string());
                rest = &tail[end + 1..];
            }
            None => break,
        }
    }
    names
}

/// Checks that a text exists in every language and that the translations use the same
/// placeholders.
pub fn check_localized(key: &str, text: &Localized) -> Result<(), String> {
    for lang in Lang::ALL {
        if text.get(lang).trim().is_empty() {
            return Err(format!("{key}: the {lang} text is empty"));
        }
    }
    if placeholders(&text.en) != placeholders(&text.ja) {
        return Err(format!("{key}: the en and ja texts use different {{placeholders}}"));
    }
    Ok(())
}

/// Collects the `{ en = …, ja = … }` leaves of nested TOML tables under dotted keys
/// (`[reasons.clarify] unsure = {…}` becomes `reasons.clarify.unsure`).
pub fn flatten_localized(value: toml::Value) -> Result<BTreeMap<String, Localized>, String> {
    fn walk(prefix: &str, value: toml::Value, out: &mut BTreeMap<String, Localized>) -> Result<(), String> {
        let toml::Value::Table(table) = value else {
            return Err(format!("'{prefix}' must be a table of texts"));
        };
        let is_leaf = !table.is_empty() && table.keys().all(|k| Lang::parse(k).is_ok());
        if is_leaf {
            let text: Localized = toml::Value::Table(table)
                .try_into()
                .map_err(|e: toml::de::Error| format!("{prefix}: {}", e.message()))?;
            out.insert(prefix.to_string(), text);
            return Ok(());
        }
        for (k, v) in table {
            let key = if prefix.is_empty() { k } else { format!("{prefix}.{k}") };
            walk(&key, v, out)?;
        }
        Ok(())
    }
    let mut out = BTreeMap::new();
    walk("", value, &mut out)?;
    Ok(out)
}

/// Characters that change how text is laid out or read without being visible:
/// bidirectional overrides and isolates, zero-width characters, the byte-order mark.
fn is_invisible_control(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// A zero-width joiner or non-joiner between two visible non-ASCII characters does a job: it
/// joins an emoji sequence (👩‍💻) or shapes Persian and Indic script. Anywhere else it only
/// hides something, and goes.
fn keeps_joiner(c: char, before: Option<char>, after: Option<char>) -> bool {
    let visible = |c: Option<char>| {
        c.is_some_and(|c| !c.is_ascii() && !c.is_whitespace() && !c.is_control() && !is_invisible_control(c))
    };
    matches!(c, '\u{200C}' | '\u{200D}') && visible(before) && visible(after)
}

/// Appends `text` without its control and invisible characters, line breaks kept.
fn push_visible(out: &mut String, text: &str) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n'
            || !(c.is_control() || is_invisible_control(c))
            || keeps_joiner(c, out.chars().next_back(), chars.peek().copied())
        {
            out.push(c);
        }
    }
}

/// Removes control characters. Multi-line text keeps its line breaks (CRLF becomes LF);
/// single-line text has every line break turned into a space. Tabs become spaces.
pub fn clean(input: &str, multiline: bool) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    continue;
                }
                out.push(if multiline { '\n' } else { ' ' });
            }
            '\n' => out.push(if multiline { '\n' } else { ' ' }),
            '\t' => out.push(' '),
            c if keeps_joiner(c, out.chars().next_back(), chars.peek().copied()) => out.push(c),
            c if c.is_control() || is_invisible_control(c) => {}
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

/// Which text a limit was about; the chat layer turns it into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextField {
    Title,
    Description,
    Team,
    Note,
    Answer,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("{field:?} is empty")]
    Empty { field: TextField },
    #[error("{field:?} is {len} characters long; the limit is {max}")]
    TooLong { field: TextField, len: usize, max: usize },
}

fn bounded(input: &str, field: TextField, multiline: bool, required: bool, max: usize) -> Result<String, TextError> {
    let text = clean(input, multiline);
    let len = text.chars().count();
    if required && len == 0 {
        return Err(TextError::Empty { field });
    }
    if len > max {
        return Err(TextError::TooLong { field, len, max });
    }
    Ok(text)
}

macro_rules! text_newtype {
    ($(#[$doc:meta])* $name:ident, $field:expr, multiline = $ml:expr, required = $req:expr, max = $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const MAX: usize = $max;

            pub fn parse(input: &str) -> Result<Self, TextError> {
                bounded(input, $field, $ml, $req, $max).map($name)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_newtype!(
    /// A work item's title: one line, 1–200 characters.
    Title, TextField::Title, multiline = false, required = true, max = 200
);
text_newtype!(
    /// A work item's description: up to 4000 characters, line breaks kept.
    Description, TextField::Description, multiline = true, required = false, max = 4000
);
text_newtype!(
    /// A note on a transition (the advice of a redirect, what a shelved seed taught).
    Note, TextField::Note, multiline = true, required = false, max = 2000
);

/// A requesting team as typed, plus the key it is grouped by: "Sales ", "sales" and "ＳＡＬＥＳ"
/// are one team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamName {
    display: String,
    key: String,
}

impl TeamName {
    pub const MAX: usize = 100;

    pub fn parse(input: &str) -> Result<Self, TextError> {
        let display = bounded(input, TextField::Team, false, false, Self::MAX)?;
        let display = display.split_whitespace().collect::<Vec<_>>().join(" ");
        let key = team_key(&display);
        Ok(TeamName { display, key })
    }

    pub fn as_str(&self) -> &str {
        &self.display
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

/// Levenshtein distance in characters (the first 64 of `a`), for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The grouping key of a team name: compatibility-normalised (full-width letters become ASCII),
/// lower-cased, with runs of white space folded into one space.
pub fn team_key(name: &str) -> String {
    let normalised: String = name.nfkc().collect();
    normalised.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_known_placeholders_and_keeps_unknown_ones_visible() {
        let s = fill("{a} and {b} {{x}}", &[("a", "1".into())]);
        assert_eq!(s, "1 and {b} {x}");
    }

    #[test]
    fn placeholders_lists_names_but_not_escaped_braces() {
        let names = placeholders("{a} {{b}} {c}");
        assert_eq!(names.into_iter().collect::<Vec<_>>(), vec!["a", "c"]);
    }

    #[test]
    fn clean_strips_control_and_bidi_characters() {
        assert_eq!(clean("a\u{0007}b\u{202E}c\u{200B}d", false), "abcd");
        assert_eq!(clean("one\r\ntwo", true), "one\ntwo");
        assert_eq!(clean("one\r\ntwo", false), "one two");
    }

    #[test]
    fn joiners_stay_where_they_join_and_go_where_they_hide() {
        let coder = "\u{1F469}\u{200D}\u{1F4BB}";
        assert_eq!(clean(&format!("Ask {coder} team"), false), format!("Ask {coder} team"));
        let persian = "\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}";
        assert_eq!(clean(persian, false), persian);
        assert_eq!(clean("@every\u{200D}one", false), "@everyone");
        assert_eq!(clean("\u{200D}\u{1F4BB}", false), "\u{1F4BB}");
        assert_eq!(clean("\u{1F469}\u{200D} x", false), "\u{1F469} x");
        assert_eq!(clean("\u{1F469}\u{200D}\u{200B}\u{1F4BB}", false), "\u{1F469}\u{1F4BB}");
    }

    #[test]
    fn title_rejects_empty_and_overlong_text() {
        assert_eq!(Title::parse("  \u{0000} "), Err(TextError::Empty { field: TextField::Title }));
        let long = "x".repeat(201);
        assert_eq!(Title::parse(&long), Err(TextError::TooLong { field: TextField::Title, len: 201, max: 200 }));
        assert_eq!(Title::parse(&"é".repeat(200)).unwrap().as_str().chars().count(), 200);
    }

    #[test]
    fn team_names_that_differ_in_case_width_or_spacing_are_one_team() {
        let keys: Vec<String> = ["Sales ", "sales", "ＳＡＬＥＳ", " SALES"]
            .iter()
            .map(|s| TeamName::parse(s).unwrap().key().to_string())
            .collect();
        assert!(keys.iter().all(|k| k == "sales"), "{keys:?}");
        assert_eq!(TeamName::parse("Data   Platform").unwrap().as_str(), "Data Platform");
    }
}
