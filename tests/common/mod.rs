//! Helpers shared by the integration tests (`tests/integration/`) and the fault tests
//! (`tests/faults/`): running the built binary, reading fixtures and the shared data,
//! comparing RDF as graphs, and printing readable expected/actual blocks.

#![allow(dead_code, reason = "each test binary uses its own subset of the helpers")]

use std::path::{Path, PathBuf};
use std::process::Output;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Dataset, Quad};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The folder of the crate.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    root().join("tests/fixtures")
}

pub fn example() -> PathBuf {
    root().join("examples/seed-article.json")
}

/// The built binary as a plain command (to spawn, pipe, kill), run from the crate's folder.
pub fn binary() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_saidgraph"));
    command.current_dir(root());
    command
}

/// A `saidgraph` command run from the crate's folder, with assert_cmd's checks.
pub fn saidgraph() -> assert_cmd::Command {
    assert_cmd::Command::from_std(binary())
}

/// The first of `candidates` that runs with `--version` and succeeds: a tool a test
/// needs, where it may be installed.
pub fn working_tool(candidates: impl IntoIterator<Item = PathBuf>) -> Option<PathBuf> {
    candidates.into_iter().find(|binary| {
        std::process::Command::new(binary)
            .arg("--version")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// The shared data folder (`$SAIDGRAPH_SHARED_DATA`, else `../shared/data` beside the
/// clone) when it holds every path in `needs`. Elsewhere the test says so and passes,
/// except under CI (`CI` set), where the data is always there: then `missing` fails it.
pub fn shared_data(needs: &[&str], missing: &str) -> Option<PathBuf> {
    let folder = std::env::var_os("SAIDGRAPH_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/data"));
    if needs.iter().all(|need| folder.join(need).exists()) {
        return Some(folder);
    }
    assert!(std::env::var_os("CI").is_none(), "{}: {missing}", folder.display());
    eprintln!(
        "SKIPPED: {} has no {}; set SAIDGRAPH_SHARED_DATA to the shared data folder",
        folder.display(),
        needs.join(" or ")
    );
    None
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Parses RDF into a canonical dataset, for comparison as graphs.
pub fn parse(bytes: &[u8], format: RdfFormat) -> Result<Dataset, Box<dyn std::error::Error>> {
    let quads = RdfParser::from_format(format)
        .for_slice(bytes)
        .collect::<Result<Vec<Quad>, _>>()?;
    let mut dataset: Dataset = quads.into_iter().collect();
    dataset.canonicalize(oxigraph::model::dataset::CanonicalizationAlgorithm::Unstable);
    Ok(dataset)
}

/// Parses RDF as [`parse`] does, with every quad moved into the default graph: the
/// union of a TriG or N-Quads output's graphs.
pub fn parse_union(bytes: &[u8], format: RdfFormat) -> Result<Dataset, Box<dyn std::error::Error>> {
    let quads = RdfParser::from_format(format)
        .for_slice(bytes)
        .map(|q| {
            q.map(|q| {
                Quad::new(
                    q.subject,
                    q.predicate,
                    q.object,
                    oxigraph::model::GraphName::DefaultGraph,
                )
            })
        })
        .collect::<Result<Vec<Quad>, _>>()?;
    let mut dataset: Dataset = quads.into_iter().collect();
    dataset.canonicalize(oxigraph::model::dataset::CanonicalizationAlgorithm::Unstable);
    Ok(dataset)
}

/// Panics with both texts in full, one block each, when they differ.
pub fn assert_text_eq(what: &str, expected: &str, actual: &str) {
    if expected != actual {
        panic!(
            "\n{what} differs\n===== expected =====\n{expected}\n===== actual =====\n{actual}\n===== end =====\n\
             (set SAIDGRAPH_BLESS=1 to accept the actual output)"
        );
    }
}

/// Compares `actual` with the golden file at `path`; with `SAIDGRAPH_BLESS=1`, writes it.
pub fn assert_golden(path: &Path, actual: &str) {
    if std::env::var_os("SAIDGRAPH_BLESS").is_some() {
        std::fs::write(path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (set SAIDGRAPH_BLESS=1 to create it)", path.display()));
    assert_text_eq(&path.display().to_string(), &expected, actual);
}

/// The linking case: a knowledge base, a Wikidata excerpt and the expected links.
pub fn link_case() -> PathBuf {
    fixtures().join("link")
}

/// `saidgraph query` on the linking case's knowledge base, with its links and the
/// Wikidata excerpt as other graphs (`--with`): the query and its flags follow.
pub fn query_across_graphs() -> assert_cmd::Command {
    let case = link_case();
    let mut command = saidgraph();
    command
        .args(["query", "-i"])
        .arg(case.join("kb.jsonl"))
        .arg("--with")
        .arg(case.join("links.ttl"))
        .arg("--with")
        .arg(case.join("us-politicians-excerpt.nt"));
    command
}

/// A real SPARQL endpoint (rdflib-endpoint, from PyPI) serving RDF files on a free
/// loopback port for the length of a test; stopped when dropped.
#[derive(Debug)]
pub struct SparqlServer {
    child: std::process::Child,
    /// The endpoint's URL.
    pub url: String,
}

impl SparqlServer {
    /// Starts the server, or says why not and returns `None` when rdflib-endpoint is not
    /// installed (`.ci/run` installs it, so CI always runs these tests).
    pub fn start(files: &[PathBuf]) -> Result<Option<Self>, Box<dyn std::error::Error>> {
        let installed = std::process::Command::new("rdflib-endpoint")
            .arg("--help")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !installed {
            eprintln!(
                "SKIPPED: rdflib-endpoint is not installed (pip install \"rdflib-endpoint[cli]\"); \
                 the SERVICE and link --target URL tests need a real SPARQL endpoint"
            );
            return Ok(None);
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = std::process::Command::new("rdflib-endpoint")
            .arg("serve")
            .args(files)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        let mut server = Self {
            child,
            url: String::new(),
        };
        // rdflib-endpoint has served from / and from /sparql in different versions.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < deadline {
            if let Some(status) = server.child.try_wait()? {
                return Err(format!("rdflib-endpoint exited at start: {status}").into());
            }
            for path in ["/", "/sparql"] {
                if http_get_status(port, &format!("{path}?query=ASK%7B%7D")) == Some(200) {
                    server.url = format!("http://127.0.0.1:{port}{path}");
                    return Ok(Some(server));
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        Err(format!("rdflib-endpoint did not answer on port {port} within 60 s").into())
    }
}

impl Drop for SparqlServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status code of a plain HTTP GET on loopback, if anything answers.
fn http_get_status(port: u16, target: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/sparql-results+json\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}
