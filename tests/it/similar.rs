//! Similar earlier needs: the lookup on both backends (English and Japanese; reworded needs found,
//! unrelated ones not, other workspaces never), and what the person and the AI team see.

use kakehashi::domain::text::{Description, Note, TeamName, Title};
use kakehashi::domain::{ItemKind, ItemRef, Settings, Status};
use kakehashi::storage::{NewItem, Save, Store};

use crate::helpers::{backends, t0};

async fn need(store: &dyn Store, workspace: &str, title: &str, description: &str) -> ItemRef {
    let new = NewItem {
        workspace: workspace.into(),
        kind: ItemKind::Need,
        title: Title::parse(title).unwrap(),
        description: Description::parse(description).unwrap(),
        team: TeamName::parse("Finance").unwrap(),
        requester: "U1".into(),
        at: t0(),
    };
    store.create_item(new).await.unwrap().reference
}

/// Submits the need and moves it on to `to` with `note`, as the AI team would.
async fn settle(store: &dyn Store, workspace: &str, item: ItemRef, to: Status, note: &str) {
    let mut it = store.item(workspace, item).await.unwrap().unwrap();
    let submitted = it.transition(Status::Submitted, "U1", None, t0()).unwrap();
    let moved = it.transition(to, "AI", Some(Note::parse(note).unwrap()), t0()).unwrap();
    store.save_item(&mut it, "AI", Save { events: &[submitted, moved], ..Save::default() }).await.unwrap();
}

async fn seed_history(store: &dyn Store) -> Vec<ItemRef> {
    for w in ["w", "other"] {
        store.ensure_workspace(w, w, &Settings::default(), t0()).await.unwrap();
    }
    vec![
        need(store, "w", "Automate expense claim checks", "Finance checks every expense claim by hand.").await,
        need(store, "w", "Forecast weekly demand for store 12", "Ordering is done by feel.").await,
        need(store, "w", "経費精算を楽にしたい", "領収書の確認に毎月時間がかかっている").await,
        need(store, "w", "問い合わせメールの自動分類", "").await,
        need(store, "w", "Translate the product manuals into Thai", "").await,
        need(store, "w", "工場の設備故障を予知したい", "").await,
        // the same words in another workspace: never shown
        need(store, "other", "Check expense claims automatically", "").await,
        need(store, "other", "経費の精算を簡単にしたい", "").await,
    ]
}

fn titles(found: &[kakehashi::storage::SimilarNeed]) -> Vec<&str> {
    found.iter().map(|s| s.title.as_str()).collect()
}

#[tokio::test]
async fn reworded_needs_are_found_in_english_and_japanese_and_unrelated_ones_are_not() {
    for db in backends().await {
        let s = db.store.as_ref();
        let earlier = seed_history(s).await;
        settle(s, "w", earlier[0], Status::Declined, "Finance already buys a tool for this.").await;
        settle(s, "w", earlier[2], Status::Redirected, "精算システムの設定変更で解決できます").await;

        let found = s
            .similar_needs("w", None, "Check expense claims automatically", "Every claim is checked by hand today", 3)
            .await
            .unwrap();
        assert_eq!(titles(&found), ["Automate expense claim checks"], "{}", db.name);
        assert_eq!(found[0].reference, earlier[0], "{}", db.name);
        assert_eq!(found[0].status, Status::Declined, "{}", db.name);
        assert_eq!(found[0].note.as_deref(), Some("Finance already buys a tool for this."), "{}", db.name);

        let found = s.similar_needs("w", None, "Predict the demand of store 12 each week", "", 3).await.unwrap();
        assert_eq!(titles(&found), ["Forecast weekly demand for store 12"], "{}", db.name);
        assert_eq!((found[0].status, found[0].note.as_deref()), (Status::Screening, None), "{}", db.name);

        let found = s.similar_needs("w", None, "経費の精算を簡単にしたい", "", 3).await.unwrap();
        assert_eq!(titles(&found), ["経費精算を楽にしたい"], "{}", db.name);
        assert_eq!(found[0].status, Status::Redirected, "{}", db.name);
        assert_eq!(found[0].note.as_deref(), Some("精算システムの設定変更で解決できます"), "{}", db.name);

        let found = s
            .similar_needs("w", None, "問い合わせメールを自動で分類したい", "毎日200通を手で振り分けている", 3)
            .await
            .unwrap();
        assert_eq!(titles(&found), ["問い合わせメールの自動分類"], "{}", db.name);

        for unrelated in ["Detect duplicate supplier invoices", "在庫の需要予測をしたい", "Plan staff shifts"]
        {
            let found = s.similar_needs("w", None, unrelated, "", 3).await.unwrap();
            assert!(found.is_empty(), "{}: {unrelated} found {:?}", db.name, titles(&found));
        }
    }
}

