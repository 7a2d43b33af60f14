//! `saidgraph serve` (issue 13) against real clients: curl for the SPARQL 1.1 Protocol
//! cases that apply to a read-only endpoint (the checklist below, named after the W3C
//! protocol tests), SPARQLWrapper from PyPI, hostile requests over raw sockets, a `load`
//! while serving, "no request changes a byte of the store", and the stop on SIGTERM.
//! The page in a real browser is `serve_page.rs`.
//!
//! Each test starts its own server on a port the system picks (`--bind 127.0.0.1:0`,
//! read back from the server's first line), and kills it when done.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{TestResult, binary, example, saidgraph};

/// A running `saidgraph serve`, killed when dropped; its standard error is collected.
pub struct Served {
    child: Child,
    pub address: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Served {
    /// Starts `saidgraph serve ARGS --bind 127.0.0.1:0` and waits until it listens.
    pub fn start(args: &[&str]) -> Result<Self, Box<dyn std::error::Error>> {
        let mut child = binary()
            .arg("serve")
            .args(args)
            .args(["--bind", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let stderr = child.stderr.take().ok_or("no stderr")?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let (sender, receiver) = std::sync::mpsc::channel();
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("serving http://").nth(1) {
                    let _ = sender.send(rest.split('/').next().unwrap_or_default().to_owned());
                }
                lines.lock().expect("log").push(line);
            }
        });
        let address = receiver.recv_timeout(Duration::from_secs(60)).map_err(|_| {
            let _ = child.kill();
            format!("the server did not start: {:?}", log.lock().map(|l| l.clone()))
        })?;
        Ok(Self { child, address, log })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub fn log(&self) -> Vec<String> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for the exit.
    fn terminate(mut self) -> Result<std::process::ExitStatus, Box<dyn std::error::Error>> {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            if started.elapsed() > Duration::from_secs(10) {
                return Err("the server did not stop within 10 s of SIGTERM".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What curl got: status, headers (lowercased names), body.
pub struct Got {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

/// Runs curl with `args` and the URL; `-i` parsing of the last response.
pub fn curl(url: &str, args: &[&str]) -> Result<Got, Box<dyn std::error::Error>> {
    let output = Command::new("curl")
        .args(["-s", "-i", "--max-time", "60"])
        .args(args)
        .arg(url)
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut rest = text.as_str();
    // Skip interim responses (100 Continue).
    while rest.starts_with("HTTP/1.1 100") {
        rest = rest.split_once("\r\n\r\n").map_or("", |(_, r)| r);
    }
    let (head, body) = rest.split_once("\r\n\r\n").unwrap_or((rest, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status from curl {args:?} {url}: {text:?}"))?;
    Ok(Got {
        status,
        headers: head.to_ascii_lowercase(),
        body: body.to_owned(),
    })
}

/// The example loaded into a store in a temporary folder, and a server on it.
fn served_store() -> Result<(tempfile::TempDir, PathBuf, Served), Box<dyn std::error::Error>> {
    let folder = tempfile::tempdir()?;
    let store = folder.path().join("kb.db");
    saidgraph()
        .args(["load"])
        .arg(example())
        .arg("--store")
        .arg(&store)
        .assert()
        .success();
    let served = Served::start(&["--store", store.to_str().ok_or("path")?])?;
    Ok((folder, store, served))
}

/// The standard output of a command that must have succeeded.
pub fn succeeded(output: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Every file of a folder and its bytes' hash, sorted: equal before and after means no
/// byte changed.
fn hash_folder(folder: &Path) -> Result<Vec<(String, String)>, Box<dyn std::error::Error>> {
    use sha2::Digest;
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let bytes = std::fs::read(entry.path())?;
        files.push((
            entry.file_name().to_string_lossy().into_owned(),
            format!("{:x}", sha2::Sha256::digest(&bytes)),
        ));
    }
    files.sort();
    Ok(files)
}

const SELECT_STATEMENTS: &str = "SELECT ?s WHERE { ?s a sg:Statement }";
const ONTOLOGY: &str = "https://w3id.org/saidgraph";

/// The SPARQL 1.1 Protocol tests (https://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/)
/// that apply to a read-only endpoint, each as curl sends it:
///
/// - query_get, query_post_form, query_post_direct: the three ways to send a query;
/// - query_dataset_default_graph(s), query_dataset_named_graphs, query_dataset_full,
///   query_multiple_dataset: `default-graph-uri` / `named-graph-uri`;
/// - query_content_type_select, _ask, _describe, _construct: each kind's formats;
/// - bad_query_method (PUT), bad_multiple_queries, bad_query_wrong_media_type,
///   bad_query_missing_form_type, bad_query_missing_direct_type, bad_query_non_utf8,
///   bad_query_syntax: 4xx, and which;
/// - the update_* tests: all answer 405 here (read-only), as do bad_update_get;
/// - Graph Store reads: GET and HEAD `?graph=` and `?default`, 404 for no such graph, and
///   PUT/POST/DELETE refused.
#[test]
fn protocol_checklist_with_curl() -> TestResult {
    let (_folder, _store, served) = served_store()?;
    let sparql = served.url("/sparql");
    let encoded = |q: &str| form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>();

    // query_get / query_post_form / query_post_direct
    let get = curl(&format!("{sparql}?query={}", encoded(SELECT_STATEMENTS)), &[])?;
    assert_eq!(get.status, 200, "{}", get.body);
    assert!(get.headers.contains("content-type: application/sparql-results+json"));
    let rows = get.body.matches("\"s\":").count();
    assert!(rows >= 5, "{}", get.body);
    let form = curl(&sparql, &["--data-urlencode", &format!("query={SELECT_STATEMENTS}")])?;
    assert_eq!((form.status, form.body.matches("\"s\":").count()), (200, rows));
    let direct = curl(
        &sparql,
        &[
            "-H",
            "Content-Type: application/sparql-query",
            "--data-binary",
            SELECT_STATEMENTS,
        ],
    )?;
    assert_eq!((direct.status, direct.body.matches("\"s\":").count()), (200, rows));

    // query_dataset_*: the ontology graph alone holds no statement; FROM is overridden.
    let count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a sg:Statement }";
    let as_csv = |query: &str, extra: &str| {
        let url = format!("{sparql}?query={}{extra}", encoded(query));
        curl(&url, &["-H", "Accept: text/csv"])
    };
    let only_ontology = as_csv(count, &format!("&default-graph-uri={}", encoded(ONTOLOGY)))?;
    assert_eq!(only_ontology.body.lines().nth(1), Some("0"), "{}", only_ontology.body);
    let named = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g";
    let named_only = as_csv(named, &format!("&named-graph-uri={}", encoded(ONTOLOGY)))?;
    assert_eq!(named_only.body.lines().count(), 2, "{}", named_only.body);
    assert!(named_only.body.contains(ONTOLOGY));
    let from = format!("SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY}> WHERE {{ ?s a sg:Statement }}");
    let by_from = as_csv(&from, "")?;
    assert_eq!(
        by_from.body.lines().nth(1),
        Some("0"),
        "FROM is honoured: {}",
        by_from.body
    );

    // query_content_type_*: every results format, and RDF for CONSTRUCT and DESCRIBE.
    let negotiated = |query: &str, accept: &str, expected: &str| -> TestResult {
        let got = curl(
            &format!("{sparql}?query={}", encoded(query)),
            &["-H", &format!("Accept: {accept}")],
        )?;
        assert_eq!(got.status, 200, "{accept}");
        let wanted = format!("content-type: {expected}");
        assert!(got.headers.contains(&wanted), "{accept}: {}", got.headers);
        Ok(())
    };
    negotiated(
        SELECT_STATEMENTS,
        "application/sparql-results+xml",
        "application/sparql-results+xml",
    )?;
    negotiated(SELECT_STATEMENTS, "text/csv", "text/csv")?;
    negotiated(
        SELECT_STATEMENTS,
        "text/tab-separated-values",
        "text/tab-separated-values",
    )?;
    negotiated(SELECT_STATEMENTS, "application/json", "application/sparql-results+json")?;
    let ask = curl(&format!("{sparql}?query={}", encoded("ASK { ?s sg:speaker ?o }")), &[])?;
    assert!(ask.body.contains("\"boolean\":true"), "{}", ask.body);
    let construct = "CONSTRUCT { ?s sg:speaker ?o } WHERE { ?s sg:speaker ?o }";
    for media_type in [
        "text/turtle",
        "application/n-triples",
        "application/rdf+xml",
        "application/ld+json",
    ] {
        negotiated(construct, media_type, media_type)?;
    }
    let describe = curl(
        &format!("{sparql}?query={}", encoded("DESCRIBE entity:putin")),
        &["-H", "Accept: application/n-triples"],
    )?;
    assert!(describe.body.contains("Vladimir Putin"), "{}", describe.body);
    let not_acceptable = curl(
        &format!("{sparql}?query={}", encoded(SELECT_STATEMENTS)),
        &["-H", "Accept: image/png"],
    )?;
    assert_eq!(not_acceptable.status, 406);
    assert!(not_acceptable.body.contains("application/sparql-results+json"));

    // bad_*: each refused with the right status and a message.
    let put = curl(&sparql, &["-X", "PUT", "--data-binary", SELECT_STATEMENTS])?;
    assert_eq!(put.status, 405);
    let two = curl(
        &format!("{sparql}?query={0}&query={0}", encoded(SELECT_STATEMENTS)),
        &[],
    )?;
    assert_eq!(two.status, 400);
    let wrong_type = curl(
        &sparql,
        &["-H", "Content-Type: text/plain", "--data-binary", SELECT_STATEMENTS],
    )?;
    assert_eq!(wrong_type.status, 415);
    let no_type = curl(&sparql, &["-H", "Content-Type:", "--data-binary", SELECT_STATEMENTS])?;
    assert_eq!(no_type.status, 415, "{}", no_type.body);
    let mut latin1 = Command::new("curl")
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-H",
            "Content-Type: application/sparql-query",
        ])
        .args(["--data-binary", "@-", &sparql])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    latin1
        .stdin
        .take()
        .ok_or("stdin")?
        .write_all(b"SELECT * { ?s ?p \"caf\xe9\" }")?;
    assert_eq!(String::from_utf8(latin1.wait_with_output()?.stdout)?, "400");
    let syntax = curl(&format!("{sparql}?query={}", encoded("SELECT * WHERE { ?s ?p }")), &[])?;
    assert_eq!(syntax.status, 400);
    assert!(
        syntax.body.contains("1:"),
        "the message gives the position: {}",
        syntax.body
    );
    let undeclared = curl(
        &format!("{sparql}?query={}", encoded("SELECT * WHERE { ?s ex:p ?o }")),
        &[],
    )?;
    assert_eq!(undeclared.status, 400);
    assert!(undeclared.body.contains("ex"), "{}", undeclared.body);

    // update_*: read-only.
    for args in [
        vec!["--data-urlencode", "update=DROP ALL"],
        vec![
            "-H",
            "Content-Type: application/sparql-update",
            "--data-binary",
            "DROP ALL",
        ],
    ] {
        let update = curl(&sparql, &args)?;
        assert_eq!(update.status, 405, "{args:?}");
        assert!(update.body.contains("read-only"));
    }
    let update_get = curl(&format!("{sparql}?update={}", encoded("DROP ALL")), &[])?;
    assert_eq!(update_get.status, 405);

    // The service description.
    let description = curl(&sparql, &["-H", "Accept: text/turtle"])?;
    assert!(description.body.contains("sd:Service"), "{}", description.body);

    // Graph Store reads.
    let store_url = served.url("/store");
    let ontology = curl(
        &format!("{store_url}?graph={}", encoded(ONTOLOGY)),
        &["-H", "Accept: application/n-triples"],
    )?;
    assert_eq!(ontology.status, 200);
    assert!(ontology.body.contains("skos:Concept") || ontology.body.contains("core#Concept"));
    assert!(!ontology.body.contains("Vladimir Putin"));
    let default = curl(
        &format!("{store_url}?default"),
        &["-H", "Accept: application/n-triples"],
    )?;
    // `?default` is the data, the union of the datasets, without the ontology.
    assert!(default.body.contains("Vladimir Putin"));
    assert!(!default.body.contains("core#Concept"));
    let dataset = curl(
        &format!(
            "{store_url}?graph={}",
            encoded("https://kb.example.org/seed/graph/seed-article")
        ),
        &["-H", "Accept: application/n-triples"],
    )?;
    assert_eq!(dataset.status, 200);
    assert_eq!(dataset.body.lines().count(), default.body.lines().count());
    let head = curl(&format!("{store_url}?default"), &["-I"])?;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let missing = curl(
        &format!("{store_url}?graph={}", encoded("https://example.org/none")),
        &[],
    )?;
    assert_eq!(missing.status, 404);
    for method in ["PUT", "POST", "DELETE"] {
        let write = curl(
            &format!("{store_url}?default"),
            &["-X", method, "--data-binary", "<a:b> <a:c> <a:d> ."],
        )?;
        assert_eq!(write.status, 405, "{method}");
    }
    let all = curl(&store_url, &["-H", "Accept: application/n-quads"])?;
    assert!(all.body.contains(&format!("<{ONTOLOGY}> .")));

    // One log line per request: method, path, status, rows, milliseconds.
    let log = served.log();
    assert!(
        log.iter()
            .any(|l| l.starts_with("GET /sparql?query=") && l.contains(" 200 ") && l.ends_with(" ms")),
        "{log:#?}"
    );
    assert!(log.iter().any(|l| l.starts_with("PUT /sparql 405 - ")), "{log:#?}");
    Ok(())
}

/// `/queries` lists the library; `/queries/NAME` binds parameters as `--param` does, in
/// any results format, and its rows are the command line's.
#[test]
fn named_queries_over_http_match_the_command_line() -> TestResult {
    let served = Served::start(&["-i", example().to_str().ok_or("path")?])?;
    let list = curl(&served.url("/queries"), &[])?;
    let list: serde_json::Value = serde_json::from_str(&list.body)?;
    let names: Vec<&str> = list["queries"]
        .as_array()
        .ok_or("no list")?
        .iter()
        .filter_map(|q| q["name"].as_str())
        .collect();
    assert_eq!(names.len(), saidgraph::NAMED_QUERIES.len());
    let statements_by = list["queries"]
        .as_array()
        .and_then(|a| a.iter().find(|q| q["name"] == "statements-by"))
        .ok_or("statements-by")?;
    assert_eq!(statements_by["parameters"][0]["name"], "speaker");
    assert!(
        statements_by["parameters"][0]["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );

    let over_http = curl(&served.url("/queries/statements-by?speaker=putin&format=csv"), &[])?;
    assert_eq!(over_http.status, 200);
    let command_line = saidgraph()
        .args(["query", "-i"])
        .arg(example())
        .args(["statements-by", "--param", "speaker=putin", "-r", "csv"])
        .output()?;
    assert_eq!(over_http.body, String::from_utf8(command_line.stdout)?);
    let by_accept = curl(
        &served.url("/queries/statements-by?speaker=entity:putin"),
        &["-H", "Accept: text/tab-separated-values"],
    )?;
    assert!(by_accept.headers.contains("text/tab-separated-values"));
    assert_eq!(by_accept.body.lines().count(), over_http.body.lines().count());
    let unknown = curl(&served.url("/queries/statements-bye"), &[])?;
    assert_eq!(unknown.status, 404);
    assert!(unknown.body.contains("statements-by"));
    let bad_param = curl(&served.url("/queries/statements-by?spekaer=putin"), &[])?;
    assert_eq!(bad_param.status, 400);
    assert!(bad_param.body.contains("speaker"), "{}", bad_param.body);
    let limited = curl(&served.url("/queries/who-said-what-to-whom?limit=2&format=csv"), &[])?;
    assert_eq!(limited.body.lines().count(), 3);
    Ok(())
}

/// A SPARQL client library from PyPI (SPARQLWrapper, in the venv `.ci/run` makes).
#[test]
fn sparqlwrapper_reads_the_endpoint() -> TestResult {
    let python = std::env::var_os("SAIDGRAPH_SPARQLWRAPPER_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/saidgraph/serve-venv/bin/python"));
    let works = Command::new(&python)
        .args(["-c", "import SPARQLWrapper"])
        .status()
        .is_ok_and(|s| s.success());
    if missing(works, "SAIDGRAPH_SPARQLWRAPPER_PYTHON", "a python with SPARQLWrapper") {
        return Ok(());
    }
    let served = Served::start(&["-i", example().to_str().ok_or("path")?])?;
    let script = r#"
import sys
from SPARQLWrapper import SPARQLWrapper, JSON, POST, TURTLE
endpoint = SPARQLWrapper(sys.argv[1])
endpoint.setQuery("SELECT ?label WHERE { ?e rdfs:label ?label } ORDER BY ?label")
endpoint.setReturnFormat(JSON)
labels = [b["label"]["value"] for b in endpoint.query().convert()["results"]["bindings"]]
endpoint.setMethod(POST)
endpoint.setQuery("ASK { ?s sg:speaker entity:putin }")
print(len(labels), "Vladimir Putin" in labels, endpoint.query().convert()["boolean"])
endpoint.setQuery("CONSTRUCT { ?s sg:speaker ?o } WHERE { ?s sg:speaker ?o }")
endpoint.setReturnFormat(TURTLE)
print(len(endpoint.query().convert().splitlines()) > 3)
"#;
    let output = Command::new(&python)
        .arg("-c")
        .arg(script)
        .arg(served.url("/sparql"))
        .output()?;
    let stdout = succeeded(&output);
    let first: Vec<&str> = stdout.lines().next().unwrap_or_default().split(' ').collect();
    assert!(first[0].parse::<usize>()? > 10, "{stdout}");
    assert_eq!(&first[1..], ["True", "True"], "{stdout}");
    assert_eq!(stdout.lines().nth(1), Some("True"));
    Ok(())
}

/// Whether a tool a test needs is missing (`!present`): then the test says so and passes,
/// except where `variable` is set (CI sets it, having installed the tool), where it fails.
pub fn missing(present: bool, variable: &str, what: &str) -> bool {
    if present {
        return false;
    }
    assert!(
        std::env::var_os(variable).is_none(),
        "{variable} is set, but {what} is missing"
    );
    eprintln!("SKIPPED: {what} is missing; .ci/run installs it");
    true
}

/// Raw bytes to the server and what it answers, read until it closes or `wait` passes.
fn raw(address: &str, bytes: &[u8], wait: Duration) -> Result<String, Box<dyn std::error::Error>> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(wait))?;
    let _ = stream.write_all(bytes);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

/// A million values crossed with nothing but themselves: rows without a big store.
fn thousand(var: &str) -> String {
    let values: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
    format!("VALUES ?{var} {{ {} }}", values.join(" "))
}

/// Hostile requests, each bounded, none taking the server down: a huge body, a query
/// nested 10,000 deep, a million-row CONSTRUCT with a small --max-results, a query out of
/// time, a slow-loris client, a full server, a client hanging up mid-query.
#[test]
fn hostile_requests_are_bounded() -> TestResult {
    let served = Served::start(&[
        "-i",
        example().to_str().ok_or("path")?,
        "--timeout",
        "1500ms",
        "--max-results",
        "100",
        "--max-concurrent",
        "2",
        "--max-body",
        "64K",
    ])?;
    let sparql = served.url("/sparql");
    let alive = || -> TestResult {
        let got = curl(&format!("{sparql}?query=ASK%7B%7D"), &[])?;
        assert_eq!(got.status, 200, "the server still answers");
        Ok(())
    };

    // A huge body: refused from its Content-Length, before it is read.
    let huge = format!(
        "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: {}\r\n\r\nSELECT",
        1u64 << 30
    );
    let answer = raw(&served.address, huge.as_bytes(), Duration::from_secs(5))?;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let chunked = curl(
        &sparql,
        &[
            "-H",
            "Content-Type: application/sparql-query",
            "-H",
            "Transfer-Encoding: chunked",
            "--data-binary",
            &"#".repeat(100_000),
        ],
    )?;
    assert_eq!(chunked.status, 413);
    alive()?;

    // 10,000 levels of nesting: a 400 with a message, not a stack overflow.
    let deep = format!("SELECT * WHERE {}{}", "{ ".repeat(10_000), "}".repeat(10_000));
    let nested = curl(
        &sparql,
        &["-H", "Content-Type: application/sparql-query", "--data-binary", &deep],
    )?;
    assert_eq!(nested.status, 400, "{}", nested.body);
    assert!(nested.body.contains("nest"), "{}", nested.body);
    let parens = format!("ASK {{ FILTER({}1{}) }}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(
        curl(&sparql, &["--data-urlencode", &format!("query={parens}")])?.status,
        400
    );
    alive()?;

    // A million-row CONSTRUCT: 100 triples, and the response says it was cut.
    let million = format!(
        "CONSTRUCT {{ ?s <urn:p> ?b }} WHERE {{ {} {} BIND(IRI(CONCAT('urn:', STR(?a))) AS ?s) }}",
        thousand("a"),
        thousand("b")
    );
    let started = Instant::now();
    let cut = curl(
        &sparql,
        &[
            "--data-urlencode",
            &format!("query={million}"),
            "-H",
            "Accept: application/n-triples",
        ],
    )?;
    assert_eq!(cut.status, 200);
    assert_eq!(cut.body.lines().count(), 100);
    assert!(
        cut.headers.contains("saidgraph-truncated: the results were cut at 100"),
        "{}",
        cut.headers
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    let whole = curl(
        &format!("{sparql}?query={}", "SELECT%20*%7B?s%20sg:speaker%20?o%7D"),
        &[],
    )?;
    assert!(!whole.headers.contains("saidgraph-truncated"));

    // Out of time before the first result: 504 and a message, never a 200.
    // (Oxigraph checks its cancellation token as it reads the store: this query reads it
    // for each of its million rows.)
    let endless =
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER EXISTS { ?a ?x ?y . ?d ?z ?w } }".to_owned();
    let started = Instant::now();
    let late = curl(&sparql, &["--data-urlencode", &format!("query={endless}")])?;
    assert_eq!(late.status, 504, "{}", late.body);
    assert!(late.body.contains("ran out of time"), "{}", late.body);
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());

    // Full: with both slots taken by slow queries, a third gets 503 and Retry-After.
    let slow = |endless: String, sparql: String| {
        std::thread::spawn(move || {
            curl(&sparql, &["--data-urlencode", &format!("query={endless}")])
                .map(|g| g.status)
                .ok()
        })
    };
    let busy = [
        slow(endless.clone(), sparql.clone()),
        slow(endless.clone(), sparql.clone()),
    ];
    std::thread::sleep(Duration::from_millis(400));
    let full = curl(&format!("{sparql}?query=ASK%7B%7D"), &[])?;
    assert_eq!(full.status, 503, "{}", full.body);
    assert!(full.headers.contains("retry-after: 1"));
    // Pages and the list of queries need no slot: one slow query never blocks them.
    assert_eq!(curl(&served.url("/queries"), &[])?.status, 200);
    for thread in busy {
        assert_eq!(thread.join().ok().flatten(), Some(504));
    }

    // A client that hangs up mid-query frees its slot at once, long before the timeout.
    let mut hangups = Vec::new();
    for _ in 0..2 {
        let body = format!(
            "query={}",
            form_urlencoded::byte_serialize(endless.as_bytes()).collect::<String>()
        );
        let request = format!(
            "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let mut stream = TcpStream::connect(&served.address)?;
        stream.write_all(request.as_bytes())?;
        hangups.push(stream);
    }
    std::thread::sleep(Duration::from_millis(300));
    drop(hangups);
    std::thread::sleep(Duration::from_millis(200));
    let freed = curl(&format!("{sparql}?query=ASK%7B%7D"), &[])?;
    assert_eq!(freed.status, 200, "the slots were freed: {}", freed.body);

    // Slow loris: a head trickled a byte at a time is cut off after 10 s, with 408, while
    // other clients are served.
    let mut loris = TcpStream::connect(&served.address)?;
    loris.set_read_timeout(Some(Duration::from_millis(100)))?;
    let started = Instant::now();
    let mut answer = Vec::new();
    for byte in b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Slow: "
        .iter()
        .cycle()
    {
        if loris.write_all(&[*byte]).is_err() {
            break;
        }
        let mut buffer = [0; 512];
        match loris.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buffer[..n]),
            Err(_) => {}
        }
        if started.elapsed() > Duration::from_secs(20) {
            break;
        }
        if started.elapsed().as_secs() == 3 {
            alive()?;
        }
        std::thread::sleep(Duration::from_millis(400));
    }
    let elapsed = started.elapsed();
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 408"),
        "{answer:?}"
    );
    assert!(elapsed < Duration::from_secs(13), "{elapsed:?}");
    alive()?;

    // A pure computation (a billion rows of VALUES, which Oxigraph evaluates without
    // reading the store, where it checks for cancellation): still answered 504 on time.
    let computed = format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ {} {} {} }}",
        thousand("a"),
        thousand("b"),
        thousand("c")
    );
    let started = Instant::now();
    let late = curl(&sparql, &["--data-urlencode", &format!("query={computed}")])?;
    assert_eq!(late.status, 504, "{}", late.body);
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    Ok(())
}

