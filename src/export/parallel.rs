//! Serialising on every core: a sorted graph is cut into chunks at subject boundaries,
//! worker threads turn chunks into bytes (or sorted triples), and the calling thread
//! writes them strictly in chunk order, so the bytes are those one serializer would
//! write. Chunk `i` goes to worker `i % workers`, each worker hands its results over a
//! bounded channel, and the writer always waits for the earliest chunk: the order is
//! fixed and memory stays bounded (a few chunks per worker).
//!
//! [`serialize_chunk`] writes one chunk's body in the formats whose output can be cut
//! between subjects (N-Triples, N-Quads, Turtle); [`Joiner`] puts the chunks back
//! together as one serializer would have written them.

use std::io::{self, Write};
use std::sync::mpsc::sync_channel;

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphNameRef, Triple};

use super::turtle::BlockWriter;
use super::with_prefixes;
use crate::error::{Error, Result};

/// Results a worker may have ready before the writer takes them.
const AHEAD: usize = 2;

/// How many threads serialise: the cores there are, at most four.
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// Runs `job(i)` for every chunk `i` in `0..jobs`, on `workers()` threads when there is
/// more than one chunk, and hands each result to `take` on this thread, in chunk order.
/// The first error, of a job or of `take`, stops the run and is returned.
pub fn in_order<T: Send>(
    jobs: usize,
    job: impl Fn(usize) -> Result<T> + Sync,
    mut take: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    let workers = workers().min(jobs);
    if workers <= 1 {
        return (0..jobs).try_for_each(|i| take(job(i)?));
    }
    std::thread::scope(|scope| {
        let job = &job;
        let receivers: Vec<_> = (0..workers)
            .map(|worker| {
                let (sender, receiver) = sync_channel::<Result<T>>(AHEAD);
                scope.spawn(move || {
                    for i in (worker..jobs).step_by(workers) {
                        let result = job(i);
                        let failed = result.is_err();
                        // The writer is gone (it failed): stop.
                        if sender.send(result).is_err() || failed {
                            return;
                        }
                    }
                });
                receiver
            })
            .collect();
        for i in 0..jobs {
            let result = receivers[i % workers]
                .recv()
                .unwrap_or_else(|_| Err(Error::Internal("a serialising thread stopped".to_owned())));
            // On an error the receivers go with this scope's return, and the workers
            // stop at their next send.
            take(result?)?;
        }
        Ok(())
    })
}

/// [`in_order`] for items that come one by one: a thread of its own reads `items` and
/// deals them out to the workers in turn, and `take` gets each result on this thread in
/// the items' order. When a job or `take` fails, the workers stop and so does the
/// reading of `items` (dropped where it stood).
pub fn in_order_streamed<T: Send, U: Send>(
    items: impl Iterator<Item = T> + Send,
    job: impl Fn(T) -> Result<U> + Sync,
    mut take: impl FnMut(U) -> Result<()>,
) -> Result<()> {
    let workers = workers();
    if workers <= 1 {
        for item in items {
            take(job(item)?)?;
        }
        return Ok(());
    }
    std::thread::scope(|scope| {
        let job = &job;
        let (inputs, outputs): (Vec<_>, Vec<_>) = (0..workers)
            .map(|_| {
                let (item_sender, items) = sync_channel::<T>(1);
                let (sender, receiver) = sync_channel::<Result<U>>(AHEAD);
                scope.spawn(move || {
                    for item in items {
                        let result = job(item);
                        let failed = result.is_err();
                        if sender.send(result).is_err() || failed {
                            return;
                        }
                    }
                });
                (item_sender, receiver)
            })
            .unzip();
        scope.spawn(move || {
            for (i, item) in items.enumerate() {
                if inputs[i % workers].send(item).is_err() {
                    return;
                }
            }
        });
        for i in 0.. {
            match outputs[i % workers].recv() {
                Ok(result) => take(result?)?,
                // That worker's items ran out, so did the items: every result is in.
                Err(_) => return Ok(()),
            }
        }
        Ok(())
    })
}

/// Batches of sorted records regrouped so that no subject's run of triples is cut
/// between two batches (two records in a row may share a subject, and one serializer
/// would continue its block): the trailing run of each batch waits for the next.
pub fn regroup(batches: impl Iterator<Item = Vec<Triple>>) -> impl Iterator<Item = Vec<Triple>> {
    let mut batches = batches.fuse();
    let mut held: Vec<Triple> = Vec::new();
    std::iter::from_fn(move || {
        for mut batch in batches.by_ref() {
            // The run held back, then this batch.
            batch.splice(0..0, held.drain(..));
            let Some(last) = batch.last().map(|t| t.subject.clone()) else {
                continue;
            };
            let cut = batch.iter().rposition(|t| t.subject != last).map_or(0, |i| i + 1);
            held = batch.split_off(cut);
            if !batch.is_empty() {
                return Some(batch);
            }
        }
        (!held.is_empty()).then(|| std::mem::take(&mut held))
    })
}

/// Whether the output of `format` can be written chunk by chunk by [`serialize_chunk`]
/// (lines or subject blocks that stand alone); the other formats are written by one
/// serializer, fed in order.
pub fn cuts_between_subjects(format: RdfFormat) -> bool {
    matches!(format, RdfFormat::NTriples | RdfFormat::NQuads | RdfFormat::Turtle)
}

