//! Value counts kept in the metadata: for a dataset and a property (`sg:date`,
//! `sg:speaker`, `sg:about`, `sg:act`), how many of the dataset's triples have each
//! object, written by `load` with the data (`tally`), so that a first page by date or by
//! speaker or topic (`query::page`) reads a few hundred or thousand counts instead of
//! scanning every statement's (0.6 s a property on 1,000,000 statements). For each act,
//! the distinct speakers of its statements are counted too, so that `acts` reads them
//! (`query::kept`).
//!
//! In the metadata graph, after VoID's property partitions:
//!
//! ```turtle
//! <GRAPH> void:propertyPartition <GRAPH#values-1> .
//! <GRAPH#values-1> void:property sg:date ; void:triples 1000000 ;
//!     sg:valuePartition <GRAPH#values-1-1>, … .
//! <GRAPH#values-1-1> rdf:value "2010-01-01"^^xsd:date ; void:triples 2381 .
//! <GRAPH#values-4> void:property sg:act ; sg:coProperty sg:speaker ; … .
//! <GRAPH#values-4-1> rdf:value act:warn ; void:triples 33012 ; sg:distinctCoValues 1998 .
//! ```
//!
//! The nodes are the dataset's own (its graph's IRI and a fragment), so they go with its
//! description when the dataset is replaced or dropped. A store made before them, or a
//! graph that is no dataset's (a `--with` file, `link --apply`'s links) has none, and
//! readers then count as before when it has triples of the property.

use std::collections::HashMap;

use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphName, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term};
use oxigraph::sparql::CancellationToken;

use crate::error::Result;
use crate::vocab::{self, sg, std_terms};

use super::GraphStore;
use super::datasets::{integer, literal_value};

