//! A run's knowledge base in memory: every input read, validated and resolved through
//! the checking sink ([`super::sink`]) with its records kept, or every problem found in
//! them. Only input without a single problem gets past it, so nothing downstream can
//! write half of a bad input. This is the sorted path, and what `export`, `query` and
//! `link` read inputs with.

use std::io::Write;

use oxigraph::io::RdfFormat;
use oxigraph::model::{GraphName, Quad, Triple};

use crate::error::{Diagnostics, Result};
use crate::export;
use crate::input::{InputSpec, Sink};
use crate::mapping::{self, RdfVersion};
use crate::model::Record;
use crate::resolve::{KnownIds, Resolver};
use crate::vocab::prefixes_for;

use super::ReadOptions;
use super::sink::{Keep, Tally, check_all};

/// One input's validated records, with the base its IRIs are minted from.
#[derive(Debug, Clone)]
pub struct Part {
    /// The input's name, as its document is named in messages.
    pub name: String,
    pub base: String,
    /// Each record boxed: the list grows by doubling, and a record is large (hundreds of
    /// bytes), so growing a list of pointers keeps the peak of a big input near what it holds.
    #[expect(
        clippy::vec_box,
        reason = "a record is hundreds of bytes: growing a list of them doubles the peak"
    )]
    pub records: Vec<Box<Record>>,
}

/// Every record of a run, valid and resolved, held in memory.
#[derive(Debug)]
pub struct KnowledgeBase {
    pub(crate) parts: Vec<Part>,
    pub(crate) resolver: Resolver,
    tally: Tally,
    /// Per part: the input it was read from, and its base (empty for input read from
    /// memory).
    documents: Vec<(usize, String)>,
    /// The inputs, for their datasets' names (empty for input read from memory).
    inputs: Vec<InputSpec>,
}

impl KnowledgeBase {
    /// Reads, validates and resolves `inputs`. References may also name records `store`
    /// holds. Every problem of every input is reported together.
    pub fn read(inputs: &[InputSpec], options: &ReadOptions, store: &dyn KnownIds) -> Result<Self> {
        let base_override = options.base_override()?;
        let mut documents = Vec::new();
        let mut kb = Self::read_with(options, store, |diagnostics, sink| {
            documents = super::datasets::read_tracked(inputs, base_override, diagnostics, sink)?;
            Ok(())
        })?;
        kb.documents = documents;
        kb.inputs = inputs.to_vec();
        Ok(kb)
    }

    /// Validates and resolves what `feed` reads into the sink it is given, as
    /// [`read`](Self::read) does for files: for input held in memory, such as
    /// [`input::read_bytes`] reads.
    pub(crate) fn read_with(
        options: &ReadOptions,
        store: &dyn KnownIds,
        feed: impl FnOnce(&mut Diagnostics, &mut dyn Sink) -> Result<()>,
    ) -> Result<Self> {
        let (parts, resolver, tally) = check_all(options, store, Keep::Records, feed)?;
        Ok(Self {
            parts,
            resolver,
            tally,
            documents: Vec::new(),
            inputs: Vec::new(),
        })
    }

    /// The knowledge base as triples, in input order.
    pub fn triples(&self) -> Vec<Triple> {
        let mut triples = Vec::new();
        for part in &self.parts {
            for record in &part.records {
                mapping::map_record(record, &part.base, &self.resolver, &mut triples);
            }
        }
        triples
    }

    /// The knowledge base as quads, each input's triples in its dataset's graph (as
    /// `load` would put them), in input order.
    pub fn quads(&self, options: &ReadOptions) -> Result<Vec<Quad>> {
        let specs = if self.inputs.is_empty() {
            vec![InputSpec::new("-")]
        } else {
            self.inputs.clone()
        };
        let plan = super::datasets::Plan::new(&specs, options.graph.as_deref())?;
        let graphs = super::load::input_graphs(&plan, &self.documents, specs.len(), options)?;
        let mut quads = Vec::new();
        let mut triples = Vec::new();
        for (i, part) in self.parts.iter().enumerate() {
            let input = self.documents.get(i).map_or(0, |(input, _)| *input);
            for record in &part.records {
                mapping::map_record(record, &part.base, &self.resolver, &mut triples);
            }
            quads.extend(triples.drain(..).map(|t| t.in_graph(graphs[input].clone())));
        }
        Ok(quads)
    }

