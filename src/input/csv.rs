//! CSV tables: a folder of `entities.csv`, `statements.csv`, `sources.csv` and
//! `relations.csv`, whose header row names the fields.
//!
//! Cells are strings; an empty cell is an absent field; list fields (`aliases`,
//! `same_as`, `addressees`, `about`) hold their items separated by `|`. Positions are the
//! row's line and the cell's column number.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Read;
use std::path::Path;
use std::rc::Rc;

use super::{Document, Limits, Pos, RawField, RawRecord, RawValue, RecordKind, RowLimit, Sink};
use crate::error::{Diagnostics, Error, Result};

/// Reads every table of the folder, each as a document of its own so that messages name
/// the table's file.
pub(super) fn read_folder(
    folder: &Path,
    limits: Limits,
    diagnostics: &mut Diagnostics,
    sink: &mut dyn Sink,
) -> Result<()> {
    let mut tables = 0;
    for kind in RecordKind::ALL {
        if let Some(path) = super::table_file(folder, kind) {
            tables += 1;
            read_table(super::open_file(&path)?, &path, kind, limits, diagnostics, sink)?;
        }
    }
    let folder_name = folder.display().to_string();
    let at_folder = |file: String| crate::error::Location::new(file, 1, 1);
    let entries = std::fs::read_dir(folder).map_err(|e| Error::io(folder, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(folder, e))?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = super::Compression::strip(&file_name).strip_suffix(".csv") else {
            continue;
        };
        if RecordKind::ALL.iter().all(|k| k.plural() != stem) {
            let tables = RecordKind::ALL.map(RecordKind::plural);
            let hint = super::suggestion(stem, tables);
            diagnostics.error(
                at_folder(folder.join(&file_name).display().to_string()),
                "",
                format!("unknown table{hint}; a CSV folder holds entities.csv, statements.csv, sources.csv and relations.csv"),
            );
        }
    }
    if tables == 0 {
        diagnostics.error(
            at_folder(folder_name),
            "",
            "no CSV tables here: expected entities.csv and statements.csv (and optionally sources.csv, relations.csv)",
        );
    }
    Ok(())
}

/// Reads one table from `file`; `path` names it in messages.
pub(super) fn read_table(
    file: impl Read,
    path: &Path,
    kind: RecordKind,
    limits: Limits,
    diagnostics: &mut Diagnostics,
    sink: &mut dyn Sink,
) -> Result<()> {
    let file_name = path.display().to_string();
    let document = Document {
        name: file_name.clone(),
        ..Document::default()
    };
    sink.begin(&document, diagnostics);
    let at = |pos: Pos| crate::error::Location::new(file_name.clone(), pos.line, pos.column);
    let newlines = Rc::new(RefCell::new(Newlines::default()));
    let file = RowLimit::new(file, limits.max_line);
    let row_start = Rc::clone(&file.row_start);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(NewlineTracker {
            inner: file,
            offset: 0,
            newlines: Rc::clone(&newlines),
        });
    let mut header: Option<Vec<String>> = None;
    let mut row = csv::ByteRecord::new();
    loop {
        row_start.set(reader.position().byte());
        match reader.read_byte_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) if e.is_io_error() => {
                return Err(match e.into_kind() {
                    csv::ErrorKind::Io(e) => Error::io(path, e),
                    other => Error::io(path, std::io::Error::other(format!("{other:?}"))),
                });
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| newlines.borrow_mut().line_of(p.byte()));
                diagnostics.push(crate::error::Diagnostic::new(
                    at(Pos::new(line, 1)),
                    "",
                    format!("invalid CSV: {e}"),
                ));
                continue;
            }
        }
        // The csv crate does not count blank lines; count them from byte offsets.
        let line = row.position().map_or(0, |p| newlines.borrow_mut().line_of(p.byte()));
        let mut cells = Vec::with_capacity(row.len());
        let mut valid = true;
        for (i, cell) in row.iter().enumerate() {
            let cell = if line == 1 && i == 0 {
                super::strip_bom(cell)
            } else {
                cell
            };
            match std::str::from_utf8(cell) {
                Ok(text) => cells.push(text.to_owned()),
                Err(_) => {
                    diagnostics.push(crate::error::Diagnostic::new(
                        at(Pos::new(line, i as u64 + 1)),
                        header.as_ref().and_then(|h| h.get(i)).map_or("", String::as_str),
                        "invalid UTF-8; the table must be UTF-8 text",
                    ));
                    valid = false;
                }
            }
        }
        if !valid {
            continue;
        }
        let Some(names) = &header else {
            check_header(&cells, kind, &file_name, diagnostics);
            header = Some(cells);
            continue;
        };
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if cells.len() != names.len() {
            diagnostics.push(crate::error::Diagnostic::new(
                at(Pos::new(line, 1)),
                "",
                format!(
                    "row has {} cells but the header has {} columns",
                    cells.len(),
                    names.len()
                ),
            ));
            continue;
        }
        let mut fields = Vec::new();
        for (i, (name, cell)) in names.iter().zip(cells).enumerate() {
            if cell.is_empty() || !crate::model::fields_of(kind).contains(&name.as_str()) {
                continue;
            }
            let pos = Pos::new(line, i as u64 + 1);
            let value = if crate::model::is_list_field(kind, name) {
                RawValue::List(
                    cell.split('|')
                        .map(str::trim)
                        .filter(|item| !item.is_empty())
                        .map(|item| (RawValue::String(item.to_owned()), pos))
                        .collect(),
                )
            } else {
                RawValue::String(cell)
            };
            fields.push(RawField {
                name: name.clone(),
                pos,
                value,
                value_pos: pos,
            });
        }
        sink.record(
            RawRecord {
                kind,
                pos: Pos::new(line, 1),
                fields,
                from_csv: true,
                extra: Vec::new(),
                repeatable: false,
            },
            diagnostics,
        );
    }
    Ok(())
}

