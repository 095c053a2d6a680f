//! Triage, lifecycles, roles and admin queries (issue 5), through the neutral layer.

use std::sync::{Arc, Mutex};

use chrono::Duration;
use kakehashi::chat::{Message, Outbound};
use kakehashi::domain::text::{Description, TeamName, Title};
use kakehashi::domain::{ItemKind, ItemRef, Recipient, Role, Status};
use kakehashi::outbox::{self, Deliver, Deliverers, DeliveryError};
use kakehashi::storage::{NewItem, Save};

use crate::conversation::{PROTOTYPE, answer_all, submit_need};
use crate::helpers::{App, WORKSPACE, app, backends, said, sqlite, t0};

fn n(number: i64) -> ItemRef {
    ItemRef { kind: ItemKind::Need, number }
}

/// Creates an item straight in the store and puts it in `status` (for tests that start
/// mid-lifecycle).
async fn item_in(app: &App, kind: ItemKind, requester: &str, title: &str, status: Status) -> ItemRef {
    let store = &app.bot.store;
    store.ensure_workspace(WORKSPACE, "Test", &Default::default(), t0()).await.unwrap();
    let mut item = store
        .create_item(NewItem {
            workspace: WORKSPACE.into(),
            kind,
            title: Title::parse(title).unwrap(),
            description: Description::parse("").unwrap(),
            team: TeamName::parse("Sales").unwrap(),
            requester: requester.into(),
            at: t0(),
        })
        .await
        .unwrap();
    item.status = status;
    if status != Status::Screening && kind == ItemKind::Need {
        item.submitted_at = Some(t0());
    }
    store.save_item(&mut item, "setup", Save::default()).await.unwrap();
    item.reference
}

/// Records every message delivered; can be told to fail first.
#[derive(Default)]
pub struct Recorder {
    pub sent: Mutex<Vec<(Recipient, Message)>>,
    pub files: Mutex<Vec<(Recipient, kakehashi::chat::Attachment)>>,
    pub fail_next: Mutex<Vec<DeliveryError>>,
}

#[async_trait::async_trait]
impl Deliver for Recorder {
    async fn deliver(&self, _workspace: &str, to: &Recipient, message: &Message) -> Result<(), DeliveryError> {
        if let Some(e) = self.fail_next.lock().unwrap().pop() {
            return Err(e);
        }
        self.sent.lock().unwrap().push((to.clone(), message.clone()));
        Ok(())
    }

    async fn deliver_file(
        &self,
        _workspace: &str,
        to: &Recipient,
        file: &kakehashi::chat::Attachment,
    ) -> Result<(), DeliveryError> {
        if let Some(e) = self.fail_next.lock().unwrap().pop() {
            return Err(e);
        }
        self.files.lock().unwrap().push((to.clone(), file.clone()));
        Ok(())
    }
}

impl Recorder {
    pub fn texts(&self) -> Vec<(Recipient, String)> {
        self.sent.lock().unwrap().iter().map(|(to, m)| (to.clone(), said(&[Outbound::Message(m.clone())]))).collect()
    }
}

async fn deliver_all(app: &App, recorder: &Arc<Recorder>) -> outbox::Report {
    let mut d = Deliverers::default();
    d.register("test:", recorder.clone());
    outbox::run_once(app.bot.store.as_ref(), &d, app.bot.clock.now()).await.unwrap()
}

fn refused_for_role(replies: &[Outbound]) -> bool {
    let text = said(replies);
    text.contains("This needs the") || text.contains("needs the AI team role")
}

