//! The console transport: the whole bot in a terminal. Choices are numbered, navigation buttons
//! are words (`/back`, `/later`), forms are asked field by field, and a question that needs
//! typing opens its form at once. Works the same with piped input, so a whole conversation can be
//! scripted with printf.

use std::collections::BTreeMap;
use std::io::Write;

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use crate::chat::{
    Actor, Attachment, Block, Bot, Control, Form, Inbound, InboundEvent, Message, Outbound, Place, Span, WorkspaceRef,
};
use crate::domain::{Lang, Recipient};
use crate::outbox::{self, Deliver, Deliverers, DeliveryError, Payload};

pub const WORKSPACE_ID: &str = "console:local";

/// The console's "channel": triage cards and digests of the console workspace are shown here.
pub const CHANNEL: &str = "console";

/// Messages and files delivered to the console, to show after the reply that caused them.
#[derive(Default)]
struct Inbox(Mutex<Vec<(Recipient, Payload)>>);

#[async_trait::async_trait]
impl Deliver for Inbox {
    async fn deliver(&self, _workspace: &str, to: &Recipient, message: &Message) -> Result<(), DeliveryError> {
        let payload = Payload::Message { message: message.clone() };
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push((to.clone(), payload));
        Ok(())
    }

    async fn deliver_file(&self, _workspace: &str, to: &Recipient, file: &Attachment) -> Result<(), DeliveryError> {
        let payload = Payload::File { file: file.clone() };
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push((to.clone(), payload));
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub user: String,
    pub lang: Option<Lang>,
    /// ANSI bold and dim (only on a terminal, and not when NO_COLOR is set).
    pub color: bool,
    /// Write each input line after its prompt (for piped input, so the transcript reads whole).
    pub echo: bool,
}

/// What the last message offered: numbered picks and navigation words.
#[derive(Default)]
struct Offer {
    picks: Vec<Pick>,
    keys: Vec<(String, String)>,
    multi: bool,
    opens_form: Option<String>,
    /// A person picker: `@name` answers it.
    people: Option<String>,
}

enum Pick {
    Button(String),
    Option { select: String, value: String },
}

enum Line {
    Eof,
    Text(String),
}

pub struct Console<'b, R, W> {
    bot: &'b Bot,
    input: R,
    out: W,
    opts: Options,
    offer: Offer,
}

impl<'b, R: AsyncBufRead + Unpin, W: Write> Console<'b, R, W> {
    pub fn new(bot: &'b Bot, input: R, out: W, opts: Options) -> Self {
        Console { bot, input, out, opts, offer: Offer::default() }
    }

    fn lang(&self) -> Lang {
        self.opts.lang.unwrap_or(self.bot.defaults.lang)
    }

    fn t(&self, key: &str) -> String {
        self.bot.prompts.get(self.lang(), key).to_string()
    }

    /// Runs until `quit` or the end of input.
    pub async fn run(mut self) -> std::io::Result<()> {
        let welcome = self.bot.prompts.fill(
            self.lang(),
            "console.welcome",
            &[("user", self.opts.user.clone()), ("workspace", "local".into())],
        );
        writeln!(self.out, "{welcome}")?;
        loop {
            let prompt = format!("\n{}› ", self.opts.user);
            let Line::Text(line) = self.read(&prompt).await? else {
                break;
            };
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if matches!(line, "quit" | "exit" | "/quit" | "/exit") {
                break;
            }
            let event = self.interpret(line);
            if let Some(event) = event {
                self.send(event).await?;
            }
        }
        let bye = self.t("console.bye");
        writeln!(self.out, "\n{bye}")?;
        self.out.flush()
    }

    /// A line typed at the main prompt: a pick from the last message, a navigation word, or a
    /// command.
    fn interpret(&mut self, line: &str) -> Option<InboundEvent> {
        if let Some(word) = line.strip_prefix('/')
            && let Some((_, action)) = self.offer.keys.iter().find(|(k, _)| *k == word)
        {
            return Some(InboundEvent::Action { id: action.clone(), values: Vec::new() });
        }
        if let Some(name) = line.strip_prefix('@')
            && let Some(action) = &self.offer.people
        {
            let name = name.trim().to_string();
            return Some(InboundEvent::Action { id: action.clone(), values: vec![name] });
        }
        let looks_numeric = !line.is_empty() && line.chars().all(|c| c.is_ascii_digit() || c == ',' || c == ' ');
        if looks_numeric && !self.offer.picks.is_empty() {
            return self.pick(line);
        }
        let text = line.strip_prefix("/ai ").or_else(|| line.strip_prefix('/')).unwrap_or(line);
        Some(InboundEvent::Command { text: text.to_string() })
    }

