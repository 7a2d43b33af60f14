//! The entry points that read an input: they pick the reader its format names and hand
//! it the input's bytes, from a file, a folder of CSV tables, standard input or memory.

use std::io::{self, BufRead, Read};
use std::path::Path;

use super::lines::Limits;
use super::open::{open, strip_bom};
use super::source::{ImportOptions, InputFormat, InputSpec};
use super::{Sink, csv, gdelt, json, jsonl, quotebank};
use crate::error::{Diagnostics, Error, Result};
use crate::terms::RecordKind;

/// Reads one input into `sink` (a CSV folder gives a document per table). Syntax
/// problems go to `diagnostics` and reading goes on, so one run reports the problems of
/// every input. An input that cannot be opened or read at all is an error.
pub fn read_into(spec: &InputSpec, diagnostics: &mut Diagnostics, sink: &mut dyn Sink) -> Result<()> {
    let format = spec.resolved_format()?;
    if format == InputFormat::Csv {
        if spec.is_stdin() {
            return Err(Error::Usage(
                "CSV tables are a folder; standard input takes json, jsonl, gdelt or quotebank".to_owned(),
            ));
        }
        return csv::read_folder(&spec.path, spec.limits, diagnostics, sink);
    }
    let source = Source {
        path: &spec.path,
        name: spec.display_name(),
        import: spec.import,
        limits: spec.limits,
    };
    read_stream(format, open(spec)?, &source, diagnostics, sink)
}

/// Runs the reader of `format` on `bytes`, as if they were a file of that format named
/// `name`: the entry point of the fuzz targets (`fuzz/`), and of anything else that holds
/// its input in memory. CSV tables are read by [`read_csv_table`]. The default
/// [`Limits`] apply.
pub fn read_bytes(
    format: InputFormat,
    bytes: &[u8],
    name: &str,
    import: ImportOptions,
    diagnostics: &mut Diagnostics,
    sink: &mut dyn Sink,
) -> Result<()> {
    if format == InputFormat::Csv {
        return Err(Error::Usage(
            "CSV tables are a folder; read each table with read_csv_table".to_owned(),
        ));
    }
    let source = Source {
        path: Path::new(name),
        name: name.to_owned(),
        import,
        limits: Limits::default(),
    };
    read_stream(format, bytes, &source, diagnostics, sink)
}

/// Reads `bytes` as the CSV table of `kind` records (`entities.csv` for entities), named
/// `name` in messages.
pub fn read_csv_table(
    kind: RecordKind,
    bytes: &[u8],
    name: &str,
    diagnostics: &mut Diagnostics,
    sink: &mut dyn Sink,
) -> Result<()> {
    csv::read_table(bytes, Path::new(name), kind, Limits::default(), diagnostics, sink)
}

/// Where a stream of input comes from: the path I/O errors name, the name diagnostics
/// use, what importers may leave out, and the limits.
struct Source<'a> {
    path: &'a Path,
    name: String,
    import: ImportOptions,
    limits: Limits,
}

/// Reads one input of any form but CSV tables from a stream.
fn read_stream(
    format: InputFormat,
    mut reader: impl BufRead,
    source: &Source<'_>,
    diagnostics: &mut Diagnostics,
    sink: &mut dyn Sink,
) -> Result<()> {
    let (path, name) = (source.path, source.name.clone());
    match format {
        InputFormat::Csv => Err(Error::Usage("CSV tables are a folder, not a stream".to_owned())),
        InputFormat::Json => {
            let max = source.limits.max_document;
            let mut bytes = Vec::new();
            reader
                .take(max.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(|e| Error::io(path, e))?;
            if bytes.len() as u64 > max {
                return Err(Error::io(
                    path,
                    io::Error::new(
                        io::ErrorKind::FileTooLarge,
                        format!(
                            "a JSON document longer than the limit of {max} bytes; write large \
                             knowledge bases as JSON Lines, which are streamed, or raise the limit \
                             with --max-document"
                        ),
                    ),
                ));
            }
            json::read_document(&bytes, name, diagnostics, sink);
            Ok(())
        }
        InputFormat::Jsonl => jsonl::read_lines(reader, path, name, source.limits, diagnostics, sink),
        InputFormat::Gdelt => gdelt::read(reader, path, name, source.import, source.limits, diagnostics, sink),
        InputFormat::Quotebank => {
            let csv = strip_bom(reader.fill_buf().map_err(|e| Error::io(path, e))?).starts_with(b"quoteID,");
            if csv {
                quotebank::read_csv(reader, path, name, source.import, source.limits, diagnostics, sink)
            } else {
                quotebank::read_lines(reader, path, name, source.import, source.limits, diagnostics, sink)
            }
        }
    }
}
