//! Talking to the target: Graph Store requests, SPARQL updates and the two queries a
//! push asks (a graph's `COUNT`, its recorded hash), with credentials, and with retries
//! that are safe because every request of a push is idempotent.
//!
//! Connection errors, 429 and 502–504 are tried again, as `Retry-After` says or with
//! backoff and jitter ([`crate::link::polite::Backoff`]), at most [`ATTEMPTS`] times in
//! all; a 401 with a Digest challenge is answered; any other answer that is not a
//! success stops the push with the server's own message. No message holds a secret:
//! URLs never carry credentials (`--to` with a user or password is refused), and
//! headers are never shown.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use oxhttp::model::{Method, Request, StatusCode};
use oxigraph::model::Term;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput};

use super::auth::{Challenge, Credentials, DigestSession};
use crate::error::{Error, Result};
use crate::link::polite::{Backoff, client, read_at_most, retry_after};

/// Sent with every request.
pub const USER_AGENT: &str = concat!(
    "saidgraph/",
    env!("CARGO_PKG_VERSION"),
    " (push; https://w3id.org/saidgraph) oxhttp"
);

/// How many times a request is tried in all when the server is busy or unreachable.
pub const ATTEMPTS: u32 = 6;
/// The largest answer read: pushes only read small ones.
const MAX_ANSWER: u64 = 16 << 20;
/// How much of a server's error message is shown.
const MESSAGE_CHARS: usize = 500;

/// What was sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    /// HTTP requests, retries included.
    pub requests: usize,
    /// Requests tried again after a busy answer or a lost connection.
    pub retries: usize,
}

/// The push's HTTP client.
pub(super) struct Target {
    http: oxhttp::Client,
    credentials: Credentials,
    digest_only: bool,
    digest: Mutex<Option<std::sync::Arc<DigestSession>>>,
    backoff: Backoff,
    requests: AtomicUsize,
    retries: AtomicUsize,
    /// Shortens the waits between attempts (tests).
    pub(super) quick_retries: bool,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("credentials", &self.credentials)
            .field("sent", &self.sent())
            .finish_non_exhaustive()
    }
}

pub(super) fn push_error(url: &str, message: impl Into<String>) -> Error {
    Error::Push {
        url: url.to_owned(),
        message: message.into(),
    }
}

/// The request target (path and query) of `url`, as Digest signs it.
fn request_target(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |at| at + 3);
    url[after_scheme..]
        .find('/')
        .map_or("/", |at| &url[after_scheme + at..])
}

impl Target {
    pub(super) fn new(credentials: Credentials, digest_only: bool, timeout: Duration) -> Result<Self> {
        Ok(Self {
            http: client(timeout, USER_AGENT)?,
            credentials,
            digest_only,
            digest: Mutex::new(None),
            backoff: Backoff::new(),
            requests: AtomicUsize::new(0),
            retries: AtomicUsize::new(0),
            quick_retries: false,
        })
    }

    pub(super) fn sent(&self) -> Sent {
        Sent {
            requests: self.requests.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
        }
    }