#[tokio::test]
async fn the_need_itself_and_other_workspaces_are_never_shown_and_at_most_three() {
    for db in backends().await {
        let s = db.store.as_ref();
        seed_history(s).await;
        // the new need is already saved when the lookup runs: it is left out
        let new = need(s, "w", "Check expense claims automatically", "").await;
        let found = s.similar_needs("w", Some(new), "Check expense claims automatically", "", 3).await.unwrap();
        assert_eq!(titles(&found), ["Automate expense claim checks"], "{}", db.name);
        // only the other workspace holds an exact copy: it stays there
        let found = s.similar_needs("other", None, "Automate expense claim checks", "", 3).await.unwrap();
        assert_eq!(titles(&found), ["Check expense claims automatically"], "{}", db.name);
        let found = s.similar_needs("nobody", None, "Automate expense claim checks", "", 3).await.unwrap();
        assert!(found.is_empty(), "{}", db.name);

        for n in 0..5 {
            need(s, "w", &format!("Automate expense claim checks, part {n}"), "").await;
        }
        let found = s.similar_needs("w", None, "Automate expense claim checks", "", 3).await.unwrap();
        assert_eq!(found.len(), 3, "{}", db.name);
        assert!(found.windows(2).all(|w| w[0].score >= w[1].score), "{}: best first", db.name);
        assert_eq!(found[0].title, "Automate expense claim checks", "{}: the exact one first", db.name);
    }
}

#[tokio::test]
async fn the_index_follows_a_changed_title_and_query_syntax_is_only_text() {
    for db in backends().await {
        let s = db.store.as_ref();
        let earlier = seed_history(s).await;
        let mut it = s.item("w", earlier[4]).await.unwrap().unwrap();
        it.title = kakehashi::domain::text::Title::parse("Summarise the weekly sales meetings").unwrap();
        s.save_item(&mut it, "U1", Save::default()).await.unwrap();
        let found = s.similar_needs("w", None, "Translate the product manuals into Thai", "", 3).await.unwrap();
        assert!(found.is_empty(), "{}: the old title is gone: {:?}", db.name, titles(&found));
        let found = s.similar_needs("w", None, "Summaries of weekly sales meetings", "", 3).await.unwrap();
        assert_eq!(titles(&found), ["Summarise the weekly sales meetings"], "{}", db.name);

        // FTS5 and LIKE syntax in a title is just text
        for hostile in ["\"expense\" OR NEAR(claim*", "expense' OR 1=1 --", "%_%", "title:expense AND", "**", "“"] {
            let found = s.similar_needs("w", None, hostile, hostile, 3).await;
            assert!(found.is_ok(), "{}: {hostile}: {found:?}", db.name);
        }
    }
}

#[tokio::test]
async fn the_person_sees_a_similar_need_with_its_note_and_can_withdraw_in_one_click() {
    use crate::conversation::{PROTOTYPE, answer_all, submit_need};
    use crate::helpers::{WORKSPACE, actions, app, said};
    for db in backends().await {
        let app = app(db).await;
        app.grant("mika", kakehashi::domain::Role::AiTeam).await;
        let aiko = app.person("aiko");
        let first = submit_need(&aiko, "Automate expense claim checks", "Finance").await;
        assert!(said(&first).contains("step 1"), "{}: nothing alike yet, the questions start", app.db.name);
        answer_all(&aiko, first, PROTOTYPE).await;
        let mika = app.person("mika");
        let declined = mika.command("move N-1 declined Finance already buys a <!here> tool for this").await;
        assert!(said(&declined).contains("declined"), "{}", said(&declined));

        // a colleague asks again, in other words
        let ken = app.person("ken");
        let replies = submit_need(&ken, "Check expense claims automatically", "Accounting").await;
        let text = said(&replies);
        assert!(text.contains("N-2 is saved"), "{text}");
        assert!(text.contains("earlier needs in this workspace read like N-2"), "{text}");
        assert!(text.contains("N-1 Automate expense claim checks · declined"), "{text}");
        assert!(text.contains("Finance already buys a <!here> tool for this"), "the note, as text: {text}");
        assert!(!text.contains("step 1"), "the questions wait: {text}");
        assert!(text.contains("[Continue]") && text.contains("[Withdraw N-2]"), "{text}");
        let offered = actions(&replies);
        assert_eq!(offered, ["r:N-2", "m:N-2:withdrawn"], "{}", app.db.name);

        // one click withdraws it
        let done = ken.click("m:N-2:withdrawn").await;
        assert!(said(&done).contains("N-2: now withdrawn"), "{}", said(&done));
        let n2 = ItemRef { kind: ItemKind::Need, number: 2 };
        let item = app.bot.store.item(WORKSPACE, n2).await.unwrap().unwrap();
        assert_eq!(item.status, Status::Withdrawn, "{}", app.db.name);

        // a third asks again and continues instead: the questions start, and the triage card
        // lists the earlier needs for the AI team
        app.grant("boss", kakehashi::domain::Role::Admin).await;
        app.person("boss").command("admin channel triage ai-team").await;
        let yui = app.person("yui");
        let replies = submit_need(&yui, "Automatic checks of expense claims", "Sales").await;
        assert!(said(&replies).contains("N-2 Check expense claims automatically · withdrawn"), "{}", said(&replies));
        let next = yui.click("r:N-3").await;
        assert!(said(&next).contains("step 1"), "{}", said(&next));
        answer_all(&yui, next, PROTOTYPE).await;
        let claimed = app
            .bot
            .store
            .claim_notices("", t0() + chrono::Duration::days(1), chrono::Duration::minutes(1), 50)
            .await
            .unwrap();
        let card = claimed
            .iter()
            .map(|c| c.payload.as_str())
            .find(|p| p.contains("New need for triage: N-3"))
            .unwrap_or_else(|| panic!("{}: no triage card for N-3 in {claimed:?}", app.db.name));
        assert!(card.contains("Similar earlier needs"), "{card}");
        assert!(card.contains("Automate expense claim checks") && card.contains("Finance already buys"), "{card}");
        assert!(card.contains("Check expense claims automatically"), "{card}");
    }
}

