//! `kakehashi demo`: a quarter at a made-up retailer, played through the real engine — every need
//! is submitted with the `need` command and its checklist answered button by button, exactly as
//! a person would — then a summary of what happened.
//!
//! The demo plays in the console workspace, so `kakehashi console --db <the demo's db>` can
//! explore it afterwards. It refuses a database whose console workspace already holds items.
//! To add a scene: add a [`NeedScript`] or [`SeedScript`] below; the checklist tells whether its
//! answers are complete (a missing answer stops the demo with the question's id).

mod follow;
mod script;

pub use script::scripted_needs;
use script::*;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, Utc};

use crate::chat::{Action, Actor, Bot, FormKind, Inbound, InboundEvent, Message, Outbound, Place, WorkspaceRef};
use crate::clock::{Clock, ManualClock};
use crate::domain::Recipient;
use crate::domain::checklist::QuestionKind;
use crate::domain::{ItemKind, ItemRef, Lang, Outcome, Status};
use crate::jobs::{self, Scheduler};
use crate::outbox::{self, Deliver, Deliverers, DeliveryError};
use crate::transport::console::{WORKSPACE_ID, render_blocks};

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "the database already holds items in the console workspace; give the demo an empty database, e.g. --db sqlite://demo.db"
    )]
    NotEmpty,
    #[error("the demo went wrong: {0}")]
    Script(String),
    #[error(transparent)]
    Store(#[from] crate::storage::StoreError),
}

/// One thing that happened, for the timeline.
struct Happening {
    at: DateTime<Utc>,
    line: String,
}

