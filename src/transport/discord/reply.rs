//! What becomes of the bot's replies to a Discord interaction: the first response and the
//! [`Step`]s after it, as data, so every route is tested without a network.
//!
//! Response types: a command's reply is a new message (type 4; ephemeral when private); a click
//! whose reply replaces its message updates it in place (type 7), as does a modal opened from a
//! message's button; a form is a modal (type 9) when Discord allows one (as the first answer to a
//! command or a click), and otherwise — after a modal, or with errors to show — a message with
//! the errors and a button that opens the form again. A click answered with its message's next
//! step and that step's form (a checklist choice whose next step is a form of numbers) gets the
//! modal at once: its submission updates the message, which saves the click on *Answer…*.
//! Several messages of one visibility go out as one while they fit. After a deferral ([`deferred`]) the first reply edits the original
//! response or follows it up.

use serenity::all::CreateInteractionResponse;

use super::render::{self, Out};
use crate::chat::{Attachment, Block, Message, Outbound, Visibility, text};
use crate::domain::Lang;
use crate::prompts::Prompts;
use crate::transport::incoming::Kind;

/// One step after the first response.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    FollowUp(Out),
    /// Replace the original response (or, after a deferred click, the clicked message).
    Edit(Out),
    DeleteOriginal,
    File(Attachment, bool),
}

/// The first response and what follows, for replies that came in time.
pub type Plan = crate::transport::deadline::Plan<CreateInteractionResponse, Step>;

/// Files too large for this interaction's reply (Discord's `attachment_size_limit`) become a
/// message saying how large the file is and how to get it from the server instead.
pub(super) fn fit_files(replies: Vec<Outbound>, limit: u32, prompts: &Prompts, lang: Lang) -> Vec<Outbound> {
    replies
        .into_iter()
        .map(|reply| match reply {
            Outbound::File(f) if f.bytes.len() as u64 > u64::from(limit) => {
                let mib = |n: u64| format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0));
                let said = prompts.fill(
                    lang,
                    "discord.file_too_large",
                    &[("size", mib(f.bytes.len() as u64)), ("limit", mib(u64::from(limit)))],
                );
                Outbound::Message(Message::private(vec![Block::Text(text(said))]))
            }
            other => other,
        })
        .collect()
}

/// The replies as Discord shows them: neighbouring messages merged, and no form after a message.
fn units(replies: Vec<Outbound>) -> Vec<Outbound> {
    let mut units = Vec::new();
    for reply in Outbound::merge_messages(replies, render::fits) {
        match reply {
            // A form offered after a message (the next step's form after a click): Discord opens
            // a modal only as the first answer, and the message's button opens this one.
            Outbound::Form(f) if f.errors.is_empty() && !units.is_empty() => {}
            other => units.push(other),
        }
    }
    units
}

/// The answer to replies that came in time, to an interaction of `kind`; `on_message` when it
/// came from a message (a click on it, a modal opened from its button), which it may update.
pub fn plan(kind: Kind, on_message: bool, mut replies: Vec<Outbound>, prompts: &Prompts, lang: Lang) -> Plan {
    if kind == Kind::Action && on_message {
        form_at_once(&mut replies);
    }
    let mut units = units(replies).into_iter();
    let mut steps = Vec::new();
    let response = match units.next() {
        None => CreateInteractionResponse::Acknowledge,
        Some(Outbound::Form(form)) if form.errors.is_empty() && kind != Kind::Submission => {
            CreateInteractionResponse::Modal(render::modal(&form))
        }
        Some(Outbound::Form(form)) => {
            let pages = render::message(&render::form_message(&form, prompts, lang));
            first_message(on_message, false, pages, &mut steps)
        }
        Some(Outbound::Message(m)) => first_message(on_message, m.replace, render::message(&m), &mut steps),
        Some(Outbound::File(file)) => {
            let note = Message::private(vec![Block::Text(text(file.comment.clone()))]);
            let pages = render::message(&note);
            steps.push(Step::File(file, true));
            first_message(on_message, false, pages, &mut steps)
        }
    };
    rest(units, prompts, lang, &mut steps);
    Plan { first: response, steps }
}

/// A click answered with the clicked message's next step and its form: the form alone, as the
/// modal (a modal must be the first response); the message is updated when the form comes back.
/// Dismissing the modal leaves the message as it was, and its button opens the form again.
fn form_at_once(replies: &mut Vec<Outbound>) {
    if let [Outbound::Message(m), Outbound::Form(f)] = replies.as_slice()
        && m.replace
        && f.errors.is_empty()
    {
        replies.remove(0);
    }
}

