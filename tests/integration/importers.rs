//! The GDELT and Quotebank importers (issue 5), on small fixtures cut byte for byte from
//! the real samples (`tests/fixtures/gdelt/`, `tests/fixtures/quotebank/`, each with a
//! README naming the origin of every line), and on the real samples themselves when
//! `../shared/data` is beside the clone. `SAIDGRAPH_BLESS=1 cargo test` rewrites the
//! goldens.

use std::path::{Path, PathBuf};

use crate::common::{self, TestResult, assert_golden, assert_text_eq, fixtures, parse, saidgraph, stderr, stdout};
use oxigraph::io::RdfFormat;
use saidgraph::InputFormat;

/// Each case: its folder under `tests/fixtures/`, and the format its input is recognised as.
const CASES: [(&str, InputFormat); 6] = [
    ("gdelt/export-2.0", InputFormat::Gdelt),
    ("gdelt/events-1.0", InputFormat::Gdelt),
    ("quotebank/zenodo", InputFormat::Quotebank),
    ("quotebank/pandas", InputFormat::Quotebank),
    ("quotebank/csv", InputFormat::Quotebank),
    ("quotebank/congress", InputFormat::Quotebank),
];

/// The case's input: its one file named `input.*`.
fn input(case: &str) -> PathBuf {
    let folder = fixtures().join(case);
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| path.file_stem().is_some_and(|stem| stem == "input"))
        .collect();
    assert_eq!(inputs.len(), 1, "{}: expected one input.* file", folder.display());
    inputs.remove(0)
}

/// Runs `saidgraph ARGS…`, which must succeed; its standard output and error.
fn run(args: &[&std::ffi::OsStr]) -> Result<(String, String), Box<dyn std::error::Error>> {
    let output = saidgraph().args(args).output()?;
    assert!(
        output.status.success(),
        "saidgraph {args:?} failed:\n{}",
        stderr(&output)
    );
    Ok((stdout(&output), stderr(&output)))
}

/// Converts `input` with `flags` and checks the Turtle against the golden `expected`,
/// as graphs and as bytes.
fn check_golden(input: &Path, flags: &[&str], expected: &Path) -> TestResult {
    let mut args = vec![std::ffi::OsStr::new("convert"), input.as_os_str()];
    args.extend(flags.iter().map(std::ffi::OsStr::new));
    let (actual, _) = run(&args)?;
    if std::env::var_os("SAIDGRAPH_BLESS").is_none() {
        assert_eq!(
            parse(&std::fs::read(expected)?, RdfFormat::Turtle)?,
            parse(actual.as_bytes(), RdfFormat::Turtle)?,
            "{} {flags:?}: not the graph of {}",
            input.display(),
            expected.display()
        );
    }
    assert_golden(expected, &actual);
    Ok(())
}

/// Every fixture converts to its `expected.ttl`, recognised by its shape alone; naming
/// the format gives the same bytes.
#[test]
fn each_fixture_converts_to_its_expected_turtle() -> TestResult {
    for (case, format) in CASES {
        let input = input(case);
        let expected = fixtures().join(case).join("expected.ttl");
        check_golden(&input, &[], &expected)?;
        check_golden(&input, &["--input-format", &format.to_string()], &expected)?;
    }
    Ok(())
}

/// `--all-events` adds the material events (QuadClass 2 and 4); `--keep-unattributed`
/// adds the quotations of speaker "None", said by the entity `unattributed`.
#[test]
fn flags_keep_what_is_skipped_by_default() -> TestResult {
    for (case, flag, golden) in [
        ("gdelt/export-2.0", "--all-events", "expected-all-events.ttl"),
        ("gdelt/events-1.0", "--all-events", "expected-all-events.ttl"),
        (
            "quotebank/pandas",
            "--keep-unattributed",
            "expected-keep-unattributed.ttl",
        ),
        ("quotebank/csv", "--keep-unattributed", "expected-keep-unattributed.ttl"),
    ] {
        check_golden(&input(case), &[flag], &fixtures().join(case).join(golden))?;
    }
    Ok(())
}

