//! Property tests: any valid knowledge base (sources, entities, statements with every
//! field, relations) maps to the same graph on every run, in every input form (JSON,
//! JSON Lines read in memory or streamed to N-Triples and Turtle, CSV tables), and
//! survives export → parse in every RDF format; minted IRIs are valid and distinct for
//! every kind of record and any base; a record made invalid is refused with its field
//! named; any input, however broken — JSON, JSON Lines, CSV tables, GDELT rows,
//! Quotebank lines — gives a result or diagnostics, never a panic. The broken-input properties run the
//! checks of the fuzz targets (`saidgraph::fuzz`) on structured input.

use crate::common;
use std::collections::HashSet;

use oxigraph::io::RdfFormat;
use oxigraph::model::{Dataset, GraphNameRef, Term, Triple};
use proptest::prelude::*;
use saidgraph::input::RecordKind;
use saidgraph::resolve::{NoStore, mint};
use saidgraph::{Error, InputSpec, KnowledgeBase, ReadOptions};
use serde_json::{Value, json};

/// Ids as people write them, and as they should not but may: spaces, `#`, `%`, `<>`,
/// quotes, newlines, backslashes, emoji, non-Latin scripts.
fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9-]{0,10}",
        "\\PC{1,12}",
        "[ #%<>\"\\\\\n/.?&=😀ä한글Ω]{1,8}",
    ]
    .prop_filter("an id is not blank", |s| !s.trim().is_empty())
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof!["[A-Za-z ]{1,20}", "\\PC{1,30}", "[a\"\\\\\n\t\r😀<>]{1,10}"]
        .prop_filter("text is not blank", |s| !s.trim().is_empty())
}

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        (1000u32..2100).prop_map(|y| format!("{y}")),
        (1000u32..2100, 1u32..13).prop_map(|(y, m)| format!("{y}-{m:02}")),
        (1000u32..2100, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        (1000u32..2100, 1u32..13, 1u32..29, 0u32..24)
            .prop_map(|(y, m, d, h)| format!("{y}-{m:02}-{d:02}T{h:02}:30:00Z")),
    ]
}

fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9/._~-]{0,12}".prop_map(|path| format!("https://example.org/{path}")),
        "[äöü한글/]{1,6}".prop_map(|path| format!("http://例え.jp/{path}")),
    ]
}

fn language() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("en"), Just("ko"), Just("pt-BR")]
}

