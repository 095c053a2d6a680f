//! Writing exports as CSV or JSON, a row at a time, so memory stays flat however many rows
//! there are. Used by `admin export` in chat and by `kakehashi export` on the command line.
//!
//! CSV follows RFC 4180 (written by the `csv` crate, the header from the field names of each
//! row's CSV view): a field holding a comma, a quote or a line break is quoted and its quotes
//! doubled. Cells are written exactly as stored (no spreadsheet-formula
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

/// What an export holds: every item (with its answers), every event, or the AI register (what
/// runs in service, README "The AI register").
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    Items,
    Events,
    Register,
}

impl What {
    pub fn parse(s: &str) -> Option<What> {
        match s {
            "items" => Some(What::Items),
            "events" => Some(What::Events),
            "register" => Some(What::Register),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            What::Items => "items",
            What::Events => "events",
            What::Register => "register",
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

/// A row that can be exported: JSON comes from its `Serialize`; CSV from [`Row::Csv`], a flat
/// view of it whose field names are the CSV header (the `csv` crate writes the cells).
pub trait Row: Serialize {
    type Csv<'a>: Serialize + Default
    where
        Self: 'a;
    fn csv(&self) -> Self::Csv<'_>;
}

/// A time in a CSV cell: RFC 3339, UTC, always with microseconds.
#[derive(Default)]
pub struct Time(pub Option<DateTime<Utc>>);

impl Serialize for Time {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Some(t) => s.collect_str(&t.to_rfc3339_opts(SecondsFormat::Micros, true)),
            None => s.serialize_str(""),
        }
    }
}

/// A number in a CSV cell, as Rust writes it (`1200`, `2.5`); empty when there is none.
#[derive(Default)]
pub struct Num(pub Option<f64>);

impl Serialize for Num {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Some(n) => s.collect_str(n),
            None => s.serialize_str(""),
        }
    }
}

/// The CSV columns of an item.
#[derive(Serialize, Default)]
pub struct ItemCsv<'a> {
    id: &'a str,
    kind: &'a str,
    number: i64,
    title: &'a str,
    description: &'a str,
    team: &'a str,
    team_key: &'a str,
    requester: &'a str,
    owner: Option<&'a str>,
    status: &'a str,
    outcome: Option<&'a str>,
    flags: &'a str,
    yearly_value: Num,
    effort_days: Num,
    created_at: Time,
    updated_at: Time,
    submitted_at: Time,
    first_response_at: Time,
    resolved_at: Time,
    /// The answers as one JSON object.
    answers: String,
    /// Last, so the columns before them kept their places when they came.
    realised: Option<&'a str>,
    realised_yearly_value: Num,
}

impl Row for ExportItem {
    type Csv<'a> = ItemCsv<'a>;

    fn csv(&self) -> ItemCsv<'_> {
        ItemCsv {
            id: &self.id,
            kind: &self.kind,
            number: self.number,
            title: &self.title,
            description: &self.description,
            team: &self.team,
            team_key: &self.team_key,
            requester: &self.requester,
            owner: self.owner.as_deref(),
            status: &self.status,
            outcome: self.outcome.as_deref(),
            flags: &self.flags,
            yearly_value: Num(self.yearly_value),
            effort_days: Num(self.effort_days),
            created_at: Time(Some(self.created_at)),
            updated_at: Time(Some(self.updated_at)),
            submitted_at: Time(self.submitted_at),
            first_response_at: Time(self.first_response_at),
            resolved_at: Time(self.resolved_at),
            answers: serde_json::to_string(&self.answers).expect("answers serialise"),
            realised: self.realised.as_deref(),
            realised_yearly_value: Num(self.realised_yearly_value),
        }
    }
}

/// The CSV columns of an event.
#[derive(Serialize, Default)]
pub struct EventCsv<'a> {
    id: i64,
    item: Option<&'a str>,
    actor: &'a str,
    kind: &'a str,
    from_status: Option<&'a str>,
    to_status: Option<&'a str>,
    note: Option<&'a str>,
    detail: Option<&'a str>,
    at: Time,
}

impl Row for ExportEvent {
    type Csv<'a> = EventCsv<'a>;

    fn csv(&self) -> EventCsv<'_> {
        EventCsv {
            id: self.id,
            item: self.item.as_deref(),
            actor: &self.actor,
            kind: &self.kind,
            from_status: self.from_status.as_deref(),
            to_status: self.to_status.as_deref(),
            note: self.note.as_deref(),
            detail: self.detail.as_deref(),
            at: Time(Some(self.at)),
        }
    }
}

/// Where the rows go: a CSV writer, or the JSON array being written.
enum Out<W: Write> {
    // boxed: the CSV writer carries its buffer's bookkeeping, the JSON side only the output
    Csv(Box<csv::Writer<W>>),
    Json(W),
}

/// Writes rows of one kind as they come.
pub struct Writer<W: Write> {
    out: Out<W>,
    rows: usize,
}

