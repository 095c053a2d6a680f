//! Conversations with the bot through the neutral layer, as a transport delivers them: commands,
//! clicks on the buttons the replies offer, and submitted forms.

use kakehashi::chat::Outbound;
use kakehashi::domain::{Change, ItemKind, ItemRef, Lang, Outcome, Status};

use crate::helpers::{Person, WORKSPACE, actions, app, backends, form, said, sqlite};

/// A need that ends in "worth an ML prototype", in the order the conversation asks: what
/// decides first, the numbers in two forms, then the questions that raise flags. Its goal,
/// alternatives and volume are never asked: they cannot change its outcome; nor is feedback:
/// drift already makes upkeep a risk.
pub const PROTOTYPE: &[(&str, &str)] = &[
    ("action", "person_decides"),
    ("driver", "problem"),
    ("current", "people_digital"),
    ("data_level", "lv3"),
    ("fit", "training_cost,drift"),
    ("baseline", "measured"),
    ("baseline_accuracy", "92"),
    ("target_accuracy", "96"),
    ("hours", "160"),
    ("value_base", "800000000"),
    ("uplift_pct", "2"),
    ("rules", "impossible"),
    ("labels", "gt_100k"),
    ("error_cost", "medium"),
    ("owner", "funded_owner"),
    ("people_impact", "none"),
    ("maintenance", "ai_team"),
];

/// [`PROTOTYPE`] with a "what fits" that asks for a machine (volume, no drift): whether simpler
/// fixes were tried cannot matter, and neither accuracy can change the outcome, yet both are
/// asked in the accuracy step (a prototype's verdict states its bar); feedback is asked after
/// the owner, since nothing else makes upkeep a risk.
pub fn machine_prototype() -> Vec<(&'static str, &'static str)> {
    let mut script: Vec<_> = PROTOTYPE.iter().map(|&(q, v)| if q == "fit" { (q, "volume") } else { (q, v) }).collect();
    let owner = script.iter().position(|(q, _)| *q == "owner").expect("the owner is asked");
    script.insert(owner + 1, ("feedback", "delayed_recorded"));
    script
}

/// The steps of [`PROTOTYPE`]: two groups of numbers share a form each (the accuracies with the
/// click on how the accuracy today is known).
pub const PROTOTYPE_STEPS: usize = 13;

/// The answer [`PROTOTYPE`] gives to a question (for the other fields of a form).
pub fn prototype_value(question: &str) -> &'static str {
    PROTOTYPE.iter().find(|(q, _)| *q == question).map(|(_, v)| *v).unwrap_or_else(|| panic!("no answer to {question}"))
}

/// Whether `question` was answered in the form of an earlier question of its group.
pub fn answered_in_its_group(question: &str) -> bool {
    kakehashi::domain::conversation::group_of(question).first().is_some_and(|first| *first != question)
}

fn n(number: i64) -> ItemRef {
    ItemRef { kind: ItemKind::Need, number }
}

/// Submits `need <title>` and its form; returns the replies (the first question).
pub async fn submit_need(p: &Person<'_>, title: &str, team: &str) -> Vec<Outbound> {
    let replies = p.command(&format!("need {title}")).await;
    let f = form(&replies).expect("need opens its form").clone();
    assert_eq!(f.fields.iter().find(|x| x.id == "title").unwrap().initial.as_deref(), Some(title));
    p.submit(&f.id, &[("title", title), ("team", team), ("description", "")]).await
}

/// Answers the question the replies ask, using what they offer: a button, a select, or the form
/// behind the "Answer…" button.
async fn answer(p: &Person<'_>, replies: &[Outbound], question: &str, value: &str) -> Vec<Outbound> {
    let ids = actions(replies);
    let find = |prefix: &str, suffix: &str| {
        ids.iter()
            .find(|id| id.starts_with(prefix) && id.contains(&format!(":{question}")) && id.ends_with(suffix))
            .cloned()
    };
    if let Some(button) = find("a:", &format!(":{question}:{value}")) {
        return p.click(&button).await;
    }
    if let Some(select) = find("p:", question) {
        return p.pick(&select, &value.split(',').collect::<Vec<_>>()).await;
    }
    if let Some(open) = find("q:", question) {
        let opened = p.click(&open).await;
        let f = form(&opened).unwrap_or_else(|| panic!("the Answer button opens a form: {}", said(&opened))).clone();
        let values: Vec<(&str, &str)> = f
            .fields
            .iter()
            .map(|field| {
                if field.id == "answer" || field.id == question {
                    (field.id.as_str(), value)
                } else {
                    (field.id.as_str(), prototype_value(&field.id))
                }
            })
            .collect();
        return p.submit(&f.id, &values).await;
    }
    if answered_in_its_group(question) {
        return replies.to_vec();
    }
    panic!("'{question}' is not being asked; the replies say:\n{}", said(replies));
}

