//! The input records and their validation: raw fields in, typed records out.
//!
//! Everything that can be checked within one record is checked here (field names, types,
//! dates, acts, IRIs, language tags); every problem becomes a diagnostic naming the field.
//! Whether references point anywhere is [`crate::resolve`]'s job, since that needs every
//! record of the run.

use std::collections::BTreeMap;
use std::str::FromStr;

use oxigraph::model::{Literal, NamedNode, NamedNodeRef, Term};
use sha2::{Digest, Sha256};

use crate::error::{Diagnostics, Location};
use crate::input::{self, Pos, RawField, RawRecord, RawValue, RecordKind};
use crate::vocab::{self, Act, ENTITY_TYPES, RELATION_PREDICATES, STANCES};

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

/// The fields each kind of record may have.
pub fn fields_of(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Source => &["id", "title", "url", "publisher", "published", "language"],
        RecordKind::Entity => &["id", "type", "name", "aliases", "description", "same_as"],
        RecordKind::Statement => &[
            "id",
            "speaker",
            "act",
            "addressees",
            "about",
            "quote",
            "quote_lang",
            "summary",
            "date",
            "place",
            "source",
            "reported_by",
            "in_reply_to",
            "stance",
            "confidence",
        ],
        RecordKind::Relation => &["id", "subject", "predicate", "object", "source", "date"],
    }
}

/// "unknown field (did you mean …?)", or the fields the kind has.
pub fn unknown_field(kind: RecordKind, name: &str) -> String {
    let known = fields_of(kind);
    match input::did_you_mean(name, known.iter().copied()) {
        Some(close) => format!("unknown field (did you mean `{close}`?)"),
        None => format!("unknown field; {} has: {}", kind.with_article(), known.join(", ")),
    }
}

/// Whether a field holds a list (CSV cells split such fields on `|`).
pub fn is_list_field(kind: RecordKind, field: &str) -> bool {
    matches!(
        (kind, field),
        (RecordKind::Entity, "aliases" | "same_as") | (RecordKind::Statement, "addressees" | "about")
    )
}

/// Prefix → namespace, for expanding prefixed names: the built-in ones plus a document's.
#[derive(Debug, Clone)]
pub struct Prefixes(BTreeMap<String, String>);

impl Default for Prefixes {
    fn default() -> Self {
        Self(
            vocab::PREFIXES
                .iter()
                .map(|(p, ns)| ((*p).to_owned(), (*ns).to_owned()))
                .collect(),
        )
    }
}

impl Prefixes {
    /// Adds or rebinds a prefix, after checking both halves.
    pub fn bind(&mut self, prefix: &str, namespace: &str) -> Result<(), String> {
        if prefix.is_empty()
            || !prefix.chars().next().is_some_and(char::is_alphabetic)
            || !prefix
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return Err(format!("{prefix:?} is not a valid prefix name"));
        }
        check_iri(namespace)?;
        self.0.insert(prefix.to_owned(), namespace.to_owned());
        Ok(())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(p, n)| (p.as_str(), n.as_str()))
    }

    /// A full IRI (optionally in `<…>`) or a prefixed name, as an IRI.
    pub fn expand(&self, text: &str) -> Result<NamedNode, String> {
        if let Some(inner) = text.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
            return check_iri(inner);
        }
        if let Some((prefix, local)) = text.split_once(':')
            && let Some(namespace) = self.0.get(prefix)
        {
            return check_iri(&format!("{namespace}{local}"));
        }
        // Not a declared prefix: a full IRI, unless it looks like a prefixed name with a
        // typo (`wdd:Q1` is a syntactically valid IRI, but no user means it).
        let (scheme, rest) = text.split_once(':').unwrap_or(("", text));
        let looks_prefixed =
            !rest.starts_with("//") && !NON_HIERARCHICAL_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str());
        if looks_prefixed && !scheme.is_empty() {
            let known: Vec<&str> = self.0.keys().map(String::as_str).collect();
            return Err(format!(
                "unknown prefix `{scheme}:`{}; declare it in `prefixes` or give a full IRI",
                input::suggestion(scheme, known)
            ));
        }
        check_iri(text)
    }
}

/// IRI schemes written without `//` that are taken as full IRIs rather than prefixes.
const NON_HIERARCHICAL_SCHEMES: [&str; 9] = ["urn", "mailto", "tag", "info", "data", "doi", "did", "tel", "geo"];

