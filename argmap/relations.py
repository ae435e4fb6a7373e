"""Argument edges: which claim supports, rebuts or restates which.

Two steps. ``candidate_pairs`` picks the few pairs worth judging, never all pairs:
a reply's claims against its parent comment's claims (the quoted claim when there is
a quote, else the most similar parent claims), reasons within a comment ("because …"
backs the claim before it; "so …" follows from it), and near-duplicate claims across
branches (``restates``). ``classify`` labels (target, response) text pairs; it is the
stable entry point the trained relation model (``argmap.relation_model``) sits behind.
A reply's comment-level stance (whole reply vs. whole parent) is blended into the
probabilities of its claim-level reply/quote edges.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import numpy as np

from argmap import relation_model
from argmap.config import env_float
from argmap.errors import ArgmapError
from argmap.model import Claim, Relation, Thread

log = logging.getLogger(__name__)

LABELS = relation_model.LABELS
# Calibrated confidence an edge needs to be drawn; chosen on validation for precision
# (see models/MODEL_CARD.md), overridable with ARGMAP_EDGE_THRESHOLD.
MODEL_THRESHOLD = 0.46
DEFAULT_THRESHOLD = env_float("ARGMAP_EDGE_THRESHOLD", MODEL_THRESHOLD)
# Share of the reply's comment-level stance in its claim-level reply/quote edges: on the
# validation proxy (metrics.json ``comment_stance_blend``) 0.75 beat 0 and 0.5.
COMMENT_MAX_TOKENS = 128
COMMENT_STANCE_WEIGHT = 0.75
RESTATE_SIMILARITY = 0.86
SIMILAR_FLOOR = 0.6  # cross-branch neighbours at least this close are judged
REPLY_TARGETS = 2  # parent claims judged per reply claim when there is no quote
REPLY_MIN_SIMILARITY = 0.25
NEIGHBOURS = 5


@dataclass
class Prediction:
    """The response's relation to the target, before any abstention threshold."""

    label: str
    confidence: float


@dataclass
class Candidate:
    source: Claim  # the responding claim
    target: Claim  # the claim it may support/rebut/restate
    origin: str  # "quote", "reply", "within", "similar"
    similarity: float = 0.0


# ----------------------------------------------------------------------------------
# v0 rules: transparent markers; the trained model replaces them behind ``classify``

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


def predict_proba(pairs: list[tuple[str, str]], target_vectors: np.ndarray | None = None,
                  response_vectors: np.ndarray | None = None) -> np.ndarray:
    """Calibrated P(supports, rebuts, none) per pair from the shipped model (rules if it is missing)."""
    try:
        model = relation_model.shipped_model()
    except ArgmapError as error:
        if error.code != "model_missing":
            raise
        log.warning("relation model unavailable, falling back to v0 marker rules: %s", error.message)
        probabilities = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
        for row, prediction in enumerate(rule_classify(pairs)):
            column = LABELS.index(prediction.label)
            probabilities[row] = (1.0 - prediction.confidence) / (len(LABELS) - 1)
            probabilities[row, column] = prediction.confidence
        return probabilities
    return model.predict_proba(pairs, target_vectors, response_vectors)


def to_predictions(probabilities: np.ndarray) -> list[Prediction]:
    return [Prediction(LABELS[int(row.argmax())], float(row.max())) for row in probabilities]


def classify(pairs: list[tuple[str, str]], *, target_vectors: np.ndarray | None = None,
             response_vectors: np.ndarray | None = None) -> list[Prediction]:
    """Label each ``(target_text, response_text)`` pair: supports, rebuts or none.

    ``confidence`` is the calibrated probability of ``label``. Optional MiniLM vectors of
    the texts (row-aligned) skip re-embedding them.

    >>> [p.label for p in classify([("Cats are mammals.", "No, that is not true. Cats are reptiles.")])]
    ['rebuts']
    """
    return to_predictions(predict_proba(list(pairs), target_vectors, response_vectors))


# ----------------------------------------------------------------------------------
# candidates

_REASON_START = re.compile(r"^\W*(because|since|for example|for instance|e\.g\.|after all|"
                           r"(and )?(there'?s|there is) a (good |simple )?reason|the reason is|that'?s because|"
                           r"this is because)\b", re.I)
_CONCLUSION_START = re.compile(r"^\W*(so|therefore|thus|hence|that'?s why|which means)\b", re.I)


