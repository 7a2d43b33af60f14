//! Links to other knowledge graphs: finds, for each entity of the knowledge base, the
//! resource of another graph that is the same thing, and says `owl:sameAs` only when
//! one candidate is clearly best.
//!
//! The target (RDF files or SPARQL endpoints) is read once into a [`TargetIndex`]: every
//! label (`rdfs:label`, `skos:prefLabel`, `schema:name`; `skos:altLabel` and
//! `schema:alternateName` as aliases) under the keys of [`names`], sorted for
//! binary search, with each resource's types and the IRIs it points to. Each entity then
//! looks its names up tier by tier, so linking costs one pass over the target and a few
//! look-ups per entity, never a scan per entity.
//!
//! Candidates must have a compatible type: a person matches only `wdt:P31 wd:Q5`,
//! `schema:Person`, `foaf:Person` or `sg:Person`, or a class the target declares
//! equivalent to (`owl:equivalentClass`) or narrower than (`rdfs:subClassOf`,
//! `wdt:P279`) one of those. The same goes for the other types, from the superclasses
//! and close matches the ontology gives them; an entity of type `other` takes any type.
//! Each candidate scores its best name match ([`names::Tier::score`], less 0.05
//! when the target's label is an alias and 0.05 when the entity's name is); context
//! (IRIs the entity's own links and its related entities' links share with what the
//! candidate points to, such as a country or a party) adds 0.1 per shared IRI, at most
//! 0.2. Context only breaks ties: the name alone must reach the minimum score. A
//! candidate is accepted when its name score reaches the minimum, it leads every other
//! candidate by the margin, and the target gives it a compatible type; otherwise the
//! entity and its candidates go to the review report, never to `owl:sameAs`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use oxigraph::model::vocab::rdf;
use oxigraph::model::{NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Term, TermRef, Triple};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;

use self::names::{Name, Tier};
use crate::error::{Error, Result};
use crate::vocab::std_terms;

pub mod names;

const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
const OWL: &str = "http://www.w3.org/2002/07/owl#";
const WDT_P31: &str = "http://www.wikidata.org/prop/direct/P31";
const WDT_P279: &str = "http://www.wikidata.org/prop/direct/P279";
const SG_ENTITY: &str = "https://w3id.org/saidgraph#Entity";

/// Label predicates whose values are a resource's own name.
const PREFERRED_LABELS: [&str; 3] = [
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://schema.org/name",
];
/// Label predicates whose values are other names of it.
const ALIAS_LABELS: [&str; 2] = [
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://schema.org/alternateName",
];
/// Predicates giving a resource's class.
const TYPE_PREDICATES: [&str; 2] = ["http://www.w3.org/1999/02/22-rdf-syntax-ns#type", WDT_P31];
/// Predicates relating classes: (predicate, whether it goes both ways).
const CLASS_PREDICATES: [(&str, bool); 3] = [
    ("http://www.w3.org/2002/07/owl#equivalentClass", true),
    ("http://www.w3.org/2000/01/rdf-schema#subClassOf", false),
    (WDT_P279, false),
];

/// Scores are kept in hundredths, so that comparisons are exact.
pub type Points = u32;
const ALIAS_PENALTY: Points = 5;
const CONTEXT_BONUS: Points = 10;
const MAX_SHARED: usize = 2;

fn points(tier: Tier) -> Points {
    (tier.score() * 100.0).round() as Points
}

/// How strict linking is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkOptions {
    /// The lowest name score a link may have (0 to 1).
    pub min_score: f64,
    /// How far the best candidate must lead the next one (0 to 1).
    pub margin: f64,
}

impl Default for LinkOptions {
    fn default() -> Self {
        Self {
            min_score: 0.8,
            margin: 0.1,
        }
    }
}

impl LinkOptions {
    /// Checks both numbers are from 0 to 1; gives them in hundredths.
    pub fn check(&self) -> Result<(Points, Points)> {
        let valid = |value: f64, flag: &str| {
            if (0.0..=1.0).contains(&value) {
                Ok((value * 100.0).round() as Points)
            } else {
                Err(Error::Usage(format!("{flag} {value}: expected a number from 0 to 1")))
            }
        };
        Ok((valid(self.min_score, "--min-score")?, valid(self.margin, "--margin")?))
    }
}

