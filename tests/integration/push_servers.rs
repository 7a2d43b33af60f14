//! The real triple stores the push tests send to, each started by the test on free
//! loopback ports in a folder of its own, killable and restartable on the same ports and
//! data: Virtuoso 7 from Debian (`virtuoso-opensource`; `virtuoso-t` on `PATH` or at
//! `$SAIDGRAPH_VIRTUOSO`) with a private `virtuoso.ini`, and Oxigraph's server from PyPI
//! (as `link_endpoint` finds it). Also a proxy that can stop a push at a chosen request,
//! and a small SPARQL client for reading back. Without a server the tests say so and
//! pass, except under CI (`CI` set) or when `$SAIDGRAPH_VIRTUOSO` names one that does not
//! run: then they fail.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oxigraph::model::Term;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput};

pub type Error = Box<dyn std::error::Error + Send + Sync>;

fn free_port() -> Result<u16, Error> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn runs(binary: &Path, arg: &str) -> bool {
    Command::new(binary)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// A server under test: where to push, where to query, and how to kill it.
pub trait Server {
    /// `--to` for the preset.
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port())
    }
    /// The port its HTTP server listens on.
    fn port(&self) -> u16;
    /// Its SPARQL query endpoint.
    fn query_url(&self) -> String;
    /// `push` arguments: the preset, and the credentials (a variable in `env`).
    fn push_args(&self) -> Vec<String>;
    fn env(&self) -> Vec<(String, String)>;
    fn kill(&mut self);
    fn restart(&mut self) -> Result<(), Error>;
    /// Its process id, to kill it from another thread.
    fn pid(&self) -> Option<u32>;
}

/// Waits until `url` answers an ASK, for up to `within`.
fn wait_for(url: &str, within: Duration, child: &mut Child) -> Result<(), Error> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait()? {
            return Err(format!("the server exited at start: {status}").into());
        }
        if select(url, "ASK {}").is_ok() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{url} did not answer within {within:?}").into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A server's process, killed (SIGKILL) when dropped.
#[derive(Default)]
struct Process(Option<Child>);