def candidate_pairs(thread: Thread, claims: list[Claim], vectors: np.ndarray) -> list[Candidate]:
    """The pairs worth judging: structure first, then near neighbours; O(claims × k)."""
    index = {claim.id: i for i, claim in enumerate(claims)}
    by_id = {claim.id: claim for claim in claims}
    by_comment: dict[str, list[Claim]] = {}
    for claim in claims:
        by_comment.setdefault(claim.comment_id, []).append(claim)
    parents = {c.id: c.parent_id for c in thread.comments}
    candidates: list[Candidate] = []
    seen: set[tuple[str, str]] = set()

    def add(source: Claim, target: Claim, origin: str, similarity: float) -> None:
        key = (source.id, target.id)
        if source.id != target.id and key not in seen and (target.id, source.id) not in seen:
            seen.add(key)
            candidates.append(Candidate(source, target, origin, similarity))

    for comment_id, own in by_comment.items():
        for previous, claim in zip(own, own[1:]):
            if _REASON_START.match(claim.text):
                add(claim, previous, "within", float(vectors[index[claim.id]] @ vectors[index[previous.id]]))
            elif _CONCLUSION_START.match(claim.text):
                add(previous, claim, "within", float(vectors[index[previous.id]] @ vectors[index[claim.id]]))
        parent_claims = by_comment.get(parents.get(comment_id, ""), [])
        for claim in own:
            vector = vectors[index[claim.id]]
            if claim.quote_of and claim.quote_of in by_id:
                target = by_id[claim.quote_of]
                add(claim, target, "quote", float(vector @ vectors[index[target.id]]))
                continue
            if not parent_claims:
                continue
            sims = vectors[[index[p.id] for p in parent_claims]] @ vector
            for j in np.argsort(-sims)[:REPLY_TARGETS]:
                if sims[j] >= REPLY_MIN_SIMILARITY or j == int(np.argmax(sims)):
                    add(claim, parent_claims[j], "reply", float(sims[j]))

    if len(claims) > 1:
        similar_count: dict[str, int] = {}  # each claim joins at most NEIGHBOURS similar pairs, best first
        for i, j, sim in sorted(nearest_neighbours(vectors, NEIGHBOURS, SIMILAR_FLOOR), key=lambda t: -t[2]):
            a, b = claims[i], claims[j]
            full = max(similar_count.get(a.id, 0), similar_count.get(b.id, 0)) >= NEIGHBOURS
            if a.comment_id == b.comment_id or full:
                continue
            later, earlier = (a, b) if i > j else (b, a)
            before = len(candidates)
            add(later, earlier, "similar", sim)
            if len(candidates) > before:
                similar_count[a.id] = similar_count.get(a.id, 0) + 1
                similar_count[b.id] = similar_count.get(b.id, 0) + 1
    return candidates


def nearest_neighbours(vectors: np.ndarray, k: int, floor: float, block: int = 1024):
    """(i, j, cosine) for each row's k nearest rows above ``floor``, computed in blocks."""
    n = len(vectors)
    k = min(k, n - 1)
    for begin in range(0, n, block):
        sims = vectors[begin:begin + block] @ vectors.T
        for row in range(sims.shape[0]):
            sims[row, begin + row] = -1.0
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k] if k > 0 else np.zeros((len(sims), 0), int)
        for row, cols in enumerate(top):
            for j in cols:
                if sims[row, j] >= floor:
                    yield begin + row, int(j), float(sims[row, j])


def comment_stances(thread: Thread, comment_ids: set[str], *, cache=None) -> dict[str, np.ndarray]:
    """P(supports, rebuts, none) of each listed reply comment's whole text vs. its parent comment's.

    Comments are embedded cut to ``COMMENT_MAX_TOKENS``: on DEBAGREEMENT validation that
    scores the same as the full 256 tokens (macro-F1 0.579 both) for about half the work.
    """
    from argmap.embed import embed_texts

    by_id = {thread.id: thread.root_comment(), **thread.comment_by_id()}
    replies = [by_id[i] for i in sorted(comment_ids)
               if i in by_id and by_id[i].parent_id in by_id and by_id[i].text and by_id[by_id[i].parent_id].text]
    if not replies:
        return {}
    texts = sorted({c.text for c in replies} | {by_id[c.parent_id].text for c in replies})
    vectors = embed_texts(texts, cache=cache, max_tokens=COMMENT_MAX_TOKENS)
    row = {text: i for i, text in enumerate(texts)}
    probabilities = predict_proba([(by_id[c.parent_id].text, c.text) for c in replies],
                                  vectors[[row[by_id[c.parent_id].text] for c in replies]],
                                  vectors[[row[c.text] for c in replies]])
    return {c.id: row for c, row in zip(replies, probabilities)}


def build_relations(thread: Thread, claims: list[Claim], vectors: np.ndarray, *,
                    threshold: float = DEFAULT_THRESHOLD, progress=None,
                    cache=None) -> tuple[list[Relation], int]:
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
                                  vectors[[index[c.source.id] for c in judged]] if judged else None)
    stances = comment_stances(thread, {c.source.comment_id for c in judged if c.origin in ("reply", "quote")},
                              cache=cache)
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
