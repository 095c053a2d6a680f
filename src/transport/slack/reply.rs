//! What becomes of the bot's replies on Slack: the acknowledgement (what Slack gets back within
//! its 3 seconds) and the [`Effect`]s that follow through the Web API. A pure function, so every
//! route is tested without a network.
//!
//! - Neighbouring messages of one visibility go out as one while they fit one Slack message.
//! - A slash command answered in time with one message carries it in the acknowledgement.
//! - Other messages go through the request's `response_url` (ephemeral when private, `replace_original`
//!   when the message replaces the one whose control was used); if that fails, a private message
//!   goes to the person's DM, a replacement of a normal message becomes chat.update, a public
//!   one goes to the channel. An `@mention` has no `response_url`: chat.postEphemeral.
//! - A form opens a modal with the `trigger_id` (views.push from inside a modal); on a submitted
//!   modal the acknowledgement shows it again with its errors (`response_action: errors`) or
//!   replaces it (`update`). Where Slack gives no `trigger_id`, the person is told which command
//!   opens it.
//! - A file goes to the person's DM.
//! - Late (the bot took longer than the deadline): the acknowledgement went out empty, or, for a
//!   submitted modal, as a "working on it" view that views.update later replaces.

use super::blocks::{AckBody, ResponseAction, ResponseBody, ResponseType, SlackMessage, View};
use super::payload::{Incoming, Kind, MessageRef, Source};
use super::render;
use crate::chat::{Attachment, Block, Message, Outbound, Visibility, text};
use crate::domain::Lang;
use crate::prompts::Prompts;

/// The replies came before the acknowledgement, or after it ([`late_ack`]).
pub use crate::transport::deadline::Timing;

/// The body of the acknowledgement.
#[derive(Debug, Clone, PartialEq)]
pub enum Ack {
    Empty,
    Body(AckBody),
}

/// A conversation to post into: a channel, or a person's DM (opened with conversations.open).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Channel(String),
    User(String),
}

/// One Web API call to make after the acknowledgement.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// POST to a `response_url`; `fallback` if that fails (expired, used up).
    Respond {
        url: String,
        body: ResponseBody,
        fallback: Option<Box<Effect>>,
    },
    /// chat.postMessage, or chat.postEphemeral when `ephemeral_for` names the person.
    Post {
        to: Target,
        message: SlackMessage,
        ephemeral_for: Option<String>,
    },
    /// chat.update of a message the bot posted.
    Update {
        channel: String,
        ts: String,
        message: SlackMessage,
    },
    OpenView {
        trigger_id: String,
        view: View,
    },
    PushView {
        trigger_id: String,
        view: View,
    },
    UpdateView {
        view_id: String,
        view: View,
    },
    /// files.getUploadURLExternal, the bytes, files.completeUploadExternal.
    Upload {
        to: Target,
        file: Attachment,
    },
}

/// The acknowledgement and the Web API calls after it.
pub type Plan = crate::transport::deadline::Plan<Ack, Effect>;

/// The words the transport itself says, in the person's language.
pub struct Texts<'a> {
    pub prompts: &'a Prompts,
    pub lang: Lang,
    /// The slash command, as people type it (`/ai`).
    pub command: &'a str,
}

impl Texts<'_> {
    fn use_command(&self, text: &str) -> String {
        let lang = self.lang;
        let args = [("command", self.command.to_string()), ("text", text.to_string())];
        self.prompts.fill(lang, "slack.use_command", &args)
    }
}

/// The acknowledgement sent when the bot is not done by the deadline.
pub fn late_ack(incoming: &Incoming, texts: &Texts) -> Ack {
    match (incoming.kind(), &incoming.view) {
        (Kind::Submission, Some(view)) => {
            let lang = texts.lang;
            let working = texts.prompts.get(lang, "slack.working");
            Ack::Body(AckBody::Action(ResponseAction::Update {
                view: render::notice_view(working, &view.private_metadata),
            }))
        }
        _ => Ack::Empty,
    }
}

