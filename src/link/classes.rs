//! Type compatibility: which classes of the target a candidate may have for an entity of
//! a given class. The shipped ontology gives each of saidgraph's classes its
//! superclasses and close matches; the target adds what it declares equivalent to or
//! narrower than any of those. An entity of type `sg:Entity` (`other`) takes any type.

use std::collections::{BTreeSet, HashMap, HashSet};

use oxigraph::model::{NamedOrBlankNode, Term};

use super::index::TargetIndex;
use crate::error::Result;

const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
const OWL: &str = "http://www.w3.org/2002/07/owl#";
const SG_ENTITY: &str = "https://w3id.org/saidgraph#Entity";

/// The target classes each entity's candidates may have, worked out once per class.
#[derive(Debug)]
pub(super) struct TypeFilter {
    ontology: Ontology,
    by_class: HashMap<String, Option<HashSet<u32>>>,
}

impl TypeFilter {
    pub(super) fn load() -> Result<Self> {
        Ok(Self {
            ontology: Ontology::load()?,
            by_class: HashMap::new(),
        })
    }

    /// The target classes a candidate may have for an entity of `classes` (any one of
    /// them will do); `None` when any type goes.
    pub(super) fn accepted(&mut self, classes: &[String], index: &TargetIndex) -> Option<HashSet<u32>> {
        if classes.iter().any(|c| c == SG_ENTITY) {
            return None;
        }
        let mut union: HashSet<u32> = HashSet::new();
        for class in classes {
            let accepted = self
                .by_class
                .entry(class.clone())
                .or_insert_with(|| accepted_classes(index, class, &self.ontology));
            union.extend(accepted.iter().flatten());
        }
        Some(union)
    }
}

/// The classes a target resource may have for an entity of `class` to match it:
/// the class, its superclasses and close matches in the ontology, then whatever the
/// target declares equivalent to or narrower than any of those. `None` when any
/// type goes (`sg:Entity`).
fn accepted_classes(index: &TargetIndex, class: &str, ontology: &Ontology) -> Option<HashSet<u32>> {
    if class == SG_ENTITY {
        return None;
    }
    let mut accepted: HashSet<u32> = ontology
        .compatible(class)
        .iter()
        .filter_map(|c| index.iris.get(c))
        .collect();
    let mut narrower: HashMap<u32, Vec<u32>> = HashMap::new();
    for &(narrow, broad) in &index.class_edges {
        narrower.entry(broad).or_default().push(narrow);
    }
    let mut queue: Vec<u32> = accepted.iter().copied().collect();
    while let Some(class) = queue.pop() {
        for &narrow in narrower.get(&class).into_iter().flatten() {
            if accepted.insert(narrow) {
                queue.push(narrow);
            }
        }
    }
    Some(accepted)
}

/// What the shipped ontology says about saidgraph's classes.
#[derive(Debug)]
struct Ontology {
    /// class → superclasses and close matches.
    broader: HashMap<String, Vec<String>>,
}

impl Ontology {
    fn load() -> Result<Self> {
        let mut broader: HashMap<String, Vec<String>> = HashMap::new();
        for triple in crate::store::ontology_triples()? {
            let predicate = triple.predicate.as_str();
            let related = predicate == format!("{RDFS}subClassOf")
                || predicate == format!("{SKOS}closeMatch")
                || predicate == format!("{SKOS}exactMatch")
                || predicate == format!("{OWL}equivalentClass");
            if let (true, NamedOrBlankNode::NamedNode(s), Term::NamedNode(o)) =
                (related, &triple.subject, &triple.object)
            {
                broader
                    .entry(s.as_str().to_owned())
                    .or_default()
                    .push(o.as_str().to_owned());
            }
        }
        Ok(Self { broader })
    }

    /// `class` and everything above it or matching it, transitively.
    fn compatible(&self, class: &str) -> BTreeSet<String> {
        let mut found = BTreeSet::from([class.to_owned()]);
        let mut queue = vec![class.to_owned()];
        while let Some(class) = queue.pop() {
            for other in self.broader.get(&class).into_iter().flatten() {
                if found.insert(other.clone()) {
                    queue.push(other.clone());
                }
            }
        }
        found
    }
}
