"""The argument graph: claims as nodes, supports/rebuts/restates as directed edges.

Edges point from the claim that supports/rebuts/restates to the claim it answers.
"""

from __future__ import annotations

import networkx as nx

from argmap.model import Analysis


def comment_url(analysis: Analysis, comment_id: str) -> str:
    """A link to the comment on its site, where the source has one."""
    thread = analysis.thread
    comments = thread.comment_by_id()
    comment = comments.get(comment_id)
    if comment is not None and comment.url:
        return comment.url
    if thread.source == "hn":
        return f"https://news.ycombinator.com/item?id={comment_id}"
    if thread.source == "reddit" and thread.url:
        if comment_id == thread.id:
            return thread.url
        return thread.url.rstrip("/") + f"/_/{comment_id}/"
    return thread.url or ""


def build_graph(analysis: Analysis) -> nx.DiGraph:
    """A DiGraph with one node per claim (attributes per DESIGN.md) and one edge per relation.

    >>> from argmap.model import Thread, Claim, Relation, Analysis
    >>> a = Analysis(Thread("text", "t"), [Claim("c1:0", "c1", "A is B.", 0, 7),
    ...              Claim("c2:0", "c2", "A is not B.", 0, 11)],
    ...              [Relation("c2:0", "c1:0", "rebuts", 0.8)])
    >>> g = build_graph(a)
    >>> g.edges["c2:0", "c1:0"]["relation"]
    'rebuts'
    """
    graph = nx.DiGraph(
        thread_id=analysis.thread.id,
        title=analysis.thread.title,
        source=analysis.thread.source,
        url=analysis.thread.url or "",
    )
    comments = analysis.thread.comment_by_id()
    root = analysis.thread.root_comment()
    for claim in analysis.claims:
        comment = comments.get(claim.comment_id, root)
        graph.add_node(
            claim.id,
            kind="claim",
            text=claim.text,
            comment_id=claim.comment_id,
            parent_id=comment.parent_id,
            author=claim.author or "",
            created_at=comment.created_at or "",
            comment_score=comment.score,
            start=claim.start,
            end=claim.end,
            position=claim.position,
            hedged=claim.hedged,
            evidence=claim.evidence,
            score=claim.score,
            quote_of=claim.quote_of,
            url=comment_url(analysis, claim.comment_id),
            topic=0,
            rank=0.0,
        )
    for relation in analysis.relations:
        graph.add_edge(
            relation.source,
            relation.target,
            relation=relation.relation,
            confidence=relation.confidence,
            origin=relation.origin,
        )
    annotate(graph)
    return graph


def annotate(graph: nx.DiGraph) -> None:
    """Graph analytics on the claim nodes: ``rank`` (PageRank toward answered claims)."""
    if graph.number_of_nodes() == 0:
        return
    ranks = nx.pagerank(graph, weight="confidence") if graph.number_of_edges() else {}
    for node in graph.nodes:
        graph.nodes[node]["rank"] = round(float(ranks.get(node, 1.0 / graph.number_of_nodes())), 6)
