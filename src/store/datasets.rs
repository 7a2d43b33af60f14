//! Datasets in a store: each one a named graph (`BASE graph/NAME`), described in the
//! metadata graph ([`vocab::DATASETS_GRAPH`]) by a `dcat:Dataset` whose subject is the
//! graph itself, with where its data came from (PROV-O and Dublin Core terms).
//!
//! This module owns that description ([`DatasetInfo`] to and from quads), which graphs
//! hold data (every named graph but the ontology's, the metadata graph and `file:`
//! graphs of `--with`; the default graph too, where stores made before datasets keep
//! their data), which dataset defines a record, and which records of other datasets
//! refer to a dataset's records (what `drop` refuses to break).

use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{
    GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term, TermRef,
};

use crate::error::Result;
use crate::resolve::{KnownIds, mint};
use crate::terms::RecordKind;
use crate::vocab::{self, sg, std_terms};

use super::GraphStore;

/// `dcat:Dataset`.
pub const DCAT_DATASET: NamedNodeRef<'static> = NamedNodeRef::new_unchecked("http://www.w3.org/ns/dcat#Dataset");
/// `dcterms:identifier`: the dataset's name.
pub const DCTERMS_IDENTIFIER: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://purl.org/dc/terms/identifier");
/// `dcterms:modified`: when the dataset was last loaded.
pub const DCTERMS_MODIFIED: NamedNodeRef<'static> = NamedNodeRef::new_unchecked("http://purl.org/dc/terms/modified");
/// `dcterms:source`: an input's path, as given.
pub const DCTERMS_SOURCE: NamedNodeRef<'static> = NamedNodeRef::new_unchecked("http://purl.org/dc/terms/source");
/// `prov:wasDerivedFrom`: from the dataset to each of its inputs.
pub const PROV_WAS_DERIVED_FROM: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://www.w3.org/ns/prov#wasDerivedFrom");
/// `prov:Entity`: an input file.
pub const PROV_ENTITY: NamedNodeRef<'static> = NamedNodeRef::new_unchecked("http://www.w3.org/ns/prov#Entity");

/// One input of a dataset, as the metadata records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputInfo {
    /// The path as given on the command line (`-` for standard input).
    pub path: String,
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
}

/// A dataset's description in the metadata graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetInfo {
    pub name: String,
    pub graph: NamedNode,
    /// RFC 3339, UTC.
    pub modified: String,
    pub version: String,
    pub records: u64,
    pub triples: u64,
    /// `sha256:` and the hash of every input's bytes, in order.
    pub content_hash: String,
    /// The bases its records were minted with, sorted (`sg:base`; empty in stores made
    /// before saidgraph recorded them).
    pub bases: Vec<String>,
    pub inputs: Vec<InputInfo>,
}

impl DatasetInfo {
    /// The node of input `i` (from 1): `GRAPH#input-i`.
    fn input_node(&self, i: usize) -> NamedNode {
        NamedNode::new_unchecked(format!("{}#input-{i}", self.graph.as_str()))
    }

