// The page of `saidgraph network -f html`: draws the network saidgraph laid out (the
// positions are its own, seeded, so the page starts the same every time), and filters it
// by date, act, topic and act family, searches names and lists the statements of a node
// or an edge. Everything it shows comes from the JSON in #network-data; it fetches nothing.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("network-data").textContent);
  var statements = new Map(data.statements.map(function (s) { return [s.id, s]; }));
  var nodes = new Map(data.nodes.map(function (n) { return [n.id, n]; }));
  var families = new Map(data.families.map(function (f) { return [f.slug, f]; }));

  function element(tag, text, className) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (className) { e.className = className; }
    return e;
  }

  // Filters: acts and topics in name order, families and kinds as checkboxes.
  var acts = Array.from(new Set(data.edges.map(function (e) { return e.actLabel; }))).sort();
  var topics = Array.from(new Set(data.statements.flatMap(function (s) { return s.topics; }))).sort();
  acts.forEach(function (a) { document.getElementById("act").appendChild(new Option(a, a)); });
  topics.forEach(function (t) { document.getElementById("topic").appendChild(new Option(t, t)); });
  data.families.forEach(function (f) {
    var label = element("label");
    var box = element("input");
    box.type = "checkbox"; box.checked = true; box.value = f.slug; box.name = "family";
    var swatch = element("span", null, "swatch");
    swatch.style.background = f.colour;
    label.append(box, " ", swatch, f.label);
    document.getElementById("families").appendChild(label);
  });
  var kinds = new Map();
  data.nodes.forEach(function (n) { kinds.set(n.type, n.colour); });
  Array.from(kinds.keys()).sort().forEach(function (k) {
    var row = element("div");
    var dot = element("span", null, "dot");
    dot.style.background = kinds.get(k);
    row.append(dot, k);
    document.getElementById("kinds").appendChild(row);
  });
  if (data.leftOut) { document.getElementById("left-out").textContent = data.leftOut; }

  var cy = cytoscape({
    container: document.getElementById("graph"),
    boxSelectionEnabled: false,
    layout: { name: "preset", fit: true, padding: 30 },
    elements: data.nodes.map(function (n) {
      return { group: "nodes", data: { id: n.id, label: n.label, size: 2 * n.size, colour: n.colour },
               position: { x: n.x, y: n.y } };
    }).concat(data.edges.map(function (e) {
      return { group: "edges", data: { id: e.id, source: e.source, target: e.target, label: e.actLabel,
               colour: families.get(e.family).colour, width: 1 + Math.sqrt(e.weight) } };
    })),
    style: [
      { selector: "node", style: { "background-color": "data(colour)", "width": "data(size)", "height": "data(size)",
        "label": "data(label)", "font-size": 10, "text-valign": "center", "text-halign": "right",
        "text-margin-x": 4, "border-width": 1, "border-color": "#444444", "min-zoomed-font-size": 6 } },
      { selector: "edge", style: { "curve-style": "bezier", "control-point-step-size": 22,
        "line-color": "data(colour)", "target-arrow-color": "data(colour)", "target-arrow-shape": "triangle",
        "arrow-scale": 0.8, "width": "data(width)", "opacity": 0.8 } },
      { selector: "node.match", style: { "border-width": 4, "border-color": "#000000" } },
      { selector: ":selected", style: { "overlay-color": "#333333", "overlay-opacity": 0.15 } },
      { selector: ".hidden", style: { "display": "none" } }
    ]
  });

  function value(id) { return document.getElementById(id).value.trim(); }

  // Dates compare as written, at the precision given: "2024-06" keeps all of June.
  function passes(s, f) {
    if (f.from && !(s.date && s.date >= f.from)) { return false; }
    if (f.to && !(s.date && s.date.slice(0, f.to.length) <= f.to)) { return false; }
    if (f.act && s.actLabel !== f.act) { return false; }
    if (f.topic && s.topics.indexOf(f.topic) < 0) { return false; }
    return true;
  }

  function current() {
    var shown = new Set();
    document.querySelectorAll("#families input:checked").forEach(function (b) { shown.add(b.value); });
    return { from: value("from"), to: value("to"), act: value("act"), topic: value("topic"), families: shown };
  }

  var visible = new Set();
  function apply() {
    var f = current();
    visible = new Set(data.statements.filter(function (s) { return passes(s, f); }).map(function (s) { return s.id; }));
    var liveNodes = new Set();
    var edgeCount = 0;
    cy.batch(function () {
      data.edges.forEach(function (e) {
        var weight = e.statements.filter(function (id) { return visible.has(id); }).length;
        var show = weight > 0 && f.families.has(e.family);
        var edge = cy.getElementById(e.id);
        edge.toggleClass("hidden", !show);
        if (show) {
          edge.data("width", 1 + Math.sqrt(weight));
          liveNodes.add(e.source); liveNodes.add(e.target); edgeCount += 1;
        }
      });
      data.statements.forEach(function (s) {
        if (visible.has(s.id) && s.addressees.length === 0) { liveNodes.add(s.speaker); }
      });
      data.nodes.forEach(function (n) { cy.getElementById(n.id).toggleClass("hidden", !liveNodes.has(n.id)); });
    });
    var shownStatements = data.statements.filter(function (s) {
      return visible.has(s.id) && liveNodes.has(s.speaker);
    }).length;
    document.getElementById("counts").textContent =
      liveNodes.size + " nodes, " + edgeCount + " edges, " + shownStatements + " statements";
    document.body.dataset.nodes = String(liveNodes.size);
    document.body.dataset.edges = String(edgeCount);
  }

  function list(title, subtitle, ids) {
    var panel = document.getElementById("details");
    panel.replaceChildren();
    panel.appendChild(element("h2", title));
    if (subtitle) { panel.appendChild(subtitle); }
    var shown = ids.filter(function (id) { return visible.has(id); });
    panel.appendChild(element("p", shown.length + (shown.length === 1 ? " statement" : " statements"), "meta"));
    var items = element("ol");
    items.id = "statement-list";
    shown.forEach(function (id) {
      var s = statements.get(id);
      var item = element("li");
      var to = s.addressees.map(function (a) { return nodes.has(a) ? nodes.get(a).label : a; }).join(", ");
      var speaker = nodes.has(s.speaker) ? nodes.get(s.speaker).label : s.speaker;
      item.appendChild(element("div", speaker + " " + s.actLabel + (to ? " " + to : ""), "who"));
      if (s.quote) { item.appendChild(element("div", "\u201c" + s.quote + "\u201d", "quote")); }
      else if (s.summary) { item.appendChild(element("div", s.summary)); }
      var meta = element("div", null, "meta");
      meta.append([s.date || "undated", s.stance, s.topics.join(", ")].filter(Boolean).join(" \u00b7 "));
      // Only web addresses become links: a source's URL is any IRI, javascript: included.
      var web = s.sourceUrl && /^https?:\/\//i.test(s.sourceUrl);
      if (s.sourceUrl || s.sourceTitle) {
        meta.append(" \u00b7 ");
        if (web) {
          var link = element("a", s.sourceTitle || s.sourceUrl);
          link.href = s.sourceUrl; link.rel = "noopener noreferrer";
          meta.append(link);
        } else { meta.append(s.sourceTitle || s.sourceUrl); }
      }
      item.appendChild(meta);
      items.appendChild(item);
    });
    panel.appendChild(items);
  }

  cy.on("tap", "node", function (event) {
    var n = nodes.get(event.target.id());
    var ids = data.statements.filter(function (s) {
      return s.speaker === n.id || s.addressees.indexOf(n.id) >= 0;
    }).map(function (s) { return s.id; });
    var subtitle = element("p", n.type + " \u00b7 " + n.made + " made, " + n.received + " received", "meta");
    if (n.wikidata) {
      var link = element("a", "Wikidata");
      link.href = n.wikidata; link.rel = "noopener noreferrer";
      subtitle.append(" \u00b7 ", link);
    }
    if (n.description) { subtitle.append(element("div", n.description)); }
    list(n.label, subtitle, ids);
  });
  cy.on("tap", "edge", function (event) {
    var e = data.edges.find(function (x) { return x.id === event.target.id(); });
    var family = families.get(e.family).label;
    var subtitle = element("p", family + (e.cameo ? " \u00b7 CAMEO " + e.cameo : ""), "meta");
    list(nodes.get(e.source).label + " \u2192 " + nodes.get(e.target).label + ": " + e.actLabel, subtitle, e.statements);
  });

  document.getElementById("search").addEventListener("input", function () {
    var q = value("search").toLowerCase();
    cy.nodes().removeClass("match");
    if (!q) { return; }
    var found = cy.nodes().filter(function (n) { return n.data("label").toLowerCase().indexOf(q) >= 0; });
    found.addClass("match");
    if (found.length > 0) { cy.animate({ center: { eles: found }, duration: 200 }); }
  });
  ["from", "to", "act", "topic"].forEach(function (id) {
    document.getElementById(id).addEventListener("change", apply);
    document.getElementById(id).addEventListener("input", apply);
  });
  document.getElementById("families").addEventListener("change", apply);
  document.getElementById("reset").addEventListener("click", function () {
    ["from", "to", "act", "topic", "search"].forEach(function (id) { document.getElementById(id).value = ""; });
    document.querySelectorAll("#families input").forEach(function (b) { b.checked = true; });
    cy.nodes().removeClass("match");
    apply();
    cy.fit(undefined, 30);
  });
  apply();
  window.saidgraph = { cy: cy, apply: apply };
}());
