//! Checking records as the readers deliver them: each record validated on its own
//! ([`crate::model`]), then its id and references against everything seen so far
//! ([`crate::resolve`]). [`Checking`] is the one sink both paths read through: the
//! in-memory [`KnowledgeBase`](super::KnowledgeBase) keeps what passes, the streamed
//! path's first pass drops it. [`is_repeat`] is the one repeated-record rule, for the
//! checking pass and the streamed mapping pass alike.

use crate::error::{Diagnostics, Result};
use crate::input::{Document, RawRecord, RawValue, Sink};
use crate::model::{Prefixes, Record, Validator};
use crate::resolve::{self, KnownIds, Resolver};
use crate::terms::RecordKind;

use super::ReadOptions;
use super::kb::Part;

/// What a document's records are read with: its base and prefixes.
#[derive(Debug, Clone)]
pub struct Context {
    pub name: String,
    pub base: String,
    pub prefixes: Prefixes,
}

impl Context {
    /// The context of `document`; problems with its `base` or `prefixes` are reported.
    pub fn of(document: &Document, base_override: Option<&str>, diagnostics: &mut Diagnostics) -> Self {
        let mut prefixes = Prefixes::default();
        for (prefix, namespace, pos) in &document.prefixes {
            if let Err(e) = prefixes.bind(prefix, namespace) {
                diagnostics.error(document.location(*pos), &format!("prefixes.{prefix}"), e);
            }
        }
        let base = match (base_override, &document.base) {
            (Some(base), _) => base.to_owned(),
            (None, Some((base, pos))) => resolve::normalize_base(base).unwrap_or_else(|e| {
                diagnostics.error(document.location(*pos), "base", e);
                resolve::DEFAULT_BASE.to_owned()
            }),
            (None, None) => resolve::DEFAULT_BASE.to_owned(),
        };
        Self {
            name: document.name.clone(),
            base,
            prefixes,
        }
    }

    pub fn validator(&self) -> Validator<'_> {
        Validator {
            file: &self.name,
            prefixes: &self.prefixes,
        }
    }
}

/// What a run read: valid records of each kind (sources, entities, statements,
/// relations), and the rows importers left out, by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub sources: usize,
    pub entities: usize,
    pub statements: usize,
    pub relations: usize,
    pub skipped: std::collections::BTreeMap<&'static str, u64>,
}

impl Tally {
    /// Counts one valid record of `kind`.
    pub fn add(&mut self, kind: RecordKind) {
        *match kind {
            RecordKind::Source => &mut self.sources,
            RecordKind::Entity => &mut self.entities,
            RecordKind::Statement => &mut self.statements,
            RecordKind::Relation => &mut self.relations,
        } += 1;
    }
}

/// The id a record gives itself, read as the validator reads an id: a string, or a
/// number (`"id": 42` is the id `42`). Anything else is no id.
pub(crate) fn raw_id(raw: &RawRecord) -> Option<&str> {
    raw.fields.iter().find(|f| f.name == "id").and_then(|f| match &f.value {
        RawValue::String(id) | RawValue::Number(id) => Some(id.as_str()),
        _ => None,
    })
}

/// The repeated-record rule: a repeatable record (an importer's actor or source that
/// comes again) whose id `taken` says is already taken is dropped, not reported.
pub(crate) fn is_repeat(raw: &RawRecord, taken: impl FnOnce(RecordKind, &str) -> bool) -> bool {
    raw.repeatable && raw_id(raw).is_some_and(|id| taken(raw.kind, id))
}

/// Validates records as they stream by: each one on its own, then its id and references
/// against everything seen so far.
pub struct Checker<'s> {
    base_override: Option<String>,
    store: &'s dyn KnownIds,
    pub resolver: Resolver,
    /// Document names in reading order, to sort diagnostics by.
    pub file_order: Vec<String>,
    context: Option<(u32, Context)>,
    /// What was read.
    pub tally: Tally,
}

impl std::fmt::Debug for Checker<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checker")
            .field("tally", &self.tally)
            .finish_non_exhaustive()
    }
}

impl<'s> Checker<'s> {
    pub fn new(options: &ReadOptions, store: &'s dyn KnownIds) -> Result<Self> {
        Ok(Self {
            base_override: options.base_override()?,
            store,
            resolver: Resolver::new(),
            file_order: Vec::new(),
            context: None,
            tally: Tally::default(),
        })
    }

    /// A document starts.
    pub fn begin(&mut self, document: &Document, diagnostics: &mut Diagnostics) -> &Context {
        let context = Context::of(document, self.base_override.as_deref(), diagnostics);
        self.file_order.push(context.name.clone());
        let index = self.resolver.add_document(context.name.clone(), context.base.clone());
        &self.context.insert((index, context)).1
    }

