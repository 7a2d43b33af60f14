//! Rows into the network: statements merged by id, nodes and edges counted in sorted
//! maps (so the store's order never shows), then `--min-weight` and `--top` applied and
//! what they left out counted.

use std::collections::{BTreeMap, BTreeSet};

use super::{Edge, Family, LeftOut, Network, NetworkOptions, Node, Said, local_name};

/// The rows for one (statement, addressee), as `sparql` reads them.
#[derive(Debug, Clone, Default)]
pub(super) struct Row {
    pub(super) statement: String,
    pub(super) speaker: String,
    pub(super) addressee: Option<String>,
    pub(super) act: String,
    pub(super) date: Option<String>,
    pub(super) stance: Option<String>,
    pub(super) quote: Option<String>,
    pub(super) summary: Option<String>,
    pub(super) source_title: Option<String>,
    pub(super) source_url: Option<String>,
}

/// What `sparql` reads: statement rows, and what it knows of entities, acts and topics.
#[derive(Debug, Default)]
pub(super) struct Rows {
    pub(super) rows: Vec<Row>,
    pub(super) entities: BTreeMap<String, EntityInfo>,
    pub(super) acts: BTreeMap<String, (String, Option<String>)>,
    pub(super) topics: BTreeMap<String, Vec<String>>,
    /// The prefix stripped from entity IRIs to make node ids (`BASE entity/`), if one.
    pub(super) entity_namespace: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub(super) struct EntityInfo {
    pub(super) label: Option<String>,
    pub(super) kind: Option<String>,
    pub(super) wikidata: Option<String>,
    pub(super) description: Option<String>,
}

/// Aggregates rows into nodes and edges, then applies `--min-weight` and `--top`.
pub(super) fn aggregate(input: &Rows, options: &NetworkOptions) -> Network {
    let id_of = |iri: &str| -> String {
        match &input.entity_namespace {
            Some(ns) => iri.strip_prefix(ns.as_str()).unwrap_or(iri).to_owned(),
            None => iri.to_owned(),
        }
    };
    // Statements by id: one row per addressee, merged.
    let mut said: BTreeMap<String, Said> = BTreeMap::new();
    for row in &input.rows {
        let statement_id = row.statement.rsplit('/').next().unwrap_or(&row.statement).to_owned();
        let entry = said.entry(row.statement.clone()).or_insert_with(|| Said {
            id: statement_id,
            iri: row.statement.clone(),
            speaker: id_of(&row.speaker),
            addressees: Vec::new(),
            act_label: input
                .acts
                .get(&row.act)
                .map_or_else(|| local_name(&row.act), |a| a.0.clone()),
            date: row.date.clone(),
            stance: row.stance.as_deref().map(local_name),
            quote: row.quote.clone(),
            summary: row.summary.clone(),
            source_title: row.source_title.clone(),
            source_url: row.source_url.clone(),
            topics: input.topics.get(&row.statement).cloned().unwrap_or_default(),
        });
        if let Some(addressee) = &row.addressee {
            let id = id_of(addressee);
            if !entry.addressees.contains(&id) {
                entry.addressees.push(id);
            }
        }
    }
    let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
    let mut node = |iri: &str| -> String {
        let id = id_of(iri);
        nodes.entry(id.clone()).or_insert_with(|| {
            let info = input.entities.get(iri).cloned().unwrap_or_default();
            Node {
                id: id.clone(),
                iri: iri.to_owned(),
                label: info.label.unwrap_or_else(|| id.clone()),
                kind: info.kind.unwrap_or_else(|| "Entity".to_owned()),
                wikidata: info.wikidata,
                description: info.description,
                made: 0,
                received: 0,
                x: 0.0,
                y: 0.0,
            }
        });
        id
    };
    // (speaker, addressee, act) → statement IRIs.
    let mut pairs: BTreeMap<(String, String, String), BTreeSet<String>> = BTreeMap::new();
    for row in &input.rows {
        let speaker = node(&row.speaker);
        if let Some(addressee) = &row.addressee {
            let addressee = node(addressee);
            pairs
                .entry((speaker, addressee, row.act.clone()))
                .or_default()
                .insert(row.statement.clone());
        }
    }
    for statement in said.values_mut() {
        statement.addressees.sort();
        if let Some(n) = nodes.get_mut(&statement.speaker) {
            n.made += 1;
        }
        for addressee in &statement.addressees {
            if let Some(n) = nodes.get_mut(addressee) {
                n.received += 1;
            }
        }
    }
    let pruned = prune(pairs, options);
    finish(nodes, said, &pruned, &input.acts, options)
}

/// The edges `--min-weight` and `--top` keep, and how many each left out.
struct Pruned {
    kept: Vec<((String, String, String), BTreeSet<String>)>,
    total: usize,
    below_min_weight: usize,
    beyond_top: usize,
}

fn prune(pairs: BTreeMap<(String, String, String), BTreeSet<String>>, options: &NetworkOptions) -> Pruned {
    let total = pairs.len();
    let min_weight = options.min_weight.max(1) as usize;
    let (mut kept, light): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(_, s)| s.len() >= min_weight);
    let mut beyond_top = 0;
    if let Some(top) = options.top
        && kept.len() > top
    {
        // Heaviest first; the map's order breaks ties, so the cut is deterministic.
        kept.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
        beyond_top = kept.len() - top;
        kept.truncate(top);
        kept.sort_by(|a, b| a.0.cmp(&b.0));
    }
    Pruned {
        kept,
        total,
        below_min_weight: light.len(),
        beyond_top,
    }
}

