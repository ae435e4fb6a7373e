"""Corpus maps: many threads' analyses as one map of the debate.

Each thread is analysed on its own (the pipeline, its caches, the job system); the merge
then makes one ``Analysis`` of them, so every export and the page read a corpus like a
thread:

- ids are prefixed with the thread's key (``hn:10939306/10940265:0``); each thread's post
  becomes a top-level comment of the corpus (id = the key), so replies keep their place;
- every thread's own edges are kept; claims that make the same point in **different
  threads** are linked by cross-thread ``restates`` (origin ``across``): cosine ≥
  ``CROSS_RESTATE_SIMILARITY`` among each claim's ``CROSS_NEIGHBOURS`` nearest claims
  (``argmap.analytics.neighbours``: exact for small corpora, an HNSW index from 30,000
  claims), different authors, at least ``RESTATE_MIN_WORDS`` words of which
  ``CROSS_MIN_CONTENT_WORDS`` are not stop words, and the same contradiction guard as within
  a thread (a negation or antonym on one side only, or numbers or month names on both sides
  that share none). A sentence repeated word for word in another thread counts: across
  threads that is the point made again, not a quote;
- topics, rank and controversy are computed over the whole corpus; every claim node has
  ``thread`` (the key) and ``thread_title``; the graph has the ``threads`` table and the
  ``recurring`` disputes: points made in two or more threads and rebutted in at least one,
  with the threads, and who asserts, supports and rebuts them.

Cross-thread *disputes* (a reply in one thread rebutting a claim of another) are not drawn:
no reply answers another thread, and nothing measured says such links would be right.

Adding a thread re-runs only that thread's analysis (the others come from the stored
results or the caches); the merge itself is recomputed (seconds).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import networkx as nx
import numpy as np

from argmap.model import Analysis, Claim, Comment, Relation, Thread

CROSS_RESTATE_SIMILARITY = 0.90  # chosen on judged pairs of the dev corpus (MODEL_CARD / RESULTS)
CROSS_NEIGHBOURS = 5
CROSS_MIN_CONTENT_WORDS = 3  # words beyond stop words: "I kind of agree with you." is no point to link across threads
CORPUS_ID = "corpus"


@dataclass
class CorpusPart:
    """One thread's finished analysis and its claim vectors (one row per claim, in order)."""

    analysis: Analysis
    vectors: np.ndarray

    @property
    def key(self) -> str:
        return thread_key(self.analysis.thread)


def thread_key(thread: Thread) -> str:
    """``source:id``, the prefix of every id the thread brings into a corpus."""
    return f"{thread.source}:{thread.id}"


def merged_analysis(parts: list[CorpusPart], *, title: str = "", corpus_id: str = CORPUS_ID) -> tuple[Analysis, np.ndarray, dict[str, str]]:
    """One Analysis for the corpus, its claim vectors, and claim id → thread key."""
    from argmap.analytics.graph import comment_url

    keys = [part.key for part in parts]
    if len(set(keys)) != len(keys):
        seen, twice = set(), set()
        for key in keys:
            (twice if key in seen else seen).add(key)
        raise ValueError(f"a thread is in the corpus twice: {', '.join(sorted(twice))}")
    corpus = Thread(source="corpus", id=corpus_id, title=title or f"{len(parts)} threads")
    claims: list[Claim] = []
    relations: list[Relation] = []
    thread_of: dict[str, str] = {}
    for part in parts:
        thread, key = part.analysis.thread, part.key

        def local(comment_id: str | None) -> str | None:
            if comment_id is None:
                return None
            return key if comment_id == str(thread.id) else f"{key}/{comment_id}"

        corpus.comments.append(Comment(id=key, parent_id=corpus_id, text=thread.text, author=thread.author,
                                       created_at=thread.created_at, url=thread.url or comment_url(thread, None, thread.id)))
        for comment in thread.comments:
            corpus.comments.append(Comment(
                id=local(comment.id), parent_id=local(comment.parent_id), text=comment.text, author=comment.author,
                created_at=comment.created_at, score=comment.score, deleted=comment.deleted,
                url=comment_url(thread, comment, comment.id), parent_inferred=comment.parent_inferred,
                parent_confidence=comment.parent_confidence, quoted_only=comment.quoted_only))
        for claim in part.analysis.claims:
            merged = Claim(**{**vars(claim), "id": f"{key}/{claim.id}", "comment_id": local(claim.comment_id),
                              "quote_of": f"{key}/{claim.quote_of}" if claim.quote_of else None})
            claims.append(merged)
            thread_of[merged.id] = key
        for relation in part.analysis.relations:
            relations.append(Relation(**{**vars(relation), "source": f"{key}/{relation.source}",
                                         "target": f"{key}/{relation.target}",
                                         "reply_id": local(relation.reply_id), "parent_id": local(relation.parent_id)}))
    vectors = np.vstack([part.vectors for part in parts]) if parts else np.zeros((0, 384), dtype=np.float32)
    if len(vectors) != len(claims):
        raise ValueError("one vector per claim is needed")
    return Analysis(thread=corpus, claims=claims, relations=relations), vectors, thread_of


