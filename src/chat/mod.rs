//! The platform-neutral conversation: an [`Inbound`] event goes in, [`Outbound`] replies come out.
//! One engine serves every transport (console, Slack, Discord).
//!
//! Flow: [`Bot::handle`] loads the workspace, picks the language, parses the command, action or
//! form, and calls the handler in `handlers/`. Handlers return replies or an [`Error`]; the
//! dispatcher turns errors into replies (see [`crate::error`]).

mod action;
mod command;
mod handlers;
mod message;
pub mod render;

use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use action::{Action, FormKind};
pub use command::{COMMANDS, Command, CommandSpec, Param, ParamKind, ParseError};
pub use message::*;

use crate::clock::Clock;
use crate::domain::{Lang, Settings};
use crate::error::{Error, incident_id};
use crate::prompts::Prompts;
use crate::storage::{Store, Workspace};

/// The conversation engine with what it needs: the store, the texts, the clock, and the settings
/// a new workspace starts with.
pub struct Bot {
    pub store: Arc<dyn Store>,
    pub prompts: Arc<Prompts>,
    pub clock: Arc<dyn Clock>,
    pub defaults: Settings,
}

/// What a handler knows about the event it serves.
pub struct Ctx<'a> {
    pub bot: &'a Bot,
    pub inbound: &'a Inbound,
    pub workspace: Workspace,
    pub lang: Lang,
    pub now: DateTime<Utc>,
}

impl Ctx<'_> {
    pub fn actor(&self) -> &str {
        &self.inbound.actor.id
    }

    pub fn store(&self) -> &dyn Store {
        self.bot.store.as_ref()
    }

    pub fn prompts(&self) -> &Prompts {
        &self.bot.prompts
    }

    /// A message in the person's language.
    pub fn t(&self, key: &str) -> String {
        self.bot.prompts.get(self.lang, key).to_string()
    }

    /// A message with its placeholders filled.
    pub fn tf(&self, key: &str, args: &[(&str, String)]) -> String {
        self.bot.prompts.fill(self.lang, key, args)
    }

    /// A user error from a message.
    pub fn refuse(&self, key: &str, args: &[(&str, String)]) -> Error {
        Error::User(self.tf(key, args))
    }
}

impl Bot {
    /// Handles one event. Never fails: errors become replies.
    #[tracing::instrument(skip_all, fields(workspace = %inbound.workspace.id, actor = %inbound.actor.id))]
    pub async fn handle(&self, inbound: &Inbound) -> Vec<Outbound> {
        let lang_hint = inbound.actor.locale.unwrap_or(self.defaults.lang);
        match self.dispatch(inbound).await {
            Ok(replies) => replies,
            Err(Error::User(text)) => vec![Outbound::Message(Message::private(vec![Block::Text(
                message::text(text),
            )]))],
            Err(Error::Internal(e)) => {
                let id = incident_id();
                tracing::error!(incident = %id, error = ?e, "handler failed");
                let text = self
                    .prompts
                    .fill(lang_hint, "error.internal", &[("id", id)]);
                vec![Outbound::Message(Message::private(vec![Block::Text(
                    message::text(text),
                )]))]
            }
        }
    }

    async fn dispatch(&self, inbound: &Inbound) -> Result<Vec<Outbound>, Error> {
        let now = self.clock.now();
        let workspace = self
            .store
            .ensure_workspace(
                &inbound.workspace.id,
                &inbound.workspace.name,
                &self.defaults,
                now,
            )
            .await?;
        let lang = inbound.actor.locale.unwrap_or(workspace.settings.lang);
        let ctx = Ctx {
            bot: self,
            inbound,
            workspace,
            lang,
            now,
        };
        match &inbound.event {
            InboundEvent::Command { text } => match Command::parse(text) {
                Ok(command) => handlers::command(&ctx, command).await,
                Err(e) => Err(handlers::parse_error(&ctx, e)),
            },
            InboundEvent::Action { id, values } => match Action::parse(id) {
                Some(action) => handlers::action(&ctx, action, values).await,
                None => Err(ctx.refuse("error.stale", &[])),
            },
            InboundEvent::Form { id, values } => match FormKind::parse(id) {
                Some(form) => handlers::form(&ctx, form, values).await,
                None => Err(ctx.refuse("error.stale", &[])),
            },
        }
    }
}
