//! Follow-through (issue 12, SPEC §5) on both databases with the manual clock: reminders fire
//! once, at a working hour of the workspace's time zone, wait through nights and weekends,
//! respect snoozes and the workspace's switch, are not repeated after a restart or by a second
//! replica; the realised-value check-in and its answers; the register, retire and reviews; and
//! no reminder mentions anyone.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use kakehashi::chat::{Message, Outbound};
use kakehashi::domain::checklist::Answer;
use kakehashi::domain::text::{Description, TeamName, Title};
use kakehashi::domain::{ItemKind, Recipient, Role, Settings, Status, WorkItem};
use kakehashi::jobs::Scheduler;
use kakehashi::outbox::{self, Deliverers};
use kakehashi::prompts::Prompts;
use kakehashi::storage::{NewItem, Save, Store};
use kakehashi::transport::{discord, slack};

use crate::helpers::{App, WORKSPACE, actions, app, backends, said};
use crate::tracking::Recorder;

/// A time in Tokyo, the default time zone. 2026-06-01 is a Monday.
fn tokyo(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Asia::Tokyo.with_ymd_and_hms(2026, m, d, h, min, 0).unwrap().with_timezone(&Utc)
}

async fn workspace(store: &Arc<dyn Store>, created: DateTime<Utc>) {
    let settings = Settings { triage_channel: Some("C-ai".into()), ..Settings::default() };
    store.ensure_workspace(WORKSPACE, "Test", &settings, created).await.unwrap();
}

async fn create(store: &Arc<dyn Store>, kind: ItemKind, title: &str, requester: &str, at: DateTime<Utc>) -> WorkItem {
    let new = NewItem {
        workspace: WORKSPACE.into(),
        kind,
        title: Title::parse(title).unwrap(),
        description: Description::parse("").unwrap(),
        team: TeamName::parse("Store operations").unwrap(),
        requester: requester.into(),
        at,
    };
    store.create_item(new).await.unwrap()
}

/// Moves the item through `path` at `at`, as the AI team member `ai` would.
async fn walk(store: &Arc<dyn Store>, item: &mut WorkItem, path: &[Status], at: DateTime<Utc>) {
    let mut events = Vec::new();
    for to in path {
        let note = to.requires_note().then(|| kakehashi::domain::text::Note::parse("done").unwrap());
        events.push(item.transition(*to, "ai", note, at).unwrap());
    }
    store.save_item(item, "ai", Save { events: &events, ..Save::default() }).await.unwrap();
}

async fn answer_people(store: &Arc<dyn Store>, item: &mut WorkItem, picked: &[&str]) {
    item.answers.set("people_impact", Answer::Many(picked.iter().map(|s| s.to_string()).collect()));
    store
        .save_item(
            item,
            item.requester.clone().as_str(),
            Save { answers: &["people_impact".into()], ..Save::default() },
        )
        .await
        .unwrap();
}

/// Ticks the scheduler at each time, then delivers what is due; the messages that went out.
async fn tick(s: &Scheduler, at: DateTime<Utc>) -> Vec<(Recipient, Message)> {
    s.run_once(at).await.unwrap();
    let recorder = Arc::new(Recorder::default());
    let mut d = Deliverers::default();
    d.register("test:", recorder.clone());
    outbox::run_once(s.store.as_ref(), &d, at).await.unwrap();
    let sent = recorder.sent.lock().unwrap().clone();
    for (to, m) in &sent {
        no_one_pinged_but(to, m);
    }
    sent
}

fn scheduler(store: &Arc<dyn Store>) -> Scheduler {
    Scheduler::new(store.clone(), Arc::new(Prompts::embedded()))
}

fn text_of(m: &Message) -> String {
    said(&[Outbound::Message(m.clone())])
}

