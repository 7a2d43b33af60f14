//! Valid knowledge bases: the same graph every run, in every input form and every RDF
//! format; valid, distinct minted IRIs; a record made invalid refused with its field named.

use std::collections::HashSet;

use oxigraph::io::RdfFormat;
use oxigraph::model::{Dataset, GraphNameRef, Term, Triple};
use proptest::prelude::*;
use saidgraph::NoStore;
use saidgraph::RecordKind;
use saidgraph::testing::mint;
use saidgraph::{Error, InputSpec, KnowledgeBase, RdfVersion, ReadOptions};
use serde_json::{Value, json};

use super::strategies::knowledge_base;
use super::{as_json_lines, read};
use crate::common;

fn dataset(triples: &[Triple]) -> Dataset {
    let mut dataset: Dataset = triples
        .iter()
        .map(|t| t.as_ref().in_graph(GraphNameRef::DefaultGraph))
        .collect();
    dataset.canonicalize(oxigraph::model::dataset::CanonicalizationAlgorithm::Unstable);
    dataset
}

fn read_paths(paths: &[std::path::PathBuf]) -> Result<KnowledgeBase, Error> {
    let specs: Vec<InputSpec> = paths.iter().map(InputSpec::new).collect();
    KnowledgeBase::read(&specs, &ReadOptions::default(), &NoStore)
}

/// `triples` written sorted in `format`, and the graph parsed back from the bytes.
fn round_trip(
    triples: Vec<Triple>,
    format: RdfFormat,
    prefixes: &[(String, String)],
) -> Result<(Vec<u8>, Dataset), TestCaseError> {
    let mut bytes = Vec::new();
    saidgraph::testing::write_sorted(triples, format, prefixes, &mut bytes)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let parsed = common::parse(&bytes, format)
        .map_err(|e| TestCaseError::fail(format!("{format}: {e}\n{}", String::from_utf8_lossy(&bytes))))?;
    Ok((bytes, parsed))
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
        let prefixes = saidgraph::testing::prefixes_for(&["https://kb.example.org/".to_owned()]);
        for format in FORMATS {
            let (bytes, parsed) = round_trip(triples.clone(), format, &prefixes)?;
            prop_assert_eq!(&parsed, &expected, "{} changed the graph:\n{}", format, String::from_utf8_lossy(&bytes));
        }
        // RDF 1.2: one reifier per relation, surviving every format that carries triple
        // terms, in the same bytes whatever order the triples come in.
        let mut triples12 = triples.clone();
        RdfVersion::Rdf12.complete(&mut triples12);
        let reifiers = triples12.len() - triples.len();
        prop_assert_eq!(reifiers, first.counts()[3], "not one reifier per relation");
        let expected12 = dataset(&triples12);
        for format in FORMATS.into_iter().filter(|f| !matches!(f, RdfFormat::JsonLd { .. })) {
            let (bytes, parsed) = round_trip(triples12.clone(), format, &prefixes)?;
            prop_assert_eq!(&parsed, &expected12, "{} changed the RDF 1.2 graph:\n{}", format, String::from_utf8_lossy(&bytes));
            let (reversed, _) = round_trip(triples12.iter().rev().cloned().collect(), format, &prefixes)?;
            prop_assert_eq!(&bytes, &reversed, "{} 1.2: the order triples came in changed the bytes", format);
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
        let columns: Vec<&str> = saidgraph::testing::fields_of(kind).to_vec();
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

/// Writes, with the streaming path (two passes, the second on the fast parser), `inputs`
/// in `format` (N-Triples, N-Quads or Turtle), in RDF 1.1 or 1.2.
fn streamed(paths: &[std::path::PathBuf], format: RdfFormat, rdf: RdfVersion) -> Result<Vec<u8>, Error> {
    let specs: Vec<InputSpec> = paths.iter().map(InputSpec::new).collect();
    let inputs = saidgraph::testing::Rereadable::new(&specs)?;
    let options = ReadOptions::default();
    let (resolver, _) = saidgraph::testing::check(&inputs.inputs, &options, &NoStore)?;
    let mut out = Vec::new();
    saidgraph::testing::write(&inputs, &options, &resolver, format, rdf, &mut out)?;
    Ok(out)
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
        let triples = read_paths(&[json_path]).map_err(|e| TestCaseError::fail(e.to_string()))?.triples();
        let expected = dataset(&triples);
        let mut triples12 = triples;
        RdfVersion::Rdf12.complete(&mut triples12);
        let expected12 = dataset(&triples12);

        let lines = as_json_lines(&kb);
        let lines_path = folder.path().join("kb.jsonl");
        std::fs::write(&lines_path, &lines).map_err(io)?;
        let from_lines = read_paths(std::slice::from_ref(&lines_path))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{lines}")))?;
        prop_assert_eq!(&dataset(&from_lines.triples()), &expected, "JSON Lines gave another graph:\n{}", lines);
        for format in [RdfFormat::NTriples, RdfFormat::Turtle] {
            for (rdf, expected) in [(RdfVersion::Rdf11, &expected), (RdfVersion::Rdf12, &expected12)] {
                let bytes = streamed(std::slice::from_ref(&lines_path), format, rdf)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let graph = common::parse(&bytes, format)
                    .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&bytes))))?;
                prop_assert_eq!(&graph, expected, "JSON Lines streamed to {} ({:?}) gave another graph:\n{}", format, rdf, lines);
            }
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
}
