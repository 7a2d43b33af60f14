//! `push` (issue 14) against real servers started here on loopback: Virtuoso 7 and
//! Oxigraph's server ([`crate::push_servers`]). For each: the seed article and a
//! knowledge base of 100,000 RDF statements (triples) pushed and read back through the
//! server's own SPARQL endpoint (the graph equal to the local one, a named query's
//! results equal to the local ones); `--if-changed`; a corrected input pushed again (the
//! old triples gone); a wrong password (a clear error, nothing changed) and no secret in
//! any output; then the server killed in the middle of a push and restarted (the graph
//! is the old dataset or the new one, and the push, retrying, completes), and the client
//! killed during the chunks and during the final update (old, or old or new; the next
//! push cleans up and completes), and the server killed just after a push (the new
//! dataset survives: Virtuoso needs the checkpoint push makes for that). The kills use two
//! versions of a dataset of 50,000 triples.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::common::{binary, example, root, stderr, stdout};
use crate::push_servers::{Error, Oxigraph, Proxy, Server, Virtuoso, count, kill_pid, select, select_in};

const SEED_GRAPH: &str = "https://kb.example.org/seed/graph/seed-article";
const KB_GRAPH: &str = "https://kb.example.org/graph/kb";
const META: &str = "https://w3id.org/saidgraph/datasets";
/// The commit's `ADD` as it is form-encoded in the request body.
const COMMIT: &str = "ADD+SILENT+GRAPH";

/// `saidgraph push INPUT --to SERVER …` with the server's preset and credentials.
fn push(server: &dyn Server, to: &str, input: &Path, extra: &[&str]) -> std::process::Command {
    let mut command = binary();
    command
        .arg("push")
        .arg("-i")
        .arg(input)
        .args(["--to", to])
        .args(server.push_args())
        .args(extra);
    for (name, value) in server.env() {
        command.env(name, value);
    }
    command
}

fn run(mut command: std::process::Command) -> Result<Output, Error> {
    Ok(command.output()?)
}

fn succeeds(command: std::process::Command) -> Result<String, Error> {
    let output = run(command)?;
    assert!(output.status.success(), "push failed: {}", stderr(&output));
    Ok(stdout(&output))
}

/// The local graph of `input` as sorted N-Triples lines.
fn local_lines(input: &Path) -> Result<Vec<String>, Error> {
    let output = binary().arg("convert").arg(input).args(["-f", "nt"]).output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    let mut lines: Vec<String> = stdout(&output)
        .lines()
        .map(|l| l.trim_end_matches(" .").to_owned())
        .collect();
    lines.sort();
    Ok(lines)
}

/// The graph on the server, as sorted `s p o` lines (the server's own SELECT endpoint).
fn remote_lines(server: &dyn Server, graph: &str) -> Result<Vec<String>, Error> {
    let rows = select(
        &server.query_url(),
        &format!("SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"),
    )?;
    let mut lines: Vec<String> = rows.into_iter().map(|r| r.join(" ")).collect();
    lines.sort();
    Ok(lines)
}

/// A named query's rows locally and on the server, each sorted.
fn named_query_both(
    server: &dyn Server,
    input: &Path,
    graph: &str,
    name: &str,
) -> Result<(Vec<String>, Vec<String>), Error> {
    let local = binary()
        .args(["query", "-i"])
        .arg(input)
        .args([name, "-r", "json"])
        .output()?;
    assert!(local.status.success(), "{}", stderr(&local));
    let parsed =
        oxigraph::sparql::results::QueryResultsParser::from_format(oxigraph::sparql::results::QueryResultsFormat::Json)
            .for_slice(&local.stdout)?;
    let oxigraph::sparql::results::SliceQueryResultsParserOutput::Solutions(solutions) = parsed else {
        return Err("not solutions".into());
    };
    let variables = solutions.variables().to_vec();
    let mut mine = Vec::new();
    for solution in solutions {
        let solution = solution?;
        let row: Vec<String> = variables
            .iter()
            .map(|v| solution.get(v).map_or_else(String::new, ToString::to_string))
            .collect();
        mine.push(row.join(" | "));
    }
    let text = std::fs::read_to_string(root().join(format!("queries/{name}.rq")))?;
    let mut theirs: Vec<String> = select_in(&server.query_url(), &text, Some(graph))?
        .into_iter()
        .map(|r| r.join(" | "))
        .collect();
    mine.sort();
    theirs.sort();
    Ok((mine, theirs))
}

