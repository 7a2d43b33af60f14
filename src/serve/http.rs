//! HTTP/1.1 on a socket, bounded at every step: the request head must arrive whole within
//! [`HEAD_TIMEOUT`] and fit in [`MAX_HEAD_BYTES`] (a slow-loris client is cut off, however
//! slowly it trickles), a body must fit the cap (`413` before a byte of it is read) and
//! arrive within [`BODY_TIMEOUT`], and every write must progress within [`WRITE_TIMEOUT`].
//!
//! Our own small server rather than oxhttp's: oxhttp's timeout is per read, so a client
//! sending a byte a second holds its thread forever, and a full server blocks its accept
//! loop instead of answering `503`. Parsing is httparse's (oxhttp's own parser).

use std::io::{self, BufWriter, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// How long a client has to send a request head, from its first byte.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an idle kept-alive connection waits for the next request.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a client has to send a request body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one write may block on a client that does not read.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest request head (request line and headers): long enough for a SPARQL query
/// in a GET URL.
pub const MAX_HEAD_BYTES: usize = 64 << 10;
const MAX_HEADERS: usize = 100;

/// A request, read whole.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    /// The path, still percent-encoded.
    pub path: String,
    /// What follows `?`, still encoded.
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Whether the client asked to keep the connection open (HTTP/1.1 unless `close`).
    pub keep_alive: bool,
}

impl Request {
    /// A header's value (the first, by case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The query string's parameters, decoded.
    pub fn params(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.query.as_bytes()).into_owned().collect()
    }

    /// The media type of the body, lowercased, without parameters.
    pub fn content_type(&self) -> Option<String> {
        self.header("content-type")
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
    }
}

/// What reading a request gave.
#[derive(Debug)]
pub enum Incoming {
    Request(Box<Request>),
    /// The client closed the connection, or stayed silent past the idle timeout.
    Closed,
    /// A request that cannot be served: answer this status and message, then close.
    Refused(u16, String),
}

/// Reads the next request from `stream`; `max_body` caps its body.
pub fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>, max_body: usize) -> Incoming {
    let mut started: Option<Instant> = None;
    let idle_since = Instant::now();
    let (head_len, request) = loop {
        if !buffer.is_empty() {
            started.get_or_insert_with(Instant::now);
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut parsed = httparse::Request::new(&mut headers);
            match parsed.parse(buffer) {
                Ok(httparse::Status::Complete(len)) => break (len, head_of(&parsed)),
                Ok(httparse::Status::Partial) => {}
                Err(httparse::Error::TooManyHeaders) => {
                    return Incoming::Refused(431, format!("more than {MAX_HEADERS} headers"));
                }
                Err(e) => return Incoming::Refused(400, format!("malformed request: {e}")),
            }
            if buffer.len() > MAX_HEAD_BYTES {
                return Incoming::Refused(
                    431,
                    format!("request head over {MAX_HEAD_BYTES} bytes; send a long query by POST"),
                );
            }
        }
        let deadline = match started {
            Some(started) => started + HEAD_TIMEOUT,
            None => idle_since + IDLE_TIMEOUT,
        };
        match read_some(stream, buffer, deadline) {
            Ok(0) if started.is_none() => return Incoming::Closed,
            Ok(0) => return Incoming::Closed,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::TimedOut && started.is_some() => {
                return Incoming::Refused(408, format!("the request head took over {} s", HEAD_TIMEOUT.as_secs()));
            }
            Err(_) => return Incoming::Closed,
        }
    };
    let Some((method, target, headers, http11)) = request else {
        return Incoming::Refused(400, "malformed request line".to_owned());
    };
    let rest = buffer.split_off(head_len);
    *buffer = rest;
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_owned(), query.to_owned()),
        None => (target.clone(), String::new()),
    };
    let mut request = Request {
        method,
        path,
        query,
        keep_alive: false,
        headers,
        body: Vec::new(),
    };
    let connection = request.header("connection").map(str::to_ascii_lowercase);
    request.keep_alive = match connection.as_deref() {
        Some(c) if c.contains("close") => false,
        Some(c) if c.contains("keep-alive") => true,
        _ => http11,
    };
    match read_body(stream, buffer, &request, max_body) {
        Ok(body) => request.body = body,
        Err(refused) => return refused,
    }
    Incoming::Request(Box::new(request))
}

type Head = (String, String, Vec<(String, String)>, bool);

fn head_of(parsed: &httparse::Request<'_, '_>) -> Option<Head> {
    let headers = parsed
        .headers
        .iter()
        .map(|h| (h.name.to_owned(), String::from_utf8_lossy(h.value).into_owned()))
        .collect();
    Some((
        parsed.method?.to_owned(),
        parsed.path?.to_owned(),
        headers,
        parsed.version? >= 1,
    ))
}