/// Plays the quarter that ends on the Monday before `now`, through `bot` (whose clock must be
/// `clock`), and returns the report.
///
/// The weekly jobs run as they would in production, every Monday at 09:00 in Tokyo (the default
/// schedule); the company founds its AI department in week 11, so the quarter's last digest
/// announces the move from stage 1 to stage 2. Its chart is written into `out`.
pub async fn play(
    bot: &Bot,
    clock: &Arc<ManualClock>,
    now: DateTime<Utc>,
    lang: Lang,
    out: &std::path::Path,
) -> Result<String, DemoError> {
    if bot.store.count_items(WORKSPACE_ID).await? > 0 {
        return Err(DemoError::NotEmpty);
    }
    let monday = (now - Duration::days(i64::from(now.weekday().num_days_from_monday()))).date_naive();
    let end = monday.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
    let start = end - Duration::weeks(13);
    let at = |week: i64, hour: i64| start + Duration::weeks(week) + Duration::hours(9 + hour);
    let player = Player { bot, lang };
    clock.set(start);
    player.setup().await?;

    // Everything in time order: submissions first within a week, then moves.
    let mut plan: Vec<(DateTime<Utc>, Step)> = Vec::new();
    for (i, n) in NEEDS.iter().enumerate() {
        plan.push((at(n.week, i as i64 % 8), Step::Need(i)));
        for (j, (week, ..)) in n.moves.iter().enumerate() {
            plan.push((at(*week, 1 + j as i64), Step::NeedMove(i, j)));
        }
    }
    for (i, s) in SEEDS.iter().enumerate() {
        plan.push((at(s.week, 2 + i as i64), Step::Seed(i)));
        for (j, (week, ..)) in s.moves.iter().enumerate() {
            plan.push((at(*week, 3 + j as i64), Step::SeedMove(i, j)));
        }
    }
    // the weekly jobs, at 09:00 Tokyo time (00:00 UTC) every Monday, the quarter's end included
    for week in 0..=13 {
        plan.push((start + Duration::weeks(week), Step::Tick(week)));
    }
    plan.push((at(DEPARTMENT_WEEK, 7), Step::Department));
    plan.push((at(DUPLICATE.0, 6), Step::Duplicate));
    plan.sort_by_key(|(t, _)| *t);
    let scheduler = Scheduler::new(bot.store.clone(), bot.prompts.clone());

    let mut needs: BTreeMap<usize, ItemRef> = BTreeMap::new();
    let mut seeds: BTreeMap<usize, ItemRef> = BTreeMap::new();
    let mut log: Vec<Happening> = Vec::new();
    for (t, step) in plan {
        clock.set(t);
        match step {
            Step::Need(i) => {
                let n = &NEEDS[i];
                let (item, steps) = player.need(n).await?;
                needs.insert(i, item);
                let stored = player.load(item).await?;
                let line = match stored.outcome() {
                    Some(o) => format!(
                        "{item} {} asks “{}” → {} ({steps} {})",
                        n.team.trim(),
                        n.title,
                        player.outcome_title(o),
                        if steps == 1 { "step" } else { "steps" }
                    ),
                    None => format!("{item} {} asks “{}” (checklist left for later)", n.team.trim(), n.title),
                };
                log.push(Happening { at: t, line });
                if let Some((question, option)) = n.edit {
                    let before = stored.outcome();
                    player.edit(n, item, question, option).await?;
                    let after = player.load(item).await?.outcome();
                    if let (Some(b), Some(a)) = (before, after) {
                        log.push(Happening {
                            at: t,
                            line: format!(
                                "{item} {} changes “{question}”; the verdict goes from {} to {}",
                                n.user,
                                player.outcome_title(b),
                                player.outcome_title(a)
                            ),
                        });
                    }
                }
            }
            Step::Tick(week) => {
                scheduler.run_once(t).await.map_err(DemoError::Store)?;
                if let Some(e) = bot.store.last_evaluation(WORKSPACE_ID, t).await?
                    && let Ok(e) = serde_json::from_str::<crate::domain::stage::Evaluation>(&e.json)
                {
                    let line = match e.transition {
                        Some((from, to)) => {
                            format!("the weekly digest announces a new stage: {} → {}", from.number(), to.number())
                        }
                        None if week > 0 => {
                            format!("the weekly digest goes to the managers (stage {})", e.stage.number())
                        }
                        None => continue,
                    };
                    log.push(Happening { at: t, line });
                }
            }
            Step::Duplicate => {
                let (_, user, team, title) = DUPLICATE;
                let (item, replies) = player.submit(user, ItemKind::Need, title, team).await?;
                let found = similar_shown(&replies);
                let withdraw = Action::Move { item, to: Status::Withdrawn }.to_string();
                if found.is_empty() || !buttons(&replies).contains(&withdraw) {
                    return Err(DemoError::Script(format!("{item}: the earlier need it rewords was not shown")));
                }
                log.push(Happening {
                    at: t,
                    line: format!(
                        "{item} {team} asks “{title}”; the bot shows a similar earlier need: {}",
                        found.join("; ")
                    ),
                });
                player.send(user, InboundEvent::Action { id: withdraw, values: vec![] }).await;
                if player.load(item).await?.status != Status::Withdrawn {
                    return Err(DemoError::Script(format!("{item} was not withdrawn")));
                }
                log.push(Happening { at: t, line: format!("{item} {user} withdraws it with one click") });
            }
            Step::Department => {
                player
                    .send_as(AI_LEAD, true, InboundEvent::Command { text: "admin set ai_department yes".into() })
                    .await;
                log.push(Happening {
                    at: t,
                    line: format!("{AI_LEAD}: the company founds an AI department (admin set ai_department yes)"),
                });
            }
            Step::NeedMove(i, j) => {
                let (_, to, actor, note) = NEEDS[i].moves[j];
                let item = needs[&i];
                player.transition(item, to, actor, note).await?;
                log.push(Happening { at: t, line: move_line(item, to, actor, note) });
            }
            Step::Seed(i) => {
                let s = &SEEDS[i];
                let item = player.seed(s).await?;
                seeds.insert(i, item);
                log.push(Happening { at: t, line: format!("{item} {} proposes the seed “{}”", s.user, s.title) });
            }
            Step::SeedMove(i, j) => {
                let (_, to, actor, note) = SEEDS[i].moves[j];
                let item = seeds[&i];
                player.transition(item, to, actor, note).await?;
                log.push(Happening { at: t, line: move_line(item, to, actor, note) });
            }
        }
    }
    // what the bot had to tell people along the way, delivered now
    let tally = Arc::new(Tally::default());
    let mut deliverers = Deliverers::default();
    deliverers.register("console:", tally.clone());
    outbox::run_once(bot.store.as_ref(), &deliverers, clock.now()).await?;
    let counts = *tally.0.lock().unwrap_or_else(|p| p.into_inner());
    let items: Vec<ItemRef> = needs.values().chain(seeds.values()).copied().collect();
    log.extend(follow::reminders(&player, &items).await?);
    log.sort_by_key(|h| h.at);
    let mut report = player.report(start, end, &log, &needs, &seeds).await?;
    let _ = writeln!(
        report,
        "\nMessages the bot sent along the way: {} direct messages telling requesters what became of their \
         needs, {} triage cards to the AI team's channel, {} weekly digests (each with its chart) to the managers.",
        counts.direct, counts.triage, counts.digests
    );

    // the quarter's last digest, as the managers got it
    let ws = bot.store.workspace(WORKSPACE_ID).await?.ok_or_else(|| DemoError::Script("no workspace".into()))?;
    let e = match bot.store.last_evaluation(WORKSPACE_ID, end).await? {
        Some(e) => serde_json::from_str(&e.json).map_err(|e| DemoError::Script(e.to_string()))?,
        None => return Err(DemoError::Script("no stage evaluation at the end of the quarter".into())),
    };
    let digest = crate::views::digest::build(bot.store.as_ref(), &ws, e, end, None)
        .await
        .map_err(|e| DemoError::Script(e.to_string()))?;
    let (message, chart) =
        jobs::digest_message(&bot.prompts, &ws, &digest).map_err(|e| DemoError::Script(e.to_string()))?;
    let _ = writeln!(report, "\nThe quarter's last weekly digest, as the managers received it:\n");
    report.push_str(&render_blocks(&message.blocks, false));
    let path = out.join(&chart.name);
    std::fs::create_dir_all(out)
        .and_then(|_| std::fs::write(&path, &chart.bytes))
        .map_err(|e| DemoError::Script(format!("cannot write the chart to {}: {e}", path.display())))?;
    let _ = writeln!(report, "\nThe digest's chart is in {}.", path.display());
    let high_risk = NEEDS.iter().position(|n| n.title == HIGH_RISK).and_then(|i| needs.get(&i));
    let first = NEEDS.iter().position(|n| n.moves.iter().any(|m| m.1 == Status::Delivered));
    if let (Some(high_risk), Some(first)) = (high_risk, first) {
        report.push_str(&follow::epilogue(&player, clock, end, *high_risk, (needs[&first], NEEDS[first].user)).await?);
    }
    Ok(report)
}

