//! The network as GEXF 1.3 (Gephi) and GraphML (yEd, networkx, igraph, Cytoscape).
//!
//! GEXF (gexf.net/1.3): a directed, dynamic graph whose edges carry their weight, their
//! act as `kind` (GEXF's way of telling parallel edges apart) and the dates of their
//! first and last statements as `start` and `end` (`timeformat="date"`), so Gephi's
//! timeline plays the network; `viz:` gives colours, sizes and saidgraph's positions
//! (y up, as Gephi draws). A date of a year or a month spans it: `2024` is 2024-01-01 to
//! 2024-12-31. GraphML: the same attributes as typed `<key>`s.

use std::io::{self, Write};

use super::{Edge, Network};

/// Text for an XML attribute or element: `&`, `<`, `>`, `"` escaped, and the control
/// characters XML 1.0 forbids dropped.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `#rrggbb` as GEXF's `r="…" g="…" b="…"`.
fn rgb(colour: &str) -> String {
    let channel = |at: usize| u8::from_str_radix(colour.get(at..at + 2).unwrap_or("88"), 16).unwrap_or(136);
    format!("r=\"{}\" g=\"{}\" b=\"{}\"", channel(1), channel(3), channel(5))
}

/// The first day a date as written covers (`2024` → 2024-01-01), if it is a date.
fn first_day(date: &str) -> Option<String> {
    match date.len() {
        4 => Some(format!("{date}-01-01")),
        7 => Some(format!("{date}-01")),
        _ => date.get(..10).map(str::to_owned),
    }
}

