//! The canonical order of triples: by subject, `rdf:type` first, then by predicate and
//! object, without repeats. The sorted output is this order over the whole graph; the
//! streamed output puts each record's triples in it, so both write one block per subject.
//! The order is total, triple terms (RDF 1.2's reifiers) included: a triple term sorts
//! after every other object, and triple terms among themselves by their subject, their
//! predicate and their object, so equal triples always meet and the bytes never depend
//! on the order the triples came in.

use std::cmp::Ordering;

use oxigraph::model::vocab::rdf;
use oxigraph::model::{NamedOrBlankNode, Term, Triple};

/// Sorts triples into the canonical order and drops repeats.
pub fn sort(triples: &mut Vec<Triple>) {
    triples.sort_unstable_by(|a, b| {
        let not_type = |t: &Triple| t.predicate.as_ref() != rdf::TYPE;
        subject_key(&a.subject)
            .cmp(&subject_key(&b.subject))
            .then_with(|| not_type(a).cmp(&not_type(b)))
            .then_with(|| compare(a, b))
    });
    triples.dedup();
}

/// Subject, then predicate, then object: the order within a subject block and of triple
/// terms. [`sort`] puts the subject first and `rdf:type` before the rest.
fn compare(a: &Triple, b: &Triple) -> Ordering {
    subject_key(&a.subject)
        .cmp(&subject_key(&b.subject))
        .then_with(|| a.predicate.as_str().cmp(b.predicate.as_str()))
        .then_with(|| compare_terms(&a.object, &b.object))
}

/// IRIs sort by their text (so `x` comes before `x-y`), blank nodes after them.
pub(super) fn subject_key(subject: &NamedOrBlankNode) -> (u8, &str) {
    match subject {
        NamedOrBlankNode::NamedNode(n) => (0, n.as_str()),
        NamedOrBlankNode::BlankNode(b) => (1, b.as_str()),
    }
}

/// IRIs, then blank nodes, then literals by text, language and datatype, then triple
/// terms by their parts.
fn compare_terms(a: &Term, b: &Term) -> Ordering {
    match (a, b) {
        (Term::Triple(a), Term::Triple(b)) => compare(a, b),
        _ => term_key(a).cmp(&term_key(b)),
    }
}

fn term_key(term: &Term) -> (u8, &str, &str, &str) {
    match term {
        Term::NamedNode(n) => (0, n.as_str(), "", ""),
        Term::BlankNode(b) => (1, b.as_str(), "", ""),
        Term::Literal(l) => (2, l.value(), l.language().unwrap_or(""), l.datatype().as_str()),
        Term::Triple(_) => (3, "", "", ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{Literal, NamedNode};

    fn iri(s: &str) -> NamedNode {
        NamedNode::new_unchecked(s)
    }

    fn quoted(s: &str, p: &str, o: impl Into<Term>) -> Term {
        Term::Triple(Box::new(Triple::new(iri(s), iri(p), o)))
    }

    /// Triple terms are ordered by what they hold, so any arrival order gives one
    /// sequence, and a repeated triple term is dropped.
    #[test]
    fn triple_terms_sort_by_their_parts_whatever_the_arrival_order() {
        let reifies = rdf::REIFIES;
        let r = iri("http://e.org/r");
        let objects = [
            quoted("http://e.org/b", "http://e.org/p", iri("http://e.org/x")),
            quoted("http://e.org/a", "http://e.org/q", iri("http://e.org/x")),
            quoted("http://e.org/a", "http://e.org/p", iri("http://e.org/y")),
            quoted("http://e.org/a", "http://e.org/p", iri("http://e.org/x")),
            quoted("http://e.org/a", "http://e.org/p", Literal::new_simple_literal("x")),
            quoted(
                "http://e.org/a",
                "http://e.org/p",
                quoted("http://e.org/a", "http://e.org/p", iri("http://e.org/x")),
            ),
            Term::from(Literal::new_simple_literal("z")),
            Term::from(iri("http://e.org/z")),
        ];
        let expected: Vec<usize> = vec![7, 6, 3, 2, 4, 5, 1, 0];
        let mut orders = vec![(0..objects.len()).collect::<Vec<_>>()];
        orders.push((0..objects.len()).rev().collect());
        orders.push(vec![3, 0, 6, 1, 7, 5, 2, 4]);
        for order in orders {
            let mut triples: Vec<Triple> = order
                .iter()
                .chain(&order)
                .map(|&i| Triple::new(r.clone(), reifies, objects[i].clone()))
                .collect();
            sort(&mut triples);
            let got: Vec<Term> = triples.into_iter().map(|t| t.object).collect();
            let want: Vec<Term> = expected.iter().map(|&i| objects[i].clone()).collect();
            assert_eq!(got, want, "arrival order {order:?}");
        }
    }
}