fn csv_writer<W: Write>(out: W) -> csv::Writer<W> {
    // RFC 4180: CRLF between records; a field is quoted when it holds a comma, a quote or a line
    // break
    csv::WriterBuilder::new().has_headers(false).terminator(csv::Terminator::CRLF).from_writer(out)
}

/// The CSV header of `R`: the field names of its CSV view, as the `csv` crate writes them before
/// the first record.
fn csv_header<R: Row>() -> io::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    w.serialize(R::Csv::default())?;
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    let end = bytes.windows(2).position(|p| p == b"\r\n").map_or(bytes.len(), |i| i + 2);
    Ok(bytes[..end].to_vec())
}

/// The CSV column names of `R`.
pub fn header<R: Row>() -> Vec<String> {
    csv_header::<R>().map(|h| read_csv(&String::from_utf8_lossy(&h)).concat()).unwrap_or_default()
}

impl<W: Write> Writer<W> {
    /// Starts the file: the CSV header, or the opening of the JSON array.
    pub fn start<R: Row>(mut out: W, format: Format) -> io::Result<Writer<W>> {
        let out = match format {
            Format::Csv => {
                out.write_all(&csv_header::<R>()?)?;
                Out::Csv(Box::new(csv_writer(out)))
            }
            Format::Json => {
                out.write_all(b"[")?;
                Out::Json(out)
            }
        };
        Ok(Writer { out, rows: 0 })
    }

    pub fn write<R: Row>(&mut self, row: &R) -> io::Result<()> {
        match &mut self.out {
            Out::Csv(w) => w.serialize(row.csv())?,
            Out::Json(out) => {
                if self.rows > 0 {
                    out.write_all(b",")?;
                }
                out.write_all(b"\n")?;
                serde_json::to_writer(&mut *out, row)?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Ends the file and hands back the writer.
    pub fn finish(self) -> io::Result<W> {
        let mut out = match self.out {
            Out::Csv(w) => w.into_inner().map_err(|e| e.into_error())?,
            Out::Json(mut out) => {
                out.write_all(if self.rows > 0 { b"\n]\n" } else { b"]\n" })?;
                out
            }
        };
        out.flush()?;
        Ok(out)
    }
}

impl Writer<Vec<u8>> {
    /// Bytes written so far (CSV rows may still sit in the writer's buffer, up to 8 KiB).
    pub fn len(&self) -> usize {
        match &self.out {
            Out::Csv(w) => w.get_ref().len(),
            Out::Json(out) => out.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads CSV written by [`Writer`] back into rows of cells, the header first (for tests and
/// round trips).
pub fn read_csv(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .filter_map(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(note: &str) -> ExportEvent {
        ExportEvent {
            id: 7,
            item: Some("N-1".into()),
            actor: "U1".into(),
            kind: "status".into(),
            from_status: None,
            to_status: Some("accepted".into()),
            note: Some(note.into()),
            detail: None,
            at: chrono::DateTime::parse_from_rfc3339("2026-11-30T09:00:00Z").unwrap().with_timezone(&Utc),
        }
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_reads_back_the_same() {
        let notes = ["plain", "a,b", "say \"hi\"", "two\nlines", " padded ", "", "日本語", "=1+1"];
        let mut w = Writer::start::<ExportEvent>(Vec::new(), Format::Csv).unwrap();
        for note in notes {
            w.write(&event(note)).unwrap();
        }
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        assert!(text.starts_with("id,item,actor,kind,from_status,to_status,note,detail,at\r\n"), "{text}");
        assert!(text.contains(",\"a,b\",") && text.contains(",\"say \"\"hi\"\"\",") && text.contains("\"two\nlines\""));
        assert!(text.contains("7,N-1,U1,status,,accepted,plain,,2026-11-30T09:00:00.000000Z\r\n"), "{text}");
        let rows = read_csv(&text);
        assert_eq!(rows.len(), notes.len() + 1);
        for (row, note) in rows[1..].iter().zip(notes) {
            assert_eq!(row[6], note);
        }
    }

    #[test]
    fn an_empty_export_still_has_its_header() {
        let w = Writer::start::<ExportItem>(Vec::new(), Format::Csv).unwrap();
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(read_csv(&text).len(), 1);
        assert!(
            text.starts_with("id,kind,number,title,description,team,team_key,requester,owner,status,outcome,flags,")
        );
        assert!(text.ends_with(",resolved_at,answers,realised,realised_yearly_value\r\n"), "{text}");
        let w = Writer::start::<ExportItem>(Vec::new(), Format::Json).unwrap();
        assert_eq!(w.finish().unwrap(), b"[]\n");
    }

    #[test]
    fn numbers_are_written_as_rust_writes_them() {
        assert_eq!(serde_json::to_string(&Num(Some(1200.0))).unwrap(), "\"1200\"");
        assert_eq!(serde_json::to_string(&Num(Some(2.5))).unwrap(), "\"2.5\"");
        assert_eq!(serde_json::to_string(&Num(None)).unwrap(), "\"\"");
    }
}