/// A knowledge base of about 100,000 triples from gen_kb.py (`seed` varies the content),
/// as `kb.jsonl` in `folder`: the same dataset name, so the same graph, whatever the seed.
fn generated_kb(folder: &Path, statements: u32, seed: u32) -> Result<PathBuf, Error> {
    let script = root().join("../shared/bench/gen_kb.py");
    assert!(
        script.is_file(),
        "{}: gen_kb.py is missing (../shared/bench)",
        script.display()
    );
    std::fs::create_dir_all(folder)?;
    let out = folder.join("kb.jsonl");
    let status = std::process::Command::new("python3")
        .arg(&script)
        .args([
            "--statements",
            &statements.to_string(),
            "--seed",
            &seed.to_string(),
            "--form",
            "jsonl",
            "--out",
        ])
        .arg(&out)
        .status()?;
    assert!(status.success(), "gen_kb.py failed");
    Ok(out)
}

/// The hash `push --dry-run` says a dataset has.
fn local_hash(server: &dyn Server, input: &Path) -> Result<String, Error> {
    let plan = succeeds(push(server, &server.url(), input, &["--dry-run"]))?;
    let at = plan.find("(sha256:").ok_or("no hash in the dry run")?;
    Ok(plan[at + 1..at + 1 + "sha256:".len() + 64].to_owned())
}

/// The hash the target records for `graph`, if any.
fn recorded_hash(server: &dyn Server, graph: &str) -> Result<Option<String>, Error> {
    let rows = select(
        &server.query_url(),
        &format!("SELECT ?h WHERE {{ GRAPH <{META}> {{ <{graph}> <https://w3id.org/saidgraph#contentHash> ?h }} }}"),
    )?;
    Ok(rows.first().map(|r| r[0].trim_matches('"').to_owned()))
}

