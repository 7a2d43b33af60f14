//! Linking against a real SPARQL server (issue 16): Oxigraph's server from PyPI on a free
//! loopback port, holding the Wikidata extract, behind a small counting proxy that can
//! also answer 429. The Quotebank benchmark through the endpoint gives the links the file
//! gives; a busy server is waited for; a dead one is a clear error; the cache makes a
//! rerun send nothing. Also `--lang` and Quotebank's own candidates, on real rows.
//!
//! The server is `oxigraph` from `pip install oxigraph==0.5.13`: on `PATH`, at
//! `$SAIDGRAPH_OXIGRAPH`, or in the venv `.ci/run` makes. Without it the tests say so and
//! pass, except under CI (`CI` set).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{self, TestResult, saidgraph, stderr, stdout};
use crate::link_benchmark::{self, TARGET, run_against};
use predicates::str::contains;

const VENV_OXIGRAPH: &str = "/var/cache/saidgraph/oxigraph-venv/bin/oxigraph";

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/link16")
}

/// The `oxigraph` server binary, if installed (the push tests use it too).
pub(crate) fn oxigraph() -> Option<PathBuf> {
    let candidates = std::env::var_os("SAIDGRAPH_OXIGRAPH")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from("oxigraph"), PathBuf::from(VENV_OXIGRAPH)]);
    if let Some(binary) = common::working_tool(candidates) {
        return Some(binary);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "oxigraph (pip install oxigraph==0.5.13) is missing"
    );
    eprintln!("SKIPPED: oxigraph is not installed (pip install oxigraph==0.5.13; or set SAIDGRAPH_OXIGRAPH)");
    None
}

/// An Oxigraph server on loopback, killed when dropped.
struct Server {
    child: Child,
    port: u16,
    _folder: tempfile::TempDir,
}

impl Server {
    /// Loads `file` (N-Triples, plain or .gz) and serves it.
    fn start(binary: &Path, file: &Path) -> Result<Self, Box<dyn std::error::Error>> {
        let folder = tempfile::tempdir()?;
        let plain = folder.path().join("data.nt");
        let mut reader: Box<dyn Read> = Box::new(std::fs::File::open(file)?);
        if file.extension().is_some_and(|e| e == "gz") {
            reader = Box::new(flate2::read::GzDecoder::new(reader));
        }
        std::io::copy(&mut reader, &mut std::fs::File::create(&plain)?)?;
        let store = folder.path().join("store");
        let loaded = Command::new(binary)
            .args(["load", "--location"])
            .arg(&store)
            .arg("--file")
            .arg(&plain)
            .output()?;
        assert!(loaded.status.success(), "oxigraph load: {}", stderr(&loaded));
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(binary)
            .args(["serve-read-only", "--location"])
            .arg(&store)
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let server = Self {
            child,
            port,
            _folder: folder,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "oxigraph did not listen on {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the proxy saw, and how many requests it is still to answer 429.
#[derive(Debug, Default)]
struct Seen {
    requests: usize,
    user_agents: Vec<String>,
    busy: usize,
    largest: usize,
}

/// The proxy's URL and what it saw.
type Proxy = (String, Arc<Mutex<Seen>>);

/// A counting proxy in front of `upstream`, on its own port; it runs until the test ends.
fn proxy(upstream: u16) -> Result<Proxy, Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://127.0.0.1:{}/query", listener.local_addr()?.port());
    let seen = Arc::new(Mutex::new(Seen::default()));
    let shared = Arc::clone(&seen);
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let seen = Arc::clone(&shared);
            std::thread::spawn(move || forward(client, upstream, &seen));
        }
    });
    Ok((url, seen))
}

