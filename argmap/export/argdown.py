"""Argdown (argdown.org): claims as statements, one section per topic, ``<+``/``<-`` relations.

Each claim is ``[title]: text #(topic label) {author: …, comment: …, url: …}`` under a
``# Topic n: label`` heading; relations follow, grouped under the claim they answer:
``[target]`` then ``<+ [supporter]`` / ``<- [rebutter]``. Argdown has no restatement
relation, so restatements are listed as ``//`` comments. Text is escaped so the
official parser reads it with zero errors (tests run it).
"""

from __future__ import annotations

import json
import re

import networkx as nx

from argmap.export import Exporter, export_graph, register

ESCAPED = re.compile(r"([\\\[\]<>#@*_{}/`~=+\-:])")
ARROWS = {"supports": "<+", "rebuts": "<-"}


def title(claim_id: str) -> str:
    """A claim id as an Argdown title (letters, digits, ``-``)."""
    return re.sub(r"[^A-Za-z0-9-]", "-", claim_id)


def escape(text: str) -> str:
    """One line of statement text with every character Argdown gives meaning escaped."""
    return ESCAPED.sub(r"\\\1", " ".join(text.split()))


def tag(label: str) -> str:
    return "#(" + re.sub(r"[()\[\]{}#@\\/]", " ", label).strip() + ")"


def data(attrs: dict) -> str:
    """Statement metadata as a YAML flow mapping (JSON strings are valid YAML)."""
    fields = {"author": attrs.get("author") or "", "comment": attrs.get("comment_id", ""), "url": attrs.get("url", ""),
              "rank": attrs.get("rank", 0.0), "controversy": attrs.get("controversy", 0.0)}
    return "{" + ", ".join(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items()) + "}"


def argdown_text(graph: nx.DiGraph) -> str:
    lines = ["===", f"title: {json.dumps(graph.graph.get('title') or 'argmap', ensure_ascii=False)}", "===", ""]
    topics = {t["id"]: t["label"] for t in graph.graph.get("topics", [])}
    by_topic: dict[int, list[str]] = {}
    for node, attrs in graph.nodes(data=True):
        by_topic.setdefault(attrs.get("topic", 0), []).append(node)
    for topic in sorted(by_topic):
        label = topics.get(topic, "other")
        lines += [f"# Topic {topic}: {escape(label)}", ""]
        for node in by_topic[topic]:
            attrs = graph.nodes[node]
            lines += [f"[{title(node)}]: {escape(attrs['text'])} {tag(label)} {data(attrs)}", ""]
    lines += ["# Relations", ""]
    for target in graph.nodes:
        answers = [(s, a["relation"]) for s, _t, a in graph.in_edges(target, data=True) if a["relation"] in ARROWS]
        if answers:
            lines.append(f"[{title(target)}]")
            lines += [f"  {ARROWS[relation]} [{title(source)}]" for source, relation in answers]
            lines.append("")
    for source, target, attrs in graph.edges(data=True):
        if attrs["relation"] == "restates":
            lines.append(f"// {title(source)} restates {title(target)}")
    return "\n".join(lines) + "\n"


def render(analysis, graph: nx.DiGraph) -> bytes:
    return argdown_text(export_graph(graph, xml=True)).encode("utf-8")


register(Exporter("argdown", "argdown", "text/plain", render, "Argdown for argdown.org tools"))