/// A reminder pings nobody: no `@here`, `@channel`, `@everyone`, and no mention at all but of
/// its addressee, as Slack and Discord render it.
fn no_one_pinged_but(to: &Recipient, m: &Message) {
    let addressee = match to {
        Recipient::User(u) => Some(u.as_str()),
        Recipient::Channel(_) => None,
    };
    for part in slack::render::message(m) {
        let s = serde_json::to_string(&part.blocks).unwrap() + &part.text;
        assert!(!s.contains("<!"), "a special mention on Slack: {s}");
        for (i, _) in s.match_indices("<@") {
            let id: String = s[i + 2..].chars().take_while(|c| *c != '>').collect();
            assert_eq!(Some(id.as_str()), addressee, "a mention on Slack: {s}");
        }
    }
    for out in discord::render::message(m) {
        let v = serde_json::to_value(out.channel_message()).unwrap();
        assert_eq!(v["allowed_mentions"]["parse"], serde_json::json!([]), "{v}");
        let s = v.to_string();
        assert!(!s.contains("@everyone") && !s.contains("@here"), "a mass mention on Discord: {s}");
        for (i, _) in s.match_indices("<@") {
            let id: String = s[i + 2..].chars().take_while(|c| *c != '>').collect();
            assert_eq!(Some(id.trim_start_matches(['!', '&'])), addressee, "a mention on Discord: {s}");
        }
    }
}

const HOSTILE: &str = "@here <!channel> <@U999> @everyone";

#[tokio::test]
async fn an_unfinished_checklist_is_reminded_at_working_hours_after_two_and_seven_days_once() {
    for db in backends().await {
        let store = &db.store;
        // Thursday 17:30 in Tokyo
        let started = tokyo(6, 4, 17, 30);
        workspace(store, started - Duration::days(1)).await;
        create(store, ItemKind::Need, HOSTILE, "aiko", started).await;
        // a checklist finished before its reminder is due gets none
        let mut done = create(store, ItemKind::Need, "Finished in time", "ben", started).await;
        walk(store, &mut done, &[Status::Submitted, Status::Accepted], started + Duration::days(1)).await;
        let (a, b) = (scheduler(store), scheduler(store));
        assert!(tick(&a, started + Duration::days(1)).await.is_empty(), "{}: too early", db.name);
        // two days later is Saturday: the weekend, then Monday's quiet morning, wait
        for at in [tokyo(6, 6, 17, 30), tokyo(6, 7, 12, 0), tokyo(6, 8, 7, 59)] {
            assert!(tick(&a, at).await.is_empty(), "{}: a reminder at {at}", db.name);
        }
        let sent = tick(&a, tokyo(6, 8, 8, 0)).await;
        assert_eq!(sent.len(), 1, "{}: Monday 08:00 local", db.name);
        assert_eq!(sent[0].0, Recipient::User("aiko".into()));
        assert!(text_of(&sent[0].1).contains("N-1 is waiting for the rest of its checklist"), "{}", db.name);
        assert_eq!(actions(&[Outbound::Message(sent[0].1.clone())]), vec!["r:N-1".to_string()]);
        // the same hour again, another replica, a restart (a new scheduler): nothing more
        assert!(tick(&b, tokyo(6, 8, 8, 1)).await.is_empty(), "{}: a second replica", db.name);
        assert!(tick(&scheduler(store), tokyo(6, 8, 10, 0)).await.is_empty(), "{}: after a restart", db.name);
        // seven days: Thursday 17:30, a working hour
        assert!(tick(&a, tokyo(6, 11, 17, 29)).await.is_empty(), "{}", db.name);
        assert_eq!(tick(&b, tokyo(6, 11, 17, 30)).await.len(), 1, "{}: the second reminder", db.name);
        for days in [8, 15, 40] {
            assert!(tick(&a, tokyo(6, 11, 10, 0) + Duration::days(days)).await.is_empty(), "{}: then never", db.name);
        }
    }
}

#[tokio::test]
async fn two_replicas_ticking_at_once_send_each_reminder_once() {
    for db in backends().await {
        let store = &db.store;
        let started = tokyo(6, 1, 9, 0);
        workspace(store, started).await;
        for i in 0..5 {
            create(store, ItemKind::Need, &format!("Need {i}"), "aiko", started).await;
        }
        let (a, b) = (scheduler(store), scheduler(store));
        let at = tokyo(6, 3, 10, 0);
        let (ra, rb) = tokio::join!(a.run_once(at), b.run_once(at));
        ra.unwrap();
        rb.unwrap();
        let sent = tick(&a, at).await;
        assert_eq!(sent.len(), 5, "{}: one reminder per need", db.name);
    }
}