#[tokio::test]
async fn the_similar_needs_speak_the_persons_language() {
    use crate::conversation::submit_need;
    use crate::helpers::{app, said, sqlite};
    let app = app(sqlite().await).await;
    let mut aiko = app.person("aiko");
    aiko.lang = Some(kakehashi::domain::Lang::Ja);
    submit_need(&aiko, "経費精算を楽にしたい", "経理").await;
    let replies = submit_need(&aiko, "経費の精算を簡単にしたい", "経理").await;
    let text = said(&replies);
    assert!(text.contains("N-1 経費精算を楽にしたい"), "{text}");
    assert!(
        text.contains("似た過去のニーズ") && text.contains("[続ける]") && text.contains("[N-2 を取り下げる]"),
        "{text}"
    );
}

/// The lookup is bounded (each term brings only a few of the needs that contain it), yet a rare
/// word still finds its need: here 120 others share "forecast" and "demand" with the new one.
#[tokio::test]
async fn a_need_is_found_by_its_rare_word_among_many_alike_ones() {
    for db in backends().await {
        let s = db.store.as_ref();
        s.ensure_workspace("w", "w", &Settings::default(), t0()).await.unwrap();
        for n in 0..60 {
            need(s, "w", &format!("Forecast demand for store {n}"), "").await;
        }
        let wanted = need(s, "w", "Forecast demand for the bakery ovens", "").await;
        for n in 60..120 {
            need(s, "w", &format!("Forecast demand for store {n}"), "").await;
        }
        let found = s.similar_needs("w", None, "Bakery ovens: forecast the demand", "", 3).await.unwrap();
        assert!(found.iter().any(|f| f.reference == wanted), "{}: {:?}", db.name, titles(&found));
        assert!(found.len() <= 3, "{}", db.name);
    }
}

#[tokio::test]
async fn the_sqlite_index_merges_its_segments_early_and_still_finds_every_need() {
    // a lookup seeks each trigram in every segment of the index: they are merged as soon as
    // three pile up on a level (migration 0010), and the merged index answers as before
    let db = crate::helpers::sqlite().await;
    let kakehashi::storage::DatabaseUrl::Sqlite(path) = &db.url else { unreachable!("a SQLite file") };
    let mut conn =
        <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    let merge: i64 = sqlx::query_scalar("SELECT v FROM needs_fts_config WHERE k = 'crisismerge'")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(merge, 3);
    let store = db.store.as_ref();
    store.ensure_workspace("slack:T1", "slack:T1", &Settings::default(), t0()).await.unwrap();
    // one write per need, as people submit them: a segment each, merged as they come
    for i in 0..60 {
        need(store, "slack:T1", &format!("Forecast demand for store {i}"), "").await;
    }
    let wanted = need(store, "slack:T1", "Sort returned parcels by damage", "Photos of returned parcels").await;
    let found = store
        .similar_needs("slack:T1", None, "Grade damaged parcels that come back", "From photos of the parcels", 3)
        .await
        .unwrap();
    assert_eq!(found.first().map(|s| s.reference), Some(wanted), "{found:?}");
}
