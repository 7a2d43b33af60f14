//! Property tests: any valid knowledge base maps to the same graph on every run and
//! survives export → parse in every RDF format; minted IRIs are valid and distinct; any
//! input, however broken, gives a result or diagnostics, never a panic.

mod common;

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

/// A valid knowledge base as a JSON document.
fn knowledge_base() -> impl Strategy<Value = Value> {
    (
        prop::collection::hash_set(id(), 1..6),
        prop::collection::hash_set(id(), 0..6),
    )
        .prop_flat_map(|(entity_ids, statement_ids)| {
            let entities: Vec<String> = entity_ids.into_iter().collect();
            let statement_ids: Vec<String> = statement_ids.into_iter().collect();
            let n = entities.len();
            let types = saidgraph::vocab::ENTITY_TYPES.len();
            let acts = saidgraph::vocab::ACTS.len();
            let entity_records = prop::collection::vec((0..types, text(), prop::collection::vec(text(), 0..3)), n);
            let statements = prop::collection::vec(
                (
                    0..n,
                    0..acts,
                    prop::collection::vec(0..n, 0..3),
                    proptest::option::of(text()),
                    proptest::option::of(prop_oneof![Just("en"), Just("ko"), Just("pt-BR")]),
                    proptest::option::of(date()),
                    proptest::option::of(0u32..=100),
                ),
                statement_ids.len()..=statement_ids.len() + 2,
            );
            (Just(entities), Just(statement_ids), entity_records, statements)
        })
        .prop_map(|(entities, statement_ids, entity_records, statements)| {
            let entity_values: Vec<Value> = entities
            .iter()
            .zip(entity_records)
            .map(|(id, (t, name, aliases))| {
                json!({"id": id, "type": saidgraph::vocab::ENTITY_TYPES[t].0, "name": name, "aliases": aliases})
            })
            .collect();
            let statement_values: Vec<Value> = statements
                .into_iter()
                .enumerate()
                .map(|(i, (speaker, act, addressees, quote, lang, date, confidence))| {
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
                    s
                })
                .collect();
            json!({"entities": entity_values, "statements": statement_values})
        })
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
    fn minted_iris_are_valid_and_never_collide(ids in prop::collection::hash_set(any::<String>(), 1..20)) {
        let mut seen = HashSet::new();
        for id in &ids {
            let iri = mint("https://kb.example.org/", RecordKind::Entity, id);
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
