//! `--rdf 1.2`: each relation's node reifies the triple it asserts
//! (`relation:r1 rdf:reifies <<( entity:nozdrev sg:ambassadorOf entity:russia )>>`). The
//! example in RDF 1.2 has its golden and parses back in Oxigraph in every format that
//! carries triple terms; it is the RDF 1.1 graph plus one reifier per relation; the
//! streamed path agrees with the sorted one; an export from a store (which holds RDF
//! 1.1) gets the same reifiers; JSON-LD is refused; the `relations` query answers on an
//! input and on a store, through SPARQL 1.2's `<< ?s ?p ?o ~ ?r >>`.

use std::collections::BTreeSet;
use std::path::Path;

use oxigraph::io::RdfFormat;
use oxigraph::model::Dataset;
use oxigraph::model::vocab::rdf;
use predicates::str::contains;

use crate::common::{self, TestResult, assert_golden, fixtures, parse, parse_union, saidgraph, stderr, stdout};

/// `saidgraph ARGS…`, which must succeed; its standard output.
fn run(args: &[&str], inputs: &[&Path]) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let output = saidgraph().args(args).args(inputs).output()?;
    assert!(output.status.success(), "{args:?}:\n{}", stderr(&output));
    Ok(output.stdout)
}

/// The graph without its `rdf:reifies` triples, and those triples' (reifier, triple term).
fn split(graph: &Dataset) -> (Dataset, BTreeSet<(String, String)>) {
    let mut rest = Dataset::new();
    let mut reifiers = BTreeSet::new();
    for quad in graph {
        if quad.predicate == rdf::REIFIES {
            reifiers.insert((quad.subject.to_string(), quad.object.to_string()));
        } else {
            rest.insert(quad);
        }
    }
    (rest, reifiers)
}

#[test]
fn the_example_in_rdf_12_is_the_rdf_11_graph_plus_one_reifier_per_relation() -> TestResult {
    let example = common::example();
    let turtle = run(&["convert", "--rdf", "1.2"], &[&example])?;
    assert_golden(
        &fixtures().join("seed-article/expected-rdf12.ttl"),
        &String::from_utf8(turtle.clone())?,
    );
    let graph = parse(&turtle, RdfFormat::Turtle)?;
    let (rest, reifiers) = split(&graph);
    let rdf11 = parse(&run(&["convert"], &[&example])?, RdfFormat::Turtle)?;
    assert_eq!(rest, rdf11, "beside its reifiers, the RDF 1.2 graph is the RDF 1.1 one");
    assert_eq!(reifiers.len(), 16, "one reifier per relation of the example");
    let text = String::from_utf8(turtle)?;
    assert!(
        text.contains("relation:r-nozdrev-ambassador-of-russia a sg:Relation ;")
            && text.contains("\trdf:reifies <<( entity:nozdrev sg:ambassadorOf entity:russia )>> ;"),
        "{text}"
    );
    // Each reifier is a relation's node, and reifies a triple the graph asserts.
    for quad in graph.iter().filter(|q| q.predicate == rdf::REIFIES) {
        let oxigraph::model::TermRef::Triple(triple) = quad.object else {
            panic!("not a triple term: {quad}");
        };
        assert!(graph.iter().any(|q| q.subject == quad.subject
            && q.predicate == rdf::TYPE
            && q.object.to_string() == "<https://w3id.org/saidgraph#Relation>"));
        assert!(
            graph.iter().any(|q| q.subject == triple.subject.as_ref()
                && q.predicate == triple.predicate.as_ref()
                && q.object == triple.object.as_ref()),
            "{triple} is not asserted"
        );
    }
    Ok(())
}

#[test]
fn rdf_12_parses_back_in_every_format_that_carries_triple_terms() -> TestResult {
    let example = common::example();
    let expected = parse(&run(&["convert", "--rdf", "1.2"], &[&example])?, RdfFormat::Turtle)?;
    for (name, format) in [
        ("nt", RdfFormat::NTriples),
        ("nq", RdfFormat::NQuads),
        ("trig", RdfFormat::TriG),
        ("rdfxml", RdfFormat::RdfXml),
    ] {
        // N-Quads and TriG carry the dataset's graph: compared as the union.
        let bytes = run(&["convert", "--rdf", "1.2", "-f", name], &[&example])?;
        assert_eq!(parse_union(&bytes, format)?, expected, "{name}");
    }
    // RDF 1.1 stays the default, byte for byte.
    assert_eq!(
        run(&["convert", "--rdf", "1.1"], &[&example])?,
        run(&["convert"], &[&example])?
    );
    Ok(())
}

