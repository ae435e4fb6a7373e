"""Judging (target, response) pairs by a method chosen by name.

``METHODS`` maps a name to a function ``(pairs, target_vectors, response_vectors) ->
P(supports, rebuts, none)``: ``"model"`` is the trained classifier, ``"rules"`` the
discourse-marker fallback. ``"model"`` falls back to ``"rules"`` when the classifier's
files are not installed.
"""

from __future__ import annotations

import logging
from typing import Callable

import numpy as np

from argmap.errors import ArgmapError
from argmap.relations import classifier
from argmap.relations.predictions import Prediction, to_predictions
from argmap.relations.rules import rule_proba

log = logging.getLogger(__name__)

PairJudge = Callable[[list[tuple[str, str]], "np.ndarray | None", "np.ndarray | None"], np.ndarray]


def model_proba(pairs: list[tuple[str, str]], target_vectors: np.ndarray | None = None,
                response_vectors: np.ndarray | None = None) -> np.ndarray:
    """Calibrated P(supports, rebuts, none) per pair from the shipped model (rules if it is missing)."""
    try:
        model = classifier.shipped_model()
    except ArgmapError as error:
        if error.code != "model_missing":
            raise
        log.warning("relation model unavailable, falling back to the marker rules: %s", error.message)
        return rule_proba(pairs)
    return model.predict_proba(pairs, target_vectors, response_vectors)


METHODS: dict[str, PairJudge] = {"model": model_proba, "rules": rule_proba}
DEFAULT_METHOD = "model"


def predict_proba(pairs: list[tuple[str, str]], target_vectors: np.ndarray | None = None,
                  response_vectors: np.ndarray | None = None, *, method: str = DEFAULT_METHOD) -> np.ndarray:
    """P(supports, rebuts, none) per pair by the named method."""
    try:
        judge = METHODS[method]
    except KeyError:
        raise ArgmapError(f"unknown relation method {method!r}; choose one of: {', '.join(METHODS)}") from None
    return judge(pairs, target_vectors, response_vectors)


def classify(pairs: list[tuple[str, str]], *, target_vectors: np.ndarray | None = None,
             response_vectors: np.ndarray | None = None, method: str = DEFAULT_METHOD) -> list[Prediction]:
    """Label each ``(target_text, response_text)`` pair: supports, rebuts or none.

    ``confidence`` is the calibrated probability of ``label``. Optional MiniLM vectors of
    the texts (row-aligned) skip re-embedding them.

    >>> [p.label for p in classify([("Cats are mammals.", "No, that is not true. Cats are reptiles.")])]
    ['rebuts']
    """
    return to_predictions(predict_proba(list(pairs), target_vectors, response_vectors, method=method))
