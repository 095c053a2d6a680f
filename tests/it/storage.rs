//! The storage suite: every test runs on SQLite and on PostgreSQL, each on a fresh database.

use kakehashi::domain::checklist::Answer;
use kakehashi::domain::text::{Description, Note, TeamName, Title};
use kakehashi::domain::{Change, Event, ItemKind, ItemRef, Outcome, Settings, Status};
use kakehashi::storage::{NewItem, Save, Store, StoreError};

use crate::helpers::{backends, t0};

fn new_item(workspace: &str, kind: ItemKind, title: &str, requester: &str) -> NewItem {
    NewItem {
        workspace: workspace.into(),
        kind,
        title: Title::parse(title).unwrap(),
        description: Description::parse("details").unwrap(),
        team: TeamName::parse("Sales ").unwrap(),
        requester: requester.into(),
        at: t0(),
    }
}

async fn workspace(store: &dyn Store, id: &str) {
    store.ensure_workspace(id, "W", &Settings::default(), t0()).await.unwrap();
}

#[tokio::test]
async fn a_workspace_is_created_once_with_the_default_settings() {
    for db in backends().await {
        let s = db.store.as_ref();
        assert!(s.workspace("w").await.unwrap().is_none(), "{}", db.name);
        let created = s.ensure_workspace("w", "Acme", &Settings::default(), t0()).await.unwrap();
        assert_eq!(created.settings, Settings::default(), "{}", db.name);
        assert_eq!(created.created_at, t0(), "{}", db.name);
        let again = s.ensure_workspace("w", "Other name", &Settings::default(), t0()).await.unwrap();
        assert_eq!(again, created, "{}: the second call changes nothing", db.name);
    }
}

#[tokio::test]
async fn items_are_numbered_per_workspace_and_kind() {
    for db in backends().await {
        let s = db.store.as_ref();
        workspace(s, "a").await;
        workspace(s, "b").await;
        let refs: Vec<String> = vec![
            s.create_item(new_item("a", ItemKind::Need, "one", "u")).await.unwrap().reference.to_string(),
            s.create_item(new_item("a", ItemKind::Need, "two", "u")).await.unwrap().reference.to_string(),
            s.create_item(new_item("a", ItemKind::Seed, "idea", "u")).await.unwrap().reference.to_string(),
            s.create_item(new_item("b", ItemKind::Need, "other", "u")).await.unwrap().reference.to_string(),
        ];
        assert_eq!(refs, ["N-1", "N-2", "S-1", "N-1"], "{}", db.name);
        assert_eq!(s.count_items("a").await.unwrap(), 3, "{}", db.name);
        // each with its one `created` event (the counter, the item and the event are one round
        // trip: each step only when the one before it wrote)
        let need = |number| ItemRef { kind: ItemKind::Need, number };
        let seed = ItemRef { kind: ItemKind::Seed, number: 1 };
        for (ws, r) in [("a", need(1)), ("a", need(2)), ("a", seed), ("b", need(1))] {
            let events = s.events(ws, r).await.unwrap();
            assert_eq!(events.len(), 1, "{}: {ws} {r}: {events:?}", db.name);
            assert!(
                matches!(events[0].change, Change::Created { .. }) && events[0].item == r,
                "{}: {events:?}",
                db.name
            );
        }
        // a workspace that does not exist: nothing is written, and the next item elsewhere is
        // numbered and recorded as if nothing had been tried
        let missing = s.create_item(new_item("nowhere", ItemKind::Need, "lost", "u")).await;
        assert!(matches!(missing, Err(StoreError::NotFound)), "{}: {missing:?}", db.name);
        let next = s.create_item(new_item("a", ItemKind::Need, "three", "u")).await.unwrap();
        assert_eq!(next.reference.to_string(), "N-3", "{}", db.name);
        assert_eq!(s.events("a", next.reference).await.unwrap().len(), 1, "{}", db.name);
        assert_eq!(s.events("a", need(2)).await.unwrap().len(), 1, "{}: no stray event", db.name);
    }
}

