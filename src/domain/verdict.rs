//! The verdict of the checklist (SPEC §2): rules in order, the first that matches sets the
//! outcome; every rule checked adds a reason quoting the answers it used; flags for every
//! outcome; the value arithmetic; the next step.
//!
//! A verdict is stored as data ([`Verdict`]: keys and arguments, no language), so it can be shown
//! in any language later; [`render`] turns it into words. A rule whose inputs are missing does not
//! match: it reports which answers it lacked.

use serde::{Deserialize, Serialize};

use super::checklist::{Answer, Checklist, Input, KindTag, View};
use super::lang::Lang;
use super::settings::{Currency, ValueSettings, group, percent};
use super::text::fill;

/// The questions (with kind and options) the rules below read. The checklist file is checked
/// against this list when it is loaded.
pub const SCHEMA: &[(&str, KindTag, &[&str])] = &[
    ("action", KindTag::One, &["automatic", "person_decides", "report", "unsure"]),
    ("driver", KindTag::One, &["problem", "opportunity", "mandate", "curious"]),
    ("goal", KindTag::Text, &[]),
    ("current", KindTag::One, &["paper", "people_digital", "rules", "model", "not_done"]),
    ("data_level", KindTag::One, &["not_recorded", "lv0", "lv1", "lv2", "lv3", "lv4", "lv5"]),
    (
        "fit",
        KindTag::Many,
        &["volume", "unpleasant", "latency", "device", "unobservable", "training_cost", "drift", "none"],
    ),
    ("alternatives", KindTag::One, &["tried_failed", "not_tried_plausible", "not_applicable"]),
    ("baseline", KindTag::One, &["measured", "estimate", "unknown"]),
    ("baseline_accuracy", KindTag::Number, &[]),
    ("target_accuracy", KindTag::Number, &[]),
    ("volume", KindTag::Number, &[]),
    ("hours", KindTag::Number, &[]),
    ("value_base", KindTag::Number, &[]),
    ("uplift_pct", KindTag::Number, &[]),
    ("rules", KindTag::One, &["few_rules", "many_brittle", "impossible"]),
    ("labels", KindTag::One, &["none", "lt_1k", "1k_100k", "gt_100k"]),
    ("error_cost", KindTag::One, &["low", "medium", "high", "unacceptable"]),
    ("human_review", KindTag::One, &["yes", "no"]),
    ("owner", KindTag::One, &["funded_owner", "unfunded_owner", "no_owner"]),
    ("scale", KindTag::One, &["yes", "maybe", "no"]),
    ("feedback", KindTag::One, &["immediate_recorded", "delayed_recorded", "not_recorded"]),
    ("people_impact", KindTag::Many, &["decisions_about_people", "personal_data", "must_explain", "none"]),
    ("maintenance", KindTag::One, &["ai_team", "requester_team", "vendor", "nobody"]),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Clarify,
    NotMlReport,
    NotMlDigitize,
    NotMlWorkflow,
    NotWorthIt,
    DataFirst,
    BaselineFirst,
    MlPrototype,
}