/// The need the AI team delivers after the quarter: a high-risk use (it decides about people).
const HIGH_RISK: &str = "Predict who is about to leave";

/// The week the demo company founds its AI department (after week 11's evaluation).
const DEPARTMENT_WEEK: i64 = 11;

/// What the demo's bot sent, counted.
#[derive(Default, Clone, Copy)]
struct Counts {
    direct: usize,
    triage: usize,
    digests: usize,
}

/// Counts the messages the demo's bot sends.
#[derive(Default)]
struct Tally(std::sync::Mutex<Counts>);

#[async_trait::async_trait]
impl Deliver for Tally {
    async fn deliver(&self, _workspace: &str, to: &Recipient, _message: &Message) -> Result<(), DeliveryError> {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match to {
            Recipient::User(_) => t.direct += 1,
            Recipient::Channel(c) if c == DIGEST_CHANNEL => t.digests += 1,
            Recipient::Channel(_) => t.triage += 1,
        }
        Ok(())
    }

    async fn deliver_file(
        &self,
        _workspace: &str,
        _to: &Recipient,
        _file: &crate::chat::Attachment,
    ) -> Result<(), DeliveryError> {
        Ok(())
    }
}

enum Step {
    Tick(i64),
    Department,
    Duplicate,
    Need(usize),
    NeedMove(usize, usize),
    Seed(usize),
    SeedMove(usize, usize),
}

