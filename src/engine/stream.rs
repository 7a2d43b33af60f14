//! The streamed path: inputs of any size to N-Triples, N-Quads or Turtle, or into an
//! on-disk store, without holding the statements in memory.
//!
//! Two passes over the inputs keep both promises of the contract: the first ([`check`])
//! validates every record and registers every id (memory grows with the ids, not with
//! the statements) and reports every problem before anything is written; the second
//! reads again and maps. Inputs are made [`Rereadable`] first. In the second pass one
//! thread parses and maps while the others serialise its batches on every core, the
//! calling thread writing them in order (or bulk-loads them).
//!
//! Streamed output keeps the input's order, one block per record, so the same input
//! still gives the same bytes; it is written with the same mapping and the same Turtle
//! block writer as the sorted output ([`crate::export`]), so both are the same graph.

use std::io::{self, Seek, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use oxigraph::io::RdfFormat;
use oxigraph::model::{GraphName, GraphNameRef, NamedOrBlankNode, Quad, Triple};

use crate::error::{Diagnostics, Error, Result};
use crate::export::{self, PrefixTracker};
use crate::input::{self, Document, InputSpec, RawRecord, Sink};
use crate::mapping::{self, RdfVersion};
use crate::resolve::{KnownIds, Resolver};
use crate::store::Tallies;

use super::ReadOptions;
pub use super::rereadable::Rereadable;
use super::sink::{Context, Keep, Tally, check_all, is_repeat};

/// Triples per batch handed from the mapping thread to the writer.
const BATCH: usize = 8192;

/// The first pass: every input validated and every id registered, or every problem.
pub fn check(inputs: &[InputSpec], options: &ReadOptions, store: &dyn KnownIds) -> Result<(Resolver, Tally)> {
    let (_, resolver, tally) = check_all(options, store, Keep::Nothing, |diagnostics, sink| {
        inputs
            .iter()
            .try_for_each(|spec| input::read_into(spec, diagnostics, sink))
    })?;
    Ok((resolver, tally))
}

/// Maps records to triples and sends them on in batches: the second pass.
struct Map<'r> {
    resolver: &'r Resolver,
    base_override: Option<String>,
    context: Option<Context>,
    record: Vec<Triple>,
    batch: Vec<Triple>,
    sender: SyncSender<(usize, Vec<Triple>)>,
    /// The input being read, whose triples the batches are tagged with.
    input: usize,
    /// Records mapped, per input.
    records: Vec<u64>,
    /// Per input, whether a record gave a triple of a property `load` counts to another
    /// subject than its own node (a relation `x sg:speaker y`): the tally, which counts
    /// each record's blocks, cannot count that input's graph exactly.
    uncounted: Vec<bool>,
    /// The receiver is gone (the writer failed): stop mapping.
    closed: bool,
    /// Ids of repeatable records already mapped, as the first pass kept only the first.
    repeated: std::collections::HashSet<(crate::terms::RecordKind, String)>,
    /// RDF 1.2 adds each relation's reifier to its record's triples.
    rdf: RdfVersion,
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
        // The first pass kept only the first of each repeatable record.
        if is_repeat(&raw, |kind, id| !self.repeated.insert((kind, id.to_owned()))) {
            return;
        }
        let mut ignored = Diagnostics::new();
        let Some(record) = context.validator().record(raw, &mut ignored) else {
            return;
        };
        mapping::map_record(&record, &context.base, self.resolver, &mut self.record);
        if self.records.len() <= self.input {
            self.records.resize(self.input + 1, 0);
            self.uncounted.resize(self.input + 1, false);
        }
        self.records[self.input] += 1;
        // Only a record's own node gets its triples from it alone. A statement gives
        // triples to itself only (`mapping`), so most records need no look.
        if record.kind() != crate::terms::RecordKind::Statement {
            let own = crate::resolve::mint(&context.base, record.kind(), record.id());
            let elsewhere = |t: &Triple| !matches!(&t.subject, NamedOrBlankNode::NamedNode(n) if *n == own);
            if self
                .record
                .iter()
                .any(|t| Tallies::counts(t.predicate.as_ref()) && elsewhere(t))
            {
                self.uncounted[self.input] = true;
            }
        }
        // A relation's triples all come from its record: its reifier can be made here.
        self.rdf.complete(&mut self.record);
        // One block per subject within the record, `rdf:type` first.
        export::sort(&mut self.record);
        self.batch.append(&mut self.record);
        if self.batch.len() >= BATCH {
            self.flush();
        }
    }
}