/// A valid knowledge base as a JSON document: entities (with aliases, descriptions and
/// Wikidata links), sources (with publishers), statements with every field (references to
/// entities, sources and earlier statements, stances, quotes, dates) and relations.
fn knowledge_base() -> impl Strategy<Value = Value> {
    (
        prop::collection::hash_set(id(), 1..6),
        prop::collection::hash_set(id(), 0..6),
        prop::collection::hash_set(id(), 0..3),
    )
        .prop_flat_map(|(entity_ids, statement_ids, source_ids)| {
            let entities: Vec<String> = entity_ids.into_iter().collect();
            let statement_ids: Vec<String> = statement_ids.into_iter().collect();
            let sources: Vec<String> = source_ids.into_iter().collect();
            let n = entities.len();
            let types = saidgraph::vocab::ENTITY_TYPES.len();
            let acts = saidgraph::vocab::ACTS.len();
            let entity_records = prop::collection::vec(
                (
                    0..types,
                    text(),
                    prop::collection::vec(text(), 0..3),
                    proptest::option::of(text()),
                    prop::collection::vec((1u32..100_000, any::<bool>()), 0..2),
                ),
                n,
            );
            let source_records = prop::collection::vec(
                (
                    proptest::option::of(text()),
                    proptest::option::of(url()),
                    proptest::option::of(0..n),
                    proptest::option::of(date()),
                    proptest::option::of(language()),
                ),
                sources.len(),
            );
            let statements = prop::collection::vec(
                (
                    (
                        0..n,
                        0..acts,
                        prop::collection::vec(0..n, 0..3),
                        proptest::option::of(text()),
                        proptest::option::of(language()),
                        proptest::option::of(date()),
                        proptest::option::of(0u32..=100),
                    ),
                    (
                        prop::collection::vec(0..n, 0..2),
                        proptest::option::of(0..n),
                        proptest::option::of(any::<usize>()),
                        proptest::option::of(0..n),
                        proptest::option::of(any::<usize>()),
                        proptest::option::of(0..saidgraph::vocab::STANCES.len()),
                    ),
                ),
                statement_ids.len()..=statement_ids.len() + 2,
            );
            let relations = prop::collection::vec(
                (
                    0..n,
                    0..saidgraph::vocab::RELATION_PREDICATES.len(),
                    0..n,
                    proptest::option::of(date()),
                    proptest::option::of(any::<usize>()),
                ),
                0..3,
            );
            (
                Just((entities, statement_ids, sources)),
                entity_records,
                source_records,
                statements,
                relations,
            )
        })
        .prop_map(
            |((entities, statement_ids, sources), entity_records, source_records, statements, relations)| {
                let pick_source = |k: Option<usize>| k.filter(|_| !sources.is_empty()).map(|k| sources[k % sources.len()].clone());
                let entity_values: Vec<Value> = entities
                    .iter()
                    .zip(entity_records)
                    .map(|(id, (t, name, aliases, description, links))| {
                        let mut e = json!({"id": id, "type": saidgraph::vocab::ENTITY_TYPES[t].0, "name": name, "aliases": aliases});
                        if let Some(description) = description {
                            e["description"] = json!(description);
                        }
                        if !links.is_empty() {
                            let links: Vec<String> = links
                                .into_iter()
                                .map(|(q, prefixed)| if prefixed { format!("wd:Q{q}") } else { format!("http://www.wikidata.org/entity/Q{q}") })
                                .collect();
                            e["same_as"] = json!(links);
                        }
                        e
                    })
                    .collect();
                let source_values: Vec<Value> = sources
                    .iter()
                    .zip(source_records)
                    .map(|(id, (title, url, publisher, published, language))| {
                        let mut s = json!({"id": id});
                        let fields = [
                            ("title", title),
                            ("url", url),
                            ("publisher", publisher.map(|p| entities[p].clone())),
                            ("published", published),
                            ("language", language.map(str::to_owned)),
                        ];
                        for (field, value) in fields {
                            if let Some(value) = value {
                                s[field] = json!(value);
                            }
                        }
                        s
                    })
                    .collect();
                let statement_values: Vec<Value> = statements
                    .into_iter()
                    .enumerate()
                    .map(|(i, ((speaker, act, addressees, quote, lang, date, confidence), (about, place, source, reported_by, reply, stance)))| {
                        let mut s = json!({"speaker": entities[speaker], "act": saidgraph::vocab::ACTS[act].name,
                        "addressees": addressees.iter().map(|a| entities[*a].clone()).collect::<Vec<_>>()});
                        if let Some(id) = statement_ids.get(i) {
                            s["id"] = json!(id);
                        } else {
                            // Records without an id must still differ, or they are one record twice.
                            s["summary"] = json!(format!("statement {i}"));
                        }
                        if let Some(quote) = quote {
                            s["quote"] = json!(quote);
                            if let Some(lang) = lang {
                                s["quote_lang"] = json!(lang);
                            }
                        }
                        if let Some(date) = date {
                            s["date"] = json!(date);
                        }
                        if let Some(c) = confidence {
                            s["confidence"] = json!(f64::from(c) / 100.0);
                        }
                        if !about.is_empty() {
                            s["about"] = json!(about.iter().map(|a| entities[*a].clone()).collect::<Vec<_>>());
                        }
                        if let Some(place) = place {
                            s["place"] = json!(entities[place]);
                        }
                        if let Some(source) = pick_source(source) {
                            s["source"] = json!(source);
                        }
                        if let Some(reported_by) = reported_by {
                            s["reported_by"] = json!(entities[reported_by]);
                        }
                        // A reply to an earlier statement that has an id.
                        if let Some(k) = reply
                            && i > 0
                            && let Some(earlier) = statement_ids.get(k % i)
                        {
                            s["in_reply_to"] = json!(earlier);
                        }
                        if let Some(stance) = stance {
                            s["stance"] = json!(saidgraph::vocab::STANCES[stance].0);
                        }
                        s
                    })
                    .collect();
                let mut seen = HashSet::new();
                let relation_values: Vec<Value> = relations
                    .into_iter()
                    .map(|(subject, predicate, object, date, source)| (subject, predicate, object, date, pick_source(source)))
                    // Relations without an id must differ, or they are one relation twice.
                    .filter(|relation| seen.insert(relation.clone()))
                    .map(|(subject, predicate, object, date, source)| {
                        let mut r = json!({"subject": entities[subject], "predicate": saidgraph::vocab::RELATION_PREDICATES[predicate].0, "object": entities[object]});
                        if let Some(date) = date {
                            r["date"] = json!(date);
                        }
                        if let Some(source) = source {
                            r["source"] = json!(source);
                        }
                        r
                    })
                    .collect();
                json!({"sources": source_values, "entities": entity_values, "statements": statement_values, "relations": relation_values})
            },
        )
}

