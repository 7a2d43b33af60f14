//! The assets compiled into the binary: the ontology declares every term the code and
//! the mapping use, and every named query is registered, parses and documents itself.

use std::collections::HashSet;

use crate::common::{self, TestResult};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{NamedNode, Term, Triple};
use oxigraph::sparql::SparqlEvaluator;
use saidgraph::vocab::{self, ACT, ACTS, SG};
use saidgraph::{InputSpec, KnowledgeBase, ReadOptions};

fn ontology() -> Vec<Triple> {
    saidgraph::testing::ontology_triples().expect("the ontology parses")
}

/// IRIs the ontology gives a type to.
fn declared() -> HashSet<String> {
    ontology()
        .into_iter()
        .filter(|t| t.predicate.as_ref() == rdf::TYPE)
        .map(|t| t.subject.to_string().trim_matches(['<', '>']).to_owned())
        .collect()
}

#[test]
fn ontology_files_are_all_compiled_in_and_parse_without_blank_nodes() -> TestResult {
    let shipped: HashSet<String> = vocab::ONTOLOGY_FILES
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .collect();
    for entry in std::fs::read_dir(common::root().join("ontology"))? {
        let name = format!("ontology/{}", entry?.file_name().to_string_lossy());
        // The SHACL shapes describe exports; stores do not load them (tests/integration/shapes.rs).
        if name.ends_with(".ttl") && name != "ontology/shapes.ttl" {
            assert!(shipped.contains(&name), "{name} is not in vocab::ONTOLOGY_FILES");
        }
    }
    for (name, text) in vocab::ONTOLOGY_FILES {
        for quad in RdfParser::from_format(RdfFormat::Turtle).for_slice(text.as_bytes()) {
            let quad = quad?;
            assert!(
                !quad.subject.is_blank_node() && !quad.object.is_blank_node(),
                "{name} has a blank node: {quad}"
            );
        }
    }
    Ok(())
}

#[test]
fn every_vocabulary_constant_is_declared() {
    let declared = declared();
    let mut missing: Vec<String> = vocab::sg::ALL
        .iter()
        .map(|t| t.as_str().to_owned())
        .chain(ACTS.iter().map(|a| a.iri()))
        .chain(std::iter::once(format!("{ACT}scheme")))
        .filter(|iri| !declared.contains(iri))
        .collect();
    missing.sort();
    assert!(missing.is_empty(), "not declared in ontology/: {missing:?}");
}

#[test]
fn acts_carry_their_cameo_codes_and_labels() {
    let triples = ontology();
    let object = |subject: &str, predicate: &str| -> Vec<String> {
        triples
            .iter()
            .filter(|t| t.subject.to_string() == format!("<{subject}>") && t.predicate.as_str() == predicate)
            .map(|t| match &t.object {
                Term::Literal(l) => l.value().to_owned(),
                other => other.to_string(),
            })
            .collect()
    };
    for act in ACTS {
        let notation = object(&act.iri(), "http://www.w3.org/2004/02/skos/core#notation");
        assert_eq!(
            notation,
            act.cameo.into_iter().map(str::to_owned).collect::<Vec<_>>(),
            "{}",
            act.name
        );
        assert_eq!(
            object(&act.iri(), "http://www.w3.org/2004/02/skos/core#prefLabel").len(),
            1,
            "{}",
            act.name
        );
        assert_eq!(
            object(&act.iri(), "http://www.w3.org/2004/02/skos/core#inScheme"),
            [format!("<{ACT}scheme>")],
            "{}",
            act.name
        );
    }
}