/// What `validate` counts, and the note on standard error that says what was skipped
/// and why, with and without the flags.
#[test]
fn skipped_rows_are_counted_on_standard_error() -> TestResult {
    let cases: [(&str, &[&str], &str, &str); 8] = [
        (
            "gdelt/export-2.0",
            &[],
            "valid: 10 statements, 22 entities, 8 sources, 0 relations\n",
            "saidgraph: skipped 3 rows: 1 no Actor1, so no speaker; \
             2 not a verbal event (QuadClass 2 or 4; --all-events keeps them)\n",
        ),
        (
            "gdelt/export-2.0",
            &["--all-events"],
            "valid: 12 statements, 24 entities, 10 sources, 0 relations\n",
            "saidgraph: skipped 1 row: 1 no Actor1, so no speaker\n",
        ),
        (
            "gdelt/events-1.0",
            &[],
            "valid: 8 statements, 19 entities, 4 sources, 0 relations\n",
            "saidgraph: skipped 4 rows: 2 no Actor1, so no speaker; \
             2 not a verbal event (QuadClass 2 or 4; --all-events keeps them)\n",
        ),
        (
            "gdelt/events-1.0",
            &["--all-events"],
            "valid: 10 statements, 22 entities, 5 sources, 0 relations\n",
            "saidgraph: skipped 2 rows: 2 no Actor1, so no speaker\n",
        ),
        (
            "quotebank/pandas",
            &[],
            "valid: 4 statements, 4 entities, 4 sources, 0 relations\n",
            "saidgraph: skipped 1 row: 1 unattributed (speaker \"None\"; --keep-unattributed keeps them)\n",
        ),
        (
            "quotebank/pandas",
            &["--keep-unattributed"],
            "valid: 5 statements, 5 entities, 5 sources, 0 relations\n",
            "",
        ),
        (
            "quotebank/csv",
            &[],
            "valid: 3 statements, 3 entities, 5 sources, 0 relations\n",
            "saidgraph: skipped 1 row: 1 unattributed (speaker \"None\"; --keep-unattributed keeps them)\n",
        ),
        (
            "quotebank/zenodo",
            &["--all-events", "--keep-unattributed"],
            "valid: 4 statements, 4 entities, 4 sources, 0 relations\n",
            "",
        ),
    ];
    for (case, flags, counts, note) in cases {
        let input = input(case);
        let mut args = vec![std::ffi::OsStr::new("validate"), input.as_os_str()];
        args.extend(flags.iter().map(std::ffi::OsStr::new));
        let (out, err) = run(&args)?;
        assert_text_eq(&format!("{case} {flags:?}: stdout"), counts, &out);
        assert_text_eq(&format!("{case} {flags:?}: stderr"), note, &err);
    }
    Ok(())
}

/// Each kind is recognised by its first line, whatever extension among those read:
/// GDELT rows by their tab count, Quotebank by `quoteID`, even in a `.json` file.
#[test]
fn formats_are_recognised_by_shape() -> TestResult {
    let folder = tempfile::tempdir()?;
    for (case, format) in CASES {
        let input = input(case);
        assert_eq!(InputFormat::detect(&input), Some(format), "{}", input.display());
        for extension in ["txt", "csv", "tsv"] {
            let copy = folder.path().join(format!("{}.{extension}", case.replace('/', "-")));
            std::fs::copy(&input, &copy)?;
            // A Quotebank JSON line under a tabular name is still Quotebank.
            assert_eq!(InputFormat::detect(&copy), Some(format), "{}", copy.display());
        }
    }
    Ok(())
}

/// A GDELT row cut short is an error at its line, and nothing is written.
#[test]
fn a_gdelt_row_with_a_wrong_column_count_is_a_positioned_error() -> TestResult {
    let folder = tempfile::tempdir()?;
    let path = folder.path().join("events.CSV");
    let text = std::fs::read_to_string(input("gdelt/export-2.0"))?;
    let cut: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, line)| match i {
            2 => line.split('\t').take(40).collect::<Vec<_>>().join("\t"),
            _ => line.to_owned(),
        })
        .collect();
    std::fs::write(&path, cut.join("\n") + "\n")?;
    let output = saidgraph().arg("convert").arg(&path).output()?;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert_text_eq(
        "stderr",
        &format!(
            "{}:3:1: a GDELT event row has 57, 58 or 61 tab-separated columns; this one has 40\n\
             1 error found; nothing was written\n",
            path.display()
        ),
        &stderr(&output),
    );
    Ok(())
}

