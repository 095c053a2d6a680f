//! How alike two needs read, in English and Japanese alike, and the search terms that find
//! candidates in a full-text index.
//!
//! The databases find candidates with their trigram indexes (SQLite FTS5's trigram tokenizer,
//! PostgreSQL's `pg_trgm`); this one score then decides on both backends, so they agree.
//!
//! A text is cut into words (runs of letters and digits, lowercased). A word in a spaced script
//! gives its character trigrams, padded as `pg_trgm` does (`"  ab"`, `" ab"`, …), so short words
//! and word starts count. A run of Japanese or Chinese gives its character bigrams — two
//! characters already make a word there (経費, 精算) — except bigrams of kana alone, which are
//! mostly endings and particles (したい, にし) that say nothing about the subject.
//!
//! The lookup is bounded whatever the workspace holds: it searches for at most [`MAX_TERMS`]
//! terms, takes for each the first [`PER_TERM`] needs the index finds with it, and scores only
//! those. A rare word therefore brings every need that has it, while a word that many needs
//! share ("forecast" in a workspace of forecasts) brings only a few of them, so a workspace whose
//! needs all read alike costs no more than any other: a need is found through its rarer words.

/// Needs scoring at least this much are shown as similar. Picked with the examples in the tests
/// (reworded English and Japanese needs score 0.3–0.7, unrelated ones under 0.1).
pub const THRESHOLD: f64 = 0.2;

/// How many terms of a new need are searched for (the longest first).
pub const MAX_TERMS: usize = 8;

/// How many needs each term may bring: the first the index finds (no ranking, which would have
/// to look at every need that contains the term).
pub const PER_TERM: i64 = 25;

/// The grams of a text, each packed into a number (up to three characters of 21 bits, no two
/// grams alike), sorted and without repeats, so two texts compare in one merge.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grams(Vec<u64>);

impl Grams {
    pub fn of(text: &str) -> Self {
        fn pack(chars: &[char]) -> u64 {
            chars.iter().fold(0, |acc, c| (acc << 21) | u64::from(u32::from(*c)))
        }
        let mut out = Vec::new();
        let mut chars = Vec::new();
        for word in words(text) {
            chars.clear();
            chars.extend(word.chars());
            if chars.iter().any(|c| is_cjk(*c)) {
                if chars.len() == 1 {
                    out.push(pack(&chars));
                }
                for w in chars.windows(2) {
                    if !(is_kana(w[0]) && is_kana(w[1])) {
                        out.push(pack(w));
                    }
                }
            } else {
                chars.insert(0, ' ');
                chars.insert(0, ' ');
                chars.push(' ');
                out.extend(chars.windows(3).map(pack));
            }
        }
        out.sort_unstable();
        out.dedup();
        Grams(out)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The grams of both (the grams of two texts joined by a space: a gram never spans words).
    pub fn union(&self, other: &Grams) -> Grams {
        let mut out = Vec::with_capacity(self.0.len() + other.0.len());
        let (a, b) = (&self.0, &other.0);
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => {
                    out.push(a[i]);
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    out.push(b[j]);
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    out.push(a[i]);
                    i += 1;
                    j += 1;
                }
            }
        }
        out.extend_from_slice(&a[i..]);
        out.extend_from_slice(&b[j..]);
        Grams(out)
    }

    /// Shared grams over all grams, 0 to 1.
    pub fn jaccard(&self, other: &Grams) -> f64 {
        let (a, b) = (&self.0, &other.0);
        let (mut i, mut j, mut shared) = (0, 0, 0);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    shared += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        let all = a.len() + b.len() - shared;
        if all == 0 { 0.0 } else { shared as f64 / all as f64 }
    }
}

/// A new need, ready to be compared with many earlier ones.
#[derive(Debug, Clone)]
pub struct Probe {
    title: Grams,
    text: Grams,
}

impl Probe {
    /// `text` is the title and the description together.
    pub fn new(title: &str, text: &str) -> Self {
        Probe { title: Grams::of(title), text: Grams::of(text) }
    }

    /// How alike, 0 to 1: the better of the titles' and the whole texts' overlap, so a long
    /// description neither hides a matching title nor makes one up.
    pub fn score(&self, title: &str, text: &str) -> f64 {
        self.title.jaccard(&Grams::of(title)).max(self.text.jaccard(&Grams::of(text)))
    }

    /// [`Probe::score`] of an earlier need given by its title and description, as the database
    /// gives them: the title's grams are made once and serve both comparisons.
    pub fn score_need(&self, title: &str, description: &str) -> f64 {
        let title = Grams::of(title);
        let by_title = self.title.jaccard(&title);
        let text = if description.is_empty() { title } else { title.union(&Grams::of(description)) };
        by_title.max(self.text.jaccard(&text))
    }
}

/// How alike two needs read, 0 to 1 (see [`Probe::score`]).
pub fn score(title_a: &str, text_a: &str, title_b: &str, text_b: &str) -> f64 {
    Probe::new(title_a, text_a).score(title_b, text_b)
}