/// The last day a date as written covers (`2024-02` → 2024-02-29).
fn last_day(date: &str) -> Option<String> {
    match date.len() {
        4 => Some(format!("{date}-12-31")),
        7 => {
            let year: u32 = date[..4].parse().ok()?;
            let month: u32 = date[5..7].parse().ok()?;
            let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
            let days = match month {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            Some(format!("{date}-{days:02}"))
        }
        _ => date.get(..10).map(str::to_owned),
    }
}

fn statement_ids(network: &Network, edge: &Edge) -> String {
    let ids: Vec<&str> = edge
        .statements
        .iter()
        .map(|&i| network.statements[i].id.as_str())
        .collect();
    ids.join("|")
}

const NODE_ATTRIBUTES: [(&str, &str, &str); 6] = [
    ("type", "type", "string"),
    ("iri", "iri", "string"),
    ("wikidata", "wikidata", "string"),
    ("description", "description", "string"),
    ("made", "statements made", "integer"),
    ("received", "statements received", "integer"),
];

const EDGE_ATTRIBUTES: [(&str, &str, &str); 5] = [
    ("act", "act", "string"),
    ("cameo", "CAMEO code", "string"),
    ("family", "family", "string"),
    ("stances", "stances", "string"),
    ("statements", "statements", "string"),
];

/// GEXF 1.3.
pub fn write_gexf(network: &Network, out: &mut dyn Write) -> io::Result<()> {
    let height = network.nodes.iter().map(|n| n.y).fold(0.0, f64::max);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">"#
    )?;
    writeln!(out, "  <meta>\n    <creator>saidgraph</creator>")?;
    writeln!(
        out,
        "    <description>Who talks to whom: one edge per speaker, addressee and act, weighted by statements</description>\n  </meta>"
    )?;
    writeln!(
        out,
        r#"  <graph defaultedgetype="directed" mode="dynamic" timeformat="date">"#
    )?;
    for (class, attributes) in [("node", &NODE_ATTRIBUTES[..]), ("edge", &EDGE_ATTRIBUTES[..])] {
        writeln!(out, r#"    <attributes class="{class}" mode="static">"#)?;
        for (id, title, kind) in attributes {
            writeln!(out, r#"      <attribute id="{id}" title="{title}" type="{kind}"/>"#)?;
        }
        writeln!(out, "    </attributes>")?;
    }
    writeln!(out, "    <nodes>")?;
    for node in &network.nodes {
        writeln!(
            out,
            r#"      <node id="{}" label="{}">"#,
            escape(&node.id),
            escape(&node.label)
        )?;
        writeln!(out, "        <attvalues>")?;
        let values = [
            ("type", Some(node.kind.clone())),
            ("iri", Some(node.iri.clone())),
            ("wikidata", node.wikidata.clone()),
            ("description", node.description.clone()),
            ("made", Some(node.made.to_string())),
            ("received", Some(node.received.to_string())),
        ];
        for (key, value) in values {
            if let Some(value) = value {
                writeln!(out, r#"          <attvalue for="{key}" value="{}"/>"#, escape(&value))?;
            }
        }
        writeln!(out, "        </attvalues>")?;
        writeln!(out, "        <viz:color {}/>", rgb(node.colour()))?;
        writeln!(
            out,
            r#"        <viz:position x="{:.2}" y="{:.2}" z="0.0"/>"#,
            node.x,
            height - node.y
        )?;
        writeln!(out, r#"        <viz:size value="{:.2}"/>"#, node.size())?;
        writeln!(out, "      </node>")?;
    }
    writeln!(out, "    </nodes>\n    <edges>")?;
    for (i, edge) in network.edges.iter().enumerate() {
        let mut dates = String::new();
        if let Some(start) = edge.first.as_deref().and_then(first_day) {
            dates.push_str(&format!(r#" start="{}""#, escape(&start)));
        }
        if let Some(end) = edge.last.as_deref().and_then(last_day) {
            dates.push_str(&format!(r#" end="{}""#, escape(&end)));
        }
        writeln!(
            out,
            r#"      <edge id="{i}" source="{}" target="{}" weight="{}" kind="{}" label="{}"{dates}>"#,
            escape(&network.nodes[edge.source].id),
            escape(&network.nodes[edge.target].id),
            edge.weight,
            escape(super::local_name(&edge.act).as_str()),
            escape(&edge.act_label),
        )?;
        writeln!(out, "        <attvalues>")?;
        let values = [
            ("act", Some(edge.act.clone())),
            ("cameo", edge.cameo.clone()),
            ("family", Some(edge.family.label().to_owned())),
            ("stances", Some(edge.stances.join("|"))),
            ("statements", Some(statement_ids(network, edge))),
        ];
        for (key, value) in values {
            if let Some(value) = value {
                writeln!(out, r#"          <attvalue for="{key}" value="{}"/>"#, escape(&value))?;
            }
        }
        writeln!(out, "        </attvalues>")?;
        writeln!(out, "        <viz:color {}/>", rgb(edge.family.colour()))?;
        writeln!(
            out,
            r#"        <viz:thickness value="{:.2}"/>"#,
            1.0 + (edge.weight as f64).sqrt()
        )?;
        writeln!(out, "      </edge>")?;
    }
    writeln!(out, "    </edges>\n  </graph>\n</gexf>")
}

const GRAPHML_KEYS: [(&str, &str, &str); 19] = [
    ("label", "node", "string"),
    ("type", "node", "string"),
    ("iri", "node", "string"),
    ("wikidata", "node", "string"),
    ("description", "node", "string"),
    ("made", "node", "int"),
    ("received", "node", "int"),
    ("size", "node", "double"),
    ("x", "node", "double"),
    ("y", "node", "double"),
    ("weight", "edge", "double"),
    ("act", "edge", "string"),
    ("act_label", "edge", "string"),
    ("cameo", "edge", "string"),
    ("family", "edge", "string"),
    ("stances", "edge", "string"),
    ("first", "edge", "string"),
    ("last", "edge", "string"),
    ("statements", "edge", "string"),
];

/// GraphML.
pub fn write_graphml(network: &Network, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    for (id, on, kind) in GRAPHML_KEYS {
        writeln!(
            out,
            r#"  <key id="{id}" for="{on}" attr.name="{id}" attr.type="{kind}"/>"#
        )?;
    }
    writeln!(out, r#"  <graph id="saidgraph" edgedefault="directed">"#)?;
    let data = |out: &mut dyn Write, key: &str, value: &str| -> io::Result<()> {
        writeln!(out, r#"      <data key="{key}">{}</data>"#, escape(value))
    };
    for node in &network.nodes {
        writeln!(out, r#"    <node id="{}">"#, escape(&node.id))?;
        data(out, "label", &node.label)?;
        data(out, "type", &node.kind)?;
        data(out, "iri", &node.iri)?;
        if let Some(wikidata) = &node.wikidata {
            data(out, "wikidata", wikidata)?;
        }
        if let Some(description) = &node.description {
            data(out, "description", description)?;
        }
        data(out, "made", &node.made.to_string())?;
        data(out, "received", &node.received.to_string())?;
        data(out, "size", &format!("{:.2}", node.size()))?;
        data(out, "x", &format!("{:.2}", node.x))?;
        data(out, "y", &format!("{:.2}", node.y))?;
        writeln!(out, "    </node>")?;
    }
    for (i, edge) in network.edges.iter().enumerate() {
        writeln!(
            out,
            r#"    <edge id="e{i}" source="{}" target="{}">"#,
            escape(&network.nodes[edge.source].id),
            escape(&network.nodes[edge.target].id)
        )?;
        data(out, "weight", &edge.weight.to_string())?;
        data(out, "act", &edge.act)?;
        data(out, "act_label", &edge.act_label)?;
        if let Some(cameo) = &edge.cameo {
            data(out, "cameo", cameo)?;
        }
        data(out, "family", edge.family.label())?;
        data(out, "stances", &edge.stances.join("|"))?;
        if let Some(first) = &edge.first {
            data(out, "first", first)?;
        }
        if let Some(last) = &edge.last {
            data(out, "last", last)?;
        }
        data(out, "statements", &statement_ids(network, edge))?;
        writeln!(out, "    </edge>")?;
    }
    writeln!(out, "  </graph>\n</graphml>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_span_their_year_or_month_and_text_is_escaped() {
        assert_eq!(first_day("2024").as_deref(), Some("2024-01-01"));
        assert_eq!(last_day("2024-02").as_deref(), Some("2024-02-29"));
        assert_eq!(last_day("2023-02").as_deref(), Some("2023-02-28"));
        assert_eq!(last_day("2024-06-20T10:00:00Z").as_deref(), Some("2024-06-20"));
        assert_eq!(escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(rgb("#0072b2"), "r=\"0\" g=\"114\" b=\"178\"");
    }
}
