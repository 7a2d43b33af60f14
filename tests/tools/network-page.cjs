// Opens a page written by `saidgraph network -f html` from disk in headless Chromium
// (playwright-core, driving Debian's /usr/bin/chromium) and prints, as JSON, what a
// person would see: the counts the page reports, what it drew, what a filter leaves, the
// statements a click on a node lists, every script error and every request that was not
// the file itself, and any dialog a script opened; and, when asked, a screenshot with the node's statements listed. Used by tests/integration/network.rs.
//
// Usage: node network-page.cjs PAGE.html USER_DATA_DIR [SCREENSHOT.png] [ACT] [NODE]
// with $PLAYWRIGHT_CORE the playwright-core package folder.
"use strict";
const path = require("path");
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

const [page_path, user_data_dir, screenshot, act = "warn", node = "putin"] = process.argv.slice(2);

(async () => {
  const context = await chromium.launchPersistentContext(user_data_dir, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
    viewport: { width: 1400, height: 820 },
  });
  const errors = [];
  const requests = [];
  const url = "file://" + path.resolve(page_path);
  context.on("request", (r) => { if (r.url() !== url) { requests.push(r.url()); } });
  const page = context.pages()[0] || await context.newPage();
  page.on("pageerror", (e) => errors.push("pageerror: " + e.message));
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") { errors.push(m.type() + ": " + m.text()); } });
  await page.goto(url);
  await page.waitForFunction(() => window.saidgraph && document.body.dataset.nodes !== undefined, null, { timeout: 20000 });
  // Let Cytoscape paint its first frame.
  await page.waitForTimeout(500);
  const look = () => page.evaluate(() => ({
    counts: document.getElementById("counts").textContent,
    // Shown: not hidden by a filter (classes change at once; rendered styles may lag).
    nodes: window.saidgraph.cy.nodes().not(".hidden").length,
    edges: window.saidgraph.cy.edges().not(".hidden").length,
  }));
  const initial = await look();
  // What it drew: pixels of Cytoscape's canvases that are not blank.
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
  await page.selectOption("#act", act);
  const filtered = await look();
  await page.click("#reset");
  const reset = await look();
  await page.evaluate((id) => { window.saidgraph.cy.getElementById(id).emit("tap"); }, node);
  const clicked = await page.evaluate(() => ({
    title: document.querySelector("#details h2") ? document.querySelector("#details h2").textContent : null,
    items: Array.from(document.querySelectorAll("#statement-list li")).map((li) => li.textContent),
    links: Array.from(document.querySelectorAll("#details a")).map((a) => a.getAttribute("href")),
    injected: document.querySelectorAll("#details img, #details iframe, #details b, #details script").length,
  }));
  if (screenshot) { await page.screenshot({ path: screenshot }); }
  await context.close();
  console.log(JSON.stringify({ initial, painted, filtered, reset, clicked, errors, requests, dialogs }));
})().catch((e) => { console.error(e); process.exit(1); });