    /// The knowledge base as `export::Units`, record by record, for
    /// `export::write_units` to write sorted without holding its triples: with
    /// `datasets`, each input's records in its dataset's graph (as [`quads`](Self::quads)
    /// puts them), else all in the default graph; then `extra` (the ontology, say), which
    /// the triple count leaves out (`RecordUnits::extra_len`).
    pub fn units(&self, options: &ReadOptions, datasets: bool, extra: Vec<Quad>) -> Result<RecordUnits<'_>> {
        let mut graphs = vec![GraphName::DefaultGraph];
        let mut part_graphs = vec![0; self.parts.len()];
        if datasets {
            let specs = if self.inputs.is_empty() {
                vec![InputSpec::new("-")]
            } else {
                self.inputs.clone()
            };
            let plan = super::datasets::Plan::new(&specs, options.graph.as_deref())?;
            graphs = super::load::input_graphs(&plan, &self.documents, specs.len(), options)?;
            for (i, graph) in part_graphs.iter_mut().enumerate() {
                *graph = self.documents.get(i).map_or(0, |(input, _)| *input);
            }
        }
        let mut starts = Vec::with_capacity(self.parts.len());
        let mut records = 0;
        for part in &self.parts {
            starts.push(records);
            records += part.records.len();
        }
        // The extra triples by graph, then subject: one unit per run of one subject.
        let mut extra: Vec<(usize, Triple)> = extra
            .into_iter()
            .map(|quad| {
                let graph = quad.graph_name.clone();
                let index = graphs.iter().position(|g| *g == graph).unwrap_or_else(|| {
                    graphs.push(graph);
                    graphs.len() - 1
                });
                (index, Triple::from(quad))
            })
            .collect();
        extra.sort_by_cached_key(|(graph, triple)| (*graph, triple.subject.to_string()));
        let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
        for i in 0..extra.len() {
            match runs.last_mut() {
                Some(run) if extra[run.start].0 == extra[i].0 && extra[run.start].1.subject == extra[i].1.subject => {
                    run.end = i + 1;
                }
                _ => runs.push(i..i + 1),
            }
        }
        Ok(RecordUnits {
            kb: self,
            starts,
            part_graphs,
            records,
            graphs,
            extra,
            runs,
        })
    }

    /// How many records of each kind: sources, entities, statements, relations.
    pub fn counts(&self) -> [usize; 4] {
        let Tally {
            sources,
            entities,
            statements,
            relations,
            ..
        } = self.tally;
        [sources, entities, statements, relations]
    }

    /// What was read, and what importers left out.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// Writes the knowledge base in `format`, sorted, as `convert` writes a small input:
    /// Turtle and TriG declare the prefixes they use, the inputs' own among them.
    pub fn write(&self, format: RdfFormat, out: &mut dyn Write) -> Result<()> {
        let units = self.units(&ReadOptions::default(), false, Vec::new())?;
        export::write_units(
            &units,
            units.graphs(),
            RdfVersion::Rdf11,
            format,
            &prefixes_for(&self.bases()),
            out,
        )?;
        Ok(())
    }

    /// The bases the inputs mint with, first first, without repeats.
    pub fn bases(&self) -> Vec<String> {
        self.resolver.bases()
    }
}

/// A knowledge base's records, then extra triples a subject at a time, as
/// [`export::Units`] ([`KnowledgeBase::units`]).
#[derive(Debug)]
pub struct RecordUnits<'k> {
    kb: &'k KnowledgeBase,
    /// Where each part's records start among the units.
    starts: Vec<usize>,
    /// Each part's graph, an index into `graphs`.
    part_graphs: Vec<usize>,
    records: usize,
    graphs: Vec<GraphName>,
    /// The extra triples with their graphs, and the runs of one subject among them.
    extra: Vec<(usize, Triple)>,
    runs: Vec<std::ops::Range<usize>>,
}

impl RecordUnits<'_> {
    /// The graphs the units' triples are in.
    pub fn graphs(&self) -> &[GraphName] {
        &self.graphs
    }

    /// How many extra triples there are.
    pub fn extra_len(&self) -> usize {
        self.extra.len()
    }
}

impl export::Units for RecordUnits<'_> {
    fn len(&self) -> usize {
        self.records + self.runs.len()
    }

    fn graph(&self, unit: usize) -> usize {
        match unit.checked_sub(self.records) {
            Some(run) => self.extra[self.runs[run].start].0,
            None => self.part_graphs[self.starts.partition_point(|s| *s <= unit) - 1],
        }
    }

    fn map(&self, unit: usize, out: &mut Vec<Triple>) {
        if let Some(run) = unit.checked_sub(self.records) {
            out.extend(self.extra[self.runs[run].clone()].iter().map(|(_, t)| t.clone()));
            return;
        }
        let part = self.starts.partition_point(|s| *s <= unit) - 1;
        let record = &self.kb.parts[part].records[unit - self.starts[part]];
        mapping::map_record(record, &self.kb.parts[part].base, &self.kb.resolver, out);
    }
}
