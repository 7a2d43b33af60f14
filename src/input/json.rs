//! The JSON document form: one object with `base`, `prefixes` and the four record lists.
//!
//! JSON is parsed strictly (no comments, trailing commas or other JSON5 leniency) by
//! `jsonc-parser`, chosen over `serde_json` because it keeps the byte range of every key
//! and value, which is what lets each diagnostic name its line and column.

use std::collections::HashSet;

use jsonc_parser::ast::{self, ObjectPropName};
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};

use super::{Document, LineIndex, Pos, RawField, RawRecord, RawValue, Sink};
use crate::error::Diagnostics;
use crate::terms::{RecordKind, did_you_mean};

/// Deeper nesting than this is not a knowledge base, and would exhaust the stack.
const MAX_DEPTH: usize = 64;

const TOP_LEVEL_KEYS: [&str; 6] = ["base", "prefixes", "sources", "entities", "statements", "relations"];

/// Reads a whole JSON document, then hands its records to `sink` (the document's `base`
/// and `prefixes` may come after its records, so nothing is delivered before the end).
pub(super) fn read_document(bytes: &[u8], name: String, diagnostics: &mut Diagnostics, sink: &mut dyn Sink) {
    let mut document = Document {
        name,
        ..Document::default()
    };
    let records = read_records(bytes, &mut document, diagnostics);
    sink.begin(&document, diagnostics);
    for record in records {
        sink.record(record, diagnostics);
    }
}

fn read_records(bytes: &[u8], document: &mut Document, diagnostics: &mut Diagnostics) -> Vec<RawRecord> {
    let mut records = Vec::new();
    let Some((text, index)) = decode(bytes, 1, document, diagnostics) else {
        return records;
    };
    let Some(value) = parse(text, &index, document, diagnostics) else {
        return records;
    };
    let RawValue::Object(fields) = value.0 else {
        diagnostics.error(
            document.location(value.1),
            "",
            format!(
                "expected a JSON object with `entities` and `statements`, found {}",
                value.0.kind_name()
            ),
        );
        return records;
    };
    for field in fields {
        let kind = RecordKind::ALL.into_iter().find(|k| k.plural() == field.name);
        match (field.name.as_str(), kind) {
            ("base", _) => match field.value {
                RawValue::String(base) => document.base = Some((base, field.value_pos)),
                other => diagnostics.error(
                    document.location(field.value_pos),
                    "base",
                    format!("expected an IRI string, found {}", other.kind_name()),
                ),
            },
            ("prefixes", _) => read_prefixes(field, document, diagnostics),
            (_, Some(kind)) => match field.value {
                RawValue::List(items) => {
                    for (item, pos) in items {
                        match item {
                            RawValue::Object(fields) => records.push(RawRecord {
                                kind,
                                pos,
                                fields,
                                from_csv: false,
                                extra: Vec::new(),
                                repeatable: false,
                            }),
                            other => diagnostics.error(
                                document.location(pos),
                                kind.plural(),
                                format!("expected a {} object, found {}", kind.name(), other.kind_name()),
                            ),
                        }
                    }
                }
                other => diagnostics.error(
                    document.location(field.value_pos),
                    kind.plural(),
                    format!("expected a list of {}, found {}", kind.plural(), other.kind_name()),
                ),
            },
            (unknown, None) => diagnostics.error(
                document.location(field.pos),
                unknown,
                unknown_field_message(unknown, &TOP_LEVEL_KEYS),
            ),
        }
    }
    records
}

fn read_prefixes(field: RawField, document: &mut Document, diagnostics: &mut Diagnostics) {
    let RawValue::Object(entries) = field.value else {
        diagnostics.error(
            document.location(field.value_pos),
            "prefixes",
            format!(
                "expected an object of prefix → namespace IRI, found {}",
                field.value.kind_name()
            ),
        );
        return;
    };
    for entry in entries {
        match entry.value {
            RawValue::String(namespace) => document.prefixes.push((entry.name, namespace, entry.value_pos)),
            other => diagnostics.error(
                document.location(entry.value_pos),
                &format!("prefixes.{}", entry.name),
                format!("expected a namespace IRI string, found {}", other.kind_name()),
            ),
        }
    }
}