fn read(json: &str) -> Result<KnowledgeBase, Error> {
    let folder = tempfile::tempdir().map_err(|e| Error::Usage(e.to_string()))?;
    let path = folder.path().join("kb.json");
    std::fs::write(&path, json).map_err(|e| Error::Usage(e.to_string()))?;
    KnowledgeBase::read(&[InputSpec::new(&path)], &ReadOptions::default(), &NoStore)
}

fn dataset(triples: &[Triple]) -> Dataset {
    let mut dataset: Dataset = triples
        .iter()
        .map(|t| t.as_ref().in_graph(GraphNameRef::DefaultGraph))
        .collect();
    dataset.canonicalize(oxigraph::model::dataset::CanonicalizationAlgorithm::Unstable);
    dataset
}

const FORMATS: [RdfFormat; 6] = [
    RdfFormat::Turtle,
    RdfFormat::NTriples,
    RdfFormat::NQuads,
    RdfFormat::TriG,
    RdfFormat::RdfXml,
    RdfFormat::JsonLd {
        profile: oxigraph::io::JsonLdProfileSet::empty(),
    },
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn valid_knowledge_bases_map_the_same_every_run_and_survive_every_format(kb in knowledge_base()) {
        let text = kb.to_string();
        let first = read(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let triples = first.triples();
        let again = read(&text).map_err(|e| TestCaseError::fail(e.to_string()))?.triples();
        prop_assert_eq!(&triples, &again, "the same input gave other triples");
        let expected = dataset(&triples);
        let prefixes = saidgraph::commands::prefixes_for(&["https://kb.example.org/".to_owned()]);
        for format in FORMATS {
            let mut bytes = Vec::new();
            saidgraph::export::write_sorted(triples.clone(), format, &prefixes, &mut bytes)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let parsed = common::parse(&bytes, format).map_err(|e| {
                TestCaseError::fail(format!("{format}: {e}\n{}", String::from_utf8_lossy(&bytes)))
            })?;
            prop_assert_eq!(&parsed, &expected, "{} changed the graph:\n{}", format, String::from_utf8_lossy(&bytes));
        }
        for triple in &triples {
            if let Term::NamedNode(iri) = &triple.object {
                prop_assert!(iri_string::types::IriStr::new(iri.as_str()).is_ok(), "{}", iri);
            }
        }
    }

    #[test]
    fn minted_iris_are_valid_and_never_collide(
        ids in prop::collection::hash_set(any::<String>(), 1..20),
        base in prop_oneof![
            Just("https://kb.example.org/"), Just("http://example.org/kb#"), Just("https://例え.jp/知識/"),
            Just("urn:x-kb:"), Just("https://kb.example.org/a%20b/"),
        ],
    ) {
        let mut seen = HashSet::new();
        for (id, kind) in ids.iter().flat_map(|id| RecordKind::ALL.into_iter().map(move |kind| (id, kind))) {
            let iri = mint(base, kind, id);
            prop_assert!(iri_string::types::IriStr::new(iri.as_str()).is_ok(), "{:?} gave {}", id, iri);
            prop_assert!(oxigraph::model::NamedNode::new(iri.as_str()).is_ok(), "{:?} gave {}", id, iri);
            prop_assert!(seen.insert(iri.clone()), "{:?} collided: {}", id, iri);
        }
    }

    #[test]
    fn broken_records_give_diagnostics_never_a_panic(
        kb in knowledge_base(),
        path in prop::collection::vec(0usize..8, 1..4),
        replacement in prop_oneof![
            Just(Value::Null), any::<bool>().prop_map(Value::from), any::<f64>().prop_map(|f| json!(f)),
            "\\PC{0,10}".prop_map(Value::from), Just(json!([])), Just(json!({"x": [1, {"y": null}]})),
        ],
        extra in proptest::option::of(("[a-z_]{1,8}", "\\PC{0,5}")),
    ) {
        let mut kb = kb;
        // Walk into the document along `path` and replace what is there.
        let mut pointer = String::new();
        let mut here = &kb;
        for step in path {
            let (key, next) = match here {
                Value::Object(map) if !map.is_empty() => {
                    let key = map.keys().nth(step % map.len()).cloned().unwrap_or_default();
                    let next = &map[&key];
                    (key, next)
                }
                Value::Array(items) if !items.is_empty() => ((step % items.len()).to_string(), &items[step % items.len()]),
                _ => break,
            };
            pointer.push('/');
            pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
            here = next;
        }
        if let Some(slot) = kb.pointer_mut(&pointer) {
            *slot = replacement;
        }
        if let (Some((key, value)), Value::Object(map)) = (extra, &mut kb) {
            map.insert(key, json!(value));
        }
        match read(&kb.to_string()) {
            Ok(parsed) => { parsed.triples(); }
            Err(Error::Invalid(diagnostics)) => prop_assert!(!diagnostics.is_empty()),
            Err(other) => prop_assert!(false, "unexpected error kind: {}", other),
        }
    }

    /// A record made invalid in a way the contract names (a dangling reference, an
    /// unknown act, type, stance or predicate, a bad date, confidence or IRI, a missing
    /// name, an id given twice, an unknown field) is refused, and the error names the field.
    #[test]
    fn invalid_records_are_refused_with_their_field_named(kb in knowledge_base(), choice in 0usize..12) {
        let mut kb = kb;
        let has_statement = kb["statements"].as_array().is_some_and(|s| !s.is_empty());
        let (pointer, value, field): (&str, Value, &str) = match (choice, has_statement) {
            (0, true) => ("/statements/0/speaker", json!("nobody-☃"), "speaker"),
            (1, true) => ("/statements/0/act", json!("shout_loudly"), "act"),
            (2, true) => ("/statements/0/date", json!("2024-13-01"), "date"),
            (3, true) => ("/statements/0/confidence", json!(1.5), "confidence"),
            (4, true) => ("/statements/0/addressees", json!(["nobody-☃"]), "addressees"),
            (5, true) => ("/statements/0/stance", json!("ambivalent"), "stance"),
            (6, _) => ("/entities/0/same_as", json!(["wd:Q1 Q2"]), "same_as"),
            (7, _) => ("/entities/0/name", json!(""), "name"),
            (8, _) => ("/entities/0/nmae", json!("x"), "nmae"),
            (9, _) => ("/relations/0", json!({"subject": "nobody-☃", "predicate": "member_of", "object": "nobody-☃"}), "subject"),
            (10, _) => ("/relations/0", json!({"subject": kb["entities"][0]["id"], "predicate": "likes", "object": kb["entities"][0]["id"]}), "predicate"),
            _ => ("/entities/0/type", json!("planet"), "type"),
        };
        if pointer.starts_with("/relations/") {
            let relations = kb["relations"].as_array_mut().ok_or_else(|| TestCaseError::fail("relations"))?;
            relations.insert(0, value);
        } else {
            let (parent, key) = pointer.rsplit_once('/').ok_or_else(|| TestCaseError::fail("pointer"))?;
            let record = kb.pointer_mut(parent).and_then(Value::as_object_mut).ok_or_else(|| TestCaseError::fail(pointer))?;
            record.insert(key.to_owned(), value);
        }
        match read(&kb.to_string()) {
            Err(Error::Invalid(diagnostics)) => {
                let report = diagnostics.to_string();
                prop_assert!(report.contains(&format!(": {field}: ")), "{} not named:\n{}\n{}", field, report, kb);
            }
            Ok(_) => prop_assert!(false, "{} was accepted:\n{}", field, kb),
            Err(other) => prop_assert!(false, "unexpected error kind: {}", other),
        }
    }

    #[test]
    fn arbitrary_bytes_give_diagnostics_never_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let folder = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        for name in ["kb.json", "kb.jsonl"] {
            let path = folder.path().join(name);
            std::fs::write(&path, &bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
            match KnowledgeBase::read(&[InputSpec::new(&path)], &ReadOptions::default(), &NoStore) {
                Ok(_) | Err(Error::Invalid(_)) => {}
                Err(other) => prop_assert!(false, "unexpected error kind: {}", other),
            }
        }
    }
}

/// The JSON document as JSON Lines: one line per record, `record` naming its kind.
fn as_json_lines(kb: &Value) -> String {
    let mut lines = String::new();
    for kind in RecordKind::ALL {
        for record in kb[kind.plural()].as_array().into_iter().flatten() {
            let mut record = record.clone();
            record["record"] = json!(kind.name());
            lines.push_str(&record.to_string());
            lines.push('\n');
        }
    }
    lines
}

/// The JSON document as CSV tables, one per kind, if it can be written as tables: list
/// items must hold no `|` and no surrounding spaces, and no value may be empty (an empty
/// cell is an absent field).
fn as_csv_tables(kb: &Value) -> Option<Vec<(String, Vec<u8>)>> {
    let mut tables = Vec::new();
    for kind in RecordKind::ALL {
        let Some(records) = kb[kind.plural()].as_array() else {
            continue;
        };
        let columns: Vec<&str> = saidgraph::model::fields_of(kind).to_vec();
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&columns).ok()?;
        for record in records {
            let mut row = Vec::new();
            for column in &columns {
                let cell = match &record[*column] {
                    Value::Null => String::new(),
                    Value::String(s) if !s.is_empty() => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Array(items) => {
                        let items: Vec<&str> = items.iter().map(Value::as_str).collect::<Option<_>>()?;
                        if items.iter().any(|i| i.is_empty() || i.contains('|') || i.trim() != *i) {
                            return None;
                        }
                        items.join("|")
                    }
                    _ => return None,
                };
                row.push(cell);
            }
            writer.write_record(&row).ok()?;
        }
        tables.push((format!("{}.csv", kind.plural()), writer.into_inner().ok()?));
    }
    Some(tables)
}

