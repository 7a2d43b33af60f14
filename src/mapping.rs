//! Records to triples: the contract's section 3, and nothing else. Pure: no I/O, no
//! store; the same records and ids always give the same triples.

use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{Literal, NamedNode, NamedNodeRef, Triple};

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

struct Mapper<'a> {
    resolver: &'a Resolver,
    out: &'a mut Vec<Triple>,
}

impl Mapper<'_> {
    fn add(&mut self, subject: &NamedNode, predicate: NamedNodeRef<'_>, object: impl Into<oxigraph::model::Term>) {
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
