//! Where results go: standard output, or a file written whole or not at all.
//!
//! A file is written to a temporary file beside it (`.saidgraph-*.part`) and renamed over
//! the target only once everything has been written and flushed, so a failed run leaves
//! no partial file and never clobbers a good one. A run killed outright (`kill -9`, power
//! loss) cannot remove its temporary file; each writer therefore holds a lock on its own,
//! and the next run that writes into the same folder removes those whose writer is gone.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Place, Result};

/// The names of temporary files: `.saidgraph-` + random + `.part`.
const TEMP_PREFIX: &str = ".saidgraph-";
const TEMP_SUFFIX: &str = ".part";

/// Temporary files younger than this are never removed as orphans: their writer may not
/// yet have taken its lock.
const ORPHAN_MIN_AGE: Duration = Duration::from_secs(2);

/// Standard output, or a file path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Stdout,
    File(PathBuf),
}

impl Output {
    pub fn from_option(path: Option<&Path>) -> Self {
        match path {
            Some(path) if path.as_os_str() != "-" => Self::File(path.to_owned()),
            _ => Self::Stdout,
        }
    }

    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::Stdout => None,
            Self::File(path) => Some(path),
        }
    }

    /// Runs `write` against this output; a file appears only if `write` succeeds.
    pub fn write_with(&self, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
        match self {
            Self::Stdout => {
                let stdout = io::stdout();
                let mut out = BufWriter::new(stdout.lock());
                named(write(&mut out), Place::Stdout)?;
                out.flush().map_err(|e| Error::io(Place::Stdout, e))
            }
            Self::File(path) => {
                // Not a regular file (a device such as /dev/null, a named pipe): write to it
                // in place, since renaming over it would replace it.
                if let Ok(metadata) = std::fs::metadata(path)
                    && !metadata.is_file()
                {
                    let file = std::fs::OpenOptions::new()
                        .write(true)
                        .open(path)
                        .map_err(|e| Error::io(path, e))?;
                    let mut out = BufWriter::new(file);
                    named(write(&mut out), path.into())?;
                    return out.flush().map_err(|e| Error::io(path, e));
                }
                // A symbolic link: the file it points to is replaced, not the link.
                let resolved;
                let path = if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
                    resolved = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
                    &resolved
                } else {
                    path
                };
                let parent = match path.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent,
                    _ => Path::new("."),
                };
                remove_orphans(parent);
                let cannot_create = |e: io::Error| {
                    // tempfile's message ends in ` at path "…/.saidgraph-….part"`, a
                    // name that means nothing to the user: keep the system's part.
                    let message = e.to_string();
                    let cause = message
                        .rsplit_once(" at path ")
                        .map_or(message.as_str(), |(cause, _)| cause);
                    Error::io(
                        path,
                        io::Error::new(
                            e.kind(),
                            format!("cannot create a file in {}: {cause}", parent.display()),
                        ),
                    )
                };
                let temp = tempfile::Builder::new()
                    .prefix(TEMP_PREFIX)
                    .suffix(TEMP_SUFFIX)
                    .permissions(new_file_permissions())
                    .tempfile_in(parent)
                    .map_err(cannot_create)?;
                // Held until the file is renamed or this process ends, however it ends.
                temp.as_file()
                    .try_lock()
                    .map_err(|e| Error::io(temp.path(), e.into()))?;
                let mut out = BufWriter::new(temp);
                named(write(&mut out), path.into())?;
                let temp = out.into_inner().map_err(|e| Error::io(path, e.into_error()))?;
                temp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
                temp.persist(path).map_err(|e| Error::io(path, e.error))?;
                Ok(())
            }
        }
    }
}

/// A writer's error about [`Place::Output`], the output it was given, naming the output.
fn named(result: Result<()>, output: Place) -> Result<()> {
    result.map_err(|error| match error {
        Error::Io {
            place: Place::Output,
            source,
        } => Error::Io { place: output, source },
        other => other,
    })
}

