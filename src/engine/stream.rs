//! The streaming path: inputs of any size to N-Triples, N-Quads or Turtle, or into an
//! on-disk store, without holding the statements in memory.
//!
//! Two passes over the inputs keep both promises of the contract: the first validates
//! every record and registers every id (memory grows with the ids, not with the
//! statements) and reports every problem before anything is written; the second reads
//! again and maps. Standard input is spooled to a temporary file so it can be read twice.
//! In the second pass one thread parses and maps while the calling thread serialises or
//! bulk-loads, so both cores work.
//!
//! Streamed output keeps the input's order, one block per record, so the same input
//! still gives the same bytes. Small inputs (all inputs together under [`SORT_LIMIT`])
//! take the in-memory path instead and come out globally sorted. JSON documents are
//! never streamed: they are parsed whole.

use std::io::{self, Seek, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use oxigraph::io::{RdfFormat, RdfSerializer, WriterQuadSerializer};
use oxigraph::model::{GraphNameRef, Triple};

use crate::error::{Diagnostics, Error, Result};
use crate::export::{self, PrefixTracker};
use crate::input::{self, Document, InputFormat, InputSpec, RawRecord, Sink};
use crate::kb::{Checker, Context, ReadOptions, Tally};
use crate::mapping;
use crate::resolve::{KnownIds, Resolver};

/// Inputs up to this many bytes in all are converted in memory and sorted; larger
/// JSON Lines, CSV, GDELT and Quotebank inputs are streamed in input order.
pub const SORT_LIMIT: u64 = 8 << 20;

/// Triples per batch handed from the mapping thread to the writer.
const BATCH: usize = 8192;

/// The order `convert` writes triples in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Order {
    /// Sorted for inputs up to [`SORT_LIMIT`] (and for JSON documents and formats other
    /// than N-Triples, N-Quads and Turtle); input order, streamed, above it.
    #[default]
    Auto,
    /// Sorted, whatever the size: the whole graph is held in memory.
    Sorted,
    /// Input order, streamed, for JSON Lines, CSV, GDELT and Quotebank inputs to
    /// N-Triples, N-Quads or Turtle (JSON documents and other formats are sorted).
    Input,
}

/// Whether `convert` should stream, given the order asked for.
pub fn should_stream(inputs: &[InputSpec], format: RdfFormat, order: Order) -> bool {
    let streamable_format = matches!(format, RdfFormat::NTriples | RdfFormat::NQuads | RdfFormat::Turtle);
    let streamable_input = inputs.iter().all(|i| {
        matches!(
            i.resolved_format(),
            Ok(InputFormat::Jsonl | InputFormat::Csv | InputFormat::Gdelt | InputFormat::Quotebank)
        )
    });
    let large = || total_size(inputs).is_none_or(|size| size > SORT_LIMIT);
    streamable_format
        && streamable_input
        && match order {
            Order::Auto => large(),
            Order::Sorted => false,
            Order::Input => true,
        }
}

/// The size of all inputs together, if every one has a size.
pub fn total_size(inputs: &[InputSpec]) -> Option<u64> {
    inputs.iter().map(InputSpec::size).sum()
}

/// Inputs that can be read twice: standard input, and any input that is not a file or a
/// folder (a named pipe, `<(zcat kb.jsonl.gz)`), is copied to a temporary file. Files
/// and the files of folders are noted (size and modification time) so that a change
/// between or during the passes is found: [`Rereadable::unchanged`].
#[derive(Debug)]
pub struct Rereadable {
    pub inputs: Vec<InputSpec>,
    _spool: Option<tempfile::NamedTempFile>,
    _copies: Vec<tempfile::TempDir>,
    /// Per input read: the stamps of its file, or of its folder's tables.
    stamps: Vec<(std::path::PathBuf, Vec<(std::path::PathBuf, Stamp)>)>,
}

/// A file's size and modification time.
type Stamp = (u64, Option<std::time::SystemTime>);