/// A GDELT place whose name is blank is no place: the event is kept without one. (The
/// place record it made was invalid, and its error was dropped unseen, with the place.)
#[test]
fn a_gdelt_place_with_a_blank_name_is_left_out() -> TestResult {
    let folder = tempfile::tempdir()?;
    let path = folder.path().join("events.CSV");
    let text = std::fs::read_to_string(input("gdelt/export-2.0"))?;
    let blanked: Vec<String> = text
        .lines()
        .map(|line| {
            let mut cells: Vec<&str> = line.split('\t').collect();
            cells[52] = "   ";
            cells.join("\t")
        })
        .collect();
    std::fs::write(&path, blanked.join("\n") + "\n")?;
    let output = saidgraph().args(["convert", "-f", "nt"]).arg(&path).output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    let original = saidgraph()
        .args(["convert", "-f", "nt"])
        .arg(input("gdelt/export-2.0"))
        .output()?;
    let statements = |nt: &str| nt.matches("saidgraph#Statement>").count();
    assert!(statements(&stdout(&output)) > 0);
    assert_eq!(statements(&stdout(&output)), statements(&stdout(&original)));
    assert!(!stdout(&output).contains("saidgraph#place>"), "a blank place was kept");
    assert!(stdout(&original).contains("saidgraph#place>"));
    Ok(())
}

/// Compressed importer inputs (gzip, bzip2, zstd) give the bytes of the plain ones.
#[test]
fn compressed_importer_inputs_read_as_plain_ones() -> TestResult {
    use std::io::Write;
    let folder = tempfile::tempdir()?;
    for case in ["quotebank/pandas", "quotebank/csv", "gdelt/events-1.0"] {
        let input = input(case);
        let expected = std::fs::read_to_string(fixtures().join(case).join("expected.ttl"))?;
        let bytes = std::fs::read(&input)?;
        for extension in ["bz2", "gz", "zst"] {
            let name = input.file_name().and_then(|n| n.to_str()).unwrap_or("input");
            let target = folder
                .path()
                .join(format!("{}-{name}.{extension}", case.replace('/', "-")));
            let file = std::fs::File::create(&target)?;
            match extension {
                "bz2" => bzip2::write::BzEncoder::new(file, bzip2::Compression::default()).write_all(&bytes)?,
                "gz" => flate2::write::GzEncoder::new(file, flate2::Compression::default()).write_all(&bytes)?,
                _ => zstd::stream::copy_encode(bytes.as_slice(), file, 3)?,
            }
            let (actual, _) = run(&["convert".as_ref(), target.as_os_str()])?;
            assert_text_eq(&target.display().to_string(), &expected, &actual);
        }
    }
    Ok(())
}

/// The streaming path (what inputs over 8 MiB get) reads the importers too: the same
/// graph, in input order.
#[test]
fn importers_stream() -> TestResult {
    for (case, _) in CASES {
        let input = input(case);
        let expected = parse(
            &std::fs::read(fixtures().join(case).join("expected.ttl"))?,
            RdfFormat::Turtle,
        )?;
        for (name, format) in [("nt", RdfFormat::NTriples), ("ttl", RdfFormat::Turtle)] {
            let streamed = run(&[
                "convert".as_ref(),
                input.as_os_str(),
                "--order".as_ref(),
                "input".as_ref(),
                "-f".as_ref(),
                name.as_ref(),
            ])?
            .0;
            assert_eq!(
                parse(streamed.as_bytes(), format)?,
                expected,
                "{case} streamed as {name}"
            );
            let sorted = run(&["convert".as_ref(), input.as_os_str(), "-f".as_ref(), name.as_ref()])?.0;
            assert_ne!(streamed, sorted, "{case}: --order input did not stream");
        }
    }
    Ok(())
}

