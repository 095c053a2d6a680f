//! The weekly digest in words: blocks every transport renders (Slack splits long ones over
//! messages, Discord uses embeds, the console prints them) and Markdown for the command line.

use chrono::Duration;

use super::message::{Block, Span, text};
use crate::chat::chart::{self, Labels};
use crate::domain::digest::{Credit, Digest};
use crate::domain::settings::{group, percent};
use crate::domain::stage::{Pain, Signals, Stage};
use crate::domain::{Lang, Settings};
use crate::prompts::Prompts;

/// The work of the week by name, the value checked, the overdue reviews and the needs waiting
/// too long (SPEC §5).
fn credit_blocks(prompts: &Prompts, lang: Lang, settings: &Settings, d: &Digest) -> Vec<Block> {
    let c = &d.credits;
    let count = |key: &str, n: usize| super::render::count_in(prompts, lang, key, n);
    let money = |x: f64| settings.value.currency.format(x);
    let tz = settings.schedule().tz();
    let mut blocks = Vec::new();
    let credited = |list: &[Credit]| -> Block {
        Block::List(
            list.iter()
                .map(|w| {
                    let mut line = vec![Span::Code(w.reference.to_string()), Span::plain(format!(" {}", w.title))];
                    if let Some(by) = &w.by {
                        line.push(Span::plain(" — "));
                        line.push(Span::User(by.clone()));
                    }
                    line
                })
                .collect(),
        )
    };
    for (key, list) in [
        ("digest.credit_delivered", &c.delivered),
        ("digest.credit_redirected", &c.redirected),
        ("digest.credit_in_service", &c.in_service),
    ] {
        if !list.is_empty() {
            blocks.push(Block::Text(vec![Span::Bold(count(key, list.len()))]));
            blocks.push(credited(list));
        }
    }
    if !c.confirmed.is_empty() {
        blocks.push(Block::Text(vec![Span::Bold(count("digest.confirmed", c.confirmed.len()))]));
        blocks.push(Block::List(
            c.confirmed
                .iter()
                .map(|v| {
                    let a_year = prompts.fill(lang, "digest.a_year", &[("value", money(v.amount))]);
                    vec![Span::Code(v.reference.to_string()), Span::plain(format!(" {} — {a_year}", v.title))]
                })
                .collect(),
        ));
    }
    if c.value.delivered > 0 {
        let share = percent((c.value.share_answered() * 1000.0).round() / 10.0);
        let line = prompts.fill(
            lang,
            "digest.value_checked",
            &[
                ("answered", c.value.answered.to_string()),
                ("delivered", count("digest.delivered_items", c.value.delivered)),
                ("share", share),
                ("realised", money(c.value.realised)),
                ("estimated", money(c.value.estimated_answered)),
            ],
        );
        blocks.push(Block::Context(text(line)));
    }
    if !c.overdue_reviews.is_empty() {
        blocks.push(Block::Text(vec![Span::Bold(count("digest.overdue_reviews", c.overdue_reviews.len()))]));
        blocks.push(Block::List(
            c.overdue_reviews
                .iter()
                .map(|r| {
                    let due = prompts.fill(
                        lang,
                        "digest.due",
                        &[("date", r.due.with_timezone(&tz).format("%Y-%m-%d").to_string())],
                    );
                    vec![
                        Span::Code(r.reference.to_string()),
                        Span::plain(format!(" {} ({due}) — ", r.title)),
                        Span::User(r.owner.clone()),
                    ]
                })
                .collect(),
        ));
    }
    if !c.waiting_over.is_empty() {
        let heading = count("digest.waiting_over", c.waiting_over.len());
        let heading = crate::domain::text::fill(&heading, &[("days", c.waiting_days.to_string())]);
        blocks.push(Block::Text(vec![Span::Bold(heading)]));
        blocks.push(Block::List(
            c.waiting_over
                .iter()
                .map(|w| {
                    let days = (d.at - w.submitted_at).num_days().max(0) as usize;
                    vec![
                        Span::Code(w.reference.to_string()),
                        Span::plain(format!(" {} — {}", w.title, count("digest.waiting_days", days))),
                    ]
                })
                .collect(),
        ));
    }
    blocks
}

