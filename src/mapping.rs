//! Records to triples: the contract's section 3, and nothing else. Pure: no I/O, no
//! store; the same records and ids always give the same triples.
//!
//! Also the one place RDF 1.2 output is made ([`RdfVersion`], [`reifiers`]): a relation's
//! node reifies the triple it asserts. The reifiers are derived from the RDF 1.1 triples
//! (a relation node's `sg:subject`, `sg:predicate`, `sg:object` beside the asserted
//! triple), so the sorted and streamed outputs, and an export from a store that holds RDF
//! 1.1, all get them the same way.

use std::collections::{HashMap, HashSet};

use oxigraph::io::RdfFormat;
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term, Triple};

use crate::error::{Error, Result};

use crate::model::{Entity, Record, Reference, Relation, Source, Statement};
use crate::resolve::{Resolver, mint};
use crate::terms::RecordKind;
use crate::vocab::{sg, std_terms};

/// Maps one record to its triples, appending them to `out`. `base` is the base of the
/// record's own document; references are looked up in `resolver`, which must have
/// accepted them.
pub fn map_record(record: &Record, base: &str, resolver: &Resolver, out: &mut Vec<Triple>) {
    let mut m = Mapper { resolver, out };
    match record {
        Record::Source(source) => m.source(&mint(base, RecordKind::Source, &source.id), source),
        Record::Entity(entity) => m.entity(&mint(base, RecordKind::Entity, &entity.id), entity),
        Record::Statement(statement) => m.statement(&mint(base, RecordKind::Statement, &statement.id), statement),
        Record::Relation(relation) => m.relation(&mint(base, RecordKind::Relation, &relation.id), relation),
    }
}

/// The RDF an output holds: RDF 1.1 (the default, what rdflib and Jena 4 read), or RDF
/// 1.2, where each relation's node also reifies the triple it asserts:
/// `relation/r1 rdf:reifies <<( entity:nozdrev sg:ambassadorOf entity:russia )>>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RdfVersion {
    /// RDF 1.1: no triple terms.
    #[default]
    Rdf11,
    /// RDF 1.2: a reifier per relation, its object a triple term.
    Rdf12,
}

impl RdfVersion {
    /// `1.1` or `1.2`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "1.1" => Some(Self::Rdf11),
            "1.2" => Some(Self::Rdf12),
            _ => None,
        }
    }

    /// Refuses a format that cannot carry what this version writes: JSON-LD has no
    /// triple terms (RDF/XML 1.2 has, with `rdf:parseType="Triple"`).
    pub fn check_format(self, format: RdfFormat) -> Result<()> {
        if self == Self::Rdf12 && matches!(format, RdfFormat::JsonLd { .. }) {
            return Err(Error::Usage(
                "--rdf 1.2 writes triple terms, which JSON-LD cannot carry: choose turtle, ntriples, \
                 nquads, trig or rdfxml, or leave --rdf 1.2 out"
                    .to_owned(),
            ));
        }
        Ok(())
    }

    /// Adds to `triples` what this version adds: for RDF 1.2, their [`reifiers`].
    pub fn complete(self, triples: &mut Vec<Triple>) {
        if self == Self::Rdf12 {
            let reifiers = reifiers(triples);
            triples.extend(reifiers);
        }
    }

    /// [`complete`](Self::complete) for quads: each graph (a dataset) gets the
    /// reifiers of its own relations, in that graph.
    pub fn complete_quads(self, quads: &mut Vec<Quad>) {
        if self == Self::Rdf11 {
            return;
        }
        let mut graphs: Vec<(GraphName, Vec<Triple>)> = Vec::new();
        for quad in quads.iter() {
            let triple = Triple::new(quad.subject.clone(), quad.predicate.clone(), quad.object.clone());
            match graphs.iter_mut().find(|(graph, _)| *graph == quad.graph_name) {
                Some((_, triples)) => triples.push(triple),
                None => graphs.push((quad.graph_name.clone(), vec![triple])),
            }
        }
        for (graph, triples) in graphs {
            quads.extend(reifiers(&triples).into_iter().map(|t| t.in_graph(graph.clone())));
        }
    }
}

