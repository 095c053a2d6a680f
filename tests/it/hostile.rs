//! Hostile input (issue 7): every string of tests/corpus/hostile.txt through every command, form
//! and field — in the neutral layer as each transport hands it over, and through the Slack and
//! Discord HTTP endpoints as signed requests. Nothing panics or fails inside; a refusal says what
//! was wrong; no output carries a live mention or breaks a platform limit; nothing is stored
//! beyond the limits.

use std::collections::BTreeMap;
use std::sync::Arc;

use ed25519_dalek::{Signer, SigningKey};
use kakehashi::chat::{Bot, COMMANDS, Form, Message, Outbound, ParamKind, SETTINGS};
use kakehashi::clock::ManualClock;
use kakehashi::config::Config;
use kakehashi::domain::Role;
use kakehashi::domain::schedule::Schedule;
use kakehashi::domain::text::{Description, Note, TeamName, Title};
use kakehashi::prompts::Prompts;
use kakehashi::transport::{discord, slack};
use serde_json::{Value, json};

use crate::conversation::{PROTOTYPE, answer_all, submit_need};
use crate::discord_fake::{self, Sender};
use crate::fake_slack::FakeSlack;
use crate::helpers::{App, WORKSPACE, app, said, sqlite, t0};

/// The corpus, decoded: raw bytes, since some entries are not UTF-8.
pub fn corpus() -> Vec<Vec<u8>> {
    let text = include_str!("../corpus/hostile.txt");
    text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).map(decode).collect()
}

fn decode(line: &str) -> Vec<u8> {
    // «N×TEXT» first, then the escapes of the whole
    let mut expanded = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('«') {
        expanded.push_str(&rest[..start]);
        let inner_end = rest[start..].find('»').expect("a closing »") + start;
        let inner = &rest[start + '«'.len_utf8()..inner_end];
        let (n, what) = inner.split_once('×').expect("«N×TEXT»");
        expanded.push_str(&what.repeat(n.parse().expect("a count")));
        rest = &rest[inner_end + '»'.len_utf8()..];
    }
    expanded.push_str(rest);

    let mut out = Vec::new();
    let mut chars = expanded.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next().expect("an escape") {
            '\\' => out.push(b'\\'),
            'n' => out.push(b'\n'),
            'r' => out.push(b'\r'),
            't' => out.push(b'\t'),
            '0' => out.push(0),
            'x' => {
                let hex: String = [chars.next().unwrap(), chars.next().unwrap()].iter().collect();
                out.push(u8::from_str_radix(&hex, 16).expect("\\xHH"));
            }
            'u' => {
                assert_eq!(chars.next(), Some('{'));
                let hex: String = chars.by_ref().take_while(|c| *c != '}').collect();
                let c = char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).expect("\\u{HEX}");
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            other => panic!("unknown escape \\{other} in {line}"),
        }
    }
    out
}

/// The people of the test workspace: only they may be mentioned, and only by the bot.
const PEOPLE: &[&str] = &["ada", "tina", "aiko", "U1", discord_fake::ADMIN, discord_fake::AIKO];

/// What every reply must satisfy, whatever came in.
fn check(replies: &[Outbound], what: &str) {
    check_naming(replies, what, None);
}

/// As [`check`], where the input named a person (`admin roles add <@U0123> ai_team`): the reply
/// may mention that person.
fn check_naming(replies: &[Outbound], what: &str, named: Option<&str>) {
    assert!(!replies.is_empty(), "{what}: no answer at all");
    let text = said(replies);
    assert!(!text.contains("something went wrong"), "{what}: an internal error: {text}");
    for c in text.chars() {
        // (a zero-width space is how mentions are defused on Discord, so it may appear)
        let invisible = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}');
        let control = c.is_control() && c != '\n';
        assert!(!control && !invisible, "{what}: a control character {c:?} in {text:?}");
    }
    for r in replies {
        match r {
            Outbound::Message(m) => {
                check_slack_message(m, what, named);
                check_discord_message(m, what, named);
            }
            Outbound::Form(f) => {
                check_slack_modal(f, what);
                check_discord_modal(f, what);
            }
            _ => {}
        }
    }
}

