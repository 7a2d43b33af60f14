//! `serve`: the store as a read-only SPARQL endpoint and a page for people.
//!
//! One thread accepts connections; each connection gets a thread of its own (at most
//! [`MAX_CONNECTIONS`]; past that a connection is answered `503` and closed at once), which
//! reads requests with the bounds of `http` and routes them: `/sparql` (the protocol,
//! `sparql`), `/store` (Graph Store reads, `graphs`), `/queries` (the named queries,
//! `named`), the network view (`network`), and the page with its entity pages and assets
//! (`page`). Nothing here writes to the store: it is opened read-only (`source`), and
//! reopened when a `load` changed it.
//!
//! Queries (and the network, built by queries) run within `bounds`: at most
//! `--max-concurrent` at once, the others waiting in a fair first-come line for up to
//! `--queue-wait` before a `503` (`slots`); each on a thread of its own, cancelled at
//! `--timeout` or when its client hangs up, and lowered in scheduling priority as it runs
//! long, so one slow query never holds back the short ones: they keep the cores and the
//! slots. A cancelled query stops at its next read of the store (Oxigraph's check) or its
//! next sorted, grouped or projected row (saidgraph's checkpoints, which unwind even a sort
//! in progress). One answered `504` whose thread still computes (rows a filter drops
//! before any checkpoint) gives its slot back and counts among a
//! small cap of orphans instead; past that cap it keeps its slot. Pages, `/queries` and
//! Graph Store reads take no slot.
//!
//! SIGINT and SIGTERM stop accepting, let the requests in flight finish (for up to the
//! timeout) and return.

mod bounds;
mod graphs;
mod http;
mod named;
mod negotiate;
mod network;
mod page;
mod slots;
mod source;
mod sparql;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::error::{Error, Place, Result};
use crate::store::GraphStore;

pub use source::Source;

/// The most connections served at once; each holds a thread.
pub const MAX_CONNECTIONS: usize = 256;

/// A connection thread's stack: queries are parsed and evaluated on threads of their
/// own, with [`crate::query::STACK_SIZE`].
const CONNECTION_STACK: usize = 8 << 20;

/// How a server runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Where to listen; `127.0.0.1:7878` by default.
    pub bind: SocketAddr,
    /// How long a query may run.
    pub timeout: Duration,
    /// The most solutions or triples one response carries.
    pub max_results: usize,
    /// The most queries evaluated at once; more wait in line for a slot.
    pub max_concurrent: usize,
    /// How long a query waits in line for a slot before it is answered `503`.
    pub queue_wait: Duration,
    /// The largest request body accepted.
    pub max_body: usize,
    /// An origin allowed to read responses from a page of its own (CORS), or `*`.
    pub cors: Option<String>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 7878)),
            timeout: Duration::from_secs(30),
            max_results: 10_000,
            max_concurrent: 8,
            queue_wait: Duration::from_secs(5),
            max_body: 1 << 20,
            cors: None,
        }
    }
}

/// What every request handler reads.
#[derive(Debug)]
pub struct Context {
    source: Source,
    options: ServeOptions,
    slots: slots::Slots,
    /// Requests being answered (read whole, not yet written).
    busy: AtomicUsize,
}

/// Where a server's data comes from: an on-disk store (followed as loads change it) or a
/// store built in memory from inputs.
#[derive(Debug)]
pub enum ServeData {
    Disk(std::path::PathBuf),
    Memory(GraphStore),
}

/// Serves `data` until SIGINT or SIGTERM; `ready` is told the address listened on (the
/// port the system chose for port 0) once requests are accepted.
pub fn serve(data: ServeData, options: ServeOptions, ready: impl FnOnce(SocketAddr)) -> Result<()> {
    let source = match data {
        ServeData::Disk(path) => Source::disk(&path)?,
        ServeData::Memory(store) => Source::memory(store)?,
    };
    let bind_error = |e: std::io::Error| Error::Io {
        place: Place::File(options.bind.to_string().into()),
        source: e,
    };
    let listener = TcpListener::bind(options.bind).map_err(bind_error)?;
    let address = listener.local_addr().map_err(bind_error)?;
    let stopping = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&stopping)).map_err(bind_error)?;
    }
    // A signal only sets the flag; this thread wakes the blocked accept by connecting.
    let waker = Arc::clone(&stopping);
    std::thread::spawn(move || {
        while !waker.load(Ordering::Acquire) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = TcpStream::connect(address);
    });
    let context = Arc::new(Context {
        slots: slots::Slots::new(options.max_concurrent, MAX_CONNECTIONS),
        source,
        options,
        busy: AtomicUsize::new(0),
    });
    let connections = Arc::new(AtomicUsize::new(0));
    ready(address);
    for stream in listener.incoming() {
        if stopping.load(Ordering::Acquire) {
            break;
        }
        let Ok(stream) = stream else { continue };
        if connections.fetch_add(1, Ordering::AcqRel) >= MAX_CONNECTIONS {
            connections.fetch_sub(1, Ordering::AcqRel);
            refuse(&stream);
            continue;
        }
        let (context, open, stopping) = (Arc::clone(&context), Arc::clone(&connections), Arc::clone(&stopping));
        let spawned = std::thread::Builder::new()
            .name("saidgraph connection".to_owned())
            .stack_size(CONNECTION_STACK)
            .spawn(move || {
                connection(stream, &context, &stopping);
                open.fetch_sub(1, Ordering::AcqRel);
            });
        if spawned.is_err() {
            connections.fetch_sub(1, Ordering::AcqRel);
        }
    }
    // Requests in flight finish; idle connections close at their next read.
    let deadline = Instant::now() + context.options.timeout + Duration::from_secs(1);
    while context.busy.load(Ordering::Acquire) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // Threads still inside RocksDB when the process exits race with its teardown (the
    // process aborts): the query threads (cancelled ones stop at their next read or
    // checkpoint) and a reopen of the store, which may take a minute on a big one.
    while context.slots.running() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    context.source.settle(Instant::now() + Duration::from_secs(60));
    eprintln!("saidgraph: stopped");
    Ok(())
}

