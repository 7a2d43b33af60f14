//! Parameter binding: `--param NAME=VALUE` read as a variable and an RDF term, and the
//! rewrites of the parsed algebra that bind a term where its variable is matched and
//! limit the number of solutions. Never by pasting text into the query.

use oxigraph::model::{Literal, NamedNode, Term};
use oxigraph::sparql::Variable;
use spargebra::algebra::{Expression, GraphPattern};
use spargebra::term::{GroundTerm, NamedNodePattern, TermPattern, TriplePattern};

use crate::error::{Error, Result};
use crate::model::Prefixes;
use crate::resolve::mint;
use crate::store::GraphStore;
use crate::terms::RecordKind;
use crate::vocab;

use super::root_pattern;

/// Binds a `--param` value as an RDF term: `<…>` is an IRI, `prefix:local` a prefixed
/// name (the built-in prefixes, and `entity:`, `statement:`, `source:`, `relation:` for a
/// graph with one base), an id the graph knows its IRI (entities first, then statements,
/// sources and relations), anything else a plain string.
pub fn bind_value(value: &str, store: &GraphStore, bases: &[String]) -> Result<Term> {
    let mut prefixes = Prefixes::default();
    for (prefix, namespace) in vocab::prefixes_for(bases) {
        prefixes
            .bind(&prefix, &namespace)
            .map_err(|e| Error::Param(format!("prefix {prefix}: {e}")))?;
    }
    let iri = value.starts_with('<') && value.ends_with('>');
    let prefixed = value
        .split_once(':')
        .is_some_and(|(prefix, _)| prefixes.iter().any(|(p, _)| p == prefix));
    if iri || prefixed {
        return prefixes
            .expand(value)
            .map(Term::from)
            .map_err(|e| Error::Param(format!("value {value}: {e}")));
    }
    for kind in [
        RecordKind::Entity,
        RecordKind::Statement,
        RecordKind::Source,
        RecordKind::Relation,
    ] {
        let found: Vec<NamedNode> = bases
            .iter()
            .map(|base| mint(base, kind, value))
            .filter(|iri| store.has_subject(iri.as_ref()))
            .collect();
        match found.as_slice() {
            [] => {}
            [iri] => return Ok(iri.clone().into()),
            several => {
                let list: Vec<String> = several.iter().map(ToString::to_string).collect();
                return Err(Error::Param(format!(
                    "value {value:?} names several {}s: {}; give the <IRI> instead",
                    kind.name(),
                    list.join(", ")
                )));
            }
        }
    }
    Ok(Literal::new_simple_literal(value).into())
}

/// Parses `NAME=VALUE`.
pub fn split_param(param: &str) -> Result<(Variable, &str)> {
    let (name, value) = param
        .split_once('=')
        .ok_or_else(|| Error::Param(format!("{param:?}: expected NAME=VALUE")))?;
    let name = name.trim().trim_start_matches(['?', '$']);
    let variable =
        Variable::new(name).map_err(|e| Error::Param(format!("{param:?}: {name:?} is not a variable name: {e}")))?;
    Ok((variable, value))
}

/// Binds a parameter where it is matched, not only at the top: every basic graph pattern
/// that mentions the variable is joined with `VALUES ?var { term }`, in every scope where
/// the variable is the query's own (subqueries that do not project it are left alone).
/// Oxigraph's `substitute_variable` alone binds the variable at the root, after
/// subqueries have been evaluated for every value; this makes `statements-by` read one
/// speaker's statements instead of the store's. Done on the parsed algebra, never text.
pub(super) fn restrict_query(query: &mut spargebra::Query, variable: &Variable, term: &Term) {
    let Some(term) = ground_term(term) else {
        return;
    };
    rewrite_root(query, |pattern| restrict(pattern, variable, &term));
}

/// `term` as a `VALUES` or a pattern can hold it: an IRI or a literal (not a blank node).
pub(super) fn ground_term(term: &Term) -> Option<GroundTerm> {
    match term {
        Term::NamedNode(n) => Some(GroundTerm::NamedNode(n.clone())),
        Term::Literal(l) => Some(GroundTerm::Literal(l.clone())),
        _ => None,
    }
}

