"""The argument graph: claims as nodes, supports/rebuts/restates as directed edges, and
what it means: topics, importance (``rank``), ``controversy`` and stance flags per claim.

Edges point from the claim that supports/rebuts/restates to the claim it answers.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from argmap.analytics import topics as topic_model

from argmap.model import Analysis, Comment, Thread

POST_TEXT_CHARS = 2000  # the post's own text kept on the graph (``post_text``), for "the question" a page shows


def comment_url(thread: Thread, comment: Comment | None, comment_id: str) -> str:
    """A link to the comment on its site, where the source has one."""
    if comment is not None and comment.url:
        return comment.url
    if thread.source == "hn":
        return f"https://news.ycombinator.com/item?id={comment_id}"
    if thread.source == "reddit" and thread.url:
        if comment_id == thread.id:
            return thread.url
        return thread.url.rstrip("/") + f"/_/{comment_id}/"
    return thread.url or ""


def build_graph(analysis: Analysis, vectors: np.ndarray | None = None) -> nx.DiGraph:
    """A DiGraph with one node per claim (attributes per docs/contracts.md) and one edge per relation.

    ``vectors`` (one row per claim, in claim order) are the sentence vectors topics are
    found with; without them topics fall back to TF-IDF word vectors.

    >>> from argmap.model import Thread, Claim, Relation, Analysis
    >>> a = Analysis(Thread("text", "t"), [Claim("c1:0", "c1", "A is B.", 0, 7),
    ...              Claim("c2:0", "c2", "A is not B.", 0, 11)],
    ...              [Relation("c2:0", "c1:0", "rebuts", 0.8)])
    >>> g = build_graph(a)
    >>> g.edges["c2:0", "c1:0"]["relation"], g.nodes["c1:0"]["contested"]
    ('rebuts', True)
    """
    graph = nx.DiGraph(
        thread_id=analysis.thread.id,
        title=analysis.thread.title,
        source=analysis.thread.source,
        url=analysis.thread.url or "",
        post_text=(analysis.thread.text or "")[:POST_TEXT_CHARS],
        post_link=analysis.thread.link or "",
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
            field=claim.field,
            start=claim.start,
            end=claim.end,
            position=claim.position,
            hedged=claim.hedged,
            evidence=claim.evidence,
            score=claim.score,
            quote_of=claim.quote_of,
            **({"parent_inferred": True, "parent_confidence": comment.parent_confidence}
               if comment.parent_inferred else {}),
            **({"quoted_only": True} if comment.quoted_only else {}),
            url=comment_url(analysis.thread, comments.get(claim.comment_id), claim.comment_id),
        )
    for relation in analysis.relations:
        if relation.source not in graph or relation.target not in graph:
            continue  # an edge to a claim that is not in the map says nothing
        graph.add_edge(
            relation.source,
            relation.target,
            relation=relation.relation,
            confidence=relation.confidence,
            origin=relation.origin,
            **{key: value for key, value in (("reply_id", relation.reply_id), ("parent_id", relation.parent_id),
                                              ("stance", relation.stance)) if value is not None},
            **inferred_link(comments, graph.nodes[relation.source]["comment_id"],
                            graph.nodes[relation.target]["comment_id"]),
        )
    annotate(graph, vectors)
    return graph


def inferred_link(comments: dict, source_comment: str, target_comment: str) -> dict:
    """``{"inferred": True, "inferred_confidence": p}`` for an edge that follows a guessed reply link.

    A pasted thread's parents are inferred (``Comment.parent_inferred``); an edge from a
    comment to the comment the model guessed it answers rests on that guess.
    """
    comment = comments.get(source_comment)
    if comment is None or not comment.parent_inferred or source_comment == target_comment:
        return {}
    if comment.parent_id != target_comment:
        return {}
    return {"inferred": True, "inferred_confidence": comment.parent_confidence}


def annotate(graph: nx.DiGraph, vectors: np.ndarray | None = None) -> None:
    """Graph analytics on the claim nodes.

    Sets ``topic`` (int, 0 = largest) and ``topic_label``; ``rank`` (0..1); ``supports`` /
    ``rebuts`` (incoming counts) and ``support_weight`` / ``rebuttal_weight`` (their summed
    confidence); ``supporters`` / ``opponents`` (distinct people behind them); ``controversy``
    (0..1); ``contested`` (rebutted at least once), ``consensus`` (supported, never
    rebutted), ``unanswered`` (neither). The topic table
    (id, label, key_phrases, size, central_claim) goes in ``graph.graph["topics"]``.
    """
    annotate_topics(graph, vectors)
    annotate_rank(graph)
    annotate_stance(graph)


def annotate_topics(graph: nx.DiGraph, vectors: np.ndarray | None = None) -> None:
    nodes = list(graph.nodes)
    texts = [graph.nodes[n]["text"] for n in nodes]
    labels, topics = topic_model.find_topics(texts, vectors)
    for node, topic in zip(nodes, labels.tolist()):
        graph.nodes[node]["topic"] = topic
        graph.nodes[node]["topic_label"] = topics[topic].label
    graph.graph["topics"] = [
        {"id": t.id, "label": t.label, "key_phrases": t.key_phrases, "size": t.size, "central_claim": nodes[t.central]}
        for t in topics
    ]


def comment_weight(score: int | None) -> float:
    """How much a comment's votes lend its claims: 1 for none, growing slowly with the score."""
    return 1.0 + math.log1p(max(score or 0, 0))


