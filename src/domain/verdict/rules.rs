//! The decision procedure of SPEC §2: the eight rules in order, the reasons they quote, the
//! flags and the next step.

use super::value::Estimate;
use super::*;
use crate::domain::checklist::{Input, View};
use crate::domain::settings::ValueSettings;

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

/// The flags the answers known so far raise (as [`assess`] gives them, without the rules).
pub fn raised_flags(view: &View<'_>, settings: &ValueSettings) -> Vec<Flag> {
    Ctx { view, settings }.flags().into_iter().map(|f| f.flag).collect()
}

/// What a question gives a rule: its answer, skipped by `ask_if`, or missing.
pub(super) enum In<T> {
    Is(T),
    Skipped,
    Missing,
}

impl<T> In<T> {
    /// A comparison: false when the question was skipped, unknown when it is missing.
    pub(super) fn test(self, f: impl FnOnce(T) -> bool) -> Option<bool> {
        match self {
            In::Is(v) => Some(f(v)),
            In::Skipped => Some(false),
            In::Missing => None,
        }
    }
}

pub(super) fn and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

pub(super) struct Checked {
    pub(super) rule: Outcome,
    pub(super) matched: bool,
    pub(super) key: &'static str,
    pub(super) args: Vec<(String, Arg)>,
}

impl Checked {
    pub(super) fn into_reason(self) -> Reason {
        Reason { rule: self.rule, matched: self.matched, key: self.key.to_string(), args: self.args }
    }
}

pub(super) struct Ctx<'v, 'a> {
    pub(super) view: &'v View<'a>,
    pub(super) settings: &'v ValueSettings,
}

impl Ctx<'_, '_> {
    pub(super) fn input(&self, q: &str) -> Input<'_> {
        self.view.input(q)
    }

    pub(super) fn one(&self, q: &str) -> In<&str> {
        match self.input(q) {
            Input::Given(Answer::One(s)) => In::Is(s.as_str()),
            Input::Skipped => In::Skipped,
            _ => In::Missing,
        }
    }

    pub(super) fn is(&self, q: &str, options: &[&str]) -> Option<bool> {
        self.one(q).test(|v| options.contains(&v))
    }

    pub(super) fn many(&self, q: &str) -> In<&[String]> {
        match self.input(q) {
            Input::Given(Answer::Many(v)) => In::Is(v.as_slice()),
            Input::Skipped => In::Skipped,
            _ => In::Missing,
        }
    }

    pub(super) fn has(&self, q: &str, option: &str) -> Option<bool> {
        self.many(q).test(|v| v.iter().any(|o| o == option))
    }

    pub(super) fn number(&self, q: &str) -> In<f64> {
        match self.input(q) {
            Input::Given(Answer::Number(x)) => In::Is(*x),
            Input::Skipped => In::Skipped,
            _ => In::Missing,
        }
    }

    pub(super) fn text(&self, q: &str) -> In<&str> {
        match self.input(q) {
            Input::Given(Answer::Text(s)) => In::Is(s.as_str()),
            Input::Skipped => In::Skipped,
            _ => In::Missing,
        }
    }

    /// Whether `q` was answered: a question the conversation did not need (not asked, or not
    /// applying) is left out of the reasons instead of quoted as "no answer".
    pub(super) fn answered(&self, q: &str) -> bool {
        matches!(self.input(q), Input::Given(_))
    }

    pub(super) fn quote(&self, q: &str) -> Arg {
        let value = match self.input(q) {
            Input::Given(a) => Some(a.clone()),
            _ => None,
        };
        Arg::Answer { question: q.to_string(), value }
    }

    pub(super) fn quotes(&self, qs: &[&str]) -> Vec<(String, Arg)> {
        qs.iter().map(|q| (q.to_string(), self.quote(q))).collect()
    }

    pub(super) fn hit(&self, rule: Outcome, key: &'static str, qs: &[&str]) -> Checked {
        Checked { rule, matched: true, key, args: self.quotes(qs) }
    }

    pub(super) fn pass(&self, rule: Outcome, key: &'static str, qs: &[&str]) -> Checked {
        Checked { rule, matched: false, key, args: self.quotes(qs) }
    }

    /// A rule that could not be decided: it does not match, and says what it lacked.
    pub(super) fn lacking(&self, rule: Outcome, inputs: &[&str]) -> Checked {
        let questions =
            inputs.iter().filter(|q| matches!(self.input(q), Input::Missing)).map(|q| q.to_string()).collect();
        Checked { rule, matched: false, key: "missing", args: vec![("questions".into(), Arg::Missing { questions })] }
    }
}