#[tokio::test]
async fn every_command_checks_the_role_it_needs() {
    // (command, the role it needs)
    let commands: &[(&str, Role)] = &[
        ("need Forecast demand", Role::Member),
        ("mine", Role::Member),
        ("show N-1", Role::Member),
        ("list status:open", Role::Member),
        ("help", Role::Member),
        ("seed Detect duplicates", Role::AiTeam),
        ("move N-1 accepted", Role::AiTeam),
        ("assign N-1 tina", Role::AiTeam),
        ("effort N-1 3", Role::AiTeam),
        ("digest", Role::Manager),
        ("stage", Role::Manager),
        ("admin settings", Role::Admin),
        ("admin stage 2", Role::Admin),
        ("admin set timezone Europe/Berlin", Role::Admin),
        ("admin set digest_schedule 0 9 * * Mon", Role::Admin),
        ("admin set currency USD", Role::Admin),
        ("admin channel triage C1", Role::Admin),
        ("admin roles add someone manager", Role::Admin),
        ("admin roles list", Role::Admin),
        ("admin stats", Role::Admin),
        ("admin export", Role::Admin),
        ("admin audit", Role::Admin),
    ];
    let people: &[(&str, Option<Role>)] =
        &[("mem", None), ("tina", Some(Role::AiTeam)), ("mo", Some(Role::Manager)), ("ada", Some(Role::Admin))];
    for (command, needed) in commands {
        for (person, role) in people {
            // a fresh workspace per cell, so one cell's change does not decide the next
            let app = app(sqlite().await).await;
            item_in(&app, ItemKind::Need, "req", "Forecast demand", Status::Submitted).await;
            app.grant("tina", Role::AiTeam).await;
            if let Some(role) = role {
                app.grant(person, *role).await;
            }
            let replies = app.person(person).command(command).await;
            let allowed = role.map_or(*needed == Role::Member, |r| kakehashi::domain::Roles::new([r]).allow(*needed));
            assert_eq!(
                !refused_for_role(&replies),
                allowed,
                "`{command}` by {person} ({role:?}) needs {needed:?}: {}",
                said(&replies)
            );
        }
    }
}

#[tokio::test]
async fn admins_come_from_the_configuration_and_from_the_platform() {
    let mut app = app(sqlite().await).await;
    app.bot.admins = vec!["test:boss".into()];
    assert!(!refused_for_role(&app.person("boss").command("admin settings").await));
    assert!(refused_for_role(&app.person("other").command("admin settings").await));
    // a Discord member with Manage Server arrives with workspace_admin set
    let inbound = kakehashi::chat::Inbound {
        workspace: kakehashi::chat::WorkspaceRef { id: WORKSPACE.into(), name: "Test".into() },
        actor: kakehashi::chat::Actor { id: "owner".into(), workspace_admin: true, ..Default::default() },
        place: kakehashi::chat::Place { channel: "C1".into(), direct: false },
        event: kakehashi::chat::InboundEvent::Command { text: "admin roles list".into() },
    };
    assert!(!refused_for_role(&app.bot.handle(&inbound).await));
}

#[tokio::test]
async fn a_requester_may_withdraw_an_open_need_and_close_a_delivered_one_but_not_triage_it() {
    let app = app(sqlite().await).await;
    let aiko = app.person("aiko");
    let open = item_in(&app, ItemKind::Need, "aiko", "Open", Status::Submitted).await;
    let refused = said(&aiko.command(&format!("move {open} accepted")).await);
    assert!(refused.contains("needs the AI team role"), "{refused}");
    assert!(said(&aiko.command(&format!("move {open} withdrawn Not needed any more")).await).contains("now withdrawn"));
    let delivered = item_in(&app, ItemKind::Need, "aiko", "Done", Status::Delivered).await;
    assert!(said(&aiko.command(&format!("move {delivered} closed")).await).contains("now closed"));
    // someone else's need is not theirs to withdraw
    let other = item_in(&app, ItemKind::Need, "kenji", "Theirs", Status::Submitted).await;
    assert!(said(&aiko.command(&format!("move {other} withdrawn")).await).contains("needs the AI team role"));
}

#[tokio::test]
async fn every_invalid_transition_is_refused_naming_the_allowed_ones() {
    let app = app(sqlite().await).await;
    app.grant("mika", Role::Admin).await;
    let mika = app.person("mika");
    let mut checked = 0;
    for from in Status::ALL {
        for to in Status::ALL {
            if to.kind() != from.kind() || from.next().contains(&to) || from == to {
                continue;
            }
            if from == Status::Screening && to == Status::Submitted {
                continue;
            }
            let item = item_in(&app, from.kind(), "req", "x", from).await;
            let reply = said(&mika.command(&format!("move {item} {to} a note")).await);
            let allowed = if from.next().is_empty() {
                "none (it is final)".to_string()
            } else {
                from.next().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            };
            assert!(
                reply.contains(&format!("cannot move from {from} to {to}. Allowed from {from}: {allowed}.")),
                "{from} → {to}: {reply}"
            );
            let stored = app.bot.store.item(WORKSPACE, item).await.unwrap().unwrap();
            assert_eq!(stored.status, from, "a refused move changes nothing");
            checked += 1;
        }
    }
    assert_eq!(checked, 75, "every pair of statuses of one kind that the lifecycle does not allow");
    // a move into the other kind's lifecycle names where it can go
    let need = item_in(&app, ItemKind::Need, "req", "x", Status::Submitted).await;
    assert!(
        said(&mika.command(&format!("move {need} prototyping")).await).contains("it can go to: accepted, redirected")
    );
}