/// Where candidates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An RDF file, plain or compressed.
    File(PathBuf),
    /// A SPARQL endpoint.
    Endpoint(String),
}

impl Target {
    /// `http://` and `https://` are endpoints, anything else a file.
    pub fn parse(text: &str) -> Self {
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Self::Endpoint(text.to_owned())
        } else {
            Self::File(PathBuf::from(text))
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Endpoint(url) => f.write_str(url),
        }
    }
}

/// IRIs as small numbers.
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<Box<str>, u32>,
    iris: Vec<Box<str>>,
}

impl Interner {
    fn intern(&mut self, iri: &str) -> u32 {
        if let Some(&id) = self.ids.get(iri) {
            return id;
        }
        let id = u32::try_from(self.iris.len()).expect("fewer than 4 billion IRIs");
        self.iris.push(iri.into());
        self.ids.insert(iri.into(), id);
        id
    }

    fn get(&self, iri: &str) -> Option<u32> {
        self.ids.get(iri).copied()
    }

    fn iri(&self, id: u32) -> &str {
        &self.iris[id as usize]
    }
}

#[derive(Debug)]
struct Label {
    subject: u32,
    text: Box<str>,
    preferred: bool,
}

fn key_hash(key: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

/// A name's keys at every tier, without repeats.
fn distinct_keys(name: &Name) -> Vec<String> {
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
    iris: Interner,
    labels: Vec<Label>,
    /// (hash of a name key of any tier, label), sorted.
    keys: Vec<(u64, u32)>,
    /// (resource, class), sorted.
    types: Vec<(u32, u32)>,
    /// (narrower or equivalent class, broader class).
    class_edges: Vec<(u32, u32)>,
    /// (resource, IRI it points to), sorted.
    context: Vec<(u32, u32)>,
    /// Endpoints to fetch context from, for the candidates that need it.
    endpoints: Vec<String>,
    /// Resources whose context has been fetched from the endpoints.
    fetched: HashSet<u32>,
    /// Resources with a label or a type.
    resources: HashSet<u32>,
    triples: usize,
}

/// What reading the target took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexStats {
    pub triples: usize,
    pub labels: usize,
    pub resources: usize,
    pub elapsed: Duration,
}

impl TargetIndex {
    /// Reads every target into one index.
    pub fn build(targets: &[Target]) -> Result<(Self, IndexStats)> {
        let start = Instant::now();
        let mut index = Self::default();
        for target in targets {
            match target {
                Target::File(path) => {
                    crate::rdf_input::read_quads(path, |quad| {
                        index.add(quad.subject.as_ref(), quad.predicate.as_ref(), quad.object.as_ref());
                        Ok(())
                    })?;
                }
                Target::Endpoint(url) => {
                    index.fetch_labels(url)?;
                    index.endpoints.push(url.clone());
                }
            }
        }
        index.finish();
        let stats = IndexStats {
            triples: index.triples,
            labels: index.labels.len(),
            resources: index.resources.len(),
            elapsed: start.elapsed(),
        };
        Ok((index, stats))
    }