impl Rereadable {
    pub fn new(inputs: &[InputSpec]) -> Result<Self> {
        let mut spool = None;
        let mut copies = Vec::new();
        let mut specs = Vec::with_capacity(inputs.len());
        for spec in inputs {
            if spec.is_stdin() {
                let format = spec.resolved_format()?;
                let mut file = tempfile::NamedTempFile::new().map_err(|e| Error::io("<stdin>", e))?;
                io::copy(&mut io::stdin().lock(), &mut file).map_err(|e| Error::io("<stdin>", e))?;
                specs.push(InputSpec {
                    path: file.path().to_owned(),
                    format: Some(format),
                    name: Some("<stdin>".to_owned()),
                    import: spec.import,
                    limits: spec.limits,
                });
                spool = Some(file);
            } else if std::fs::metadata(&spec.path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
                // Under the same name, so that the format still follows from it.
                let name = spec.display_name();
                let io_error = |e| Error::io(&spec.path, e);
                let folder = tempfile::tempdir().map_err(io_error)?;
                let copy = folder
                    .path()
                    .join(spec.path.file_name().unwrap_or(std::ffi::OsStr::new("input")));
                let mut source = std::fs::File::open(&spec.path).map_err(io_error)?;
                let mut target = std::fs::File::create(&copy).map_err(io_error)?;
                io::copy(&mut source, &mut target).map_err(io_error)?;
                specs.push(InputSpec {
                    path: copy,
                    name: Some(name),
                    ..spec.clone()
                });
                copies.push(folder);
            } else {
                specs.push(spec.clone());
            }
        }
        let stamps = specs
            .iter()
            .map(|spec| (spec.path.clone(), stamps(&spec.path)))
            .collect();
        Ok(Self {
            inputs: specs,
            _spool: spool,
            _copies: copies,
            stamps,
        })
    }

    /// An error naming the first input that changed (grew, shrank, was rewritten or
    /// removed, or a folder that gained or lost a table) since it was first read: the
    /// passes would disagree.
    pub fn unchanged(&self) -> Result<()> {
        for (input, before) in &self.stamps {
            let now = stamps(input);
            if now != *before {
                // The file that changed or went, else the table that came.
                let missing = |from: &[(std::path::PathBuf, Stamp)], to: &[(std::path::PathBuf, Stamp)]| {
                    from.iter()
                        .find(|stamp| !to.contains(stamp))
                        .map(|(path, _)| path.clone())
                };
                let path = missing(before, &now)
                    .or_else(|| missing(&now, before))
                    .unwrap_or_else(|| input.clone());
                return Err(Error::InputChanged { path });
            }
        }
        Ok(())
    }
}

/// The stamps of a file, or of the CSV tables of a folder (`*.csv`, compressed or not).
fn stamps(path: &std::path::Path) -> Vec<(std::path::PathBuf, Stamp)> {
    let stamp = |path: &std::path::Path| {
        std::fs::metadata(path)
            .ok()
            .filter(std::fs::Metadata::is_file)
            .map(|m| (path.to_owned(), (m.len(), m.modified().ok())))
    };
    if path.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .filter_map(|entry| {
                let entry = entry.ok()?;
                entry
                    .file_name()
                    .to_string_lossy()
                    .contains(".csv")
                    .then(|| stamp(&entry.path()))?
            })
            .collect();
        files.sort();
        files
    } else {
        stamp(path).into_iter().collect()
    }
}

/// Validates records and forgets them: the first pass.
struct Validate<'c, 's> {
    checker: &'c mut Checker<'s>,
}

impl Sink for Validate<'_, '_> {
    fn skipped(&mut self, reason: &'static str) {
        *self.checker.tally.skipped.entry(reason).or_default() += 1;
    }

    fn begin(&mut self, document: &Document, diagnostics: &mut Diagnostics) {
        self.checker.begin(document, diagnostics);
    }

