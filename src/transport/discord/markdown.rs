//! Discord markdown from neutral blocks and spans: headings, small text, bold, code, lists and
//! fields, with people named only as the bot names them ([`Span::User`] ids become mentions, and
//! [`Markdown`] keeps them for `allowed_mentions`). Text a person typed is escaped: markdown
//! characters get a backslash, `@everyone`, `@here` and `<` a zero-width space.

use crate::chat::{Block, Span};

const ZWSP: char = '\u{200B}';

/// Markdown built block by block, with the users it names.
#[derive(Default)]
pub(super) struct Markdown {
    /// The lines written so far.
    lines: Vec<String>,
    /// The users it names.
    pub(super) mentions: Vec<u64>,
}

impl Markdown {
    pub(super) fn block(&mut self, block: &Block) {
        match block {
            Block::Heading(h) => self.lines.push(format!("### {}", escape(h, false))),
            Block::Text(spans) => {
                let s = self.spans(spans);
                self.lines.push(s);
            }
            Block::Context(spans) => {
                let s = self.spans(spans);
                let small: Vec<String> =
                    s.lines().filter(|l| !l.trim().is_empty()).map(|l| format!("-# {l}")).collect();
                self.lines.push(small.join("\n"));
            }
            Block::Fields(fields) => {
                let mut out = Vec::new();
                for (label, value) in fields {
                    let v = self.spans(value);
                    out.push(format!("**{}:** {v}", escape(label, false)));
                }
                self.lines.push(out.join("\n"));
            }
            Block::List(items) => {
                let mut out = Vec::new();
                for item in items {
                    let s = self.spans(item);
                    out.push(format!("- {}", s.replace('\n', "\n  ")));
                }
                self.lines.push(out.join("\n"));
            }
            Block::Divider => self.lines.push(String::new()),
            Block::Controls(_) => {}
        }
    }

    fn spans(&mut self, spans: &[Span]) -> String {
        let mut out = String::new();
        for span in spans {
            let line_start = out.is_empty() || out.ends_with('\n');
            match span {
                Span::Plain(t) => out.push_str(&escape(t, line_start)),
                Span::Bold(t) if !t.trim().is_empty() => {
                    // keep line breaks outside the stars so each line stays bold
                    let parts: Vec<String> = t
                        .split('\n')
                        .map(|p| if p.trim().is_empty() { p.to_string() } else { format!("**{}**", escape(p, false)) })
                        .collect();
                    out.push_str(&parts.join("\n"));
                }
                Span::Bold(t) => out.push_str(t),
                Span::Code(t) if !t.is_empty() => {
                    out.push('`');
                    out.push_str(&t.replace('`', "ˋ").replace('\n', " "));
                    out.push('`');
                }
                Span::Code(_) => {}
                Span::User(id) => match snowflake(id) {
                    Some(n) => {
                        if !self.mentions.contains(&n) {
                            self.mentions.push(n);
                        }
                        out.push_str(&format!("<@{n}>"));
                    }
                    None => out.push_str(&escape(&format!("@{id}"), line_start)),
                },
                // a channel link notifies nobody, so it needs no allowed mention
                Span::Channel(id) => match snowflake(id) {
                    Some(n) => out.push_str(&format!("<#{n}>")),
                    None => out.push_str(&escape(&format!("#{id}"), line_start)),
                },
            }
        }
        out
    }

    pub(super) fn finish(self) -> String {
        self.lines.join("\n")
    }
}

/// A Discord id (a snowflake): digits only.
pub fn snowflake(id: &str) -> Option<u64> {
    if id.is_empty() || id.len() > 20 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse().ok().filter(|&n| n > 0)
}

/// Text shown as typed: markdown characters escaped, mentions broken with a zero-width space.
pub fn escape(text: &str, at_line_start: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut line_start = at_line_start;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if line_start && c.is_ascii_digit() {
            // "1. " at the start of a line would become a numbered list
            let end = i + chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            out.extend(&chars[i..end]);
            i = end;
            if chars.get(end) == Some(&'.') {
                out.push_str("\\.");
                i += 1;
            }
            line_start = false;
            continue;
        }
        match c {
            '\\' | '*' | '_' | '~' | '`' | '|' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '<' => {
                out.push('<');
                out.push(ZWSP);
            }
            '@' => {
                out.push('@');
                let rest: String = chars[i + 1..].iter().take(8).collect();
                if rest.starts_with("everyone") || rest.starts_with("here") {
                    out.push(ZWSP);
                }
            }
            '#' | '>' | '-' | '+' if line_start => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        line_start = c == '\n' || (line_start && c == ' ');
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Message, text};
    use crate::transport::discord::render::message;

    #[test]
    fn typed_text_cannot_ping_or_format() {
        let s = escape("@everyone and @here, <@123> <@&9> <#5> **bold** _x_ `c` ||s|| [l](u)", true);
        assert!(!s.contains("@everyone") && !s.contains("@here"), "{s}");
        assert!(s.contains("@\u{200B}everyone") && s.contains("@\u{200B}here"));
        assert!(!s.contains("<@") && !s.contains("<#"), "{s}");
        assert!(s.contains("\\*\\*bold\\*\\*") && s.contains("\\_x\\_") && s.contains("\\`c\\`"));
        assert!(s.contains("\\|\\|s\\|\\|") && s.contains("\\[l\\](u)"), "{s}");
        assert_eq!(
            escape("# not a heading\n> not a quote\n- nor a list", true),
            "\\# not a heading\n\\> not a quote\n\\- nor a list"
        );
        assert_eq!(escape("1. first", true), "1\\. first");
        assert_eq!(escape("N-12 costs 3.5", true), "N-12 costs 3.5");
        assert_eq!(escape("a@b.example", false), "a@b.example");
    }

    #[test]
    fn blocks_become_markdown() {
        let m = Message::private(vec![
            Block::Heading("N-1 · Verdict".into()),
            Block::Context(text("question 4/12")),
            Block::Text(vec![Span::Bold("Why".into()), Span::plain(" because")]),
            Block::List(vec![vec![Span::Code("N-2".into()), Span::plain(" a title")]]),
            Block::Fields(vec![("Status".into(), text("screening"))]),
        ]);
        let content = &message(&m)[0].content;
        assert_eq!(
            content,
            "### N-1 · Verdict\n-# question 4/12\n**Why** because\n- `N-2` a title\n**Status:** screening"
        );
    }
}