    fn session(&self) -> Option<std::sync::Arc<DigestSession>> {
        self.digest
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Sends `body` to `url`, trying again as the module says; the answer's body.
    pub(super) fn send(
        &self,
        method: &Method,
        url: &str,
        content_type: &str,
        accept: &str,
        body: &[u8],
    ) -> Result<Vec<u8>> {
        let mut attempt = 0;
        let mut challenged = 0;
        loop {
            attempt += 1;
            let mut request = Request::builder()
                .method(method.clone())
                .uri(url)
                .header("Accept", accept)
                .header("Content-Type", content_type);
            let authorization = match self.session() {
                Some(session) => session.authorization(&self.credentials, method.as_str(), request_target(url)),
                None => self.credentials.preemptive(self.digest_only),
            };
            if let Some(authorization) = authorization {
                request = request.header("Authorization", authorization);
            }
            let request = request
                .body(body.to_vec())
                .map_err(|e| Error::Usage(format!("{url}: not a usable URL: {e}")))?;
            self.requests.fetch_add(1, Ordering::Relaxed);
            let response = match self.http.request(request) {
                Ok(response) => response,
                Err(_) if attempt < ATTEMPTS => {
                    self.wait(attempt, None);
                    continue;
                }
                Err(e) => {
                    return Err(push_error(url, format!("no answer after {ATTEMPTS} attempts ({e})")));
                }
            };
            let status = response.status();
            let wait = retry_after(response.headers());
            let challenge = Challenge::find(
                response
                    .headers()
                    .get_all("WWW-Authenticate")
                    .iter()
                    .filter_map(|v| v.to_str().ok()),
            );
            let answer = read_at_most(response.into_body(), MAX_ANSWER).map_err(|e| push_error(url, e));
            if status.is_success() {
                return answer;
            }
            if status == StatusCode::UNAUTHORIZED {
                // A fresh challenge is answered once; a stale nonce as often as the
                // server renews it, within the attempts.
                let answerable = matches!(self.credentials, Credentials::Password { .. });
                if let Some(challenge) = challenge.filter(|c| answerable && (challenged == 0 || c.stale)) {
                    challenged += 1;
                    *self.digest.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                        Some(std::sync::Arc::new(DigestSession::new(challenge)));
                    if attempt < ATTEMPTS {
                        attempt -= 1;
                        continue;
                    }
                }
                return Err(push_error(
                    url,
                    match &self.credentials {
                        Credentials::None => "401 Unauthorized: the server wants credentials; give --user USER \
                                              --password-env VAR (or --token-env VAR)"
                            .to_owned(),
                        credentials => format!(
                            "401 Unauthorized: the server refused the credentials ({credentials}); nothing was \
                             changed by this request"
                        ),
                    },
                ));
            }
            let temporary = status == StatusCode::TOO_MANY_REQUESTS
                || (StatusCode::BAD_GATEWAY..=StatusCode::GATEWAY_TIMEOUT).contains(&status);
            if temporary && attempt < ATTEMPTS {
                self.wait(attempt, wait);
                continue;
            }
            let text = answer
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            let text: String = text.trim().chars().take(MESSAGE_CHARS).collect();
            let tried = if temporary {
                format!(" after {ATTEMPTS} attempts")
            } else {
                String::new()
            };
            return Err(push_error(url, format!("answered {status}{tried}: {text}")));
        }
    }

    fn wait(&self, attempt: u32, retry_after: Option<u64>) {
        self.retries.fetch_add(1, Ordering::Relaxed);
        let wait = self.backoff.wait(attempt, retry_after);
        std::thread::sleep(if self.quick_retries { wait / 50 } else { wait });
    }

    /// A SPARQL update, form-encoded.
    pub(super) fn update(&self, url: &str, update: &str) -> Result<()> {
        let form = format!(
            "update={}",
            form_urlencoded::byte_serialize(update.as_bytes()).collect::<String>()
        );
        self.send(
            &Method::POST,
            url,
            "application/x-www-form-urlencoded",
            "*/*",
            form.as_bytes(),
        )?;
        Ok(())
    }

    /// A SELECT query's rows, the values of its variables as written in N-Triples.
    pub(super) fn select(&self, url: &str, query: &str) -> Result<Vec<Vec<Option<Term>>>> {
        let form = format!(
            "query={}",
            form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>()
        );
        let body = self.send(
            &Method::POST,
            url,
            "application/x-www-form-urlencoded",
            "application/sparql-results+json",
            form.as_bytes(),
        )?;
        let bad = |e: &dyn std::fmt::Display| push_error(url, format!("not SPARQL JSON results: {e}"));
        let parsed = QueryResultsParser::from_format(QueryResultsFormat::Json)
            .for_slice(&body)
            .map_err(|e| bad(&e))?;
        let SliceQueryResultsParserOutput::Solutions(solutions) = parsed else {
            return Err(bad(&"a boolean where solutions were expected"));
        };
        let variables = solutions.variables().to_vec();
        let mut rows = Vec::new();
        for solution in solutions {
            let solution = solution.map_err(|e| bad(&e))?;
            rows.push(variables.iter().map(|v| solution.get(v).cloned()).collect());
        }
        Ok(rows)
    }

    /// The number a `SELECT (COUNT(…) AS ?n)` query answers.
    pub(super) fn count(&self, url: &str, query: &str) -> Result<usize> {
        let rows = self.select(url, query)?;
        match rows.first().and_then(|row| row.first()) {
            Some(Some(Term::Literal(n))) => n
                .value()
                .parse()
                .map_err(|_| push_error(url, format!("a COUNT answered {n}"))),
            _ => Err(push_error(url, "a COUNT query answered no number")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_signs_the_path_and_query() {
        assert_eq!(
            request_target("http://127.0.0.1:8890/sparql-graph-crud-auth?graph=x"),
            "/sparql-graph-crud-auth?graph=x"
        );
        assert_eq!(request_target("http://127.0.0.1:8890"), "/");
    }
}
