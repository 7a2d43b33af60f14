//! The corpus of bad inputs in `tests/bad/`: each input (a file, or a folder of CSV
//! tables) has its exact expected report in `<name>.expected`. Every one must exit with
//! status 1, report every problem at once, and write nothing, not even with `-o`.
//! `SAIDGRAPH_BLESS=1 cargo test` rewrites the expected reports.

use crate::common::{self, TestResult, assert_golden, root, stderr, stdout};

#[test]
fn every_bad_input_is_reported_in_full_and_nothing_is_written() -> TestResult {
    let folder = root().join("tests/bad");
    let mut cases: Vec<String> = std::fs::read_dir(&folder)?
        .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    cases.retain(|name| !name.ends_with(".expected"));
    cases.sort();
    assert!(cases.len() >= 10, "the corpus lost cases: {cases:?}");
    let scratch = tempfile::tempdir()?;
    for case in cases {
        let output = common::saidgraph()
            .current_dir(&folder)
            .args(["validate", &case])
            .output()?;
        assert_eq!(output.status.code(), Some(1), "{case}: {}", stderr(&output));
        assert_eq!(stdout(&output), "", "{case}: validate printed to stdout");
        assert_golden(&folder.join(format!("{case}.expected")), &stderr(&output));

        let target = scratch.path().join(format!("{case}.ttl"));
        let output = common::saidgraph()
            .current_dir(&folder)
            .args(["convert", &case, "-o"])
            .arg(&target)
            .output()?;
        assert_eq!(output.status.code(), Some(1), "{case}");
        assert!(!target.exists(), "{case}: convert wrote a file despite errors");
    }
    let leftovers: Vec<_> = std::fs::read_dir(scratch.path())?.collect();
    assert!(leftovers.is_empty(), "temporary files left behind: {leftovers:?}");
    Ok(())
}