/// `pattern` with `variable` bound to `term` wherever it is matched, as
/// [`restrict_query`] describes.
fn restrict(pattern: GraphPattern, variable: &Variable, term: &GroundTerm) -> GraphPattern {
    use spargebra::algebra::GraphPattern as P;
    let is_var = |t: &TermPattern| matches!(t, TermPattern::Variable(v) if v == variable);
    let is_var_predicate = |p: &NamedNodePattern| matches!(p, NamedNodePattern::Variable(v) if v == variable);
    // The term in place of the variable, then `BIND(term AS ?var)` so it stays bound.
    let constant = |t: TermPattern| -> TermPattern {
        match (is_var(&t), term) {
            (true, GroundTerm::NamedNode(n)) => n.clone().into(),
            (true, GroundTerm::Literal(l)) => l.clone().into(),
            _ => t,
        }
    };
    let bound = |inner: P| P::Extend {
        inner: Box::new(inner),
        variable: variable.clone(),
        expression: match term {
            GroundTerm::NamedNode(n) => Expression::NamedNode(n.clone()),
            GroundTerm::Literal(l) => Expression::Literal(l.clone()),
            GroundTerm::Triple(_) => Expression::Bound(variable.clone()),
        },
    };
    rewrite_matches(
        pattern,
        std::slice::from_ref(variable),
        Place::default(),
        &|matched, _, _| match matched {
            P::Bgp { patterns } => {
                let patterns = patterns
                    .into_iter()
                    .map(|t| TriplePattern {
                        subject: constant(t.subject),
                        predicate: match (&t.predicate, term) {
                            (p, GroundTerm::NamedNode(n)) if is_var_predicate(p) => n.clone().into(),
                            _ => t.predicate,
                        },
                        object: constant(t.object),
                    })
                    .collect();
                bound(P::Bgp { patterns })
            }
            P::Path { subject, path, object } => bound(P::Path {
                subject: constant(subject),
                path,
                object: constant(object),
            }),
            other => other,
        },
    )
}

/// Restricts `variable` to `terms` where the query's rows get it: every basic graph
/// pattern that matches it outside an `OPTIONAL` is evaluated for each of
/// `VALUES ?var { terms }` in turn (a `LATERAL`),
/// in every scope where the variable is the query's own, subqueries included (a subquery
/// is evaluated on its own, so unrestricted it would read the whole store). An optional
/// part is left as it is: it only extends rows that are already restricted. For a query
/// whose rows each belong to one value of `variable`, the result is the rows of those
/// values, in the query's order (the first pages of `page` stand on it).
pub(super) fn restrict_query_to(query: &mut spargebra::Query, variable: &Variable, terms: &[GroundTerm]) {
    let rows: Vec<Vec<GroundTerm>> = terms.iter().map(|t| vec![t.clone()]).collect();
    restrict_query_to_rows(query, std::slice::from_ref(variable), &rows, None);
}

/// Restricts `variables` together to `rows` (a value of each, in order) as
/// [`restrict_query_to`] restricts one: a basic graph pattern that matches some of them,
/// in a scope where they are the query's own, is evaluated for each distinct row of those
/// alone. For a query whose rows each belong to one row of the values (a pair of speaker
/// and addressee), and that matches them all in one pattern, the result is the rows of
/// those rows of values (the first pages of `by_count` stand on it).
///
/// With `matches`, the subjects that have each row's values (`?x P1 ?a . ?x P2 ?b`, the
/// subject first, in any graph): a basic graph pattern outside any `GRAPH` that holds
/// those two triples, with a subject variable of its own, gets these rows in their place,
/// and the rest of it is evaluated for each (a `LATERAL`). That reads each subject once
/// instead of looking up the second triple of every subject of the first. The rows hold
/// each subject and pair once, where the pattern gives one solution per graph holding a
/// triple: a query that counts the subjects must count them `DISTINCT`, as the count a
/// first page is by (`by_count`) does.
pub(super) fn restrict_query_to_rows(
    query: &mut spargebra::Query,
    variables: &[Variable],
    rows: &[Vec<GroundTerm>],
    matches: Option<&PairMatches>,
) {
    use spargebra::algebra::GraphPattern as P;
    let values = |matched: &[Variable]| {
        let columns: Vec<usize> = matched
            .iter()
            .filter_map(|m| variables.iter().position(|v| v == m))
            .collect();
        let mut seen = std::collections::HashSet::new();
        let bindings = rows
            .iter()
            .map(|row| columns.iter().map(|c| Some(row[*c].clone())).collect::<Vec<_>>())
            .filter(|row| seen.insert(row.clone()))
            .collect();
        P::Values {
            variables: columns.iter().map(|c| variables[*c].clone()).collect(),
            bindings,
        }
    };
    rewrite_root(query, |pattern| {
        rewrite_matches(pattern, variables, Place::default(), &|matched, place, matching| {
            match (matched, matches) {
                (P::Bgp { patterns }, Some(matches)) if !place.optional && !place.in_graph && matching.len() == 2 => {
                    match matches.substitute(&patterns, variables) {
                        Some((subject_values, rest)) if rest.is_empty() => subject_values,
                        Some((subject_values, rest)) => P::Lateral {
                            left: Box::new(subject_values),
                            right: Box::new(P::Bgp { patterns: rest }),
                        },
                        None => P::Lateral {
                            left: Box::new(values(matching)),
                            right: Box::new(P::Bgp { patterns }),
                        },
                    }
                }
                // A LATERAL, not a join: Oxigraph plans a join from its estimates, which rate
                // `?s a Class` below a thousand rows of `VALUES`, and would read every subject
                // of the class; a LATERAL reads the pattern once per value, with it bound.
                (matched @ P::Bgp { .. }, _) if !place.optional => P::Lateral {
                    left: Box::new(values(matching)),
                    right: Box::new(matched),
                },
                (other, _) => other,
            }
        })
    });
}