    fn pick(&mut self, line: &str) -> Option<InboundEvent> {
        let numbers: Vec<&str> = line.split([',', ' ']).filter(|s| !s.is_empty()).collect();
        let mut picked = Vec::new();
        for n in &numbers {
            match n.parse::<usize>().ok().and_then(|i| i.checked_sub(1)).and_then(|i| self.offer.picks.get(i)) {
                Some(p) => picked.push(p),
                None => {
                    let msg = self.bot.prompts.fill(self.lang(), "console.bad_choice", &[("given", n.to_string())]);
                    let _ = writeln!(self.out, "{msg} {}", self.t("console.choose"));
                    return None;
                }
            }
        }
        match picked.as_slice() {
            [Pick::Button(action)] => Some(InboundEvent::Action { id: action.clone(), values: Vec::new() }),
            [Pick::Option { select, .. }, ..] => {
                let mut values = Vec::new();
                for p in &picked {
                    match p {
                        Pick::Option { select: s, value } if s == select => values.push(value.clone()),
                        _ => {
                            let _ = writeln!(self.out, "{}", self.t("console.choose"));
                            return None;
                        }
                    }
                }
                if values.len() > 1 && !self.offer.multi {
                    let _ = writeln!(self.out, "{}", self.t("console.choose"));
                    return None;
                }
                Some(InboundEvent::Action { id: select.clone(), values })
            }
            _ => {
                let _ = writeln!(self.out, "{}", self.t("console.choose"));
                None
            }
        }
    }

    /// Sends an event and shows the replies; forms are filled in on the spot.
    async fn send(&mut self, first: InboundEvent) -> std::io::Result<()> {
        // what an earlier reply offered is no longer on the table
        self.offer = Offer::default();
        let mut next = Some(first);
        while let Some(event) = next.take() {
            let replies = self.bot.handle(&self.inbound(event)).await;
            for reply in replies {
                match reply {
                    Outbound::Message(m) => {
                        self.show(&m)?;
                        if let Some(action) = self.offer.opens_form.take() {
                            next = Some(InboundEvent::Action { id: action, values: Vec::new() });
                        }
                    }
                    Outbound::Form(form) => {
                        next = self.fill(&form).await?;
                    }
                    Outbound::File(file) => self.save(&file)?,
                }
            }
            self.deliver().await?;
        }
        Ok(())
    }

    /// Shows the messages the bot sends to others (direct messages, channel posts) as they are
    /// delivered: in the console, everyone shares the terminal.
    async fn deliver(&mut self) -> std::io::Result<()> {
        let inbox = Arc::new(Inbox::default());
        let mut deliverers = Deliverers::default();
        deliverers.register("console:", inbox.clone());
        if let Err(e) = outbox::run_once(self.bot.store.as_ref(), &deliverers, self.bot.clock.now()).await {
            tracing::error!(error = ?e, "could not deliver the console's messages");
        }
        let delivered = std::mem::take(&mut *inbox.0.lock().unwrap_or_else(|p| p.into_inner()));
        for (to, payload) in delivered {
            let header = match &to {
                Recipient::User(u) => self.bot.prompts.fill(self.lang(), "console.dm", &[("user", u.to_string())]),
                Recipient::Channel(c) => {
                    self.bot.prompts.fill(self.lang(), "console.channel", &[("channel", c.clone())])
                }
            };
            writeln!(self.out, "\n{}", self.dim(&header))?;
            match (to, payload) {
                (_, Payload::File { file }) => self.save(&file)?,
                // a channel card's buttons work here too: the console's user acts for the channel
                (Recipient::Channel(_), Payload::Message { message }) => self.show(&message)?,
                (Recipient::User(_), Payload::Message { message }) => {
                    write!(self.out, "{}", render_blocks(&message.blocks, self.opts.color))?
                }
            }
        }
        Ok(())
    }