/// Named queries on imported data: who said what to whom on GDELT events shows actor
/// names, act labels (named acts and CAMEO concepts) and where each event was reported;
/// on Quotebank, speakers and their words.
#[test]
fn named_queries_on_imported_data() -> TestResult {
    let gdelt = input("gdelt/export-2.0");
    let quotebank = input("quotebank/pandas");
    let cases: [(&Path, &str, &[&str], &str); 6] = [
        (
            &gdelt,
            "who-said-what-to-whom",
            &[],
            "gdelt/export-2.0/queries/who-said-what-to-whom.csv",
        ),
        (&gdelt, "acts", &[], "gdelt/export-2.0/queries/acts.csv"),
        (
            &gdelt,
            "entity",
            &["--param", "entity=RUS:RUSSIA"],
            "gdelt/export-2.0/queries/entity--entity-RUS-RUSSIA.csv",
        ),
        (
            &quotebank,
            "who-said-what-to-whom",
            &[],
            "quotebank/pandas/queries/who-said-what-to-whom.csv",
        ),
        (&quotebank, "quotes", &[], "quotebank/pandas/queries/quotes.csv"),
        (
            &quotebank,
            "linked-entities",
            &[],
            "quotebank/pandas/queries/linked-entities.csv",
        ),
    ];
    for (input, name, params, golden) in cases {
        let mut args = vec![
            std::ffi::OsStr::new("query"),
            "-i".as_ref(),
            input.as_os_str(),
            name.as_ref(),
            "-r".as_ref(),
            "csv".as_ref(),
        ];
        args.extend(params.iter().map(std::ffi::OsStr::new));
        let (actual, _) = run(&args)?;
        assert!(actual.lines().count() > 1, "{name} {params:?} gave no rows");
        let golden = fixtures().join(golden);
        std::fs::create_dir_all(golden.parent().expect("a folder"))?;
        assert_golden(&golden, &actual);
    }
    let (table, _) = run(&[
        "query".as_ref(),
        "-i".as_ref(),
        gdelt.as_os_str(),
        "who-said-what-to-whom".as_ref(),
        "-r".as_ref(),
        "csv".as_ref(),
    ])?;
    // Actors by name, a named act, CAMEO concepts by their names, and the source.
    for expected in [
        ",DIPLOMAT,threaten,RUSSIAN,2016-10-06,GDELT event 130 (threaten) reported in http://www.arabherald.com/index.php/sid/248518333",
        ",PARIS,Engage in negotiation,ISRAEL,2015-10-14,GDELT event 046 (Engage in negotiation) reported in http://",
        ",UNITED NATIONS,Veto,FRENCH,",
        ",RUSSIA,Appeal for de-escalation of military engagement,SYRIA,",
    ] {
        assert!(table.contains(expected), "missing {expected:?} in:\n{table}");
    }
    assert!(!table.contains("GOV:DIPLOMAT"), "ids instead of names:\n{table}");
    Ok(())
}

/// A country actor is the country's Wikidata item (data/countries.tsv): Russia is Q159,
/// whichever name GDELT gives it; an actor with a role (`GOV`) is not a country.
#[test]
fn country_actors_are_linked_to_wikidata() -> TestResult {
    let (turtle, _) = run(&[
        "convert".as_ref(),
        input("gdelt/export-2.0").as_os_str(),
        "-f".as_ref(),
        "nt".as_ref(),
    ])?;
    let same_as = |entity: &str, item: &str| {
        format!(
            "<https://kb.example.org/entity/{entity}> <http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/{item}> ."
        )
    };
    for (entity, item) in [("RUS:RUSSIA", "Q159"), ("RUS:RUSSIAN", "Q159"), ("CAN:CANADA", "Q16")] {
        assert!(turtle.contains(&same_as(entity, item)), "{entity} is not {item}");
    }
    assert!(!turtle.contains("<https://kb.example.org/entity/GOV:DIPLOMAT> <http://www.w3.org/2002/07/owl#sameAs>"));
    // Canada (a country, FeatureID CA) and California (a US state, FeatureID CA) stay two places.
    assert!(turtle.contains(
        "<https://kb.example.org/entity/geo:1:CA> <http://www.w3.org/2000/01/rdf-schema#label> \"Canada\" ."
    ));
    assert!(turtle.contains(
        "<https://kb.example.org/entity/geo:2:CA> <http://www.w3.org/2000/01/rdf-schema#label> \"California, United States\" ."
    ));
    Ok(())
}

/// Every real sample file validates, by shape alone: the four GDELT event files and every
/// Quotebank file. What each gives, and what it skips and why, is a golden
/// (`tests/fixtures/real-samples.txt`).
#[test]
fn every_real_sample_validates() -> TestResult {
    let Some(data) = common::shared_data(&["gdelt-events/", "quotebank/"], "the real samples are missing") else {
        return Ok(());
    };
    let mut samples: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(data.join("gdelt-events"))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.ends_with(".CSV") || name == "gdelt1-events-sample.tsv" {
            samples.push(path);
        }
    }
    for entry in std::fs::read_dir(data.join("quotebank"))? {
        let path = entry?.path();
        if path.is_file() && path.file_name().is_some_and(|n| n != "README.md") {
            samples.push(path);
        }
    }
    samples.sort();
    assert!(
        samples.len() >= 10,
        "only {} samples in {}",
        samples.len(),
        data.display()
    );
    let mut report = String::new();
    for sample in &samples {
        let (out, err) = run(&["validate".as_ref(), sample.as_os_str()])?;
        assert!(
            out.starts_with("valid: ") && !out.starts_with("valid: 0 statements"),
            "{}: {out}",
            sample.display()
        );
        let name = sample.strip_prefix(&data)?.display().to_string();
        report.push_str(&format!("{name}\n  {out}"));
        for line in err.lines() {
            report.push_str(&format!("  {line}\n"));
        }
    }
    assert_golden(&fixtures().join("real-samples.txt"), &report);
    Ok(())
}