/// "unknown field (did you mean …?); expected one of …".
pub(crate) fn unknown_field_message(name: &str, known: &[&str]) -> String {
    match did_you_mean(name, known.iter().copied()) {
        Some(close) => format!("unknown field (did you mean `{close}`?)"),
        None => format!("unknown field; expected one of: {}", known.join(", ")),
    }
}

/// Checks the bytes are UTF-8 (after a byte order mark, if any) and indexes their lines.
pub(super) fn decode<'a>(
    bytes: &'a [u8],
    first_line: u64,
    document: &Document,
    diagnostics: &mut Diagnostics,
) -> Option<(&'a str, LineIndex<'a>)> {
    let bytes = super::strip_bom(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Some((text, LineIndex::new(text, first_line))),
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            let pos = LineIndex::new(valid, first_line).pos(valid.len());
            diagnostics.error(
                document.location(pos),
                "",
                "invalid UTF-8; the input must be UTF-8 text",
            );
            None
        }
    }
}

/// Parses one JSON value strictly, with positions.
pub(super) fn parse(
    text: &str,
    index: &LineIndex<'_>,
    document: &Document,
    diagnostics: &mut Diagnostics,
) -> Option<(RawValue, Pos)> {
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Off,
        tokens: false,
    };
    let strict = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    match jsonc_parser::parse_to_ast(text, &collect, &strict) {
        Ok(result) => match result.value {
            Some(value) => {
                let pos = index.pos(range_of(&value).start);
                let mut converter = Converter {
                    index,
                    document,
                    diagnostics,
                };
                converter.value(value, 0).map(|v| (v, pos))
            }
            None => {
                diagnostics.error(
                    document.location(index.pos(0)),
                    "",
                    "empty input: expected a JSON value",
                );
                None
            }
        },
        Err(e) => {
            let pos = index.pos(e.range().start);
            diagnostics.error(document.location(pos), "", format!("invalid JSON: {}", e.kind()));
            None
        }
    }
}

struct Converter<'i, 'd> {
    index: &'i LineIndex<'i>,
    document: &'d Document,
    diagnostics: &'d mut Diagnostics,
}

impl Converter<'_, '_> {
    fn value(&mut self, value: ast::Value<'_>, depth: usize) -> Option<RawValue> {
        if depth > MAX_DEPTH {
            let pos = self.index.pos(range_of(&value).start);
            self.diagnostics.error(
                self.document.location(pos),
                "",
                format!("JSON nested deeper than {MAX_DEPTH} levels"),
            );
            return None;
        }
        Some(match value {
            ast::Value::StringLit(s) => RawValue::String(s.value.into_owned()),
            ast::Value::NumberLit(n) => RawValue::Number(n.value.to_owned()),
            ast::Value::BooleanLit(b) => RawValue::Bool(b.value),
            ast::Value::NullKeyword(_) => RawValue::Null,
            ast::Value::Array(array) => {
                let mut items = Vec::with_capacity(array.elements.len());
                for element in array.elements {
                    let pos = self.index.pos(range_of(&element).start);
                    items.push((self.value(element, depth + 1)?, pos));
                }
                RawValue::List(items)
            }
            ast::Value::Object(object) => {
                let mut fields: Vec<RawField> = Vec::with_capacity(object.properties.len());
                let mut names = None;
                for property in object.properties {
                    let (name, range) = match property.name {
                        ObjectPropName::String(s) => (s.value.into_owned(), s.range),
                        ObjectPropName::Word(w) => (w.value.to_owned(), w.range),
                    };
                    let pos = self.index.pos(range.start);
                    if repeated(&fields, &mut names, &name) {
                        self.diagnostics
                            .error(self.document.location(pos), &name, "field given twice in one object");
                        continue;
                    }
                    let value_pos = self.index.pos(range_of(&property.value).start);
                    let value = self.value(property.value, depth + 1)?;
                    fields.push(RawField {
                        name,
                        pos,
                        value,
                        value_pos,
                    });
                }
                RawValue::Object(fields)
            }
        })
    }
}

/// A [`RawValue`] read by `serde_json`, without positions: the fast path for input that
/// was already validated.
pub(super) struct Fast(pub(super) RawValue);

impl<'de> serde::Deserialize<'de> for Fast {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FastVisitor).map(Fast)
    }
}

struct FastVisitor;

