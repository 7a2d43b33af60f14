//! One function per command: each takes validated options, runs the data flow
//! (input → model → mapping → store → export/query) and writes to an [`Output`].

use std::path::PathBuf;

use oxigraph::io::RdfFormat;
use oxigraph::model::{GraphName, Quad, Triple};

use crate::engine::{self, KnowledgeBase, ReadOptions, Tally};
use crate::error::{Error, Place, Result};
use crate::export;
use crate::input::InputSpec;
use crate::link::{self, LinkOptions, Target, TargetIndex};
use crate::mapping::RdfVersion;
use crate::network::{self, LeftOut, NetworkFormat, NetworkOptions};
use crate::output::Output;
use crate::push::{self, PushOptions, Report};
use crate::query::{self, QueryText, ResultsFormat};
use crate::resolve::{self, NoStore};
use crate::serve::{self, ServeData, ServeOptions};
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

/// `convert`: inputs to RDF in one step, in RDF 1.1 or (`rdf`) 1.2.
pub fn convert(
    inputs: &[InputSpec],
    options: &ReadOptions,
    format: RdfFormat,
    rdf: RdfVersion,
    with_ontology: bool,
    order: engine::Order,
    output: &Output,
) -> Result<Summary> {
    let run = engine::convert(inputs, options, format, rdf, with_ontology, order, output)?;
    Ok(Summary::new(&run.tally, run.triples))
}

/// `load`: validates the inputs (their references may name what the store holds), then
/// puts each dataset into its graph, replacing one the store holds, all or nothing.
/// Returns the summary and what happened to each dataset.
pub fn load(
    inputs: &[InputSpec],
    options: &ReadOptions,
    load: &engine::LoadOptions,
    store_path: &std::path::Path,
) -> Result<(Summary, Vec<(String, engine::Fate)>)> {
    let loaded = engine::load(inputs, options, load, store_path)?;
    Ok((Summary::new(&loaded.run.tally, loaded.run.triples), loaded.datasets))
}

/// `graphs`: the datasets of a store, where each came from, as the named query
/// `datasets` answers.
pub fn graphs(store_path: &std::path::Path, format: ResultsFormat, output: &Output) -> Result<()> {
    let request = QueryRequest {
        text: QueryText::Named("datasets".to_owned()),
        params: Vec::new(),
        limit: None,
        format,
        rdf: RdfVersion::Rdf11,
        explain: None,
    };
    query(&DataSource::Store(store_path.to_owned()), &[], &request, output)
}

/// `drop`: removes datasets from a store, all or none; refused when other datasets refer
/// to their records, unless `force`. Returns the graphs removed.
pub fn drop(store_path: &std::path::Path, names: &[String], force: bool) -> Result<Vec<String>> {
    Ok(store::drop_datasets(store_path, names, force)?
        .into_iter()
        .map(|g| g.as_str().to_owned())
        .collect())
}

