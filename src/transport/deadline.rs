//! Answering within a platform's deadline, written once for every transport.
//!
//! Slack and Discord both want an answer to a request within 3 seconds. [`drive`] runs the bot
//! on the request and waits until the transport's deadline (about 2 s, counted from arrival):
//! - replies in time: the platform's [`Reply::in_time`] turns them into the first answer (a
//!   Slack acknowledgement, a Discord interaction response) and the steps after it;
//! - not done by then: [`Reply::deferred`] is the first answer (an empty acknowledgement, a
//!   deferral), and [`Reply::late`] sends the replies when they come.
//!
//! A handler that panicked ([`Bot::handle`] itself never fails) becomes a [`Crash`]: the error
//! is logged under an incident id and the person gets the apology that names it.
//!
//! To answer on one more platform: implement [`Reply`] (what to do with replies in time, what to
//! say at the deadline, what to do with late replies) and call [`drive`].

use std::future::Future;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use tokio::task::{JoinError, JoinHandle};
use tokio::time::Instant;

use crate::chat::{Block, Bot, Inbound, Message, Outbound, text};
use crate::domain::Lang;

/// The first answer a platform gets, and the work that follows it (to run once the answer is
/// sent).
pub struct Answer<F> {
    pub first: F,
    pub after: Option<BoxFuture<'static, ()>>,
}

impl<F> Answer<F> {
    /// An answer with nothing after it.
    pub fn now(first: F) -> Answer<F> {
        Answer { first, after: None }
    }

    /// An answer with work after it.
    pub fn then(first: F, after: impl Future<Output = ()> + Send + 'static) -> Answer<F> {
        Answer { first, after: Some(Box::pin(after)) }
    }
}

/// The first answer and the steps that follow it, decided from the replies: pure data, so every
/// route is tested without a network.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan<F, S> {
    pub first: F,
    pub steps: Vec<S>,
}

/// When the replies came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// Before the first answer went out.
    InTime,
    /// After the deferred first answer.
    Late,
}

/// The handler panicked: the apology, its error already logged under the id it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crash {
    pub apology: String,
}

impl Crash {
    /// The apology as the bot's own private reply.
    pub fn into_replies(self) -> Vec<Outbound> {
        vec![Outbound::Message(Message::private(vec![Block::Text(text(self.apology))]))]
    }
}

/// The bot's replies, or the apology when its handler panicked.
pub type Replies = Result<Vec<Outbound>, Crash>;

/// How one platform answers one request.
pub trait Reply: Send + 'static {
    /// What the platform gets first: an acknowledgement, an interaction response.
    type First: Send;
    /// The replies came before the deadline.
    fn in_time(self, replies: Replies) -> Answer<Self::First>;
    /// The deadline passed first: what the platform gets now.
    fn deferred(&self) -> Self::First;
    /// The replies, once they come after [`Reply::deferred`] went out.
    fn late(self, replies: Replies) -> BoxFuture<'static, ()>;
}

/// Runs the bot on `inbound` (tracked in [`Bot::work`], so a graceful stop waits for it) and
/// answers through `reply`: with the replies if they come by `deadline`, else deferred and late.
/// `lang` is the language of the apology, should the handler panic.
pub async fn drive<R: Reply>(
    bot: &Arc<Bot>,
    inbound: Inbound,
    lang: Lang,
    deadline: Instant,
    reply: R,
) -> Answer<R::First> {
    let handler = bot.clone();
    let work = bot.work.spawn(async move { handler.handle(&inbound).await });
    let prompts = bot.prompts.clone();
    let crash = move |e: JoinError| Crash { apology: crate::error::apology(&prompts, lang, &e) };
    answer(work, deadline, reply, crash).await
}