/// No request changes a byte of the store, whatever it asks; a load while serving is seen
/// by the next query without a restart; SIGTERM stops the server cleanly.
#[test]
fn the_store_is_read_only_and_followed() -> TestResult {
    let (folder, store, served) = served_store()?;
    let sparql = served.url("/sparql");
    let before = hash_folder(&store)?;
    let count = "query=SELECT (COUNT(*) AS ?n) WHERE { ?s a sg:Statement }";
    let statements = curl(&sparql, &["--data-urlencode", count, "-H", "Accept: text/csv"])?;
    for args in [
        vec!["--data-urlencode", "update=DROP ALL"],
        vec![
            "-H",
            "Content-Type: application/sparql-update",
            "--data-binary",
            "CLEAR ALL",
        ],
        vec!["--data-urlencode", "query=SELECT * { ?s ?p ?o }"],
    ] {
        curl(&sparql, &args)?;
    }
    for method in ["PUT", "POST", "DELETE", "PATCH"] {
        curl(
            &served.url("/store?default"),
            &["-X", method, "--data-binary", "<a:b> <a:c> <a:d> ."],
        )?;
    }
    curl(&served.url("/store"), &[])?;
    assert_eq!(hash_folder(&store)?, before, "a request changed the store's files");

    // A load into the served store while queries run: each query sees the store before
    // the load or after it, never part of it, and the next query sees it all.
    let added = 2_000;
    let mut lines =
        String::from("{\"record\":\"entity\",\"id\":\"new-speaker\",\"type\":\"person\",\"name\":\"New Speaker\"}\n");
    for i in 0..added {
        lines.push_str(&format!(
            "{{\"record\":\"statement\",\"id\":\"new-{i}\",\"speaker\":\"new-speaker\",\"summary\":\"Something new.\"}}\n"
        ));
    }
    let more = folder.path().join("more.jsonl");
    std::fs::write(&more, lines)?;
    let number = |got: &Got| got.body.lines().nth(1).and_then(|n| n.trim().parse::<u64>().ok());
    let old = number(&statements).ok_or("no count")?;
    let loading = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let watcher = {
        let (loading, sparql) = (Arc::clone(&loading), sparql.clone());
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            while loading.load(std::sync::atomic::Ordering::Acquire) {
                if let Ok(got) = curl(&sparql, &["--data-urlencode", count, "-H", "Accept: text/csv"]) {
                    seen.push(got.body.lines().nth(1).and_then(|n| n.trim().parse::<u64>().ok()));
                }
            }
            seen
        })
    };
    saidgraph()
        .args(["load", "--base", "https://kb.example.org/seed/"])
        .arg(&more)
        .arg("--store")
        .arg(&store)
        .assert()
        .success();
    loading.store(false, std::sync::atomic::Ordering::Release);
    let seen = watcher.join().map_err(|_| "the watcher panicked")?;
    assert!(!seen.is_empty());
    for count in &seen {
        assert!(
            *count == Some(old) || *count == Some(old + added),
            "a query saw {count:?}, neither {old} nor {}: {seen:?}",
            old + added
        );
    }
    // The store is reopened in the background: soon every query sees the load.
    let started = Instant::now();
    loop {
        let after = curl(&sparql, &["--data-urlencode", count, "-H", "Accept: text/csv"])?;
        match number(&after) {
            Some(n) if n == old + added => break,
            Some(n) if n == old && started.elapsed() < Duration::from_secs(30) => {
                std::thread::sleep(Duration::from_millis(50));
            }
            other => return Err(format!("after the load: {other:?}, expected {}", old + added).into()),
        }
    }

    let status = served.terminate()?;
    assert!(status.success(), "{status:?}");
    Ok(())
}