pub async fn answer_all(p: &Person<'_>, mut replies: Vec<Outbound>, script: &[(&str, &str)]) -> Vec<Outbound> {
    for (q, v) in script {
        replies = answer(p, &replies, q, v).await;
    }
    replies
}

#[tokio::test]
async fn a_need_goes_from_the_slash_command_to_its_verdict() {
    for db in backends().await {
        let app = app(db).await;
        let aiko = app.person("aiko");
        let first = submit_need(&aiko, "Forecast weekly demand for store 12", "Store operations").await;
        let text = said(&first);
        assert!(text.contains("N-1 is saved"), "{text}");
        assert!(text.contains("step 1 · at most 17 more"), "{text}");
        let replies = answer_all(&aiko, first, PROTOTYPE).await;
        let text = said(&replies);
        assert!(text.contains("N-1 · Verdict: Worth an ML prototype"), "{text}");
        assert!(text.contains("92% to 96% halves the error"), "{text}");
        assert!(text.contains("Upkeep"), "the drift flag: {text}");
        assert!(text.contains("The AI team gets it for triage now"), "{text}");

        let item = app.bot.store.item(WORKSPACE, n(1)).await.unwrap().unwrap();
        assert_eq!(item.status, Status::Submitted, "{}", app.db.name);
        assert_eq!(item.outcome(), Some(Outcome::MlPrototype));
        assert_eq!(item.answers.len(), PROTOTYPE.len());
        let history = app.bot.store.events(WORKSPACE, n(1)).await.unwrap();
        assert_eq!(history.len(), 2, "created, then submitted: {history:?}");
    }
}

