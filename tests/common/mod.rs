//! Helpers shared by the integration tests: running the built binary, reading
//! fixtures, comparing RDF as graphs, and printing readable expected/actual blocks.

#![allow(dead_code, reason = "each test binary uses its own subset of the helpers")]

use std::path::{Path, PathBuf};
use std::process::Output;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Dataset, Quad};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The folder of the crate.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    root().join("tests/fixtures")
}

pub fn example() -> PathBuf {
    root().join("examples/seed-article.json")
}

/// A `saidgraph` command run from the crate's folder.
pub fn saidgraph() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::new(env!("CARGO_BIN_EXE_saidgraph"));
    command.current_dir(root());
    command
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Parses RDF into a canonical dataset, for comparison as graphs.
pub fn parse(bytes: &[u8], format: RdfFormat) -> Result<Dataset, Box<dyn std::error::Error>> {
    let quads = RdfParser::from_format(format)
        .for_slice(bytes)
        .collect::<Result<Vec<Quad>, _>>()?;
    let mut dataset: Dataset = quads.into_iter().collect();
    dataset.canonicalize(oxigraph::model::dataset::CanonicalizationAlgorithm::Unstable);
    Ok(dataset)
}

/// Panics with both texts in full, one block each, when they differ.
pub fn assert_text_eq(what: &str, expected: &str, actual: &str) {
    if expected != actual {
        panic!(
            "\n{what} differs\n===== expected =====\n{expected}\n===== actual =====\n{actual}\n===== end =====\n\
             (set SAIDGRAPH_BLESS=1 to accept the actual output)"
        );
    }
}

/// Compares `actual` with the golden file at `path`; with `SAIDGRAPH_BLESS=1`, writes it.
pub fn assert_golden(path: &Path, actual: &str) {
    if std::env::var_os("SAIDGRAPH_BLESS").is_some() {
        std::fs::write(path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (set SAIDGRAPH_BLESS=1 to create it)", path.display()));
    assert_text_eq(&path.display().to_string(), &expected, actual);
}