    fn record(&mut self, record: RawRecord, diagnostics: &mut Diagnostics) {
        self.checker.check(record, diagnostics);
    }

    fn record_unpositioned(&mut self, record: RawRecord) -> bool {
        self.checker.check_unpositioned(record)
    }
}

/// The first pass: every input validated and every id registered, or every problem.
pub fn check(inputs: &[InputSpec], options: &ReadOptions, store: &dyn KnownIds) -> Result<(Resolver, Tally)> {
    let mut checker = Checker::new(options, store)?;
    let mut diagnostics = Diagnostics::new();
    for spec in inputs {
        input::read_into(spec, &mut diagnostics, &mut Validate { checker: &mut checker })?;
    }
    checker.finish(diagnostics)
}

/// Maps records to triples and sends them on in batches: the second pass.
struct Map<'r> {
    resolver: &'r Resolver,
    base_override: Option<String>,
    context: Option<Context>,
    record: Vec<Triple>,
    batch: Vec<Triple>,
    sender: SyncSender<Vec<Triple>>,
    /// The receiver is gone (the writer failed): stop mapping.
    closed: bool,
    /// Ids of repeatable records already mapped, as the first pass kept only the first.
    repeated: std::collections::HashSet<(input::RecordKind, String)>,
    /// For Turtle: the prefixes the triples use, noted here to spare the writer thread.
    tracker: Option<PrefixTracker<'r>>,
}

impl Sink for Map<'_> {
    fn needs_positions(&self) -> bool {
        false
    }

    fn begin(&mut self, document: &Document, _: &mut Diagnostics) {
        // The first pass reported any problem with the document.
        let mut ignored = Diagnostics::new();
        self.context = Some(Context::of(document, self.base_override.as_deref(), &mut ignored));
    }

    fn record(&mut self, raw: RawRecord, _: &mut Diagnostics) {
        let Some(context) = &self.context else { return };
        if self.closed {
            return;
        }
        if raw.repeatable {
            let id = raw.fields.iter().find(|f| f.name == "id").and_then(|f| match &f.value {
                input::RawValue::String(id) => Some(id.clone()),
                _ => None,
            });
            if let Some(id) = id
                && !self.repeated.insert((raw.kind, id))
            {
                return;
            }
        }
        let mut ignored = Diagnostics::new();
        let Some(record) = context.validator().record(raw, &mut ignored) else {
            return;
        };
        mapping::map_record(&record, &context.base, self.resolver, &mut self.record);
        // One block per subject within the record, `rdf:type` first.
        export::sort(&mut self.record);
        if let Some(tracker) = &mut self.tracker {
            for triple in &self.record {
                tracker.note(triple);
            }
        }
        self.batch.append(&mut self.record);
        if self.batch.len() >= BATCH {
            self.flush();
        }
    }
}

impl Map<'_> {
    fn flush(&mut self) {
        if !self.batch.is_empty() && !self.closed {
            let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH + 64));
            self.closed = self.sender.send(batch).is_err();
        }
    }
}

/// The batches of triples the second pass sends, and whether it sent them all.
struct Batches<'a> {
    receiver: Receiver<Vec<Triple>>,
    complete: &'a AtomicBool,
}

impl Batches<'_> {
    fn iter(&self) -> impl Iterator<Item = Vec<Triple>> + '_ {
        self.receiver.iter()
    }

    /// Once the batches have run out: whether the mapping ran to the end of every input,
    /// rather than stopping on an error.
    fn complete(&self) -> bool {
        self.complete.load(Ordering::SeqCst)
    }
}

