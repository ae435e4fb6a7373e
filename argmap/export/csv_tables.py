"""CSV for spreadsheets: one zip with ``claims.csv``, ``relations.csv`` and ``topics.csv``."""

from __future__ import annotations

import csv
import io
import zipfile

import networkx as nx

from argmap.export import Exporter, export_graph, register

CLAIM_COLUMNS = ("id", "comment_id", "author", "text", "topic", "topic_label", "rank", "controversy", "supports",
                 "rebuts", "contested", "consensus", "unanswered", "comment_score", "start", "end", "url", "parent_inferred", "parent_confidence",
                 "quoted_only")
RELATION_COLUMNS = ("source", "target", "relation", "confidence", "origin", "inferred", "inferred_confidence",
                    "source_text", "target_text")
TOPIC_COLUMNS = ("id", "label", "size", "central_claim")
CORPUS_COLUMNS = ("thread", "thread_title")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """A cell a spreadsheet shows as text: one that would start a formula gets a leading ``'``
    (OWASP's CSV-injection rule); None is empty."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def table(columns: tuple[str, ...], rows) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: cell(v) for k, v in row.items()})
    return buffer.getvalue()


def render(analysis, graph: nx.DiGraph) -> bytes:
    graph = export_graph(graph, xml=True)  # no control characters; only http(s) in the url column
    claims = ({"id": node, **attrs} for node, attrs in graph.nodes(data=True))
    corpus = any("thread" in attrs for _node, attrs in graph.nodes(data=True))  # a corpus map: say each claim's thread
    relations = ({"source": s, "target": t, **attrs, "source_text": graph.nodes[s]["text"],
                  "target_text": graph.nodes[t]["text"]} for s, t, attrs in graph.edges(data=True))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # UTF-8 with a byte-order mark, so spreadsheet programs pick the right encoding.
        archive.writestr("claims.csv", "\ufeff" + table(CLAIM_COLUMNS + CORPUS_COLUMNS * corpus, claims))
        archive.writestr("relations.csv", "\ufeff" + table(RELATION_COLUMNS, relations))
        archive.writestr("topics.csv", "\ufeff" + table(TOPIC_COLUMNS, graph.graph.get("topics", [])))
    return buffer.getvalue()


register(Exporter("csv", "zip", "application/zip", render, "CSV tables (claims, relations, topics) in one zip"))
