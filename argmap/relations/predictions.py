"""What judging a (target, response) pair yields: the labels and a labelled prediction.

>>> to_predictions(np.array([[0.2, 0.7, 0.1]]))
[Prediction(label='rebuts', confidence=0.7)]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LABELS = ("supports", "rebuts", "none")


@dataclass
class Prediction:
    """The response's relation to the target, before any abstention threshold."""

    label: str
    confidence: float


def to_predictions(probabilities: np.ndarray) -> list[Prediction]:
    return [Prediction(LABELS[int(row.argmax())], float(row.max())) for row in probabilities]