#[tokio::test]
async fn concurrent_submissions_get_distinct_numbers() {
    for db in backends().await {
        workspace(db.store.as_ref(), "w").await;
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let store = db.store.clone();
                tokio::spawn(
                    async move { store.create_item(new_item("w", ItemKind::Need, &format!("n{i}"), "u")).await },
                )
            })
            .collect();
        let mut numbers = Vec::new();
        for t in tasks {
            numbers.push(t.await.unwrap().unwrap().reference.number);
        }
        numbers.sort();
        assert_eq!(numbers, (1..=16).collect::<Vec<_>>(), "{}", db.name);
    }
}

#[tokio::test]
async fn an_item_reads_back_as_it_was_saved_with_answers_verdict_and_history() {
    let checklist = kakehashi::prompts::Prompts::embedded().checklist;
    for db in backends().await {
        let s = db.store.as_ref();
        workspace(s, "w").await;
        let mut item =
            s.create_item(new_item("w", ItemKind::Need, "Forecast “demand” for store 12", "aiko")).await.unwrap();
        assert_eq!(item.team, "Sales", "{}", db.name);
        assert_eq!(item.team.key(), "sales", "{}", db.name);

        item.answers.set("goal", Answer::Text("Robert'); DROP TABLE items;-- 日本語".into()));
        item.answers.set("fit", Answer::Many(vec!["volume".into(), "drift".into()]));
        item.answers.set("baseline_accuracy", Answer::Number(92.5));
        item.answers.set("driver", Answer::One("curious".into()));
        item.verdict = Some(kakehashi::domain::verdict::assess(&checklist.view(&item.answers), &Default::default()));
        item.updated_at = t0() + chrono::Duration::minutes(5);
        let event = item.transition(Status::Submitted, "aiko", None, item.updated_at).unwrap();
        let changed: Vec<String> = ["goal", "fit", "baseline_accuracy", "driver"].map(String::from).to_vec();
        s.save_item(&mut item, "aiko", Save { answers: &changed, events: &[event], notices: &[] }).await.unwrap();
        assert_eq!(item.version, 1);

        let back = s.item("w", item.reference).await.unwrap().unwrap();
        assert_eq!(back, item, "{}: what is read is what was saved", db.name);
        assert!(s.item("w", ItemRef { kind: ItemKind::Need, number: 99 }).await.unwrap().is_none());
        assert!(s.item("other", item.reference).await.unwrap().is_none(), "{}: items stay in their workspace", db.name);

        let history = s.events("w", item.reference).await.unwrap();
        let changes: Vec<&Change> = history.iter().map(|e| &e.change).collect();
        assert_eq!(
            changes,
            [
                &Change::Created { status: Status::Screening },
                &Change::Status { from: Status::Screening, to: Status::Submitted }
            ],
            "{}",
            db.name
        );
        assert_eq!(history[1].at, item.updated_at);
    }
}

#[tokio::test]
async fn a_save_based_on_a_stale_read_is_refused_and_changes_nothing() {
    for db in backends().await {
        let s = db.store.as_ref();
        workspace(s, "w").await;
        let created = s.create_item(new_item("w", ItemKind::Seed, "idea", "taro")).await.unwrap();
        let mut first = created.clone();
        let mut second = created.clone();
        let e1 = first.transition(Status::Prototyping, "taro", None, t0()).unwrap();
        s.save_item(&mut first, "taro", Save { events: &[e1], ..Save::default() }).await.unwrap();
        let note = Note::parse("nobody wanted it").unwrap();
        let e2 = second.transition(Status::Shelved, "mika", Some(note), t0()).unwrap();
        let err = s.save_item(&mut second, "mika", Save { events: &[e2], ..Save::default() }).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict), "{}: {err:?}", db.name);
        let stored = s.item("w", created.reference).await.unwrap().unwrap();
        assert_eq!(stored.status, Status::Prototyping, "{}", db.name);
        assert_eq!(
            s.events("w", created.reference).await.unwrap().len(),
            2,
            "{}: no event from the refused save",
            db.name
        );
    }
}

