"""Each claim's nearest claims by cosine: exact for a thread, approximate (HNSW) for a corpus.

Below ``ANN_FROM`` rows the search is exact, in blocks of rows against all rows (memory
grows with ``block`` × rows, never rows²). From ``ANN_FROM`` rows on (a corpus of many
threads) an HNSW index of usearch (Apache-2.0) finds the candidates in about n log n
instead of n², and their cosines are then computed exactly from the vectors, so a
threshold on them means the same as on the exact path.

>>> vectors = np.eye(4, dtype=np.float32)[[0, 0, 1, 2]]
>>> index, cosine = nearest(vectors, 1)
>>> index[:, 0].tolist(), cosine[:, 0].round(2).tolist()
([1, 0, 0, 0], [1.0, 1.0, 0.0, 0.0])
"""

from __future__ import annotations

import numpy as np

ANN_FROM = 30_000  # rows from which the approximate index is used
CONNECTIVITY = 12  # HNSW graph degree
EXPANSION_ADD = 48
EXPANSION_SEARCH = 64
CANDIDATES = 3  # the index is asked for this many times k candidates, re-ranked by exact cosine


def nearest(vectors: np.ndarray, k: int, *, block: int = 1024, approximate: bool | None = None,
            threads: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(indices, cosines), each ``rows × k``: every row's ``k`` nearest other rows of the unit
    ``vectors`` (not in order). ``approximate`` forces the index on or off (default: from
    ``ANN_FROM`` rows on); ``threads`` for the index (0: all cores)."""
    count = len(vectors)
    k = min(k, count - 1)
    if k <= 0:
        return np.zeros((count, 0), dtype=np.int64), np.zeros((count, 0), dtype=np.float32)
    if approximate is None:
        approximate = count >= ANN_FROM
    if approximate:
        return _approximate(vectors, k, block=block, threads=threads)
    indices = np.zeros((count, k), dtype=np.int64)
    cosines = np.zeros((count, k), dtype=np.float32)
    for begin in range(0, count, block):
        sims = vectors[begin:begin + block] @ vectors.T
        rows = np.arange(sims.shape[0])
        sims[rows, rows + begin] = -1.0
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        indices[begin:begin + len(rows)] = top
        cosines[begin:begin + len(rows)] = np.take_along_axis(sims, top, axis=1)
    return indices, cosines


def _approximate(vectors: np.ndarray, k: int, *, block: int, threads: int) -> tuple[np.ndarray, np.ndarray]:
    """HNSW candidates (``CANDIDATES`` × k of them, on 8-bit vectors), re-ranked by their exact cosine."""
    from usearch.index import Index

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    count = len(vectors)
    wanted = min(count, CANDIDATES * k + 1)
    index = Index(ndim=vectors.shape[1], metric="cos", dtype="i8", connectivity=CONNECTIVITY,
                  expansion_add=EXPANSION_ADD, expansion_search=max(EXPANSION_SEARCH, wanted))
    index.add(np.arange(count, dtype=np.uint64), vectors, threads=threads)
    keys = np.asarray(index.search(vectors, wanted, threads=threads).keys, dtype=np.int64).reshape(count, -1)
    rows = np.arange(count)[:, None]
    keys = np.where((keys < 0) | (keys >= count), rows, keys)  # usearch pads a short answer
    indices = np.zeros((count, k), dtype=np.int64)
    cosines = np.zeros((count, k), dtype=np.float32)
    for begin in range(0, count, block):
        part = keys[begin:begin + block]
        sims = np.einsum("rd,rkd->rk", vectors[begin:begin + block], vectors[part])
        sims[part == rows[begin:begin + block]] = -2.0  # never the row itself
        for r in range(len(part)):  # a candidate found twice counts once
            _, first = np.unique(part[r], return_index=True)
            duplicate = np.ones(part.shape[1], dtype=bool)
            duplicate[first] = False
            sims[r, duplicate] = -2.0
        top = np.argsort(-sims, axis=1, kind="stable")[:, :k]
        indices[begin:begin + block] = np.take_along_axis(part, top, axis=1)
        cosines[begin:begin + block] = np.take_along_axis(sims, top, axis=1)
    return indices, np.maximum(cosines, -1.0)
