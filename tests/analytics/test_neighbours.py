"""Nearest claims: the exact blocked search and the HNSW index agree."""

from __future__ import annotations

import numpy as np

from argmap.analytics.neighbours import nearest


def clustered(count: int, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(40, 384))
    vectors = centres[rng.integers(0, 40, count)] + 0.6 * rng.normal(size=(count, 384))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_the_index_finds_what_the_exact_search_finds():
    vectors = clustered(3000)
    exact, exact_cos = nearest(vectors, 5, approximate=False)
    approx, approx_cos = nearest(vectors, 5, approximate=True)
    recall = np.mean([len(set(a) & set(e)) / 5 for a, e in zip(approx.tolist(), exact.tolist())])
    assert recall >= 0.95, recall
    assert not (approx == np.arange(len(vectors))[:, None]).any()  # never a row as its own neighbour
    # cosines are exact on both paths: the same pair has the same cosine
    pairs = {(i, j): c for i, (row, cos) in enumerate(zip(exact.tolist(), exact_cos.tolist())) for j, c in zip(row, cos)}
    shared = [(c, pairs[(i, j)]) for i, (row, cos) in enumerate(zip(approx.tolist(), approx_cos.tolist()))
              for j, c in zip(row, cos) if (i, j) in pairs]
    assert shared and max(abs(a - b) for a, b in shared) < 1e-5


def test_tiny_inputs():
    one = clustered(1)
    index, cosine = nearest(one, 5)
    assert index.shape == (1, 0) and cosine.shape == (1, 0)
    two = clustered(2)
    assert nearest(two, 5, approximate=True)[0].tolist() == [[1], [0]]
