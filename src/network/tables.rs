//! The network as text tables and as Graphviz DOT.
//!
//! CSV: a node list and an edge list with the columns Kumu's importer reads (its guide,
//! "Structure your data for Kumu", docs.kumu.io/guides/import: elements need `Label`, or an
//! `ID` first; connections need `From` and `To` first, then `Type`, `Label`, `Strength`,
//! `Direction`, …; several values in one cell are separated by `|`), which Flourish's
//! network template also takes (its "Points" sheet: an id, a group and a size; its "Links"
//! sheet: source, target and a value for the width; columns are bound by name in its
//! editor: Source = `From`, Target = `To`, Value = `Strength`, Point id = `ID`, Group =
//! `Type`, Size = `Statements`). `From` and `To` name node `ID`s, since two entities may
//! share a label.
//!
//! DOT: a `digraph` whose nodes are pinned at saidgraph's layout (`pos="x,y!"`, in points,
//! `layout=neato`), so Graphviz draws the same picture; `dot -Kdot` ignores the positions
//! and lays it out in ranks instead.

use std::io::{self, Write};

use super::Network;
use crate::error::{Error, Place, Result};

const NODE_HEADER: [&str; 11] = [
    "ID",
    "Label",
    "Type",
    "Description",
    "Wikidata",
    "Statements",
    "Statements made",
    "Statements received",
    "Size",
    "X",
    "Y",
];

const EDGE_HEADER: [&str; 12] = [
    "From",
    "To",
    "Type",
    "Label",
    "Strength",
    "Direction",
    "CAMEO",
    "Act",
    "Stances",
    "First date",
    "Last date",
    "Statements",
];

fn csv_error(error: csv::Error) -> Error {
    match error.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(Place::Output, io),
        other => Error::Internal(format!("writing CSV: {other:?}")),
    }
}

/// The node list: Kumu's elements, Flourish's points.
pub fn write_nodes(network: &Network, out: &mut dyn Write) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(NODE_HEADER).map_err(csv_error)?;
    for node in &network.nodes {
        writer
            .write_record([
                node.id.as_str(),
                &node.label,
                &node.kind,
                node.description.as_deref().unwrap_or(""),
                node.wikidata.as_deref().unwrap_or(""),
                &(node.made + node.received).to_string(),
                &node.made.to_string(),
                &node.received.to_string(),
                &format!("{:.2}", node.size()),
                &format!("{:.2}", node.x),
                &format!("{:.2}", node.y),
            ])
            .map_err(csv_error)?;
    }
    writer.flush().map_err(|e| Error::io(Place::Output, e))
}

/// The edge list: Kumu's connections, Flourish's links. `Type` is the act's CAMEO family,
/// `Label` the act.
pub fn write_edges(network: &Network, out: &mut dyn Write) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(EDGE_HEADER).map_err(csv_error)?;
    for edge in &network.edges {
        let statements: Vec<&str> = edge
            .statements
            .iter()
            .map(|&i| network.statements[i].id.as_str())
            .collect();
        writer
            .write_record([
                network.nodes[edge.source].id.as_str(),
                &network.nodes[edge.target].id,
                edge.family.label(),
                &edge.act_label,
                &edge.weight.to_string(),
                "directed",
                edge.cameo.as_deref().unwrap_or(""),
                &edge.act,
                &edge.stances.join("|"),
                edge.first.as_deref().unwrap_or(""),
                edge.last.as_deref().unwrap_or(""),
                &statements.join("|"),
            ])
            .map_err(csv_error)?;
    }
    writer.flush().map_err(|e| Error::io(Place::Output, e))
}

/// A DOT string: quoted, with `"` and `\` escaped and line breaks as `\n`.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The network as a Graphviz `digraph`.
pub fn write_dot(network: &Network, out: &mut dyn Write) -> io::Result<()> {
    // Graphviz's y axis points up; saidgraph's (like SVG's) down.
    let height = network.nodes.iter().map(|n| n.y).fold(0.0, f64::max);
    writeln!(
        out,
        "// Who talks to whom, made by saidgraph. Render: dot -Tsvg network.dot -o network.svg"
    )?;
    writeln!(out, "digraph saidgraph {{")?;
    writeln!(
        out,
        "  graph [layout=neato, overlap=true, splines=curved, outputorder=edgesfirst, fontname=\"DejaVu Sans\"];"
    )?;
    writeln!(
        out,
        "  node [shape=circle, style=filled, fixedsize=true, fontname=\"DejaVu Sans\", fontsize=9, color=\"#444444\"];"
    )?;
    writeln!(out, "  edge [fontname=\"DejaVu Sans\", fontsize=8, arrowsize=0.6];")?;
    for node in &network.nodes {
        writeln!(
            out,
            "  {} [label={}, xlabel={}, pos=\"{:.2},{:.2}!\", width={:.2}, fillcolor=\"{}\", tooltip={}];",
            quoted(&node.id),
            quoted(""),
            quoted(&node.label),
            node.x,
            height - node.y,
            node.size() * 2.0 / 72.0,
            node.colour(),
            quoted(&format!(
                "{} ({}): {} statements made, {} received",
                node.label, node.kind, node.made, node.received
            )),
        )?;
    }
    for edge in &network.edges {
        writeln!(
            out,
            "  {} -> {} [label={}, weight={}, penwidth={:.2}, color=\"{}\", fontcolor=\"{}\", tooltip={}];",
            quoted(&network.nodes[edge.source].id),
            quoted(&network.nodes[edge.target].id),
            quoted(&edge.act_label),
            edge.weight,
            1.0 + (edge.weight as f64).sqrt(),
            edge.family.colour(),
            edge.family.colour(),
            quoted(&format!(
                "{} {} {}: {} statement{} ({})",
                network.nodes[edge.source].label,
                edge.act_label,
                network.nodes[edge.target].label,
                edge.weight,
                if edge.weight == 1 { "" } else { "s" },
                edge.family.label()
            )),
        )?;
    }
    writeln!(out, "}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_strings_escape_quotes_backslashes_and_lines() {
        assert_eq!(quoted("a \"b\" \\ c\nd\r"), "\"a \\\"b\\\" \\\\ c\\nd\"");
    }
}
