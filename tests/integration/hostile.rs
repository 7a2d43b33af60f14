//! Hostile input: huge lines, deep nesting, a million aliases, an object of many keys, a
//! million bad lines, NUL bytes, byte order marks with CRLF line ends, invalid UTF-8, a
//! single string of a gigabyte, and queries nested too deep. Each must end in success or
//! a clear error (exit 1, the problem named), in bounded memory: the peak resident size
//! of the process is measured and checked.
//!
//! The gigabyte string is 100 MB by default, to keep `cargo test` quick in a debug
//! build; `SAIDGRAPH_HOSTILE_BYTES=1G cargo test --test integration hostile::` runs it at full
//! size.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use crate::common::{self, TestResult, example, stderr};

const MB: u64 = 1 << 20;

/// Runs the binary with `args`, and gives its output and its peak resident memory in
/// bytes (read from /proc while it runs).
fn run(args: &[&dyn AsRef<std::ffi::OsStr>]) -> std::io::Result<(Output, u64)> {
    let mut command = common::binary();
    for arg in args {
        command.arg(arg);
    }
    let child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let status = format!("/proc/{}/status", child.id());
    let watcher = std::thread::spawn(move || {
        let mut peak = 0;
        while let Ok(text) = std::fs::read_to_string(&status) {
            let Some(hwm) = text.lines().find_map(|l| l.strip_prefix("VmHWM:")) else {
                break; // a zombie: it has exited
            };
            let kb: u64 = hwm.trim().trim_end_matches(" kB").trim().parse().unwrap_or(0);
            peak = peak.max(kb * 1024);
            std::thread::sleep(Duration::from_millis(5));
        }
        peak
    });
    let output = child.wait_with_output()?;
    let peak = watcher.join().unwrap_or(0);
    Ok((output, peak))
}

fn assert_bounded(what: &str, peak: u64, limit: u64) {
    eprintln!("{what}: peak resident memory {} MB", peak / MB);
    assert!(
        peak < limit,
        "{what}: {} MB of memory, more than {} MB",
        peak / MB,
        limit / MB
    );
}

fn write(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    std::fs::write(path, bytes)?;
    Ok(path.to_owned())
}

/// The size of the "gigabyte" string: `SAIDGRAPH_HOSTILE_BYTES` (with K, M or G), else 100 MB.
fn hostile_bytes() -> u64 {
    std::env::var("SAIDGRAPH_HOSTILE_BYTES")
        .ok()
        .and_then(|v| saidgraph::parse_size(&v).ok())
        .unwrap_or(100 * MB)
}

/// A file holding `before`, then `size` bytes of `x`, then `after`, written in pieces.
fn with_long_string(path: &Path, before: &str, size: u64, after: &str) -> std::io::Result<PathBuf> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    out.write_all(before.as_bytes())?;
    let chunk = vec![b'x'; 1 << 20];
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        out.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    out.write_all(after.as_bytes())?;
    out.flush()?;
    Ok(path.to_owned())
}

