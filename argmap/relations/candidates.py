"""Candidate pairs: the few (response, target) claim pairs worth judging, never all pairs.

A reply's claims against its parent comment's claims (the quoted claim when there is a
quote, else the most similar parent claims), reasons within a comment ("because …" backs
the claim before it; "so …" follows from it), and near-duplicate claims across branches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from argmap.model import Claim, Thread

SIMILAR_FLOOR = 0.6  # cross-branch neighbours at least this close are judged
REPLY_TARGETS = 2  # parent claims judged per reply claim when there is no quote
REPLY_MIN_SIMILARITY = 0.25
NEIGHBOURS = 5


@dataclass
class Candidate:
    source: Claim  # the responding claim
    target: Claim  # the claim it may support/rebut/restate
    origin: str  # "quote", "reply", "within", "similar"
    similarity: float = 0.0




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

