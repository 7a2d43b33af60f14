//! The datasets a push sends, and all that push needs of them: a name, the graph IRI it
//! has locally and will have on the target, its triples (blank nodes made skolem IRIs,
//! sorted, as canonical N-Triples lines), their count and a content hash. This file is
//! the one place push meets the datasets of a source, so that it can follow their
//! representation (issue 11) in one place.
//!
//! - A store's datasets are its named graphs, except the ontology
//!   ([`vocab::ONTOLOGY_GRAPH`]), the datasets' metadata ([`vocab::DATASETS_GRAPH`]) and
//!   the `file:` graphs of `--with` files. A store made before datasets holds its data in
//!   the default graph: that is one dataset named `default`, in `BASE graph/default`.
//!   The name is the graph's `dcterms:identifier` in the metadata, else the end of its
//!   IRI after `graph/`; the hash is its recorded `sg:contentHash`, else the hash below.
//! - Inputs read now are mapped in memory, each into the graph its dataset would get from
//!   a load: named after its file's stem (a folder by its name, standard input `stdin`),
//!   or all into one dataset named by `--graph`. Their hash is `sha256:` and the SHA-256
//!   of the graph's sorted N-Triples lines, each ended by a newline.

use std::collections::BTreeMap;
use std::path::Path;

use oxigraph::model::{BlankNode, GraphNameRef, NamedNode, NamedOrBlankNode, NamedOrBlankNodeRef, Term, Triple};
use sha2::{Digest, Sha256};

use crate::engine::{KnowledgeBase, ReadOptions};
use crate::error::{Error, Result};
use crate::input::InputSpec;
use crate::mapping;
use crate::resolve::{DEFAULT_BASE, NoStore, graph_iri};
use crate::store::{self, GraphStore};
use crate::vocab;

// The metadata terms of datasets, as the store records them (`store`, `vocab`), as text
// for the updates push sends.
/// `dcterms:identifier`: a dataset's name.
pub const DCTERMS_IDENTIFIER: &str = store::DCTERMS_IDENTIFIER.as_str();
/// `dcterms:modified`: when a dataset was last replaced.
pub const DCTERMS_MODIFIED: &str = store::DCTERMS_MODIFIED.as_str();
/// `dcat:Dataset`: the class of the metadata's subjects.
pub const DCAT_DATASET: &str = store::DCAT_DATASET.as_str();
/// `sg:contentHash`: a dataset's hash, as its metadata records it.
pub const CONTENT_HASH: &str = vocab::sg::CONTENT_HASH.as_str();
/// `sg:tripleCount`: a dataset's size, as its metadata records it.
pub const TRIPLE_COUNT: &str = vocab::sg::TRIPLE_COUNT.as_str();
/// The name of the dataset a store made before datasets holds in its default graph.
pub const DEFAULT_DATASET: &str = "default";

/// One dataset, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    pub name: String,
    pub graph: NamedNode,
    /// Its triples as N-Triples lines (each ended by `\n`), sorted, without repeats.
    pub lines: Vec<String>,
    /// `sha256:` and 64 hex digits.
    pub hash: String,
    /// Whether a triple holds a triple term (RDF 1.2), which some servers refuse.
    pub has_triple_terms: bool,
}

impl Dataset {
    /// Makes a dataset of `triples`, with its recorded hash if it has one.
    pub fn new(
        name: String,
        graph: NamedNode,
        triples: impl IntoIterator<Item = Triple>,
        hash: Option<String>,
    ) -> Self {
        let mut has_triple_terms = false;
        let mut lines: Vec<String> = triples
            .into_iter()
            .map(|triple| {
                let triple = skolemize(&graph, triple);
                has_triple_terms |= matches!(triple.object, Term::Triple(_));
                format!("{triple} .\n")
            })
            .collect();
        lines.sort_unstable();
        lines.dedup();
        let hash = hash.unwrap_or_else(|| canonical_hash(&lines));
        Self {
            name,
            graph,
            lines,
            hash,
            has_triple_terms,
        }
    }

    /// How many triples it has.
    pub fn count(&self) -> usize {
        self.lines.len()
    }

    /// How many bytes its N-Triples take.
    pub fn bytes(&self) -> usize {
        self.lines.iter().map(String::len).sum()
    }
}

