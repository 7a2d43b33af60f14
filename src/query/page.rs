//! First pages without the whole sort: a query ordered by one property of its rows'
//! subject (a date, most often), or by the label of its rows' speaker, topic or entity,
//! reads only the subjects of the first values of it.
//!
//! Oxigraph evaluates `ORDER BY` by computing every row and sorting them all, so the first
//! 100 rows of `timeline` on a million statements cost as much as the whole result. A
//! query of the library that is ordered first by a date declares it in its header:
//!
//! ```text
//! # First page: by ?date from ?statement sg:date ?date
//! ```
//!
//! That line promises two things about the query: its rows come first by `STR(?date)`,
//! rows whose `?date` is bound (the object of that triple for the row's `?statement`)
//! before the rest; and each row belongs to one `?statement`, so that keeping only some
//! statements keeps exactly their rows (groups and joins are per statement). Both
//! variables are projected. It may add `, then ?statement`: rows of one text of the key
//! come next by the subject's IRI. Then its first N rows are found so:
//!
//! 1. the values of the property, and how many subjects have each: the counts `load`
//!    keeps in the metadata for `sg:date` (`store::summary`), else counted by Oxigraph
//!    without reading a subject (one scan of one predicate, grouped on stored ids);
//! 2. the fewest first values, in the order of their text, that N subjects have;
//! 3. the subjects that have one of them (a lookup per value) — of the last value, when
//!    the rows come next by subject, only the first subjects by IRI that the page can
//!    need (twice the rows still wanted at first): a million statements on 420 dates put
//!    2,381 on the first — and the query evaluated for those subjects alone
//!    (`bind::restrict_query_to`), its own `ORDER BY` and `LIMIT` in place;
//! 4. when its first N rows all have one of those values, they are the first N rows of
//!    the whole query: rows of the chosen values sort before all others, and every such
//!    row is a row of a chosen subject (a row of the last value from a subject left out
//!    sorts after every row of one kept, whose IRI is smaller). Otherwise (too few rows,
//!    as when most subjects have no row) more subjects of the last value are taken, up to
//!    all of them, then more values, as many more as the rows found fall short, and when
//!    it would take every value the query is evaluated as it is.
//!
//! A query ordered first by a label declares it so:
//!
//! ```text
//! # First page: by ?speakerLabel, the label of ?speaker, from ?statement sg:speaker ?speaker, then ?speaker
//! ```
//!
//! promising that its rows come first by the text of `?speakerLabel`, which is the text of
//! one of `?speaker`'s `rdfs:label`s or, when it has none, of its IRI, then by `?speaker`'s
//! IRI; that each triple of the pattern gives at least one row of its `?speaker` (the
//! subject or the object), and each row belongs to one `?speaker`. Each candidate's key is
//! the least text of its labels (else its IRI's), in any graph: the label its rows sort by
//! is never less. The candidates, counted as the dates are (`load` keeps the counts of
//! `sg:speaker` and `sg:about`), are sorted by key and IRI; the fewest first that give N
//! rows are taken, the query is evaluated with `?speaker` restricted to them, and its
//! first N rows are the page when each sorts below the first candidate left out — every
//! row of one left out sorts at or after its key. Otherwise more are taken, as above. A
//! label without a text (a blank node) makes the query take its whole course.
//!
//! Only a query run with a limit, no parameters, no `--explain` and the default dataset
//! takes this path; the results are those of the query, row for row (this module's tests
//! compare every declaring query's pages with its whole result).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use oxigraph::model::{NamedNode, NamedOrBlankNode, Term};
use oxigraph::sparql::{QueryResults, QuerySolution, QuerySolutionIter, Variable};
use spargebra::algebra::GraphPattern;
use spargebra::term::{GroundTerm, NamedNodePattern, TermPattern};

use crate::error::{Error, Result};
use crate::store::GraphStore;
use crate::vocab::std_terms;

use super::{Evaluation, bind, by_count, execute};

