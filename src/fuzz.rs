//! The checks behind the fuzz targets (`fuzz/`) and their regression tests
//! (`tests/integration/regressions.rs`): each function runs one entry point on arbitrary bytes and
//! panics when a promise is broken, so that a fuzzer reports it as a crash.
//!
//! The promises: any input gives triples or diagnostics, never a panic, a hang or
//! unbounded memory; triples are valid RDF (they survive N-Triples and back) and the same
//! on every run; the JSON Lines fast path reads what the positioned parser reads; dates
//! that parse are valid literals of their datatype; every id mints a valid IRI from which
//! the id can be read back (so distinct ids never collide); `--param` values bind to
//! terms, or give a clear error, and queries run with them; query texts parse or give a
//! query error, an undeclared prefix where it is.
//!
//! These functions live in the library, not in the fuzz crate, so that `cargo test`
//! replays every committed seed and finding through exactly the code the fuzzers ran.

use std::str::FromStr;
use std::sync::OnceLock;

use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::{GraphNameRef, NamedNode, Term, Triple};
use oxigraph::sparql::Variable;

use crate::engine::{KnowledgeBase, ReadOptions};
use crate::error::{Diagnostics, Error, Result};
use crate::input::{self, Collect, Document, ImportOptions, InputFormat, RawRecord, RawValue, Sink};
use crate::model;
use crate::query::{self, Prepared, ResultsFormat};
use crate::resolve::{self, NoStore};
use crate::store::GraphStore;
use crate::terms::RecordKind;

/// A fuzz target's check.
pub type Check = fn(&[u8]);

/// The fuzz targets, by name, each with its check: what `tests/integration/regressions.rs` replays
/// the corpora of `fuzz/corpus/<name>/` through.
pub const TARGETS: [(&str, Check); 9] = [
    ("json", json),
    ("jsonl", jsonl),
    ("csv", csv),
    ("gdelt", gdelt),
    ("quotebank", quotebank),
    ("date", date),
    ("mint", mint),
    ("param", param),
    ("query", query),
];

/// A JSON document.
pub fn json(bytes: &[u8]) {
    knowledge_base(InputFormat::Json, bytes, ImportOptions::default());
}

/// JSON Lines; also checks that the fast parser of the second pass reads every record as
/// the positioned parser of the first pass does.
pub fn jsonl(bytes: &[u8]) {
    knowledge_base(InputFormat::Jsonl, bytes, ImportOptions::default());
    let positioned = records(bytes, true);
    let fast = records(bytes, false);
    if let (Some(positioned), Some(fast)) = (positioned, fast) {
        assert_eq!(positioned, fast, "the fast path read other records");
    }
}

/// One CSV table; the first byte chooses which (sources, entities, statements, relations).
pub fn csv(bytes: &[u8]) {
    let Some((&first, table)) = bytes.split_first() else {
        return;
    };
    let kind = RecordKind::ALL[usize::from(first) % 4];
    let name = format!("{}.csv", kind.plural());
    let read = KnowledgeBase::read_with(&ReadOptions::default(), &NoStore, |diagnostics, sink| {
        input::read_csv_table(kind, table, &name, diagnostics, sink)
    });
    check(read);
}

/// GDELT event rows; the first byte's low bit turns on `--all-events`.
pub fn gdelt(bytes: &[u8]) {
    let Some((&first, rows)) = bytes.split_first() else {
        return;
    };
    let import = ImportOptions {
        all_events: first & 1 == 1,
        ..ImportOptions::default()
    };
    knowledge_base(InputFormat::Gdelt, rows, import);
}

/// Quotebank, JSON lines or CSV; the first byte's low bit turns on `--keep-unattributed`.
pub fn quotebank(bytes: &[u8]) {
    let Some((&first, rows)) = bytes.split_first() else {
        return;
    };
    let import = ImportOptions {
        keep_unattributed: first & 1 == 1,
        ..ImportOptions::default()
    };
    knowledge_base(InputFormat::Quotebank, rows, import);
}

/// The date parser: a date that parses is a valid literal of its datatype, and parses
/// again to itself.
pub fn date(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let Ok(date) = model::parse_date(text) else {
        return;
    };
    let lexical = date.lexical.as_str();
    let valid = match date.datatype.as_str() {
        "http://www.w3.org/2001/XMLSchema#gYear" => oxsdatatypes::GYear::from_str(lexical).is_ok(),
        "http://www.w3.org/2001/XMLSchema#gYearMonth" => oxsdatatypes::GYearMonth::from_str(lexical).is_ok(),
        "http://www.w3.org/2001/XMLSchema#date" => oxsdatatypes::Date::from_str(lexical).is_ok(),
        "http://www.w3.org/2001/XMLSchema#dateTime" => oxsdatatypes::DateTime::from_str(lexical).is_ok(),
        other => panic!("{text:?} got the datatype {other}"),
    };
    assert!(valid, "{text:?} became {lexical:?}, not a valid {}", date.datatype);
    let again = model::parse_date(lexical).unwrap_or_else(|e| panic!("{lexical:?} no longer parses: {e}"));
    assert_eq!(again.lexical, date.lexical, "parsing {text:?} twice changed it");
    round_trip(&[Triple::new(
        NamedNode::new_unchecked("https://kb.example.org/x"),
        NamedNode::new_unchecked("https://kb.example.org/date"),
        date.to_literal(),
    )]);
}