    /// The description as quads in the metadata graph.
    pub fn quads(&self) -> Vec<Quad> {
        let g = GraphName::from(vocab::DATASETS_GRAPH.into_owned());
        let s = &self.graph;
        let mut quads = vec![
            Quad::new(s.clone(), rdf::TYPE, DCAT_DATASET, g.clone()),
            Quad::new(
                s.clone(),
                DCTERMS_IDENTIFIER,
                Literal::new_simple_literal(&self.name),
                g.clone(),
            ),
            Quad::new(
                s.clone(),
                DCTERMS_MODIFIED,
                Literal::new_typed_literal(&self.modified, xsd::DATE_TIME),
                g.clone(),
            ),
            Quad::new(
                s.clone(),
                sg::SAIDGRAPH_VERSION,
                Literal::new_simple_literal(&self.version),
                g.clone(),
            ),
            Quad::new(s.clone(), sg::RECORD_COUNT, integer(self.records), g.clone()),
            Quad::new(s.clone(), sg::TRIPLE_COUNT, integer(self.triples), g.clone()),
            Quad::new(
                s.clone(),
                sg::CONTENT_HASH,
                Literal::new_simple_literal(&self.content_hash),
                g.clone(),
            ),
        ];
        for base in &self.bases {
            quads.push(Quad::new(
                s.clone(),
                sg::BASE,
                Literal::new_simple_literal(base),
                g.clone(),
            ));
        }
        for (i, input) in self.inputs.iter().enumerate() {
            let node = self.input_node(i + 1);
            quads.push(Quad::new(s.clone(), PROV_WAS_DERIVED_FROM, node.clone(), g.clone()));
            quads.push(Quad::new(node.clone(), rdf::TYPE, PROV_ENTITY, g.clone()));
            quads.push(Quad::new(
                node.clone(),
                DCTERMS_SOURCE,
                Literal::new_simple_literal(&input.path),
                g.clone(),
            ));
            quads.push(Quad::new(node.clone(), sg::BYTE_SIZE, integer(input.size), g.clone()));
            quads.push(Quad::new(
                node,
                sg::SHA256,
                Literal::new_simple_literal(&input.sha256),
                g.clone(),
            ));
        }
        quads
    }
}

/// Whether a graph holds data: not the ontology, not the metadata, not a `--with` file.
pub fn is_data_graph(graph: GraphNameRef<'_>) -> bool {
    match graph {
        GraphNameRef::DefaultGraph => true,
        GraphNameRef::NamedNode(node) => {
            node != vocab::ONTOLOGY_GRAPH && node != vocab::DATASETS_GRAPH && !node.as_str().starts_with("file:")
        }
        GraphNameRef::BlankNode(_) => true,
    }
}

/// A record of another dataset that refers to a record of the datasets in question.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The referring record (the subject of the referring triple).
    pub referrer: Term,
    /// The graph of the referring triple.
    pub graph: GraphName,
    /// The record referred to.
    pub record: Term,
}

/// A count as the metadata writes it: an `xsd:integer`.
pub(super) fn integer(n: u64) -> Literal {
    Literal::new_typed_literal(n.to_string(), xsd::INTEGER)
}

pub(super) fn literal_value(term: &Term) -> Option<&str> {
    match term {
        Term::Literal(literal) => Some(literal.value()),
        _ => None,
    }
}

impl GraphStore {
    /// The quads of the metadata graph whose subject is `subject`.
    fn metadata_about(&self, subject: &NamedOrBlankNode) -> Result<Vec<Quad>> {
        self.store
            .quads_for_pattern(Some(subject.as_ref()), None, None, Some(vocab::DATASETS_GRAPH.into()))
            .map(|q| q.map_err(|e| self.storage_error(e)))
            .collect()
    }

