//! Two processes at one store: a second writer, and readers beside a writer.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::{TestResult, binary, example, stderr};
use crate::{STATEMENTS, large_input, store_lines};

/// A second process that wants to write to a store another holds for writing gets a
/// clear error, and the first finishes its load unharmed. (This crashed with a
/// segmentation fault: RocksDB's lock error was freed by the wrong allocator.)
#[test]
fn a_second_writer_gets_a_clear_error_and_the_first_is_unharmed() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let input = large_input(scratch.path())?;
    let store = scratch.path().join("store");
    let output = binary()
        .arg("load")
        .arg(example())
        .arg("--store")
        .arg(&store)
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));

    let first = binary()
        .arg("load")
        .arg(&input)
        .arg("--store")
        .arg(&store)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // Wait until the first holds the store for writing: until its lock on the store's
    // LOCK file shows in /proc/locks (it takes the lock as it starts, before validating).
    let inode = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(store.join("LOCK"))?);
    let deadline = Instant::now() + Duration::from_secs(120);
    while !std::fs::read_to_string("/proc/locks")?.contains(&format!(":{inode} ")) {
        assert!(Instant::now() < deadline, "the first load never took the store's lock");
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = binary()
        .arg("load")
        .arg(example())
        .arg("--store")
        .arg(&store)
        .output()?;
    let first = first.wait_with_output()?;
    assert!(first.status.success(), "the first load failed: {}", stderr(&first));
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    let message = stderr(&second);
    assert!(
        message.starts_with(&format!(
            "saidgraph: store {} is in use: another process has it open for writing",
            store.display()
        )),
        "{message}"
    );
    // Readers are never locked out.
    let lines = store_lines(&store)?;
    assert!(lines.len() > 4 * STATEMENTS);
    Ok(())
}

/// Readers are never failed by a writer in another process. (A reader opening the store
/// while a load opened, committed or closed it failed about one time in four, with "No
/// such file or directory" or even "Corruption: … MANIFEST may be corrupted": RocksDB had
/// listed a file the writer then removed.)
#[test]
fn readers_are_never_failed_by_a_writer() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let store = scratch.path().join("store");
    let load = || binary().arg("load").arg(example()).arg("--store").arg(&store).output();
    let first = load()?;
    assert!(first.status.success(), "{}", stderr(&first));
    let expected = store_lines(&store)?;

    let writing = std::sync::atomic::AtomicBool::new(true);
    let (reads, writes) = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let outcome = (0..10).map(|_| load()).collect::<std::io::Result<Vec<_>>>();
            writing.store(false, std::sync::atomic::Ordering::SeqCst);
            outcome
        });
        let mut reads = Vec::new();
        while writing.load(std::sync::atomic::Ordering::SeqCst) {
            reads.push(if reads.len() % 2 == 0 {
                binary()
                    .args(["query", "--store"])
                    .arg(&store)
                    .args(["-e", "ASK {}"])
                    .output()
            } else {
                binary().args(["export", "-f", "nt", "--store"]).arg(&store).output()
            });
        }
        (reads, writer.join())
    });
    for write in writes.map_err(|_| "the writer panicked")?? {
        assert!(write.status.success(), "a load failed: {}", stderr(&write));
    }
    assert!(reads.len() >= 10, "only {} reads while writing", reads.len());
    for (i, read) in reads.into_iter().enumerate() {
        let read = read?;
        assert!(read.status.success(), "read {i} failed: {}", stderr(&read));
        if i % 2 == 1 {
            let mut lines: Vec<&str> = std::str::from_utf8(&read.stdout)?.lines().collect();
            lines.sort_unstable();
            assert_eq!(lines, expected, "export {i} saw another graph");
        }
    }
    Ok(())
}
