"""Cytoscape.js elements JSON, what the web page draws (also opens in Cytoscape desktop).

``{"elements": {"nodes": [{"data": {...}}], "edges": [{"data": {...}}]}, "summary": {...}}``

Node ``data`` keys (one node per claim):
  ``id`` claim id; ``label`` the claim text cut to 80 characters; ``text`` the whole claim;
  ``kind`` ("claim"); ``author`` ("" when unknown); ``comment_id``; ``url`` (link to the
  comment); ``topic`` (int, 0 = largest) and ``topic_label`` (key phrases);
  ``rank`` (0..1, 1 = the most important claim); ``controversy`` (0..1); ``supports`` /
  ``rebuts`` (counts of incoming supporting / rebutting claims); ``contested``,
  ``consensus``, ``unanswered`` (bools); ``comment_score`` (int, or null when the site
  gives none); ``hedged``, ``evidence`` (bools); ``quote_of`` (claim id or null); ``parent_inferred`` (true when the
comment's parent was guessed from a paste) and ``parent_confidence`` (0..1, or null);
``quoted_only`` (true on a paste's stand-in for a quoted comment it lacks, else null).
Edge ``data`` keys: ``id`` ("e<n>"), ``source`` (the supporting/rebutting claim),
``target`` (the claim it answers), ``relation`` (supports | rebuts | restates),
``confidence`` (0..1), ``inferred`` (true when the edge follows a reply link guessed from
a paste) and ``inferred_confidence`` (that guess's confidence, or null).
``summary`` is ``argmap.analytics.summary.summarize`` (topics, most_contested, strongest_consensus,
unanswered, people).
"""

from __future__ import annotations

import json
import textwrap

import networkx as nx

from argmap.export import Exporter, export_graph, register
from argmap.analytics.summary import summarize

NODE_KEYS = ("text", "kind", "author", "comment_id", "url", "topic", "topic_label", "rank", "controversy",
             "supports", "rebuts", "contested", "consensus", "unanswered", "comment_score", "hedged",
             "evidence", "quote_of", "parent_inferred", "parent_confidence", "quoted_only")
CORPUS_NODE_KEYS = ("thread", "thread_title")
LABEL_CHARS = 80


def elements(graph: nx.DiGraph) -> dict:
    nodes = []
    for node, attrs in graph.nodes(data=True):
        data = {"id": node, "label": textwrap.shorten(" ".join(attrs["text"].split()) or node, LABEL_CHARS, placeholder=" …")}
        data.update({key: attrs.get(key) for key in NODE_KEYS})
        data.update({key: attrs[key] for key in CORPUS_NODE_KEYS if key in attrs})  # a corpus map's claims
        nodes.append({"data": data})
    edges = [
        {"data": {"id": f"e{index}", "source": source, "target": target,
                  "relation": attrs["relation"], "confidence": attrs["confidence"],
                  "inferred": bool(attrs.get("inferred")), "inferred_confidence": attrs.get("inferred_confidence")}}
        for index, (source, target, attrs) in enumerate(graph.edges(data=True))
    ]
    return {"nodes": nodes, "edges": edges}


def cytoscape_data(graph: nx.DiGraph) -> dict:
    return {"elements": elements(graph), "summary": summarize(graph)}


def render(analysis, graph: nx.DiGraph) -> bytes:
    return json.dumps(cytoscape_data(export_graph(graph)), ensure_ascii=False).encode("utf-8")


register(Exporter("cytoscape", "cyjs", "application/json", render, "Cytoscape.js elements JSON with the summary"))
