//! `push`: a source's datasets delivered into another triple store, each as its own
//! named graph (the same IRI as locally), through the standard protocols (SPARQL 1.1
//! Graph Store HTTP Protocol and Update), replaced whole and atomically.
//!
//! For each dataset, after every dataset has been checked (nothing is sent before):
//!
//! 1. with `--if-changed`, the hash recorded on the target ([`target::hash_query`]) and
//!    the graph's `COUNT` are compared with the local ones: equal, nothing is sent;
//! 2. a staging graph left behind by a stopped push is dropped;
//! 3. the triples go in chunks into the staging graph (a Graph Store `POST` or an
//!    `INSERT DATA` per chunk: retrying one adds nothing twice; Oxigraph's bulk loader,
//!    `no_transaction`, takes them, since only the final update needs a transaction).
//!    Oxigraph's `PUT` is atomic whatever its size, so there a dataset goes as one `PUT`
//!    instead, unless `--chunk` is given and the dataset is larger: moving a staged
//!    graph into place costs Oxigraph about three times what the `PUT` does;
//! 4. the staging graph's `COUNT` must equal the local count, else the push stops with the
//!    graph untouched;
//! 5. one SPARQL Update drops the graph, adds the staging graph to it and replaces its
//!    metadata (hash, count, date) in the metadata graph, in one transaction; on Virtuoso
//!    a checkpoint follows ([`Preset::make_durable`] says why); then the staging graph is
//!    dropped;
//! 6. the graph's `COUNT` on the target must equal the local count, or the push fails.
//!
//! Stopped anywhere (client or server killed, network gone), the graph is the old dataset
//! or the new one: only step 5 touches it, in one transaction. Virtuoso refuses a
//! transaction larger than its `TransactionAfterImageLimit` (50 MB by default, a few
//! hundred thousand triples): the push then fails saying so, with the graph unchanged.

mod auth;
mod client;
pub(crate) mod datasets;
mod target;

use std::time::{Duration, Instant};

use oxhttp::model::Method;

pub use self::auth::{Credentials, Secret};
pub use self::client::Sent;
pub use self::target::{Preset, Protocol};

use self::client::{Target, push_error};
use self::datasets::Dataset;
use self::target::{Endpoints, staging_graph};
use crate::error::{Error, Result};
use crate::progress::Counter;

/// What `push` is asked to do.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// The server's URL, as the preset expects it.
    pub to: String,
    pub preset: Preset,
    /// The protocol for the data; by default the Graph Store protocol where the preset
    /// has one, else Update.
    pub protocol: Option<Protocol>,
    /// Only these datasets (a store), or the dataset names of the inputs.
    pub graphs: Vec<String>,
    pub credentials: Credentials,
    /// Triples per request; by default 50,000 by Graph Store, 1,000 by Update.
    pub chunk: Option<usize>,
    /// Skip a dataset whose hash and count on the target are the local ones.
    pub if_changed: bool,
    /// Say what would be sent where, and send nothing.
    pub dry_run: bool,
    /// How long one request may take.
    pub timeout: Duration,
}

/// What became of one dataset.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// Replaced on the target, and its count checked there.
    Pushed { seconds: f64, sent: Sent },
    /// Already there with the same hash and count; nothing sent.
    Unchanged,
    /// A dry run: what would be sent where.
    Planned(String),
}

/// One dataset's summary line.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub name: String,
    pub graph: String,
    pub triples: usize,
    pub bytes: usize,
    pub hash: String,
    pub outcome: Outcome,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let size = format!("{} triples, {:.1} MB", self.triples, self.bytes as f64 / 1e6);
        match &self.outcome {
            Outcome::Pushed { seconds, sent } => write!(
                f,
                "pushed {}: {size} into <{}> in {seconds:.1} s ({:.0} triples/s, {} requests, {} retried); \
                 its COUNT on the target agrees",
                self.name,
                self.graph,
                self.triples as f64 / seconds.max(1e-3),
                sent.requests,
                sent.retries,
            ),
            Outcome::Unchanged => write!(
                f,
                "unchanged {}: <{}> already holds these {size} ({}); nothing sent",
                self.name, self.graph, self.hash
            ),
            Outcome::Planned(plan) => write!(f, "would push {}: {size} ({}) {plan}", self.name, self.hash),
        }
    }
}

