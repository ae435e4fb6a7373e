"""The reply stance model: (parent, reply, context) → P(agree, disagree, neither).

One multinomial logistic-regression head over what a reader uses: frozen MiniLM vectors
of the parent and the reply (each comment's vector pooled from its claims' vectors,
``argmap.embed.comments``) as ``[u, v, |u−v|, u·v]``,
the discourse-marker/length/overlap features of the relation model, the reply's opening
words as TF-IDF, and context: similarity to the grandparent, depth, a top-level flag,
whether the reply quotes the parent, whether its author is the grandparent's (a
returning debater). Probabilities are temperature-scaled and shifted by per-class
offsets fitted on the in-domain dev threads (``argmap.training.stance``), so a drawn
edge's confidence is the chance a reader agrees with it.
Artifacts are numpy ``.npz`` + JSON in ``models/stance/``; they load once per process.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from argmap.embed.comments import COMMENT_TOKENS, COMMENT_VECTORS
from argmap.errors import ArgmapError
from argmap.model import Comment, Thread
from argmap.settings import default_models_path
from argmap.relations.classifier import DENSE_NAMES, dense_features, softmax, tfidf_dense

STANCES = ("agree", "disagree", "neither")
AGREE, DISAGREE, NEITHER = 0, 1, 2
MODEL_DIR = default_models_path() / "stance"
OPENING_CHARS = 300  # the reply's opening words carry its stance
CONTEXT_NAMES = ["cos_parent_reply", "cos_reply_grandparent", "cos_parent_grandparent", "has_grandparent",
                 "log_depth", "top_level", "quotes_parent", "returning", "reply_has_quote"]


@dataclass
class StanceInput:
    """One reply → parent pair and what surrounds it (texts as the thread holds them)."""

    parent: str
    reply: str
    grandparent: str = ""
    depth: int = 1
    quotes_parent: bool = False
    returning: bool = False


def quotes(reply: str, parent: str) -> bool:
    """Whether the reply holds a ``>`` line whose words come from the parent.

    >>> quotes("> cats are mammals\\nNo.", "I think cats are mammals, mostly.")
    True
    """
    parent_words = " ".join(parent.lower().split())
    for line in reply.splitlines():
        stripped = line.strip()
        if stripped.startswith(">"):
            quoted = " ".join(stripped.lstrip("> ").lower().split())
            if len(quoted) >= 8 and quoted[:60] in parent_words:
                return True
    return False


def stance_input(thread: Thread, by_id: dict[str, Comment], reply: Comment) -> StanceInput | None:
    """What the stance model reads for one reply: its parent (the post for a top-level
    comment), the grandparent, depth, whether it quotes the parent, whether its author
    wrote the grandparent (a returning debater). None when either side has no text, and for
    a paste's stand-in for a quoted comment (``quoted_only``: an excerpt, its place a guess)."""
    if reply.deleted or reply.quoted_only or not reply.text.strip():
        return None
    depth, cursor = 1, reply
    while cursor.parent_id in by_id and depth < 100:
        cursor = by_id[cursor.parent_id]
        depth += 1
    if reply.parent_id == thread.id:
        parent_text, grandparent, grand_author = thread.root_comment().text, "", None
    else:
        parent = by_id.get(reply.parent_id)
        if parent is None or parent.deleted:
            return None
        parent_text = parent.text
        if parent.parent_id == thread.id:
            grandparent, grand_author = thread.root_comment().text, thread.author
        else:
            grand = by_id.get(parent.parent_id)
            grandparent, grand_author = (grand.text, grand.author) if grand and not grand.deleted else ("", None)
    if not parent_text.strip():
        return None
    returning = bool(reply.author and grand_author and reply.author == grand_author
                     and reply.author not in ("[deleted]", "[removed]"))
    return StanceInput(parent=parent_text, reply=reply.text, grandparent=grandparent, depth=depth,
                       quotes_parent=quotes(reply.text, parent_text), returning=returning)


def opening(text: str) -> str:
    """The reply's own opening words: quote lines dropped, cut to ``OPENING_CHARS``.

    >>> opening("> you said X\\nNo, that is wrong.")
    'No, that is wrong.'
    """
    own = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))
    return own.strip()[:OPENING_CHARS]