/// Checks an absolute IRI with `iri-string` (RFC 3987) and makes it a named node.
pub fn check_iri(text: &str) -> Result<NamedNode, String> {
    let invalid = |why: String| {
        let why = why.strip_prefix("invalid IRI: ").unwrap_or(&why).to_owned();
        format!("invalid IRI {text:?}: {why}; expected an absolute IRI such as https://example.org/x")
    };
    match iri_string::types::IriStr::new(text) {
        Ok(_) => NamedNode::new(text).map_err(|e| invalid(e.to_string())),
        Err(e) => Err(invalid(e.to_string())),
    }
}

/// Parses a date as the contract allows it: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or an
/// RFC 3339 date-time (the offset may be left out), typed by its precision.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let expected = "expected YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 date-time such as 2024-06-20T10:30:00Z";
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes.get(range).is_some_and(|b| b.iter().all(u8::is_ascii_digit));
    let shape_ok = |len: usize| {
        digits(0..4)
            && (len < 7 || (bytes[4] == b'-' && digits(5..7)))
            && (len < 10 || (bytes[7] == b'-' && digits(8..10)))
    };
    let invalid = |why: &str| Err(format!("invalid date {text:?}: {why}; {expected}"));
    match bytes.len() {
        4 | 7 | 10 if shape_ok(bytes.len()) => {}
        n if n > 10 && shape_ok(10) && matches!(bytes[10], b'T' | b't' | b' ') => {
            let normal: String = text
                .chars()
                .enumerate()
                .map(|(i, c)| match c {
                    't' | ' ' if i == 10 => 'T',
                    'z' => 'Z',
                    c => c,
                })
                .collect();
            return match oxsdatatypes::DateTime::from_str(&normal) {
                Ok(_) => Ok(Date {
                    lexical: normal,
                    datatype: oxigraph::model::vocab::xsd::DATE_TIME,
                }),
                Err(e) => invalid(&e.to_string()),
            };
        }
        _ => return invalid("not a date"),
    }
    let month_ok = bytes.len() < 7 || (1..=12).contains(&text[5..7].parse::<u8>().unwrap_or(0));
    if !month_ok {
        return invalid("the month must be 01 to 12");
    }
    let (parsed, datatype) = match bytes.len() {
        4 => (
            oxsdatatypes::GYear::from_str(text).map(drop),
            oxigraph::model::vocab::xsd::G_YEAR,
        ),
        7 => (
            oxsdatatypes::GYearMonth::from_str(text).map(drop),
            oxigraph::model::vocab::xsd::G_YEAR_MONTH,
        ),
        _ => (
            oxsdatatypes::Date::from_str(text).map(drop),
            oxigraph::model::vocab::xsd::DATE,
        ),
    };
    match parsed {
        Ok(()) => Ok(Date {
            lexical: text.to_owned(),
            datatype,
        }),
        Err(_) => invalid("no such day in that month"),
    }
}

/// Checks a language tag (BCP 47) and gives its lower-case form.
pub fn parse_language(text: &str) -> Result<String, String> {
    Literal::new_language_tagged_literal("", text)
        .map(|l| l.language().unwrap_or_default().to_owned())
        .map_err(|e| format!("invalid language tag {text:?}: {e}; expected a BCP 47 tag such as en, ko or pt-BR"))
}

/// Validates a confidence: a number from 0 to 1, as a canonical `xsd:decimal`.
pub fn parse_confidence(text: &str) -> Result<String, String> {
    let decimal = oxsdatatypes::Decimal::from_str(text).ok().or_else(|| {
        text.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .and_then(|f| oxsdatatypes::Decimal::from_str(&f.to_string()).ok())
    });
    match decimal {
        Some(d) if d >= oxsdatatypes::Decimal::from(0) && d <= oxsdatatypes::Decimal::from(1) => Ok(d.to_string()),
        Some(_) => Err(format!("{text} is out of range; a confidence is a number from 0 to 1")),
        None => Err(format!(
            "{text:?} is not a number; a confidence is a number from 0 to 1"
        )),
    }
}

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
        let class = f.required_string("type").and_then(|(text, pos)| {
            if let Some((_, class)) = ENTITY_TYPES.iter().find(|(name, _)| *name == text) {
                return Some((class.into_owned(), false));
            }
            if text.contains(':') {
                return match self.prefixes.expand(&text) {
                    Ok(iri) => Some((iri, true)),
                    Err(e) => f.error(pos, "type", e),
                };
            }
            let names = ENTITY_TYPES.map(|(n, _)| n);
            let hint = input::suggestion(&text, names);
            f.error(
                pos,
                "type",
                format!(
                    "unknown type {text:?}{hint}; expected one of {}, or a class IRI",
                    names.join(", ")
                ),
            )
        });
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
                let hint = input::suggestion(&name, names);
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
                    let hint = input::suggestion(&name, names);
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
        let predicate = f.required_string("predicate").and_then(|(text, pos)| {
            if let Some((_, iri)) = RELATION_PREDICATES.iter().find(|(n, _)| *n == text) {
                return Some(iri.into_owned());
            }
            if text.contains(':') {
                return match self.prefixes.expand(&text) {
                    Ok(iri) => Some(iri),
                    Err(e) => f.error(pos, "predicate", e),
                };
            }
            let names = RELATION_PREDICATES.map(|(n, _)| n);
            let hint = input::suggestion(&text, names);
            f.error(
                pos,
                "predicate",
                format!(
                    "unknown predicate {text:?}{hint}; expected one of {}, or a property IRI",
                    names.join(", ")
                ),
            )
        });
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
}

