"""Who argues with whom: a GraphML graph of authors, an edge where one answers another.

Author nodes carry ``claims`` (how many they made) and ``rank`` (sum of their claims'
ranks); an edge from A to B counts A's ``supports``, ``rebuts`` and ``restates`` of B's
claims, with ``weight`` their total and ``stance`` (supports − rebuts) / total in -1..1.
Claims without an author (deleted accounts, pasted text) and answers to one's own
claims are left out.
"""

from __future__ import annotations

import networkx as nx

from argmap.export import Exporter, export_graph, register
from argmap.export.graphml import write_graphml


def author_graph(graph: nx.DiGraph) -> nx.DiGraph:
    authors = nx.DiGraph(title=graph.graph.get("title", ""), url=graph.graph.get("url", ""))
    for _node, attrs in graph.nodes(data=True):
        author = attrs.get("author")
        if not author:
            continue
        if author not in authors:
            authors.add_node(author, label=author, claims=0, rank=0.0)
        authors.nodes[author]["claims"] += 1
        authors.nodes[author]["rank"] = round(authors.nodes[author]["rank"] + float(attrs.get("rank", 0.0)), 6)
    for source, target, attrs in graph.edges(data=True):
        speaker = graph.nodes[source].get("author")
        addressee = graph.nodes[target].get("author")
        if not speaker or not addressee or speaker == addressee:
            continue
        if not authors.has_edge(speaker, addressee):
            authors.add_edge(speaker, addressee, supports=0, rebuts=0, restates=0)
        authors.edges[speaker, addressee][attrs["relation"]] += 1
    for _a, _b, attrs in authors.edges(data=True):
        total = attrs["supports"] + attrs["rebuts"] + attrs["restates"]
        attrs["weight"] = float(total)
        attrs["stance"] = round((attrs["supports"] - attrs["rebuts"]) / total, 4)
        attrs["label"] = f"{attrs['supports']}+ {attrs['rebuts']}-"
    return authors


def render(analysis, graph: nx.DiGraph) -> bytes:
    return write_graphml(author_graph(export_graph(graph, xml=True)))


register(Exporter("authors", "authors.graphml", "application/graphml+xml", render, "GraphML of who argues with whom"))
