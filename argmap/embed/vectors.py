"""Sentence vectors with MiniLM, cached by (model, text hash).

The cache is an SQLite file in the instance folder, so re-analysing a thread embeds
nothing twice. Vectors are L2-normalised float32, so a dot product is a cosine. The
runtime (``onnx``, ``onnx-int8``, ``torch``) is chosen by name (``argmap.embed.runtimes``).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from argmap.cache import BlobCache, text_key
from argmap.embed.runtimes import batch_encoder, runtime_name
from argmap.embed.weights import DIMENSIONS, MAX_TOKENS, MODEL_ID
from argmap.settings import default_models_path

BATCH_SIZE = 32


@dataclass(frozen=True)
class Encoder:
    """Which runtime embeds, and where built models are: ``runtime`` None picks the best built."""

    runtime: str | None = None
    models_dir: Path | None = None

    @property
    def folder(self) -> Path:
        return self.models_dir or default_models_path()

    @property
    def name(self) -> str:
        return runtime_name(self.runtime, self.folder)

    @classmethod
    def from_settings(cls, settings) -> "Encoder":
        return cls(settings.encoder, settings.models_folder)


def cache_model_id(encoder: Encoder = Encoder(), max_tokens: int = MAX_TOKENS) -> str:
    """Cache key prefix: int8 vectors, and vectors of texts cut shorter, are cached apart."""
    model_id = MODEL_ID + "-int8" if encoder.name == "onnx-int8" else MODEL_ID
    return model_id if max_tokens == MAX_TOKENS else f"{model_id}@{max_tokens}"


def default_workers() -> int:
    """Batches encoded at once: one per core (each ONNX run uses one thread; 2 cores, at most 4)."""
    return max(1, min(4, os.cpu_count() or 1))


def encode(texts: list[str], *, progress=None, max_tokens: int = MAX_TOKENS,
           encoder: Encoder = Encoder(), workers: int | None = None) -> np.ndarray:
    """Embed texts with no cache: sorted by length (less padding), batched, normalised.

    ONNX batches run on ``workers`` threads at once (ONNX Runtime releases the GIL; each
    run is single-threaded), so the caller can leave a core to spaCy with ``workers=1``.
    """
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    run_batch = batch_encoder(encoder.name, encoder.folder, max_tokens)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    batches = [order[begin:begin + BATCH_SIZE] for begin in range(0, len(order), BATCH_SIZE)]
    workers = 1 if encoder.name == "torch" else (workers or default_workers())

    def run(chunk: list[int]) -> list[int]:
        vectors[chunk] = run_batch([texts[i] for i in chunk])
        return chunk

    def report(finished) -> None:
        done = 0
        for chunk in finished:
            done += len(chunk)
            if progress:
                progress("embed", done, len(texts), f"embedding {done:,}/{len(texts):,} claims")

    if workers == 1:
        report(map(run, batches))
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argmap-encode") as pool:
            report(pool.map(run, batches))
    return vectors


def embed_texts(texts: list[str], *, cache: BlobCache, progress=None, max_tokens: int = MAX_TOKENS,
                encoder: Encoder = Encoder(), workers: int | None = None,
                encoded: list[int] | None = None) -> np.ndarray:
    """Normalised vectors for ``texts`` (one row each), from the cache where possible.

    ``max_tokens`` cuts long texts shorter (whole comments for comment-level stance);
    ``encoded`` (a list) gets the number of texts this call encoded anew appended.
    """
    model_id = cache_model_id(encoder, max_tokens)
    keys = [text_key(t) for t in texts]
    known = {key: np.frombuffer(blob, dtype=np.float32)
             for key, blob in cache.get_many(model_id, list(set(keys))).items()}
    missing = sorted({k: t for k, t in zip(keys, texts) if k not in known}.items())
    if missing:
        fresh = encode([t for _, t in missing], progress=progress, max_tokens=max_tokens, encoder=encoder,
                       workers=workers)
        new = {key: vec for (key, _), vec in zip(missing, fresh)}
        cache.put_many(model_id, {key: vec.astype(np.float32).tobytes() for key, vec in new.items()})
        known.update(new)
        if encoded is not None:
            encoded.append(len(missing))
    elif progress:
        progress("embed", len(texts), len(texts), f"{len(texts):,} claims embedded (cached)")
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.stack([known[k] for k in keys]).astype(np.float32)
