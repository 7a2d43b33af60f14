//! The who-talks-to-whom network: entities that speak or are addressed as nodes, one edge
//! per (speaker, addressee, act) weighted by its statements, laid out by saidgraph itself
//! and written as HTML, SVG, GEXF, GraphML, CSV or DOT.
//!
//! The rows come from SPARQL over the store (`sparql`), so the network works on any
//! store, on `--with` graphs and on one dataset's named graph; `aggregate` counts them in
//! sorted maps, so that the same graph gives the same network in the same order, and
//! counts what `--min-weight` and `--top` leave out in [`LeftOut`]. The layout (`layout`)
//! is seeded, so every format that carries positions is byte-stable. This file owns the
//! network's shape, its formats and the entry points; the other rooms are `family` (CAMEO
//! families), `tables` (CSV and DOT), `xml` (GEXF and GraphML), `svg` and `html` (the
//! page, which draws [`to_json`]'s document).

mod aggregate;
mod family;
mod html;
mod layout;
mod sparql;
mod svg;
mod tables;
mod xml;

use std::io::Write;
use std::path::{Path, PathBuf};

pub use family::Family;

use crate::error::{Error, Result};
use crate::store::GraphStore;

/// The formats `network` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkFormat {
    Html,
    Svg,
    Gexf,
    Graphml,
    Csv,
    Dot,
}

impl NetworkFormat {
    /// A format by name or file extension (`html`, `htm`, `svg`, `gexf`, `graphml`, `csv`,
    /// `dot`, `gv`), any case.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "html" | "htm" => Self::Html,
            "svg" => Self::Svg,
            "gexf" => Self::Gexf,
            "graphml" => Self::Graphml,
            "csv" => Self::Csv,
            "dot" | "gv" => Self::Dot,
            _ => return None,
        })
    }

    /// The format asked for, else the one `output`'s extension names; without either, an
    /// error that says how to choose.
    pub fn choose(asked: Option<Self>, output: Option<&Path>) -> Result<Self> {
        if let Some(format) = asked {
            return Ok(format);
        }
        let extension = output.and_then(|p| p.extension()).and_then(|e| e.to_str());
        match extension.and_then(Self::parse) {
            Some(format) => Ok(format),
            None => Err(Error::Usage(match output {
                Some(path) => format!(
                    "{}: cannot tell the network format from this name; give -f html, svg, gexf, graphml, csv or dot",
                    path.display()
                ),
                None => {
                    "give -f html, svg, gexf, graphml, csv or dot, or -o FILE with one of those extensions".to_owned()
                }
            })),
        }
    }

    /// Whether the format is a picture, which keeps only the 300 heaviest edges
    /// unless `--top` says otherwise.
    pub fn is_picture(self) -> bool {
        matches!(self, Self::Html | Self::Svg)
    }
}

/// The heaviest edges a picture (HTML, SVG) keeps by default: more are unreadable.
pub const DEFAULT_PICTURE_TOP: usize = 300;

/// Which statements make the network, and how much of it to keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkOptions {
    /// Statements dated on or after this (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`).
    pub from: Option<String>,
    /// Statements dated on or before this, at its precision (`--to 2024-06` keeps June).
    pub to: Option<String>,
    /// Statements about any of these entities (ids, prefixed names or `<IRI>`s).
    pub topics: Vec<String>,
    /// Statements whose act is one of these: an act name (`warn`), a CAMEO code (`046`)
    /// or a CAMEO family (`verbal-conflict`).
    pub acts: Vec<String>,
    /// Statements by any of these speakers.
    pub speakers: Vec<String>,
    /// Statements in any of these datasets (named graphs `BASE graph/NAME`).
    pub datasets: Vec<String>,
    /// Edges with fewer statements are left out (0 and 1 keep all).
    pub min_weight: u64,
    /// Only the heaviest N edges are kept (ties broken by speaker, addressee, act).
    pub top: Option<usize>,
}

