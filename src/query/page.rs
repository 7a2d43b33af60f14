//! First pages without the whole sort: a query ordered by one property of its rows'
//! subject (a date, most often) reads only the subjects of the first values of it.
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
//! Only a query run with a limit, no parameters, no `--explain` and the default dataset
//! takes this path; the results are those of the query, row for row (this module's tests
//! compare every declaring query's pages with its whole result).

use std::collections::HashSet;
use std::sync::Arc;

use oxigraph::model::{NamedNode, Term};
use oxigraph::sparql::{QueryResults, QuerySolution, QuerySolutionIter, Variable};
use spargebra::algebra::GraphPattern;
use spargebra::term::{GroundTerm, NamedNodePattern, TermPattern};

use crate::error::{Error, Result};
use crate::store::GraphStore;

use super::{Evaluation, bind, execute};

/// What the header line starts with.
const DECLARATION: &str = "# First page: by ";

/// Past this many subjects a page costs about what the whole query does.
const MAX_SUBJECTS: usize = 200_000;

/// A query's declared first order: rows by the text of `key`, the object of `predicate`
/// for the row's `subject`.
#[derive(Debug, Clone)]
pub(super) struct FirstPage {
    key: Variable,
    subject: Variable,
    predicate: NamedNode,
    /// Rows of one text of the key come next by the subject's IRI (`, then ?SUBJECT`).
    then_subject: bool,
}

/// A value of the key: its text (what the query sorts by), the terms written so, and how
/// many triples give one of them.
#[derive(Debug)]
struct Key {
    text: String,
    terms: Vec<Term>,
    count: u64,
}

impl FirstPage {
    /// The declaration in the header of `text` (its leading comment lines), if any. Its
    /// pattern is read with the query's own prefixes and `prefixes`.
    pub(super) fn declared(text: &str, origin: &str, prefixes: &[(String, String)]) -> Result<Option<Self>> {
        let Some(line) = text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .find_map(|l| l.strip_prefix(DECLARATION))
        else {
            return Ok(None);
        };
        let malformed = || {
            Error::Usage(format!(
                "{origin}: \"{DECLARATION}{line}\": expected \"{DECLARATION}?KEY from ?SUBJECT PREDICATE ?KEY\" \
                 (and \", then ?SUBJECT\" when rows of one key come next by subject)"
            ))
        };
        let (key, rest) = line.split_once(" from ").ok_or_else(malformed)?;
        let (pattern, then) = match rest.split_once(", then ") {
            Some((pattern, then)) => (pattern, Some(then.trim())),
            None => (rest, None),
        };
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
            return Err(malformed());
        };
        let GraphPattern::Bgp { patterns } = *inner else {
            return Err(malformed());
        };
        match (patterns.as_slice(), key.trim().strip_prefix('?')) {
            (
                [
                    spargebra::term::TriplePattern {
                        subject: TermPattern::Variable(subject),
                        predicate: NamedNodePattern::NamedNode(predicate),
                        object: TermPattern::Variable(object),
                    },
                ],
                Some(key),
            ) if object.as_str() == key
                && subject != object
                && then.is_none_or(|t| t.strip_prefix('?') == Some(subject.as_str())) =>
            {
                Ok(Some(Self {
                    key: object.clone(),
                    subject: subject.clone(),
                    predicate: predicate.clone(),
                    then_subject: then.is_some(),
                }))
            }
            _ => Err(malformed()),
        }
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
            let cut = self.then_subject && keep < last;
            let keep = cut.then(|| usize::try_from(keep).unwrap_or(usize::MAX));
            let Some(subjects) = self.subjects(store, chosen, keep)? else {
                return Ok(None);
            };
            let mut restricted = query.clone();
            bind::restrict_query_to(&mut restricted, &self.subject, &subjects);
            let QueryResults::Solutions(solutions) = execute(store, restricted, Vec::new(), evaluation, false)?.0
            else {
                return Ok(None);
            };
            let variables: Arc<[Variable]> = solutions.variables().into();
            let texts: HashSet<&str> = chosen.iter().map(|k| k.text.as_str()).collect();
            let mut rows: Vec<QuerySolution> = Vec::with_capacity(limit);
            let mut outside = false;
            for solution in solutions {
                let solution = solution?;
                if !solution
                    .get(&self.key)
                    .and_then(text_of)
                    .is_some_and(|t| texts.contains(t))
                {
                    outside = true;
                    break;
                }
                rows.push(solution);
            }
            if !outside && rows.len() >= limit {
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

    /// The key's values in the order of their text, with how many triples give each (as
    /// `load` counted them, else counted now); `None` when one is not an IRI or a literal
    /// (its text is an error, which sorts first).
    fn keys(&self, store: &GraphStore, evaluation: &Evaluation) -> Result<Option<Vec<Key>>> {
        let counts = match store.value_counts(self.predicate.as_ref())? {
            Some(counts) => counts,
            None => store.count_objects(self.predicate.as_ref(), None, evaluation.cancel.as_ref())?,
        };
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
    /// first `keep` by IRI when given; `None` when there are too many, or one is a blank
    /// node (which a `VALUES` cannot name).
    fn subjects(&self, store: &GraphStore, keys: &[Key], keep: Option<usize>) -> Result<Option<Vec<GroundTerm>>> {
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
                    let oxigraph::model::NamedOrBlankNode::NamedNode(subject) = quad.subject else {
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

/// `STR(term)`, for the terms that have one.
fn text_of(term: &Term) -> Option<&str> {
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
    /// statements.
    fn store() -> GraphStore {
        let mut turtle = String::from(
            "@prefix sg: <https://w3id.org/saidgraph#> .\n\
             @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\
             @prefix : <https://kb.example.org/> .\n",
        );
        for i in 0..600 {
            turtle += &format!(":s{i} a sg:Statement ; sg:speaker :e{} ", i % 7);
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
        assert!(store.value_counts(crate::vocab::sg::DATE).expect("read").is_some());
        first_pages_are_the_first_rows(&store);
    }

    fn first_pages_are_the_first_rows(store: &GraphStore) {
        let declared: Vec<&NamedQuery> = crate::query::NAMED_QUERIES
            .iter()
            .filter(|q| q.text.contains(DECLARATION))
            .collect();
        let names: Vec<&str> = declared.iter().map(|q| q.name).collect();
        assert_eq!(names, ["replies", "timeline", "quotes"]);
        for query in declared {
            let whole = rows(store, query.name, None);
            assert!(whole.len() > 100, "{}: {} rows", query.name, whole.len());
            for limit in [1, 3, 17, 100, whole.len() - 1, whole.len() + 5] {
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
        assert_eq!(page.subject.as_str(), "statement");
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

    #[test]
    fn malformed_declarations_are_refused() {
        for line in [
            "# First page: by ?date\nSELECT * {}",
            "# First page: by ?date from ?s <https://w3id.org/saidgraph#date> ?other\nSELECT * {}",
            "# First page: by date from ?s <https://w3id.org/saidgraph#date> ?date\nSELECT * {}",
            "# First page: by ?date from ?s ?p ?date\nSELECT * {}",
            "# First page: by ?date from ?s <https://w3id.org/saidgraph#date> ?date, then ?other\nSELECT * {}",
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
