//! The page of `saidgraph serve` (issue 13) in a real browser: Debian's chromium, headless,
//! driven by playwright-core from npm (no browser download). It runs a named query with a
//! parameter picked by name, checks the rows, follows an entity link to the entity page,
//! checks that page's rows, checks that the page fits a phone's width, and that no
//! request left the server. It saves the README's screenshot, `docs/serve-page.png`. A
//! second test opens the network view (issue 15, item 7) the same way.
//!
//! playwright-core comes from `$SAIDGRAPH_PLAYWRIGHT` (a `node_modules` folder, which
//! `.ci/run` fills) or the cache folder `.ci/run` uses; without it the test says so and
//! passes, except when the variable is set (as CI sets it), where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{TestResult, example, root};
use crate::serve::{Served, missing, succeeded};

const CACHED: &str = "/var/cache/saidgraph/serve-npm/node_modules";

const SCRIPT: &str = r##"
const { chromium } = require("playwright-core");
const [origin, shot] = process.argv.slice(2);
(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--no-first-run"],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const elsewhere = [];
  page.on("request", (request) => { if (!request.url().startsWith(origin)) elsewhere.push(request.url()); });
  const failures = [];
  page.on("pageerror", (error) => failures.push(String(error)));
  await page.goto(origin + "/");
  await page.waitForSelector("body[data-state=ready]", { timeout: 15000 });
  const form = page.locator("form[data-query=statements-by]");
  await form.locator("input[name=speaker]").fill("putin");
  await form.locator("button").click();
  await page.waitForSelector("body[data-state=results]", { timeout: 15000 });
  const rows = Number(await page.getAttribute("#results", "data-rows"));
  const cells = await page.locator("#results td").allTextContents();
  await page.waitForTimeout(800);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: shot });
  const link = page.locator("#results a.entity").first();
  const target = await link.getAttribute("href");
  await link.click();
  await page.waitForSelector("body[data-state=entity]", { timeout: 15000 });
  const name = await page.textContent("#entity-name");
  const said = Number(await page.getAttribute("#entity-said", "data-rows"));
  const heard = Number(await page.getAttribute("#entity-heard", "data-rows"));
  await page.setViewportSize({ width: 390, height: 844 });
  const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  console.log(JSON.stringify({ rows, cells, target, name, said, heard, fits, elsewhere, failures }));
  await browser.close();
})().catch((error) => { console.error(error); process.exit(1); });
"##;