fn forward(mut client: TcpStream, upstream: u16, seen: &Mutex<Seen>) -> std::io::Result<()> {
    let mut request = Vec::new();
    let mut buffer = [0; 8192];
    let head_end = loop {
        let n = client.read(&mut buffer)?;
        if n == 0 {
            return Ok(());
        }
        request.extend_from_slice(&buffer[..n]);
        if let Some(at) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&request[..head_end]).to_ascii_lowercase();
    let header = |name: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")).map(|v| v.trim().to_owned()))
    };
    let length: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    while request.len() < head_end + length {
        let n = client.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buffer[..n]);
    }
    let busy = {
        let mut seen = seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        seen.requests += 1;
        seen.largest = seen.largest.max(request.len());
        seen.user_agents.push(header("user-agent").unwrap_or_default());
        let busy = seen.busy > 0;
        seen.busy = seen.busy.saturating_sub(1);
        busy
    };
    if busy {
        return client.write_all(
            b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy",
        );
    }
    let mut server = TcpStream::connect(("127.0.0.1", upstream))?;
    server.write_all(&request)?;
    std::io::copy(&mut server, &mut client)?;
    Ok(())
}

fn requests(seen: &Mutex<Seen>) -> usize {
    seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).requests
}

/// The benchmark through the endpoint: the same links as through the file, with the
/// request count and time; then the cache makes a rerun send nothing.
#[test]
fn the_benchmark_through_an_endpoint_gives_the_file_links() -> TestResult {
    let Some(data) = link_benchmark::shared_data() else {
        return Ok(());
    };
    let Some(binary) = oxigraph() else { return Ok(()) };
    let server = Server::start(&binary, &data.join(TARGET))?;
    let (url, seen) = proxy(server.port)?;
    let speakers = link_benchmark::speakers(&data)?;
    let from_file = run_against(&data, &speakers, false, data.join(TARGET).as_os_str(), &[])?;
    let cache = tempfile::tempdir()?;
    let cache_arg = cache.path().to_str().ok_or("path")?;
    let through = run_against(&data, &speakers, false, url.as_ref(), &["--cache", cache_arg])?;
    through.print(&format!(
        "Quotebank congress speakers → Oxigraph server holding us-politicians.nt.gz, names only \
         ({} HTTP requests, largest {} bytes)",
        requests(&seen),
        seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).largest
    ));
    let differ: Vec<_> = from_file
        .links
        .iter()
        .filter(|(name, item)| through.links.get(*name) != Some(item))
        .collect();
    println!(
        "  {} links of {} through the file are not the same through the endpoint: {differ:?}",
        differ.len(),
        from_file.links.len()
    );
    assert!(through.precision() >= 0.99, "precision {:.4}", through.precision());
    assert!(through.recall() >= 0.97, "recall {:.4}", through.recall());
    assert!(
        through
            .links
            .iter()
            .all(|(name, item)| from_file.links.get(name) == Some(item)),
        "the endpoint gave a link the file did not"
    );
    let sent = requests(&seen);
    assert!(sent <= 30, "{sent} requests for {} speakers", speakers.len());
    {
        let seen = seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        assert!(
            seen.user_agents.iter().all(|ua| ua.starts_with("saidgraph/")),
            "{:?}",
            seen.user_agents
        );
    }
    // The same run again, from the cache: nothing sent, the same links.
    let again = run_against(&data, &speakers, false, url.as_ref(), &["--cache", cache_arg])?;
    assert_eq!(requests(&seen), sent, "the rerun asked again");
    assert_eq!(again.links, through.links);
    assert!(again.summary.contains("0 requests sent"), "{}", again.summary);
    Ok(())
}

