//! The weekly jobs on a clock the tests move (issue 6): one digest per fire time whatever
//! restarts, replicas, crashes and outages do; local time across daylight saving; and deliveries
//! that get through rate limits and server errors without repeating what arrived.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use kakehashi::chat::{Block, Message, Span};
use kakehashi::domain::nudge::FollowSettings;
use kakehashi::domain::text::{Description, TeamName, Title};
use kakehashi::domain::{ItemKind, Recipient, Settings};
use kakehashi::jobs::{Cadence, JOBS, Job, JobSpec, LEASE, Report, Scheduler};
use kakehashi::outbox::{self, Deliverers};
use kakehashi::prompts::Prompts;
use kakehashi::storage::{self, NewItem, RunOutcome, Save, Store};

use crate::discord_fake::FakeDiscord;
use crate::fake_slack::{FakeSlack, Scripted};
use crate::helpers::{TestDb, backends, sqlite};
use crate::tracking::Recorder;

/// Monday 2026-06-01 09:00 in Tokyo: the default schedule's fire time.
fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

/// A workspace whose digest goes to `channel`, on `cron` in `tz`, created at `created`; its
/// follow-through jobs are off (tests/it/follow.rs tests them), so only the weekly jobs run.
async fn workspace(store: &Arc<dyn Store>, id: &str, channel: &str, cron: &str, tz: &str, created: DateTime<Utc>) {
    let settings = Settings {
        digest_channel: Some(channel.into()),
        digest_cron: cron.into(),
        timezone: tz.into(),
        follow: FollowSettings { nudges: false, ..FollowSettings::default() },
        ..Settings::default()
    };
    store.ensure_workspace(id, "Jobs", &settings, created).await.unwrap();
}

/// A workspace on the default schedule (Mondays 09:00 Asia/Tokyo), made the week before.
async fn weekly(store: &Arc<dyn Store>, id: &str, channel: &str) {
    workspace(store, id, channel, "0 9 * * Mon", "Asia/Tokyo", monday() - Duration::days(6)).await;
}

/// The jobs that run at the weekly time (the stage evaluation and the digest).
fn weekly_jobs() -> Vec<&'static JobSpec> {
    JOBS.iter().filter(|j| j.cadence == Cadence::Weekly).collect()
}

fn scheduler(store: &Arc<dyn Store>) -> Scheduler {
    Scheduler::new(store.clone(), Arc::new(Prompts::embedded()))
}

/// `n` ticks 30 seconds apart from `from`, as the server ticks; the reports added up.
async fn ticks(s: &Scheduler, from: DateTime<Utc>, n: i64) -> Report {
    let mut sum = Report::default();
    for i in 0..n {
        let r = s.run_once(from + Duration::seconds(30 * i)).await.unwrap();
        sum.scheduled += r.scheduled;
        sum.skipped += r.skipped;
        sum.done += r.done;
        sum.retried += r.retried;
    }
    sum
}

/// Delivers everything due at `now` in workspaces starting with `prefix` to a fresh recorder.
async fn deliver(store: &Arc<dyn Store>, prefix: &str, now: DateTime<Utc>) -> Arc<Recorder> {
    let recorder = Arc::new(Recorder::default());
    let mut d = Deliverers::default();
    d.register(prefix, recorder.clone());
    outbox::run_once(store.as_ref(), &d, now).await.unwrap();
    recorder
}

fn files(r: &Recorder) -> Vec<Recipient> {
    r.files.lock().unwrap().iter().map(|(to, _)| to.clone()).collect()
}

