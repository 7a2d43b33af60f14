//! The `ORDER BY` at a query's root, sorted here: each row's keys computed once, then the
//! rows sorted in memory, and under a `LIMIT` only the first rows kept.
//!
//! spareval sorts by evaluating the `ORDER BY` expressions inside the comparator, and an
//! IRI or a string of the store is decoded from RocksDB's string table at every
//! comparison: about 2 n log₂ n random reads for n rows, 40 million for a million rows,
//! where one per row would do (BENCHMARKS.md, "A profile of a sorted query"). So a
//! `SELECT` of the form `[LIMIT/OFFSET] [REDUCED] SELECT … ORDER BY keys` is evaluated
//! without its order: each key that is not a projected variable is bound to a variable of
//! its own (an `Extend`, evaluated once per row) and projected, the rows are read from
//! Oxigraph decoded once, sorted by those keys with SPARQL's order as spareval implements
//! it ([`cmp_terms`]: unbound first, then blank nodes, IRIs, literals; numbers by value,
//! strings by code point, and what SPARQL leaves incomparable by lexical form, datatype
//! and language), and the keys of their own are dropped again. A `LIMIT` keeps at most
//! twice its rows (at least 1,024) at any time.
//!
//! Rows whose keys tie come in the order Oxigraph produced them (each row's place in it is
//! the last key, so a limit's cut keeps the earliest of them too);
//! spareval's unstable sort gives ties no defined order either, and every named query
//! ends its `ORDER BY` with a key that no two rows share. A `SELECT DISTINCT` keeps
//! spareval's sort: its keys would change what is distinct.
//!
//! A cancelled evaluation (`checkpoint`) stops while the rows are read, where every
//! projection checks; the sort in memory that follows takes about a second per million
//! rows and is not interrupted.

use std::cmp::Ordering;
use std::sync::Arc;

use oxigraph::model::{NamedOrBlankNode, Term};
use oxigraph::sparql::{QueryEvaluationError, QueryResults, QuerySolution, QuerySolutionIter, Variable};
use oxsdatatypes::{Decimal, Double, Float};
use spareval::{ExpressionTerm, ExpressionTriple};
use spargebra::algebra::{Expression, GraphPattern, OrderExpression};

/// A query's root order, split off its algebra by [`split`].
#[derive(Debug, Clone)]
pub(super) struct RootOrder {
    /// The projected variables, without the keys.
    variables: Vec<Variable>,
    /// Each key's variable, and whether it sorts descending.
    keys: Vec<(Variable, bool)>,
    start: usize,
    length: Option<usize>,
}

/// The prefix of the variables that hold the keys, lengthened with `_` while a variable of
/// the query starts with it (SPARQL allows the name).
const KEY: &str = "__saidgraph_order_";