/// `<@…>`, `<!…>`: Slack's mention syntax. Only the bot's own mentions of the workspace's people.
fn slack_mentions_are_ours(s: &str, what: &str, named: Option<&str>) {
    assert!(!s.contains("<!"), "{what}: a special mention in Slack output: {s}");
    for (i, _) in s.match_indices("<@") {
        let id: String = s[i + 2..].chars().take_while(|c| *c != '>' && *c != '|').collect();
        let ours = PEOPLE.contains(&id.as_str()) || named == Some(id.as_str());
        assert!(ours, "{what}: a mention of '{id}' in Slack output: {s}");
    }
}

/// The person a parameter names, read as the bot reads a user parameter.
fn named_person(v: &str) -> Option<String> {
    let v = v.trim();
    let id = match v.strip_prefix("<@").and_then(|r| r.strip_suffix('>')) {
        Some(inner) => inner.trim_start_matches('!').split('|').next().unwrap_or(""),
        None => v.strip_prefix('@').unwrap_or(v),
    };
    let valid = !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    valid.then(|| id.to_string())
}

fn check_slack_message(m: &Message, what: &str, named: Option<&str>) {
    for part in slack::render::message(m) {
        assert!(part.blocks.len() <= 50, "{what}: {} blocks", part.blocks.len());
        let blocks = serde_json::to_value(&part.blocks).unwrap();
        for b in blocks.as_array().unwrap() {
            if let Some(t) = b.pointer("/text/text").and_then(Value::as_str) {
                assert!(slack::render::UNIT.len(t) <= 3000, "{what}: a block of {} characters", t.len());
            }
        }
        for text in mrkdwn(&blocks) {
            slack_mentions_are_ours(&text, what, named);
        }
        slack_mentions_are_ours(&part.text, what, named);
    }
}

fn check_slack_modal(f: &Form, what: &str) {
    let view = serde_json::to_value(slack::render::modal(f, "{}")).unwrap();
    assert!(slack::render::UNIT.len(view["title"]["text"].as_str().unwrap()) <= 24, "{what}: modal title");
    for b in view["blocks"].as_array().unwrap() {
        if let Some(el) = b.get("element") {
            let max = el["max_length"].as_u64().unwrap_or(3000) as usize;
            assert!(max <= 3000, "{what}: max_length {max}");
            if let Some(initial) = el["initial_value"].as_str() {
                assert!(slack::render::UNIT.len(initial) <= max, "{what}: an initial value longer than its field");
            }
        }
    }
    // what a person typed, shown back in an input box, is text there and never markup
    for text in mrkdwn(&view) {
        slack_mentions_are_ours(&text, what, None);
    }
}

/// The texts Slack reads as mrkdwn (where mentions live): mrkdwn text objects, and a message's
/// top-level `text`; plain_text shows `<!channel>` as it is. Strings holding JSON (a form-encoded
/// API call's `blocks`) are looked into.
fn mrkdwn(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        Value::Object(m) => {
            let kind = m.get("type").and_then(Value::as_str);
            if kind == Some("mrkdwn") || (kind.is_none() && m.contains_key("channel")) {
                out.extend(m.get("text").and_then(Value::as_str).map(str::to_string));
            }
            m.values().for_each(|x| out.extend(mrkdwn(x)));
        }
        Value::Array(a) => a.iter().for_each(|x| out.extend(mrkdwn(x))),
        Value::String(s) if s.starts_with(['[', '{']) => {
            if let Ok(inner) = serde_json::from_str::<Value>(s) {
                out.extend(mrkdwn(&inner));
            }
        }
        _ => {}
    }
    out
}

