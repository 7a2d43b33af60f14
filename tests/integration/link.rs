//! End-to-end tests of linking (issue 4): `saidgraph link` against an RDF file, a
//! compressed dump and a real SPARQL endpoint; `--apply`; `query`/`export --with`; and
//! `SERVICE` clauses reaching a real endpoint on loopback.

use std::io::Write;

use crate::common::{self, SparqlServer, TestResult, assert_golden, link_case, parse, saidgraph, stderr, stdout};
use oxigraph::io::RdfFormat;
use predicates::str::contains;

/// `saidgraph link -i kb.jsonl --target TARGET ARGS…` on the linking case.
fn link(target: &str, args: &[&str]) -> Result<std::process::Output, Box<dyn std::error::Error>> {
    let output = saidgraph()
        .args(["link", "-i"])
        .arg(link_case().join("kb.jsonl"))
        .args(["--target", target])
        .args(args)
        .output()?;
    assert!(output.status.success(), "link --target {target}:\n{}", stderr(&output));
    Ok(output)
}

fn excerpt() -> String {
    link_case().join("us-politicians-excerpt.nt").display().to_string()
}

#[test]
fn link_writes_the_links_and_a_review_report_the_same_every_time() -> TestResult {
    let folder = tempfile::tempdir()?;
    let report = folder.path().join("review.csv");
    let output = link(&excerpt(), &["--report", report.to_str().ok_or("path")?])?;
    let links = stdout(&output);
    assert_golden(&link_case().join("links.ttl"), &links);
    assert_golden(&link_case().join("review.csv"), &std::fs::read_to_string(&report)?);
    assert!(
        stderr(&output).contains(
            "12 entities: 8 linked, 1 to review (1 ambiguous, 0 weak, 0 type unknown), 1 unmatched, 2 already linked"
        ),
        "{}",
        stderr(&output)
    );
    // Normalised names found their items; the ties did not produce a link.
    for expected in [
        "entity:chuck-schumer owl:sameAs wd:Q380900 .",
        "entity:sen-kamala-harris owl:sameAs wd:Q10853588 .",
        "entity:president-barack-obama owl:sameAs wd:Q76 .",
        "entity:emanuel-cleaver-ii owl:sameAs wd:Q1334654 .",
        "entity:jim-jordan owl:sameAs wd:Q186215 .",
    ] {
        assert!(links.contains(expected), "missing {expected:?} in\n{links}");
    }
    assert!(
        !links.contains("mike-thompson") && !links.contains("ted-cruz"),
        "{links}"
    );
    let again = link(&excerpt(), &["--report", report.to_str().ok_or("path")?])?;
    assert_eq!(stdout(&again), links, "the same input gave other links");
    Ok(())
}

#[test]
fn link_reads_compressed_dumps_and_writes_other_formats() -> TestResult {
    let folder = tempfile::tempdir()?;
    let gz = folder.path().join("wikidata.nt.gz");
    let mut encoder = flate2::write::GzEncoder::new(std::fs::File::create(&gz)?, flate2::Compression::default());
    encoder.write_all(&std::fs::read(excerpt())?)?;
    encoder.finish()?;
    let out = folder.path().join("links.nt");
    let output = link(gz.to_str().ok_or("path")?, &["-o", out.to_str().ok_or("path")?])?;
    assert_eq!(stdout(&output), "", "links went to the file, not to standard output");
    assert_eq!(
        parse(&std::fs::read(&out)?, RdfFormat::NTriples)?,
        parse(&std::fs::read(link_case().join("links.ttl"))?, RdfFormat::Turtle)?
    );
    Ok(())
}