impl<'de> serde::de::Visitor<'de> for FastVisitor {
    type Value = RawValue;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<RawValue, E> {
        Ok(RawValue::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<RawValue, E> {
        Ok(RawValue::Number(v.to_string()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<RawValue, E> {
        Ok(RawValue::Number(v.to_string()))
    }

    /// A fraction's text would come back other than written (`1.50` as `1.5`), so that an
    /// id could differ between the two passes: such lines take the positioned parser.
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<RawValue, E> {
        Err(E::custom("fractions are read by the positioned parser"))
    }

    fn visit_str<E>(self, v: &str) -> Result<RawValue, E> {
        Ok(RawValue::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<RawValue, E> {
        Ok(RawValue::String(v))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Fast(item)) = seq.next_element()? {
            items.push((item, Pos::default()));
        }
        Ok(RawValue::List(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
        let mut fields: Vec<RawField> = Vec::with_capacity(map.size_hint().unwrap_or(8));
        let mut names = None;
        while let Some((name, Fast(value))) = map.next_entry::<String, Fast>()? {
            if repeated(&fields, &mut names, &name) {
                return Err(serde::de::Error::custom("field given twice"));
            }
            fields.push(RawField {
                name,
                pos: Pos::default(),
                value,
                value_pos: Pos::default(),
            });
        }
        Ok(RawValue::Object(fields))
    }
}

/// Whether an object already has a field `name`. Short objects are searched; past
/// that, the names go into a set, so that an object of a million keys is checked in
/// linear time, not quadratic. `names` must see every field pushed after it was built.
fn repeated(fields: &[RawField], names: &mut Option<HashSet<String>>, name: &str) -> bool {
    const SHORT: usize = 32;
    if fields.len() < SHORT {
        return fields.iter().any(|f| f.name == name);
    }
    let names = names.get_or_insert_with(|| fields.iter().map(|f| f.name.clone()).collect());
    !names.insert(name.to_owned())
}

fn range_of(value: &ast::Value<'_>) -> jsonc_parser::common::Range {
    match value {
        ast::Value::StringLit(v) => v.range,
        ast::Value::NumberLit(v) => v.range,
        ast::Value::BooleanLit(v) => v.range,
        ast::Value::Object(v) => v.range,
        ast::Value::Array(v) => v.range,
        ast::Value::NullKeyword(v) => v.range,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Read {
        records: Vec<RawRecord>,
    }

    fn read(text: &str) -> (Read, Diagnostics) {
        let mut diagnostics = Diagnostics::new();
        let mut collect = crate::input::Collect::default();
        read_document(text.as_bytes(), "kb.json".to_owned(), &mut diagnostics, &mut collect);
        let records = collect.0.into_iter().flat_map(|(_, records)| records).collect();
        (Read { records }, diagnostics)
    }

    #[test]
    fn records_keep_field_positions() {
        let (document, diagnostics) =
            read("{\n  \"entities\": [\n    {\"id\": \"putin\", \"type\": \"person\"}\n  ]\n}");
        assert!(diagnostics.is_empty(), "{diagnostics}");
        let record = &document.records[0];
        assert_eq!(record.kind, RecordKind::Entity);
        assert_eq!(record.pos, Pos::new(3, 5));
        assert_eq!(record.fields[1].name, "type");
        assert_eq!(record.fields[1].pos, Pos::new(3, 21));
        assert_eq!(record.fields[1].value_pos, Pos::new(3, 29));
    }

    #[test]
    fn syntax_errors_are_positioned() {
        let (_, diagnostics) = read("{\n  \"entities\": [,]\n}");
        let message = diagnostics.to_string();
        assert!(message.starts_with("kb.json:2:16: invalid JSON"), "{message}");
    }

    #[test]
    fn leniencies_are_refused() {
        for text in ["{\"entities\": [],}", "{// c\n}", "{entities: []}", "{'entities': []}"] {
            let (_, diagnostics) = read(text);
            assert_eq!(diagnostics.len(), 1, "{text}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{{\"entities\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
        let (_, diagnostics) = read(&text);
        assert_eq!(diagnostics.len(), 1);
    }

    #[test]
    fn unknown_top_level_keys_get_suggestions() {
        let (_, diagnostics) = read("{\"statments\": []}");
        assert_eq!(
            diagnostics.to_string(),
            "kb.json:1:2: statments: unknown field (did you mean `statements`?)"
        );
    }
}
