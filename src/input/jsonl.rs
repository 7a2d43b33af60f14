//! JSON Lines: one record per line, each naming its kind in a `record` field.
//!
//! The file is read a line at a time, so a line's problems are reported with that line's
//! number and no line is held longer than it takes to parse it.

use std::io::BufRead;
use std::path::Path;

use super::json::{decode, parse};
use super::{Document, Limits, Line, Pos, RawRecord, RawValue, Sink, read_line, too_long};
use crate::error::{Diagnostics, Error, Result};
use crate::terms::{self, RecordKind};

const RECORD_KINDS: [&str; 4] = ["source", "entity", "statement", "relation"];

pub(super) fn read_lines(
    mut reader: impl BufRead,
    path: &Path,
    name: String,
    limits: Limits,
    diagnostics: &mut Diagnostics,
    sink: &mut dyn Sink,
) -> Result<()> {
    let document = Document {
        name,
        ..Document::default()
    };
    sink.begin(&document, diagnostics);
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        let read = read_line(&mut reader, &mut line, limits.max_line).map_err(|e| Error::io(path, e))?;
        number += 1;
        match read {
            Line::End => break,
            Line::Read => {}
            Line::TooLong(length) => {
                diagnostics.error(
                    document.location(Pos::new(number, 1)),
                    "",
                    too_long("a line", length, limits.max_line),
                );
                continue;
            }
        }
        let mut bytes = line.as_slice();
        bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        if number == 1 {
            bytes = super::strip_bom(bytes);
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record = if sink.needs_positions() {
            // A record that passes every check needs no positions: try the fast parser,
            // and parse again with positions only if the sink finds something to report.
            if read_record_fast(bytes, number).is_some_and(|fast| sink.record_unpositioned(fast)) {
                continue;
            }
            read_record(bytes, number, &document, diagnostics)
        } else {
            read_record_fast(bytes, number).or_else(|| read_record(bytes, number, &document, diagnostics))
        };
        if let Some(record) = record {
            sink.record(record, diagnostics);
        }
    }
    Ok(())
}

/// Parses one line of already validated input into a record with `serde_json`, which is
/// several times faster than the positioned parser; fields get no positions. `None` if
/// the line is anything but a well-formed record, for the positioned parser to report.
fn read_record_fast(bytes: &[u8], line: u64) -> Option<RawRecord> {
    let bytes = super::strip_bom(bytes);
    let super::json::Fast(value) = serde_json::from_slice(bytes).ok()?;
    let RawValue::Object(mut fields) = value else {
        return None;
    };
    let at = fields.iter().position(|f| f.name == "record")?;
    // `remove`, not `swap_remove`: the fields keep their order, as the positioned parser
    // keeps it (the fuzz target `jsonl` found the two passes reading them in other orders).
    let kind = match &fields.remove(at).value {
        RawValue::String(kind) => RecordKind::ALL.into_iter().find(|k| k.name() == kind)?,
        _ => return None,
    };
    // Where the object starts, as the positioned parser says (JSON's blanks are ASCII).
    let column = 1 + bytes.iter().take_while(|b| b.is_ascii_whitespace()).count() as u64;
    Some(RawRecord {
        kind,
        pos: Pos::new(line, column),
        fields,
        from_csv: false,
        extra: Vec::new(),
        repeatable: false,
    })
}