/// The deadline over running `work`: `crash` turns a panic into the apology.
async fn answer<R: Reply>(
    mut work: JoinHandle<Vec<Outbound>>,
    deadline: Instant,
    reply: R,
    crash: impl FnOnce(JoinError) -> Crash + Send + 'static,
) -> Answer<R::First> {
    match tokio::time::timeout_at(deadline, &mut work).await {
        Ok(done) => reply.in_time(done.map_err(crash)),
        Err(_) => {
            let first = reply.deferred();
            Answer::then(first, async move {
                let done = work.await;
                reply.late(done.map_err(crash)).await;
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::Duration;

    /// Says which way it was asked to answer, and with what.
    #[derive(Clone, Default)]
    struct Probe(Arc<Mutex<Vec<String>>>);

    impl Probe {
        fn said(&self, what: String) {
            self.0.lock().unwrap().push(what);
        }

        fn log(&self) -> Vec<String> {
            self.0.lock().unwrap().clone()
        }
    }

    fn describe(replies: &Replies) -> String {
        match replies {
            Ok(r) => format!("{} replies", r.len()),
            Err(crash) => crash.apology.clone(),
        }
    }

    impl Reply for Probe {
        type First = &'static str;

        fn in_time(self, replies: Replies) -> Answer<&'static str> {
            self.said(format!("in time: {}", describe(&replies)));
            Answer::now("answer")
        }

        fn deferred(&self) -> &'static str {
            self.said("deferred".into());
            "ack"
        }

        fn late(self, replies: Replies) -> BoxFuture<'static, ()> {
            Box::pin(async move { self.said(format!("late: {}", describe(&replies))) })
        }
    }

    /// The deadline of these tests, and a handler slower than it.
    const DEADLINE: Duration = Duration::from_millis(100);
    const SLOW: Duration = Duration::from_millis(400);

    fn reply() -> Vec<Outbound> {
        Crash { apology: "hello".into() }.into_replies()
    }

    fn sorry(_: JoinError) -> Crash {
        Crash { apology: "sorry".into() }
    }

    #[tokio::test]
    async fn replies_in_time_are_the_answer() {
        let probe = Probe::default();
        let work = tokio::spawn(async { reply() });
        let answer = answer(work, Instant::now() + DEADLINE, probe.clone(), sorry).await;
        assert_eq!(answer.first, "answer");
        assert!(answer.after.is_none());
        assert_eq!(probe.log(), ["in time: 1 replies"]);
    }

    #[tokio::test]
    async fn slow_replies_are_deferred_and_follow_late() {
        let probe = Probe::default();
        let work = tokio::spawn(async {
            tokio::time::sleep(SLOW).await;
            reply()
        });
        let answer = answer(work, Instant::now() + DEADLINE, probe.clone(), sorry).await;
        assert_eq!(answer.first, "ack");
        assert_eq!(probe.log(), ["deferred"], "nothing is sent before the acknowledgement");
        answer.after.expect("the replies follow").await;
        assert_eq!(probe.log(), ["deferred", "late: 1 replies"]);
    }

    #[tokio::test]
    async fn a_panicking_handler_becomes_the_apology_in_time_or_late() {
        let probe = Probe::default();
        let work = tokio::spawn(async { panic!("the handler broke") });
        let answer = answer(work, Instant::now() + DEADLINE, probe.clone(), sorry).await;
        assert_eq!(answer.first, "answer");
        let late = Probe::default();
        let work = tokio::spawn(async {
            tokio::time::sleep(SLOW).await;
            panic!("the handler broke late")
        });
        let answer = super::answer(work, Instant::now() + DEADLINE, late.clone(), sorry).await;
        answer.after.expect("the apology follows").await;
        assert_eq!(probe.log(), ["in time: sorry"]);
        assert_eq!(late.log(), ["deferred", "late: sorry"]);
    }

    #[test]
    fn the_apology_is_a_private_message() {
        let replies = Crash { apology: "Sorry (abc123)".into() }.into_replies();
        let [Outbound::Message(m)] = &replies[..] else { panic!("{replies:?}") };
        assert_eq!(m.visibility, crate::chat::Visibility::Private);
        assert_eq!(m.blocks, vec![Block::Text(text("Sorry (abc123)"))]);
    }
}
