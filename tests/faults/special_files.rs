//! Inputs and outputs that are not regular files: a named pipe read once, and `-o`
//! naming a pipe, a device or a symbolic link.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{self, TestResult, binary, example, stderr};
use crate::store_lines;

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