fn read_paths(paths: &[std::path::PathBuf]) -> Result<KnowledgeBase, Error> {
    let specs: Vec<InputSpec> = paths.iter().map(InputSpec::new).collect();
    KnowledgeBase::read(&specs, &ReadOptions::default(), &NoStore)
}

/// Writes, with the streaming path (two passes, the second on the fast parser), `inputs`
/// in `format` (N-Triples, N-Quads or Turtle).
fn streamed(paths: &[std::path::PathBuf], format: RdfFormat) -> Result<Vec<u8>, Error> {
    let specs: Vec<InputSpec> = paths.iter().map(InputSpec::new).collect();
    let inputs = saidgraph::stream::Rereadable::new(&specs)?;
    let options = ReadOptions::default();
    let (resolver, _) = saidgraph::stream::check(&inputs.inputs, &options, &NoStore)?;
    let mut out = Vec::new();
    saidgraph::stream::write(&inputs, &options, &resolver, format, &mut out)?;
    Ok(out)
}

/// A GDELT event row: 61 cells (2.0), 58 or 57 (1.0), of plausible and implausible values.
fn gdelt_row() -> impl Strategy<Value = String> {
    let cell = prop_oneof![
        Just(String::new()),
        "[0-9]{1,9}",
        "(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9])",
        "[A-Z]{3,9}",
        "[A-Za-z ]{1,20}",
        "-?[0-9]{1,2}\\.[0-9]{1,3}",
        "https?://[a-z]{1,8}\\.example/[a-z0-9/]{0,12}",
        "\\PC{1,12}",
    ];
    (
        prop_oneof![Just(61usize), Just(58), Just(57), 1usize..70],
        prop::collection::vec(cell, 70),
        "[0-9]{1,6}",
        "0[1-9][0-9]{0,2}|1[0-9]{2}|[0-9]{2,4}",
        "[1-4]",
    )
        .prop_map(|(width, mut cells, id, code, quad)| {
            cells.truncate(width);
            if width > 29 {
                cells[0] = id;
                cells[26] = code;
                cells[29] = quad;
            }
            cells.join("\t")
        })
}