/// The fields of one record being taken apart, with its diagnostics.
struct Fields<'v, 'd> {
    validator: &'v Validator<'v>,
    kind: RecordKind,
    record_pos: Pos,
    from_csv: bool,
    fields: Vec<RawField>,
    diagnostics: &'d mut Diagnostics,
    failed: bool,
}

impl<'v, 'd> Fields<'v, 'd> {
    fn new(validator: &'v Validator<'v>, raw: RawRecord, diagnostics: &'d mut Diagnostics) -> Self {
        let known = fields_of(raw.kind);
        let mut fields = Fields {
            validator,
            kind: raw.kind,
            record_pos: raw.pos,
            from_csv: raw.from_csv,
            fields: Vec::new(),
            diagnostics,
            failed: false,
        };
        for field in raw.fields {
            if known.contains(&field.name.as_str()) {
                fields.fields.push(field);
            } else {
                fields.error::<()>(field.pos, &field.name, unknown_field(raw.kind, &field.name));
            }
        }
        fields
    }

    fn error<T>(&mut self, pos: Pos, field: &str, message: impl Into<String>) -> Option<T> {
        self.failed = true;
        self.diagnostics
            .error(Location::new(self.validator.file, pos.line, pos.column), field, message);
        None
    }

    /// Removes a field; `null` counts as absent.
    fn take(&mut self, name: &str) -> Option<RawField> {
        let at = self.fields.iter().position(|f| f.name == name)?;
        let field = self.fields.swap_remove(at);
        (field.value != RawValue::Null).then_some(field)
    }

    fn string(&mut self, name: &'static str) -> Option<(String, Pos)> {
        let field = self.take(name)?;
        match field.value {
            RawValue::String(s) if s.trim().is_empty() => {
                self.error(field.value_pos, name, "empty; leave the field out instead")
            }
            RawValue::String(s) => Some((s, field.value_pos)),
            other => self.error(
                field.value_pos,
                name,
                format!("expected a string, found {}", other.kind_name()),
            ),
        }
    }

    fn required_string(&mut self, name: &'static str) -> Option<(String, Pos)> {
        let field = self.fields.iter().find(|f| f.name == name && f.value != RawValue::Null);
        let blank = field.and_then(|f| match &f.value {
            RawValue::String(s) if s.trim().is_empty() => Some(f.value_pos),
            _ => None,
        });
        if let Some(pos) = blank {
            self.take(name);
            let kind = self.kind.name();
            return self.error(pos, name, format!("empty; every {kind} needs one"));
        }
        if field.is_none() {
            let kind = self.kind.name();
            return self.error(self.record_pos, name, format!("missing; every {kind} needs one"));
        }
        self.string(name)
    }

    fn non_blank(&mut self, text: String, pos: Pos, name: &str) -> Option<String> {
        if text.trim().is_empty() {
            self.error(pos, name, "empty")
        } else {
            Some(text)
        }
    }

    fn text(&mut self, name: &'static str) -> Option<String> {
        self.string(name).map(|(s, _)| s)
    }

