//! Pair counts kept in the metadata: for a dataset and two properties (`sg:speaker` and
//! `sg:addressee`), how many subjects have each pair of values, written by `load` with the
//! data (`tally`), so that a first page ordered by the most statements between a speaker and
//! an addressee (`interaction-matrix`, `query::by_count`) reads the pairs with the most
//! instead of counting every statement's pair (12 s on 1,000,000 statements).
//!
//! A big dataset has many pairs that few subjects share (a million statements among 2,000
//! entities: 570,000 pairs, most with one statement), and a first page needs only those
//! with the most. So the pairs with at least some count are listed, at most
//! [`MAX_LISTED`] of them, and the partition says how many subjects a pair not listed has
//! at most. In the metadata graph:
//!
//! ```turtle
//! <GRAPH> sg:pairPartition <GRAPH#pairs-1> .
//! <GRAPH#pairs-1> sg:firstProperty sg:speaker ; sg:secondProperty sg:addressee ;
//!     sg:unlistedAtMost 2 ; sg:pair <GRAPH#pairs-1-1>, … .
//! <GRAPH#pairs-1-1> sg:firstValue <…/entity/e17> ; sg:secondValue <…/entity/e903> ;
//!     void:entities 7 .
//! ```
//!
//! The nodes are the dataset's own, as the value counts' are (`summary`): they go with its
//! description when it is replaced or dropped; a dataset without them, or a graph that is
//! no dataset's and has either property, makes readers count as before.
//!
//! The counts are of the subjects that have both properties in the dataset's graph. They
//! bound the subjects that have a pair in the union of the graphs, which queries read,
//! because `load` never puts one subject's triples of the two properties in two graphs: a
//! record's triples go to its dataset's graph, no two datasets define one id, and a
//! dataset where a record gives such a triple to another subject than its own (a
//! relation whose predicate is `sg:speaker`) keeps no counts (`tally`).

use std::collections::{BTreeMap, HashMap, HashSet};

use oxigraph::model::{GraphName, NamedNode, NamedNodeRef, Quad, Term};
use oxigraph::sparql::CancellationToken;

use crate::error::Result;
use crate::vocab::{self, sg, std_terms};

use super::GraphStore;
use super::datasets::integer;
use super::summary::count_of;

/// The pairs of properties whose values `load` counts together: those a first page by a
/// count is by (`interaction-matrix`'s statements per speaker and addressee).
pub const COUNTED_PAIRS: [(NamedNodeRef<'static>, NamedNodeRef<'static>); 1] = [(sg::SPEAKER, sg::ADDRESSEE)];

/// At most this many pairs of a dataset are listed: those with the most subjects, all of
/// one count or none of it (a million statements list about 2,700, of 3 or more each).
pub const MAX_LISTED: usize = 10_000;

/// The pairs of values counted for two properties, over every graph of data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairCounts {
    /// Each pair read, with at most how many subjects have it: the sum over the graphs of
    /// its count where read, else of the graph's bound for the pairs not read.
    pub listed: Vec<((Term, Term), u64)>,
    /// At most how many subjects a pair not in `listed` has (the sum of the bounds).
    pub unlisted: u64,
    /// Whether `listed` holds every pair listed, not only those with the most subjects.
    pub complete: bool,
}

impl GraphStore {
    /// Counts the pairs of values of each of [`COUNTED_PAIRS`] in the named graph `graph`,
    /// with Oxigraph, and records the most shared of them in the metadata (in a
    /// transaction of their own). `load` records the same counts as its triples stream in
    /// (`store::tally`); the tests check them against these,
    /// counted again from what the graph holds.
    #[cfg(test)]
    pub fn count_pairs(&self, graph: &NamedNode) -> Result<()> {
        self.count_pairs_listing(graph, MAX_LISTED)
    }

