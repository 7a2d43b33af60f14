"""Reads a GEXF and a GraphML file with networkx and prints what it finds, as JSON.

Used by tests/integration/network.rs: each file's nodes, and its edges as
"speaker|addressee|act" -> weight, which the test compares with a SPARQL count over the
same data. Usage: python read_network.py FILE.gexf FILE.graphml
"""
import json
import sys

import networkx as nx


def summary(graph, act_key):
    edges = {}
    for source, target, data in graph.edges(data=True):
        key = f"{source}|{target}|{data[act_key]}"
        if key in edges:
            raise SystemExit(f"edge {key} twice")
        edges[key] = float(data["weight"])
    return {
        "directed": graph.is_directed(),
        "nodes": sorted(str(n) for n in graph.nodes()),
        "labels": sorted(str(d.get("label", "")) for _, d in graph.nodes(data=True)),
        "edges": edges,
    }


gexf = nx.read_gexf(sys.argv[1])
graphml = nx.read_graphml(sys.argv[2])
print(json.dumps({
    "networkx": nx.__version__,
    "gexf": summary(gexf, "act"),
    "graphml": summary(graphml, "act"),
}, sort_keys=True))