    /// Indexes a triple of the target; triples that are not about names, types, classes
    /// or links to IRIs are left out.
    fn add(&mut self, subject: NamedOrBlankNodeRef<'_>, predicate: NamedNodeRef<'_>, object: TermRef<'_>) {
        let NamedOrBlankNodeRef::NamedNode(subject) = subject else {
            return;
        };
        self.triples += 1;
        let predicate = predicate.as_str();
        match object {
            TermRef::Literal(literal) => {
                let preferred = PREFERRED_LABELS.contains(&predicate);
                if preferred || ALIAS_LABELS.contains(&predicate) {
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
    fn finish(&mut self) {
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
    fn lookup(&self, key: &str) -> impl Iterator<Item = u32> + '_ {
        let hash = key_hash(key);
        let start = self.keys.partition_point(|(h, _)| *h < hash);
        self.keys[start..]
            .iter()
            .take_while(move |(h, _)| *h == hash)
            .map(|(_, label)| *label)
    }

    fn range(pairs: &[(u32, u32)], subject: u32) -> impl Iterator<Item = u32> + '_ {
        let start = pairs.partition_point(|(s, _)| *s < subject);
        pairs[start..]
            .iter()
            .take_while(move |(s, _)| *s == subject)
            .map(|(_, o)| *o)
    }

    /// Whether the target says anything about `iri` by name.
    fn has_resource(&self, iri: &str) -> bool {
        self.iris.get(iri).is_some_and(|id| self.resources.contains(&id))
    }

    /// The classes a target resource may have for an entity of `class` to match it:
    /// the class, its superclasses and close matches in the ontology, then whatever the
    /// target declares equivalent to or narrower than any of those. `None` when any
    /// type goes (`sg:Entity`).
    fn accepted_classes(&self, class: &str, ontology: &Ontology) -> Option<HashSet<u32>> {
        if class == SG_ENTITY {
            return None;
        }
        let mut accepted: HashSet<u32> = ontology
            .compatible(class)
            .iter()
            .filter_map(|c| self.iris.get(c))
            .collect();
        let mut narrower: HashMap<u32, Vec<u32>> = HashMap::new();
        for &(narrow, broad) in &self.class_edges {
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

    /// Fetches, from the endpoints, what the given resources point to, once each.
    fn fetch_context(&mut self, resources: &BTreeSet<u32>) -> Result<()> {
        if self.endpoints.is_empty() {
            return Ok(());
        }
        let wanted: Vec<String> = resources
            .iter()
            .filter(|r| !self.fetched.contains(r))
            .map(|&r| self.iris.iri(r).to_owned())
            .collect();
        for chunk in wanted.chunks(100) {
            let values: String = chunk.iter().map(|iri| format!("<{iri}> ")).collect();
            for url in self.endpoints.clone() {
                let query = format!(
                    "SELECT ?s ?p ?o WHERE {{ SERVICE <{url}> {{ VALUES ?s {{ {values}}} ?s ?p ?o . FILTER(isIRI(?o)) }} }}"
                );
                self.run_remote(&url, &query)?;
            }
        }
        for iri in &wanted {
            if let Some(id) = self.iris.get(iri) {
                self.fetched.insert(id);
            }
        }
        self.context.sort_unstable();
        self.context.dedup();
        Ok(())
    }

    /// Fetches the names, types and class declarations an endpoint holds.
    fn fetch_labels(&mut self, url: &str) -> Result<()> {
        let predicates: String = PREFERRED_LABELS
            .iter()
            .chain(&ALIAS_LABELS)
            .chain(&TYPE_PREDICATES)
            .chain(CLASS_PREDICATES.iter().map(|(p, _)| p))
            .map(|p| format!("<{p}> "))
            .collect();
        let query = format!("SELECT ?s ?p ?o WHERE {{ SERVICE <{url}> {{ VALUES ?p {{ {predicates}}} ?s ?p ?o }} }}");
        self.run_remote(url, &query)
    }

    /// Runs a `SERVICE` query through Oxigraph's HTTP client and indexes the `?s ?p ?o`
    /// rows it returns.
    fn run_remote(&mut self, url: &str, query: &str) -> Result<()> {
        let store = Store::new().map_err(|e| Error::Store {
            path: PathBuf::from("<memory>"),
            source: e,
        })?;
        let endpoint_error = |source| Error::Endpoint {
            url: url.to_owned(),
            source,
        };
        let query = SparqlEvaluator::new()
            .with_http_timeout(Duration::from_secs(300))
            .parse_query(query)
            .map_err(|source| Error::Usage(format!("{url}: not a usable endpoint IRI: {source}")))?;
        let QueryResults::Solutions(solutions) = query.on_store(&store).execute().map_err(endpoint_error)? else {
            return Ok(());
        };
        for solution in solutions {
            let solution = solution.map_err(endpoint_error)?;
            let (Some(Term::NamedNode(s)), Some(Term::NamedNode(p)), Some(o)) =
                (solution.get("s"), solution.get("p"), solution.get("o"))
            else {
                continue;
            };
            self.add(s.as_ref().into(), p.as_ref(), o.as_ref());
        }
        Ok(())
    }
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

/// An entity of the knowledge base, as linking sees it.
#[derive(Debug, Clone)]
pub struct Entity {
    pub iri: NamedNode,
    pub label: String,
    /// Each name with whether it is the entity's own name (not an alias).
    names: Vec<(Name, bool)>,
    classes: Vec<String>,
    same_as: Vec<String>,
    /// IRIs of other graphs the entity relates to: its own links and those of the
    /// entities it has relations with.
    context: BTreeSet<String>,
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

/// Why an entity was left for a person to decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// Several candidates are about as good as the best.
    Ambiguous,
    /// The best candidate's name is too far from the entity's.
    Weak,
    /// The target gives the best candidate no type to check.
    TypeUnknown,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ambiguous => "ambiguous",
            Self::Weak => "weak",
            Self::TypeUnknown => "type unknown",
        }
    }
}

/// A candidate of the review report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRow {
    pub entity: String,
    pub entity_label: String,
    pub reason: Reason,
    pub rank: usize,
    pub candidate: String,
    pub candidate_label: String,
    /// Name score plus context, as a number from 0 (two decimals).
    pub score: f64,
    pub name_score: f64,
    pub shared_links: usize,
    pub matched: String,
}

/// How many entities went where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkCounts {
    pub entities: usize,
    pub linked: usize,
    pub ambiguous: usize,
    pub weak: usize,
    pub type_unknown: usize,
    pub unmatched: usize,
    pub already_linked: usize,
}

impl std::fmt::Display for LinkCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} entities: {} linked, {} to review ({} ambiguous, {} weak, {} type unknown), {} unmatched, {} already linked",
            self.entities,
            self.linked,
            self.ambiguous + self.weak + self.type_unknown,
            self.ambiguous,
            self.weak,
            self.type_unknown,
            self.unmatched,
            self.already_linked
        )
    }
}

