//! Runs killed (`kill -9`) at points spread over a whole run: a load into an existing
//! store, into a new one, and a `convert -o`.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::{TestResult, binary, example, stderr};
use crate::{STATEMENTS, copy_folder, large_input, names_starting_with, store_lines};

/// `load INPUT --store STORE`, killed with SIGKILL after `after`.
fn kill_load_at(input: &Path, store: &Path, after: Duration) -> std::io::Result<std::process::ExitStatus> {
    let mut child = binary()
        .arg("load")
        .arg(input)
        .arg("--store")
        .arg(store)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    std::thread::sleep(after);
    child.kill()?; // SIGKILL
    child.wait()
}

fn bulk_leftovers(store: &Path) -> std::io::Result<Vec<String>> {
    names_starting_with(store, "bulk-")
}

/// `load` killed with SIGKILL at points spread over a whole load (while validating,
/// while loading, around the commit): every time the store holds exactly the triples it
/// held before, or exactly those it holds after a complete load; and the next load into
/// it works and cleans up after the killed one.
#[test]
fn a_killed_load_leaves_the_store_as_before_or_as_after() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let input = large_input(scratch.path())?;
    let initial = scratch.path().join("initial");
    let output = binary()
        .arg("load")
        .arg(example())
        .arg("--store")
        .arg(&initial)
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    let before = store_lines(&initial)?;

    let complete = scratch.path().join("complete");
    copy_folder(&initial, &complete)?;
    let started = Instant::now();
    let output = binary()
        .arg("load")
        .arg(&input)
        .arg("--store")
        .arg(&complete)
        .output()?;
    let duration = started.elapsed();
    assert!(output.status.success(), "{}", stderr(&output));
    let after = store_lines(&complete)?;
    assert!(after.len() > before.len() + 4 * STATEMENTS);

    let mut outcomes = Vec::new();
    for (i, fraction) in [0.05, 0.2, 0.4, 0.55, 0.7, 0.8, 0.88, 0.94, 0.98, 2.0]
        .into_iter()
        .enumerate()
    {
        let store = scratch.path().join(format!("killed-{i}"));
        copy_folder(&initial, &store)?;
        let status = kill_load_at(&input, &store, duration.mul_f64(fraction))?;
        let lines = store_lines(&store)?;
        let state = if lines == before {
            "before"
        } else if lines == after {
            "after"
        } else {
            panic!(
                "killed at {:.0}% of a load ({status}), the store holds {} triples: neither the {} before nor the {} after",
                fraction * 100.0,
                lines.len(),
                before.len(),
                after.len()
            );
        };
        outcomes.push(format!("{:.0}%: {state}", fraction * 100.0));
        if i == 5 {
            // A killed store takes the next load, which completes it.
            let output = binary().arg("load").arg(&input).arg("--store").arg(&store).output()?;
            assert!(output.status.success(), "{}", stderr(&output));
            assert_eq!(store_lines(&store)?, after, "the load after a killed one");
            assert_eq!(bulk_leftovers(&store)?, Vec::<String>::new(), "bulk files left");
        }
        std::fs::remove_dir_all(&store)?;
    }
    eprintln!("a full load took {duration:?}; killed at {}", outcomes.join(", "));
    assert!(outcomes.first().is_some_and(|o| o.ends_with("before")), "{outcomes:?}");
    assert!(outcomes.last().is_some_and(|o| o.ends_with("after")), "{outcomes:?}");
    Ok(())
}

/// The folders of replacements: `.NAME.saidgraph-replace-*` beside the store.
fn replacement_folders(store: &Path) -> std::io::Result<Vec<String>> {
    sibling_folders(store, "replace")
}