/// The quads of a data source, each in its dataset's graph (only those of the dataset
/// `graph` when one is named), with the metadata graph when `metadata`, and the bases
/// its IRIs use.
fn data_quads(source: &DataSource, graph: Option<&str>, metadata: bool) -> Result<(Vec<Quad>, Vec<String>)> {
    match source {
        DataSource::Inputs(inputs, options) => {
            let kb = KnowledgeBase::read(inputs, options, &NoStore)?;
            let mut quads = kb.quads(options)?;
            if let Some(name) = graph {
                let suffix = format!("graph/{}", resolve::encode_id(name));
                quads.retain(|q| matches!(&q.graph_name, GraphName::NamedNode(g) if g.as_str().ends_with(&suffix)));
            }
            Ok((quads, kb.bases()))
        }
        DataSource::Store(path) => GraphStore::read(path, |store| {
            let selected = match graph {
                Some(name) => Some(
                    store
                        .datasets()?
                        .into_iter()
                        .find(|d| d.name == name)
                        .map(|d| d.graph)
                        .ok_or_else(|| {
                            Error::Refused(format!(
                                "{}: no dataset {name:?} in this store; `saidgraph graphs --store {}` lists them",
                                path.display(),
                                path.display()
                            ))
                        })?,
                ),
                None => None,
            };
            let mut quads = store.data_quads(selected.as_ref())?;
            match &selected {
                Some(graph) if metadata => quads.extend(store.metadata_quads(graph.as_ref())?),
                None if metadata => quads.extend(store.metadata()?),
                _ => {}
            }
            Ok((quads, store.bases()?))
        }),
    }
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

/// `export`: the whole graph of a source (or the dataset `graph` alone), with the
/// triples of the `with` files (other graphs, such as a Wikidata extract) merged in.
/// TriG and N-Quads keep each dataset in its graph, and the metadata graph; the other
/// formats write the union of the data. In RDF 1.2 (`rdf`), the data's relations get
/// their reifiers, whether the source is inputs or a store (which holds RDF 1.1): they
/// are made from the relations' nodes.
pub fn export(
    source: &DataSource,
    graph: Option<&str>,
    with: &[PathBuf],
    format: RdfFormat,
    rdf: RdfVersion,
    with_ontology: bool,
    output: &Output,
) -> Result<usize> {
    rdf.check_format(format)?;
    if format.supports_datasets() {
        let (mut quads, bases) = data_quads(source, graph, true)?;
        rdf.complete_quads(&mut quads);
        let count = quads.len();
        for path in with {
            store::read_quads(path, |quad| {
                quads.push(quad);
                Ok(())
            })?;
        }
        if with_ontology {
            quads.extend(store::ontology_quads()?);
        }
        let prefixes = prefixes_for(&bases);
        output.write_with(|out| export::write_sorted_quads(quads, format, &prefixes, out))?;
        return Ok(count);
    }
    let (mut triples, bases) = match graph {
        Some(_) => {
            let (quads, bases) = data_quads(source, graph, false)?;
            (quads.into_iter().map(Triple::from).collect(), bases)
        }
        None => data(source)?,
    };
    rdf.complete(&mut triples);
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
    /// The data as RDF 1.2: each relation with its reifier, for SPARQL 1.2's
    /// `<< ?s ?p ?o ~ ?r >>` (a store, which holds RDF 1.1, is then copied into memory).
    pub rdf: RdfVersion,
    /// Write Oxigraph's plan, with the rows each step produced, to this file as JSON.
    pub explain: Option<PathBuf>,
}

/// `query`: runs SPARQL over a source's data and the ontology, and the graphs of the
/// `with` files beside them (each in a named graph of its own), so that queries can join
/// through `owl:sameAs`. A store queried with other graphs, or as RDF 1.2, is copied
/// into memory first: it is opened read-only and never changed.
pub fn query(source: &DataSource, with: &[PathBuf], request: &QueryRequest, output: &Output) -> Result<()> {
    let (text, origin) = request.text.load()?;
    let (store, bases) = queryable(source, with, request.rdf)?;
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
        explain: request.explain.clone(),
    };
    output.write_with(|out| query::run(&store, prepared, request.format, &prefixes, out))
}

/// A store to query: the inputs read into memory, or the on-disk store (copied into
/// memory when `with` adds graphs or `rdf` is 1.2, so it stays unchanged), with the `with` files each in
/// a named graph of its own; and the bases its IRIs use.
fn queryable(source: &DataSource, with: &[PathBuf], rdf: RdfVersion) -> Result<(GraphStore, Vec<String>)> {
    let (store, bases) = match source {
        DataSource::Inputs(inputs, options) => {
            let kb = KnowledgeBase::read(inputs, options, &NoStore)?;
            let mut quads = kb.quads(options)?;
            rdf.complete_quads(&mut quads);
            let store = GraphStore::in_memory()?;
            store.load_quads(quads)?;
            (store, kb.bases())
        }
        DataSource::Store(path) if with.is_empty() && rdf == RdfVersion::Rdf11 => GraphStore::read(path, |store| {
            let bases = store.bases()?;
            Ok((store, bases))
        })?,
        DataSource::Store(_) => {
            let (mut quads, bases) = data_quads(source, None, true)?;
            rdf.complete_quads(&mut quads);
            let store = GraphStore::in_memory()?;
            store.load_quads(quads)?;
            (store, bases)
        }
    };
    for path in with {
        store.load_graph_file(path)?;
    }
    Ok((store, bases))
}