/// `v` without the values of `key` anywhere in it.
fn without(v: &Value, key: &str) -> Value {
    match v {
        Value::Object(m) => {
            Value::Object(m.iter().filter(|(k, _)| *k != key).map(|(k, x)| (k.clone(), without(x, key))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| without(x, key)).collect()),
        other => other.clone(),
    }
}

/// Discord: no `@everyone`/`@here` left whole, user mentions only of the workspace's people, and
/// `allowed_mentions` that pings nobody but them.
fn discord_mentions_are_ours(v: &Value, what: &str, named: Option<&str>) {
    let s = v.to_string();
    assert!(!s.contains("@everyone") && !s.contains("@here"), "{what}: a mass mention in Discord output: {s}");
    for (i, _) in s.match_indices("<@") {
        let id: String = s[i + 2..].chars().take_while(|c| *c != '>').collect();
        let id = id.trim_start_matches(['!', '&']);
        let ours = PEOPLE.contains(&id) || named == Some(id);
        assert!(ours, "{what}: a mention of '{id}' in Discord output: {s}");
    }
}

fn check_discord_message(m: &Message, what: &str, named: Option<&str>) {
    for out in discord::render::message(m) {
        let v = serde_json::to_value(out.channel_message()).unwrap();
        assert_eq!(v["allowed_mentions"]["parse"], json!([]), "{what}: {v}");
        assert!(v["content"].as_str().map_or(0, |c| c.chars().count()) <= 2000, "{what}: content too long");
        let embeds = v["embeds"].as_array().map_or(0, Vec::len);
        assert!(embeds <= 10, "{what}: {embeds} embeds");
        let total: usize = v["embeds"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["description"].as_str().map_or(0, |d| d.chars().count()))
            .sum();
        assert!(total <= 6000, "{what}: {total} characters of embeds");
        discord_mentions_are_ours(&v, what, named);
    }
}

fn check_discord_modal(f: &Form, what: &str) {
    let v = serde_json::to_value(discord::render::modal(f)).unwrap();
    let data = if v.get("data").is_some() { &v["data"] } else { &v };
    assert!(data["title"].as_str().unwrap().chars().count() <= 45, "{what}: modal title");
    let rows = data["components"].as_array().unwrap();
    assert!(rows.len() <= 5, "{what}: {} rows", rows.len());
    for row in rows {
        for input in row["components"].as_array().unwrap() {
            let max = input["max_length"].as_u64().unwrap_or(4000) as usize;
            assert!(max <= 4000);
            assert!(input["label"].as_str().unwrap().chars().count() <= 45, "{what}: label");
            if let Some(value) = input["value"].as_str() {
                assert!(value.chars().count() <= max, "{what}: a value longer than its field");
            }
        }
    }
    discord_mentions_are_ours(&without(&v, "value"), what, None);
}

/// A valid value for a parameter, so that the hostile one is the only thing wrong.
fn valid(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::Item => "N-1",
        ParamKind::Word => "Stores",
        ParamKind::Text => "fine",
        ParamKind::User => "tina",
        ParamKind::Number => "3",
        ParamKind::Date => "2026-05-01",
        ParamKind::Channel => "C1",
        ParamKind::Choice(choices) => choices[0],
    }
}

/// Every command line the registry allows, with `hostile` in each place a value goes, and whether
/// the command takes a person (whom its reply may then mention).
fn command_lines(hostile: &str) -> Vec<(String, bool)> {
    let mut lines = Vec::new();
    for spec in COMMANDS {
        let path = spec.path.join(" ");
        let person = spec.params.iter().any(|p| p.kind == ParamKind::User);
        lines.push((format!("{path} {hostile}"), person));
        for (i, p) in spec.params.iter().enumerate() {
            let values: BTreeMap<String, String> = spec
                .params
                .iter()
                .enumerate()
                .map(|(j, q)| (q.name.to_string(), if i == j { hostile.to_string() } else { valid(q.kind).into() }))
                .collect();
            lines.push((spec.line(&values), person));
            lines.push((format!("{path} {}:{hostile}", p.name), person));
        }
    }
    for setting in SETTINGS {
        lines.push((format!("admin set {setting} {hostile}"), false));
    }
    lines.push((hostile.to_string(), false));
    lines
}

/// A workspace with something to act on: N-1 waiting for triage, N-2 stopped mid-checklist by
/// its requester, S-1 an idea.
async fn workspace() -> App {
    let app = app(sqlite().await).await;
    app.grant("ada", Role::Admin).await;
    app.grant("tina", Role::AiTeam).await;
    let aiko = app.person("aiko");
    let first = submit_need(&aiko, "Forecast demand", "Stores").await;
    answer_all(&aiko, first, PROTOTYPE).await;
    let ada = app.person("ada");
    let first = submit_need(&ada, "Sort invoices", "Finance").await;
    answer_all(&ada, first, &PROTOTYPE[..3]).await;
    app.person("tina").command("seed Detect duplicate orders").await;
    app
}

