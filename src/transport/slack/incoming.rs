//! A parsed Slack [`Request`] in the conversation's terms: the neutral [`Inbound`] event, and
//! what the transport needs to answer it ([`Incoming`]): how it came ([`Source`]; its [`Kind`] is
//! the platforms' shared one, read off the event), and where its replies go ([`Origin`], carried through a modal in its `private_metadata`).
//!
//! - workspace: `slack:{team_id}`, named by its domain until team.info says better;
//! - actor: the Slack user id; place: the channel, `direct` in a DM;
//! - a slash command, an `@mention` or a DM line becomes its text (Slack's entities undone), a
//!   click or pick the control's action id with the picked values, a submitted modal its
//!   callback id with each input's value.

use serde::{Deserialize, Serialize};

use super::payload::{
    BlockActions, ElementValue, Event, EventBody, Interaction, PayloadError, Request, Team, User, View, ViewSubmission,
};
use crate::chat::{Action, Actor, Inbound, InboundEvent, Place, WorkspaceRef};
use crate::transport::incoming::Kind;

/// Where the replies to a request go: the conversation, the `response_url` that answers into
/// it, and the message whose control was used (replaced in place). Travels through a modal in
/// its `private_metadata`, so a form's submission answers where the form was opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Origin {
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(rename = "d", default)]
    pub direct: bool,
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub response_url: Option<String>,
    #[serde(rename = "m", default, skip_serializing_if = "Option::is_none")]
    pub message: Option<MessageRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRef {
    #[serde(rename = "c")]
    pub channel: String,
    #[serde(rename = "t")]
    pub ts: String,
    #[serde(rename = "e", default)]
    pub ephemeral: bool,
}

/// Slack's limit on `private_metadata`.
pub const METADATA_MAX: usize = 3000;

impl Origin {
    /// As `private_metadata`: what fits of it (the message, then the response URL, are left out
    /// if it would not).
    pub fn to_metadata(&self) -> String {
        let mut o = self.clone();
        loop {
            let s = serde_json::to_string(&o).unwrap_or_default();
            if s.len() <= METADATA_MAX {
                return s;
            }
            if o.message.take().is_none() && o.response_url.take().is_none() {
                o.channel = None;
            }
        }
    }

    pub fn from_metadata(s: &str) -> Origin {
        serde_json::from_str(s).unwrap_or_default()
    }
}

/// How the request came, which Slack alone tells apart: it decides whether there is a
/// `response_url` and a `trigger_id`, and where a reply without them goes. (What kind of request
/// it was is the platforms' shared [`Kind`], read off the event.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A slash command: the acknowledgement may carry the reply; a `trigger_id` opens a modal.
    SlashCommand,
    /// An `@mention`: no `trigger_id`, no `response_url`; answered with chat.postEphemeral.
    Mention,
    /// A message typed in the bot's DM (its Messages tab): no `trigger_id`, no `response_url`;
    /// answered in the DM.
    DirectMessage,
    /// A click, a pick or a submitted modal: answered through `response_url` or the modal; a
    /// `trigger_id` opens (or pushes) a modal.
    Interaction,
}

/// The neutral event, and what the transport needs to answer it.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    pub inbound: Inbound,
    pub source: Source,
    pub team: String,
    pub user: String,
    pub origin: Origin,
    pub trigger_id: Option<String>,
    /// The view a submission or an action inside a modal came from.
    pub view: Option<View>,
}

impl Incoming {
    /// What kind of request it was (read off the event).
    pub fn kind(&self) -> Kind {
        Kind::of(&self.inbound.event)
    }
}

