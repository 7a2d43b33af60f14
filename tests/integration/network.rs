//! `saidgraph network` (issue 15): the seed article's network in every format against its
//! goldens, byte for byte; the same bytes from a store as from the input; the filters;
//! networkx reading the GEXF and GraphML and finding the nodes, edges and weights that a
//! SPARQL count over the same data gives; Graphviz rendering the DOT; the HTML page in
//! headless Chromium; and the largest real GDELT sample, timed.
//!
//! The tools: networkx in the venv `.ci/run` makes (`$SAIDGRAPH_NETWORKX_PYTHON`), `dot`
//! (Debian `graphviz`), Debian's `chromium` driven by `playwright-core` from npm
//! (`$SAIDGRAPH_PLAYWRIGHT_CORE`, the package's folder). Without one, its test says so and
//! passes, except under CI (`CI` set), where it fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use predicates::str::contains;

use crate::common::{TestResult, assert_golden, example, fixtures, root, saidgraph, shared_data, stderr, stdout};

const SEED_BASE: &str = "https://kb.example.org/seed/";
const VENV_PYTHON: &str = "/var/cache/saidgraph/network-venv/bin/python";
const PLAYWRIGHT_CORE: &str = "/var/cache/saidgraph/network-node/node_modules/playwright-core";

fn golden(name: &str) -> PathBuf {
    fixtures().join("network").join(name)
}

/// `saidgraph network -i INPUT ARGS… -o DIR/NAME`, and the file's text.
fn network(input: &Path, args: &[&str], dir: &Path, name: &str) -> Result<String, Box<dyn std::error::Error>> {
    let output = dir.join(name);
    saidgraph()
        .arg("network")
        .arg("-i")
        .arg(input)
        .args(args)
        .arg("-o")
        .arg(&output)
        .assert()
        .success();
    Ok(std::fs::read_to_string(output)?)
}

/// A tool the tests need, or `None` (a skip) outside CI.
fn tool(found: Option<PathBuf>, what: &str) -> Option<PathBuf> {
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{what} is missing (.ci/run installs it)"
        );
        eprintln!("SKIPPED: {what} is missing (.ci/run installs it)");
    }
    found
}

fn runs(program: &Path, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The page as a golden: Cytoscape.js, checked to be the vendored file, replaced by a mark.
fn page_golden_text(html: &str) -> String {
    let cytoscape =
        std::fs::read_to_string(root().join("assets/cytoscape/cytoscape.min.js")).expect("vendored Cytoscape.js");
    assert_eq!(
        html.matches(cytoscape.as_str()).count(),
        1,
        "the page inlines assets/cytoscape/cytoscape.min.js once"
    );
    html.replacen(&cytoscape, "/* assets/cytoscape/cytoscape.min.js, inlined */", 1)
}

#[test]
fn the_seed_articles_network_matches_its_goldens_in_every_format() -> TestResult {
    let dir = tempfile::tempdir()?;
    let seed = example();
    assert_golden(
        &golden("seed-article.gexf"),
        &network(&seed, &[], dir.path(), "n.gexf")?,
    );
    assert_golden(
        &golden("seed-article.graphml"),
        &network(&seed, &[], dir.path(), "n.graphml")?,
    );
    assert_golden(&golden("seed-article.dot"), &network(&seed, &[], dir.path(), "n.dot")?);
    // The SVG golden is the README's picture.
    assert_golden(
        &root().join("assets/network/seed-article.svg"),
        &network(&seed, &[], dir.path(), "n.svg")?,
    );
    let html = network(&seed, &[], dir.path(), "n.html")?;
    assert_golden(&golden("seed-article.html"), &page_golden_text(&html));
    // CSV: -o n.csv writes n-nodes.csv and n-edges.csv, with Kumu's and Flourish's columns.
    saidgraph()
        .args(["network", "-i"])
        .arg(&seed)
        .arg("-o")
        .arg(dir.path().join("n.csv"))
        .assert()
        .success()
        .stderr(contains("network: 13 of 13 nodes, 8 of 8 edges"));
    assert!(!dir.path().join("n.csv").exists());
    let nodes = std::fs::read_to_string(dir.path().join("n-nodes.csv"))?;
    let edges = std::fs::read_to_string(dir.path().join("n-edges.csv"))?;
    assert!(nodes.starts_with("ID,Label,Type,Description,"));
    assert!(edges.starts_with("From,To,Type,Label,Strength,Direction,"));
    assert_golden(&golden("seed-article-nodes.csv"), &nodes);
    assert_golden(&golden("seed-article-edges.csv"), &edges);
    // Standard output: the edge list alone; the format is named by -f.
    let out = saidgraph().args(["network", "-f", "csv", "-i"]).arg(&seed).output()?;
    assert_eq!(stdout(&out), edges);
    Ok(())
}

#[test]
fn a_store_gives_the_same_bytes_as_its_input() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = dir.path().join("kb.db");
    saidgraph()
        .arg("load")
        .arg(example())
        .arg("--store")
        .arg(&store)
        .assert()
        .success();
    for format in ["gexf", "svg", "html"] {
        let from_input = saidgraph()
            .args(["network", "-f", format, "-i"])
            .arg(example())
            .output()?;
        let from_store = saidgraph()
            .args(["network", "-f", format, "--store"])
            .arg(&store)
            .output()?;
        assert!(from_store.status.success(), "{}", stderr(&from_store));
        assert!(
            from_input.stdout == from_store.stdout,
            "{format} from the store differs"
        );
    }
    Ok(())
}

