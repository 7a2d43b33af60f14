//! Where a push goes: the presets' endpoint layouts, the staging graph beside each
//! graph, and the SPARQL a push sends (the commit that moves a staged dataset into
//! place with its metadata, the cleanup, the `COUNT` and hash look-ups).

use std::fmt;

use oxigraph::model::{Literal, NamedNode};

use super::datasets::{CONTENT_HASH, DCAT_DATASET, DCTERMS_IDENTIFIER, DCTERMS_MODIFIED, Dataset, TRIPLE_COUNT};
use crate::error::{Error, Result};
use crate::vocab;

/// A kind of server, and so where its endpoints are under `--to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Preset {
    /// Virtuoso 7: `--to http://HOST:8890`; Graph Store `/sparql-graph-crud-auth`, update
    /// and query `/sparql-auth`, Digest auth. Tested.
    Virtuoso,
    /// Oxigraph server: `--to http://HOST:7878`; `/store`, `/update`, `/query`. Tested.
    Oxigraph,
    /// Apache Jena Fuseki: `--to http://HOST:3030/DATASET`; `/data`, `/update`, `/query`.
    /// Not tested here.
    Fuseki,
    /// GraphDB: `--to http://HOST:7200/repositories/ID`; `/rdf-graphs/service`,
    /// `/statements`, and the repository itself for queries. Not tested here.
    GraphDb,
    /// Any SPARQL 1.1 server: `--to` is its endpoint for both queries and updates, and
    /// data goes as `INSERT DATA`.
    #[default]
    Generic,
}

impl Preset {
    /// A preset by name: `virtuoso`, `oxigraph`, `fuseki`, `graphdb`, `generic`.
    pub fn named(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "virtuoso" => Self::Virtuoso,
            "oxigraph" => Self::Oxigraph,
            "fuseki" => Self::Fuseki,
            "graphdb" => Self::GraphDb,
            "generic" => Self::Generic,
            _ => return None,
        })
    }

    /// Whether its Graph Store PUT replaces a graph in one transaction (Oxigraph's does;
    /// Virtuoso's deletes the old graph first and keeps part of a failed new one).
    pub(super) fn atomic_put(self) -> bool {
        self == Self::Oxigraph
    }

    /// Whether staging may use the server's bulk loader (Oxigraph's `no_transaction`):
    /// a staging graph needs no atomicity, only the final update does.
    pub(super) fn bulk_staging(self) -> bool {
        self == Self::Oxigraph
    }

    /// A query that makes the server write what it committed to its database files, where
    /// a commit alone is not enough to survive a crash. Virtuoso 7.2 replays its
    /// transaction log wrongly after a `kill -9`: a graph replaced by a committed update
    /// came back with 40,000 to 48,000 of its 54,766 triples, in five tries out of five.
    /// A checkpoint (`bif:exec`, which needs the `dba` account the preset pushes as)
    /// puts the new graph in the database itself.
    pub(super) fn make_durable(self) -> Option<&'static str> {
        (self == Self::Virtuoso).then_some("SELECT (bif:exec(\"checkpoint\") AS ?done) WHERE { }")
    }

    /// Whether it takes only Digest auth (so that no Basic header is sent first).
    pub(super) fn digest_only(self) -> bool {
        self == Self::Virtuoso
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Virtuoso => "virtuoso",
            Self::Oxigraph => "oxigraph",
            Self::Fuseki => "fuseki",
            Self::GraphDb => "graphdb",
            Self::Generic => "generic",
        })
    }
}

/// How data is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Protocol {
    /// SPARQL 1.1 Graph Store HTTP Protocol: N-Triples chunks POSTed to the staging graph.
    Gsp,
    /// SPARQL 1.1 Update: `INSERT DATA` chunks into the staging graph.
    Update,
}

impl Protocol {
    /// Triples per chunk when `--chunk` is not given: Virtuoso runs out of memory at about
    /// 5,000 triples in one `INSERT DATA`.
    pub(super) fn default_chunk(self) -> usize {
        match self {
            Self::Gsp => 50_000,
            Self::Update => 1_000,
        }
    }
}