/// The similar earlier needs intake showed, one line each as the list says them.
fn similar_shown(replies: &[Outbound]) -> Vec<String> {
    use crate::chat::{Block, Span};
    let mut lines = Vec::new();
    for r in replies {
        if let Outbound::Message(m) = r {
            for b in &m.blocks {
                if let Block::List(items) = b {
                    for spans in items {
                        let line: String = spans
                            .iter()
                            .map(|s| match s {
                                Span::Plain(t) | Span::Bold(t) | Span::Code(t) => t.as_str(),
                                Span::User(_) | Span::Channel(_) => "",
                            })
                            .collect();
                        lines.push(line);
                    }
                }
            }
        }
    }
    lines
}

/// The actions of the replies' buttons.
fn buttons(replies: &[Outbound]) -> Vec<String> {
    use crate::chat::{Block, Control};
    let mut ids = Vec::new();
    for r in replies {
        if let Outbound::Message(m) = r {
            for b in &m.blocks {
                if let Block::Controls(cs) = b {
                    ids.extend(cs.iter().filter_map(|c| match c {
                        Control::Button(b) => Some(b.action.clone()),
                        _ => None,
                    }));
                }
            }
        }
    }
    ids
}

fn move_line(item: ItemRef, to: Status, actor: &str, note: &str) -> String {
    let mut line = format!("{item} {actor} moves it to {}", to.as_str().replace('_', " "));
    if !note.is_empty() {
        let _ = write!(line, ": “{note}”");
    }
    line
}

struct Player<'b> {
    bot: &'b Bot,
    lang: Lang,
}

