//! Reading other knowledge graphs from RDF files, as dumps come: any format Oxigraph
//! parses, plain or compressed with gzip, bzip2 or zstd (decoded as a stream, as inputs
//! are: [`crate::input::Compression`]).
//!
//! The format is read from the extension under the compression one (`x.nt.gz` is
//! N-Triples), so a dump is read as it was downloaded, without unpacking it first. Used
//! by `link --target FILE` and by `query`/`export --with FILE`.

use std::io::BufReader;
use std::path::Path;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::Quad;

use crate::error::{Error, Result};
use crate::input::Compression;

/// The RDF format a file name implies under its compression: `dump.nt.gz` → N-Triples.
fn format_of(path: &Path) -> Result<RdfFormat> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let inner = Compression::strip(&name);
    let extension = inner.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    crate::export::format_for_path(Path::new(inner))
        .or_else(|| RdfFormat::from_extension(extension))
        .ok_or_else(|| {
            Error::Usage(format!(
                "{}: cannot tell the RDF format from the name; expected .ttl, .nt, .nq, .trig, .rdf, \
                 .owl, .jsonld or .n3, optionally followed by .gz, .bz2 or .zst",
                path.display()
            ))
        })
}

/// Parses the RDF file at `path` (compressed or not) and passes each quad to `each`.
/// Returns how many quads there were.
pub fn read_quads(path: &Path, mut each: impl FnMut(Quad) -> Result<()>) -> Result<usize> {
    let format = format_of(path)?;
    let reader = BufReader::with_capacity(1 << 16, crate::input::open_file(path)?);
    let mut count = 0;
    for quad in RdfParser::from_format(format).for_reader(reader) {
        let quad = quad.map_err(|source| Error::RdfParse {
            origin: path.display().to_string(),
            source,
        })?;
        each(quad)?;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn the_format_is_read_under_the_compression() -> Result<()> {
        assert_eq!(format_of(Path::new("dump.nt.gz"))?, RdfFormat::NTriples);
        assert_eq!(format_of(Path::new("x/Dump.TTL.bz2"))?, RdfFormat::Turtle);
        assert_eq!(format_of(Path::new("d.nq.zst"))?, RdfFormat::NQuads);
        assert_eq!(format_of(Path::new("a.owl"))?, RdfFormat::RdfXml);
        assert!(format_of(Path::new("dump.gz")).is_err());
        assert!(format_of(Path::new("notes.txt.zip")).is_err());
        Ok(())
    }

    #[test]
    fn compressed_and_plain_files_give_the_same_quads() -> Result<()> {
        let folder = tempfile::tempdir().map_err(|e| Error::io("tmp", e))?;
        let text = "<http://e/a> <http://e/p> \"x\" .\n<http://e/b> <http://e/p> <http://e/a> .\n";
        let plain = folder.path().join("g.nt");
        std::fs::write(&plain, text).map_err(|e| Error::io("tmp", e))?;
        let gz = folder.path().join("g.nt.gz");
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(text.as_bytes()).map_err(|e| Error::io("tmp", e))?;
        std::fs::write(&gz, encoder.finish().map_err(|e| Error::io("tmp", e))?).map_err(|e| Error::io("tmp", e))?;
        let bz = folder.path().join("g.nt.bz2");
        let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        encoder.write_all(text.as_bytes()).map_err(|e| Error::io("tmp", e))?;
        std::fs::write(&bz, encoder.finish().map_err(|e| Error::io("tmp", e))?).map_err(|e| Error::io("tmp", e))?;
        let zst = folder.path().join("g.nt.zst");
        std::fs::write(
            &zst,
            zstd::encode_all(text.as_bytes(), 1).map_err(|e| Error::io("tmp", e))?,
        )
        .map_err(|e| Error::io("tmp", e))?;
        let mut all = Vec::new();
        for path in [&plain, &gz, &bz, &zst] {
            let mut quads = Vec::new();
            assert_eq!(
                read_quads(path, |q| {
                    quads.push(q);
                    Ok(())
                })?,
                2
            );
            all.push(quads);
        }
        assert_eq!(all[0], all[1]);
        assert_eq!(all[0], all[2]);
        assert_eq!(all[0], all[3]);
        Ok(())
    }

    #[test]
    fn a_syntax_error_names_the_file() -> Result<()> {
        let folder = tempfile::tempdir().map_err(|e| Error::io("tmp", e))?;
        let path = folder.path().join("bad.nt");
        std::fs::write(&path, "<http://e/a> <http://e/p> .\n").map_err(|e| Error::io("tmp", e))?;
        let error = read_quads(&path, |_| Ok(())).expect_err("not N-Triples");
        assert!(error.to_string().starts_with(&path.display().to_string()), "{error}");
        Ok(())
    }
}
