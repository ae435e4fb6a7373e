"""MiniLM through sentence-transformers (torch): the reference runtime, and the source of the ONNX export."""

from __future__ import annotations

import functools
import os
import threading

from argmap.embed.weights import MAX_TOKENS, model_path

BATCH_SIZE = 32
_torch_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def load_encoder():
    """The SentenceTransformer, loaded once per process from the packaged weights."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.logging.disable_progress_bar()

    return SentenceTransformer(str(model_path()), device="cpu")


def torch_batch_encoder(max_tokens: int):
    """A function texts -> normalised vectors, cut to ``max_tokens``."""
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