/// `sha256:` and the SHA-256 of the lines, in order.
pub fn canonical_hash(lines: &[String]) -> String {
    let mut hasher = Sha256::new();
    for line in lines {
        hasher.update(line.as_bytes());
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// A blank node as a skolem IRI under the graph's authority: the same node of the same
/// graph is always the same IRI, so that chunks and retries can neither split nor
/// duplicate it.
fn skolem(graph: &NamedNode, node: &BlankNode) -> NamedNode {
    let iri = graph.as_str();
    let origin = iri
        .find("://")
        .and_then(|at| iri[at + 3..].find('/').map(|slash| &iri[..at + 3 + slash]))
        .unwrap_or(iri);
    let digest = Sha256::digest(format!("{iri} {}", node.as_str()).as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    NamedNode::new_unchecked(format!("{origin}/.well-known/genid/saidgraph/{hex}"))
}

fn skolemize(graph: &NamedNode, triple: Triple) -> Triple {
    let subject = match triple.subject {
        NamedOrBlankNode::BlankNode(node) => skolem(graph, &node).into(),
        other => other,
    };
    let object = match triple.object {
        Term::BlankNode(node) => skolem(graph, &node).into(),
        Term::Triple(inner) => Term::Triple(Box::new(skolemize(graph, *inner))),
        other => other,
    };
    Triple::new(subject, triple.predicate, object)
}

/// The end of a dataset graph's IRI after `graph/`, as a name when none is recorded.
fn name_from_iri(graph: &NamedNode) -> String {
    let iri = graph.as_str();
    iri.rfind("graph/")
        .map_or(iri, |at| &iri[at + "graph/".len()..])
        .to_owned()
}

/// Whether a named graph of a store holds a dataset.
fn is_dataset_graph(graph: &NamedNode) -> bool {
    graph.as_ref() != vocab::ONTOLOGY_GRAPH
        && graph.as_ref() != vocab::DATASETS_GRAPH
        && !graph.as_str().starts_with("file:")
}

/// The datasets of the store at `path`, only those named in `names` if any are (a name
/// it does not hold is an error).
pub fn from_store(path: &Path, names: &[String]) -> Result<Vec<Dataset>> {
    GraphStore::read(path, |store| {
        let oxigraph = store.store();
        let storage = |e| Error::Store {
            place: path.into(),
            source: e,
        };
        let metadata = |graph: &NamedNode, predicate: &str| -> Result<Option<String>> {
            let predicate = NamedNode::new_unchecked(predicate);
            let found = oxigraph
                .quads_for_pattern(
                    Some(NamedOrBlankNodeRef::from(graph.as_ref())),
                    Some(predicate.as_ref()),
                    None,
                    Some(GraphNameRef::NamedNode(vocab::DATASETS_GRAPH)),
                )
                .next()
                .transpose()
                .map_err(storage)?;
            Ok(found.and_then(|q| match q.object {
                Term::Literal(l) => Some(l.value().to_owned()),
                _ => None,
            }))
        };
        let mut found: BTreeMap<String, (NamedNode, Option<String>)> = BTreeMap::new();
        for graph in oxigraph.named_graphs() {
            let NamedOrBlankNode::NamedNode(graph) = graph.map_err(storage)? else {
                continue;
            };
            if !is_dataset_graph(&graph) {
                continue;
            }
            let name = metadata(&graph, DCTERMS_IDENTIFIER)?.unwrap_or_else(|| name_from_iri(&graph));
            let hash = metadata(&graph, CONTENT_HASH)?;
            found.insert(name, (graph, hash));
        }
        let default_empty = oxigraph
            .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
            .next()
            .is_none();
        if !default_empty && !found.contains_key(DEFAULT_DATASET) {
            let base = store
                .bases()?
                .into_iter()
                .next()
                .unwrap_or_else(|| DEFAULT_BASE.to_owned());
            found.insert(DEFAULT_DATASET.to_owned(), (graph_iri(&base, DEFAULT_DATASET), None));
        }
        if let Some(missing) = names.iter().find(|n| !found.contains_key(*n)) {
            let held: Vec<&str> = found.keys().map(String::as_str).collect();
            return Err(Error::Usage(format!(
                "--graph {missing}: the store {} holds no such dataset; it holds: {}",
                path.display(),
                if held.is_empty() {
                    "none".to_owned()
                } else {
                    held.join(", ")
                }
            )));
        }
        let mut datasets = Vec::new();
        for (name, (graph, hash)) in found {
            if !names.is_empty() && !names.contains(&name) {
                continue;
            }
            let graph_name = if name == DEFAULT_DATASET && !oxigraph.contains_named_graph(&graph).map_err(storage)? {
                GraphNameRef::DefaultGraph
            } else {
                GraphNameRef::NamedNode(graph.as_ref())
            };
            let triples = oxigraph
                .quads_for_pattern(None, None, None, Some(graph_name))
                .map(|q| q.map(Triple::from).map_err(storage))
                .collect::<Result<Vec<_>>>()?;
            datasets.push(Dataset::new(name, graph, triples, hash));
        }
        Ok(datasets)
    })
}

/// The name of the dataset an input gets when none is given: its file's stem, a folder's
/// name, `stdin` for standard input.
pub fn input_dataset_name(spec: &InputSpec) -> String {
    if spec.is_stdin() {
        return "stdin".to_owned();
    }
    let path = &spec.path;
    let stem = if path.is_dir() {
        path.file_name()
    } else {
        path.file_stem()
    };
    let stem = stem.map_or_else(|| path.display().to_string(), |s| s.to_string_lossy().into_owned());
    // `kb.jsonl.gz` → `kb`: compression suffixes are not part of the name.
    match stem.rsplit_once('.') {
        Some((first, ext)) if ["json", "jsonl", "csv", "tsv", "txt", "ndjson"].contains(&ext) => first.to_owned(),
        _ => stem,
    }
}

/// The inputs read now (validated together, so that they may refer to each other),
/// mapped into datasets: one per input, or all in one when `names` holds one name, or
/// one each by `names` when it holds as many names as there are inputs.
pub fn from_inputs(inputs: &[InputSpec], options: &ReadOptions, names: &[String]) -> Result<Vec<Dataset>> {
    if names.len() > 1 && names.len() != inputs.len() {
        return Err(Error::Usage(format!(
            "--graph given {} times for {} inputs: give it once (every input in one dataset) or once per input",
            names.len(),
            inputs.len()
        )));
    }
    let kb = KnowledgeBase::read(inputs, options, &NoStore)?;
    let mut grouped: Vec<(String, String, Vec<Triple>)> = Vec::new();
    for part in &kb.parts {
        let index = inputs.iter().position(|spec| spec.display_name() == part.name);
        let name = match (names, index) {
            ([one], _) => one.clone(),
            ([], Some(i)) => input_dataset_name(&inputs[i]),
            (many, Some(i)) if many.len() == inputs.len() => many[i].clone(),
            _ => return Err(Error::Internal(format!("no input is named {:?}", part.name))),
        };
        let at = match grouped.iter().position(|(n, _, _)| *n == name) {
            Some(at) => at,
            None => {
                grouped.push((name, part.base.clone(), Vec::new()));
                grouped.len() - 1
            }
        };
        for record in &part.records {
            mapping::map_record(record, &part.base, &kb.resolver, &mut grouped[at].2);
        }
    }
    Ok(grouped
        .into_iter()
        .map(|(name, base, triples)| {
            let graph = graph_iri(&base, &name);
            Dataset::new(name, graph, triples, None)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_nodes_become_the_same_skolem_iri_each_time() {
        let graph = NamedNode::new_unchecked("https://kb.example.org/graph/x");
        let node = BlankNode::new_unchecked("b0");
        let p = NamedNode::new_unchecked("https://kb.example.org/p");
        let triple = || Triple::new(node.clone(), p.clone(), BlankNode::new_unchecked("b1"));
        let a = Dataset::new("x".into(), graph.clone(), [triple()], None);
        let b = Dataset::new("x".into(), graph, [triple(), triple()], None);
        assert_eq!(a, b);
        assert_eq!(a.count(), 1);
        assert!(a.lines[0].starts_with("<https://kb.example.org/.well-known/genid/saidgraph/"));
        assert!(!a.lines[0].contains("_:"));
        assert_eq!(a.hash, canonical_hash(&a.lines));
        assert_eq!(a.hash.len(), "sha256:".len() + 64);
    }

    #[test]
    fn dataset_names_come_from_the_graph_iri_or_the_input() {
        let graph = graph_iri("https://kb.example.org/", "seed article");
        assert_eq!(name_from_iri(&graph), "seed%20article");
        assert!(!is_dataset_graph(&vocab::ONTOLOGY_GRAPH.into_owned()));
        assert!(!is_dataset_graph(&NamedNode::new_unchecked("file:///tmp/wd.ttl")));
        assert_eq!(
            input_dataset_name(&InputSpec::new("examples/seed-article.json")),
            "seed-article"
        );
        assert_eq!(input_dataset_name(&InputSpec::new("kb.jsonl.gz")), "kb");
        assert_eq!(input_dataset_name(&InputSpec::new("-")), "stdin");
    }
}
