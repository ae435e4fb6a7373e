"""AIF JSON (AIFdb / OVA / arguebuf): the map in the Argument Interchange Format.

I-nodes are claims and L-nodes the comments that assert them (``author: text``), each
L anchored to its claims by a YA "Asserting" node. Argument edges never join I-nodes
directly: supports go I → RA → I, rebuttals I → CA → I, restatements I → MA → I. A reply
is a TA node from the parent's L to the reply's L; where a relation answers the comment
replied to, a YA ("Arguing", "Disagreeing", "Restating") anchors its scheme node on that
TA. Authors are the participants, linked to their L-nodes by ``locutions``.
"""

from __future__ import annotations

import json
from datetime import datetime

import networkx as nx

from argmap.export import Exporter, clean, export_graph, register

SCHEMES = {"supports": ("RA", "Default Inference", "Arguing"),
           "rebuts": ("CA", "Default Conflict", "Disagreeing"),
           "restates": ("MA", "Default Rephrase", "Restating")}
UNKNOWN = "[unknown]"


def aif_time(iso: str | None) -> str:
    """AIF's ``YYYY-MM-DD HH:mm:ss``; empty when the source gave no time."""
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return ""


class AifBuilder:
    def __init__(self):
        self.nodes: list[dict] = []
        self.edges: list[dict] = []

    def node(self, node_id: str, kind: str, text: str, timestamp: str = "", **extra) -> str:
        self.nodes.append({"nodeID": node_id, "text": text, "type": kind, "timestamp": timestamp, **extra})
        return node_id

    def edge(self, source: str, target: str) -> None:
        self.edges.append({"edgeID": f"E{len(self.edges)}", "fromID": source, "toID": target, "formEdgeID": None})


def aif_data(analysis, graph: nx.DiGraph) -> dict:
    thread = analysis.thread
    comments = thread.comment_by_id()
    comments[thread.id] = thread.root_comment()
    out = AifBuilder()
    claims_of: dict[str, list[str]] = {}
    for node, attrs in graph.nodes(data=True):
        claims_of.setdefault(attrs["comment_id"], []).append(node)

    locution_of: dict[str, str] = {}
    participants: dict[str, int] = {}
    locutions = []
    for comment_id in claims_of:
        comment = comments[comment_id]
        author = comment.author or UNKNOWN
        # an unknown or deleted author is one participant per comment, as the map counts people
        # (argmap.analytics.graph.person): not one speaker arguing with everyone
        known = author not in (UNKNOWN, "[deleted]", "[removed]")
        person = participants.setdefault(author if known else f"{author}\x00{comment_id}", len(participants) + 1)
        stamp = aif_time(comment.created_at)
        text = " ".join(comment.text.split())
        locution_of[comment_id] = out.node(f"L{comment_id}", "L", f"{author} : {text}", stamp)
        locutions.append({"nodeID": f"L{comment_id}", "personID": str(person), "timestamp": stamp,
                          "start": None, "end": None, "source": graph.nodes[claims_of[comment_id][0]].get("url") or None})
        for claim in claims_of[comment_id]:
            out.node(f"I{claim}", "I", graph.nodes[claim]["text"], stamp, claimID=claim)
            out.edge(locution_of[comment_id], out.node(f"YA{claim}", "YA", "Asserting", stamp))
            out.edge(f"YA{claim}", f"I{claim}")

    transition_of: dict[tuple[str, str], str] = {}
    for comment_id in claims_of:
        parent = nearest_with_claims(comments, comments[comment_id].parent_id, claims_of)
        if parent is None:
            continue
        ta = out.node(f"TA{comment_id}", "TA", "Default Transition", aif_time(comments[comment_id].created_at))
        out.edge(locution_of[parent], ta)
        out.edge(ta, locution_of[comment_id])
        transition_of[(parent, comment_id)] = ta

    for index, (source, target, attrs) in enumerate(graph.edges(data=True)):
        kind, text, illocution = SCHEMES[attrs["relation"]]
        scheme = out.node(f"{kind}{index}", kind, text, confidence=attrs["confidence"])
        out.edge(f"I{source}", scheme)
        out.edge(scheme, f"I{target}")
        ta = transition_of.get((graph.nodes[target]["comment_id"], graph.nodes[source]["comment_id"]))
        if ta:
            out.edge(ta, out.node(f"YA{kind}{index}", "YA", illocution))
            out.edge(f"YA{kind}{index}", scheme)

    return {
        "nodes": out.nodes,
        "edges": out.edges,
        "locutions": locutions,
        "participants": [{"participantID": str(pid), "firstname": name.split("\x00")[0], "surname": ""}
                         for name, pid in participants.items()],
    }


def nearest_with_claims(comments: dict, comment_id: str, claims_of: dict) -> str | None:
    """The closest ancestor (itself first) whose comment asserts a claim."""
    while comment_id:
        if comment_id in claims_of:
            return comment_id
        comment = comments.get(comment_id)
        comment_id = comment.parent_id if comment is not None else ""
    return None


def render(analysis, graph: nx.DiGraph) -> bytes:
    return json.dumps(clean(aif_data(analysis, export_graph(graph))), ensure_ascii=False).encode("utf-8")


register(Exporter("aif", "aif.json", "application/json", render, "AIF JSON for AIFdb, OVA and arguebuf"))
