//! Credentials and the `Authorization` header: HTTP Basic, a Bearer token, and HTTP
//! Digest (RFC 7616: MD5, MD5-sess, SHA-256 and SHA-256-sess, `qop=auth` or none), which
//! Virtuoso's writable endpoints require and oxhttp does not offer. The secret is held in
//! a [`Secret`], which prints as `<redacted>` in every `Debug` or `Display`, so that no
//! log, error or dry run can show it.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use md5::Md5;
use sha2::{Digest, Sha256};

/// A password or token, read from an environment variable.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How a push proves who it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Credentials {
    /// No credentials: the target's endpoints are open.
    #[default]
    None,
    /// A user and a password, sent as Basic, or as Digest when the server asks for it.
    Password {
        user: String,
        /// The environment variable it came from, for messages.
        variable: String,
        secret: Secret,
    },
    /// A Bearer token.
    Token { variable: String, secret: Secret },
}

impl fmt::Display for Credentials {
    /// What a dry run and messages say of the credentials: never the secret itself.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("no credentials"),
            Self::Password { user, variable, .. } => write!(f, "user {user:?}, password from ${variable}"),
            Self::Token { variable, .. } => write!(f, "a Bearer token from ${variable}"),
        }
    }
}

/// Base64 (RFC 4648, with padding), for Basic credentials.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl Credentials {
    /// The header sent before any challenge: Basic or Bearer, none for Digest-only presets.
    pub(super) fn preemptive(&self, digest_only: bool) -> Option<String> {
        match self {
            Self::None => None,
            Self::Password { .. } if digest_only => None,
            Self::Password { user, secret, .. } => Some(format!(
                "Basic {}",
                base64(format!("{user}:{}", secret.expose()).as_bytes())
            )),
            Self::Token { secret, .. } => Some(format!("Bearer {}", secret.expose())),
        }
    }
}

/// The hash a Digest challenge names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    Md5,
    Sha256,
}

/// A server's `WWW-Authenticate: Digest …` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Challenge {
    realm: String,
    nonce: String,
    opaque: Option<String>,
    algorithm: Algorithm,
    session: bool,
    qop_auth: bool,
    /// The server said the last nonce had expired (not that the password was wrong).
    pub(super) stale: bool,
}

/// The `key=value` and `key="value"` parameters of a challenge, keys in lower case.
fn parameters(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            break;
        };
        let key = key.trim().trim_start_matches(',').trim().to_ascii_lowercase();
        let after = after.trim_start();
        let (value, tail) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next().map(|(_, c)| c)),
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        found.push((key, value));
        rest = tail.trim_start().trim_start_matches(',').trim_start();
    }
    found
}

impl Challenge {
    /// The Digest challenge among `headers` (values of `WWW-Authenticate`) that this
    /// client can answer, if any.
    pub(super) fn find<'a>(headers: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        headers.into_iter().find_map(Self::parse)
    }

    fn parse(header: &str) -> Option<Self> {
        let (scheme, rest) = header.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("digest") {
            return None;
        }
        let mut challenge = Self {
            realm: String::new(),
            nonce: String::new(),
            opaque: None,
            algorithm: Algorithm::Md5,
            session: false,
            qop_auth: false,
            stale: false,
        };
        for (key, value) in parameters(rest) {
            match key.as_str() {
                "realm" => challenge.realm = value,
                "nonce" => challenge.nonce = value,
                "opaque" => challenge.opaque = Some(value),
                "stale" => challenge.stale = value.eq_ignore_ascii_case("true"),
                "qop" => challenge.qop_auth = value.split(',').any(|q| q.trim().eq_ignore_ascii_case("auth")),
                "algorithm" => {
                    let upper = value.to_ascii_uppercase();
                    let (name, session) = match upper.strip_suffix("-SESS") {
                        Some(name) => (name.to_owned(), true),
                        None => (upper, false),
                    };
                    challenge.algorithm = match name.as_str() {
                        "MD5" => Algorithm::Md5,
                        "SHA-256" => Algorithm::Sha256,
                        _ => return None,
                    };
                    challenge.session = session;
                }
                _ => {}
            }
        }
        (!challenge.nonce.is_empty()).then_some(challenge)
    }
}

