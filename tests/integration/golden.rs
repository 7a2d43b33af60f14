//! Golden fixtures: each folder of `tests/fixtures/` holds inputs (`input.json`,
//! `input.jsonl`, a CSV folder `input/`) that must all convert to its `expected.ttl`,
//! compared as graphs and as bytes. The seed article's example also has the expected
//! results of every named query. `SAIDGRAPH_BLESS=1 cargo test` rewrites the goldens.

use crate::common::{self, TestResult, assert_golden, fixtures, parse, parse_union, saidgraph, stderr, stdout};
use oxigraph::io::RdfFormat;
use std::path::Path;

fn convert(input: &Path) -> Result<String, Box<dyn std::error::Error>> {
    let output = saidgraph().arg("convert").arg(input).output()?;
    assert!(
        output.status.success(),
        "convert {} failed:\n{}",
        input.display(),
        stderr(&output)
    );
    Ok(stdout(&output))
}

fn check_case(case: &Path) -> TestResult {
    let expected_path = case.join("expected.ttl");
    let mut inputs: Vec<_> = ["input.json", "input.jsonl", "input"]
        .iter()
        .map(|name| case.join(name))
        .filter(|path| path.exists())
        .collect();
    if case.ends_with("seed-article") {
        inputs.push(common::example());
    }
    assert!(!inputs.is_empty(), "{}: no input", case.display());
    for input in inputs {
        let actual = convert(&input)?;
        if std::env::var_os("SAIDGRAPH_BLESS").is_none() {
            let expected = std::fs::read(&expected_path)?;
            assert_eq!(
                parse(&expected, RdfFormat::Turtle)?,
                parse(actual.as_bytes(), RdfFormat::Turtle)?,
                "{}: not the expected graph",
                input.display()
            );
        }
        assert_golden(&expected_path, &actual);
    }
    Ok(())
}

#[test]
fn mapping_covers_the_contract() -> TestResult {
    check_case(&fixtures().join("mapping"))
}

#[test]
fn json_jsonl_and_csv_give_the_same_bytes() -> TestResult {
    check_case(&fixtures().join("forms"))
}

#[test]
fn hostile_ids_and_literals_round_trip() -> TestResult {
    check_case(&fixtures().join("hostile-ids"))
}

#[test]
fn seed_article_example() -> TestResult {
    check_case(&fixtures().join("seed-article"))
}

/// Named queries that join the data with another graph: they run on the linking case,
/// with its links and its Wikidata excerpt loaded beside it (`--with`).
const ACROSS_GRAPHS: [&str; 1] = ["statements-by-party"];

/// Named queries about a store's datasets: their golden is a store's (`datasets::`).
const ON_A_STORE: [&str; 1] = ["datasets"];

/// Named queries that need RDF 1.2 data (their headers say so): they run on the example
/// with `--rdf 1.2`, and find nothing without it.
const NEEDS_RDF_12: [&str; 1] = ["relations"];

/// Every named query on the example, as CSV; plus the parameterised ones with a value.
#[test]
fn named_queries_on_the_example() -> TestResult {
    let folder = fixtures().join("seed-article/queries");
    std::fs::create_dir_all(&folder)?;
    let mut cases: Vec<(String, Vec<String>)> = saidgraph::NAMED_QUERIES
        .iter()
        .filter(|q| !ACROSS_GRAPHS.contains(&q.name) && !ON_A_STORE.contains(&q.name))
        .map(|q| (q.name.to_owned(), Vec::new()))
        .collect();
    cases.push(("statements-by".into(), vec!["speaker=putin".into()]));
    cases.push(("statements-about".into(), vec!["topic=russia-north-korea-pact".into()]));
    cases.push(("stance-on".into(), vec!["topic=russia-north-korea-pact".into()]));
    cases.push(("entity".into(), vec!["entity=entity:putin".into()]));
    cases.push((
        "statements-by".into(),
        vec!["speaker=<https://kb.example.org/seed/entity/nozdrev>".into()],
    ));
    cases.push(("relations".into(), vec!["subject=nozdrev".into()]));
    for (name, params) in cases {
        let mut command = saidgraph();
        command
            .args(["query", "-i"])
            .arg(common::example())
            .arg(&name)
            .args(["-r", "csv"]);
        if NEEDS_RDF_12.contains(&name.as_str()) {
            command.args(["--rdf", "1.2"]);
        }
        for param in &params {
            command.args(["--param", param]);
        }
        let output = command.output()?;
        assert!(output.status.success(), "{name} {params:?}:\n{}", stderr(&output));
        let suffix: String = params
            .iter()
            .map(|p| format!("--{}", p.replace(|c: char| !c.is_alphanumeric(), "-")))
            .collect();
        let actual = stdout(&output);
        assert!(
            actual.lines().count() > 1,
            "{name} {params:?} gave no rows on the example"
        );
        assert_golden(&folder.join(format!("{name}{suffix}.csv")), &actual);
    }
    Ok(())
}

