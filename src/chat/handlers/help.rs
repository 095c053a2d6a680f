//! `help`, `help <command>` and `help admin`. Admin commands are listed to admins only.

use super::super::Ctx;
use super::super::args::Topic;
use super::super::command::CommandSpec;
use super::super::message::{Block, Message, Outbound, Span, text};
use super::super::registry::COMMANDS;
use crate::domain::Role;
use crate::error::Error;

/// `help [command]`.
pub async fn help(ctx: &Ctx<'_>, command: Option<Topic>) -> Result<Vec<Outbound>, Error> {
    show(ctx, command.as_ref().map(|t| t.0.as_str()))
}

fn show(ctx: &Ctx, topic: Option<&str>) -> Result<Vec<Outbound>, Error> {
    let is_admin = ctx.roles.allow(Role::Admin);
    let blocks = match topic {
        None => {
            let mut blocks = vec![Block::Heading(ctx.t("help.heading")), Block::Text(text(ctx.t("help.intro")))];
            blocks.push(Block::List(COMMANDS.iter().filter(|c| !c.admin).map(|c| line(ctx, c)).collect()));
            if is_admin {
                blocks.push(Block::Context(text(ctx.t("help.admin_hint"))));
            }
            blocks.push(Block::Context(text(ctx.t("help.footer"))));
            blocks
        }
        Some("admin") if is_admin => {
            let mut blocks = vec![Block::Heading(ctx.t("help.admin_heading"))];
            blocks.push(Block::List(COMMANDS.iter().filter(|c| c.admin).map(|c| line(ctx, c)).collect()));
            blocks
        }
        Some(name) => {
            let spec = COMMANDS.iter().find(|c| c.name() == name && (!c.admin || is_admin));
            let Some(spec) = spec else {
                return Err(ctx.refuse("help.unknown", &[("topic", name.chars().take(40).collect())]));
            };
            let key = spec.key();
            vec![
                Block::Text(vec![Span::Code(ctx.syntax().command(&ctx.t(&format!("help.{key}.usage"))))]),
                Block::Text(text(ctx.t(&format!("help.{key}.summary")))),
                Block::Text(text(ctx.t(&format!("help.{key}.details")))),
            ]
        }
    };
    Ok(vec![Outbound::Message(Message::private(blocks))])
}

fn line(ctx: &Ctx, c: &CommandSpec) -> Vec<Span> {
    let key = c.key();
    vec![
        Span::Code(ctx.syntax().command(&ctx.t(&format!("help.{key}.usage")))),
        Span::plain(format!(" — {}", ctx.t(&format!("help.{key}.summary")))),
    ]
}
