//! What fuzzing found, kept: each finding is a test named after it, running the input
//! that found it through the same check the fuzz target runs (`saidgraph::fuzz`). And
//! every committed fuzz input — the seeds in `fuzz/corpus/<target>/seed-*` and the
//! findings in `fuzz/regressions/<target>/` — is replayed, so `cargo test` runs what the
//! fuzzers ran without needing a fuzzer. `fuzz/run.sh` does the fuzzing itself.
//!
//! Findings made by the fault and hostile-input tests live with those tests
//! (`tests/faults/`, `tests/integration/hostile.rs`).

use crate::common::{TestResult, root};

/// Every committed input of every fuzz target passes its target's check.
#[test]
fn committed_fuzz_inputs_pass_their_checks() -> TestResult {
    let mut replayed = 0;
    for (target, check) in saidgraph::fuzz::TARGETS {
        for folder in [
            root().join("fuzz/corpus").join(target),
            root().join("fuzz/regressions").join(target),
        ] {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            let mut paths: Vec<_> = entries.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
            paths.sort();
            for path in paths {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if folder.ends_with(target)
                    && folder.parent().is_some_and(|p| p.ends_with("corpus"))
                    && !name.starts_with("seed-")
                {
                    continue; // grown by fuzzing locally, not committed
                }
                let bytes = std::fs::read(&path)?;
                let outcome = std::panic::catch_unwind(|| check(&bytes));
                assert!(outcome.is_ok(), "{target}: {} fails its check", path.display());
                replayed += 1;
            }
        }
    }
    assert!(replayed >= 30, "only {replayed} committed fuzz inputs");
    Ok(())
}

/// `jsonl`: the fast parser of the second pass took the `record` field out with
/// `swap_remove`, so a record's last field moved to its place and the two passes read the
/// fields in different orders. Found on the first seed.
#[test]
fn jsonl_fast_path_reordered_fields() {
    saidgraph::fuzz::jsonl(
        br#"{"record": "entity", "id": "a", "type": "person", "name": "A", "aliases": ["B"]}
{"record": "statement", "speaker": "a", "quote": "q", "date": "2024"}
"#,
    );
}

/// `gdelt` (found by the property test `any_gdelt_rows_import_or_are_reported`): an
/// eight-byte SQLDATE or an event code that is not ASCII was sliced by byte offsets and
/// panicked inside a multi-byte character.
#[test]
fn gdelt_non_ascii_date_and_code_sliced_by_bytes() {
    let mut cells = vec!["9"; 61];
    cells[1] = "🌀𐓘";
    cells[5] = "A";
    cells[26] = "0é";
    cells[29] = "1";
    saidgraph::fuzz::gdelt(cells.join("\t").as_bytes());
}

/// `query`: a declaration such as `PREFIX rdfs:: <…>` (a colon too many: a syntax error)
/// still declared `rdfs:`, but the scan that names an undeclared prefix took the token
/// for a use of the prefix `rdfs:` and reported it as undeclared, though saidgraph
/// declares it. Found by fuzzing the query target (four inputs, in
/// `fuzz/regressions/query/`).
#[test]
fn query_prefix_declared_with_two_colons() {
    saidgraph::fuzz::query(b"PREFIX rdfs:: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT * { ?s rdfs:label ?o }");
    saidgraph::fuzz::query(b"PREFIX ex::<http://e/> SELECT * { ?s ex:p ?o }");
}