    /// [`count_pairs`](Self::count_pairs), listing at most `most` pairs of a partition.
    #[cfg(test)]
    pub fn count_pairs_listing(&self, graph: &NamedNode, most: usize) -> Result<()> {
        let mut quads = Vec::new();
        for (p, (first, second)) in COUNTED_PAIRS.iter().enumerate() {
            // Each subject has each pair once in one graph, so the rows count subjects.
            let text = format!(
                "SELECT ?first ?second (COUNT(*) AS ?count) WHERE {{ GRAPH <{graph}> {{ \
                 ?subject <{first}> ?first ; <{second}> ?second }} }} GROUP BY ?first ?second",
                graph = graph.as_str(),
                first = first.as_str(),
                second = second.as_str(),
            );
            // Kept as they come, the fewest of them: 3.6 million pairs of 10,000,000
            // statements held whole took a gigabyte.
            let mut kept = MostShared::new(most);
            for solution in self.select(&text, None)? {
                let solution = solution?;
                if let (Some(a), Some(b), Some(count)) = (
                    solution.get("first"),
                    solution.get("second"),
                    solution.get("count").and_then(count_of),
                ) {
                    kept.add(a, b, count);
                }
            }
            let (listed, unlisted) = kept.finish();
            quads.extend(pair_quads(graph, p, listed, unlisted));
        }
        self.load_quads(quads)
    }

    /// The subjects that have one of `pairs` as their values of `first` and `second`, in
    /// any graph, each with its pair once: two scans of the indexes by the pairs' values,
    /// joined on the subject by Oxigraph before anything is decoded (a lookup of the
    /// second triple of every subject of the first value costs ten times as much). `None`
    /// when a subject is a blank node or a value is neither an IRI nor a literal.
    pub fn pair_subjects(
        &self,
        first: NamedNodeRef<'_>,
        second: NamedNodeRef<'_>,
        pairs: &[(Term, Term)],
        cancel: Option<&CancellationToken>,
    ) -> Result<Option<Vec<(NamedNode, Term, Term)>>> {
        let mut firsts = String::new();
        let mut seconds = String::new();
        let mut both = String::new();
        let (mut seen_first, mut seen_second) = (HashSet::new(), HashSet::new());
        for (a, b) in pairs {
            if matches!(a, Term::BlankNode(_)) || matches!(b, Term::BlankNode(_)) {
                return Ok(None);
            }
            if seen_first.insert(a) {
                firsts += &format!(" {a}");
            }
            if seen_second.insert(b) {
                seconds += &format!(" {b}");
            }
            both += &format!(" ({a} {b})");
        }
        // The subjects of the values joined in a subquery of their own, then with the
        // pairs: so only the pairs' subjects are decoded (a stored string each, 13 µs
        // cold), not those of every combination of the values (3 s for a thousand pairs
        // on a million statements), and the pairs are not joined first with every subject
        // of the first values (twice as long for a hundred).
        let text = format!(
            "SELECT ?subject ?first ?second WHERE {{ {{ SELECT ?subject ?first ?second WHERE {{ \
             {{ SELECT ?subject ?first WHERE {{ VALUES ?first {{{firsts} }} ?subject <{p1}> ?first }} }} \
             {{ SELECT ?subject ?second WHERE {{ VALUES ?second {{{seconds} }} ?subject <{p2}> ?second }} }} }} }} \
             VALUES (?first ?second) {{{both} }} }}",
            p1 = first.as_str(),
            p2 = second.as_str(),
        );
        let mut found = HashSet::new();
        let mut subjects = Vec::new();
        for solution in self.select(&text, cancel)? {
            let solution = solution?;
            let (Some(subject), Some(a), Some(b)) =
                (solution.get("subject"), solution.get("first"), solution.get("second"))
            else {
                continue;
            };
            let Term::NamedNode(subject) = subject else {
                return Ok(None);
            };
            // A triple in two graphs gives a row for each.
            if found.insert((subject.clone(), a.clone(), b.clone())) {
                subjects.push((subject.clone(), a.clone(), b.clone()));
            }
        }
        Ok(Some(subjects))
    }

