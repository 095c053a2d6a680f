//! The verdict in-process: `cargo bench --bench verdict`. The target is well under 1 ms for one
//! need; the process-level figures (assess, console start-up) come from benches/startup.sh.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use kakehashi::cli::assess::{assess, parse_answers};
use kakehashi::domain::verdict::render;
use kakehashi::domain::{Lang, ValueSettings};
use kakehashi::prompts::Prompts;

fn verdict(c: &mut Criterion) {
    let prompts = Prompts::embedded();
    let checklist = &prompts.checklist;
    let settings = ValueSettings::default();
    let (answers, _) = parse_answers(checklist, include_str!("../examples/answers/demand-forecast.json")).unwrap();
    let verdict = assess(checklist, &answers, &settings);

    c.bench_function("verdict of one need (all 8 rules, flags, value)", |b| {
        b.iter(|| assess(checklist, black_box(&answers), &settings))
    });
    c.bench_function("verdict rendered in Japanese", |b| b.iter(|| render(checklist, black_box(&verdict), Lang::Ja)));
    c.bench_function("next question and progress", |b| {
        b.iter(|| {
            let view = checklist.view(black_box(&answers));
            (view.next().map(|q| q.id.len()), view.progress("maintenance"))
        })
    });
    c.bench_function("answers file parsed and checked", |b| {
        b.iter(|| parse_answers(checklist, black_box(include_str!("../examples/answers/demand-forecast.json"))))
    });
    c.bench_function("built-in prompts loaded and checked (start-up)", |b| b.iter(Prompts::embedded));
}

// no HTML plots: they need system fonts, which a server may not have
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = verdict
}
criterion_main!(benches);