/// What the header line starts with.
const DECLARATION: &str = "# First page: by ";

/// Past this many subjects a page costs about what the whole query does.
const MAX_SUBJECTS: usize = 200_000;

/// A query's declared first order: rows by the text of `key`, and the variable a page
/// restricts to the values that hold its rows.
#[derive(Debug, Clone)]
pub(super) struct FirstPage {
    key: Variable,
    /// The rows of one of its values are that value's own (restricting it keeps them whole):
    /// `?SUBJECT` of the triple, or of a label order the `?OF` the label is of.
    restricted: Variable,
    predicate: NamedNode,
    order: Order,
}

/// What the key of a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// The object of `?SUBJECT PREDICATE ?KEY`; with `then_subject`, rows of one text of it
    /// come next by the subject's IRI (`, then ?SUBJECT`).
    Value { then_subject: bool },
    /// The label of `?OF` (the text of one of its `rdfs:label`s, or its IRI's), which is the
    /// object (or the subject, `of_object` false) of the triple, each of which gives a row;
    /// rows of one text come next by `?OF`'s IRI.
    Label { of_object: bool },
}

/// A value of the key: its text (what the query sorts by), the terms written so (of a label
/// order, the one term it is the label of), and how many triples give one of them.
#[derive(Debug)]
pub(super) struct Key {
    pub(super) text: String,
    pub(super) terms: Vec<Term>,
    count: u64,
}

impl FirstPage {
    /// The declaration in the header of `text` (its leading comment lines), if any. Its
    /// pattern is read with the query's own prefixes and `prefixes`.
    pub(super) fn declared(text: &str, origin: &str, prefixes: &[(String, String)]) -> Result<Option<Self>> {
        let Some(line) = header_line(text, DECLARATION).filter(|l| !l.starts_with(by_count::DESCENDING)) else {
            return Ok(None);
        };
        let malformed = || {
            Error::Usage(format!(
                "{origin}: \"{DECLARATION}{line}\": expected \"{DECLARATION}?KEY from ?SUBJECT PREDICATE ?KEY\" \
                 (and \", then ?SUBJECT\" when rows of one key come next by subject), or \
                 \"{DECLARATION}?KEY, the label of ?OF, from ?SUBJECT PREDICATE ?OBJECT, then ?OF\" \
                 (?OF the subject or the object)"
            ))
        };
        let (key, rest) = line.split_once(" from ").ok_or_else(malformed)?;
        let (key, label_of) = match key.split_once(", the label of ") {
            Some((key, of)) => (key, Some(of.strip_suffix(',').ok_or_else(malformed)?.trim())),
            None => (key, None),
        };
        let (pattern, then) = match rest.split_once(", then ") {
            Some((pattern, then)) => (pattern, Some(then.trim())),
            None => (rest, None),
        };
        let Some(patterns) = declared_pattern(text, pattern, origin, prefixes)? else {
            return Err(malformed());
        };
        let [
            spargebra::term::TriplePattern {
                subject: TermPattern::Variable(subject),
                predicate: NamedNodePattern::NamedNode(predicate),
                object: TermPattern::Variable(object),
            },
        ] = patterns.as_slice()
        else {
            return Err(malformed());
        };
        let named =
            |text: Option<&str>, variable: &Variable| text.and_then(|t| t.strip_prefix('?')) == Some(variable.as_str());
        let key = key.trim().strip_prefix('?').ok_or_else(malformed)?;
        let key = Variable::new(key).map_err(|_| malformed())?;
        if subject == object || key == *subject {
            return Err(malformed());
        }
        let (restricted, order) = match label_of {
            None if key == *object && (then.is_none() || named(then, subject)) => (
                subject.clone(),
                Order::Value {
                    then_subject: then.is_some(),
                },
            ),
            Some(of) if key != *object && named(then, subject) && named(Some(of), subject) => {
                (subject.clone(), Order::Label { of_object: false })
            }
            Some(of) if key != *object && named(then, object) && named(Some(of), object) => {
                (object.clone(), Order::Label { of_object: true })
            }
            _ => return Err(malformed()),
        };
        Ok(Some(Self {
            key,
            restricted,
            predicate: predicate.clone(),
            order,
        }))
    }