/// The seed article, the 100,000-triple knowledge base, `--if-changed`, a correction, a
/// wrong password and the secrets.
fn cycle(server: &dyn Server, work: &Path) -> Result<(), Error> {
    let seed = example();
    let pushed = succeeds(push(server, &server.url(), &seed, &["--chunk", "100"]))?;
    assert!(pushed.contains("pushed seed-article: 394 triples"), "{pushed}");
    assert_eq!(remote_lines(server, SEED_GRAPH)?, local_lines(&seed)?);
    let (mine, theirs) = named_query_both(server, &seed, SEED_GRAPH, "linked-entities")?;
    assert!(!mine.is_empty());
    assert_eq!(mine, theirs, "linked-entities locally and on the server");
    assert_eq!(count(server, &format!("{SEED_GRAPH}?saidgraph-staging"))?, 0);

    let again = succeeds(push(server, &server.url(), &seed, &["--if-changed"]))?;
    assert!(again.starts_with("unchanged seed-article"), "{again}");

    // A correction: one quote changed, one statement gone.
    let mut document: serde_json::Value = serde_json::from_slice(&std::fs::read(&seed)?)?;
    let statements = document["statements"].as_array_mut().ok_or("statements")?;
    let old_quote = statements[0]["quote"].as_str().ok_or("a quote")?.to_owned();
    statements[0]["quote"] = "A corrected quotation.".into();
    statements.pop();
    let corrected = work.join("seed-article.json");
    std::fs::write(&corrected, serde_json::to_vec(&document)?)?;
    let repushed = succeeds(push(server, &server.url(), &corrected, &["--if-changed"]))?;
    assert!(repushed.starts_with("pushed seed-article"), "{repushed}");
    assert_eq!(remote_lines(server, SEED_GRAPH)?, local_lines(&corrected)?);
    let quoted = |text: &str| -> Result<bool, Error> {
        let ask = format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SEED_GRAPH}> {{ ?s <https://w3id.org/saidgraph#quote> ?q \
             FILTER(STR(?q) = {text:?}) }} }}"
        );
        // Virtuoso answers an ASK as a result set: a COUNT reads the same everywhere.
        Ok(select(&server.query_url(), &ask)?[0][0]
            .trim_matches('"')
            .starts_with('1'))
    };
    assert!(!quoted(&old_quote)? && quoted("A corrected quotation.")?);

    // No secret in anything a push prints: a dry run, a push, a failed push.
    let secrets: Vec<String> = server.env().into_iter().map(|(_, v)| v).collect();
    let mut outputs = vec![run(push(server, &server.url(), &seed, &["--dry-run"]))?];
    if !secrets.is_empty() {
        // A wrong password: a clear error, the graph as it was.
        let mut wrong = push(server, &server.url(), &seed, &[]);
        wrong.env("PUSH_TEST_PASSWORD", "not-the-password-42");
        let refused = run(wrong)?;
        assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
        assert!(
            stderr(&refused).contains("401 Unauthorized: the server refused the credentials"),
            "{}",
            stderr(&refused)
        );
        assert!(!stderr(&refused).contains("not-the-password-42"));
        assert_eq!(remote_lines(server, SEED_GRAPH)?, local_lines(&corrected)?);
        outputs.push(refused);
        let mut unset = push(server, &server.url(), &seed, &[]);
        unset.env_remove("PUSH_TEST_PASSWORD");
        let unset = run(unset)?;
        assert_eq!(unset.status.code(), Some(2));
        assert!(
            stderr(&unset).contains("PUSH_TEST_PASSWORD is not set"),
            "{}",
            stderr(&unset)
        );
    }
    let plan = stdout(&outputs[0]);
    assert!(
        plan.starts_with("would push seed-article") && plan.contains(SEED_GRAPH),
        "{plan}"
    );
    for output in &outputs {
        for secret in &secrets {
            let all = format!("{}{}", stdout(output), stderr(output));
            assert!(!all.contains(secret.as_str()), "a secret in: {all}");
        }
    }

    // 100,000 triples, in chunks.
    let kb = generated_kb(&work.join("kb"), 11_000, 7)?;
    let lines = local_lines(&kb)?;
    assert!((100_000..125_000).contains(&lines.len()), "{} triples", lines.len());
    let pushed = succeeds(push(server, &server.url(), &kb, &["--chunk", "30000"]))?;
    eprintln!("{pushed}");
    assert_eq!(count(server, KB_GRAPH)?, lines.len());
    let (mine, theirs) = named_query_both(server, &kb, KB_GRAPH, "linked-entities")?;
    assert!(mine.len() > 100);
    assert_eq!(
        mine, theirs,
        "linked-entities of the knowledge base locally and on the server"
    );
    // Without --chunk, Oxigraph takes the whole dataset in one PUT (its PUT is atomic);
    // others stage it in chunks of 50,000.
    let pushed = succeeds(push(server, &server.url(), &kb, &[]))?;
    let one_put = server.push_args().iter().any(|a| a == "oxigraph");
    let plan = succeeds(push(server, &server.url(), &kb, &["--dry-run"]))?;
    assert_eq!(plan.contains("as one Graph Store PUT"), one_put, "{plan}");
    assert!(pushed.starts_with("pushed kb"), "{pushed}");
    assert_eq!(count(server, KB_GRAPH)?, lines.len());
    assert_eq!(count(server, &format!("{KB_GRAPH}?saidgraph-staging"))?, 0);
    Ok(())
}