impl Process {
    fn kill(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn pid(&self) -> Option<u32> {
        self.0.as_ref().map(Child::id)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A Virtuoso of its own.
pub struct Virtuoso {
    binary: PathBuf,
    folder: tempfile::TempDir,
    http: u16,
    pub password: String,
    child: Process,
}

impl Virtuoso {
    /// `virtuoso-t`, if installed.
    fn binary() -> Option<PathBuf> {
        let named = std::env::var_os("SAIDGRAPH_VIRTUOSO").map(PathBuf::from);
        let binary = named.clone().unwrap_or_else(|| PathBuf::from("virtuoso-t"));
        if runs(&binary, "-?") {
            return Some(binary);
        }
        assert!(
            std::env::var_os("CI").is_none() && named.is_none(),
            "virtuoso-t (apt-get install virtuoso-opensource) is missing"
        );
        eprintln!("SKIPPED: virtuoso-t is not installed (apt-get install virtuoso-opensource)");
        None
    }

    /// Starts a fresh Virtuoso with a password of the test's own; `None` when it is not
    /// installed. `after_image_limit` raises `TransactionAfterImageLimit` (bytes).
    pub fn start(after_image_limit: Option<u64>) -> Result<Option<Self>, Error> {
        let Some(binary) = Self::binary() else { return Ok(None) };
        let folder = tempfile::tempdir()?;
        let dir = folder.path().display().to_string();
        for sub in ["db", "load", "vsp"] {
            std::fs::create_dir_all(folder.path().join(sub))?;
        }
        let (http, sql) = (free_port()?, free_port()?);
        let limit = after_image_limit.map_or(String::new(), |l| format!("TransactionAfterImageLimit={l}\n"));
        std::fs::write(
            folder.path().join("virtuoso.ini"),
            format!(
                "[Database]\nDatabaseFile={dir}/db/virtuoso.db\nErrorLogFile={dir}/db/virtuoso.log\n\
                 LockFile={dir}/db/virtuoso.lck\nTransactionFile={dir}/db/virtuoso.trx\n\
                 xa_persistent_file={dir}/db/virtuoso.pxa\nTempStorage=TempDatabase\n\
                 [TempDatabase]\nDatabaseFile={dir}/db/virtuoso-temp.db\nTransactionFile={dir}/db/virtuoso-temp.trx\n\
                 [Parameters]\nServerPort=127.0.0.1:{sql}\nDisableUnixSocket=1\nDirsAllowed=., {dir}/load\n\
                 NumberOfBuffers=10000\nMaxDirtyBuffers=6000\n{limit}\
                 [HTTPServer]\nServerPort=127.0.0.1:{http}\nServerRoot={dir}/vsp\nServerThreads=10\n\
                 [SPARQL]\nResultSetMaxRows=100000\nMaxQueryExecutionTime=60\n"
            ),
        )?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .subsec_nanos();
        let mut server = Self {
            binary,
            folder,
            http,
            password: format!("pw{nanos}x{}", std::process::id()),
            child: Process::default(),
        };
        server.restart()?;
        let isql = server.binary.with_file_name("isql-vt");
        let set = Command::new(&isql)
            .arg(format!("127.0.0.1:{sql}"))
            .args(["dba", "dba"])
            .arg(format!("exec=USER_SET_PASSWORD('dba','{}');", server.password))
            .output()?;
        if !set.status.success() {
            return Err(format!("isql-vt: {}", String::from_utf8_lossy(&set.stderr)).into());
        }
        Ok(Some(server))
    }
}

impl Server for Virtuoso {
    fn port(&self) -> u16 {
        self.http
    }
    fn query_url(&self) -> String {
        format!("http://127.0.0.1:{}/sparql", self.http)
    }
    fn push_args(&self) -> Vec<String> {
        [
            "--preset",
            "virtuoso",
            "--user",
            "dba",
            "--password-env",
            "PUSH_TEST_PASSWORD",
        ]
        .map(str::to_owned)
        .to_vec()
    }
    fn env(&self) -> Vec<(String, String)> {
        vec![("PUSH_TEST_PASSWORD".to_owned(), self.password.clone())]
    }
    fn kill(&mut self) {
        self.child.kill();
    }
    fn pid(&self) -> Option<u32> {
        self.child.pid()
    }
    fn restart(&mut self) -> Result<(), Error> {
        self.kill();
        let _ = std::fs::remove_file(self.folder.path().join("db/virtuoso.lck"));
        let mut child = Command::new(&self.binary)
            .arg("+configfile")
            .arg(self.folder.path().join("virtuoso.ini"))
            .arg("+foreground")
            .current_dir(self.folder.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let ready = wait_for(&self.query_url(), Duration::from_secs(120), &mut child);
        self.child = Process(Some(child));
        ready
    }
}

/// An Oxigraph server of its own, its default graph the union of its graphs (as
/// Virtuoso's is).
pub struct Oxigraph {
    binary: PathBuf,
    folder: tempfile::TempDir,
    port: u16,
    child: Process,
}

impl Oxigraph {
    pub fn start() -> Result<Option<Self>, Error> {
        let Some(binary) = crate::link_endpoint::oxigraph() else {
            return Ok(None);
        };
        let mut server = Self {
            binary,
            folder: tempfile::tempdir()?,
            port: free_port()?,
            child: Process::default(),
        };
        server.restart()?;
        Ok(Some(server))
    }
}

impl Server for Oxigraph {
    fn port(&self) -> u16 {
        self.port
    }
    fn query_url(&self) -> String {
        format!("http://127.0.0.1:{}/query", self.port)
    }
    fn push_args(&self) -> Vec<String> {
        vec!["--preset".to_owned(), "oxigraph".to_owned()]
    }
    fn env(&self) -> Vec<(String, String)> {
        Vec::new()
    }
    fn kill(&mut self) {
        self.child.kill();
    }
    fn pid(&self) -> Option<u32> {
        self.child.pid()
    }
    fn restart(&mut self) -> Result<(), Error> {
        self.kill();
        let mut child = Command::new(&self.binary)
            .args(["serve", "--union-default-graph", "--location"])
            .arg(self.folder.path().join("store"))
            .args(["--bind", &format!("127.0.0.1:{}", self.port)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let ready = wait_for(&self.query_url(), Duration::from_secs(60), &mut child);
        self.child = Process(Some(child));
        ready
    }
}

/// One row of a SELECT's answer: each variable's value in N-Triples form ("" unbound).
pub type Row = Vec<String>;

/// A SELECT (or ASK: one row, `true` or `false`) asked of `url`.
pub fn select(url: &str, query: &str) -> Result<Vec<Row>, Error> {
    select_in(url, query, None)
}

/// [`select`] with `graph` as the query's default graph (the protocol's `default-graph-uri`).
pub fn select_in(url: &str, query: &str, graph: Option<&str>) -> Result<Vec<Row>, Error> {
    let client = oxhttp::Client::new().with_global_timeout(Duration::from_secs(120));
    let encode = |text: &str| form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
    let mut form = format!("query={}", encode(query));
    if let Some(graph) = graph {
        form.push_str(&format!("&default-graph-uri={}", encode(graph)));
    }
    let request = oxhttp::model::Request::builder()
        .method(oxhttp::model::Method::POST)
        .uri(url)
        .header("Accept", "application/sparql-results+json")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)?;
    let response = client.request(request)?;
    let status = response.status();
    let mut body = Vec::new();
    response.into_body().read_to_end(&mut body)?;
    if !status.is_success() {
        return Err(format!("{url} answered {status}: {}", String::from_utf8_lossy(&body)).into());
    }
    match QueryResultsParser::from_format(QueryResultsFormat::Json).for_slice(&body)? {
        SliceQueryResultsParserOutput::Boolean(answer) => Ok(vec![vec![answer.to_string()]]),
        SliceQueryResultsParserOutput::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            let mut rows = Vec::new();
            for solution in solutions {
                let solution = solution?;
                rows.push(
                    variables
                        .iter()
                        .map(|v| solution.get(v).map_or_else(String::new, Term::to_string))
                        .collect(),
                );
            }
            Ok(rows)
        }
    }
}

/// How many triples `graph` holds on the server.
/// Kills the process `pid` at once (SIGKILL), as a crash or a power cut would.
pub fn kill_pid(pid: u32) {
    let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
}

pub fn count(server: &dyn Server, graph: &str) -> Result<usize, Error> {
    let rows = select(
        &server.query_url(),
        &format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"),
    )?;
    let value = rows.first().and_then(|r| r.first()).ok_or("no count")?;
    let digits: String = value
        .trim_start_matches('"')
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Ok(digits.parse()?)
}

/// What the proxy does when its trigger fires.
pub type Action = Box<dyn FnOnce() + Send>;

/// A proxy in front of a server: it passes requests on, counts them, can refuse every
/// connection for a while (`pause`), and runs an action once, a delay after it passed on
/// the `nth` request (1 for the first) whose head or body holds `needle`.
pub struct Proxy {
    pub port: u16,
    paused: Arc<AtomicBool>,
    trigger: Arc<Trigger>,
    pub requests: Arc<AtomicUsize>,
}

impl Proxy {
    pub fn start(upstream: u16) -> Result<Self, Error> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let proxy = Self {
            port: listener.local_addr()?.port(),
            paused: Arc::new(AtomicBool::new(false)),
            trigger: Arc::new(Mutex::new(None)),
            requests: Arc::new(AtomicUsize::new(0)),
        };
        let (paused, trigger, requests) = (
            Arc::clone(&proxy.paused),
            Arc::clone(&proxy.trigger),
            Arc::clone(&proxy.requests),
        );
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if paused.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let (trigger, requests) = (Arc::clone(&trigger), Arc::clone(&requests));
                std::thread::spawn(move || forward(client, upstream, &trigger, &requests));
            }
        });
        Ok(proxy)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Sets to `true` to refuse every connection, `false` to pass them on again.
    pub fn pauser(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.paused)
    }

