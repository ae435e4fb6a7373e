"""Argument edges: the candidate pairs judged, blended with comment stance, thresholded.

``restates`` edges join near-duplicate claims across branches without judging them.
"""

from __future__ import annotations

import numpy as np

from argmap.model import Claim, Relation, Thread
from argmap.relations.candidates import candidate_pairs
from argmap.relations.comment_stance import COMMENT_STANCE_WEIGHT, comment_stances
from argmap.relations.judging import DEFAULT_METHOD, predict_proba
from argmap.relations.predictions import to_predictions

# Calibrated confidence an edge needs to be drawn; chosen on validation for precision
# (see models/MODEL_CARD.md); the settings' ``edge_threshold`` overrides it.
MODEL_THRESHOLD = 0.46
RESTATE_SIMILARITY = 0.86


def build_relations(thread: Thread, claims: list[Claim], vectors: np.ndarray, *,
                    threshold: float = MODEL_THRESHOLD, progress=None,
                    cache=None, encoder=None, method: str = DEFAULT_METHOD) -> tuple[list[Relation], int]:
    """Judge the candidate pairs; keep edges at or above ``threshold``. Returns (edges, candidates).

    Reply and quote edges blend the claim pair's probabilities with the comment-level
    stance of the reply (``COMMENT_STANCE_WEIGHT``): a reply that disagrees as a whole
    makes its claims' rebuttals more likely, and vice versa.
    """
    candidates = candidate_pairs(thread, claims, vectors)
    restated = [c for c in candidates if c.origin == "similar" and c.similarity >= RESTATE_SIMILARITY]
    judged = [c for c in candidates if not (c.origin == "similar" and c.similarity >= RESTATE_SIMILARITY)]
    if progress:
        progress("relations", 0, len(judged), f"judging {len(judged):,} candidate pairs")
    index = {claim.id: i for i, claim in enumerate(claims)}
    probabilities = predict_proba([(c.target.text, c.source.text) for c in judged],
                                  vectors[[index[c.target.id] for c in judged]] if judged else None,
                                  vectors[[index[c.source.id] for c in judged]] if judged else None,
                                  method=method)
    stances = comment_stances(thread, {c.source.comment_id for c in judged if c.origin in ("reply", "quote")},
                              cache=cache, encoder=encoder, method=method)
    for row, candidate in enumerate(judged):
        stance = stances.get(candidate.source.comment_id)
        if candidate.origin in ("reply", "quote") and stance is not None:
            probabilities[row] = (1 - COMMENT_STANCE_WEIGHT) * probabilities[row] + COMMENT_STANCE_WEIGHT * stance
    relations = [Relation(c.source.id, c.target.id, "restates", round(c.similarity, 4), c.origin) for c in restated]
    for candidate, prediction in zip(judged, to_predictions(probabilities)):
        if prediction.label != "none" and prediction.confidence >= threshold:
            relations.append(Relation(candidate.source.id, candidate.target.id, prediction.label,
                                      round(prediction.confidence, 4), candidate.origin))
    if progress:
        progress("relations", len(judged), len(judged), f"{len(relations):,} edges from {len(candidates):,} candidates")
    return relations, len(candidates)
