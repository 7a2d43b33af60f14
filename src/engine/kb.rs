//! A run's knowledge base in memory: every input read, validated and resolved through
//! the checking sink ([`super::sink`]) with its records kept, or every problem found in
//! them. Only input without a single problem gets past it, so nothing downstream can
//! write half of a bad input. This is the sorted path, and what `export`, `query` and
//! `link` read inputs with.

use std::io::Write;

use oxigraph::io::RdfFormat;
use oxigraph::model::{Quad, Triple};

use crate::error::{Diagnostics, Result};
use crate::export;
use crate::input::{InputSpec, Sink};
use crate::mapping;
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
    pub records: Vec<Record>,
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
        export::write_sorted(self.triples(), format, &prefixes_for(&self.bases()), out)
    }

    /// The bases the inputs mint with, first first, without repeats.
    pub fn bases(&self) -> Vec<String> {
        self.resolver.bases()
    }
}
