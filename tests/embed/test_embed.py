"""Embeddings: the real MiniLM, the cache, and the ONNX runtimes against sentence-transformers."""

import numpy as np
import pytest

from argmap.cache import cache_for
from argmap.embed import vectors as embed
from argmap.embed.onnx_runtime import load_onnx_encoder, onnx_path
from argmap.embed.torch_runtime import load_encoder
from argmap.embed.weights import DIMENSIONS
from argmap.settings import default_models_path

pytestmark = pytest.mark.slow

TEXTS = [
    "Most of the papers in machine learning are coming from China.",
    "The sanctions only prevent exporting a certain class of GPUs to China.",
    "You just described most scientific progress.",
    "Cats are better pets than dogs because they need less attention from their owners all day long.",
]


@pytest.fixture(scope="module")
def reference():
    return load_encoder().encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)


def test_vectors_are_normalised_and_meaningful(tmp_path):
    vectors = embed.embed_texts(TEXTS, cache=cache_for(str(tmp_path)))
    assert vectors.shape == (4, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    sims = vectors @ vectors.T
    assert sims[0, 1] > sims[0, 3], "China/ML is closer to China/GPUs than to cats"


def test_cache_returns_the_same_vectors_without_encoding(tmp_path, monkeypatch):
    cache = cache_for(str(tmp_path))
    first = embed.embed_texts(TEXTS, cache=cache)
    monkeypatch.setattr(embed, "encode", lambda *a, **k: pytest.fail("cached texts were embedded again"))
    again = embed.embed_texts(list(reversed(TEXTS)), cache=cache)
    assert np.allclose(again, first[::-1])


def test_empty_input(tmp_path):
    assert embed.embed_texts([], cache=cache_for(str(tmp_path))).shape == (0, DIMENSIONS)


@pytest.mark.parametrize("variant, floor", [("fp32", 0.9999), ("int8", 0.95)])
def test_onnx_matches_sentence_transformers(reference, variant, floor):
    path = onnx_path(default_models_path(), variant)
    if not path.exists():
        pytest.skip("ONNX encoder not built (run: argmap build-encoder)")
    vectors = load_onnx_encoder(path).encode(TEXTS)
    cosines = (vectors * reference).sum(axis=1)
    assert cosines.min() >= floor, cosines