/// What linking found.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// `entity owl:sameAs candidate`, one per linked entity.
    pub links: Vec<Triple>,
    /// Entities left for review, with their candidates, in entity order.
    pub review: Vec<ReviewRow>,
    pub counts: LinkCounts,
    pub index: IndexStats,
    /// Time spent matching, after the index was built.
    pub matching: Duration,
}

impl std::fmt::Display for Outcome {
    /// Two lines for people: what the target held and how long it took, then the counts.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "target: {} labels of {} resources from {} triples, indexed in {:.2} s; matched in {:.2} s",
            self.index.labels,
            self.index.resources,
            self.index.triples,
            self.index.elapsed.as_secs_f64(),
            self.matching.as_secs_f64()
        )?;
        write!(f, "{}", self.counts)
    }
}

#[derive(Debug, Clone)]
struct Candidate {
    resource: u32,
    name_points: Points,
    tier: Tier,
    label: u32,
    shared: usize,
    typed: bool,
}

impl Candidate {
    fn points(&self) -> Points {
        self.name_points + CONTEXT_BONUS * self.shared.min(MAX_SHARED) as Points
    }
}

/// The candidates of one entity: every target resource with a matching name and a type
/// that does not rule it out, best name match each.
fn candidates(entity: &Entity, index: &TargetIndex, accepted: Option<&HashSet<u32>>) -> Vec<Candidate> {
    let mut best: HashMap<u32, Candidate> = HashMap::new();
    for (name, own) in &entity.names {
        let mut seen = HashSet::new();
        for key in distinct_keys(name) {
            for label_id in index.lookup(&key) {
                if !seen.insert(label_id) {
                    continue;
                }
                let label = &index.labels[label_id as usize];
                // Keys of different tiers may be equal, and hashes collide: the names
                // themselves decide.
                let Some(tier) = name.matches(&Name::parse(&label.text)) else {
                    continue;
                };
                let penalty = ALIAS_PENALTY * (Points::from(!own) + Points::from(!label.preferred));
                let name_points = points(tier).saturating_sub(penalty);
                // The best match, then the strictest tier, then the first label by text, so
                // that the order the target gave its triples in changes nothing.
                let better = best.get(&label.subject).is_none_or(|c| {
                    let other = &*index.labels[c.label as usize].text;
                    (name_points, std::cmp::Reverse(tier), std::cmp::Reverse(&*label.text))
                        > (c.name_points, std::cmp::Reverse(c.tier), std::cmp::Reverse(other))
                });
                if better {
                    best.insert(
                        label.subject,
                        Candidate {
                            resource: label.subject,
                            name_points,
                            tier,
                            label: label_id,
                            shared: 0,
                            typed: true,
                        },
                    );
                }
            }
        }
    }
    let mut found: Vec<Candidate> = best
        .into_values()
        .filter_map(|mut candidate| {
            if let Some(accepted) = accepted {
                let mut types = TargetIndex::range(&index.types, candidate.resource).peekable();
                if types.peek().is_none() {
                    candidate.typed = false;
                } else if !types.any(|t| accepted.contains(&t)) {
                    return None;
                }
            }
            Some(candidate)
        })
        .collect();
    found.sort_by(|a, b| {
        (std::cmp::Reverse(a.name_points), index.iris.iri(a.resource))
            .cmp(&(std::cmp::Reverse(b.name_points), index.iris.iri(b.resource)))
    });
    found
}

