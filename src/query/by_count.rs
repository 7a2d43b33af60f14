//! First pages by a count: a query ordered first by how many subjects share a pair of
//! values (`interaction-matrix`: the most statements between a speaker and an addressee)
//! reads only the pairs with the most, from the counts `load` keeps (`store::pairs`).
//!
//! Oxigraph counts every pair and sorts them all before a `LIMIT`: 45 s for the first 100
//! rows of `interaction-matrix` on a million statements. A query ordered so declares it in
//! its header:
//!
//! ```text
//! # First page: by DESC(?statements), the count of ?statement sg:speaker ?speaker ; sg:addressee ?addressee, then ?speakerLabel, the label of ?speaker
//! ```
//!
//! That line promises that the query's rows come first by `?statements` descending, which
//! is how many distinct `?statement`s match the pattern with the row's `?speaker` and
//! `?addressee`; that each row belongs to one such pair, and that restricting the two
//! variables to some pairs keeps exactly their rows (the pattern is matched by a basic
//! graph pattern of the query that names both). `, then ?LABEL, the label of ?OF`
//! (optional, `?OF` one of the two) promises that rows of one count come next by the text
//! of one of `?OF`'s labels, or of its IRI, then by its IRI, as `page`'s label orders do.
//! Then its first N rows are found so:
//!
//! 1. the pairs `load` listed with the most subjects, at least N of them and all of the
//!    least count read, each with at most how many subjects have it, and the bound of the
//!    pairs not read (`GraphStore::pair_counts`); no counts, no shortcut;
//! 2. the first N pairs by bound, and every other pair whose bound ties the last — or,
//!    with a label order and more ties than the page needs, of those ties only the pairs
//!    of the first values by label key (twice the rows still wanted at first);
//! 3. the subjects of those pairs, found by one join of two index scans
//!    (`GraphStore::pair_subjects`), and the query evaluated with them in place of its
//!    two triples (`bind::restrict_query_to_rows`), its own `ORDER BY` and `LIMIT` in
//!    place;
//! 4. when it gives N rows (or the pairs left out have no subject) and each row sorts
//!    before every pair left out — it counts more than the highest bound left out, or, of
//!    the last count, its label sorts below the first tie left out — they are the first N
//!    rows of the whole query. Otherwise four times as many ties are taken, then four
//!    times as many pairs, until every listed pair is, and then the query is evaluated as
//!    it is.
//!
//! Only a query run with a limit, no parameters, no `--explain` and the default dataset
//! takes this path (as `page`'s); the results are those of the query, row for row (the
//! tests compare pages with the whole result).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use oxigraph::model::{NamedNode, Term};
use oxigraph::sparql::{QueryResults, QuerySolution, QuerySolutionIter, Variable};
use spargebra::term::{GroundTerm, NamedNodePattern, TermPattern, TriplePattern};

use crate::error::{Error, Result};
use crate::store::GraphStore;
use crate::store::pairs::PairCounts;
use crate::store::summary::count_of;

use super::bind::ground_term;
use super::{Evaluation, bind, execute, page};

/// What a count order's declaration starts with, after `page`'s "# First page: by ".
pub(super) const DESCENDING: &str = "DESC(";

/// Past this many subjects of the pairs taken, they are looked up from the query instead.
const MAX_MATCHES: usize = 200_000;

/// From this many values on, their labels are read in one pass rather than looked up.
const ONE_PASS: usize = 500;

/// What the header line starts with.
pub(super) const DECLARATION: &str = "# First page: by DESC(";

/// A pair of values, the first's and the second's.
type Pair = (Term, Term);

/// A label order's key of a value: the least text of its labels (else its IRI's), and its IRI.
type LabelKey = (String, String);

/// A query's declared count order.
#[derive(Debug, Clone)]
pub(super) struct CountOrder {
    /// The count, descending.
    key: Variable,
    /// The two variables whose pair the count is of, and the properties that give them.
    first: (Variable, NamedNode),
    second: (Variable, NamedNode),
    /// Rows of one count come next by this label of one of the two (then by its IRI).
    then: Option<LabelOf>,
}