/// A single string of a gigabyte (100 MB by default), in a line of JSON Lines, GDELT and
/// Quotebank and in a JSON document: over the limits (8 MiB here), a clear error without
/// reading it whole, in far less memory than the string; within raised limits, converted.
#[test]
fn a_gigabyte_string_is_refused_in_bounded_memory() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let size = hostile_bytes();
    let entity = r#"{"record": "entity", "id": "a", "type": "person", "name": "A"}"#;
    let gdelt_start = format!("1\t20240620{}\t", "\tx".repeat(58));
    let cases = [
        (
            "long.jsonl",
            format!("{entity}\n{{\"record\": \"statement\", \"speaker\": \"a\", \"quote\": \""),
            "\"}\n{\"record\": \"entity\"}\n",
            "jsonl",
            52,
        ),
        (
            "long.tsv",
            format!("{gdelt_start}\n{gdelt_start}"),
            "\n1\tbroken\n",
            "gdelt",
            0,
        ),
        (
            "quotes.jsonl",
            "{\"quoteID\": \"q1\"}\n{\"quoteID\": \"q2\", \"quotation\": \"".to_owned(),
            "\"}\nnot json\n",
            "quotebank",
            34,
        ),
    ];
    for (name, before, after, format, overhead) in cases {
        let path = with_long_string(&scratch.path().join(name), &before, size, after)?;
        let (output, peak) = run(&[&"validate", &path, &"--input-format", &format, &"--max-line", &"8M"])?;
        assert_eq!(output.status.code(), Some(1), "{name}: {}", stderr(&output));
        let message = stderr(&output);
        let length = size + overhead + if format == "gdelt" { gdelt_start.len() as u64 } else { 0 };
        assert!(
            message.contains(&format!(
                "{name}:2:1: a line of {length} bytes is longer than the limit of 8388608 bytes; \
                 split it, or raise the limit with --max-line"
            )),
            "{name}: {message}"
        );
        assert!(
            message.contains(&format!("{name}:3:")),
            "{name}: reading goes on after a long line: {message}"
        );
        assert_bounded(name, peak, 100 * MB);
    }

    let document = with_long_string(
        &scratch.path().join("long.json"),
        r#"{"entities": [{"id": "a", "type": "person", "name": "A", "description": ""#,
        size,
        "\"}]}",
    )?;
    let (output, peak) = run(&[&"validate", &document, &"--max-document", &"8M"])?;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("long.json: a JSON document longer than the limit of 8388608 bytes"),
        "{}",
        stderr(&output)
    );
    assert_bounded("a long JSON document", peak, 100 * MB);
    Ok(())
}

/// A long string within the limits is simply converted.
#[test]
fn a_long_string_within_the_limits_is_converted() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let size = 20 * MB;
    let lines = with_long_string(
        &scratch.path().join("long.jsonl"),
        "{\"record\": \"entity\", \"id\": \"a\", \"type\": \"person\", \"name\": \"A\"}\n\
         {\"record\": \"statement\", \"id\": \"s\", \"speaker\": \"a\", \"quote\": \"",
        size,
        "\"}\n",
    )?;
    let out = scratch.path().join("out.nt");
    let (output, peak) = run(&[&"convert", &lines, &"-o", &out])?;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(std::fs::metadata(&out)?.len() > size);
    assert_bounded("a 20 MB quote", peak, 1024 * MB);
    Ok(())
}

/// Nesting 100,000 deep, in a JSON document and in a JSON Lines line: an error, no crash.
#[test]
fn deep_nesting_is_an_error() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let document = write(
        &scratch.path().join("deep.json"),
        format!("{{\"entities\": {deep}}}").as_bytes(),
    )?;
    let (output, _) = run(&[&"validate", &document])?;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Maximum nesting depth exceeded"),
        "{}",
        stderr(&output)
    );
    let lines = write(
        &scratch.path().join("deep.jsonl"),
        format!("{{\"record\": \"entity\", \"aliases\": {deep}}}\n").as_bytes(),
    )?;
    let (output, _) = run(&[&"validate", &lines])?;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("deep.jsonl:1:"), "{}", stderr(&output));
    Ok(())
}

/// An entity with a million aliases is a knowledge base like any other.
#[test]
fn a_million_aliases_are_converted() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let aliases: Vec<String> = (0..1_000_000).map(|i| format!("\"alias {i}\"")).collect();
    let lines = write(
        &scratch.path().join("aliases.jsonl"),
        format!(
            "{{\"record\": \"entity\", \"id\": \"a\", \"type\": \"person\", \"name\": \"A\", \"aliases\": [{}]}}\n",
            aliases.join(", ")
        )
        .as_bytes(),
    )?;
    let out = scratch.path().join("out.nt");
    let (output, peak) = run(&[&"convert", &lines, &"-o", &out])?;
    assert!(output.status.success(), "{}", stderr(&output));
    let triples = std::fs::read_to_string(&out)?.lines().count();
    assert_eq!(triples, 1_000_002, "a type, a label and a million alternative labels");
    assert_bounded("a million aliases", peak, 2048 * MB);
    Ok(())
}