#[tokio::test]
async fn an_answer_edit_event_keeps_both_answers_and_verdicts() {
    for db in backends().await {
        let s = db.store.as_ref();
        workspace(s, "w").await;
        let mut item = s.create_item(new_item("w", ItemKind::Need, "x", "u")).await.unwrap();
        item.answers.set("action", Answer::One("automatic".into()));
        let event = Event {
            item: item.reference,
            actor: "u".into(),
            change: Change::AnswerEdited {
                question: "action".into(),
                before: Some(Answer::One("unsure".into())),
                after: Answer::One("automatic".into()),
                outcome_before: Some(Outcome::Clarify),
                outcome_after: Some(Outcome::MlPrototype),
            },
            note: None,
            at: t0(),
        };
        s.save_item(
            &mut item,
            "u",
            Save { answers: &["action".into()], events: std::slice::from_ref(&event), notices: &[] },
        )
        .await
        .unwrap();
        let history = s.events("w", item.reference).await.unwrap();
        assert_eq!(history.last(), Some(&event), "{}", db.name);
    }
}

#[tokio::test]
async fn a_persons_items_are_those_they_requested_or_own_newest_first() {
    for db in backends().await {
        let s = db.store.as_ref();
        workspace(s, "w").await;
        let a = s.create_item(new_item("w", ItemKind::Need, "a", "aiko")).await.unwrap();
        let mut b = s.create_item(new_item("w", ItemKind::Need, "b", "kenji")).await.unwrap();
        b.owner = Some("aiko".into());
        b.updated_at = t0() + chrono::Duration::hours(1);
        s.save_item(&mut b, "mika", Save::default()).await.unwrap();
        s.create_item(new_item("w", ItemKind::Need, "c", "kenji")).await.unwrap();
        let mine: Vec<String> = s.items_of("w", "aiko", 10).await.unwrap().into_iter().map(|i| i.title).collect();
        assert_eq!(mine, ["b", "a"], "{}", db.name);
        assert_eq!(s.items_of("w", "aiko", 1).await.unwrap().len(), 1, "{}: the limit holds", db.name);
        assert_eq!(s.last_team("w", "aiko").await.unwrap().as_deref(), Some("Sales"), "{}", db.name);
        assert_eq!(s.last_team("w", "nobody").await.unwrap(), None, "{}", db.name);
        let _ = a;
    }
}

#[tokio::test]
async fn opening_an_existing_database_again_applies_no_migration_twice() {
    for db in backends().await {
        workspace(db.store.as_ref(), "w").await;
        let again = kakehashi::storage::open(&db.url).await.expect("reopens");
        assert!(again.workspace("w").await.unwrap().is_some(), "{}", db.name);
    }
}

#[tokio::test]
async fn a_replay_key_is_claimed_once_and_forgotten_after_it_expires() {
    for db in backends().await {
        let store = db.store.as_ref();
        let expires = t0() + chrono::Duration::minutes(10);
        assert!(store.claim_key("slack:event:Ev1", expires).await.unwrap(), "{}", db.name);
        assert!(!store.claim_key("slack:event:Ev1", expires).await.unwrap(), "{}: a repeat", db.name);
        assert!(store.claim_key("slack:event:Ev2", expires + chrono::Duration::minutes(5)).await.unwrap());
        assert_eq!(store.forget_keys(expires).await.unwrap(), 0, "{}: nothing expired yet", db.name);
        assert_eq!(store.forget_keys(expires + chrono::Duration::seconds(1)).await.unwrap(), 1, "{}", db.name);
        assert!(!store.claim_key("slack:event:Ev2", expires).await.unwrap(), "{}: still held", db.name);
    }
}