    /// Validates a record of the current document, registers its id and checks its
    /// references; `None` if it is invalid (its problems are in `diagnostics`) or a repeat.
    pub fn check(&mut self, raw: RawRecord, diagnostics: &mut Diagnostics) -> Option<Record> {
        let (index, context) = self.context.as_ref()?;
        if is_repeat(&raw, |kind, id| self.resolver.knows(kind, id)) {
            return None;
        }
        let kind = raw.kind;
        let id = raw_id(&raw).map(str::to_owned);
        match context.validator().record(raw, diagnostics) {
            Some(record) => {
                self.resolver.define_checked(*index, &record, diagnostics, self.store);
                self.resolver.check(*index, &record, self.store);
                self.tally.add(kind);
                Some(record)
            }
            None => {
                if let Some(id) = id {
                    self.resolver.tolerate(*index, kind, &id);
                }
                None
            }
        }
    }

    /// Takes a record read without positions if it is valid, new, and refers only to
    /// records already known: then nothing about it needs a position. Otherwise nothing
    /// happens and `None` asks for the positioned record (for [`Checker::check`]).
    pub fn check_unpositioned(&mut self, raw: RawRecord) -> Option<Record> {
        let (index, context) = self.context.as_ref()?;
        let kind = raw.kind;
        if raw.repeatable {
            return None;
        }
        let mut problems = Diagnostics::new();
        let record = context.validator().record(raw, &mut problems)?;
        let known = |kind, id: &str| self.resolver.knows(kind, id);
        if !problems.is_empty()
            || known(kind, record.id())
            || resolve::references(&record).iter().any(|(k, r)| !known(*k, &r.id))
            || self.store.defined_elsewhere(kind, &context.base, record.id()).is_some()
        {
            return None;
        }
        self.resolver.define(*index, &record, &mut problems);
        self.tally.add(kind);
        Some(record)
    }

    /// Reports the references that never found their record, and gives the resolver,
    /// or every problem of the run.
    pub fn finish(mut self, mut diagnostics: Diagnostics) -> Result<(Resolver, Tally)> {
        self.resolver.finish(&mut diagnostics);
        diagnostics.into_result(&self.file_order)?;
        Ok((self.resolver, self.tally))
    }
}

/// What [`Checking`] does with the records that pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Each document's valid records, in memory: the sorted path.
    Records,
    /// Nothing: the streamed path's first pass, which reads again to map.
    Nothing,
}

/// The one sink the readers feed when records are checked: every call goes to the
/// [`Checker`], and the records that pass are kept or dropped as [`Keep`] says. Both
/// paths take records through the fast unpositioned parser when it can serve.
#[derive(Debug)]
pub struct Checking<'c, 's> {
    checker: &'c mut Checker<'s>,
    keep: Keep,
    /// The documents read, with their valid records when they are kept.
    parts: Vec<Part>,
}

impl<'c, 's> Checking<'c, 's> {
    pub fn new(checker: &'c mut Checker<'s>, keep: Keep) -> Self {
        Self {
            checker,
            keep,
            parts: Vec::new(),
        }
    }

    /// The documents kept, each with its records.
    pub fn into_parts(self) -> Vec<Part> {
        self.parts
    }

    fn keep(&mut self, record: Record) {
        if let Some(part) = self.parts.last_mut() {
            part.records.push(Box::new(record));
        }
    }
}

impl Sink for Checking<'_, '_> {
    fn skipped(&mut self, reason: &'static str) {
        *self.checker.tally.skipped.entry(reason).or_default() += 1;
    }

    fn begin(&mut self, document: &Document, diagnostics: &mut Diagnostics) {
        let context = self.checker.begin(document, diagnostics);
        if self.keep == Keep::Records {
            self.parts.push(Part {
                name: document.name.clone(),
                base: context.base.clone(),
                records: Vec::new(),
            });
        }
    }

    fn record(&mut self, record: RawRecord, diagnostics: &mut Diagnostics) {
        if let Some(record) = self.checker.check(record, diagnostics) {
            self.keep(record);
        }
    }

    fn record_unpositioned(&mut self, record: RawRecord) -> bool {
        match self.checker.check_unpositioned(record) {
            Some(record) => {
                self.keep(record);
                true
            }
            None => false,
        }
    }
}

/// Checks every input `feed` reads into the sink it is given, keeping records or not.
pub(crate) fn check_all(
    options: &ReadOptions,
    store: &dyn KnownIds,
    keep: Keep,
    feed: impl FnOnce(&mut Diagnostics, &mut dyn Sink) -> Result<()>,
) -> Result<(Vec<Part>, Resolver, Tally)> {
    let mut checker = Checker::new(options, store)?;
    let mut diagnostics = Diagnostics::new();
    let mut checking = Checking::new(&mut checker, keep);
    feed(&mut diagnostics, &mut checking)?;
    let parts = checking.into_parts();
    let (resolver, tally) = checker.finish(diagnostics)?;
    Ok((parts, resolver, tally))
}