    /// The first `limit` rows of `query` (which holds that limit), or `None` when this
    /// path would read about as much as evaluating the query does.
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
        let Some(keys) = self.keys(store, evaluation)? else {
            return Ok(None);
        };
        let mut wanted = limit as u64;
        // Subjects kept of the last value per row still wanted, when rows come next by subject.
        let mut per_row: u64 = 2;
        loop {
            let mut taken = 0;
            let mut count = 0;
            while taken < keys.len() && count < wanted {
                count += keys[taken].count;
                taken += 1;
            }
            if taken == keys.len() {
                return Ok(None);
            }
            let chosen = &keys[..taken];
            let last = chosen[taken - 1].count;
            let keep = wanted.saturating_sub(count - last).saturating_mul(per_row);
            let cut = self.order == (Order::Value { then_subject: true }) && keep < last;
            let keep = cut.then(|| usize::try_from(keep).unwrap_or(usize::MAX));
            let Some(subjects) = self.subjects(store, chosen, keep)? else {
                return Ok(None);
            };
            let mut restricted = query.clone();
            bind::restrict_query_to(&mut restricted, &self.restricted, &subjects);
            let QueryResults::Solutions(solutions) = execute(store, restricted, Vec::new(), evaluation, false)?.0
            else {
                return Ok(None);
            };
            let variables: Arc<[Variable]> = solutions.variables().into();
            let texts: HashSet<&str> = chosen.iter().map(|k| k.text.as_str()).collect();
            // Of a label order, the first key left out: every row of a value left out has
            // a label whose text is at least its key's, so rows below it are the first rows.
            let first_left_out = &keys[taken];
            let mut rows: Vec<QuerySolution> = Vec::with_capacity(limit);
            for solution in solutions {
                let solution = solution?;
                let text = solution.get(&self.key).and_then(text_of);
                let inside = match self.order {
                    Order::Value { .. } => text.is_some_and(|t| texts.contains(t)),
                    Order::Label { .. } => match (text, solution.get(&self.restricted)) {
                        (Some(text), Some(Term::NamedNode(of))) => {
                            (text, of.as_str()) < (first_left_out.text.as_str(), first_left_out.iri())
                        }
                        _ => false,
                    },
                };
                if !inside {
                    break;
                }
                rows.push(solution);
            }
            // The query holds the limit: as many rows are all inside.
            if rows.len() >= limit {
                return Ok(Some(QueryResults::Solutions(QuerySolutionIter::new(
                    variables,
                    rows.into_iter().map(Ok),
                ))));
            }
            // Fewer rows than subjects: take as many more subjects of the last value, or
            // once it is whole as many more values, as that ratio asks.
            let found = rows.len().max(1) as u64;
            let factor = (limit as u64).div_ceil(found).clamp(2, 64);
            if cut {
                per_row = per_row.saturating_mul(factor);
            } else {
                wanted = count.saturating_mul(factor);
            }
        }
    }

    /// The key's values in the order of their text (of a label order, then of the IRI),
    /// with how many triples give each (as `load` counted them, else counted now); `None`
    /// when one is not an IRI or a literal (its text is an error, which sorts first), or
    /// of a label order not an IRI.
    fn keys(&self, store: &GraphStore, evaluation: &Evaluation) -> Result<Option<Vec<Key>>> {
        let cancel = evaluation.cancel.as_ref();
        let counts = match self.order {
            Order::Label { of_object: false } => store.count_subjects(self.predicate.as_ref(), cancel)?,
            _ => match store.value_counts(self.predicate.as_ref())? {
                Some(counts) => counts,
                None => store.count_objects(self.predicate.as_ref(), None, cancel)?,
            },
        };
        if let Order::Label { .. } = self.order {
            return label_keys(store, counts, true);
        }
        let mut keys: Vec<Key> = Vec::new();
        for (term, count) in counts {
            let Some(text) = text_of(&term) else {
                return Ok(None);
            };
            keys.push(Key {
                text: text.to_owned(),
                terms: vec![term],
                count,
            });
        }
        keys.sort_unstable_by(|a, b| a.text.cmp(&b.text));
        // Terms written alike ("2024" as a year and as a string) are one key.
        keys.dedup_by(|later, kept| {
            if later.text != kept.text {
                return false;
            }
            kept.terms.append(&mut later.terms);
            kept.count += later.count;
            true
        });
        Ok(Some(keys))
    }

    /// The subjects that have one of `keys`' terms, in any graph — of the last key only the
    /// first `keep` by IRI when given; of a label order the keys' own terms. `None` when
    /// there are too many, or one is a blank node (which a `VALUES` cannot name).
    fn subjects(&self, store: &GraphStore, keys: &[Key], keep: Option<usize>) -> Result<Option<Vec<GroundTerm>>> {
        if let Order::Label { .. } = self.order {
            let mut terms = Vec::with_capacity(keys.len());
            for key in keys {
                let Some(Term::NamedNode(node)) = key.terms.first() else {
                    return Ok(None);
                };
                terms.push(GroundTerm::NamedNode(node.clone()));
            }
            return Ok((terms.len() <= MAX_SUBJECTS).then_some(terms));
        }
        let mut seen = HashSet::new();
        let mut subjects = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            let mut of_key: Vec<NamedNode> = Vec::new();
            for term in &key.terms {
                for quad in
                    store
                        .store()
                        .quads_for_pattern(None, Some(self.predicate.as_ref()), Some(term.as_ref()), None)
                {
                    let quad = quad.map_err(|e| store.storage_error(e))?;
                    let NamedOrBlankNode::NamedNode(subject) = quad.subject else {
                        return Ok(None);
                    };
                    of_key.push(subject);
                    if of_key.len() > MAX_SUBJECTS {
                        return Ok(None);
                    }
                }
            }
            if let Some(keep) = keep
                && i + 1 == keys.len()
            {
                of_key.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
                of_key.dedup();
                of_key.truncate(keep);
            }
            for subject in of_key {
                if seen.insert(subject.clone()) {
                    subjects.push(GroundTerm::NamedNode(subject));
                    if subjects.len() > MAX_SUBJECTS {
                        return Ok(None);
                    }
                }
            }
        }
        Ok(Some(subjects))
    }
}