#[tokio::test]
async fn moves_that_need_a_note_say_what_the_note_is_for() {
    let app = app(sqlite().await).await;
    app.grant("mika", Role::AiTeam).await;
    let mika = app.person("mika");
    let need = item_in(&app, ItemKind::Need, "req", "x", Status::Submitted).await;
    let reply = said(&mika.command(&format!("move {need} redirected")).await);
    assert!(reply.contains("needs a note: The advice given (how it is solved without ML)"), "{reply}");
    assert!(said(&mika.command(&format!("move {need} declined")).await).contains("needs a note: The reason"));
    let seed = item_in(&app, ItemKind::Seed, "mika", "idea", Status::Prototyping).await;
    assert!(said(&mika.command(&format!("move {seed} shelved")).await).contains("needs a note: What was learned"));
    let long = "x".repeat(2001);
    let reply = said(&mika.command(&format!("move {need} redirected {long}")).await);
    assert!(reply.contains("2001 characters long; the limit is 2000"), "{reply}");
    // by button: the form asks for the note, and refuses an empty one
    let opened = mika.click(&format!("m:{need}:redirected")).await;
    let form = crate::helpers::form(&opened).expect("a note form");
    assert!(form.fields[0].required);
    let again = mika.submit(&form.id, &[("note", "  ")]).await;
    assert!(crate::helpers::form(&again).unwrap().errors[0].1.contains("needs a note"));
    let done = mika.submit(&form.id, &[("note", "The BI team's weekly report answers it")]).await;
    assert!(said(&done).contains("now redirected (solved without ML)"), "{}", said(&done));
    let item = app.bot.store.item(WORKSPACE, need).await.unwrap().unwrap();
    assert_eq!(item.status, Status::Redirected);
    assert!(item.first_response_at.is_some() && item.resolved_at.is_some());
}

#[tokio::test]
async fn the_loop_is_closed_each_change_is_told_exactly_once() {
    for db in backends().await {
        let app = app(db).await;
        app.grant("mika", Role::AiTeam).await;
        app.grant("taro", Role::AiTeam).await;
        let admin = app.person("mika");
        let boss = app.person("boss");
        app.grant("boss", Role::Admin).await;
        boss.command("admin channel triage ai-team").await;

        let aiko = app.person("aiko");
        let first = submit_need(&aiko, "Forecast demand", "Stores").await;
        answer_all(&aiko, first, PROTOTYPE).await;
        let recorder = Arc::new(Recorder::default());
        let report = deliver_all(&app, &recorder).await;
        assert_eq!(report.sent, 1, "{}: the triage card", app.db.name);
        let cards = recorder.texts();
        assert_eq!(cards[0].0, Recipient::Channel("ai-team".into()));
        assert!(cards[0].1.contains("New need for triage: N-1") && cards[0].1.contains("[Accept…]"), "{}", cards[0].1);

        // triage by button (its optional note left empty), sent twice (a double click): one
        // change, one message
        app.clock.advance(Duration::hours(3));
        let opened = admin.click("m:N-1:accepted").await;
        let form = crate::helpers::form(&opened).expect("Accept asks for its optional note").clone();
        assert!(!form.fields[0].required);
        admin.submit(&form.id, &[("note", "")]).await;
        admin.submit(&form.id, &[("note", "")]).await;
        admin.send(kakehashi::chat::InboundEvent::Action { id: "as:N-1".into(), values: vec!["taro".into()] }).await;
        admin.command("move N-1 in_progress").await;
        admin.command("move N-1 delivered Live for store 12 since Monday").await;
        aiko.command("move N-1 closed").await;
        let report = deliver_all(&app, &recorder).await;
        let texts: Vec<(Recipient, String)> = recorder.texts().into_iter().skip(1).collect();
        let to_aiko: Vec<&String> =
            texts.iter().filter(|(r, _)| *r == Recipient::User("aiko".into())).map(|(_, t)| t).collect();
        assert_eq!(
            to_aiko.len(),
            3,
            "{}: accepted, in progress, delivered; not the close she made: {to_aiko:#?}",
            app.db.name
        );
        assert!(to_aiko[0].contains("is now accepted") && to_aiko[0].contains("@mika"), "{}", to_aiko[0]);
        assert!(to_aiko[2].contains("What was delivered Live for store 12 since Monday"), "{}", to_aiko[2]);
        let to_taro = texts.iter().filter(|(r, _)| *r == Recipient::User("taro".into())).count();
        assert_eq!(to_taro, 1, "the new owner hears once");
        assert_eq!(report.sent, 4);
        assert_eq!(deliver_all(&app, &recorder).await.sent, 0, "{}: nothing is sent twice", app.db.name);

        let item = app.bot.store.item(WORKSPACE, n(1)).await.unwrap().unwrap();
        assert_eq!(item.first_response_at, Some(crate::helpers::t0() + Duration::hours(3)), "the first triage action");
    }
}