/// A reload that replaces a dataset (issue 11), killed at five points spread over the whole
/// replacement (validating, copying the store, removing the old graph, loading the new,
/// swapping): the store holds the old dataset or the new one, never a mix, and the other
/// dataset as it was; the next load removes the killed one's copy.
#[test]
fn a_killed_replacement_leaves_the_old_dataset_or_the_new_one() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let input = large_input(scratch.path())?;
    let initial = scratch.path().join("initial");
    for load in [example(), input.clone()] {
        let output = binary().arg("load").arg(load).arg("--store").arg(&initial).output()?;
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let before = store_lines(&initial)?;
    // The new version of the dataset `large`: every statement a threat, not a warning,
    // and a tenth of them gone.
    let text = std::fs::read_to_string(&input)?;
    let changed: String = text
        .lines()
        .filter(|line| !line.contains("\"id\": \"large-") || !line.contains("0\", \"speaker"))
        .map(|line| line.replace("\"act\": \"warn\"", "\"act\": \"threaten\"") + "\n")
        .collect();

    let complete = scratch.path().join("complete");
    copy_folder(&initial, &complete)?;
    std::fs::write(&input, &changed)?;
    let started = Instant::now();
    let output = binary()
        .arg("load")
        .arg(&input)
        .arg("--store")
        .arg(&complete)
        .output()?;
    let duration = started.elapsed();
    assert!(output.status.success(), "{}", stderr(&output));
    let after = store_lines(&complete)?;
    assert_ne!(after, before);
    assert!(after.len() < before.len(), "a tenth of the statements went");

    let mut outcomes = Vec::new();
    let mut followed_up = false;
    for (i, fraction) in [0.15, 0.45, 0.75, 0.92, 2.0].into_iter().enumerate() {
        let store = scratch.path().join(format!("killed-{i}"));
        copy_folder(&initial, &store)?;
        let status = kill_load_at(&input, &store, duration.mul_f64(fraction))?;
        let lines = store_lines(&store)?;
        let state = if lines == before {
            "old"
        } else if lines == after {
            "new"
        } else {
            panic!(
                "killed at {:.0}% of a replacement ({status}), the store holds {} triples: neither the {} before nor the {} after",
                fraction * 100.0,
                lines.len(),
                before.len(),
                after.len()
            );
        };
        outcomes.push(format!("{:.0}%: {state}", fraction * 100.0));
        if state == "old" && i > 0 && !followed_up {
            followed_up = true;
            // A killed replacement's copy is removed by the next change to the store.
            std::thread::sleep(Duration::from_millis(2500));
            let output = binary().arg("load").arg(&input).arg("--store").arg(&store).output()?;
            assert!(output.status.success(), "{}", stderr(&output));
            assert_eq!(store_lines(&store)?, after, "the load after a killed one");
            assert_eq!(
                replacement_folders(&store)?,
                Vec::<String>::new(),
                "a killed copy stayed"
            );
        }
        std::fs::remove_dir_all(&store)?;
    }
    eprintln!(
        "a full replacement took {duration:?}; killed at {}",
        outcomes.join(", ")
    );
    assert!(outcomes.first().is_some_and(|o| o.ends_with("old")), "{outcomes:?}");
    assert!(outcomes.last().is_some_and(|o| o.ends_with("new")), "{outcomes:?}");
    Ok(())
}

/// The folders of loads creating a store: `.NAME.saidgraph-new-*` beside it.
fn building_folders(store: &Path) -> std::io::Result<Vec<String>> {
    sibling_folders(store, "new")
}

/// The hidden folders `.NAME.saidgraph-KIND-*` a load makes beside the store `NAME`.
fn sibling_folders(store: &Path, kind: &str) -> std::io::Result<Vec<String>> {
    let prefix = format!(
        ".{}.saidgraph-{kind}-",
        store.file_name().unwrap_or_default().to_string_lossy()
    );
    names_starting_with(store.parent().unwrap_or(Path::new(".")), &prefix)
}