/// A knowledge base using every act, type, stance and relation predicate.
fn everything() -> serde_json::Value {
    let types: Vec<_> = vocab::ENTITY_TYPES
        .iter()
        .map(|(name, _)| serde_json::json!({"id": name, "type": name, "name": name}))
        .collect();
    let mut statements: Vec<_> = ACTS
        .iter()
        .map(|act| {
            serde_json::json!({"id": act.name, "speaker": "person", "act": act.name, "addressees": ["country"],
            "about": ["agreement"], "place": "place", "reported_by": "outlet", "source": "src", "quote": "q",
            "summary": "s", "date": "2024", "confidence": 0.5})
        })
        .collect();
    for (i, (stance, _)) in vocab::STANCES.iter().enumerate() {
        statements.push(serde_json::json!({"id": format!("stance-{i}"), "speaker": "person", "stance": stance, "in_reply_to": "say"}));
    }
    let relations: Vec<_> = vocab::RELATION_PREDICATES
        .iter()
        .map(|(name, _)| serde_json::json!({"subject": "person", "predicate": name, "object": "group", "source": "src", "date": "2024-01"}))
        .collect();
    serde_json::json!({
        "sources": [{"id": "src", "title": "t", "url": "https://example.org/", "publisher": "outlet", "published": "2024-01-01", "language": "en"}],
        "entities": types, "statements": statements, "relations": relations
    })
}

#[test]
fn every_term_the_mapping_emits_is_declared() -> TestResult {
    let folder = tempfile::tempdir()?;
    let path = folder.path().join("everything.json");
    std::fs::write(&path, everything().to_string())?;
    let kb = KnowledgeBase::read(&[InputSpec::new(&path)], &ReadOptions::default(), &saidgraph::NoStore)?;
    let declared = declared();
    let mut used = HashSet::new();
    for triple in kb.triples() {
        let mut iris: Vec<NamedNode> = vec![triple.predicate.clone()];
        if let Term::NamedNode(object) = &triple.object {
            iris.push(object.clone());
        }
        if let Term::Literal(literal) = &triple.object {
            iris.push(literal.datatype().into_owned());
        }
        used.extend(
            iris.into_iter()
                .map(|i| i.as_str().to_owned())
                .filter(|i| i.starts_with(SG) || i.starts_with(ACT)),
        );
    }
    assert!(
        used.len() > 50,
        "the test knowledge base should use most terms: {used:?}"
    );
    let mut missing: Vec<_> = used.difference(&declared).collect();
    missing.sort();
    assert!(missing.is_empty(), "emitted but not declared: {missing:?}");
    Ok(())
}

#[test]
fn every_query_file_is_registered_parses_and_documents_its_parameters() -> TestResult {
    let registered: HashSet<&str> = saidgraph::NAMED_QUERIES.iter().map(|q| q.name).collect();
    let mut on_disk = HashSet::new();
    for entry in std::fs::read_dir(common::root().join("queries"))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let stem = name
            .strip_suffix(".rq")
            .unwrap_or_else(|| panic!("queries/{name} is not a .rq file"));
        assert!(
            registered.contains(stem),
            "queries/{name} is not registered in src/query/library.rs"
        );
        on_disk.insert(stem.to_owned());
    }
    assert!(on_disk.len() >= 8);
    for query in saidgraph::NAMED_QUERIES {
        assert!(
            on_disk.contains(query.name),
            "{} is registered but has no file",
            query.name
        );
        let _parsed = SparqlEvaluator::new()
            .parse_query(query.text)
            .map_err(|e| format!("queries/{}.rq: {e}", query.name))?;
        assert!(
            query.summary().ends_with(['.', '?']),
            "{}: the header's first line says what it answers",
            query.name
        );
        assert!(
            query.text.contains("# Parameters:"),
            "{}: no Parameters line",
            query.name
        );
        let select = query.text.split("WHERE").next().unwrap_or_default();
        for (parameter, description) in query.parameters() {
            assert!(
                !description.is_empty(),
                "{}: parameter {parameter} undescribed",
                query.name
            );
            assert!(
                select.contains(&format!("?{parameter}")),
                "{}: parameter ?{parameter} must be in the SELECT list to be bound",
                query.name
            );
        }
    }
    for name in [
        "who-said-what-to-whom",
        "statements-by",
        "statements-about",
        "replies",
        "timeline",
        "stance-on",
        "interaction-matrix",
        "linked-entities",
    ] {
        assert!(registered.contains(name), "the contract's query {name} is missing");
    }
    Ok(())
}