fn finish(
    mut nodes: BTreeMap<String, Node>,
    said: BTreeMap<String, Said>,
    pruned: &Pruned,
    acts: &BTreeMap<String, (String, Option<String>)>,
    options: &NetworkOptions,
) -> Network {
    let nodes_total = nodes.len();
    let pruning = pruned.below_min_weight + pruned.beyond_top > 0;
    if pruning {
        let ends: BTreeSet<&String> = pruned.kept.iter().flat_map(|((s, a, _), _)| [s, a]).collect();
        nodes.retain(|id, _| ends.contains(id));
    }
    let index: BTreeMap<String, usize> = nodes.keys().enumerate().map(|(i, id)| (id.clone(), i)).collect();
    // Pruned, the page lists only what it draws: the kept edges' statements, and those to
    // nobody in particular by the kept nodes.
    let on_kept: BTreeSet<&String> = pruned.kept.iter().flat_map(|(_, iris)| iris).collect();
    let statements: Vec<Said> = said
        .into_values()
        .filter(|s| !pruning || on_kept.contains(&s.iri) || (s.addressees.is_empty() && nodes.contains_key(&s.speaker)))
        .collect();
    let statement_index: BTreeMap<&str, usize> = statements
        .iter()
        .enumerate()
        .map(|(i, s)| (s.iri.as_str(), i))
        .collect();
    let mut edges: Vec<Edge> = pruned
        .kept
        .iter()
        .map(|((speaker, addressee, act), iris)| {
            let ids: Vec<usize> = iris
                .iter()
                .filter_map(|i| statement_index.get(i.as_str()).copied())
                .collect();
            let (label, cameo) = acts.get(act).cloned().unwrap_or_else(|| (local_name(act), None));
            let dated: Vec<&String> = ids.iter().filter_map(|&i| statements[i].date.as_ref()).collect();
            let stances: BTreeSet<String> = ids.iter().filter_map(|&i| statements[i].stance.clone()).collect();
            Edge {
                source: index[speaker],
                target: index[addressee],
                act: act.clone(),
                family: Family::of(cameo.as_deref()),
                act_label: label,
                cameo,
                weight: iris.len() as u64,
                stances: stances.into_iter().collect(),
                first: dated.iter().min().map(|d| (*d).clone()),
                last: dated.iter().max().map(|d| (*d).clone()),
                statements: ids,
            }
        })
        .collect();
    let mut nodes: Vec<Node> = nodes.into_values().collect();
    edges.sort_by(|a, b| {
        (&nodes[a.source].id, &nodes[a.target].id, &a.act_label, &a.act).cmp(&(
            &nodes[b.source].id,
            &nodes[b.target].id,
            &b.act_label,
            &b.act,
        ))
    });
    nodes.shrink_to_fit();
    Network {
        left_out: LeftOut {
            edges_total: pruned.total,
            below_min_weight: pruned.below_min_weight,
            beyond_top: pruned.beyond_top,
            nodes_total,
            nodes_dropped: nodes_total - nodes.len(),
            top: options.top,
            min_weight: options.min_weight,
        },
        nodes,
        edges,
        statements,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(statement: &str, speaker: &str, addressee: Option<&str>, act: &str) -> Row {
        Row {
            statement: format!("b/statement/{statement}"),
            speaker: format!("b/entity/{speaker}"),
            addressee: addressee.map(|a| format!("b/entity/{a}")),
            act: format!("https://w3id.org/saidgraph/act#{act}"),
            ..Row::default()
        }
    }

    fn rows() -> Rows {
        Rows {
            rows: vec![
                row("s1", "a", Some("b"), "warn"),
                row("s1", "a", Some("c"), "warn"),
                row("s2", "a", Some("b"), "warn"),
                row("s3", "b", Some("a"), "praise"),
                row("s4", "c", None, "say"),
            ],
            entity_namespace: Some("b/entity/".to_owned()),
            ..Rows::default()
        }
    }

    #[test]
    fn edges_count_statements_per_speaker_addressee_and_act() {
        let network = aggregate(&rows(), &NetworkOptions::default());
        let ids: Vec<&str> = network.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        let edges: Vec<(usize, usize, &str, u64)> = network
            .edges
            .iter()
            .map(|e| (e.source, e.target, e.act_label.as_str(), e.weight))
            .collect();
        assert_eq!(edges, [(0, 1, "warn", 2), (0, 2, "warn", 1), (1, 0, "praise", 1)]);
        // A statement to nobody counts on its speaker.
        assert_eq!((network.nodes[2].made, network.nodes[2].received), (1, 1));
        assert_eq!((network.nodes[0].made, network.nodes[0].received), (2, 1));
        assert!(!network.left_out.any());
    }

    #[test]
    fn min_weight_and_top_leave_out_edges_and_say_so() {
        let options = NetworkOptions {
            min_weight: 2,
            ..NetworkOptions::default()
        };
        let network = aggregate(&rows(), &options);
        assert_eq!(network.edges.len(), 1);
        assert_eq!(network.nodes.len(), 2);
        assert_eq!(
            network.left_out.to_string(),
            "network: 2 of 3 nodes, 1 of 3 edges; left out: 2 below --min-weight 2, 1 nodes with no edge left"
        );
        let top = NetworkOptions {
            top: Some(2),
            ..NetworkOptions::default()
        };
        let network = aggregate(&rows(), &top);
        let kept: Vec<(usize, usize, u64)> = network.edges.iter().map(|e| (e.source, e.target, e.weight)).collect();
        // The heaviest, then the first in key order among the ties.
        assert_eq!(kept, [(0, 1, 2), (0, 2, 1)]);
        assert_eq!(network.left_out.beyond_top, 1);
    }
}
