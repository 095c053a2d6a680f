//! The text command grammar: what follows `/ai` in Slack or Discord, or what is typed in the
//! console. One word names the command; the rest is its argument, as a slash command delivers it
//! (`need Forecast weekly demand for store 12`).
//!
//! To add a command: add it to [`COMMANDS`] (name and argument), to [`Command`] and its
//! `parse`, give it `help.<name>.usage` and `help.<name>.summary` in prompts/messages.toml, and
//! a handler in `handlers/`.

use crate::domain::{ItemRef, item::BadItemRef};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Need { title: String },
    Seed { title: String },
    Mine,
    Show(ItemRef),
    Resume(ItemRef),
    Answers(ItemRef),
    Help { topic: Option<String> },
}

/// What a command takes after its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Takes {
    Nothing,
    /// Free text, possibly empty (a title).
    Text,
    /// One item id.
    Item,
    /// An optional word (a help topic).
    Word,
}

pub struct CommandSpec {
    pub name: &'static str,
    pub takes: Takes,
}

/// Every command, in the order `help` lists them.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "need",
        takes: Takes::Text,
    },
    CommandSpec {
        name: "seed",
        takes: Takes::Text,
    },
    CommandSpec {
        name: "mine",
        takes: Takes::Nothing,
    },
    CommandSpec {
        name: "show",
        takes: Takes::Item,
    },
    CommandSpec {
        name: "resume",
        takes: Takes::Item,
    },
    CommandSpec {
        name: "answers",
        takes: Takes::Item,
    },
    CommandSpec {
        name: "help",
        takes: Takes::Word,
    },
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Not a command; the closest one, if any is close.
    Unknown {
        given: String,
        suggestion: Option<&'static str>,
    },
    MissingItem {
        command: &'static str,
    },
    BadItem {
        command: &'static str,
        given: String,
    },
    Extra {
        command: &'static str,
        extra: String,
    },
}

impl Command {
    pub fn parse(text: &str) -> Result<Command, ParseError> {
        let text = text.trim();
        let (word, rest) = match text.split_once(char::is_whitespace) {
            Some((w, r)) => (w, r.trim()),
            None => (text, ""),
        };
        if word.is_empty() {
            return Ok(Command::Help { topic: None });
        }
        let name = word.to_lowercase();
        let Some(spec) = COMMANDS.iter().find(|c| c.name == name) else {
            return Err(ParseError::Unknown {
                given: word.chars().take(40).collect(),
                suggestion: suggest(&name),
            });
        };
        let command = spec.name;
        let extra = |extra: &str| ParseError::Extra {
            command,
            extra: extra.chars().take(40).collect(),
        };
        let item = || -> Result<ItemRef, ParseError> {
            let mut words = rest.split_whitespace();
            let Some(first) = words.next() else {
                return Err(ParseError::MissingItem { command });
            };
            let item = ItemRef::parse(first).map_err(|BadItemRef(given)| ParseError::BadItem {
                command,
                given: given.chars().take(40).collect(),
            })?;
            match words.next() {
                Some(more) => Err(extra(more)),
                None => Ok(item),
            }
        };
        Ok(match command {
            "need" => Command::Need {
                title: rest.to_string(),
            },
            "seed" => Command::Seed {
                title: rest.to_string(),
            },
            "mine" if rest.is_empty() => Command::Mine,
            "mine" => return Err(extra(rest)),
            "show" => Command::Show(item()?),
            "resume" => Command::Resume(item()?),
            "answers" => Command::Answers(item()?),
            _ => {
                let mut words = rest.split_whitespace();
                let topic = words.next().map(str::to_lowercase);
                if let Some(more) = words.next() {
                    return Err(extra(more));
                }
                Command::Help { topic }
            }
        })
    }
}

/// The command within two edits of what was typed, if there is one.
fn suggest(given: &str) -> Option<&'static str> {
    COMMANDS
        .iter()
        .map(|c| (distance(given, c.name), c.name))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name)
}

fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ItemKind;

    #[test]
    fn a_need_takes_the_rest_of_the_line_as_its_title() {
        assert_eq!(
            Command::parse("need Forecast weekly demand for store 12"),
            Ok(Command::Need {
                title: "Forecast weekly demand for store 12".into()
            })
        );
        assert_eq!(
            Command::parse("NEED"),
            Ok(Command::Need {
                title: String::new()
            })
        );
    }

    #[test]
    fn item_commands_take_exactly_one_id() {
        let n12 = ItemRef {
            kind: ItemKind::Need,
            number: 12,
        };
        assert_eq!(Command::parse("show N-12"), Ok(Command::Show(n12)));
        assert_eq!(Command::parse("resume n12"), Ok(Command::Resume(n12)));
        assert_eq!(
            Command::parse("show"),
            Err(ParseError::MissingItem { command: "show" })
        );
        assert_eq!(
            Command::parse("show X-1"),
            Err(ParseError::BadItem {
                command: "show",
                given: "X-1".into()
            })
        );
        assert_eq!(
            Command::parse("answers N-1 N-2"),
            Err(ParseError::Extra {
                command: "answers",
                extra: "N-2".into()
            })
        );
    }

    #[test]
    fn empty_text_asks_for_help_and_typos_get_a_suggestion() {
        assert_eq!(Command::parse("   "), Ok(Command::Help { topic: None }));
        assert_eq!(
            Command::parse("help Need"),
            Ok(Command::Help {
                topic: Some("need".into())
            })
        );
        assert_eq!(
            Command::parse("nede x"),
            Err(ParseError::Unknown {
                given: "nede".into(),
                suggestion: Some("need")
            })
        );
        assert_eq!(
            Command::parse("frobnicate"),
            Err(ParseError::Unknown {
                given: "frobnicate".into(),
                suggestion: None
            })
        );
        assert_eq!(
            Command::parse("mine please"),
            Err(ParseError::Extra {
                command: "mine",
                extra: "please".into()
            })
        );
    }

    #[test]
    fn command_names_are_unique_lowercase_words() {
        let mut names: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_lowercase()))
        );
        names.sort();
        names.dedup();
        assert_eq!(names.len(), COMMANDS.len());
    }
}
