//! Text that users type: cleaning, limits, and the templates our own texts are written in.
//!
//! Every text a user gives passes through one of the `parse` constructors here, so what is stored
//! is always within the limits of SPEC §1 and free of control and invisible characters; every
//! value echoed into one of our texts passes through [`fill`], under the same policy (README,
//! "Text people type").

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

/// The Unicode format characters (general category Cf) of Unicode 18.0, as inclusive ranges:
/// generated with the `unicodedata2` package (Unicode 18.0) by collecting every code point whose
/// `category` is `Cf` and merging neighbours. Among them: the soft hyphen, the Arabic number
/// signs, every bidirectional control (U+061C, U+200E–200F, U+202A–202E, U+2066–2069), the zero-
/// width characters and joiners, word joiner and invisible operators, the byte-order mark, the
/// interlinear annotation marks, and the tag characters.
pub(crate) const FORMAT_CHARACTERS: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

fn is_format(c: char) -> bool {
    let c = c as u32;
    FORMAT_CHARACTERS
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Characters that change how text is laid out or read without being visible, and never stay in
/// a text we store or echo (the policy in the README, "Text people type"): every format
/// character (Cf: bidirectional controls, zero-width characters, the byte-order mark, …) and the
/// whole tag block U+E0000–E007F (the "ASCII smuggling" set, unassigned ones included). The two
/// joiners are kept only where [`keeps_joiner`] says.
fn is_invisible_control(c: char) -> bool {
    is_format(c) || matches!(c, '\u{E0000}'..='\u{E007F}')
}

/// A line or paragraph separator (U+2028, U+2029): a line break in a multi-line text, a space in
/// a one-line one.
fn is_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
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
        if is_separator(c) {
            out.push('\n');
        } else if c == '\n'
            || !(c.is_control() || is_invisible_control(c))
            || keeps_joiner(c, out.chars().next_back(), chars.peek().copied())
        {
            out.push(c);
        }
    }
}

/// Removes control and invisible characters ([`is_invisible_control`], the joiners kept where
/// they join). Multi-line text keeps its line breaks (CRLF, U+2028 and U+2029 become LF);
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
            c if is_separator(c) => out.push(if multiline { '\n' } else { ' ' }),
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

            /// A text as stored: it was checked by [`Self::parse`] when it was first written.
            pub fn from_stored(text: String) -> Self {
                $name(text)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
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

    /// A team as stored: the name as typed and its key, both checked by [`TeamName::parse`] when
    /// they were first written.
    pub fn from_stored(display: String, key: String) -> Self {
        TeamName { display, key }
    }

    pub fn as_str(&self) -> &str {
        &self.display
    }

    /// Whether no team was given.
    pub fn is_empty(&self) -> bool {
        self.display.is_empty()
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

impl PartialEq<&str> for TeamName {
    fn eq(&self, other: &&str) -> bool {
        self.display == *other
    }
}

impl fmt::Display for TeamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
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

    fn format_characters() -> Vec<char> {
        FORMAT_CHARACTERS.iter().flat_map(|&(lo, hi)| (lo..=hi).filter_map(char::from_u32)).collect()
    }

    fn is_hidden(c: char) -> bool {
        is_invisible_control(c) || c.is_control()
    }

    #[test]
    fn the_format_table_is_ordered_and_holds_the_whole_category() {
        assert!(FORMAT_CHARACTERS.windows(2).all(|w| w[0].1 < w[1].0), "sorted and disjoint");
        assert!(FORMAT_CHARACTERS.iter().all(|(lo, hi)| lo <= hi));
        assert_eq!(format_characters().len(), 170, "Cf has 170 code points in Unicode 18.0");
        for c in ['\u{00AD}', '\u{061C}', '\u{200E}', '\u{202E}', '\u{2066}', '\u{FEFF}', '\u{E0001}', '\u{E007F}'] {
            assert!(is_format(c), "U+{:04X}", c as u32);
        }
        for c in ['a', ' ', '\u{2028}', '\u{0301}', '\u{FE0F}', '日'] {
            assert!(!is_format(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn every_format_and_tag_character_goes_except_a_joiner_between_visible_characters() {
        let tags = (0xE0000..=0xE007F).filter_map(char::from_u32);
        for c in format_characters().into_iter().chain(tags) {
            let joiner = matches!(c, '\u{200C}' | '\u{200D}');
            for multiline in [false, true] {
                assert_eq!(clean(&format!("a{c}b"), multiline), "ab", "U+{:04X}", c as u32);
                let between = clean(&format!("日{c}本"), multiline);
                let expected = if joiner { format!("日{c}本") } else { "日本".to_string() };
                assert_eq!(between, expected, "U+{:04X}", c as u32);
            }
            assert_eq!(Title::parse(&format!("x{c}y")).unwrap().as_str(), "xy");
            assert_eq!(TeamName::parse(&format!("{c}Sales{c}")).unwrap().as_str(), "Sales");
            assert_eq!(fill("[{v}]", &[("v", format!("x{c}y"))]), "[xy]", "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn separators_break_lines_only_where_lines_may_break() {
        assert_eq!(clean("one\u{2028}two\u{2029}three", false), "one two three");
        assert_eq!(clean("one\u{2028}two\u{2029}three", true), "one\ntwo\nthree");
        assert_eq!(Title::parse("a\u{2028}b").unwrap().as_str(), "a b");
        assert_eq!(Description::parse("a\u{2029}b").unwrap().as_str(), "a\nb");
    }

    /// Any text made of visible characters, format characters, tag characters, separators and
    /// spaces.
    fn mixed_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let visible =
            any::<char>().prop_filter("visible", |c| !c.is_whitespace() && !is_hidden(*c) && !is_separator(*c));
        let chosen = prop::sample::select(vec!['a', '日', 'م', 'ی', '\u{1F469}', '\u{1F4BB}', 'é', '1']);
        let format = prop::sample::select(format_characters());
        let tag = (0xE0000u32..=0xE007F).prop_map(|c| char::from_u32(c).unwrap());
        let other = prop::sample::select(vec![' ', '\n', '\r', '\t', '\u{2028}', '\u{2029}', '\u{200C}', '\u{200D}']);
        prop::collection::vec(prop_oneof![visible, chosen, format, tag, other], 0..48)
            .prop_map(|chars| chars.into_iter().collect())
    }

    proptest::proptest! {
        #[test]
        fn cleaned_text_keeps_every_visible_character_and_no_hidden_one(input in mixed_text(), multiline: bool) {
            let out = clean(&input, multiline);
            let chars: Vec<char> = out.chars().collect();
            for (i, &c) in chars.iter().enumerate() {
                if is_hidden(c) && c != '\n' {
                    let (before, after) = (i.checked_sub(1).map(|j| chars[j]), chars.get(i + 1).copied());
                    proptest::prop_assert!(
                        keeps_joiner(c, before, after),
                        "U+{:04X} left in {:?}", c as u32, out
                    );
                }
            }
            if !multiline {
                proptest::prop_assert!(!out.contains(['\n', '\u{2028}', '\u{2029}']), "{:?}", out);
            }
            proptest::prop_assert!(!out.contains(['\u{2028}', '\u{2029}']), "separators left in {:?}", out);
            let shown = |s: &str| s.chars().filter(|c| !c.is_whitespace() && !is_hidden(*c)).collect::<String>();
            proptest::prop_assert_eq!(shown(&out), shown(&input));
        }
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
