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
            // A named pipe can be read once: its first line is not the detector's to take.
            if !path.metadata().ok()?.is_file() {
                return None;
            }
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

/// How large the parts of an input may be, so that hostile input (a line of a gigabyte, a
/// document with no end) is refused with a clear error in bounded memory instead of
/// exhausting it. Everything else is streamed, or grows with what the input defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest line of JSON Lines, GDELT and Quotebank inputs, and the longest row of
    /// a CSV table, in bytes (after decompression).
    pub max_line: u64,
    /// The largest JSON document, in bytes (after decompression). A JSON document is read
    /// whole; larger knowledge bases belong in JSON Lines, which is streamed.
    pub max_document: u64,
}

impl Limits {
    /// 64 MiB.
    pub const DEFAULT_MAX_LINE: u64 = 64 << 20;
    /// 256 MiB.
    pub const DEFAULT_MAX_DOCUMENT: u64 = 256 << 20;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line: Self::DEFAULT_MAX_LINE,
            max_document: Self::DEFAULT_MAX_DOCUMENT,
        }
    }
}

/// Parses a size in bytes: a number, optionally followed by `K`, `M` or `G` (powers of
/// 1024, with or without `iB`/`B`).
pub fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let text = text.trim();
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => {
            return Err(format!(
                "{text:?} is not a size; expected bytes, or a number with K, M or G"
            ));
        }
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("{text:?} is not a size; expected bytes, or a number with K, M or G"))
}

/// What [`read_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line {
    /// The end of the input.
    End,
    /// A line, now in the buffer with its line end.
    Read,
    /// A line longer than the limit, of this many bytes: skipped without being kept.
    TooLong(u64),
}

/// Reads a line through its `\n` into `buffer` (cleared first), unless it is longer than
/// `max` bytes: then the rest of it is skipped in bounded memory.
pub(crate) fn read_line(reader: &mut impl BufRead, buffer: &mut Vec<u8>, max: u64) -> io::Result<Line> {
    buffer.clear();
    let read = reader.by_ref().take(max.saturating_add(1)).read_until(b'\n', buffer)?;
    if read == 0 {
        return Ok(Line::End);
    }
    let content = buffer.strip_suffix(b"\n").map_or(buffer.len(), <[u8]>::len);
    if content as u64 <= max {
        return Ok(Line::Read);
    }
    let mut length = buffer.len() as u64;
    buffer.clear();
    buffer.shrink_to(1 << 16);
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            break;
        }
        match available.iter().position(|&b| b == b'\n') {
            Some(end) => {
                reader.consume(end + 1);
                length += end as u64;
                break;
            }
            None => {
                let n = available.len();
                reader.consume(n);
                length += n as u64;
            }
        }
    }
    Ok(Line::TooLong(length))
}

/// The message for a line over the limit.
pub(crate) fn too_long(what: &str, length: u64, max: u64) -> String {
    format!(
        "{what} of {length} bytes is longer than the limit of {max} bytes; \
         split it, or raise the limit with --max-line"
    )
}

/// A reader that refuses to go on past `max` bytes beyond the start of the current CSV
/// row (which its user sets after each row), so that a row of a gigabyte is an error
/// rather than a gigabyte in memory.
#[derive(Debug)]
pub(crate) struct RowLimit<R> {
    inner: R,
    offset: u64,
    pub(crate) row_start: std::rc::Rc<std::cell::Cell<u64>>,
    max: u64,
}

impl<R> RowLimit<R> {
    pub(crate) fn new(inner: R, max: u64) -> Self {
        Self {
            inner,
            offset: 0,
            row_start: std::rc::Rc::default(),
            max,
        }
    }
}

impl<R: Read> Read for RowLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let length = self.offset - self.row_start.get().min(self.offset);
        if length > self.max {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "a row longer than the limit of {} bytes (an unclosed quote?); raise the limit with --max-line",
                    self.max
                ),
            ));
        }
        let n = self.inner.read(buf)?;
        self.offset += n as u64;
        Ok(n)
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
    /// How large the input's lines and documents may be.
    pub limits: Limits,
}

impl InputSpec {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            format: None,
            name: None,
            import: ImportOptions::default(),
            limits: Limits::default(),
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
    if format == InputFormat::Csv {
        if spec.is_stdin() {
            return Err(Error::Usage(
                "CSV tables are a folder; standard input takes json, jsonl, gdelt or quotebank".to_owned(),
            ));
        }
        return csv::read_folder(&spec.path, spec.limits, diagnostics, sink);
    }
    let source = Source {
        path: &spec.path,
        name: spec.display_name(),
        import: spec.import,
        limits: spec.limits,
    };
    read_stream(format, open(spec)?, &source, diagnostics, sink)
}