    /// Every dataset the metadata graph describes, by name.
    pub fn datasets(&self) -> Result<Vec<DatasetInfo>> {
        let mut datasets = Vec::new();
        for quad in self.store.quads_for_pattern(
            None,
            Some(rdf::TYPE),
            Some(DCAT_DATASET.into()),
            Some(vocab::DATASETS_GRAPH.into()),
        ) {
            let quad = quad.map_err(|e| self.storage_error(e))?;
            let NamedOrBlankNode::NamedNode(graph) = quad.subject.clone() else {
                continue;
            };
            let mut info = DatasetInfo {
                name: String::new(),
                graph,
                modified: String::new(),
                version: String::new(),
                records: 0,
                triples: 0,
                content_hash: String::new(),
                bases: Vec::new(),
                inputs: Vec::new(),
            };
            let mut inputs = Vec::new();
            for fact in self.metadata_about(&quad.subject)? {
                let value = literal_value(&fact.object).unwrap_or_default().to_owned();
                match fact.predicate.as_ref() {
                    p if p == DCTERMS_IDENTIFIER => info.name = value,
                    p if p == DCTERMS_MODIFIED => info.modified = value,
                    p if p == sg::SAIDGRAPH_VERSION => info.version = value,
                    p if p == sg::RECORD_COUNT => info.records = value.parse().unwrap_or(0),
                    p if p == sg::TRIPLE_COUNT => info.triples = value.parse().unwrap_or(0),
                    p if p == sg::CONTENT_HASH => info.content_hash = value,
                    p if p == sg::BASE => info.bases.push(value),
                    p if p == PROV_WAS_DERIVED_FROM => {
                        if let Term::NamedNode(node) = fact.object {
                            inputs.push(node);
                        }
                    }
                    _ => {}
                }
            }
            info.bases.sort();
            inputs.sort_by_key(|node| {
                let number = node.as_str().rsplit_once("#input-").map(|(_, n)| n.to_owned());
                number.and_then(|n| n.parse::<usize>().ok()).unwrap_or(usize::MAX)
            });
            for node in inputs {
                let mut input = InputInfo {
                    path: String::new(),
                    size: 0,
                    sha256: String::new(),
                };
                for fact in self.metadata_about(&node.into())? {
                    let value = literal_value(&fact.object).unwrap_or_default().to_owned();
                    match fact.predicate.as_ref() {
                        p if p == DCTERMS_SOURCE => input.path = value,
                        p if p == sg::BYTE_SIZE => input.size = value.parse().unwrap_or(0),
                        p if p == sg::SHA256 => input.sha256 = value,
                        _ => {}
                    }
                }
                info.inputs.push(input);
            }
            datasets.push(info);
        }
        datasets.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(datasets)
    }

    /// The metadata quads of the dataset in `graph`: its own and those of its nodes (its
    /// graph's IRI with a fragment: its inputs, its value counts), however deep.
    pub fn metadata_quads(&self, graph: NamedNodeRef<'_>) -> Result<Vec<Quad>> {
        let prefix = format!("{}#", graph.as_str());
        let mut quads = Vec::new();
        let mut pending: Vec<NamedOrBlankNode> = vec![graph.into_owned().into()];
        let mut seen: std::collections::HashSet<NamedOrBlankNode> = pending.iter().cloned().collect();
        while let Some(subject) = pending.pop() {
            for quad in self.metadata_about(&subject)? {
                if let Term::NamedNode(node) = &quad.object
                    && node.as_str().starts_with(&prefix)
                    && seen.insert(node.clone().into())
                {
                    pending.push(node.clone().into());
                }
                quads.push(quad);
            }
        }
        Ok(quads)
    }

    /// The graph that defines the record `iri` (gives it an `rdf:type`), other than those
    /// in `except`.
    pub fn defining_graph(&self, iri: NamedNodeRef<'_>, except: &[NamedNode]) -> Option<GraphName> {
        self.store
            .quads_for_pattern(Some(iri.into()), Some(rdf::TYPE), None, None)
            .filter_map(std::result::Result::ok)
            .map(|quad| quad.graph_name)
            .find(|graph| {
                is_data_graph(graph.as_ref()) && !matches!(graph, GraphName::NamedNode(node) if except.contains(node))
            })
    }

    /// The name of the dataset in `graph`, for messages: its `dcterms:identifier`, else
    /// the graph's IRI.
    pub fn dataset_name(&self, graph: &GraphName) -> String {
        let GraphName::NamedNode(node) = graph else {
            return "the default graph".to_owned();
        };
        self.store
            .quads_for_pattern(
                Some(node.as_ref().into()),
                Some(DCTERMS_IDENTIFIER),
                None,
                Some(vocab::DATASETS_GRAPH.into()),
            )
            .filter_map(std::result::Result::ok)
            .find_map(|quad| literal_value(&quad.object).map(str::to_owned))
            .unwrap_or_else(|| node.as_str().to_owned())
    }