/// `?LABEL, the label of ?OF`: the text of one of `?OF`'s `rdfs:label`s, or of its IRI.
#[derive(Debug, Clone)]
struct LabelOf {
    label: Variable,
    of: Variable,
    /// Whether `?OF` is the second of the pair.
    second: bool,
}

impl CountOrder {
    /// The declaration in the header of `text` (its leading comment lines), if any. Its
    /// pattern is read with the query's own prefixes and `prefixes`.
    pub(super) fn declared(text: &str, origin: &str, prefixes: &[(String, String)]) -> Result<Option<Self>> {
        let Some(line) = page::header_line(text, DECLARATION) else {
            return Ok(None);
        };
        let malformed = || {
            Error::Usage(format!(
                "{origin}: \"{DECLARATION}{line}\": expected \"{DECLARATION}?COUNT), the count of \
                 ?SUBJECT PREDICATE ?FIRST ; PREDICATE ?SECOND\" (and \", then ?LABEL, the label of ?FIRST\" \
                 or \"of ?SECOND\" when rows of one count come next by it)"
            ))
        };
        let variable = |text: &str| {
            let name = text.trim().strip_prefix('?').ok_or_else(malformed)?;
            Variable::new(name).map_err(|_| malformed())
        };
        let (key, rest) = line.split_once("), the count of ").ok_or_else(malformed)?;
        let key = variable(key)?;
        let (pattern, then) = match rest.split_once(", then ") {
            Some((pattern, then)) => (pattern, Some(then)),
            None => (rest, None),
        };
        let Some(patterns) = page::declared_pattern(text, pattern, origin, prefixes)? else {
            return Err(malformed());
        };
        let [
            TriplePattern {
                subject: TermPattern::Variable(subject),
                predicate: NamedNodePattern::NamedNode(p1),
                object: TermPattern::Variable(a),
            },
            TriplePattern {
                subject: TermPattern::Variable(subject2),
                predicate: NamedNodePattern::NamedNode(p2),
                object: TermPattern::Variable(b),
            },
        ] = patterns.as_slice()
        else {
            return Err(malformed());
        };
        if subject != subject2 || a == b || a == subject || b == subject || key == *a || key == *b {
            return Err(malformed());
        }
        let then = match then {
            None => None,
            Some(then) => {
                let (label, of) = then.split_once(", the label of ").ok_or_else(malformed)?;
                let (label, of) = (variable(label)?, variable(of)?);
                if label == key || label == *a || label == *b || (of != *a && of != *b) {
                    return Err(malformed());
                }
                let second = of == *b;
                Some(LabelOf { label, of, second })
            }
        };
        Ok(Some(Self {
            key,
            first: (a.clone(), p1.clone()),
            second: (b.clone(), p2.clone()),
            then,
        }))
    }

