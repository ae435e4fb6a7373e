"""Argdown (argdown.org): claims as statements, one section per topic, ``<+``/``<-`` relations.

Each claim is ``[title]: text #(topic label) {author: …, comment: …, url: …}`` under a
``# Topic n: label`` heading; relations follow, grouped under the claim they answer:
``[target]`` then ``<+ [supporter]`` / ``<- [rebutter]``. Argdown has no restatement
relation, so restatements are listed as ``//`` comments. Text is escaped so the
official parser reads it with zero errors (tests run it).
"""

from __future__ import annotations

import hashlib
import json
import re

import networkx as nx

from argmap.export import Exporter, export_graph, register

# every character Argdown gives meaning, and a "." that could open a special character
# (".A." is one of its shortcodes: U.A.E. → U∀E.; a dot before a space or the end cannot)
ESCAPED = re.compile(r"([\\\[\]<>#@*_{}/`~=+\-:]|\.(?=\S))")
ARROWS = {"supports": "<+", "rebuts": "<-"}


def title(claim_id: str) -> str:
    """A claim id as an Argdown title (letters and digits joined by ``-``), one title per id.

    HN, Reddit and pasted claim ids (``<comment id>:<n>``) only lose their colon; any other
    id gets a short hash of itself, so ``a_b:0`` and ``a-b:0`` stay two statements.

    >>> title("c5w9al8:0"), title("a_b:0") != title("a-b:0")
    ('c5w9al8-0', True)
    """
    if re.fullmatch(r"[A-Za-z0-9]+:[0-9]+", claim_id):
        return claim_id.replace(":", "-")
    plain = re.sub(r"[^A-Za-z0-9]+", "-", claim_id).strip("-")  # a title must not open with "-"
    return "-".join(filter(None, [plain, hashlib.sha1(claim_id.encode("utf-8")).hexdigest()[:8]]))


def yaml_string(value: str) -> str:
    """A double-quoted YAML string that Argdown's block patterns cannot end early: ``{``, ``}``
    (a data block) and ``=`` (front matter fences) written as ``\\u`` escapes."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("{", "\\u007b").replace("}", "\\u007d").replace("=", "\\u003d")


def escape(text: str) -> str:
    """One line of statement text with every character Argdown gives meaning escaped."""
    return ESCAPED.sub(r"\\\1", " ".join(text.split()))


def tag(label: str) -> str:
    return "#(" + re.sub(r"[()\[\]{}#@\\/]", " ", label).strip() + ")"


def data(attrs: dict) -> str:
    """Statement metadata as a YAML flow mapping (JSON strings are valid YAML)."""
    fields = {"author": attrs.get("author") or "", "comment": attrs.get("comment_id", ""), "url": attrs.get("url", ""),
              "rank": attrs.get("rank", 0.0), "controversy": attrs.get("controversy", 0.0)}
    return "{" + ", ".join(f"{key}: {yaml_string(value) if isinstance(value, str) else json.dumps(value)}"
                           for key, value in fields.items()) + "}"


def argdown_text(graph: nx.DiGraph) -> str:
    lines = ["===", f"title: {yaml_string(graph.graph.get('title') or 'argmap')}", "===", ""]
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
