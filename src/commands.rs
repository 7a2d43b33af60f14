//! One function per command: each takes validated options, runs the data flow
//! (input → model → mapping → store → export/query) and writes to an [`Output`].

use std::path::PathBuf;

use oxigraph::io::RdfFormat;
use oxigraph::model::Triple;

use crate::engine::{self, KnowledgeBase, ReadOptions, Tally};
use crate::error::{Error, Result};
use crate::export;
use crate::input::InputSpec;
use crate::link::{self, LinkOptions, Target, TargetIndex};
use crate::output::Output;
use crate::push::{self, PushOptions, Report};
use crate::query::{self, QueryText, ResultsFormat};
use crate::resolve::NoStore;
use crate::store::{self, GraphStore};
use crate::vocab::prefixes_for;

/// Where a command's graph comes from: inputs read now, or an on-disk store.
#[derive(Debug, Clone)]
pub enum DataSource {
    Inputs(Vec<InputSpec>, ReadOptions),
    Store(PathBuf),
}

/// What a run read, for the summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub sources: usize,
    pub entities: usize,
    pub statements: usize,
    pub relations: usize,
    /// Not counted by `validate`, which maps nothing.
    pub triples: Option<usize>,
    /// Rows importers left out, by reason.
    pub skipped: std::collections::BTreeMap<&'static str, u64>,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "{}, {}, {}, {}",
            plural(self.statements, "statement", "statements"),
            plural(self.entities, "entity", "entities"),
            plural(self.sources, "source", "sources"),
            plural(self.relations, "relation", "relations"),
        )?;
        match self.triples {
            Some(triples) => write!(f, ": {}", plural(triples, "triple", "triples")),
            None => Ok(()),
        }
    }
}

impl Summary {
    pub fn new(tally: &Tally, triples: usize) -> Self {
        Self {
            sources: tally.sources,
            entities: tally.entities,
            statements: tally.statements,
            relations: tally.relations,
            triples: Some(triples),
            skipped: tally.skipped.clone(),
        }
    }

    /// "skipped 12 rows: 10 because …, 2 because …", when importers left rows out.
    pub fn skipped_note(&self) -> Option<String> {
        let total: u64 = self.skipped.values().sum();
        (total > 0).then(|| {
            let reasons: Vec<String> = self.skipped.iter().map(|(why, n)| format!("{n} {why}")).collect();
            format!(
                "skipped {total} row{}: {}",
                if total == 1 { "" } else { "s" },
                reasons.join("; ")
            )
        })
    }
}

/// `validate`: reads and checks the inputs, writing nothing.
pub fn validate(inputs: &[InputSpec], options: &ReadOptions) -> Result<Summary> {
    let tally = engine::validate(inputs, options)?;
    Ok(Summary {
        triples: None,
        ..Summary::new(&tally, 0)
    })
}

/// `convert`: inputs to RDF in one step.
pub fn convert(
    inputs: &[InputSpec],
    options: &ReadOptions,
    format: RdfFormat,
    with_ontology: bool,
    order: engine::Order,
    output: &Output,
) -> Result<Summary> {
    let run = engine::convert(inputs, options, format, with_ontology, order, output)?;
    Ok(Summary::new(&run.tally, run.triples))
}

/// `load`: validates the inputs (their references may name what the store holds), then
/// streams them into the on-disk store's bulk loader, which commits all or nothing.
pub fn load(inputs: &[InputSpec], options: &ReadOptions, store_path: &std::path::Path) -> Result<Summary> {
    let run = engine::load(inputs, options, store_path)?;
    Ok(Summary::new(&run.tally, run.triples))
}

/// The triples of a data source (data alone), and the bases its IRIs use.
fn data(source: &DataSource) -> Result<(Vec<Triple>, Vec<String>)> {
    match source {
        DataSource::Inputs(inputs, options) => {
            let kb = KnowledgeBase::read(inputs, options, &NoStore)?;
            Ok((kb.triples(), kb.bases()))
        }
        DataSource::Store(path) => GraphStore::read(path, |store| Ok((store.data_triples()?, store.bases()?))),
    }
}

/// `export`: the whole graph of a source, with the triples of the `with` files (other
/// graphs, such as a Wikidata extract) merged in.
pub fn export(
    source: &DataSource,
    with: &[PathBuf],
    format: RdfFormat,
    with_ontology: bool,
    output: &Output,
) -> Result<usize> {
    let (mut triples, bases) = data(source)?;
    let count = triples.len();
    for path in with {
        store::read_quads(path, |quad| {
            triples.push(quad.into());
            Ok(())
        })?;
    }
    if with_ontology {
        triples.extend(store::ontology_triples()?);
    }
    let prefixes = prefixes_for(&bases);
    output.write_with(|out| export::write_sorted(triples, format, &prefixes, out))?;
    Ok(count)
}