/// A Quotebank quotation as one of its JSON line forms.
fn quotebank_line() -> impl Strategy<Value = String> {
    let qid = "Q[0-9]{1,6}";
    (
        "[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{6}",
        text(),
        prop_oneof![Just("None".to_owned()), text()],
        prop::collection::vec(qid, 0..3),
        prop_oneof![
            Just(json!("2020-01-17 00:00:00")),
            any::<i64>().prop_map(|ms| json!(ms)),
            "\\PC{0,12}".prop_map(|s| json!(s)),
        ],
        proptest::option::of(0u64..1000),
        prop::collection::vec((text(), "0\\.[0-9]{1,4}"), 0..3),
        prop::collection::vec(
            prop_oneof!["https://[a-z]{1,8}\\.example/[a-z]{0,8}", "\\PC{1,10}"],
            0..3,
        ),
        any::<bool>(),
    )
        .prop_map(
            |(id, quotation, speaker, qids, date, occurrences, probas, urls, misspelt)| {
                let mut line = json!({"quoteID": id, "quotation": quotation, "speaker": speaker, "qids": qids,
                "date": date, "probas": probas.iter().map(|(n, p)| json!([n, p])).collect::<Vec<_>>(), "urls": urls});
                if let Some(n) = occurrences {
                    line[if misspelt { "numOccurences" } else { "numOccurrences" }] = json!(n);
                }
                line.to_string()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The same knowledge base as a JSON document, as JSON Lines (read in memory, and
    /// streamed in two passes) and as CSV tables maps to the same graph.
    #[test]
    fn every_input_form_maps_to_the_same_graph(kb in knowledge_base()) {
        let folder = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let io = |e: std::io::Error| TestCaseError::fail(e.to_string());
        let json_path = folder.path().join("kb.json");
        std::fs::write(&json_path, kb.to_string()).map_err(io)?;
        let expected = dataset(&read_paths(&[json_path]).map_err(|e| TestCaseError::fail(e.to_string()))?.triples());

        let lines = as_json_lines(&kb);
        let lines_path = folder.path().join("kb.jsonl");
        std::fs::write(&lines_path, &lines).map_err(io)?;
        let from_lines = read_paths(std::slice::from_ref(&lines_path))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{lines}")))?;
        prop_assert_eq!(&dataset(&from_lines.triples()), &expected, "JSON Lines gave another graph:\n{}", lines);
        for format in [RdfFormat::NTriples, RdfFormat::Turtle] {
            let bytes = streamed(std::slice::from_ref(&lines_path), format).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let graph = common::parse(&bytes, format)
                .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&bytes))))?;
            prop_assert_eq!(&graph, &expected, "JSON Lines streamed to {} gave another graph:\n{}", format, lines);
        }

        if let Some(tables) = as_csv_tables(&kb) {
            let tables_path = folder.path().join("tables");
            std::fs::create_dir(&tables_path).map_err(io)?;
            for (name, bytes) in &tables {
                std::fs::write(tables_path.join(name), bytes).map_err(io)?;
            }
            let from_tables = read_paths(&[tables_path]).map_err(|e| {
                let shown: Vec<String> = tables.iter().map(|(n, b)| format!("{n}:\n{}", String::from_utf8_lossy(b))).collect();
                TestCaseError::fail(format!("{e}\n{}", shown.join("\n")))
            })?;
            prop_assert_eq!(&dataset(&from_tables.triples()), &expected, "CSV tables gave another graph");
        }
    }

    /// JSON Lines with a line broken (a value replaced, bytes cut or inserted): triples
    /// that are valid RDF, or diagnostics; never a panic; and both parsers agree.
    #[test]
    fn broken_json_lines_give_diagnostics_never_a_panic(
        kb in knowledge_base(),
        line in 0usize..20,
        cut in 0usize..200,
        insert in prop::collection::vec(any::<u8>(), 0..8),
    ) {
        let mut lines: Vec<Vec<u8>> = as_json_lines(&kb).lines().map(|l| l.as_bytes().to_vec()).collect();
        let at = line % lines.len();
        let broken = &mut lines[at];
        let cut = cut.min(broken.len());
        broken.splice(cut..cut, insert);
        saidgraph::fuzz::jsonl(&lines.join(&b'\n'));
    }

    /// CSV tables with any cells under any header: records or diagnostics, never a panic.
    #[test]
    fn any_csv_table_gives_records_or_diagnostics(
        kind in 0u8..4,
        header in prop::collection::vec(prop_oneof![
            Just("id"), Just("type"), Just("name"), Just("aliases"), Just("speaker"), Just("act"), Just("date"),
            Just("confidence"), Just("addressees"), Just("subject"), Just("predicate"), Just("object"), Just("bogus"),
        ], 1..8),
        rows in prop::collection::vec(prop::collection::vec(prop_oneof![
            Just(String::new()), text(), "[a-z]{1,3}(\\|[a-z]{1,3}){0,3}", "[0-9.]{1,5}", "\\PC{0,8}",
            Just("person".to_owned()), Just("2024-06-20".to_owned()),
        ], 0..9), 0..6),
    ) {
        // Rows as long or as short as they come: the reader is flexible, so the writer is too.
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(vec![kind]);
        let ok = writer.write_record(&header).is_ok()
            && rows.iter().all(|row| writer.write_record(row).is_ok());
        prop_assert!(ok, "a flexible writer takes any rows");
        let bytes = writer.into_inner().map_err(|e| TestCaseError::fail(e.to_string()))?;
        saidgraph::fuzz::csv(&bytes);
    }

    /// GDELT rows of every width and any values: statements or diagnostics or skipped
    /// rows, never a panic; the triples are valid RDF.
    #[test]
    fn any_gdelt_rows_import_or_are_reported(rows in prop::collection::vec(gdelt_row(), 1..5), all_events in any::<bool>()) {
        let mut bytes = vec![u8::from(all_events)];
        bytes.extend_from_slice(rows.join("\n").as_bytes());
        saidgraph::fuzz::gdelt(&bytes);
    }

    /// Quotebank lines in their variants, with any values: quotations or diagnostics,
    /// never a panic.
    #[test]
    fn any_quotebank_lines_import_or_are_reported(lines in prop::collection::vec(quotebank_line(), 1..5), keep in any::<bool>()) {
        let mut bytes = vec![u8::from(keep)];
        bytes.extend_from_slice(lines.join("\n").as_bytes());
        saidgraph::fuzz::quotebank(&bytes);
    }
}
