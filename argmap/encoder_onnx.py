"""MiniLM as an ONNX graph (mean pooling and normalisation inside), for fast CPU embedding.

``build`` exports the packaged sentence-transformers weights once (at set-up: ``argmap
build-encoder``) to ``models/encoder/``; ``OnnxEncoder`` runs it with onnxruntime and the
model's own ``tokenizer.json``, so embedding needs neither torch nor transformers.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

MAX_TOKENS = 256  # the model's max_seq_length
VARIANTS = {"fp32": "minilm-l6-v2.onnx", "int8": "minilm-l6-v2-int8.onnx"}


def models_dir() -> Path:
    """``ARGMAP_MODELS_PATH`` or the ``models/`` folder beside the package."""
    configured = os.environ.get("ARGMAP_MODELS_PATH")
    return Path(configured) if configured else Path(__file__).resolve().parent.parent / "models"


def onnx_path(variant: str) -> Path:
    return models_dir() / "encoder" / VARIANTS[variant]


def build(folder: Path | None = None) -> dict[str, Path]:
    """Export fp32 ONNX from the packaged weights and a per-channel int8 copy of its MatMuls."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from argmap.embed import load_encoder

    folder = folder or onnx_path("fp32").parent
    folder.mkdir(parents=True, exist_ok=True)
    sentence_model = load_encoder()
    transformer = sentence_model[0].auto_model.eval()

    class Pooled(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    example = sentence_model.tokenizer(["an example", "a slightly longer example sentence"], padding=True,
                                       return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    fp32 = folder / VARIANTS["fp32"]
    with torch.no_grad():
        torch.onnx.export(Pooled(transformer), tuple(example[n] for n in names), str(fp32), input_names=names,
                          output_names=["embedding"], opset_version=17, dynamo=False,
                          dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "embedding": {0: "batch"}})
    int8 = folder / VARIANTS["int8"]
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"])
    return {"fp32": fp32, "int8": int8}


class OnnxEncoder:
    """Normalised MiniLM sentence vectors from an ONNX file."""

    def __init__(self, path: Path, threads: int | None = None):
        import onnxruntime
        from tokenizers import Tokenizer

        from argmap.embed import model_path

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)

    def encode(self, texts: list[str], max_tokens: int = MAX_TOKENS) -> np.ndarray:
        """Vectors of ``texts``, each cut to ``max_tokens`` tokens (its final [SEP] kept)."""
        rows = [encoding.ids for encoding in self.tokenizer.encode_batch(texts)]
        rows = [ids if len(ids) <= max_tokens else ids[:max_tokens - 1] + ids[-1:] for ids in rows]
        width = max(len(ids) for ids in rows)
        input_ids = np.zeros((len(rows), width), dtype=np.int64)
        attention_mask = np.zeros((len(rows), width), dtype=np.int64)
        for row, ids in enumerate(rows):
            input_ids[row, :len(ids)] = ids
            attention_mask[row, :len(ids)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": attention_mask,
                 "token_type_ids": np.zeros_like(input_ids)}
        return self.session.run(None, feeds)[0].astype(np.float32)


@functools.lru_cache(maxsize=2)
def load_onnx_encoder(variant: str) -> OnnxEncoder | None:
    """The ONNX encoder of that variant if it has been built, else None."""
    path = onnx_path(variant)
    return OnnxEncoder(path) if path.exists() else None
