//! Faults: what a `load` or a `convert -o` leaves when killed (`kill -9`) at any point,
//! what a full disk, an unwritable output and a second writer get. The promises: the
//! store is exactly as before or exactly as after, never between; an output file is the
//! old one or the whole new one, and a killed run's temporary file is removed by the next
//! run; every failure is a clear error with exit status 1, never a crash.
//!
//! A binary of its own, not a module of `tests/integration/`: the kill tests stop runs at
//! fractions of a timed run, which other tests' work in the same process would skew.
//! Shared here: the large input and reading a store; each module holds one kind of fault.

#[path = "../common/mod.rs"]
mod common;

mod concurrency;
mod disks;
mod killed;
mod special_files;

use std::path::{Path, PathBuf};

use common::{binary, stderr};

/// Statements in the large input: enough for a load to take seconds in a debug build.
const STATEMENTS: usize = 60_000;

/// A JSON Lines knowledge base of its own (it refers to nothing in the example), large
/// enough that a load takes a while.
fn large_input(folder: &Path) -> std::io::Result<PathBuf> {
    use std::io::Write;
    let path = folder.join("large.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
    for i in 0..20 {
        writeln!(
            out,
            r#"{{"record": "entity", "id": "speaker-{i}", "type": "person", "name": "Speaker {i}", "aliases": ["S{i}"]}}"#
        )?;
    }
    for i in 0..STATEMENTS {
        writeln!(
            out,
            r#"{{"record": "statement", "id": "large-{i}", "speaker": "speaker-{}", "addressees": ["speaker-{}"], "act": "warn", "quote": "Quote number {i}, said with some words around it.", "date": "2024-06-{:02}"}}"#,
            i % 20,
            (i + 1) % 20,
            i % 28 + 1
        )?;
    }
    out.flush()?;
    Ok(path)
}

/// The store's data as sorted N-Triples lines.
fn store_lines(store: &Path) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let output = binary().args(["export", "-f", "nt", "--store"]).arg(store).output()?;
    assert!(output.status.success(), "export --store failed: {}", stderr(&output));
    let mut lines: Vec<String> = String::from_utf8(output.stdout)?.lines().map(str::to_owned).collect();
    lines.sort();
    Ok(lines)
}

fn copy_folder(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        std::fs::copy(entry.path(), to.join(entry.file_name()))?;
    }
    Ok(())
}

/// The names in `folder` that start with `prefix`.
fn names_starting_with(folder: &Path, prefix: &str) -> std::io::Result<Vec<String>> {
    Ok(std::fs::read_dir(folder)?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|name| name.starts_with(prefix))
        .collect())
}