    /// Asks for each field of a form. Returns the submission, a navigation choice, or nothing
    /// (cancelled, or the input ended).
    async fn fill(&mut self, form: &Form) -> std::io::Result<Option<InboundEvent>> {
        let compact = form.fields.len() == 1 && form.id.starts_with("ans:");
        if !compact {
            writeln!(self.out, "\n{}", self.bold(&format!("— {} —", form.title)))?;
            let hint = self.t("console.form_hint");
            writeln!(self.out, "{}", self.dim(&hint))?;
        }
        for (field, error) in &form.errors {
            let label = form.fields.iter().find(|f| &f.id == field).map(|f| f.label.as_str()).unwrap_or(field);
            if compact {
                writeln!(self.out, "⚠ {error}")?;
            } else {
                writeln!(self.out, "⚠ {label}: {error}")?;
            }
        }
        let mut values = BTreeMap::new();
        for field in &form.fields {
            loop {
                let mut prompt = if compact { "  ✎".to_string() } else { format!("  {}", field.label) };
                if !compact && let Some(hint) = &field.hint {
                    prompt.push_str(&format!(" {}", self.dim(&format!("({hint})"))));
                }
                if let Some(initial) = &field.initial {
                    prompt.push_str(&format!(" [{initial}]"));
                }
                prompt.push_str(" › ");
                let Line::Text(line) = self.read(&prompt).await? else {
                    return Ok(None);
                };
                let typed = line.trim_end_matches(['\n', '\r']);
                if typed.trim() == "/cancel" {
                    writeln!(self.out, "{}", self.t("console.cancelled"))?;
                    return Ok(None);
                }
                if let Some(word) = typed.trim().strip_prefix('/')
                    && let Some((_, action)) = self.offer.keys.iter().find(|(k, _)| *k == word)
                {
                    return Ok(Some(InboundEvent::Action { id: action.clone(), values: Vec::new() }));
                }
                let value =
                    if typed.trim().is_empty() { field.initial.clone().unwrap_or_default() } else { typed.to_string() };
                if field.required && value.trim().is_empty() {
                    writeln!(self.out, "{}", self.t("console.required"))?;
                    continue;
                }
                values.insert(field.id.clone(), value);
                break;
            }
        }
        Ok(Some(InboundEvent::Form { id: form.id.clone(), values }))
    }

    fn inbound(&self, event: InboundEvent) -> Inbound {
        Inbound {
            workspace: WorkspaceRef { id: WORKSPACE_ID.into(), name: "Console".into() },
            actor: Actor {
                id: self.opts.user.as_str().into(),
                name: self.opts.user.clone(),
                locale: self.opts.lang,
                // the person at the terminal owns the database: they administer the console workspace
                workspace_admin: true,
            },
            place: Place { channel: "console".into(), direct: true },
            event,
        }
    }

    async fn read(&mut self, prompt: &str) -> std::io::Result<Line> {
        write!(self.out, "{prompt}")?;
        self.out.flush()?;
        let mut buf = String::new();
        if self.input.read_line(&mut buf).await? == 0 {
            writeln!(self.out)?;
            return Ok(Line::Eof);
        }
        if self.opts.echo {
            write!(self.out, "{buf}")?;
            if !buf.ends_with('\n') {
                writeln!(self.out)?;
            }
        }
        Ok(Line::Text(buf.trim_end_matches(['\n', '\r']).to_string()))
    }

    /// Writes an attachment into the current directory, never over an existing file.
    fn save(&mut self, file: &Attachment) -> std::io::Result<()> {
        let mut path = std::path::PathBuf::from(&file.name);
        let mut n = 1;
        while path.exists() {
            let stem = std::path::Path::new(&file.name).file_stem().and_then(|s| s.to_str()).unwrap_or("file");
            let ext = std::path::Path::new(&file.name).extension().and_then(|s| s.to_str()).unwrap_or("");
            path = format!("{stem}-{n}.{ext}").into();
            n += 1;
        }
        std::fs::write(&path, &file.bytes)?;
        writeln!(self.out, "\n{} → {}", file.comment, path.display())
    }