    /// The pairs of values of `first` and `second` kept for every graph of data (but those
    /// with neither property), with at most how many subjects have each: the pairs with
    /// the most, at least `wanted` of them (fewer when fewer are listed) and every pair of
    /// the least count read; `None` unless every such graph has them (as
    /// [`value_counts`](Self::value_counts) asks) and they are whole. Only the pairs read
    /// are decoded (a stored string each, 13 µs cold: all 2,695 listed for a million
    /// statements took 70 ms).
    pub fn pair_counts(
        &self,
        first: NamedNodeRef<'_>,
        second: NamedNodeRef<'_>,
        wanted: usize,
    ) -> Result<Option<PairCounts>> {
        if !COUNTED_PAIRS.contains(&(first, second)) {
            return Ok(None);
        }
        // The partitions of the two properties, by the graph they count.
        let text = format!(
            "SELECT ?graph ?partition ?unlisted WHERE {{ GRAPH <{metadata}> {{ \
             ?graph <{pair_partition}> ?partition . \
             ?partition <{first_property}> <{first}> ; <{second_property}> <{second}> . \
             OPTIONAL {{ ?partition <{unlisted_at_most}> ?unlisted }} }} }}",
            metadata = vocab::DATASETS_GRAPH.as_str(),
            pair_partition = sg::PAIR_PARTITION.as_str(),
            first_property = sg::FIRST_PROPERTY.as_str(),
            second_property = sg::SECOND_PROPERTY.as_str(),
            unlisted_at_most = sg::UNLISTED_AT_MOST.as_str(),
            first = first.as_str(),
            second = second.as_str(),
        );
        let mut partitions: HashMap<NamedNode, (NamedNode, u64)> = HashMap::new();
        for solution in self.select(&text, None)? {
            let solution = solution?;
            let (Some(Term::NamedNode(graph)), Some(Term::NamedNode(partition))) =
                (solution.get("graph"), solution.get("partition"))
            else {
                continue;
            };
            let Some(unlisted) = solution.get("unlisted").and_then(count_of) else {
                return Ok(None);
            };
            partitions.insert(graph.clone(), (partition.clone(), unlisted));
        }
        // A graph without counts adds to no pair when it has neither property (the links
        // of `link --apply`, a `--with` file of names).
        if !self.every_data_graph_in(|graph| {
            partitions.contains_key(graph) || (self.lacks(graph, first) && self.lacks(graph, second))
        })? {
            return Ok(None);
        }
        if partitions.is_empty() {
            return Ok(Some(PairCounts {
                listed: Vec::new(),
                unlisted: 0,
                complete: true,
            }));
        }
        let listed: String = partitions.values().map(|(p, _)| format!(" <{}>", p.as_str())).collect();
        // How many pairs have each count, over the partitions: integers alone, which
        // Oxigraph keeps inline. Every node has its values and its count, else the counts
        // are not to be trusted.
        let text = format!(
            "SELECT ?count (COUNT(?node) AS ?nodes) (COUNT(?first) AS ?firsts) (COUNT(?second) AS ?seconds) \
             WHERE {{ GRAPH <{metadata}> {{ VALUES ?partition {{{listed} }} ?partition <{pair}> ?node \
             OPTIONAL {{ ?node <{entities}> ?count }} OPTIONAL {{ ?node <{first_value}> ?first }} \
             OPTIONAL {{ ?node <{second_value}> ?second }} }} }} GROUP BY ?count",
            metadata = vocab::DATASETS_GRAPH.as_str(),
            pair = sg::PAIR.as_str(),
            first_value = sg::FIRST_VALUE.as_str(),
            second_value = sg::SECOND_VALUE.as_str(),
            entities = std_terms::VOID_ENTITIES.as_str(),
        );
        let mut histogram: Vec<(u64, u64)> = Vec::new();
        for solution in self.select(&text, None)? {
            let solution = solution?;
            let number = |name: &str| solution.get(name).and_then(count_of);
            let (Some(count), Some(nodes)) = (number("count"), number("nodes")) else {
                return Ok(None);
            };
            if number("firsts") != Some(nodes) || number("seconds") != Some(nodes) {
                return Ok(None);
            }
            histogram.push((count, nodes));
        }
        histogram.sort_unstable_by(|a, b| b.cmp(a));
        // The least count read: the first at which `wanted` pairs are.
        let mut at_least = 0;
        let mut read = 0;
        for (count, nodes) in &histogram {
            at_least = *count;
            read += nodes;
            if read >= wanted as u64 {
                break;
            }
        }
        let complete = histogram.last().is_none_or(|(least, _)| at_least <= *least);
        // A graph whose count of a pair is not read has at most the bound of its unlisted,
        // or one less than the least count read.
        let floor_of: HashMap<&NamedNode, u64> = partitions
            .values()
            .map(|(p, unlisted)| (p, (*unlisted).max(if complete { 0 } else { at_least - 1 })))
            .collect();
        let unlisted: u64 = floor_of.values().sum();
        let text = format!(
            "SELECT ?partition ?first ?second ?count WHERE {{ GRAPH <{metadata}> {{ \
             VALUES ?partition {{{listed} }} ?partition <{pair}> ?node . ?node <{entities}> ?count \
             FILTER(?count >= {at_least}) \
             ?node <{first_value}> ?first ; <{second_value}> ?second }} }}",
            metadata = vocab::DATASETS_GRAPH.as_str(),
            pair = sg::PAIR.as_str(),
            first_value = sg::FIRST_VALUE.as_str(),
            second_value = sg::SECOND_VALUE.as_str(),
            entities = std_terms::VOID_ENTITIES.as_str(),
        );
        // Per pair: the counts of the graphs that list it, and those graphs' floors.
        let mut sums: HashMap<(Term, Term), (u64, u64)> = HashMap::new();
        for solution in self.select(&text, None)? {
            let solution = solution?;
            let (Some(Term::NamedNode(partition)), Some(a), Some(b), Some(count)) = (
                solution.get("partition"),
                solution.get("first"),
                solution.get("second"),
                solution.get("count").and_then(count_of),
            ) else {
                return Ok(None);
            };
            let sum = sums.entry((a.clone(), b.clone())).or_default();
            sum.0 += count;
            sum.1 += floor_of.get(partition).copied().unwrap_or(0);
        }
        let listed = sums
            .into_iter()
            .map(|(pair, (counted, floors))| (pair, counted + (unlisted - floors)))
            .collect();
        Ok(Some(PairCounts {
            listed,
            unlisted,
            complete,
        }))
    }
}

