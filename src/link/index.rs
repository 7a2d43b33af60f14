//! The target graph as linking reads it: one index, built once, of every label under its
//! name keys (sorted, for binary search), each resource's types, the class declarations
//! and the IRIs each resource points to. Only what is about names, types, classes or
//! links to IRIs goes in. Filling it from files and endpoints is [`super::target`]'s.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use oxigraph::model::{NamedNodeRef, NamedOrBlankNodeRef, TermRef};

use super::endpoint::Profile;
use super::names::{Name, Tier};
use super::polite::Polite;

pub(super) const WDT_P31: &str = "http://www.wikidata.org/prop/direct/P31";
pub(super) const WDT_P279: &str = "http://www.wikidata.org/prop/direct/P279";

/// Label predicates whose values are a resource's own name.
pub(super) const PREFERRED_LABELS: [&str; 3] = [
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://schema.org/name",
];
/// Label predicates whose values are other names of it.
pub(super) const ALIAS_LABELS: [&str; 2] = [
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://schema.org/alternateName",
];
/// Predicates giving a resource's class.
pub(super) const TYPE_PREDICATES: [&str; 2] = ["http://www.w3.org/1999/02/22-rdf-syntax-ns#type", WDT_P31];
/// Predicates relating classes: (predicate, whether it goes both ways).
pub(super) const CLASS_PREDICATES: [(&str, bool); 3] = [
    ("http://www.w3.org/2002/07/owl#equivalentClass", true),
    ("http://www.w3.org/2000/01/rdf-schema#subClassOf", false),
    (WDT_P279, false),
];

/// IRIs as small numbers.
#[derive(Debug, Default)]
pub(super) struct Interner {
    ids: HashMap<Box<str>, u32>,
    iris: Vec<Box<str>>,
}

impl Interner {
    pub(super) fn intern(&mut self, iri: &str) -> u32 {
        if let Some(&id) = self.ids.get(iri) {
            return id;
        }
        let id = u32::try_from(self.iris.len()).expect("fewer than 4 billion IRIs");
        self.iris.push(iri.into());
        self.ids.insert(iri.into(), id);
        id
    }

    pub(super) fn get(&self, iri: &str) -> Option<u32> {
        self.ids.get(iri).copied()
    }

    pub(super) fn iri(&self, id: u32) -> &str {
        &self.iris[id as usize]
    }
}

#[derive(Debug)]
pub(super) struct Label {
    pub(super) subject: u32,
    pub(super) text: Box<str>,
    pub(super) preferred: bool,
}

fn key_hash(key: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

/// A name's keys at every tier, without repeats.
pub(super) fn distinct_keys(name: &Name) -> Vec<String> {
    let mut keys: Vec<String> = Vec::with_capacity(Tier::ALL.len());
    for key in Tier::ALL.into_iter().filter_map(|tier| name.key(tier)) {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// The other graph, indexed once: labels by name key, types, class declarations and
/// the IRIs each resource points to.
#[derive(Debug, Default)]
pub struct TargetIndex {
    pub(super) iris: Interner,
    pub(super) labels: Vec<Label>,
    /// (hash of a name key of any tier, label), sorted.
    pub(super) keys: Vec<(u64, u32)>,
    /// (resource, class), sorted.
    pub(super) types: Vec<(u32, u32)>,
    /// (narrower or equivalent class, broader class).
    pub(super) class_edges: Vec<(u32, u32)>,
    /// (resource, IRI it points to), sorted.
    pub(super) context: Vec<(u32, u32)>,
    /// Endpoints to ask for names, candidates and context.
    pub(super) endpoints: Vec<Profile>,
    /// How endpoints are asked; set when there are any.
    pub(super) client: Option<Polite>,
    /// The label languages kept (exact tags, lower case); `None`: all of them.
    pub(super) languages: Option<Vec<String>>,
    /// Rows already taken from endpoints, which several queries may return.
    pub(super) seen_rows: HashSet<(String, String, String)>,
    /// Resources whose context has been fetched from the endpoints.
    pub(super) fetched: HashSet<u32>,
    /// Resources with a label or a type.
    pub(super) resources: HashSet<u32>,
    pub(super) triples: usize,
}

impl TargetIndex {
    /// Indexes a triple of the target; triples that are not about names, types, classes
    /// or links to IRIs are left out.
    pub(super) fn add(&mut self, subject: NamedOrBlankNodeRef<'_>, predicate: NamedNodeRef<'_>, object: TermRef<'_>) {
        let NamedOrBlankNodeRef::NamedNode(subject) = subject else {
            return;
        };
        self.triples += 1;
        let predicate = predicate.as_str();
        match object {
            TermRef::Literal(literal) => {
                let preferred = PREFERRED_LABELS.contains(&predicate);
                let language_kept = match (&self.languages, literal.language()) {
                    (Some(kept), Some(tag)) => kept.iter().any(|k| k.eq_ignore_ascii_case(tag)),
                    _ => true,
                };
                if (preferred || ALIAS_LABELS.contains(&predicate)) && language_kept {
                    let subject = self.iris.intern(subject.as_str());
                    self.labels.push(Label {
                        subject,
                        text: literal.value().into(),
                        preferred,
                    });
                }
            }
            TermRef::NamedNode(object) => {
                let subject = self.iris.intern(subject.as_str());
                let object = self.iris.intern(object.as_str());
                if TYPE_PREDICATES.contains(&predicate) {
                    self.types.push((subject, object));
                } else if let Some((_, both)) = CLASS_PREDICATES.iter().find(|(p, _)| *p == predicate) {
                    self.class_edges.push((subject, object));
                    if *both {
                        self.class_edges.push((object, subject));
                    }
                } else {
                    self.context.push((subject, object));
                }
            }
            _ => {}
        }
    }

    /// Computes the name keys and sorts everything for look-ups.
    pub(super) fn finish(&mut self) {
        self.keys.clear();
        for (i, label) in self.labels.iter().enumerate() {
            let i = u32::try_from(i).expect("fewer than 4 billion labels");
            for key in distinct_keys(&Name::parse(&label.text)) {
                self.keys.push((key_hash(&key), i));
            }
        }
        self.keys.sort_unstable();
        self.keys.dedup();
        self.types.sort_unstable();
        self.types.dedup();
        self.resources = self.labels.iter().map(|l| l.subject).collect();
        self.resources.extend(self.types.iter().map(|(s, _)| *s));
        self.context.sort_unstable();
        self.context.dedup();
    }

    /// The labels with a name key (of any tier) equal to `key`, or colliding with it.
    pub(super) fn lookup(&self, key: &str) -> impl Iterator<Item = u32> + '_ {
        let hash = key_hash(key);
        let start = self.keys.partition_point(|(h, _)| *h < hash);
        self.keys[start..]
            .iter()
            .take_while(move |(h, _)| *h == hash)
            .map(|(_, label)| *label)
    }

    pub(super) fn range(pairs: &[(u32, u32)], subject: u32) -> impl Iterator<Item = u32> + '_ {
        let start = pairs.partition_point(|(s, _)| *s < subject);
        pairs[start..]
            .iter()
            .take_while(move |(s, _)| *s == subject)
            .map(|(_, o)| *o)
    }

    /// Whether the target says anything about `iri` by name.
    pub(super) fn has_resource(&self, iri: &str) -> bool {
        self.iris.get(iri).is_some_and(|id| self.resources.contains(&id))
    }
}