/// The subjects that have pairs of values of two properties: `(subject, first, second)`
/// rows, each once.
#[derive(Debug, Clone)]
pub(super) struct PairMatches {
    pub(super) predicates: [NamedNode; 2],
    pub(super) rows: Vec<[GroundTerm; 3]>,
}

impl PairMatches {
    /// Of a basic graph pattern that holds `?x P1 ?a . ?x P2 ?b` (`variables` being
    /// `[?a, ?b]`, `?x` a variable of neither), the subjects' rows bound to `?x ?a ?b` and
    /// the pattern's other triples.
    fn substitute(
        &self,
        patterns: &[TriplePattern],
        variables: &[Variable],
    ) -> Option<(GraphPattern, Vec<TriplePattern>)> {
        let [a, b] = variables else {
            return None;
        };
        let triple_of = |predicate: &NamedNode, object: &Variable| {
            patterns.iter().position(|t| {
                matches!(&t.predicate, NamedNodePattern::NamedNode(p) if p == predicate)
                    && matches!(&t.object, TermPattern::Variable(o) if o == object)
                    && matches!(&t.subject, TermPattern::Variable(x) if x != a && x != b)
            })
        };
        let (first, second) = (triple_of(&self.predicates[0], a)?, triple_of(&self.predicates[1], b)?);
        let TermPattern::Variable(subject) = &patterns[first].subject else {
            return None;
        };
        if patterns[second].subject != patterns[first].subject {
            return None;
        }
        let rest = patterns
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != first && *i != second)
            .map(|(_, t)| t.clone())
            .collect();
        let values = GraphPattern::Values {
            variables: vec![subject.clone(), a.clone(), b.clone()],
            bindings: self
                .rows
                .iter()
                .map(|row| row.iter().cloned().map(Some).collect())
                .collect(),
        };
        Some((values, rest))
    }
}

/// Where a pattern that [`rewrite_matches`] rewrites sits: inside the optional side of an
/// `OPTIONAL` (counted from the nearest subquery), inside a `GRAPH`.
#[derive(Debug, Clone, Copy, Default)]
struct Place {
    optional: bool,
    in_graph: bool,
}