/// What the triples say of one relation node.
#[derive(Default)]
struct Described<'t> {
    typed: bool,
    subjects: Vec<NamedOrBlankNode>,
    predicates: Vec<&'t NamedNode>,
    objects: Vec<&'t Term>,
}

/// `R rdf:reifies <<( S P O )>>` for each relation node `R` among `triples` (`a
/// sg:Relation`, with `sg:subject S`, `sg:predicate P`, `sg:object O`) whose asserted
/// triple `S P O` is among them too, in the order the nodes come. A node described twice
/// over (two subjects, say) reifies each of its combinations that is asserted.
pub fn reifiers(triples: &[Triple]) -> Vec<Triple> {
    let candidates = reifier_candidates(triples);
    let predicates: HashSet<&NamedNode> = candidates.iter().map(|(_, t)| &t.predicate).collect();
    let wanted: HashSet<&Triple> = candidates.iter().map(|(_, t)| t).collect();
    let asserted: HashSet<&Triple> = triples
        .iter()
        .filter(|t| predicates.contains(&t.predicate) && wanted.contains(t))
        .collect();
    candidates
        .into_iter()
        .filter(|(_, triple)| asserted.contains(triple))
        .map(|(node, triple)| reifier(node, triple))
        .collect()
}

/// Whether `triple` is part of a relation node's description: `a sg:Relation`,
/// `sg:subject`, `sg:predicate` or `sg:object`. [`reifier_candidates`] reads these alone.
pub(crate) fn describes_relation(triple: &Triple) -> bool {
    let predicate = triple.predicate.as_ref();
    (predicate == rdf::TYPE && matches!(&triple.object, Term::NamedNode(n) if n.as_ref() == sg::RELATION))
        || [sg::SUBJECT, sg::PREDICATE, sg::OBJECT].contains(&predicate)
}

/// `R rdf:reifies <<( triple )>>`.
pub(crate) fn reifier(node: NamedOrBlankNode, triple: Triple) -> Triple {
    Triple::new(node, rdf::REIFIES, Term::Triple(Box::new(triple)))
}

/// The triples each relation node described by `description` (the triples
/// [`describes_relation`] accepts) would reify, with the node, in the order the nodes
/// come (other triples are passed over): [`reifiers`] keeps those that are asserted. The sorted output checks that for
/// itself, subject by subject, without holding every triple.
pub(crate) fn reifier_candidates<'t>(
    description: impl IntoIterator<Item = &'t Triple>,
) -> Vec<(NamedOrBlankNode, Triple)> {
    let mut order: Vec<&NamedOrBlankNode> = Vec::new();
    let mut nodes: HashMap<&NamedOrBlankNode, Described<'_>> = HashMap::new();
    for triple in description {
        if !describes_relation(triple) {
            continue;
        }
        let part = [sg::SUBJECT, sg::PREDICATE, sg::OBJECT]
            .iter()
            .position(|p| *p == triple.predicate.as_ref());
        let described = nodes.entry(&triple.subject).or_insert_with(|| {
            order.push(&triple.subject);
            Described::default()
        });
        match (part, &triple.object) {
            (None, _) => described.typed = true,
            (Some(0), Term::NamedNode(n)) => described.subjects.push(n.clone().into()),
            (Some(0), Term::BlankNode(b)) => described.subjects.push(b.clone().into()),
            (Some(1), Term::NamedNode(n)) => described.predicates.push(n),
            (Some(2), object) => described.objects.push(object),
            _ => {}
        }
    }
    let mut candidates = Vec::new();
    for node in order {
        let Some(described) = nodes.get(node).filter(|d| d.typed) else {
            continue;
        };
        for subject in &described.subjects {
            for predicate in &described.predicates {
                for object in &described.objects {
                    let triple = Triple::new(subject.clone(), (*predicate).clone(), (*object).clone());
                    candidates.push((node.clone(), triple));
                }
            }
        }
    }
    candidates
}

struct Mapper<'a> {
    resolver: &'a Resolver,
    out: &'a mut Vec<Triple>,
}

