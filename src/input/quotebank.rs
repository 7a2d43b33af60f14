//! Quotebank quotations: the quotation-centric JSON lines (`quoteID, quotation, speaker,
//! qids, date, numOccurrences, probas, urls, phase`) in the forms they are found in: the
//! Zenodo originals (date as text), pandas re-exports (date as epoch milliseconds,
//! escaped slashes, `numOccurences` misspelt), the CSV re-export whose list columns are
//! Python literals, and the derived files that carry one disambiguated QID as `id`.
//!
//! The quotation is the quote (English: Quotebank reads English news), the speaker an
//! entity named as given, each URL a source, the probability of the chosen speaker the
//! confidence, `numOccurrences` the number of articles. A single QID is `same_as`; several
//! (homonyms) are kept as `sg:sameAsCandidate` for the linking step, not asserted. Speaker
//! `"None"` is unattributed: skipped and counted, or kept with `--keep-unattributed` as a
//! statement of the entity `unattributed`.

use std::collections::HashSet;
use std::io::BufRead;
use std::path::Path;

use oxigraph::model::{NamedNode, Term};
use serde_json::Value;

use super::{
    Document, ImportOptions, Limits, Line, Pos, RawField, RawRecord, RawValue, RowLimit, Sink, read_line, too_long,
};
use crate::error::{Diagnostics, Error, Result};
use crate::terms::{self, RecordKind};
use crate::vocab;

/// The id of the entity unattributed quotations are given to with `--keep-unattributed`.
pub const UNATTRIBUTED: &str = "unattributed";

/// Whether a first line looks like Quotebank: a JSON object with a `quoteID`, or the CSV
/// re-export's header.
pub(super) fn looks_like(line: &[u8]) -> bool {
    let line = super::strip_bom(line);
    line.starts_with(b"quoteID,") || (line.starts_with(b"{") && line.windows(9).any(|w| w == b"\"quoteID\""))
}

/// One quotation, whichever form it came in.
#[derive(Debug, Default)]
struct Quotation {
    id: Option<String>,
    quotation: Option<String>,
    speaker: Option<String>,
    qids: Vec<String>,
    date: Option<String>,
    occurrences: Option<u64>,
    /// `[name, probability]` pairs.
    probas: Vec<(String, String)>,
    urls: Vec<String>,
}

pub(super) fn read_lines(
    mut reader: impl BufRead,
    path: &Path,
    name: String,
    options: ImportOptions,
    limits: Limits,
    diagnostics: &mut Diagnostics,
    sink: &mut dyn Sink,
) -> Result<()> {
    let document = Document {
        name,
        ..Document::default()
    };
    sink.begin(&document, diagnostics);
    let mut importer = Importer {
        options,
        seen: HashSet::new(),
    };
    let mut buffer = Vec::new();
    let mut line = 0u64;
    loop {
        let read = read_line(&mut reader, &mut buffer, limits.max_line).map_err(|e| Error::io(path, e))?;
        line += 1;
        match read {
            Line::End => break,
            Line::Read => {}
            Line::TooLong(length) => {
                diagnostics.error(
                    document.location(Pos::new(line, 1)),
                    "",
                    too_long("a line", length, limits.max_line),
                );
                continue;
            }
        }
        let bytes = super::strip_bom(buffer.trim_ascii());
        if bytes.is_empty() {
            continue;
        }
        if let Err(e) = std::str::from_utf8(bytes) {
            let column = String::from_utf8_lossy(&bytes[..e.valid_up_to()]).chars().count() + 1;
            diagnostics.error(
                document.location(Pos::new(line, column as u64)),
                "",
                "invalid UTF-8; Quotebank files are UTF-8",
            );
            continue;
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => {
                let quotation = from_json(&map);
                importer.quotation(quotation, line, &document, diagnostics, sink);
            }
            Ok(_) => diagnostics.error(
                document.location(Pos::new(line, 1)),
                "",
                "expected a Quotebank JSON object",
            ),
            Err(e) => diagnostics.error(
                document.location(Pos::new(line, e.column() as u64)),
                "",
                format!("invalid JSON: {e}"),
            ),
        }
    }
    Ok(())
}