/// Writes the digest of `workspace` in `lang`.
pub fn blocks(prompts: &Prompts, lang: Lang, workspace: &str, settings: &Settings, d: &Digest) -> Vec<Block> {
    let t = |key: &str| prompts.get(lang, key).to_string();
    let f = |key: &str, args: &[(&str, String)]| prompts.fill(lang, key, args);
    let tz = settings.schedule().tz();
    let day = |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&tz).format("%Y-%m-%d").to_string();
    let money = |x: f64| settings.value.currency.format(x);
    let e = &d.evaluation;
    let s = &e.signals;

    let mut blocks = vec![Block::Heading(f(
        "digest.title",
        &[("workspace", workspace.to_string()), ("date", day(d.at - Duration::seconds(1)))],
    ))];
    if let Some(due) = d.late_from {
        let due = due.with_timezone(&tz).format("%a %Y-%m-%d %H:%M %Z").to_string();
        blocks.push(Block::Context(text(f("digest.late", &[("due", due)]))));
    }

    // the stage, and what a change means
    let stage_name = |st: Stage| t(&format!("stages.stage.{}.name", st.number()));
    let mut stage_line = vec![Span::Bold(stage_name(e.stage))];
    if e.pinned {
        stage_line.push(Span::plain(format!(" {}", t("digest.pinned"))));
    }
    blocks.push(Block::Text(stage_line));
    blocks.push(Block::Context(text(t(&format!("stages.stage.{}.summary", e.stage.number())))));
    if let Some((from, to)) = e.transition {
        blocks.push(Block::Text(vec![Span::Bold(f(
            "digest.transition",
            &[("from", from.number().to_string()), ("to", to.number().to_string())],
        ))]));
        blocks.push(Block::Text(vec![
            Span::Bold(t("digest.expect")),
            Span::plain(format!(" {}", t(&format!("stages.stage.{}.pains", to.number())))),
        ]));
        blocks.push(Block::Text(vec![
            Span::Bold(t("digest.helps")),
            Span::plain(format!(" {}", t(&format!("stages.stage.{}.remedies", to.number())))),
        ]));
    }

    // contributions
    let both = |week: usize, four: usize| f("digest.both", &[("week", week.to_string()), ("four", four.to_string())]);
    blocks.push(Block::Text(vec![Span::Bold(t("digest.contributions"))]));
    blocks.push(Block::Fields(vec![
        (t("stats.delivered"), text(both(d.week.delivered, d.four_weeks.delivered))),
        (t("stats.redirected"), text(both(d.week.redirected, d.four_weeks.redirected))),
        (t("stats.seeds_in_service"), text(both(d.week.seeds_in_service, d.four_weeks.seeds_in_service))),
        (
            t("stats.value_delivered"),
            text(f(
                "digest.both",
                &[("week", money(d.week.value_delivered)), ("four", money(d.four_weeks.value_delivered))],
            )),
        ),
    ]));
    if d.is_quiet() {
        blocks.push(Block::Context(text(t("digest.quiet"))));
    }
    blocks.extend(credit_blocks(prompts, lang, settings, d));

    // what waits
    blocks.push(Block::Text(vec![Span::Bold(t("digest.waits"))]));
    let first = s.first_response_hours.map(|h| duration(prompts, lang, h)).unwrap_or_else(|| t("show.none"));
    blocks.push(Block::Fields(vec![
        (t("stats.backlog"), text(s.backlog.to_string())),
        (t("digest.needs_in"), text(both(d.week.needs_in, d.four_weeks.needs_in))),
        (t("stats.first_response"), text(first)),
    ]));
    if !d.oldest_waiting.is_empty() {
        blocks.push(Block::Text(text(t("digest.oldest"))));
        blocks.push(Block::List(
            d.oldest_waiting
                .iter()
                .map(|w| {
                    let days = (d.at - w.submitted_at).num_days().max(0);
                    let team = if w.team.is_empty() { String::new() } else { format!(" ({})", w.team) };
                    vec![
                        Span::Code(w.reference.to_string()),
                        Span::plain(format!(
                            " {}{team} — {}",
                            w.title,
                            super::render::count_in(prompts, lang, "digest.waiting_days", days as usize)
                        )),
                    ]
                })
                .collect(),
        ));
    }

    // needs versus seeds, and who asks
    blocks.push(Block::Text(vec![
        Span::Bold(t("digest.share")),
        Span::plain(format!(
            " {}",
            if s.needs_in_progress + s.seeds_active == 0 {
                // no share of nothing: "seeds are 0% of the work" would read as a finding
                t("digest.share_none")
            } else {
                f(
                    "digest.share_line",
                    &[
                        ("needs", s.needs_in_progress.to_string()),
                        ("seeds", s.seeds_active.to_string()),
                        ("share", percent((s.seed_share * 1000.0).round() / 10.0)),
                    ],
                )
            }
        )),
    ]));
    if !d.teams.is_empty() {
        let teams = d.teams.iter().map(|(team, n)| format!("{team} {n}")).collect::<Vec<_>>().join(" · ");
        blocks.push(Block::Text(vec![Span::Bold(t("digest.teams")), Span::plain(format!(" {teams}"))]));
    }

    // pains seen, and what helps
    if !e.pains.is_empty() {
        blocks.push(Block::Text(vec![Span::Bold(t("digest.pains"))]));
        blocks.push(Block::List(
            e.pains
                .iter()
                .map(|p| {
                    vec![
                        Span::plain(pain_text(prompts, lang, *p, s)),
                        Span::plain(" "),
                        Span::Bold(t("digest.remedy")),
                        Span::plain(format!(" {}", t(&format!("stages.pains.{}.remedy", p.as_str())))),
                    ]
                })
                .collect(),
        ));
    }
    blocks.push(Block::Context(text(t("stages.common.remedy"))));
    blocks.push(Block::Context(text(t("digest.chart_caption"))));
    blocks
}

