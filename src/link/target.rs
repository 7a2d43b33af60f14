//! Where candidates come from ([`Target`]) and reading it into a [`TargetIndex`]: RDF
//! files through [`crate::store::read_quads`], SPARQL endpoints through Oxigraph's `SERVICE`
//! client. All of linking's I/O is here: the names, types and classes when the index is
//! built, and later, for the candidates context must decide between, what they point to.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use oxigraph::model::Term;
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;

use super::index::{ALIAS_LABELS, CLASS_PREDICATES, PREFERRED_LABELS, TYPE_PREDICATES, TargetIndex};
use crate::error::{Error, Result};

/// Where candidates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An RDF file, plain or compressed.
    File(PathBuf),
    /// A SPARQL endpoint.
    Endpoint(String),
}

impl Target {
    /// `http://` and `https://` are endpoints, anything else a file.
    pub fn parse(text: &str) -> Self {
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Self::Endpoint(text.to_owned())
        } else {
            Self::File(PathBuf::from(text))
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Endpoint(url) => f.write_str(url),
        }
    }
}

/// What reading the target took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexStats {
    pub triples: usize,
    pub labels: usize,
    pub resources: usize,
    pub elapsed: Duration,
}

impl TargetIndex {
    /// Reads every target into one index.
    pub fn build(targets: &[Target]) -> Result<(Self, IndexStats)> {
        let start = Instant::now();
        let mut index = Self::default();
        for target in targets {
            match target {
                Target::File(path) => {
                    crate::store::read_quads(path, |quad| {
                        index.add(quad.subject.as_ref(), quad.predicate.as_ref(), quad.object.as_ref());
                        Ok(())
                    })?;
                }
                Target::Endpoint(url) => {
                    index.fetch_labels(url)?;
                    index.endpoints.push(url.clone());
                }
            }
        }
        index.finish();
        let stats = IndexStats {
            triples: index.triples,
            labels: index.labels.len(),
            resources: index.resources.len(),
            elapsed: start.elapsed(),
        };
        Ok((index, stats))
    }

    /// Fetches, from the endpoints, what the given resources point to, once each.
    pub(super) fn fetch_context(&mut self, resources: &BTreeSet<u32>) -> Result<()> {
        if self.endpoints.is_empty() {
            return Ok(());
        }
        let wanted: Vec<String> = resources
            .iter()
            .filter(|r| !self.fetched.contains(r))
            .map(|&r| self.iris.iri(r).to_owned())
            .collect();
        for chunk in wanted.chunks(100) {
            let values: String = chunk.iter().map(|iri| format!("<{iri}> ")).collect();
            for url in self.endpoints.clone() {
                let query = format!(
                    "SELECT ?s ?p ?o WHERE {{ SERVICE <{url}> {{ VALUES ?s {{ {values}}} ?s ?p ?o . FILTER(isIRI(?o)) }} }}"
                );
                self.run_remote(&url, &query)?;
            }
        }
        for iri in &wanted {
            if let Some(id) = self.iris.get(iri) {
                self.fetched.insert(id);
            }
        }
        self.context.sort_unstable();
        self.context.dedup();
        Ok(())
    }

    /// Fetches the names, types and class declarations an endpoint holds.
    fn fetch_labels(&mut self, url: &str) -> Result<()> {
        let predicates: String = PREFERRED_LABELS
            .iter()
            .chain(&ALIAS_LABELS)
            .chain(&TYPE_PREDICATES)
            .chain(CLASS_PREDICATES.iter().map(|(p, _)| p))
            .map(|p| format!("<{p}> "))
            .collect();
        let query = format!("SELECT ?s ?p ?o WHERE {{ SERVICE <{url}> {{ VALUES ?p {{ {predicates}}} ?s ?p ?o }} }}");
        self.run_remote(url, &query)
    }

    /// Runs a `SERVICE` query through Oxigraph's HTTP client and indexes the `?s ?p ?o`
    /// rows it returns.
    fn run_remote(&mut self, url: &str, query: &str) -> Result<()> {
        let store = Store::new().map_err(|e| Error::Store {
            place: crate::error::Place::Memory,
            source: e,
        })?;
        let endpoint_error = |source| Error::Endpoint {
            url: url.to_owned(),
            source,
        };
        let query = SparqlEvaluator::new()
            .with_http_timeout(Duration::from_secs(300))
            .parse_query(query)
            .map_err(|source| Error::Usage(format!("{url}: not a usable endpoint IRI: {source}")))?;
        let QueryResults::Solutions(solutions) = query.on_store(&store).execute().map_err(endpoint_error)? else {
            return Ok(());
        };
        for solution in solutions {
            let solution = solution.map_err(endpoint_error)?;
            let (Some(Term::NamedNode(s)), Some(Term::NamedNode(p)), Some(o)) =
                (solution.get("s"), solution.get("p"), solution.get("o"))
            else {
                continue;
            };
            self.add(s.as_ref().into(), p.as_ref(), o.as_ref());
        }
        Ok(())
    }
}
