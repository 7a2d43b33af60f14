//! Readers for every input form of the contract, down to positioned raw records.
//!
//! A reader only knows syntax: it turns a JSON document, JSON Lines, or a folder of CSV
//! tables into [`RawRecord`]s whose every field and value keeps its line and column, and
//! reports syntax problems as diagnostics. What the fields mean is [`crate::model`]'s job.

mod csv;
pub mod gdelt;
mod json;
mod jsonl;
pub mod quotebank;

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Diagnostics, Error, Location, Result};

/// How an input is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputFormat {
    /// One JSON document with `sources`, `entities`, `statements`, `relations`.
    Json,
    /// One record per line, each with a `record` field.
    Jsonl,
    /// A folder of `entities.csv`, `statements.csv`, `sources.csv`, `relations.csv`.
    Csv,
    /// GDELT event files (2.0 export or 1.0), tab-separated.
    Gdelt,
    /// Quotebank quotations: JSON lines, or its pandas CSV re-export.
    Quotebank,
}

/// How importers treat what they may leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportOptions {
    /// GDELT: every event, not only the verbal ones (QuadClass 1 and 3).
    pub all_events: bool,
    /// Quotebank: keep quotations whose speaker is `"None"`.
    pub keep_unattributed: bool,
}

impl InputFormat {
    /// The format an input's path implies: a folder is CSV tables, else the extension.
    pub fn detect(path: &Path) -> Option<Self> {
        if path.is_dir() {
            return Some(Self::Csv);
        }
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let name = Compression::strip(&name);
        let first_line = || -> Option<Vec<u8>> {
            let mut line = Vec::new();
            BufReader::new(open_file(path).ok()?)
                .take(1 << 20)
                .read_until(b'\n', &mut line)
                .ok()?;
            Some(line)
        };
        match name.rsplit_once('.')?.1 {
            "json" | "jsonl" | "ndjson" if first_line().is_some_and(|l| quotebank::looks_like(&l)) => {
                Some(Self::Quotebank)
            }
            "json" => Some(Self::Json),
            "jsonl" | "ndjson" => Some(Self::Jsonl),
            "csv" | "tsv" | "txt" => {
                let line = first_line()?;
                if gdelt::looks_like(&line) {
                    Some(Self::Gdelt)
                } else if quotebank::looks_like(&line) {
                    Some(Self::Quotebank)
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

/// How an input file is compressed, by its extension. Compressed inputs are decoded
/// as a stream, never whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Compression {
    Gzip,
    Bzip2,
    Zstd,
}

impl Compression {
    const EXTENSIONS: [(&'static str, Self); 3] = [(".gz", Self::Gzip), (".bz2", Self::Bzip2), (".zst", Self::Zstd)];

    pub fn of(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        Self::EXTENSIONS
            .iter()
            .find(|(ext, _)| name.ends_with(ext))
            .map(|(_, c)| *c)
    }

    /// The name without a compression extension (`kb.jsonl.gz` → `kb.jsonl`).
    pub fn strip(name: &str) -> &str {
        Self::EXTENSIONS
            .iter()
            .find_map(|(ext, _)| name.strip_suffix(ext))
            .unwrap_or(name)
    }

    /// Wraps a reader of compressed bytes into one of the decoded bytes.
    pub fn decode<'a>(compression: Option<Self>, reader: impl Read + 'a) -> io::Result<Box<dyn Read + 'a>> {
        Ok(match compression {
            None => Box::new(reader),
            Some(Self::Gzip) => Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(reader))),
            Some(Self::Bzip2) => Box::new(bzip2::read::MultiBzDecoder::new(BufReader::new(reader))),
            Some(Self::Zstd) => Box::new(zstd::stream::read::Decoder::new(reader)?),
        })
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Json => "json",
            Self::Jsonl => "jsonl",
            Self::Csv => "csv",
            Self::Gdelt => "gdelt",
            Self::Quotebank => "quotebank",
        })
    }
}

