//! A verdict in words, in one language.

use super::*;
use crate::domain::checklist::Checklist;
use crate::domain::lang::Lang;
use crate::domain::settings::{Currency, ValueSettings, group, percent};
use crate::domain::text::fill;

/// Every text key the verdict and its rendering use; prompts/checklist.toml must hold exactly
/// these (besides the questions).
pub fn text_keys() -> Vec<String> {
    let mut keys = Vec::new();
    for o in Outcome::ALL {
        keys.push(format!("outcomes.{}.title", o.as_str()));
        keys.push(format!("outcomes.{}.next", o.as_str()));
    }
    keys.push("outcomes.data_first.next_labels".into());
    keys.push("outcomes.ml_prototype.next_unnamed".into());
    for f in Flag::ALL {
        keys.push(format!("flags.{}.title", f.as_str()));
        keys.push(format!("flags.{}.text", f.as_str()));
    }
    let levels = SCHEMA.iter().find(|(id, _, _)| *id == "data_level").map(|(_, _, o)| *o).unwrap_or(&[]);
    for level in levels {
        keys.push(format!("data_levels.{level}.invest"));
    }
    for key in REASON_KEYS {
        keys.push(format!("reasons.{key}"));
    }
    keys
}

const REASON_KEYS: &[&str] = &[
    "missing",
    "no_answer",
    "clarify.unsure",
    "clarify.vague",
    "clarify.clear",
    "clarify.driven",
    "report.yes",
    "report.no",
    "digitize.paper",
    "digitize.not_recorded",
    "digitize.no",
    "workflow.untried",
    "workflow.people_enough",
    "workflow.no",
    "workflow.no_accuracy",
    "workflow.machine",
    "workflow.machine_accuracy",
    "worth.skipped",
    "worth.no",
    "worth.yes",
    "value.revenue",
    "value.labour",
    "value.total",
    "value.nothing",
    "data.level",
    "data.labels",
    "data.ok",
    "data.rules",
    "baseline.measure_people",
    "baseline.rules",
    "baseline.lv2",
    "baseline.ok",
    "prototype.go",
    "prototype.unnamed",
    "prototype.error",
    "change.halved",
    "change.cut",
    "change.none",
];

/// A verdict in words, in one language: what chat replies show and `assess` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rendered {
    pub outcome: Outcome,
    pub title: String,
    pub reasons: Vec<RenderedReason>,
    pub flags: Vec<RenderedFlag>,
    pub next_step: String,
    pub value: Option<ValueEstimate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RenderedReason {
    pub rule: Outcome,
    pub matched: bool,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RenderedFlag {
    pub flag: Flag,
    pub title: String,
    pub text: String,
    pub because: Vec<String>,
}

/// Writes a verdict out in `lang`.
pub fn render(checklist: &Checklist, verdict: &Verdict, lang: Lang) -> Rendered {
    let w = Writer { checklist, lang };
    Rendered {
        outcome: verdict.outcome,
        title: checklist.text(&format!("outcomes.{}.title", verdict.outcome.as_str()), lang).to_string(),
        reasons: verdict
            .reasons
            .iter()
            .map(|r| RenderedReason {
                rule: r.rule,
                matched: r.matched,
                text: w.fill(&format!("reasons.{}", r.key), &r.args),
            })
            .collect(),
        flags: verdict
            .flags
            .iter()
            .map(|f| RenderedFlag {
                flag: f.flag,
                title: checklist.text(&format!("flags.{}.title", f.flag.as_str()), lang).to_string(),
                text: checklist.text(&format!("flags.{}.text", f.flag.as_str()), lang).to_string(),
                because: f.because.iter().map(|a| w.labelled(a)).collect(),
            })
            .collect(),
        next_step: w.fill(&verdict.next.key, &verdict.next.args),
        value: verdict.value.clone(),
    }
}

struct Writer<'a> {
    checklist: &'a Checklist,
    lang: Lang,
}

