//! Taking one raw record's fields apart: each field typed as the record expects it
//! (string, list, number, reference, date, IRI), every problem a diagnostic naming it.

use oxigraph::model::NamedNode;

use super::records::{Date, Reference};
use super::validate::Validator;
use super::values::{parse_date, parse_language};
use crate::error::{Diagnostics, Location};
use crate::input::{Pos, RawField, RawRecord, RawValue};
use crate::terms::{RecordKind, check_iri, fields_of, unknown_field};

/// The fields of one record being taken apart, with its diagnostics.
pub(super) struct Fields<'v, 'd> {
    pub(super) validator: &'v Validator<'v>,
    pub(super) kind: RecordKind,
    pub(super) record_pos: Pos,
    pub(super) from_csv: bool,
    pub(super) fields: Vec<RawField>,
    pub(super) diagnostics: &'d mut Diagnostics,
    pub(super) failed: bool,
}

impl<'v, 'd> Fields<'v, 'd> {
    pub(super) fn new(validator: &'v Validator<'v>, raw: RawRecord, diagnostics: &'d mut Diagnostics) -> Self {
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

    pub(super) fn error<T>(&mut self, pos: Pos, field: &str, message: impl Into<String>) -> Option<T> {
        self.failed = true;
        self.diagnostics
            .error(Location::new(self.validator.file, pos.line, pos.column), field, message);
        None
    }

    /// Removes a field; `null` counts as absent.
    pub(super) fn take(&mut self, name: &str) -> Option<RawField> {
        let at = self.fields.iter().position(|f| f.name == name)?;
        let field = self.fields.swap_remove(at);
        (field.value != RawValue::Null).then_some(field)
    }

    pub(super) fn string(&mut self, name: &'static str) -> Option<(String, Pos)> {
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

    pub(super) fn required_string(&mut self, name: &'static str) -> Option<(String, Pos)> {
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

    pub(super) fn non_blank(&mut self, text: String, pos: Pos, name: &str) -> Option<String> {
        if text.trim().is_empty() {
            self.error(pos, name, "empty")
        } else {
            Some(text)
        }
    }

    pub(super) fn text(&mut self, name: &'static str) -> Option<String> {
        self.string(name).map(|(s, _)| s)
    }

    /// A list of strings; a single string counts as a list of one.
    pub(super) fn strings(&mut self, name: &'static str) -> Vec<(String, Pos)> {
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

    pub(super) fn texts(&mut self, name: &'static str) -> Vec<String> {
        self.strings(name).into_iter().map(|(s, _)| s).collect()
    }

    pub(super) fn number(&mut self, name: &'static str) -> Option<(String, Pos)> {
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
    pub(super) fn id(&mut self, derive: bool) -> Option<String> {
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

    pub(super) fn reference(&mut self, name: &'static str) -> Option<Reference> {
        self.string(name).map(|(id, pos)| Reference { id, pos, field: name })
    }

    pub(super) fn required_reference(&mut self, name: &'static str) -> Option<Reference> {
        self.required_string(name)
            .map(|(id, pos)| Reference { id, pos, field: name })
    }

    pub(super) fn references(&mut self, name: &'static str) -> Vec<Reference> {
        self.strings(name)
            .into_iter()
            .map(|(id, pos)| Reference { id, pos, field: name })
            .collect()
    }

    pub(super) fn date(&mut self, name: &'static str) -> Option<Date> {
        let (text, pos) = self.string(name)?;
        match parse_date(&text) {
            Ok(date) => Some(date),
            Err(e) => self.error(pos, name, e),
        }
    }

    pub(super) fn language(&mut self, name: &'static str) -> Option<String> {
        let (text, pos) = self.string(name)?;
        match parse_language(&text) {
            Ok(tag) => Some(tag),
            Err(e) => self.error(pos, name, e),
        }
    }

    pub(super) fn iri(&mut self, name: &'static str, prefixed: bool) -> Option<NamedNode> {
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