/// A named query that needs RDF 1.2 data says so in its header, and on RDF 1.1 data
/// (the default) it finds nothing: the reifiers it matches are not there.
#[test]
fn rdf_12_queries_say_so_and_find_nothing_in_rdf_11() -> TestResult {
    for name in NEEDS_RDF_12 {
        let query = saidgraph::NAMED_QUERIES
            .iter()
            .find(|q| q.name == name)
            .ok_or("no such query")?;
        assert!(query.text.contains("# Needs RDF 1.2 data"), "{name}'s header");
        let output = saidgraph()
            .args(["query", "-i"])
            .arg(common::example())
            .args([name, "-r", "csv"])
            .output()?;
        assert!(output.status.success(), "{name}:\n{}", stderr(&output));
        assert_eq!(stdout(&output).lines().count(), 1, "{name} found rows in RDF 1.1 data");
    }
    Ok(())
}

/// The named queries that need another graph, on the linking case: the knowledge base,
/// `--with` its golden links and `--with` the Wikidata excerpt.
#[test]
fn named_queries_across_graphs() -> TestResult {
    let case = fixtures().join("link");
    let folder = case.join("queries");
    std::fs::create_dir_all(&folder)?;
    let mut cases: Vec<(&str, Option<&str>)> = ACROSS_GRAPHS.iter().map(|name| (*name, None)).collect();
    cases.push(("statements-by-party", Some("party=wd:Q29468")));
    for (name, param) in cases {
        let output = common::query_across_graphs()
            .args([name, "-r", "csv"])
            .args(param.iter().flat_map(|p| ["--param", p]))
            .output()?;
        assert!(output.status.success(), "{name} {param:?}:\n{}", stderr(&output));
        let actual = stdout(&output);
        assert!(actual.lines().count() > 1, "{name} {param:?} gave no rows");
        let suffix = param.map_or(String::new(), |p| {
            format!("--{}", p.replace(|c: char| !c.is_alphanumeric(), "-"))
        });
        assert_golden(&folder.join(format!("{name}{suffix}.csv")), &actual);
    }
    Ok(())
}

/// Streamed conversion (`--order input`, what large JSON Lines and CSV inputs get) gives
/// the same graph as the sorted path, the same bytes from either form, and its own golden.
#[test]
fn streamed_output_is_the_same_graph_in_input_order() -> TestResult {
    let case = fixtures().join("forms");
    let expected = parse(&std::fs::read(case.join("expected.ttl"))?, RdfFormat::Turtle)?;
    for (name, format) in [
        ("ttl", RdfFormat::Turtle),
        ("nt", RdfFormat::NTriples),
        ("nq", RdfFormat::NQuads),
    ] {
        let mut outputs = Vec::new();
        for input in ["input.jsonl", "input"] {
            let output = saidgraph()
                .arg("convert")
                .arg(case.join(input))
                .args(["--order", "input", "-f", name])
                .output()?;
            assert!(output.status.success(), "{}", stderr(&output));
            assert_eq!(parse_union(&output.stdout, format)?, expected, "{input} as {name}");
            outputs.push(output.stdout);
        }
        assert_eq!(
            outputs[0], outputs[1],
            "JSON Lines and CSV streamed differently as {name}"
        );
        if name == "ttl" {
            assert_golden(
                &case.join("expected-streamed.ttl"),
                &String::from_utf8(outputs.remove(0))?,
            );
        }
    }
    Ok(())
}