/// Runs the reader of `format` on `bytes`, as if they were a file of that format named
/// `name`: the entry point of the fuzz targets (`fuzz/`), and of anything else that holds
/// its input in memory. CSV tables are read by [`read_csv_table`]. The default
/// [`Limits`] apply.
pub fn read_bytes(
    format: InputFormat,
    bytes: &[u8],
    name: &str,
    import: ImportOptions,
    diagnostics: &mut Diagnostics,
    sink: &mut dyn Sink,
) -> Result<()> {
    if format == InputFormat::Csv {
        return Err(Error::Usage(
            "CSV tables are a folder; read each table with read_csv_table".to_owned(),
        ));
    }
    let source = Source {
        path: Path::new(name),
        name: name.to_owned(),
        import,
        limits: Limits::default(),
    };
    read_stream(format, bytes, &source, diagnostics, sink)
}

/// Reads `bytes` as the CSV table of `kind` records (`entities.csv` for entities), named
/// `name` in messages.
pub fn read_csv_table(
    kind: RecordKind,
    bytes: &[u8],
    name: &str,
    diagnostics: &mut Diagnostics,
    sink: &mut dyn Sink,
) -> Result<()> {
    csv::read_table(bytes, Path::new(name), kind, Limits::default(), diagnostics, sink)
}

/// Where a stream of input comes from: the path I/O errors name, the name diagnostics
/// use, what importers may leave out, and the limits.
struct Source<'a> {
    path: &'a Path,
    name: String,
    import: ImportOptions,
    limits: Limits,
}

/// Reads one input of any form but CSV tables from a stream.
fn read_stream(
    format: InputFormat,
    mut reader: impl BufRead,
    source: &Source<'_>,
    diagnostics: &mut Diagnostics,
    sink: &mut dyn Sink,
) -> Result<()> {
    let (path, name) = (source.path, source.name.clone());
    match format {
        InputFormat::Csv => Err(Error::Usage("CSV tables are a folder, not a stream".to_owned())),
        InputFormat::Json => {
            let max = source.limits.max_document;
            let mut bytes = Vec::new();
            reader
                .take(max.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(|e| Error::io(path, e))?;
            if bytes.len() as u64 > max {
                return Err(Error::io(
                    path,
                    io::Error::new(
                        io::ErrorKind::FileTooLarge,
                        format!(
                            "a JSON document longer than the limit of {max} bytes; write large \
                             knowledge bases as JSON Lines, which are streamed, or raise the limit \
                             with --max-document"
                        ),
                    ),
                ));
            }
            json::read_document(&bytes, name, diagnostics, sink);
            Ok(())
        }
        InputFormat::Jsonl => jsonl::read_lines(reader, path, name, source.limits, diagnostics, sink),
        InputFormat::Gdelt => gdelt::read(reader, path, name, source.import, source.limits, diagnostics, sink),
        InputFormat::Quotebank => {
            let csv = strip_bom(reader.fill_buf().map_err(|e| Error::io(path, e))?).starts_with(b"quoteID,");
            if csv {
                quotebank::read_csv(reader, path, name, source.import, source.limits, diagnostics, sink)
            } else {
                quotebank::read_lines(reader, path, name, source.import, source.limits, diagnostics, sink)
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
    fn sizes_take_units() {
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("512 KiB"), Ok(512 << 10));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert_eq!(parse_size("100"), Ok(100));
        for bad in ["", "0", "M", "1T", "-1", "99999999999G"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn long_lines_are_skipped_whole_and_reading_goes_on() -> io::Result<()> {
        let text = b"12345\n123456\n1234567890123\r\nabc";
        let mut reader = BufReader::with_capacity(4, &text[..]);
        let mut buffer = Vec::new();
        let mut lines = Vec::new();
        loop {
            match read_line(&mut reader, &mut buffer, 6)? {
                Line::End => break,
                Line::Read => lines.push(String::from_utf8_lossy(&buffer).into_owned()),
                Line::TooLong(n) => lines.push(format!("too long: {n}")),
            }
        }
        assert_eq!(lines, ["12345\n", "123456\n", "too long: 14", "abc"]);
        Ok(())
    }

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(InputFormat::detect(Path::new("kb.json")), Some(InputFormat::Json));
        assert_eq!(InputFormat::detect(Path::new("kb.JSONL")), Some(InputFormat::Jsonl));
        assert_eq!(InputFormat::detect(Path::new("kb.txt")), None);
    }
}