def context_features(items: list[StanceInput], parent_vectors: np.ndarray, reply_vectors: np.ndarray,
                     grand_vectors: np.ndarray) -> np.ndarray:
    has_grand = np.array([1.0 if item.grandparent.strip() else 0.0 for item in items], dtype=np.float32)
    rows = np.stack([
        np.sum(parent_vectors * reply_vectors, axis=1),
        np.sum(reply_vectors * grand_vectors, axis=1) * has_grand,
        np.sum(parent_vectors * grand_vectors, axis=1) * has_grand,
        has_grand,
        np.array([math.log(max(1, item.depth)) for item in items], dtype=np.float32),
        np.array([1.0 if item.depth <= 1 else 0.0 for item in items], dtype=np.float32),
        np.array([1.0 if item.quotes_parent else 0.0 for item in items], dtype=np.float32),
        np.array([1.0 if item.returning else 0.0 for item in items], dtype=np.float32),
        np.array([1.0 if re.search(r"(^|\n)\s*>", item.reply) else 0.0 for item in items], dtype=np.float32),
    ], axis=1)
    return rows.astype(np.float32)


def dense_block(items: list[StanceInput], parent_vectors: np.ndarray, reply_vectors: np.ndarray,
                grand_vectors: np.ndarray) -> np.ndarray:
    """Everything but the TF-IDF: vectors, markers, context (unscaled)."""
    u, v = parent_vectors, reply_vectors
    markers = np.stack([dense_features(item.parent, opening(item.reply) or item.reply) for item in items])
    return np.hstack([u, v, np.abs(u - v), u * v, markers,
                      context_features(items, parent_vectors, reply_vectors, grand_vectors)]).astype(np.float32)


def calibrate(raw: np.ndarray, offsets: np.ndarray, temperature: float) -> np.ndarray:
    """Shift the log-probabilities by per-class offsets, then temperature-scale them."""
    return softmax((np.log(np.clip(raw, 1e-9, 1.0)) + offsets) / temperature)


