//! Groupings answered from the counts `load` keeps (`store::summary`): a query that groups
//! the subjects of a counted property by its value, and counts them and the distinct
//! values of the property counted alongside, such as `acts`'
//!
//! ```sparql
//! SELECT ?act (COUNT(DISTINCT ?statement) AS ?used) (COUNT(DISTINCT ?speaker) AS ?usedBy)
//! WHERE { ?statement sg:act ?act OPTIONAL { ?statement sg:speaker ?speaker } }
//! GROUP BY ?act
//! ```
//!
//! gets the counts in its place, as `VALUES` rows: Oxigraph would read every statement's
//! act and speaker (3.5 s on a million statements) to make the thirty rows the counts
//! hold. Each triple pattern may sit in a subquery of its own that projects its two
//! variables (as `acts` writes them, so that Oxigraph joins them with a hash table when it
//! evaluates them), and either count may be left out; anything else — another
//! aggregate, a filter, a join without the `OPTIONAL`, a grouping inside `GRAPH`, `SERVICE`
//! or on the right of a `LATERAL` — is left to Oxigraph. The counts are those of the
//! grouping: each of the property's triples is a subject with that value, in one graph
//! (statements' ids are unique across datasets, and a dataset where another record gives
//! a subject such a triple keeps no counts: `store::pairs`), and the distinct values
//! alongside are counted over the graphs (`GraphStore::counts_alongside`).
//!
//! Only a query run with no parameters, no `--explain` and the default dataset is
//! rewritten; the tests compare its results with Oxigraph's.

use std::collections::HashMap;

use oxigraph::model::vocab::xsd;
use oxigraph::model::{Literal, NamedNode, Term};
use oxigraph::sparql::{CancellationToken, Variable};
use spargebra::algebra::{AggregateExpression, AggregateFunction, Expression, GraphPattern};
use spargebra::term::{GroundTerm, NamedNodePattern, TermPattern, TriplePattern};

use crate::error::Result;
use crate::store::GraphStore;

use super::bind::ground_term;
use super::root_pattern;

/// A grouping the counts answer: by `value`, the values of `property`, counting the
/// distinct subjects and the distinct values of `other` they have.
#[derive(Debug)]
struct Grouping {
    property: NamedNode,
    other: NamedNode,
    value: Variable,
    /// Each aggregate's variable, and whether it counts the values of `other` (else the
    /// subjects).
    aggregates: Vec<(Variable, bool)>,
}

/// Per value, how many subjects have it and how many distinct values alongside.
type Counts = Vec<(Term, u64, u64)>;

/// Replaces every grouping of `query` the kept counts answer with those counts; leaves the
/// rest, and everything when the counts are not kept or not trusted.
pub(super) fn answer_from_counts(
    store: &GraphStore,
    query: &mut spargebra::Query,
    cancel: Option<&CancellationToken>,
) -> Result<()> {
    let mut read: HashMap<(NamedNode, NamedNode), Option<Counts>> = HashMap::new();
    replace(root_pattern(query), &mut |grouping| {
        let key = (grouping.property.clone(), grouping.other.clone());
        if !read.contains_key(&key) {
            let counts = store.counts_alongside(key.0.as_ref(), key.1.as_ref(), cancel)?;
            read.insert(key.clone(), counts);
        }
        Ok(read[&key].as_ref().and_then(|counts| rows(grouping, counts)))
    })
}

/// Visits every pattern of `pattern` evaluated on the query's default graph and without
/// outer bindings, and puts what `answer` gives in place of each grouping it answers.
fn replace(
    pattern: &mut GraphPattern,
    answer: &mut dyn FnMut(&Grouping) -> Result<Option<GraphPattern>>,
) -> Result<()> {
    use GraphPattern as P;
    if let Some(grouping) = grouping(pattern)
        && let Some(values) = answer(&grouping)?
    {
        *pattern = values;
        return Ok(());
    }
    match pattern {
        P::Join { left, right }
        | P::LeftJoin { left, right, .. }
        | P::Union { left, right }
        | P::Minus { left, right } => {
            replace(left, answer)?;
            replace(right, answer)
        }
        // The right of a LATERAL sees the left's bindings.
        P::Lateral { left, .. } => replace(left, answer),
        P::Filter { inner, .. }
        | P::Extend { inner, .. }
        | P::OrderBy { inner, .. }
        | P::Project { inner, .. }
        | P::Distinct { inner }
        | P::Reduced { inner }
        | P::Slice { inner, .. }
        | P::Group { inner, .. } => replace(inner, answer),
        P::Graph { .. } | P::Service { .. } | P::Bgp { .. } | P::Path { .. } | P::Values { .. } => Ok(()),
    }
}

