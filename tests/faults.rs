//! Faults: what a `load` or a `convert -o` leaves when killed (`kill -9`) at any point,
//! what a full disk, an unwritable output and a second writer get. The promises: the
//! store is exactly as before or exactly as after, never between; an output file is the
//! old one or the whole new one, and a killed run's temporary file is removed by the next
//! run; every failure is a clear error with exit status 1, never a crash.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{TestResult, binary, example, stderr};

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
        let mut child = binary()
            .arg("load")
            .arg(&input)
            .arg("--store")
            .arg(&store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        std::thread::sleep(duration.mul_f64(fraction));
        child.kill()?; // SIGKILL
        let status = child.wait()?;
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

/// The folders of loads creating a store: `.NAME.saidgraph-new-*` beside it.
fn building_folders(store: &Path) -> std::io::Result<Vec<String>> {
    let prefix = format!(
        ".{}.saidgraph-new-",
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
        let mut child = binary()
            .arg("load")
            .arg(&input)
            .arg("--store")
            .arg(&store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        std::thread::sleep(duration.mul_f64(fraction));
        child.kill()?; // SIGKILL
        child.wait()?;
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

/// Runs `command` to its end, or kills it after `limit`: an error then, not a hung test.
fn output_within(command: &mut Command, limit: Duration) -> Result<std::process::Output, Box<dyn std::error::Error>> {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    // Read the output while waiting, so that a full pipe never stalls the child.
    let mut stdout = child.stdout.take().ok_or("stdout")?;
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut bytes).map(|_| bytes)
    });
    let deadline = Instant::now() + limit;
    while child.try_wait()?.is_none() {
        if Instant::now() > deadline {
            child.kill()?;
            child.wait()?;
            return Err(format!("{command:?} did not end within {limit:?}").into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut output = child.wait_with_output()?;
    output.stdout = reader.join().map_err(|_| "the reader panicked")??;
    Ok(output)
}

/// An input that can be read only once (a named pipe, as `<(zcat kb.jsonl.gz)` gives) is
/// loaded whole. (Its second pass read nothing, so `load` committed no statement and
/// reported success with the first pass's counts; or it waited forever for a writer.)
#[cfg(unix)]
#[test]
fn a_named_pipe_is_loaded_whole() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let jsonl = common::fixtures().join("forms/input.jsonl");
    let expected = scratch.path().join("expected");
    let output = binary()
        .arg("load")
        .arg(&jsonl)
        .arg("--store")
        .arg(&expected)
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));

    let pipe = scratch.path().join("input.jsonl");
    assert!(Command::new("mkfifo").arg(&pipe).status()?.success());
    let writer = {
        let (pipe, jsonl) = (pipe.clone(), jsonl.clone());
        std::thread::spawn(move || std::fs::write(pipe, std::fs::read(jsonl)?))
    };
    let store = scratch.path().join("store");
    let mut load = binary();
    load.arg("load").arg(&pipe).arg("--store").arg(&store);
    let output = output_within(&mut load, Duration::from_secs(120))?;
    writer.join().map_err(|_| "the writer panicked")??;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(store_lines(&store)?, store_lines(&expected)?);

    // `convert` too, whose format detection must not take the pipe's first line.
    let writer = {
        let (pipe, jsonl) = (pipe.clone(), jsonl.clone());
        std::thread::spawn(move || std::fs::write(pipe, std::fs::read(jsonl)?))
    };
    let mut convert = binary();
    convert.args(["convert", "-f", "nt"]).arg(&pipe);
    let from_pipe = output_within(&mut convert, Duration::from_secs(120))?;
    // The writer fails (a broken pipe) if the reader stopped early.
    writer.join().map_err(|_| "the writer panicked")??;
    let from_file = binary().args(["convert", "-f", "nt"]).arg(&jsonl).output()?;
    assert!(from_pipe.status.success(), "{}", stderr(&from_pipe));
    assert_eq!(from_pipe.stdout, from_file.stdout);
    Ok(())
}

/// Standard output on a full disk (`/dev/full`): exit 1 with the reason, not success.
#[test]
fn a_full_standard_output_is_a_clear_error() -> TestResult {
    for args in [&["convert"][..], &["export", "-i"][..]] {
        let output = binary()
            .args(args)
            .arg(example())
            .stdout(std::fs::OpenOptions::new().write(true).open("/dev/full")?)
            .output()?;
        assert_eq!(output.status.code(), Some(1), "{args:?}: {}", stderr(&output));
        assert!(
            stderr(&output).starts_with("saidgraph: <stdout>: No space left on device"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    Ok(())
}

/// An output path that cannot be written: the error names it and says why.
#[test]
fn an_unwritable_output_is_a_clear_error() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let file = scratch.path().join("a-file");
    std::fs::write(&file, "not a folder")?;
    let target = file.join("out.ttl");
    let output = binary().arg("convert").arg(example()).arg("-o").arg(&target).output()?;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        format!(
            "saidgraph: {}: cannot create a file in {}: Not a directory (os error 20)\n",
            target.display(),
            file.display()
        )
    );
    Ok(())
}

/// A tiny tmpfs, mounted for the length of a test; needs root (`mount`), which CI and
/// the development machines have. `None`, said on stderr, where it cannot be mounted;
/// an error instead if `SAIDGRAPH_REQUIRE_TMPFS` is set (`.ci/run` sets it where a mount
/// works, so that CI never skips the test silently).
struct TinyDisk {
    path: PathBuf,
    _folder: tempfile::TempDir,
}

impl TinyDisk {
    fn mount(size: &str) -> Result<Option<Self>, Box<dyn std::error::Error>> {
        let folder = tempfile::tempdir()?;
        let path = folder.path().join("disk");
        std::fs::create_dir(&path)?;
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&path)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            if std::env::var_os("SAIDGRAPH_REQUIRE_TMPFS").is_some() {
                return Err("cannot mount a tmpfs, though SAIDGRAPH_REQUIRE_TMPFS says this machine can".into());
            }
            eprintln!("SKIPPED: cannot mount a tmpfs here (not root?); the full-disk tests need one");
            return Ok(None);
        }
        Ok(Some(Self { path, _folder: folder }))
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

/// A disk that fills up: `convert -o` fails with the reason and keeps the old file;
/// `load` fails with the reason and leaves the store as it was.
#[test]
fn a_full_disk_is_a_clear_error_and_changes_nothing() -> TestResult {
    let Some(disk) = TinyDisk::mount("16m")? else {
        return Ok(());
    };
    let scratch = tempfile::tempdir()?;
    let input = large_input(scratch.path())?;

    let out = disk.path.join("graph.nt");
    std::fs::write(&out, "old\n")?;
    let output = binary().arg("convert").arg(&input).arg("-o").arg(&out).output()?;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with(&format!("saidgraph: {}: No space left on device", out.display())),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&out)?, "old\n");
    let names: Vec<_> = std::fs::read_dir(&disk.path)?.collect::<Result<_, _>>()?;
    assert_eq!(names.len(), 1, "a failed convert left files: {names:?}");

    std::fs::remove_file(&out)?;
    let store = disk.path.join("store");
    let output = binary()
        .arg("load")
        .arg(example())
        .arg("--store")
        .arg(&store)
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    let before = store_lines(&store)?;
    let output = binary().arg("load").arg(&input).arg("--store").arg(&store).output()?;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with(&format!("saidgraph: store {}: ", store.display())),
        "{}",
        stderr(&output)
    );
    assert_eq!(store_lines(&store)?, before, "a failed load changed the store");
    Ok(())
}