    pub fn on(&self, needle: &str, nth: usize, delay: Duration, action: Action) {
        *self.trigger.lock().unwrap() = Some((needle.to_owned(), nth, delay, action));
    }
}

/// The armed trigger: the needle, how many more matches, the delay, the action.
type Trigger = Mutex<Option<(String, usize, Duration, Action)>>;

fn forward(mut client: TcpStream, upstream: u16, trigger: &Trigger, requests: &AtomicUsize) -> std::io::Result<()> {
    let mut request = Vec::new();
    let mut buffer = [0; 65536];
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
    let head = String::from_utf8_lossy(&request[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while request.len() < head_end + length {
        let n = client.read(&mut buffer)?;
        if n == 0 {
            return Ok(());
        }
        request.extend_from_slice(&buffer[..n]);
    }
    // One request per connection, so that the answer ends where the connection does.
    let head: String = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .collect::<Vec<_>>()
        .join("\r\n");
    let head = head.trim_end().to_owned() + "\r\nConnection: close\r\n\r\n";
    let body = request[head_end..].to_vec();
    requests.fetch_add(1, Ordering::SeqCst);
    let fire = {
        let mut armed = trigger.lock().unwrap();
        let matches = armed.as_ref().is_some_and(|(needle, _, _, _)| {
            head.contains(needle.as_str()) || String::from_utf8_lossy(&body).contains(needle.as_str())
        });
        if matches && let Some((_, nth, _, _)) = armed.as_mut() {
            *nth -= 1;
        }
        if matches && armed.as_ref().is_some_and(|(_, nth, _, _)| *nth == 0) {
            armed.take()
        } else {
            None
        }
    };
    let mut server = TcpStream::connect(("127.0.0.1", upstream))?;
    server.write_all(head.as_bytes())?;
    server.write_all(&body)?;
    if let Some((_, _, delay, action)) = fire {
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            action();
        });
    }
    std::io::copy(&mut server, &mut client)?;
    Ok(())
}
