// saidgraph's page: the named queries as forms, results as tables whose entities link
// to their pages, an entity page, and a SPARQL editor. It talks only to this server
// (the Content-Security-Policy forbids anything else). Tests read the data-* attributes
// it sets: body[data-state], #results[data-rows], #entity-said[data-rows].
"use strict";

const RESULT_FORMATS = ["json", "xml", "csv", "tsv"];
const RDF_FORMATS = ["turtle", "ntriples", "rdfxml", "jsonld"];
let meta = { bases: [], prefixes: {}, maxResults: 0 };

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child);
  return node;
};

// The id of an entity IRI minted from one of the store's bases, still encoded.
function entitySegment(iri) {
  for (const base of meta.bases) {
    const prefix = base + "entity/";
    if (iri.startsWith(prefix) && !iri.slice(prefix.length).includes("/")) return iri.slice(prefix.length);
  }
  return null;
}

function shorten(iri) {
  let best = null;
  for (const [prefix, namespace] of Object.entries(meta.prefixes)) {
    if (iri.startsWith(namespace) && (!best || namespace.length > best[1].length)) best = [prefix, namespace];
  }
  if (!best) return iri;
  const local = iri.slice(best[1].length);
  return /^[\w.%-]+$/u.test(local) ? `${best[0]}:${local}` : iri;
}

// A table of SPARQL JSON results. An IRI column `x` with a column `xLabel` beside it shows
// the label, linked; entity IRIs link to their entity page.
function table(json) {
  const vars = json.head.vars;
  const labelled = new Set(vars.filter((v) => vars.includes(v + "Label")).map((v) => v + "Label"));
  const shown = vars.filter((v) => !labelled.has(v));
  const head = el("tr", {}, ...shown.map((v) => el("th", { scope: "col" }, v)));
  const rows = json.results.bindings.map((row) =>
    el("tr", {}, ...shown.map((v) => {
      const term = row[v];
      const cell = el("td");
      if (!term) return cell;
      const label = row[v + "Label"] ? row[v + "Label"].value : null;
      if (term.type === "uri") {
        const segment = entitySegment(term.value);
        if (segment) cell.append(el("a", { href: "/entity/" + segment, class: "entity" }, label || decodeURIComponent(segment)));
        else if (/^https?:/.test(term.value) && !meta.bases.some((b) => term.value.startsWith(b))) {
          cell.append(el("a", { href: term.value, rel: "noreferrer" }, label || shorten(term.value)));
        }
        else cell.append(label || shorten(term.value));
      } else {
        cell.append(term.value);
        if (v === "quote") cell.className = "quote";
        else if (["what", "summary", "sourceTitle", "description", "relations"].includes(v)) cell.className = "prose";
      }
      return cell;
    })));
  return el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows));
}

