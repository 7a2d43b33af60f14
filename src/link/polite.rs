//! Asking public SPARQL services politely: a descriptive `User-Agent`, at most a few
//! requests in flight, a timeout per request, waiting on 429 and 503 (as `Retry-After`
//! says, else with a growing backoff, with jitter either way), and a cache of answers on
//! disk so that a rerun asks nothing again. Standard SPARQL 1.1 protocol only: a `POST`
//! of the form-encoded query, answers as SPARQL JSON results.
//!
//! The pieces any client of saidgraph's needs ([`client`], [`Backoff`], [`retry_after`],
//! [`read_at_most`]) are `pub(crate)`: `push` sends with them too.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use oxhttp::Client;
use oxhttp::model::{Body, HeaderMap, Method, Request, StatusCode};
use oxigraph::model::Term;
use oxigraph::sparql::QueryEvaluationError;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Sent with every request: who asks, as Wikidata's query service requires.
pub const USER_AGENT: &str = concat!(
    "saidgraph/",
    env!("CARGO_PKG_VERSION"),
    " (entity linking; https://w3id.org/saidgraph) oxhttp"
);

/// How many times a request answered 429 or 503 is tried in all.
const ATTEMPTS: u32 = 6;
/// The largest answer read: far above what one batch of 100 to 200 resources brings back,
/// so only a broken or hostile endpoint meets it.
const MAX_ANSWER: u64 = 256 << 20;
/// The longest wait between two attempts, whatever `Retry-After` says.
const LONGEST_WAIT: Duration = Duration::from_secs(300);

/// How endpoints are asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    /// Requests in flight at once, at least 1.
    pub max_in_flight: usize,
    /// How long one request may take.
    pub timeout: Duration,
    /// Where answers are kept, so that the same question is never asked twice.
    pub cache: Option<PathBuf>,
    /// Label languages matched (exact tags); `None`: every language for files, and for
    /// endpoints `en`, `mul` and the knowledge base's own languages. Labels without a
    /// language always match.
    pub languages: Option<Vec<String>>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            max_in_flight: 2,
            timeout: Duration::from_secs(60),
            cache: None,
            languages: None,
        }
    }
}

/// What asking cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestStats {
    /// Queries asked (a query waited for and asked again counts once).
    pub queries: usize,
    /// HTTP requests sent, retries included.
    pub requests: usize,
    /// Queries answered from the cache, without a request.
    pub cached: usize,
    /// Answers of 429 or 503 that were waited for.
    pub waited: usize,
}

/// One `?s ?p ?o` row of an answer.
pub(super) type Row = (String, String, Term);

/// An HTTP client that keeps to the rules above.
pub(super) struct Polite {
    client: Client,
    options: FetchOptions,
    queries: AtomicUsize,
    requests: AtomicUsize,
    cached: AtomicUsize,
    waited: AtomicUsize,
    backoff: Backoff,
}

impl std::fmt::Debug for Polite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Polite")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn endpoint_error(url: &str, message: String) -> Error {
    Error::Endpoint {
        url: url.to_owned(),
        source: QueryEvaluationError::Service(message.into()),
    }
}

/// `application/x-www-form-urlencoded`, as the SPARQL protocol's POST takes it.
fn form_encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// An HTTP client that says who it is (`user_agent`), gives up on a request after
/// `timeout` and follows at most 5 redirections.
pub(crate) fn client(timeout: Duration, user_agent: &str) -> Result<Client> {
    Client::new()
        .with_global_timeout(timeout)
        .with_redirection_limit(5)
        .with_user_agent(user_agent)
        .map_err(|e| Error::Internal(format!("User-Agent {user_agent:?}: {e}")))
}

/// `Retry-After` in seconds, when the answer has one (the HTTP-date form is not used by
/// SPARQL services and is ignored: the backoff applies instead).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<u64> {
    headers
        .get("Retry-After")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
}

/// How long to wait before the next attempt: what `Retry-After` says, else a backoff
/// that doubles with each attempt (2 s, 4 s, … 64 s), never more than 5 minutes, plus up
/// to a second of jitter, so that clients told to wait do not all come back at once.
#[derive(Debug)]
pub(crate) struct Backoff {
    jitter: Mutex<u64>,
}

impl Backoff {
    pub(crate) fn new() -> Self {
        let seed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64 | 1);
        Self {
            jitter: Mutex::new(seed),
        }
    }

    /// The wait after attempt `attempt` (1 for the first) failed.
    pub(crate) fn wait(&self, attempt: u32, retry_after: Option<u64>) -> Duration {
        let wait = retry_after.map_or_else(|| Duration::from_secs(1 << attempt.min(6)), Duration::from_secs);
        wait.min(LONGEST_WAIT) + self.jitter()
    }

    /// Up to a second more.
    fn jitter(&self) -> Duration {
        let mut state = self.jitter.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // xorshift64
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        Duration::from_millis(*state % 1000)
    }
}

impl Polite {
    pub(super) fn new(options: FetchOptions) -> Result<Self> {
        Ok(Self {
            client: client(options.timeout, USER_AGENT)?,
            options,
            queries: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
            cached: AtomicUsize::new(0),
            waited: AtomicUsize::new(0),
            backoff: Backoff::new(),
        })
    }

    pub(super) fn languages(&self) -> Option<&[String]> {
        self.options.languages.as_deref()
    }

    pub(super) fn stats(&self) -> RequestStats {
        RequestStats {
            queries: self.queries.load(Ordering::Relaxed),
            requests: self.requests.load(Ordering::Relaxed),
            cached: self.cached.load(Ordering::Relaxed),
            waited: self.waited.load(Ordering::Relaxed),
        }
    }

