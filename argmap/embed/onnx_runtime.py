"""MiniLM as an ONNX graph (mean pooling and normalisation inside), run with onnxruntime and
the model's own ``tokenizer.json``: embedding needs neither torch nor transformers.

The graph is built once at set-up (``argmap build-encoder``) into the models folder.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from argmap.embed.weights import MAX_TOKENS, model_path

VARIANTS = {"fp32": "minilm-l6-v2.onnx", "int8": "minilm-l6-v2-int8.onnx"}
ENCODED = {"tokens": 0}  # tokens this process has encoded (the benchmarks print it)


def onnx_path(models_dir: Path, variant: str) -> Path:
    """Where ``argmap build-encoder`` writes (and the runtime reads) a variant's ONNX file."""
    return Path(models_dir) / "encoder" / VARIANTS[variant]


class OnnxEncoder:
    """Normalised MiniLM sentence vectors from an ONNX file."""

    def __init__(self, path: Path, threads: int | None = None):
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        # one thread per run: ``vectors.encode`` runs a batch per core at once, which keeps both
        # cores busier than one run on two threads (and lets spaCy have a core meanwhile)
        options.intra_op_num_threads = threads or 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # no busy-waiting
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)

    def encode(self, texts: list[str], max_tokens: int = MAX_TOKENS) -> np.ndarray:
        """Vectors of ``texts``, each cut to ``max_tokens`` tokens (its final [SEP] kept)."""
        rows = [encoding.ids for encoding in self.tokenizer.encode_batch(texts)]
        rows = [ids if len(ids) <= max_tokens else ids[:max_tokens - 1] + ids[-1:] for ids in rows]
        ENCODED["tokens"] += sum(len(ids) for ids in rows)
        width = max(len(ids) for ids in rows)
        input_ids = np.zeros((len(rows), width), dtype=np.int64)
        attention_mask = np.zeros((len(rows), width), dtype=np.int64)
        for row, ids in enumerate(rows):
            input_ids[row, :len(ids)] = ids
            attention_mask[row, :len(ids)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": attention_mask,
                 "token_type_ids": np.zeros_like(input_ids)}
        return self.session.run(None, feeds)[0].astype(np.float32)


@functools.lru_cache(maxsize=4)
def load_onnx_encoder(path: Path) -> OnnxEncoder | None:
    """The ONNX encoder in that file if it has been built, else None."""
    return OnnxEncoder(path) if path.exists() else None
