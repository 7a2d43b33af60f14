//! The network as one self-contained HTML page: Cytoscape.js (vendored from npm,
//! `assets/cytoscape/`, MIT), the page's own script and style (`assets/network/`) and the
//! network as JSON, all inline. A Content-Security-Policy of `default-src 'none'` lets the
//! page load nothing from anywhere, so it works offline, from disk, and cannot leak what
//! it shows. The JSON document is [`document`]'s, which `serve` can hand a page as well.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Family, Network};

const PAGE: &str = include_str!("../../assets/network/page.html");
/// The page's style.
pub const STYLE: &str = include_str!("../../assets/network/page.css");
/// The page's script: reads the document from `#network-data` and draws it.
pub const APP: &str = include_str!("../../assets/network/page.js");
/// Cytoscape.js, as vendored from npm.
pub const CYTOSCAPE: &str = include_str!("../../assets/cytoscape/cytoscape.min.js");
/// Cytoscape.js's licence (MIT).
pub const CYTOSCAPE_LICENSE: &str = include_str!("../../assets/cytoscape/LICENSE");

/// The network as JSON: `nodes` (id, label, type, iri, wikidata, description, made,
/// received, size, colour, x, y), `edges` (id, source and target node ids, act, actLabel,
/// cameo, family slug, weight, stances, first, last, statement ids), `statements` (id,
/// iri, speaker, addressees, actLabel, date, stance, quote, summary, sourceTitle,
/// sourceUrl, topics), `families` (slug, label, colour) and `leftOut` (what `--min-weight`
/// and `--top` left out, or null). Keys are sorted, so the text is byte-stable.
pub fn document(network: &Network) -> Value {
    let nodes: Vec<Value> = network
        .nodes
        .iter()
        .map(|n| {
            json!({
                "id": n.id, "label": n.label, "type": n.kind, "iri": n.iri, "wikidata": n.wikidata,
                "description": n.description, "made": n.made, "received": n.received,
                "size": n.size(), "colour": n.colour(), "x": n.x, "y": n.y,
            })
        })
        .collect();
    let edges: Vec<Value> = network
        .edges
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let ids: Vec<&str> = e
                .statements
                .iter()
                .map(|&s| network.statements[s].id.as_str())
                .collect();
            json!({
                "id": format!("e{i}"), "source": network.nodes[e.source].id, "target": network.nodes[e.target].id,
                "act": e.act, "actLabel": e.act_label, "cameo": e.cameo, "family": e.family.slug(),
                "weight": e.weight, "stances": e.stances, "first": e.first, "last": e.last, "statements": ids,
            })
        })
        .collect();
    let statements: Vec<Value> = network
        .statements
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "iri": s.iri, "speaker": s.speaker, "addressees": s.addressees,
                "actLabel": s.act_label, "date": s.date, "stance": s.stance, "quote": s.quote,
                "summary": s.summary, "sourceTitle": s.source_title, "sourceUrl": s.source_url,
                "topics": s.topics,
            })
        })
        .collect();
    let families: Vec<Value> = Family::ALL
        .iter()
        .map(|f| json!({"slug": f.slug(), "label": f.label(), "colour": f.colour()}))
        .collect();
    let left_out = network.left_out.any().then(|| network.left_out.to_string());
    json!({"nodes": nodes, "edges": edges, "statements": statements, "families": families, "leftOut": left_out})
}

/// JSON safe inside a `<script>` element: every `<` as `\u003c`, so no `</script>` or
/// `<!--` in the data can end the element early.
fn script_safe_json(value: &Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

pub fn write(network: &Network, out: &mut dyn Write) -> io::Result<()> {
    let page = PAGE
        .replacen("/*STYLE*/", STYLE, 1)
        .replacen("/*DATA*/", &script_safe_json(&document(network)), 1);
    // The scripts go in last, so that nothing in them is taken for a placeholder.
    let (head, rest) = page.split_once("/*CYTOSCAPE*/").unwrap_or((&page, ""));
    let (middle, tail) = rest.split_once("/*APP*/").unwrap_or((rest, ""));
    out.write_all(head.as_bytes())?;
    out.write_all(CYTOSCAPE.as_bytes())?;
    out.write_all(middle.as_bytes())?;
    out.write_all(APP.as_bytes())?;
    out.write_all(tail.as_bytes())
}

/// The page for a server, whose Content-Security-Policy (`'self'`) allows files from it
/// but nothing inline: the same body and data as [`write`]'s, with `head` (links to the
/// style) in place of the inline style, `scripts` (the scripts by address) in place of the
/// inline ones, `bar` at the top of the body, and no CSP of its own (the server sends it).
pub fn page_for_server(network: &Network, head: &str, scripts: &str, bar: &str) -> String {
    let page: String = PAGE
        .lines()
        .filter(|line| !line.contains("http-equiv=\"Content-Security-Policy\""))
        .map(|line| format!("{line}\n"))
        .collect();
    page.replacen("<style>\n/*STYLE*/\n</style>\n", head, 1)
        .replacen(
            "<script>\n/*CYTOSCAPE*/\n</script>\n<script>\n/*APP*/\n</script>\n",
            scripts,
            1,
        )
        .replacen("<body>\n", &format!("<body>\n{bar}"), 1)
        .replacen("/*DATA*/", &script_safe_json(&document(network)), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_scripts_cannot_end_their_element_and_the_page_has_its_placeholders() {
        for script in [CYTOSCAPE, APP] {
            assert!(!script.to_ascii_lowercase().contains("</script"));
        }
        for placeholder in ["/*STYLE*/", "/*DATA*/", "/*CYTOSCAPE*/", "/*APP*/"] {
            assert_eq!(PAGE.matches(placeholder).count(), 1, "{placeholder}");
        }
        assert!(CYTOSCAPE.contains("cf.version=\"3.35.0\""));
        let network = Network {
            nodes: Vec::new(),
            edges: Vec::new(),
            statements: Vec::new(),
            left_out: super::super::LeftOut::default(),
        };
        let served = page_for_server(&network, "<!--HEAD-->\n", "<!--SCRIPTS-->\n", "<!--BAR-->\n");
        for part in [
            "<!--HEAD-->",
            "<!--SCRIPTS-->",
            "<body>\n<!--BAR-->",
            "id=\"network-data\">{",
        ] {
            assert!(served.contains(part), "{part}");
        }
        for gone in ["/*", "<style>", "<script>", "Content-Security-Policy"] {
            assert!(!served.contains(gone), "{gone}");
        }
        let json = script_safe_json(&json!({"quote": "</script><!-- x"}));
        assert_eq!(json, "{\"quote\":\"\\u003c/script>\\u003c!-- x\"}");
        assert_eq!(
            serde_json::from_str::<Value>(&json).ok(),
            Some(json!({"quote": "</script><!-- x"}))
        );
    }
}