    /// Asks `url` every query, at most `max_in_flight` at once; the rows of each, in
    /// query order.
    pub(super) fn select_all(&self, url: &str, queries: &[String]) -> Result<Vec<Vec<Row>>> {
        let next = AtomicUsize::new(0);
        let answers: Mutex<Vec<Option<Result<Vec<Row>>>>> = Mutex::new((0..queries.len()).map(|_| None).collect());
        let workers = self.options.max_in_flight.max(1).min(queries.len());
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(query) = queries.get(i) else { break };
                        let answer = self.select(url, query);
                        let failed = answer.is_err();
                        answers.lock().unwrap_or_else(std::sync::PoisonError::into_inner)[i] = Some(answer);
                        if failed {
                            // Stop the others taking more work: the first error is the answer.
                            next.store(queries.len(), Ordering::Relaxed);
                            break;
                        }
                    }
                });
            }
        });
        let answers = answers.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        answers.into_iter().flatten().collect()
    }

    /// One query's `?s ?p ?o` rows (rows without all three, or with a blank subject, are
    /// left out), from the cache when it has them.
    fn select(&self, url: &str, query: &str) -> Result<Vec<Row>> {
        self.queries.fetch_add(1, Ordering::Relaxed);
        let cached = self.options.cache.as_deref().map(|dir| cache_file(dir, url, query));
        let body = match cached.as_deref().map(std::fs::read) {
            Some(Ok(body)) => {
                self.cached.fetch_add(1, Ordering::Relaxed);
                body
            }
            _ => {
                let body = self.post(url, query)?;
                if let Some(path) = &cached {
                    store(path, &body)?;
                }
                body
            }
        };
        parse_rows(url, &body)
    }

    /// Sends the query, waiting and sending again on 429 and 503.
    fn post(&self, url: &str, query: &str) -> Result<Vec<u8>> {
        let form = format!("query={}", form_encode(query));
        for attempt in 1..=ATTEMPTS {
            let request = Request::builder()
                .method(Method::POST)
                .uri(url)
                .header("Accept", "application/sparql-results+json")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(form.clone())
                .map_err(|e| Error::Usage(format!("{url}: not a usable endpoint URL: {e}")))?;
            self.requests.fetch_add(1, Ordering::Relaxed);
            let response = self
                .client
                .request(request)
                .map_err(|e| endpoint_error(url, format!("no answer ({e})")))?;
            let status = response.status();
            let retry_after = retry_after(response.headers());
            let body = read_body(url, response.into_body())?;
            if status == StatusCode::OK {
                return Ok(body);
            }
            let busy = status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE;
            if !busy || attempt == ATTEMPTS {
                let text = String::from_utf8_lossy(&body);
                let text: String = text.chars().take(300).collect();
                return Err(endpoint_error(url, format!("answered {status}: {}", text.trim())));
            }
            self.waited.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(self.backoff.wait(attempt, retry_after));
        }
        unreachable!("the last attempt returns")
    }
}

fn read_body(url: &str, body: Body) -> Result<Vec<u8>> {
    read_at_most(body, MAX_ANSWER).map_err(|e| endpoint_error(url, e))
}

/// The whole of `body`, unless it is longer than `limit` bytes: then an error, read no
/// further than one byte past the limit.
pub(crate) fn read_at_most(body: impl std::io::Read, limit: u64) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut body.take(limit + 1), &mut bytes).map_err(|e| format!("answer cut off ({e})"))?;
    if bytes.len() as u64 > limit {
        return Err(format!("answered more than {limit} bytes to one query"));
    }
    Ok(bytes)
}

fn cache_file(dir: &Path, url: &str, query: &str) -> PathBuf {
    let digest = Sha256::digest(format!("{url}\n{query}").as_bytes());
    let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("{name}.srj"))
}

/// Keeps an answer, whole or not at all.
fn store(path: &Path, body: &[u8]) -> Result<()> {
    let io = |source| Error::io(path, source);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    std::io::Write::write_all(&mut file, body).map_err(io)?;
    file.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

fn parse_rows(url: &str, body: &[u8]) -> Result<Vec<Row>> {
    let bad = |e: &dyn std::fmt::Display| endpoint_error(url, format!("not SPARQL JSON results: {e}"));
    let parsed = QueryResultsParser::from_format(QueryResultsFormat::Json)
        .for_slice(body)
        .map_err(|e| bad(&e))?;
    let SliceQueryResultsParserOutput::Solutions(solutions) = parsed else {
        return Ok(Vec::new());
    };
    let mut rows = Vec::new();
    for solution in solutions {
        let solution = solution.map_err(|e| bad(&e))?;
        if let (Some(Term::NamedNode(s)), Some(Term::NamedNode(p)), Some(o)) =
            (solution.get("s"), solution.get("p"), solution.get("o"))
        {
            rows.push((s.as_str().to_owned(), p.as_str().to_owned(), o.clone()));
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_form_encoded() {
        assert_eq!(
            form_encode("SELECT * { ?s ?p \"é\" }"),
            "SELECT+*+%7B+%3Fs+%3Fp+%22%C3%A9%22+%7D"
        );
    }

    #[test]
    fn answers_are_read_up_to_a_limit() {
        assert_eq!(read_at_most(&b"12345"[..], 5).ok(), Some(b"12345".to_vec()));
        let error = read_at_most(&b"123456"[..], 5).expect_err("over the limit");
        assert!(error.to_string().contains("more than 5 bytes"), "{error}");
    }

    #[test]
    fn the_user_agent_says_who_asks() {
        assert!(USER_AGENT.starts_with(concat!("saidgraph/", env!("CARGO_PKG_VERSION"), " (")));
    }
}