#[tokio::test]
async fn snoozes_and_the_workspace_switch_hold_reminders_back() {
    for db in backends().await {
        let app = app(db).await;
        let store = &app.db.store;
        let started = tokyo(6, 1, 9, 0);
        workspace(store, started).await;
        app.clock.set(started);
        create(store, ItemKind::Need, "Forecast demand", "aiko", started).await;
        create(store, ItemKind::Need, "Sort cucumbers", "ben", started).await;
        let said_ = said(&app.person("aiko").command("snooze 2w").await);
        assert!(said_.contains("Reminders paused until 2026-06-15 09:00"), "{said_}");
        assert!(said(&app.person("aiko").command("snooze 2y").await).contains("is not a snooze"));
        let s = scheduler(store);
        let sent = tick(&s, tokyo(6, 3, 10, 0)).await;
        assert_eq!(sent.iter().map(|(to, _)| to.clone()).collect::<Vec<_>>(), vec![Recipient::User("ben".into())]);
        // ben's second reminder (7 days) goes; aiko's wait for the end of her snooze, Monday the
        // 15th, and then only the latest is due
        let to = |sent: Vec<(Recipient, Message)>| sent.into_iter().map(|(to, _)| to).collect::<Vec<_>>();
        let ben = vec![Recipient::User("ben".into())];
        assert_eq!(to(tick(&s, tokyo(6, 12, 10, 0)).await), ben, "{}: still snoozed", app.db.name);
        let aiko = vec![Recipient::User("aiko".into())];
        assert_eq!(to(tick(&s, tokyo(6, 15, 10, 0)).await), aiko, "{}: after the snooze", app.db.name);
        // `snooze off` ends a pause at once; the switch stops everything
        app.person("ben").command("snooze 1w").await;
        app.person("ben").command("snooze off").await;
        app.grant("admin1", Role::Admin).await;
        let off = said(&app.person("admin1").command("admin set nudges no").await);
        assert!(off.contains("Saved"), "{off}");
        create(store, ItemKind::Need, "Third", "carl", tokyo(6, 15, 9, 0)).await;
        assert!(tick(&s, tokyo(6, 18, 10, 0)).await.is_empty(), "{}: nudges off", app.db.name);
        app.person("admin1").command("admin set nudges yes").await;
        let carl = vec![Recipient::User("carl".into())];
        assert_eq!(to(tick(&s, tokyo(6, 18, 11, 0)).await), carl, "{}: on again", app.db.name);
    }
}

#[tokio::test]
async fn needs_waiting_for_triage_are_listed_once_a_day_and_a_triaged_one_is_not() {
    for db in backends().await {
        let store = &db.store;
        let monday = tokyo(6, 1, 9, 0);
        workspace(store, monday - Duration::days(1)).await;
        let mut late = create(store, ItemKind::Need, HOSTILE, "aiko", monday).await;
        walk(store, &mut late, &[Status::Submitted], monday).await;
        let mut triaged = create(store, ItemKind::Need, "Triaged in time", "ben", monday).await;
        walk(store, &mut triaged, &[Status::Submitted], monday).await;
        let s = scheduler(store);
        // five days is not over five days; then Saturday and Sunday wait
        assert!(tick(&s, tokyo(6, 6, 9, 0)).await.is_empty());
        assert!(tick(&s, tokyo(6, 7, 12, 0)).await.is_empty());
        walk(store, &mut triaged, &[Status::Accepted], tokyo(6, 7, 20, 0)).await;
        let sent = tick(&s, tokyo(6, 8, 8, 0)).await;
        assert_eq!(sent.len(), 1, "{}: Monday's list", db.name);
        assert_eq!(sent[0].0, Recipient::Channel("C-ai".into()));
        let text = text_of(&sent[0].1);
        assert!(text.contains("1 need has waited for triage over 5 days"), "{}: {text}", db.name);
        assert!(text.contains("N-1") && !text.contains("N-2"), "{}: {text}", db.name);
        assert!(text.contains("waiting 6 days"), "{text}");
        // once a day, whoever ticks
        assert!(tick(&scheduler(store), tokyo(6, 8, 15, 0)).await.is_empty(), "{}", db.name);
        assert_eq!(tick(&s, tokyo(6, 9, 8, 30)).await.len(), 1, "{}: Tuesday's", db.name);
    }
}