/// Removes the temporary files of writers that are gone from `folder`: those nobody
/// holds a lock on. Best effort: a file that cannot be checked is left alone.
fn remove_orphans(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !name.starts_with(TEMP_PREFIX) || !name.ends_with(TEMP_SUFFIX) {
            continue;
        }
        let old_enough = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|modified| modified.elapsed().is_ok_and(|age| age >= ORPHAN_MIN_AGE));
        if !old_enough {
            continue;
        }
        let Ok(file) = File::open(entry.path()) else {
            continue;
        };
        if file.try_lock().is_ok() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The permissions a new file gets from the umask, as if the output were created
/// directly (a temporary file would otherwise stay readable by its owner alone).
fn new_file_permissions() -> std::fs::Permissions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o666)
    }
    #[cfg(not(unix))]
    {
        tempfile::NamedTempFile::new()
            .and_then(|f| f.as_file().metadata())
            .map(|m| m.permissions())
            .expect("a temporary file's permissions")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_alone() -> Result<()> {
        let folder = tempfile::tempdir().map_err(|e| Error::io("tmp", e))?;
        let path = folder.path().join("out.ttl");
        std::fs::write(&path, "good").map_err(|e| Error::io("tmp", e))?;
        let output = Output::File(path.clone());
        let result = output.write_with(|w| {
            w.write_all(b"half").map_err(|e| Error::io("tmp", e))?;
            Err(Error::Internal("stopped".into()))
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read_to_string(&path).map_err(|e| Error::io("tmp", e))?, "good");
        let leftovers = std::fs::read_dir(folder.path())
            .map_err(|e| Error::io("tmp", e))?
            .count();
        assert_eq!(leftovers, 1, "no temporary file left behind");
        output.write_with(|w| w.write_all(b"new").map_err(|e| Error::io("tmp", e)))?;
        assert_eq!(std::fs::read_to_string(&path).map_err(|e| Error::io("tmp", e))?, "new");
        let plain = folder.path().join("plain");
        std::fs::write(&plain, "").map_err(|e| Error::io("tmp", e))?;
        let mode = |p: &Path| std::fs::metadata(p).map(|m| m.permissions());
        assert_eq!(
            mode(&path).map_err(|e| Error::io("tmp", e))?,
            mode(&plain).map_err(|e| Error::io("tmp", e))?,
            "an output file gets the permissions of any new file, not a temporary file's"
        );
        Ok(())
    }

    #[test]
    fn temporary_files_of_killed_writers_are_removed_and_live_ones_kept() -> io::Result<()> {
        let folder = tempfile::tempdir()?;
        let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
        let make = |name: &str| -> io::Result<File> {
            let file = File::create(folder.path().join(name))?;
            file.set_modified(an_hour_ago)?;
            Ok(file)
        };
        drop(make(".saidgraph-orphan.part")?);
        let live = make(".saidgraph-live.part")?;
        live.lock()?;
        drop(make("unrelated.part")?);
        Output::File(folder.path().join("out.ttl"))
            .write_with(|w| w.write_all(b"x").map_err(|e| Error::io("tmp", e)))
            .map_err(io::Error::other)?;
        let mut names: Vec<String> = std::fs::read_dir(folder.path())?
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<io::Result<_>>()?;
        names.sort();
        assert_eq!(names, [".saidgraph-live.part", "out.ttl", "unrelated.part"]);
        Ok(())
    }

    #[test]
    fn an_uncreatable_output_names_the_folder() {
        let error = Output::File(PathBuf::from("/proc/no-such-folder/out.ttl"))
            .write_with(|_| Ok(()))
            .expect_err("no such folder")
            .to_string();
        assert!(
            error.starts_with("/proc/no-such-folder/out.ttl: cannot create a file in /proc/no-such-folder: "),
            "{error}"
        );
        assert!(!error.contains(".part"), "{error}");
    }
}
