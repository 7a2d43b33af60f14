//! Where results go: standard output, or a file written whole or not at all.
//!
//! A file is written to a temporary file beside it and renamed over the target only once
//! everything has been written and flushed, so a failed run leaves no partial file and
//! never clobbers a good one.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

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
                write(&mut out)?;
                out.flush().map_err(|e| Error::io("<stdout>", e))
            }
            Self::File(path) => {
                let parent = match path.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent,
                    _ => Path::new("."),
                };
                let temp = tempfile::Builder::new()
                    .prefix(".saidgraph-")
                    .suffix(".part")
                    .permissions(new_file_permissions())
                    .tempfile_in(parent)
                    .map_err(|e| Error::io(path, e))?;
                let mut out = BufWriter::new(temp);
                write(&mut out)?;
                let temp = out.into_inner().map_err(|e| Error::io(path, e.into_error()))?;
                temp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
                temp.persist(path).map_err(|e| Error::io(path, e.error))?;
                Ok(())
            }
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
            Err(Error::Usage("stopped".into()))
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
}