/// The rest of the first line of `text`'s header (its leading comment lines) that starts
/// with `prefix`.
pub(super) fn header_line<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix(prefix))
}

/// The triple patterns of `pattern`, a basic graph pattern in a declaration of `text`'s
/// header, read with the query's own prefixes and `prefixes`; `None` when it is another
/// kind of pattern.
pub(super) fn declared_pattern(
    text: &str,
    pattern: &str,
    origin: &str,
    prefixes: &[(String, String)],
) -> Result<Option<Vec<spargebra::term::TriplePattern>>> {
    let declarations: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.trim_start()
                .get(..6)
                .is_some_and(|w| w.eq_ignore_ascii_case("prefix"))
        })
        .collect();
    let probe = format!("{}\nSELECT * WHERE {{ {pattern} }}", declarations.join("\n"));
    let query = super::parse(&probe, origin, prefixes)?;
    let spargebra::Query::Select {
        pattern: GraphPattern::Project { inner, .. },
        ..
    } = query
    else {
        return Ok(None);
    };
    let GraphPattern::Bgp { patterns } = *inner else {
        return Ok(None);
    };
    Ok(Some(patterns))
}

/// One key per counted term, its text the least of its labels' (any graph's, any
/// language's), or its IRI's when it has none: the text of the label a row of it sorts by
/// is never less. In the order of text, then IRI; `None` when a label has no text (a blank
/// node, whose `STR` is an error: a query's label of it may be unbound, which sorts first).
/// With `one_pass` false, or many more labels than terms (a graph of Wikidata's names
/// beside the data), a lookup per term reads them: less than every label for a few terms
/// (a stored string each, 13 µs cold).
pub(super) fn label_keys(store: &GraphStore, counts: Vec<(Term, u64)>, one_pass: bool) -> Result<Option<Vec<Key>>> {
    let mut counted: Vec<(NamedNode, u64)> = Vec::with_capacity(counts.len());
    for (term, count) in counts {
        let Term::NamedNode(node) = term else {
            return Ok(None);
        };
        counted.push((node, count));
    }
    // Per term: the least text of its labels, and whether one has none.
    let mut labels: HashMap<NamedNode, (Option<String>, bool)> =
        counted.iter().map(|(node, _)| (node.clone(), (None, false))).collect();
    let add = |labels: &mut HashMap<NamedNode, (Option<String>, bool)>, subject: &NamedNode, label: &Term| {
        if let Some((least, textless)) = labels.get_mut(subject) {
            match text_of(label) {
                Some(text) if least.as_deref().is_none_or(|l| text < l) => *least = Some(text.to_owned()),
                Some(_) => {}
                None => *textless = true,
            }
        }
    };
    // Every label read in one pass, unless there are many more labels than terms (a
    // graph of Wikidata's names beside the data): then a lookup per term.
    let most = counted.len().saturating_mul(4).saturating_add(10_000);
    let every = match one_pass {
        true => store.subjects_and_objects(std_terms::RDFS_LABEL, most)?,
        false => None,
    };
    let complete = every.is_some();
    for (subject, label) in every.iter().flatten() {
        if let NamedOrBlankNode::NamedNode(subject) = subject {
            add(&mut labels, subject, label);
        }
    }
    if !complete {
        for label in labels.values_mut() {
            *label = (None, false);
        }
        for (node, _) in &counted {
            for quad in
                store
                    .store()
                    .quads_for_pattern(Some(node.as_ref().into()), Some(std_terms::RDFS_LABEL), None, None)
            {
                let quad = quad.map_err(|e| store.storage_error(e))?;
                add(&mut labels, node, &quad.object);
            }
        }
    }
    let mut keys = Vec::with_capacity(counted.len());
    for (node, count) in counted {
        let text = match labels.remove(&node) {
            Some((_, true)) => return Ok(None),
            Some((Some(text), false)) => text,
            _ => node.as_str().to_owned(),
        };
        keys.push(Key {
            text,
            terms: vec![node.into()],
            count,
        });
    }
    keys.sort_unstable_by(|a, b| (a.text.as_str(), a.iri()).cmp(&(b.text.as_str(), b.iri())));
    Ok(Some(keys))
}