/// Links `entities` to the target: accepted links, and a review report of the rest.
/// The same entities and target always give the same outcome.
pub fn link(entities: &[Entity], index: &mut TargetIndex, options: &LinkOptions) -> Result<Outcome> {
    let (min_points, margin) = options.check()?;
    let start = Instant::now();
    let ontology = Ontology::load()?;
    let mut accepted_by_class: HashMap<String, Option<HashSet<u32>>> = HashMap::new();
    let mut outcome = Outcome::default();
    let mut found: Vec<Vec<Candidate>> = Vec::with_capacity(entities.len());
    for entity in entities {
        let accepted = if entity.classes.iter().any(|c| c == SG_ENTITY) {
            None
        } else {
            let mut union: HashSet<u32> = HashSet::new();
            for class in &entity.classes {
                let classes = accepted_by_class
                    .entry(class.clone())
                    .or_insert_with(|| index.accepted_classes(class, &ontology));
                union.extend(classes.iter().flatten());
            }
            Some(union)
        };
        found.push(candidates(entity, index, accepted.as_ref()));
    }
    // Context decides between candidates only: fetch it for entities with several.
    let contested: BTreeSet<u32> = found
        .iter()
        .filter(|c| c.len() > 1)
        .flat_map(|c| c.iter().map(|c| c.resource))
        .collect();
    index.fetch_context(&contested)?;

    for (entity, mut candidates) in entities.iter().zip(found) {
        outcome.counts.entities += 1;
        if entity.same_as.iter().any(|iri| index.has_resource(iri)) {
            outcome.counts.already_linked += 1;
            continue;
        }
        if candidates.is_empty() {
            outcome.counts.unmatched += 1;
            continue;
        }
        if candidates.len() > 1 {
            let context: HashSet<u32> = entity.context.iter().filter_map(|iri| index.iris.get(iri)).collect();
            for candidate in &mut candidates {
                candidate.shared = TargetIndex::range(&index.context, candidate.resource)
                    .filter(|o| context.contains(o))
                    .collect::<HashSet<_>>()
                    .len();
            }
            candidates.sort_by(|a, b| {
                (
                    std::cmp::Reverse(a.points()),
                    std::cmp::Reverse(a.name_points),
                    index.iris.iri(a.resource),
                )
                    .cmp(&(
                        std::cmp::Reverse(b.points()),
                        std::cmp::Reverse(b.name_points),
                        index.iris.iri(b.resource),
                    ))
            });
        }
        let best = &candidates[0];
        let rivals = candidates[1..]
            .iter()
            .filter(|c| c.points() == best.points() || c.points() + margin > best.points())
            .count();
        let reason = if best.name_points < min_points {
            Some(Reason::Weak)
        } else if rivals > 0 {
            Some(Reason::Ambiguous)
        } else if !best.typed {
            Some(Reason::TypeUnknown)
        } else {
            None
        };
        match reason {
            None => {
                outcome.counts.linked += 1;
                outcome.links.push(Triple::new(
                    entity.iri.clone(),
                    std_terms::OWL_SAME_AS,
                    NamedNode::new_unchecked(index.iris.iri(best.resource)),
                ));
            }
            Some(reason) => {
                match reason {
                    Reason::Ambiguous => outcome.counts.ambiguous += 1,
                    Reason::Weak => outcome.counts.weak += 1,
                    Reason::TypeUnknown => outcome.counts.type_unknown += 1,
                }
                let shown = match reason {
                    Reason::Ambiguous => rivals + 1,
                    _ => 1,
                }
                .max(candidates.len().min(5));
                for (rank, candidate) in candidates.iter().take(shown).enumerate() {
                    let label = &index.labels[candidate.label as usize];
                    outcome.review.push(ReviewRow {
                        entity: entity.iri.as_str().to_owned(),
                        entity_label: entity.label.clone(),
                        reason,
                        rank: rank + 1,
                        candidate: index.iris.iri(candidate.resource).to_owned(),
                        candidate_label: label.text.to_string(),
                        score: f64::from(candidate.points()) / 100.0,
                        name_score: f64::from(candidate.name_points) / 100.0,
                        shared_links: candidate.shared,
                        matched: describe(candidate, label.preferred),
                    });
                }
            }
        }
    }
    outcome.matching = start.elapsed();
    Ok(outcome)
}

