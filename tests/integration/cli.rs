//! End-to-end tests of the `saidgraph` binary: every command, every output format, and
//! the exit statuses of the contract (0 success, 1 bad data or query, 2 bad usage).

use crate::common::{TestResult, example, parse, parse_union, saidgraph, stderr, stdout};
use oxigraph::io::RdfFormat;
use predicates::str::contains;

fn convert_example(args: &[&str]) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let output = saidgraph().arg("convert").arg(example()).args(args).output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    Ok(output.stdout)
}

#[test]
fn convert_writes_every_format_as_the_same_graph() -> TestResult {
    let turtle = parse(&convert_example(&[])?, RdfFormat::Turtle)?;
    assert!(turtle.len() > 300);
    for (name, format) in [
        ("ntriples", RdfFormat::NTriples),
        ("nt", RdfFormat::NTriples),
        ("nquads", RdfFormat::NQuads),
        ("trig", RdfFormat::TriG),
        ("rdfxml", RdfFormat::RdfXml),
        ("jsonld", parse_jsonld()),
        ("ttl", RdfFormat::Turtle),
    ] {
        let bytes = convert_example(&["-f", name])?;
        assert_eq!(parse_union(&bytes, format)?, turtle, "{name} is not the same graph");
        if format.supports_datasets() {
            // Issue 11: in the graph of the example's dataset, as `load` would put it.
            let graphs: std::collections::BTreeSet<String> = parse(&bytes, format)?
                .iter()
                .map(|q| q.graph_name.to_string())
                .collect();
            assert_eq!(
                graphs.into_iter().collect::<Vec<_>>(),
                ["<https://kb.example.org/seed/graph/seed-article>"],
                "{name}"
            );
        }
        assert_eq!(convert_example(&["-f", name])?, bytes, "{name} output is not stable");
    }
    Ok(())
}

/// `saidgraph query -i examples/seed-article.json ARGS…`
fn query_example(args: &[&str]) -> assert_cmd::Command {
    let mut command = saidgraph();
    command.args(["query", "-i"]).arg(example()).args(args);
    command
}

fn parse_jsonld() -> RdfFormat {
    RdfFormat::JsonLd {
        profile: oxigraph::io::JsonLdProfileSet::empty(),
    }
}

#[test]
fn convert_picks_the_format_from_the_output_extension() -> TestResult {
    let folder = tempfile::tempdir()?;
    for (file, format) in [
        ("kb.nt", RdfFormat::NTriples),
        ("kb.rdf", RdfFormat::RdfXml),
        ("kb.nq", RdfFormat::NQuads),
    ] {
        let path = folder.path().join(file);
        saidgraph()
            .arg("convert")
            .arg(example())
            .arg("-o")
            .arg(&path)
            .assert()
            .success()
            .stdout("");
        parse(&std::fs::read(&path)?, format)?;
    }
    Ok(())
}

#[test]
fn with_ontology_adds_the_ontology_and_base_moves_the_iris() -> TestResult {
    let plain = convert_example(&[])?;
    let with = convert_example(&["--with-ontology"])?;
    let text = String::from_utf8(with)?;
    assert!(text.contains("act:warn a skos:Concept"), "the act scheme is missing");
    assert!(!String::from_utf8(plain)?.contains("skos:Concept"));
    let rebased = String::from_utf8(convert_example(&["--base", "https://other.example/kb"])?)?;
    assert!(
        rebased.contains("@prefix entity: <https://other.example/kb/entity/> ."),
        "{rebased}"
    );
    Ok(())
}

#[test]
fn standard_input_needs_a_format() -> TestResult {
    let json = std::fs::read(example())?;
    let output = saidgraph()
        .args(["convert", "-", "--input-format", "json", "-f", "nt"])
        .write_stdin(json.clone())
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        parse(&output.stdout, RdfFormat::NTriples)?,
        parse(&convert_example(&[])?, RdfFormat::Turtle)?
    );
    saidgraph()
        .args(["convert", "-"])
        .write_stdin(json)
        .assert()
        .code(2)
        .stderr(contains(
            "standard input needs --input-format json, jsonl, gdelt or quotebank",
        ));
    let line = "{\"record\": \"entity\", \"id\": \"x\", \"type\": \"person\", \"name\": \"X\"}\n";
    saidgraph()
        .args(["validate", "-", "--input-format", "jsonl"])
        .write_stdin(line)
        .assert()
        .success()
        .stdout(contains("valid: 0 statements, 1 entity"));
    Ok(())
}

