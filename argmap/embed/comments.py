"""Comment vectors without a second encoder pass.

The stance model and the anchor read a vector for each whole comment. Encoding every
comment again after its claims doubled the encoder's work (the claims already cover
most of a comment's words), so a comment's vector is pooled from its claims' vectors:
their mean weighted by length (MiniLM itself mean-pools its tokens), normalised. Only a
comment with no claims at all (a question, "lol", a link) is encoded, cut to
``COMMENT_TOKENS``. The stance heads are trained on vectors made this way
(``argmap.training.stance``), so they see at training what they see in a thread.

>>> import numpy as np
>>> claim_vectors = np.eye(3, dtype=np.float32)
>>> [round(float(x), 3) for x in pooled_vector(claim_vectors[[0, 1]], np.array([3.0, 1.0]))]
[0.949, 0.316, 0.0]
"""

from __future__ import annotations

import numpy as np

from argmap.embed.vectors import Encoder, embed_texts
from argmap.embed.weights import DIMENSIONS

COMMENT_TOKENS = 128  # a comment without claims is encoded cut to this many tokens
COMMENT_VECTORS = "claims-pooled"  # how comment vectors are made: stance models record it, and load only if equal


def pooled_vector(claim_vectors: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The weighted mean of unit claim vectors, normalised."""
    mean = np.asarray(weights, dtype=np.float32) @ np.asarray(claim_vectors, dtype=np.float32)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else mean


def comment_vectors(texts: list[str], claim_rows: list[list[int]], claim_vectors: np.ndarray,
                    claim_lengths: np.ndarray, *, cache, encoder: Encoder = Encoder(),
                    encoded: list[int] | None = None) -> np.ndarray:
    """One unit vector per text: pooled from its claims (``claim_rows[i]`` index
    ``claim_vectors``, weighted by ``claim_lengths``), or encoded when it has none."""
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    bare = []
    for i, rows in enumerate(claim_rows):
        if rows:
            out[i] = pooled_vector(claim_vectors[rows], claim_lengths[rows])
        else:
            bare.append(i)
    if bare:
        out[bare] = embed_texts([texts[i] or " " for i in bare], cache=cache, max_tokens=COMMENT_TOKENS,
                                encoder=encoder, encoded=encoded)
    return out


def thread_comment_vectors(thread, claims, vectors: np.ndarray, *, cache, encoder: Encoder = Encoder(),
                           encoded: list[int] | None = None, only: set[str] | None = None) -> dict[str, np.ndarray]:
    """Comment id → vector for the post (its id is the thread's) and every comment with text
    (of those in ``only``, when given: a claimless comment is encoded whole, so ask for what
    is read)."""
    rows_of: dict[str, list[int]] = {}
    for row, claim in enumerate(claims):
        rows_of.setdefault(claim.comment_id, []).append(row)
    texts = {thread.id: thread.root_comment().text, **{c.id: c.text for c in thread.comments if c.text}}
    if only is not None:
        texts = {key: text for key, text in texts.items() if key in only}
    ids = list(texts)
    lengths = np.array([len(claim.text) for claim in claims], dtype=np.float32)
    matrix = comment_vectors([texts[i] for i in ids], [rows_of.get(i, []) for i in ids], vectors, lengths,
                             cache=cache, encoder=encoder, encoded=encoded)
    return dict(zip(ids, matrix))


def text_vectors(texts: list[str], *, cache=None, encoder: Encoder = Encoder()) -> dict[str, np.ndarray]:
    """Text → comment vector for texts outside a thread (training pairs, a labelled set):
    each text is read as one comment, its claims extracted and encoded, then pooled."""
    from argmap.cache import memory_cache
    from argmap.claims.extraction import extract_claims
    from argmap.model import Comment, Thread

    unique = list(dict.fromkeys(texts))
    if not unique:
        return {}
    cache = cache if cache is not None else memory_cache()
    thread = Thread(source="text", id="texts", comments=[Comment(f"t{i}", "texts", text)
                                                          for i, text in enumerate(unique)])
    claims = extract_claims(thread, cache=cache)
    vectors = embed_texts([claim.text for claim in claims], cache=cache, encoder=encoder)
    by_id = thread_comment_vectors(thread, claims, vectors, cache=cache, encoder=encoder)
    return {text: by_id[f"t{i}"] for i, text in enumerate(unique) if f"t{i}" in by_id}