/// A server that answers 429 with `Retry-After` is waited for; a dead one is an error
/// that names it.
#[test]
fn a_busy_server_is_waited_for_and_a_dead_one_is_an_error() -> TestResult {
    let Some(binary) = oxigraph() else { return Ok(()) };
    let case = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/link");
    let server = Server::start(&binary, &case.join("us-politicians-excerpt.nt"))?;
    let (url, seen) = proxy(server.port)?;
    seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).busy = 2;
    let start = Instant::now();
    let output = saidgraph()
        .args(["link", "-i"])
        .arg(case.join("kb.jsonl"))
        .args(["--target", &url, "--max-requests-in-flight", "1"])
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        start.elapsed() >= Duration::from_secs(2),
        "Retry-After: 1, twice, was not waited for"
    );
    common::assert_golden(&case.join("links.ttl"), &stdout(&output));
    assert!(stderr(&output).contains("2 waits on 429/503"), "{}", stderr(&output));

    // The Wikidata preset's queries, at the local server.
    let output = saidgraph()
        .args(["link", "-i"])
        .arg(case.join("kb.jsonl"))
        .args(["--target", &format!("wikidata={url}")])
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    common::assert_golden(&case.join("links.ttl"), &stdout(&output));

    let port = server.port;
    drop(server);
    let dead = format!("http://127.0.0.1:{port}/query");
    saidgraph()
        .args(["link", "-i"])
        .arg(case.join("kb.jsonl"))
        .args(["--target", &dead, "--request-timeout", "5"])
        .assert()
        .code(1)
        .stderr(contains(format!("SPARQL endpoint {dead}: no answer")));
    Ok(())
}

/// `--lang` restricts the labels matched, in files and endpoints: Douglas Adams by his
/// Ukrainian label, against real Wikidata labels.
#[test]
fn lang_restricts_the_labels_matched() -> TestResult {
    let target = fixtures().join("q42-labels.nt");
    let link = |target: &str, lang: Option<&str>| -> Result<String, Box<dyn std::error::Error>> {
        let mut command = saidgraph();
        command
            .args(["link", "-f", "nt", "-i"])
            .arg(fixtures().join("kb-uk.jsonl"))
            .args(["--target", target]);
        if let Some(lang) = lang {
            command.args(["--lang", lang]);
        }
        let output = command.output()?;
        assert!(output.status.success(), "{}", stderr(&output));
        Ok(stdout(&output))
    };
    let file = target.to_str().ok_or("path")?;
    let q42 = "<http://www.wikidata.org/entity/Q42>";
    assert!(link(file, None)?.contains(q42), "every language, by default, in a file");
    assert!(link(file, Some("uk,ja"))?.contains(q42));
    assert_eq!(link(file, Some("en,de"))?, "");
    let Some(binary) = oxigraph() else { return Ok(()) };
    let server = Server::start(&binary, &target)?;
    let url = format!("http://127.0.0.1:{}/query", server.port);
    assert_eq!(link(&url, None)?, "", "an endpoint is asked in en and mul by default");
    assert!(link(&url, Some("uk"))?.contains(q42));
    Ok(())
}

/// Quotebank's own `qids` decide between namesakes the target holds, through a file and
/// through an endpoint; the review report says so when they did not suffice.
#[test]
fn quotebank_candidates_are_decided_among_first() -> TestResult {
    let quotes = fixtures().join("quotebank-homonyms.jsonl");
    let target = fixtures().join("us-politicians-homonyms.nt");
    let run = |target: &str| -> Result<(String, String), Box<dyn std::error::Error>> {
        let output = saidgraph()
            .args(["link", "-f", "nt", "-i"])
            .arg(&quotes)
            .args(["--target", target])
            .output()?;
        assert!(output.status.success(), "{}", stderr(&output));
        Ok((stdout(&output), stderr(&output)))
    };
    let (links, summary) = run(target.to_str().ok_or("path")?)?;
    for item in ["Q16107263", "Q16152029"] {
        assert!(
            links.contains(&format!("<http://www.wikidata.org/entity/{item}> .")),
            "{item}:\n{links}"
        );
    }
    assert!(summary.contains("2 decided among Quotebank's candidates"), "{summary}");
    let Some(binary) = oxigraph() else { return Ok(()) };
    let server = Server::start(&binary, &target)?;
    let (through, _) = run(&format!("http://127.0.0.1:{}/query", server.port))?;
    assert_eq!(through, links);
    Ok(())
}