/// An object of 200,000 keys (each an unknown field) and a file of a million bad lines:
/// checked in linear time, and the report lists the first 10,000 problems and counts
/// the rest.
#[test]
fn floods_of_errors_are_counted_not_listed() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let keys: Vec<String> = (0..200_000).map(|i| format!("\"k{i}\": {i}")).collect();
    let lines = write(
        &scratch.path().join("keys.jsonl"),
        format!("{{\"record\": \"entity\", {}}}\n", keys.join(", ")).as_bytes(),
    )?;
    let started = std::time::Instant::now();
    let (output, _) = run(&[&"validate", &lines])?;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("… and 190003 more (only the first 10000 problems are listed)"),
        "{}",
        &message[message.len().saturating_sub(300)..]
    );
    assert!(
        message.ends_with("200003 errors found; nothing was written\n"),
        "{}",
        &message[message.len().saturating_sub(300)..]
    );
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "200,000 keys took {:?}",
        started.elapsed()
    );

    let bad = write(
        &scratch.path().join("bad.jsonl"),
        &b"{\"record\": \"nope\"}\n".repeat(1_000_000),
    )?;
    let (output, peak) = run(&[&"validate", &bad])?;
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output).lines().count(),
        10_002,
        "10,000 listed, the count of the rest, the total"
    );
    assert_bounded("a million bad lines", peak, 512 * MB);
    Ok(())
}

/// NUL bytes: outside a string, a syntax error; inside one, raw or escaped, and in a
/// CSV cell, text like any other that survives the trip to RDF.
#[test]
fn nul_bytes_are_an_error_or_text() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let outside = write(
        &scratch.path().join("outside.jsonl"),
        b"{\"record\": \"entity\",\0 \"id\": \"a\", \"type\": \"person\", \"name\": \"A\"}\n",
    )?;
    let (output, _) = run(&[&"validate", &outside])?;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with(&format!("{}:1:", outside.display())),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("invalid JSON"), "{}", stderr(&output));

    let raw = write(
        &scratch.path().join("raw.jsonl"),
        b"{\"record\": \"entity\", \"id\": \"a\0b\", \"type\": \"person\", \"name\": \"A\"}\n",
    )?;

    let escaped = write(
        &scratch.path().join("escaped.jsonl"),
        b"{\"record\": \"entity\", \"id\": \"a\\u0000b\", \"type\": \"person\", \"name\": \"A\\u0000\"}\n",
    )?;
    let folder = scratch.path().join("tables");
    std::fs::create_dir(&folder)?;
    write(&folder.join("entities.csv"), b"id,type,name\na\0b,person,A\0\n")?;
    write(&folder.join("statements.csv"), b"speaker,quote\na\0b,x\0y\n")?;
    for input in [&raw, &escaped, &folder] {
        let (output, _) = run(&[&"convert", input, &"-f", &"nt"])?;
        assert!(output.status.success(), "{}", stderr(&output));
        common::parse(&output.stdout, oxigraph::io::RdfFormat::NTriples)?;
        assert!(
            common::stdout(&output).contains("entity/a%00b>"),
            "{}",
            common::stdout(&output)
        );
    }
    Ok(())
}

