//! The [`Validator`]: what each kind of record must hold, field by field. A statement or
//! relation that gives no id gets one derived from its content (see `ids`).

use oxigraph::model::{NamedNode, NamedNodeRef};

use super::fields::Fields;
use super::records::{Entity, Record, Relation, Source, Statement};
use super::values::{Prefixes, parse_confidence};
use crate::error::Diagnostics;
use crate::input::RawRecord;
use crate::terms::{RecordKind, suggestion};
use crate::vocab::{self, Act, ENTITY_TYPES, RELATION_PREDICATES, STANCES};

/// Turns raw records into typed ones, reporting every problem.
#[derive(Debug)]
pub struct Validator<'a> {
    pub file: &'a str,
    pub prefixes: &'a Prefixes,
}

impl Validator<'_> {
    /// Validates one record; `None` if it had errors (all of them reported).
    pub fn record(&self, mut raw: RawRecord, diagnostics: &mut Diagnostics) -> Option<Record> {
        let kind = raw.kind;
        let extra = std::mem::take(&mut raw.extra);
        let mut fields = Fields::new(self, raw, diagnostics);
        let record = match kind {
            RecordKind::Source => self.source(&mut fields).map(Record::Source),
            RecordKind::Entity => self
                .entity(&mut fields)
                .map(|entity| Record::Entity(Entity { extra, ..entity })),
            RecordKind::Statement => self
                .statement(&mut fields)
                .map(|statement| Record::Statement(Statement { extra, ..statement })),
            RecordKind::Relation => self.relation(&mut fields).map(Record::Relation),
        };
        if fields.failed { None } else { record }
    }

    fn source(&self, f: &mut Fields<'_, '_>) -> Option<Source> {
        let id = f.id(false);
        let title = f.text("title");
        let url = f.iri("url", false);
        let publisher = f.reference("publisher");
        let published = f.date("published");
        let language = f.language("language");
        Some(Source {
            id: id?,
            pos: f.record_pos,
            title,
            url,
            publisher,
            published,
            language,
        })
    }

    fn entity(&self, f: &mut Fields<'_, '_>) -> Option<Entity> {
        let id = f.id(false);
        let class = self.built_in_or_iri(f, "type", &ENTITY_TYPES, "a class IRI");
        let name = f
            .required_string("name")
            .and_then(|(name, pos)| f.non_blank(name, pos, "name"));
        let aliases = f.texts("aliases");
        let description = f.text("description");
        let same_as = f
            .strings("same_as")
            .into_iter()
            .filter_map(|(text, pos)| match self.prefixes.expand(&text) {
                Ok(iri) => Some(iri),
                Err(e) => f.error(pos, "same_as", e),
            })
            .collect();
        let (class, custom_class) = class?;
        Some(Entity {
            id: id?,
            pos: f.record_pos,
            class,
            custom_class,
            name: name?,
            aliases,
            description,
            same_as,
            extra: Vec::new(),
        })
    }

    fn statement(&self, f: &mut Fields<'_, '_>) -> Option<Statement> {
        let id = f.id(true);
        let speaker = f.required_reference("speaker");
        let act = match f.string("act") {
            None => Some(Act::DEFAULT),
            Some((name, pos)) => Act::by_name(&name).or_else(|| {
                let names = vocab::ACTS.map(|a| a.name);
                let hint = suggestion(&name, names);
                f.error(
                    pos,
                    "act",
                    format!(
                        "unknown act {name:?}{hint}; expected one of: {}, or cameo-NNN for another CAMEO code",
                        names.join(", ")
                    ),
                )
            }),
        };
        let addressees = f.references("addressees");
        let about = f.references("about");
        let quote = f.text("quote");
        let quote_lang = f.language("quote_lang");
        let summary = f.text("summary");
        let date = f.date("date");
        let place = f.reference("place");
        let sources = f.references("source");
        let reported_by = f.reference("reported_by");
        let in_reply_to = f.reference("in_reply_to");
        let stance = f.string("stance").and_then(|(name, pos)| {
            STANCES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, iri)| *iri)
                .or_else(|| {
                    let names = STANCES.map(|(n, _)| n);
                    let hint = suggestion(&name, names);
                    f.error(
                        pos,
                        "stance",
                        format!("unknown stance {name:?}{hint}; expected one of: {}", names.join(", ")),
                    )
                })
        });
        let confidence = f
            .number("confidence")
            .and_then(|(text, pos)| match parse_confidence(&text) {
                Ok(value) => Some(value),
                Err(e) => f.error(pos, "confidence", e),
            });
        if quote_lang.is_some() && quote.is_none() {
            f.error::<()>(f.record_pos, "quote_lang", "given without a `quote`");
        }
        let mut statement = Statement {
            id: id?,
            id_derived: false,
            pos: f.record_pos,
            speaker: speaker?,
            act: act?,
            addressees,
            about,
            quote,
            quote_lang,
            summary,
            date,
            place,
            sources,
            reported_by,
            in_reply_to,
            stance,
            confidence,
            extra: Vec::new(),
        };
        if statement.id.is_empty() {
            statement.id_derived = true;
            statement.id = statement.content_id();
        }
        Some(statement)
    }

    fn relation(&self, f: &mut Fields<'_, '_>) -> Option<Relation> {
        let id = f.id(true);
        let subject = f.required_reference("subject");
        let predicate = self
            .built_in_or_iri(f, "predicate", &RELATION_PREDICATES, "a property IRI")
            .map(|(iri, _)| iri);
        let object = f.required_reference("object");
        let source = f.reference("source");
        let date = f.date("date");
        let mut relation = Relation {
            id: id?,
            id_derived: false,
            pos: f.record_pos,
            subject: subject?,
            predicate: predicate?,
            object: object?,
            source,
            date,
        };
        if relation.id.is_empty() {
            relation.id_derived = true;
            relation.id = relation.content_id();
        }
        Some(relation)
    }

    /// A required field naming one of `built_in` (`person`, `member_of`) or giving an IRI,
    /// full or prefixed; with whether it was an IRI rather than a built-in name.
    fn built_in_or_iri(
        &self,
        f: &mut Fields<'_, '_>,
        field: &'static str,
        built_in: &[(&'static str, NamedNodeRef<'static>)],
        or_else: &str,
    ) -> Option<(NamedNode, bool)> {
        let (text, pos) = f.required_string(field)?;
        if let Some((_, iri)) = built_in.iter().find(|(name, _)| *name == text) {
            return Some((iri.into_owned(), false));
        }
        if text.contains(':') {
            return match self.prefixes.expand(&text) {
                Ok(iri) => Some((iri, true)),
                Err(e) => f.error(pos, field, e),
            };
        }
        let names: Vec<&str> = built_in.iter().map(|(n, _)| *n).collect();
        let hint = suggestion(&text, names.iter().copied());
        f.error(
            pos,
            field,
            format!(
                "unknown {field} {text:?}{hint}; expected one of {}, or {or_else}",
                names.join(", ")
            ),
        )
    }
}
