//! The questions (with kind and options) the rules read.

use crate::domain::checklist::KindTag;

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