impl<'r> Map<'r> {
    fn new(
        resolver: &'r Resolver,
        base_override: Option<String>,
        sender: SyncSender<(usize, Vec<Triple>)>,
        rdf: RdfVersion,
    ) -> Self {
        Self {
            resolver,
            base_override,
            context: None,
            record: Vec::new(),
            batch: Vec::with_capacity(BATCH + 64),
            sender,
            input: 0,
            records: Vec::new(),
            uncounted: Vec::new(),
            closed: false,
            repeated: std::collections::HashSet::new(),
            rdf,
        }
    }

    fn flush(&mut self) {
        if !self.batch.is_empty() && !self.closed {
            let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH + 64));
            self.closed = self.sender.send((self.input, batch)).is_err();
        }
    }

    /// The next input starts: the batch so far goes, tagged with the last.
    fn start_input(&mut self, input: usize) {
        self.flush();
        self.input = input;
    }
}

/// The batches of triples the second pass sends, and whether it sent them all.
struct Batches<'a> {
    receiver: Receiver<(usize, Vec<Triple>)>,
    complete: &'a AtomicBool,
    records: &'a std::sync::Mutex<Vec<u64>>,
    uncounted: &'a std::sync::Mutex<Vec<bool>>,
}

impl<'a> Batches<'a> {
    /// The batches with the index of the input each comes from, for a thread of its own.
    fn into_tagged(self) -> impl Iterator<Item = (usize, Vec<Triple>)> + Send + 'a {
        self.receiver.into_iter()
    }

    /// The batches with the index of the input each comes from.
    fn tagged(&self) -> impl Iterator<Item = (usize, Vec<Triple>)> + '_ {
        self.receiver.iter()
    }

    /// Once the batches have run out: whether the mapping ran to the end of every input,
    /// rather than stopping on an error.
    fn complete(&self) -> bool {
        self.complete.load(Ordering::SeqCst)
    }

    /// Once the batches have run out: the inputs whose graph's counts the tally cannot
    /// keep exactly (see `Map::uncounted`).
    fn uncounted(&self) -> Vec<bool> {
        self.uncounted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Once the batches have run out: how many records each input mapped to.
    fn records(&self) -> Vec<u64> {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// Runs the second pass on a thread of its own, handing batches of triples to
/// `consume` on this one.
fn map_in_parallel<T>(
    inputs: &[InputSpec],
    options: &ReadOptions,
    resolver: &Resolver,
    rdf: RdfVersion,
    consume: impl FnOnce(Batches<'_>) -> Result<T>,
) -> Result<T> {
    let base_override = options.base_override()?;
    let (sender, receiver) = sync_channel(4);
    let complete = &AtomicBool::new(false);
    let records = &std::sync::Mutex::new(Vec::new());
    let uncounted = &std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        let producer = scope.spawn(move || -> Result<()> {
            let mut map = Map::new(resolver, base_override, sender, rdf);
            let mut ignored = Diagnostics::new();
            for (i, spec) in inputs.iter().enumerate() {
                map.start_input(i);
                input::read_into(spec, &mut ignored, &mut map)?;
            }
            map.flush();
            // Before the sender goes with `map`: a consumer that sees the channel close
            // then knows whether it got everything.
            let mut mapped = std::mem::take(&mut map.records);
            mapped.resize(inputs.len(), 0);
            *records.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = mapped;
            let mut spoiled = std::mem::take(&mut map.uncounted);
            spoiled.resize(inputs.len(), false);
            *uncounted.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = spoiled;
            complete.store(!map.closed, Ordering::SeqCst);
            Ok(())
        });
        let consumed = consume(Batches {
            receiver,
            complete,
            records,
            uncounted,
        });
        let produced = producer
            .join()
            .unwrap_or_else(|_| Err(Error::Internal("the mapping thread panicked".to_owned())));
        match (consumed, produced) {
            (Ok(value), Ok(())) => Ok(value),
            // What stopped the mapping explains a consumer that refused what it got.
            (Err(Error::MappingIncomplete), Err(error)) => Err(error),
            // A writer error explains a producer that stopped early, so it comes first.
            (Err(error), _) | (Ok(_), Err(error)) => Err(error),
        }
    })
}

/// Streams validated inputs to N-Triples, N-Quads or Turtle, in RDF 1.1 or 1.2; returns
/// the triple count.
pub fn write(
    rereadable: &Rereadable,
    options: &ReadOptions,
    resolver: &Resolver,
    format: RdfFormat,
    rdf: RdfVersion,
    out: &mut dyn Write,
) -> Result<usize> {
    write_in_graphs(rereadable, options, resolver, format, rdf, None, out)
}

/// [`write`], with each input's triples in its graph (`graphs[i]` for input `i`) when
/// `graphs` are given and the format has graphs (N-Quads).
pub fn write_in_graphs(
    rereadable: &Rereadable,
    options: &ReadOptions,
    resolver: &Resolver,
    format: RdfFormat,
    rdf: RdfVersion,
    graphs: Option<&[GraphName]>,
    out: &mut dyn Write,
) -> Result<usize> {
    let written = write_mapped(&rereadable.inputs, options, resolver, format, rdf, graphs, out);
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
    rdf: RdfVersion,
    graphs: Option<&[GraphName]>,
    out: &mut dyn Write,
) -> Result<usize> {
    let io_error = |e| Error::io(crate::error::Place::Output, e);
    if format == RdfFormat::Turtle {
        // The prelude lists only the prefixes used, known only at the end: the body goes to
        // a temporary file first, and the serialising threads keep the tally.
        let prefixes = crate::vocab::prefixes_for(&resolver.bases());
        let (count, mut body, tracker) = map_in_parallel(inputs, options, resolver, rdf, |batches| {
            write_turtle_body(batches, &prefixes)
        })?;
        let used = tracker.used();
        export::write_prelude(&used, out).map_err(io_error)?;
        body.rewind().map_err(io_error)?;
        io::copy(&mut body, out).map_err(io_error)?;
        return Ok(count);
    }
    let graphs = graphs.filter(|_| format.supports_datasets());
    let count = map_in_parallel(inputs, options, resolver, rdf, |batches| {
        let mut count = 0;
        // Lines stand alone: each batch is serialised on a worker, written in order.
        let job = |(input, batch): (usize, Vec<Triple>)| {
            let graph = graphs.map_or(GraphNameRef::DefaultGraph, |graphs| graphs[input].as_ref());
            let bytes = export::serialize_chunk(format, &[], &batch, graph).map_err(io_error)?;
            Ok((batch.len(), bytes))
        };
        export::in_order_streamed(batches.into_tagged(), job, |(triples, bytes)| {
            count += triples;
            out.write_all(&bytes).map_err(io_error)
        })?;
        out.flush().map_err(io_error)?;
        Ok(count)
    })?;
    Ok(count)
}

/// Turtle's body, in input order, into a temporary file; with the prefixes it uses.
fn write_turtle_body<'p>(
    batches: Batches<'_>,
    prefixes: &'p [(String, String)],
) -> Result<(usize, std::fs::File, PrefixTracker<'p>)> {
    // The body's temporary file is not the output: its errors name the folder it is in.
    let io_error = |e| Error::io(std::env::temp_dir(), e);
    let mut body = tempfile::tempfile().map_err(io_error)?;
    let candidates: Vec<(&str, &str)> = prefixes.iter().map(|(p, n)| (p.as_str(), n.as_str())).collect();
    let mut file = io::BufWriter::with_capacity(1 << 16, &mut body);
    let mut joiner = export::Joiner::new(RdfFormat::Turtle);
    let mut count = 0;
    let mut tracker = PrefixTracker::new(prefixes);
    // Each batch's subject blocks are serialised on a worker (no subject is cut between
    // two batches), which also notes the prefixes they use, and joined in order as one
    // serializer would have written them.
    let job = |batch: Vec<Triple>| {
        let mut used = PrefixTracker::new(prefixes);
        batch.iter().for_each(|triple| used.note(triple));
        let bytes = export::serialize_chunk(RdfFormat::Turtle, &candidates, &batch, GraphNameRef::DefaultGraph)
            .map_err(io_error)?;
        Ok((batch.len(), bytes, used))
    };
    let batches = export::regroup(batches.into_tagged().map(|(_, batch)| batch));
    export::in_order_streamed(batches, job, |(triples, bytes, used)| {
        count += triples;
        tracker.merge(&used);
        joiner.write(&bytes, &mut file).map_err(io_error)
    })?;
    file.flush().map_err(io_error)?;
    drop(file);
    Ok((count, body, tracker))
}

