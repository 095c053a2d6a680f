//! Building blocks of replies that several handlers share: statuses, verdicts, answers, items.

use super::Ctx;
use super::message::{Block, Span, text};
use crate::domain::checklist::{Answer, Question};
use crate::domain::verdict::{self, Verdict};
use crate::domain::{Currency, ItemRef, Lang, Outcome, Status};
use crate::prompts::Prompts;

/// A text with a `{who}` placeholder as spans, the person mentioned where the text puts them
/// (so each language places the name, with its own spacing).
pub fn with_person(template: &str, user: &str) -> Vec<Span> {
    with_span(template, "{who}", Span::User(user.into()))
}

/// A text with `placeholder` (left unfilled) as `span` wherever it stands.
pub fn with_span(template: &str, placeholder: &str, span: Span) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut parts = template.split(placeholder).peekable();
    while let Some(part) = parts.next() {
        if !part.is_empty() {
            spans.push(Span::plain(part));
        }
        if parts.peek().is_some() {
            spans.push(span.clone());
        }
    }
    spans
}

pub fn status(ctx: &Ctx, status: Status) -> String {
    ctx.t(&format!("status.{}", status.as_str()))
}

pub fn outcome(ctx: &Ctx, outcome: Outcome) -> String {
    ctx.prompts().checklist.text(&format!("outcomes.{}.title", outcome.as_str()), ctx.lang).to_string()
}

/// An answer in words, in the person's language.
pub fn answer(ctx: &Ctx, question: &str, answer: &Answer) -> String {
    verdict::answer_text(&ctx.prompts().checklist, question, answer, ctx.lang)
}

/// Answers as label: answer fields.
pub fn answers(ctx: &Ctx, answered: &[(&Question, &Answer)]) -> Block {
    Block::Fields(
        answered.iter().map(|(q, a)| (q.label.get(ctx.lang).to_string(), text(answer(ctx, &q.id, a)))).collect(),
    )
}

/// A question's short label.
pub fn question_label(ctx: &Ctx, question: &str) -> String {
    ctx.prompts()
        .checklist
        .question(question)
        .map(|q| q.label.get(ctx.lang).to_string())
        .unwrap_or_else(|| question.to_string())
}

/// A verdict: the outcome, every reason, the flags, the value, the next step.
pub fn verdict(ctx: &Ctx, item: ItemRef, v: &Verdict) -> Vec<Block> {
    verdict_blocks(ctx.prompts(), ctx.lang, Some(item), v)
}

/// The same without a conversation (for `kakehashi assess`).
pub fn verdict_blocks(prompts: &Prompts, lang: Lang, item: Option<ItemRef>, v: &Verdict) -> Vec<Block> {
    let r = verdict::render(&prompts.checklist, v, lang);
    let heading = match item {
        Some(item) => prompts.fill(lang, "verdict.heading", &[("item", item.to_string()), ("title", r.title)]),
        None => prompts.fill(lang, "verdict.heading_plain", &[("title", r.title)]),
    };
    let mut blocks = vec![Block::Heading(heading)];
    blocks.push(Block::Text(vec![Span::Bold(prompts.get(lang, "verdict.why").to_string())]));
    // every rule checked: ✓ passed (not this outcome), ➜ the one that decided
    let mut why = Vec::new();
    for (i, reason) in r.reasons.iter().enumerate() {
        if i > 0 {
            why.push(Span::plain("\n"));
        }
        if reason.matched {
            why.push(Span::Bold(format!("➜ {}", reason.text)));
        } else {
            why.push(Span::plain(format!("✓ {}", reason.text)));
        }
    }
    blocks.push(Block::Text(why));
    if !r.flags.is_empty() {
        blocks.push(Block::Text(vec![Span::Bold(prompts.get(lang, "verdict.flags").to_string())]));
        blocks.push(Block::List(
            r.flags
                .iter()
                .map(|f| {
                    vec![Span::Bold(f.title.clone()), Span::plain(format!(" — {} ({})", f.text, f.because.join("; ")))]
                })
                .collect(),
        ));
    }
    if let Some(e) = &v.value
        && let Ok(currency) = Currency::parse(&e.currency)
    {
        blocks.push(Block::Context(text(prompts.fill(
            lang,
            "verdict.value",
            &[("value", currency.format(e.yearly_value)), ("cost", currency.format(e.yearly_cost))],
        ))));
    }
    blocks.push(Block::Text(vec![
        Span::Bold(prompts.get(lang, "verdict.next").to_string()),
        Span::plain(format!(" {}", r.next_step)),
    ]));
    blocks
}