/// Runs the second pass on a thread of its own, handing batches of triples to
/// `consume` on this one. With `track`, the mapping thread also notes which of these
/// prefixes Turtle would use, and returns them (by name) beside `consume`'s value.
fn map_in_parallel<T>(
    inputs: &[InputSpec],
    options: &ReadOptions,
    resolver: &Resolver,
    track: Option<&[(String, String)]>,
    consume: impl FnOnce(Batches<'_>) -> Result<T>,
) -> Result<(T, Vec<(String, String)>)> {
    let base_override = options.base_override()?;
    let (sender, receiver) = sync_channel(4);
    let complete = &AtomicBool::new(false);
    std::thread::scope(|scope| {
        let producer = scope.spawn(move || -> Result<Vec<(String, String)>> {
            let mut map = Map {
                resolver,
                base_override,
                context: None,
                record: Vec::new(),
                batch: Vec::with_capacity(BATCH + 64),
                sender,
                closed: false,
                repeated: std::collections::HashSet::new(),
                tracker: track.map(PrefixTracker::new),
            };
            let mut ignored = Diagnostics::new();
            for spec in inputs {
                input::read_into(spec, &mut ignored, &mut map)?;
            }
            map.flush();
            // Before the sender goes with `map`: a consumer that sees the channel close
            // then knows whether it got everything.
            complete.store(!map.closed, Ordering::SeqCst);
            Ok(map.tracker.map_or_else(Vec::new, |tracker| {
                tracker
                    .used()
                    .into_iter()
                    .map(|(p, n)| (p.to_owned(), n.to_owned()))
                    .collect()
            }))
        });
        let consumed = consume(Batches { receiver, complete });
        let produced = producer
            .join()
            .unwrap_or_else(|_| Err(Error::Usage("the mapping thread panicked".to_owned())));
        match (consumed, produced) {
            (Ok(value), Ok(used)) => Ok((value, used)),
            // What stopped the mapping explains a consumer that refused what it got.
            (Err(Error::MappingIncomplete), Err(error)) => Err(error),
            // A writer error explains a producer that stopped early, so it comes first.
            (Err(error), _) | (Ok(_), Err(error)) => Err(error),
        }
    })
}

/// Streams validated inputs to N-Triples, N-Quads or Turtle; returns the triple count.
pub fn write(
    rereadable: &Rereadable,
    options: &ReadOptions,
    resolver: &Resolver,
    format: RdfFormat,
    out: &mut dyn Write,
) -> Result<usize> {
    let written = write_mapped(&rereadable.inputs, options, resolver, format, out);
    // A changed input may have mapped without an error, to something validation never
    // saw, or failed in a way validation did not foresee: either way, the change is why.
    rereadable.unchanged()?;
    written
}

fn write_mapped(
    inputs: &[InputSpec],
    options: &ReadOptions,
    resolver: &Resolver,
    format: RdfFormat,
    out: &mut dyn Write,
) -> Result<usize> {
    let io_error = |e| Error::io(crate::output::UNNAMED, e);
    if format == RdfFormat::Turtle {
        // The prelude lists only the prefixes used, known only at the end: the body goes to
        // a temporary file first, and the mapping thread keeps the tally.
        let prefixes = crate::commands::prefixes_for(&resolver.bases());
        let ((count, mut body), used) = map_in_parallel(inputs, options, resolver, Some(&prefixes), |batches| {
            write_turtle_body(&batches, &prefixes)
        })?;
        let used: Vec<(&str, &str)> = used.iter().map(|(p, n)| (p.as_str(), n.as_str())).collect();
        export::write_prelude(&used, out).map_err(io_error)?;
        body.rewind().map_err(io_error)?;
        io::copy(&mut body, out).map_err(io_error)?;
        return Ok(count);
    }
    let (count, _) = map_in_parallel(inputs, options, resolver, None, |batches| {
        let mut writer = RdfSerializer::from_format(format).for_writer(out);
        let count = serialize(&batches, &mut writer, io_error)?;
        writer.finish().map_err(io_error)?;
        Ok(count)
    })?;
    Ok(count)
}

/// Turtle's body, in input order, into a temporary file.
fn write_turtle_body(batches: &Batches<'_>, prefixes: &[(String, String)]) -> Result<(usize, std::fs::File)> {
    // The body's temporary file is not the output: its errors name the folder it is in.
    let io_error = |e| Error::io(std::env::temp_dir(), e);
    let mut body = tempfile::tempfile().map_err(io_error)?;
    let mut serializer = RdfSerializer::from_format(RdfFormat::Turtle);
    for (prefix, namespace) in prefixes {
        serializer = serializer
            .with_prefix(prefix, namespace)
            .map_err(|e| Error::Usage(format!("prefix {prefix}: {e}")))?;
    }
    let count = {
        let mut writer = serializer.for_writer(export::Blocks::new(io::BufWriter::with_capacity(1 << 16, &mut body)));
        let count = serialize(batches, &mut writer, io_error)?;
        writer.finish().map_err(io_error)?.flush().map_err(io_error)?;
        count
    };
    Ok((count, body))
}

/// Writes every batch's triples, in the default graph; returns how many.
fn serialize<W: Write>(
    batches: &Batches<'_>,
    writer: &mut WriterQuadSerializer<W>,
    io_error: impl Fn(io::Error) -> Error,
) -> Result<usize> {
    let mut count = 0;
    for batch in batches.iter() {
        count += batch.len();
        for triple in &batch {
            writer
                .serialize_quad(triple.as_ref().in_graph(GraphNameRef::DefaultGraph))
                .map_err(&io_error)?;
        }
    }
    Ok(count)
}

/// Streams validated inputs into a store's bulk loader; returns the triple count. The
/// load commits only if the mapping read every input to its end and no input changed
/// since it was validated; otherwise nothing is added.
pub fn load(
    rereadable: &Rereadable,
    options: &ReadOptions,
    resolver: &Resolver,
    store: &crate::store::GraphStore,
) -> Result<usize> {
    let (count, _) = map_in_parallel(&rereadable.inputs, options, resolver, None, |batches| {
        let mut count = 0;
        let quads = batches.iter().flat_map(|batch| {
            count += batch.len();
            batch.into_iter().map(|t| t.in_graph(GraphNameRef::DefaultGraph))
        });
        store.load_quads_if(quads, || {
            if !batches.complete() {
                return Err(Error::MappingIncomplete);
            }
            rereadable.unchanged()
        })?;
        Ok(count)
    })
    .map_err(|error| rereadable.unchanged().err().unwrap_or(error))?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_that_change_between_the_passes_are_found() -> std::result::Result<(), Box<dyn std::error::Error>> {
        let folder = tempfile::tempdir()?;
        let file = folder.path().join("kb.jsonl");
        std::fs::write(&file, "{}\n")?;
        let tables = folder.path().join("tables");
        std::fs::create_dir(&tables)?;
        std::fs::write(tables.join("entities.csv"), "id,name\n")?;
        let inputs = Rereadable::new(&[InputSpec::new(&file), InputSpec::new(&tables)])?;
        inputs.unchanged()?;

        std::fs::write(&file, "{}\n{}\n")?;
        assert!(matches!(inputs.unchanged(), Err(Error::InputChanged { path }) if path == file));
        let inputs = Rereadable::new(&[InputSpec::new(&file), InputSpec::new(&tables)])?;
        std::fs::remove_file(tables.join("entities.csv"))?;
        assert!(matches!(inputs.unchanged(), Err(Error::InputChanged { path }) if path == tables.join("entities.csv")));

        // A table that appears is a change; another file in the folder is not.
        let inputs = Rereadable::new(&[InputSpec::new(&tables)])?;
        std::fs::write(tables.join("notes.txt"), "notes")?;
        inputs.unchanged()?;
        std::fs::write(tables.join("relations.csv.gz"), "")?;
        assert!(
            matches!(inputs.unchanged(), Err(Error::InputChanged { path }) if path == tables.join("relations.csv.gz"))
        );
        Ok(())
    }
}
