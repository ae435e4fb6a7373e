"""The rule fallback: discourse markers (contrast and negation → rebuts, agreement and
reasons → supports), used when the trained classifier is not installed.

>>> [p.label for p in rule_classify([("Cats are mammals.", "No, that is wrong."),
...                                   ("Cats are mammals.", "Exactly, well said.")])]
['rebuts', 'supports']
"""

from __future__ import annotations

import re

import numpy as np

from argmap.relations.predictions import LABELS, Prediction

_REBUT = re.compile(
    r"^\W*(no|nope|nah|wrong|false|incorrect|not really|not true|not quite|nonsense|bullshit|disagree)\b"
    r"|\b(i disagree|i don'?t (think|agree|buy)|that'?s (not|wrong|false|untrue)|this is (not|wrong|false)|"
    r"you just described|on the contrary|not at all|doesn'?t mean|does not mean|isn'?t true|is not true|"
    r"that is not|quite the opposite|the opposite|you'?re wrong|you are wrong|misleading|myth|"
    r"nothing stopping|only prevents?|except that|but|however|although|actually|in fact)\b",
    re.I,
)
_SUPPORT = re.compile(
    r"^\W*(yes|yep|yeah|exactly|indeed|true|right|agreed|absolutely|this|correct|precisely)\b"
    r"|\b(i agree|agree with|good point|great point|well said|that'?s (why|true|right)|which is why|"
    r"this is why|to add|also|moreover|furthermore|for example|for instance|because|since|"
    r"there is a good reason|confirms?|same here|i visited|i worked)\b",
    re.I,
)


def rule_classify(pairs: list[tuple[str, str]]) -> list[Prediction]:
    """Marker rules: contrast/negation markers → rebuts, agreement/reason markers → supports."""
    results = []
    for _target, response in pairs:
        rebut = len(_REBUT.findall(response))
        support = len(_SUPPORT.findall(response))
        if rebut > support:
            results.append(Prediction("rebuts", min(0.9, 0.55 + 0.1 * (rebut - support))))
        elif support > rebut:
            results.append(Prediction("supports", min(0.9, 0.55 + 0.1 * (support - rebut))))
        else:
            results.append(Prediction("none", 0.5))
    return results



def rule_proba(pairs: list[tuple[str, str]], target_vectors=None, response_vectors=None) -> np.ndarray:
    """``rule_classify`` as P(supports, rebuts, none) rows: the label's confidence, the rest shared."""
    probabilities = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
    for row, prediction in enumerate(rule_classify(pairs)):
        column = LABELS.index(prediction.label)
        probabilities[row] = (1.0 - prediction.confidence) / (len(LABELS) - 1)
        probabilities[row, column] = prediction.confidence
    return probabilities