@dataclass
class StanceModel:
    vocabulary: dict[str, int]
    idf: np.ndarray
    dense_mean: np.ndarray
    dense_scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    temperature: float
    offsets: np.ndarray  # added to the log-probabilities before the temperature (tuned on in-domain dev)
    threshold: float  # confidence a drawn stance edge needs
    meta: dict = field(default_factory=dict)

    def features(self, items: list[StanceInput], parent_vectors, reply_vectors, grand_vectors) -> np.ndarray:
        dense = (dense_block(items, parent_vectors, reply_vectors, grand_vectors) - self.dense_mean) / self.dense_scale
        tfidf = tfidf_dense([opening(item.reply) for item in items], self.vocabulary, self.idf)
        return np.hstack([tfidf, dense.astype(np.float32)])

    def raw_proba(self, features) -> np.ndarray:
        return softmax(np.asarray(features @ self.coef.T) + self.intercept)

    def calibrate(self, raw: np.ndarray) -> np.ndarray:
        return calibrate(raw, self.offsets, self.temperature)

    @property
    def top_level_threshold(self) -> float | None:
        """The edge threshold for replies to the post (None: none drawn); models trained
        before it existed use ``threshold``."""
        return self.meta.get("top_level_threshold", self.threshold)

    def predict_proba(self, items: list[StanceInput], parent_vectors=None, reply_vectors=None,
                      grand_vectors=None) -> np.ndarray:
        """Calibrated P(agree, disagree, neither), one row per item."""
        if not items:
            return np.zeros((0, len(STANCES)), dtype=np.float32)
        if parent_vectors is None or reply_vectors is None or grand_vectors is None:
            parent_vectors, reply_vectors, grand_vectors = embed_inputs(items)
        return self.calibrate(self.raw_proba(self.features(items, parent_vectors, reply_vectors, grand_vectors)))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(folder / "weights.npz", idf=self.idf, dense_mean=self.dense_mean,
                            dense_scale=self.dense_scale, coef=self.coef, intercept=self.intercept,
                            offsets=self.offsets)
        vocab = sorted(self.vocabulary, key=self.vocabulary.get)
        (folder / "vocabulary.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        config = {"stances": list(STANCES), "dense_names": DENSE_NAMES, "context_names": CONTEXT_NAMES,
                  "comment_tokens": COMMENT_TOKENS, "comment_vectors": COMMENT_VECTORS, "temperature": self.temperature,
                  "threshold": self.threshold, **self.meta}
        (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def embed_inputs(items: list[StanceInput], cache=None, encoder=None,
                 text_vectors: dict[str, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Comment vectors of each item's parent, reply and grandparent (``argmap.embed.comments``).

    ``text_vectors`` (text → vector) holds those the pipeline already pooled from a thread's
    claims; any other text is read as a comment of its own (claims extracted, encoded, pooled).
    """
    from argmap.embed import comments
    from argmap.embed.vectors import Encoder, embed_texts, encode

    encoder = encoder or Encoder()
    known = dict(text_vectors or {})
    texts = sorted({t for item in items for t in (item.parent, item.reply, item.grandparent or " ")})
    missing = [t for t in texts if t not in known]
    if missing:
        known.update(comments.text_vectors(missing, cache=cache, encoder=encoder))
    bare = [t for t in texts if t not in known]  # blank texts
    if bare:
        fresh = (encode(bare, max_tokens=COMMENT_TOKENS, encoder=encoder) if cache is None else
                 embed_texts(bare, cache=cache, max_tokens=COMMENT_TOKENS, encoder=encoder))
        known.update(zip(bare, fresh))
    return (np.stack([known[item.parent] for item in items]), np.stack([known[item.reply] for item in items]),
            np.stack([known[item.grandparent or " "] for item in items]))


def load(folder: Path = MODEL_DIR) -> StanceModel:
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        vocab = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
        weights = np.load(folder / "weights.npz")
    except FileNotFoundError as error:
        raise ArgmapError(f"stance model files are missing in {folder}; run `python -m argmap.training.stance` "
                          f"({error.filename})", code="model_missing", status=500) from error
    if (config.get("dense_names") != DENSE_NAMES or config.get("context_names") != CONTEXT_NAMES
            or config.get("comment_vectors") != COMMENT_VECTORS):
        raise ArgmapError(f"stance model in {folder} was trained with other features; retrain it",
                          code="model_stale", status=500)
    meta = {k: v for k, v in config.items() if k not in
            ("stances", "dense_names", "context_names", "comment_tokens", "comment_vectors", "temperature",
             "threshold")}
    return StanceModel(vocabulary={t: i for i, t in enumerate(vocab)}, idf=weights["idf"],
                       dense_mean=weights["dense_mean"], dense_scale=weights["dense_scale"],
                       coef=weights["coef"], intercept=weights["intercept"],
                       temperature=float(config["temperature"]), offsets=weights["offsets"],
                       threshold=float(config["threshold"]), meta=meta)


@functools.lru_cache(maxsize=4)
def shipped_model(folder: Path = MODEL_DIR) -> StanceModel:
    """The stance model in ``folder`` (the models folder's ``stance/``), loaded once per process."""
    return load(folder)


def model_judge(*, cache=None, encoder=None, folder: Path = MODEL_DIR):
    """items → calibrated P(agree, disagree, neither) from the trained stance model."""
    model = shipped_model(folder)

    def judge(items: list[StanceInput], text_vectors: dict[str, np.ndarray] | None = None) -> np.ndarray:
        return model.predict_proba(items, *embed_inputs(items, cache=cache, encoder=encoder,
                                                        text_vectors=text_vectors))

    judge.threshold = model.threshold
    judge.top_level_threshold = model.top_level_threshold
    return judge


def rules_judge(**_unused):
    """items → P(agree, disagree, neither) from discourse markers alone (no model files needed)."""
    from argmap.relations.rules import rule_proba

    def judge(items: list[StanceInput], text_vectors=None) -> np.ndarray:
        # rule_proba reads (target, response) pairs and gives P(supports, rebuts, none): the same order
        return rule_proba([(item.parent, opening(item.reply) or item.reply) for item in items])

    judge.threshold = judge.top_level_threshold = 0.6
    return judge


def cross_judge(*, folder: Path = MODEL_DIR, cache=None, encoder=None, **_unused):
    """items → calibrated P(agree, disagree, neither) from the cross-encoder (slower, stronger),
    blended with this head (``folder``) as its ``config.json`` says; its files sit beside the
    default model's, in ``stance_cross/``."""
    from argmap.relations.cross_stance import cross_judge as judge

    return judge(folder=Path(folder).parent / "stance_cross", head_folder=Path(folder), cache=cache, encoder=encoder)


def judge_fingerprint(method: str, folder: Path = MODEL_DIR) -> str:
    """A short digest of what a stance judge reads its verdicts with (its files' ``config.json``:
    calibration, thresholds, the dev scores that change with every retraining): an update of
    a thread read with another fingerprint was re-read by a newer judge."""
    import hashlib

    names = {"model": ["stance"], "cross": ["stance_cross", "stance"]}.get(method, [])
    digest = hashlib.sha256(method.encode())
    for name in names:
        path = Path(folder).parent / name / "config.json"
        digest.update(path.read_bytes() if path.exists() else b"missing")
    return digest.hexdigest()[:12]


# stance methods by name (the settings' ``relation_method``)
METHODS = {"model": model_judge, "rules": rules_judge, "cross": cross_judge}


def stance_judge(method: str = "model", **options):
    """The stance judge registered as ``method``; ``model`` falls back to ``rules`` without its files."""
    try:
        return METHODS[method](**options)
    except ArgmapError as error:
        if method != "model" or error.code != "model_missing":
            raise
        judge = rules_judge()
        judge.fallback = error.message  # said in the thread's notes (pipeline): a far weaker judge
        return judge