impl Writer<'_> {
    fn text(&self, key: &str) -> String {
        self.checklist.text(key, self.lang).to_string()
    }

    fn fill(&self, key: &str, args: &[(String, Arg)]) -> String {
        let values: Vec<(&str, String)> = args.iter().map(|(k, a)| (k.as_str(), self.arg(a))).collect();
        fill(&self.text(key), &values)
    }

    /// "Label: answer", for lists of what raised a flag.
    fn labelled(&self, arg: &Arg) -> String {
        match arg {
            Arg::Answer { question, .. } => {
                let label = self.checklist.question(question).map(|q| q.label.get(self.lang)).unwrap_or(question);
                format!("{label}: {}", self.arg(arg))
            }
            other => self.arg(other),
        }
    }

    fn arg(&self, arg: &Arg) -> String {
        match arg {
            Arg::Answer { question, value } => self.answer(question, value.as_ref()),
            Arg::Missing { questions } => questions
                .iter()
                .map(|q| self.checklist.question(q).map(|q| q.label.get(self.lang).to_string()).unwrap_or(q.clone()))
                .collect::<Vec<_>>()
                .join(", "),
            Arg::Money { amount, currency } => self.currency_of(Some(currency)).format(*amount),
            Arg::Value { estimate } => self.arithmetic(estimate),
            Arg::ErrorChange { from, to } => {
                let values = [("from", percent(*from)), ("to", percent(*to))];
                if *to >= *from || *from <= 0.0 {
                    fill(&self.text("reasons.change.none"), &values)
                } else if (to * 2.0 - from).abs() < 1e-9 {
                    fill(&self.text("reasons.change.halved"), &values)
                } else {
                    let cut = percent((1.0 - to / from) * 100.0);
                    let mut v = values.to_vec();
                    v.push(("cut", cut));
                    fill(&self.text("reasons.change.cut"), &v)
                }
            }
            Arg::Invest { level } => self.text(&format!("data_levels.{level}.invest")),
        }
    }

    fn currency_of(&self, code: Option<&str>) -> Currency {
        code.and_then(|c| Currency::parse(c).ok()).unwrap_or_else(|| ValueSettings::default().currency)
    }

    fn arithmetic(&self, e: &ValueEstimate) -> String {
        let cur = self.currency_of(Some(&e.currency));
        let mut parts = Vec::new();
        if let Some(r) = &e.revenue {
            parts.push(fill(
                &self.text("reasons.value.revenue"),
                &[("uplift", percent(r.uplift_pct)), ("base", cur.format(r.base)), ("amount", cur.format(r.amount))],
            ));
        }
        if let Some(l) = &e.labour {
            parts.push(fill(
                &self.text("reasons.value.labour"),
                &[
                    ("hours", group(l.hours_per_month)),
                    ("hourly", cur.format(l.hourly_cost)),
                    ("share", percent(l.automatable_share * 100.0)),
                    ("amount", cur.format(l.amount)),
                ],
            ));
        }
        match parts.len() {
            0 => parts.push(self.text("reasons.value.nothing")),
            1 => {}
            _ => parts.push(fill(&self.text("reasons.value.total"), &[("total", cur.format(e.yearly_value))])),
        }
        let sep = if self.lang == Lang::Ja { "" } else { " " };
        parts.join(sep)
    }

    fn answer(&self, question: &str, value: Option<&Answer>) -> String {
        match value {
            None => self.text("reasons.no_answer"),
            Some(a) => answer_text(self.checklist, question, a, self.lang),
        }
    }
}

/// An answer in words: option labels, a grouped number, or the text (shortened).
pub fn answer_text(checklist: &Checklist, question: &str, answer: &Answer, lang: Lang) -> String {
    let q = checklist.question(question);
    let label = |id: &str| q.and_then(|q| q.option_label(id, lang)).unwrap_or(id).to_string();
    match answer {
        Answer::Text(s) => shorten(s, 80),
        Answer::One(o) => label(o),
        Answer::Many(list) => {
            let sep = if lang == Lang::Ja { "、" } else { ", " };
            list.iter().map(|o| label(o)).collect::<Vec<_>>().join(sep)
        }
        Answer::Number(n) => group(*n),
    }
}

/// Cuts long quoted text at a character boundary, marking the cut.
pub fn shorten(s: &str, max: usize) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut out: String = one_line.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}