/// Reports header cells that are not fields of the table's records, or repeated, once.
fn check_header(names: &[String], kind: RecordKind, file: &str, diagnostics: &mut Diagnostics) {
    let mut seen = std::collections::HashSet::new();
    for (i, name) in names.iter().enumerate() {
        let at = crate::error::Location::new(file, 1, i as u64 + 1);
        if !crate::model::fields_of(kind).contains(&name.as_str()) {
            diagnostics.error(at, name, crate::model::unknown_field(kind, name));
        } else if !seen.insert(name) {
            diagnostics.error(at, name, "column given twice");
        }
    }
}

/// The offsets of the line ends (`\r` and `\n`) read so far but not yet passed, and how
/// many lines were passed.
#[derive(Debug, Default)]
struct Newlines {
    pending: VecDeque<(u64, u8)>,
    passed: u64,
}

impl Newlines {
    /// The 1-based line of a record starting at a byte offset; offsets must come in
    /// increasing order. The csv crate puts a record after blank lines at the start of
    /// those blank lines, so line ends right at the start are skipped too.
    fn line_of(&mut self, byte: u64) -> u64 {
        let mut cursor = byte;
        while let Some(&(offset, end)) = self.pending.front() {
            if offset >= byte && offset != cursor {
                break;
            }
            if offset >= byte {
                cursor += 1;
            }
            if end == b'\n' {
                self.passed += 1;
            }
            self.pending.pop_front();
        }
        self.passed + 1
    }
}

/// Notes where newlines are as the csv reader pulls bytes through, so that rows get
/// their true line numbers in bounded memory.
struct NewlineTracker<R> {
    inner: R,
    offset: u64,
    newlines: Rc<RefCell<Newlines>>,
}

impl<R: Read> Read for NewlineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut newlines = self.newlines.borrow_mut();
        for (i, &b) in buf[..n]
            .iter()
            .enumerate()
            .filter(|(_, b)| matches!(**b, b'\n' | b'\r'))
        {
            newlines.pending.push_back((self.offset + i as u64, b));
        }
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Read {
        records: Vec<RawRecord>,
    }

    #[test]
    fn tables_become_positioned_records_with_lists_split() -> Result<()> {
        let folder = tempfile::tempdir().map_err(|e| Error::io("tmp", e))?;
        std::fs::write(
            folder.path().join("entities.csv"),
            "\u{feff}id,type,name,aliases\nputin,person,Vladimir Putin,Putin | President Putin\n\r\n\nkim,person,\"Kim,\nJong Un\",\nx,y,z,\r\n",
        )
        .map_err(|e| Error::io("tmp", e))?;
        let mut diagnostics = Diagnostics::new();
        let mut collect = crate::input::Collect::default();
        read_folder(folder.path(), Limits::default(), &mut diagnostics, &mut collect)?;
        let documents: Vec<_> = collect.0.into_iter().map(|(_, records)| Read { records }).collect();
        assert!(diagnostics.is_empty(), "{diagnostics}");
        let records = &documents[0].records;
        assert_eq!(records.len(), 3);
        assert_eq!(records[0].fields[0].name, "id");
        let aliases = &records[0].fields[3];
        assert_eq!(aliases.pos, Pos::new(2, 4));
        assert_eq!(
            aliases.value,
            RawValue::List(vec![
                (RawValue::String("Putin".into()), aliases.pos),
                (RawValue::String("President Putin".into()), aliases.pos)
            ])
        );
        assert_eq!(records[1].pos.line, 5);
        assert_eq!(records[2].pos.line, 7, "a quoted newline is a line too");
        assert_eq!(records[1].fields.len(), 3, "empty cells are absent fields");
        Ok(())
    }

    #[test]
    fn unknown_tables_and_ragged_rows_are_reported() -> Result<()> {
        let folder = tempfile::tempdir().map_err(|e| Error::io("tmp", e))?;
        std::fs::write(folder.path().join("statement.csv"), "id\n").map_err(|e| Error::io("tmp", e))?;
        std::fs::write(folder.path().join("entities.csv"), "id,name\na\n").map_err(|e| Error::io("tmp", e))?;
        let mut diagnostics = Diagnostics::new();
        read_folder(
            folder.path(),
            Limits::default(),
            &mut diagnostics,
            &mut crate::input::Collect::default(),
        )?;
        let text = diagnostics.to_string();
        assert!(
            text.contains("entities.csv:2:1: row has 1 cells but the header has 2 columns"),
            "{text}"
        );
        assert!(
            text.contains("statement.csv:1:1: unknown table (did you mean `statements`?)"),
            "{text}"
        );
        Ok(())
    }
}