#[test]
fn stricter_options_send_more_to_review() -> TestResult {
    // Only the same name, as written, as a preferred label: the rest is weak. Without a
    // margin, equal candidates (Mike Thompson) are still ambiguous.
    let output = link(&excerpt(), &["--min-score", "1", "--margin", "0"])?;
    let summary = stderr(&output);
    assert!(
        summary.contains("12 entities: 1 linked, 8 to review (1 ambiguous, 7 weak, 0 type unknown)"),
        "{summary}"
    );
    assert_eq!(
        stdout(&output).lines().last(),
        Some("entity:jim-jordan owl:sameAs wd:Q186215 .")
    );
    saidgraph()
        .args(["link", "-i"])
        .arg(link_case().join("kb.jsonl"))
        .args(["--target", &excerpt(), "--min-score", "2"])
        .assert()
        .code(2)
        .stderr(contains("--min-score 2: expected a number from 0 to 1"));
    Ok(())
}

#[test]
fn apply_adds_the_links_to_the_store() -> TestResult {
    let folder = tempfile::tempdir()?;
    let store = folder.path().join("kb.db");
    saidgraph()
        .arg("load")
        .arg(link_case().join("kb.jsonl"))
        .arg("--store")
        .arg(&store)
        .assert()
        .success();
    saidgraph()
        .args(["link", "--store"])
        .arg(&store)
        .args(["--target", &excerpt(), "--apply"])
        .assert()
        .success()
        .stdout("");
    let output = saidgraph()
        .args(["query", "--store"])
        .arg(&store)
        .args(["linked-entities", "-r", "csv"])
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    let rows = stdout(&output);
    assert!(
        rows.contains("Sen. Kamala Harris,http://www.wikidata.org/entity/Q10853588,Q10853588"),
        "{rows}"
    );
    assert!(!rows.contains("Mike Thompson"), "{rows}");
    // The linked entities (8) and the parties' own links (2), one row each.
    assert_eq!(rows.lines().count(), 1 + 10, "{rows}");
    // Applied links count as links the store already has.
    saidgraph()
        .args(["link", "--store"])
        .arg(&store)
        .args(["--target", &excerpt(), "--apply"])
        .assert()
        .success()
        .stderr(contains(
            "0 linked, 1 to review (1 ambiguous, 0 weak, 0 type unknown), 1 unmatched, 10 already linked",
        ));
    // --apply needs a store.
    saidgraph()
        .args(["link", "-i"])
        .arg(link_case().join("kb.jsonl"))
        .args(["--target", &excerpt(), "--apply"])
        .assert()
        .code(2);
    Ok(())
}

#[test]
fn bad_targets_are_reported() {
    saidgraph()
        .args(["link", "-i"])
        .arg(link_case().join("kb.jsonl"))
        .args(["--target", "tests/fixtures/link/missing.nt"])
        .assert()
        .code(1)
        .stderr(contains("missing.nt"));
    saidgraph()
        .args(["link", "-i"])
        .arg(link_case().join("kb.jsonl"))
        .args(["--target", "tests/fixtures/link/README.md"])
        .assert()
        .code(2)
        .stderr(contains("cannot tell the RDF format"));
}

#[test]
fn query_and_export_with_another_graph() -> TestResult {
    let case = link_case();
    let output = common::query_across_graphs()
        .args([
            "-r",
            "csv",
            "-e",
            "PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX wdt: <http://www.wikidata.org/prop/direct/>
             PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
             SELECT ?name ?bioguide WHERE { ?e rdfs:label ?name ; owl:sameAs ?item . ?item wdt:P1157 ?bioguide }
             ORDER BY ?name",
        ])
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output).replace("\r\n", "\n"),
        "name,bioguide\nCHUCK SCHUMER,S000148\nCarolyn B. Maloney,M000087\nDebbie Dingell,D000624\n\
         Emanuel Cleaver II,C001061\nJim Jordan,J000289\nRaul Grijalva,G000551\nSen. Kamala Harris,H001075\npresident Barack Obama,O000167\n"
    );
    // Without --with, the same query finds nothing to join.
    let output = saidgraph()
        .args(["query", "-i"])
        .arg(case.join("kb.jsonl"))
        .args([
            "-r",
            "csv",
            "-e",
            "SELECT * WHERE { ?item <http://www.wikidata.org/prop/direct/P1157> ?bioguide }",
        ])
        .output()?;
    assert_eq!(stdout(&output).lines().count(), 1);

    let exported = saidgraph()
        .args(["export", "-i"])
        .arg(case.join("kb.jsonl"))
        .arg("--with")
        .arg(case.join("links.ttl"))
        .args(["-f", "nt"])
        .output()?;
    assert!(exported.status.success(), "{}", stderr(&exported));
    let text = stdout(&exported);
    assert!(text.contains(
        "<https://kb.example.org/entity/chuck-schumer> <http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q380900> ."
    ));
    Ok(())
}