#[test]
fn validate_reports_counts_or_errors() {
    saidgraph()
        .arg("validate")
        .arg(example())
        .assert()
        .success()
        .stdout(contains("valid: 13 statements, 32 entities, 1 source, 16 relations"));
    saidgraph()
        .args(["validate", "tests/bad/unknown-values.json"])
        .assert()
        .code(1)
        .stderr(contains(
            "tests/bad/unknown-values.json:7:45: act: unknown act \"warns\" (did you mean `warn`?)",
        ))
        .stderr(contains("9 errors found; nothing was written"));
}

#[test]
fn several_inputs_are_one_run() -> TestResult {
    let folder = tempfile::tempdir()?;
    let entities = folder.path().join("entities.jsonl");
    let statements = folder.path().join("statements.json");
    std::fs::write(
        &entities,
        "{\"record\": \"entity\", \"id\": \"a\", \"type\": \"person\", \"name\": \"A\"}\n",
    )?;
    std::fs::write(
        &statements,
        r#"{"statements": [{"id": "s", "speaker": "a", "addressees": ["b"]}]}"#,
    )?;
    saidgraph()
        .arg("validate")
        .arg(&entities)
        .arg(&statements)
        .assert()
        .code(1)
        .stderr(contains("statements.json:1:60: addressees: unknown entity \"b\""));
    std::fs::write(
        &statements,
        r#"{"statements": [{"id": "s", "speaker": "a", "addressees": ["a"]}]}"#,
    )?;
    saidgraph()
        .arg("validate")
        .arg(&entities)
        .arg(&statements)
        .assert()
        .success();
    Ok(())
}

#[test]
fn a_failed_convert_keeps_the_old_output() -> TestResult {
    let folder = tempfile::tempdir()?;
    let target = folder.path().join("kb.ttl");
    std::fs::write(&target, "good")?;
    saidgraph()
        .args(["convert", "tests/bad/bad-dates.json", "-o"])
        .arg(&target)
        .assert()
        .code(1);
    assert_eq!(std::fs::read_to_string(&target)?, "good");
    assert_eq!(std::fs::read_dir(folder.path())?.count(), 1);
    let unwritable = folder.path().join("missing-folder/kb.ttl");
    saidgraph()
        .arg("convert")
        .arg(example())
        .arg("-o")
        .arg(&unwritable)
        .assert()
        .code(1)
        .stderr(contains("missing-folder/kb.ttl"));
    Ok(())
}

#[test]
fn load_is_all_or_nothing_and_idempotent() -> TestResult {
    let folder = tempfile::tempdir()?;
    let store = folder.path().join("kb.db");

    // A bad input neither creates nor touches the store.
    saidgraph()
        .args(["load", "tests/bad/bad-dates.json", "--store"])
        .arg(&store)
        .assert()
        .code(1);
    assert!(!store.exists(), "a failed load created the store");

    saidgraph()
        .arg("load")
        .arg(example())
        .arg("--store")
        .arg(&store)
        .assert()
        .success()
        .stdout(contains("loaded 13 statements"));
    let export = |store: &std::path::Path| -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        let output = saidgraph().args(["export", "--store"]).arg(store).output()?;
        assert!(output.status.success(), "{}", stderr(&output));
        Ok(output.stdout)
    };
    let first = export(&store)?;
    assert_eq!(first, convert_example(&[])?, "the store's export differs from convert");

    saidgraph()
        .arg("load")
        .arg(example())
        .arg("--store")
        .arg(&store)
        .assert()
        .success();
    assert_eq!(export(&store)?, first, "loading twice changed the graph");

    // A later input may refer to what the store holds; a bad one changes nothing.
    let more = folder.path().join("more.json");
    std::fs::write(
        &more,
        r#"{"base": "https://kb.example.org/seed/", "statements": [
             {"id": "s-new", "speaker": "putin", "act": "say", "addressees": ["japan"], "in_reply_to": "s-south-korea-warns"}]}"#,
    )?;
    let broken = folder.path().join("broken.json");
    std::fs::write(&broken, r#"{"statements": [{"id": "s-x", "speaker": "nobody"}]}"#)?;
    saidgraph()
        .arg("load")
        .arg(&more)
        .arg(&broken)
        .arg("--store")
        .arg(&store)
        .assert()
        .code(1)
        .stderr(contains("broken.json:1:42: speaker: unknown entity \"nobody\""));
    assert_eq!(export(&store)?, first, "a failed load changed the store");
    saidgraph()
        .arg("load")
        .arg(&more)
        .arg("--store")
        .arg(&store)
        .assert()
        .success();
    let after = String::from_utf8(export(&store)?)?;
    assert!(after.contains("statement:s-new a sg:Statement"), "{after}");
    Ok(())
}