/// A target's endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Endpoints {
    pub(super) store: Option<String>,
    /// Staging POSTs may skip the server's transactions.
    bulk_staging: bool,
    pub(super) update: String,
    pub(super) query: String,
}

impl Endpoints {
    /// Where `preset`'s endpoints are under `to`; a URL with credentials in it is refused,
    /// so that no secret is ever part of what is shown.
    pub(super) fn of(preset: Preset, to: &str) -> Result<Self> {
        let to = to.trim_end_matches('/');
        let Some(rest) = to.strip_prefix("http://").or_else(|| to.strip_prefix("https://")) else {
            return Err(Error::Usage(format!("--to {to}: not an http(s) URL")));
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.is_empty() {
            return Err(Error::Usage(format!("--to {to}: no host")));
        }
        if authority.contains('@') {
            return Err(Error::Usage(
                "--to: the URL holds credentials; give --user USER and --password-env VAR instead, so that \
                 the password never appears in a command line or a message"
                    .to_owned(),
            ));
        }
        let at = |path: &str| format!("{to}{path}");
        let bulk_staging = preset.bulk_staging();
        Ok(match preset {
            Preset::Virtuoso => Self {
                bulk_staging,
                store: Some(at("/sparql-graph-crud-auth")),
                update: at("/sparql-auth"),
                query: at("/sparql-auth"),
            },
            Preset::Oxigraph => Self {
                bulk_staging,
                store: Some(at("/store")),
                update: at("/update"),
                query: at("/query"),
            },
            Preset::Fuseki => Self {
                bulk_staging,
                store: Some(at("/data")),
                update: at("/update"),
                query: at("/query"),
            },
            Preset::GraphDb => Self {
                bulk_staging,
                store: Some(at("/rdf-graphs/service")),
                update: at("/statements"),
                query: to.to_owned(),
            },
            Preset::Generic => Self {
                bulk_staging,
                store: None,
                update: to.to_owned(),
                query: to.to_owned(),
            },
        })
    }

    /// The Graph Store URL of `graph`.
    pub(super) fn graph_url(&self, graph: &NamedNode) -> Option<String> {
        let encoded: String = form_urlencoded::byte_serialize(graph.as_str().as_bytes()).collect();
        self.store.as_ref().map(|store| format!("{store}?graph={encoded}"))
    }

    /// The Graph Store URL a chunk of the staging graph of `graph` is POSTed to.
    pub(super) fn staging_url(&self, graph: &NamedNode) -> Option<String> {
        let url = self.graph_url(&staging_graph(graph))?;
        Some(if self.bulk_staging {
            format!("{url}&no_transaction")
        } else {
            url
        })
    }
}

/// The graph a dataset is staged in before it replaces `graph`: the same IRI with a
/// query part, so that it sorts beside it and a later push finds it by name alone.
pub(super) fn staging_graph(graph: &NamedNode) -> NamedNode {
    let joint = if graph.as_str().contains('?') { '&' } else { '?' };
    NamedNode::new_unchecked(format!("{}{joint}saidgraph-staging", graph.as_str()))
}

/// `SELECT (COUNT(*) AS ?n)` of one graph.
pub(super) fn count_query(graph: &NamedNode) -> String {
    format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
}

/// The hash recorded on the target for `graph`.
pub(super) fn hash_query(graph: &NamedNode) -> String {
    format!(
        "SELECT ?hash WHERE {{ GRAPH <{}> {{ {graph} <{CONTENT_HASH}> ?hash }} }}",
        vocab::DATASETS_GRAPH.as_str()
    )
}

/// Removes a staging graph (left behind by a push that was stopped, or done with).
pub(super) fn drop_staging(graph: &NamedNode) -> String {
    format!("DROP SILENT GRAPH {}", staging_graph(graph))
}

/// The one update that puts a staged dataset in place, with its metadata: run as one
/// request, it is one transaction on servers that make a request one (Oxigraph,
/// Virtuoso), so the graph is the old dataset or the new one. `ADD` rather than `MOVE`:
/// the staging graph is dropped afterwards, outside the transaction, which keeps it a
/// third smaller. `staged` is false for an empty dataset (nothing was staged).
pub(super) fn commit(dataset: &Dataset, staged: bool, modified: &str) -> String {
    let graph = &dataset.graph;
    let meta = vocab::DATASETS_GRAPH.as_str();
    let mut update = format!("DROP SILENT GRAPH {graph} ;\n");
    if staged {
        update.push_str(&format!(
            "ADD SILENT GRAPH {} TO GRAPH {graph} ;\n",
            staging_graph(graph)
        ));
    }
    update.push_str(&metadata(dataset, modified, meta));
    update
}

/// Replaces the target's metadata of a dataset: the same terms as a local store's.
pub(super) fn metadata(dataset: &Dataset, modified: &str, meta: &str) -> String {
    let graph = &dataset.graph;
    let xsd = "http://www.w3.org/2001/XMLSchema#";
    format!(
        "DELETE WHERE {{ GRAPH <{meta}> {{ {graph} ?p ?o }} }} ;\n\
         INSERT DATA {{ GRAPH <{meta}> {{ {graph} a <{DCAT_DATASET}> ; <{DCTERMS_IDENTIFIER}> {} ; \
         <{CONTENT_HASH}> {} ; <{TRIPLE_COUNT}> \"{}\"^^<{xsd}integer> ; \
         <{DCTERMS_MODIFIED}> \"{modified}\"^^<{xsd}dateTime> . }} }}",
        Literal::new_simple_literal(&dataset.name),
        Literal::new_simple_literal(&dataset.hash),
        dataset.count(),
    )
}

/// One chunk as `INSERT DATA` into `graph` (a staging graph).
pub(super) fn insert_chunk(graph: &NamedNode, lines: &[String]) -> String {
    let mut update = format!("INSERT DATA {{ GRAPH {graph} {{\n");
    for line in lines {
        update.push_str(line);
    }
    update.push_str("} }");
    update
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_updates_are_standard_sparql() {
        let graph = NamedNode::new_unchecked("https://kb.example.org/graph/seed");
        let dataset = Dataset::new(
            "seed".into(),
            graph.clone(),
            [oxigraph::model::Triple::new(
                graph.clone(),
                graph.clone(),
                Literal::new_simple_literal("a \"quote\""),
            )],
            None,
        );
        let modified = "2026-12-01T00:00:00Z";
        for update in [
            commit(&dataset, true, modified),
            commit(&dataset, false, modified),
            drop_staging(&graph),
            insert_chunk(&graph, &dataset.lines),
        ] {
            spargebra::SparqlParser::new()
                .parse_update(&update)
                .unwrap_or_else(|e| panic!("{e}: {update}"));
        }
        for query in [count_query(&graph), hash_query(&graph)] {
            spargebra::SparqlParser::new()
                .parse_query(&query)
                .unwrap_or_else(|e| panic!("{e}: {query}"));
        }
        assert_eq!(
            staging_graph(&graph).as_str(),
            "https://kb.example.org/graph/seed?saidgraph-staging"
        );
    }

    #[test]
    fn presets_place_their_endpoints_and_urls_never_hold_secrets() -> Result<()> {
        let virtuoso = Endpoints::of(Preset::Virtuoso, "http://127.0.0.1:8890/")?;
        assert_eq!(virtuoso.update, "http://127.0.0.1:8890/sparql-auth");
        let graph = NamedNode::new_unchecked("https://kb.example.org/graph/a b");
        assert_eq!(
            virtuoso.graph_url(&graph).as_deref(),
            Some("http://127.0.0.1:8890/sparql-graph-crud-auth?graph=https%3A%2F%2Fkb.example.org%2Fgraph%2Fa+b")
        );
        let error = Endpoints::of(Preset::Oxigraph, "http://dba:secret@host:7878").expect_err("refused");
        assert!(!error.to_string().contains("secret"), "{error}");
        assert!(Endpoints::of(Preset::Generic, "ftp://host").is_err());
        assert_eq!(Endpoints::of(Preset::Generic, "http://h/sparql")?.store, None);
        Ok(())
    }
}