#[tokio::test]
async fn every_command_form_and_field_survives_the_hostile_corpus() {
    let corpus = corpus();
    assert!(corpus.len() >= 50, "the corpus has {} strings", corpus.len());
    let app = workspace().await;
    let ada = app.person("ada");
    let aiko = app.person("aiko");
    for raw in &corpus {
        // the neutral layer takes text: a transport has already made it UTF-8
        let hostile = String::from_utf8_lossy(raw).into_owned();
        let short: String = hostile.chars().take(40).collect();
        let named = named_person(&hostile);
        for (line, person) in command_lines(&hostile) {
            let what = format!("command `{}`", line.chars().take(80).collect::<String>());
            check_naming(&ada.command(&line).await, &what, named.as_deref().filter(|_| person));
        }
        for (form, fields) in [
            ("need", &["title", "team", "description"][..]),
            ("seed", &["title", "team", "description"][..]),
            ("ans:N-2:goal", &["answer"][..]),
            ("ans:N-2:hours", &["answer"][..]),
            ("ans:N-2:value_base", &["answer"][..]),
            ("mv:N-1:redirected", &["note"][..]),
            ("mv:S-1:shelved", &["note"][..]),
        ] {
            for field in fields {
                let mut values: Vec<(&str, &str)> =
                    vec![("title", "Fine"), ("team", "Stores"), ("description", ""), ("answer", "5"), ("note", "ok")];
                values.retain(|(k, _)| k != field);
                values.push((field, &hostile));
                check(&ada.submit(form, &values).await, &format!("form {form}, {field} = {short:?}"));
            }
            check(
                &ada.submit(form, &[(hostile.as_str(), hostile.as_str())]).await,
                &format!("form {form}, a field named {short:?}"),
            );
        }
        check(&ada.submit(&hostile, &[("title", &hostile)]).await, &format!("a form called {short:?}"));
        check(&ada.click(&hostile).await, &format!("a button called {short:?}"));
        for action in ["p:N-2:fit", "as:N-1", "e:N-2", "m:N-1:accepted"] {
            check_naming(&ada.pick(action, &[&hostile]).await, &format!("{action} with {short:?}"), named.as_deref());
        }
        check(&ada.click(&format!("a:N-2:driver:{hostile}")).await, &format!("an option called {short:?}"));
        check(&aiko.command(&format!("move N-1 withdrawn {hostile}")).await, &format!("withdraw with {short:?}"));
    }
    stored_within_limits(&app).await;
}

/// Everything stored is within the limits of SPEC §1 and free of control characters.
async fn stored_within_limits(app: &App) {
    let store = &app.bot.store;
    let clean = |s: &str, multiline: bool| {
        s.chars().all(|c| !(c.is_control() && !(multiline && c == '\n')) && !matches!(c, '\u{202A}'..='\u{202E}'))
    };
    let mut items = Vec::new();
    store
        .export_items(WORKSPACE, None, &mut |i| {
            items.push(i);
            Ok(())
        })
        .await
        .unwrap();
    assert!(items.len() > 100, "hostile titles that are allowed make needs: {}", items.len());
    for i in &items {
        assert!(
            !i.title.is_empty() && i.title.chars().count() <= Title::MAX && clean(&i.title, false),
            "{:?}",
            i.title
        );
        assert!(i.team.chars().count() <= TeamName::MAX && clean(&i.team, false), "{:?}", i.team);
        assert!(i.description.chars().count() <= Description::MAX && clean(&i.description, true));
        for (q, a) in &i.answers {
            let text = a.to_string();
            assert!(text.chars().count() <= 2100 && clean(&text, true), "{q}: {text}");
        }
    }
    let mut events = Vec::new();
    store
        .export_events(WORKSPACE, None, &mut |e| {
            events.push(e);
            Ok(())
        })
        .await
        .unwrap();
    for e in &events {
        if let Some(note) = &e.note {
            assert!(note.chars().count() <= Note::MAX && clean(note, true), "{note:?}");
        }
        if let Some(detail) = &e.detail {
            assert!(detail.chars().count() <= 4000 && clean(detail, true), "{detail:?}");
        }
    }
    for (user, _) in store.role_members(WORKSPACE).await.unwrap() {
        assert!(user.len() <= 64 && user.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)), "{user:?}");
    }
    let ws = store.workspace(WORKSPACE).await.unwrap().unwrap();
    let s = &ws.settings;
    assert!(Schedule::parse(&s.digest_cron, &s.timezone).is_ok(), "{} {}", s.digest_cron, s.timezone);
    assert!(s.value.hourly_cost.is_finite() && s.value.hourly_cost >= 0.0);
    assert!((0.0..=1.0).contains(&s.value.automatable_share));
    assert!(s.value.ml_yearly_cost.is_finite() && s.value.ml_yearly_cost > 0.0);
    for channel in [&s.triage_channel, &s.digest_channel].into_iter().flatten() {
        assert!(channel.len() <= 64 && channel.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)));
    }
}