/// One input as named on the command line: a path, or `-` for standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSpec {
    pub path: PathBuf,
    /// Overrides the format the path implies.
    pub format: Option<InputFormat>,
    /// Overrides the name messages use (a spooled copy of standard input is `<stdin>`).
    pub name: Option<String>,
    /// How importers treat what they may leave out.
    pub import: ImportOptions,
}

impl InputSpec {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            format: None,
            name: None,
            import: ImportOptions::default(),
        }
    }

    pub fn is_stdin(&self) -> bool {
        self.path.as_os_str() == "-"
    }

    /// The name diagnostics use for this input.
    pub fn display_name(&self) -> String {
        if let Some(name) = &self.name {
            name.clone()
        } else if self.is_stdin() {
            "<stdin>".to_owned()
        } else {
            self.path.display().to_string()
        }
    }

    /// The input's size in bytes (all tables of a CSV folder), if it is a file or folder.
    pub fn size(&self) -> Option<u64> {
        if self.is_stdin() {
            return None;
        }
        let metadata = std::fs::metadata(&self.path).ok()?;
        if metadata.is_file() {
            return Some(metadata.len());
        }
        let tables = RecordKind::ALL.iter().filter_map(|k| table_file(&self.path, *k));
        Some(tables.filter_map(|t| std::fs::metadata(t).ok()).map(|m| m.len()).sum())
    }

    /// The input's format, or a usage error saying how to give one.
    pub fn resolved_format(&self) -> Result<InputFormat> {
        if !self.is_stdin() && !self.path.exists() {
            return Err(Error::Usage(format!("{}: no such file or folder", self.path.display())));
        }
        if let Some(format) = self.format {
            return Ok(format);
        }
        if self.is_stdin() {
            return Err(Error::Usage(
                "standard input needs --input-format json, jsonl, gdelt or quotebank".to_owned(),
            ));
        }
        InputFormat::detect(&self.path).ok_or_else(|| {
            Error::Usage(format!(
                "{}: cannot tell the input format from the name; use a .json or .jsonl file, a folder of CSV tables, or --input-format",
                self.path.display()
            ))
        })
    }
}

/// A 1-based line and column within one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
}

impl Pos {
    pub fn new(line: u64, column: u64) -> Self {
        Self { line, column }
    }
}

/// The four kinds of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordKind {
    Source,
    Entity,
    Statement,
    Relation,
}

impl RecordKind {
    pub const ALL: [Self; 4] = [Self::Source, Self::Entity, Self::Statement, Self::Relation];

    /// The name used by JSON Lines' `record` field.
    pub fn name(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Entity => "entity",
            Self::Statement => "statement",
            Self::Relation => "relation",
        }
    }

    /// The name with its article, for messages: "an entity", "a statement".
    pub fn with_article(self) -> &'static str {
        match self {
            Self::Source => "a source",
            Self::Entity => "an entity",
            Self::Statement => "a statement",
            Self::Relation => "a relation",
        }
    }

    /// The list key of the JSON document and the CSV table's file stem.
    pub fn plural(self) -> &'static str {
        match self {
            Self::Source => "sources",
            Self::Entity => "entities",
            Self::Statement => "statements",
            Self::Relation => "relations",
        }
    }
}

/// A value as written, before it means anything.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    Null,
    Bool(bool),
    /// A JSON number, as written.
    Number(String),
    /// A JSON string or a CSV cell.
    String(String),
    List(Vec<(RawValue, Pos)>),
    Object(Vec<RawField>),
}

impl RawValue {
    /// What the value is, for messages such as "expected a string, found a list".
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "a boolean",
            Self::Number(_) => "a number",
            Self::String(_) => "a string",
            Self::List(_) => "a list",
            Self::Object(_) => "an object",
        }
    }
}

/// A field of a record: its name and value, each with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct RawField {
    pub name: String,
    pub pos: Pos,
    pub value: RawValue,
    pub value_pos: Pos,
}