#[tokio::test]
async fn a_failed_delivery_is_retried_later_and_a_hopeless_one_given_up() {
    let app = app(sqlite().await).await;
    app.grant("mika", Role::AiTeam).await;
    let need = item_in(&app, ItemKind::Need, "aiko", "x", Status::Submitted).await;
    let other = item_in(&app, ItemKind::Need, "kenji", "y", Status::Submitted).await;
    app.person("mika").command(&format!("move {need} accepted")).await;
    app.person("mika").command(&format!("move {other} accepted")).await;
    let recorder = Arc::new(Recorder::default());
    recorder.fail_next.lock().unwrap().extend([
        DeliveryError::Fatal { reason: "user_not_found".into() },
        DeliveryError::Retry { after: Some(std::time::Duration::from_secs(30)), reason: "429".into() },
    ]);
    let first = deliver_all(&app, &recorder).await;
    assert_eq!((first.sent, first.retried, first.given_up), (0, 1, 1));
    assert_eq!(deliver_all(&app, &recorder).await.sent, 0, "not before Retry-After");
    app.clock.advance(Duration::seconds(31));
    let later = deliver_all(&app, &recorder).await;
    assert_eq!(later.sent, 1);
    assert_eq!(recorder.texts()[0].0, Recipient::User("aiko".into()));
    app.clock.advance(Duration::hours(2));
    assert_eq!(deliver_all(&app, &recorder).await, outbox::Report::default(), "the given-up one stays given up");
}

#[tokio::test]
async fn what_is_exported_is_what_is_stored() {
    for db in backends().await {
        let app = app(db).await;
        app.grant("ada", Role::Admin).await;
        let aiko = app.person("aiko");
        let first = submit_need(&aiko, "Forecast \"weekly\" demand, store 12", "Store operations").await;
        // the goal is asked when the need was pushed from outside
        let mut script = PROTOTYPE.to_vec();
        script[1] = ("driver", "mandate");
        script.insert(2, ("goal", "Cut stockouts, by a fifth;\nsay \"less waste\" — 日本語 too"));
        answer_all(&aiko, first, &script).await;
        item_in(&app, ItemKind::Seed, "taro", " leading space, trailing ", Status::Idea).await;
        let ada = app.person("ada");

        let replies = ada.command("admin export items csv").await;
        let Some(Outbound::File(file)) = replies.first() else { panic!("a file: {}", said(&replies)) };
        assert!(file.name.ends_with(".csv") && file.comment.contains("2 items"), "{file:?}");
        let rows = kakehashi::export::read_csv(std::str::from_utf8(&file.bytes).unwrap());
        assert_eq!(rows[0], kakehashi::export::header::<kakehashi::storage::ExportItem>());
        assert_eq!(rows.len(), 3);
        let stored = app.bot.store.item(WORKSPACE, n(1)).await.unwrap().unwrap();
        let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
        let row = &rows[1];
        assert_eq!(row[col("id")], "N-1");
        assert_eq!(row[col("title")], stored.title.as_str());
        assert_eq!(row[col("team")], "Store operations");
        assert_eq!(row[col("status")], "submitted");
        assert_eq!(row[col("outcome")], "ml_prototype");
        assert_eq!(row[col("flags")], "maintenance");
        let answers: serde_json::Value = serde_json::from_str(&row[col("answers")]).unwrap();
        for (q, a) in stored.answers.iter() {
            assert_eq!(answers[q], a.to_json(), "{q}");
        }
        assert_eq!(answers["goal"], "Cut stockouts, by a fifth;\nsay \"less waste\" — 日本語 too");
        assert_eq!(rows[2][col("title")], "leading space, trailing", "titles are trimmed when stored");

        let replies = ada.command("admin export items json").await;
        let Some(Outbound::File(file)) = replies.first() else { panic!() };
        let json: Vec<serde_json::Value> = serde_json::from_slice(&file.bytes).unwrap();
        assert_eq!(json.len(), 2);
        assert_eq!(json[0]["title"], stored.title.as_str());
        assert_eq!(json[0]["answers"]["fit"], serde_json::json!(["training_cost", "drift"]));

        let replies = ada.command("admin export events json").await;
        let Some(Outbound::File(file)) = replies.first() else { panic!() };
        let events: Vec<serde_json::Value> = serde_json::from_slice(&file.bytes).unwrap();
        assert!(events.iter().any(|e| e["kind"] == "status" && e["to_status"] == "submitted"));
        let audit = said(&ada.command("admin audit").await);
        assert!(audit.contains("exported events json since start"), "every export is audited: {audit}");
    }
}