/// The properties whose values `load` counts: those the library's first pages are by (the
/// dates, and the speakers and topics whose labels order `statements-by` and
/// `statements-about`), and the acts, whose statements and speakers `acts` counts.
pub const COUNTED: [NamedNodeRef<'static>; 4] = [sg::DATE, sg::SPEAKER, sg::ABOUT, sg::ACT];

/// Counted properties whose values' subjects have the distinct values of a second property
/// counted too: for each act, how many distinct speakers its statements have (`acts`).
pub const COUNTED_ALONGSIDE: [(NamedNodeRef<'static>, NamedNodeRef<'static>); 1] = [(sg::ACT, sg::SPEAKER)];

/// One counted property's values in a graph: each with how many triples have it and, for
/// a property of [`COUNTED_ALONGSIDE`], how many distinct values of the other property its
/// subjects have.
pub(super) type Counted = Vec<(Term, u64, Option<u64>)>;

/// A value node as read: its partition, value, count, and count of distinct values alongside.
type ValueNode = (NamedNode, Term, u64, Option<u64>);

impl GraphStore {
    /// Counts the objects of each of [`COUNTED`] in the named graph `graph`, with Oxigraph,
    /// and records the counts in the metadata (in a transaction of their own). `load`
    /// records the same counts as its triples stream in (`store::tally`); this counts
    /// them again from what the graph holds, which the tests check them against.
    #[cfg(test)]
    pub fn count_values(&self, graph: &NamedNode) -> Result<()> {
        let mut counted = Vec::new();
        for predicate in COUNTED {
            let values = self.count_objects(predicate, Some(graph), None)?;
            let alongside = match COUNTED_ALONGSIDE.iter().find(|(p, _)| *p == predicate) {
                Some((_, other)) => {
                    let text = format!(
                        "SELECT ?value (COUNT(DISTINCT ?other) AS ?count) WHERE {{ GRAPH <{graph}> {{ \
                         ?subject <{predicate}> ?value . ?subject <{other}> ?other }} }} GROUP BY ?value",
                        graph = graph.as_str(),
                        predicate = predicate.as_str(),
                        other = other.as_str(),
                    );
                    let mut distinct = HashMap::new();
                    for solution in self.select(&text, None)? {
                        let solution = solution?;
                        if let (Some(value), Some(count)) =
                            (solution.get("value"), solution.get("count").and_then(count_of))
                        {
                            distinct.insert(value.clone(), count);
                        }
                    }
                    Some(distinct)
                }
                None => None,
            };
            counted.push(
                values
                    .into_iter()
                    .map(|(value, count)| {
                        let other = alongside.as_ref().map(|d| d.get(&value).copied().unwrap_or(0));
                        (value, count, other)
                    })
                    .collect(),
            );
        }
        self.load_quads(value_quads(graph, counted))
    }

    /// The objects of `predicate` with how many triples have each, counted now by Oxigraph
    /// (one scan of the predicate, grouped on stored ids): in the named graph `graph`, or
    /// in the union of all graphs.
    pub fn count_objects(
        &self,
        predicate: NamedNodeRef<'_>,
        graph: Option<&NamedNode>,
        cancel: Option<&CancellationToken>,
    ) -> Result<Vec<(Term, u64)>> {
        self.count_terms(predicate, "?subject", "?value", graph, cancel)
    }

    /// The subjects of `predicate` with how many triples have each, in the union of all
    /// graphs, counted as [`count_objects`](Self::count_objects) counts objects.
    pub fn count_subjects(
        &self,
        predicate: NamedNodeRef<'_>,
        cancel: Option<&CancellationToken>,
    ) -> Result<Vec<(Term, u64)>> {
        self.count_terms(predicate, "?value", "?object", None, cancel)
    }

    /// Counts the triples of `predicate` by the term in the position named `?value`.
    fn count_terms(
        &self,
        predicate: NamedNodeRef<'_>,
        subject: &str,
        object: &str,
        graph: Option<&NamedNode>,
        cancel: Option<&CancellationToken>,
    ) -> Result<Vec<(Term, u64)>> {
        let pattern = format!("{subject} <{}> {object}", predicate.as_str());
        let pattern = match graph {
            Some(graph) => format!("GRAPH <{}> {{ {pattern} }}", graph.as_str()),
            None => pattern,
        };
        let text = format!("SELECT ?value (COUNT(*) AS ?count) WHERE {{ {pattern} }} GROUP BY ?value");
        let mut counts = Vec::new();
        for solution in self.select(&text, cancel)? {
            let solution = solution?;
            if let (Some(value), Some(count)) = (solution.get("value"), solution.get("count").and_then(count_of)) {
                counts.push((value.clone(), count));
            }
        }
        Ok(counts)
    }

    /// The objects of `predicate` in the data with how many triples have each, summed over
    /// the graphs, from the recorded counts; `None` unless every graph of data with the
    /// property has them (every named graph but the ontology's and the metadata, and an
    /// empty default graph).
    pub fn value_counts(&self, predicate: NamedNodeRef<'_>) -> Result<Option<Vec<(Term, u64)>>> {
        // Only these are counted: of another, a store without it would seem to count none.
        if !COUNTED.contains(&predicate) {
            return Ok(None);
        }
        let Some(partitions) = self.value_partitions(predicate, None)? else {
            return Ok(None);
        };
        let Some(nodes) = self.value_nodes(&partitions, false, None)? else {
            return Ok(None);
        };
        let mut counts: HashMap<Term, u64> = HashMap::new();
        for (_, value, count, _) in nodes {
            *counts.entry(value).or_default() += count;
        }
        Ok(Some(counts.into_iter().collect()))
    }

    /// The objects of `predicate` in the data, each with how many triples have it and how
    /// many distinct values of `other` their subjects have, over the graphs (`acts`: each
    /// act's statements and speakers): from the recorded counts, when every graph of data
    /// has them or has neither property (as [`value_counts`](Self::value_counts) asks).
    /// The statements add up over the graphs; the speakers do not, so the values that more
    /// than one graph counts have their speakers counted now, by one query (a hash join of
    /// those values' subjects with every subject's `other`).
    pub fn counts_alongside(
        &self,
        predicate: NamedNodeRef<'_>,
        other: NamedNodeRef<'_>,
        cancel: Option<&CancellationToken>,
    ) -> Result<Option<Vec<(Term, u64, u64)>>> {
        if !COUNTED_ALONGSIDE.contains(&(predicate, other)) {
            return Ok(None);
        }
        let Some(partitions) = self.value_partitions(predicate, Some(other))? else {
            return Ok(None);
        };
        let Some(nodes) = self.value_nodes(&partitions, true, cancel)? else {
            return Ok(None);
        };
        // Per value: its triples, its distinct values of `other` where one graph counts
        // it, and in how many graphs it is.
        let mut sums: HashMap<Term, (u64, u64, usize)> = HashMap::new();
        for (_, value, count, distinct) in nodes {
            let sum = sums.entry(value).or_default();
            sum.0 += count;
            sum.1 = distinct.unwrap_or(0);
            sum.2 += 1;
        }
        // The values more than one graph counts, written into one query (an IRI or a
        // literal writes the same in N-Triples), each property read in a subquery of its
        // own so that Oxigraph joins them with a hash table, not a lookup per subject.
        let mut shared = String::new();
        for (value, (_, _, graphs)) in &sums {
            if *graphs > 1 {
                match value {
                    Term::NamedNode(_) | Term::Literal(_) => shared += &format!(" {value}"),
                    _ => return Ok(None),
                }
            }
        }
        let mut counted_now: HashMap<Term, u64> = HashMap::new();
        if !shared.is_empty() {
            let text = format!(
                "SELECT ?value (COUNT(DISTINCT ?other) AS ?count) WHERE {{ \
                 {{ SELECT ?subject ?value WHERE {{ VALUES ?value {{{shared} }} ?subject <{predicate}> ?value }} }} \
                 {{ SELECT ?subject ?other WHERE {{ ?subject <{other}> ?other }} }} }} GROUP BY ?value",
                predicate = predicate.as_str(),
                other = other.as_str(),
            );
            for solution in self.select(&text, cancel)? {
                let solution = solution?;
                if let (Some(value), Some(count)) = (solution.get("value"), solution.get("count").and_then(count_of)) {
                    counted_now.insert(value.clone(), count);
                }
            }
        }
        let counts = sums
            .into_iter()
            .map(|(value, (count, distinct, graphs))| {
                // A value none of whose subjects has `other` is in no row: 0.
                let distinct = if graphs == 1 {
                    distinct
                } else {
                    counted_now.get(&value).copied().unwrap_or(0)
                };
                (value, count, distinct)
            })
            .collect();
        Ok(Some(counts))
    }

    /// The value partitions of `predicate` (with `other` counted alongside, when given),
    /// by the graph they count; `None` unless every graph of data has one, or has no
    /// triple of `predicate` (nor of `other`).
    fn value_partitions(
        &self,
        predicate: NamedNodeRef<'_>,
        other: Option<NamedNodeRef<'_>>,
    ) -> Result<Option<HashMap<NamedNode, NamedNode>>> {
        let metadata_has = |subject: NamedNodeRef<'_>, property: NamedNodeRef<'_>, object: NamedNodeRef<'_>| {
            self.store
                .contains(oxigraph::model::QuadRef::new(
                    subject,
                    property,
                    object,
                    vocab::DATASETS_GRAPH,
                ))
                .map_err(|e| self.storage_error(e))
        };
        let mut partitions: HashMap<NamedNode, NamedNode> = HashMap::new();
        for quad in self.store.quads_for_pattern(
            None,
            Some(std_terms::VOID_PROPERTY_PARTITION),
            None,
            Some(vocab::DATASETS_GRAPH.into()),
        ) {
            let quad = quad.map_err(|e| self.storage_error(e))?;
            if let (NamedOrBlankNode::NamedNode(graph), Term::NamedNode(partition)) = (quad.subject, quad.object)
                && metadata_has(partition.as_ref(), std_terms::VOID_PROPERTY, predicate)?
                && match other {
                    Some(other) => metadata_has(partition.as_ref(), sg::CO_PROPERTY, other)?,
                    None => true,
                }
            {
                partitions.insert(graph, partition);
            }
        }
        let lacks = |graph: &NamedNode| self.lacks(graph, predicate) && other.is_none_or(|o| self.lacks(graph, o));
        if !self.every_data_graph_in(|graph| partitions.contains_key(graph) || lacks(graph))? {
            return Ok(None);
        }
        Ok(Some(partitions))
    }

    /// Every value node of `partitions`: its partition, value, count, and (when
    /// `alongside`) its count of distinct other values; `None` when a node lacks one.
    /// One query for them all: evaluated on the store's ids, it decodes only the values
    /// and the counts, where reading the quads decoded each value node's IRI and
    /// predicates too (a stored string each, 0.1 s for 2,000 values cold).
    fn value_nodes(
        &self,
        partitions: &HashMap<NamedNode, NamedNode>,
        alongside: bool,
        cancel: Option<&CancellationToken>,
    ) -> Result<Option<Vec<ValueNode>>> {
        if partitions.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let listed: String = partitions.values().map(|p| format!(" <{}>", p.as_str())).collect();
        let distinct = if alongside {
            format!("OPTIONAL {{ ?node <{}> ?distinct }}", sg::DISTINCT_CO_VALUES.as_str())
        } else {
            String::new()
        };
        let text = format!(
            "SELECT ?partition ?value ?count ?distinct WHERE {{ GRAPH <{metadata}> {{ \
             VALUES ?partition {{{listed} }} ?partition <{partition}> ?node \
             OPTIONAL {{ ?node <{value}> ?value }} OPTIONAL {{ ?node <{triples}> ?count }} {distinct} }} }}",
            metadata = vocab::DATASETS_GRAPH.as_str(),
            partition = sg::VALUE_PARTITION.as_str(),
            value = rdf::VALUE.as_str(),
            triples = std_terms::VOID_TRIPLES.as_str(),
        );
        let mut nodes = Vec::new();
        for solution in self.select(&text, cancel)? {
            let solution = solution?;
            // A value node without its value or its counts: they are not to be trusted.
            let (Some(Term::NamedNode(partition)), Some(value), Some(count)) = (
                solution.get("partition"),
                solution.get("value"),
                solution.get("count").and_then(count_of),
            ) else {
                return Ok(None);
            };
            let distinct = solution.get("distinct").and_then(count_of);
            if alongside && distinct.is_none() {
                return Ok(None);
            }
            nodes.push((partition.clone(), value.clone(), count, distinct));
        }
        Ok(Some(nodes))
    }

    /// Whether the named graph `graph` has no triple of `predicate` (a read error counts as one).
    pub(super) fn lacks(&self, graph: &NamedNode, predicate: NamedNodeRef<'_>) -> bool {
        self.store
            .quads_for_pattern(None, Some(predicate), None, Some(graph.as_ref().into()))
            .next()
            .is_none()
    }

    /// Whether every graph of data is one `counted` says yes to: every named graph but
    /// the ontology's and the metadata, and the default graph, which must be empty.
    pub(super) fn every_data_graph_in(&self, counted: impl Fn(&NamedNode) -> bool) -> Result<bool> {
        if self.has_default_graph_data() {
            return Ok(false);
        }
        for graph in self.store.named_graphs() {
            let graph = graph.map_err(|e| self.storage_error(e))?;
            let kept = match &graph {
                NamedOrBlankNode::NamedNode(g) => {
                    g.as_ref() == vocab::ONTOLOGY_GRAPH || g.as_ref() == vocab::DATASETS_GRAPH || counted(g)
                }
                NamedOrBlankNode::BlankNode(_) => false,
            };
            if !kept {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// The metadata of `counted`, the counts of each of [`COUNTED`] in `graph`, in its order.
pub(super) fn value_quads(graph: &NamedNode, counted: Vec<Counted>) -> Vec<Quad> {
    let metadata = GraphName::from(vocab::DATASETS_GRAPH.into_owned());
    let fact = |s: &NamedNode, p: NamedNodeRef<'_>, o: Term| Quad::new(s.clone(), p, o, metadata.clone());
    let mut quads = Vec::new();
    for (p, (predicate, mut values)) in COUNTED.iter().zip(counted).enumerate() {
        // Numbered in the order of the values' N-Triples, so that a load writes the same
        // metadata each time.
        values.sort_by_cached_key(|(value, _, _)| value.to_string());
        let partition = NamedNode::new_unchecked(format!("{}#values-{}", graph.as_str(), p + 1));
        let mut total = 0;
        for (v, (value, count, other)) in values.into_iter().enumerate() {
            total += count;
            let node = NamedNode::new_unchecked(format!("{}-{}", partition.as_str(), v + 1));
            quads.push(fact(&partition, sg::VALUE_PARTITION, node.clone().into()));
            quads.push(fact(&node, rdf::VALUE, value));
            quads.push(fact(&node, std_terms::VOID_TRIPLES, integer(count).into()));
            if let Some(other) = other {
                quads.push(fact(&node, sg::DISTINCT_CO_VALUES, integer(other).into()));
            }
        }
        quads.push(fact(
            graph,
            std_terms::VOID_PROPERTY_PARTITION,
            partition.clone().into(),
        ));
        quads.push(fact(
            &partition,
            std_terms::VOID_PROPERTY,
            predicate.into_owned().into(),
        ));
        quads.push(fact(&partition, std_terms::VOID_TRIPLES, integer(total).into()));
        if let Some((_, other)) = COUNTED_ALONGSIDE.iter().find(|(p, _)| p == predicate) {
            quads.push(fact(&partition, sg::CO_PROPERTY, other.into_owned().into()));
        }
    }
    quads
}

/// The number a literal writes (a count kept in the metadata, or counted by a query).
pub(crate) fn count_of(term: &Term) -> Option<u64> {
    literal_value(term)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use oxigraph::model::Literal;
    use oxigraph::model::vocab::xsd;

    use super::*;
    use crate::resolve::graph_iri;

    fn dated(graph: &NamedNode, subject: &str, date: Literal) -> Quad {
        Quad::new(
            NamedNode::new_unchecked(format!("https://a.org/statement/{subject}")),
            sg::DATE,
            date,
            graph.clone(),
        )
    }

    #[test]
    fn counts_are_kept_per_dataset_summed_over_them_and_trusted_only_when_complete() -> Result<()> {
        let date = |text: &str| Literal::new_typed_literal(text, xsd::DATE);
        let a = graph_iri("https://a.org/", "a");
        let b = graph_iri("https://a.org/", "b");
        let store = GraphStore::in_memory()?;
        store.load_quads([
            dated(&a, "1", date("2020-01-01")),
            dated(&a, "2", date("2020-01-01")),
            dated(&a, "3", date("2021-05-05")),
            dated(&b, "4", date("2020-01-01")),
        ])?;
        // Nothing counted yet: the caller counts.
        assert_eq!(store.value_counts(sg::DATE)?, None);
        store.count_values(&a)?;
        assert_eq!(store.value_counts(sg::DATE)?, None, "b is not counted");
        store.count_values(&b)?;
        let mut counts = store.value_counts(sg::DATE)?.expect("every graph counted");
        counts.sort_by_key(|(term, _)| term.to_string());
        assert_eq!(counts, [(date("2020-01-01").into(), 3), (date("2021-05-05").into(), 1)]);
        assert_eq!(
            store.value_counts(std_terms::RDFS_LABEL)?,
            None,
            "only the COUNTED properties are"
        );
        // The counts are the dataset's own nodes: they go with its description.
        let described = store.metadata_quads(a.as_ref())?;
        // Three facts a property (and one more of a property counted alongside), three a value.
        assert_eq!(
            described.len(),
            3 * COUNTED.len() + COUNTED_ALONGSIDE.len() + 2 * 3,
            "{described:?}"
        );
        for quad in &described {
            store.store().remove(quad).map_err(|e| store.storage_error(e))?;
        }
        store
            .store()
            .remove_named_graph(a.as_ref())
            .map_err(|e| store.storage_error(e))?;
        assert_eq!(
            store.value_counts(sg::DATE)?,
            Some(vec![(date("2020-01-01").into(), 1)])
        );
        // A value node without its count makes them untrusted.
        let count = store
            .store()
            .quads_for_pattern(
                None,
                Some(std_terms::VOID_TRIPLES),
                None,
                Some(vocab::DATASETS_GRAPH.into()),
            )
            .map(|q| q.expect("reads"))
            .find(|q| q.subject.to_string().contains("#values-1-"))
            .expect("a value node's count");
        store.store().remove(&count).map_err(|e| store.storage_error(e))?;
        assert_eq!(store.value_counts(sg::DATE)?, None, "a count is missing");
        store.store().insert(&count).map_err(|e| store.storage_error(e))?;
        assert_eq!(
            store.value_counts(sg::DATE)?,
            Some(vec![(date("2020-01-01").into(), 1)])
        );
        // A graph without counts and without dates (links, names) leaves them trusted.
        let names = NamedNode::new_unchecked("file:///names.ttl");
        store.load_quads([Quad::new(
            NamedNode::new_unchecked("https://a.org/entity/x"),
            std_terms::RDFS_LABEL,
            Literal::new_simple_literal("X"),
            names,
        )])?;
        assert!(store.value_counts(sg::DATE)?.is_some(), "a graph without dates");
        // A graph of data without counts (a --with file) makes them untrusted.
        store.load_quads([dated(
            &NamedNode::new_unchecked("file:///x.ttl"),
            "5",
            date("1999-01-01"),
        )])?;
        assert_eq!(store.value_counts(sg::DATE)?, None);
        Ok(())
    }
}