/// One record as read: its kind, where it starts, and its fields in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRecord {
    pub kind: RecordKind,
    pub pos: Pos,
    pub fields: Vec<RawField>,
    /// CSV cells are all strings; numbers in them are read from text.
    pub from_csv: bool,
    /// Triples an importer adds beyond the contract's fields, already as RDF terms
    /// (never set by the contract's readers, so input cannot smuggle them in).
    pub extra: Vec<(oxigraph::model::NamedNode, oxigraph::model::Term)>,
    /// An importer's record that may come again (an actor of many events, a source of
    /// many quotations): later copies with the same id are dropped, not reported.
    pub repeatable: bool,
}

/// One input (or one CSV table) as a reader announces it before its records: its name
/// for messages, and its own `base` and `prefixes`.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub name: String,
    pub base: Option<(String, Pos)>,
    pub prefixes: Vec<(String, String, Pos)>,
}

/// Where readers deliver what they read, record by record, so that an input of any size
/// flows through without being held in memory.
pub trait Sink {
    /// A document starts; its records follow until the next `begin`.
    fn begin(&mut self, document: &Document, diagnostics: &mut Diagnostics);
    /// One record of the current document.
    fn record(&mut self, record: RawRecord, diagnostics: &mut Diagnostics);
    /// Whether records need their fields' positions. A sink that reads input already
    /// validated says no, and JSON Lines are then parsed by a faster parser that keeps
    /// no positions.
    fn needs_positions(&self) -> bool {
        true
    }
    /// An importer left out a row of its input, for this reason.
    fn skipped(&mut self, _reason: &'static str) {}
    /// A record read without positions, from a reader that can read it again with them.
    /// The sink takes it (`true`) only if it has nothing to report about it; `false` asks
    /// for the positioned record, which then comes through [`Sink::record`]. By default
    /// every record is asked for again.
    fn record_unpositioned(&mut self, _record: RawRecord) -> bool {
        false
    }
}

/// A sink that keeps everything: each document with its records.
#[derive(Debug, Default)]
pub struct Collect(pub Vec<(Document, Vec<RawRecord>)>);

impl Sink for Collect {
    fn begin(&mut self, document: &Document, _: &mut Diagnostics) {
        self.0.push((document.clone(), Vec::new()));
    }

    fn record(&mut self, record: RawRecord, _: &mut Diagnostics) {
        if let Some((_, records)) = self.0.last_mut() {
            records.push(record);
        }
    }
}

impl Document {
    pub fn location(&self, pos: Pos) -> Location {
        Location::new(self.name.clone(), pos.line, pos.column)
    }
}

/// Reads one input into `sink` (a CSV folder gives a document per table). Syntax
/// problems go to `diagnostics` and reading goes on, so one run reports the problems of
/// every input. An input that cannot be opened or read at all is an error.
pub fn read_into(spec: &InputSpec, diagnostics: &mut Diagnostics, sink: &mut dyn Sink) -> Result<()> {
    let format = spec.resolved_format()?;
    let name = spec.display_name();
    match format {
        InputFormat::Csv => {
            if spec.is_stdin() {
                return Err(Error::Usage(
                    "CSV tables are a folder; standard input takes json, jsonl, gdelt or quotebank".to_owned(),
                ));
            }
            csv::read_folder(&spec.path, diagnostics, sink)
        }
        InputFormat::Json => {
            let text = read_text(spec)?;
            json::read_document(&text, name, diagnostics, sink);
            Ok(())
        }
        InputFormat::Jsonl => jsonl::read_lines(open(spec)?, &spec.path, name, diagnostics, sink),
        InputFormat::Gdelt => gdelt::read(open(spec)?, &spec.path, name, spec.import, diagnostics, sink),
        InputFormat::Quotebank => {
            let mut reader = open(spec)?;
            let csv = reader
                .fill_buf()
                .map_err(|e| Error::io(&spec.path, e))?
                .starts_with(b"quoteID,");
            if csv {
                quotebank::read_csv(reader, name, spec.import, diagnostics, sink)
            } else {
                quotebank::read_lines(reader, &spec.path, name, spec.import, diagnostics, sink)
            }
        }
    }
}

/// Reads one input whole: each document with its records.
pub fn read(spec: &InputSpec, diagnostics: &mut Diagnostics) -> Result<Vec<(Document, Vec<RawRecord>)>> {
    let mut collect = Collect::default();
    read_into(spec, diagnostics, &mut collect)?;
    Ok(collect.0)
}

fn open(spec: &InputSpec) -> Result<Box<dyn BufRead>> {
    if spec.is_stdin() {
        return Ok(Box::new(BufReader::new(Counted(io::stdin()))));
    }
    Ok(Box::new(BufReader::with_capacity(1 << 16, open_file(&spec.path)?)))
}

/// Opens an input file, decompressing it if its name says it is compressed, and
/// counting the bytes read from disk for progress reports.
pub(crate) fn open_file(path: &Path) -> Result<Box<dyn Read>> {
    let file = File::open(path).map(Counted).map_err(|e| Error::io(path, e))?;
    Compression::decode(Compression::of(path), file).map_err(|e| Error::io(path, e))
}

/// The file of a CSV table in a folder, plain or compressed (`entities.csv.gz`).
pub(crate) fn table_file(folder: &Path, kind: RecordKind) -> Option<PathBuf> {
    let plain = folder.join(format!("{}.csv", kind.plural()));
    std::iter::once(plain.clone())
        .chain(
            Compression::EXTENSIONS
                .iter()
                .map(|(ext, _)| plain.with_extension(format!("csv{ext}"))),
        )
        .find(|path| path.is_file())
}

/// Bytes read from inputs by this process so far, for progress bars.
static BYTES_READ: AtomicU64 = AtomicU64::new(0);

/// How many bytes of input this process has read so far.
pub fn bytes_read() -> u64 {
    BYTES_READ.load(Ordering::Relaxed)
}

/// A reader that adds what it reads to [`bytes_read`].
#[derive(Debug)]
pub(crate) struct Counted<R>(R);

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        BYTES_READ.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn read_text(spec: &InputSpec) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open(spec)?
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(&spec.path, e))?;
    Ok(bytes)
}