    /// A list of strings; a single string counts as a list of one.
    fn strings(&mut self, name: &'static str) -> Vec<(String, Pos)> {
        let Some(field) = self.take(name) else {
            return Vec::new();
        };
        let items = match field.value {
            RawValue::List(items) => items,
            RawValue::String(s) => vec![(RawValue::String(s), field.value_pos)],
            other => {
                self.error::<()>(
                    field.value_pos,
                    name,
                    format!("expected a list of strings, found {}", other.kind_name()),
                );
                return Vec::new();
            }
        };
        let mut strings = Vec::with_capacity(items.len());
        for (item, pos) in items {
            match item {
                RawValue::String(s) if s.trim().is_empty() => {
                    self.error::<()>(pos, name, "empty item");
                }
                RawValue::String(s) => strings.push((s, pos)),
                other => {
                    self.error::<()>(pos, name, format!("expected a string, found {}", other.kind_name()));
                }
            }
        }
        strings
    }

    fn texts(&mut self, name: &'static str) -> Vec<String> {
        self.strings(name).into_iter().map(|(s, _)| s).collect()
    }

    fn number(&mut self, name: &'static str) -> Option<(String, Pos)> {
        let field = self.take(name)?;
        match field.value {
            RawValue::Number(n) => Some((n, field.value_pos)),
            RawValue::String(s) if self.from_csv => Some((s, field.value_pos)),
            other => self.error(
                field.value_pos,
                name,
                format!("expected a number, found {}", other.kind_name()),
            ),
        }
    }

    /// The record's id; with `derive`, a missing id is left empty, to be derived from
    /// the validated content.
    fn id(&mut self, derive: bool) -> Option<String> {
        let field = self.fields.iter().find(|f| f.name == "id").cloned();
        match field.map(|f| (f.value, f.value_pos)) {
            Some((RawValue::Number(n), _)) => {
                self.take("id");
                Some(n)
            }
            Some((RawValue::String(_), _)) => self.string("id").map(|(s, _)| s),
            None | Some((RawValue::Null, _)) if derive => Some(String::new()),
            None | Some((RawValue::Null, _)) => {
                let kind = self.kind.name();
                self.error(self.record_pos, "id", format!("missing; every {kind} needs one"))
            }
            Some((other, pos)) => self.error(pos, "id", format!("expected a string, found {}", other.kind_name())),
        }
    }

    fn reference(&mut self, name: &'static str) -> Option<Reference> {
        self.string(name).map(|(id, pos)| Reference { id, pos, field: name })
    }

    fn required_reference(&mut self, name: &'static str) -> Option<Reference> {
        self.required_string(name)
            .map(|(id, pos)| Reference { id, pos, field: name })
    }

    fn references(&mut self, name: &'static str) -> Vec<Reference> {
        self.strings(name)
            .into_iter()
            .map(|(id, pos)| Reference { id, pos, field: name })
            .collect()
    }

    fn date(&mut self, name: &'static str) -> Option<Date> {
        let (text, pos) = self.string(name)?;
        match parse_date(&text) {
            Ok(date) => Some(date),
            Err(e) => self.error(pos, name, e),
        }
    }

    fn language(&mut self, name: &'static str) -> Option<String> {
        let (text, pos) = self.string(name)?;
        match parse_language(&text) {
            Ok(tag) => Some(tag),
            Err(e) => self.error(pos, name, e),
        }
    }

    fn iri(&mut self, name: &'static str, prefixed: bool) -> Option<NamedNode> {
        let (text, pos) = self.string(name)?;
        let result = if prefixed {
            self.validator.prefixes.expand(&text)
        } else {
            check_iri(&text)
        };
        match result {
            Ok(iri) => Some(iri),
            Err(e) => self.error(pos, name, e),
        }
    }
}

/// An id derived from a record's validated content: a letter for the kind and 20 hex
/// digits of the SHA-256 of its fields, so the same content gives the same id whatever
/// form (JSON, JSON Lines, CSV) it was written in.
fn derived_id(kind: RecordKind, fields: &[(&str, String)]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(kind.name());
    for (name, value) in fields.iter().filter(|(_, v)| !v.is_empty()) {
        hasher.update([0x1e]);
        hasher.update(name);
        hasher.update([0x1f]);
        hasher.update(value);
    }
    let hex: String = hasher.finalize().iter().take(10).map(|b| format!("{b:02x}")).collect();
    format!("{}-{hex}", &kind.name()[..1])
}