/// A byte order mark and CRLF line ends, as Windows tools write them, change nothing.
#[test]
fn byte_order_marks_and_crlf_change_nothing() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let plain = std::fs::read_to_string(common::fixtures().join("forms/input.jsonl"))?;
    let windows = write(
        &scratch.path().join("windows.jsonl"),
        format!("\u{feff}{}", plain.replace('\n', "\r\n")).as_bytes(),
    )?;
    let document = std::fs::read_to_string(example())?;
    let windows_document = write(
        &scratch.path().join("windows.json"),
        format!("\u{feff}{}", document.replace('\n', "\r\n")).as_bytes(),
    )?;
    // Every other form too: each table of a CSV folder, GDELT, and Quotebank as CSV and
    // as JSON Lines, under their own names so that their formats are still recognised.
    let mut cases = vec![
        (common::fixtures().join("forms/input.jsonl"), windows),
        (example(), windows_document),
    ];
    for (i, original) in [
        "forms/input",
        "gdelt/export-2.0/input.CSV",
        "quotebank/csv/input.csv",
        "quotebank/pandas/input.jsonl",
    ]
    .into_iter()
    .enumerate()
    {
        let original = common::fixtures().join(original);
        let folder = scratch.path().join(i.to_string());
        std::fs::create_dir(&folder)?;
        let windows_copy = |from: &Path, to: &Path| -> std::io::Result<()> {
            let text = std::fs::read_to_string(from)?;
            std::fs::write(to, format!("\u{feff}{}", text.replace('\n', "\r\n")))
        };
        let copy = folder.join(original.file_name().ok_or("a file name")?);
        if original.is_dir() {
            std::fs::create_dir(&copy)?;
            for entry in std::fs::read_dir(&original)? {
                let entry = entry?;
                windows_copy(&entry.path(), &copy.join(entry.file_name()))?;
            }
        } else {
            windows_copy(&original, &copy)?;
        }
        cases.push((original, copy));
    }
    for (original, windows) in cases {
        let (expected, _) = run(&[&"convert", &original, &"-f", &"nt"])?;
        let (actual, _) = run(&[&"convert", &windows, &"-f", &"nt"])?;
        assert!(actual.status.success(), "{}", stderr(&actual));
        assert_eq!(
            common::parse(&actual.stdout, oxigraph::io::RdfFormat::NTriples)?,
            common::parse(&expected.stdout, oxigraph::io::RdfFormat::NTriples)?
        );
    }
    Ok(())
}

/// Invalid UTF-8 in every input form: an error naming the file and line.
#[test]
fn invalid_utf8_is_an_error_in_every_form() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let entity = b"{\"record\": \"entity\", \"id\": \"a\xff\", \"type\": \"person\", \"name\": \"A\"}\n";
    let gdelt_row = {
        let mut row = b"1\t20240620".to_vec();
        for _ in 0..59 {
            row.extend_from_slice(b"\tx\xfe");
        }
        row.push(b'\n');
        row
    };
    let folder = scratch.path().join("tables");
    std::fs::create_dir(&folder)?;
    write(&folder.join("entities.csv"), b"id,type,name\na\xff,person,A\n")?;
    let cases: Vec<(PathBuf, &str, &str)> = vec![
        (
            write(&scratch.path().join("bad.jsonl"), entity)?,
            "jsonl",
            "bad.jsonl:1:",
        ),
        (
            write(&scratch.path().join("bad.json"), b"{\"entities\": [\"\xff\"]}")?,
            "json",
            "bad.json:1:",
        ),
        (folder.clone(), "csv", "entities.csv:2:1"),
        (
            write(&scratch.path().join("bad.tsv"), &gdelt_row)?,
            "gdelt",
            "bad.tsv:1:1: invalid UTF-8",
        ),
        (
            write(&scratch.path().join("quotes.jsonl"), b"{\"quoteID\": \"q\xff\"}\n")?,
            "quotebank",
            "quotes.jsonl:1:",
        ),
    ];
    for (input, format, expected) in cases {
        let (output, _) = run(&[&"validate", &input, &"--input-format", &format])?;
        assert_eq!(output.status.code(), Some(1), "{format}: {}", stderr(&output));
        assert!(stderr(&output).contains(expected), "{format}: {}", stderr(&output));
        assert!(
            stderr(&output).to_lowercase().contains("utf-8"),
            "{format}: {}",
            stderr(&output)
        );
    }
    Ok(())
}