def annotate_rank(graph: nx.DiGraph) -> None:
    """``rank``: PageRank over support/rebut edges (claims that draw answers from well-voted
    comments rank high), seeded by each claim's own comment score.

    Log-scaled to 0..1 (1 = the top claim), so one hub answered a hundred times does not
    flatten every other claim to zero.
    """
    if graph.number_of_nodes() == 0:
        return
    argument = nx.DiGraph()
    argument.add_nodes_from(graph.nodes)
    for source, target, attrs in graph.edges(data=True):
        if attrs["relation"] in ("supports", "rebuts"):
            weight = attrs["confidence"] * comment_weight(graph.nodes[source].get("comment_score"))
            argument.add_edge(source, target, weight=weight)
    seed = {n: comment_weight(a.get("comment_score")) * a.get("score", 1.0) for n, a in graph.nodes(data=True)}
    if sum(seed.values()) <= 0:
        seed = None
    try:
        ranks = nx.pagerank(argument, weight="weight", personalization=seed)
    except nx.PowerIterationFailedConvergence:  # rare; the seed alone still orders claims
        ranks = seed or dict.fromkeys(argument, 1.0)
    total = sum(ranks.values()) or 1.0
    scale = len(ranks) / total  # 1.0 = an average claim
    top = math.log1p(max(ranks.values()) * scale) or 1.0
    for node, value in ranks.items():
        graph.nodes[node]["rank"] = round(math.log1p(value * scale) / top, 6)


def controversy(support: float, rebuttal: float) -> float:
    """0..1: volume of answers (saturating) times how much of it disagrees.

    Only supported → 0; rebutted once at full confidence → 0.5; rebuttals at least as
    strong as supports, and many of them → near 1.
    """
    volume = 1.0 - 0.5 ** (support + rebuttal)
    tension = min(1.0, 2.0 * rebuttal / (support + rebuttal)) if rebuttal else 0.0
    return round(volume * tension, 4)


def person(attrs: dict) -> str:
    """Who a claim's author is for counting people: the author, or its comment when unknown.

    >>> person({"author": "[deleted]", "comment_id": "c9"}), person({"author": "ann", "comment_id": "c1"})
    ('comment:c9', 'ann')
    """
    author = attrs.get("author") or ""
    if not author or author in ("[deleted]", "[removed]"):
        return f"comment:{attrs.get('comment_id', '')}"
    return author


def annotate_stance(graph: nx.DiGraph) -> None:
    """Incoming support/rebuttal counts and weights, the distinct people behind them,
    ``controversy`` and the stance flags."""
    for node in graph.nodes:
        support = rebuttal = 0.0
        supports = rebuts = 0
        backers: set[str] = set()
        opponents: set[str] = set()
        for source, _target, attrs in graph.in_edges(node, data=True):
            if source == node:
                continue
            if attrs["relation"] == "supports":
                supports += 1
                support += attrs["confidence"]
                backers.add(person(graph.nodes[source]))
            elif attrs["relation"] == "rebuts":
                rebuts += 1
                rebuttal += attrs["confidence"]
                opponents.add(person(graph.nodes[source]))
        attrs = graph.nodes[node]
        attrs["supports"] = supports
        attrs["rebuts"] = rebuts
        attrs["supporters"] = len(backers - {person(attrs)})
        attrs["opponents"] = len(opponents - {person(attrs)})
        attrs["support_weight"] = round(support, 4)
        attrs["rebuttal_weight"] = round(rebuttal, 4)
        attrs["controversy"] = controversy(support, rebuttal)
        attrs["contested"] = rebuts > 0
        attrs["consensus"] = supports > 0 and rebuts == 0
        attrs["unanswered"] = supports == 0 and rebuts == 0