/// The "at most n more" of a progress line.
fn at_most(text: &str) -> usize {
    let rest = &text[text.find("at most ").unwrap_or_else(|| panic!("no progress in {text}")) + 8..];
    rest.split(' ').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn progress_shows_the_step_and_at_most_how_many_more_and_never_grows() {
    let app = app(sqlite().await).await;
    let aiko = app.person("aiko");
    let mut replies = submit_need(&aiko, "Spot scratches", "QA").await;
    let mut bound = at_most(&said(&replies));
    for (i, (q, v)) in PROTOTYPE[..PROTOTYPE.len() - 1].iter().enumerate() {
        replies = answer(&aiko, &replies, q, v).await;
        if answered_in_its_group(q) || PROTOTYPE.get(i + 1).is_some_and(|(n, _)| answered_in_its_group(n)) {
            continue;
        }
        let text = said(&replies);
        let now = if text.contains("the last one") { 0 } else { at_most(&text) };
        assert!(now < bound, "after {q}: at most {now}, before at most {bound}");
        bound = now;
    }
    assert!(said(&replies).contains("step 13 · the last one"), "{}", said(&replies));
    // a need that turns out to be a report ends at once
    let first = submit_need(&aiko, "Weekly sales figures", "Sales").await;
    let asked = answer(&aiko, &first, "action", "report").await;
    assert!(said(&asked).contains("step 2 · at most 1 more"), "{}", said(&asked));
    let done = answer(&aiko, &asked, "driver", "opportunity").await;
    assert!(said(&done).contains("Not ML: a report will do"), "{}", said(&done));
}

#[tokio::test]
async fn back_shows_the_previous_question_with_its_answer_and_a_new_answer_replaces_it() {
    let app = app(sqlite().await).await;
    let aiko = app.person("aiko");
    let first = submit_need(&aiko, "Forecast demand", "Stores").await;
    let replies = answer_all(&aiko, first, &PROTOTYPE[..1]).await;
    let back = actions(&replies).into_iter().find(|a| a.starts_with("b:")).expect("a Back button");
    let previous = aiko.click(&back).await;
    let text = said(&previous);
    assert!(text.contains("When you have the answer, who does what differently?"), "{text}");
    assert!(text.contains("Current answer: A person decides with it"), "{text}");
    let next = answer(&aiko, &previous, "action", "automatic").await;
    assert!(said(&next).contains("Why now?"), "{}", said(&next));
    let item = app.bot.store.item(WORKSPACE, n(1)).await.unwrap().unwrap();
    assert_eq!(item.answers.get("action"), Some(&kakehashi::domain::Answer::One("automatic".into())));
}

#[tokio::test]
async fn a_checklist_left_for_later_resumes_where_it_stopped() {
    let app = app(sqlite().await).await;
    let aiko = app.person("aiko");
    let first = submit_need(&aiko, "Forecast demand", "Stores").await;
    let replies = answer_all(&aiko, first, &PROTOTYPE[..4]).await;
    let later = actions(&replies).into_iter().find(|a| a.starts_with("l:")).expect("a Finish later button");
    assert!(said(&aiko.click(&later).await).contains("Continue any time with resume N-1"));
    // later, from anywhere
    let resumed = aiko.command("resume N-1").await;
    assert!(said(&resumed).contains("Which of these apply?"), "{}", said(&resumed));
    assert!(said(&resumed).contains("step 5 · at most"), "{}", said(&resumed));
    let mine = aiko.command("mine").await;
    assert!(said(&mine).contains("N-1") && said(&mine).contains("screening"), "{}", said(&mine));
    assert!(actions(&mine).contains(&"r:N-1".to_string()));
    let done = answer_all(&aiko, resumed, &PROTOTYPE[4..]).await;
    assert!(said(&done).contains("Verdict: Worth an ML prototype"));
}

#[tokio::test]
async fn the_same_click_twice_changes_nothing_the_second_time() {
    let app = app(sqlite().await).await;
    let aiko = app.person("aiko");
    let first = submit_need(&aiko, "Forecast demand", "Stores").await;
    let replies = answer_all(&aiko, first, &PROTOTYPE[..PROTOTYPE.len() - 1]).await;
    let last = actions(&replies).into_iter().find(|a| a == "a:N-1:maintenance:ai_team").unwrap();
    let once = aiko.click(&last).await;
    let twice = aiko.click(&last).await;
    assert_eq!(
        said(&once).replace("The AI team gets it for triage now. Each change of its status comes to you as a direct message from kakehashi.\n", ""),
        said(&twice)
    );
    let history = app.bot.store.events(WORKSPACE, n(1)).await.unwrap();
    assert_eq!(history.len(), 2, "one submission, not two: {history:?}");
    let item = app.bot.store.item(WORKSPACE, n(1)).await.unwrap().unwrap();
    // one save per click or form: the accuracy step is a click (how it is known) and a form
    assert_eq!(item.version, PROTOTYPE_STEPS as i64 + 1, "one save per answer given");
}

#[tokio::test]
async fn changing_an_answer_after_the_verdict_remakes_it_and_records_the_change() {
    for db in backends().await {
        let app = app(db).await;
        let aiko = app.person("aiko");
        let first = submit_need(&aiko, "Forecast demand", "Stores").await;
        answer_all(&aiko, first, PROTOTYPE).await;
        let list = aiko.command("answers N-1").await;
        assert!(said(&list).contains("Who acts: A person decides with it"), "{}", said(&list));
        let edit = actions(&list).into_iter().find(|a| a == "e:N-1").expect("a select to pick the answer");
        app.clock.advance(chrono::Duration::hours(2));
        let question = aiko.pick(&edit, &["action"]).await;
        let changed = answer(&aiko, &question, "action", "unsure").await;
        let text = said(&changed);
        assert!(
            text.contains("The verdict changed from “Worth an ML prototype” to “Clarify the need first”"),
            "{text}"
        );

        let history = app.bot.store.events(WORKSPACE, n(1)).await.unwrap();
        assert_eq!(history.last().unwrap().at, crate::helpers::t0() + chrono::Duration::hours(2), "the bot's clock");
        match &history.last().unwrap().change {
            Change::AnswerEdited { question, outcome_before, outcome_after, .. } => {
                assert_eq!(question, "action");
                assert_eq!((*outcome_before, *outcome_after), (Some(Outcome::MlPrototype), Some(Outcome::Clarify)));
            }
            other => panic!("{other:?}"),
        }
        let shown = said(&aiko.command("show N-1").await);
        assert!(shown.contains("changed “Who acts”: A person decides with it → Not sure yet; verdict"), "{shown}");
    }
}

#[tokio::test]
async fn an_edit_that_opens_a_new_question_asks_it_before_the_verdict_is_remade() {
    let app = app(sqlite().await).await;
    let aiko = app.person("aiko");
    let mut script = PROTOTYPE.to_vec();
    // without a measured baseline the accuracies are not asked
    script[5] = ("baseline", "unknown");
    script.drain(6..8);
    let first = submit_need(&aiko, "Forecast demand", "Stores").await;
    let verdict = answer_all(&aiko, first, &script).await;
    assert!(said(&verdict).contains("Baseline first"), "{}", said(&verdict));
    let question = aiko.pick("e:N-1", &["baseline"]).await;
    let next = answer(&aiko, &question, "baseline", "measured").await;
    assert!(said(&next).contains("Current accuracy or quality"), "the new question comes first: {}", said(&next));
    let done = answer(&aiko, &next, "baseline_accuracy", "92").await;
    assert!(said(&done).contains("from “Baseline first” to “Worth an ML prototype”"), "{}", said(&done));
}

#[tokio::test]
async fn a_bad_number_brings_the_form_back_with_what_was_wrong() {
    let app = app(sqlite().await).await;
    let aiko = app.person("aiko");
    let first = submit_need(&aiko, "Forecast demand", "Stores").await;
    let replies = answer_all(&aiko, first, &PROTOTYPE[..6]).await;
    let opened = aiko.click(&actions(&replies).into_iter().find(|a| a == "q:N-1:baseline_accuracy").unwrap()).await;
    let f = form(&opened).expect("one form for both accuracies").clone();
    let fields: Vec<&str> = f.fields.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(fields, ["baseline_accuracy", "target_accuracy"]);
    assert!(f.fields.iter().all(|f| f.label.chars().count() <= 45), "short labels: {:?}", f.fields);
    assert!(f.fields[0].hint.as_deref().unwrap().contains("Current accuracy or quality"), "the question as hint");
    for (typed, expected) in [
        ("lots", "“lots” is not a number. “Accuracy today” needs a number"),
        ("120", "120 is too large for “Accuracy today”: give a number of at most 100"),
        ("-3", "-3 is too small for “Accuracy today”: give a number of at least 0"),
        ("1e400", "is not a number"),
    ] {
        let again = aiko.submit(&f.id, &[("baseline_accuracy", typed), ("target_accuracy", "96")]).await;
        let back = form(&again).unwrap_or_else(|| panic!("{typed}: the form comes back: {}", said(&again)));
        assert_eq!(back.errors.len(), 1, "{:?}", back.errors);
        assert_eq!(back.errors[0].0, "baseline_accuracy", "the error names its field");
        assert!(back.errors[0].1.contains(expected), "{typed}: {:?}", back.errors);
        assert_eq!(back.fields[0].initial.as_deref(), Some(typed), "what was typed is kept");
        assert_eq!(back.fields[1].initial.as_deref(), Some("96"), "the good field is kept");
    }
    let item = app.bot.store.item(WORKSPACE, n(1)).await.unwrap().unwrap();
    assert_eq!(item.answers.get("target_accuracy"), Some(&kakehashi::domain::Answer::Number(96.0)), "saved");
    let ok = aiko.submit(&f.id, &[("baseline_accuracy", "92%"), ("target_accuracy", "96")]).await;
    assert!(said(&ok).contains("staff-hours"), "the next step: {}", said(&ok));
}

#[tokio::test]
async fn a_number_refused_says_which_bound_it_crossed_and_the_limit() {
    let app = app(sqlite().await).await;
    let aiko = app.person("aiko");
    let first = submit_need(&aiko, "Forecast demand", "Stores").await;
    answer_all(&aiko, first, &PROTOTYPE[..10]).await;
    let form_id = "ans:N-1:volume";
    for (typed, expected) in [
        (
            "99999999999999999999999",
            "99999999999999999999999 is too large for “Cases a month”: give a number of at most 1,000,000,000,000,000.",
        ),
        ("-1", "-1 is too small for “Cases a month”: give a number of at least 0."),
    ] {
        let again = aiko.submit(form_id, &[("answer", typed)]).await;
        let f = form(&again).unwrap_or_else(|| panic!("{typed}: the form comes back: {}", said(&again)));
        assert_eq!(f.errors[0].1, expected, "{typed}");
    }
    let ok = aiko.submit(form_id, &[("answer", "5,200")]).await;
    assert!(form(&ok).is_none_or(|f| f.errors.is_empty()), "{}", said(&ok));
}

#[tokio::test]
async fn only_the_requester_answers_but_anyone_can_look() {
    let app = app(sqlite().await).await;
    let aiko = app.person("aiko");
    let kenji = app.person("kenji");
    submit_need(&aiko, "Forecast demand", "Stores").await;
    let refused = said(&kenji.click("a:N-1:driver:problem").await);
    assert!(refused.contains("Only the person who submitted N-1"), "{refused}");
    assert!(said(&kenji.command("resume N-1").await).contains("Only the person who submitted N-1"));
    let shown = said(&kenji.command("show N-1").await);
    assert!(shown.contains("Forecast demand") && shown.contains("Requester: @aiko"), "{shown}");
    assert!(shown.contains("the checklist is at step 1, at most 17 more to go"), "{shown}");
}

#[tokio::test]
async fn the_need_form_refuses_what_breaks_its_limits() {
    let app = app(sqlite().await).await;
    let aiko = app.person("aiko");
    let long = "x".repeat(201);
    let opened = aiko.command(&format!("need {long}")).await;
    let f = form(&opened).unwrap();
    assert!(f.errors[0].1.contains("201 characters long; the limit is 200"), "{:?}", f.errors);
    let again = aiko.submit("need", &[("title", &long), ("team", " "), ("description", "")]).await;
    let f = form(&again).expect("the form comes back");
    let fields: Vec<&str> = f.errors.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(fields, ["title", "team"]);
    assert_eq!(app.bot.store.count_items(WORKSPACE).await.unwrap(), 0, "nothing is created");
    // control characters are stripped from what is kept
    aiko.submit("need", &[("title", "Forecast\u{0007} demand\u{202E}"), ("team", "ＳＡＬＥＳ"), ("description", "")])
        .await;
    let item = app.bot.store.item(WORKSPACE, n(1)).await.unwrap().unwrap();
    assert_eq!(item.title, "Forecast demand");
    assert_eq!(item.team.key(), "sales");
}

#[tokio::test]
async fn a_new_need_offers_the_team_named_last_time() {
    let app = app(sqlite().await).await;
    let aiko = app.person("aiko");
    submit_need(&aiko, "First", "Store operations").await;
    let opened = aiko.command("need Second").await;
    let team = form(&opened).unwrap().fields.iter().find(|f| f.id == "team").unwrap().initial.clone();
    assert_eq!(team.as_deref(), Some("Store operations"));
}

#[tokio::test]
async fn mistakes_in_commands_get_a_sentence_that_says_what_to_do() {
    let app = app(sqlite().await).await;
    let p = app.person("aiko");
    let cases = [
        ("nede Forecast", "I don't know the command “nede”. Did you mean: need <what you need>?"),
        ("show", "show needs its “id”. Usage: show <id>"),
        ("show X-1", "“X-1” is not an item id"),
        ("show N-1 N-2", "show does not take “N-2”"),
        ("show N-7", "There is no N-7 in this workspace"),
        ("resume S-1", "S-1 is a seed; only needs have a checklist"),
        ("mine now", "mine does not take “now”"),
        ("help frobnicate", "There is no command “frobnicate”"),
    ];
    for (typed, expected) in cases {
        let reply = said(&p.command(typed).await);
        assert!(reply.contains(expected), "{typed}: {reply}");
    }
    let stale = said(&p.click("zz:N-1").await);
    assert!(stale.contains("older message"), "{stale}");
    let help = said(&p.command("").await);
    for name in ["need", "seed", "mine", "show", "resume", "answers", "help"] {
        assert!(help.contains(&format!("{name} ")) || help.contains(name), "{name} in help");
    }
    assert!(said(&p.command("help need").await).contains("Example: need Forecast weekly demand"));
}

#[tokio::test]
async fn a_seed_is_recorded_as_an_idea() {
    let app = app(sqlite().await).await;
    let taro = app.person("taro");
    let refused = said(&taro.command("seed Detect duplicate invoices").await);
    assert!(refused.contains("This needs the AI team role"), "{refused}");
    app.grant("taro", kakehashi::domain::Role::AiTeam).await;
    let opened = taro.command("seed Detect duplicate invoices").await;
    let f = form(&opened).unwrap().clone();
    assert!(!f.fields.iter().find(|x| x.id == "team").unwrap().required, "a seed's team is optional");
    let done = taro.submit(&f.id, &[("title", "Detect duplicate invoices"), ("team", ""), ("description", "")]).await;
    assert!(said(&done).contains("S-1 is saved as an idea"), "{}", said(&done));
    let item = app.bot.store.item(WORKSPACE, ItemRef { kind: ItemKind::Seed, number: 1 }).await.unwrap().unwrap();
    assert_eq!(item.status, Status::Idea);
}

#[tokio::test]
async fn the_checklist_speaks_the_persons_language() {
    let app = app(sqlite().await).await;
    let mut hana = app.person("hana");
    hana.lang = Some(Lang::Ja);
    let first = submit_need(&hana, "経費精算を楽にしたい", "経理").await;
    let text = said(&first);
    assert!(text.contains("答えが得られたら、誰が何を変えますか"), "{text}");
    let verdict = answer_all(&hana, first, PROTOTYPE).await;
    assert!(said(&verdict).contains("判定：MLプロトタイプを試す価値あり"), "{}", said(&verdict));
}

#[tokio::test]
async fn a_skipped_question_cannot_be_answered_by_a_crafted_click() {
    let app = app(sqlite().await).await;
    let aiko = app.person("aiko");
    let first = submit_need(&aiko, "Forecast demand", "Stores").await;
    let replies = answer_all(&aiko, first, &PROTOTYPE[..5]).await;
    answer(&aiko, &replies, "baseline", "unknown").await;
    let refused = said(&aiko.click("q:N-1:baseline_accuracy").await);
    assert!(refused.contains("no longer applies to N-1"), "{refused}");
    let refused = said(&aiko.click("a:N-1:driver:bored").await);
    assert!(refused.contains("“bored” is not one of the choices for “Why now”"), "{refused}");
}

#[tokio::test]
async fn an_internal_failure_is_an_apology_with_an_id_not_a_stack_trace() {
    let db = sqlite().await;
    let app = app(db).await;
    let aiko = app.person("aiko");
    submit_need(&aiko, "Forecast demand", "Stores").await;
    // break the database under the bot: the items table disappears
    if let kakehashi::storage::DatabaseUrl::Sqlite(path) = &app.db.url {
        let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        sqlx::raw_sql("PRAGMA foreign_keys = OFF; DROP TABLE answers; DROP TABLE events; DROP TABLE items;")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let reply = said(&aiko.command("show N-1").await);
    assert!(reply.contains("Sorry, something went wrong on our side (error "), "{reply}");
    assert!(!reply.to_lowercase().contains("no such table"), "internal details stay in the log: {reply}");
}

#[tokio::test]
async fn a_question_that_was_never_asked_can_be_answered_later_and_the_verdict_is_remade() {
    for db in backends().await {
        let app = app(db).await;
        let aiko = app.person("aiko");
        let first = submit_need(&aiko, "Weekly sales by region", "Sales").await;
        let done = answer_all(&aiko, first, &[("action", "report"), ("driver", "problem")]).await;
        assert!(said(&done).contains("Not ML: a report will do"), "{}", said(&done));
        let list = aiko.command("answers N-1").await;
        assert!(said(&list).contains("Goal (not asked)"), "{}", said(&list));
        let asked = aiko.pick("e:N-1", &["goal"]).await;
        let f = form(&asked).expect("the goal's form").clone();
        let after = aiko.submit(&f.id, &[("answer", "Regional managers see last week's sales every Monday")]).await;
        assert!(said(&after).contains("The verdict is still “Not ML: a report will do”"), "{}", said(&after));
        let item = app.bot.store.item(WORKSPACE, n(1)).await.unwrap().unwrap();
        assert!(item.answers.get("goal").is_some());
        let history = app.bot.store.events(WORKSPACE, n(1)).await.unwrap();
        assert!(matches!(&history.last().unwrap().change, Change::AnswerEdited { question, .. } if question == "goal"));
    }
}