#[tokio::test]
async fn a_restart_never_sends_a_digest_twice() {
    for db in backends().await {
        let store = &db.store;
        weekly(store, "test:w1", "C-digest").await;
        let first = ticks(&scheduler(store), monday() + Duration::minutes(1), 4).await;
        assert_eq!((first.scheduled, first.done, first.skipped), (2, 2, 0), "{}: {first:?}", db.name);

        // the bot restarts: a new replica name, the same database
        let again = ticks(&scheduler(store), monday() + Duration::minutes(5), 20).await;
        assert_eq!(again, Report::default(), "{}: nothing is scheduled or run again", db.name);

        let sent = deliver(store, "test:", monday() + Duration::minutes(20)).await;
        let texts = sent.texts();
        assert_eq!(texts.len(), 1, "{}: one digest message: {texts:?}", db.name);
        assert_eq!(texts[0].0, Recipient::Channel("C-digest".into()));
        assert!(texts[0].1.contains("Weekly AI digest"), "{}", texts[0].1);
        assert!(!texts[0].1.contains("Sent late"), "on time: {}", texts[0].1);
        assert_eq!(files(&sent), vec![Recipient::Channel("C-digest".into())], "{}: one chart", db.name);

        let next_week = ticks(&scheduler(store), monday() + Duration::weeks(1), 4).await;
        assert_eq!((next_week.scheduled, next_week.done), (2, 2), "{}: and next week comes", db.name);
    }
}

#[tokio::test]
async fn a_missed_digest_is_sent_late_within_a_day_and_skipped_after() {
    for db in backends().await {
        let store = &db.store;
        weekly(store, "test:w1", "C-digest").await;

        // the bot was down at 09:00 and starts at noon, Tokyo time
        let noon = ticks(&scheduler(store), monday() + Duration::hours(3), 4).await;
        assert_eq!((noon.scheduled, noon.done, noon.skipped), (2, 2, 0), "{}: {noon:?}", db.name);
        let sent = deliver(store, "test:", monday() + Duration::hours(3) + Duration::minutes(5)).await;
        let texts = sent.texts();
        assert_eq!(texts.len(), 1, "{}: {texts:?}", db.name);
        assert!(
            texts[0].1.contains("Sent late: it was due Mon 2026-06-01 09:00 JST"),
            "{}: the late digest says so: {}",
            db.name,
            texts[0].1
        );

        // down again the next week, and back 30 hours after the fire time: too late to matter
        let week2 = monday() + Duration::weeks(1);
        let skipped = ticks(&scheduler(store), week2 + Duration::hours(30), 4).await;
        assert_eq!((skipped.scheduled, skipped.done, skipped.skipped), (0, 0, 2), "{}: {skipped:?}", db.name);
        let sent = deliver(store, "test:", week2 + Duration::hours(31)).await;
        assert!(sent.texts().is_empty() && files(&sent).is_empty(), "{}: nothing sent for a skipped week", db.name);

        // and the week after is on time again
        let week3 = monday() + Duration::weeks(2);
        let on_time = ticks(&scheduler(store), week3, 4).await;
        assert_eq!((on_time.scheduled, on_time.done), (2, 2), "{}: {on_time:?}", db.name);
        let sent = deliver(store, "test:", week3 + Duration::minutes(5)).await;
        let texts = sent.texts();
        assert_eq!(texts.len(), 1);
        assert!(!texts[0].1.contains("Sent late"), "{}", texts[0].1);
    }
}

/// The UTC minutes in `[from, to)` at which a workspace on `cron` in `tz` gets its weekly runs,
/// ticking every minute.
async fn fire_minutes(cron: &str, tz: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let db = sqlite().await;
    workspace(&db.store, "test:tz", "C-digest", cron, tz, from).await;
    let s = scheduler(&db.store);
    let mut fired = Vec::new();
    let mut now = from;
    while now < to {
        let r = s.run_once(now).await.unwrap();
        assert_eq!(r.skipped, 0);
        if r.scheduled > 0 {
            assert_eq!(r.scheduled, weekly_jobs().len(), "every job at once");
            fired.push(now);
        }
        now += Duration::minutes(1);
    }
    fired
}