impl Outcome {
    /// In the order the rules are checked.
    pub const ALL: [Outcome; 8] = [
        Outcome::Clarify,
        Outcome::NotMlReport,
        Outcome::NotMlDigitize,
        Outcome::NotMlWorkflow,
        Outcome::NotWorthIt,
        Outcome::DataFirst,
        Outcome::BaselineFirst,
        Outcome::MlPrototype,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Clarify => "clarify",
            Outcome::NotMlReport => "not_ml_report",
            Outcome::NotMlDigitize => "not_ml_digitize",
            Outcome::NotMlWorkflow => "not_ml_workflow",
            Outcome::NotWorthIt => "not_worth_it",
            Outcome::DataFirst => "data_first",
            Outcome::BaselineFirst => "baseline_first",
            Outcome::MlPrototype => "ml_prototype",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The outcomes that answer "not ML, do this instead".
    pub fn is_not_ml(self) -> bool {
        matches!(self, Outcome::NotMlReport | Outcome::NotMlDigitize | Outcome::NotMlWorkflow)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    Maintenance,
    Ethics,
    Latency,
    Embedded,
    ErrorCost,
    Demand,
    NoBaseline,
}

impl Flag {
    pub const ALL: [Flag; 7] = [
        Flag::Maintenance,
        Flag::Ethics,
        Flag::Latency,
        Flag::Embedded,
        Flag::ErrorCost,
        Flag::Demand,
        Flag::NoBaseline,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Maintenance => "maintenance",
            Flag::Ethics => "ethics",
            Flag::Latency => "latency",
            Flag::Embedded => "embedded",
            Flag::ErrorCost => "error_cost",
            Flag::Demand => "demand",
            Flag::NoBaseline => "no_baseline",
        }
    }

    pub fn parse(s: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// A value a reason quotes, kept as data so the reason can be written in any language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Arg {
    /// The answer to a question as it was when the verdict was made (`None`: not answered).
    Answer {
        question: String,
        value: Option<Answer>,
    },
    /// Questions a rule needed and did not have.
    Missing {
        questions: Vec<String>,
    },
    Money {
        amount: f64,
        currency: String,
    },
    /// The whole value arithmetic of rule 5.
    Value {
        estimate: ValueEstimate,
    },
    /// The error rate before and after, in percent.
    ErrorChange {
        from: f64,
        to: f64,
    },
    /// What to invest in next at a data level.
    Invest {
        level: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub rule: Outcome,
    pub matched: bool,
    /// The text under `reasons.` in prompts/checklist.toml.
    pub key: String,
    pub args: Vec<(String, Arg)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlagHit {
    pub flag: Flag,
    /// The answers that raised it.
    pub because: Vec<Arg>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revenue {
    pub base: f64,
    pub uplift_pct: f64,
    pub amount: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Labour {
    pub hours_per_month: f64,
    pub hourly_cost: f64,
    pub automatable_share: f64,
    pub amount: f64,
}

/// V = value_base × uplift_pct/100 + hours × 12 × hourly_cost × automatable_share, against the
/// yearly cost C of an ML project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueEstimate {
    pub currency: String,
    pub revenue: Option<Revenue>,
    pub labour: Option<Labour>,
    pub yearly_value: f64,
    pub yearly_cost: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextStep {
    pub key: String,
    pub args: Vec<(String, Arg)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    pub flags: Vec<FlagHit>,
    pub value: Option<ValueEstimate>,
    pub next: NextStep,
}

impl Verdict {
    pub fn flag_ids(&self) -> Vec<Flag> {
        self.flags.iter().map(|f| f.flag).collect()
    }
}

/// Runs the decision procedure of SPEC §2 on a need's answers.
pub fn assess(view: &View<'_>, settings: &ValueSettings) -> Verdict {
    let c = Ctx { view, settings };
    let estimate = c.estimate();
    let mut reasons = Vec::with_capacity(8);
    let mut outcome = Outcome::MlPrototype;
    let mut data_by_labels = false;
    let rules: [&dyn Fn(&Ctx) -> Checked; 8] =
        [&clarify, &report, &digitize, &workflow, &|c: &Ctx| worth(c, &estimate), &data, &baseline, &prototype];
    for rule in rules {
        let checked = rule(&c);
        let matched = checked.matched;
        if matched && checked.rule == Outcome::DataFirst {
            data_by_labels = checked.key == "data.labels";
        }
        reasons.push(checked.into_reason());
        if matched {
            outcome = reasons.last().map(|r| r.rule).unwrap_or(Outcome::MlPrototype);
            break;
        }
    }
    let next = c.next_step(outcome, data_by_labels);
    Verdict {
        outcome,
        reasons,
        flags: c.flags(),
        value: match estimate {
            Estimate::Ready(e) => Some(e),
            _ => None,
        },
        next,
    }
}

/// What a question gives a rule: its answer, skipped by `ask_if`, or missing.
enum In<T> {
    Is(T),
    Skipped,
    Missing,
}

impl<T> In<T> {
    /// A comparison: false when the question was skipped, unknown when it is missing.
    fn test(self, f: impl FnOnce(T) -> bool) -> Option<bool> {
        match self {
            In::Is(v) => Some(f(v)),
            In::Skipped => Some(false),
            In::Missing => None,
        }
    }
}

fn and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

struct Checked {
    rule: Outcome,
    matched: bool,
    key: &'static str,
    args: Vec<(String, Arg)>,
}

impl Checked {
    fn into_reason(self) -> Reason {
        Reason { rule: self.rule, matched: self.matched, key: self.key.to_string(), args: self.args }
    }
}

enum Estimate {
    NotGiven,
    Incomplete,
    Ready(ValueEstimate),
}

struct Ctx<'v, 'a> {
    view: &'v View<'a>,
    settings: &'v ValueSettings,
}

impl Ctx<'_, '_> {
    fn input(&self, q: &str) -> Input<'_> {
        self.view.input(q)
    }

    fn one(&self, q: &str) -> In<&str> {
        match self.input(q) {
            Input::Given(Answer::One(s)) => In::Is(s.as_str()),
            Input::Skipped => In::Skipped,
            _ => In::Missing,
        }
    }

    fn is(&self, q: &str, options: &[&str]) -> Option<bool> {
        self.one(q).test(|v| options.contains(&v))
    }

    fn many(&self, q: &str) -> In<&[String]> {
        match self.input(q) {
            Input::Given(Answer::Many(v)) => In::Is(v.as_slice()),
            Input::Skipped => In::Skipped,
            _ => In::Missing,
        }
    }

    fn has(&self, q: &str, option: &str) -> Option<bool> {
        self.many(q).test(|v| v.iter().any(|o| o == option))
    }

    fn number(&self, q: &str) -> In<f64> {
        match self.input(q) {
            Input::Given(Answer::Number(x)) => In::Is(*x),
            Input::Skipped => In::Skipped,
            _ => In::Missing,
        }
    }

    fn text(&self, q: &str) -> In<&str> {
        match self.input(q) {
            Input::Given(Answer::Text(s)) => In::Is(s.as_str()),
            Input::Skipped => In::Skipped,
            _ => In::Missing,
        }
    }

    fn quote(&self, q: &str) -> Arg {
        let value = match self.input(q) {
            Input::Given(a) => Some(a.clone()),
            _ => None,
        };
        Arg::Answer { question: q.to_string(), value }
    }

    fn quotes(&self, qs: &[&str]) -> Vec<(String, Arg)> {
        qs.iter().map(|q| (q.to_string(), self.quote(q))).collect()
    }

    fn hit(&self, rule: Outcome, key: &'static str, qs: &[&str]) -> Checked {
        Checked { rule, matched: true, key, args: self.quotes(qs) }
    }

    fn pass(&self, rule: Outcome, key: &'static str, qs: &[&str]) -> Checked {
        Checked { rule, matched: false, key, args: self.quotes(qs) }
    }

    /// A rule that could not be decided: it does not match, and says what it lacked.
    fn lacking(&self, rule: Outcome, inputs: &[&str]) -> Checked {
        let questions =
            inputs.iter().filter(|q| matches!(self.input(q), Input::Missing)).map(|q| q.to_string()).collect();
        Checked { rule, matched: false, key: "missing", args: vec![("questions".into(), Arg::Missing { questions })] }
    }

    fn estimate(&self) -> Estimate {
        let inputs = ["value_base", "uplift_pct", "hours"];
        let missing: Vec<String> =
            inputs.iter().filter(|q| matches!(self.input(q), Input::Missing)).map(|q| q.to_string()).collect();
        let given = inputs.iter().filter(|q| matches!(self.input(q), Input::Given(_))).count();
        if given == 0 {
            return Estimate::NotGiven;
        }
        if !missing.is_empty() {
            return Estimate::Incomplete;
        }
        let s = self.settings;
        let revenue = match (self.number("value_base"), self.number("uplift_pct")) {
            (In::Is(base), In::Is(uplift)) if base > 0.0 => {
                Some(Revenue { base, uplift_pct: uplift, amount: base * uplift / 100.0 })
            }
            _ => None,
        };
        let labour = match self.number("hours") {
            In::Is(h) if h > 0.0 => Some(Labour {
                hours_per_month: h,
                hourly_cost: s.hourly_cost,
                automatable_share: s.automatable_share,
                amount: h * 12.0 * s.hourly_cost * s.automatable_share,
            }),
            _ => None,
        };
        let yearly_value = revenue.as_ref().map_or(0.0, |r| r.amount) + labour.as_ref().map_or(0.0, |l| l.amount);
        Estimate::Ready(ValueEstimate {
            currency: s.currency.code().to_string(),
            revenue,
            labour,
            yearly_value,
            yearly_cost: s.ml_yearly_cost,
        })
    }

    fn next_step(&self, outcome: Outcome, data_by_labels: bool) -> NextStep {
        let (key, args) = match outcome {
            Outcome::DataFirst => {
                let level = match self.one("data_level") {
                    In::Is(l) => l.to_string(),
                    _ => "lv2".to_string(),
                };
                let key = if data_by_labels { "outcomes.data_first.next_labels" } else { "outcomes.data_first.next" };
                (key.to_string(), vec![("invest".to_string(), Arg::Invest { level })])
            }
            Outcome::MlPrototype => ("outcomes.ml_prototype.next".to_string(), self.quotes(&["target_accuracy"])),
            o => (format!("outcomes.{}.next", o.as_str()), Vec::new()),
        };
        NextStep { key, args }
    }

    /// Quotes one picked option of a several-choice answer (what raised a flag).
    fn quote_option(&self, q: &str, option: &str) -> Arg {
        Arg::Answer { question: q.to_string(), value: Some(Answer::Many(vec![option.to_string()])) }
    }

    fn flags(&self) -> Vec<FlagHit> {
        let mut out = Vec::new();
        let mut raise = |flag: Flag, tests: Vec<(Option<bool>, Arg)>| {
            let because: Vec<Arg> = tests.into_iter().filter(|(hit, _)| *hit == Some(true)).map(|(_, a)| a).collect();
            if !because.is_empty() {
                out.push(FlagHit { flag, because });
            }
        };
        let fit = |option: &str| (self.has("fit", option), self.quote_option("fit", option));
        raise(
            Flag::Maintenance,
            vec![
                fit("drift"),
                (self.is("feedback", &["not_recorded"]), self.quote("feedback")),
                (self.is("maintenance", &["nobody"]), self.quote("maintenance")),
            ],
        );
        let people = self.many("people_impact").test(|v| !(v.len() == 1 && v[0] == "none"));
        raise(Flag::Ethics, vec![fit("unpleasant"), (people, self.quote("people_impact"))]);
        raise(Flag::Latency, vec![fit("latency")]);
        raise(Flag::Embedded, vec![fit("device")]);
        let costly = self.is("error_cost", &["high", "unacceptable"]);
        let unchecked = self.is("human_review", &["no"]);
        if and(costly, unchecked) == Some(true) {
            out.push(FlagHit {
                flag: Flag::ErrorCost,
                because: vec![self.quote("error_cost"), self.quote("human_review")],
            });
        }
        let no_owner = self.is("owner", &["no_owner"]);
        let unfunded_local = and(self.is("owner", &["unfunded_owner"]), self.is("scale", &["no"]));
        if no_owner == Some(true) {
            out.push(FlagHit { flag: Flag::Demand, because: vec![self.quote("owner")] });
        } else if unfunded_local == Some(true) {
            out.push(FlagHit { flag: Flag::Demand, because: vec![self.quote("owner"), self.quote("scale")] });
        }
        if self.is("baseline", &["unknown"]) == Some(true) {
            out.push(FlagHit { flag: Flag::NoBaseline, because: vec![self.quote("baseline")] });
        }
        out.sort_by_key(|f| f.flag);
        out
    }
}

/// Rule 1: the need is too vague to assess.
fn clarify(c: &Ctx) -> Checked {
    let rule = Outcome::Clarify;
    let unsure = c.is("action", &["unsure"]);
    let pushed = c.is("driver", &["mandate", "curious"]);
    let vague = and(pushed, c.text("goal").test(|g| g.trim().chars().count() < 15));
    if unsure == Some(true) {
        c.hit(rule, "clarify.unsure", &["action"])
    } else if vague == Some(true) {
        c.hit(rule, "clarify.vague", &["driver", "goal"])
    } else if unsure.is_none() || vague.is_none() {
        c.lacking(rule, &["goal", "driver", "action"])
    } else {
        c.pass(rule, "clarify.clear", &["goal", "action"])
    }
}

/// Rule 2: the answer only feeds a report.
fn report(c: &Ctx) -> Checked {
    let rule = Outcome::NotMlReport;
    match c.is("action", &["report"]) {
        Some(true) => c.hit(rule, "report.yes", &["action"]),
        Some(false) => c.pass(rule, "report.no", &["action"]),
        None => c.lacking(rule, &["action"]),
    }
}

/// Rule 3: there is no digital record to learn from.
fn digitize(c: &Ctx) -> Checked {
    let rule = Outcome::NotMlDigitize;
    let paper = c.is("current", &["paper"]);
    let unrecorded = c.is("data_level", &["not_recorded"]);
    if paper == Some(true) {
        c.hit(rule, "digitize.paper", &["current"])
    } else if unrecorded == Some(true) {
        c.hit(rule, "digitize.not_recorded", &["data_level"])
    } else if paper.is_none() || unrecorded.is_none() {
        c.lacking(rule, &["current", "data_level"])
    } else {
        c.pass(rule, "digitize.no", &["current", "data_level"])
    }
}

/// Rule 4: a workflow change would do, or people already reach the quality needed.
fn workflow(c: &Ctx) -> Checked {
    let rule = Outcome::NotMlWorkflow;
    let untried =
        and(c.is("alternatives", &["not_tried_plausible"]), c.many("fit").test(|f| f.len() == 1 && f[0] == "none"));
    let machine_needs = ["volume", "latency", "device", "unobservable"];
    let accuracy = match (c.number("target_accuracy"), c.number("baseline_accuracy")) {
        (In::Is(t), In::Is(b)) => Some(t <= b),
        (In::Skipped, _) | (_, In::Skipped) => Some(false),
        _ => None,
    };
    let people_enough = and(accuracy, c.many("fit").test(|f| !f.iter().any(|o| machine_needs.contains(&o.as_str()))));
    let both_known = matches!((c.number("target_accuracy"), c.number("baseline_accuracy")), (In::Is(_), In::Is(_)));
    if untried == Some(true) {
        c.hit(rule, "workflow.untried", &["alternatives", "fit"])
    } else if people_enough == Some(true) {
        c.hit(rule, "workflow.people_enough", &["baseline_accuracy", "target_accuracy", "fit"])
    } else if untried.is_none() || people_enough.is_none() {
        c.lacking(rule, &["alternatives", "fit", "baseline_accuracy", "target_accuracy"])
    } else if both_known {
        c.pass(rule, "workflow.no_accuracy", &["alternatives", "fit", "baseline_accuracy", "target_accuracy"])
    } else {
        c.pass(rule, "workflow.no", &["alternatives", "fit"])
    }
}

/// Rule 5: the yearly value does not cover the yearly cost.
fn worth(c: &Ctx, estimate: &Estimate) -> Checked {
    let rule = Outcome::NotWorthIt;
    match estimate {
        Estimate::NotGiven => Checked { rule, matched: false, key: "worth.skipped", args: Vec::new() },
        Estimate::Incomplete => c.lacking(rule, &["value_base", "uplift_pct", "hours"]),
        Estimate::Ready(e) => {
            let args = vec![
                ("value".to_string(), Arg::Value { estimate: e.clone() }),
                ("cost".to_string(), Arg::Money { amount: e.yearly_cost, currency: e.currency.clone() }),
            ];
            let matched = e.yearly_value < e.yearly_cost;
            Checked { rule, matched, key: if matched { "worth.no" } else { "worth.yes" }, args }
        }
    }
}

/// Rule 6: the data is not ready for a model.
fn data(c: &Ctx) -> Checked {
    let rule = Outcome::DataFirst;
    let level = c.is("data_level", &["lv0", "lv1"]);
    let labels = and(c.is("labels", &["none", "lt_1k"]), c.one("rules").test(|r| r != "few_rules"));
    if level == Some(true) {
        let mut checked = c.hit(rule, "data.level", &["data_level"]);
        if let In::Is(l) = c.one("data_level") {
            checked.args.push(("invest".into(), Arg::Invest { level: l.to_string() }));
        }
        checked
    } else if labels == Some(true) {
        c.hit(rule, "data.labels", &["labels", "rules"])
    } else if level.is_none() || labels.is_none() {
        c.lacking(rule, &["data_level", "labels", "rules"])
    } else {
        c.pass(rule, "data.ok", &["data_level", "labels"])
    }
}

/// Rule 7: a simpler baseline must come first.
fn baseline(c: &Ctx) -> Checked {
    let rule = Outcome::BaselineFirst;
    let unmeasured =
        and(c.is("baseline", &["unknown"]), c.many("fit").test(|f| !f.iter().any(|o| o == "unobservable")));
    let few_rules = c.is("rules", &["few_rules"]);
    let dashboards = c.is("data_level", &["lv2"]);
    if unmeasured == Some(true) {
        c.hit(rule, "baseline.measure_people", &["baseline", "fit"])
    } else if few_rules == Some(true) {
        c.hit(rule, "baseline.rules", &["rules"])
    } else if dashboards == Some(true) {
        c.hit(rule, "baseline.lv2", &["data_level"])
    } else if unmeasured.is_none() || few_rules.is_none() || dashboards.is_none() {
        c.lacking(rule, &["baseline", "fit", "rules", "data_level"])
    } else {
        c.pass(rule, "baseline.ok", &["baseline", "rules", "data_level"])
    }
}

/// Rule 8: nothing simpler fits; a prototype with a clear bar to beat.
fn prototype(c: &Ctx) -> Checked {
    let rule = Outcome::MlPrototype;
    match (c.number("baseline_accuracy"), c.number("target_accuracy")) {
        (In::Is(b), In::Is(t)) => {
            let mut checked = c.hit(rule, "prototype.error", &["baseline_accuracy", "target_accuracy"]);
            checked.args.push(("change".into(), Arg::ErrorChange { from: 100.0 - b, to: 100.0 - t }));
            checked
        }
        _ => c.hit(rule, "prototype.go", &[]),
    }
}

/// Where a rule stands on the answers known so far, in a conversation (SPEC §2, "Ask what
/// decides, then stop"): true or false whatever the unanswered questions would say, or still
/// open. Unlike [`assess`], an unanswered question is not yet a "no": rule 5 stays open while a
/// value question may still be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    True,
    False,
    Open,
}

/// One rule on the answers known so far: where it stands, and while it is open, the unanswered
/// questions whose answers can still settle it (in no particular order).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleState {
    pub rule: Outcome,
    pub standing: Standing,
    pub deciders: Vec<&'static str>,
}

/// The eight rules of [`assess`] on partial answers, in order. A rule is true here only if
/// [`assess`] would match it on any completion of the answers, false only if it would not.
pub fn standings(view: &View<'_>, settings: &ValueSettings) -> Vec<RuleState> {
    let c = Ctx { view, settings };
    let estimate = c.estimate();
    let rules: [&dyn Fn(&Ctx) -> Checked; 8] =
        [&clarify, &report, &digitize, &workflow, &|c: &Ctx| worth(c, &estimate), &data, &baseline, &prototype];
    rules
        .into_iter()
        .map(|rule| {
            let checked = rule(&c);
            let value_inputs = ["value_base", "uplift_pct", "hours"];
            let standing = if checked.matched {
                Standing::True
            } else if checked.key == "missing"
                || (checked.key == "worth.skipped" && value_inputs.iter().any(|q| c.input(q) == Input::Missing))
            {
                Standing::Open
            } else {
                Standing::False
            };
            let deciders = if standing == Standing::Open { c.deciders(checked.rule) } else { Vec::new() };
            RuleState { rule: checked.rule, standing, deciders }
        })
        .collect()
}

impl Ctx<'_, '_> {
    fn missing(&self, q: &'static str) -> bool {
        self.input(q) == Input::Missing
    }

    /// The unanswered inputs of an open rule that can still settle it: those of its alternatives
    /// ("or") that are not already false. Mirrors the rule functions below.
    fn deciders(&self, rule: Outcome) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        // one alternative: all its tests ("and"), each `(value, questions it reads)`
        let mut term = |tests: &[(Option<bool>, &[&'static str])]| {
            if tests.iter().any(|(v, _)| *v == Some(false)) {
                return;
            }
            for (v, qs) in tests {
                if v.is_none() {
                    out.extend(qs.iter().copied().filter(|q| self.missing(q)));
                }
            }
        };
        let fit_lacks = |options: &[&str]| self.many("fit").test(|f| !f.iter().any(|o| options.contains(&o.as_str())));
        match rule {
            Outcome::Clarify => {
                term(&[(self.is("action", &["unsure"]), &["action"])]);
                term(&[
                    (self.is("driver", &["mandate", "curious"]), &["driver"]),
                    (self.text("goal").test(|g| g.trim().chars().count() < 15), &["goal"]),
                ]);
            }
            Outcome::NotMlReport => term(&[(self.is("action", &["report"]), &["action"])]),
            Outcome::NotMlDigitize => {
                term(&[(self.is("current", &["paper"]), &["current"])]);
                term(&[(self.is("data_level", &["not_recorded"]), &["data_level"])]);
            }
            Outcome::NotMlWorkflow => {
                term(&[
                    (self.is("alternatives", &["not_tried_plausible"]), &["alternatives"]),
                    (self.many("fit").test(|f| f.len() == 1 && f[0] == "none"), &["fit"]),
                ]);
                let accuracy = match (self.number("target_accuracy"), self.number("baseline_accuracy")) {
                    (In::Is(t), In::Is(b)) => Some(t <= b),
                    (In::Skipped, _) | (_, In::Skipped) => Some(false),
                    _ => None,
                };
                term(&[
                    (accuracy, &["baseline_accuracy", "target_accuracy"]),
                    (fit_lacks(&["volume", "latency", "device", "unobservable"]), &["fit"]),
                ]);
            }
            Outcome::NotWorthIt => term(&[(None, &["hours", "value_base", "uplift_pct"])]),
            Outcome::DataFirst => {
                term(&[(self.is("data_level", &["lv0", "lv1"]), &["data_level"])]);
                term(&[
                    (self.is("labels", &["none", "lt_1k"]), &["labels"]),
                    (self.one("rules").test(|r| r != "few_rules"), &["rules"]),
                ]);
            }
            Outcome::BaselineFirst => {
                term(&[(self.is("baseline", &["unknown"]), &["baseline"]), (fit_lacks(&["unobservable"]), &["fit"])]);
                term(&[(self.is("rules", &["few_rules"]), &["rules"])]);
                term(&[(self.is("data_level", &["lv2"]), &["data_level"])]);
            }
            Outcome::MlPrototype => {}
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Every text key the verdict and its rendering use; prompts/checklist.toml must hold exactly
/// these (besides the questions).
pub fn text_keys() -> Vec<String> {
    let mut keys = Vec::new();
    for o in Outcome::ALL {
        keys.push(format!("outcomes.{}.title", o.as_str()));
        keys.push(format!("outcomes.{}.next", o.as_str()));
    }
    keys.push("outcomes.data_first.next_labels".into());
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
    "report.yes",
    "report.no",
    "digitize.paper",
    "digitize.not_recorded",
    "digitize.no",
    "workflow.untried",
    "workflow.people_enough",
    "workflow.no",
    "workflow.no_accuracy",
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
    "baseline.measure_people",
    "baseline.rules",
    "baseline.lv2",
    "baseline.ok",
    "prototype.go",
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

#[cfg(test)]
#[path = "verdict_tests.rs"]
mod tests;