    /// The first `limit` rows of `query` (which holds that limit), or `None` when the
    /// counts are not kept or this path would read about as much as the query does.
    pub(super) fn first_page(
        &self,
        store: &GraphStore,
        query: &spargebra::Query,
        limit: usize,
        evaluation: &Evaluation,
    ) -> Result<Option<QueryResults<'static>>> {
        if limit == 0 {
            return Ok(None);
        }
        let variables = [self.first.0.clone(), self.second.0.clone()];
        let mut wanted = limit;
        // Pairs kept of the last count taken per row still wanted, when it is cut by label.
        let mut per_row: usize = 2;
        // The pairs read for as many as were wanted, most first (ties in a fixed order,
        // until they are ordered by label).
        let read = |wanted: usize| -> Result<Option<PairCounts>> {
            let counts = store.pair_counts(self.first.1.as_ref(), self.second.1.as_ref(), wanted)?;
            Ok(counts.map(|mut counts| {
                counts
                    .listed
                    .sort_by_cached_key(|((a, b), bound)| (std::cmp::Reverse(*bound), a.to_string(), b.to_string()));
                counts
            }))
        };
        let Some(mut counts) = read(wanted)? else {
            return Ok(None);
        };
        let mut read_for = wanted;
        loop {
            if read_for < wanted && !counts.complete {
                let Some(more) = read(wanted)? else {
                    return Ok(None);
                };
                (counts, read_for) = (more, wanted);
            }
            let pairs = &counts.listed;
            let Some(cut) = take(pairs, wanted, counts.unlisted) else {
                return Ok(None);
            };
            // The pairs of the last count, ordered by label and cut after the first values'.
            let mut edge: Option<(u64, LabelKey)> = None;
            let mut taken: Vec<&Pair> = pairs[..cut.above].iter().map(|(pair, _)| pair).collect();
            let tied = &pairs[cut.above..cut.taken];
            match &self.then {
                Some(then) if cut.above + tied.len() > wanted => {
                    let Some(keys) = self.label_keys(store, tied, then)? else {
                        return Ok(None);
                    };
                    let key_of = |(a, b): &Pair| keys.get(if then.second { b } else { a });
                    let mut ordered: Vec<(&LabelKey, &Pair)> = Vec::with_capacity(tied.len());
                    for (pair, _) in tied {
                        let Some(key) = key_of(pair) else {
                            return Ok(None);
                        };
                        ordered.push((key, pair));
                    }
                    ordered.sort_by(|x, y| x.0.cmp(y.0));
                    let keep = wanted.saturating_sub(cut.above).saturating_mul(per_row);
                    let mut end = keep.min(ordered.len());
                    // Every pair of the last value kept.
                    while end < ordered.len() && end > 0 && ordered[end].0 == ordered[end - 1].0 {
                        end += 1;
                    }
                    if end < ordered.len() {
                        edge = Some((tied[0].1, ordered[end].0.clone()));
                    }
                    taken.extend(ordered[..end].iter().map(|(_, pair)| *pair));
                }
                _ => taken.extend(tied.iter().map(|(pair, _)| pair)),
            }
            let mut rows: Vec<Vec<GroundTerm>> = Vec::with_capacity(taken.len());
            for (a, b) in &taken {
                let (Some(a), Some(b)) = (ground_term(a), ground_term(b)) else {
                    return Ok(None);
                };
                rows.push(vec![a, b]);
            }
            let matches = self.matches(store, &taken, evaluation)?;
            let mut restricted = query.clone();
            bind::restrict_query_to_rows(&mut restricted, &variables, &rows, matches.as_ref());
            let QueryResults::Solutions(solutions) = execute(store, restricted, Vec::new(), evaluation, false)?.0
            else {
                return Ok(None);
            };
            let names: Arc<[Variable]> = solutions.variables().into();
            let mut page: Vec<QuerySolution> = Vec::with_capacity(limit);
            let mut inside = true;
            for solution in solutions {
                let solution = solution?;
                let count = solution.get(&self.key).and_then(count_of);
                inside &= match (count, &edge, &self.then) {
                    // Above every pair left out.
                    (Some(n), None, _) => n > cut.left_out,
                    (Some(n), Some((tie, _)), _) if n > *tie && n > cut.left_out => true,
                    // Of the last count: below the first pair of it left out by label.
                    (Some(n), Some((tie, (text, iri))), Some(then)) if n == *tie && n > cut.left_out => {
                        match (
                            solution.get(&then.label).and_then(page::text_of),
                            solution.get(&then.of),
                        ) {
                            (Some(label), Some(Term::NamedNode(of))) => {
                                (label, of.as_str()) < (text.as_str(), iri.as_str())
                            }
                            _ => false,
                        }
                    }
                    _ => false,
                };
                page.push(solution);
            }
            // The query holds the limit: as many rows are the page when each sorts before
            // every pair left out; fewer are the whole result when those have no subject.
            let whole = edge.is_none() && cut.left_out == 0;
            if inside && (page.len() >= limit || whole) {
                return Ok(Some(QueryResults::Solutions(QuerySolutionIter::new(
                    names,
                    page.into_iter().map(Ok),
                ))));
            }
            if edge.is_some() {
                per_row = per_row.saturating_mul(4);
            } else if cut.taken == pairs.len() && counts.complete {
                return Ok(None);
            } else {
                wanted = wanted.saturating_mul(4);
            }
        }
    }

    /// The subjects that have each of `pairs` (`?x P1 first ; P2 second`, in any graph),
    /// as rows for the query; `None` when one is a blank node (which a `VALUES` cannot
    /// name) or there are too many.
    fn matches(
        &self,
        store: &GraphStore,
        pairs: &[&Pair],
        evaluation: &Evaluation,
    ) -> Result<Option<bind::PairMatches>> {
        let pairs: Vec<Pair> = pairs.iter().map(|pair| (*pair).clone()).collect();
        let Some(subjects) = store.pair_subjects(
            self.first.1.as_ref(),
            self.second.1.as_ref(),
            &pairs,
            evaluation.cancel.as_ref(),
        )?
        else {
            return Ok(None);
        };
        if subjects.len() > MAX_MATCHES {
            return Ok(None);
        }
        let mut rows = Vec::with_capacity(subjects.len());
        for (subject, a, b) in subjects {
            let (Some(a), Some(b)) = (ground_term(&a), ground_term(&b)) else {
                return Ok(None);
            };
            rows.push([GroundTerm::NamedNode(subject), a, b]);
        }
        Ok(Some(bind::PairMatches {
            predicates: [self.first.1.clone(), self.second.1.clone()],
            rows,
        }))
    }

    /// The label order's key of each value it is of among `pairs`: the least text of its
    /// labels (else its IRI's), and its IRI; `None` when a label has no text. Looked up
    /// value by value when there are few.
    fn label_keys(
        &self,
        store: &GraphStore,
        pairs: &[(Pair, u64)],
        then: &LabelOf,
    ) -> Result<Option<HashMap<Term, LabelKey>>> {
        let values: HashSet<&Term> = pairs
            .iter()
            .map(|((a, b), _)| if then.second { b } else { a })
            .collect();
        let one_pass = values.len() >= ONE_PASS;
        let counts = values.into_iter().map(|v| (v.clone(), 0)).collect();
        let Some(keys) = page::label_keys(store, counts, one_pass)? else {
            return Ok(None);
        };
        Ok(Some(
            keys.into_iter()
                .filter_map(|key| {
                    let iri = key.iri().to_owned();
                    Some((key.terms.into_iter().next()?, (key.text, iri)))
                })
                .collect(),
        ))
    }
}