/// What `network` is asked to draw, and where.
#[derive(Debug, Clone)]
pub struct NetworkRequest {
    pub options: NetworkOptions,
    pub format: NetworkFormat,
    /// CSV to a file `net.csv` writes `net-nodes.csv` and `net-edges.csv` beside it; to
    /// standard output, the edge list alone.
    pub output: Output,
}

/// `network`: who talks to whom in a source (and the `with` graphs), as a picture or a
/// file for other tools. Pictures keep the 300 heaviest edges
/// unless `--top` says otherwise (`--top 0` keeps all). Returns what was left out.
pub fn network(source: &DataSource, with: &[PathBuf], request: &NetworkRequest) -> Result<LeftOut> {
    let (store, bases) = queryable(source, with, RdfVersion::Rdf11)?;
    let mut options = request.options.clone();
    options.top = match options.top {
        Some(0) => None,
        None if request.format.is_picture() => Some(network::DEFAULT_PICTURE_TOP),
        top => top,
    };
    let drawn = network::build(&store, &bases, &options)?;
    match (request.format, &request.output) {
        (NetworkFormat::Csv, Output::File(path)) => {
            // Both files are made in memory first, so that only writing them can fail.
            let (nodes_path, edges_path) = network::csv_paths(path);
            let mut nodes = Vec::new();
            network::write_nodes_csv(&drawn, &mut nodes)?;
            let mut edges = Vec::new();
            network::write(&drawn, NetworkFormat::Csv, &mut edges)?;
            Output::File(nodes_path)
                .write_with(|out| out.write_all(&nodes).map_err(|e| Error::io(Place::Output, e)))?;
            Output::File(edges_path)
                .write_with(|out| out.write_all(&edges).map_err(|e| Error::io(Place::Output, e)))?;
        }
        (format, output) => output.write_with(|out| network::write(&drawn, format, out))?,
    }
    Ok(drawn.left_out)
}

/// The network of a source as the JSON document its HTML page draws (see
/// `saidgraph network -f html`): nodes, edges, statements and families, laid out. For a
/// page that draws it itself, as `serve`'s does. No `--top` unless `options` gives one.
pub fn network_json(source: &DataSource, with: &[PathBuf], options: &NetworkOptions) -> Result<serde_json::Value> {
    let (store, bases) = queryable(source, with, RdfVersion::Rdf11)?;
    Ok(network::to_json(&network::build(&store, &bases, options)?))
}

/// The name of the graph `link --apply` adds its links to: `BASE graph/links`.
pub const LINKS_GRAPH: &str = "links";

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
        // Beside the datasets, in a graph of their own that `drop links` removes.
        let base = bases.first().map_or(resolve::DEFAULT_BASE, String::as_str);
        let graph = resolve::graph_iri(base, LINKS_GRAPH);
        GraphStore::open(path)?.load(outcome.links.clone(), graph.as_ref().into())?;
    }
    Ok(outcome)
}

/// `serve`: the source served read-only over HTTP until SIGINT or SIGTERM. A store is
/// followed as loads change it; inputs are read into memory once. Says on standard error
/// where it listens, and warns when that is beyond loopback.
pub fn serve(source: &DataSource, options: ServeOptions) -> Result<()> {
    let data = match source {
        DataSource::Store(path) => ServeData::Disk(path.clone()),
        DataSource::Inputs(inputs, read) => {
            let kb = KnowledgeBase::read(inputs, read, &NoStore)?;
            let store = GraphStore::in_memory()?;
            store.load_quads(kb.quads(read)?)?;
            ServeData::Memory(store)
        }
    };
    if !options.bind.ip().is_loopback() {
        eprintln!(
            "saidgraph: warning: listening on {}, beyond loopback: anyone who reaches it can read the whole store \
             (the endpoint has no authentication)",
            options.bind
        );
    }
    serve::serve(data, options, |address| {
        eprintln!("saidgraph: serving http://{address}/ (read-only; SPARQL at /sparql); Ctrl-C stops");
    })
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