/// An entity that speaks or is addressed.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The id outputs name it by: the entity's id under its base, else its IRI.
    pub id: String,
    pub iri: String,
    pub label: String,
    /// The class's local name: `Person`, `Country`, … (`Entity` when untyped).
    pub kind: String,
    /// The entity's Wikidata item, from `owl:sameAs`.
    pub wikidata: Option<String>,
    pub description: Option<String>,
    /// Statements it made and received, among those the filters kept.
    pub made: u64,
    pub received: u64,
    /// Position from the layout, in points, rounded to hundredths.
    pub x: f64,
    pub y: f64,
}

impl Node {
    /// The radius pictures draw it with: grows with the square root of its statements.
    pub fn size(&self) -> f64 {
        let statements = (self.made + self.received) as f64;
        ((6.0 + 3.0 * statements.sqrt()).min(40.0) * 100.0).round() / 100.0
    }

    /// The fill every picture gives its kind of entity.
    pub fn colour(&self) -> &'static str {
        match self.kind.as_str() {
            "Person" => "#cc79a7",
            "Country" => "#56b4e9",
            "Organization" => "#f0e442",
            "Group" => "#a6761d",
            "Outlet" => "#999999",
            "Place" => "#66a61e",
            _ => "#dddddd",
        }
    }
}

/// Statements from one speaker to one addressee with one act.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// Indexes into [`Network::nodes`].
    pub source: usize,
    pub target: usize,
    pub act: String,
    pub act_label: String,
    pub cameo: Option<String>,
    pub family: Family,
    /// Distinct statements.
    pub weight: u64,
    /// The stances seen (local names, sorted).
    pub stances: Vec<String>,
    /// Earliest and latest dates as written, when any statement is dated.
    pub first: Option<String>,
    pub last: Option<String>,
    /// Indexes into [`Network::statements`], in statement order.
    pub statements: Vec<usize>,
}

/// One statement, for the lists a page shows on click.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub id: String,
    pub iri: String,
    pub speaker: String,
    /// Addressee node ids (empty: to nobody in particular).
    pub addressees: Vec<String>,
    pub act_label: String,
    pub date: Option<String>,
    pub stance: Option<String>,
    pub quote: Option<String>,
    pub summary: Option<String>,
    pub source_title: Option<String>,
    pub source_url: Option<String>,
    /// Topic labels.
    pub topics: Vec<String>,
}

/// What `--min-weight` and `--top` left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeftOut {
    pub edges_total: usize,
    pub below_min_weight: usize,
    pub beyond_top: usize,
    pub nodes_total: usize,
    pub nodes_dropped: usize,
    pub top: Option<usize>,
    pub min_weight: u64,
}

impl std::fmt::Display for LeftOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kept = self.edges_total - self.below_min_weight - self.beyond_top;
        write!(
            f,
            "network: {} of {} nodes, {kept} of {} edges",
            self.nodes_total - self.nodes_dropped,
            self.nodes_total,
            self.edges_total
        )?;
        let mut why = Vec::new();
        if self.below_min_weight > 0 {
            why.push(format!(
                "{} below --min-weight {}",
                self.below_min_weight, self.min_weight
            ));
        }
        if self.beyond_top > 0 {
            let top = self.top.unwrap_or_default();
            why.push(format!("{} lighter than the heaviest {top} (--top)", self.beyond_top));
        }
        if self.nodes_dropped > 0 {
            why.push(format!("{} nodes with no edge left", self.nodes_dropped));
        }
        if !why.is_empty() {
            write!(f, "; left out: {}", why.join(", "))?;
        }
        Ok(())
    }
}

impl LeftOut {
    /// Whether anything was left out.
    pub fn any(&self) -> bool {
        self.below_min_weight + self.beyond_top + self.nodes_dropped > 0
    }
}

/// The network, laid out.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// Sorted by id.
    pub nodes: Vec<Node>,
    /// Sorted by speaker, addressee, act label and act.
    pub edges: Vec<Edge>,
    /// The statements on the kept edges and those to nobody by the kept nodes, sorted by
    /// IRI.
    pub statements: Vec<Said>,
    pub left_out: LeftOut,
}