/// Which pairs a page takes: the first `above` outcount the last count taken, those up to
/// `taken` have it (all of that count), and a pair left out has at most `left_out`.
#[derive(Debug, PartialEq, Eq)]
struct Cut {
    above: usize,
    taken: usize,
    left_out: u64,
}

/// How many of `pairs` (most first) to take for `wanted` rows: at least `wanted`, and every
/// pair that ties the last; with the highest bound of a pair left out (`unlisted` when all
/// listed pairs are taken). `None` when there are no pairs.
fn take(pairs: &[(Pair, u64)], wanted: usize, unlisted: u64) -> Option<Cut> {
    if pairs.is_empty() {
        return None;
    }
    let mut taken = wanted.min(pairs.len());
    let last = pairs[taken - 1].1;
    let mut above = taken;
    while above > 0 && pairs[above - 1].1 == last {
        above -= 1;
    }
    while taken < pairs.len() && pairs[taken].1 == last {
        taken += 1;
    }
    let left_out = pairs.get(taken).map_or(unlisted, |(_, bound)| (*bound).max(unlisted));
    Some(Cut { above, taken, left_out })
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::query::{NamedQuery, Prepared, evaluate};

    /// Two datasets of statements between 30 entities, addressed to one or two of them or
    /// none, with acts and dates on some: pairs of many counts, most shared by several
    /// pairs, some in both datasets, and one statement in both.
    fn store() -> GraphStore {
        let graph = |name: &str| NamedNode::new_unchecked(format!("https://kb.example.org/graph/{name}"));
        let store = GraphStore::in_memory().expect("an in-memory store");
        let mut seed: u64 = 7;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        for (name, statements) in [("a", 0..900), ("b", 899..1200)] {
            let mut turtle = String::from(
                "@prefix sg: <https://w3id.org/saidgraph#> .\n\
                 @prefix act: <https://w3id.org/saidgraph/act#> .\n\
                 @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\
                 @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\
                 @prefix : <https://kb.example.org/> .\n",
            );
            for k in 0..30 {
                turtle += &format!(":e{k} a sg:Person ");
                if k % 4 != 1 {
                    turtle += &format!("; rdfs:label \"Entity {}\" ", k % 7);
                }
                turtle += ".\n";
            }
            for i in statements {
                // Speakers and addressees skewed to the first entities: a few pairs of many.
                let speaker = next(30).min(next(30));
                turtle += &format!(":s{i} a sg:Statement ; sg:speaker :e{speaker} ");
                for _ in 0..i % 3 {
                    turtle += &format!("; sg:addressee :e{} ", next(30).min(next(30)));
                }
                if i % 4 != 0 {
                    turtle += ["; sg:act act:warn ", "; sg:act act:deny ", "; sg:act act:say "][i % 3];
                }
                if i % 5 != 0 {
                    turtle += &format!("; sg:date \"20{:02}-0{}-01\"^^xsd:date ", 10 + i % 13, 1 + i % 9);
                }
                turtle += ".\n";
            }
            store.load_turtle_into(&turtle, &graph(name));
        }
        store
    }

    fn rows(store: &GraphStore, limit: Option<usize>) -> Vec<Vec<Option<Term>>> {
        let query = NamedQuery::find("interaction-matrix").expect("a named query");
        let prepared = Prepared {
            text: query.text.to_owned(),
            origin: query.name.to_owned(),
            bindings: Vec::new(),
            limit,
            explain: None,
        };
        let QueryResults::Solutions(solutions) =
            evaluate(store, prepared, &[], &Evaluation::default()).expect("evaluates")
        else {
            panic!("not a SELECT");
        };
        solutions.map(|s| s.expect("a row").values().to_vec()).collect()
    }

    fn first_page(store: &GraphStore, limit: usize) -> Option<QueryResults<'static>> {
        let text = NamedQuery::find("interaction-matrix").expect("named").text;
        let order = CountOrder::declared(text, "interaction-matrix", &[])
            .expect("the declaration reads")
            .expect("interaction-matrix declares its first page");
        let mut query = crate::query::parse(text, "interaction-matrix", &[]).expect("parses");
        bind::limit_solutions(&mut query, limit);
        order
            .first_page(store, &query, limit, &Evaluation::default())
            .expect("evaluates")
    }

    /// `interaction-matrix`'s first pages are the first rows of its whole result, from
    /// pair counts listing every pair and listing only the most shared, and the path is
    /// taken for a small page.
    #[test]
    fn first_pages_by_count_are_the_first_rows_of_the_whole_result() {
        let store = store();
        let whole = rows(&store, None);
        assert!(whole.len() > 150, "{} rows", whole.len());
        assert!(first_page(&store, 10).is_none(), "no counts kept: the whole query");
        for most in [5, 40, 10_000] {
            let store = store.clone();
            for name in ["a", "b"] {
                let graph = NamedNode::new_unchecked(format!("https://kb.example.org/graph/{name}"));
                store.count_pairs_listing(&graph, most).expect("counted");
            }
            let counts = store
                .pair_counts(crate::vocab::sg::SPEAKER, crate::vocab::sg::ADDRESSEE, usize::MAX)
                .expect("read")
                .expect("kept");
            assert_eq!(counts.unlisted == 0, most == 10_000, "{most}: {}", counts.unlisted);
            for limit in [1, 3, 17, 40, 100, whole.len() - 1, whole.len() + 5] {
                let page = rows(&store, Some(limit));
                let expected = &whole[..limit.min(whole.len())];
                assert!(page == expected, "listing {most}, --limit {limit}: not the first rows");
            }
            // Five pairs a dataset leave the rest a bound above the first rows' counts.
            assert_eq!(
                first_page(&store, 3).is_some(),
                most > 5,
                "listing {most}: a page of 3 reads the first pairs"
            );
            // The store is shared: the next listing replaces this one's.
            for name in ["a", "b"] {
                let graph = NamedNode::new_unchecked(format!("https://kb.example.org/graph/{name}"));
                for quad in store.metadata_quads(graph.as_ref()).expect("read") {
                    store.store().remove(&quad).expect("removed");
                }
            }
        }
    }

    fn pairs(bounds: &[u64]) -> Vec<(Pair, u64)> {
        let term = |n: usize| Term::from(NamedNode::new_unchecked(format!("https://a.org/{n}")));
        bounds
            .iter()
            .enumerate()
            .map(|(n, b)| ((term(n), term(0)), *b))
            .collect()
    }

    #[test]
    fn pairs_are_taken_whole_by_bound_with_the_highest_left_out() {
        let listed = pairs(&[9, 7, 7, 7, 3, 2]);
        let cut = |above, taken, left_out| Some(Cut { above, taken, left_out });
        assert_eq!(take(&listed, 1, 1), cut(0, 1, 7));
        // The last taken ties two more: they come too.
        assert_eq!(take(&listed, 2, 1), cut(1, 4, 3));
        assert_eq!(take(&listed, 4, 1), cut(1, 4, 3));
        // The unlisted may outcount the listed left out.
        assert_eq!(take(&listed, 5, 4), cut(4, 5, 4));
        assert_eq!(take(&listed, 100, 1), cut(5, 6, 1));
        assert_eq!(take(&listed, 100, 0), cut(5, 6, 0));
        assert_eq!(take(&[], 100, 0), None);
    }

    #[test]
    fn the_declaration_names_the_count_and_the_pair() -> Result<()> {
        let text = "# A query.\n# First page: by DESC(?n), the count of ?s sg:speaker ?a ; sg:addressee ?b\n\
                    PREFIX sg: <https://w3id.org/saidgraph#>\nSELECT * WHERE { ?s ?p ?o }";
        let order = CountOrder::declared(text, "q.rq", &[])?.expect("declared");
        assert_eq!(order.key.as_str(), "n");
        assert_eq!(order.first.0.as_str(), "a");
        assert_eq!(order.first.1.as_str(), "https://w3id.org/saidgraph#speaker");
        assert_eq!(order.second.0.as_str(), "b");
        assert_eq!(order.second.1.as_str(), "https://w3id.org/saidgraph#addressee");
        assert!(order.then.is_none());
        let then = text.replace("?b\n", "?b, then ?bl, the label of ?b\n");
        let order = CountOrder::declared(&then, "q.rq", &[])?.expect("declared");
        let label = order.then.expect("a label order");
        assert_eq!(
            (label.label.as_str(), label.of.as_str(), label.second),
            ("bl", "b", true)
        );
        assert!(CountOrder::declared("# none\nSELECT * WHERE { ?s ?p ?o }", "q.rq", &[])?.is_none());
        for bad in [
            "?n), the count of ?s sg:speaker ?a",
            "?n), the count of ?s sg:speaker ?a ; sg:addressee ?a",
            "?n), the count of ?s sg:speaker ?a . ?t sg:addressee ?b",
            "n), the count of ?s sg:speaker ?a ; sg:addressee ?b",
            "?a), the count of ?s sg:speaker ?a ; sg:addressee ?b",
            "?n), the count of ?s sg:speaker ?a ; sg:addressee ?b, then ?l",
            "?n), the count of ?s sg:speaker ?a ; sg:addressee ?b, then ?l, the label of ?s",
            "?n), the count of ?s sg:speaker ?a ; sg:addressee ?b, then ?n, the label of ?a",
        ] {
            let text = format!(
                "# First page: by DESC({bad}\nPREFIX sg: <https://w3id.org/saidgraph#>\nSELECT * WHERE {{ ?s ?p ?o }}"
            );
            assert!(CountOrder::declared(&text, "q.rq", &[]).is_err(), "{bad}");
        }
        Ok(())
    }
}