/// Slack user ids start with U or W; enterprise ids too. Anything else is not made a mention.
pub fn is_user_id(id: &str) -> bool {
    let b = id.as_bytes();
    (2..=32).contains(&b.len())
        && matches!(b[0], b'U' | b'W')
        && b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Slack sends typed text with `&`, `<` and `>` as entities; the text grammar wants what was
/// typed. Real mentions (`<@U123|aiko>`) are Slack's own angle brackets and stay as they are.
pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

fn is_direct(channel: &str) -> bool {
    channel.starts_with('D')
}

fn workspace(team: &str, name: Option<&str>) -> WorkspaceRef {
    WorkspaceRef {
        id: format!("slack:{team}").into(),
        name: name.filter(|n| !n.is_empty()).unwrap_or(team).to_string(),
    }
}

fn actor(user: &str, name: Option<&str>) -> Actor {
    Actor {
        id: user.into(),
        name: name.filter(|n| !n.is_empty()).unwrap_or(user).to_string(),
        locale: None,
        workspace_admin: false,
    }
}

impl Request {
    /// The neutral event, or `None` for what the bot does not handle (a closed modal, an
    /// uninstall notice, a bot's own mention).
    pub fn inbound(&self) -> Result<Option<Incoming>, PayloadError> {
        match self {
            Request::Command(c) => Ok(Some(Incoming {
                inbound: Inbound {
                    workspace: workspace(&c.team_id, c.team_domain.as_deref()),
                    actor: actor(&c.user_id, c.user_name.as_deref()),
                    place: Place {
                        channel: c.channel_id.clone(),
                        direct: is_direct(&c.channel_id) || c.channel_name.as_deref() == Some("directmessage"),
                    },
                    event: InboundEvent::Command { text: unescape(&c.text) },
                },
                source: Source::SlashCommand,
                team: c.team_id.clone(),
                user: c.user_id.clone(),
                origin: Origin {
                    channel: Some(c.channel_id.clone()),
                    direct: is_direct(&c.channel_id) || c.channel_name.as_deref() == Some("directmessage"),
                    response_url: c.response_url.clone(),
                    message: None,
                },
                trigger_id: c.trigger_id.clone(),
                view: None,
            })),
            Request::Interaction(i) => match i.as_ref() {
                Interaction::BlockActions(a) => action(a).map(Some),
                Interaction::ViewSubmission(s) => submission(s).map(Some),
                Interaction::ViewClosed {} | Interaction::Other => Ok(None),
            },
            Request::Event(EventBody::Callback {
                team_id,
                event: Event::Mention { user: Some(user), bot_id: None, text, channel },
                ..
            }) => Ok(Some(Incoming {
                inbound: Inbound {
                    workspace: workspace(team_id, None),
                    actor: actor(user, None),
                    place: Place { channel: channel.clone(), direct: is_direct(channel) },
                    event: InboundEvent::Command { text: mention_text(text) },
                },
                source: Source::Mention,
                team: team_id.clone(),
                user: user.clone(),
                origin: Origin {
                    channel: Some(channel.clone()),
                    direct: is_direct(channel),
                    response_url: None,
                    message: None,
                },
                trigger_id: None,
                view: None,
            })),
            Request::Event(EventBody::Callback {
                team_id,
                event:
                    Event::Message {
                        channel_type: Some(kind),
                        user: Some(user),
                        bot_id: None,
                        subtype: None,
                        text,
                        channel,
                    },
                ..
            }) if kind == "im" && !text.trim().is_empty() => Ok(Some(Incoming {
                inbound: Inbound {
                    workspace: workspace(team_id, None),
                    actor: actor(user, None),
                    place: Place { channel: channel.clone(), direct: true },
                    event: InboundEvent::Command { text: mention_text(text) },
                },
                source: Source::DirectMessage,
                team: team_id.clone(),
                user: user.clone(),
                origin: Origin { channel: Some(channel.clone()), direct: true, response_url: None, message: None },
                trigger_id: None,
                view: None,
            })),
            Request::Event(_) => Ok(None),
        }
    }
}

/// The command in `<@UBOT> show N-3`: the bot's mention at the start is left out.
fn mention_text(text: &str) -> String {
    let t = text.trim_start();
    let rest = match t.strip_prefix("<@").and_then(|r| r.split_once('>')) {
        Some((_, rest)) => rest,
        None => t,
    };
    unescape(rest.trim())
}

fn team_of(team: &Option<Team>, user: &User) -> Result<(String, Option<String>), PayloadError> {
    match (team, &user.team_id) {
        (Some(t), _) if !t.id.is_empty() => Ok((t.id.clone(), t.domain.clone())),
        (_, Some(id)) if !id.is_empty() => Ok((id.clone(), None)),
        _ => Err(PayloadError::Missing("team")),
    }
}

fn action(a: &BlockActions) -> Result<Incoming, PayloadError> {
    let (team, domain) = team_of(&a.team, &a.user)?;
    let used = a.actions.first().ok_or(PayloadError::Missing("actions"))?;
    if used.action_id.is_empty() {
        return Err(PayloadError::Missing("action_id"));
    }
    // inside a modal the conversation is the one the modal was opened from
    let from_view = a.view.as_ref().map(|v| Origin::from_metadata(&v.private_metadata));
    let channel = a
        .channel
        .as_ref()
        .map(|c| c.id.clone())
        .or_else(|| a.container.channel_id.clone())
        .or_else(|| from_view.as_ref().and_then(|o| o.channel.clone()));
    let origin = match (&from_view, a.container.kind.as_str()) {
        (Some(o), "view") => o.clone(),
        _ => Origin {
            channel: channel.clone(),
            direct: channel.as_deref().is_some_and(is_direct),
            response_url: a.response_url.clone(),
            message: match (&a.container.message_ts, &channel) {
                (Some(ts), Some(c)) => {
                    Some(MessageRef { channel: c.clone(), ts: ts.clone(), ephemeral: a.container.is_ephemeral })
                }
                _ => None,
            },
        },
    };
    let event = InboundEvent::Action { id: action_id(used), values: used.values() };
    Ok(interaction(team, domain.as_deref(), &a.user, origin, event, a.trigger_id.clone(), a.view.clone()))
}

fn submission(s: &ViewSubmission) -> Result<Incoming, PayloadError> {
    let (team, domain) = team_of(&s.team, &s.user)?;
    if s.view.callback_id.is_empty() {
        return Err(PayloadError::Missing("callback_id"));
    }
    let origin = Origin::from_metadata(&s.view.private_metadata);
    let values = s
        .view
        .state
        .values
        .iter()
        .filter_map(|(block, actions)| actions.values().next().map(|element| (block.clone(), element.text())))
        .collect();
    let event = InboundEvent::Form { id: s.view.callback_id.clone(), values };
    Ok(interaction(team, domain.as_deref(), &s.user, origin, event, s.trigger_id.clone(), Some(s.view.clone())))
}

/// A click, a pick or a submitted modal: it answers where `origin` says (a modal's origin is
/// the conversation it was opened from).
fn interaction(
    team: String,
    domain: Option<&str>,
    user: &User,
    origin: Origin,
    event: InboundEvent,
    trigger_id: Option<String>,
    view: Option<View>,
) -> Incoming {
    let user_name = user.name.as_deref().or(user.username.as_deref());
    Incoming {
        inbound: Inbound {
            workspace: workspace(&team, domain),
            actor: actor(&user.id, user_name),
            place: Place { channel: origin.channel.clone().unwrap_or_default(), direct: origin.direct },
            event,
        },
        source: Source::Interaction,
        team,
        user: user.id.clone(),
        origin,
        trigger_id,
        view,
    }
}

/// The id of a used control as the bot reads it. A message's multi-select reports every pick
/// as it happens, so its picks are kept until *Next* ([`Action::Keep`]) instead of answering.
fn action_id(used: &ElementValue) -> String {
    match Action::parse(&used.action_id) {
        Some(Action::Pick { item, question }) if used.kind == "multi_static_select" => {
            Action::Keep { item, question }.to_string()
        }
        _ => used.action_id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::slack::payload::SlashCommand;
    use serde_json::json;

    fn command_pairs(text: &str, channel: &str) -> Vec<(String, String)> {
        [
            ("team_id", "T1"),
            ("team_domain", "acme"),
            ("user_id", "U1"),
            ("user_name", "aiko"),
            ("channel_id", channel),
            ("command", "/ai"),
            ("text", text),
            ("response_url", "https://hooks.slack.com/commands/T1/1/x"),
            ("trigger_id", "1.2.3"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn a_slash_command_becomes_a_command_in_its_workspace_and_channel() {
        let c = SlashCommand::from_form(&command_pairs("need R&amp;D &lt;x&gt;", "C9")).unwrap();
        let i = Request::Command(c).inbound().unwrap().unwrap();
        assert_eq!(i.inbound.workspace.id, "slack:T1");
        assert_eq!(i.inbound.workspace.name, "acme");
        assert_eq!(i.inbound.actor.id, "U1");
        assert_eq!(i.inbound.actor.locale, None);
        assert!(!i.inbound.actor.workspace_admin);
        assert_eq!(i.inbound.place, Place { channel: "C9".into(), direct: false });
        assert_eq!(i.inbound.event, InboundEvent::Command { text: "need R&D <x>".into() }, "what the person typed");
        assert_eq!(i.trigger_id.as_deref(), Some("1.2.3"));
        assert_eq!((i.source, i.kind()), (Source::SlashCommand, Kind::Command));
        let dm = SlashCommand::from_form(&command_pairs("mine", "D42")).unwrap();
        assert!(Request::Command(dm).inbound().unwrap().unwrap().inbound.place.direct);
    }

    #[test]
    fn mentions_in_command_text_arrive_as_slack_wrote_them() {
        let c = SlashCommand::from_form(&command_pairs("admin roles add <@U0ABC|aiko> ai_team", "C9")).unwrap();
        let i = Request::Command(c).inbound().unwrap().unwrap();
        assert_eq!(i.inbound.event, InboundEvent::Command { text: "admin roles add <@U0ABC|aiko> ai_team".into() });
    }

    #[test]
    fn a_slash_command_without_its_ids_is_refused() {
        let mut pairs = command_pairs("mine", "C1");
        pairs.retain(|(k, _)| k != "user_id");
        assert_eq!(SlashCommand::from_form(&pairs), Err(PayloadError::Missing("user_id")));
        assert!(SlashCommand::from_json(json!({"team_id": "T1"})).is_err());
        let c = SlashCommand::from_json(json!({
            "team_id": "T1", "user_id": "U1", "channel_id": "C1", "text": "mine", "command": "/ai"
        }))
        .unwrap();
        assert_eq!(c.text, "mine");
    }

    #[test]
    fn a_button_click_carries_its_action_and_the_message_to_replace() {
        let payload = json!({
            "type": "block_actions",
            "team": {"id": "T1", "domain": "acme"},
            "user": {"id": "U1", "username": "aiko", "team_id": "T1"},
            "channel": {"id": "C9", "name": "general"},
            "container": {"type": "message", "message_ts": "111.222", "channel_id": "C9", "is_ephemeral": true},
            "trigger_id": "9.9.9",
            "response_url": "https://hooks.slack.com/actions/T1/2/y",
            "actions": [{"action_id": "a:N-1:driver:problem", "block_id": "b1", "type": "button", "action_ts": "1"}]
        });
        let r = Request::Interaction(Box::new(Interaction::from_json(payload).unwrap()));
        let i = r.inbound().unwrap().unwrap();
        assert_eq!(i.kind(), Kind::Action);
        assert_eq!(i.source, Source::Interaction);
        assert_eq!(i.inbound.event, InboundEvent::Action { id: "a:N-1:driver:problem".into(), values: vec![] });
        assert_eq!(i.origin.message, Some(MessageRef { channel: "C9".into(), ts: "111.222".into(), ephemeral: true }));
        assert_eq!(i.origin.response_url.as_deref(), Some("https://hooks.slack.com/actions/T1/2/y"));
    }

    #[test]
    fn a_submitted_modal_answers_where_it_was_opened() {
        let origin = Origin {
            channel: Some("C9".into()),
            direct: false,
            response_url: Some("https://hooks.slack.com/actions/T1/2/y".into()),
            message: Some(MessageRef { channel: "C9".into(), ts: "1.2".into(), ephemeral: true }),
        };
        let payload = json!({
            "type": "view_submission",
            "team": {"id": "T1", "domain": "acme"},
            "user": {"id": "U1", "name": "aiko"},
            "view": {
                "id": "V1", "callback_id": "ans:N-1:goal", "private_metadata": origin.to_metadata(),
                "state": {"values": {
                    "answer": {"value": {"type": "plain_text_input", "value": "Cut stockouts"}},
                    "description": {"value": {"type": "plain_text_input", "value": null}}
                }}
            }
        });
        let r = Request::Interaction(Box::new(Interaction::from_json(payload).unwrap()));
        let i = r.inbound().unwrap().unwrap();
        assert_eq!(i.kind(), Kind::Submission);
        assert_eq!(i.origin, origin);
        assert_eq!(i.inbound.place.channel, "C9");
        let InboundEvent::Form { id, values } = &i.inbound.event else { panic!("{:?}", i.inbound.event) };
        assert_eq!(id, "ans:N-1:goal");
        assert_eq!(values["answer"], "Cut stockouts");
        assert_eq!(values["description"], "", "an empty optional input");
    }

    #[test]
    fn closed_modals_and_unknown_interactions_need_no_reply() {
        for t in ["view_closed", "shortcut", "message_action"] {
            let i = Interaction::from_json(json!({"type": t, "user": {"id": "U1"}})).unwrap();
            assert_eq!(Request::Interaction(Box::new(i)).inbound(), Ok(None), "{t}");
        }
        assert!(Interaction::from_json(json!({"type": "block_actions"})).is_err());
        assert!(Interaction::from_form(&[("payload".into(), "{not json".into())]).is_err());
        assert_eq!(Interaction::from_form(&[]), Err(PayloadError::Missing("payload")));
    }

    #[test]
    fn a_mention_becomes_the_command_after_the_bots_name() {
        let body = json!({
            "type": "event_callback", "team_id": "T1", "event_id": "Ev1",
            "event": {"type": "app_mention", "user": "U1", "text": "<@UBOT> show N-3 &amp; more", "channel": "C9", "ts": "1.1"}
        });
        let e = EventBody::parse(body.to_string().as_bytes()).unwrap();
        let i = Request::Event(e).inbound().unwrap().unwrap();
        assert_eq!((i.source, i.kind()), (Source::Mention, Kind::Command));
        assert_eq!(i.inbound.event, InboundEvent::Command { text: "show N-3 & more".into() });
        let from_bot = json!({
            "type": "event_callback", "team_id": "T1", "event_id": "Ev2",
            "event": {"type": "app_mention", "bot_id": "B1", "user": "U2", "text": "<@UBOT> help", "channel": "C9"}
        });
        let e = EventBody::parse(from_bot.to_string().as_bytes()).unwrap();
        assert_eq!(Request::Event(e).inbound(), Ok(None), "bots are not answered");
    }

    #[test]
    fn metadata_keeps_what_fits_in_slacks_limit() {
        let long = Origin {
            channel: Some("C1".into()),
            direct: false,
            response_url: Some("x".repeat(2900)),
            message: Some(MessageRef { channel: "C1".into(), ts: "y".repeat(200), ephemeral: false }),
        };
        let m = long.to_metadata();
        assert!(m.len() <= METADATA_MAX);
        let back = Origin::from_metadata(&m);
        assert_eq!(back.message, None);
        assert_eq!(back.response_url, long.response_url);
        assert_eq!(Origin::from_metadata("garbage"), Origin::default());
    }

    #[test]
    fn user_ids_have_slacks_shape() {
        for ok in ["U0123ABC", "W12345", "U1"] {
            assert!(is_user_id(ok), "{ok}");
        }
        for bad in ["", "U", "u123", "C123", "U12|x", "U12>", "!channel", "U123 abc"] {
            assert!(!is_user_id(bad), "{bad}");
        }
    }
}