/// Builds the network of the statements `options` select in `store`, whose entities were
/// minted from `bases`.
pub fn build(store: &GraphStore, bases: &[String], options: &NetworkOptions) -> Result<Network> {
    build_cancellable(store, bases, options, None)
}

/// [`build`], with its queries stopped (an error) once `cancel` is cancelled: `serve`
/// bounds the network by its `--timeout` and by the client's connection.
pub fn build_cancellable(
    store: &GraphStore,
    bases: &[String],
    options: &NetworkOptions,
    cancel: Option<&oxigraph::sparql::CancellationToken>,
) -> Result<Network> {
    let rows = sparql::fetch(store, bases, options, cancel)?;
    let mut network = aggregate::aggregate(&rows, options);
    layout::place(&mut network);
    Ok(network)
}

/// The network as the JSON document the HTML page draws (and `serve` can hand a page):
/// `nodes`, `edges` (node ids as `source`/`target`, statement ids), `statements`, `families`.
pub fn to_json(network: &Network) -> serde_json::Value {
    html::document(network)
}

/// The HTML page for a server that serves its style and scripts as files.
pub use html::page_for_server;

/// The HTML page's own script, its style and the vendored Cytoscape.js, for a server that
/// hands them out as files rather than inline.
pub use html::{APP as PAGE_SCRIPT, CYTOSCAPE, CYTOSCAPE_LICENSE, STYLE as PAGE_STYLE};

/// Writes the network in `format`. CSV to a file writes two files beside it (see
/// [`csv_paths`]); to standard output, the edge list alone.
pub fn write(network: &Network, format: NetworkFormat, out: &mut dyn Write) -> Result<()> {
    let io = |e: std::io::Error| Error::io(crate::error::Place::Output, e);
    match format {
        NetworkFormat::Html => html::write(network, out).map_err(io),
        NetworkFormat::Svg => svg::write(network, out).map_err(io),
        NetworkFormat::Gexf => xml::write_gexf(network, out).map_err(io),
        NetworkFormat::Graphml => xml::write_graphml(network, out).map_err(io),
        NetworkFormat::Csv => tables::write_edges(network, out),
        NetworkFormat::Dot => tables::write_dot(network, out).map_err(io),
    }
}

/// Writes the CSV node list (Kumu's elements, Flourish's points).
pub fn write_nodes_csv(network: &Network, out: &mut dyn Write) -> Result<()> {
    tables::write_nodes(network, out)
}

/// `-o net.csv` writes `net-nodes.csv` and `net-edges.csv` beside it: Kumu and Flourish
/// each import a node sheet and an edge sheet.
pub fn csv_paths(output: &Path) -> (PathBuf, PathBuf) {
    let stem = output.file_stem().and_then(|s| s.to_str()).unwrap_or("network");
    let beside = |suffix: &str| output.with_file_name(format!("{stem}-{suffix}.csv"));
    (beside("nodes"), beside("edges"))
}

/// The part of an IRI after its last `#` or `/`.
fn local_name(iri: &str) -> String {
    iri.rsplit(['#', '/']).next().unwrap_or(iri).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_flags_or_extensions() {
        assert_eq!(
            NetworkFormat::choose(None, Some(Path::new("a/net.GEXF"))).ok(),
            Some(NetworkFormat::Gexf)
        );
        assert_eq!(
            NetworkFormat::choose(Some(NetworkFormat::Dot), Some(Path::new("x.svg"))).ok(),
            Some(NetworkFormat::Dot)
        );
        assert!(NetworkFormat::choose(None, Some(Path::new("net.txt"))).is_err_and(|e| e.is_usage()));
        assert!(NetworkFormat::choose(None, None).is_err_and(|e| e.is_usage()));
        assert_eq!(
            csv_paths(Path::new("out/net.csv")),
            (PathBuf::from("out/net-nodes.csv"), PathBuf::from("out/net-edges.csv"))
        );
    }
}