/// Streams validated inputs into a store's bulk loader, each input's triples into its
/// graph (`graphs[i]` for input `i`), followed by the quads `metadata` makes of how many
/// records and triples each input gave and of the counts tallied of each graph as its
/// triples went by (`store::Tallies`); returns the triples per input. The load commits
/// only if the mapping read every input to its end and no input changed since it was
/// validated; otherwise nothing is added.
pub fn load(
    rereadable: &Rereadable,
    options: &ReadOptions,
    resolver: &Resolver,
    store: &crate::store::GraphStore,
    graphs: &[GraphName],
    metadata: impl FnOnce(&[u64], &[usize], &Tallies) -> Vec<Quad>,
) -> Result<Vec<usize>> {
    let counts = map_in_parallel(&rereadable.inputs, options, resolver, RdfVersion::Rdf11, |batches| {
        let counts = std::cell::RefCell::new(vec![0; graphs.len()]);
        let tallies = std::cell::RefCell::new(Tallies::default());
        let data = batches.tagged().flat_map(|(input, batch)| {
            counts.borrow_mut()[input] += batch.len();
            let graph = graphs[input].clone();
            tallies.borrow_mut().add(&graph, &batch);
            batch.into_iter().map(move |t| t.in_graph(graph.clone()))
        });
        let described = std::iter::once_with(|| {
            let mut tallies = tallies.borrow_mut();
            for (input, uncounted) in batches.uncounted().into_iter().enumerate() {
                if uncounted {
                    tallies.give_up(&graphs[input]);
                }
            }
            metadata(&batches.records(), &counts.borrow(), &tallies)
        })
        .flatten();
        store.load_quads_if(data.chain(described), || {
            if !batches.complete() {
                return Err(Error::MappingIncomplete);
            }
            rereadable.unchanged()
        })?;
        Ok(counts.into_inner())
    })
    .map_err(|error| rereadable.unchanged().err().unwrap_or(error))?;
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::sink::{Checker, Checking};
    use crate::input::{Pos, RawField, RawValue};
    use crate::resolve::NoStore;
    use crate::terms::RecordKind;

    /// An importer's entity that may come again, with `id` as its id.
    fn repeatable_entity(id: RawValue, name: &str, line: u64) -> RawRecord {
        let field = |name: &str, value| RawField {
            name: name.to_owned(),
            pos: Pos::new(line, 1),
            value,
            value_pos: Pos::new(line, 1),
        };
        RawRecord {
            kind: RecordKind::Entity,
            pos: Pos::new(line, 1),
            fields: vec![
                field("id", id),
                field("type", RawValue::String("person".to_owned())),
                field("name", RawValue::String(name.to_owned())),
            ],
            from_csv: false,
            extra: Vec::new(),
            repeatable: true,
        }
    }

    /// The one repeated-record rule, pinned: an id is a string or a number, as the
    /// validator reads ids (`"id": 42` is the id `42`), and a repeatable record whose id
    /// was taken is dropped by the checking pass and by the mapping pass alike, so the
    /// sorted and the streamed output hold the same triples.
    #[test]
    fn repeated_records_are_dropped_in_both_passes_whether_their_id_is_a_string_or_a_number() -> Result<()> {
        let document = Document {
            name: "events.csv".to_owned(),
            ..Document::default()
        };
        for id in [RawValue::String("42".to_owned()), RawValue::Number("42".to_owned())] {
            let records = [
                repeatable_entity(id.clone(), "First", 1),
                repeatable_entity(id, "Again", 2),
            ];

            let mut checker = Checker::new(&ReadOptions::default(), &NoStore)?;
            let mut diagnostics = Diagnostics::new();
            let mut checking = Checking::new(&mut checker, Keep::Records);
            checking.begin(&document, &mut diagnostics);
            for record in records.clone() {
                checking.record(record, &mut diagnostics);
            }
            let parts = checking.into_parts();
            let (resolver, tally) = checker.finish(diagnostics)?;
            assert_eq!(tally.entities, 1);
            assert_eq!(parts[0].records.len(), 1);
            assert_eq!(parts[0].records[0].id(), "42");
            let mut sorted = Vec::new();
            mapping::map_record(&parts[0].records[0], &parts[0].base, &resolver, &mut sorted);
            export::sort(&mut sorted);

            let (sender, receiver) = sync_channel(4);
            let mut map = Map::new(&resolver, None, sender, RdfVersion::Rdf11);
            let mut ignored = Diagnostics::new();
            map.begin(&document, &mut ignored);
            for record in records {
                map.record(record, &mut ignored);
            }
            map.flush();
            drop(map);
            let streamed: Vec<Triple> = receiver.iter().flat_map(|(_, batch)| batch).collect();
            assert_eq!(streamed, sorted);
        }
        Ok(())
    }
}