/// A pain in words, with the figures that show it.
fn pain_text(prompts: &Prompts, lang: Lang, pain: Pain, s: &Signals) -> String {
    let share = |x: Option<f64>| percent((x.unwrap_or(0.0) * 1000.0).round() / 10.0);
    let args: Vec<(&str, String)> = match pain {
        Pain::BacklogGrowing | Pain::NothingDelivered => vec![("backlog", s.backlog.to_string())],
        Pain::DataNotOrganised => vec![("share", share(s.low_data_share))],
        Pain::NoRoomForSeeds => vec![("share", share(Some(s.seed_share)))],
        Pain::SeedsNotAdopted => vec![
            ("adopted", ((s.adoption.unwrap_or(0.0) * s.seeds_decided as f64).round() as usize).to_string()),
            ("decided", s.seeds_decided.to_string()),
        ],
        Pain::SlowFirstResponse => vec![("hours", duration(prompts, lang, s.first_response_hours.unwrap_or(0.0)))],
        Pain::PartTimeExperts => Vec::new(),
    };
    prompts.fill(lang, &format!("stages.pains.{}.text", pain.as_str()), &args)
}

fn duration(prompts: &Prompts, lang: Lang, hours: f64) -> String {
    if hours < 48.0 {
        prompts.fill(lang, "duration.hours", &[("n", group((hours * 10.0).round() / 10.0))])
    } else {
        prompts.fill(lang, "duration.days", &[("n", group((hours / 24.0 * 10.0).round() / 10.0))])
    }
}

/// The chart for the digest, with labels in `lang`.
pub fn chart_png(prompts: &Prompts, lang: Lang, settings: &Settings, d: &Digest) -> Result<Vec<u8>, chart::ChartError> {
    let t = |key: &str| prompts.get(lang, key).to_string();
    let labels = Labels {
        title: t("chart.title"),
        needs_in: t("chart.needs_in"),
        needs_done: t("chart.needs_done"),
        seeds_in_service: t("chart.seeds_in_service"),
    };
    chart::png(&d.chart, &labels, settings.schedule().tz())
}

/// Blocks as Markdown (for `kakehashi digest --dry-run` and files).
pub fn markdown(blocks: &[Block]) -> String {
    let spans = |s: &[Span]| -> String {
        s.iter()
            .map(|s| match s {
                Span::Plain(t) => escape_md(t),
                Span::Bold(t) => format!("**{}**", escape_md(t)),
                Span::Code(t) => format!("`{}`", t.replace('`', "'")),
                Span::User(id) => format!("@{}", escape_md(id)),
                Span::Channel(id) => format!("#{}", escape_md(id)),
            })
            .collect()
    };
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Heading(h) => out.push_str(&format!("## {}\n\n", escape_md(h))),
            Block::Text(s) => out.push_str(&format!("{}\n\n", spans(s))),
            Block::Context(s) => out.push_str(&format!("_{}_\n\n", spans(s))),
            Block::Fields(fields) => {
                for (label, value) in fields {
                    out.push_str(&format!("- **{}**: {}\n", escape_md(label), spans(value)));
                }
                out.push('\n');
            }
            Block::List(items) => {
                for item in items {
                    out.push_str(&format!("- {}\n", spans(item)));
                }
                out.push('\n');
            }
            Block::Divider => out.push_str("---\n\n"),
            Block::Controls(_) => {}
        }
    }
    out
}

/// Keeps user text from becoming Markdown structure.
fn escape_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