#[test]
fn json_ld_refuses_rdf_12_and_writes_nothing() -> TestResult {
    let folder = tempfile::tempdir()?;
    let out = folder.path().join("kb.jsonld");
    saidgraph()
        .args(["convert", "--rdf", "1.2", "-o"])
        .arg(&out)
        .arg(common::example())
        .assert()
        .code(2)
        .stderr(contains("--rdf 1.2 writes triple terms, which JSON-LD cannot carry"));
    assert!(!out.exists());
    saidgraph()
        .args(["export", "--rdf", "1.2", "-f", "jsonld", "-i"])
        .arg(common::example())
        .assert()
        .code(2)
        .stderr(contains("JSON-LD cannot carry"));
    saidgraph()
        .args(["convert", "--rdf", "1.3"])
        .arg(common::example())
        .assert()
        .code(2)
        .stderr(contains("unknown RDF version \"1.3\"; expected 1.1 or 1.2"));
    Ok(())
}

/// The streamed path (input order, one block per record) gives the same RDF 1.2 graph as
/// the sorted one, from JSON Lines and from CSV tables alike, in the same bytes.
#[test]
fn streamed_and_sorted_rdf_12_agree() -> TestResult {
    let case = fixtures().join("forms");
    let sorted = parse(
        &run(&["convert", "--rdf", "1.2"], &[&case.join("input.json")])?,
        RdfFormat::Turtle,
    )?;
    assert!(!split(&sorted).1.is_empty(), "the forms case has relations");
    for (name, format) in [("ttl", RdfFormat::Turtle), ("nt", RdfFormat::NTriples)] {
        let mut outputs = Vec::new();
        for input in ["input.jsonl", "input"] {
            let bytes = run(
                &["convert", "--rdf", "1.2", "--order", "input", "-f", name],
                &[&case.join(input)],
            )?;
            assert_eq!(parse(&bytes, format)?, sorted, "{input} streamed as {name}");
            outputs.push(bytes);
        }
        assert_eq!(
            outputs[0], outputs[1],
            "JSON Lines and CSV streamed differently as {name}"
        );
    }
    Ok(())
}

/// A store holds RDF 1.1; `export --rdf 1.2` and `query --rdf 1.2` make the reifiers from
/// its relation nodes, the same as from the input.
#[test]
fn a_store_exports_and_queries_rdf_12_as_its_input_does() -> TestResult {
    let example = common::example();
    let folder = tempfile::tempdir()?;
    let store = folder.path().join("store");
    let store_arg = store.to_str().ok_or("path")?;
    run(&["load", "--store", store_arg], &[&example])?;
    let from_input = parse(
        &run(&["convert", "--rdf", "1.2", "-f", "nt"], &[&example])?,
        RdfFormat::NTriples,
    )?;
    let exported = run(&["export", "--rdf", "1.2", "-f", "nt", "--store", store_arg], &[])?;
    assert_eq!(parse(&exported, RdfFormat::NTriples)?, from_input);
    let exported11 = run(&["export", "-f", "nt", "--store", store_arg], &[])?;
    assert!(
        split(&parse(&exported11, RdfFormat::NTriples)?).1.is_empty(),
        "RDF 1.1 has no reifiers"
    );

    let on_input = run(&["query", "--rdf", "1.2", "relations", "-r", "csv", "-i"], &[&example])?;
    let on_store = run(
        &["query", "--rdf", "1.2", "relations", "-r", "csv", "--store", store_arg],
        &[],
    )?;
    assert_eq!(String::from_utf8(on_store)?, String::from_utf8(on_input.clone())?);
    assert_eq!(String::from_utf8(on_input)?.lines().count(), 17, "a row per relation");
    Ok(())
}

/// SPARQL 1.2's reifier syntax, asked directly: the source of the triple Nozdrev is the
/// ambassador of Russia, through the annotation on the asserted triple.
#[test]
fn sparql_12_annotations_reach_a_relations_provenance() -> TestResult {
    let query = "SELECT ?source WHERE { entity:nozdrev sg:ambassadorOf entity:russia ~ ?r . ?r sg:source ?source }";
    let output = saidgraph()
        .args(["query", "--rdf", "1.2", "-r", "csv", "-e", query, "-i"])
        .arg(common::example())
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    let rows = stdout(&output);
    assert_eq!(rows.lines().count(), 2, "{rows}");
    assert!(rows.contains("/source/"), "{rows}");
    // Without --rdf 1.2 there is no reifier to find.
    let output = saidgraph()
        .args(["query", "-r", "csv", "-e", query, "-i"])
        .arg(common::example())
        .output()?;
    assert_eq!(stdout(&output).lines().count(), 1);
    Ok(())
}
