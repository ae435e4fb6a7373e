"""GraphML with scalar attributes only, as Gephi, Cytoscape and yEd read it.

Every key keeps one type (str, int, float or bool), ``None`` is left out (GraphML's
missing value), lists and dicts become text, nodes and edges get a ``label`` and edges
a ``weight`` > 0.
"""

from __future__ import annotations

import io

import networkx as nx

from argmap.export import Exporter, export_graph, register


def scalar(value):
    """GraphML holds str/int/float/bool only: lists and dicts become text."""
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def one_type_per_key(rows: list[dict]) -> None:
    """Make each attribute one GraphML type across rows: ints mixed with floats become
    floats, anything mixed with text becomes text (a reader keeps one type per key)."""
    types: dict[str, set] = {}
    for row in rows:
        for key, value in row.items():
            types.setdefault(key, set()).add(type(value))
    for key, seen in types.items():
        if len(seen) == 1:
            continue
        target = float if seen <= {int, float} else str
        for row in rows:
            if key in row:
                row[key] = target(row[key])


def flatten(attrs: dict) -> dict:
    return {k: scalar(v) for k, v in attrs.items() if v is not None and not isinstance(v, dict | list)}


def graphml_graph(graph: nx.DiGraph) -> nx.DiGraph:
    """A copy with flattened attributes, a ``label`` on nodes and edges, and ``weight`` > 0.

    Graph-level lists (the topic table) are left out: the claims carry ``topic_label``.
    """
    out = nx.DiGraph()
    out.graph.update(flatten(graph.graph))
    node_rows = []
    for node, attrs in graph.nodes(data=True):
        flat = {k: scalar(v) for k, v in attrs.items() if v is not None}
        flat["label"] = str(attrs.get("text", node))
        node_rows.append(flat)
    edge_rows = []
    for _source, _target, attrs in graph.edges(data=True):
        flat = {k: scalar(v) for k, v in attrs.items() if v is not None}
        flat["label"] = str(attrs.get("relation", ""))
        flat["weight"] = max(float(attrs.get("confidence", 1.0) or 0.0), 1e-3)
        edge_rows.append(flat)
    one_type_per_key(node_rows)
    one_type_per_key(edge_rows)
    out.add_nodes_from(zip(graph.nodes, node_rows))
    out.add_edges_from((s, t, row) for (s, t), row in zip(graph.edges, edge_rows))
    return out


def write_graphml(graph: nx.DiGraph) -> bytes:
    # ElementTree's writer, not lxml's: a request must not be able to take the process down
    # in native code; the text is made legal XML before (``export_graph(graph, xml=True)``).
    buffer = io.BytesIO()
    nx.write_graphml_xml(graph, buffer, encoding="utf-8")
    return buffer.getvalue()


def render(analysis, graph: nx.DiGraph) -> bytes:
    return write_graphml(graphml_graph(export_graph(graph, xml=True)))


register(Exporter("graphml", "graphml", "application/graphml+xml", render, "GraphML for Gephi, Cytoscape, yEd"))
