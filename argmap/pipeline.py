"""``analyze``: the one entry point the CLI, the web service and the workers call.

sources → claims → embed → relations → analytics; ``export`` renders the result.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Callable

import networkx as nx

from argmap.model import Analysis, Thread, clean_thread
from argmap.settings import Settings

if TYPE_CHECKING:
    from argmap.sources.urls import ThreadRef

BACKGROUND_BATCH = 64  # claims per background encoding task (what is left queued when parsing ends goes to both cores)

# progress(stage, done, total, message)
Progress = Callable[[str, int, int, str], None]


def _quiet(stage: str, done: int, total: int, message: str) -> None:
    return None


def top_level_threshold_for(judge, threshold: float) -> float | None:
    """The edge threshold for replies to the post: the judge's own (None when no threshold
    was precise enough for them on the dev threads: none is drawn), never below ``threshold``,
    so a higher threshold asked for means fewer, surer edges everywhere.

    >>> def judge(): pass
    >>> judge.threshold, judge.top_level_threshold = 0.42, None
    >>> top_level_threshold_for(judge, 0.6) is None
    True
    >>> judge.top_level_threshold = 0.5
    >>> top_level_threshold_for(judge, 0.3), top_level_threshold_for(judge, 0.6)
    (0.5, 0.6)
    """
    own = getattr(judge, "top_level_threshold", judge.threshold)
    return None if own is None else max(own, threshold)


def analyze_thread(thread: Thread, *, settings: Settings | None = None, progress: Progress | None = None,
                   threshold: float | None = None, cache=None) -> tuple[Analysis, nx.DiGraph]:
    """Run claims → embeddings → relations → graph over a thread.

    ``settings`` (read from the environment when not given) chooses the models and the
    instance folder whose cache (``cache`` overrides it) keeps parses and vectors.
    """
    from argmap.analytics.graph import build_graph
    from argmap.cache import cache_for
    from argmap.claims.extraction import extract_claims
    from argmap.embed.comments import thread_comment_vectors
    from argmap.embed.vectors import Encoder, embed_texts
    from argmap.relations import anchor
    from argmap.relations.edges import build_relations, comments_read, replies_to_judge
    from argmap.relations.stance import judge_fingerprint, stance_judge
    from argmap.result_cache import keep_result, load_result, result_key

    settings = (settings or Settings.from_env()).for_thread(thread)
    cache = cache if cache is not None else cache_for(str(settings.instance_folder))
    encoder = Encoder.from_settings(settings)
    progress = progress or _quiet
    timings: dict[str, float] = {}
    parsed: dict[str, int] = {}  # texts parsed rather than read back from the cache
    encoded: list[int] = []  # texts encoded rather than read back, per encoding call

    started = time.perf_counter()
    key = result_key(thread, settings, threshold)
    kept = load_result(cache, key)
    if kept is not None:
        analysis, argument_graph = kept
        analysis.timings = {"kept": time.perf_counter() - started}
        analysis.stats.update(texts_parsed=0, texts_encoded=0)  # this run read everything back
        progress("done", 1, 1, f"{len(analysis.claims):,} claims, {len(analysis.relations):,} edges "
                               "(this thread was analysed before: read back)")
        return analysis, argument_graph

    # Both cores busy: while spaCy parses later comments on one core, the claims read so far
    # are encoded on the other (a background thread; ONNX Runtime releases the GIL). When the
    # parsing is done, what is still queued is encoded on both cores.
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="argmap-embed") as background:
        queued: list[tuple[Future, set[str]]] = []

        def encode_soon(chunk_claims: list) -> None:
            texts = [c.text for c in chunk_claims]
            for begin in range(0, len(texts), BACKGROUND_BATCH):
                part = texts[begin:begin + BACKGROUND_BATCH]
                queued.append((background.submit(embed_texts, part, cache=cache, encoder=encoder, workers=1,
                                                 encoded=encoded), set(part)))

        claims = extract_claims(thread, spacy_model=settings.spacy_model, progress=progress, cache=cache,
                                on_claims=encode_soon, report=parsed)
        timings["claims"] = time.perf_counter() - started
        progress("claims", len(claims), len(claims), f"found {len(claims):,} claims")
        started = time.perf_counter()
        in_flight = [(future, texts) for future, texts in queued if not future.cancel()]
        busy = set().union(*(texts for _, texts in in_flight))
        embed_texts([c.text for c in claims if c.text not in busy], cache=cache, progress=progress,
                    encoder=encoder, encoded=encoded)
        for future, _ in in_flight:
            future.result()  # raises what the background encoding raised
    vectors = embed_texts([c.text for c in claims], cache=cache, encoder=encoder)
    timings["embed"] = time.perf_counter() - started

    started = time.perf_counter()
    judge = stance_judge(settings.relation_method, cache=cache, encoder=encoder,
                         folder=settings.models_folder / "stance")
    if getattr(judge, "fallback", None):
        thread.notes.append("the stance model's files are missing: stances were read by the marker rules, "
                            "far less accurately (check ARGMAP_MODELS_PATH)")
    if threshold is None:
        threshold = settings.edge_threshold if settings.edge_threshold is not None else judge.threshold
    top_level_threshold = top_level_threshold_for(judge, threshold)
    read = comments_read(thread, replies_to_judge(thread, top_level_threshold, {c.comment_id for c in claims}))
    comment_vectors = thread_comment_vectors(thread, claims, vectors, cache=cache, encoder=encoder, encoded=encoded,
                                             only=read)
    edges, judged = build_relations(
        thread, claims, vectors, judge=judge, threshold=threshold, top_level_threshold=top_level_threshold,
        comment_vectors=comment_vectors,
        encode_texts=lambda texts: embed_texts(texts, cache=cache, max_tokens=anchor.REPLY_TOKENS, encoder=encoder,
                                               encoded=encoded),
        progress=progress)
    timings["relations"] = time.perf_counter() - started

    analysis = Analysis(thread=thread, claims=claims, relations=edges, timings=timings)
    started = time.perf_counter()
    argument_graph = build_graph(analysis, vectors=vectors)
    timings["graph"] = time.perf_counter() - started
    analysis.stats = {
        "comments": len(thread.comments),
        "claims": len(claims),
        "stance_method": settings.relation_method,
        "stance_judge": judge_fingerprint(settings.relation_method, settings.models_folder / "stance"),
        "replies_judged": judged["replies_judged"],
        "replies_to_post_not_judged": judged["replies_to_post_not_judged"],
        "reply_stances": {key: judged[key] for key in ("agree", "disagree", "neither")},
        "same_author_copies": judged["same_author_copies"],
        "edges": len(edges),
        "supports": sum(r.relation == "supports" for r in edges),
        "rebuts": sum(r.relation == "rebuts" for r in edges),
        "restates": sum(r.relation == "restates" for r in edges),
        "notes": list(thread.notes),
        # what this run did anew (the rest came from the cache): a refresh parses and encodes only new text
        "texts_parsed": parsed.get("texts_parsed", 0),
        "texts_encoded": sum(encoded),
    }
    keep_result(cache, key, analysis, argument_graph)
    progress("done", 1, 1, f"{len(claims):,} claims, {len(edges):,} edges")
    return analysis, argument_graph


def analyze(source: str | ThreadRef | Thread, *, settings: Settings | None = None, progress: Progress | None = None,
            threshold: float | None = None, max_comments: int | None = None,
            update_from=None) -> tuple[Analysis, nx.DiGraph]:
    """Analyse a URL, shorthand, file path or Thread; returns the Analysis and its graph.

    ``update_from`` (an ``argmap.live.Snapshot`` of an earlier analysis of the same thread)
    makes this the next version: vanished comments are kept as deleted and
    ``analysis.changes`` says what changed (``argmap.live.refresh``).
    """
    from argmap.sources.resolver import resolve

    settings = settings or Settings.from_env()
    progress = progress or _quiet
    started = time.perf_counter()
    if isinstance(source, Thread):
        thread = clean_thread(source)
    else:
        progress("fetch", 0, 0, f"reading {getattr(source, 'canonical_url', source)}")
        thread = resolve(source, settings=settings, progress=progress, max_comments=max_comments)
    fetch_seconds = time.perf_counter() - started
    progress("fetch", len(thread.comments), len(thread.comments), f"fetched {len(thread.comments):,} comments")
    if update_from is not None:
        from argmap.live import refresh

        analysis, argument_graph = refresh(update_from, thread, settings=settings, progress=progress,
                                           threshold=threshold)
    else:
        analysis, argument_graph = analyze_thread(thread, settings=settings, progress=progress, threshold=threshold)
    analysis.timings = {"parse": fetch_seconds, **analysis.timings}
    return analysis, argument_graph


def export(analysis: Analysis, argument_graph: nx.DiGraph, fmt: str) -> bytes:
    from argmap.export import get_exporter

    return get_exporter(fmt).render(analysis, argument_graph)
