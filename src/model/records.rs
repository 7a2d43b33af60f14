//! The typed records that validation produces, and the references and dates they hold.

use oxigraph::model::{Literal, NamedNode, NamedNodeRef, Term};

use crate::input::Pos;
use crate::terms::RecordKind;
use crate::vocab::Act;

/// A reference to a record by id, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub id: String,
    pub pos: Pos,
    pub field: &'static str,
}

/// A date typed by its precision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Date {
    /// The XSD lexical form.
    pub lexical: String,
    pub datatype: NamedNodeRef<'static>,
}

impl Date {
    pub fn to_literal(&self) -> Literal {
        Literal::new_typed_literal(self.lexical.clone(), self.datatype)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub id: String,
    pub pos: Pos,
    pub title: Option<String>,
    pub url: Option<NamedNode>,
    pub publisher: Option<Reference>,
    pub published: Option<Date>,
    pub language: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    pub id: String,
    pub pos: Pos,
    /// The class: one of the built-in types, or the custom class given.
    pub class: NamedNode,
    /// Whether `class` is a custom class (the entity is then also an `sg:Entity`).
    pub custom_class: bool,
    pub name: String,
    pub aliases: Vec<String>,
    pub description: Option<String>,
    pub same_as: Vec<NamedNode>,
    /// Further triples an importer supplies (`sg:sameAsCandidate` for homonyms).
    pub extra: Vec<(NamedNode, Term)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub id: String,
    /// Whether the id was derived from the content, the input giving none.
    pub id_derived: bool,
    pub pos: Pos,
    pub speaker: Reference,
    pub act: Act,
    pub addressees: Vec<Reference>,
    pub about: Vec<Reference>,
    pub quote: Option<String>,
    pub quote_lang: Option<String>,
    pub summary: Option<String>,
    pub date: Option<Date>,
    pub place: Option<Reference>,
    /// Where the statement was read: one source in the contract's input; importers
    /// (Quotebank's article URLs) may give several.
    pub sources: Vec<Reference>,
    pub reported_by: Option<Reference>,
    pub in_reply_to: Option<Reference>,
    pub stance: Option<NamedNodeRef<'static>>,
    /// Canonical `xsd:decimal` lexical form, between 0 and 1.
    pub confidence: Option<String>,
    /// Further triples an importer supplies (GDELT's event metrics, for example).
    pub extra: Vec<(NamedNode, Term)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    pub id: String,
    /// Whether the id was derived from the content, the input giving none.
    pub id_derived: bool,
    pub pos: Pos,
    pub subject: Reference,
    pub predicate: NamedNode,
    pub object: Reference,
    pub source: Option<Reference>,
    pub date: Option<Date>,
}

/// A validated record.
#[derive(Debug, Clone, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "statements are most records; boxing them would allocate once more per statement"
)]
pub enum Record {
    Source(Source),
    Entity(Entity),
    Statement(Statement),
    Relation(Relation),
}

impl Record {
    pub fn kind(&self) -> RecordKind {
        match self {
            Self::Source(_) => RecordKind::Source,
            Self::Entity(_) => RecordKind::Entity,
            Self::Statement(_) => RecordKind::Statement,
            Self::Relation(_) => RecordKind::Relation,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Self::Source(r) => &r.id,
            Self::Entity(r) => &r.id,
            Self::Statement(r) => &r.id,
            Self::Relation(r) => &r.id,
        }
    }

    /// Whether the record gave no id and got one from its content.
    pub fn id_derived(&self) -> bool {
        match self {
            Self::Statement(r) => r.id_derived,
            Self::Relation(r) => r.id_derived,
            Self::Source(_) | Self::Entity(_) => false,
        }
    }

    pub fn pos(&self) -> Pos {
        match self {
            Self::Source(r) => r.pos,
            Self::Entity(r) => r.pos,
            Self::Statement(r) => r.pos,
            Self::Relation(r) => r.pos,
        }
    }
}