fn hex_hash(algorithm: Algorithm, text: &str) -> String {
    let bytes: Vec<u8> = match algorithm {
        Algorithm::Md5 => <Md5 as md5::Digest>::digest(text.as_bytes()).to_vec(),
        Algorithm::Sha256 => Sha256::digest(text.as_bytes()).to_vec(),
    };
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A quoted-string (RFC 9110), for the user name.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Answers Digest challenges: keeps the last one, so that later requests send their
/// answer at once (with a growing nonce count) instead of being challenged each time.
#[derive(Debug)]
pub(super) struct DigestSession {
    challenge: Challenge,
    count: AtomicU64,
}

impl DigestSession {
    pub(super) fn new(challenge: Challenge) -> Self {
        Self {
            challenge,
            count: AtomicU64::new(0),
        }
    }

    /// The `Authorization` header for `method` on `uri` (the request target: path and
    /// query), or `None` without a password.
    pub(super) fn authorization(&self, credentials: &Credentials, method: &str, uri: &str) -> Option<String> {
        let Credentials::Password { user, secret, .. } = credentials else {
            return None;
        };
        let count = self.count.fetch_add(1, Ordering::Relaxed) + 1;
        let cnonce = hex_hash(
            Algorithm::Md5,
            &format!("{count} {:?} {}", std::time::SystemTime::now(), std::process::id()),
        );
        Some(respond(
            &self.challenge,
            user,
            secret.expose(),
            method,
            uri,
            &cnonce,
            count,
        ))
    }
}

/// The Digest answer to `challenge` (RFC 7616, section 3.4).
fn respond(
    challenge: &Challenge,
    user: &str,
    password: &str,
    method: &str,
    uri: &str,
    cnonce: &str,
    count: u64,
) -> String {
    let algorithm = challenge.algorithm;
    let nc = format!("{count:08x}");
    let mut a1 = hex_hash(algorithm, &format!("{user}:{}:{password}", challenge.realm));
    if challenge.session {
        a1 = hex_hash(algorithm, &format!("{a1}:{}:{cnonce}", challenge.nonce));
    }
    let a2 = hex_hash(algorithm, &format!("{method}:{uri}"));
    let response = if challenge.qop_auth {
        hex_hash(algorithm, &format!("{a1}:{}:{nc}:{cnonce}:auth:{a2}", challenge.nonce))
    } else {
        hex_hash(algorithm, &format!("{a1}:{}:{a2}", challenge.nonce))
    };
    let name = match (algorithm, challenge.session) {
        (Algorithm::Md5, false) => "MD5",
        (Algorithm::Md5, true) => "MD5-sess",
        (Algorithm::Sha256, false) => "SHA-256",
        (Algorithm::Sha256, true) => "SHA-256-sess",
    };
    let mut header = format!(
        "Digest username={}, realm={}, nonce={}, uri={}, algorithm={name}, response=\"{response}\"",
        quoted(user),
        quoted(&challenge.realm),
        quoted(&challenge.nonce),
        quoted(uri),
    );
    if challenge.qop_auth {
        header.push_str(&format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""));
    }
    if let Some(opaque) = &challenge.opaque {
        header.push_str(&format!(", opaque={}", quoted(opaque)));
    }
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7616, section 3.9.1: the same request answered with MD5 and with SHA-256.
    #[test]
    fn digest_answers_match_rfc_7616() {
        for (algorithm, expected) in [
            ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
            (
                "SHA-256",
                "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
            ),
        ] {
            let header = format!(
                "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm={algorithm}, \
                 nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", \
                 opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
            );
            let challenge = Challenge::find([header.as_str()]).expect("a Digest challenge");
            let answer = respond(
                &challenge,
                "Mufasa",
                "Circle of Life",
                "GET",
                "/dir/index.html",
                "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
                1,
            );
            assert!(answer.contains(&format!("response=\"{expected}\"")), "{answer}");
            assert!(
                answer.contains("nc=00000001") && answer.contains("opaque=\"FQhe/"),
                "{answer}"
            );
        }
    }

    #[test]
    fn challenges_are_read_as_virtuoso_sends_them() {
        let virtuoso = "Digest realm=\"SPARQL\", domain=\"/sparql-auth\", nonce=\"a3ec\", \
                        opaque=\"5ebe\", stale=\"false\", qop=\"auth\", algorithm=\"MD5\"";
        let challenge = Challenge::find(["Basic realm=\"x\"", virtuoso]).expect("found");
        assert_eq!((challenge.realm.as_str(), challenge.nonce.as_str()), ("SPARQL", "a3ec"));
        assert!(challenge.qop_auth && !challenge.stale && !challenge.session);
        assert_eq!(
            Challenge::find(["Digest realm=\"x\", nonce=\"n\", algorithm=SHA-512"]),
            None
        );
    }

    #[test]
    fn secrets_never_print() {
        let credentials = Credentials::Password {
            user: "dba".into(),
            variable: "VIRTUOSO_PASSWORD".into(),
            secret: Secret::new("hunter2".into()),
        };
        for shown in [format!("{credentials}"), format!("{credentials:?}")] {
            assert!(!shown.contains("hunter2"), "{shown}");
        }
        assert_eq!(credentials.preemptive(false).as_deref(), Some("Basic ZGJhOmh1bnRlcjI="));
        assert_eq!(credentials.preemptive(true), None);
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
    }
}
