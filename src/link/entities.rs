//! The entities of our knowledge base as linking sees them, taken from its triples: each
//! subject with an `rdfs:label` and a type, its names (`rdfs:label` its own, `skos:altLabel`
//! aliases), classes, `owl:sameAs` links, an importer's `sg:sameAsCandidate`s, and as
//! context the links of the entities it relates to.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use oxigraph::model::vocab::rdf;
use oxigraph::model::{NamedNode, NamedOrBlankNode, Term, Triple};

use super::names::Name;
use crate::vocab::{self, std_terms};

/// An entity of the knowledge base, as linking sees it.
#[derive(Debug, Clone)]
pub struct Entity {
    pub iri: NamedNode,
    pub label: String,
    /// Each name with whether it is the entity's own name (not an alias).
    pub(super) names: Vec<(Name, bool)>,
    pub(super) classes: Vec<String>,
    pub(super) same_as: Vec<String>,
    /// IRIs of other graphs the entity relates to: its own links and those of the
    /// entities it has relations with.
    pub(super) context: BTreeSet<String>,
    /// Items an importer found for the name but could not choose between (Quotebank's
    /// `qids`, as `sg:sameAsCandidate`): decided among first.
    pub(super) candidates: Vec<String>,
}

/// The entities of a knowledge base's triples: subjects with an `rdfs:label` and a type,
/// in IRI order.
pub fn entities(triples: &[Triple]) -> Vec<Entity> {
    let mut by_iri: BTreeMap<&str, Entity> = BTreeMap::new();
    let mut same_as: HashMap<&str, Vec<&str>> = HashMap::new();
    for triple in triples {
        let NamedOrBlankNode::NamedNode(subject) = &triple.subject else {
            continue;
        };
        if triple.predicate.as_ref() == std_terms::RDFS_LABEL
            && let Term::Literal(label) = &triple.object
        {
            let entity = by_iri.entry(subject.as_str()).or_insert_with(|| Entity {
                iri: subject.clone(),
                label: String::new(),
                names: Vec::new(),
                classes: Vec::new(),
                same_as: Vec::new(),
                context: BTreeSet::new(),
                candidates: Vec::new(),
            });
            entity.label = label.value().to_owned();
        }
        if triple.predicate.as_ref() == std_terms::OWL_SAME_AS
            && let Term::NamedNode(object) = &triple.object
        {
            same_as.entry(subject.as_str()).or_default().push(object.as_str());
        }
    }
    for triple in triples {
        let NamedOrBlankNode::NamedNode(subject) = &triple.subject else {
            continue;
        };
        let Some(entity) = by_iri.get_mut(subject.as_str()) else {
            continue;
        };
        match (&triple.object, triple.predicate.as_ref()) {
            (Term::Literal(name), p) if p == std_terms::RDFS_LABEL => {
                entity.names.insert(0, (Name::parse(name.value()), true));
            }
            (Term::Literal(name), p) if p == std_terms::SKOS_ALT_LABEL => {
                entity.names.push((Name::parse(name.value()), false));
            }
            (Term::NamedNode(class), p) if p == rdf::TYPE => entity.classes.push(class.as_str().to_owned()),
            (Term::NamedNode(object), p) if p == vocab::sg::SAME_AS_CANDIDATE => {
                entity.candidates.push(object.as_str().to_owned());
            }
            (Term::NamedNode(object), p) if p == std_terms::OWL_SAME_AS => {
                entity.same_as.push(object.as_str().to_owned());
                entity.context.insert(object.as_str().to_owned());
            }
            _ => {}
        }
    }
    // Relations between entities bring the other side's links as context, both ways.
    for triple in triples {
        if let (NamedOrBlankNode::NamedNode(subject), Term::NamedNode(object)) = (&triple.subject, &triple.object) {
            for (this, other) in [(subject.as_str(), object.as_str()), (object.as_str(), subject.as_str())] {
                if let Some(links) = same_as.get(other)
                    && let Some(entity) = by_iri.get_mut(this)
                    && this != other
                {
                    entity.context.extend(links.iter().map(|l| (*l).to_owned()));
                }
            }
        }
    }
    by_iri
        .into_values()
        .filter(|e| !e.classes.is_empty() && !e.names.is_empty())
        .collect()
}