/// The metadata of the `p`th of [`COUNTED_PAIRS`] in `graph`: its `listed` pairs, most
/// subjects first, and at most how many subjects a pair not listed has.
pub(super) fn pair_quads(graph: &NamedNode, p: usize, listed: Vec<(Term, Term, u64)>, unlisted: u64) -> Vec<Quad> {
    let (first, second) = COUNTED_PAIRS[p];
    let metadata = GraphName::from(vocab::DATASETS_GRAPH.into_owned());
    let fact = |s: &NamedNode, p: NamedNodeRef<'_>, o: Term| Quad::new(s.clone(), p, o, metadata.clone());
    let partition = NamedNode::new_unchecked(format!("{}#pairs-{}", graph.as_str(), p + 1));
    let mut quads = vec![
        fact(graph, sg::PAIR_PARTITION, partition.clone().into()),
        fact(&partition, sg::FIRST_PROPERTY, first.into_owned().into()),
        fact(&partition, sg::SECOND_PROPERTY, second.into_owned().into()),
        fact(&partition, sg::UNLISTED_AT_MOST, integer(unlisted).into()),
    ];
    for (v, (a, b, count)) in listed.into_iter().enumerate() {
        let node = NamedNode::new_unchecked(format!("{}-{}", partition.as_str(), v + 1));
        quads.push(fact(&partition, sg::PAIR, node.clone().into()));
        quads.push(fact(&node, sg::FIRST_VALUE, a));
        quads.push(fact(&node, sg::SECOND_VALUE, b));
        quads.push(fact(&node, std_terms::VOID_ENTITIES, integer(count).into()));
    }
    quads
}

/// The pairs to list, as they come: every pair of a count or none, at most `most`, and
/// the most subjects a pair left out has (0 when none is). A count is dropped once more
/// than `most` pairs have it or more: no listing of whole counts can hold it then.
#[derive(Debug)]
pub(super) struct MostShared {
    most: usize,
    /// The pairs kept, by count.
    groups: BTreeMap<u64, Vec<(Term, Term)>>,
    kept: usize,
    /// The highest count dropped.
    unlisted: u64,
}

impl MostShared {
    pub(super) fn new(most: usize) -> Self {
        Self {
            most,
            groups: BTreeMap::new(),
            kept: 0,
            unlisted: 0,
        }
    }