const SECRET: &str = "hostile-signing-secret";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_hostile_requests_get_answers_not_failures_on_slack_and_discord() {
    let db = sqlite().await;
    let fake = FakeSlack::start().await;
    let key = SigningKey::from_bytes(&[3u8; 32]);
    let (api, public_key) = (fake.api_url(), hex::encode(key.verifying_key().as_bytes()));
    let env = move |k: &str| match k {
        "SLACK_SIGNING_SECRET" => Some(SECRET.to_string()),
        "SLACK_BOT_TOKEN" => Some("xoxb-hostile".to_string()),
        "SLACK_API_URL" => Some(api.clone()),
        "DISCORD_MODE" => Some("endpoint".to_string()),
        "DISCORD_PUBLIC_KEY" => Some(public_key.clone()),
        "DISCORD_APPLICATION_ID" => Some(discord_fake::APP.to_string()),
        "DISCORD_API_URL" => Some("http://127.0.0.1:9".to_string()),
        _ => None,
    };
    let config = Config::load(None, &env).unwrap();
    let bot = Arc::new(Bot {
        admins: vec!["slack:U1".into(), format!("discord:{}", discord_fake::ADMIN)],
        ..Bot::new(
            db.store.clone(),
            Arc::new(Prompts::embedded()),
            Arc::new(ManualClock::new(t0())),
            Default::default(),
        )
    });
    let mut router = axum::Router::new();
    for part in kakehashi::cli::server::transports(&config, &bot).unwrap() {
        router = router.merge(part.router.unwrap());
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let http = reqwest::Client::new();
    let ts = t0().timestamp().to_string();
    let slack_now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs().to_string();

    let slack_post = |path: &'static str, body: Vec<u8>| {
        let signature = slack::verify::sign(SECRET, &slack_now, &body);
        http.post(format!("{url}{path}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", slack_now.clone())
            .header("x-slack-signature", signature)
            .body(body)
            .send()
    };
    let discord_post = |body: Vec<u8>| {
        let mut signed = ts.as_bytes().to_vec();
        signed.extend_from_slice(&body);
        http.post(format!("{url}/discord/interactions"))
            .header("content-type", "application/json")
            .header("x-signature-timestamp", ts.clone())
            .header("x-signature-ed25519", hex::encode(key.sign(&signed).to_bytes()))
            .body(body)
            .send()
    };

    let mut n = 100;
    for raw in corpus() {
        let hostile = String::from_utf8_lossy(&raw).into_owned();
        let short: String = hostile.chars().take(40).collect();
        n += 1;
        // Slack: the raw bytes, percent-encoded as a browser would (invalid UTF-8 included)
        for text in [b"need ".to_vec(), b"help ".to_vec(), b"admin set currency ".to_vec(), Vec::new()] {
            let mut typed = text.clone();
            typed.extend_from_slice(&raw);
            let mut body = format!(
                "team_id=T0HOST&channel_id=C1&user_id=U1&command=%2Fai&trigger_id={n}.1.trigger&response_url={}&text=",
                urlencode(fake.response_url().as_bytes())
            )
            .into_bytes();
            body.extend_from_slice(urlencode(&typed).as_bytes());
            let r = slack_post("/slack/commands", body).await.unwrap();
            let status = r.status().as_u16();
            let answer = r.text().await.unwrap();
            let what = format!("Slack `{}{short:?}`", String::from_utf8_lossy(&text));
            if std::str::from_utf8(&raw).is_ok() {
                assert_eq!(status, 200, "{what}: {answer}");
            } else {
                assert!(status == 200 || status == 400, "{what}: {status} {answer}");
                assert!(!answer.is_empty(), "{what}: a refusal says why");
            }
            assert!(!answer.contains("<!") && !answer.contains("something went wrong"), "{what}: {answer}");
        }
        let view = json!({
            "type": "view_submission",
            "team": {"id": "T0HOST"},
            "user": {"id": "U1", "team_id": "T0HOST"},
            "trigger_id": format!("{n}.2.trigger"),
            "view": {"id": "V1", "type": "modal", "callback_id": "need", "private_metadata": "{\"c\":\"C1\"}",
                     "state": {"values": {
                        "title": {"value": {"type": "plain_text_input", "value": hostile}},
                        "team": {"value": {"type": "plain_text_input", "value": hostile}},
                        "description": {"value": {"type": "plain_text_input", "value": hostile}}}}},
        });
        let click = json!({
            "type": "block_actions",
            "team": {"id": "T0HOST"},
            "user": {"id": "U1", "team_id": "T0HOST"},
            "trigger_id": format!("{n}.3.trigger"),
            "container": {"type": "message", "channel_id": "C1", "message_ts": "1.1"},
            "channel": {"id": "C1"},
            "response_url": fake.response_url(),
            "actions": [{"type": "button", "action_id": hostile, "value": hostile, "block_id": hostile}],
        });
        for payload in [view, click] {
            let body = format!("payload={}", urlencode(payload.to_string().as_bytes())).into_bytes();
            let r = slack_post("/slack/interactions", body).await.unwrap();
            let status = r.status().as_u16();
            let answer = r.text().await.unwrap();
            assert!(status == 200 || status == 400, "Slack {} with {short:?}: {status} {answer}", payload["type"]);
            assert!(!answer.contains("<!"), "{answer}");
        }

        // Discord: JSON carries text, so the hostile string arrives as UTF-8
        let admin = Sender::member(discord_fake::ADMIN);
        for body in [
            discord_fake::command(admin, n * 10, "ai", &["need"], &[("title", json!(hostile))]),
            discord_fake::command(admin, n * 10 + 1, "ai", &["help"], &[("command", json!(hostile))]),
            discord_fake::command(admin, n * 10 + 2, "ai", &["show"], &[("id", json!(hostile))]),
            discord_fake::command(
                admin,
                n * 10 + 3,
                "ai-admin",
                &["set"],
                &[("setting", json!("timezone")), ("value", json!(hostile))],
            ),
            discord_fake::modal(
                admin,
                n * 10 + 4,
                "need",
                &[("title", &hostile), ("team", &hostile), ("description", &hostile)],
                false,
            ),
            discord_fake::component(admin, n * 10 + 5, &hostile, Some(&[&hostile])),
        ] {
            let r = discord_post(serde_json::to_vec(&body).unwrap()).await.unwrap();
            let status = r.status().as_u16();
            let answer = r.text().await.unwrap();
            assert!(status == 200 || status == 400, "Discord {} with {short:?}: {status} {answer}", body["type"]);
            if status == 200 {
                let v: Value = serde_json::from_str(&answer).unwrap();
                if v["type"] == 4 || v["type"] == 7 {
                    assert_eq!(v["data"]["allowed_mentions"]["parse"], json!([]), "{v}");
                }
                // a modal's input boxes show what was typed as text, never as markup
                discord_mentions_are_ours(&without(&v, "value"), &format!("Discord with {short:?}"), None);
            }
        }
        // and the raw bytes, in a body that claims to be JSON
        let mut body = br#"{"type":2,"data":{"name":"ai","options":[{"name":"help","type":1,"options":[{"name":"command","type":3,"value":""#.to_vec();
        body.extend_from_slice(&raw);
        body.extend_from_slice(br#""}]}]}}"#);
        let r = discord_post(body).await.unwrap();
        assert!(r.status() == 200 || r.status() == 400, "raw bytes to Discord: {}", r.status());
    }
    // everything Slack was sent along the way: no live mention
    for call in fake.calls() {
        for text in mrkdwn(&call.body) {
            slack_mentions_are_ours(&text, &call.method, None);
        }
    }
}

/// Percent-encoding of every byte but the unreserved ones, as in a form body.
fn urlencode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (*b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
