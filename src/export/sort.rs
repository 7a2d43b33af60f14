//! The canonical order of triples: by subject, `rdf:type` first, then by predicate and
//! object, without repeats. The sorted output is this order over the whole graph; the
//! streamed output puts each record's triples in it, so both write one block per subject.

use oxigraph::model::vocab::rdf;
use oxigraph::model::{NamedOrBlankNode, Term, Triple};

/// Sorts triples into the canonical order and drops repeats.
pub fn sort(triples: &mut Vec<Triple>) {
    triples.sort_unstable_by(|a, b| {
        let not_type = |t: &Triple| t.predicate.as_ref() != rdf::TYPE;
        (subject_key(a), not_type(a), a.predicate.as_str(), term_key(&a.object)).cmp(&(
            subject_key(b),
            not_type(b),
            b.predicate.as_str(),
            term_key(&b.object),
        ))
    });
    triples.dedup();
}

/// IRIs sort by their text (so `x` comes before `x-y`), blank nodes after them.
fn subject_key(triple: &Triple) -> (u8, &str) {
    match &triple.subject {
        NamedOrBlankNode::NamedNode(n) => (0, n.as_str()),
        NamedOrBlankNode::BlankNode(b) => (1, b.as_str()),
    }
}

/// IRIs, then blank nodes, then literals by text, language and datatype.
fn term_key(term: &Term) -> (u8, &str, &str, &str) {
    match term {
        Term::NamedNode(n) => (0, n.as_str(), "", ""),
        Term::BlankNode(b) => (1, b.as_str(), "", ""),
        Term::Literal(l) => (2, l.value(), l.language().unwrap_or(""), l.datatype().as_str()),
        Term::Triple(_) => (3, "", "", ""),
    }
}