impl Statement {
    fn content_id(&self) -> String {
        let join = |refs: &[Reference]| refs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>().join("\u{1f}");
        let one = |r: &Option<Reference>| r.as_ref().map(|r| r.id.clone()).unwrap_or_default();
        derived_id(
            RecordKind::Statement,
            &[
                ("speaker", self.speaker.id.clone()),
                ("act", self.act.name.to_owned()),
                ("addressees", join(&self.addressees)),
                ("about", join(&self.about)),
                ("quote", self.quote.clone().unwrap_or_default()),
                ("quote_lang", self.quote_lang.clone().unwrap_or_default()),
                ("summary", self.summary.clone().unwrap_or_default()),
                (
                    "date",
                    self.date.as_ref().map(|d| d.lexical.clone()).unwrap_or_default(),
                ),
                ("place", one(&self.place)),
                ("source", join(&self.sources)),
                ("reported_by", one(&self.reported_by)),
                ("in_reply_to", one(&self.in_reply_to)),
                ("stance", self.stance.map(|s| s.as_str().to_owned()).unwrap_or_default()),
                ("confidence", self.confidence.clone().unwrap_or_default()),
            ],
        )
    }
}

impl Relation {
    fn content_id(&self) -> String {
        derived_id(
            RecordKind::Relation,
            &[
                ("subject", self.subject.id.clone()),
                ("predicate", self.predicate.as_str().to_owned()),
                ("object", self.object.id.clone()),
                ("source", self.source.as_ref().map(|r| r.id.clone()).unwrap_or_default()),
                (
                    "date",
                    self.date.as_ref().map(|d| d.lexical.clone()).unwrap_or_default(),
                ),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_typed_by_precision() -> Result<(), String> {
        assert_eq!(parse_date("2024")?.datatype, oxigraph::model::vocab::xsd::G_YEAR);
        assert_eq!(
            parse_date("2024-03")?.datatype,
            oxigraph::model::vocab::xsd::G_YEAR_MONTH
        );
        assert_eq!(parse_date("2024-02-29")?.datatype, oxigraph::model::vocab::xsd::DATE);
        let date_time = parse_date("2024-06-20t10:30:00z")?;
        assert_eq!(date_time.lexical, "2024-06-20T10:30:00Z");
        assert_eq!(date_time.datatype, oxigraph::model::vocab::xsd::DATE_TIME);
        assert_eq!(
            parse_date("2024-06-20T10:30:00+09:00")?.lexical,
            "2024-06-20T10:30:00+09:00"
        );
        Ok(())
    }

    #[test]
    fn bad_dates_say_why() {
        for (text, why) in [
            ("2023-02-29", "no such day"),
            ("2024-13", "month must be 01 to 12"),
            ("2024-00-10", "month must be 01 to 12"),
            ("24", "not a date"),
            ("June 2024", "not a date"),
            ("2024-06-20T25:00:00Z", "invalid date"),
            ("2024/06/20", "not a date"),
            ("", "not a date"),
            ("２０２４", "not a date"),
        ] {
            let error = parse_date(text).expect_err(text);
            assert!(error.contains(why), "{text}: {error}");
        }
    }

    #[test]
    fn confidences_are_decimals_from_zero_to_one() {
        assert_eq!(parse_confidence("0.90"), Ok("0.9".to_owned()));
        assert_eq!(parse_confidence("1"), Ok("1".to_owned()));
        assert_eq!(parse_confidence("5e-1"), Ok("0.5".to_owned()));
        assert!(parse_confidence("1.5").is_err());
        assert!(parse_confidence("-0.1").is_err());
        assert!(parse_confidence("high").is_err());
        assert!(parse_confidence("NaN").is_err());
    }

    #[test]
    fn prefixed_names_expand_and_unknown_prefixes_are_caught() -> Result<(), String> {
        let prefixes = Prefixes::default();
        assert_eq!(
            prefixes.expand("wd:Q7747")?.as_str(),
            "http://www.wikidata.org/entity/Q7747"
        );
        assert_eq!(prefixes.expand("<urn:x:y>")?.as_str(), "urn:x:y");
        assert_eq!(
            prefixes.expand("https://example.org/a")?.as_str(),
            "https://example.org/a"
        );
        let error = prefixes.expand("wdd:Q1").expect_err("unknown prefix");
        assert!(error.contains("unknown prefix `wdd:` (did you mean `wd`?)"), "{error}");
        assert!(prefixes.expand("not an iri").is_err());
        assert!(prefixes.expand("https://exa mple.org/").is_err());
        Ok(())
    }

    #[test]
    fn language_tags_are_checked_and_lowercased() {
        assert_eq!(parse_language("pt-BR"), Ok("pt-br".to_owned()));
        assert!(parse_language("english language").is_err());
    }
}
