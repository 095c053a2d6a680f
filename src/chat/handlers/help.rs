//! `help` and `help <command>`.

use super::super::Ctx;
use super::super::message::{Block, Message, Outbound, Span, text};
use super::member_commands;
use crate::error::Error;

pub fn help(ctx: &Ctx, topic: Option<&str>) -> Result<Vec<Outbound>, Error> {
    let blocks = match topic {
        None => {
            let mut blocks = vec![
                Block::Heading(ctx.t("help.heading")),
                Block::Text(text(ctx.t("help.intro"))),
            ];
            blocks.push(Block::List(
                member_commands()
                    .map(|c| {
                        let key = c.key();
                        vec![
                            Span::Code(ctx.t(&format!("help.{key}.usage"))),
                            Span::plain(format!(" — {}", ctx.t(&format!("help.{key}.summary")))),
                        ]
                    })
                    .collect(),
            ));
            blocks.push(Block::Context(text(ctx.t("help.footer"))));
            blocks
        }
        Some(name) => {
            let Some(name) = member_commands().map(|c| c.key()).find(|k| k == name) else {
                return Err(ctx.refuse(
                    "help.unknown",
                    &[("topic", name.chars().take(40).collect())],
                ));
            };
            vec![
                Block::Text(vec![Span::Code(ctx.t(&format!("help.{name}.usage")))]),
                Block::Text(text(ctx.t(&format!("help.{name}.summary")))),
                Block::Text(text(ctx.t(&format!("help.{name}.details")))),
            ]
        }
    };
    Ok(vec![Outbound::Message(Message::private(blocks))])
}