/// Which version the graph holds: `Some(true)` the new, `Some(false)` the old, `None`
/// neither whole.
fn version(server: &dyn Server, old: (&str, usize), new: (&str, usize)) -> Result<Option<bool>, Error> {
    let hash = recorded_hash(server, KB_GRAPH)?.unwrap_or_default();
    let n = count(server, KB_GRAPH)?;
    Ok(if (hash.as_str(), n) == new {
        Some(true)
    } else if (hash.as_str(), n) == old {
        Some(false)
    } else {
        eprintln!("the graph holds {n} triples, hash {hash}: old {old:?}, new {new:?}");
        None
    })
}

/// Kills: the server during the final update (restarted: old or new; the push completes
/// by its retries), the client during the chunks (old) and during the final update (old
/// or new); a last push cleans up.
fn kills(server: &mut dyn Server, work: &Path) -> Result<(), Error> {
    // Two versions of a dataset of 50,000 triples (the same name, so the same graph).
    let old_kb = generated_kb(&work.join("old"), 5_500, 1)?;
    let new_kb = generated_kb(&work.join("new"), 5_500, 2)?;
    succeeds(push(server, &server.url(), &old_kb, &[]))?;
    let old = (local_hash(server, &old_kb)?, local_lines(&old_kb)?.len());
    let new = (local_hash(server, &new_kb)?, local_lines(&new_kb)?.len());
    let (old, new) = ((old.0.as_str(), old.1), (new.0.as_str(), new.1));
    assert_eq!(version(server, old, new)?, Some(false), "the old dataset is in place");
    assert_ne!(old, new);
    let proxy = Proxy::start(server.port())?;

    // The server killed 100 ms into the final update, and restarted.
    let (fired, heard) = std::sync::mpsc::channel();
    let pid = server.pid().ok_or("no server")?;
    let pauser = proxy.pauser();
    proxy.on(
        COMMIT,
        1,
        Duration::from_millis(100),
        Box::new(move || {
            pauser.store(true, Ordering::SeqCst);
            kill_pid(pid);
            let _ = fired.send(());
        }),
    );
    let client = push(server, &proxy.url(), &new_kb, &["--chunk", "10000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    heard.recv_timeout(Duration::from_secs(300))?;
    server.kill();
    server.restart()?;
    let after_crash = version(server, old, new)?;
    assert!(
        after_crash.is_some(),
        "after the server was killed, neither old nor new"
    );
    eprintln!(
        "server killed during the update: the graph is the {} one",
        if after_crash == Some(true) { "new" } else { "old" }
    );
    proxy.pauser().store(false, Ordering::SeqCst);
    let output = client.wait_with_output()?;
    assert!(output.status.success(), "the push did not recover: {}", stderr(&output));
    assert!(!stdout(&output).contains(" 0 retried"), "{}", stdout(&output));
    assert_eq!(version(server, old, new)?, Some(true));

    // The client killed pushing the old one back: in the middle of the chunks (the new
    // one stays), then during the final update (old or new).
    for (needle, nth, during_chunks) in [("saidgraph-staging", 3, true), (COMMIT, 1, false)] {
        let client = push(server, &proxy.url(), &old_kb, &["--chunk", "10000"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let pid = client.id();
        let (fired, heard) = std::sync::mpsc::channel();
        proxy.on(
            needle,
            nth,
            Duration::ZERO,
            Box::new(move || {
                kill_pid(pid);
                let _ = fired.send(());
            }),
        );
        let mut client = client;
        heard.recv_timeout(Duration::from_secs(300))?;
        let _ = client.wait();
        std::thread::sleep(Duration::from_millis(500));
        let now = version(server, old, new)?;
        if during_chunks {
            assert_eq!(now, Some(true), "client killed during the chunks: the graph as it was");
        } else {
            assert!(now.is_some(), "client killed during the update: neither old nor new");
        }
    }
    if server.push_args().iter().any(|a| a == "oxigraph") {
        // Oxigraph takes a dataset without --chunk as one PUT: the server killed 100 ms
        // after it passed, and restarted; the push completes by its retries.
        succeeds(push(server, &server.url(), &old_kb, &[]))?;
        let plan = succeeds(push(server, &server.url(), &new_kb, &["--dry-run"]))?;
        assert!(plan.contains("as one Graph Store PUT"), "{plan}");
        let (fired, heard) = std::sync::mpsc::channel();
        let pid = server.pid().ok_or("no server")?;
        let pauser = proxy.pauser();
        proxy.on(
            "PUT /store",
            1,
            Duration::from_millis(100),
            Box::new(move || {
                pauser.store(true, Ordering::SeqCst);
                kill_pid(pid);
                let _ = fired.send(());
            }),
        );
        let client = push(server, &proxy.url(), &new_kb, &[])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        heard.recv_timeout(Duration::from_secs(300))?;
        server.kill();
        server.restart()?;
        assert!(
            version(server, old, new)?.is_some(),
            "after the server was killed during a PUT, neither old nor new"
        );
        proxy.pauser().store(false, Ordering::SeqCst);
        let output = client.wait_with_output()?;
        assert!(output.status.success(), "the push did not recover: {}", stderr(&output));
        assert_eq!(version(server, old, new)?, Some(true));
    }
    let last = succeeds(push(server, &server.url(), &old_kb, &[]))?;
    assert!(last.starts_with("pushed kb"), "{last}");
    assert_eq!(version(server, old, new)?, Some(false));
    assert_eq!(
        count(server, &format!("{KB_GRAPH}?saidgraph-staging"))?,
        0,
        "the staging graph is gone"
    );
    // A finished push survives the server's death.
    server.kill();
    server.restart()?;
    assert_eq!(
        version(server, old, new)?,
        Some(false),
        "the pushed graph after a crash"
    );
    Ok(())
}

#[test]
fn push_to_oxigraph_server() -> Result<(), Error> {
    let Some(mut server) = Oxigraph::start()? else {
        return Ok(());
    };
    let work = tempfile::tempdir()?;
    cycle(&server, work.path())?;
    kills(&mut server, work.path())
}

#[test]
fn push_to_virtuoso() -> Result<(), Error> {
    let Some(mut server) = Virtuoso::start(None)? else {
        return Ok(());
    };
    let work = tempfile::tempdir()?;
    cycle(&server, work.path())?;
    kills(&mut server, work.path())
}

#[test]
fn a_dry_run_sends_nothing_and_usage_errors_are_clear() -> Result<(), Error> {
    // Nothing listens on this port: a dry run never connects.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let to = format!("http://127.0.0.1:{port}");
    let output = binary()
        .args(["push", "-i"])
        .arg(example())
        .args([
            "--to",
            &to,
            "--preset",
            "virtuoso",
            "--user",
            "dba",
            "--password-env",
            "PUSH_DRY",
        ])
        .args(["--dry-run", "--graph", "article"])
        .env("PUSH_DRY", "s3cret-dry")
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    let plan = stdout(&output);
    assert!(
        plan.contains("into <https://kb.example.org/seed/graph/article>"),
        "{plan}"
    );
    assert!(
        plan.contains("password from $PUSH_DRY") && !plan.contains("s3cret-dry"),
        "{plan}"
    );
    assert!(
        plan.contains("Graph Store POST to") && plan.contains("sparql-graph-crud-auth"),
        "{plan}"
    );
    let with_credentials = binary()
        .args(["push", "-i"])
        .arg(example())
        .args(["--to", "http://dba:s3cret@127.0.0.1:1", "--dry-run"])
        .output()?;
    assert_eq!(with_credentials.status.code(), Some(2));
    assert!(
        !stderr(&with_credentials).contains("s3cret"),
        "{}",
        stderr(&with_credentials)
    );
    let no_password_flag = binary()
        .args(["push", "-i"])
        .arg(example())
        .args(["--to", &to, "--password", "x"])
        .output()?;
    assert_eq!(
        no_password_flag.status.code(),
        Some(2),
        "a password is never an argument"
    );
    Ok(())
}