#[test]
fn export_reads_inputs_or_a_store_and_refuses_a_missing_store() -> TestResult {
    let output = saidgraph()
        .args(["export", "-i"])
        .arg(example())
        .args(["-f", "nt"])
        .output()?;
    assert!(output.status.success());
    assert_eq!(
        parse(&output.stdout, RdfFormat::NTriples)?,
        parse(&convert_example(&[])?, RdfFormat::Turtle)?
    );
    saidgraph()
        .args(["export", "--store", "/nonexistent/kb.db"])
        .assert()
        .code(2)
        .stderr(contains("no saidgraph store here"));
    Ok(())
}

#[test]
fn query_runs_named_file_and_inline_queries() -> TestResult {
    let output = saidgraph()
        .args(["query", "-i"])
        .arg(example())
        .arg("who-said-what-to-whom")
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    let csv = stdout(&output);
    assert!(
        csv.starts_with("statement,speaker,act,addressee,date,what\r\n"),
        "{csv}"
    );
    assert_eq!(
        csv.lines().count(),
        16,
        "a header, 13 statements, two of them to two addressees"
    );
    assert!(csv.contains("Ministry of Foreign Affairs of South Korea"));

    let folder = tempfile::tempdir()?;
    let file = folder.path().join("count.rq");
    std::fs::write(
        &file,
        "PREFIX sg: <https://w3id.org/saidgraph#> SELECT (COUNT(*) AS ?n) WHERE { ?s a sg:Statement }",
    )?;
    saidgraph()
        .args(["query", "-i"])
        .arg(example())
        .arg("-q")
        .arg(&file)
        .assert()
        .success()
        .stdout("n\r\n13\r\n");

    // The ontology is visible to queries: acts by their CAMEO code.
    query_example(&[
        "-e",
        "PREFIX sg: <https://w3id.org/saidgraph#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> \
             SELECT (COUNT(*) AS ?n) WHERE { ?s sg:act ?act . ?act skos:notation \"130\" }",
        "-r",
        "tsv",
    ])
    .assert()
    .success()
    .stdout("?n\n3\n");
    Ok(())
}

#[test]
fn params_are_bound_as_terms() -> TestResult {
    let count = "PREFIX sg: <https://w3id.org/saidgraph#> SELECT ?speaker (COUNT(?s) AS ?n) WHERE { ?s sg:speaker ?speaker } GROUP BY ?speaker";
    for (value, expected) in [
        ("putin", "2"),
        ("entity:putin", "2"),
        ("<https://kb.example.org/seed/entity/putin>", "2"),
        ("nozdrev", "2"),
        ("wd:Q7747", "0"),
        ("\" } ?s ?p ?o { \"", "0"),
    ] {
        let output = query_example(&["-e", count, "-r", "tsv", "--param"])
            .arg(format!("speaker={value}"))
            .output()?;
        assert!(output.status.success(), "{value}: {}", stderr(&output));
        let text = stdout(&output);
        let n = text.lines().nth(1).and_then(|l| l.split('\t').nth(1)).unwrap_or("0");
        assert_eq!(
            n.split('^').next().unwrap_or(n).trim_matches('"'),
            expected,
            "{value}: {text}"
        );
    }
    query_example(&["statements-by", "--param", "nobody=putin"])
        .assert()
        .code(1)
        .stderr(contains("the query has no variable ?nobody to bind"));
    query_example(&["statements-by", "--param", "speaker"])
        .assert()
        .code(1)
        .stderr(contains("expected NAME=VALUE"));
    Ok(())
}

#[test]
fn results_come_in_every_format() -> TestResult {
    let run = |format: &str| -> Result<String, Box<dyn std::error::Error>> {
        let output = query_example(&["replies", "-r", format]).output()?;
        assert!(output.status.success(), "{format}: {}", stderr(&output));
        Ok(stdout(&output))
    };
    assert!(serde_json::from_str::<serde_json::Value>(&run("json")?)?["results"]["bindings"].is_array());
    assert!(run("xml")?.contains("<sparql xmlns=\"http://www.w3.org/2005/sparql-results#\">"));
    assert!(run("tsv")?.starts_with('?'));
    assert!(run("csv")?.contains("s-putin-dismisses-criticism"));
    let table = run("table")?;
    assert!(
        table.contains("Vladimir Putin") && table.ends_with("1 row\n"),
        "{table}"
    );
    let ask = query_example(&["-e", "ASK { ?s ?p ?o }", "-r", "json"]).output()?;
    assert_eq!(stdout(&ask), "{\"head\":{},\"boolean\":true}");
    let construct = query_example(&[
        "-e",
        "PREFIX sg: <https://w3id.org/saidgraph#> CONSTRUCT { ?s sg:speaker ?o } WHERE { ?s sg:speaker ?o }",
    ])
    .output()?;
    assert_eq!(parse(&construct.stdout, RdfFormat::Turtle)?.len(), 13);
    query_example(&["replies", "-r", "yaml"])
        .assert()
        .code(2)
        .stderr(contains("unknown results format \"yaml\""));
    Ok(())
}