#[tokio::test]
async fn the_schedule_keeps_local_time_across_daylight_saving() {
    // Europe/Berlin springs forward on 2026-03-29: 02:30 does not exist, so the digest goes at the
    // first minute that does (03:00 CEST, 01:00 UTC), once; a week later 02:30 CEST is 00:30 UTC.
    let berlin = "30 2 * * Sun";
    assert_eq!(
        fire_minutes(berlin, "Europe/Berlin", utc(2026, 3, 28, 22, 0), utc(2026, 3, 29, 4, 0)).await,
        vec![utc(2026, 3, 29, 1, 0)]
    );
    assert_eq!(
        fire_minutes(berlin, "Europe/Berlin", utc(2026, 4, 4, 22, 0), utc(2026, 4, 5, 4, 0)).await,
        vec![utc(2026, 4, 5, 0, 30)]
    );

    // America/New_York falls back on 2026-11-01: 01:30 happens twice (EDT, then EST); the digest
    // goes at the first, once.
    assert_eq!(
        fire_minutes("30 1 * * Sun", "America/New_York", utc(2026, 11, 1, 3, 0), utc(2026, 11, 1, 9, 0)).await,
        vec![utc(2026, 11, 1, 5, 30)]
    );

    // Asia/Tokyo (the default, no daylight saving): Monday 09:00 is Monday 00:00 UTC.
    assert_eq!(
        fire_minutes("0 9 * * Mon", "Asia/Tokyo", utc(2026, 5, 31, 22, 0), utc(2026, 6, 1, 2, 0)).await,
        vec![monday()]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_replicas_racing_send_each_digest_exactly_once() {
    for db in backends().await {
        let workspaces = 4;
        for n in 0..workspaces {
            weekly(&db.store, &format!("test:w{n}"), &format!("C-{n}")).await;
        }
        // three replicas: each its own connection pool on the same database
        let mut replicas = Vec::new();
        for _ in 0..3 {
            replicas.push(storage::open(&db.url).await.unwrap());
        }
        let start = monday() + Duration::seconds(5);
        let runs = replicas.iter().map(|store| {
            let s = scheduler(store);
            tokio::spawn(async move { ticks(&s, start, 6).await })
        });
        let reports: Vec<Report> = futures_util::future::join_all(runs).await.into_iter().map(Result::unwrap).collect();
        let scheduled: usize = reports.iter().map(|r| r.scheduled).sum();
        let done: usize = reports.iter().map(|r| r.done).sum();
        assert_eq!(scheduled, 2 * workspaces, "{}: each run is scheduled by one replica: {reports:?}", db.name);
        assert_eq!(done, 2 * workspaces, "{}: each run is done by one replica: {reports:?}", db.name);

        // and the outbox, drained by the three at once, sends each digest once
        let at = start + Duration::minutes(5);
        let drains = replicas.iter().map(|store| {
            let store = store.clone();
            tokio::spawn(async move { deliver(&store, "test:", at).await })
        });
        let recorders: Vec<Arc<Recorder>> =
            futures_util::future::join_all(drains).await.into_iter().map(Result::unwrap).collect();
        let mut channels: Vec<String> = Vec::new();
        let mut charts: Vec<Recipient> = Vec::new();
        for r in &recorders {
            for (to, text) in r.texts() {
                assert!(text.contains("Weekly AI digest"));
                let Recipient::Channel(c) = to else { panic!("a digest to a channel") };
                channels.push(c);
            }
            charts.extend(files(r));
        }
        channels.sort();
        let expected: Vec<String> = (0..workspaces).map(|n| format!("C-{n}")).collect();
        assert_eq!(channels, expected, "{}: one digest per workspace", db.name);
        assert_eq!(charts.len(), workspaces, "{}: one chart per workspace", db.name);
    }
}

#[tokio::test]
async fn a_run_whose_replica_died_is_taken_over_after_the_lease_and_the_dead_one_cannot_finish_it() {
    for db in backends().await {
        let store = &db.store;
        weekly(store, "test:w1", "C-digest").await;
        let now = monday() + Duration::minutes(1);
        for job in weekly_jobs() {
            assert!(store.schedule_run(job.job.name(), "test:w1", monday(), false, None, now).await.unwrap());
        }
        // a replica claims both runs and dies before sending anything
        let held = store.claim_runs("replica-that-dies", now, LEASE, 20).await.unwrap();
        assert_eq!(held.len(), weekly_jobs().len(), "{}", db.name);

        let survivor = scheduler(store);
        let early = ticks(&survivor, now + Duration::minutes(1), 4).await;
        assert_eq!(early, Report::default(), "{}: the claims hold until the lease ends", db.name);
        let taken = ticks(&survivor, now + LEASE + Duration::minutes(1), 4).await;
        assert_eq!((taken.scheduled, taken.done), (0, 2), "{}: taken over: {taken:?}", db.name);

        // the dead replica wakes up and tries to finish with a digest of its own: refused
        let ghost = outbox::notice(
            "test:w1",
            Recipient::Channel("C-digest".into()),
            &outbox::Payload::Message { message: Message::private(vec![Block::Heading("a ghost digest".into())]) },
            now,
        );
        for run in &held {
            let outcome = RunOutcome::Done { notices: vec![ghost.clone()], evaluation: None };
            let finished = store.finish_run(run, "replica-that-dies", outcome, now + LEASE * 2).await.unwrap();
            assert!(!finished, "{}: a lost claim cannot finish its run", db.name);
        }

        let sent = deliver(store, "test:", now + LEASE * 3).await;
        let texts = sent.texts();
        assert_eq!(texts.len(), 1, "{}: {texts:?}", db.name);
        assert!(texts[0].1.contains("Weekly AI digest") && !texts[0].1.contains("ghost"));
        assert_eq!(files(&sent).len(), 1);
    }
}

/// Runs the scheduler for `ws`'s Monday, then the outbox through `deliverers`, a minute later each
/// round, until nothing is left to send; returns how many rounds retried something.
async fn send_the_digest(db: &TestDb, deliverers: &Deliverers) -> usize {
    let report = ticks(&scheduler(&db.store), monday(), 4).await;
    assert_eq!(report.done, 2, "{report:?}");
    let mut now = monday() + Duration::minutes(2);
    let mut retried = 0;
    for _ in 0..30 {
        let r = outbox::run_once(db.store.as_ref(), deliverers, now).await.unwrap();
        assert_eq!(r.given_up, 0, "{r:?}");
        retried += r.retried;
        now += Duration::minutes(1);
    }
    retried
}

#[tokio::test]
async fn the_digest_reaches_slack_once_after_a_rate_limit_and_a_server_error() {
    let db = sqlite().await;
    weekly(&db.store, "slack:T1", "C42").await;
    let fake = FakeSlack::start().await;
    fake.script("chat.postMessage", Scripted::RateLimited { after_secs: 30 }, 1);
    fake.script("chat.postMessage", Scripted::Status(500, "internal_error"), 1);
    fake.script("files.completeUploadExternal", Scripted::Status(503, "unavailable"), 1);
    fake.script("files.completeUploadExternal", Scripted::RateLimited { after_secs: 10 }, 1);
    let mut deliverers = Deliverers::default();
    deliverers.register("slack:", Arc::new(slack_deliver(&fake)));

    let retried = send_the_digest(&db, &deliverers).await;
    assert_eq!(retried, 4, "two failures for the message, two for the chart");
    let posts = fake.calls_of("chat.postMessage");
    assert_eq!(posts.len(), 3, "two refused, then one posted");
    assert_eq!(posts[2].body["channel"], "C42");
    assert!(posts[2].body["text"].as_str().unwrap().contains("Weekly AI digest"));
    assert_eq!(fake.calls_of("files.completeUploadExternal").len(), 3, "the chart is shared once, on the third try");
}

#[tokio::test]
async fn the_digest_reaches_discord_once_after_a_rate_limit_and_a_server_error() {
    let db = sqlite().await;
    let channel = "1900000000000000009";
    weekly(&db.store, "discord:1200000000000000002", channel).await;
    let fake = FakeDiscord::start().await;
    let limited = r#"{"message":"You are being rate limited.","retry_after":12.5,"global":false}"#;
    fake.answer_next("/messages", 429, limited, Some("13"));
    fake.answer_next("/messages", 500, r#"{"message":"500: Internal Server Error","code":0}"#, None);
    let mut deliverers = Deliverers::default();
    deliverers.register("discord:", Arc::new(discord_deliver(&fake)));

    let retried = send_the_digest(&db, &deliverers).await;
    assert_eq!(retried, 2);
    let posts: Vec<_> = fake.calls().into_iter().filter(|c| c.path.ends_with(&format!("{channel}/messages"))).collect();
    assert_eq!(posts.len(), 4, "two refused, then the digest and its chart: {posts:#?}");
    let delivered = &posts[2].body;
    assert!(delivered.to_string().contains("Weekly AI digest"), "{delivered}");
    assert!(posts[3].body.as_str().is_some_and(|b| b.contains("kakehashi-digest-2026-06-01.png")), "the chart, once");
}

fn slack_deliver(fake: &FakeSlack) -> kakehashi::transport::slack::SlackDeliver {
    kakehashi::transport::slack::SlackDeliver::new(kakehashi::transport::slack::SlackApi::new(
        reqwest::Client::new(),
        &fake.api_url(),
        kakehashi::config::Secret::new("xoxb-jobs-test"),
        kakehashi::transport::slack::RetryPolicy::ONCE,
    ))
}

fn discord_deliver(fake: &FakeDiscord) -> kakehashi::transport::discord::deliver::DiscordDeliver {
    kakehashi::transport::discord::deliver::DiscordDeliver {
        api: Arc::new(kakehashi::transport::discord::api::DiscordApi::new(Some("bot-token"), &fake.url)),
    }
}

/// A message long enough to go out in several parts, each block saying its number.
fn long_message(blocks: usize) -> Message {
    Message::private(
        (0..blocks).map(|n| Block::Text(vec![Span::plain(format!("line #{n}# {}", "words ".repeat(20)))])).collect(),
    )
}

/// Queues `message` to `channel` in `workspace`, as a change to an item would.
async fn queue(store: &Arc<dyn Store>, workspace: &str, channel: &str, message: Message) {
    store.ensure_workspace(workspace, "Parts", &Settings::default(), monday()).await.unwrap();
    let mut item = store
        .create_item(NewItem {
            workspace: workspace.into(),
            kind: ItemKind::Need,
            title: Title::parse("A long notice").unwrap(),
            description: Description::parse("").unwrap(),
            team: TeamName::parse("Ops").unwrap(),
            requester: "U1".into(),
            at: monday(),
        })
        .await
        .unwrap();
    let notice =
        outbox::notice(workspace, Recipient::Channel(channel.into()), &outbox::Payload::Message { message }, monday());
    store.save_item(&mut item, "U1", Save { notices: &[notice], ..Save::default() }).await.unwrap();
}

/// The numbers of the `line #n#` blocks in a posted body, in order.
fn line_numbers(body: &str) -> Vec<usize> {
    body.split("line #").skip(1).filter_map(|s| s.split('#').next()?.parse().ok()).collect()
}

#[tokio::test]
async fn a_long_message_that_fails_part_way_is_resumed_without_repeating_a_part() {
    let message = long_message(130);
    let expected: Vec<usize> = (0..130).collect();

    // Slack: at most 50 blocks a message, so three posts; the second is rate limited once
    let db = sqlite().await;
    queue(&db.store, "slack:T1", "C42", message.clone()).await;
    let fake = FakeSlack::start().await;
    fake.script("chat.postMessage", Scripted::Pass, 1);
    fake.script("chat.postMessage", Scripted::RateLimited { after_secs: 5 }, 1);
    let mut deliverers = Deliverers::default();
    deliverers.register("slack:", Arc::new(slack_deliver(&fake)));
    let first = outbox::run_once(db.store.as_ref(), &deliverers, monday()).await.unwrap();
    assert_eq!((first.sent, first.retried), (0, 1));
    let second = outbox::run_once(db.store.as_ref(), &deliverers, monday() + Duration::seconds(6)).await.unwrap();
    assert_eq!((second.sent, second.retried), (1, 0));
    let posts = fake.calls_of("chat.postMessage");
    assert_eq!(posts.len(), 4, "part 1, part 2 refused, parts 2 and 3");
    let arrived: Vec<usize> =
        [&posts[0], &posts[2], &posts[3]].iter().flat_map(|c| line_numbers(&c.body["blocks"].to_string())).collect();
    assert_eq!(arrived, expected, "every block once, in order");

    // Discord: the same notice split over messages; the second fails with a 502 once
    let db = sqlite().await;
    queue(&db.store, "discord:1200000000000000002", "1900000000000000009", message).await;
    let fake = FakeDiscord::start().await;
    fake.answer_next("/messages", 200, r#"{"id":"1500000000000000001"}"#, None);
    fake.answer_next("/messages", 502, "", None);
    let mut deliverers = Deliverers::default();
    deliverers.register("discord:", Arc::new(discord_deliver(&fake)));
    let first = outbox::run_once(db.store.as_ref(), &deliverers, monday()).await.unwrap();
    assert_eq!((first.sent, first.retried), (0, 1));
    let second = outbox::run_once(db.store.as_ref(), &deliverers, monday() + Duration::minutes(1)).await.unwrap();
    assert_eq!((second.sent, second.retried), (1, 0));
    let posts = fake.calls();
    assert!(posts.len() >= 3, "{posts:#?}");
    let arrived: Vec<usize> = posts
        .iter()
        .enumerate()
        .filter(|(n, _)| *n != 1)
        .flat_map(|(_, c)| line_numbers(&c.body.to_string()))
        .collect();
    assert_eq!(arrived, expected, "every block once, in order");
}

/// The reminders' sweep leaves a run row every 5 working minutes; housekeeping deletes the
/// finished ones older than a day, and leaves the weekly runs and anything pending alone.
#[tokio::test]
async fn housekeeping_deletes_old_reminder_sweeps_and_nothing_else() {
    for db in backends().await {
        let store = &db.store;
        weekly(store, "test:w1", "C-digest").await;
        let now = monday();
        let follow_up = Job::FollowUp.name();
        for (job, at) in [
            (follow_up, now - Duration::days(2)),
            (follow_up, now - Duration::hours(1)),
            (Job::WeeklyDigest.name(), now - Duration::weeks(3)),
        ] {
            assert!(store.schedule_run(job, "test:w1", at, false, Some("test"), now).await.unwrap(), "{}", db.name);
        }
        // a pending sweep from long ago (its replica died) is not deleted
        assert!(store.schedule_run(follow_up, "test:w1", now - Duration::days(3), false, None, now).await.unwrap());

        scheduler(store).housekeeping(now).await;

        let again = |job: &'static str, at| store.schedule_run(job, "test:w1", at, false, Some("test"), now);
        assert!(again(follow_up, now - Duration::days(2)).await.unwrap(), "{}: the old sweep is gone", db.name);
        assert!(!again(follow_up, now - Duration::hours(1)).await.unwrap(), "{}: the recent one stays", db.name);
        assert!(!again(follow_up, now - Duration::days(3)).await.unwrap(), "{}: the pending one stays", db.name);
        assert!(!again(Job::WeeklyDigest.name(), now - Duration::weeks(3)).await.unwrap(), "{}", db.name);
    }
}