impl Key {
    /// The IRI of its first term (the one term of a label order's key), or "".
    pub(super) fn iri(&self) -> &str {
        match self.terms.first() {
            Some(Term::NamedNode(n)) => n.as_str(),
            _ => "",
        }
    }
}

/// `STR(term)`, for the terms that have one.
pub(super) fn text_of(term: &Term) -> Option<&str> {
    match term {
        Term::NamedNode(n) => Some(n.as_str()),
        Term::Literal(l) => Some(l.value()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use oxigraph::io::{RdfFormat, RdfParser};
    use oxigraph::model::GraphNameRef;

    use super::*;
    use crate::query::{NamedQuery, Prepared, evaluate};

    /// Statements with dates of three precisions, a few undated and a few with two dates,
    /// the first date on 46 statements, quotes on two in three, and replies to earlier
    /// statements; by 47 speakers, about one or two of them, whose labels are two (the
    /// least not the first), none, lowercase (after the IRIs' text), shared by several,
    /// one text in two languages, or in German.
    fn store() -> GraphStore {
        let mut turtle = String::from(
            "@prefix sg: <https://w3id.org/saidgraph#> .\n\
             @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\
             @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\
             @prefix : <https://kb.example.org/> .\n",
        );
        for k in 0..47 {
            turtle += &format!(":e{k} a sg:Person ");
            match k % 6 {
                0 => turtle += &format!("; rdfs:label \"Zed {k}\"@en, \"Alpha {k}\" "),
                1 => {}
                2 => turtle += &format!("; rdfs:label \"beta {k}\" "),
                3 => turtle += "; rdfs:label \"Gamma\" ",
                4 => turtle += &format!("; rdfs:label \"Omega {k}\", \"Omega {k}\"@en "),
                _ => turtle += &format!("; rdfs:label \"Delta {k}\"@de "),
            }
            turtle += ".\n";
        }
        for i in 0..600 {
            turtle += &format!(":s{i} a sg:Statement ; sg:speaker :e{} ", i % 47);
            if i % 5 != 0 {
                turtle += &format!("; sg:about :e{} ", (i * 5) % 47);
            }
            if i % 11 == 0 {
                turtle += &format!("; sg:about :e{} ", (i * 7) % 47);
            }
            match i % 13 {
                0 => {}
                1 => turtle += &format!("; sg:date \"{}\"^^xsd:gYear ", 2020 + i % 3),
                2 => turtle += &format!("; sg:date \"2021-{:02}\"^^xsd:gYearMonth ", 1 + i % 12),
                // The first date, of many statements, some with it written as a string.
                3 if i % 2 == 0 => turtle += "; sg:date \"2019-06-01\"^^xsd:date ",
                3 => turtle += "; sg:date \"2019-06-01\" ",
                _ => {
                    turtle += &format!(
                        "; sg:date \"202{}-{:02}-{:02}\"^^xsd:date ",
                        i % 3,
                        1 + i % 12,
                        1 + i % 28
                    );
                }
            }
            // A second, later date: rows of the statement fall on both sides of a page.
            if i % 17 == 5 {
                turtle += &format!("; sg:date \"2023-0{}-01\"^^xsd:date ", 1 + i % 9);
            }
            if i % 3 != 0 {
                turtle += &format!("; sg:quote \"words {i}\"@en ");
            }
            // Stances on most statements: `stance-on`'s rows, several a topic.
            if i % 7 != 3 {
                turtle += [
                    "; sg:stance sg:support ",
                    "; sg:stance sg:oppose ",
                    "; sg:stance sg:concern ",
                ][i % 3];
            }
            if i % 4 == 0 && i > 0 {
                turtle += &format!("; sg:inReplyTo :s{} ", i / 3);
            }
            turtle += ".\n";
        }
        let triples = RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(turtle.as_bytes())
            .map(|q| q.map(Into::into))
            .collect::<std::result::Result<Vec<oxigraph::model::Triple>, _>>()
            .expect("the test's Turtle parses");
        let store = GraphStore::in_memory().expect("an in-memory store");
        let graph = NamedNode::new_unchecked("https://kb.example.org/graph/a");
        store
            .load(triples, GraphNameRef::NamedNode(graph.as_ref()))
            .expect("loaded");
        store
    }

    fn rows(store: &GraphStore, name: &str, limit: Option<usize>) -> Vec<Vec<Option<Term>>> {
        let query = NamedQuery::find(name).expect("a named query");
        let prepared = Prepared {
            text: query.text.to_owned(),
            origin: name.to_owned(),
            bindings: Vec::new(),
            limit,
            explain: None,
        };
        let QueryResults::Solutions(solutions) = evaluate(store, prepared, &[], &Evaluation::default()).expect(name)
        else {
            panic!("{name}: not a SELECT");
        };
        solutions.map(|s| s.expect(name).values().to_vec()).collect()
    }

    /// Every declared query's first pages are the first rows of its whole result, for
    /// pages within the first date, across several dates, past the dated rows and past
    /// the end.
    #[test]
    fn first_pages_are_the_first_rows_of_the_whole_result() {
        first_pages_are_the_first_rows(&store());
    }

    /// The same, with the dates' counts read from those `load` keeps.
    #[test]
    fn first_pages_from_the_kept_counts_are_the_first_rows_too() {
        let store = store();
        store
            .count_values(&NamedNode::new_unchecked("https://kb.example.org/graph/a"))
            .expect("counted");
        for predicate in crate::store::summary::COUNTED {
            assert!(store.value_counts(predicate).expect("read").is_some());
        }
        first_pages_are_the_first_rows(&store);
    }

    fn first_pages_are_the_first_rows(store: &GraphStore) {
        let declared: Vec<&NamedQuery> = crate::query::NAMED_QUERIES
            .iter()
            .filter(|q| q.text.contains(DECLARATION) && !q.text.contains(by_count::DECLARATION))
            .collect();
        let names: Vec<&str> = declared.iter().map(|q| q.name).collect();
        assert_eq!(
            names,
            [
                "statements-by",
                "statements-about",
                "replies",
                "timeline",
                "stance-on",
                "quotes",
                "entity"
            ]
        );
        for query in declared {
            let whole = rows(store, query.name, None);
            assert!(whole.len() > 30, "{}: {} rows", query.name, whole.len());
            for limit in [1, 3, 17, 40, 100, whole.len() - 1, whole.len() + 5] {
                let page = rows(store, query.name, Some(limit));
                let expected = &whole[..limit.min(whole.len())];
                assert!(page == expected, "{} --limit {limit}: not the first rows", query.name);
            }
        }
    }

    /// The page path is the one taken for a small page, and gives way to the evaluation of
    /// the whole query when a page needs every date.
    #[test]
    fn small_pages_take_the_path_and_whole_results_do_not() {
        let store = store();
        let text = NamedQuery::find("timeline").expect("timeline").text;
        let page = FirstPage::declared(text, "timeline", &[])
            .expect("the declaration reads")
            .expect("timeline declares its first page");
        assert_eq!(page.key.as_str(), "date");
        assert_eq!(page.restricted.as_str(), "statement");
        assert_eq!(page.predicate.as_str(), "https://w3id.org/saidgraph#date");
        let first = |limit: usize| {
            let mut query = crate::query::parse(text, "timeline", &[]).expect("parses");
            bind::limit_solutions(&mut query, limit);
            page.first_page(&store, &query, limit, &Evaluation::default())
                .expect("evaluates")
        };
        assert!(first(10).is_some(), "a page of 10 reads the first dates only");
        assert!(first(100_000).is_none(), "a page of every row is the whole query");
        // Of the last date taken, only the first statements by IRI.
        let keys = page
            .keys(&store, &Evaluation::default())
            .expect("evaluates")
            .expect("keys");
        assert_eq!(
            (keys[0].text.as_str(), keys[0].terms.len(), keys[0].count),
            ("2019-06-01", 2, 46)
        );
        let all = page
            .subjects(&store, &keys[..1], None)
            .expect("reads")
            .expect("subjects");
        let cut = page
            .subjects(&store, &keys[..1], Some(5))
            .expect("reads")
            .expect("subjects");
        let mut first_five: Vec<String> = all.iter().map(ToString::to_string).collect();
        first_five.sort();
        first_five.truncate(5);
        assert_eq!(all.len(), 46);
        assert_eq!(cut.iter().map(ToString::to_string).collect::<Vec<_>>(), first_five);
    }

    /// A label order restricts what the label is of, the subject or the object, and takes
    /// the path for a small page.
    #[test]
    fn label_orders_restrict_what_the_label_is_of() {
        let store = store();
        for (name, restricted, order) in [
            ("statements-by", "speaker", Order::Label { of_object: true }),
            ("statements-about", "topic", Order::Label { of_object: true }),
            ("stance-on", "topic", Order::Label { of_object: true }),
            ("entity", "entity", Order::Label { of_object: false }),
        ] {
            let text = NamedQuery::find(name).expect("a named query").text;
            let page = FirstPage::declared(text, name, &[])
                .expect("the declaration reads")
                .expect("declared");
            assert_eq!((page.restricted.as_str(), page.order), (restricted, order), "{name}");
            let mut query = crate::query::parse(text, name, &[]).expect("parses");
            bind::limit_solutions(&mut query, 5);
            assert!(
                page.first_page(&store, &query, 5, &Evaluation::default())
                    .expect("evaluates")
                    .is_some(),
                "{name}: a page of 5 reads the first few"
            );
        }
        // The keys: the least label's text, the IRI's when there is no label or one without
        // a text, in the order of text, then IRI.
        let page = FirstPage::declared(NamedQuery::find("statements-by").expect("named").text, "q", &[])
            .expect("reads")
            .expect("declared");
        let keys = page
            .keys(&store, &Evaluation::default())
            .expect("evaluates")
            .expect("keys");
        let text_of_key = |iri: &str| {
            keys.iter()
                .find(|k| k.iri() == format!("https://kb.example.org/{iri}"))
                .map(|k| k.text.clone())
        };
        assert_eq!(text_of_key("e0").as_deref(), Some("Alpha 0"));
        assert_eq!(text_of_key("e1").as_deref(), Some("https://kb.example.org/e1"));
        assert_eq!(text_of_key("e2").as_deref(), Some("beta 2"));
        assert_eq!(text_of_key("e3").as_deref(), Some("Gamma"));
        assert_eq!(keys.len(), 47);
        assert!(
            keys.windows(2)
                .all(|w| (w[0].text.as_str(), w[0].iri()) < (w[1].text.as_str(), w[1].iri()))
        );
        // A label without a text (a blank node) may make a row's label unbound, which sorts
        // first: no keys, the whole query.
        store
            .load_quads([oxigraph::model::Quad::new(
                NamedNode::new_unchecked("https://kb.example.org/e9"),
                std_terms::RDFS_LABEL,
                oxigraph::model::BlankNode::default(),
                NamedNode::new_unchecked("https://kb.example.org/graph/a"),
            )])
            .expect("loaded");
        assert!(page.keys(&store, &Evaluation::default()).expect("evaluates").is_none());
        assert_eq!(rows(&store, "entity", Some(1)), rows(&store, "entity", None)[..1]);
    }

    #[test]
    fn malformed_declarations_are_refused() {
        for line in [
            "# First page: by ?date\nSELECT * {}",
            "# First page: by ?date from ?s <https://w3id.org/saidgraph#date> ?other\nSELECT * {}",
            "# First page: by date from ?s <https://w3id.org/saidgraph#date> ?date\nSELECT * {}",
            "# First page: by ?date from ?s ?p ?date\nSELECT * {}",
            "# First page: by ?date from ?s <https://w3id.org/saidgraph#date> ?date, then ?other\nSELECT * {}",
            // A label order names what the label is of, and comes next by it.
            "# First page: by ?l, the label of ?x, from ?s <https://w3id.org/saidgraph#speaker> ?o, then ?x\nSELECT * {}",
            "# First page: by ?l, the label of ?o, from ?s <https://w3id.org/saidgraph#speaker> ?o\nSELECT * {}",
            "# First page: by ?l, the label of ?o, from ?s <https://w3id.org/saidgraph#speaker> ?o, then ?s\nSELECT * {}",
            "# First page: by ?o, the label of ?o, from ?s <https://w3id.org/saidgraph#speaker> ?o, then ?o\nSELECT * {}",
            "# First page: by ?l, the label of ?o from ?s <https://w3id.org/saidgraph#speaker> ?o, then ?o\nSELECT * {}",
        ] {
            let error = FirstPage::declared(line, "q.rq", &[]).expect_err(line).to_string();
            assert!(error.contains("q.rq") && error.contains("First page"), "{error}");
        }
        assert!(
            FirstPage::declared("# nothing declared\nSELECT * {}", "q.rq", &[])
                .expect("no declaration")
                .is_none()
        );
    }
}
