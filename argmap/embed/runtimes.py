"""MiniLM runtimes by name: each turns texts into normalised vectors.

``RUNTIMES`` maps a name to a loader ``(models_dir, max_tokens) -> (texts -> vectors)`` or
None when that runtime is not built: ``onnx`` (the default: the model exported to ONNX,
vectors identical to sentence-transformers, no torch import; the stance head is trained
on its vectors), ``onnx-int8`` (quantised, about 1.8× faster, cosine ≈ 0.99 to fp32; a
head retrained on int8 vectors lost 1.7 points of in-domain test macro-F1, so it is an
option, not the default) and ``torch`` (sentence-transformers).

>>> sorted(RUNTIMES)
['onnx', 'onnx-int8', 'torch']
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from argmap.embed.onnx_runtime import load_onnx_encoder, onnx_path
from argmap.embed.torch_runtime import torch_batch_encoder
from argmap.errors import ArgmapError

BatchEncoder = Callable[[list[str]], np.ndarray]


def _onnx(variant: str):
    def load(models_dir: Path, max_tokens: int) -> BatchEncoder | None:
        encoder = load_onnx_encoder(onnx_path(models_dir, variant))
        return None if encoder is None else (lambda batch: encoder.encode(batch, max_tokens))

    return load


def _torch(models_dir: Path, max_tokens: int) -> BatchEncoder:
    return torch_batch_encoder(max_tokens)


RUNTIMES: dict[str, Callable[[Path, int], BatchEncoder | None]] = {
    "onnx": _onnx("fp32"),
    "onnx-int8": _onnx("int8"),
    "torch": _torch,
}
FALLBACK = "torch"


def runtime_name(configured: str | None, models_dir: Path) -> str:
    """The runtime in use: the configured one, else ONNX fp32 if built, else torch."""
    choice = (configured or "").strip().lower()
    if choice:
        if choice not in RUNTIMES:
            raise ArgmapError(f"unknown encoder {configured!r}; choose one of: {', '.join(sorted(RUNTIMES))}")
        return choice
    return "onnx" if onnx_path(models_dir, "fp32").exists() else FALLBACK


def batch_encoder(name: str, models_dir: Path, max_tokens: int) -> BatchEncoder:
    """The named runtime's batch encoder; torch when an ONNX file has not been built."""
    return RUNTIMES[name](models_dir, max_tokens) or RUNTIMES[FALLBACK](models_dir, max_tokens)