/// A push under way: the target, its endpoints and the choices made for it.
#[derive(Debug)]
struct Push<'a> {
    options: &'a PushOptions,
    endpoints: Endpoints,
    protocol: Protocol,
    chunk: usize,
    target: Target,
}

/// Pushes `datasets` as `options` say, calling `report` after each one.
pub fn push(datasets: &[Dataset], options: &PushOptions, mut report: impl FnMut(&Report)) -> Result<()> {
    let endpoints = Endpoints::of(options.preset, &options.to)?;
    let protocol = options.protocol.unwrap_or(if endpoints.store.is_some() {
        Protocol::Gsp
    } else {
        Protocol::Update
    });
    if protocol == Protocol::Gsp && endpoints.store.is_none() {
        return Err(Error::Usage(format!(
            "--preset {}: no Graph Store endpoint is known; use --protocol update",
            options.preset
        )));
    }
    let chunk = options.chunk.unwrap_or(protocol.default_chunk());
    if chunk == 0 {
        return Err(Error::Usage("--chunk: at least 1 triple per request".to_owned()));
    }
    // Everything is checked before the first byte is sent.
    for dataset in datasets {
        if dataset.has_triple_terms && options.preset == Preset::Virtuoso {
            return Err(Error::Usage(format!(
                "dataset {}: it holds RDF 1.2 triple terms, which Virtuoso 7 cannot store; nothing was sent",
                dataset.name
            )));
        }
    }
    let target = Target::new(
        options.credentials.clone(),
        options.preset.digest_only(),
        options.timeout,
    )?;
    let push = Push {
        options,
        endpoints,
        protocol,
        chunk,
        target,
    };
    for dataset in datasets {
        let outcome = push.one(dataset)?;
        report(&Report {
            name: dataset.name.clone(),
            graph: dataset.graph.as_str().to_owned(),
            triples: dataset.count(),
            bytes: dataset.bytes(),
            hash: dataset.hash.clone(),
            outcome,
        });
    }
    Ok(())
}