/// Takes the root `ORDER BY` (and the `LIMIT` and `OFFSET` around it) out of a `SELECT`,
/// binding and projecting its keys instead; `None`, with the query unchanged, when its
/// root is of another form.
pub(super) fn split(query: &mut spargebra::Query) -> Option<RootOrder> {
    let spargebra::Query::Select { pattern, .. } = query else {
        return None;
    };
    // Slices from the outermost in: the rows kept are those of the inner slice, then of
    // each outer one in turn.
    let mut slices = Vec::new();
    let mut root = &*pattern;
    while let GraphPattern::Slice { inner, start, length } = root {
        slices.push((*start, *length));
        root = inner;
    }
    if let GraphPattern::Reduced { inner } = root {
        root = inner;
    }
    let GraphPattern::Project { inner, .. } = root else {
        return None;
    };
    if !matches!(**inner, GraphPattern::OrderBy { .. }) {
        return None;
    }
    let (mut start, mut length) = (0, None::<usize>);
    for &(outer_start, outer_length) in slices.iter().rev() {
        start += outer_start;
        length = match (length.map(|l| l.saturating_sub(outer_start)), outer_length) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    // The checks are done: now take the pattern apart.
    let mut owned = std::mem::replace(pattern, GraphPattern::Bgp { patterns: Vec::new() });
    while let GraphPattern::Slice { inner, .. } = owned {
        owned = *inner;
    }
    if let GraphPattern::Reduced { inner } = owned {
        owned = *inner;
    }
    let GraphPattern::Project { inner, variables } = owned else {
        unreachable!("checked above");
    };
    let GraphPattern::OrderBy { inner, expression } = *inner else {
        unreachable!("checked above");
    };
    let mut prefix = KEY.to_owned();
    while {
        let mut taken = false;
        inner.on_in_scope_variable(|v| taken |= v.as_str().starts_with(&prefix));
        taken
    } {
        prefix.push('_');
    }
    let mut extended = *inner;
    let mut keys = Vec::with_capacity(expression.len());
    let mut projected = variables.clone();
    for (i, order) in expression.into_iter().enumerate() {
        let (expression, descending) = match order {
            OrderExpression::Asc(e) => (e, false),
            OrderExpression::Desc(e) => (e, true),
        };
        // A key that is a projected variable is read from the row as it is: projecting it
        // twice would decode its term from the store twice.
        if let Expression::Variable(variable) = &expression
            && variables.contains(variable)
        {
            keys.push((variable.clone(), descending));
            continue;
        }
        let variable = Variable::new_unchecked(format!("{prefix}{i}"));
        projected.push(variable.clone());
        extended = GraphPattern::Extend {
            inner: Box::new(extended),
            variable: variable.clone(),
            expression,
        };
        keys.push((variable, descending));
    }
    *pattern = GraphPattern::Project {
        inner: Box::new(extended),
        variables: projected,
    };
    Some(RootOrder {
        variables,
        keys,
        start,
        length,
    })
}

/// A row read from Oxigraph: its keys, ready to compare, its place among the rows read, and
/// its projected values.
struct Row {
    keys: Vec<Option<ExpressionTerm>>,
    read: usize,
    values: Vec<Option<Term>>,
}

impl RootOrder {
    /// The rows of `solutions` (the split query's) in the order, sliced, without the keys.
    /// They are read and sorted when the first one is asked for, as spareval does.
    pub(super) fn sort(self, solutions: QuerySolutionIter<'static>) -> QueryResults<'static> {
        let variables: Arc<[Variable]> = self.variables.clone().into();
        let mut pending = Some((self, solutions));
        let mut sorted: std::vec::IntoIter<Result<QuerySolution, QueryEvaluationError>> = Vec::new().into_iter();
        let shared = Arc::clone(&variables);
        let rows = std::iter::from_fn(move || {
            if let Some((order, solutions)) = pending.take() {
                sorted = order.read(solutions, &shared).into_iter();
            }
            sorted.next()
        });
        QueryResults::Solutions(QuerySolutionIter::new(variables, rows))
    }

    fn read(
        &self,
        solutions: QuerySolutionIter<'static>,
        variables: &Arc<[Variable]>,
    ) -> Vec<Result<QuerySolution, QueryEvaluationError>> {
        // Under a limit, at most twice the rows kept: past that the best are selected and
        // the rest dropped.
        let keep = self.length.map(|l| self.start.saturating_add(l));
        let mut rows: Vec<Row> = Vec::new();
        for (read, solution) in solutions.enumerate() {
            let solution = match solution {
                Ok(solution) => solution,
                Err(error) => return vec![Err(error)],
            };
            let values = self.variables.iter().map(|v| solution.get(v).cloned()).collect();
            let keys = self
                .keys
                .iter()
                .map(|(v, _)| solution.get(v).cloned().map(ExpressionTerm::from))
                .collect();
            rows.push(Row { keys, read, values });
            if let Some(keep) = keep
                && rows.len() >= keep.saturating_mul(2).max(1024)
            {
                self.select_first(&mut rows, keep);
            }
        }
        if let Some(keep) = keep {
            self.select_first(&mut rows, keep);
        }
        rows.sort_unstable_by(|a, b| self.cmp_rows(a, b));
        rows.into_iter()
            .skip(self.start)
            .take(self.length.unwrap_or(usize::MAX))
            .map(|row| Ok(QuerySolution::from((Arc::clone(variables), row.values))))
            .collect()
    }

    /// Keeps the first `keep` rows of the order (in no order), dropping the rest.
    fn select_first(&self, rows: &mut Vec<Row>, keep: usize) {
        if keep == 0 {
            rows.clear();
        } else if rows.len() > keep {
            rows.select_nth_unstable_by(keep - 1, |a, b| self.cmp_rows(a, b));
            rows.truncate(keep);
        }
    }

    fn cmp_rows(&self, a: &Row, b: &Row) -> Ordering {
        for ((a, b), (_, descending)) in a.keys.iter().zip(&b.keys).zip(&self.keys) {
            let order = cmp_terms(a.as_ref(), b.as_ref());
            let order = if *descending { order.reverse() } else { order };
            if order != Ordering::Equal {
                return order;
            }
        }
        a.read.cmp(&b.read)
    }
}

/// SPARQL's order of two keys (an unbound key, `None`, first), as spareval 0.2 orders
/// them (its `cmp_terms`).
pub(super) fn cmp_terms(a: Option<&ExpressionTerm>, b: Option<&ExpressionTerm>) -> Ordering {
    use ExpressionTerm as T;
    let (a, b) = match (a, b) {
        (Some(a), Some(b)) => (a, b),
        (Some(_), None) => return Ordering::Greater,
        (None, Some(_)) => return Ordering::Less,
        (None, None) => return Ordering::Equal,
    };
    match (a, b) {
        (T::BlankNode(a), T::BlankNode(b)) => a.as_str().cmp(b.as_str()),
        (T::BlankNode(_), _) => Ordering::Less,
        (T::NamedNode(_), T::BlankNode(_)) => Ordering::Greater,
        (T::NamedNode(a), T::NamedNode(b)) => a.as_str().cmp(b.as_str()),
        (T::NamedNode(_), _) => Ordering::Less,
        (T::Triple(a), T::Triple(b)) => cmp_triples(a, b),
        (T::Triple(_), _) => Ordering::Greater,
        (_, T::NamedNode(_) | T::BlankNode(_)) => Ordering::Greater,
        (_, T::Triple(_)) => Ordering::Less,
        _ => partial_cmp_literals(a, b).unwrap_or_else(|| {
            let (Term::Literal(a), Term::Literal(b)) = (Term::from(a.clone()), Term::from(b.clone())) else {
                return Ordering::Equal;
            };
            (a.value(), a.datatype(), a.language()).cmp(&(b.value(), b.datatype(), b.language()))
        }),
    }
}

fn cmp_triples(a: &ExpressionTriple, b: &ExpressionTriple) -> Ordering {
    let subjects = match (&a.subject, &b.subject) {
        (NamedOrBlankNode::BlankNode(a), NamedOrBlankNode::BlankNode(b)) => a.as_str().cmp(b.as_str()),
        (NamedOrBlankNode::BlankNode(_), NamedOrBlankNode::NamedNode(_)) => Ordering::Less,
        (NamedOrBlankNode::NamedNode(_), NamedOrBlankNode::BlankNode(_)) => Ordering::Greater,
        (NamedOrBlankNode::NamedNode(a), NamedOrBlankNode::NamedNode(b)) => a.as_str().cmp(b.as_str()),
    };
    subjects
        .then_with(|| a.predicate.as_str().cmp(b.predicate.as_str()))
        .then_with(|| cmp_terms(Some(&a.object), Some(&b.object)))
}

/// The order SPARQL's `<` gives two literals, `None` where it gives none (spareval's
/// `partial_cmp_literals`, which it does not export).
fn partial_cmp_literals(a: &ExpressionTerm, b: &ExpressionTerm) -> Option<Ordering> {
    use ExpressionTerm as T;
    match (a, b) {
        (T::StringLiteral(a), T::StringLiteral(b)) => a.partial_cmp(b),
        (
            T::LangStringLiteral {
                value: va,
                language: la,
            },
            T::LangStringLiteral {
                value: vb,
                language: lb,
            },
        ) if la == lb => va.partial_cmp(vb),
        (
            T::DirLangStringLiteral {
                value: va,
                language: la,
                direction: da,
            },
            T::DirLangStringLiteral {
                value: vb,
                language: lb,
                direction: db,
            },
        ) if la == lb && da == db => va.partial_cmp(vb),
        (T::FloatLiteral(a), T::FloatLiteral(b)) => a.partial_cmp(b),
        (T::FloatLiteral(a), T::DoubleLiteral(b)) => Double::from(*a).partial_cmp(b),
        (T::FloatLiteral(a), T::IntegerLiteral(b)) => a.partial_cmp(&Float::from(*b)),
        (T::FloatLiteral(a), T::DecimalLiteral(b)) => a.partial_cmp(&(*b).into()),
        (T::DoubleLiteral(a), T::FloatLiteral(b)) => a.partial_cmp(&(*b).into()),
        (T::DoubleLiteral(a), T::DoubleLiteral(b)) => a.partial_cmp(b),
        (T::DoubleLiteral(a), T::IntegerLiteral(b)) => a.partial_cmp(&Double::from(*b)),
        (T::DoubleLiteral(a), T::DecimalLiteral(b)) => a.partial_cmp(&(*b).into()),
        (T::IntegerLiteral(a), T::FloatLiteral(b)) => Float::from(*a).partial_cmp(b),
        (T::IntegerLiteral(a), T::DoubleLiteral(b)) => Double::from(*a).partial_cmp(b),
        (T::IntegerLiteral(a), T::IntegerLiteral(b)) => a.partial_cmp(b),
        (T::IntegerLiteral(a), T::DecimalLiteral(b)) => Decimal::from(*a).partial_cmp(b),
        (T::DecimalLiteral(a), T::FloatLiteral(b)) => Float::from(*a).partial_cmp(b),
        (T::DecimalLiteral(a), T::DoubleLiteral(b)) => Double::from(*a).partial_cmp(b),
        (T::DecimalLiteral(a), T::IntegerLiteral(b)) => a.partial_cmp(&Decimal::from(*b)),
        (T::DecimalLiteral(a), T::DecimalLiteral(b)) => a.partial_cmp(b),
        (T::DateTimeLiteral(a), T::DateTimeLiteral(b)) => a.partial_cmp(b),
        (T::TimeLiteral(a), T::TimeLiteral(b)) => a.partial_cmp(b),
        (T::DateLiteral(a), T::DateLiteral(b)) => a.partial_cmp(b),
        (T::GYearMonthLiteral(a), T::GYearMonthLiteral(b)) => a.partial_cmp(b),
        (T::GYearLiteral(a), T::GYearLiteral(b)) => a.partial_cmp(b),
        (T::GMonthDayLiteral(a), T::GMonthDayLiteral(b)) => a.partial_cmp(b),
        (T::GDayLiteral(a), T::GDayLiteral(b)) => a.partial_cmp(b),
        (T::GMonthLiteral(a), T::GMonthLiteral(b)) => a.partial_cmp(b),
        (T::DurationLiteral(a), T::DurationLiteral(b)) => a.partial_cmp(b),
        (T::DurationLiteral(a), T::YearMonthDurationLiteral(b)) => a.partial_cmp(b),
        (T::DurationLiteral(a), T::DayTimeDurationLiteral(b)) => a.partial_cmp(b),
        (T::YearMonthDurationLiteral(a), T::DurationLiteral(b)) => a.partial_cmp(b),
        (T::YearMonthDurationLiteral(a), T::YearMonthDurationLiteral(b)) => a.partial_cmp(b),
        (T::YearMonthDurationLiteral(a), T::DayTimeDurationLiteral(b)) => a.partial_cmp(b),
        (T::DayTimeDurationLiteral(a), T::DurationLiteral(b)) => a.partial_cmp(b),
        (T::DayTimeDurationLiteral(a), T::YearMonthDurationLiteral(b)) => a.partial_cmp(b),
        (T::DayTimeDurationLiteral(a), T::DayTimeDurationLiteral(b)) => a.partial_cmp(b),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use oxigraph::io::{RdfFormat, RdfParser};
    use oxigraph::model::GraphNameRef;
    use oxigraph::sparql::SparqlEvaluator;

    use super::*;
    use crate::query::{Evaluation, execute, parse};
    use crate::store::GraphStore;

    /// Values of every kind SPARQL orders, no two of them equal by its `=`: IRIs, blank
    /// nodes, plain, language-tagged and directional strings, numbers of four types,
    /// dates and times of every precision, durations, booleans, a literal of an unknown
    /// type and one with an invalid lexical form, and a quoted triple.
    const VALUES: &[&str] = &[
        "<https://kb.example.org/b>",
        "<https://kb.example.org/a>",
        "_:z",
        "_:a",
        "\"beta\"",
        "\"Alpha\"",
        "\"\"",
        "\"alpha\"@en",
        "\"alpha\"@de",
        "\"zeta\"@en",
        "\"ltr\"@en--ltr",
        "\"7\"^^xsd:integer",
        "\"-3\"^^xsd:integer",
        "\"2.5\"^^xsd:decimal",
        "\"1.0E1\"^^xsd:double",
        "\"4.25E0\"^^xsd:float",
        "\"2024-05-01\"^^xsd:date",
        "\"2023-12-31\"^^xsd:date",
        "\"2024\"^^xsd:gYear",
        "\"2021-03\"^^xsd:gYearMonth",
        "\"--05-01\"^^xsd:gMonthDay",
        "\"---09\"^^xsd:gDay",
        "\"--11\"^^xsd:gMonth",
        "\"2024-05-01T10:00:00Z\"^^xsd:dateTime",
        "\"10:30:00\"^^xsd:time",
        "\"P1Y2M\"^^xsd:duration",
        "\"P3M\"^^xsd:yearMonthDuration",
        "\"PT5H\"^^xsd:dayTimeDuration",
        "true",
        "false",
        "\"x\"^^<https://kb.example.org/type>",
        "\"seven\"^^xsd:integer",
        "<< <https://kb.example.org/a> <https://kb.example.org/p> \"o\" >>",
    ];

    /// `rows` subjects, each with a value of [`VALUES`] as `:x` (most of them; a few have
    /// none) and a number as `:y`, so that many rows tie on `?x`.
    fn store(rows: usize) -> GraphStore {
        let mut turtle =
            String::from("@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n@prefix : <https://kb.example.org/> .\n");
        for i in 0..rows {
            turtle += &format!(":r{i} :y {} ", (i * 37) % 11);
            if i % 9 != 4 {
                turtle += &format!("; :x {} ", VALUES[(i * 7) % VALUES.len()]);
            }
            turtle += ".\n";
        }
        store_of(&turtle)
    }

    /// An in-memory store of `turtle`, in the default graph.
    fn store_of(turtle: &str) -> GraphStore {
        let triples = RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(turtle.as_bytes())
            .map(|q| q.map(Into::into))
            .collect::<Result<Vec<oxigraph::model::Triple>, _>>()
            .expect("the test's Turtle parses");
        let store = GraphStore::in_memory().expect("an in-memory store");
        store.load(triples, GraphNameRef::DefaultGraph).expect("loaded");
        store
    }

    type Rows = Vec<Option<Term>>;

    /// The rows of `query` as spareval sorts them, and as this module does.
    fn both(store: &GraphStore, query: spargebra::Query) -> (Vec<Rows>, Vec<Rows>) {
        let QueryResults::Solutions(theirs) = SparqlEvaluator::new()
            .for_query(query.clone())
            .on_store(store.store())
            .execute()
            .expect("evaluates")
        else {
            panic!("not a SELECT");
        };
        let theirs = theirs.map(|s| s.expect("a row").values().to_vec()).collect();
        let (QueryResults::Solutions(ours), _) =
            execute(store, query, Vec::new(), &Evaluation::default(), false).expect("evaluates")
        else {
            panic!("not a SELECT");
        };
        let ours = ours.map(|s| s.expect("a row").values().to_vec()).collect();
        (theirs, ours)
    }

    const PREFIXES: &str = "PREFIX : <https://kb.example.org/>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n";

    /// Every key kind, ascending and descending, computed keys, slices: the rows are
    /// spareval's, row for row (the last key, the subject, leaves no ties).
    #[test]
    fn rows_come_in_sparevals_order() {
        let store = store(400);
        for order in [
            "?x ?s",
            "DESC(?x) ?s",
            "?y DESC(?x) ?s",
            "(!BOUND(?x)) COALESCE(STR(?x), \"\") ?s",
            "DESC(STR(?x)) DESC(?s)",
            "(?y * 2 - 5) LANG(?x) DATATYPE(?x) ?s",
        ] {
            for slice in [
                "",
                "LIMIT 7",
                "OFFSET 13 LIMIT 20",
                "OFFSET 390",
                "LIMIT 0",
                "OFFSET 1000",
            ] {
                let text = format!(
                    "{PREFIXES}SELECT ?s ?x WHERE {{ ?s :y ?y OPTIONAL {{ ?s :x ?x }} }} ORDER BY {order} {slice}"
                );
                let (theirs, ours) = both(&store, parse(&text, "test", &[]).expect("parses"));
                assert!(theirs == ours, "ORDER BY {order} {slice}: {theirs:?}\n!=\n{ours:?}");
            }
        }
    }

    /// Every two values of [`VALUES`]: spareval puts them in the order [`cmp_terms`]
    /// gives, and the order is antisymmetric.
    #[test]
    fn every_pair_compares_as_spareval_orders_it() {
        for (i, a) in VALUES.iter().enumerate() {
            for b in &VALUES[i + 1..] {
                let turtle = format!(
                    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n@prefix : <https://kb.example.org/> .\n\
                     :r1 :x {a} .\n:r2 :x {b} .\n"
                );
                let store = store_of(&turtle);
                let text = format!("{PREFIXES}SELECT ?x WHERE {{ ?s :x ?x }} ORDER BY ?x");
                let QueryResults::Solutions(theirs) = SparqlEvaluator::new()
                    .for_query(parse(&text, "test", &[]).expect("parses"))
                    .on_store(store.store())
                    .execute()
                    .expect("evaluates")
                else {
                    panic!("not a SELECT");
                };
                let theirs: Vec<Term> = theirs
                    .map(|s| s.expect("a row").get("x").expect("bound").clone())
                    .collect();
                let [first, second] = theirs.as_slice() else {
                    panic!("{a} {b}: not two rows");
                };
                let (x, y) = (
                    ExpressionTerm::from(first.clone()),
                    ExpressionTerm::from(second.clone()),
                );
                let order = cmp_terms(Some(&x), Some(&y));
                assert_eq!(order, cmp_terms(Some(&y), Some(&x)).reverse(), "{a} {b}");
                assert!(order != Ordering::Greater, "{a} {b}: spareval puts {first} first");
            }
        }
    }

    /// A query whose own variables are named like the keys is sorted as spareval sorts it.
    #[test]
    fn a_query_variable_named_like_a_key_is_left_alone() {
        let store = store(50);
        let text = format!(
            "{PREFIXES}SELECT ?s ?__saidgraph_order_0 WHERE {{ ?s :y ?__saidgraph_order_0 }} \
             ORDER BY DESC(?s) ?__saidgraph_order_0 LIMIT 20"
        );
        let (theirs, ours) = both(&store, parse(&text, "test", &[]).expect("parses"));
        assert_eq!(theirs.len(), 20);
        assert!(theirs == ours, "{theirs:?}\n!=\n{ours:?}");
    }

    /// A slice around a slice (`--limit` around the query's own), and a limit that keeps
    /// fewer rows than are read many times over (the rows selected as they come).
    #[test]
    fn nested_slices_and_long_reads_keep_the_first_rows() {
        let store = store(5000);
        let text =
            format!("{PREFIXES}SELECT ?s ?x WHERE {{ ?s :y ?y OPTIONAL {{ ?s :x ?x }} }} ORDER BY ?x DESC(?y) ?s");
        for (inner, outer) in [("LIMIT 50", 10), ("OFFSET 40 LIMIT 50", 20), ("OFFSET 10", 3), ("", 1)] {
            let mut query = parse(&format!("{text} {inner}"), "test", &[]).expect("parses");
            crate::query::bind::limit_solutions(&mut query, outer);
            let (theirs, ours) = both(&store, query);
            assert!(!theirs.is_empty(), "{inner} then LIMIT {outer}: no rows");
            assert!(theirs == ours, "{inner} then LIMIT {outer}: {theirs:?}\n!=\n{ours:?}");
        }
    }

    /// A key that is a projected variable is read from the row; only the others are bound
    /// and projected (each projected term is decoded from the store once per row).
    #[test]
    fn projected_keys_are_not_projected_twice() {
        let text =
            format!("{PREFIXES}SELECT ?s ?x WHERE {{ ?s :y ?y OPTIONAL {{ ?s :x ?x }} }} ORDER BY ?x DESC(?y) ?s");
        let mut query = parse(&text, "test", &[]).expect("parses");
        let order = split(&mut query).expect("an order at the root");
        let spargebra::Query::Select { pattern, .. } = &query else {
            panic!("not a SELECT");
        };
        let GraphPattern::Project { variables, .. } = pattern else {
            panic!("not a projection: {pattern}");
        };
        let names: Vec<&str> = variables.iter().map(Variable::as_str).collect();
        assert_eq!(names, ["s", "x", &format!("{KEY}1")]);
        let keys: Vec<(&str, bool)> = order.keys.iter().map(|(v, d)| (v.as_str(), *d)).collect();
        assert_eq!(keys, [("x", false), (&format!("{KEY}1")[..], true), ("s", false)]);
    }

    /// Queries of other forms are left to spareval: no order at the root, `DISTINCT`
    /// (whose keys would change what is distinct), `ASK`.
    #[test]
    fn other_forms_are_not_split() {
        for text in [
            "SELECT ?s WHERE { ?s ?p ?o }",
            "SELECT DISTINCT ?s WHERE { ?s ?p ?o } ORDER BY ?o",
            "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o } }",
            "ASK { ?s ?p ?o }",
        ] {
            let mut query = parse(text, "test", &[]).expect("parses");
            let before = query.to_string();
            assert!(split(&mut query).is_none(), "{text}");
            assert_eq!(query.to_string(), before, "{text}: changed");
        }
        let mut query = parse("SELECT REDUCED ?s WHERE { ?s ?p ?o } ORDER BY ?o LIMIT 3", "test", &[]).expect("parses");
        let order = split(&mut query).expect("REDUCED keeps its order");
        assert_eq!((order.start, order.length, order.keys.len()), (0, Some(3), 1));
    }
}