#[test]
fn query_with_on_a_store_leaves_the_store_alone() -> TestResult {
    let folder = tempfile::tempdir()?;
    let store = folder.path().join("kb.db");
    let case = link_case();
    saidgraph()
        .arg("load")
        .arg(case.join("kb.jsonl"))
        .arg("--store")
        .arg(&store)
        .assert()
        .success();
    let count = |with: bool| -> Result<String, Box<dyn std::error::Error>> {
        let mut command = saidgraph();
        command.args(["query", "--store"]).arg(&store);
        if with {
            command
                .arg("--with")
                .arg(case.join("links.ttl"))
                .arg("--with")
                .arg(case.join("us-politicians-excerpt.nt"));
        }
        let output = command.args(["statements-by-party", "-r", "csv"]).output()?;
        assert!(output.status.success(), "{}", stderr(&output));
        Ok(stdout(&output))
    };
    let joined = count(true)?;
    assert_golden(&case.join("queries/statements-by-party.csv"), &joined);
    assert_eq!(count(false)?.lines().count(), 1, "the store kept the other graphs");
    Ok(())
}

/// `SERVICE` reaches a real SPARQL endpoint, and `link --target URL` finds the same links
/// there as in the file the endpoint serves.
#[test]
fn service_clauses_and_link_targets_reach_a_real_endpoint() -> TestResult {
    let Some(server) = SparqlServer::start(&[link_case().join("us-politicians-excerpt.nt")])? else {
        return Ok(());
    };
    let case = link_case();
    let query = format!(
        "PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX wdt: <http://www.wikidata.org/prop/direct/>
         PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
         SELECT ?name ?party WHERE {{
           ?e rdfs:label ?name ; owl:sameAs ?item .
           SERVICE <{}> {{ ?item wdt:P102 ?p . ?p rdfs:label ?party }}
         }} ORDER BY ?name",
        server.url
    );
    let output = saidgraph()
        .args(["query", "-i"])
        .arg(case.join("kb.jsonl"))
        .arg("--with")
        .arg(case.join("links.ttl"))
        .args(["-r", "csv", "-e", &query])
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output).replace("\r\n", "\n"),
        "name,party\nCHUCK SCHUMER,Democratic Party\nCarolyn B. Maloney,Democratic Party\n\
         Debbie Dingell,Democratic Party\nEmanuel Cleaver II,Democratic Party\nJim Jordan,Republican Party\n\
         Raul Grijalva,Democratic Party\nSen. Kamala Harris,Democratic Party\npresident Barack Obama,Democratic Party\n"
    );

    let folder = tempfile::tempdir()?;
    let report = folder.path().join("review.csv");
    let output = link(&server.url, &["--report", report.to_str().ok_or("path")?])?;
    assert_golden(&case.join("links.ttl"), &stdout(&output));
    assert_golden(&case.join("review.csv"), &std::fs::read_to_string(&report)?);

    // A dead endpoint is an error that names it, not an empty result.
    let url = server.url.clone();
    drop(server);
    saidgraph()
        .args(["link", "-i"])
        .arg(case.join("kb.jsonl"))
        .args(["--target", &url])
        .assert()
        .code(1)
        .stderr(contains(format!("SPARQL endpoint {url}")));
    Ok(())
}
