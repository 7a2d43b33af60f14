//! `serve`'s network view (issue 15, item 7) over HTTP, with curl: `/network.json` on a
//! store gives the nodes and edges `saidgraph network -f csv` gives on the same store,
//! with and without filters; a bad filter is a `400` that names the value; the page and
//! the vendored Cytoscape.js are served from the binary with their headers. The page in a
//! real browser is in `serve_page`.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{TestResult, example, root, saidgraph};
use crate::serve::{Served, curl, succeeded};

/// A network's node ids, and its edges as (from, to, act label, weight).
type Drawn = (BTreeSet<String>, BTreeSet<(String, String, String, String)>);

/// (From, To, Label, Strength) of every row of `network -f csv -o DIR/n.csv --store STORE ARGS…`,
/// and the node ids of its node list.
fn command_line(store: &Path, dir: &Path, args: &[&str]) -> Result<Drawn, Box<dyn std::error::Error>> {
    let output = saidgraph()
        .args(["network", "-f", "csv", "-o"])
        .arg(dir.join("n.csv"))
        .arg("--store")
        .arg(store)
        .args(args)
        .output()?;
    succeeded(&output);
    let mut nodes = BTreeSet::new();
    for record in csv::Reader::from_path(dir.join("n-nodes.csv"))?.records() {
        nodes.insert(record?.get(0).unwrap_or_default().to_owned());
    }
    let mut edges = BTreeSet::new();
    for record in csv::Reader::from_path(dir.join("n-edges.csv"))?.records() {
        let record = record?;
        let cell = |i: usize| record.get(i).unwrap_or_default().to_owned();
        edges.insert((cell(0), cell(1), cell(3), cell(4)));
    }
    Ok((nodes, edges))
}

/// The same from `/network.json?QUERY`.
fn over_http(served: &Served, query: &str) -> Result<Drawn, Box<dyn std::error::Error>> {
    let got = curl(&served.url(&format!("/network.json?{query}")), &[])?;
    assert_eq!(got.status, 200, "{query}: {}", got.body);
    assert!(
        got.headers.contains("content-type: application/json"),
        "{}",
        got.headers
    );
    let document: serde_json::Value = serde_json::from_str(&got.body)?;
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let nodes = document["nodes"]
        .as_array()
        .ok_or("no nodes")?
        .iter()
        .map(|n| text(&n["id"]))
        .collect();
    let edges = document["edges"]
        .as_array()
        .ok_or("no edges")?
        .iter()
        .map(|e| {
            (
                text(&e["source"]),
                text(&e["target"]),
                text(&e["actLabel"]),
                text(&e["weight"]),
            )
        })
        .collect();
    Ok((nodes, edges))
}

