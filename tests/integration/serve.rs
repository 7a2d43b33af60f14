//! `saidgraph serve` (issue 13) against real clients: the harness the serve tests share
//! (a server started on a port the system picks, curl, raw sockets), and the store's
//! life under a server: "no request changes a byte of the store", a `load` while
//! serving, and the stop on SIGTERM and on SIGINT. The protocol checklist and the client
//! libraries are `serve_protocol.rs`, the bounds (hostile requests, fairness under load)
//! `serve_bounds.rs`, the page in a real browser `serve_page.rs`.
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

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` (`TERM`, `INT`) and waits for the exit (the queries in flight finish
    /// first, which a loaded machine may take a while to do).
    fn stop(mut self, signal: &str) -> Result<std::process::ExitStatus, Box<dyn std::error::Error>> {
        Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()?;
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            if started.elapsed() > Duration::from_secs(60) {
                return Err(format!("the server did not stop within 60 s of SIG{signal}").into());
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
pub fn served_store() -> Result<(tempfile::TempDir, PathBuf, Served), Box<dyn std::error::Error>> {
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
pub fn raw(address: &str, bytes: &[u8], wait: Duration) -> Result<String, Box<dyn std::error::Error>> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(wait))?;
    let _ = stream.write_all(bytes);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

/// A million values crossed with nothing but themselves: rows without a big store.
pub fn thousand(var: &str) -> String {
    let values: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
    format!("VALUES ?{var} {{ {} }}", values.join(" "))
}

/// The nice of each thread of process `pid` evaluating a query (named `saidgraph query`),
/// from `/proc/PID/task/TID/stat`, sorted.
pub fn query_nices(pid: u32) -> Result<Vec<i64>, Box<dyn std::error::Error>> {
    let mut nices = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let task = task?.path();
        let (Ok(name), Ok(stat)) = (
            std::fs::read_to_string(task.join("comm")),
            std::fs::read_to_string(task.join("stat")),
        ) else {
            continue; // the thread ended meanwhile
        };
        if name.trim_end() != "saidgraph query" {
            continue;
        }
        // `PID (NAME) STATE PPID …`: nice is the 19th field, the 17th after the name.
        let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).ok_or("stat")?;
        let nice = after_name.split_whitespace().nth(16).ok_or("no nice")?.parse()?;
        nices.push(nice);
    }
    nices.sort_unstable();
    Ok(nices)
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

    let status = served.stop("TERM")?;
    assert!(status.success(), "{status:?}");
    Ok(())
}

/// SIGINT (Ctrl-C) stops the server as SIGTERM does: a query in flight is answered, the
/// server says it stopped and exits 0, and nothing listens on its port any more.
#[test]
fn sigint_stops_the_server_cleanly() -> TestResult {
    let served = Served::start(&["-i", example().to_str().ok_or("path")?, "--timeout", "120s"])?;
    let (address, url) = (served.address.clone(), served.url("/sparql"));
    // A query that takes a while (each of ~a million rows reads the store), in flight as
    // the signal comes: it is answered before the server exits.
    let slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }";
    let in_flight = std::thread::spawn(move || {
        curl(&url, &["--data-urlencode", &format!("query={slow}")])
            .map(|g| g.status)
            .ok()
    });
    let started = Instant::now();
    while query_nices(served.pid())?.is_empty() {
        assert!(started.elapsed() < Duration::from_secs(30), "the query never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    let log = Arc::clone(&served.log);
    let status = served.stop("INT")?;
    assert!(status.success(), "{status:?}");
    assert_eq!(
        in_flight.join().ok().flatten(),
        Some(200),
        "the query in flight was answered"
    );
    std::thread::sleep(Duration::from_millis(100));
    let log = log.lock().map_err(|_| "log")?.clone();
    assert!(log.iter().any(|l| l == "saidgraph: stopped"), "{log:#?}");
    assert!(log.iter().any(|l| l.starts_with("POST /sparql 200 1 ")), "{log:#?}");
    assert!(TcpStream::connect(&address).is_err(), "still listening on {address}");
    Ok(())
}