/// Runs `script` in node against a server on the seed article, with the server's origin
/// and `args` as its arguments; what it printed, as JSON, or `None` (a skip) where
/// playwright-core or chromium is missing outside CI.
fn browse(script: &str, args: &[&Path]) -> Result<Option<serde_json::Value>, Box<dyn std::error::Error>> {
    let modules = std::env::var_os("SAIDGRAPH_PLAYWRIGHT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(CACHED));
    let present = modules.join("playwright-core").is_dir() && PathBuf::from("/usr/bin/chromium").is_file();
    if missing(
        present,
        "SAIDGRAPH_PLAYWRIGHT",
        "playwright-core (npm) or /usr/bin/chromium",
    ) {
        return Ok(None);
    }
    let served = Served::start(&["-i", example().to_str().ok_or("path")?])?;
    let folder = tempfile::tempdir()?;
    let path = folder.path().join("page.js");
    std::fs::write(&path, script)?;
    let output = Command::new("node")
        .arg(&path)
        .arg(format!("http://{}", served.address))
        .args(args)
        .env("NODE_PATH", &modules)
        .output()?;
    Ok(Some(serde_json::from_str(succeeded(&output).trim())?))
}

#[test]
fn the_page_in_a_real_browser() -> TestResult {
    let shot = root().join("docs/serve-page.png");
    std::fs::create_dir_all(root().join("docs"))?;
    let Some(seen) = browse(SCRIPT, &[&shot])? else {
        return Ok(());
    };
    assert_eq!(seen["rows"], 2, "Putin's two statements: {seen}");
    let cells: Vec<&str> = seen["cells"]
        .as_array()
        .ok_or("cells")?
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    assert!(cells.contains(&"Vladimir Putin"), "{cells:?}");
    assert_eq!(seen["target"], "/entity/putin");
    assert_eq!(seen["name"], "Vladimir Putin");
    assert_eq!(seen["said"], 2);
    assert!(seen["heard"].as_u64().is_some_and(|n| n >= 1), "{seen}");
    assert_eq!(seen["fits"], true, "the entity page is wider than a phone");
    assert_eq!(seen["elsewhere"], serde_json::json!([]), "requests off the server");
    assert_eq!(seen["failures"], serde_json::json!([]), "script errors");
    assert!(shot.is_file());
    Ok(())
}

/// The network view (issue 15, item 7): `/network` in a browser draws the seed article's
/// network from the server's JSON, with Cytoscape.js from the server; the page's act filter
/// applies; the server's own filter (a speaker, by the form, and from an entity page's
/// link) redraws it; and nothing
/// leaves the server, nothing raises a script error or breaks the Content-Security-Policy.
const NETWORK_SCRIPT: &str = r##"
const { chromium } = require("playwright-core");
const [origin] = process.argv.slice(2);
(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--no-first-run"],
  });
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 820 } })).newPage();
  const elsewhere = [];
  page.on("request", (request) => { if (!request.url().startsWith(origin)) elsewhere.push(request.url()); });
  const failures = [];
  page.on("pageerror", (error) => failures.push(String(error)));
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") failures.push(m.type() + ": " + m.text() + " " + m.location().url); });
  const ready = () => page.waitForFunction(() => window.saidgraph && document.body.dataset.nodes !== undefined, null, { timeout: 20000 });
  const look = () => page.evaluate(() => ({
    counts: document.getElementById("counts").textContent,
    nodes: window.saidgraph.cy.nodes().not(".hidden").length,
    edges: window.saidgraph.cy.edges().not(".hidden").length,
  }));
  await page.goto(origin + "/");
  await page.click("nav a[href='/network']");
  await ready();
  await page.waitForTimeout(500);
  const initial = await look();
  const painted = await page.evaluate(() => {
    let count = 0;
    document.querySelectorAll("#graph canvas").forEach((canvas) => {
      const context = canvas.getContext("2d");
      if (!context || canvas.width === 0 || canvas.height === 0) { return; }
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { count += 1; } }
    });
    return count;
  });
  await page.selectOption("#act", "warn");
  const filtered = await look();
  await page.fill("#narrow input[name=speaker]", "putin");
  await Promise.all([page.waitForNavigation(), page.click("#narrow button")]);
  await ready();
  const speaker = await look();
  const url = page.url();
  await page.goto(origin + "/entity/putin");
  await page.waitForSelector("body[data-state=entity]", { timeout: 15000 });
  const entityLink = await page.getAttribute("#entity-network", "href");
  await Promise.all([page.waitForNavigation(), page.click("#entity-network")]);
  await ready();
  const entity = await look();
  console.log(JSON.stringify({ initial, painted, filtered, speaker, url, entityLink, entity, elsewhere, failures }));
  await browser.close();
})().catch((error) => { console.error(error); process.exit(1); });
"##;

#[test]
fn the_network_view_in_a_real_browser() -> TestResult {
    let Some(seen) = browse(NETWORK_SCRIPT, &[])? else {
        return Ok(());
    };
    // The seed article's network, as `saidgraph network` draws it (tests/integration/network.rs).
    assert_eq!(seen["initial"]["counts"], "13 nodes, 8 edges, 13 statements", "{seen}");
    assert_eq!(seen["initial"]["nodes"], 13);
    assert_eq!(seen["initial"]["edges"], 8);
    assert!(seen["painted"].as_u64().unwrap_or(0) > 1000, "nothing drawn: {seen}");
    assert_eq!(seen["filtered"]["edges"], 3, "the three warnings: {seen}");
    assert_eq!(seen["speaker"]["edges"], 1, "Putin's one edge: {seen}");
    assert!(
        seen["url"]
            .as_str()
            .is_some_and(|u| u.contains("/network?speaker=putin")),
        "{seen}"
    );
    assert_eq!(
        seen["entityLink"],
        "/network?speaker=%3Chttps%3A%2F%2Fkb.example.org%2Fseed%2Fentity%2Fputin%3E"
    );
    assert_eq!(
        seen["entity"], seen["speaker"],
        "the entity page's network is the speaker's"
    );
    assert_eq!(seen["elsewhere"], serde_json::json!([]), "requests off the server");
    assert_eq!(seen["failures"], serde_json::json!([]), "script errors and warnings");
    Ok(())
}