/// One line of a list of items: `N-3 Forecast demand · accepted · Worth an ML prototype · Sales`.
/// How much of a closing note a list of similar needs shows.
const SIMILAR_NOTE_CHARS: usize = 200;

/// Earlier needs that read alike, one line each: the id, title, status and the note it was
/// closed, redirected or declined with (cut short).
pub fn similar_list(p: &Prompts, lang: Lang, needs: &[crate::storage::SimilarNeed]) -> Block {
    Block::List(
        needs
            .iter()
            .map(|n| {
                let status = p.get(lang, &format!("status.{}", n.status.as_str())).to_string();
                let mut line = format!(" {} · {status}", n.title);
                if let Some(note) = n.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                    let mut short: String = note.chars().take(SIMILAR_NOTE_CHARS).collect();
                    if short.len() < note.len() {
                        short.push('…');
                    }
                    line.push_str(&p.fill(lang, "similar.note", &[("note", short)]));
                }
                vec![Span::Code(n.reference.to_string()), Span::Plain(line)]
            })
            .collect(),
    )
}

pub fn item_line(ctx: &Ctx, i: &crate::storage::ItemSummary, with_team: bool) -> Vec<Span> {
    let mut line = format!(" {} · {}", i.title, status(ctx, i.status));
    if let Some(o) = i.outcome {
        line.push_str(&format!(" · {}", outcome(ctx, o)));
    }
    if with_team && !i.team.is_empty() {
        line.push_str(&format!(" · {}", i.team));
    }
    vec![Span::Code(i.reference.to_string()), Span::Plain(line)]
}

/// A duration for people: hours under two days, days above.
pub fn duration(ctx: &Ctx, hours: f64) -> String {
    if hours < 48.0 {
        ctx.tf("duration.hours", &[("n", crate::domain::settings::group((hours * 10.0).round() / 10.0))])
    } else {
        ctx.tf("duration.days", &[("n", crate::domain::settings::group((hours / 24.0 * 10.0).round() / 10.0))])
    }
}

/// A text that broke a limit, in words.
pub fn text_error(ctx: &Ctx, e: &crate::domain::text::TextError) -> String {
    use crate::domain::text::{TextError, TextField};
    let field = |f: &TextField| {
        let key = match f {
            TextField::Title => "field.title",
            TextField::Description => "field.description",
            TextField::Team => "field.team",
            TextField::Note => "field.note",
            TextField::Answer => "field.answer",
        };
        ctx.t(key)
    };
    match e {
        TextError::Empty { field: f } => ctx.tf("text.empty", &[("field", field(f))]),
        TextError::TooLong { field: f, len, max } => {
            ctx.tf("text.too_long", &[("field", field(f)), ("len", len.to_string()), ("max", max.to_string())])
        }
    }
}

/// Who did something: a person as the platform names them, or the bot itself (its reminders),
/// which is no person to mention.
pub fn actor(id: &str) -> Span {
    if id == crate::domain::nudge::BOT { Span::Bold(id.to_string()) } else { Span::User(id.into()) }
}

/// A count in words with the right plural: `key_one` for one, `key_other` otherwise, `{n}` filled
/// (Japanese has one form, written under both keys).
pub fn count(ctx: &Ctx, key: &str, n: usize) -> String {
    count_in(ctx.prompts(), ctx.lang, key, n)
}

/// [`count`] for texts that are not replies (the digest, reminders).
pub fn count_in(prompts: &Prompts, lang: Lang, key: &str, n: usize) -> String {
    let form = if n == 1 { "one" } else { "other" };
    prompts.fill(lang, &format!("{key}_{form}"), &[("n", n.to_string())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_goes_where_the_text_puts_them_with_its_spacing() {
        assert_eq!(with_person("By {who}.", "U1"), vec![Span::plain("By "), Span::User("U1".into()), Span::plain(".")]);
        assert_eq!(with_person("対応：{who}", "U1"), vec![Span::plain("対応："), Span::User("U1".into())]);
    }
}
