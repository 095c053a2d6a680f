//! Writing exports as CSV or JSON, a row at a time, so memory stays flat however many rows
//! there are. Used by `admin export` in chat and by `kakehashi export` on the command line.
//!
//! CSV follows RFC 4180: a field holding a comma, a quote, a line break or outer spaces is quoted
//! and its quotes doubled. Cells are written exactly as stored (no spreadsheet-formula
//! neutralising, which would change the data): open exports in a spreadsheet with care. JSON is
//! one array of objects, written as the rows come.

use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::storage::{ExportEvent, ExportItem};

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

/// What an export holds: every item (with its answers), or every event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    Items,
    Events,
}

impl What {
    pub fn parse(s: &str) -> Option<What> {
        match s {
            "items" => Some(What::Items),
            "events" => Some(What::Events),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            What::Items => "items",
            What::Events => "events",
        }
    }
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }
}

/// A row that can be exported: its CSV header and cells; JSON comes from `Serialize`.
pub trait Row: Serialize {
    const HEADER: &'static [&'static str];
    fn cells(&self) -> Vec<String>;
}

fn time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn opt_time(t: &Option<DateTime<Utc>>) -> String {
    t.as_ref().map(time).unwrap_or_default()
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

impl Row for ExportItem {
    const HEADER: &'static [&'static str] = &[
        "id",
        "kind",
        "number",
        "title",
        "description",
        "team",
        "team_key",
        "requester",
        "owner",
        "status",
        "outcome",
        "flags",
        "yearly_value",
        "effort_days",
        "created_at",
        "updated_at",
        "submitted_at",
        "first_response_at",
        "resolved_at",
        "answers",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.kind.clone(),
            self.number.to_string(),
            self.title.clone(),
            self.description.clone(),
            self.team.clone(),
            self.team_key.clone(),
            self.requester.clone(),
            opt(&self.owner),
            self.status.clone(),
            opt(&self.outcome),
            self.flags.clone(),
            opt(&self.yearly_value),
            opt(&self.effort_days),
            time(&self.created_at),
            time(&self.updated_at),
            opt_time(&self.submitted_at),
            opt_time(&self.first_response_at),
            opt_time(&self.resolved_at),
            serde_json::to_string(&self.answers).expect("answers serialise"),
        ]
    }
}

impl Row for ExportEvent {
    const HEADER: &'static [&'static str] =
        &["id", "item", "actor", "kind", "from_status", "to_status", "note", "detail", "at"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            opt(&self.item),
            self.actor.clone(),
            self.kind.clone(),
            opt(&self.from_status),
            opt(&self.to_status),
            opt(&self.note),
            opt(&self.detail),
            time(&self.at),
        ]
    }
}

/// Writes rows of one kind as they come.
pub struct Writer<W: Write> {
    out: W,
    format: Format,
    rows: usize,
}

impl<W: Write> Writer<W> {
    /// Starts the file: the CSV header, or the opening of the JSON array.
    pub fn start<R: Row>(mut out: W, format: Format) -> io::Result<Writer<W>> {
        match format {
            Format::Csv => write_csv_line(&mut out, R::HEADER.iter().map(|h| h.to_string()))?,
            Format::Json => out.write_all(b"[")?,
        }
        Ok(Writer { out, format, rows: 0 })
    }

    pub fn write<R: Row>(&mut self, row: &R) -> io::Result<()> {
        match self.format {
            Format::Csv => write_csv_line(&mut self.out, row.cells())?,
            Format::Json => {
                if self.rows > 0 {
                    self.out.write_all(b",")?;
                }
                self.out.write_all(b"\n")?;
                serde_json::to_writer(&mut self.out, row)?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    pub fn rows(&self) -> usize {
        self.rows
    }
}

impl Writer<Vec<u8>> {
    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.out.len()
    }

    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }
}

impl<W: Write> Writer<W> {
    /// Ends the file and hands back the writer.
    pub fn finish(mut self) -> io::Result<W> {
        if self.format == Format::Json {
            self.out.write_all(if self.rows > 0 { b"\n]\n" } else { b"]\n" })?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

fn write_csv_line(out: &mut impl Write, cells: impl IntoIterator<Item = String>) -> io::Result<()> {
    let mut first = true;
    for cell in cells {
        if !first {
            out.write_all(b",")?;
        }
        first = false;
        let needs_quotes = cell.contains([',', '"', '\n', '\r']) || cell.starts_with(' ') || cell.ends_with(' ');
        if needs_quotes {
            out.write_all(b"\"")?;
            out.write_all(cell.replace('"', "\"\"").as_bytes())?;
            out.write_all(b"\"")?;
        } else {
            out.write_all(cell.as_bytes())?;
        }
    }
    out.write_all(b"\r\n")
}

/// Reads CSV written by [`Writer`] back into rows of cells (for tests and round trips).
pub fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if cell.is_empty() => quoted = true,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\r', false) if chars.peek() == Some(&'\n') => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting_and_reads_back_the_same() {
        let cells = ["plain", "a,b", "say \"hi\"", "two\nlines", " padded ", "", "日本語", "=1+1"];
        let mut out = Vec::new();
        write_csv_line(&mut out, cells.iter().map(|c| c.to_string())).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" padded \",,日本語,=1+1"),
            "{text}"
        );
        assert_eq!(read_csv(&text), vec![cells.iter().map(|c| c.to_string()).collect::<Vec<_>>()]);
    }
}