impl Ctx<'_, '_> {
    pub(super) fn next_step(&self, outcome: Outcome, data_by_labels: bool) -> NextStep {
        let (key, args) = match outcome {
            Outcome::DataFirst => {
                let level = match self.one("data_level") {
                    In::Is(l) => l.to_string(),
                    _ => "lv2".to_string(),
                };
                let key = if data_by_labels { "outcomes.data_first.next_labels" } else { "outcomes.data_first.next" };
                (key.to_string(), vec![("invest".to_string(), Arg::Invest { level })])
            }
            // the bar it must reach, once named (an answers file or an edit may leave it out)
            Outcome::MlPrototype => match self.number("target_accuracy") {
                In::Is(_) => ("outcomes.ml_prototype.next".to_string(), self.quotes(&["target_accuracy"])),
                _ => ("outcomes.ml_prototype.next_unnamed".to_string(), Vec::new()),
            },
            o => (format!("outcomes.{}.next", o.as_str()), Vec::new()),
        };
        NextStep { key, args }
    }

    /// Quotes one picked option of a several-choice answer (what raised a flag).
    pub(super) fn quote_option(&self, q: &str, option: &str) -> Arg {
        Arg::Answer { question: q.to_string(), value: Some(Answer::Many(vec![option.to_string()])) }
    }

    pub(super) fn flags(&self) -> Vec<FlagHit> {
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
pub(super) fn clarify(c: &Ctx) -> Checked {
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
    } else if !c.answered("goal") {
        // the push alone ruled out a vague mandate: the goal was not needed
        c.pass(rule, "clarify.driven", &["driver", "action"])
    } else {
        c.pass(rule, "clarify.clear", &["goal", "action"])
    }
}

/// Rule 2: the answer only feeds a report.
pub(super) fn report(c: &Ctx) -> Checked {
    let rule = Outcome::NotMlReport;
    match c.is("action", &["report"]) {
        Some(true) => c.hit(rule, "report.yes", &["action"]),
        Some(false) => c.pass(rule, "report.no", &["action"]),
        None => c.lacking(rule, &["action"]),
    }
}

/// Rule 3: there is no digital record to learn from.
pub(super) fn digitize(c: &Ctx) -> Checked {
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
pub(super) fn workflow(c: &Ctx) -> Checked {
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
    } else if !c.answered("alternatives") {
        // what fits asked for a machine, so whether simpler fixes were tried was not needed
        if both_known {
            c.pass(rule, "workflow.machine_accuracy", &["fit", "baseline_accuracy", "target_accuracy"])
        } else {
            c.pass(rule, "workflow.machine", &["fit"])
        }
    } else if both_known {
        c.pass(rule, "workflow.no_accuracy", &["alternatives", "fit", "baseline_accuracy", "target_accuracy"])
    } else {
        c.pass(rule, "workflow.no", &["alternatives", "fit"])
    }
}

/// Rule 5: the yearly value does not cover the yearly cost.
pub(super) fn worth(c: &Ctx, estimate: &Estimate) -> Checked {
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
pub(super) fn data(c: &Ctx) -> Checked {
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
    } else if !c.answered("labels") {
        // a few rules would do, so how many right answers are known was not needed
        c.pass(rule, "data.rules", &["data_level", "rules"])
    } else {
        c.pass(rule, "data.ok", &["data_level", "labels"])
    }
}

/// Rule 7: a simpler baseline must come first.
pub(super) fn baseline(c: &Ctx) -> Checked {
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
pub(super) fn prototype(c: &Ctx) -> Checked {
    let rule = Outcome::MlPrototype;
    match (c.number("baseline_accuracy"), c.number("target_accuracy")) {
        (In::Is(b), In::Is(t)) => {
            let mut checked = c.hit(rule, "prototype.error", &["baseline_accuracy", "target_accuracy"]);
            checked.args.push(("change".into(), Arg::ErrorChange { from: 100.0 - b, to: 100.0 - t }));
            checked
        }
        (_, In::Is(_)) => c.hit(rule, "prototype.go", &[]),
        // no margin was named (an answers file or an edit left it out)
        _ => c.hit(rule, "prototype.unnamed", &[]),
    }
}
