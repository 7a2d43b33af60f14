//! Contract terms that the readers and the model both need: the kinds of record, the
//! fields each kind may have, the check that makes a string an IRI, and the "did you
//! mean" suggestions of messages.
//!
//! It sits below the readers (`input`) and the model (`model`), so that a reader, which
//! only knows syntax, can split a CSV table's list fields or name an unknown column
//! without importing the model.

use oxigraph::model::NamedNode;

/// The four kinds of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordKind {
    Source,
    Entity,
    Statement,
    Relation,
}

impl RecordKind {
    pub const ALL: [Self; 4] = [Self::Source, Self::Entity, Self::Statement, Self::Relation];

    /// The name used by JSON Lines' `record` field.
    pub fn name(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Entity => "entity",
            Self::Statement => "statement",
            Self::Relation => "relation",
        }
    }

    /// The name with its article, for messages: "an entity", "a statement".
    pub fn with_article(self) -> &'static str {
        match self {
            Self::Source => "a source",
            Self::Entity => "an entity",
            Self::Statement => "a statement",
            Self::Relation => "a relation",
        }
    }

    /// The list key of the JSON document and the CSV table's file stem.
    pub fn plural(self) -> &'static str {
        match self {
            Self::Source => "sources",
            Self::Entity => "entities",
            Self::Statement => "statements",
            Self::Relation => "relations",
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
    match did_you_mean(name, known.iter().copied()) {
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

/// The closest of `candidates` to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&word.to_lowercase(), c), c))
        .filter(|&(d, c)| d <= 2.max(c.len() / 3))
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
}

/// " (did you mean `x`?)" or nothing.
pub fn suggestion<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(word, candidates).map_or_else(String::new, |c| format!(" (did you mean `{c}`?)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_catch_typos_only() {
        assert_eq!(did_you_mean("speakr", ["speaker", "act"]), Some("speaker"));
        assert_eq!(did_you_mean("Quote", ["quote", "summary"]), Some("quote"));
        assert_eq!(did_you_mean("zzzzzz", ["speaker", "act"]), None);
    }
}