#[tokio::test]
async fn a_quiet_item_s_owner_is_asked_once_after_fourteen_days() {
    for db in backends().await {
        let store = &db.store;
        let t = tokyo(6, 1, 10, 0);
        workspace(store, t).await;
        let mut seed = create(store, ItemKind::Seed, "Detect duplicate invoices", "ai", t).await;
        seed.assign("ai", "ai", t);
        walk(store, &mut seed, &[Status::Prototyping], t).await;
        let s = scheduler(store);
        assert!(tick(&s, t + Duration::days(13)).await.is_empty());
        let sent = tick(&s, t + Duration::days(14)).await;
        assert_eq!(sent.len(), 1, "{}", db.name);
        assert_eq!(sent[0].0, Recipient::User("ai".into()));
        assert!(text_of(&sent[0].1).contains("no update for 14 days"));
        assert!(actions(&[Outbound::Message(sent[0].1.clone())]).contains(&"m:S-1:pitched".to_string()));
        assert!(tick(&s, t + Duration::days(15)).await.is_empty(), "{}: once", db.name);
    }
}

/// The app of the follow-through tests: its workspace made at 10:00 on 1 June in Tokyo, where
/// `who` holds `role`; with its store and that time.
async fn opened(db: crate::helpers::TestDb, who: &str, role: Role) -> (App, Arc<dyn Store>, DateTime<Utc>) {
    let app = app(db).await;
    let store = app.db.store.clone();
    let t = tokyo(6, 1, 10, 0);
    workspace(&store, t).await;
    app.grant(who, role).await;
    (app, store, t)
}

/// A need delivered on `at`, with a checklist answer on people.
async fn delivered(app: &App, title: &str, people: &[&str], at: DateTime<Utc>) -> WorkItem {
    let store = &app.db.store;
    let mut n = create(store, ItemKind::Need, title, "aiko", at).await;
    answer_people(store, &mut n, people).await;
    n.assign("ai", "ai", at);
    walk(store, &mut n, &[Status::Submitted, Status::Accepted, Status::InProgress, Status::Delivered], at).await;
    n
}