/// IRI minting: any id, of any kind, under the default base mints a valid IRI whose
/// last segment decodes back to the id, so two distinct ids never share an IRI.
pub fn mint(bytes: &[u8]) {
    let id = String::from_utf8_lossy(bytes);
    for kind in RecordKind::ALL {
        let iri = resolve::mint(resolve::DEFAULT_BASE, kind, &id);
        assert!(
            iri_string::types::IriStr::new(iri.as_str()).is_ok(),
            "{id:?} minted the invalid IRI {iri}"
        );
        assert!(
            NamedNode::new(iri.as_str()).is_ok(),
            "{id:?} minted {iri}, which Oxigraph refuses"
        );
        let prefix = format!("{}{}", resolve::DEFAULT_BASE, resolve::segment(kind));
        let segment = iri.as_str().strip_prefix(&prefix).expect("minted under its base");
        assert!(
            !segment.contains('/'),
            "{id:?} minted more than one path segment: {iri}"
        );
        assert_eq!(
            percent_decode(segment),
            id.as_bytes(),
            "{id:?} does not decode back from {iri}"
        );
    }
}

/// `--param NAME=VALUE`: splits, binds against a store holding the seed example, and
/// runs a query with the bound term; any failure must be a `--param` error.
pub fn param(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let (store, bases) = seed_store();
    let (variable, value) = match query::split_param(text) {
        Ok(split) => split,
        Err(Error::Param(_)) => return,
        Err(other) => panic!("{text:?}: not a --param error: {other}"),
    };
    assert!(!variable.as_str().is_empty());
    let term = match query::bind_value(value, store, bases) {
        Ok(term) => term,
        Err(Error::Param(_)) => return,
        Err(other) => panic!("{text:?}: not a --param error: {other}"),
    };
    if let Term::Literal(literal) = &term {
        assert_eq!(literal.value(), value, "a plain string must be bound as written");
    }
    let prepared = Prepared {
        text: "SELECT ?s ?x WHERE { ?s ?p ?x } LIMIT 2".to_owned(),
        origin: "fuzz".to_owned(),
        bindings: vec![(Variable::new_unchecked("x"), term)],
        limit: None,
        explain: None,
    };
    let mut out = Vec::new();
    let format = ResultsFormat::W3c(oxigraph::sparql::results::QueryResultsFormat::Csv);
    query::run(store, prepared, format, &[], &mut out).unwrap_or_else(|e| panic!("{text:?}: {e}"));
}

/// Reads `bytes` as an input of `format`, checks the outcome, and checks that a second
/// read gives the same triples.
fn knowledge_base(format: InputFormat, bytes: &[u8], import: ImportOptions) {
    let read = || {
        KnowledgeBase::read_with(&ReadOptions::default(), &NoStore, |diagnostics, sink| {
            input::read_bytes(format, bytes, "input", import, diagnostics, sink)
        })
    };
    if let Some(triples) = check(read()) {
        let again = read().map(|kb| kb.triples()).unwrap_or_default();
        assert_eq!(triples, again, "the same input gave other triples");
    }
}

/// A read gives triples that are valid RDF, or diagnostics; anything else is a bug.
fn check(read: Result<KnowledgeBase>) -> Option<Vec<Triple>> {
    match read {
        Ok(kb) => {
            let triples = kb.triples();
            round_trip(&triples);
            Some(triples)
        }
        Err(Error::Invalid(diagnostics)) => {
            assert!(!diagnostics.is_empty(), "an invalid input with no diagnostic");
            for diagnostic in diagnostics.iter() {
                assert!(
                    !diagnostic.message.is_empty(),
                    "an empty message at {}",
                    diagnostic.location
                );
            }
            None
        }
        Err(other) => panic!("in-memory input gave an error other than diagnostics: {other}"),
    }
}

/// The triples, written as N-Triples and parsed back, are the same triples.
fn round_trip(triples: &[Triple]) {
    let mut writer = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(Vec::new());
    for triple in triples {
        writer
            .serialize_quad(triple.as_ref().in_graph(GraphNameRef::DefaultGraph))
            .expect("writing to memory");
    }
    let bytes = writer.finish().expect("writing to memory");
    let parsed: std::collections::HashSet<Triple> = RdfParser::from_format(RdfFormat::NTriples)
        .for_slice(&bytes)
        .map(|quad| {
            quad.map(Triple::from)
                .unwrap_or_else(|e| panic!("invalid N-Triples written: {e}\n{}", String::from_utf8_lossy(&bytes)))
        })
        .collect();
    let written: std::collections::HashSet<Triple> = triples.iter().cloned().collect();
    assert_eq!(parsed, written, "N-Triples changed the graph");
}