/// The grouping `pattern` is, if it is one the counts could answer.
fn grouping(pattern: &GraphPattern) -> Option<Grouping> {
    let GraphPattern::Group {
        inner,
        variables,
        aggregates,
    } = pattern
    else {
        return None;
    };
    let GraphPattern::LeftJoin {
        left,
        right,
        expression: None,
    } = inner.as_ref()
    else {
        return None;
    };
    let (subject, property, value) = single_triple(left)?;
    let (subject2, other, other_value) = single_triple(right)?;
    if subject != subject2 || value == other_value || subject == value || subject == other_value {
        return None;
    }
    if variables.as_slice() != [value.clone()] || aggregates.is_empty() {
        return None;
    }
    let aggregates = aggregates
        .iter()
        .map(|(variable, aggregate)| match aggregate {
            AggregateExpression::FunctionCall {
                name: AggregateFunction::Count,
                expr: Expression::Variable(counted),
                distinct: true,
            } if *counted == subject || *counted == other_value => Some((variable.clone(), *counted == other_value)),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Grouping {
        property,
        other,
        value,
        aggregates,
    })
}

/// `?subject <property> ?value`, alone or in a subquery that projects both variables.
fn single_triple(pattern: &GraphPattern) -> Option<(Variable, NamedNode, Variable)> {
    let (patterns, projected) = match pattern {
        GraphPattern::Bgp { patterns } => (patterns, None),
        GraphPattern::Project { inner, variables } => match inner.as_ref() {
            GraphPattern::Bgp { patterns } => (patterns, Some(variables)),
            _ => return None,
        },
        _ => return None,
    };
    let [
        TriplePattern {
            subject: TermPattern::Variable(subject),
            predicate: NamedNodePattern::NamedNode(property),
            object: TermPattern::Variable(value),
        },
    ] = patterns.as_slice()
    else {
        return None;
    };
    if subject == value || projected.is_some_and(|p| !(p.contains(subject) && p.contains(value))) {
        return None;
    }
    Some((subject.clone(), property.clone(), value.clone()))
}

/// The grouping's rows from `counts`, as `VALUES` (in the order of the values' N-Triples,
/// so that the same store gives the same results); `None` for a value `VALUES` cannot hold.
fn rows(grouping: &Grouping, counts: &[(Term, u64, u64)]) -> Option<GraphPattern> {
    let integer = |n: u64| {
        Some(GroundTerm::Literal(Literal::new_typed_literal(
            n.to_string(),
            xsd::INTEGER,
        )))
    };
    let mut bindings = Vec::with_capacity(counts.len());
    let mut sorted: Vec<&(Term, u64, u64)> = counts.iter().collect();
    sorted.sort_by_cached_key(|(value, _, _)| value.to_string());
    for (value, subjects, others) in sorted {
        let mut row = vec![Some(ground_term(value)?)];
        row.extend(
            grouping
                .aggregates
                .iter()
                .map(|(_, of_other)| integer(if *of_other { *others } else { *subjects })),
        );
        bindings.push(row);
    }
    let mut variables = vec![grouping.value.clone()];
    variables.extend(grouping.aggregates.iter().map(|(v, _)| v.clone()));
    Some(GraphPattern::Values { variables, bindings })
}

#[cfg(test)]
mod tests {
    use oxigraph::model::Quad;
    use oxigraph::sparql::QueryResults;

    use super::*;
    use crate::query::{Evaluation, NamedQuery, Prepared, evaluate, parse};

    fn graph(name: &str) -> NamedNode {
        NamedNode::new_unchecked(format!("https://kb.example.org/graph/{name}"))
    }

    /// Two datasets of statements by 12 speakers: `warn` in the first alone, `say` in the
    /// second alone, `deny` in both (some speakers in both), and statements without a
    /// speaker in the first.
    fn store() -> GraphStore {
        let store = GraphStore::in_memory().expect("an in-memory store");
        for (name, statements) in [("a", 0..300), ("b", 300..500)] {
            let mut turtle = String::from(
                "@prefix sg: <https://w3id.org/saidgraph#> .\n\
                 @prefix act: <https://w3id.org/saidgraph/act#> .\n\
                 @prefix : <https://kb.example.org/> .\n",
            );
            for i in statements {
                let act = match (name, i % 3) {
                    ("a", 0) => "warn",
                    ("b", 0) => "say",
                    _ => "deny",
                };
                turtle += &format!(":s{i} sg:act act:{act} ");
                if i % 11 != 0 {
                    turtle += &format!("; sg:speaker :e{} ", (i * 7) % 12);
                }
                turtle += ".\n";
            }
            store.load_turtle_into(&turtle, &graph(name));
        }
        store
    }

    fn rows(store: &GraphStore, text: &str) -> Vec<Vec<Option<Term>>> {
        let prepared = Prepared {
            text: text.to_owned(),
            origin: "q.rq".to_owned(),
            bindings: Vec::new(),
            limit: None,
            explain: None,
        };
        let QueryResults::Solutions(solutions) =
            evaluate(store, prepared, &[], &Evaluation::default()).expect("evaluates")
        else {
            panic!("not a SELECT");
        };
        let mut rows: Vec<_> = solutions.map(|s| s.expect("a row").values().to_vec()).collect();
        rows.sort_by_key(|row| format!("{row:?}"));
        rows
    }

    /// Whether the kept counts replace a grouping of `text` on `store`.
    fn rewritten(store: &GraphStore, text: &str) -> bool {
        let mut query = parse(text, "q.rq", &[]).expect("parses");
        let before = query.to_string();
        answer_from_counts(store, &mut query, None).expect("reads the counts");
        query.to_string() != before
    }

    /// `acts` gives the same rows from the counts as from the statements, with an act in
    /// both datasets (its speakers counted by a query of its own), and the counts are read
    /// only when every dataset has them.
    #[test]
    fn acts_from_the_kept_counts_are_those_oxigraph_counts() {
        let acts = NamedQuery::find("acts").expect("a named query").text;
        let store = store();
        let counted = rows(&store, acts);
        let deny = counted
            .iter()
            .find(|row| row[0].as_ref().is_some_and(|t| t.to_string().ends_with("#deny>")))
            .expect("a row for deny");
        assert_eq!(
            deny[3].as_ref().map(ToString::to_string).as_deref(),
            Some("\"333\"^^<http://www.w3.org/2001/XMLSchema#integer>")
        );
        assert!(!rewritten(&store, acts), "no counts kept");
        store.count_values(&graph("a")).expect("counted");
        assert!(!rewritten(&store, acts), "b has no counts");
        store.count_values(&graph("b")).expect("counted");
        assert!(rewritten(&store, acts));
        assert_eq!(rows(&store, acts), counted);
        // A graph of data without counts that has speakers makes them untrusted.
        store
            .load_quads([Quad::new(
                NamedNode::new_unchecked("https://kb.example.org/s1"),
                crate::vocab::sg::SPEAKER,
                NamedNode::new_unchecked("https://kb.example.org/e99"),
                NamedNode::new_unchecked("file:///more.ttl"),
            )])
            .expect("loaded");
        assert!(!rewritten(&store, acts));
    }

    /// Only the grouping the counts are of is replaced: not a join that drops the subjects
    /// without the other property, another count, nor a grouping in a named graph.
    #[test]
    fn other_groupings_are_left_to_oxigraph() {
        let store = store();
        store.count_values(&graph("a")).expect("counted");
        store.count_values(&graph("b")).expect("counted");
        let query = |pattern: &str, counts: &str| {
            format!(
                "PREFIX sg: <https://w3id.org/saidgraph#>\n\
                 SELECT ?act {counts} WHERE {{ {pattern} }} GROUP BY ?act"
            )
        };
        let optional = "?s sg:act ?act OPTIONAL { ?s sg:speaker ?p }";
        let both = "(COUNT(DISTINCT ?s) AS ?n) (COUNT(DISTINCT ?p) AS ?k)";
        for (pattern, counts, answered) in [
            (optional, both, true),
            (optional, "(COUNT(DISTINCT ?p) AS ?k)", true),
            ("?s sg:act ?act . ?s sg:speaker ?p", both, false),
            (optional, "(COUNT(?s) AS ?n)", false),
            (optional, "(COUNT(DISTINCT ?p) AS ?k) (SAMPLE(?p) AS ?x)", false),
            ("?s sg:act ?act OPTIONAL { ?s sg:addressee ?p }", both, false),
            ("GRAPH ?g { ?s sg:act ?act OPTIONAL { ?s sg:speaker ?p } }", both, false),
            (
                "?s sg:act ?act OPTIONAL { ?s sg:speaker ?p FILTER(?p != sg:x) }",
                both,
                false,
            ),
        ] {
            let text = query(pattern, counts);
            assert_eq!(rewritten(&store, &text), answered, "{text}");
            if answered {
                let fresh = self::store();
                assert_eq!(rows(&store, &text), rows(&fresh, &text), "{text}");
            }
        }
    }
}