#[tokio::test]
async fn the_value_check_in_comes_once_and_is_answered_by_button_and_by_form() {
    for db in backends().await {
        let (app, store, t) = opened(db, "ai", Role::AiTeam).await;
        delivered(&app, "Forecast demand", &["none"], t).await;
        delivered(&app, "Sort cucumbers", &["none"], t).await;
        let s = scheduler(&store);
        assert!(tick(&s, t + Duration::weeks(8) - Duration::hours(1)).await.is_empty(), "{}", app.db.name);
        let sent = tick(&s, t + Duration::weeks(8)).await;
        assert_eq!(sent.len(), 2, "{}: one check-in per item", app.db.name);
        let text = text_of(&sent[0].1);
        assert!(text.contains("8 weeks ago N-1 was delivered") && text.contains("The checklist estimated"), "{text}");
        let buttons = actions(&[Outbound::Message(sent[0].1.clone())]);
        assert_eq!(buttons, vec!["o:val:N-1", "v:N-1:no_effect", "v:N-1:no_longer_used"]);
        assert!(tick(&s, t + Duration::weeks(9)).await.is_empty(), "{}: once", app.db.name);

        app.clock.set(t + Duration::weeks(9));
        let aiko = app.person("aiko");
        assert!(said(&aiko.click("v:N-1:no_effect").await).contains("no measurable effect"));
        // the form: a bad amount comes back, a good one is recorded
        let form = aiko.click("o:val:N-2").await;
        assert!(matches!(form.first(), Some(Outbound::Form(f)) if f.id == "val:N-2"));
        let again = aiko.submit("val:N-2", &[("amount", "lots")]).await;
        assert!(matches!(again.first(), Some(Outbound::Form(f)) if !f.errors.is_empty()));
        assert!(said(&aiko.submit("val:N-2", &[("amount", "1,200,000")]).await).contains("¥1,200,000"));
        assert!(said(&app.person("zed").click("v:N-2:no_effect").await).contains("Only the requester"));
        app.grant("admin1", Role::Admin).await;
        let stats = said(&app.person("admin1").command("admin stats").await);
        assert!(stats.contains("Value checked: 2 of 2 delivered (100%)"), "{stats}");
        assert!(stats.contains("Realised value a year (checked): ¥1,200,000"), "{stats}");
        let shown = said(&aiko.command("show N-2").await);
        assert!(shown.contains("realised ¥1,200,000") && shown.contains("confirmed a realised value"), "{shown}");

        let mut kinds = Vec::new();
        store
            .export_events(WORKSPACE, None, &mut |e| {
                kinds.push((e.kind.clone(), e.detail.clone()));
                Ok(())
            })
            .await
            .unwrap();
        assert!(kinds.contains(&("no_effect".into(), None)), "{kinds:?}");
        assert!(kinds.contains(&("value_confirmed".into(), Some("{\"amount\":1200000.0}".into()))), "{kinds:?}");

        // the items export puts each item's latest answer next to its estimate
        let mut realised = Vec::new();
        store
            .export_items(WORKSPACE, None, &mut |i| {
                realised.push((i.id.clone(), i.realised.clone(), i.realised_yearly_value, i.answers.len()));
                Ok(())
            })
            .await
            .unwrap();
        assert_eq!(
            realised,
            [
                ("N-1".to_string(), Some("no_effect".to_string()), Some(0.0), 1),
                ("N-2".to_string(), Some("value_confirmed".to_string()), Some(1_200_000.0), 1),
            ],
            "{}",
            app.db.name
        );
        let csv = app.person("admin1").command("admin export items csv").await;
        let Some(Outbound::File(file)) = csv.first() else { panic!("a file: {}", said(&csv)) };
        let rows = kakehashi::export::read_csv(std::str::from_utf8(&file.bytes).unwrap());
        let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
        assert_eq!(rows[0].last().map(String::as_str), Some("realised_yearly_value"), "the new columns come last");
        assert_eq!(
            (rows[2][col("realised")].as_str(), rows[2][col("realised_yearly_value")].as_str()),
            ("value_confirmed", "1200000")
        );
    }
}

