//! Text within a platform's limits, written once for every transport: measure it, cut it (with a
//! visible "…" or without), split it into pieces. Each platform counts in its own [`Unit`]:
//! Slack in UTF-16 code units (never less than what Slack counts: an emoji is two), Discord in
//! characters.
//!
//! Splitting and marked shortening prefer a line break, then a space; with
//! [`Markup::Entities`] (Slack's mrkdwn) a cut never falls inside an entity (`&amp;`) or a
//! reference (`<@U1>`). A cut is always on a character boundary.

/// What a platform counts a text's length in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// UTF-16 code units (Slack).
    Utf16,
    /// Unicode scalar values (Discord).
    Char,
}

/// What a cut must not break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markup {
    /// Plain text: any character boundary will do.
    Plain,
    /// Text with `&…;` entities and `<…>` references that must stay whole.
    Entities,
}

/// The mark that shows a text was shortened.
pub const ELLIPSIS: char = '…';

impl Unit {
    /// The width of one character.
    pub fn width(self, c: char) -> usize {
        match self {
            Unit::Utf16 => c.len_utf16(),
            Unit::Char => 1,
        }
    }

    /// The length of `s`.
    pub fn len(self, s: &str) -> usize {
        match self {
            Unit::Utf16 => s.encode_utf16().count(),
            Unit::Char => s.chars().count(),
        }
    }

    /// The byte index after the longest prefix of `s` that is at most `max` long.
    fn fit(self, s: &str, max: usize) -> usize {
        let mut used = 0;
        for (i, c) in s.char_indices() {
            used += self.width(c);
            if used > max {
                return i;
            }
        }
        s.len()
    }

    /// The longest prefix of `s` at most `max` long, without a mark (for a value a person may
    /// submit again, where a "…" would become part of it).
    pub fn cut(self, s: &str, max: usize) -> &str {
        &s[..self.fit(s, max)]
    }

    /// `s` within `max`, with a visible "…" when it had to be cut.
    pub fn shorten(self, s: &str, max: usize) -> String {
        if self.len(s) <= max {
            return s.to_string();
        }
        let mut out = self.cut(s, max.saturating_sub(1)).to_string();
        out.push(ELLIPSIS);
        out
    }

    /// `s` within `max` with a visible "…" when cut, cut at a line break or a space where there
    /// is one and never inside what `markup` keeps whole.
    pub fn shorten_at_break(self, s: &str, max: usize, markup: Markup) -> String {
        if self.len(s) <= max {
            return s.to_string();
        }
        let at = self.break_point(s, max.saturating_sub(1), markup);
        format!("{}{ELLIPSIS}", s[..at].trim_end())
    }

    /// `s` in pieces of at most `max`: cut at line breaks where it can, else at spaces, else
    /// anywhere `markup` allows. Pieces lose their trailing white space; blank ones are left out.
    pub fn split(self, s: &str, max: usize, markup: Markup) -> Vec<String> {
        let mut pieces = Vec::new();
        let mut rest = s;
        while !rest.is_empty() {
            let at = self.break_point(rest, max, markup);
            let piece = rest[..at].trim_end();
            if !piece.trim().is_empty() {
                pieces.push(piece.to_string());
            }
            rest = &rest[at..];
        }
        pieces
    }

    /// Where `s` may be cut: a byte index at most `max` in (all of `s` if it fits), after the
    /// last line break, else after the last space, else before an unfinished entity or
    /// reference. Always past the first character, so splitting makes progress.
    fn break_point(self, s: &str, max: usize, markup: Markup) -> usize {
        let end = self.fit(s, max);
        if end >= s.len() {
            return s.len();
        }
        let head = &s[..end];
        if let Some(i) = head.rfind('\n').filter(|&i| i > 0) {
            return i + 1;
        }
        if let Some(i) = head.rfind(' ').filter(|&i| i > 0) {
            return i + 1;
        }
        let first = s.chars().next().map_or(0, char::len_utf8);
        if markup == Markup::Entities {
            let amp = head.rfind('&').filter(|&i| !head[i..].contains(';'));
            let lt = head.rfind('<').filter(|&i| !head[i..].contains('>'));
            if let Some(i) = amp.into_iter().chain(lt).min().filter(|&i| i > 0) {
                return i;
            }
        }
        end.max(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Markup::{Entities, Plain};
    use Unit::{Char, Utf16};

    #[test]
    fn each_platform_counts_in_its_own_unit() {
        assert_eq!(Utf16.len("😀a"), 3);
        assert_eq!(Char.len("😀a"), 2);
        assert_eq!(Utf16.cut("😀😀", 3), "😀", "never half a character");
        assert_eq!(Char.cut("😀😀", 1), "😀");
    }

    #[test]
    fn shortening_marks_the_cut_and_cutting_does_not() {
        assert_eq!(Utf16.shorten("abcdef", 4), "abc…");
        assert_eq!(Utf16.shorten("abc", 3), "abc");
        assert_eq!(Utf16.cut("abcdef", 4), "abcd");
        assert_eq!(Char.shorten("絵絵絵絵", 3), "絵絵…");
        assert_eq!(Utf16.len(&Utf16.shorten(&"😀".repeat(80), 150)), 149, "a pair is never cut in two");
    }

    #[test]
    fn markup_is_cut_at_breaks_and_never_inside_an_entity() {
        assert_eq!(Utf16.split("aaa bbb ccc", 8, Entities), ["aaa bbb", "ccc"]);
        assert_eq!(Utf16.split("x &amp;y", 6, Entities), ["x", "&amp;y"]);
        assert_eq!(Utf16.split("&amp;&amp;", 7, Entities), ["&amp;", "&amp;"]);
        assert_eq!(Utf16.split("<@U1><@U2>", 7, Entities), ["<@U1>", "<@U2>"]);
        assert_eq!(Utf16.shorten_at_break("hello &amp; bye", 10, Entities), "hello…");
        assert_eq!(Char.split("one\ntwo\nthree", 8, Plain), ["one\ntwo", "three"]);
    }

    #[test]
    fn one_very_long_line_is_split_at_spaces_or_anywhere() {
        let line = "abcdefghi ".repeat(1000);
        let pieces = Char.split(&line, 4096, Plain);
        assert!(pieces.iter().all(|p| p.chars().count() <= 4096));
        assert_eq!(pieces.concat().replace(' ', ""), line.replace(' ', ""));
        let solid = "x".repeat(9000);
        let pieces = Char.split(&solid, 4096, Plain);
        assert_eq!(pieces.iter().map(|p| p.len()).collect::<Vec<_>>(), vec![4096, 4096, 808]);
        assert_eq!(Char.split("😀😀", 0, Plain), ["😀", "😀"], "a piece holds a character at least");
    }
}