fn describe(candidate: &Candidate, preferred: bool) -> String {
    let mut text = candidate.tier.describe().to_owned();
    if !preferred {
        text.push_str(" (an alias)");
    }
    if !candidate.typed {
        text.push_str("; no type in the target");
    }
    text
}

/// Writes the review report as CSV with a header row, one row per candidate.
pub fn write_review(rows: &[ReviewRow], out: &mut dyn Write) -> Result<()> {
    let io = |e: csv::Error| Error::io("<review>", e.into());
    let mut writer = csv::Writer::from_writer(out);
    writer
        .write_record([
            "entity",
            "entity_label",
            "reason",
            "rank",
            "candidate",
            "candidate_label",
            "score",
            "name_score",
            "shared_links",
            "match",
        ])
        .map_err(io)?;
    for row in rows {
        writer
            .write_record([
                row.entity.as_str(),
                &row.entity_label,
                row.reason.as_str(),
                &row.rank.to_string(),
                &row.candidate,
                &row.candidate_label,
                &format!("{:.2}", row.score),
                &format!("{:.2}", row.name_score),
                &row.shared_links.to_string(),
                &row.matched,
            ])
            .map_err(io)?;
    }
    writer.flush().map_err(|e| Error::io("<review>", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::io::{RdfFormat, RdfParser};

    fn index_of(turtle: &str) -> Result<TargetIndex> {
        let mut index = TargetIndex::default();
        for quad in RdfParser::from_format(RdfFormat::Turtle).for_slice(turtle.as_bytes()) {
            let quad = quad.map_err(|source| Error::RdfParse {
                origin: "test".into(),
                source: source.into(),
            })?;
            index.add(quad.subject.as_ref(), quad.predicate.as_ref(), quad.object.as_ref());
        }
        index.finish();
        Ok(index)
    }

    fn kb(turtle: &str) -> Result<Vec<Entity>> {
        let triples: Vec<Triple> = RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(turtle.as_bytes())
            .map(|q| q.map(Triple::from))
            .collect::<Result<_, _>>()
            .map_err(|source| Error::RdfParse {
                origin: "test".into(),
                source: source.into(),
            })?;
        Ok(entities(&triples))
    }

    const PREFIXES: &str = "@prefix wd: <http://www.wikidata.org/entity/> . \
        @prefix wdt: <http://www.wikidata.org/prop/direct/> . \
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . \
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> . \
        @prefix owl: <http://www.w3.org/2002/07/owl#> . \
        @prefix sg: <https://w3id.org/saidgraph#> . \
        @prefix e: <https://kb.example.org/entity/> . \
        @prefix ex: <http://example.org/> .\n";

    fn linked(outcome: &Outcome) -> Vec<(String, String)> {
        outcome
            .links
            .iter()
            .map(|t| (t.subject.to_string(), t.object.to_string()))
            .collect()
    }

    #[test]
    fn a_person_matches_only_a_human_or_an_equivalent_class() -> Result<()> {
        let mut index = index_of(&format!(
            "{PREFIXES}
            wd:Q1 rdfs:label \"Georgia\"@en ; wdt:P31 wd:Q3624078 .
            wd:Q2 rdfs:label \"Georgia\"@en ; wdt:P31 wd:Q5 .
            ex:p1 rdfs:label \"Jordan Peel\" ; a ex:Politician .
            ex:Politician owl:equivalentClass wd:Q5 .
            ex:s1 rdfs:label \"Jordan Peel\" ; a ex:Ship .
            ex:p2 rdfs:label \"Ann Lee\" ; a ex:Senator .
            ex:Senator rdfs:subClassOf ex:Politician .
            ex:s2 rdfs:label \"Ann Lee\" ; a ex:Ship ."
        ))?;
        let entities = kb(&format!(
            "{PREFIXES}
            e:g a sg:Person ; rdfs:label \"Georgia\" .
            e:c a sg:Country ; rdfs:label \"Georgia\" .
            e:j a sg:Person ; rdfs:label \"Jordan Peel\" .
            e:a a sg:Person ; rdfs:label \"Ann Lee\" ."
        ))?;
        let outcome = link(&entities, &mut index, &LinkOptions::default())?;
        assert_eq!(
            linked(&outcome),
            [
                (
                    "<https://kb.example.org/entity/a>".into(),
                    "<http://example.org/p2>".into()
                ),
                (
                    "<https://kb.example.org/entity/g>".into(),
                    "<http://www.wikidata.org/entity/Q2>".into()
                ),
                (
                    "<https://kb.example.org/entity/j>".into(),
                    "<http://example.org/p1>".into()
                ),
            ]
        );
        // The country is neither the person nor, without a declared class, the state.
        assert_eq!(outcome.counts.unmatched, 1);
        Ok(())
    }

    #[test]
    fn equal_candidates_go_to_review_and_context_breaks_ties() -> Result<()> {
        let target = format!(
            "{PREFIXES}
            wd:Q10 rdfs:label \"Mike Thompson\"@en ; wdt:P31 wd:Q5 ; wdt:P102 wd:Q29552 .
            wd:Q11 rdfs:label \"Mike Thompson\"@en ; wdt:P31 wd:Q5 ; wdt:P102 wd:Q29468 ."
        );
        let alone = kb(&format!("{PREFIXES} e:m a sg:Person ; rdfs:label \"Mike Thompson\" ."))?;
        let outcome = link(&alone, &mut index_of(&target)?, &LinkOptions::default())?;
        assert!(outcome.links.is_empty());
        assert_eq!(outcome.counts.ambiguous, 1);
        let candidates: Vec<&str> = outcome.review.iter().map(|r| r.candidate.as_str()).collect();
        assert_eq!(
            candidates,
            [
                "http://www.wikidata.org/entity/Q10",
                "http://www.wikidata.org/entity/Q11"
            ]
        );
        assert!(
            outcome
                .review
                .iter()
                .all(|r| r.reason == Reason::Ambiguous && r.score == 1.0)
        );

        let in_party = kb(&format!(
            "{PREFIXES}
            e:m a sg:Person ; rdfs:label \"Mike Thompson\" ; sg:memberOf e:dem .
            e:dem a sg:Organization ; rdfs:label \"Democratic Party\" ; owl:sameAs wd:Q29552 ."
        ))?;
        let outcome = link(&in_party, &mut index_of(&target)?, &LinkOptions::default())?;
        assert_eq!(
            linked(&outcome),
            [(
                "<https://kb.example.org/entity/m>".into(),
                "<http://www.wikidata.org/entity/Q10>".into()
            )]
        );
        Ok(())
    }

    #[test]
    fn the_order_of_the_target_changes_nothing() -> Result<()> {
        let lines = [
            "wd:Q10 rdfs:label \"Mike Thompson\"@en ; skos:altLabel \"MIKE THOMPSON\" , \"Mike thompson\" ; wdt:P31 wd:Q5 .",
            "wd:Q11 skos:altLabel \"Mike Thompson\"@en , \"Michael Thompson\" ; wdt:P31 wd:Q5 .",
            "wd:Q12 rdfs:label \"Michael Thompson\"@de , \"Michael Thompson\"@en ; wdt:P31 wd:Q5 .",
            "wd:Q13 rdfs:label \"Kamala Harris\" ; wdt:P31 wd:Q5 .",
        ];
        let entities = kb(&format!(
            "{PREFIXES} e:m a sg:Person ; rdfs:label \"mike thompson\" . e:k a sg:Person ; rdfs:label \"Sen. Kamala Harris\" ."
        ))?;
        let forward = link(
            &entities,
            &mut index_of(&format!("{PREFIXES}{}", lines.join("\n")))?,
            &LinkOptions::default(),
        )?;
        let mut reversed_lines = lines;
        reversed_lines.reverse();
        let reversed = link(
            &entities,
            &mut index_of(&format!("{PREFIXES}{}", reversed_lines.join("\n")))?,
            &LinkOptions::default(),
        )?;
        assert_eq!(forward.links, reversed.links);
        assert_eq!(forward.review, reversed.review);
        assert_eq!(forward.review.len(), 3, "{:?}", forward.review);
        Ok(())
    }

    #[test]
    fn a_link_the_entity_already_has_breaks_a_tie() -> Result<()> {
        let mut index = index_of(&format!(
            "{PREFIXES}
            ex:a rdfs:label \"John Smith\" ; a sg:Person ; owl:sameAs wd:Q100 .
            ex:b rdfs:label \"John Smith\" ; a sg:Person ; owl:sameAs wd:Q200 ."
        ))?;
        let entities = kb(&format!(
            "{PREFIXES}
            e:j a sg:Person ; rdfs:label \"John Smith\" ; owl:sameAs wd:Q200 .
            e:k a sg:Person ; rdfs:label \"John Smith\" ."
        ))?;
        let outcome = link(&entities, &mut index, &LinkOptions::default())?;
        assert_eq!(
            linked(&outcome),
            [(
                "<https://kb.example.org/entity/j>".into(),
                "<http://example.org/b>".into()
            )]
        );
        assert_eq!(outcome.counts.ambiguous, 1, "without the link, a tie");
        let shared: Vec<usize> = outcome.review.iter().map(|r| r.shared_links).collect();
        assert_eq!(shared, [0, 0]);
        Ok(())
    }

    #[test]
    fn weak_untyped_and_already_linked_entities_are_not_linked() -> Result<()> {
        let mut index = index_of(&format!(
            "{PREFIXES}
            wd:Q20 rdfs:label \"Robert Jones Portman\"@en ; wdt:P31 wd:Q5 .
            wd:Q21 rdfs:label \"Nancy Pelosi\"@en .
            wd:Q22 rdfs:label \"Joe Biden\"@en ; wdt:P31 wd:Q5 ."
        ))?;
        let entities = kb(&format!(
            "{PREFIXES}
            e:p a sg:Person ; rdfs:label \"Rob Portman\" .
            e:n a sg:Person ; rdfs:label \"Nancy Pelosi\" .
            e:b a sg:Person ; rdfs:label \"Joe Biden\" ; owl:sameAs wd:Q22 .
            e:x a sg:Person ; rdfs:label \"Nobody Known\" ."
        ))?;
        let strict = LinkOptions {
            min_score: 0.85,
            ..LinkOptions::default()
        };
        let outcome = link(&entities, &mut index, &strict)?;
        assert!(outcome.links.is_empty(), "{:?}", outcome.links);
        assert_eq!(
            outcome.counts,
            LinkCounts {
                entities: 4,
                weak: 1,
                type_unknown: 1,
                unmatched: 1,
                already_linked: 1,
                ..LinkCounts::default()
            }
        );
        let reasons: Vec<(&str, Reason)> = outcome
            .review
            .iter()
            .map(|r| (r.entity_label.as_str(), r.reason))
            .collect();
        assert_eq!(
            reasons,
            [("Nancy Pelosi", Reason::TypeUnknown), ("Rob Portman", Reason::Weak)]
        );
        // At the default minimum, the nickname match is good enough.
        let outcome = link(&entities, &mut index, &LinkOptions::default())?;
        assert_eq!(outcome.counts.linked, 1);
        Ok(())
    }

    #[test]
    fn the_review_report_is_csv_with_a_header() -> Result<()> {
        let row = ReviewRow {
            entity: "https://kb.example.org/entity/m".into(),
            entity_label: "Thompson, Mike".into(),
            reason: Reason::Ambiguous,
            rank: 1,
            candidate: "http://www.wikidata.org/entity/Q10".into(),
            candidate_label: "Mike \"the\" Thompson".into(),
            score: 1.1,
            name_score: 1.0,
            shared_links: 1,
            matched: "same name".into(),
        };
        let mut out = Vec::new();
        write_review(&[row], &mut out)?;
        let text = String::from_utf8(out).map_err(|e| Error::Usage(e.to_string()))?;
        assert_eq!(
            text,
            "entity,entity_label,reason,rank,candidate,candidate_label,score,name_score,shared_links,match\n\
             https://kb.example.org/entity/m,\"Thompson, Mike\",ambiguous,1,http://www.wikidata.org/entity/Q10,\
             \"Mike \"\"the\"\" Thompson\",1.10,1.00,1,same name\n"
        );
        Ok(())
    }

    #[test]
    fn options_out_of_range_are_usage_errors() {
        let bad = LinkOptions {
            min_score: 1.5,
            ..LinkOptions::default()
        };
        assert!(matches!(bad.check(), Err(Error::Usage(_))));
    }
}