/// A query with its parameters and the format of its results.
#[derive(Debug, Clone)]
pub struct QueryRequest {
    pub text: QueryText,
    pub params: Vec<String>,
    /// At most this many results.
    pub limit: Option<usize>,
    pub format: ResultsFormat,
}

/// `query`: runs SPARQL over a source's data and the ontology, and the graphs of the
/// `with` files beside them (each in a named graph of its own), so that queries can join
/// through `owl:sameAs`. A store queried with other graphs is copied into memory first:
/// it is opened read-only and never changed.
pub fn query(source: &DataSource, with: &[PathBuf], request: &QueryRequest, output: &Output) -> Result<()> {
    let (text, origin) = request.text.load()?;
    let (store, bases) = match source {
        DataSource::Inputs(inputs, options) => {
            let kb = KnowledgeBase::read(inputs, options, &NoStore)?;
            let store = GraphStore::in_memory()?;
            store.load(kb.triples())?;
            (store, kb.bases())
        }
        DataSource::Store(path) if with.is_empty() => GraphStore::read(path, |store| {
            let bases = store.bases()?;
            Ok((store, bases))
        })?,
        DataSource::Store(path) => {
            let (triples, bases) = GraphStore::read(path, |disk| Ok((disk.data_triples()?, disk.bases()?)))?;
            let store = GraphStore::in_memory()?;
            store.load(triples)?;
            (store, bases)
        }
    };
    for path in with {
        store.load_graph_file(path)?;
    }
    let mut bindings = Vec::new();
    for param in &request.params {
        let (variable, value) = query::split_param(param)?;
        bindings.push((variable, query::bind_value(value, &store, &bases)?));
    }
    let prefixes = prefixes_for(&bases);
    let prepared = query::Prepared {
        text,
        origin,
        bindings,
        limit: request.limit,
    };
    output.write_with(|out| query::run(&store, prepared, request.format, &prefixes, out))
}

/// What `link` is asked to do.
#[derive(Debug, Clone)]
pub struct LinkRequest {
    pub targets: Vec<Target>,
    pub options: LinkOptions,
    /// How endpoints are asked, and the label languages.
    pub fetch: link::FetchOptions,
    /// The format of the links written to `output`.
    pub format: RdfFormat,
    pub output: Output,
    /// Where to write the review report (CSV), if anywhere.
    pub report: Option<PathBuf>,
    /// Add the links to the store (the source must be one) instead of writing them to
    /// standard output; they still go to `output` when it is a file.
    pub apply: bool,
}

/// `link`: finds the entities of a source in the target graphs, writes the accepted
/// `owl:sameAs` links (or adds them to the store) and the review report.
pub fn link(source: &DataSource, request: &LinkRequest) -> Result<link::Outcome> {
    if request.apply && !matches!(source, DataSource::Store(_)) {
        return Err(Error::Usage(
            "--apply adds links to a store: give --store DIR, or leave --apply out to print them".to_owned(),
        ));
    }
    request.options.check()?;
    let (triples, bases) = data(source)?;
    let entities = link::entities(&triples);
    let (mut index, stats) = TargetIndex::build(&request.targets, &request.fetch, link::default_languages(&triples))?;
    let mut outcome = link::link(&entities, &mut index, &request.options)?;
    outcome.index = stats;
    if let Some(report) = &request.report {
        Output::File(report.clone()).write_with(|out| link::write_review(&outcome.review, out))?;
    }
    let prefixes = prefixes_for(&bases);
    if !request.apply || request.output != Output::Stdout {
        request
            .output
            .write_with(|out| export::write_sorted(outcome.links.clone(), request.format, &prefixes, out))?;
    }
    if let (true, DataSource::Store(path)) = (request.apply, source) {
        GraphStore::open(path)?.load(outcome.links.clone())?;
    }
    Ok(outcome)
}

/// `push`: the source's datasets into another triple store, each replaced whole on the
/// target and checked there by `COUNT`; `report` hears of each dataset as it is done.
pub fn push(source: &DataSource, options: &PushOptions, report: impl FnMut(&Report)) -> Result<()> {
    let datasets = match source {
        DataSource::Inputs(inputs, read) => push::datasets::from_inputs(inputs, read, &options.graphs)?,
        DataSource::Store(path) => push::datasets::from_store(path, &options.graphs)?,
    };
    push::push(&datasets, options, report)
}