#[test]
fn limit_keeps_the_first_results() -> TestResult {
    let all = stdout(&query_example(&["who-said-what-to-whom"]).output()?);
    let first = stdout(&query_example(&["who-said-what-to-whom", "--limit", "3"]).output()?);
    let expected: Vec<&str> = all.lines().take(4).collect();
    assert_eq!(first.lines().collect::<Vec<_>>(), expected);
    let inner = "SELECT ?x WHERE { VALUES ?x { 1 2 3 4 } } LIMIT 2";
    let output = query_example(&["-e", inner, "--limit", "3", "-r", "tsv"]).output()?;
    assert_eq!(
        stdout(&output).lines().count(),
        3,
        "an inner LIMIT that is smaller wins"
    );
    Ok(())
}

#[test]
fn bad_queries_are_exit_1_with_the_problem_named() {
    saidgraph()
        .args(["query", "-i"])
        .arg(example())
        .arg("who-said-what")
        .assert()
        .code(1)
        .stderr(contains("no named query \"who-said-what\""))
        .stderr(contains("`saidgraph queries` lists them"));
    query_example(&["-e", "SELECT WHERE {"])
        .assert()
        .code(1)
        .stderr(contains("saidgraph: query: error at 1:15: expected one of REDUCED"));
}

/// Queries may use the prefixes results are shown with, undeclared; their own `PREFIX`
/// lines win; a prefix declared nowhere is named with its position.
#[test]
fn queries_may_use_the_built_in_prefixes() {
    query_example(&[
        "-e",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s a sg:Statement ; sg:speaker entity:putin ; sg:act act:dismiss }",
    ])
    .assert()
    .success()
    .stdout("n\r\n1\r\n");
    query_example(&[
        "-e",
        "PREFIX sg: <http://example.org/other#> SELECT (COUNT(*) AS ?n) WHERE { ?s sg:speaker ?x }",
    ])
    .assert()
    .success()
    .stdout("n\r\n0\r\n");
    query_example(&["-e", "SELECT ?s WHERE {\n  ?s sgg:speaker entity:putin }"])
        .assert()
        .code(1)
        .stderr(contains(
            "saidgraph: query: error at 2:6: the prefix `sgg:` is not declared (did you mean `sg:`?); \
             declare it with `PREFIX sgg: <…>`, or use one that saidgraph declares: act, dbr, dcterms, \
             entity, foaf,",
        ));
    // Prefixed-looking text in strings, IRIs and comments is not a prefix.
    query_example(&["-e", "SELECT ?s WHERE { ?s <urn:x:y> \"no:pe\" } # ex:y\nLIMIT x"])
        .assert()
        .code(1)
        .stderr(contains("saidgraph: query: error at 2:7: expected one of"));
}

#[test]
fn queries_lists_every_named_query() {
    let mut assert = saidgraph().arg("queries").assert().success();
    for query in saidgraph::NAMED_QUERIES {
        assert = assert.stdout(contains(query.name)).stdout(contains(query.summary()));
    }
    assert.stdout(contains("--param speaker=…"));
}

#[test]
fn usage_errors_exit_2() {
    saidgraph().assert().code(2);
    saidgraph().arg("frobnicate").assert().code(2);
    saidgraph().args(["convert"]).assert().code(2);
    saidgraph()
        .arg("convert")
        .arg(example())
        .args(["-f", "yaml"])
        .assert()
        .code(2)
        .stderr(contains("unknown RDF format"));
    saidgraph().args(["query", "who-said-what-to-whom"]).assert().code(2);
    saidgraph()
        .args(["convert", "README.md"])
        .assert()
        .code(2)
        .stderr(contains("cannot tell the input format"));
    saidgraph()
        .args(["convert", "no-such-file.json"])
        .assert()
        .code(2)
        .stderr(contains("no-such-file.json"));
    saidgraph()
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("who said what to whom"));
}