/// From, To, Label, Strength and First date of an edge list's row.
type EdgeRow = (String, String, String, String, String);

/// The edge list (From, To, Label, Strength, First date) of `network -f csv ARGS…` on the seed.
fn seed_edges(args: &[&str]) -> Result<Vec<EdgeRow>, Box<dyn std::error::Error>> {
    let out = saidgraph()
        .args(["network", "-f", "csv", "-i"])
        .arg(example())
        .args(args)
        .output()?;
    assert!(out.status.success(), "{}", stderr(&out));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record?;
        let cell = |i: usize| record.get(i).unwrap_or_default().to_owned();
        rows.push((cell(0), cell(1), cell(3), cell(4), cell(9)));
    }
    Ok(rows)
}

#[test]
fn filters_narrow_the_statements_and_bad_values_are_named() -> TestResult {
    let by_putin = seed_edges(&["--speaker", "putin"])?;
    assert_eq!(by_putin.len(), 1);
    assert!(by_putin.iter().all(|e| e.0 == "putin"));
    let warnings = seed_edges(&["--act", "warn"])?;
    assert_eq!(warnings.len(), 3);
    assert!(warnings.iter().all(|e| e.2 == "warn"));
    assert_eq!(seed_edges(&["--act", "130"])?, warnings);
    assert_eq!(seed_edges(&["--act", "verbal-conflict"])?.len(), 8);
    assert_eq!(seed_edges(&["--act", "verbal-cooperation"])?.len(), 0);
    let since = seed_edges(&["--from", "2024"])?;
    assert_eq!(since.len(), 1);
    assert_eq!((since[0].2.as_str(), since[0].4.as_str()), ("warn", "2024-03"));
    let until = seed_edges(&["--to", "2023"])?;
    assert_eq!(until.len(), 1);
    assert_eq!(until[0].1, "japanese-embassy-in-russia");
    assert_eq!(seed_edges(&["--from", "2024-03", "--to", "2024-03"])?, since);
    let about = seed_edges(&["--topic", "japan"])?;
    assert!(!about.is_empty() && about.len() < 8, "{about:?}");

    saidgraph()
        .args(["network", "-f", "csv", "--top", "3", "-i"])
        .arg(example())
        .assert()
        .success()
        .stderr(contains(
            "3 of 8 edges; left out: 5 lighter than the heaviest 3 (--top)",
        ));
    saidgraph()
        .args(["network", "-f", "svg", "--min-weight", "2", "-i"])
        .arg(example())
        .assert()
        .success()
        .stderr(contains(
            "0 of 8 edges; left out: 8 below --min-weight 2, 13 nodes with no edge left",
        ));
    for (args, message) in [
        (&["--act", "warns"][..], "--act warns: unknown act"),
        (
            &["--from", "2024-13"],
            "--from \"2024-13\": expected a date as YYYY, YYYY-MM or YYYY-MM-DD",
        ),
        (&["--speaker", "nobody"], "--speaker nobody: no entity with that id"),
        (
            &["--dataset", "nope"],
            "--dataset nope: no such dataset in this data (its graph would be <https://kb.example.org/seed/graph/nope>)",
        ),
        (
            &["-o", "net.txt"],
            "net.txt: cannot tell the network format from this name",
        ),
    ] {
        saidgraph()
            .args(["network", "-i"])
            .arg(example())
            .args(if args[0] == "-o" { &[][..] } else { &["-f", "csv"][..] })
            .args(args)
            .assert()
            .code(2)
            .stderr(contains(message));
    }
    Ok(())
}