/// JSON Lines records with their positions blanked, read by the positioned parser or by
/// the fast one; `None` when the input has any syntax problem.
fn records(bytes: &[u8], positions: bool) -> Option<Vec<RawRecord>> {
    struct Read {
        collect: Collect,
        positions: bool,
    }
    impl Sink for Read {
        fn begin(&mut self, document: &Document, diagnostics: &mut Diagnostics) {
            self.collect.begin(document, diagnostics);
        }
        fn record(&mut self, record: RawRecord, diagnostics: &mut Diagnostics) {
            self.collect.record(record, diagnostics);
        }
        fn needs_positions(&self) -> bool {
            self.positions
        }
    }
    let mut diagnostics = Diagnostics::new();
    let mut read = Read {
        collect: Collect::default(),
        positions,
    };
    input::read_bytes(
        InputFormat::Jsonl,
        bytes,
        "input",
        ImportOptions::default(),
        &mut diagnostics,
        &mut read,
    )
    .expect("reading from memory");
    if !diagnostics.is_empty() {
        return None;
    }
    let mut records: Vec<RawRecord> = read.collect.0.into_iter().flat_map(|(_, records)| records).collect();
    for record in &mut records {
        record.pos = input::Pos::default();
        for field in &mut record.fields {
            blank(field);
        }
    }
    Some(records)
}

fn blank(field: &mut input::RawField) {
    field.pos = input::Pos::default();
    field.value_pos = input::Pos::default();
    blank_value(&mut field.value);
}

fn blank_value(value: &mut RawValue) {
    match value {
        RawValue::List(items) => {
            for (item, pos) in items {
                *pos = input::Pos::default();
                blank_value(item);
            }
        }
        RawValue::Object(fields) => fields.iter_mut().for_each(blank),
        _ => {}
    }
}

/// Decodes `%XX` escapes.
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = bytes
                .get(i + 1..i + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// An in-memory store holding the seed example, built once.
fn seed_store() -> (&'static GraphStore, &'static [String]) {
    static STORE: OnceLock<(GraphStore, Vec<String>)> = OnceLock::new();
    let (store, bases) = STORE.get_or_init(|| {
        let kb = KnowledgeBase::read_with(&ReadOptions::default(), &NoStore, |diagnostics, sink| {
            input::read_bytes(
                InputFormat::Json,
                include_bytes!("../examples/seed-article.json"),
                "seed-article.json",
                ImportOptions::default(),
                diagnostics,
                sink,
            )
        })
        .expect("the seed example is valid");
        let store = GraphStore::in_memory().expect("an in-memory store");
        store
            .load(kb.triples(), GraphNameRef::DefaultGraph)
            .expect("loading into memory");
        (store, kb.bases())
    });
    (store, bases)
}

/// A SPARQL query's text, as `query -e` gets it, with the prefixes a single-base run
/// declares: it parses, or the error is a query error (a syntax error, a prefix declared
/// nowhere, found where the error says, or nesting too deep), never a panic or a stack
/// overflow. It runs on a stack of the binary's size ([`query::STACK_SIZE`]). Queries are
/// not evaluated: what an arbitrary query asks for can take any time.
pub fn query(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let text = text.to_owned();
    let thread = std::thread::Builder::new()
        .stack_size(query::STACK_SIZE)
        .spawn(move || {
            let prefixes = crate::vocab::prefixes_for(&["https://kb.example.org/".to_owned()]);
            match query::parse(&text, "fuzz", &prefixes) {
                Ok(_) | Err(Error::QuerySyntax { .. } | Error::QueryTooDeep { .. }) => {}
                Err(Error::QueryPrefix {
                    line, column, prefix, ..
                }) => {
                    assert!(
                        !prefixes.iter().any(|(p, _)| *p == prefix),
                        "{text:?}: `{prefix}:` is declared"
                    );
                    let at: String = text
                        .split('\n')
                        .nth(line - 1)
                        .unwrap_or_default()
                        .chars()
                        .skip(column - 1)
                        .collect();
                    assert!(
                        at.starts_with(&format!("{prefix}:")),
                        "{text:?}: `{prefix}:` is not at {line}:{column}"
                    );
                }
                Err(other) => panic!("{text:?}: not a query error: {other}"),
            }
        })
        .expect("a thread for the query");
    if let Err(panic) = thread.join() {
        std::panic::resume_unwind(panic);
    }
}