/// Compressed inputs (gzip, bzip2, zstd; JSON, JSON Lines and CSV tables) give the same
/// bytes as the plain ones.
#[test]
fn compressed_inputs_read_as_plain_ones() -> TestResult {
    use std::io::Write;
    let case = fixtures().join("forms");
    let expected = std::fs::read_to_string(case.join("expected.ttl"))?;
    let folder = tempfile::tempdir()?;
    let compress = |from: &Path, to: &Path| -> Result<(), Box<dyn std::error::Error>> {
        let bytes = std::fs::read(from)?;
        let file = std::fs::File::create(to)?;
        match to.extension().and_then(|e| e.to_str()) {
            Some("gz") => flate2::write::GzEncoder::new(file, flate2::Compression::default()).write_all(&bytes)?,
            Some("bz2") => bzip2::write::BzEncoder::new(file, bzip2::Compression::default()).write_all(&bytes)?,
            _ => zstd::stream::copy_encode(bytes.as_slice(), file, 3)?,
        }
        Ok(())
    };
    for ext in ["gz", "bz2", "zst"] {
        for input in ["input.json", "input.jsonl"] {
            let target = folder.path().join(format!("{input}.{ext}"));
            compress(&case.join(input), &target)?;
            let output = saidgraph().arg("convert").arg(&target).output()?;
            assert!(output.status.success(), "{}: {}", target.display(), stderr(&output));
            common::assert_text_eq(&target.display().to_string(), &expected, &stdout(&output));
        }
        let tables = folder.path().join(format!("csv-{ext}"));
        std::fs::create_dir(&tables)?;
        for table in ["entities", "statements", "sources", "relations"] {
            compress(
                &case.join(format!("input/{table}.csv")),
                &tables.join(format!("{table}.csv.{ext}")),
            )?;
        }
        let output = saidgraph().arg("convert").arg(&tables).output()?;
        assert!(output.status.success(), "{}: {}", tables.display(), stderr(&output));
        common::assert_text_eq(&tables.display().to_string(), &expected, &stdout(&output));
    }
    Ok(())
}

/// Numbers are read as written in both passes of the streaming path: an id written as a
/// fraction or a huge integer names the same record when it is defined and when it is used.
#[test]
fn streamed_numbers_keep_their_text() -> TestResult {
    let folder = tempfile::tempdir()?;
    let input = folder.path().join("kb.jsonl");
    std::fs::write(
        &input,
        "{\"record\": \"entity\", \"id\": 1.50, \"type\": \"person\", \"name\": \"A\"}\n\
         {\"record\": \"entity\", \"id\": 123456789012345678901234567890, \"type\": \"person\", \"name\": \"B\"}\n\
         {\"record\": \"statement\", \"id\": 7, \"speaker\": \"1.50\", \"addressees\": [\"123456789012345678901234567890\"], \"confidence\": 0.50}\n",
    )?;
    let streamed = saidgraph()
        .arg("convert")
        .arg(&input)
        .args(["--order", "input", "-f", "nt"])
        .output()?;
    let sorted = saidgraph()
        .arg("convert")
        .arg(&input)
        .args(["--order", "sorted", "-f", "nt"])
        .output()?;
    assert!(streamed.status.success(), "{}", stderr(&streamed));
    assert_eq!(
        parse(&streamed.stdout, RdfFormat::NTriples)?,
        parse(&sorted.stdout, RdfFormat::NTriples)?
    );
    let text = stdout(&streamed);
    assert!(text.contains("<https://kb.example.org/entity/1.50>"), "{text}");
    assert!(
        text.contains("<https://kb.example.org/entity/123456789012345678901234567890>"),
        "{text}"
    );
    Ok(())
}
