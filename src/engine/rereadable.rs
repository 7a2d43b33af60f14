//! Inputs that can be read twice, for the streamed path's two passes: standard input and
//! named pipes are copied to temporary files, files and folders are noted so that a
//! change between or during the passes is found. Each input's format is detected here,
//! once, and carried by the specs both passes read.

use std::io;

use crate::error::{Error, Place, Result};
use crate::input::InputSpec;

use super::with_formats;

/// Inputs that can be read twice: standard input, and any input that is not a file or a
/// folder (a named pipe, `<(zcat kb.jsonl.gz)`), is copied to a temporary file. Files
/// and the files of folders are noted (size and modification time) so that a change
/// between or during the passes is found: [`Rereadable::unchanged`].
#[derive(Debug)]
pub struct Rereadable {
    pub inputs: Vec<InputSpec>,
    _spool: Option<tempfile::NamedTempFile>,
    _copies: Vec<tempfile::TempDir>,
    /// Per input read: the stamps of its file, or of its folder's tables.
    stamps: Vec<(std::path::PathBuf, Vec<(std::path::PathBuf, Stamp)>)>,
}

/// A file's size and modification time.
type Stamp = (u64, Option<std::time::SystemTime>);

impl Rereadable {
    pub fn new(inputs: &[InputSpec]) -> Result<Self> {
        let mut spool = None;
        let mut copies = Vec::new();
        let mut specs = Vec::with_capacity(inputs.len());
        for spec in inputs {
            if spec.is_stdin() {
                let format = spec.resolved_format()?;
                let mut file = tempfile::NamedTempFile::new().map_err(|e| Error::io(Place::Stdin, e))?;
                io::copy(&mut io::stdin().lock(), &mut file).map_err(|e| Error::io(Place::Stdin, e))?;
                specs.push(InputSpec {
                    path: file.path().to_owned(),
                    format: Some(format),
                    name: Some(Place::Stdin.to_string()),
                    import: spec.import,
                    limits: spec.limits,
                });
                spool = Some(file);
            } else if std::fs::metadata(&spec.path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
                // Under the same name, so that the format still follows from it.
                let name = spec.display_name();
                let io_error = |e| Error::io(&spec.path, e);
                let folder = tempfile::tempdir().map_err(io_error)?;
                let copy = folder
                    .path()
                    .join(spec.path.file_name().unwrap_or(std::ffi::OsStr::new("input")));
                let mut source = std::fs::File::open(&spec.path).map_err(io_error)?;
                let mut target = std::fs::File::create(&copy).map_err(io_error)?;
                io::copy(&mut source, &mut target).map_err(io_error)?;
                specs.push(InputSpec {
                    path: copy,
                    name: Some(name),
                    ..spec.clone()
                });
                copies.push(folder);
            } else {
                specs.push(spec.clone());
            }
        }
        let specs = with_formats(specs);
        let stamps = specs
            .iter()
            .map(|spec| (spec.path.clone(), stamps(&spec.path)))
            .collect();
        Ok(Self {
            inputs: specs,
            _spool: spool,
            _copies: copies,
            stamps,
        })
    }

    /// An error naming the first input that changed (grew, shrank, was rewritten or
    /// removed, or a folder that gained or lost a table) since it was first read: the
    /// passes would disagree.
    /// Keeps only the inputs whose index `keep` says so (their spooled copies stay).
    pub fn retain(&mut self, keep: impl Fn(usize) -> bool) {
        let mut i = 0;
        self.inputs.retain(|_| {
            i += 1;
            keep(i - 1)
        });
        let mut i = 0;
        self.stamps.retain(|_| {
            i += 1;
            keep(i - 1)
        });
    }

    pub fn unchanged(&self) -> Result<()> {
        for (input, before) in &self.stamps {
            let now = stamps(input);
            if now != *before {
                // The file that changed or went, else the table that came.
                let missing = |from: &[(std::path::PathBuf, Stamp)], to: &[(std::path::PathBuf, Stamp)]| {
                    from.iter()
                        .find(|stamp| !to.contains(stamp))
                        .map(|(path, _)| path.clone())
                };
                let path = missing(before, &now)
                    .or_else(|| missing(&now, before))
                    .unwrap_or_else(|| input.clone());
                return Err(Error::InputChanged { path });
            }
        }
        Ok(())
    }
}

/// The stamps of a file, or of the CSV tables of a folder (`*.csv`, compressed or not).
fn stamps(path: &std::path::Path) -> Vec<(std::path::PathBuf, Stamp)> {
    let stamp = |path: &std::path::Path| {
        std::fs::metadata(path)
            .ok()
            .filter(std::fs::Metadata::is_file)
            .map(|m| (path.to_owned(), (m.len(), m.modified().ok())))
    };
    if path.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .filter_map(|entry| {
                let entry = entry.ok()?;
                entry
                    .file_name()
                    .to_string_lossy()
                    .contains(".csv")
                    .then(|| stamp(&entry.path()))?
            })
            .collect();
        files.sort();
        files
    } else {
        stamp(path).into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_that_change_between_the_passes_are_found() -> std::result::Result<(), Box<dyn std::error::Error>> {
        let folder = tempfile::tempdir()?;
        let file = folder.path().join("kb.jsonl");
        std::fs::write(&file, "{}\n")?;
        let tables = folder.path().join("tables");
        std::fs::create_dir(&tables)?;
        std::fs::write(tables.join("entities.csv"), "id,name\n")?;
        let inputs = Rereadable::new(&[InputSpec::new(&file), InputSpec::new(&tables)])?;
        inputs.unchanged()?;

        std::fs::write(&file, "{}\n{}\n")?;
        assert!(matches!(inputs.unchanged(), Err(Error::InputChanged { path }) if path == file));
        let inputs = Rereadable::new(&[InputSpec::new(&file), InputSpec::new(&tables)])?;
        std::fs::remove_file(tables.join("entities.csv"))?;
        assert!(matches!(inputs.unchanged(), Err(Error::InputChanged { path }) if path == tables.join("entities.csv")));

        // A table that appears is a change; another file in the folder is not.
        let inputs = Rereadable::new(&[InputSpec::new(&tables)])?;
        std::fs::write(tables.join("notes.txt"), "notes")?;
        inputs.unchanged()?;
        std::fs::write(tables.join("relations.csv.gz"), "")?;
        assert!(
            matches!(inputs.unchanged(), Err(Error::InputChanged { path }) if path == tables.join("relations.csv.gz"))
        );
        Ok(())
    }
}
