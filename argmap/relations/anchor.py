"""Where a reply's stance lands: the parent claim it answers, and the reply claim that carries it.

A reply has one stance toward its parent (``argmap.relations.stance``); the map draws it as
one edge between two claims. ``choose_target`` scores each parent claim (similarity to
the reply and to its claims, the share of its words the reply uses, position, length) and
``choose_source`` each reply claim
(position, opening markers, similarity to the target); both are small logistic scorers
fitted on the labelled set's target / carrier sentences (``argmap.training.anchor``),
with weights in ``models/anchor/weights.json``.

>>> import numpy as np
>>> from argmap.model import Claim
>>> parent = [Claim("p:0", "p", "Rust is fast.", 0, 13), Claim("p:1", "p", "Go is simple.", 14, 27)]
>>> vectors = np.eye(3)[[0, 1]]
>>> choose_target(vectors[1], vectors[[1]], parent, vectors, "Go is simple.", default_weights())
1
"""

from __future__ import annotations

import functools
import json
import math
import re
from pathlib import Path

import numpy as np

from argmap.model import Claim
from argmap.settings import default_models_path

MODEL_PATH = default_models_path() / "anchor" / "weights.json"
# The target scorer compares parent claims with the whole reply cut to this many tokens
# (dev top-1: 128 tokens 0.556, 64 0.554, 48 0.560, 32 0.550; 64 halves the encoding of 128).
REPLY_TOKENS = 64

TARGET_FEATURES = ["cos_reply", "cos_best_reply_claim", "first", "last", "relative_position", "log_length",
                   "claim_score", "from_title", "single", "overlap"]
SOURCE_FEATURES = ["first", "relative_position", "stance_opening", "cos_target", "cos_parent", "log_length",
                   "claim_score", "hedged", "single"]
_STANCE_OPENING = re.compile(
    r"^\W*(no|nope|nah|not really|not true|wrong|false|yes|yep|yeah|exactly|indeed|true|right|agreed|absolutely|"
    r"correct|this|but|however|actually|well|i (dis)?agree|i don'?t think|that'?s (not|wrong|true|right)|"
    r"you'?re (wrong|right)|sure|of course|definitely|precisely)\b", re.I)


def default_weights() -> dict[str, list[float]]:
    """Hand weights (similarity first) used when no fitted weights are shipped; bias last."""
    return {"target": [2.0, 2.0, 0.3, 0.0, 0.0, 0.2, 0.5, 0.0, 0.0, 0.0, 0.0],
            "source": [1.0, -0.5, 1.0, 1.0, 0.5, 0.2, 0.5, 0.0, 0.0, 0.0]}


@functools.lru_cache(maxsize=1)
def shipped_weights() -> dict[str, list[float]]:
    if MODEL_PATH.exists():
        data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
        if data.get("target_features") == TARGET_FEATURES and data.get("source_features") == SOURCE_FEATURES:
            return {"target": data["target"], "source": data["source"]}
    return default_weights()


def content_word_set(text: str) -> set[str]:
    """The words of ``text`` that carry its content: no stop words, one stem per word
    (plurals, tenses and a final "e" cut off, so "prices" meets "price", "created" "create").

    >>> sorted(content_word_set("The businesses’ prices only created GPUs."))
    ['business', 'creat', 'gpus', 'pric']
    >>> content_word_set("price created processes") == content_word_set("prices create process")
    True
    """
    from argmap.analytics.stop_words import ENGLISH_STOP_WORDS

    found = set()
    for word in re.findall(r"[a-z0-9']+", text.lower().replace("’", "'")):
        word = re.sub(r"'s?$", "", word)
        if word in ENGLISH_STOP_WORDS or len(word) < 3 or word.endswith("n't"):
            continue
        found.add(_stem(word))
    return found


def _stem(word: str) -> str:
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 5:
        word = word[:-2]
    elif word.endswith("es") and len(word) > 5 and re.search(r"(?:s|x|z|ch|sh)es$", word):
        word = word[:-2]
    elif word.endswith("s") and len(word) > 4 and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return word[:-1] if word.endswith("e") and len(word) >= 4 else word


def target_features(reply_vector: np.ndarray, reply_claim_vectors: np.ndarray, parent_claims: list[Claim],
                    parent_vectors: np.ndarray, reply_text: str) -> np.ndarray:
    """One row per parent claim (``TARGET_FEATURES``); ``overlap`` is the share of the
    claim's content words that ``reply_text`` (the reply's claims) uses too."""
    n = len(parent_claims)
    reply_words = content_word_set(reply_text)
    cos_reply = parent_vectors @ reply_vector
    if len(reply_claim_vectors):
        cos_best = (parent_vectors @ reply_claim_vectors.T).max(axis=1)
    else:
        cos_best = cos_reply
    rows = []
    for j, claim in enumerate(parent_claims):
        rows.append([cos_reply[j], cos_best[j], float(j == 0), float(j == n - 1), j / max(1, n - 1),
                     math.log1p(len(claim.text)) / 5.0, claim.score, float(getattr(claim, "field", "") == "title"),
                     float(n == 1), _overlap(content_word_set(claim.text), reply_words)])
    return np.asarray(rows, dtype=np.float32)


def _overlap(claim_words: set[str], reply_words: set[str]) -> float:
    return len(claim_words & reply_words) / len(claim_words) if claim_words else 0.0


def source_features(reply_claims: list[Claim], reply_vectors: np.ndarray, target_vector: np.ndarray,
                    parent_vector: np.ndarray) -> np.ndarray:
    """One row per reply claim (``SOURCE_FEATURES``)."""
    n = len(reply_claims)
    cos_target = reply_vectors @ target_vector
    cos_parent = reply_vectors @ parent_vector
    rows = []
    for i, claim in enumerate(reply_claims):
        rows.append([float(i == 0), i / max(1, n - 1), float(bool(_STANCE_OPENING.match(claim.text))),
                     cos_target[i], cos_parent[i], math.log1p(len(claim.text)) / 5.0, claim.score,
                     float(claim.hedged), float(n == 1)])
    return np.asarray(rows, dtype=np.float32)


def _best(features: np.ndarray, weights: list[float]) -> int:
    w = np.asarray(weights, dtype=np.float32)
    return int(np.argmax(features @ w[:-1] + w[-1]))


def choose_target(reply_vector: np.ndarray, reply_claim_vectors: np.ndarray, parent_claims: list[Claim],
                  parent_vectors: np.ndarray, reply_text: str, weights: dict | None = None) -> int:
    """Index of the parent claim the reply mainly answers (``reply_text``: the reply's claims)."""
    weights = weights or shipped_weights()
    return _best(target_features(reply_vector, reply_claim_vectors, parent_claims, parent_vectors, reply_text),
                 weights["target"])


def choose_source(reply_claims: list[Claim], reply_vectors: np.ndarray, target_vector: np.ndarray,
                  parent_vector: np.ndarray, weights: dict | None = None) -> int:
    """Index of the reply claim that carries the reply's stance."""
    weights = weights or shipped_weights()
    return _best(source_features(reply_claims, reply_vectors, target_vector, parent_vector), weights["source"])