impl Push<'_> {
    fn one(&self, dataset: &Dataset) -> Result<Outcome> {
        let graph = &dataset.graph;
        // Where the server's PUT is atomic, a dataset of any size goes as one PUT unless
        // `--chunk` asks for chunks: staging there costs three transactions of the whole
        // dataset (the move, then dropping the staging graph) where the PUT costs one.
        let single_put = self.options.preset.atomic_put()
            && self.protocol == Protocol::Gsp
            && dataset.count() > 0
            && (self.options.chunk.is_none() || dataset.count() <= self.chunk);
        if self.options.dry_run {
            return Ok(Outcome::Planned(self.plan(dataset, single_put)));
        }
        let started = Instant::now();
        let before = self.target.sent();
        if self.options.if_changed && self.unchanged(dataset)? {
            return Ok(Outcome::Unchanged);
        }
        self.target
            .update(&self.endpoints.update, &target::drop_staging(graph))?;
        let modified = oxsdatatypes::DateTime::now().to_string();
        if single_put {
            self.send_chunk(&Method::PUT, dataset, &dataset.lines)?;
            let meta = crate::vocab::DATASETS_GRAPH.as_str();
            self.target
                .update(&self.endpoints.update, &target::metadata(dataset, &modified, meta))?;
        } else {
            let staging = staging_graph(graph);
            let progress = Counter::new("pushing", dataset.count() as u64);
            for lines in dataset.lines.chunks(self.chunk) {
                self.send_chunk(&Method::POST, dataset, lines)?;
                if let Some(progress) = &progress {
                    progress.add(lines.len() as u64, lines.iter().map(|l| l.len() as u64).sum());
                }
            }
            drop(progress);
            let staged = self
                .target
                .count(&self.endpoints.query, &target::count_query(&staging))?;
            if staged != dataset.count() {
                return Err(push_error(
                    &self.endpoints.update,
                    format!(
                        "the staging graph {staging} holds {staged} triples, not the {} sent; {graph} was left \
                         as it was (another push of the same graph at the same time?)",
                        dataset.count()
                    ),
                ));
            }
            self.target
                .update(&self.endpoints.update, &target::commit(dataset, staged > 0, &modified))
                .map_err(explain_refused_commit)?;
            if let Some(checkpoint) = self.options.preset.make_durable() {
                self.target.select(&self.endpoints.query, checkpoint)?;
            }
            self.target
                .update(&self.endpoints.update, &target::drop_staging(graph))?;
        }
        let found = self.target.count(&self.endpoints.query, &target::count_query(graph))?;
        if found != dataset.count() {
            return Err(push_error(
                &self.endpoints.query,
                format!(
                    "after the push, {graph} holds {found} triples on the target, not the {} sent",
                    dataset.count()
                ),
            ));
        }
        let after = self.target.sent();
        Ok(Outcome::Pushed {
            seconds: started.elapsed().as_secs_f64(),
            sent: Sent {
                requests: after.requests - before.requests,
                retries: after.retries - before.retries,
            },
        })
    }

    /// Whether the target holds this dataset already: its recorded hash and its count.
    fn unchanged(&self, dataset: &Dataset) -> Result<bool> {
        let rows = self
            .target
            .select(&self.endpoints.query, &target::hash_query(&dataset.graph))?;
        let recorded = rows.iter().any(
            |row| matches!(row.first(), Some(Some(oxigraph::model::Term::Literal(h))) if h.value() == dataset.hash),
        );
        Ok(recorded
            && self
                .target
                .count(&self.endpoints.query, &target::count_query(&dataset.graph))?
                == dataset.count())
    }

    /// One chunk: into the dataset's graph itself by PUT, else into its staging graph.
    fn send_chunk(&self, method: &Method, dataset: &Dataset, lines: &[String]) -> Result<()> {
        let url = if *method == Method::PUT {
            self.endpoints.graph_url(&dataset.graph)
        } else {
            self.endpoints.staging_url(&dataset.graph)
        };
        match (self.protocol, url) {
            (Protocol::Gsp, Some(url)) => {
                let body: String = lines.concat();
                self.target
                    .send(method, &url, "application/n-triples", "*/*", body.as_bytes())?;
                Ok(())
            }
            _ => self.target.update(
                &self.endpoints.update,
                &target::insert_chunk(&staging_graph(&dataset.graph), lines),
            ),
        }
    }

    /// What a dry run says of a dataset: where it would go, and how.
    fn plan(&self, dataset: &Dataset, single_put: bool) -> String {
        let graph = &dataset.graph;
        let chunks = dataset.count().div_ceil(self.chunk);
        let how = if single_put {
            format!(
                "as one Graph Store PUT to {}",
                self.endpoints.graph_url(graph).unwrap_or_default()
            )
        } else {
            let by = match (self.protocol, self.endpoints.staging_url(graph)) {
                (Protocol::Gsp, Some(url)) => format!("Graph Store POST to {url}"),
                _ => format!("INSERT DATA to {}", self.endpoints.update),
            };
            format!(
                "in {chunks} chunk{} of at most {} triples by {by} into {}, then one update to {} moving it into place",
                if chunks == 1 { "" } else { "s" },
                self.chunk,
                staging_graph(graph),
                self.endpoints.update
            )
        };
        format!(
            "into {graph} at {} ({} preset, {}) {how}; verified by COUNT at {}",
            self.options.to, self.options.preset, self.options.credentials, self.endpoints.query
        )
    }
}

/// Virtuoso's refusal of a transaction too large for it, said with what to do.
fn explain_refused_commit(error: Error) -> Error {
    match error {
        Error::Push { url, message } if message.contains("SR325") => Error::Push {
            url,
            message: format!(
                "{message}\nVirtuoso refused to replace the graph in one transaction: it is larger than its \
                 TransactionAfterImageLimit. The graph on the target is unchanged. Raise \
                 TransactionAfterImageLimit in the [Parameters] section of virtuoso.ini (for example to \
                 1500000000) and restart Virtuoso, then push again."
            ),
        },
        other => other,
    }
}