def cross_thread_restates(claims: list[Claim], vectors: np.ndarray, thread_of: dict[str, str], *,
                          similarity: float = CROSS_RESTATE_SIMILARITY,
                          neighbours: int = CROSS_NEIGHBOURS) -> list[Relation]:
    """``restates`` edges between claims of different threads that make the same point."""
    from argmap.analytics.neighbours import nearest
    from argmap.relations.edges import RESTATE_MIN_WORDS, contradicts

    if len(claims) < 2:
        return []
    index, cosines = nearest(vectors, neighbours)
    edges, seen, count = [], set(), defaultdict(int)
    pairs = [(float(c), i, int(j)) for i, (row, sims) in enumerate(zip(index.tolist(), cosines.tolist()))
             for j, c in zip(row, sims) if c >= similarity]
    for cosine, i, j in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        a, b = claims[i], claims[j]
        key = (min(i, j), max(i, j))
        if key in seen or thread_of[a.id] == thread_of[b.id]:
            continue
        seen.add(key)
        if a.author and b.author and a.author == b.author and a.author not in ("[deleted]", "[removed]"):
            continue  # one person repeating themselves is not the point made again
        if min(len(a.text.split()), len(b.text.split())) < RESTATE_MIN_WORDS or contradicts(a.text, b.text):
            continue
        if min(content_words(a.text), content_words(b.text)) < CROSS_MIN_CONTENT_WORDS:
            continue
        if max(count[a.id], count[b.id]) >= neighbours:
            continue
        later, earlier = (a, b) if i > j else (b, a)
        edges.append(Relation(later.id, earlier.id, "restates", round(min(cosine, 1.0), 4), "across"))
        count[a.id] += 1
        count[b.id] += 1
    return edges


def content_words(text: str) -> int:
    """How many words of ``text`` are not stop words.

    >>> content_words("I kind of agree with you."), content_words("Transit funding should double.")
    (2, 3)
    """
    import re

    from argmap.analytics.stop_words import ENGLISH_STOP_WORDS

    return sum(1 for word in re.findall(r"[a-z0-9']+", text.lower()) if word not in ENGLISH_STOP_WORDS)


def recurring_disputes(graph: nx.DiGraph, limit: int = 20) -> list[dict]:
    """Points made in two or more threads (claims joined by cross-thread restates) that are
    rebutted in at least one: the threads, the claims, who asserts, supports and rebuts them."""
    across = nx.Graph()
    across.add_edges_from((s, t) for s, t, a in graph.edges(data=True) if a.get("origin") == "across")
    out = []
    for members in nx.connected_components(across):
        threads = sorted({graph.nodes[n]["thread"] for n in members})
        if len(threads) < 2:
            continue
        asserted, supported, rebutted, rebuttals = set(), set(), set(), 0
        for node in members:
            asserted.add(graph.nodes[node].get("author") or "anonymous")
            for source, _target, attrs in graph.in_edges(node, data=True):
                author = graph.nodes[source].get("author") or "anonymous"
                if attrs.get("relation") == "supports":
                    supported.add(author)
                elif attrs.get("relation") == "rebuts":
                    rebutted.add(author)
                    rebuttals += 1
        if not rebuttals:
            continue
        best = max(members, key=lambda n: (graph.nodes[n].get("rank", 0), n))
        out.append({"point": graph.nodes[best]["text"], "claim": best, "claims": sorted(members),
                    "threads": threads, "asserted_by": sorted(asserted), "supported_by": sorted(supported),
                    "rebutted_by": sorted(rebutted), "rebuttals": rebuttals})
    out.sort(key=lambda d: (-len(d["threads"]), -d["rebuttals"], d["claim"]))
    return out[:limit]


