//! `saidgraph serve`'s SPARQL 1.1 Protocol against real clients: curl for the protocol
//! cases that apply to a read-only endpoint (the checklist below, named after the W3C
//! protocol tests), the named queries over HTTP against the command line's, SPARQLWrapper
//! from PyPI and Jena's `rsparql` from Debian as client libraries, and `--cors`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::common::{TestResult, example, saidgraph};
use crate::serve::{Served, curl, missing, served_store, succeeded};

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

/// `--cors ORIGIN`: GET and POST answers carry `Access-Control-Allow-Origin` (and expose
/// the headers that tell of a cut answer), the `OPTIONS` preflight allows the methods and
/// headers a SPARQL client sends; without the flag no response carries a CORS header.
#[test]
fn cors_only_with_the_flag() -> TestResult {
    let origin = "https://notebook.example.org";
    let example = example();
    let example = example.to_str().ok_or("path")?;
    let with = Served::start(&["-i", example, "--cors", origin])?;
    let without = Served::start(&["-i", example])?;
    let ask = "/sparql?query=ASK%7B%7D";
    let preflight = [
        "-X",
        "OPTIONS",
        "-H",
        "Origin: https://notebook.example.org",
        "-H",
        "Access-Control-Request-Method: POST",
        "-H",
        "Access-Control-Request-Headers: content-type",
    ];
    let form = [
        "--data-urlencode",
        "query=ASK {}",
        "-H",
        "Origin: https://notebook.example.org",
    ];
    let get = curl(&with.url(ask), &["-H", "Origin: https://notebook.example.org"])?;
    let post = curl(&with.url("/sparql"), &form)?;
    let named = curl(&with.url("/queries/statements-by?speaker=putin"), &[])?;
    for got in [&get, &post, &named] {
        assert_eq!(got.status, 200, "{}", got.body);
        assert!(
            got.headers.contains(&format!("access-control-allow-origin: {origin}")),
            "{}",
            got.headers
        );
        assert!(
            got.headers
                .contains("access-control-expose-headers: saidgraph-results, saidgraph-truncated")
        );
        assert!(got.headers.contains("vary: origin"), "{}", got.headers);
    }
    let options = curl(&with.url("/sparql"), &preflight)?;
    assert_eq!(options.status, 204);
    for header in [
        format!("access-control-allow-origin: {origin}"),
        "access-control-allow-methods: get, head, post, options".to_owned(),
        "access-control-allow-headers: accept, content-type".to_owned(),
    ] {
        assert!(options.headers.contains(&header), "{header}: {}", options.headers);
    }
    let any = Served::start(&["-i", example, "--cors", "*"])?;
    let star = curl(&any.url(ask), &[])?;
    assert!(
        star.headers.contains("access-control-allow-origin: *"),
        "{}",
        star.headers
    );
    assert!(!star.headers.contains("vary: origin"));

    for got in [
        curl(&without.url(ask), &["-H", "Origin: https://notebook.example.org"])?,
        curl(&without.url("/sparql"), &form)?,
        curl(&without.url("/sparql"), &preflight)?,
    ] {
        assert!(got.status == 200 || got.status == 204, "{}", got.status);
        assert!(!got.headers.contains("access-control-"), "{}", got.headers);
    }
    Ok(())
}

/// Jena's `rsparql` (Debian's Jena 4.5, in `/usr/share/java` or `$SAIDGRAPH_JENA`), a
/// third independent client: a SELECT as CSV, an ASK and a CONSTRUCT as Turtle. Debian's
/// build needs its classpath listed (one slf4j binding) and the relocated xerces messages
/// copied where its classes look for them (../shared/SERVERS.md).
#[test]
fn jena_rsparql_reads_the_endpoint() -> TestResult {
    let jars = std::env::var_os("SAIDGRAPH_JENA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/share/java"));
    let java_runs = Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if missing(
        java_runs && jars.join("jena-arq.jar").is_file(),
        "SAIDGRAPH_JENA",
        "Jena (Debian's libapache-jena-java) and java",
    ) {
        return Ok(());
    }
    let fix = tempfile::tempdir()?;
    let unpack = "import sys, zipfile, os\n\
        prefix = 'org/apache/jena/ext/xerces/'\n\
        with zipfile.ZipFile(sys.argv[1]) as jar:\n\
        \x20   for name in jar.namelist():\n\
        \x20       if name.startswith(prefix) and not name.endswith('/'):\n\
        \x20           target = os.path.join(sys.argv[2], 'xerces', name[len(prefix):])\n\
        \x20           os.makedirs(os.path.dirname(target), exist_ok=True)\n\
        \x20           open(target, 'wb').write(jar.read(name))\n";
    let unpacked = Command::new("python3")
        .args(["-c", unpack])
        .arg(jars.join("jena-core.jar"))
        .arg(fix.path())
        .output()?;
    succeeded(&unpacked);
    let wanted = [
        "commons-cli",
        "commons-codec",
        "commons-compress",
        "commons-csv",
        "commons-io",
        "commons-lang3",
        "dexx.collection",
        "gson",
        "guava",
        "httpclient",
        "httpcore",
        "jackson-core",
        "jackson-databind",
        "jakarta.json-api",
        "jcl-over-slf4j",
        "jsonld-java",
        "protobuf",
        "protobuf-util",
        "slf4j-api",
        "slf4j-simple",
        "thrift",
        "titanium-json-ld",
    ];
    let mut classpath = vec![fix.path().to_path_buf()];
    for entry in std::fs::read_dir(&jars)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let Some(stem) = name.strip_suffix(".jar") else {
            continue;
        };
        if stem.starts_with("jena-") || wanted.contains(&stem) {
            classpath.push(path.clone());
        }
    }
    let classpath = std::env::join_paths(classpath)?;
    let served = Served::start(&["-i", example().to_str().ok_or("path")?])?;
    let service = served.url("/sparql");
    let rsparql = |args: &[&str], query: &str| -> Result<String, Box<dyn std::error::Error>> {
        let output = Command::new("java")
            .arg("-cp")
            .arg(&classpath)
            .args(["arq.rsparql", "--service", &service])
            .args(args)
            .arg(format!(
                "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX sg: <https://w3id.org/saidgraph#> {query}"
            ))
            .output()?;
        Ok(succeeded(&output))
    };
    let labels = rsparql(
        &["--results=csv"],
        "SELECT ?label WHERE { ?e rdfs:label ?label } ORDER BY ?label",
    )?;
    assert_eq!(labels.lines().next(), Some("label"), "{labels}");
    assert!(labels.lines().any(|l| l == "Vladimir Putin"), "{labels}");
    assert!(labels.lines().count() > 10, "{labels}");
    let ask = |entity: &str| rsparql(&["--results=csv"], &format!("ASK {{ ?s sg:speaker {entity} }}"));
    let yes = ask("<https://kb.example.org/seed/entity/putin>")?;
    assert_eq!(yes.lines().nth(1), Some("true"), "{yes}");
    let no = ask("<https://kb.example.org/seed/entity/nobody>")?;
    assert_eq!(no.lines().nth(1), Some("false"), "{no}");
    let construct = rsparql(&[], "CONSTRUCT { ?s sg:speaker ?o } WHERE { ?s sg:speaker ?o }")?;
    assert!(construct.contains("sg:speaker"), "{construct}");
    assert!(construct.contains("entity:putin"), "{construct}");
    assert!(served.log().iter().any(|l| l.contains(" 200 ")));
    Ok(())
}
