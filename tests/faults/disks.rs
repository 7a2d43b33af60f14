//! Outputs that cannot be written: a full standard output, an unwritable path, a full disk.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::common::{TestResult, binary, example, stderr};
use crate::{large_input, store_lines};

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