pub fn plan(incoming: &Incoming, replies: &[Outbound], timing: Timing, texts: &Texts) -> Plan {
    // neighbouring messages as one post while they fit one Slack message (a `response_url`
    // takes five posts)
    let merged = Outbound::merge_messages(replies.to_vec(), |m| render::message(m).len() == 1);
    let replies = merged.as_slice();
    // a slash command answered in time with one message: the reply is the acknowledgement
    if incoming.source == Source::SlashCommand
        && timing == Timing::InTime
        && let [Outbound::Message(m)] = replies
        && let [one] = render::message(m).as_slice()
    {
        return Plan { first: Ack::Body(AckBody::Message(response_body(one, m.visibility, false))), steps: Vec::new() };
    }
    let mut ack = Ack::Empty;
    let mut views = Vec::new();
    let mut effects = Vec::new();
    let mut form_done = false;
    for reply in replies {
        match reply {
            Outbound::Message(m) => messages(incoming, m, &mut effects),
            Outbound::Form(form) if form_done => {
                tracing::warn!(form = %form.id, "a second form in one reply is not shown");
            }
            Outbound::Form(form) => {
                form_done = true;
                let metadata = incoming.origin.to_metadata();
                let view = render::modal(form, &metadata);
                match (incoming.kind(), timing, &incoming.view, &incoming.trigger_id) {
                    (Kind::Submission, Timing::InTime, Some(current), _) => {
                        let action = if form.id == current.callback_id && !form.errors.is_empty() {
                            ResponseAction::Errors { errors: render::field_errors(form) }
                        } else {
                            ResponseAction::Update { view }
                        };
                        ack = Ack::Body(AckBody::Action(action));
                    }
                    (Kind::Submission, Timing::Late, Some(current), _) => {
                        views.push(Effect::UpdateView { view_id: current.id.clone(), view })
                    }
                    (Kind::Action, _, Some(_), Some(trigger)) => {
                        views.push(Effect::PushView { trigger_id: trigger.clone(), view })
                    }
                    (Kind::Command | Kind::Action, _, _, Some(trigger)) => {
                        views.push(Effect::OpenView { trigger_id: trigger.clone(), view })
                    }
                    _ => {
                        let typed = match &incoming.inbound.event {
                            crate::chat::InboundEvent::Command { text } => text.clone(),
                            _ => String::new(),
                        };
                        let notice = Message::private(vec![Block::Text(text(texts.use_command(&typed)))]);
                        messages(incoming, &notice, &mut effects);
                    }
                }
            }
            Outbound::File(file) => {
                effects.push(Effect::Upload { to: Target::User(incoming.user.clone()), file: file.clone() })
            }
        }
    }
    // a submitted modal answered late: the "working" view gives way to the form or to "done"
    if incoming.kind() == Kind::Submission
        && timing == Timing::Late
        && !form_done
        && let Some(current) = &incoming.view
    {
        let lang = texts.lang;
        let done = texts.prompts.get(lang, "slack.done");
        views.push(Effect::UpdateView {
            view_id: current.id.clone(),
            view: render::notice_view(done, &current.private_metadata),
        });
    }
    // views first: a trigger_id lives only about three seconds
    views.extend(effects);
    Plan { first: ack, steps: views }
}

/// A message for a `response_url` or a slash command's acknowledgement.
pub fn response_body(m: &SlackMessage, visibility: Visibility, replace: bool) -> ResponseBody {
    let response_type = match visibility {
        Visibility::Private => ResponseType::Ephemeral,
        Visibility::Public => ResponseType::InChannel,
    };
    ResponseBody { message: m.clone(), replace_original: replace, response_type: (!replace).then_some(response_type) }
}

fn messages(incoming: &Incoming, m: &Message, out: &mut Vec<Effect>) {
    let replaces = if m.replace { incoming.origin.message.as_ref() } else { None };
    for (i, one) in render::message(m).into_iter().enumerate() {
        // only the first part takes the old message's place; the rest follow it
        let replace = if i == 0 { replaces } else { None };
        let direct = direct(incoming, m.visibility, one.clone(), replace);
        match &incoming.origin.response_url {
            Some(url) => out.push(Effect::Respond {
                url: url.clone(),
                body: response_body(&one, m.visibility, replace.is_some()),
                fallback: Some(Box::new(direct)),
            }),
            None => out.push(direct),
        }
    }
}

