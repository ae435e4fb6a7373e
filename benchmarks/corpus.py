"""A corpus of every recorded thread: its cost against the threads one by one, and the
nearest-neighbour search at 50,000+ claims.

    .venv/bin/python benchmarks/corpus.py [--json OUT.json]     # needs ../shared

1. Every thread of ``../shared/threads`` that argmap reads (the recorded files, plus the
   thread only a PRAW cassette holds, r/funny 3hahrw, replayed through the public JSON
   path at the network edge; n49rw's cassette is the same thread as its listing file and the
   two single-comment refresh cassettes are not threads), each analysed alone, cold, in a
   fresh instance folder: the sum of their times.
2. The same threads as one corpus (``argmap corpus``'s code path), cold, in a fresh
   instance folder: every thread's analysis, then the merge (cross-thread restates, corpus
   topics, recurring disputes). Target: ≤ 2 × the sum of 1.
3. ``argmap.analytics.neighbours.nearest`` (k = 5) on the corpus's claim vectors and on
   60,000+ (the corpus's vectors, plus copies of them with a little noise, renormalised):
   exact blocked search against the HNSW index (usearch, 8-bit), its seconds, recall of
   the exact neighbours, the index's memory and the process's peak memory.
All in one process (models loaded once). ``--json`` also writes the corpus's node-link
export (for judging its cross-thread links).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
THREADS = ROOT.parent / "shared" / "threads"


def recorded_sources(folder: Path) -> list[Path]:
    """The recorded thread files argmap reads, plus r/funny 3hahrw from its PRAW cassette (written to ``folder``)."""
    from argmap.model import thread_to_json
    from argmap.sources import reddit
    from argmap.sources.http import HttpClient
    from argmap.sources.urls import parse_url
    from tests.sources.fakes import cassette_session

    files = [p for p in sorted(THREADS.rglob("*.json"))
             if not p.name.startswith("Test") and "morechildren" not in p.name]
    session = cassette_session(THREADS / "reddit" / "TestCommentForest.test_replace__all.json")
    thread = reddit.fetch_public(parse_url("https://www.reddit.com/r/funny/comments/3hahrw/"), HttpClient(session),
                                 max_comments=5000, limit=300)
    cassette = folder / "reddit_3hahrw_from_praw_cassette.json"
    cassette.write_text(thread_to_json(thread), encoding="utf-8")
    return files + [cassette]


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def main() -> int:
    if not THREADS.is_dir():
        sys.exit(f"needs {THREADS}")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import numpy as np

    from argmap.analytics.neighbours import nearest
    from argmap.corpus import build_corpus, part_of
    from argmap.export import get_exporter
    from argmap.pipeline import analyze_thread
    from argmap.settings import Settings
    from argmap.sources.files import load_file

    work = Path(tempfile.mkdtemp(prefix="argmap-corpus-"))
    sources = recorded_sources(work)
    threads = [load_file(path) for path in sources]
    print(f"Measured {date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}: {len(threads)} threads, "
          f"{sum(len(t.comments) for t in threads):,} comments\n")
    base = Settings.from_env()

    singles = {}
    for path, thread in zip(sources, threads):
        settings = base.replace(instance_path=work / f"alone-{path.stem}")
        started = time.perf_counter()
        analyze_thread(thread, settings=settings)
        singles[path.name] = time.perf_counter() - started
        print(f"  alone: {path.name}: {singles[path.name]:.1f} s", file=sys.stderr)
    single_sum = sum(singles.values())

    settings = base.replace(instance_path=work / "corpus")
    started = time.perf_counter()
    parts = []
    for thread in threads:
        analysis, _graph = analyze_thread(load_file_again(thread), settings=settings)
        parts.append(part_of(analysis, settings=settings))
    analysed = time.perf_counter() - started
    merge_started = time.perf_counter()
    corpus, graph = build_corpus(parts, title="Every recorded thread")
    merge = time.perf_counter() - merge_started
    total = time.perf_counter() - started
    stats = corpus.stats
    print("| run | seconds |\n|---|---|")
    print(f"| {len(threads)} threads one by one, cold (sum) | {single_sum:.1f} |")
    print(f"| the same as one corpus, cold: the threads' analyses | {analysed:.1f} |")
    print(f"| the merge: cross-thread restates, topics, recurring disputes | {merge:.1f} |")
    print(f"| **corpus total** | **{total:.1f}** ({total / single_sum:.2f} × the sum; target ≤ 2 ×) |")
    print(f"\ncorpus: {stats['claims']:,} claims, {stats['edges']:,} edges, {stats['cross_thread_restates']:,} "
          f"cross-thread restates, {stats['recurring_disputes']} recurring disputes, "
          f"{len(graph.graph['topics'])} topics; peak memory so far {peak_gb():.2f} GB")

    vectors = np.vstack([part.vectors for part in parts]).astype(np.float32)
    rng = np.random.default_rng(7)
    grown = vectors
    while len(grown) < 60_000:
        noisy = vectors + rng.normal(scale=0.02, size=vectors.shape).astype(np.float32)
        grown = np.vstack([grown, noisy / np.linalg.norm(noisy, axis=1, keepdims=True)])
    print("\n| claims | search | seconds | recall of the exact 5 nearest | index memory |\n|---|---|---|---|---|")
    for name, matrix in (("corpus", vectors), ("corpus + noisy copies", grown)):
        started = time.perf_counter()
        exact, _ = nearest(matrix, 5, approximate=False)
        exact_seconds = time.perf_counter() - started
        started = time.perf_counter()
        approx, _ = nearest(matrix, 5, approximate=True)
        approx_seconds = time.perf_counter() - started
        recall = float(np.mean([len(set(a) & set(e)) / 5 for a, e in zip(approx.tolist(), exact.tolist())]))
        print(f"| {len(matrix):,} ({name}) | exact, blocked | {exact_seconds:.1f} | 1 | — |")
        print(f"| {len(matrix):,} ({name}) | HNSW (usearch, i8) | {approx_seconds:.1f} | {recall:.3f} | "
              f"{index_bytes(matrix) / 2**20:.0f} MiB |")
    print(f"\npeak memory of the whole run: {peak_gb():.2f} GB")
    if "--json" in sys.argv:
        out = Path(sys.argv[sys.argv.index("--json") + 1])
        out.write_bytes(get_exporter("json").render(corpus, graph))
        print(f"wrote {out}", file=sys.stderr)
    return 0


def load_file_again(thread):
    """A fresh copy of a thread (the pipeline may annotate the one it is given)."""
    from argmap.model import thread_from_dict, thread_to_dict

    return thread_from_dict(thread_to_dict(thread))


def index_bytes(matrix) -> int:
    """The memory of a usearch index over ``matrix`` as ``nearest`` builds it."""
    import numpy as np
    from usearch.index import Index

    from argmap.analytics import neighbours

    index = Index(ndim=matrix.shape[1], metric="cos", dtype="i8", connectivity=neighbours.CONNECTIVITY,
                  expansion_add=neighbours.EXPANSION_ADD)
    index.add(np.arange(len(matrix), dtype=np.uint64), matrix)
    return int(index.memory_usage)


if __name__ == "__main__":
    sys.exit(main())