/// The CSV re-export (pandas `to_csv`), whose list columns are Python literals.
pub(super) fn read_csv(
    reader: impl std::io::Read,
    path: &Path,
    name: String,
    options: ImportOptions,
    limits: Limits,
    diagnostics: &mut Diagnostics,
    sink: &mut dyn Sink,
) -> Result<()> {
    let document = Document {
        name,
        ..Document::default()
    };
    sink.begin(&document, diagnostics);
    let mut importer = Importer {
        options,
        seen: HashSet::new(),
    };
    let reader = RowLimit::new(reader, limits.max_line);
    let row_start = std::rc::Rc::clone(&reader.row_start);
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let io_error = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(e) => Error::io(path, e),
        other => Error::io(path, std::io::Error::other(format!("{other:?}"))),
    };
    let header: Vec<String> = match csv.headers() {
        Ok(header) => header
            .iter()
            .enumerate()
            .map(|(i, name)| {
                if i == 0 {
                    name.trim_start_matches('\u{feff}')
                } else {
                    name
                }
                .to_owned()
            })
            .collect(),
        Err(e) if e.is_io_error() => return Err(io_error(e)),
        Err(e) => {
            diagnostics.error(document.location(Pos::new(1, 1)), "", format!("invalid CSV: {e}"));
            return Ok(());
        }
    };
    let mut row = csv::StringRecord::new();
    loop {
        row_start.set(csv.position().byte());
        match csv.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) if e.is_io_error() => return Err(io_error(e)),
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                diagnostics.error(document.location(Pos::new(line, 1)), "", format!("invalid CSV: {e}"));
                continue;
            }
        }
        let line = row.position().map_or(0, csv::Position::line);
        let mut quotation = Quotation::default();
        for (column, (name, cell)) in header.iter().zip(row.iter()).enumerate() {
            let bad = |diagnostics: &mut Diagnostics| {
                diagnostics.error(
                    document.location(Pos::new(line, column as u64 + 1)),
                    name,
                    "expected a Python list literal such as ['Q42']",
                );
            };
            match name.as_str() {
                "quoteID" => quotation.id = Some(cell.to_owned()),
                "quotation" => quotation.quotation = Some(cell.to_owned()),
                "speaker" => quotation.speaker = Some(cell.to_owned()),
                "date" => quotation.date = Some(cell.to_owned()),
                "numOccurrences" | "numOccurences" => quotation.occurrences = cell.parse().ok(),
                "qids" | "urls" => match python_strings(cell) {
                    Some(list) if name == "qids" => quotation.qids = list,
                    Some(list) => quotation.urls = list,
                    None => bad(diagnostics),
                },
                "probas" => match python_pairs(cell) {
                    Some(pairs) => quotation.probas = pairs,
                    None => bad(diagnostics),
                },
                _ => {}
            }
        }
        importer.quotation(quotation, line, &document, diagnostics, sink);
    }
    Ok(())
}

fn from_json(map: &serde_json::Map<String, Value>) -> Quotation {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|items| items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let mut quotation = Quotation {
        id: map.get("quoteID").and_then(text),
        quotation: map.get("quotation").and_then(text),
        speaker: map.get("speaker").and_then(text),
        qids: strings(map.get("qids")),
        date: map.get("date").and_then(|d| match d {
            Value::Number(ms) => ms.as_i64().map(epoch_millis),
            other => text(other),
        }),
        occurrences: map
            .get("numOccurrences")
            .or_else(|| map.get("numOccurences"))
            .and_then(Value::as_u64),
        urls: strings(map.get("urls")),
        ..Quotation::default()
    };
    if let Some(Value::String(qid)) = map.get("id") {
        quotation.qids = vec![qid.clone()];
    }
    quotation.probas = map
        .get("probas")
        .and_then(Value::as_array)
        .map(|pairs| {
            pairs
                .iter()
                .filter_map(|pair| {
                    let pair = pair.as_array()?;
                    Some((pair.first()?.as_str()?.to_owned(), text(pair.get(1)?)?))
                })
                .collect()
        })
        .unwrap_or_default();
    quotation
}

/// Milliseconds since 1970 as a date-time without a time zone: pandas read Quotebank's
/// `"2015-08-31 02:10:00"` (which names no zone) as UTC, so this gives back the original
/// date-time, and the same quotation has the same date in every form.
fn epoch_millis(ms: i64) -> String {
    let seconds = ms.div_euclid(1000);
    let (days, second_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Days to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s) = (second_of_day / 3600, second_of_day / 60 % 60, second_of_day % 60);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}")
}

/// A Python list of strings, as pandas writes it: `['Q1', "Q2"]`.
fn python_strings(text: &str) -> Option<Vec<String>> {
    match python_value(&mut text.trim().chars().peekable())? {
        Python::List(items) => items
            .into_iter()
            .map(|item| match item {
                Python::Str(s) => Some(s),
                Python::List(_) => None,
            })
            .collect(),
        Python::Str(_) => None,
    }
}

/// A Python list of `[name, probability]` pairs.
fn python_pairs(text: &str) -> Option<Vec<(String, String)>> {
    match python_value(&mut text.trim().chars().peekable())? {
        Python::List(items) => items
            .into_iter()
            .map(|item| match item {
                Python::List(pair) => match <[Python; 2]>::try_from(pair).ok()? {
                    [Python::Str(name), Python::Str(p)] => Some((name, p)),
                    _ => None,
                },
                Python::Str(_) => None,
            })
            .collect(),
        Python::Str(_) => None,
    }
}