#[test]
fn the_network_over_http_is_the_command_lines() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = dir.path().join("kb.db");
    saidgraph()
        .arg("load")
        .arg(example())
        .arg("--store")
        .arg(&store)
        .assert()
        .success();
    let served = Served::start(&["--store", store.to_str().ok_or("path")?])?;
    for (query, args) in [
        ("", &[][..]),
        ("speaker=putin", &["--speaker", "putin"][..]),
        ("act=warn", &["--act", "warn"][..]),
        (
            "act=verbal-conflict&from=2024-03&min-weight=1",
            &["--act", "verbal-conflict", "--from", "2024-03"][..],
        ),
        ("top=3", &["--top", "3"][..]),
    ] {
        let (nodes, edges) = command_line(&store, dir.path(), args)?;
        assert!(!edges.is_empty(), "{query}: the command line drew nothing");
        assert_eq!(over_http(&served, query)?, (nodes, edges), "{query} against {args:?}");
    }
    let (nodes, edges) = over_http(&served, "")?;
    assert_eq!((nodes.len(), edges.len()), (13, 8), "the seed article's network");

    // Bad filters: 400, naming the value, as the command line names it.
    for (query, named) in [
        ("from=yesterday", "yesterday"),
        ("to=2024-6", "2024-6"),
        ("act=shout", "shout"),
        ("min-weight=many", "many"),
        ("top=-1", "-1"),
        ("speaker=%3Cnot%20an%20iri%3E", "not an iri"),
        ("colour=red", "colour"),
    ] {
        for path in ["/network.json", "/network"] {
            let got = curl(&served.url(&format!("{path}?{query}")), &[])?;
            assert_eq!(got.status, 400, "{path}?{query}: {}", got.body);
            assert!(got.body.contains(named), "{path}?{query}: {}", got.body);
        }
    }
    let posted = curl(&served.url("/network.json"), &["-d", "x=1"])?;
    assert_eq!(posted.status, 405);

    // The page embeds the same document the HTML output does, and loads only this server.
    let page = curl(&served.url("/network?speaker=putin"), &[])?;
    assert_eq!(page.status, 200);
    assert!(
        page.headers.contains("content-security-policy: default-src 'self'"),
        "{}",
        page.headers
    );
    assert!(
        page.body
            .contains("<script type=\"application/json\" id=\"network-data\">{")
    );
    assert!(
        page.body.contains("name=\"speaker\" value=\"putin\""),
        "the form keeps the filter"
    );
    assert!(page.body.contains("href=\"/network.json?speaker=putin\""));
    let script = curl(&served.url("/assets/cytoscape.min.js"), &[])?;
    assert_eq!(script.status, 200);
    assert!(
        script.headers.contains("cache-control: public, max-age=86400"),
        "{}",
        script.headers
    );
    assert!(script.headers.contains("text/javascript"));
    let vendored = std::fs::read_to_string(root().join("assets/cytoscape/cytoscape.min.js"))?;
    assert!(
        script.body == vendored,
        "the served Cytoscape.js is not the vendored bytes"
    );
    let app = curl(&served.url("/assets/network.js"), &[])?;
    assert_eq!(
        app.body,
        std::fs::read_to_string(root().join("assets/network/page.js"))?
    );
    let licence = curl(&served.url("/assets/cytoscape.LICENSE.txt"), &[])?;
    assert!(licence.body.contains("MIT") || licence.body.contains("Permission is hereby granted"));
    let home = curl(&served.url("/"), &[])?;
    assert!(
        home.body.contains("href=\"/network\""),
        "the main page links the network"
    );
    assert!(
        served
            .log()
            .iter()
            .any(|l| l.starts_with("GET /network.json?speaker=putin 200 ")),
        "{:?}",
        served.log()
    );
    Ok(())
}

/// The network takes a query slot like any query: with the only slot held by a slow query,
/// `/network.json` waits its `--queue-wait` in line, is `503` with `Retry-After`, and
/// answers again once the slot is free.
#[test]
fn the_network_takes_a_query_slot() -> TestResult {
    let served = Served::start(&[
        "-i",
        example().to_str().ok_or("path")?,
        "--timeout",
        "1500ms",
        "--max-concurrent",
        "1",
        "--queue-wait",
        "200ms",
    ])?;
    let sparql = served.url("/sparql");
    let endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER EXISTS { ?a ?x ?y . ?d ?z ?w } }";
    let slow = std::thread::spawn(move || {
        curl(&sparql, &["--data-urlencode", &format!("query={endless}")])
            .map(|g| g.status)
            .ok()
    });
    std::thread::sleep(std::time::Duration::from_millis(400));
    for path in ["/network.json", "/network"] {
        let full = curl(&served.url(path), &[])?;
        assert_eq!(full.status, 503, "{path}: {}", full.body);
        assert!(full.headers.contains("retry-after: 1"), "{}", full.headers);
    }
    // The page's scripts need no slot.
    assert_eq!(curl(&served.url("/assets/network.js"), &[])?.status, 200);
    assert_eq!(slow.join().ok().flatten(), Some(504));
    assert_eq!(curl(&served.url("/network.json"), &[])?.status, 200);
    Ok(())
}
