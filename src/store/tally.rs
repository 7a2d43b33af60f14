//! The counts `load` keeps, tallied as its triples stream into the store: the value
//! counts of `summary` (with the distinct speakers of each act) and the pair counts of
//! `pairs`, written into the same bulk commit as the data, so that a dataset never goes in
//! without them.
//!
//! Counting afterwards with Oxigraph read every statement again: 12 s on 1,000,000
//! statements, most of it looking up each statement's addressee beside its speaker. Here
//! they come together: the streamed mapping sends each record's triples at once, sorted
//! into one block per subject, and only a statement's own record gives it a speaker, an
//! act or an addressee (`mapping`), so one block holds all of a statement's triples of
//! the counted properties. A relation may name any property, `sg:speaker` too, and give a
//! subject such a triple from a record of its own: the mapping notes it, and that
//! dataset then keeps no counts ([`Tallies::give_up`]). The counts are those Oxigraph
//! counts of the graph afterwards (`GraphStore::count_values` and `count_pairs`, which
//! the tests compare them with).

use std::collections::{HashMap, HashSet};

use oxigraph::model::{GraphName, NamedNode, NamedNodeRef, Quad, Term, Triple};

use super::pairs::{COUNTED_PAIRS, MAX_LISTED, MostShared, pair_quads};
use super::summary::{COUNTED, COUNTED_ALONGSIDE, Counted, value_quads};

/// What is counted of each dataset's graph, as its triples come.
#[derive(Debug, Default)]
pub struct Tallies {
    graphs: HashMap<NamedNode, Tally>,
    /// Graphs whose counts are not exact, and are not written.
    given_up: HashSet<NamedNode>,
}

impl Tallies {
    /// Whether `predicate` is one of those counted: a triple of it that does not come with
    /// its subject's statement record would not be counted with that statement's.
    pub fn counts(predicate: NamedNodeRef<'_>) -> bool {
        COUNTED.contains(&predicate)
            || COUNTED_PAIRS.iter().any(|(a, b)| *a == predicate || *b == predicate)
            || COUNTED_ALONGSIDE
                .iter()
                .any(|(a, b)| *a == predicate || *b == predicate)
    }

    /// Writes no counts for `graph`: some of its triples of the counted properties came
    /// from a record other than their subject's own (a relation whose predicate is
    /// `sg:speaker`), so they may repeat or part a statement's triples. Readers then count
    /// with Oxigraph, as for a graph without counts.
    pub fn give_up(&mut self, graph: &GraphName) {
        if let GraphName::NamedNode(graph) = graph {
            self.graphs.remove(graph);
            self.given_up.insert(graph.clone());
        }
    }

    /// Counts `triples`, whole records of the streamed mapping going into `graph`.
    pub fn add(&mut self, graph: &GraphName, triples: &[Triple]) {
        if let GraphName::NamedNode(graph) = graph
            && !self.given_up.contains(graph)
        {
            let tally = match self.graphs.get_mut(graph) {
                Some(tally) => tally,
                None => self.graphs.entry(graph.clone()).or_default(),
            };
            for block in triples.chunk_by(|a, b| a.subject == b.subject) {
                tally.add_subject(block);
            }
        }
    }

    /// The metadata of the counts of `graph`, as Oxigraph's counts of the graph would be
    /// written (nothing counted, no triple of the properties, gives counts of none);
    /// nothing when they were given up.
    pub fn quads(&self, graph: &NamedNode) -> Vec<Quad> {
        if self.given_up.contains(graph) {
            return Vec::new();
        }
        let empty = Tally::default();
        let tally = self.graphs.get(graph).unwrap_or(&empty);
        let mut quads = value_quads(graph, tally.counted());
        for p in 0..COUNTED_PAIRS.len() {
            let (listed, unlisted) = tally.most_shared(p);
            quads.extend(pair_quads(graph, p, listed, unlisted));
        }
        quads
    }
}

/// The counts of one graph.
#[derive(Debug, Default)]
struct Tally {
    /// Per counted property, how many triples have each value.
    values: [HashMap<Term, u64>; COUNTED.len()],
    /// The values of pairs and of the properties counted alongside, by number.
    numbers: HashMap<Term, u32>,
    terms: Vec<Term>,
    /// Per counted pair of properties, how many subjects have each pair of values.
    pairs: [HashMap<(u32, u32), u64>; COUNTED_PAIRS.len()],
    /// Per property counted alongside another, the pairs of values subjects have.
    alongside: [HashSet<(u32, u32)>; COUNTED_ALONGSIDE.len()],
}

impl Tally {
    /// Counts one subject's triples (sorted, without repeats).
    fn add_subject(&mut self, block: &[Triple]) {
        for triple in block {
            if let Some(p) = COUNTED.iter().position(|p| triple.predicate == *p) {
                *self.values[p].entry(triple.object.clone()).or_default() += 1;
            }
        }
        for (p, (first, second)) in COUNTED_PAIRS.iter().enumerate() {
            for (a, b) in self.pairs_in(block, *first, *second) {
                *self.pairs[p].entry((a, b)).or_default() += 1;
            }
        }
        for (p, (first, second)) in COUNTED_ALONGSIDE.iter().enumerate() {
            for pair in self.pairs_in(block, *first, *second) {
                self.alongside[p].insert(pair);
            }
        }
    }

    /// The numbers of each pair of `block`'s values of `first` and `second`.
    fn pairs_in(&mut self, block: &[Triple], first: NamedNodeRef<'_>, second: NamedNodeRef<'_>) -> Vec<(u32, u32)> {
        let objects = |p| block.iter().filter(move |t| t.predicate == p).map(|t| &t.object);
        let mut pairs = Vec::new();
        for a in objects(first) {
            for b in objects(second) {
                pairs.push((a, b));
            }
        }
        pairs
            .into_iter()
            .map(|(a, b)| (self.number(a), self.number(b)))
            .collect()
    }

    fn number(&mut self, term: &Term) -> u32 {
        if let Some(n) = self.numbers.get(term) {
            return *n;
        }
        let n = u32::try_from(self.terms.len()).expect("fewer than 2^32 values");
        self.numbers.insert(term.clone(), n);
        self.terms.push(term.clone());
        n
    }

    /// The value counts, in the order of [`COUNTED`], with the distinct values counted
    /// alongside.
    fn counted(&self) -> Vec<Counted> {
        COUNTED
            .iter()
            .zip(&self.values)
            .map(|(predicate, values)| {
                // Per value number, how many distinct values alongside.
                let distinct: Option<HashMap<u32, u64>> =
                    COUNTED_ALONGSIDE.iter().position(|(p, _)| p == predicate).map(|p| {
                        let mut distinct = HashMap::new();
                        for (a, _) in &self.alongside[p] {
                            *distinct.entry(*a).or_default() += 1;
                        }
                        distinct
                    });
                values
                    .iter()
                    .map(|(value, count)| {
                        let other = distinct
                            .as_ref()
                            .map(|d| self.numbers.get(value).and_then(|n| d.get(n)).copied().unwrap_or(0));
                        (value.clone(), *count, other)
                    })
                    .collect()
            })
            .collect()
    }

    /// The pairs of the `p`th of [`COUNTED_PAIRS`] to list, and the bound of the rest.
    fn most_shared(&self, p: usize) -> (Vec<(Term, Term, u64)>, u64) {
        let mut kept = MostShared::new(MAX_LISTED);
        for ((a, b), count) in &self.pairs[p] {
            kept.add(&self.terms[*a as usize], &self.terms[*b as usize], *count);
        }
        kept.finish()
    }
}