impl Mapper<'_> {
    fn add(&mut self, subject: &NamedNode, predicate: NamedNodeRef<'_>, object: impl Into<Term>) {
        self.out.push(Triple::new(subject.clone(), predicate, object));
    }

    fn link(&mut self, subject: &NamedNode, predicate: NamedNodeRef<'_>, kind: RecordKind, reference: &Reference) {
        let target = self.resolver.iri(kind, &reference.id).unwrap_or_else(|| {
            panic!(
                "unresolved {} reference {:?}: resolve before mapping",
                kind.name(),
                reference.id
            )
        });
        self.add(subject, predicate, target);
    }

    fn text(&mut self, subject: &NamedNode, predicate: NamedNodeRef<'_>, text: &str) {
        self.add(subject, predicate, Literal::new_simple_literal(text));
    }

    fn source(&mut self, iri: &NamedNode, source: &Source) {
        self.add(iri, rdf::TYPE, sg::SOURCE);
        if let Some(title) = &source.title {
            self.text(iri, std_terms::DCTERMS_TITLE, title);
        }
        if let Some(url) = &source.url {
            self.add(iri, std_terms::SCHEMA_URL, url.clone());
        }
        if let Some(publisher) = &source.publisher {
            self.link(iri, std_terms::DCTERMS_PUBLISHER, RecordKind::Entity, publisher);
        }
        if let Some(published) = &source.published {
            self.add(iri, std_terms::DCTERMS_ISSUED, published.to_literal());
        }
        if let Some(language) = &source.language {
            self.text(iri, std_terms::DCTERMS_LANGUAGE, language);
        }
    }

    fn entity(&mut self, iri: &NamedNode, entity: &Entity) {
        self.add(iri, rdf::TYPE, entity.class.clone());
        if entity.custom_class {
            self.add(iri, rdf::TYPE, sg::ENTITY);
        }
        self.text(iri, std_terms::RDFS_LABEL, &entity.name);
        for alias in &entity.aliases {
            self.text(iri, std_terms::SKOS_ALT_LABEL, alias);
        }
        if let Some(description) = &entity.description {
            self.text(iri, std_terms::RDFS_COMMENT, description);
        }
        for same in &entity.same_as {
            self.add(iri, std_terms::OWL_SAME_AS, same.clone());
        }
        for (predicate, object) in &entity.extra {
            self.add(iri, predicate.as_ref(), object.clone());
        }
    }

    fn statement(&mut self, iri: &NamedNode, s: &Statement) {
        let entity = RecordKind::Entity;
        self.add(iri, rdf::TYPE, sg::STATEMENT);
        self.link(iri, sg::SPEAKER, entity, &s.speaker);
        self.add(iri, sg::ACT, NamedNode::new_unchecked(s.act.iri()));
        for addressee in &s.addressees {
            self.link(iri, sg::ADDRESSEE, entity, addressee);
        }
        for topic in &s.about {
            self.link(iri, sg::ABOUT, entity, topic);
        }
        if let Some(quote) = &s.quote {
            let language = s.quote_lang.as_deref().or_else(|| {
                s.sources
                    .iter()
                    .find_map(|source| self.resolver.source_language(&source.id))
            });
            let literal = match language {
                Some(language) => Literal::new_language_tagged_literal_unchecked(quote, language),
                None => Literal::new_simple_literal(quote),
            };
            self.add(iri, sg::QUOTE, literal);
        }
        if let Some(summary) = &s.summary {
            self.text(iri, sg::SUMMARY, summary);
        }
        if let Some(date) = &s.date {
            self.add(iri, sg::DATE, date.to_literal());
        }
        if let Some(place) = &s.place {
            self.link(iri, sg::PLACE_PROPERTY, entity, place);
        }
        for source in &s.sources {
            self.link(iri, sg::SOURCE_PROPERTY, RecordKind::Source, source);
        }
        if let Some(outlet) = &s.reported_by {
            self.link(iri, sg::REPORTED_BY, entity, outlet);
        }
        if let Some(earlier) = &s.in_reply_to {
            self.link(iri, sg::IN_REPLY_TO, RecordKind::Statement, earlier);
        }
        if let Some(stance) = s.stance {
            self.add(iri, sg::STANCE, stance);
        }
        if let Some(confidence) = &s.confidence {
            self.add(
                iri,
                sg::CONFIDENCE,
                Literal::new_typed_literal(confidence, xsd::DECIMAL),
            );
        }
        for (predicate, object) in &s.extra {
            self.add(iri, predicate.as_ref(), object.clone());
        }
    }

    fn relation(&mut self, iri: &NamedNode, r: &Relation) {
        let entity = RecordKind::Entity;
        let subject = self.resolver.iri(entity, &r.subject.id);
        let object = self.resolver.iri(entity, &r.object.id);
        if let (Some(subject), Some(object)) = (subject, object) {
            self.add(&subject, r.predicate.as_ref(), object);
        }
        self.add(iri, rdf::TYPE, sg::RELATION);
        self.link(iri, sg::SUBJECT, entity, &r.subject);
        self.add(iri, sg::PREDICATE, r.predicate.clone());
        self.link(iri, sg::OBJECT, entity, &r.object);
        if let Some(source) = &r.source {
            self.link(iri, sg::SOURCE_PROPERTY, RecordKind::Source, source);
        }
        if let Some(date) = &r.date {
            self.add(iri, sg::DATE, date.to_literal());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iri(s: &str) -> NamedNode {
        NamedNode::new_unchecked(format!("https://kb.example.org/{s}"))
    }

    /// A relation node's triples, and the triple it describes asserted or not.
    fn relation(node: &str, (s, p, o): (&str, &str, &str), asserted: bool) -> Vec<Triple> {
        let n = iri(node);
        let mut triples = vec![
            Triple::new(n.clone(), rdf::TYPE, sg::RELATION),
            Triple::new(n.clone(), sg::SUBJECT, iri(s)),
            Triple::new(n.clone(), sg::PREDICATE, iri(p)),
            Triple::new(n, sg::OBJECT, iri(o)),
        ];
        if asserted {
            triples.push(Triple::new(iri(s), iri(p), iri(o)));
        }
        triples
    }

    fn reified(node: &str, (s, p, o): (&str, &str, &str)) -> Triple {
        let triple = Triple::new(iri(s), iri(p), iri(o));
        Triple::new(iri(node), rdf::REIFIES, Term::Triple(Box::new(triple)))
    }

    #[test]
    fn a_relation_node_reifies_the_triple_it_asserts_and_nothing_else() {
        let mut triples = relation("relation/r1", ("a", "p", "b"), true);
        // Not asserted: no reifier.
        triples.extend(relation("relation/r2", ("a", "p", "c"), false));
        // Described but not typed sg:Relation: no reifier.
        triples.extend(relation("relation/r3", ("b", "q", "c"), true).into_iter().skip(1));
        // Described twice over: each asserted combination, in the node's order.
        triples.extend(relation("relation/r4", ("c", "p", "a"), true));
        triples.push(Triple::new(iri("relation/r4"), sg::OBJECT, iri("b")));
        triples.push(Triple::new(iri("c"), iri("p"), iri("b")));
        assert_eq!(
            reifiers(&triples),
            vec![
                reified("relation/r1", ("a", "p", "b")),
                reified("relation/r4", ("c", "p", "a")),
                reified("relation/r4", ("c", "p", "b")),
            ]
        );
        let mut rdf11 = triples.clone();
        RdfVersion::Rdf11.complete(&mut rdf11);
        assert_eq!(rdf11, triples, "RDF 1.1 adds nothing");
    }

    #[test]
    fn json_ld_refuses_rdf_12_only() {
        let json_ld = RdfFormat::JsonLd {
            profile: oxigraph::io::JsonLdProfileSet::empty(),
        };
        assert!(RdfVersion::Rdf12.check_format(json_ld).is_err_and(|e| e.is_usage()));
        assert!(RdfVersion::Rdf11.check_format(json_ld).is_ok());
        assert!(RdfVersion::Rdf12.check_format(RdfFormat::RdfXml).is_ok());
        assert_eq!(RdfVersion::parse("1.2"), Some(RdfVersion::Rdf12));
        assert_eq!(RdfVersion::parse("1.0"), None);
    }
}