    /// Prints a message and remembers what it offers.
    fn show(&mut self, m: &Message) -> std::io::Result<()> {
        writeln!(self.out)?;
        for block in &m.blocks {
            match block {
                Block::Controls(controls) => self.controls(controls)?,
                other => write!(self.out, "{}", render_block(other, self.opts.color))?,
            }
        }
        Ok(())
    }

    fn controls(&mut self, controls: &[Control]) -> std::io::Result<()> {
        let mut keys = Vec::new();
        // a message whose only way forward is a form (a text or number question) opens it at once
        let numbered: Vec<&crate::chat::Button> = controls
            .iter()
            .filter_map(|c| match c {
                Control::Button(b) if b.key.is_none() => Some(b),
                _ => None,
            })
            .collect();
        let only_way = controls.iter().all(|c| matches!(c, Control::Button(_)));
        if only_way
            && let [b] = numbered.as_slice()
            && b.opens_form
        {
            self.offer.opens_form = Some(b.action.clone());
        }
        for control in controls {
            match control {
                Control::Button(b) if self.offer.opens_form.as_deref() == Some(b.action.as_str()) => {}
                Control::Button(b) => match &b.key {
                    Some(key) => {
                        keys.push(format!("/{key} ({})", b.label));
                        self.offer.keys.push((key.clone(), b.action.clone()));
                    }
                    None => {
                        self.offer.picks.push(Pick::Button(b.action.clone()));
                        writeln!(self.out, "  {}) {}", self.offer.picks.len(), b.label)?;
                    }
                },
                Control::UserPicker(p) => {
                    self.offer.people = Some(p.action.clone());
                    writeln!(self.out, "  @name — {}", p.placeholder)?;
                }
                Control::Select(s) => {
                    if !s.placeholder.is_empty() {
                        writeln!(self.out, "  {}", self.dim(&s.placeholder))?;
                    }
                    for o in &s.options {
                        self.offer.picks.push(Pick::Option { select: s.action.clone(), value: o.value.clone() });
                        let mark = if s.initial.contains(&o.value) { " ✓" } else { "" };
                        writeln!(self.out, "  {}) {}{mark}", self.offer.picks.len(), o.label)?;
                    }
                    if s.multi {
                        self.offer.multi = true;
                        let hint = self.t("console.choose_many");
                        writeln!(self.out, "  {}", self.dim(&hint))?;
                    }
                }
            }
        }
        if !keys.is_empty() {
            let line = self.bot.prompts.fill(self.lang(), "console.keys", &[("keys", keys.join(", "))]);
            writeln!(self.out, "  {}", self.dim(&line))?;
        }
        Ok(())
    }

    fn bold(&self, s: &str) -> String {
        bold(s, self.opts.color)
    }

    fn dim(&self, s: &str) -> String {
        dim(s, self.opts.color)
    }
}

/// Blocks as terminal text (controls left out: only a conversation can use them).
pub fn render_blocks(blocks: &[Block], color: bool) -> String {
    blocks.iter().map(|b| render_block(b, color)).collect()
}

fn render_block(block: &Block, color: bool) -> String {
    let spans = |spans: &[Span]| -> String {
        spans
            .iter()
            .map(|s| match s {
                Span::Plain(t) | Span::Code(t) => t.clone(),
                Span::Bold(t) => bold(t, color),
                Span::User(id) => format!("@{id}"),
                Span::Channel(id) => format!("#{id}"),
            })
            .collect()
    };
    match block {
        Block::Heading(h) => format!("{}\n", bold(h, color)),
        Block::Text(s) => format!("{}\n", spans(s)),
        Block::Context(s) => format!("{}\n", dim(&spans(s), color)),
        Block::Fields(fields) => fields.iter().map(|(label, value)| format!("  {label}: {}\n", spans(value))).collect(),
        Block::List(items) => items.iter().map(|item| format!("  • {}\n", spans(item))).collect(),
        Block::Divider => "  ─────\n".to_string(),
        Block::Controls(_) => String::new(),
    }
}

fn bold(s: &str, color: bool) -> String {
    if color { format!("\x1b[1m{s}\x1b[0m") } else { s.to_string() }
}

fn dim(s: &str, color: bool) -> String {
    if color { format!("\x1b[2m{s}\x1b[0m") } else { s.to_string() }
}