#[tokio::test]
async fn the_register_lists_uses_in_service_with_their_risk_and_leaves_out_not_ml_and_retired_ones() {
    for db in backends().await {
        let (app, store, t) = opened(db, "ai", Role::AiTeam).await;
        delivered(&app, "Screen job applicants", &["decisions_about_people", "personal_data"], t).await;
        delivered(&app, "Explain credit limits", &["must_explain"], t).await;
        let mut report = delivered(&app, "Weekly sales report", &["none"], t).await;
        // a need whose verdict said "not ML: a report" is no AI use
        report.answers.set("action", Answer::One("report".into()));
        let checklist = &Prompts::embedded().checklist;
        let verdict = kakehashi::domain::verdict::assess(&checklist.view(&report.answers), &Default::default());
        assert_eq!(verdict.outcome, kakehashi::domain::Outcome::NotMlReport);
        report.verdict = Some(verdict);
        store.save_item(&mut report, "ai", Save { answers: &["action".into()], ..Save::default() }).await.unwrap();
        app.clock.set(t + Duration::days(1));
        let ai = app.person("ai");
        let all = said(&ai.command("register").await);
        assert!(all.contains("2 uses in service"), "{all}");
        assert!(all.contains("N-1 · Screen job applicants") && all.contains("N-2 · Explain credit limits"), "{all}");
        assert!(!all.contains("Weekly sales report"), "{all}");
        assert!(all.contains("high, because: “Decide about people (hiring, credit, evaluation)”"), "{all}");
        assert!(all.contains("limited, because: “Need each result explained”"), "{all}");
        assert!(all.contains("2026-09-01"), "high risk: reviewed after 3 months: {all}");
        let high = said(&ai.command("register risk:high").await);
        assert!(high.contains("1 use in service") && !high.contains("N-2"), "{high}");

        // the review reminder after 3 months, answered "still in use"
        let s = scheduler(&store);
        let sent = tick(&s, tokyo(9, 1, 10, 0)).await;
        let reviews: Vec<_> = sent.iter().filter(|(_, m)| text_of(m).contains("register review")).collect();
        assert_eq!(reviews.len(), 1, "{}", app.db.name);
        assert_eq!(reviews[0].0, Recipient::User("ai".into()));
        app.clock.set(tokyo(9, 1, 11, 0));
        assert!(said(&ai.click("rv:N-1").await).contains("confirmed in use"));
        assert!(said(&ai.command("register").await).contains("2026-12-01"));
        assert!(tick(&s, tokyo(9, 2, 10, 0)).await.iter().all(|(_, m)| !text_of(m).contains("register review")));

        // retire: a reason is required; then it leaves the register
        assert!(said(&ai.command("retire N-1").await).contains("needs its “note”"));
        assert!(said(&ai.command("retire N-3 gone").await).contains("is not in the register"));
        assert!(said(&app.person("zed").command("retire N-1 gone").await).contains("Only the AI team"));
        assert!(said(&ai.command("retire N-1 Replaced by a manual review").await).contains("retired"));
        let left = said(&ai.command("register").await);
        assert!(left.contains("1 use in service") && !left.contains("Screen job applicants"), "{left}");
        assert!(said(&ai.command("show N-1").await).contains("retired it from service"));
    }
}

#[tokio::test]
async fn the_register_exports_its_documented_columns() {
    for db in backends().await {
        let (app, _, t) = opened(db, "admin1", Role::Admin).await;
        delivered(&app, "Screen, \"job\" applicants", &["decisions_about_people"], t).await;
        let csv = app.person("admin1").command("admin export register csv").await;
        let Some(Outbound::File(f)) = csv.first() else { panic!("no file: {}", said(&csv)) };
        let body = String::from_utf8(f.bytes.clone()).unwrap();
        let header = "id,kind,title,owner,requester,since,upkeep,human_oversight,risk_tier,risk_reasons,last_review,next_review,estimated_yearly_value,realised,realised_yearly_value";
        assert_eq!(body.lines().next(), Some(header));
        assert!(body.contains("N-1,need,\"Screen, \"\"job\"\" applicants\",ai,aiko,"), "{body}");
        assert!(body.contains(",high,decisions_about_people,"), "{body}");
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        for column in header.split(',') {
            assert!(readme.contains(&format!("`{column}`")), "README documents the column {column}");
        }
        let json = app.person("admin1").command("admin export register json").await;
        let Some(Outbound::File(f)) = json.first() else { panic!("no file") };
        let v: serde_json::Value = serde_json::from_slice(&f.bytes).unwrap();
        assert_eq!(v[0]["risk_tier"], "high");
        assert_eq!(v[0]["id"], "N-1");
    }
}

/// The digest's text at `at`, in `lang`.
async fn digest_text(store: &Arc<dyn Store>, lang: kakehashi::domain::Lang, at: DateTime<Utc>) -> String {
    let mut ws = store.workspace(WORKSPACE).await.unwrap().unwrap();
    ws.settings.lang = lang;
    let e = kakehashi::views::digest::evaluate(store.as_ref(), &ws, at).await.unwrap();
    let d = kakehashi::views::digest::build(store.as_ref(), &ws, e, at, None).await.unwrap();
    let blocks = kakehashi::chat::digest::blocks(&Prompts::embedded(), lang, "Test", &ws.settings, &d);
    let message = Message { visibility: kakehashi::chat::Visibility::Public, replace: false, blocks };
    no_one_pinged_but(&Recipient::User("ai".into()), &message);
    text_of(&message)
}

