//! The network as a static SVG picture for papers and slides: saidgraph's layout, nodes
//! sized by statements and filled by kind, edges coloured by CAMEO family and bowed apart
//! when one pair has several, a legend, and no script.
//!
//! Labels are placed greedily, largest node first: to the right of the node, else left,
//! above or below, wherever the label's box hits no label already placed and no other
//! node; a label that fits nowhere is left out (the node's tooltip still names it).
//! Label widths are estimated (0.6 em a character), so a font wider than DejaVu Sans may
//! touch where none was expected.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::xml::escape;
use super::{Family, Network};

const MARGIN: f64 = 30.0;
const LEGEND_WIDTH: f64 = 230.0;
const FONT: f64 = 11.0;

/// An axis-aligned box: left, top, right, bottom.
#[derive(Debug, Clone, Copy)]
struct Box2(f64, f64, f64, f64);

impl Box2 {
    fn union(&self, other: &Self) -> Self {
        Self(
            self.0.min(other.0),
            self.1.min(other.1),
            self.2.max(other.2),
            self.3.max(other.3),
        )
    }

    fn hits(&self, other: &Self) -> bool {
        self.0 < other.2 && other.0 < self.2 && self.1 < other.3 && other.1 < self.3
    }
}

pub fn write(network: &Network, out: &mut dyn Write) -> io::Result<()> {
    let labels = place_labels(network);
    // Everything drawn, labels included, starts MARGIN from the top left; the legend
    // stands to the right of it.
    let mut extent = Box2(0.0, 0.0, 0.0, 0.0);
    for (i, node) in network.nodes.iter().enumerate() {
        let r = node.size();
        let circle = Box2(node.x - r, node.y - r, node.x + r, node.y + r);
        extent = if i == 0 { circle } else { extent.union(&circle) };
    }
    for (_, (_, _, _, area)) in &labels {
        extent = extent.union(area);
    }
    let (shift_x, shift_y) = (MARGIN - extent.0, MARGIN - extent.1);
    let width = extent.2 - extent.0;
    let height = extent.3 - extent.1;
    let legend_height = 120.0 + 18.0 * (Family::ALL.len() + kinds(network).len()) as f64;
    let total_width = width + 2.0 * MARGIN + LEGEND_WIDTH;
    let total_height = (height + 2.0 * MARGIN).max(legend_height + 2.0 * MARGIN);
    writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{total_width:.0}" height="{total_height:.0}" viewBox="0 0 {total_width:.0} {total_height:.0}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="{FONT}">"#
    )?;
    writeln!(out, "<title>Who talks to whom</title>")?;
    writeln!(out, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##)?;
    writeln!(out, "<defs>")?;
    for family in Family::ALL {
        writeln!(
            out,
            r#"<marker id="arrow-{}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{}"/></marker>"#,
            family.slug(),
            family.colour()
        )?;
    }
    writeln!(out, "</defs>")?;
    let at = |i: usize| (network.nodes[i].x + shift_x, network.nodes[i].y + shift_y);
    // Lanes: edges between the same two nodes, either way, bow apart.
    let mut pairs: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (i, edge) in network.edges.iter().enumerate() {
        pairs
            .entry((edge.source.min(edge.target), edge.source.max(edge.target)))
            .or_default()
            .push(i);
    }
    writeln!(out, r#"<g id="edges" fill="none">"#)?;
    for ((low, high), edges) in &pairs {
        let count = edges.len() as f64;
        for (lane, &i) in edges.iter().enumerate() {
            let edge = &network.edges[i];
            let (x1, y1) = at(edge.source);
            let (x2, y2) = at(edge.target);
            let path = if low == high {
                let r = network.nodes[edge.source].size();
                let loop_size = r * (2.5 + lane as f64);
                format!(
                    "M{:.2},{:.2} C{:.2},{:.2} {:.2},{:.2} {:.2},{:.2}",
                    x1 + r * 0.7,
                    y1 - r * 0.7,
                    x1 + loop_size,
                    y1 - loop_size,
                    x1 - loop_size,
                    y1 - loop_size,
                    x1 - r * 0.7,
                    y1 - r * 0.7
                )
            } else {
                // The normal is that of low → high, so both directions share one side.
                let (lx, ly) = at(*low);
                let (hx, hy) = at(*high);
                let (dx, dy) = (hx - lx, hy - ly);
                let length = (dx * dx + dy * dy).sqrt().max(0.01);
                let (nx, ny) = (-dy / length, dx / length);
                let offset = (lane as f64 - (count - 1.0) / 2.0) * 22.0;
                let (cx, cy) = ((x1 + x2) / 2.0 + nx * offset, (y1 + y2) / 2.0 + ny * offset);
                // End at the target's rim, so the arrow shows.
                let (ex, ey) = (x2 - cx, y2 - cy);
                let rim = (ex * ex + ey * ey).sqrt().max(0.01);
                let shrink = network.nodes[edge.target].size() + 2.0;
                let (tx, ty) = (x2 - ex / rim * shrink, y2 - ey / rim * shrink);
                format!("M{x1:.2},{y1:.2} Q{cx:.2},{cy:.2} {tx:.2},{ty:.2}")
            };
            let (source, target) = (&network.nodes[edge.source], &network.nodes[edge.target]);
            writeln!(
                out,
                r#"<path d="{path}" stroke="{}" stroke-width="{:.2}" stroke-opacity="0.8" marker-end="url(#arrow-{})"><title>{} {} {}: {} statement{} ({})</title></path>"#,
                edge.family.colour(),
                1.0 + (edge.weight as f64).sqrt(),
                edge.family.slug(),
                escape(&source.label),
                escape(&edge.act_label),
                escape(&target.label),
                edge.weight,
                if edge.weight == 1 { "" } else { "s" },
                edge.family.label()
            )?;
        }
    }
    writeln!(out, "</g>")?;
    writeln!(out, r##"<g id="nodes" stroke="#444444" stroke-width="1">"##)?;
    for (i, node) in network.nodes.iter().enumerate() {
        let (x, y) = at(i);
        writeln!(
            out,
            r#"<circle cx="{x:.2}" cy="{y:.2}" r="{:.2}" fill="{}"><title>{} ({}): {} statements made, {} received</title></circle>"#,
            node.size(),
            node.colour(),
            escape(&node.label),
            escape(&node.kind),
            node.made,
            node.received
        )?;
    }
    writeln!(out, "</g>")?;
    writeln!(out, r##"<g id="labels" fill="#222222">"##)?;
    for (i, (x, y, anchor, _)) in labels {
        writeln!(
            out,
            r#"<text x="{:.2}" y="{:.2}" text-anchor="{anchor}">{}</text>"#,
            x + shift_x,
            y + shift_y,
            escape(&network.nodes[i].label)
        )?;
    }
    writeln!(out, "</g>")?;
    legend(network, out, width + 2.0 * MARGIN)?;
    writeln!(out, "</svg>")
}

/// A placed label: its anchor point, `text-anchor` and box, in layout coordinates.
type Label = (f64, f64, &'static str, Box2);

/// Each label that fits, by node index.
fn place_labels(network: &Network) -> Vec<(usize, Label)> {
    let mut order: Vec<usize> = (0..network.nodes.len()).collect();
    order.sort_by(|&a, &b| {
        let (na, nb) = (&network.nodes[a], &network.nodes[b]);
        (nb.made + nb.received)
            .cmp(&(na.made + na.received))
            .then(na.id.cmp(&nb.id))
    });
    let circles: Vec<Box2> = network
        .nodes
        .iter()
        .map(|n| {
            let r = n.size();
            Box2(n.x - r, n.y - r, n.x + r, n.y + r)
        })
        .collect();
    let mut placed: Vec<Box2> = Vec::new();
    let mut labels = Vec::new();
    for i in order {
        let node = &network.nodes[i];
        let (x, y, r) = (node.x, node.y, node.size());
        let width = node.label.chars().count() as f64 * FONT * 0.6;
        let candidates = [
            (
                x + r + 3.0,
                y + FONT * 0.35,
                "start",
                Box2(x + r + 3.0, y - FONT * 0.6, x + r + 3.0 + width, y + FONT * 0.5),
            ),
            (
                x - r - 3.0,
                y + FONT * 0.35,
                "end",
                Box2(x - r - 3.0 - width, y - FONT * 0.6, x - r - 3.0, y + FONT * 0.5),
            ),
            (
                x,
                y - r - 4.0,
                "middle",
                Box2(x - width / 2.0, y - r - 4.0 - FONT, x + width / 2.0, y - r - 4.0),
            ),
            (
                x,
                y + r + FONT,
                "middle",
                Box2(x - width / 2.0, y + r + 1.0, x + width / 2.0, y + r + FONT + 1.0),
            ),
        ];
        let free = candidates.into_iter().find(|(_, _, _, area)| {
            !placed.iter().any(|p| p.hits(area)) && !circles.iter().enumerate().any(|(j, c)| j != i && c.hits(area))
        });
        if let Some(label) = free {
            placed.push(label.3);
            labels.push((i, label));
        }
    }
    labels.sort_by_key(|(i, _)| *i);
    labels
}

/// The kinds of entity drawn, with their fills, in name order.
fn kinds(network: &Network) -> Vec<(String, &'static str)> {
    let kinds: BTreeMap<String, &'static str> = network.nodes.iter().map(|n| (n.kind.clone(), n.colour())).collect();
    kinds.into_iter().collect()
}

fn legend(network: &Network, out: &mut dyn Write, left: f64) -> io::Result<()> {
    let x = left + 10.0;
    let mut y = MARGIN;
    writeln!(out, r##"<g id="legend" fill="#222222">"##)?;
    writeln!(
        out,
        r#"<text x="{x:.2}" y="{y:.2}" font-weight="bold">Who talks to whom</text>"#
    )?;
    y += 18.0;
    writeln!(
        out,
        r#"<text x="{x:.2}" y="{y:.2}">{} nodes, {} edges</text>"#,
        network.nodes.len(),
        network.edges.len()
    )?;
    if network.left_out.any() {
        y += 16.0;
        writeln!(
            out,
            r##"<text x="{x:.2}" y="{y:.2}" fill="#666666" font-size="9">{} of {} edges left out</text>"##,
            network.left_out.below_min_weight + network.left_out.beyond_top,
            network.left_out.edges_total
        )?;
    }
    y += 26.0;
    writeln!(
        out,
        r#"<text x="{x:.2}" y="{y:.2}" font-weight="bold">Acts (CAMEO family)</text>"#
    )?;
    for family in Family::ALL {
        y += 18.0;
        writeln!(
            out,
            r#"<line x1="{x:.2}" y1="{:.2}" x2="{:.2}" y2="{:.2}" stroke="{}" stroke-width="3"/><text x="{:.2}" y="{y:.2}">{}</text>"#,
            y - 4.0,
            x + 24.0,
            y - 4.0,
            family.colour(),
            x + 32.0,
            family.label()
        )?;
    }
    y += 26.0;
    writeln!(
        out,
        r#"<text x="{x:.2}" y="{y:.2}" font-weight="bold">Entities (size: statements)</text>"#
    )?;
    for (kind, colour) in kinds(network) {
        y += 18.0;
        writeln!(
            out,
            r##"<circle cx="{:.2}" cy="{:.2}" r="6" fill="{colour}" stroke="#444444"/><text x="{:.2}" y="{y:.2}">{}</text>"##,
            x + 12.0,
            y - 4.0,
            x + 32.0,
            escape(&kind)
        )?;
    }
    writeln!(out, "</g>")
}