/// Rewrites, with `at`, every basic graph pattern and property path of `pattern` that
/// matches one of `variables`, in every scope where that variable is the query's own
/// (subqueries that do not project it leave it out). `at` is told where the match sits
/// and which of the variables in scope it matches.
fn rewrite_matches(
    pattern: GraphPattern,
    variables: &[Variable],
    place: Place,
    at: &dyn Fn(GraphPattern, Place, &[Variable]) -> GraphPattern,
) -> GraphPattern {
    use spargebra::algebra::GraphPattern as P;
    let is_var = |t: &TermPattern, variable: &Variable| matches!(t, TermPattern::Variable(v) if v == variable);
    let is_var_predicate =
        |p: &NamedNodePattern, variable: &Variable| matches!(p, NamedNodePattern::Variable(v) if v == variable);
    let go = |p: Box<P>| Box::new(rewrite_matches(*p, variables, place, at));
    // The variables in scope that a triple or a path's ends match.
    let matching = |matches: &dyn Fn(&Variable) -> bool| -> Vec<Variable> {
        variables.iter().filter(|v| matches(v)).cloned().collect()
    };
    // The variables in scope of a subquery that projects (or groups by) `kept`.
    let scope =
        |kept: &[Variable]| -> Vec<Variable> { variables.iter().filter(|v| kept.contains(v)).cloned().collect() };
    match pattern {
        P::Bgp { ref patterns } => {
            let matched = matching(&|v| {
                patterns
                    .iter()
                    .any(|t| is_var(&t.subject, v) || is_var(&t.object, v) || is_var_predicate(&t.predicate, v))
            });
            if matched.is_empty() {
                pattern
            } else {
                at(pattern, place, &matched)
            }
        }
        P::Path {
            ref subject,
            ref object,
            ..
        } => {
            let matched = matching(&|v| is_var(subject, v) || is_var(object, v));
            if matched.is_empty() {
                pattern
            } else {
                at(pattern, place, &matched)
            }
        }
        P::Join { left, right } => P::Join {
            left: go(left),
            right: go(right),
        },
        P::LeftJoin {
            left,
            right,
            expression,
        } => P::LeftJoin {
            left: go(left),
            right: Box::new(rewrite_matches(
                *right,
                variables,
                Place {
                    optional: true,
                    ..place
                },
                at,
            )),
            expression,
        },
        P::Lateral { left, right } => P::Lateral {
            left: go(left),
            right: go(right),
        },
        P::Filter { expr, inner } => P::Filter { expr, inner: go(inner) },
        P::Union { left, right } => P::Union {
            left: go(left),
            right: go(right),
        },
        P::Graph { name, inner } => P::Graph {
            name,
            inner: Box::new(rewrite_matches(
                *inner,
                variables,
                Place {
                    in_graph: true,
                    ..place
                },
                at,
            )),
        },
        P::Extend {
            inner,
            variable: v,
            expression,
        } => P::Extend {
            inner: go(inner),
            variable: v,
            expression,
        },
        P::Minus { left, right } => P::Minus {
            left: go(left),
            right: go(right),
        },
        P::OrderBy { inner, expression } => P::OrderBy {
            inner: go(inner),
            expression,
        },
        // A subquery's variables are its own unless it projects them; one that does is
        // a scope of its own, evaluated whole, whether or not it sits in an OPTIONAL.
        P::Project {
            inner,
            variables: projected,
        } if !scope(&projected).is_empty() => P::Project {
            inner: Box::new(rewrite_matches(
                *inner,
                &scope(&projected),
                Place {
                    optional: false,
                    ..place
                },
                at,
            )),
            variables: projected,
        },
        P::Distinct { inner } => P::Distinct { inner: go(inner) },
        P::Reduced { inner } => P::Reduced { inner: go(inner) },
        P::Slice { inner, start, length } => P::Slice {
            inner: go(inner),
            start,
            length,
        },
        P::Group {
            inner,
            variables: grouped,
            aggregates,
        } if !scope(&grouped).is_empty() => P::Group {
            inner: Box::new(rewrite_matches(*inner, &scope(&grouped), place, at)),
            variables: grouped,
            aggregates,
        },
        other => other,
    }
}

/// Keeps at most `limit` solutions, as a `LIMIT` around the whole query would (an inner
/// `LIMIT` that is smaller still wins). Done on the parsed algebra, not the text.
pub(super) fn limit_solutions(query: &mut spargebra::Query, limit: usize) {
    rewrite_root(query, |inner| GraphPattern::Slice {
        inner: Box::new(inner),
        start: 0,
        length: Some(limit),
    });
}

/// Replaces a query's root pattern with what `rewrite` makes of it.
fn rewrite_root(query: &mut spargebra::Query, rewrite: impl FnOnce(GraphPattern) -> GraphPattern) {
    let pattern = root_pattern(query);
    let owned = std::mem::replace(pattern, GraphPattern::Bgp { patterns: Vec::new() });
    *pattern = rewrite(owned);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::segment;

    /// `entity:x` as a parameter must name the IRI the graph gives entity `x`: the
    /// vocabulary's record namespaces and the minted IRIs agree.
    #[test]
    fn record_prefixes_expand_to_minted_iris() {
        let base = "https://kb.example.org/";
        let prefixes = vocab::prefixes_for(&[base.to_owned()]);
        for kind in RecordKind::ALL {
            assert!(
                vocab::RECORD_NAMESPACES.contains(&(kind.name(), segment(kind))),
                "{}",
                kind.name()
            );
            let namespace = prefixes.iter().find(|(p, _)| p == kind.name()).map(|(_, n)| n.as_str());
            assert_eq!(
                namespace.map(|n| format!("{n}x")),
                Some(mint(base, kind, "x").into_string())
            );
        }
        assert_eq!(vocab::RECORD_NAMESPACES.len(), RecordKind::ALL.len());
    }

    #[test]
    fn params_split_into_variable_and_value() -> Result<()> {
        let (variable, value) = split_param("?speaker=putin=x")?;
        assert_eq!(variable.as_str(), "speaker");
        assert_eq!(value, "putin=x");
        assert!(split_param("speaker").is_err());
        assert!(split_param("a b=c").is_err());
        Ok(())
    }
}