fn first_message(on_message: bool, replace: bool, pages: Vec<Out>, steps: &mut Vec<Step>) -> CreateInteractionResponse {
    let mut pages = pages.into_iter();
    let first = pages.next().unwrap_or_default();
    let update = replace && on_message;
    steps.splice(0..0, pages.map(Step::FollowUp));
    if update {
        CreateInteractionResponse::UpdateMessage(first.response())
    } else {
        CreateInteractionResponse::Message(first.response())
    }
}

fn rest(units: impl Iterator<Item = Outbound>, prompts: &Prompts, lang: Lang, steps: &mut Vec<Step>) {
    for unit in units {
        match unit {
            Outbound::Message(m) => steps.extend(render::message(&m).into_iter().map(Step::FollowUp)),
            Outbound::Form(f) => {
                steps.extend(render::message(&render::form_message(&f, prompts, lang)).into_iter().map(Step::FollowUp))
            }
            Outbound::File(f) => steps.push(Step::File(f, true)),
        }
    }
}

/// The steps that finish a deferred interaction: the first reply edits the original response
/// (the loading message, or after a click the clicked message when the reply replaces it), the
/// others follow up.
pub fn deferred(on_message: bool, replies: Vec<Outbound>, prompts: &Prompts, lang: Lang) -> Vec<Step> {
    let mut units = units(replies).into_iter();
    let mut steps = Vec::new();
    // after a click, or a modal opened from a message's button (`on_message`), the original is
    // that message
    let first = units.next().map(|u| match u {
        Outbound::Form(f) => (render::form_message(&f, prompts, lang), None),
        Outbound::Message(m) => (m, None),
        Outbound::File(f) => (Message::private(vec![Block::Text(text(f.comment.clone()))]), Some(f)),
    });
    if let Some((message, file)) = first {
        let public = message.visibility == Visibility::Public;
        let replace = message.replace;
        let mut pages = render::message(&message).into_iter();
        let page = pages.next().unwrap_or_default();
        match (on_message, replace, public) {
            (true, true, _) => steps.push(Step::Edit(page)),
            (true, false, _) => steps.push(Step::FollowUp(page)),
            // the deferred loading message is ephemeral: a public reply takes its place
            (false, _, true) => {
                steps.push(Step::FollowUp(page));
                steps.push(Step::DeleteOriginal);
            }
            (false, _, false) => steps.push(Step::Edit(page)),
        }
        steps.extend(pages.map(Step::FollowUp));
        if let Some(f) = file {
            steps.push(Step::File(f, true));
        }
    }
    rest(units, prompts, lang, &mut steps);
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Button, Control, Style};
    use crate::transport::fixtures::volume_form;

    fn json(r: &CreateInteractionResponse) -> serde_json::Value {
        serde_json::to_value(r).unwrap()
    }

    fn question(replace: bool) -> Outbound {
        let mut m = Message::private(vec![
            Block::Text(text("How is it done today?")),
            Block::Controls(vec![Control::Button(Button {
                action: "a:N-1:current:paper".into(),
                label: "On paper".into(),
                style: Style::Default,
                key: None,
                opens_form: false,
            })]),
        ]);
        m.replace = replace;
        Outbound::Message(m)
    }

    fn form(errors: Vec<(String, String)>) -> Outbound {
        Outbound::Form(volume_form(None, errors))
    }

    const COMMAND: (Kind, bool) = (Kind::Command, false);
    /// A click on a message's button.
    const CLICK: (Kind, bool) = (Kind::Action, true);
    /// A modal opened from a message's button, and one opened by a command.
    const MODAL_ON_MESSAGE: (Kind, bool) = (Kind::Submission, true);
    const MODAL: (Kind, bool) = (Kind::Submission, false);

    #[test]
    fn each_kind_of_interaction_gets_its_response_type() {
        let p = Prompts::embedded();
        let t = |(kind, on_message): (Kind, bool), replies: Vec<Outbound>| {
            json(&plan(kind, on_message, replies, &p, Lang::En).first)["type"].clone()
        };
        assert_eq!(t(COMMAND, vec![question(true)]), 4, "a command's reply is a new message");
        assert_eq!(t(CLICK, vec![question(true)]), 7, "a click updates its message");
        assert_eq!(t(CLICK, vec![question(false)]), 4);
        assert_eq!(t(MODAL_ON_MESSAGE, vec![question(true)]), 7);
        assert_eq!(t(MODAL, vec![question(true)]), 4);
        assert_eq!(t(COMMAND, vec![form(vec![])]), 9, "a form is a modal");
        assert_eq!(t(CLICK, vec![form(vec![])]), 9);
        assert_eq!(t(MODAL_ON_MESSAGE, vec![form(vec![])]), 4, "no modal after a modal");
        assert_eq!(t(MODAL_ON_MESSAGE, vec![form(vec![("answer".into(), "bad".into())])]), 4);
        assert_eq!(t(COMMAND, vec![]), 6);
        // a choice whose next step is a form: the form at once, the message when it comes back
        assert_eq!(t(CLICK, vec![question(true), form(vec![])]), 9);
        assert_eq!(t(COMMAND, vec![question(true), form(vec![])]), 4, "a new message is not given up for a form");
        assert_eq!(t(MODAL_ON_MESSAGE, vec![question(true), form(vec![])]), 7, "no modal after a modal");
        let v = json(&plan(Kind::Command, false, vec![question(false)], &p, Lang::En).first);
        assert_eq!(v["data"]["flags"], 64);
        assert_eq!(v["data"]["allowed_mentions"]["parse"], serde_json::json!([]));
    }

    #[test]
    fn several_replies_go_out_as_one_message_when_they_fit() {
        let p = Prompts::embedded();
        let saved = Outbound::Message(Message::private(vec![Block::Text(text("N-1 is saved"))]));
        let plan = plan(Kind::Submission, false, vec![saved, question(false)], &p, Lang::En);
        assert!(plan.steps.is_empty());
        let v = json(&plan.first);
        assert!(v["data"]["content"].as_str().unwrap().contains("N-1 is saved\nHow is it done"));
        assert_eq!(v["data"]["components"][0]["components"][0]["custom_id"], "a:N-1:current:paper");
        let public = Outbound::Message(Message {
            visibility: Visibility::Public,
            replace: false,
            blocks: vec![Block::Text(text("hello all"))],
        });
        let plan = super::plan(Kind::Command, false, vec![question(false), public], &p, Lang::En);
        assert!(matches!(&plan.steps[..], [Step::FollowUp(o)] if !o.ephemeral && o.content == "hello all"));
    }

    #[test]
    fn a_deferred_reply_edits_the_original_or_follows_up() {
        let p = Prompts::embedded();
        let steps = deferred(true, vec![question(true)], &p, Lang::En);
        assert!(matches!(&steps[..], [Step::Edit(_)]), "a click's replacement edits the clicked message");
        let steps = deferred(true, vec![question(false)], &p, Lang::En);
        assert!(matches!(&steps[..], [Step::FollowUp(_)]));
        let steps = deferred(true, vec![question(true)], &p, Lang::En);
        assert!(matches!(&steps[..], [Step::Edit(_)]), "a modal's answer replaces the question it came from");
        let steps = deferred(false, vec![question(false)], &p, Lang::En);
        assert!(matches!(&steps[..], [Step::Edit(_)]), "the loading message becomes the reply");
        let steps = deferred(false, vec![form(vec![])], &p, Lang::En);
        match &steps[..] {
            [Step::Edit(out)] => assert!(out.content.contains("Your form is ready")),
            other => panic!("{other:?}"),
        }
        let public = Outbound::Message(Message {
            visibility: Visibility::Public,
            replace: false,
            blocks: vec![Block::Text(text("hi"))],
        });
        let steps = deferred(false, vec![public], &p, Lang::En);
        assert!(matches!(&steps[..], [Step::FollowUp(o), Step::DeleteOriginal] if !o.ephemeral));
    }

    #[test]
    fn a_file_is_sent_as_a_follow_up_after_its_note() {
        let p = Prompts::embedded();
        let file = Outbound::File(Attachment {
            name: "needs.csv".into(),
            content_type: "text/csv".into(),
            bytes: b"id\nN-1\n".to_vec(),
            comment: "Your export".into(),
        });
        let plan = plan(Kind::Command, false, vec![file], &p, Lang::En);
        assert_eq!(json(&plan.first)["data"]["content"], "Your export");
        assert!(matches!(&plan.steps[..], [Step::File(f, true)] if f.name == "needs.csv"));
    }
}