impl Player<'_> {
    async fn send(&self, user: &str, event: InboundEvent) -> Vec<Outbound> {
        self.send_as(user, false, event).await
    }

    async fn send_as(&self, user: &str, admin: bool, event: InboundEvent) -> Vec<Outbound> {
        let inbound = Inbound {
            workspace: WorkspaceRef { id: WORKSPACE_ID.into(), name: "Console".into() },
            actor: Actor { id: user.into(), name: user.into(), locale: Some(self.lang), workspace_admin: admin },
            place: Place { channel: "demo".into(), direct: true },
            event,
        };
        self.bot.handle(&inbound).await
    }

    async fn load(&self, item: ItemRef) -> Result<crate::domain::WorkItem, DemoError> {
        self.bot.store.item(WORKSPACE_ID, item).await?.ok_or_else(|| DemoError::Script(format!("{item} is missing")))
    }

    fn outcome_title(&self, o: Outcome) -> String {
        self.bot.prompts.checklist.text(&format!("outcomes.{}.title", o.as_str()), self.lang).to_string()
    }

    /// Submits an item through its form, the way a person does, and finds its id.
    /// Returns the item and the replies to its form.
    async fn submit(
        &self,
        user: &str,
        kind: ItemKind,
        title: &str,
        team: &str,
    ) -> Result<(ItemRef, Vec<Outbound>), DemoError> {
        let command = format!("{} {title}", kind.as_str());
        let form = match self.send(user, InboundEvent::Command { text: command }).await.pop() {
            Some(Outbound::Form(f)) => f,
            other => {
                return Err(DemoError::Script(format!("expected the {} form, got {other:?}", kind.as_str())));
            }
        };
        let mut values: BTreeMap<String, String> =
            form.fields.iter().map(|f| (f.id.clone(), f.initial.clone().unwrap_or_default())).collect();
        values.insert("team".into(), team.into());
        let replies = self.send(user, InboundEvent::Form { id: form.id, values }).await;
        let mine = self.bot.store.items_of(WORKSPACE_ID, user, 1).await?;
        mine.first()
            .filter(|i| i.reference.kind == kind && i.title == title)
            .map(|i| (i.reference, replies))
            .ok_or_else(|| DemoError::Script(format!("“{title}” was not created")))
    }

    /// Plays a need's checklist step by step, as its requester would; returns it and the steps.
    async fn need(&self, n: &NeedScript) -> Result<(ItemRef, usize), DemoError> {
        let (item, _) = self.submit(n.user, ItemKind::Need, n.title, n.team).await?;
        let steps = self.steps(n, item).await?;
        Ok((item, steps))
    }

    /// Answers the steps the checklist asks, from the script, until the verdict (or, for an
    /// unfinished need, "finish later" after a few). Returns how many steps were answered (a
    /// click that opens its step's form and the form are one).
    async fn steps(&self, n: &NeedScript, item: ItemRef) -> Result<usize, DemoError> {
        let answer = |q: &str| n.answers.iter().chain(COMMON).find(|(id, _)| *id == q).map(|(_, v)| *v);
        let checklist = &self.bot.prompts.checklist;
        let mut asked = 0;
        loop {
            let stored = self.load(item).await?;
            let view = checklist.view(&stored.answers);
            let plan = crate::domain::conversation::plan(&view, &crate::domain::ValueSettings::default());
            let Some(q) = plan.next() else { return Ok(plan.done) };
            if n.unfinished && asked >= 3 {
                self.send(n.user, InboundEvent::Action { id: Action::Later { item }.to_string(), values: vec![] })
                    .await;
                return Ok(plan.done);
            }
            let value = |q: &str| answer(q).ok_or_else(|| DemoError::Script(format!("{item} has no answer to '{q}'")));
            let event = match &q.kind {
                QuestionKind::One { .. } => InboundEvent::Action {
                    id: Action::Answer { item, question: q.id.clone(), option: value(&q.id)?.into() }.to_string(),
                    values: vec![],
                },
                QuestionKind::Many { .. } => InboundEvent::Action {
                    id: Action::Pick { item, question: q.id.clone() }.to_string(),
                    values: value(&q.id)?.split(',').map(str::to_string).collect(),
                },
                QuestionKind::Text { .. } | QuestionKind::Number { .. } => {
                    let mut values = BTreeMap::new();
                    if plan.step.len() == 1 {
                        values.insert("answer".to_string(), value(&q.id)?.to_string());
                    } else {
                        for f in &plan.step {
                            values.insert(f.id.clone(), value(&f.id)?.to_string());
                        }
                    }
                    InboundEvent::Form { id: FormKind::Answer { item, question: q.id.clone() }.to_string(), values }
                }
            };
            self.send(n.user, event).await;
            asked += 1;
            if asked > checklist.questions().len() {
                return Err(DemoError::Script(format!("{item}: the answer to '{}' was not taken", q.id)));
            }
        }
    }

    /// Changes an answer after the verdict, and answers what the change asks next.
    async fn edit(&self, n: &NeedScript, item: ItemRef, question: &str, option: &str) -> Result<(), DemoError> {
        let user = n.user;
        self.send(user, InboundEvent::Action { id: Action::Edit { item }.to_string(), values: vec![question.into()] })
            .await;
        let id = Action::Answer { item, question: question.into(), option: option.into() }.to_string();
        self.send(user, InboundEvent::Action { id, values: vec![] }).await;
        self.steps(n, item).await?;
        Ok(())
    }

    async fn seed(&self, s: &SeedScript) -> Result<ItemRef, DemoError> {
        Ok(self.submit(s.user, ItemKind::Seed, s.title, s.team).await?.0)
    }

    /// Moves an item with the `move` command, as its actor would type it.
    async fn transition(&self, item: ItemRef, to: Status, actor: &str, note: &str) -> Result<(), DemoError> {
        let replies = self.send(actor, InboundEvent::Command { text: format!("move {item} {to} {note}") }).await;
        if self.load(item).await?.status != to {
            return Err(DemoError::Script(format!("{actor} could not move {item} to {to}: {replies:?}")));
        }
        Ok(())
    }

    /// Sets the workspace up as its admin would: the AI team's roles and the channels.
    async fn setup(&self) -> Result<(), DemoError> {
        for command in [
            format!("admin roles add {AI_LEAD} ai_team"),
            format!("admin roles add {AI_ENGINEER} ai_team"),
            "admin channel triage ai-team".to_string(),
            format!("admin channel digest {DIGEST_CHANNEL}"),
        ] {
            let replies = self.send_as(AI_LEAD, true, InboundEvent::Command { text: command.clone() }).await;
            if replies.is_empty() {
                return Err(DemoError::Script(format!("no reply to {command}")));
            }
        }
        Ok(())
    }

    async fn report(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        log: &[Happening],
        needs: &BTreeMap<usize, ItemRef>,
        seeds: &BTreeMap<usize, ItemRef>,
    ) -> Result<String, DemoError> {
        let mut out = String::new();
        let day = |t: DateTime<Utc>| t.format("%Y-%m-%d").to_string();
        let _ = writeln!(
            out,
            "kakehashi demo — a quarter at a made-up retailer, {} to {}\n",
            day(start),
            day(end - Duration::days(1))
        );
        let _ = writeln!(out, "What happened, week by week:");
        let mut last_week = -1;
        for h in log {
            let week = (h.at - start).num_weeks() + 1;
            let label = if week != last_week { format!("week {week:>2}") } else { String::new() };
            last_week = week;
            let _ = writeln!(out, "  {label:<8} {}", h.line);
        }

        let mut by_outcome: BTreeMap<Outcome, Vec<ItemRef>> = BTreeMap::new();
        let mut by_status: BTreeMap<Status, Vec<ItemRef>> = BTreeMap::new();
        let mut teams: BTreeMap<String, String> = BTreeMap::new();
        for item in needs.values() {
            let stored = self.load(*item).await?;
            if let Some(o) = stored.outcome() {
                by_outcome.entry(o).or_default().push(*item);
            }
            by_status.entry(stored.status).or_default().push(*item);
            teams.entry(stored.team.key().to_string()).or_insert(stored.team.to_string());
        }
        for item in seeds.values() {
            by_status.entry(self.load(*item).await?.status).or_default().push(*item);
        }
        let ids = |v: &[ItemRef]| v.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ");

        let _ = writeln!(out, "\nNeeds by verdict ({} needs from {} teams):", needs.len(), teams.len());
        for o in Outcome::ALL {
            let items = by_outcome.get(&o).map(Vec::as_slice).unwrap_or(&[]);
            let _ = writeln!(out, "  {:<34} {:>2}  {}", self.outcome_title(o), items.len(), ids(items));
        }
        let _ = writeln!(out, "\nWhere the needs and seeds stand:");
        for status in Status::ALL {
            if let Some(items) = by_status.get(&status) {
                let _ = writeln!(out, "  {:<34} {:>2}  {}", status.as_str().replace('_', " "), items.len(), ids(items));
            }
        }
        let solved_without_ml = by_status.get(&Status::Redirected).map_or(0, Vec::len);
        let delivered =
            by_status.get(&Status::Delivered).map_or(0, Vec::len) + by_status.get(&Status::Closed).map_or(0, Vec::len);
        let _ = writeln!(
            out,
            "\nThe AI team's contribution: {delivered} need(s) delivered with ML, {solved_without_ml} solved by saying \
             “not ML, do this instead”, {} seed(s) in service.",
            by_status.get(&Status::InService).map_or(0, Vec::len)
        );

        let _ = writeln!(out, "\nThree classic needs, with their verdicts in full:");
        for i in [0usize, 1, 7] {
            let item = needs[&i];
            let stored = self.load(item).await?;
            if let Some(v) = &stored.verdict {
                let _ = writeln!(out, "\n{} — {} ({})", item, stored.title, stored.team);
                let blocks = crate::chat::render::verdict_blocks(&self.bot.prompts, self.lang, Some(item), v);
                out.push_str(&render_blocks(&blocks, false));
            }
        }
        Ok(out)
    }
}
