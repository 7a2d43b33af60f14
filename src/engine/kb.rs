//! A run's knowledge base: every input read, validated and resolved, or every problem
//! found in them.
//!
//! This is where the data flow's first three stages meet: [`crate::input`] reads,
//! [`crate::model`] validates records, [`crate::resolve`] checks references across all
//! inputs (and the store being loaded into). [`Checker`] does it record by record as the
//! readers deliver them, so the same code serves the in-memory [`KnowledgeBase`] and
//! the streaming path of [`crate::stream`]. Only input without a single problem gets
//! past it, so nothing downstream can write half of a bad input.

use oxigraph::model::Triple;

use crate::error::{Diagnostics, Error, Result};
use crate::input::{self, Document, InputSpec, RawRecord, RawValue, Sink};
use crate::mapping;
use crate::model::{Prefixes, Record, Validator};
use crate::resolve::{self, KnownIds, Resolver};

/// How to read inputs.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Overrides every input's `base`.
    pub base: Option<String>,
}

impl ReadOptions {
    /// The `--base` override, checked and normalised.
    pub fn base_override(&self) -> Result<Option<String>> {
        self.base
            .as_deref()
            .map(|base| resolve::normalize_base(base).map_err(Error::Usage))
            .transpose()
    }
}

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

/// What a run read: valid records of each kind (sources, entities, statements,
/// relations), and the rows importers left out, by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub counts: [usize; 4],
    pub skipped: std::collections::BTreeMap<&'static str, u64>,
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
    /// references; `None` if it is invalid (its problems are in `diagnostics`).
    pub fn check(&mut self, raw: RawRecord, diagnostics: &mut Diagnostics) -> Option<Record> {
        let (index, context) = self.context.as_ref()?;
        let kind = raw.kind;
        let id = raw_id(&raw);
        if raw.repeatable && id.as_deref().is_some_and(|id| self.resolver.knows(kind, id)) {
            return None;
        }
        match context.validator().record(raw, diagnostics) {
            Some(record) => {
                self.resolver.define(*index, &record, diagnostics);
                self.resolver.check(*index, &record, self.store);
                self.tally.counts[kind as usize] += 1;
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
    /// happens and `false` asks for the positioned record (for [`Checker::check`]).
    pub fn check_unpositioned(&mut self, raw: RawRecord) -> bool {
        let Some((index, context)) = self.context.as_ref() else {
            return false;
        };
        let kind = raw.kind;
        if raw.repeatable {
            return false;
        }
        let mut problems = Diagnostics::new();
        let Some(record) = context.validator().record(raw, &mut problems) else {
            return false;
        };
        let known = |kind, id: &str| self.resolver.knows(kind, id);
        if !problems.is_empty()
            || known(kind, record.id())
            || resolve::references(&record).iter().any(|(k, r)| !known(*k, &r.id))
        {
            return false;
        }
        self.resolver.define(*index, &record, &mut problems);
        self.tally.counts[kind as usize] += 1;
        true
    }

    /// Reports the references that never found their record, and gives the resolver,
    /// or every problem of the run.
    pub fn finish(mut self, mut diagnostics: Diagnostics) -> Result<(Resolver, Tally)> {
        self.resolver.finish(&mut diagnostics);
        diagnostics.into_result(&self.file_order)?;
        Ok((self.resolver, self.tally))
    }
}

/// The id an invalid record gives itself, if any.
fn raw_id(raw: &RawRecord) -> Option<String> {
    raw.fields.iter().find(|f| f.name == "id").and_then(|f| match &f.value {
        RawValue::String(id) | RawValue::Number(id) => Some(id.clone()),
        _ => None,
    })
}

/// One input's validated records, with the base its IRIs are minted from.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub base: String,
    pub records: Vec<Record>,
}

/// Every record of a run, valid and resolved, held in memory.
#[derive(Debug)]
pub struct KnowledgeBase {
    pub parts: Vec<Part>,
    pub resolver: Resolver,
    tally: Tally,
}

/// Keeps the valid records of each document.
struct Keep<'c, 's> {
    checker: &'c mut Checker<'s>,
    parts: Vec<Part>,
}

impl Sink for Keep<'_, '_> {
    fn skipped(&mut self, reason: &'static str) {
        *self.checker.tally.skipped.entry(reason).or_default() += 1;
    }

    fn begin(&mut self, document: &Document, diagnostics: &mut Diagnostics) {
        let context = self.checker.begin(document, diagnostics);
        self.parts.push(Part {
            name: context.name.clone(),
            base: context.base.clone(),
            records: Vec::new(),
        });
    }

    fn record(&mut self, record: RawRecord, diagnostics: &mut Diagnostics) {
        if let Some(record) = self.checker.check(record, diagnostics)
            && let Some(part) = self.parts.last_mut()
        {
            part.records.push(record);
        }
    }
}

impl KnowledgeBase {
    /// Reads, validates and resolves `inputs`. References may also name records `store`
    /// holds. Every problem of every input is reported together.
    pub fn read(inputs: &[InputSpec], options: &ReadOptions, store: &dyn KnownIds) -> Result<Self> {
        Self::read_with(options, store, |diagnostics, sink| {
            inputs
                .iter()
                .try_for_each(|spec| input::read_into(spec, diagnostics, sink))
        })
    }

    /// Validates and resolves what `feed` reads into the sink it is given, as
    /// [`read`](Self::read) does for files: for input held in memory, such as
    /// [`input::read_bytes`] reads.
    pub fn read_with(
        options: &ReadOptions,
        store: &dyn KnownIds,
        feed: impl FnOnce(&mut Diagnostics, &mut dyn Sink) -> Result<()>,
    ) -> Result<Self> {
        let mut checker = Checker::new(options, store)?;
        let mut diagnostics = Diagnostics::new();
        let mut keep = Keep {
            checker: &mut checker,
            parts: Vec::new(),
        };
        feed(&mut diagnostics, &mut keep)?;
        let parts = keep.parts;
        let (resolver, tally) = checker.finish(diagnostics)?;
        Ok(Self { parts, resolver, tally })
    }

    /// The knowledge base as triples, in input order.
    pub fn triples(&self) -> Vec<Triple> {
        let mut triples = Vec::new();
        for part in &self.parts {
            for record in &part.records {
                mapping::map_record(record, &part.base, &self.resolver, &mut triples);
            }
        }
        triples
    }

    /// How many records of each kind: sources, entities, statements, relations.
    pub fn counts(&self) -> [usize; 4] {
        self.tally.counts
    }

    /// What was read, and what importers left out.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// The bases the inputs mint with, first first, without repeats.
    pub fn bases(&self) -> Vec<String> {
        self.resolver.bases()
    }
}