/// Node ids, and "speaker|addressee|act" → statements.
type Counts = (BTreeSet<String>, BTreeMap<String, f64>);

/// What a SPARQL count over `input` gives: node ids, and "speaker|addressee|act" → statements.
fn sparql_counts(input: &Path, base: &str) -> Result<Counts, Box<dyn std::error::Error>> {
    let id = |iri: &str| iri.strip_prefix(&format!("{base}entity/")).unwrap_or(iri).to_owned();
    let run = |query: &str| -> Result<Vec<csv::StringRecord>, Box<dyn std::error::Error>> {
        let out = saidgraph()
            .args(["query", "-r", "csv", "-i"])
            .arg(input)
            .args(["-e", query])
            .output()?;
        assert!(out.status.success(), "{}", stderr(&out));
        Ok(csv::Reader::from_reader(out.stdout.as_slice())
            .records()
            .collect::<Result<_, _>>()?)
    };
    let nodes = run("SELECT DISTINCT ?e WHERE { { ?s sg:speaker ?e } UNION { ?s sg:addressee ?e } }")?
        .iter()
        .map(|r| id(&r[0]))
        .collect();
    let edges = run("SELECT ?speaker ?addressee ?act (COUNT(DISTINCT ?s) AS ?n) WHERE {
           ?s sg:speaker ?speaker ; sg:addressee ?addressee .
           OPTIONAL { ?s sg:act ?stated } BIND(COALESCE(?stated, act:say) AS ?act)
         } GROUP BY ?speaker ?addressee ?act")?
    .iter()
    .map(|r| {
        (
            format!("{}|{}|{}", id(&r[0]), id(&r[1]), &r[2]),
            r[3].parse::<f64>().unwrap_or(-1.0),
        )
    })
    .collect();
    Ok((nodes, edges))
}

