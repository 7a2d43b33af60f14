//! `ontology/shapes.ttl` against an outside validator: every golden export conforms, and a
//! graph broken on purpose (`tests/fixtures/shapes/broken.ttl`) is reported with exactly
//! the focus nodes and shapes its comments name. The shapes use SHACL Core only.
//!
//! The validator is pySHACL (`pip install pyshacl`; `.ci/run` puts it in a venv): at
//! `$SAIDGRAPH_PYSHACL`, on `PATH`, or in that venv. With `SAIDGRAPH_PYSHACL` set (CI
//! sets it) a missing or broken pySHACL fails the tests; otherwise they say so and pass.
//!
//! Each graph goes to pySHACL as N-Triples that Oxigraph wrote from the golden (rdflib's
//! Turtle parser refuses a local name ending in an escaped dot, which the hostile-ids
//! golden has, though it is valid Turtle), with the ontology beside it as a second data
//! file: acts are checked against the act scheme, whose concepts are data to SHACL, not
//! the RDFS or OWL that pySHACL's `--ont-graph` mixes in. RDF 1.2 goldens are left out:
//! rdflib reads no triple terms.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::{Quad, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;

use crate::common::{self, TestResult, fixtures, stderr, stdout};

const VENV_PYSHACL: &str = "/var/cache/saidgraph/pyshacl-venv/bin/pyshacl";

/// The pySHACL command line tool, if installed.
fn pyshacl() -> Option<PathBuf> {
    let required = std::env::var_os("SAIDGRAPH_PYSHACL").map(PathBuf::from);
    let candidates = required
        .clone()
        .into_iter()
        .chain([PathBuf::from("pyshacl"), PathBuf::from(VENV_PYSHACL)]);
    if let Some(binary) = common::working_tool(candidates) {
        return Some(binary);
    }
    if let Some(required) = required {
        panic!(
            "SAIDGRAPH_PYSHACL is {} but no working pySHACL is there (pip install pyshacl)",
            required.display()
        );
    }
    eprintln!("SKIPPED: pySHACL is not installed (pip install pyshacl; or set SAIDGRAPH_PYSHACL)");
    None
}

fn shapes() -> PathBuf {
    common::root().join("ontology/shapes.ttl")
}

/// `path`'s graph as N-Triples in `folder`, written by Oxigraph.
fn as_ntriples(path: &Path, folder: &Path, name: &str) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let quads = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(&std::fs::read(path)?)
        .collect::<Result<Vec<Quad>, _>>()?;
    write_ntriples(&quads, &folder.join(name))
}

fn write_ntriples(quads: &[Quad], path: &Path) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let mut writer = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(Vec::new());
    for quad in quads {
        writer.serialize_quad(quad)?;
    }
    std::fs::write(path, writer.finish()?)?;
    Ok(path.to_owned())
}

/// The ontology (`ontology/*.ttl` but the shapes, as stores load it) as N-Triples.
fn ontology(folder: &Path) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let quads: Vec<Quad> = saidgraph::testing::ontology_triples()?
        .into_iter()
        .map(|t| t.in_graph(oxigraph::model::GraphName::DefaultGraph))
        .collect();
    write_ntriples(&quads, &folder.join("ontology.nt"))
}

/// Starts pySHACL on `data` with the ontology beside it; results as N-Triples.
fn validate(binary: &Path, data: &Path, ontology: &Path) -> std::io::Result<std::process::Child> {
    Command::new(binary)
        .arg("-s")
        .arg(shapes())
        .args(["-sf", "turtle", "-df", "nt", "-f", "nt"])
        .arg(data)
        .arg(ontology)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
}