/// `load` into a store that does not exist yet, killed at points spread over a whole
/// load: afterwards there is no store, or the whole one; never a store with the ontology
/// and no data (which there was, when the store was created in place). The next load
/// removes what the killed one was building.
#[test]
fn a_killed_load_into_a_new_store_leaves_no_store_or_a_whole_one() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let input = large_input(scratch.path())?;
    let complete = scratch.path().join("complete");
    let started = Instant::now();
    let output = binary()
        .arg("load")
        .arg(&input)
        .arg("--store")
        .arg(&complete)
        .output()?;
    let duration = started.elapsed();
    assert!(output.status.success(), "{}", stderr(&output));
    let after = store_lines(&complete)?;
    assert_eq!(building_folders(&complete)?, Vec::<String>::new());

    let mut outcomes = Vec::new();
    for (i, fraction) in [0.1, 0.5, 0.8, 0.9, 0.97, 2.0].into_iter().enumerate() {
        let store = scratch.path().join(format!("new-{i}"));
        // Past the end (2.0) the load is let finish, however slow a busy machine makes it.
        if fraction <= 1.0 {
            kill_load_at(&input, &store, duration.mul_f64(fraction))?;
        } else {
            binary().arg("load").arg(&input).arg("--store").arg(&store).output()?;
        }
        let state = if !store.exists() {
            "none"
        } else if store_lines(&store)? == after {
            "whole"
        } else {
            panic!(
                "killed at {:.0}% of a load into a new store, the store holds {} triples, not {}",
                fraction * 100.0,
                store_lines(&store)?.len(),
                after.len()
            );
        };
        outcomes.push(format!("{:.0}%: {state}", fraction * 100.0));
        if state == "none" {
            // A folder younger than two seconds may be a live load's, just made.
            std::thread::sleep(Duration::from_millis(2500));
            let output = binary().arg("load").arg(&input).arg("--store").arg(&store).output()?;
            assert!(output.status.success(), "{}", stderr(&output));
            assert_eq!(store_lines(&store)?, after, "the load after a killed one");
            assert_eq!(
                building_folders(&store)?,
                Vec::<String>::new(),
                "a killed load's folder stayed"
            );
        }
    }
    eprintln!("a full load took {duration:?}; killed at {}", outcomes.join(", "));
    assert!(outcomes.first().is_some_and(|o| o.ends_with("none")), "{outcomes:?}");
    assert!(outcomes.last().is_some_and(|o| o.ends_with("whole")), "{outcomes:?}");
    Ok(())
}

/// `convert -o` killed at points spread over a whole run: the output file is the old
/// one or the whole new one; the killed run's temporary file may stay, hidden, and the
/// next run into the folder removes it.
#[test]
fn a_killed_convert_leaves_the_old_output_or_the_whole_new_one() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let input = large_input(scratch.path())?;
    let out = scratch.path().join("out").join("graph.nt");
    std::fs::create_dir(scratch.path().join("out"))?;
    let old = "<https://example.org/old> <https://example.org/p> \"the old, good output\" .\n";

    let started = Instant::now();
    let output = binary().arg("convert").arg(&input).arg("-o").arg(&out).output()?;
    let duration = started.elapsed();
    assert!(output.status.success(), "{}", stderr(&output));
    let new = std::fs::read(&out)?;

    let temporary = |folder: &Path| -> std::io::Result<Vec<String>> {
        Ok(std::fs::read_dir(folder)?
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .filter(|name| name.ends_with(".part"))
            .collect())
    };
    let mut outcomes = Vec::new();
    for fraction in [0.1, 0.3, 0.5, 0.7, 0.85, 0.95, 1.05] {
        std::fs::write(&out, old)?;
        let mut child = binary()
            .arg("convert")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        std::thread::sleep(duration.mul_f64(fraction));
        child.kill()?;
        child.wait()?;
        let now = std::fs::read(&out)?;
        let state = if now == old.as_bytes() {
            "old"
        } else if now == new {
            "new"
        } else {
            panic!(
                "killed at {:.0}%, the output has {} bytes: neither the old nor the new",
                fraction * 100.0,
                now.len()
            );
        };
        outcomes.push(format!("{:.0}%: {state}", fraction * 100.0));
    }
    eprintln!("a full convert took {duration:?}; killed at {}", outcomes.join(", "));

    // Orphans are left alone for two seconds (their writer may not hold its lock yet).
    std::thread::sleep(Duration::from_millis(2100));
    let output = binary().arg("convert").arg(example()).arg("-o").arg(&out).output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        temporary(&out.with_file_name(""))?,
        Vec::<String>::new(),
        "temporary files of killed runs"
    );
    Ok(())
}