/// English words too common to find anything by: searching for them would make nearly every need
/// a candidate, and ranking them all is slow (they still count in the score).
const STOP_WORDS: &[&str] = &[
    "the", "and", "for", "with", "from", "that", "this", "are", "was", "our", "can", "all", "any", "but", "not", "you",
    "have", "has", "into", "out", "per", "each", "every", "more", "less", "when", "what", "how", "who", "which", "its",
    "their", "them", "they", "there", "than", "then", "use", "using", "need", "needs", "want", "would", "could",
    "should", "will", "about", "also", "some", "get",
];

/// The terms that find candidates in a trigram index (each at least three characters, as a
/// trigram match needs): the words of a spaced script, and the character trigrams of a Japanese
/// or Chinese run, at most `max` of them, the longest words first. Callers quote each term, so
/// none is ever read as query syntax.
pub fn search_terms(text: &str, max: usize) -> Vec<String> {
    let mut terms = std::collections::BTreeSet::new();
    for word in words(text) {
        let chars: Vec<char> = word.chars().collect();
        if chars.iter().any(|c| is_cjk(*c)) {
            for w in chars.windows(3) {
                if !w.iter().all(|c| is_kana(*c)) {
                    terms.insert(w.iter().collect::<String>());
                }
            }
        } else if chars.len() >= 3 && !STOP_WORDS.contains(&word.as_str()) {
            terms.insert(word);
        }
    }
    let mut terms: Vec<String> = terms.into_iter().collect();
    terms.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
    terms.truncate(max);
    terms
}

/// A `LIKE` pattern that finds the term anywhere (a backslash escapes `%`, `_` and itself), so user
/// text never becomes pattern syntax.
pub fn like_pattern(term: &str) -> String {
    let mut out = String::with_capacity(term.len() + 2);
    out.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// An FTS5 query that matches any of the terms: each one a string (double quotes doubled), so
/// user text never becomes FTS syntax. Empty when there is nothing to search for.
pub fn fts5_query(terms: &[String]) -> String {
    terms.iter().map(|t| format!("\"{}\"", t.replace('"', "\"\""))).collect::<Vec<_>>().join(" OR ")
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

fn is_kana(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{ff66}'..='\u{ff9f}')
}

fn is_cjk(c: char) -> bool {
    is_kana(c) || matches!(c, '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{2fa1f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(a: &str, b: &str) -> f64 {
        score(a, a, b, b)
    }

    #[test]
    fn a_need_scored_by_its_parts_scores_as_its_joined_text() {
        let probe = Probe::new("Forecast weekly demand", "Forecast weekly demand for store 12, every Monday");
        let needs = [
            ("Predict the demand of store 12", ""),
            ("Predict the demand", "of store 12 each week"),
            ("経費精算を楽にしたい", "毎月の精算に3日かかる — store 12"),
            ("", "demand, demand; forecast!"),
            ("Weekly demand", "   "),
        ];
        for (title, description) in needs {
            let joined = probe.score(title, &format!("{title} {description}"));
            assert_eq!(probe.score_need(title, description), joined, "{title:?} {description:?}");
        }
    }

    #[test]
    fn reworded_needs_score_above_the_threshold_and_unrelated_ones_below() {
        let alike = [
            ("Forecast weekly demand for store 12", "Predict the demand of store 12 each week"),
            ("Automate expense claim checks", "Check expense claims automatically"),
            ("経費精算を楽にしたい", "経費の精算を簡単にしたい"),
            ("問い合わせメールの自動分類", "問い合わせメールを自動で分類したい"),
        ];
        for (a, b) in alike {
            assert!(s(a, b) >= THRESHOLD, "{a} / {b}: {}", s(a, b));
        }
        let unrelated = [
            ("Forecast weekly demand for store 12", "Detect duplicate supplier invoices"),
            ("Automate expense claim checks", "Translate the product manuals into Thai"),
            ("経費精算を楽にしたい", "在庫の需要予測をしたい"),
            ("問い合わせメールの自動分類", "工場の設備故障を予知したい"),
            ("経費精算を楽にしたい", "Automate expense claim checks"),
        ];
        for (a, b) in unrelated {
            assert!(s(a, b) < THRESHOLD, "{a} / {b}: {}", s(a, b));
        }
    }

    #[test]
    fn search_terms_are_long_enough_for_a_trigram_index_and_quoted() {
        let terms = search_terms("Fix the \"OR\" NEAR(x) 経費精算を楽にしたい", 10);
        assert!(terms.iter().all(|t| t.chars().count() >= 3), "{terms:?}");
        assert!(terms.contains(&"経費精".to_string()) && terms.contains(&"near".to_string()));
        assert!(!terms.contains(&"したい".to_string()), "kana alone is left out: {terms:?}");
        assert_eq!(fts5_query(&["a\"b".to_string(), "near".into()]), "\"a\"\"b\" OR \"near\"");
        assert!(search_terms("a b ab", 10).is_empty());
        assert_eq!(search_terms("Forecast the demand for each store", 10), ["forecast", "demand", "store"]);
    }
}