#[test]
fn networkx_reads_the_gexf_and_graphml_and_finds_what_sparql_counts() -> TestResult {
    let python = std::env::var_os("SAIDGRAPH_NETWORKX_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(VENV_PYTHON));
    let Some(python) = tool(runs(&python, &["-c", "import networkx"]).then_some(python), "networkx") else {
        return Ok(());
    };
    let gdelt = fixtures().join("gdelt/export-2.0/input.CSV");
    for (input, base) in [(example(), SEED_BASE), (gdelt, "https://kb.example.org/")] {
        let dir = tempfile::tempdir()?;
        network(&input, &[], dir.path(), "n.gexf")?;
        network(&input, &[], dir.path(), "n.graphml")?;
        let out = Command::new(&python)
            .arg(root().join("tests/tools/read_network.py"))
            .arg(dir.path().join("n.gexf"))
            .arg(dir.path().join("n.graphml"))
            .output()?;
        assert!(out.status.success(), "{}", stderr(&out));
        let read: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        let (nodes, edges) = sparql_counts(&input, base)?;
        assert!(!edges.is_empty());
        for format in ["gexf", "graphml"] {
            let found = &read[format];
            assert_eq!(found["directed"], true);
            let found_nodes: BTreeSet<String> = found["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect();
            assert_eq!(found_nodes, nodes, "{format} nodes of {}", input.display());
            let found_edges: BTreeMap<String, f64> = serde_json::from_value(found["edges"].clone())?;
            assert_eq!(found_edges, edges, "{format} edges and weights of {}", input.display());
        }
    }
    Ok(())
}

#[test]
fn graphviz_renders_the_dot() -> TestResult {
    let Some(dot) = tool(
        runs(Path::new("dot"), &["-V"]).then(|| PathBuf::from("dot")),
        "Graphviz (dot)",
    ) else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    network(&example(), &[], dir.path(), "n.dot")?;
    let out = Command::new(dot).arg("-Tsvg").arg(dir.path().join("n.dot")).output()?;
    assert!(out.status.success(), "{}", stderr(&out));
    let svg = stdout(&out);
    assert!(svg.contains("<svg"), "{svg}");
    for label in ["Vladimir Putin", "South Korea", "warn", "dismiss"] {
        assert!(svg.contains(label), "{label} is not in Graphviz's drawing");
    }
    assert!(!stderr(&out).contains("Warning"), "{}", stderr(&out));
    Ok(())
}

/// Opens the page of `input` in headless Chromium, filters by `act` and clicks `node`; what
/// it saw, or `None` (a skip) where the tools are missing outside CI.
fn browse(
    input: &Path,
    screenshot: Option<&Path>,
    act: &str,
    node: &str,
) -> Result<Option<serde_json::Value>, Box<dyn std::error::Error>> {
    let playwright = std::env::var_os("SAIDGRAPH_PLAYWRIGHT_CORE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(PLAYWRIGHT_CORE));
    let ready = playwright.join("package.json").is_file()
        && runs(Path::new("node"), &["--version"])
        && Path::new("/usr/bin/chromium").is_file();
    let Some(playwright) = tool(ready.then_some(playwright), "node, playwright-core or chromium") else {
        return Ok(None);
    };
    let dir = tempfile::tempdir()?;
    network(input, &[], dir.path(), "n.html")?;
    let shot = screenshot.map_or_else(|| dir.path().join("page.png"), Path::to_owned);
    let out = Command::new("node")
        .arg(root().join("tests/tools/network-page.cjs"))
        .arg(dir.path().join("n.html"))
        .arg(dir.path().join("profile"))
        .arg(&shot)
        .args([act, node])
        .env("PLAYWRIGHT_CORE", &playwright)
        .output()?;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(std::fs::read(&shot)?.starts_with(b"\x89PNG"));
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(seen["errors"], serde_json::json!([]), "script errors");
    assert_eq!(seen["requests"], serde_json::json!([]), "network requests");
    assert_eq!(seen["dialogs"], serde_json::json!([]), "dialogs");
    Ok(Some(seen))
}

#[test]
fn the_page_draws_filters_and_lists_statements_in_a_real_browser() -> TestResult {
    // The README's screenshot is rewritten only when goldens are.
    let readme = root().join("assets/network/seed-article.png");
    let screenshot = std::env::var_os("SAIDGRAPH_BLESS").map(|_| readme.as_path());
    let Some(seen) = browse(&example(), screenshot, "warn", "putin")? else {
        return Ok(());
    };
    let (nodes, edges) = sparql_counts(&example(), SEED_BASE)?;
    // Edges the page draws are (speaker, addressee, act) triples, as in the counts.
    assert_eq!(seen["initial"]["nodes"], nodes.len());
    assert_eq!(seen["initial"]["edges"], edges.len());
    assert_eq!(seen["initial"]["counts"], "13 nodes, 8 edges, 13 statements");
    assert!(seen["painted"].as_u64().unwrap_or(0) > 1000, "nothing drawn: {seen}");
    let warn = edges.keys().filter(|k| k.ends_with("act#warn")).count();
    let warn_nodes: BTreeSet<&str> = edges
        .keys()
        .filter(|k| k.ends_with("act#warn"))
        .flat_map(|k| k.split('|').take(2))
        .collect();
    assert_eq!(seen["filtered"]["edges"], warn);
    assert_eq!(seen["filtered"]["nodes"], warn_nodes.len());
    assert_eq!(seen["reset"], seen["initial"]);
    assert_eq!(seen["clicked"]["title"], "Vladimir Putin");
    let items: Vec<&str> = seen["clicked"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i.as_str())
        .collect();
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(
        items
            .iter()
            .any(|i| i.contains("“aggression”") && i.contains("dismiss South Korea")),
        "{items:?}"
    );
    assert_eq!(
        seen["clicked"]["links"],
        serde_json::json!(["http://www.wikidata.org/entity/Q7747"])
    );
    Ok(())
}

/// Markup and scripts in the data stay text, and a `javascript:` source is no link.
#[test]
fn the_page_shows_hostile_data_as_text() -> TestResult {
    let Some(seen) = browse(&golden("hostile.json"), None, "praise", "a")? else {
        return Ok(());
    };
    assert_eq!(seen["initial"]["counts"], "2 nodes, 2 edges, 2 statements");
    assert_eq!(seen["filtered"]["edges"], 1);
    assert_eq!(seen["clicked"]["title"], "<img src=x onerror=alert(1)>");
    assert_eq!(seen["clicked"]["injected"], 0);
    assert_eq!(seen["clicked"]["links"], serde_json::json!([]));
    let items = seen["clicked"]["items"].to_string();
    assert!(items.contains("</script><!-- <script>alert(3)</script>"), "{items}");
    assert!(
        items.contains("javascript:alert(1)") || items.contains("A source whose URL is a script"),
        "{items}"
    );
    Ok(())
}

/// The largest real GDELT sample: its whole network for Gephi, and the page, which keeps
/// the heaviest 300 edges and says what it left out. Prints the figures.
#[test]
fn a_gdelt_sample_stays_readable() -> TestResult {
    let name = "gdelt-events/20161013151500.export.CSV";
    let Some(data) = shared_data(&[name], "the GDELT samples are missing") else {
        return Ok(());
    };
    let input = data.join(name);
    let dir = tempfile::tempdir()?;
    let started = Instant::now();
    let gexf = network(&input, &["--all-events"], dir.path(), "all.gexf")?;
    let whole = started.elapsed();
    let started = Instant::now();
    let out = saidgraph()
        .args(["network", "--all-events", "-i"])
        .arg(&input)
        .arg("-o")
        .arg(dir.path().join("page.html"))
        .output()?;
    let page_time = started.elapsed();
    assert!(out.status.success(), "{}", stderr(&out));
    let note = stderr(&out);
    assert!(
        note.contains("300 of ") && note.contains("lighter than the heaviest 300 (--top)"),
        "{note}"
    );
    let html = std::fs::read_to_string(dir.path().join("page.html"))?;
    let json = html
        .split_once(r#"id="network-data">"#)
        .and_then(|(_, rest)| rest.split_once("</script>"))
        .map(|(json, _)| json)
        .ok_or("no data in the page")?;
    let document: serde_json::Value = serde_json::from_str(json)?;
    let page_edges = document["edges"].as_array().map_or(0, Vec::len);
    assert_eq!(page_edges, 300);
    let edges = gexf.matches("<edge ").count();
    let nodes = gexf.matches("<node ").count();
    assert!(edges > 300, "{edges}");
    println!(
        "GDELT {name}, every event: {nodes} nodes, {edges} edges, GEXF {} bytes in {:.2} s; \
         page {} bytes, {page_edges} edges, in {:.2} s ({})",
        gexf.len(),
        whole.as_secs_f64(),
        html.len(),
        page_time.as_secs_f64(),
        note.trim()
    );
    Ok(())
}

/// `--dataset NAME` draws one dataset of a store: here a second dataset whose one statement
/// names a speaker and an addressee the seed article's dataset defines.
#[test]
fn a_dataset_alone_is_its_own_network() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = dir.path().join("kb.db");
    let extra = dir.path().join("follow-up.json");
    std::fs::write(
        &extra,
        r#"{"base": "https://kb.example.org/seed/",
            "statements": [{"id": "follow-up-1", "speaker": "putin", "addressees": ["kim-jong-un"],
                            "act": "praise", "summary": "Putin praised Kim.", "date": "2024-06-20"}]}"#,
    )?;
    saidgraph()
        .arg("load")
        .arg(example())
        .arg(&extra)
        .arg("--store")
        .arg(&store)
        .assert()
        .success();
    let edges = |dataset: &str| -> Result<Vec<String>, Box<dyn std::error::Error>> {
        let output = saidgraph()
            .args(["network", "-f", "csv", "--dataset", dataset, "--store"])
            .arg(&store)
            .output()?;
        assert!(output.status.success(), "{}", stderr(&output));
        Ok(stdout(&output).lines().skip(1).map(str::to_owned).collect())
    };
    let follow_up = edges("follow-up")?;
    assert_eq!(follow_up.len(), 1, "{follow_up:?}");
    assert!(follow_up[0].contains("follow-up-1"), "{follow_up:?}");
    let seed = edges("seed-article")?;
    assert!(seed.len() > 1, "{seed:?}");
    assert!(seed.iter().all(|row| !row.contains("follow-up-1")), "{seed:?}");
    let all = saidgraph()
        .args(["network", "-f", "csv", "--store"])
        .arg(&store)
        .output()?;
    assert_eq!(stdout(&all).lines().count() - 1, seed.len() + 1);
    Ok(())
}
