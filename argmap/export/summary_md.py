"""The thread summary as Markdown text: topics, key claims, contested, consensus, people."""

from __future__ import annotations

import networkx as nx

from argmap.export import Exporter, export_graph, register
from argmap.analytics.summary import summarize, summary_text


def render(analysis, graph: nx.DiGraph) -> bytes:
    return summary_text(summarize(export_graph(graph, xml=True))).encode("utf-8")


register(Exporter("summary", "md", "text/markdown", render, "the thread summary as Markdown"))