async function fetchResults(url, options = {}) {
  const response = await fetch(url, { ...options, headers: { Accept: "application/sparql-results+json, text/turtle;q=0.5", ...(options.headers || {}) } });
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status}: ${text}`);
  return { response, text };
}

function showAnswer(title, url, query) {
  $("answer").hidden = false;
  $("answer-title").textContent = title;
  $("answer-status").className = "status";
  $("answer-status").textContent = "Asking…";
  $("results").replaceChildren();
  $("results").removeAttribute("data-rows");
  $("downloads").replaceChildren();
  document.body.dataset.state = "asking";
  const options = query === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ query }),
  };
  fetchResults(url, options).then(({ response, text }) => {
    const type = response.headers.get("Content-Type") || "";
    const truncated = response.headers.get("Saidgraph-Truncated");
    const download = (format) => {
      const target = query === undefined ? `${url}&format=${format}` : `/sparql?${new URLSearchParams({ query, format })}`;
      return el("a", { href: target, download: "" }, format.toUpperCase());
    };
    let rows;
    if (type.startsWith("application/sparql-results+json")) {
      const json = JSON.parse(text);
      if ("boolean" in json) {
        rows = 1;
        $("results").append(el("p", {}, json.boolean ? "Yes." : "No."));
      } else {
        rows = json.results.bindings.length;
        $("results").append(table(json));
      }
      $("downloads").append("Download: ", ...RESULT_FORMATS.map(download));
    } else {
      rows = text.split("\n").filter((l) => l.trim() && !l.startsWith("@prefix")).length;
      $("results").append(el("pre", {}, text));
      $("downloads").append("Download: ", ...RDF_FORMATS.map(download));
    }
    $("results").dataset.rows = String(rows);
    $("answer-status").textContent = `${rows} ${rows === 1 ? "row" : "rows"}` + (truncated ? ` — cut: ${truncated}` : "");
    document.body.dataset.state = "results";
    $("answer").scrollIntoView({ behavior: "smooth", block: "start" });
  }).catch((error) => {
    $("answer-status").className = "status error";
    $("answer-status").textContent = error.message;
    document.body.dataset.state = "error";
  });
}

// An entity picker: a text input whose suggestions come from the store's labels.
function picker(name, description) {
  const list = el("datalist", { id: `pick-${name}-${Math.random().toString(36).slice(2)}` });
  const input = el("input", { type: "text", name, placeholder: "a name or id", autocomplete: "off" });
  input.setAttribute("list", list.id);
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const response = await fetch(`/entities?q=${encodeURIComponent(input.value)}`);
      if (!response.ok) return;
      const found = await response.json();
      list.replaceChildren(...found.map((e) => el("option", { value: e.id }, e.label)));
    }, 150);
  });
  return el("label", {}, description || name, input, list);
}

function card(query) {
  const form = el("form", { class: "card", "data-query": query.name });
  form.append(el("h3", {}, query.name.replace(/-/g, " ")), el("p", {}, query.summary));
  for (const parameter of query.parameters) form.append(picker(parameter.name, parameter.description));
  form.append(el("button", { type: "submit" }, "Ask"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const input of form.querySelectorAll("input")) if (input.value.trim()) params.set(input.name, input.value.trim());
    const given = [...params].map(([name, value]) => `${name}: ${value}`).join(", ");
    params.set("limit", "200");
    showAnswer(query.summary.replace(/[.:].*$/, "") + (given ? ` — ${given}` : ""), `/queries/${query.name}?${params}`);
  });
  return form;
}

async function entityPage(segment) {
  const id = decodeURIComponent(segment);
  $("home").hidden = true;
  $("questions").hidden = true;
  $("entity").hidden = false;
  $("sparql-editor").hidden = true;
  const base = meta.bases.find(() => true) || "";
  const iri = base + "entity/" + segment;
  document.title = `${id} — saidgraph`;
  const profile = JSON.parse((await fetchResults(`/queries/entity?entity=${encodeURIComponent("<" + iri + ">")}`)).text);
  const row = profile.results.bindings[0] || {};
  const value = (v) => (row[v] ? row[v].value : "");
  $("entity-name").textContent = value("label") || id;
  $("entity-about").textContent = value("description");
  const facts = [["Type", value("types")], ["Also known as", value("aliases")], ["Relations", value("relations")],
    ["Statements", `${value("statementsBy") || 0} made, ${value("statementsTo") || 0} addressed to, ${value("statementsAbout") || 0} about`]];
  for (const [name, text] of facts) if (text) $("entity-facts").append(el("dt", {}, name), el("dd", {}, text));
  const links = value("sameAs").split(" ").filter(Boolean);
  if (links.length) {
    $("entity-facts").append(el("dt", {}, "Same as"), el("dd", {}, ...links.map((l) => el("a", { href: l, rel: "noreferrer", class: "wikidata" }, shorten(l) + " "))));
  }
  const network = `/network?speaker=${encodeURIComponent("<" + iri + ">")}`;
  $("entity-facts").append(el("dt", {}, "Network"), el("dd", {}, el("a", { href: network, id: "entity-network" }, "who they talk to, drawn")));
  const said = JSON.parse((await fetchResults(`/queries/statements-by?speaker=${encodeURIComponent("<" + iri + ">")}&limit=500`)).text);
  $("entity-said").append(said.results.bindings.length ? table(said) : el("p", {}, "Nothing recorded."));
  $("entity-said").dataset.rows = String(said.results.bindings.length);
  const heardQuery = `SELECT ?statement ?speaker (SAMPLE(?name) AS ?speakerLabel) ?how ?date (SAMPLE(?words) AS ?what)
WHERE {
  { ?statement sg:addressee <${iri}> . BIND("to them" AS ?how) } UNION { ?statement sg:about <${iri}> . BIND("about them" AS ?how) }
  ?statement sg:speaker ?speaker . OPTIONAL { ?speaker rdfs:label ?name }
  OPTIONAL { ?statement sg:date ?date } OPTIONAL { ?statement sg:quote|sg:summary ?words }
} GROUP BY ?statement ?speaker ?how ?date ORDER BY ?date LIMIT 500`;
  const heard = JSON.parse((await fetchResults("/sparql", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ query: heardQuery }) })).text);
  $("entity-heard").append(heard.results.bindings.length ? table(heard) : el("p", {}, "Nothing recorded."));
  $("entity-heard").dataset.rows = String(heard.results.bindings.length);
  document.body.dataset.state = "entity";
}

async function start() {
  meta = await (await fetch("/meta")).json();
  $("prefix-list").textContent = "Prefixes: " + Object.keys(meta.prefixes).map((p) => p + ":").join(" ");
  $("sparql-form").addEventListener("submit", (event) => {
    event.preventDefault();
    $("entity").hidden = true;
    showAnswer("Your query", "/sparql", $("sparql-text").value);
  });
  const path = location.pathname;
  if (path.startsWith("/entity/")) {
    await entityPage(path.slice("/entity/".length));
    return;
  }
  const library = await (await fetch("/queries")).json();
  $("queries").replaceChildren(...library.queries.map(card));
  document.body.dataset.state = "ready";
}

start().catch((error) => {
  document.body.dataset.state = "error";
  document.body.prepend(el("p", { class: "status error" }, String(error)));
});
