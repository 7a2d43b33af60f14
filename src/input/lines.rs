//! Line and document limits, and reading lines within them, so that hostile input (a
//! line of a gigabyte) is refused in bounded memory; and [`LineIndex`], which turns byte
//! offsets into the lines and columns that diagnostics show.

use std::io::{self, BufRead, Read};

use super::raw::Pos;

/// How large the parts of an input may be, so that hostile input (a line of a gigabyte, a
/// document with no end) is refused with a clear error in bounded memory instead of
/// exhausting it. Everything else is streamed, or grows with what the input defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest line of JSON Lines, GDELT and Quotebank inputs, and the longest row of
    /// a CSV table, in bytes (after decompression).
    pub max_line: u64,
    /// The largest JSON document, in bytes (after decompression). A JSON document is read
    /// whole; larger knowledge bases belong in JSON Lines, which is streamed.
    pub max_document: u64,
}

impl Limits {
    /// 64 MiB.
    pub const DEFAULT_MAX_LINE: u64 = 64 << 20;
    /// 256 MiB.
    pub const DEFAULT_MAX_DOCUMENT: u64 = 256 << 20;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line: Self::DEFAULT_MAX_LINE,
            max_document: Self::DEFAULT_MAX_DOCUMENT,
        }
    }
}

/// Parses a size in bytes: a number, optionally followed by `K`, `M` or `G` (powers of
/// 1024, with or without `iB`/`B`).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => {
            return Err(format!(
                "{text:?} is not a size; expected bytes, or a number with K, M or G"
            ));
        }
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("{text:?} is not a size; expected bytes, or a number with K, M or G"))
}

/// What [`read_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line {
    /// The end of the input.
    End,
    /// A line, now in the buffer with its line end.
    Read,
    /// A line longer than the limit, of this many bytes: skipped without being kept.
    TooLong(u64),
}

/// Reads a line through its `\n` into `buffer` (cleared first), unless it is longer than
/// `max` bytes: then the rest of it is skipped in bounded memory.
pub(crate) fn read_line(reader: &mut impl BufRead, buffer: &mut Vec<u8>, max: u64) -> io::Result<Line> {
    buffer.clear();
    let read = reader.by_ref().take(max.saturating_add(1)).read_until(b'\n', buffer)?;
    if read == 0 {
        return Ok(Line::End);
    }
    let content = buffer.strip_suffix(b"\n").map_or(buffer.len(), <[u8]>::len);
    if content as u64 <= max {
        return Ok(Line::Read);
    }
    let mut length = buffer.len() as u64;
    buffer.clear();
    buffer.shrink_to(1 << 16);
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            break;
        }
        match available.iter().position(|&b| b == b'\n') {
            Some(end) => {
                reader.consume(end + 1);
                length += end as u64;
                break;
            }
            None => {
                let n = available.len();
                reader.consume(n);
                length += n as u64;
            }
        }
    }
    Ok(Line::TooLong(length))
}

/// The message for a line over the limit.
pub(crate) fn too_long(what: &str, length: u64, max: u64) -> String {
    format!(
        "{what} of {length} bytes is longer than the limit of {max} bytes; \
         split it, or raise the limit with --max-line"
    )
}

/// A reader that refuses to go on past `max` bytes beyond the start of the current CSV
/// row (which its user sets after each row), so that a row of a gigabyte is an error
/// rather than a gigabyte in memory.
#[derive(Debug)]
pub(crate) struct RowLimit<R> {
    inner: R,
    offset: u64,
    pub(crate) row_start: std::rc::Rc<std::cell::Cell<u64>>,
    max: u64,
}

impl<R> RowLimit<R> {
    pub(crate) fn new(inner: R, max: u64) -> Self {
        Self {
            inner,
            offset: 0,
            row_start: std::rc::Rc::default(),
            max,
        }
    }
}

impl<R: Read> Read for RowLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let length = self.offset - self.row_start.get().min(self.offset);
        if length > self.max {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "a row longer than the limit of {} bytes (an unclosed quote?); raise the limit with --max-line",
                    self.max
                ),
            ));
        }
        let n = self.inner.read(buf)?;
        self.offset += n as u64;
        Ok(n)
    }
}

/// Turns byte offsets of one text into 1-based lines and columns (columns count
/// characters, not bytes).
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    first_line: u64,
    /// In ASCII text a column is a byte offset; only other text needs counting.
    ascii: bool,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str, first_line: u64) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr_newlines(text));
        Self {
            text,
            starts,
            first_line,
            ascii: text.is_ascii(),
        }
    }

    pub(crate) fn pos(&self, offset: usize) -> Pos {
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let end = offset.min(self.text.len());
        let column = if self.ascii {
            end - start
        } else {
            self.text.get(start..end).map_or(end - start, |s| s.chars().count())
        };
        Pos::new(self.first_line + line as u64, column as u64 + 1)
    }
}

/// The offsets just after each newline.
fn memchr_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use std::io::BufReader;

    use super::*;

    #[test]
    fn line_index_counts_characters_from_one() {
        let index = LineIndex::new("ab\n\u{00e9}\u{1F600}x\n", 1);
        assert_eq!(index.pos(0), Pos::new(1, 1));
        assert_eq!(index.pos(3), Pos::new(2, 1));
        // "é" is two bytes and "😀" four: x is the third character of line 2.
        assert_eq!(index.pos(3 + 2 + 4), Pos::new(2, 3));
    }

    #[test]
    fn sizes_take_units() {
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("512 KiB"), Ok(512 << 10));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert_eq!(parse_size("100"), Ok(100));
        for bad in ["", "0", "M", "1T", "-1", "99999999999G"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn long_lines_are_skipped_whole_and_reading_goes_on() -> io::Result<()> {
        let text = b"12345\n123456\n1234567890123\r\nabc";
        let mut reader = BufReader::with_capacity(4, &text[..]);
        let mut buffer = Vec::new();
        let mut lines = Vec::new();
        loop {
            match read_line(&mut reader, &mut buffer, 6)? {
                Line::End => break,
                Line::Read => lines.push(String::from_utf8_lossy(&buffer).into_owned()),
                Line::TooLong(n) => lines.push(format!("too long: {n}")),
            }
        }
        assert_eq!(lines, ["12345\n", "123456\n", "too long: 14", "abc"]);
        Ok(())
    }
}