    /// The records (subjects with an `rdf:type`) of the graphs `graphs`.
    pub fn records_of(&self, graphs: &[NamedNode]) -> Result<Vec<NamedNode>> {
        let mut records = Vec::new();
        for graph in graphs {
            for quad in self
                .store
                .quads_for_pattern(None, Some(rdf::TYPE), None, Some(graph.as_ref().into()))
            {
                if let NamedOrBlankNode::NamedNode(record) = quad.map_err(|e| self.storage_error(e))?.subject {
                    records.push(record);
                }
            }
        }
        records.dedup();
        Ok(records)
    }

    /// The records of other data graphs that refer to records defined in `graphs`: at
    /// most `limit` of them, and how many there are in all.
    pub fn references_into(&self, graphs: &[NamedNode], limit: usize) -> Result<(usize, Vec<Reference>)> {
        self.references_to(&self.records_of(graphs)?, graphs, limit)
    }

    /// The triples of data graphs other than `graphs` whose object is one of `records`
    /// (`owl:sameAs` links aside): at most `limit` of them, and how many there are in all.
    pub fn references_to(
        &self,
        records: &[NamedNode],
        graphs: &[NamedNode],
        limit: usize,
    ) -> Result<(usize, Vec<Reference>)> {
        let mut count = 0;
        let mut first = Vec::new();
        for record in records {
            let record: Term = record.clone().into();
            for reference in self.store.quads_for_pattern(None, None, Some(record.as_ref()), None) {
                let reference = reference.map_err(|e| self.storage_error(e))?;
                let outside = is_data_graph(reference.graph_name.as_ref())
                    && !matches!(&reference.graph_name, GraphName::NamedNode(n) if graphs.contains(n));
                if outside && reference.predicate != std_terms::OWL_SAME_AS {
                    count += 1;
                    if first.len() < limit {
                        first.push(Reference {
                            referrer: reference.subject.into(),
                            graph: reference.graph_name,
                            record: record.clone(),
                        });
                    }
                }
            }
        }
        Ok((count, first))
    }
}

/// The ids a store defines, for checking a run against it: records of every data graph
/// but the datasets being replaced, whose records the run's replace.
#[derive(Debug)]
pub struct StoreIds<'s> {
    pub store: &'s GraphStore,
    pub replaced: Vec<NamedNode>,
}

impl KnownIds for StoreIds<'_> {
    fn find(&self, kind: RecordKind, base: &str, id: &str) -> Option<NamedNode> {
        let iri = mint(base, kind, id);
        self.store.defining_graph(iri.as_ref(), &self.replaced).map(|_| iri)
    }

    fn defined_elsewhere(&self, kind: RecordKind, base: &str, id: &str) -> Option<String> {
        let iri = mint(base, kind, id);
        let graph = self.store.defining_graph(iri.as_ref(), &self.replaced)?;
        Some(self.store.dataset_name(&graph))
    }
}

/// A term as messages show it: an IRI without its brackets.
pub fn show(term: TermRef<'_>) -> String {
    match term {
        TermRef::NamedNode(node) => node.as_str().to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::graph_iri;

    #[test]
    fn a_description_reads_back_as_it_was_written() -> Result<()> {
        let store = GraphStore::in_memory()?;
        let info = DatasetInfo {
            name: "seed article".to_owned(),
            graph: graph_iri("https://kb.example.org/", "seed article"),
            modified: "2026-12-01T00:00:00Z".to_owned(),
            version: "0.1.0".to_owned(),
            records: 3,
            triples: 30,
            content_hash: "sha256:00".to_owned(),
            bases: vec![
                "https://kb.example.org/".to_owned(),
                "https://other.example.org/".to_owned(),
            ],
            inputs: (1..=11)
                .map(|i| InputInfo {
                    path: format!("part-{i}.jsonl"),
                    size: i,
                    sha256: format!("{i:02x}"),
                })
                .collect(),
        };
        store.load_quads(info.quads())?;
        assert_eq!(store.datasets()?, vec![info.clone()]);
        assert_eq!(store.metadata_quads(info.graph.as_ref())?.len(), info.quads().len());
        assert!(info.graph.as_str().ends_with("graph/seed%20article"));
        Ok(())
    }
}
