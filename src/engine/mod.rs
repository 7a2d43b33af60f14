//! The engine: reading a knowledge base and turning it into RDF, by one of two paths
//! that give the same graph.
//!
//! - The sorted path ([`KnowledgeBase`], `kb`) holds every record in memory and writes
//!   the graph globally sorted, mapping the records again subject by subject rather
//!   than holding their triples ([`crate::export::write_units`]).
//! - The streamed path ([`stream`]) reads inputs of any size twice, validating first and
//!   mapping second, and writes in input order, one block per record.
//!
//! Both read through the one checking sink (`sink`: the same validation, the same
//! repeated-record rule, the same fast parser), map with [`crate::mapping`] and write
//! Turtle with the same block writer, so they agree by construction. Which path a
//! `convert` takes is decided here alone ([`should_stream`]), and each input's format is
//! detected once and carried (`with_formats`). [`validate`], [`convert`] and [`load`]
//! are what the commands call.

mod datasets;
mod kb;
mod load;
mod rereadable;
mod sink;
pub mod stream;

use oxigraph::io::RdfFormat;

use crate::error::{Error, Result};
use crate::export;
use crate::input::{InputFormat, InputSpec};
use crate::mapping::RdfVersion;
use crate::output::Output;
use crate::progress::Progress;
use crate::resolve::{self, NoStore};
use crate::store;
use crate::vocab::prefixes_for;

pub use kb::KnowledgeBase;
pub use load::{Fate, LoadOptions, load};
pub use rereadable::Rereadable;
pub use sink::Tally;

/// How to read inputs.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Overrides every input's `base`.
    pub base: Option<String>,
    /// The dataset every input is in (`--graph NAME`), instead of one per input named
    /// after it; it names the graph `load` puts the data in, and `convert` to TriG or
    /// N-Quads.
    pub graph: Option<String>,
}

impl ReadOptions {
    /// The `--base` override, checked and normalised.
    pub fn base_override(&self) -> Result<Option<String>> {
        self.base
            .as_deref()
            .map(|base| resolve::normalize_base(base).map_err(Error::Usage))
            .transpose()
    }
}

/// Inputs up to this many bytes in all are converted in memory and sorted; larger
/// JSON Lines, CSV, GDELT and Quotebank inputs are streamed in input order.
pub const SORT_LIMIT: u64 = 8 << 20;

/// The order `convert` writes triples in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Order {
    /// Sorted for inputs up to 8 MiB, `SORT_LIMIT` (and for JSON documents and formats other
    /// than N-Triples, N-Quads and Turtle); input order, streamed, above it.
    #[default]
    Auto,
    /// Sorted, whatever the size: every record is held in memory (not its triples).
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

/// Each input with its format detected once, for every later reading to carry: files
/// and folders whose format can be told. The rest are left to the reader, which gives
/// the error where reading meets it, or detects a named pipe by its name alone (it can
/// be read once; a rereadable copy of it is a file, detected in its turn).
pub(crate) fn with_formats(inputs: impl IntoIterator<Item = InputSpec>) -> Vec<InputSpec> {
    inputs
        .into_iter()
        .map(|mut spec| {
            let detectable = !spec.is_stdin() && std::fs::metadata(&spec.path).is_ok_and(|m| m.is_file() || m.is_dir());
            if spec.format.is_none() && detectable {
                spec.format = spec.resolved_format().ok();
            }
            spec
        })
        .collect()
}

/// What a run read, and how many triples it wrote or loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub tally: Tally,
    pub triples: usize,
}

/// Reads and checks the inputs, writing nothing: the streamed path's first pass.
pub fn validate(inputs: &[InputSpec], options: &ReadOptions) -> Result<Tally> {
    let inputs = Rereadable::new(inputs)?;
    let (_, tally) = stream::check(&inputs.inputs, options, &NoStore)?;
    Ok(tally)
}

/// Inputs to RDF in one step, by the path [`should_stream`] chooses, in RDF 1.1 or 1.2
/// (`rdf`: a format that cannot carry it is refused before anything is read); the
/// ontology's triples too with `with_ontology` (which takes the sorted path).
pub fn convert(
    inputs: &[InputSpec],
    options: &ReadOptions,
    format: RdfFormat,
    rdf: RdfVersion,
    with_ontology: bool,
    order: Order,
    output: &Output,
) -> Result<Run> {
    rdf.check_format(format)?;
    let inputs = with_formats(inputs.iter().cloned());
    if !with_ontology && should_stream(&inputs, format, order) {
        let inputs = Rereadable::new(&inputs)?;
        let progress = Progress::bytes("checking", total_size(&inputs.inputs).map(|s| 2 * s));
        let (resolver, tally, graphs) = if format.supports_datasets() {
            let (resolver, tally, graphs) = load::check_with_graphs(&inputs.inputs, options)?;
            (resolver, tally, Some(graphs))
        } else {
            let (resolver, tally) = stream::check(&inputs.inputs, options, &NoStore)?;
            (resolver, tally, None)
        };
        if let Some(progress) = &progress {
            progress.stage("writing");
        }
        let mut triples = 0;
        output.write_with(|out| {
            triples = stream::write_in_graphs(&inputs, options, &resolver, format, rdf, graphs.as_deref(), out)?;
            Ok(())
        })?;
        return Ok(Run { tally, triples });
    }
    let kb = KnowledgeBase::read(&inputs, options, &NoStore)?;
    let prefixes = prefixes_for(&kb.bases());
    let datasets = format.supports_datasets();
    // Without graphs in the format, the ontology's graph joins the union.
    let extra = if with_ontology {
        store::ontology_quads()?
    } else {
        Vec::new()
    };
    let units = kb.units(options, datasets, extra)?;
    let mut triples = 0;
    output.write_with(|out| {
        triples = export::write_units(&units, units.graphs(), rdf, format, &prefixes, out)?;
        Ok(())
    })?;
    Ok(Run {
        tally: kb.tally().clone(),
        triples: triples - units.extra_len(),
    })
}