#[tokio::test]
async fn the_digest_credits_the_week_s_work_by_name_with_plurals_right() {
    use kakehashi::domain::Lang;
    for db in backends().await {
        let app = app(db).await;
        let store = app.db.store.clone();
        let t = tokyo(6, 1, 10, 0);
        workspace(&store, t - Duration::weeks(30)).await;
        app.grant("ai", Role::AiTeam).await;
        // long ago: delivered, its value confirmed this week, its review overdue
        delivered(&app, "Screen job applicants", &["decisions_about_people"], t - Duration::weeks(20)).await;
        app.clock.set(t - Duration::days(2));
        app.person("aiko").submit("val:N-1", &[("amount", "300000")]).await;
        // this week: one delivered, one redirected, one seed into service
        delivered(&app, "Forecast demand", &["none"], t - Duration::days(3)).await;
        let mut r = create(&store, ItemKind::Need, "Monthly sales report", "ben", t - Duration::days(3)).await;
        walk(&store, &mut r, &[Status::Submitted, Status::Redirected], t - Duration::days(2)).await;
        let mut seed = create(&store, ItemKind::Seed, "Detect duplicate invoices", "ai", t - Duration::days(9)).await;
        seed.assign("ai", "ai", t);
        walk(&store, &mut seed, &[Status::Prototyping, Status::Pitched, Status::InService], t - Duration::days(1))
            .await;
        // waiting for triage for 9 days
        let mut w = create(&store, ItemKind::Need, "Translate manuals", "carl", t - Duration::days(9)).await;
        walk(&store, &mut w, &[Status::Submitted], t - Duration::days(9)).await;

        let en = digest_text(&store, Lang::En, t).await;
        for expected in [
            "1 need delivered this week",
            "N-2 Forecast demand — @ai",
            "1 need solved without ML this week",
            "N-3 Monthly sales report — @ai",
            "1 seed put into service this week",
            "S-1 Detect duplicate invoices — @ai",
            "1 realised value confirmed this week",
            "N-1 Screen job applicants — ¥300,000 a year",
            "Value checked for 1 of 3 delivered items",
            "1 register review overdue",
            "1 need waiting for triage over 5 days",
            "N-4 Translate manuals — waiting 9 days",
        ] {
            assert!(en.contains(expected), "{}: '{expected}' in {en}", app.db.name);
        }
        assert!(!en.contains("1 needs") && !en.contains("1 days"), "{en}");
        let ja = digest_text(&store, Lang::Ja, t).await;
        assert!(ja.contains("今週納品したニーズ 1件") && ja.contains("期限切れの台帳見直し 1件"), "{ja}");
        // two of a kind read as plurals
        delivered(&app, "Route trucks", &["none"], t - Duration::days(1)).await;
        let en = digest_text(&store, Lang::En, t).await;
        assert!(en.contains("2 needs delivered this week"), "{en}");
    }
}

#[tokio::test]
async fn the_new_forms_render_on_slack_and_discord_within_their_limits() {
    let db = crate::helpers::sqlite().await;
    let (app, _, t) = opened(db, "ai", Role::AiTeam).await;
    delivered(&app, "Forecast demand", &["decisions_about_people"], t).await;
    for lang in [kakehashi::domain::Lang::En, kakehashi::domain::Lang::Ja] {
        let mut ai = app.person("ai");
        ai.lang = Some(lang);
        for (button, id) in [("o:val:N-1", "val:N-1"), ("o:ret:N-1", "ret:N-1")] {
            let replies = ai.click(button).await;
            let Some(Outbound::Form(f)) = replies.first() else { panic!("{button}: {}", said(&replies)) };
            assert_eq!(f.id, id);
            let view = serde_json::to_value(slack::render::modal(f, "{}")).unwrap();
            assert!(slack::render::UNIT.len(view["title"]["text"].as_str().unwrap()) <= 24, "{view}");
            let modal = serde_json::to_value(discord::render::modal(f)).unwrap();
            assert!(modal["custom_id"].as_str().unwrap().len() <= 100, "{modal}");
            assert!(modal["title"].as_str().unwrap().chars().count() <= 45, "{modal}");
        }
    }
}