/// Reads the body the head announces: by `Content-Length` or chunked, at most `max_body`
/// bytes, within [`BODY_TIMEOUT`]. Answers `100 Continue` when asked and the body fits.
fn read_body(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    request: &Request,
    max_body: usize,
) -> Result<Vec<u8>, Incoming> {
    let too_large = || {
        Incoming::Refused(
            413,
            format!("request body over {max_body} bytes (the server's cap on bodies)"),
        )
    };
    let deadline = Instant::now() + BODY_TIMEOUT;
    let chunked = request
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let length = match request.header("content-length") {
        Some(value) if !chunked => Some(
            value
                .trim()
                .parse::<u64>()
                .map_err(|_| Incoming::Refused(400, format!("bad Content-Length {value:?}")))?,
        ),
        _ => None,
    };
    if length.is_some_and(|n| n > max_body as u64) {
        return Err(too_large());
    }
    if (chunked || length.is_some_and(|n| n > 0))
        && request
            .header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        let _ = stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
    }
    let timed_out = || Incoming::Refused(408, format!("the request body took over {} s", BODY_TIMEOUT.as_secs()));
    let mut fill = |buffer: &mut Vec<u8>, wanted: usize| -> Result<(), Incoming> {
        while buffer.len() < wanted {
            match read_some(stream, buffer, deadline) {
                Ok(0) => return Err(Incoming::Closed),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::TimedOut => return Err(timed_out()),
                Err(_) => return Err(Incoming::Closed),
            }
        }
        Ok(())
    };
    if let Some(length) = length {
        let length = length as usize;
        fill(buffer, length)?;
        let rest = buffer.split_off(length);
        return Ok(std::mem::replace(buffer, rest));
    }
    if !chunked {
        return Ok(Vec::new());
    }
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(at) = buffer.windows(2).position(|w| w == b"\r\n") {
                break at;
            }
            if buffer.len() > 1024 {
                return Err(Incoming::Refused(400, "bad chunk header".to_owned()));
            }
            let wanted = buffer.len() + 1;
            fill(buffer, wanted)?;
        };
        let line = String::from_utf8_lossy(&buffer[..line_end]).into_owned();
        let size = usize::from_str_radix(line.split(';').next().unwrap_or_default().trim(), 16)
            .map_err(|_| Incoming::Refused(400, format!("bad chunk size {line:?}")))?;
        if body.len().saturating_add(size) > max_body {
            return Err(too_large());
        }
        fill(buffer, line_end + 2 + size + 2)?;
        body.extend_from_slice(&buffer[line_end + 2..line_end + 2 + size]);
        buffer.drain(..line_end + 2 + size + 2);
        if size == 0 {
            // Trailers are not read: a request with trailers is refused by the next parse.
            return Ok(body);
        }
    }
}

/// One read into `buffer`, waiting at most until `deadline`.
fn read_some(stream: &mut TcpStream, buffer: &mut Vec<u8>, deadline: Instant) -> io::Result<usize> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(io::ErrorKind::TimedOut.into());
    }
    stream.set_read_timeout(Some(left))?;
    let mut chunk = [0; 16 << 10];
    match stream.read(&mut chunk) {
        Ok(n) => {
            buffer.extend_from_slice(&chunk[..n]);
            Ok(n)
        }
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Err(io::ErrorKind::TimedOut.into()),
        Err(e) => Err(e),
    }
}

/// Writes a streamed body; says whether it finished.
pub type StreamWriter = Box<dyn FnOnce(&mut dyn Write) -> io::Result<bool> + Send>;

/// What a response's body is.
pub enum Body {
    Bytes(Vec<u8>),
    /// Written as it is made, chunked. The writer returns whether it finished: when it did
    /// not (the time ran out while streaming a graph), the connection is closed without the
    /// last chunk, so that no client takes the part for the whole.
    Stream(StreamWriter),
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Bytes(bytes) => write!(f, "Bytes({})", bytes.len()),
            Self::Stream(_) => f.write_str("Stream"),
        }
    }
}

/// A response, and what the log line says of it.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// Rows (solutions or triples) it carries, for the log.
    pub rows: Option<usize>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body: Body::Bytes(body.into()),
            rows: None,
        }
    }

    /// A plain-text message, the body of every error.
    pub fn text(status: u16, message: impl std::fmt::Display) -> Self {
        Self::new(status, "text/plain; charset=utf-8", format!("{message}\n"))
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// Writes `response`; `head_only` for `HEAD`. Returns whether the connection may be kept.
pub fn write_response(stream: &TcpStream, response: Response, head_only: bool, keep_alive: bool) -> io::Result<bool> {
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let mut out = BufWriter::with_capacity(64 << 10, stream);
    write!(out, "HTTP/1.1 {} {}\r\n", response.status, reason(response.status))?;
    for (name, value) in &response.headers {
        write!(out, "{name}: {value}\r\n")?;
    }
    out.write_all(if keep_alive {
        b"Connection: keep-alive\r\n"
    } else {
        b"Connection: close\r\n"
    })?;
    match response.body {
        Body::Bytes(bytes) => {
            write!(out, "Content-Length: {}\r\n\r\n", bytes.len())?;
            if !head_only {
                out.write_all(&bytes)?;
            }
            out.flush()?;
            Ok(keep_alive)
        }
        Body::Stream(_) if head_only => {
            out.write_all(b"\r\n")?;
            out.flush()?;
            Ok(false)
        }
        Body::Stream(write) => {
            out.write_all(b"Transfer-Encoding: chunked\r\n\r\n")?;
            let mut chunked = BufWriter::with_capacity(64 << 10, Chunked { out: &mut out });
            let complete = write(&mut chunked)?;
            chunked.flush()?;
            drop(chunked);
            if complete {
                out.write_all(b"0\r\n\r\n")?;
            }
            out.flush()?;
            Ok(complete && keep_alive)
        }
    }
}

/// Chunked transfer encoding: each write (a buffer of 64 KiB, behind a `BufWriter`) is
/// one chunk.
struct Chunked<'a, 'b> {
    out: &'a mut BufWriter<&'b TcpStream>,
}

impl Write for Chunked<'_, '_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if !data.is_empty() {
            write!(self.out, "{:x}\r\n", data.len())?;
            self.out.write_all(data)?;
            self.out.write_all(b"\r\n")?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        304 => "Not Modified",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}