    pub(super) fn add(&mut self, a: &Term, b: &Term, count: u64) {
        if count <= self.unlisted {
            return;
        }
        self.groups.entry(count).or_default().push((a.clone(), b.clone()));
        self.kept += 1;
        while self.kept > self.most {
            let Some((count, dropped)) = self.groups.pop_first() else {
                break;
            };
            self.kept -= dropped.len();
            self.unlisted = self.unlisted.max(count);
        }
    }

    /// The pairs kept, most subjects first (then in the order of their N-Triples, so that
    /// a load writes the same metadata each time), and the bound of the rest.
    pub(super) fn finish(self) -> (Vec<(Term, Term, u64)>, u64) {
        let mut pairs: Vec<(Term, Term, u64)> = self
            .groups
            .into_iter()
            .flat_map(|(count, pairs)| pairs.into_iter().map(move |(a, b)| (a, b, count)))
            .collect();
        pairs.sort_by_cached_key(|(a, b, count)| (std::cmp::Reverse(*count), a.to_string(), b.to_string()));
        (pairs, self.unlisted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::graph_iri;

    fn statement(graph: &NamedNode, id: &str, speaker: &str, addressee: &str) -> [Quad; 2] {
        let subject = NamedNode::new_unchecked(format!("https://a.org/statement/{id}"));
        let entity = |e: &str| NamedNode::new_unchecked(format!("https://a.org/entity/{e}"));
        [
            Quad::new(subject.clone(), sg::SPEAKER, entity(speaker), graph.clone()),
            Quad::new(subject, sg::ADDRESSEE, entity(addressee), graph.clone()),
        ]
    }

    fn pair(a: &str, b: &str) -> (Term, Term) {
        let entity = |e: &str| Term::from(NamedNode::new_unchecked(format!("https://a.org/entity/{e}")));
        (entity(a), entity(b))
    }

    #[test]
    fn the_most_shared_pairs_are_listed_whole_by_count_and_the_rest_bounded() {
        let term = |n: u32| Term::from(NamedNode::new_unchecked(format!("https://a.org/{n}")));
        let pairs: Vec<(Term, Term, u64)> = (0..MAX_LISTED as u32 + 5)
            .map(|n| (term(n), term(0), if n < 3 { 9 } else { 2 }))
            .collect();
        let most_shared = |pairs: &[(Term, Term, u64)], most: usize| {
            let mut kept = MostShared::new(most);
            for (a, b, count) in pairs {
                kept.add(a, b, *count);
            }
            kept.finish()
        };
        let (listed, unlisted) = most_shared(&pairs, MAX_LISTED);
        // The pairs of 2 do not all fit: none of them is listed.
        assert_eq!(listed.len(), 3);
        assert!(listed.iter().all(|(_, _, count)| *count == 9));
        assert_eq!(unlisted, 2);
        let (listed, unlisted) = most_shared(&pairs[..10], MAX_LISTED);
        assert_eq!((listed.len(), unlisted), (10, 0), "few pairs are all listed");
        assert_eq!(listed[0].2, 9);
        assert_eq!(listed[9].2, 2);
        // In any order they come, the same pairs: those of 3 or more fit in four, of 2 not.
        let counts = [1, 5, 1, 3, 3, 5, 2, 2, 1];
        let mixed: Vec<(Term, Term, u64)> = counts
            .iter()
            .enumerate()
            .map(|(n, c)| (term(n as u32), term(0), *c))
            .collect();
        let mut reversed = mixed.clone();
        reversed.reverse();
        let expected = most_shared(&mixed, 4);
        assert_eq!(expected.0.iter().map(|(_, _, c)| *c).collect::<Vec<_>>(), [5, 5, 3, 3]);
        assert_eq!(expected.1, 2);
        assert_eq!(most_shared(&reversed, 4), expected);
    }

    #[test]
    fn pair_counts_are_kept_per_dataset_bounded_over_them_and_trusted_only_when_complete() -> Result<()> {
        let a = graph_iri("https://a.org/", "a");
        let b = graph_iri("https://a.org/", "b");
        let store = GraphStore::in_memory()?;
        let mut quads: Vec<Quad> = Vec::new();
        quads.extend(statement(&a, "1", "x", "y"));
        quads.extend(statement(&a, "2", "x", "y"));
        quads.extend(statement(&a, "3", "y", "x"));
        quads.extend(statement(&b, "4", "x", "y"));
        store.load_quads(quads)?;
        assert_eq!(
            store.pair_counts(sg::SPEAKER, sg::ADDRESSEE, usize::MAX)?,
            None,
            "nothing counted yet"
        );
        store.count_pairs(&a)?;
        assert_eq!(
            store.pair_counts(sg::SPEAKER, sg::ADDRESSEE, usize::MAX)?,
            None,
            "b is not counted"
        );
        store.count_pairs(&b)?;
        let mut counts = store
            .pair_counts(sg::SPEAKER, sg::ADDRESSEE, usize::MAX)?
            .expect("every graph counted");
        counts.listed.sort_by_key(|(pair, _)| format!("{pair:?}"));
        // Few pairs: all listed, exact, nothing unlisted.
        assert_eq!(counts.listed, [(pair("x", "y"), 3), (pair("y", "x"), 1)]);
        assert_eq!(counts.unlisted, 0);
        assert_eq!(
            store.pair_counts(sg::ADDRESSEE, sg::SPEAKER, usize::MAX)?,
            None,
            "only the COUNTED_PAIRS are"
        );
        // A bound kept for the unlisted is added to the pairs a graph does not list.
        let bound = |graph: &NamedNode, n: u64| {
            Quad::new(
                NamedNode::new_unchecked(format!("{}#pairs-1", graph.as_str())),
                sg::UNLISTED_AT_MOST,
                integer(n),
                vocab::DATASETS_GRAPH,
            )
        };
        store
            .store()
            .remove(&bound(&b, 0))
            .map_err(|e| store.storage_error(e))?;
        store.load_quads([bound(&b, 4)])?;
        let mut counts = store
            .pair_counts(sg::SPEAKER, sg::ADDRESSEE, usize::MAX)?
            .expect("counted");
        counts.listed.sort_by_key(|(pair, _)| format!("{pair:?}"));
        assert_eq!(counts.listed, [(pair("x", "y"), 3), (pair("y", "x"), 1 + 4)]);
        assert_eq!((counts.unlisted, counts.complete), (4, true));
        // Only the pairs with the most, when few are wanted: a pair's count not read is at
        // most one less than the least read, or the graph's bound for the unlisted.
        let counts = store.pair_counts(sg::SPEAKER, sg::ADDRESSEE, 1)?.expect("counted");
        assert_eq!(
            counts.listed,
            [(pair("x", "y"), 2 + 4)],
            "b's count of x, y, 1, is not read"
        );
        assert_eq!((counts.unlisted, counts.complete), (1 + 4, false));
        // The counts are the dataset's own nodes: they go with its description.
        let described = store.metadata_quads(a.as_ref())?;
        assert!(
            described
                .iter()
                .any(|q| q.predicate == sg::FIRST_VALUE && q.subject.to_string().contains("#pairs-1-")),
            "{described:?}"
        );
        // A pair without its count makes them untrusted.
        let count = store
            .store()
            .quads_for_pattern(
                None,
                Some(std_terms::VOID_ENTITIES),
                None,
                Some(vocab::DATASETS_GRAPH.into()),
            )
            .map(|q| q.expect("reads"))
            .next()
            .expect("a pair's count");
        store.store().remove(&count).map_err(|e| store.storage_error(e))?;
        assert_eq!(
            store.pair_counts(sg::SPEAKER, sg::ADDRESSEE, usize::MAX)?,
            None,
            "a count is missing"
        );
        store.store().insert(&count).map_err(|e| store.storage_error(e))?;
        // A graph without them and without either property (links, names) leaves them
        // trusted; one with a statement's (a --with file) does not.
        store.load_quads([Quad::new(
            NamedNode::new_unchecked("https://a.org/entity/x"),
            std_terms::RDFS_LABEL,
            oxigraph::model::Literal::new_simple_literal("X"),
            NamedNode::new_unchecked("file:///names.ttl"),
        )])?;
        assert!(store.pair_counts(sg::SPEAKER, sg::ADDRESSEE, usize::MAX)?.is_some());
        store.load_quads(statement(&NamedNode::new_unchecked("file:///x.ttl"), "5", "x", "y"))?;
        assert_eq!(store.pair_counts(sg::SPEAKER, sg::ADDRESSEE, usize::MAX)?, None);
        Ok(())
    }
}
