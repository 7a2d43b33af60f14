//! Inputs as the command line names them ([`InputSpec`]), and which form each is written
//! in ([`InputFormat`]): given, implied by the name, or sniffed from the first line.

use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use super::lines::Limits;
use super::open::{Compression, open_file};
use super::{gdelt, quotebank};
use crate::error::{Error, Result};
use crate::terms::RecordKind;

/// How an input is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputFormat {
    /// One JSON document with `sources`, `entities`, `statements`, `relations`.
    Json,
    /// One record per line, each with a `record` field.
    Jsonl,
    /// A folder of `entities.csv`, `statements.csv`, `sources.csv`, `relations.csv`.
    Csv,
    /// GDELT event files (2.0 export or 1.0), tab-separated.
    Gdelt,
    /// Quotebank quotations: JSON lines, or its pandas CSV re-export.
    Quotebank,
}

/// How importers treat what they may leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportOptions {
    /// GDELT: every event, not only the verbal ones (QuadClass 1 and 3).
    pub all_events: bool,
    /// Quotebank: keep quotations whose speaker is `"None"`.
    pub keep_unattributed: bool,
}

impl InputFormat {
    /// The format an input's path implies: a folder is CSV tables, else the extension.
    pub fn detect(path: &Path) -> Option<Self> {
        if path.is_dir() {
            return Some(Self::Csv);
        }
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let name = Compression::strip(&name);
        let first_line = || -> Option<Vec<u8>> {
            // A named pipe can be read once: its first line is not the detector's to take.
            if !path.metadata().ok()?.is_file() {
                return None;
            }
            let mut line = Vec::new();
            BufReader::new(open_file(path).ok()?)
                .take(1 << 20)
                .read_until(b'\n', &mut line)
                .ok()?;
            Some(line)
        };
        match name.rsplit_once('.')?.1 {
            "json" | "jsonl" | "ndjson" if first_line().is_some_and(|l| quotebank::looks_like(&l)) => {
                Some(Self::Quotebank)
            }
            "json" => Some(Self::Json),
            "jsonl" | "ndjson" => Some(Self::Jsonl),
            "csv" | "tsv" | "txt" => {
                let line = first_line()?;
                if gdelt::looks_like(&line) {
                    Some(Self::Gdelt)
                } else if quotebank::looks_like(&line) {
                    Some(Self::Quotebank)
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Json => "json",
            Self::Jsonl => "jsonl",
            Self::Csv => "csv",
            Self::Gdelt => "gdelt",
            Self::Quotebank => "quotebank",
        })
    }
}

/// One input as named on the command line: a path, or `-` for standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSpec {
    pub path: PathBuf,
    /// Overrides the format the path implies.
    pub format: Option<InputFormat>,
    /// Overrides the name messages use (a spooled copy of standard input is `<stdin>`).
    pub name: Option<String>,
    /// How importers treat what they may leave out.
    pub import: ImportOptions,
    /// How large the input's lines and documents may be.
    pub limits: Limits,
}

impl InputSpec {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            format: None,
            name: None,
            import: ImportOptions::default(),
            limits: Limits::default(),
        }
    }

    pub fn is_stdin(&self) -> bool {
        self.path.as_os_str() == "-"
    }

    /// The name diagnostics use for this input.
    pub fn display_name(&self) -> String {
        if let Some(name) = &self.name {
            name.clone()
        } else if self.is_stdin() {
            crate::error::Place::Stdin.to_string()
        } else {
            self.path.display().to_string()
        }
    }

    /// The input's size in bytes (all tables of a CSV folder), if it is a file or folder.
    pub fn size(&self) -> Option<u64> {
        if self.is_stdin() {
            return None;
        }
        let metadata = std::fs::metadata(&self.path).ok()?;
        if metadata.is_file() {
            return Some(metadata.len());
        }
        let tables = RecordKind::ALL.iter().filter_map(|k| table_file(&self.path, *k));
        Some(tables.filter_map(|t| std::fs::metadata(t).ok()).map(|m| m.len()).sum())
    }

    /// The input's format, or a usage error saying how to give one.
    pub fn resolved_format(&self) -> Result<InputFormat> {
        if !self.is_stdin() && !self.path.exists() {
            return Err(Error::Usage(format!("{}: no such file or folder", self.path.display())));
        }
        if let Some(format) = self.format {
            return Ok(format);
        }
        if self.is_stdin() {
            return Err(Error::Usage(
                "standard input needs --input-format json, jsonl, gdelt or quotebank".to_owned(),
            ));
        }
        InputFormat::detect(&self.path).ok_or_else(|| {
            Error::Usage(format!(
                "{}: cannot tell the input format from the name; use a .json or .jsonl file, a folder of CSV tables, or --input-format",
                self.path.display()
            ))
        })
    }
}

/// The file of a CSV table in a folder, plain or compressed (`entities.csv.gz`).
pub(crate) fn table_file(folder: &Path, kind: RecordKind) -> Option<PathBuf> {
    let plain = folder.join(format!("{}.csv", kind.plural()));
    std::iter::once(plain.clone())
        .chain(
            Compression::EXTENSIONS
                .iter()
                .map(|(ext, _)| plain.with_extension(format!("csv{ext}"))),
        )
        .find(|path| path.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(InputFormat::detect(Path::new("kb.json")), Some(InputFormat::Json));
        assert_eq!(InputFormat::detect(Path::new("kb.JSONL")), Some(InputFormat::Jsonl));
        assert_eq!(InputFormat::detect(Path::new("kb.txt")), None);
    }
}
