//! The platform-neutral conversation: an [`Inbound`] event goes in, [`Outbound`] replies come out.
//! One engine serves every transport (console, Slack, Discord).
//!
//! Flow: [`Bot::handle`] loads the workspace, picks the language, parses the command (declared
//! in `registry.rs`), action or form, and calls the handler in `handlers/`. Handlers return replies or an [`Error`]; the
//! dispatcher turns errors into replies (see [`crate::error`]).

mod action;
pub mod args;
pub mod chart;
mod command;
pub mod digest;
mod handlers;
mod message;
mod registry;
pub mod render;
mod syntax;

use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use action::{Action, FormKind};
pub use args::SETTINGS;
pub use command::{CommandSpec, Limit, MAX_EFFORT_DAYS, Param, ParamKind, ParseError};
pub use handlers::parse_error_text;
pub use message::*;
pub use registry::{COMMANDS, Command};
pub use syntax::Syntax;

use crate::clock::Clock;
use crate::domain::{Lang, Role, Roles, Settings};
use crate::error::Error;
use crate::prompts::Prompts;
use crate::storage::{NewNotice, Store, Workspace};

/// The conversation engine with what it needs: the store, the texts, the clock, the settings
/// a new workspace starts with, and the admins named in the configuration.
pub struct Bot {
    pub store: Arc<dyn Store>,
    pub prompts: Arc<Prompts>,
    pub clock: Arc<dyn Clock>,
    pub defaults: Settings,
    /// Platform user ids that are admins everywhere: `slack:U0123`, `discord:8123…`.
    pub admins: Vec<String>,
    /// What the operator sees at `GET /metrics`.
    pub metrics: Arc<crate::ops::metrics::Metrics>,
    /// Work that outlives the request that started it (replies sent after the acknowledgement):
    /// a graceful shutdown waits for it.
    pub work: tokio_util::task::TaskTracker,
}

impl Bot {
    pub fn new(store: Arc<dyn Store>, prompts: Arc<Prompts>, clock: Arc<dyn Clock>, defaults: Settings) -> Bot {
        Bot { store, prompts, clock, defaults, admins: Vec::new(), metrics: Arc::default(), work: Default::default() }
    }
}

/// What a handler knows about the event it serves.
pub struct Ctx<'a> {
    pub bot: &'a Bot,
    pub inbound: &'a Inbound,
    pub workspace: Workspace,
    /// The actor's roles here (member is implicit).
    pub roles: Roles,
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

    /// How commands are typed where the actor is.
    pub fn syntax(&self) -> Syntax {
        Syntax::of_workspace(&self.inbound.workspace.id)
    }

    /// A message in the person's language, the commands it names as typed on their platform.
    pub fn t(&self, key: &str) -> String {
        self.syntax().render(self.bot.prompts.marked(self.lang, key))
    }

    /// A message with its placeholders filled (commands as in [`Ctx::t`]).
    pub fn tf(&self, key: &str, args: &[(&str, String)]) -> String {
        crate::domain::text::fill(&self.t(key), args)
    }

    /// A user error from a message.
    pub fn refuse(&self, key: &str, args: &[(&str, String)]) -> Error {
        Error::User(self.tf(key, args))
    }

    /// Passes if the actor holds `role` (admins hold every role), or says which role is needed.
    pub fn require(&self, role: Role) -> Result<(), Error> {
        if self.roles.allow(role) {
            Ok(())
        } else {
            Err(self.refuse("error.role", &[("role", self.t(&format!("role.{}", role.as_str())))]))
        }
    }

    /// A message for someone other than the actor (a direct message, a channel post), in the
    /// workspace's language, to store with the change it reports.
    pub fn notice(&self, to: Recipient, blocks: Vec<Block>) -> NewNotice {
        let message = Message { visibility: Visibility::Public, replace: false, blocks };
        message::notice(&self.workspace.id, to, &Payload::Message { message }, self.now)
    }

    /// The workspace's language, for notices that others read.
    pub fn workspace_lang(&self) -> Lang {
        self.workspace.settings.lang
    }
}

impl Bot {
    /// Handles one event. Never fails: errors become replies.
    #[tracing::instrument(skip_all, fields(workspace = %inbound.workspace.id, actor = %inbound.actor.id))]
    pub async fn handle(&self, inbound: &Inbound) -> Vec<Outbound> {
        let lang_hint = inbound.actor.locale.unwrap_or(self.defaults.lang);
        match self.dispatch(inbound).await {
            Ok(replies) => replies,
            Err(Error::User(text)) => vec![Outbound::Message(Message::private(vec![Block::Text(message::text(text))]))],
            Err(Error::Internal(e)) => {
                let text = crate::error::apology(&self.prompts, lang_hint, &format!("{e:?}"));
                vec![Outbound::Message(Message::private(vec![Block::Text(message::text(text))]))]
            }
        }
    }

    /// The actor's roles: granted ones, plus admin when the configuration names them or the
    /// platform says they administer the workspace.
    async fn roles(&self, workspace: &str, actor: &Actor) -> Result<Roles, Error> {
        let mut roles = Roles::new(self.store.roles_of(workspace, &actor.id).await?);
        // the configuration names admins as `<platform>:<user id>`, the platform as the
        // workspace id's first word
        let platform = workspace.split(':').next().unwrap_or("");
        let key = format!("{platform}:{}", actor.id);
        if actor.workspace_admin || self.admins.contains(&key) {
            roles.insert(Role::Admin);
        }
        Ok(roles)
    }

    async fn dispatch(&self, inbound: &Inbound) -> Result<Vec<Outbound>, Error> {
        let now = self.clock.now();
        let workspace =
            self.store.ensure_workspace(&inbound.workspace.id, &inbound.workspace.name, &self.defaults, now).await?;
        let lang = inbound.actor.locale.unwrap_or(workspace.settings.lang);
        let roles = self.roles(&workspace.id, &inbound.actor).await?;
        let ctx = Ctx { bot: self, inbound, workspace, roles, lang, now };
        match &inbound.event {
            InboundEvent::Command { text } => match Command::parse(text) {
                Ok(command) => command.run(&ctx).await,
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