/// Parses one line into a record, taking its `record` field as the kind.
fn read_record(bytes: &[u8], line: u64, document: &Document, diagnostics: &mut Diagnostics) -> Option<RawRecord> {
    let (text, index) = decode(bytes, line, document, diagnostics)?;
    let (value, pos) = parse(text, &index, document, diagnostics)?;
    let RawValue::Object(mut fields) = value else {
        diagnostics.error(
            document.location(pos),
            "",
            format!(
                "expected a JSON object with a `record` field, found {}",
                value.kind_name()
            ),
        );
        return None;
    };
    let Some(at) = fields.iter().position(|f| f.name == "record") else {
        diagnostics.error(
            document.location(pos),
            "record",
            "missing: each line needs \"record\": \"source\", \"entity\", \"statement\" or \"relation\"",
        );
        return None;
    };
    let field = fields.remove(at);
    let kind = match &field.value {
        RawValue::String(kind) => RecordKind::ALL.into_iter().find(|k| k.name() == kind),
        _ => None,
    };
    let Some(kind) = kind else {
        let given = match &field.value {
            RawValue::String(s) => s.clone(),
            other => other.kind_name().to_owned(),
        };
        let hint = terms::suggestion(&given, RECORD_KINDS);
        diagnostics.error(
            document.location(field.value_pos),
            "record",
            format!(
                "unknown record kind {given:?}{hint}; expected one of: {}",
                RECORD_KINDS.join(", ")
            ),
        );
        return None;
    };
    Some(RawRecord {
        kind,
        pos: Pos::new(line, pos.column),
        fields,
        from_csv: false,
        extra: Vec::new(),
        repeatable: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Read {
        records: Vec<RawRecord>,
    }

    fn read(text: &str) -> (Read, Diagnostics) {
        let mut diagnostics = Diagnostics::new();
        let mut collect = crate::input::Collect::default();
        read_lines(
            text.as_bytes(),
            Path::new("kb.jsonl"),
            "kb.jsonl".to_owned(),
            Limits::default(),
            &mut diagnostics,
            &mut collect,
        )
        .unwrap();
        let records = collect.0.into_iter().flat_map(|(_, records)| records).collect();
        (Read { records }, diagnostics)
    }

    #[test]
    fn the_fast_parser_places_a_record_where_the_positioned_one_does() {
        let line = br#"  {"record": "entity", "id": "a"}"#;
        let mut diagnostics = Diagnostics::new();
        let positioned = read_record(line, 3, &Document::default(), &mut diagnostics).map(|r| r.pos);
        let fast = read_record_fast(line, 3).map(|r| r.pos);
        assert_eq!(positioned, Some(Pos::new(3, 3)));
        assert_eq!(fast, positioned);
    }

    #[test]
    fn each_line_is_a_record_with_its_line_number() {
        let (document, diagnostics) = read(
            "\u{feff}{\"record\": \"entity\", \"id\": \"a\"}\r\n\n{\"record\": \"statement\", \"speaker\": \"a\"}\n",
        );
        assert!(diagnostics.is_empty(), "{diagnostics}");
        assert_eq!(document.records.len(), 2);
        assert_eq!(document.records[1].kind, RecordKind::Statement);
        assert_eq!(document.records[1].pos.line, 3);
        assert_eq!(document.records[1].fields[0].pos, Pos::new(3, 25));
    }

    #[test]
    fn every_bad_line_is_reported() {
        let (document, diagnostics) = read("{\"record\": \"entty\"}\n[1]\n{\"id\": \"x\"}\nnot json\n\u{0}\n");
        assert!(document.records.is_empty());
        let lines: Vec<u64> = diagnostics.iter().map(|d| d.location.line).collect();
        assert_eq!(lines, [1, 2, 3, 4, 5]);
        assert!(diagnostics.to_string().contains("(did you mean `entity`?)"));
    }

    #[test]
    fn invalid_utf8_is_reported_with_its_column() {
        let mut diagnostics = Diagnostics::new();
        let bytes: &[u8] = b"{\"record\": \"entity\", \"id\": \"a\xff\"}\n";
        let mut collect = crate::input::Collect::default();
        read_lines(
            bytes,
            Path::new("kb.jsonl"),
            "kb.jsonl".to_owned(),
            Limits::default(),
            &mut diagnostics,
            &mut collect,
        )
        .unwrap();
        assert_eq!(
            diagnostics.to_string(),
            "kb.jsonl:1:30: invalid UTF-8; the input must be UTF-8 text"
        );
    }
}
