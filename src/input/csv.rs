//! CSV tables: a folder of `entities.csv`, `statements.csv`, `sources.csv` and
//! `relations.csv`, whose header row names the fields.
//!
//! Cells are strings; an empty cell is an absent field; list fields (`aliases`,
//! `same_as`, `addressees`, `about`) hold their items separated by `|`. Positions are the
//! row's line and the cell's column number.

use std::cell::RefCell;
use std::io::Read;
use std::path::Path;
use std::rc::Rc;

use super::{Document, Limits, Pos, RawField, RawRecord, RawValue, RowLimit, Sink};
use crate::error::{Diagnostics, Error, Result};
use crate::terms::{self, RecordKind};

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
            let hint = terms::suggestion(stem, tables);
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
    let recent = Rc::new(RefCell::new(Recent::default()));
    let file = RowLimit::new(file, limits.max_line);
    let row_start = Rc::clone(&file.row_start);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(CSV_BUFFER)
        .from_reader(RecentBytes {
            inner: file,
            recent: Rc::clone(&recent),
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
                let line = e.position().map_or(0, csv::Position::line);
                diagnostics.push(crate::error::Diagnostic::new(
                    at(Pos::new(line, 1)),
                    "",
                    format!("invalid CSV: {e}"),
                ));
                continue;
            }
        }
        let line = first_line(&row, reader.position(), &recent.borrow());
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
            if header.is_none() {
                // No row can be read without the header; what is wrong with it is said.
                return Ok(());
            }
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
            if cell.is_empty() || !terms::fields_of(kind).contains(&name.as_str()) {
                continue;
            }
            let pos = Pos::new(line, i as u64 + 1);
            let value = if terms::is_list_field(kind, name) {
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
        if !terms::fields_of(kind).contains(&name.as_str()) {
            diagnostics.error(at, name, terms::unknown_field(kind, name));
        } else if !seen.insert(name) {
            diagnostics.error(at, name, "column given twice");
        }
    }
}

/// The csv reader's buffer: it reads at most this far ahead of what it has parsed.
const CSV_BUFFER: usize = 8 << 10;

/// The line a row starts on. The csv crate counts every `\n` it consumes, but a row's
/// position is where the previous one ended, before any blank lines; so the row's first
/// line is counted back from where it ends: less the line ends inside its (quoted) cells,
/// less the one that ended it, if it ended with `\n` (not at the end of the input, nor
/// with a `\r` whose `\n` the next row consumes, nor at the end of the input, where a
/// last `\n` is inside an unclosed quote). Memory stays constant however many lines a
/// row or a run of blank lines spans.
fn first_line(row: &csv::ByteRecord, end: &csv::Position, recent: &Recent) -> u64 {
    let start = row.position().map_or(1, csv::Position::line);
    let inside = row.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
    // The reader meets the end of the input only when a row needs more than there is.
    let ended = !recent.at_end
        && end
            .byte()
            .checked_sub(1)
            .and_then(|last| recent.byte_at(last))
            .is_some_and(|b| b == b'\n');
    end.line().saturating_sub(inside + u64::from(ended)).max(start)
}

/// The last bytes the csv reader pulled through, by offset in the input: enough to look
/// at the byte that ended a row, which is at most the reader's buffer behind.
struct Recent {
    ring: Vec<u8>,
    /// The offset just after the last byte read.
    end: u64,
    /// The end of the input was met.
    at_end: bool,
}

impl Default for Recent {
    fn default() -> Self {
        Self {
            ring: vec![0; 4 * CSV_BUFFER],
            end: 0,
            at_end: false,
        }
    }
}

impl Recent {
    fn byte_at(&self, offset: u64) -> Option<u8> {
        let size = self.ring.len() as u64;
        (offset < self.end && self.end - offset <= size).then(|| self.ring[(offset % size) as usize])
    }

    fn push(&mut self, bytes: &[u8]) {
        let size = self.ring.len() as u64;
        for &b in bytes {
            self.ring[(self.end % size) as usize] = b;
            self.end += 1;
        }
    }
}

/// Notes the bytes the csv reader pulls through ([`Recent`]).
struct RecentBytes<R> {
    inner: R,
    recent: Rc<RefCell<Recent>>,
}

impl<R: Read> Read for RecentBytes<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut recent = self.recent.borrow_mut();
        recent.push(&buf[..n]);
        recent.at_end |= n == 0 && !buf.is_empty();
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Read {
        records: Vec<RawRecord>,
    }

    /// A header that is not UTF-8 is the one problem reported. (The next row was read as
    /// the header, and gave an unknown field for each of its cells.)
    #[test]
    fn a_header_that_is_not_utf8_stops_the_table() -> Result<()> {
        let mut diagnostics = Diagnostics::new();
        let mut collect = crate::input::Collect::default();
        let text = b"id,n\xffame\nputin,Vladimir Putin\nkim,Kim\n";
        read_table(
            &text[..],
            Path::new("entities.csv"),
            RecordKind::Entity,
            Limits::default(),
            &mut diagnostics,
            &mut collect,
        )?;
        assert_eq!(
            diagnostics.to_string(),
            "entities.csv:1:2: invalid UTF-8; the table must be UTF-8 text"
        );
        assert!(collect.0.iter().all(|(_, records)| records.is_empty()));
        Ok(())
    }

    /// Rows keep their lines after blank lines, quoted line ends, CRLF and lone CR line
    /// ends, and without a final line end.
    #[test]
    fn rows_start_on_their_true_lines() -> Result<()> {
        let lines = |text: &str| -> Result<Vec<u64>> {
            let mut diagnostics = Diagnostics::new();
            let mut collect = crate::input::Collect::default();
            let path = Path::new("entities.csv");
            read_table(
                text.as_bytes(),
                path,
                RecordKind::Entity,
                Limits::default(),
                &mut diagnostics,
                &mut collect,
            )?;
            assert!(diagnostics.is_empty(), "{diagnostics}");
            Ok(collect
                .0
                .into_iter()
                .flat_map(|(_, records)| records)
                .map(|r| r.pos.line)
                .collect())
        };
        assert_eq!(lines("id,name\na,A\nb,B")?, [2, 3]);
        assert_eq!(lines("id,name\n\n\n\na,A\n\nb,B\n\n")?, [5, 7]);
        assert_eq!(lines("id,name\r\n\r\na,A\r\n\r\n\r\nb,B\r\n")?, [3, 6]);
        assert_eq!(lines("id,name\na,\"A\n\nA\"\nb,\"B\r\nB\"\r\nc,C")?, [2, 5, 7]);
        assert_eq!(lines("id,name\r\n\r\na,\"A\r\nA\"\r\n\r\nb,B")?, [3, 6]);
        // An unclosed quote runs to the end of the input, its last line end inside it.
        assert_eq!(lines("id,name\n\n\na,\"A\n")?, [4]);
        Ok(())
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