/// One chunk's output in a format [`cuts_between_subjects`] accepts: `triples` (whole
/// subject blocks, sorted) in `graph`, Turtle without its prelude; `prefixes` are those
/// the prelude declares.
pub fn serialize_chunk(
    format: RdfFormat,
    prefixes: &[(&str, &str)],
    triples: &[Triple],
    graph: GraphNameRef<'_>,
) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(triples.len() * 80);
    if format == RdfFormat::Turtle {
        let serializer =
            with_prefixes(RdfSerializer::from_format(format), prefixes.iter().copied()).map_err(io::Error::other)?;
        let mut body = BlockWriter::new(serializer, &mut bytes);
        body.write(triples)?;
        body.finish()?;
    } else {
        let mut writer = RdfSerializer::from_format(format).for_writer(&mut bytes);
        for triple in triples {
            writer.serialize_quad(triple.as_ref().in_graph(graph))?;
        }
        writer.finish()?;
    }
    Ok(bytes)
}

/// Writes chunks from [`serialize_chunk`] one after the other as a single serializer
/// would have: Turtle leaves a blank line between the subject blocks of two chunks.
#[derive(Debug)]
pub struct Joiner {
    blank_lines: bool,
    written: bool,
}

impl Joiner {
    pub fn new(format: RdfFormat) -> Self {
        Self {
            blank_lines: format == RdfFormat::Turtle,
            written: false,
        }
    }

    /// Writes the next chunk's bytes.
    pub fn write(&mut self, bytes: &[u8], out: &mut dyn Write) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        if self.blank_lines && self.written {
            out.write_all(b"\n")?;
        }
        self.written = true;
        out.write_all(bytes)
    }
}

/// Cuts `triples` (sorted) into runs of about `size` triples, each ending where a
/// subject does: the ranges of the chunks, in order.
pub fn cut(triples: &[Triple], size: usize) -> Vec<std::ops::Range<usize>> {
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < triples.len() {
        let mut end = (start + size).min(triples.len());
        while end < triples.len() && triples[end].subject == triples[end - 1].subject {
            end += 1;
        }
        chunks.push(start..end);
        start = end;
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, Place};
    use oxigraph::model::{Literal, NamedNode};

    fn io(e: io::Error) -> Error {
        Error::io(Place::Output, e)
    }

    fn graph(subjects: usize, per_subject: usize) -> Vec<Triple> {
        let mut triples = Vec::new();
        for s in 0..subjects {
            for p in 0..per_subject {
                triples.push(Triple::new(
                    NamedNode::new_unchecked(format!("http://e.org/s{s:04}")),
                    NamedNode::new_unchecked(format!("http://e.org/p{}", p / 2)),
                    Literal::new_simple_literal(format!("v{p}")),
                ));
            }
        }
        triples
    }

    /// Chunks written in parallel and joined give the bytes of one serializer, in every
    /// format that is cut, whatever the chunk size (one triple, a subject and a half, all).
    #[test]
    fn chunks_joined_are_the_bytes_of_one_serializer() -> Result<()> {
        let triples = graph(50, 5);
        let prefixes = [("e", "http://e.org/")];
        for format in [RdfFormat::NTriples, RdfFormat::NQuads, RdfFormat::Turtle] {
            let whole = serialize_chunk(format, &prefixes, &triples, GraphNameRef::DefaultGraph).map_err(io)?;
            for size in [1, 7, 1000] {
                let chunks = cut(&triples, size);
                assert!(chunks.iter().all(|c| !c.is_empty()));
                let mut joined = Vec::new();
                let mut joiner = Joiner::new(format);
                in_order(
                    chunks.len(),
                    |i| {
                        serialize_chunk(
                            format,
                            &prefixes,
                            &triples[chunks[i].clone()],
                            GraphNameRef::DefaultGraph,
                        )
                        .map_err(io)
                    },
                    |bytes| joiner.write(&bytes, &mut joined).map_err(io),
                )?;
                assert_eq!(
                    String::from_utf8_lossy(&joined),
                    String::from_utf8_lossy(&whole),
                    "{format} in chunks of {size}"
                );
            }
        }
        Ok(())
    }

    /// A chunk that fails stops the run with its error, and nothing after it is taken.
    #[test]
    fn the_first_error_stops_the_run() {
        let mut taken = Vec::new();
        let result = in_order(
            40,
            |i| {
                if i == 13 {
                    Err(Error::Internal("chunk 13".to_owned()))
                } else {
                    Ok(i)
                }
            },
            |i| {
                taken.push(i);
                Ok(())
            },
        );
        assert!(matches!(result, Err(Error::Internal(m)) if m == "chunk 13"));
        assert_eq!(taken, (0..13).collect::<Vec<_>>());
    }

    /// Batches cut anywhere, even inside a subject's run and into batches of one
    /// subject, regrouped and serialised item by item, give one serializer's bytes.
    #[test]
    fn regrouped_batches_streamed_are_the_bytes_of_one_serializer() -> Result<()> {
        let triples = graph(30, 4);
        let prefixes = [("e", "http://e.org/")];
        let whole = serialize_chunk(RdfFormat::Turtle, &prefixes, &triples, GraphNameRef::DefaultGraph).map_err(io)?;
        for size in [1, 3, 5, 8, 1000] {
            let batches: Vec<Vec<Triple>> = triples.chunks(size).map(<[Triple]>::to_vec).collect();
            let mut joined = Vec::new();
            let mut joiner = Joiner::new(RdfFormat::Turtle);
            let mut count = 0;
            in_order_streamed(
                regroup(batches.into_iter()),
                |batch: Vec<Triple>| {
                    let bytes = serialize_chunk(RdfFormat::Turtle, &prefixes, &batch, GraphNameRef::DefaultGraph);
                    Ok((batch.len(), bytes.map_err(io)?))
                },
                |(n, bytes)| {
                    count += n;
                    joiner.write(&bytes, &mut joined).map_err(io)
                },
            )?;
            assert_eq!(count, triples.len());
            assert_eq!(
                String::from_utf8_lossy(&joined),
                String::from_utf8_lossy(&whole),
                "batches of {size}"
            );
        }
        Ok(())
    }
}
