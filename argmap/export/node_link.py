"""networkx node-link JSON: ``{"nodes": [...], "edges": [...]}`` plus the thread summary.

``graph`` holds the thread fields and the topic table, ``summary`` what
``argmap.analytics.summary.summarize`` says, ``stats`` the pipeline's counts, ``comments``
each comment's id, parent, author, time, text fingerprint, deleted flag and text, and ``post``
the post's id and fingerprint (what ``argmap analyze URL --update-from FILE.json`` compares),
and ``changes``, for a refreshed
analysis, what changed since the earlier version (``argmap.live.changes``).
"""

from __future__ import annotations

import json

import networkx as nx

from argmap.export import Exporter, clean, export_graph, register
from argmap.analytics.summary import summarize
from argmap.live import comment_marks, post_mark


def node_link_data(graph: nx.DiGraph) -> dict:
    return nx.node_link_data(graph, edges="edges")


def render(analysis, graph: nx.DiGraph) -> bytes:
    graph = export_graph(graph)
    data = node_link_data(graph)
    data["summary"] = summarize(graph)
    data["stats"] = clean(analysis.stats)
    data["comments"] = clean(comment_marks(analysis.thread))
    data["post"] = clean(post_mark(analysis.thread))
    if getattr(analysis, "changes", None):
        data["changes"] = clean(analysis.changes)
    return json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")


register(Exporter("json", "json", "application/json", render, "networkx node-link JSON with the thread summary"))
