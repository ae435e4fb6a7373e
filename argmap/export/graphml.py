"""GraphML with scalar attributes only, as Gephi, Cytoscape and yEd read it."""

from __future__ import annotations

import io

import networkx as nx

from argmap.export import Exporter, register


def scalar(value):
    """GraphML holds str/int/float/bool only: lists and dicts become text."""
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set)):
        return "; ".join(str(v) for v in value)
    return str(value)


def graphml_graph(graph: nx.DiGraph) -> nx.DiGraph:
    """A copy with flattened attributes, a ``label`` on nodes and edges, and ``weight`` > 0.

    A ``None`` attribute is left out (GraphML's missing value), so each key keeps one type.
    """
    out = nx.DiGraph()
    out.graph.update({k: scalar(v) for k, v in graph.graph.items() if v is not None})
    for node, attrs in graph.nodes(data=True):
        flat = {k: scalar(v) for k, v in attrs.items() if v is not None}
        flat["label"] = str(attrs.get("text", node))
        out.add_node(node, **flat)
    for source, target, attrs in graph.edges(data=True):
        flat = {k: scalar(v) for k, v in attrs.items() if v is not None}
        flat["label"] = str(attrs.get("relation", ""))
        flat["weight"] = max(float(attrs.get("confidence", 1.0) or 0.0), 1e-3)
        out.add_edge(source, target, **flat)
    return out


def render(analysis, graph: nx.DiGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(graphml_graph(graph), buffer, encoding="utf-8", named_key_ids=True)
    return buffer.getvalue()


register(Exporter("graphml", "graphml", "application/graphml+xml", render, "GraphML for Gephi, Cytoscape, yEd"))