/// Drops a UTF-8 byte order mark, which spreadsheet programs like to write.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Turns byte offsets of one text into 1-based lines and columns (columns count
/// characters, not bytes).
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    first_line: u64,
    /// In ASCII text a column is a byte offset; only other text needs counting.
    ascii: bool,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str, first_line: u64) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr_newlines(text));
        Self {
            text,
            starts,
            first_line,
            ascii: text.is_ascii(),
        }
    }

    pub(crate) fn pos(&self, offset: usize) -> Pos {
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let end = offset.min(self.text.len());
        let column = if self.ascii {
            end - start
        } else {
            self.text.get(start..end).map_or(end - start, |s| s.chars().count())
        };
        Pos::new(self.first_line + line as u64, column as u64 + 1)
    }
}

/// The offsets just after each newline.
fn memchr_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i + 1)
}

/// The closest of `candidates` to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&word.to_lowercase(), c), c))
        .filter(|&(d, c)| d <= 2.max(c.len() / 3))
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
}

/// " (did you mean `x`?)" or nothing.
pub fn suggestion<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(word, candidates).map_or_else(String::new, |c| format!(" (did you mean `{c}`?)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_characters_from_one() {
        let index = LineIndex::new("ab\n\u{00e9}\u{1F600}x\n", 1);
        assert_eq!(index.pos(0), Pos::new(1, 1));
        assert_eq!(index.pos(3), Pos::new(2, 1));
        // "é" is two bytes and "😀" four: x is the third character of line 2.
        assert_eq!(index.pos(3 + 2 + 4), Pos::new(2, 3));
    }

    #[test]
    fn suggestions_catch_typos_only() {
        assert_eq!(did_you_mean("speakr", ["speaker", "act"]), Some("speaker"));
        assert_eq!(did_you_mean("Quote", ["quote", "summary"]), Some("quote"));
        assert_eq!(did_you_mean("zzzzzz", ["speaker", "act"]), None);
    }

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(InputFormat::detect(Path::new("kb.json")), Some(InputFormat::Json));
        assert_eq!(InputFormat::detect(Path::new("kb.JSONL")), Some(InputFormat::Jsonl));
        assert_eq!(InputFormat::detect(Path::new("kb.txt")), None);
    }
}