/// Answers a connection past [`MAX_CONNECTIONS`] with `503` and closes it.
fn refuse(stream: &TcpStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let response =
        http::Response::text(503, "too many connections; try again in a second").with_header("Retry-After", "1");
    let _ = http::write_response(stream, response, false, false);
}

/// Serves the requests of one connection, one after the other.
fn connection(mut stream: TcpStream, context: &Context, stopping: &AtomicBool) {
    let _ = stream.set_nodelay(true);
    let mut buffer = Vec::new();
    loop {
        let request = match http::read_request(&mut stream, &mut buffer, context.options.max_body) {
            http::Incoming::Request(request) => request,
            http::Incoming::Closed => return,
            http::Incoming::Refused(status, message) => {
                eprintln!("- - {status} - 0 ms ({message})");
                let _ = http::write_response(&stream, http::Response::text(status, message), false, false);
                return;
            }
        };
        let started = Instant::now();
        context.busy.fetch_add(1, Ordering::AcqRel);
        let mut response = route(&request, context, &stream);
        if let Some(origin) = &context.options.cors {
            allow_origin(&mut response, origin, request.method == "OPTIONS");
        }
        let status = response.status;
        let rows = response.rows.map_or_else(|| "-".to_owned(), |n| n.to_string());
        let kept = if status == 499 {
            Ok(false)
        } else {
            http::write_response(&stream, response, request.method == "HEAD", request.keep_alive)
        };
        context.busy.fetch_sub(1, Ordering::AcqRel);
        eprintln!(
            "{} {} {status} {rows} {} ms",
            request.method,
            log_path(&request),
            started.elapsed().as_millis()
        );
        if !matches!(kept, Ok(true)) || stopping.load(Ordering::Acquire) {
            return;
        }
    }
}

/// `--cors ORIGIN`: lets pages from `origin` read `response` (and, for a preflight, send
/// queries by POST), with the headers that tell of a cut answer readable too.
fn allow_origin(response: &mut http::Response, origin: &str, preflight: bool) {
    let mut add = |name: &str, value: &str| response.headers.push((name.to_owned(), value.to_owned()));
    add("Access-Control-Allow-Origin", origin);
    add(
        "Access-Control-Expose-Headers",
        "Saidgraph-Results, Saidgraph-Truncated",
    );
    if origin != "*" {
        add("Vary", "Origin");
    }
    if preflight {
        add("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS");
        add("Access-Control-Allow-Headers", "Accept, Content-Type");
        add("Access-Control-Max-Age", "600");
    }
}

/// The path for the log, with the query string cut to keep one line short.
fn log_path(request: &http::Request) -> String {
    let mut path = request.path.clone();
    if !request.query.is_empty() {
        path.push('?');
        path.extend(request.query.chars().take(120));
    }
    path.replace(char::is_whitespace, "+")
}

fn route(request: &http::Request, context: &Context, stream: &TcpStream) -> http::Response {
    if request.method == "OPTIONS" {
        return http::Response::new(204, "text/plain", Vec::new()).with_header("Allow", "GET, HEAD, POST, OPTIONS");
    }
    let path = request.path.as_str();
    match path {
        "/sparql" | "/query" => sparql::endpoint(request, context, stream),
        "/store" => graphs::store(request, context),
        "/queries" => named::list(request),
        _ if network::owns(path) => network::serve(request, context, stream),
        _ if path.starts_with("/queries/") => named::run(request, context, stream, &path["/queries/".len()..]),
        _ => page::serve(request, context, path),
    }
}
