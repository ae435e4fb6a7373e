"""Judging (target, response) pairs by a method chosen by name.

``METHODS`` maps a name to a function ``(pairs, target_vectors, response_vectors) ->
P(supports, rebuts, none)``: ``"model"`` is the trained classifier, ``"rules"`` the
discourse-marker fallback. ``"model"`` falls back to ``"rules"`` when the classifier's
files are not installed. ``judge(name, models_folder)`` binds ``"model"`` to the
classifier in a models folder (the settings' ``models_folder``); wherever a method is
taken, a judge made so may be given instead of a name.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Callable

import numpy as np

from argmap.errors import ArgmapError
from argmap.relations import classifier
from argmap.relations.predictions import Prediction, to_predictions
from argmap.relations.rules import rule_proba

log = logging.getLogger(__name__)

PairJudge = Callable[[list[tuple[str, str]], "np.ndarray | None", "np.ndarray | None"], np.ndarray]


def model_proba(pairs: list[tuple[str, str]], target_vectors: np.ndarray | None = None,
                response_vectors: np.ndarray | None = None, *, folder: Path | None = None) -> np.ndarray:
    """Calibrated P(supports, rebuts, none) per pair from the model in ``folder`` (default the
    shipped one, ``classifier.MODEL_DIR``); the marker rules if it is missing."""
    try:
        model = classifier.shipped_model(folder)
    except ArgmapError as error:
        if error.code != "model_missing":
            raise
        log.warning("relation model unavailable, falling back to the marker rules: %s", error.message)
        return rule_proba(pairs)
    return model.predict_proba(pairs, target_vectors, response_vectors)


METHODS: dict[str, PairJudge] = {"model": model_proba, "rules": rule_proba}
DEFAULT_METHOD = "model"


def judge(method: str = DEFAULT_METHOD, models_folder: Path | None = None) -> PairJudge:
    """The named method; ``"model"`` reads the classifier from ``relations/`` in ``models_folder``
    (``Settings.models_folder``; without one, the shipped model).

    >>> judge("rules") is rule_proba
    True
    """
    try:
        named = METHODS[method]
    except KeyError:
        raise ArgmapError(f"unknown relation method {method!r}; choose one of: {', '.join(METHODS)}") from None
    if named is model_proba and models_folder is not None:
        return functools.partial(model_proba, folder=classifier.model_dir(models_folder))
    return named


def predict_proba(pairs: list[tuple[str, str]], target_vectors: np.ndarray | None = None,
                  response_vectors: np.ndarray | None = None, *,
                  method: str | PairJudge = DEFAULT_METHOD) -> np.ndarray:
    """P(supports, rebuts, none) per pair by the named method (or a ``judge``)."""
    chosen = method if callable(method) else judge(method)
    return chosen(pairs, target_vectors, response_vectors)


def classify(pairs: list[tuple[str, str]], *, target_vectors: np.ndarray | None = None,
             response_vectors: np.ndarray | None = None,
             method: str | PairJudge = DEFAULT_METHOD) -> list[Prediction]:
    """Label each ``(target_text, response_text)`` pair: supports, rebuts or none.

    ``confidence`` is the calibrated probability of ``label``. Optional MiniLM vectors of
    the texts (row-aligned) skip re-embedding them.

    >>> [p.label for p in classify([("Cats are mammals.", "No, that is not true. Cats are reptiles.")])]
    ['rebuts']
    """
    return to_predictions(predict_proba(list(pairs), target_vectors, response_vectors, method=method))