/// The golden exports: every `expected*.ttl` under `tests/fixtures/`, RDF 1.2 ones aside.
fn goldens() -> Vec<PathBuf> {
    fn walk(folder: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                walk(&path, found);
            } else if name.starts_with("expected") && name.ends_with(".ttl") && !name.contains("rdf12") {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(&fixtures(), &mut found);
    found.sort();
    found
}

/// What a results graph reports: (focus node, source shape) of each top-level result.
fn results(output: &Output) -> Result<BTreeSet<(String, String)>, Box<dyn std::error::Error>> {
    let store = Store::new()?;
    store.load_from_reader(RdfFormat::NTriples, output.stdout.as_slice())?;
    let query = "PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?focus ?shape WHERE { ?report a sh:ValidationReport ; sh:result ?result .
            ?result sh:focusNode ?focus ; sh:sourceShape ?shape }";
    let QueryResults::Solutions(solutions) = SparqlEvaluator::new().parse_query(query)?.on_store(&store).execute()?
    else {
        return Err("not a SELECT".into());
    };
    let mut found = BTreeSet::new();
    for solution in solutions {
        let solution = solution?;
        let text = |name: &str| match solution.get(name) {
            Some(Term::NamedNode(n)) => n.as_str().to_owned(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        found.insert((text("focus"), text("shape")));
    }
    Ok(found)
}

#[test]
fn every_golden_export_conforms_to_the_shapes() -> TestResult {
    let Some(binary) = pyshacl() else { return Ok(()) };
    let folder = tempfile::tempdir()?;
    let ontology = ontology(folder.path())?;
    let goldens = goldens();
    assert!(goldens.len() >= 14, "goldens not found: {goldens:?}");
    // pySHACL takes a second or two to start: all at once, then each waited for.
    let mut running = Vec::new();
    for (i, golden) in goldens.iter().enumerate() {
        let data = as_ntriples(golden, folder.path(), &format!("golden-{i}.nt"))?;
        running.push((golden, validate(&binary, &data, &ontology)?));
    }
    let mut failures = Vec::new();
    for (golden, child) in running {
        let output = child.wait_with_output()?;
        let found = results(&output)?;
        if !output.status.success() || !found.is_empty() {
            failures.push(format!(
                "{}: exit {:?}, {found:?}\n{}",
                golden.display(),
                output.status.code(),
                stderr(&output)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "goldens that do not conform:\n{}",
        failures.join("\n")
    );
    Ok(())
}

#[test]
fn a_graph_broken_on_purpose_is_reported_where_it_is_broken() -> TestResult {
    let Some(binary) = pyshacl() else { return Ok(()) };
    let folder = tempfile::tempdir()?;
    let ontology = ontology(folder.path())?;
    let data = as_ntriples(&fixtures().join("shapes/broken.ttl"), folder.path(), "broken.nt")?;
    let output = validate(&binary, &data, &ontology)?.wait_with_output()?;
    assert_eq!(
        output.status.code(),
        Some(1),
        "pySHACL should find it non-conforming:\n{}",
        stderr(&output)
    );
    let kb = "https://kb.example.org/";
    let shape = "https://w3id.org/saidgraph/shapes#";
    let expected: BTreeSet<(String, String)> = [
        ("statement/two-speakers", "Statement-speaker"),
        ("statement/source-speaks", "Statement-speaker"),
        ("statement/nobody", "Statement-speaker"),
        ("statement/bad-date", "Statement-date"),
        ("statement/too-sure", "Statement-confidence"),
        ("statement/shout", "Statement-act"),
        ("statement/maybe", "Statement-stance"),
        ("statement/number", "Statement-quote"),
        ("entity/twice", "Entity-label"),
        ("entity/nameless", "Entity-label"),
        ("relation/broken", "Relation-subject"),
        ("relation/broken", "Relation-object"),
    ]
    .into_iter()
    .map(|(focus, name)| (format!("{kb}{focus}"), format!("{shape}{name}")))
    .collect();
    let found = results(&output)?;
    assert_eq!(found, expected, "results:\n{}", stdout(&output));
    Ok(())
}

/// SHACL Core only: every `sh:` term the shapes use is one of SHACL Core's (no SPARQL
/// constraints, rules or functions), so any SHACL processor can apply them.
#[test]
fn the_shapes_use_shacl_core_only() -> TestResult {
    const CORE: [&str; 40] = [
        "NodeShape",
        "PropertyShape",
        "targetClass",
        "targetNode",
        "targetSubjectsOf",
        "targetObjectsOf",
        "property",
        "path",
        "class",
        "datatype",
        "nodeKind",
        "IRI",
        "BlankNode",
        "Literal",
        "BlankNodeOrIRI",
        "minCount",
        "maxCount",
        "minInclusive",
        "maxInclusive",
        "minExclusive",
        "maxExclusive",
        "minLength",
        "maxLength",
        "pattern",
        "languageIn",
        "uniqueLang",
        "equals",
        "disjoint",
        "lessThan",
        "not",
        "and",
        "or",
        "xone",
        "node",
        "qualifiedValueShape",
        "closed",
        "hasValue",
        "in",
        "message",
        "severity",
    ];
    let text = std::fs::read_to_string(shapes())?;
    let store = Store::new()?;
    store.load_from_reader(RdfFormat::Turtle, text.as_bytes())?;
    let mut used = BTreeSet::new();
    for quad in &store {
        let quad = quad?;
        let terms = [Term::from(quad.predicate), quad.object];
        for term in terms {
            if let Term::NamedNode(n) = term
                && let Some(local) = n.as_str().strip_prefix("http://www.w3.org/ns/shacl#")
            {
                used.insert(local.to_owned());
            }
        }
    }
    let outside: Vec<&String> = used.iter().filter(|t| !CORE.contains(&t.as_str())).collect();
    assert!(outside.is_empty(), "not SHACL Core: {outside:?}");
    assert!(used.contains("targetClass") && used.contains("or"), "{used:?}");
    Ok(())
}