#[tokio::test]
async fn the_command_line_export_streams_the_same_rows() {
    let db = sqlite().await;
    let url = db.url.to_string();
    let app = app(db).await;
    let aiko = app.person("aiko");
    let first = submit_need(&aiko, "Forecast, weekly", "Stores").await;
    answer_all(&aiko, first, PROTOTYPE).await;
    let out = std::process::Command::new(crate::console::BIN)
        .args(["export", "--format", "csv", "--db", &url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = kakehashi::export::read_csv(std::str::from_utf8(&out.stdout).unwrap());
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][3], "Forecast, weekly");
    // run with no USER (as in a container), the export still names who ran it
    let quiet = std::process::Command::new(crate::console::BIN)
        .args(["export", "--db", &url])
        .env_remove("USER")
        .env_remove("USERNAME")
        .env_remove("LOGNAME")
        .output()
        .unwrap();
    assert!(quiet.status.success());
    let login = std::process::Command::new("id").arg("-un").output().unwrap();
    let login = String::from_utf8_lossy(&login.stdout).trim().to_string();
    app.grant("ada", Role::Admin).await;
    let audit = said(&app.person("ada").command("admin audit").await);
    assert!(audit.contains(&format!("{login} (command line) exported")), "{audit}");
    assert!(!audit.contains("unknown"), "{audit}");
    let bad = std::process::Command::new(crate::console::BIN)
        .args(["export", "--db", &url, "--workspace", "nope"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("there is no workspace 'nope'; the database holds: test:w1"));
}

#[tokio::test]
async fn stats_count_what_happened_on_a_history_computed_by_hand() {
    let app = app(sqlite().await).await;
    app.grant("mika", Role::AiTeam).await;
    app.grant("ada", Role::Admin).await;
    let mika = app.person("mika");
    // three needs submitted at t0; N-1 answered after 2 h and delivered after 3 days;
    // N-2 redirected after 6 h; N-3 still waiting
    for (who, title) in [("aiko", "One"), ("kenji", "Two"), ("saki", "Three")] {
        item_in(&app, ItemKind::Need, who, title, Status::Submitted).await;
    }
    app.clock.advance(Duration::hours(2));
    mika.command("move N-1 accepted").await;
    app.clock.advance(Duration::hours(4));
    mika.command("move N-2 redirected Use the BI dashboard").await;
    mika.command("move N-1 in_progress").await;
    app.clock.advance(Duration::hours(66));
    mika.command("move N-1 delivered Done").await;
    let stats = said(&app.person("ada").command("admin stats").await);
    for expected in [
        "Needs submitted: 3",
        "Delivered with ML: 1",
        "Solved without ML: 1",
        "First response (median): 4 h", // 2 h (N-1) and 6 h (N-2)
        "Lead time (median): 39 h",     // 72 h (N-1) and 6 h (N-2)
        "Waiting or in progress now: 1",
    ] {
        assert!(stats.contains(expected), "{expected}: {stats}");
    }
    assert!(stats.contains("Sales: 3 in · 1 delivered · 1 solved without ML"), "{stats}");
    assert!(stats.contains("2026-06: 3 in"), "{stats}");
}

#[tokio::test]
async fn settings_change_by_command_and_are_audited() {
    let app = app(sqlite().await).await;
    app.grant("ada", Role::Admin).await;
    let ada = app.person("ada");
    for (command, expected) in [
        ("admin set currency usd", "currency: USD"),
        ("admin set hourly_cost 60", "hourly_cost: $60"),
        ("admin set automatable_share 40%", "automatable_share: 40%"),
        ("admin set ml_yearly_cost 150000", "ml_yearly_cost: $150,000"),
        ("admin set ai_department yes", "ai_department: yes"),
        ("admin set lang ja", "lang: ja"),
    ] {
        let reply = said(&ada.command(command).await);
        assert!(reply.contains(expected), "{command}: {reply}");
    }
    for (command, expected) in [
        ("admin set automatable_share 1.5", "a share between 0 and 1"),
        ("admin set currency yen!", "three-letter code"),
        ("admin set ai_department maybe", "yes or no"),
    ] {
        assert!(said(&ada.command(command).await).contains(expected), "{command}");
    }
    // the channel defaults to the one the command was typed in
    assert!(said(&ada.command("admin channel digest").await).contains("C1"));
    let audit = said(&ada.command("admin audit actor:ada").await);
    let first = audit.find("set digest_channel to #C1").unwrap_or_else(|| panic!("{audit}"));
    let last = audit.find("set currency to usd").unwrap();
    assert!(audit.contains("set ai_department to yes"), "{audit}");
    assert!(first < last, "{audit}");
    let settings = app.bot.store.workspace(WORKSPACE).await.unwrap().unwrap().settings;
    assert_eq!(settings.value.currency.code(), "USD");
    assert!(settings.ai_department);
    assert_eq!(settings.digest_channel.as_deref(), Some("C1"));
}

#[tokio::test]
async fn roles_are_granted_listed_and_taken_away() {
    let app = app(sqlite().await).await;
    app.grant("ada", Role::Admin).await;
    let ada = app.person("ada");
    assert!(said(&ada.command("admin roles add <@U7|taro> ai_team").await).contains("@U7 now has the AI team role"));
    assert!(said(&ada.command("admin roles add U7 ai_team").await).contains("already had"));
    let list = said(&ada.command("admin roles list").await);
    assert!(list.contains("AI team: @U7") && list.contains("admin: @ada"), "{list}");
    assert!(said(&ada.command("admin roles remove U7 ai_team").await).contains("no longer has"));
    assert!(said(&app.person("U7").command("seed x").await).contains("This needs the AI team role"));
}

#[tokio::test]
async fn lists_filter_by_kind_status_team_owner_and_date() {
    let app = app(sqlite().await).await;
    app.grant("taro", Role::AiTeam).await;
    for team in ["Sales ", "sales", "ＳＡＬＥＳ", "Stores"] {
        let store = &app.bot.store;
        store.ensure_workspace(WORKSPACE, "Test", &Default::default(), crate::helpers::t0()).await.unwrap();
        store
            .create_item(NewItem {
                workspace: WORKSPACE.into(),
                kind: ItemKind::Need,
                title: Title::parse("n").unwrap(),
                description: Description::parse("").unwrap(),
                team: TeamName::parse(team).unwrap(),
                requester: "aiko".into(),
                at: crate::helpers::t0(),
            })
            .await
            .unwrap();
    }
    item_in(&app, ItemKind::Seed, "taro", "seedling", Status::Prototyping).await;
    let p = app.person("aiko");
    assert!(said(&p.command("list need team:sales").await).contains("3 items"), "one team however it is written");
    assert!(said(&p.command("list seed").await).contains("1 items"));
    assert!(said(&p.command("list status:open").await).contains("5 items"));
    assert!(said(&p.command("list need screening").await).contains("4 items"));
    assert!(said(&p.command("list since:2030-01-01").await).contains("No items match"));
    p.app.person("taro").command("assign S-1 taro").await;
    assert!(said(&p.command("list owner:@taro").await).contains("S-1"));
    assert!(said(&p.command("list status:finished").await).contains("does not fit “status”"));
}