def build_corpus(parts: list[CorpusPart], *, title: str = "", corpus_id: str = CORPUS_ID,
                 similarity: float = CROSS_RESTATE_SIMILARITY) -> tuple[Analysis, nx.DiGraph]:
    """The corpus as one Analysis and its annotated graph (see the module docstring)."""
    from argmap.analytics.graph import build_graph

    analysis, vectors, thread_of = merged_analysis(parts, title=title, corpus_id=corpus_id)
    across = cross_thread_restates(analysis.claims, vectors, thread_of, similarity=similarity)
    analysis.relations += across
    graph = build_graph(analysis, vectors=vectors)
    titles = {part.key: part.analysis.thread.title or part.key for part in parts}
    for node in graph.nodes:
        graph.nodes[node]["thread"] = thread_of[node]
        graph.nodes[node]["thread_title"] = titles[thread_of[node]]
    graph.graph["threads"] = [{"key": part.key, "title": titles[part.key], "url": part.analysis.thread.url or "",
                               "comments": len(part.analysis.thread.comments), "claims": len(part.analysis.claims)}
                              for part in parts]
    graph.graph["recurring"] = recurring_disputes(graph)
    analysis.stats = {
        "threads": len(parts),
        "comments": sum(len(part.analysis.thread.comments) for part in parts),
        "claims": len(analysis.claims),
        "edges": len(analysis.relations),
        "supports": sum(r.relation == "supports" for r in analysis.relations),
        "rebuts": sum(r.relation == "rebuts" for r in analysis.relations),
        "restates": sum(r.relation == "restates" for r in analysis.relations),
        "cross_thread_restates": len(across),
        "recurring_disputes": len(graph.graph["recurring"]),
    }
    return analysis, graph


def part_of(analysis: Analysis, *, settings=None) -> CorpusPart:
    """A finished analysis with its claim vectors (from the instance cache; encoded if missing)."""
    from argmap.cache import cache_for
    from argmap.embed.vectors import Encoder, embed_texts
    from argmap.settings import Settings

    settings = settings or Settings.from_env()
    vectors = embed_texts([c.text for c in analysis.claims], cache=cache_for(str(settings.instance_folder)),
                          encoder=Encoder.from_settings(settings))
    return CorpusPart(analysis, vectors)


def note_failed(analysis, failed: list[str]) -> None:
    """Name the sources that could not be read in the corpus map's notes (the map leaves them out)."""
    if failed:
        analysis.thread.notes.append(f"{len(failed)} item(s) failed and are not in the map: " + "; ".join(failed[:10]))
        analysis.stats["notes"] = list(analysis.thread.notes)


def collection_result(store, collection_id: str, *, settings=None) -> tuple[dict, list[dict], tuple[Analysis, nx.DiGraph] | None]:
    """A stored collection, its items, and its merged map (None while an item is still
    queued or running). Failed items are left out (named in the map's notes). The merge is
    kept for the set of finished items it was made from; a new item's analysis adds to it
    without any other thread being analysed again."""
    import hashlib

    found = store.get_collection(collection_id)
    if found is None:
        return None, [], None
    collection, rows = found
    from argmap.store import first_run_pending

    if any(first_run_pending(row) for row in rows):
        return collection, rows, None
    done = [row for row in rows if row["status"] == "done" or row.get("version")]
    digest = hashlib.sha256("|".join(f"{r['id']}:{r.get('version') or 1}" for r in done).encode()).hexdigest()
    kept = store.get_collection_result(collection_id, digest)
    if kept is not None:
        return collection, rows, kept
    parts, seen = [], set()
    for row in done:
        result = store.get_result(row["id"])
        if result is None:
            continue
        part = part_of(result[0], settings=settings)
        if part.key in seen:  # the same thread added twice: mapped once
            continue
        seen.add(part.key)
        parts.append(part)
    analysis, graph = build_corpus(parts, title=collection.get("title") or "", corpus_id=collection_id)
    note_failed(analysis, [row["source"] for row in rows if row["status"] == "failed"])
    store.put_collection_result(collection_id, digest, analysis, graph)
    return collection, rows, (analysis, graph)