/// The way to post a message without a `response_url`.
fn direct(incoming: &Incoming, visibility: Visibility, message: SlackMessage, replace: Option<&MessageRef>) -> Effect {
    if let Some(old) = replace.filter(|r| !r.ephemeral) {
        return Effect::Update { channel: old.channel.clone(), ts: old.ts.clone(), message };
    }
    let channel = incoming.origin.channel.clone().filter(|c| !c.is_empty());
    match (visibility, incoming.source, channel) {
        // the bot was mentioned there, so it is in the channel
        (Visibility::Private, Source::Mention, Some(c)) => {
            Effect::Post { to: Target::Channel(c), message, ephemeral_for: Some(incoming.user.clone()) }
        }
        // the person's own DM with the bot: nobody else reads it
        (_, Source::DirectMessage, Some(c)) => Effect::Post { to: Target::Channel(c), message, ephemeral_for: None },
        (Visibility::Public, _, Some(c)) => Effect::Post { to: Target::Channel(c), message, ephemeral_for: None },
        _ => Effect::Post { to: Target::User(incoming.user.clone()), message, ephemeral_for: None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Actor, Field, FieldKind, Form, Inbound, InboundEvent, Place, WorkspaceRef};
    use crate::transport::slack::payload::{Origin, View};
    use serde_json::{Value, json};

    /// What Slack gets, as JSON.
    fn value(x: &impl serde::Serialize) -> Value {
        serde_json::to_value(x).unwrap()
    }

    /// A request of this kind: a slash command, or an interaction (a click, a submitted modal).
    fn incoming(kind: Kind) -> Incoming {
        let (event, source) = match kind {
            Kind::Command => (InboundEvent::Command { text: "need Forecast".into() }, Source::SlashCommand),
            Kind::Action => (InboundEvent::Action { id: "a:N-1:goal".into(), values: vec![] }, Source::Interaction),
            Kind::Submission => {
                (InboundEvent::Form { id: "ans:N-1:goal".into(), values: Default::default() }, Source::Interaction)
            }
        };
        Incoming {
            inbound: Inbound {
                workspace: WorkspaceRef { id: "slack:T1".into(), name: "acme".into() },
                actor: Actor { id: "U1".into(), ..Actor::default() },
                place: Place { channel: "C1".into(), direct: false },
                event,
            },
            source,
            team: "T1".into(),
            user: "U1".into(),
            origin: Origin {
                channel: Some("C1".into()),
                direct: false,
                response_url: Some("https://hooks/1".into()),
                message: None,
            },
            trigger_id: Some("tr1".into()),
            view: None,
        }
    }

    fn texts(prompts: &Prompts) -> Texts<'_> {
        Texts { prompts, lang: Lang::En, command: "/ai" }
    }

    fn msg(s: &str) -> Message {
        Message::private(vec![Block::Text(text(s))])
    }

    fn form(id: &str, errors: Vec<(String, String)>) -> Form {
        Form {
            id: id.into(),
            title: "T".into(),
            submit: "S".into(),
            fields: vec![Field {
                id: "answer".into(),
                label: "A".into(),
                hint: None,
                kind: FieldKind::Short,
                required: true,
                initial: None,
                max_len: 10,
            }],
            errors,
        }
    }

    #[test]
    fn a_slash_command_answered_in_time_with_one_message_carries_it_in_the_ack() {
        let p = Prompts::embedded();
        let plan = plan(&incoming(Kind::Command), &[Outbound::Message(msg("hello"))], Timing::InTime, &texts(&p));
        assert!(plan.steps.is_empty());
        let Ack::Body(body) = plan.first else { panic!() };
        let body = value(&body);
        assert_eq!(body["response_type"], "ephemeral");
        assert_eq!(body["blocks"][0]["text"]["text"], "hello");
    }

    fn public(s: &str) -> Message {
        Message { visibility: Visibility::Public, replace: false, blocks: vec![Block::Text(text(s))] }
    }

    #[test]
    fn neighbouring_messages_of_one_visibility_go_out_as_one_while_they_fit() {
        let p = Prompts::embedded();
        let two = [Outbound::Message(msg("N-1 is saved")), Outbound::Message(msg("the first question"))];
        let joined = plan(&incoming(Kind::Command), &two, Timing::InTime, &texts(&p));
        assert!(joined.steps.is_empty(), "one message, in the acknowledgement: {:?}", joined.steps);
        let Ack::Body(body) = joined.first else { panic!() };
        let body = value(&body);
        assert_eq!(body["blocks"][0]["text"]["text"], "N-1 is saved");
        assert_eq!(body["blocks"][1]["text"]["text"], "the first question");
        // a message too long to join with its neighbour still goes out on its own
        let long = Message::private((0..40).map(|i| Block::Text(text(format!("line {i}")))).collect());
        let replies = [Outbound::Message(long.clone()), Outbound::Message(long)];
        let apart = plan(&incoming(Kind::Command), &replies, Timing::InTime, &texts(&p));
        assert_eq!(apart.steps.len(), 2, "{:?}", apart.steps);
    }

    #[test]
    fn late_or_several_messages_go_through_the_response_url_in_order() {
        let p = Prompts::embedded();
        for (timing, replies) in [
            (Timing::Late, vec![Outbound::Message(msg("one"))]),
            (Timing::InTime, vec![Outbound::Message(msg("one")), Outbound::Message(public("two"))]),
        ] {
            let plan = plan(&incoming(Kind::Command), &replies, timing, &texts(&p));
            assert_eq!(plan.first, Ack::Empty);
            let bodies: Vec<Value> = plan
                .steps
                .iter()
                .map(|e| match e {
                    Effect::Respond { url, body, fallback } => {
                        assert_eq!(url, "https://hooks/1");
                        // a private message falls back to the person's DM
                        let private = value(body)["response_type"] == "ephemeral";
                        assert!(
                            !private
                                || matches!(
                                    fallback.as_deref(),
                                    Some(Effect::Post { to: Target::User(u), .. }) if u == "U1"
                                )
                        );
                        value(body)
                    }
                    other => panic!("{other:?}"),
                })
                .collect();
            assert_eq!(bodies[0]["blocks"][0]["text"]["text"], "one");
            assert_eq!(bodies[0]["response_type"], "ephemeral");
        }
    }

    #[test]
    fn a_replacing_reply_to_a_click_replaces_the_clicked_message() {
        let p = Prompts::embedded();
        let mut inc = incoming(Kind::Action);
        inc.origin.message = Some(MessageRef { channel: "C1".into(), ts: "1.1".into(), ephemeral: false });
        let plan = plan(&inc, &[Outbound::Message(msg("next question").replacing())], Timing::InTime, &texts(&p));
        assert_eq!(plan.first, Ack::Empty);
        let Effect::Respond { body, fallback, .. } = &plan.steps[0] else { panic!("{:?}", plan.steps) };
        let body = value(body);
        assert_eq!(body["replace_original"], true);
        assert!(body.get("response_type").is_none());
        assert!(
            matches!(fallback.as_deref(), Some(Effect::Update { channel, ts, .. }) if channel == "C1" && ts == "1.1"),
            "a normal message can be updated with chat.update"
        );
    }

    #[test]
    fn a_form_opens_a_modal_first_remembering_where_to_answer() {
        let p = Prompts::embedded();
        let inc = incoming(Kind::Action);
        let plan = plan(
            &inc,
            &[Outbound::Message(msg("before")), Outbound::Form(form("ans:N-1:goal", vec![]))],
            Timing::InTime,
            &texts(&p),
        );
        let Effect::OpenView { trigger_id, view } = &plan.steps[0] else { panic!("{:?}", plan.steps) };
        assert_eq!(trigger_id, "tr1");
        let view = value(view);
        assert_eq!(view["callback_id"], "ans:N-1:goal");
        let origin = Origin::from_metadata(view["private_metadata"].as_str().unwrap());
        assert_eq!(origin, inc.origin);
        assert!(matches!(plan.steps[1], Effect::Respond { .. }));
    }

    #[test]
    fn a_form_from_inside_a_modal_is_pushed() {
        let p = Prompts::embedded();
        let mut inc = incoming(Kind::Action);
        inc.view = Some(View { id: "V1".into(), ..View::default() });
        let plan = plan(&inc, &[Outbound::Form(form("seed", vec![]))], Timing::InTime, &texts(&p));
        assert!(matches!(&plan.steps[0], Effect::PushView { trigger_id, .. } if trigger_id == "tr1"));
    }

    fn submitted(callback: &str) -> Incoming {
        let mut inc = incoming(Kind::Submission);
        inc.trigger_id = None;
        inc.view = Some(View {
            id: "V9".into(),
            callback_id: callback.into(),
            private_metadata: inc.origin.to_metadata(),
            ..View::default()
        });
        inc
    }

    #[test]
    fn a_submitted_form_with_errors_is_shown_again_with_them() {
        let p = Prompts::embedded();
        let plan = plan(
            &submitted("ans:N-1:baseline_accuracy"),
            &[Outbound::Form(form("ans:N-1:baseline_accuracy", vec![("answer".into(), "not a number".into())]))],
            Timing::InTime,
            &texts(&p),
        );
        let Ack::Body(ack) = &plan.first else { panic!() };
        assert_eq!(value(ack), json!({"response_action": "errors", "errors": {"answer": "not a number"}}));
        assert!(plan.steps.is_empty());
    }

    #[test]
    fn a_submitted_form_followed_by_another_form_is_updated() {
        let p = Prompts::embedded();
        let plan =
            plan(&submitted("need"), &[Outbound::Form(form("ans:N-1:goal", vec![]))], Timing::InTime, &texts(&p));
        let Ack::Body(ack) = &plan.first else { panic!() };
        let ack = value(ack);
        assert_eq!(ack["response_action"], "update");
        assert_eq!(ack["view"]["callback_id"], "ans:N-1:goal");
    }

    #[test]
    fn a_submission_answered_with_messages_closes_the_modal_and_answers_where_it_was_opened() {
        let p = Prompts::embedded();
        let mut inc = submitted("ans:N-1:goal");
        inc.origin.message = Some(MessageRef { channel: "C1".into(), ts: "5.5".into(), ephemeral: true });
        let plan = plan(&inc, &[Outbound::Message(msg("next").replacing())], Timing::InTime, &texts(&p));
        assert_eq!(plan.first, Ack::Empty, "an empty acknowledgement closes the modal");
        let Effect::Respond { url, body, fallback } = &plan.steps[0] else { panic!() };
        assert_eq!(url, "https://hooks/1");
        assert!(body.replace_original);
        assert!(
            matches!(fallback.as_deref(), Some(Effect::Post { to: Target::User(_), .. })),
            "an ephemeral message cannot be updated: the DM instead"
        );
    }

    #[test]
    fn a_late_submission_shows_working_then_the_result() {
        let p = Prompts::embedded();
        let inc = submitted("need");
        let Ack::Body(ack) = late_ack(&inc, &texts(&p)) else { panic!() };
        let ack = value(&ack);
        assert_eq!(ack["response_action"], "update");
        assert!(ack.to_string().contains(p.get(Lang::En, "slack.working")));
        let done = plan(&inc, &[Outbound::Message(msg("saved"))], Timing::Late, &texts(&p));
        assert!(matches!(&done.steps[0], Effect::UpdateView { view_id, view }
            if view_id == "V9" && value(view).to_string().contains(p.get(Lang::En, "slack.done"))));
        assert!(matches!(&done.steps[1], Effect::Respond { .. }));
        let again = plan(
            &inc,
            &[Outbound::Form(form("need", vec![("answer".into(), "too long".into())]))],
            Timing::Late,
            &texts(&p),
        );
        assert_eq!(again.steps.len(), 1);
        assert!(matches!(&again.steps[0], Effect::UpdateView { view, .. }
            if value(view).to_string().contains("too long")));
        assert_eq!(late_ack(&incoming(Kind::Command), &texts(&p)), Ack::Empty);
    }

    #[test]
    fn a_mention_is_answered_ephemerally_and_a_form_there_names_the_command() {
        let p = Prompts::embedded();
        let mut inc = incoming(Kind::Command);
        inc.source = Source::Mention;
        inc.origin.response_url = None;
        inc.trigger_id = None;
        let plan = plan(&inc, &[Outbound::Form(form("need", vec![]))], Timing::InTime, &texts(&p));
        let Effect::Post { to, message, ephemeral_for } = &plan.steps[0] else { panic!("{:?}", plan.steps) };
        assert_eq!(to, &Target::Channel("C1".into()));
        assert_eq!(ephemeral_for.as_deref(), Some("U1"));
        let shown = value(&message.blocks[0])["text"]["text"].as_str().unwrap().to_string();
        assert!(shown.contains("/ai need Forecast"), "{shown}");
    }

    #[test]
    fn public_messages_are_in_channel_and_files_go_to_the_dm() {
        let p = Prompts::embedded();
        let mut public = msg("for all");
        public.visibility = Visibility::Public;
        let plan = plan(
            &incoming(Kind::Action),
            &[
                Outbound::Message(public),
                Outbound::File(Attachment {
                    name: "export.csv".into(),
                    content_type: "text/csv".into(),
                    bytes: b"a,b".to_vec(),
                    comment: "Your export".into(),
                }),
            ],
            Timing::InTime,
            &texts(&p),
        );
        let Effect::Respond { body, fallback, .. } = &plan.steps[0] else { panic!() };
        assert_eq!(value(body)["response_type"], "in_channel");
        assert!(matches!(fallback.as_deref(), Some(Effect::Post { to: Target::Channel(c), .. }) if c == "C1"));
        assert!(
            matches!(&plan.steps[1], Effect::Upload { to: Target::User(u), file } if u == "U1" && file.name == "export.csv")
        );
    }

    #[test]
    fn a_long_replacing_message_replaces_with_its_first_part_only() {
        let p = Prompts::embedded();
        let mut inc = incoming(Kind::Action);
        inc.origin.message = Some(MessageRef { channel: "C1".into(), ts: "1.1".into(), ephemeral: true });
        let blocks: Vec<Block> = (0..60).map(|i| Block::Text(text(format!("{i}")))).collect();
        let plan = plan(&inc, &[Outbound::Message(Message::private(blocks).replacing())], Timing::InTime, &texts(&p));
        let replaced: Vec<bool> = plan
            .steps
            .iter()
            .map(|e| match e {
                Effect::Respond { body, .. } => body.replace_original,
                _ => panic!(),
            })
            .collect();
        assert_eq!(replaced, [true, false]);
    }
}