/// `-o` naming something other than a regular file: a named pipe (or a device such as
/// `/dev/null`) is written in place, never renamed over; a symbolic link keeps being a
/// link and its target gets the output. (Found when a run with `-o /dev/null` replaced the
/// device with a regular file.)
#[cfg(unix)]
#[test]
fn outputs_that_are_not_regular_files_are_written_in_place() -> TestResult {
    let folder = tempfile::tempdir()?;
    let pipe = folder.path().join("pipe");
    assert!(Command::new("mkfifo").arg(&pipe).status()?.success());
    // The reader blocks opening the pipe until a writer opens it. Should saidgraph rename a
    // file over the pipe instead, no writer ever comes: the channel's timeout turns that
    // into a failure instead of a hung test (the blocked thread ends with the process).
    let (sender, received) = std::sync::mpsc::channel();
    {
        let pipe = pipe.clone();
        std::thread::spawn(move || sender.send(std::fs::read(pipe)));
    }
    common::saidgraph()
        .arg("convert")
        .arg(example())
        .args(["-f", "nt", "-o"])
        .arg(&pipe)
        .timeout(Duration::from_secs(120))
        .assert()
        .success();
    let bytes = received
        .recv_timeout(Duration::from_secs(30))
        .map_err(|_| "nothing was written to the pipe: was it replaced?")??;
    assert!(bytes.len() > 10_000, "the pipe got the output");
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&pipe)?.file_type().is_fifo(),
        "the pipe was replaced"
    );

    let target = folder.path().join("target.ttl");
    std::fs::write(&target, "old")?;
    let link = folder.path().join("link.ttl");
    std::os::unix::fs::symlink(&target, &link)?;
    common::saidgraph()
        .arg("convert")
        .arg(example())
        .arg("-o")
        .arg(&link)
        .assert()
        .success();
    assert!(
        std::fs::symlink_metadata(&link)?.file_type().is_symlink(),
        "the link was replaced"
    );
    assert!(
        std::fs::read_to_string(&target)?.contains("sg:Statement"),
        "the target got the output"
    );
    Ok(())
}