/// A CSV cell that never closes its quote reads to the end of the file: an error at the
/// row limit, not the whole file in memory.
#[test]
fn an_unclosed_csv_quote_stops_at_the_row_limit() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let folder = scratch.path().join("tables");
    std::fs::create_dir(&folder)?;
    with_long_string(
        &folder.join("entities.csv"),
        "id,type,name\na,person,\"A",
        40 * MB,
        "\n",
    )?;
    let (output, peak) = run(&[&"validate", &folder, &"--max-line", &"8M"])?;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("a row longer than the limit of 8388608 bytes (an unclosed quote?)"),
        "{}",
        stderr(&output)
    );
    assert_bounded("an unclosed CSV quote", peak, 100 * MB);
    Ok(())
}

/// Millions of line ends, as blank lines between rows or inside a quoted cell: the rows
/// keep their true line numbers, in memory that does not grow with the line ends. (Every
/// line end's offset was kept until the next row: 16 bytes each, a gigabyte for 64 MB of
/// them.)
#[test]
fn millions_of_csv_line_ends_are_counted_not_kept() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let folder = scratch.path().join("tables");
    std::fs::create_dir(&folder)?;
    let lines = 30_000_000;
    {
        use std::io::Write;
        let mut file = std::io::BufWriter::new(std::fs::File::create(folder.join("entities.csv"))?);
        file.write_all(b"id,type,name\n")?;
        file.write_all(&vec![b'\n'; lines])?;
        file.write_all(b"a,person,\"A")?;
        file.write_all(&vec![b'\n'; lines])?;
        file.write_all(b"\"\nb,nobody,B\n")?;
    }
    let (output, peak) = run(&[&"validate", &folder])?;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let expected = format!("entities.csv:{}:2: type: unknown type \"nobody\"", 2 * lines + 3);
    assert!(stderr(&output).contains(&expected), "{expected}: {}", stderr(&output));
    assert_bounded("millions of CSV line ends", peak, 250 * MB);
    Ok(())
}

/// Queries that are wrong, unknown, too large or nested too deep: exit 1, the problem
/// named. (Nesting a thousand parentheses deep crashed with a stack overflow.)
#[test]
fn hostile_queries_are_clear_errors() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let deep = format!("SELECT * WHERE {{ FILTER({}1{}) }}", "(".repeat(5000), ")".repeat(5000));
    let chain = format!("SELECT * WHERE {{ FILTER(1{} > 0) }}", "+1".repeat(5000));
    let unions = format!("SELECT * WHERE {{ {} {{}} }}", "{} UNION ".repeat(2000));
    for (query, expected) in [
        (deep.as_str(), "the query nests 5002 levels deep"),
        (chain.as_str(), "the query nests 5004 levels deep"),
        (unions.as_str(), "the query nests 2002 levels deep"),
        ("SELECT ?x WHERE { ?x ?y }", "query: error at 1:26"),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT -1", "query: error at 1:35"),
    ] {
        let (output, _) = run(&[&"query", &"-i", &example(), &"-e", &query])?;
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert!(stderr(&output).contains(expected), "{expected}: {}", stderr(&output));
    }
    let file = scratch.path().join("deep.rq");
    std::fs::write(&file, format!("# too deep\n{deep}"))?;
    let (output, _) = run(&[&"query", &"-i", &example(), &"-q", &file])?;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("deep.rq: the query nests"),
        "{}",
        stderr(&output)
    );

    let huge = with_long_string(&scratch.path().join("huge.rq"), "# ", 5 * MB, "\nASK {}")?;
    let (output, _) = run(&[&"query", &"-i", &example(), &"-q", &huge])?;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("huge.rq: a query longer than 4194304 bytes"),
        "{}",
        stderr(&output)
    );

    let (output, _) = run(&[&"query", &"-i", &example(), &"statments-by"])?;
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "saidgraph: no named query \"statments-by\" (did you mean `statements-by`?); `saidgraph queries` lists them\n"
    );
    let (output, _) = run(&[
        &"query",
        &"-i",
        &example(),
        &"statements-by",
        &"--param",
        &"nobody=putin",
    ])?;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("the query has no variable ?nobody to bind"),
        "{}",
        stderr(&output)
    );
    Ok(())
}