enum Python {
    Str(String),
    List(Vec<Python>),
}

/// Lists nest two deep in Quotebank's cells (`[['Q1', 'Name']]`); deeper is not a value
/// these cells hold, and a cell of a million `[` must not overflow the stack.
const PYTHON_NESTING: usize = 8;

fn python_value(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<Python> {
    python_nested(chars, 0)
}

fn python_nested(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, depth: usize) -> Option<Python> {
    while chars.next_if(|c| c.is_whitespace()).is_some() {}
    match chars.next()? {
        '[' if depth < PYTHON_NESTING => {
            let mut items = Vec::new();
            loop {
                while chars.next_if(|c| c.is_whitespace() || *c == ',').is_some() {}
                if chars.next_if_eq(&']').is_some() {
                    return Some(Python::List(items));
                }
                items.push(python_nested(chars, depth + 1)?);
            }
        }
        quote @ ('\'' | '"') => {
            let mut s = String::new();
            loop {
                match chars.next()? {
                    '\\' => s.push(match chars.next()? {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    }),
                    c if c == quote => return Some(Python::Str(s)),
                    c => s.push(c),
                }
            }
        }
        _ => None,
    }
}

struct Importer {
    options: ImportOptions,
    seen: HashSet<(RecordKind, String)>,
}

fn field(name: &str, line: u64, value: RawValue) -> RawField {
    let pos = Pos::new(line, 1);
    RawField {
        name: name.to_owned(),
        pos,
        value,
        value_pos: pos,
    }
}

fn string(name: &str, line: u64, value: impl Into<String>) -> RawField {
    field(name, line, RawValue::String(value.into()))
}

fn list(name: &str, line: u64, values: impl IntoIterator<Item = String>) -> RawField {
    let pos = Pos::new(line, 1);
    field(
        name,
        line,
        RawValue::List(values.into_iter().map(|v| (RawValue::String(v), pos)).collect()),
    )
}

fn record(
    kind: RecordKind,
    line: u64,
    fields: Vec<RawField>,
    repeatable: bool,
    extra: Vec<(NamedNode, Term)>,
) -> RawRecord {
    RawRecord {
        kind,
        pos: Pos::new(line, 1),
        fields,
        from_csv: true,
        extra,
        repeatable,
    }
}

impl Importer {
    fn quotation(
        &mut self,
        q: Quotation,
        line: u64,
        document: &Document,
        diagnostics: &mut Diagnostics,
        sink: &mut dyn Sink,
    ) {
        let speaker = match q.speaker.as_deref() {
            Some("None") | None if !self.options.keep_unattributed => {
                sink.skipped("unattributed (speaker \"None\"; --keep-unattributed keeps them)");
                return;
            }
            Some("None") | None => {
                self.entity(UNATTRIBUTED, "Unattributed", &[], line, diagnostics, sink);
                UNATTRIBUTED.to_owned()
            }
            Some(name) => {
                self.entity(name, name, &q.qids, line, diagnostics, sink);
                name.to_owned()
            }
        };
        let Some(quotation) = q.quotation.filter(|t| !t.trim().is_empty()) else {
            diagnostics.error(document.location(Pos::new(line, 1)), "quotation", "missing or empty");
            return;
        };
        let mut fields = vec![
            string("speaker", line, speaker.as_str()),
            string("quote", line, quotation),
        ];
        fields.push(string("quote_lang", line, "en"));
        if let Some(id) = q.id {
            fields.push(string("id", line, id));
        }
        if let Some(date) = q.date {
            fields.push(string("date", line, date));
        }
        // The probability of the speaker Quotebank chose, "None" included.
        let chosen = q.speaker.as_deref().unwrap_or("None");
        if let Some((_, p)) = q.probas.iter().find(|(name, _)| name == chosen) {
            fields.push(string("confidence", line, p.as_str()));
        }
        let mut sources = Vec::new();
        for url in q.urls {
            if self.seen.insert((RecordKind::Source, url.clone())) {
                let mut source = vec![string("id", line, url.as_str())];
                let kind = if terms::check_iri(&url).is_ok() { "url" } else { "title" };
                source.push(string(kind, line, url.as_str()));
                sink.record(record(RecordKind::Source, line, source, true, Vec::new()), diagnostics);
            }
            sources.push(url);
        }
        if !sources.is_empty() {
            fields.push(list("source", line, sources));
        }
        let extra = q
            .occurrences
            .map(|n| {
                (
                    vocab::sg::NUM_ARTICLES.into_owned(),
                    oxigraph::model::Literal::from(n).into(),
                )
            })
            .into_iter()
            .collect();
        sink.record(record(RecordKind::Statement, line, fields, false, extra), diagnostics);
    }

    /// A speaker, given once: a person named as Quotebank names them, with its QID as
    /// `same_as` when there is one, as candidates when there are several.
    fn entity(
        &mut self,
        id: &str,
        name: &str,
        qids: &[String],
        line: u64,
        diagnostics: &mut Diagnostics,
        sink: &mut dyn Sink,
    ) {
        if !self.seen.insert((RecordKind::Entity, id.to_owned())) {
            return;
        }
        let unattributed = id == UNATTRIBUTED;
        let mut fields = vec![
            string("id", line, id),
            string("type", line, if unattributed { "other" } else { "person" }),
            string("name", line, name),
        ];
        let mut extra = Vec::new();
        match qids {
            [qid] => fields.push(list("same_as", line, [format!("wd:{qid}")])),
            several => {
                for qid in several {
                    if let Ok(item) = NamedNode::new(format!("http://www.wikidata.org/entity/{qid}")) {
                        extra.push((vocab::sg::SAME_AS_CANDIDATE.into_owned(), item.into()));
                    }
                }
            }
        }
        if unattributed {
            fields.push(string(
                "description",
                line,
                "Quotebank found no speaker for these quotations.",
            ));
        }
        sink.record(record(RecordKind::Entity, line, fields, true, extra), diagnostics);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cell of ten million `[` overflowed the stack: the lists are read recursively.
    #[test]
    fn python_lists_nested_too_deep_are_not_values() {
        assert_eq!(
            python_pairs("[['Donald Trump', '0.9'], [\"O'Neil\", '0.1']]"),
            Some(vec![
                ("Donald Trump".to_owned(), "0.9".to_owned()),
                ("O'Neil".to_owned(), "0.1".to_owned())
            ])
        );
        assert_eq!(
            python_strings("['Q22686', \"Q1\"]"),
            Some(vec!["Q22686".to_owned(), "Q1".to_owned()])
        );
        assert_eq!(python_strings(&"[".repeat(10_000_000)), None);
        assert_eq!(python_strings(&format!("{}{}", "[".repeat(9), "]".repeat(9))), None);
    }

    #[test]
    fn epoch_milliseconds_become_the_date_times_pandas_read() {
        assert_eq!(epoch_millis(0), "1970-01-01T00:00:00");
        assert_eq!(epoch_millis(1_579_219_200_000), "2020-01-17T00:00:00");
        assert_eq!(epoch_millis(951_782_400_000), "2000-02-29T00:00:00");
        assert_eq!(epoch_millis(-1000), "1969-12-31T23:59:59");
    }

    /// pandas re-exports: epoch milliseconds, escaped slashes, and `numOccurences` as some
    /// of them spell it (no sample has it, so this line is made up).
    #[test]
    fn pandas_spellings_are_read() -> std::result::Result<(), serde_json::Error> {
        let map = serde_json::from_str(
            r#"{"quoteID":"2020-01-16-000001","quotation":"q","speaker":"A","qids":["Q1"],"date":1579150293000,"numOccurences":3,"probas":[["A","0.5"]],"urls":["http:\/\/a.example\/b"],"phase":"E"}"#,
        )?;
        let quotation = from_json(&map);
        assert_eq!(quotation.occurrences, Some(3));
        assert_eq!(quotation.date.as_deref(), Some("2020-01-16T04:51:33"));
        assert_eq!(quotation.urls, ["http://a.example/b"]);
        assert_eq!(quotation.probas, [("A".to_owned(), "0.5".to_owned())]);
        Ok(())
    }

    #[test]
    fn python_literals_as_pandas_writes_them() {
        assert_eq!(
            python_strings("['Q1', \"Q2\"]"),
            Some(vec!["Q1".to_owned(), "Q2".to_owned()])
        );
        assert_eq!(python_strings("[]"), Some(vec![]));
        assert_eq!(
            python_pairs("[['Sue Biggs', '0.6045'], ['None', '0.3955']]"),
            Some(vec![
                ("Sue Biggs".into(), "0.6045".into()),
                ("None".into(), "0.3955".into())
            ])
        );
        assert_eq!(python_strings("['it\\'s']"), Some(vec!["it's".to_owned()]));
        assert_eq!(python_strings("Q1"), None);
        assert_eq!(python_strings("['unterminated"), None);
    }

    #[test]
    fn quotebank_is_recognised_by_shape() {
        assert!(looks_like(
            b"{\"quoteID\": \"2015-01-01-000001\", \"quotation\": \"x\"}"
        ));
        assert!(looks_like(b"quoteID,quotation,speaker,qids"));
        assert!(!looks_like(b"{\"record\": \"entity\"}"));
    }
}
