//! Opening an input's bytes: decompression by the file's extension, counting the bytes
//! read for progress bars, and dropping a byte order mark.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use super::source::InputSpec;
use crate::error::{Error, Result};

/// How an input file is compressed, by its extension. Compressed inputs are decoded
/// as a stream, never whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Compression {
    Gzip,
    Bzip2,
    Zstd,
}

impl Compression {
    pub(super) const EXTENSIONS: [(&'static str, Self); 3] =
        [(".gz", Self::Gzip), (".bz2", Self::Bzip2), (".zst", Self::Zstd)];

    pub fn of(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        Self::EXTENSIONS
            .iter()
            .find(|(ext, _)| name.ends_with(ext))
            .map(|(_, c)| *c)
    }

    /// The name without a compression extension (`kb.jsonl.gz` → `kb.jsonl`).
    pub fn strip(name: &str) -> &str {
        Self::EXTENSIONS
            .iter()
            .find_map(|(ext, _)| name.strip_suffix(ext))
            .unwrap_or(name)
    }

    /// Wraps a reader of compressed bytes into one of the decoded bytes.
    pub fn decode<'a>(compression: Option<Self>, reader: impl Read + 'a) -> io::Result<Box<dyn Read + 'a>> {
        Ok(match compression {
            None => Box::new(reader),
            Some(Self::Gzip) => Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(reader))),
            Some(Self::Bzip2) => Box::new(bzip2::read::MultiBzDecoder::new(BufReader::new(reader))),
            Some(Self::Zstd) => Box::new(zstd::stream::read::Decoder::new(reader)?),
        })
    }
}

pub(super) fn open(spec: &InputSpec) -> Result<Box<dyn BufRead>> {
    if spec.is_stdin() {
        return Ok(Box::new(BufReader::new(Counted(io::stdin()))));
    }
    Ok(Box::new(BufReader::with_capacity(1 << 16, open_file(&spec.path)?)))
}

/// Opens an input file, decompressing it if its name says it is compressed, and
/// counting the bytes read from disk for progress reports.
pub(crate) fn open_file(path: &Path) -> Result<Box<dyn Read>> {
    let file = File::open(path).map(Counted).map_err(|e| Error::io(path, e))?;
    Compression::decode(Compression::of(path), file).map_err(|e| Error::io(path, e))
}

/// Bytes read from inputs by this process so far, for progress bars.
static BYTES_READ: AtomicU64 = AtomicU64::new(0);

/// How many bytes of input this process has read so far.
pub fn bytes_read() -> u64 {
    BYTES_READ.load(Ordering::Relaxed)
}

/// A reader that adds what it reads to [`bytes_read`].
#[derive(Debug)]
pub(crate) struct Counted<R>(R);

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        BYTES_READ.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Drops a UTF-8 byte order mark, which spreadsheet programs like to write.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}
