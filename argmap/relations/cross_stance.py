"""The slower, stronger stance judge: a MiniLM cross-encoder that reads parent and reply together.

``[CLS] parent [SEP] reply [SEP]`` (cut to ``max_tokens``, the longer side first) →
P(agree, disagree, neither), fine-tuned from all-MiniLM-L6-v2 on DEBAGREEMENT, SubReddit
and argmap's in-domain dev labels (``argmap.training.stance_cross``), exported to an int8
ONNX graph that runs with onnxruntime and the model's own ``tokenizer.json`` (no torch).
Probabilities are shifted and temperature-scaled like the default head's, fitted on
out-of-fold dev predictions, so a drawn edge's confidence means the same thing.

It reads every reply pair in full, one transformer pass per reply: several times slower
than the stance head (which reuses the claim vectors the pipeline already has), so the
default (``auto``, ``Settings.for_thread``) uses it for threads of up to
``careful_max_replies`` full-length replies (``argmap.settings.careful_load``: its time tracks
the text it reads); ``ARGMAP_RELATION_METHOD=cross`` uses it always.
``models/MODEL_CARD.md`` gives its scores and cost.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path

import numpy as np

from argmap.cache import text_key
from argmap.errors import ArgmapError
from argmap.relations.classifier import softmax
from argmap.relations.stance import STANCES, StanceInput, calibrate
from argmap.settings import default_models_path

MODEL_DIR = default_models_path() / "stance_cross"
ONNX_FILE = "model-int8.onnx"
# One pair per run: int8 activations are quantized per run, so a pair batched with others
# would get slightly different probabilities (a refreshed thread could "change" stances
# that did not change); and on CPU one pair per run was no slower (n49rw: 8.6 s one at a
# time, 9.4 s in batches of 8, 10.1 s of 32).


class CrossStanceModel:
    """The exported cross-encoder and its calibration (``config.json``)."""

    def __init__(self, folder: Path, threads: int | None = None):
        import onnxruntime
        from tokenizers import Tokenizer

        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except (FileNotFoundError, OSError) as error:
            raise ArgmapError(f"cross-encoder stance model files are missing in {folder}; run "
                              f"`python -m argmap.training.stance_cross --export {folder}`",
                              code="model_missing", status=500) from error
        if config.get("stances") != list(STANCES):
            raise ArgmapError(f"cross-encoder in {folder} has other classes; re-export it", code="model_stale",
                              status=500)
        self.max_tokens = int(config["max_tokens"])
        # what the raw probabilities depend on (weights, tokenizer, length): the cache's namespace
        digest = hashlib.sha1(f"{self.max_tokens}".encode())
        for name in (ONNX_FILE, "tokenizer.json"):
            digest.update((folder / name).read_bytes())
        self.digest = digest.hexdigest()[:16]
        self.offsets = np.array(config["offsets"], dtype=np.float32)
        self.temperature = float(config["temperature"])
        self.threshold = float(config["threshold"])
        self.top_level_threshold, self.blend_top_level_threshold = top_level_thresholds(config)
        blend = config.get("blend") or {}
        # the blend with the stance head: its weight and the calibration fitted for the blend
        self.head_weight = float(blend.get("head_weight", 0.0))
        self.blend_offsets = np.array(blend.get("offsets", [0.0, 0.0, 0.0]), dtype=np.float32)
        self.blend_temperature = float(blend.get("temperature", 1.0))
        self.blend_threshold = float(blend.get("threshold", self.threshold))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()  # the pair is cut by ``pair_ids`` (see there)
        self.special = (self.tokenizer.token_to_id("[CLS]"), self.tokenizer.token_to_id("[SEP]"))
        # one single-threaded session per core, each running its share of the pairs: faster
        # than one session on several threads for one small pair at a time (n49rw's 1,277
        # replies: 13.6 s on one two-thread session)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.sessions = [onnxruntime.InferenceSession(str(folder / ONNX_FILE), options,
                                                      providers=["CPUExecutionProvider"])
                         for _ in range(threads or min(4, os.cpu_count() or 1))]

    def raw_proba(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """Uncalibrated P(agree, disagree, neither) for (parent, reply) text pairs."""
        from concurrent.futures import ThreadPoolExecutor

        out = np.zeros((len(pairs), len(STANCES)), dtype=np.float32)
        texts = [text for pair in pairs for text in pair]
        pieces = [e.ids for e in self.tokenizer.encode_batch(texts, add_special_tokens=False)] if texts else []
        encodings = [pair_ids(pieces[2 * k], pieces[2 * k + 1], self.max_tokens, *self.special)
                     for k in range(len(pairs))]

        def run(session, indexes: range) -> None:
            for index in indexes:  # one pair per run (see above): no padding, no batch-mates
                ids, type_ids = encodings[index]
                feeds = {"input_ids": np.array([ids], dtype=np.int64),
                         "attention_mask": np.ones((1, len(ids)), dtype=np.int64),
                         "token_type_ids": np.array([type_ids], dtype=np.int64)}
                out[index] = softmax(session.run(None, feeds)[0].astype(np.float32))[0]

        workers = len(self.sessions)
        if workers == 1 or len(pairs) < 2 * workers:
            run(self.sessions[0], range(len(pairs)))
        else:
            with ThreadPoolExecutor(workers) as pool:  # onnxruntime releases the GIL while it runs
                list(pool.map(run, self.sessions, [range(k, len(pairs), workers) for k in range(workers)]))
        return out

    def cached_raw_proba(self, pairs: list[tuple[str, str]], cache=None) -> np.ndarray:
        """``raw_proba`` through ``cache`` (an ``argmap.cache.BlobCache``): a pair read before, by
        this model, is not read again (a refreshed thread re-reads every reply's stance). One
        pair per run makes a pair's probabilities its own, so a kept row equals a fresh one."""
        if cache is None or not pairs:
            return self.raw_proba(pairs)
        namespace = f"cross-stance-{self.digest}"
        keys = [text_key(f"{parent}\x00{reply}") for parent, reply in pairs]
        known = {key: np.frombuffer(blob, dtype=np.float32) for key, blob in cache.get_many(namespace, list(set(keys))).items()
                 if len(blob) == 4 * len(STANCES)}
        todo = list(dict.fromkeys(key for key in keys if key not in known))
        if todo:
            first = {key: index for index, key in reversed(list(enumerate(keys)))}
            fresh = self.raw_proba([pairs[first[key]] for key in todo])
            known.update(zip(todo, fresh))
            cache.put_many(namespace, {key: known[key].astype(np.float32).tobytes() for key in todo})
        return np.array([known[key] for key in keys], dtype=np.float32)

    def predict_proba(self, items: list[StanceInput], cache=None) -> np.ndarray:
        """Calibrated P(agree, disagree, neither), one row per item."""
        raw = self.cached_raw_proba([(item.parent, item.reply) for item in items], cache)
        return calibrate(raw, self.offsets, self.temperature) if len(raw) else raw


def pair_ids(first: list[int], second: list[int], max_tokens: int, cls: int, sep: int) -> tuple[list[int], list[int]]:
    """``[CLS] first [SEP] second [SEP]`` cut to ``max_tokens`` the way the tokenizer's
    ``longest_first`` truncation cuts a pair (the longer side first; both over half: the first
    keeps the smaller half when it is not longer), with its token type ids.

    Each text is tokenized alone and cut here because the tokenizer's own pair truncation
    also builds every cut-off window of both texts, which grows with the product of their
    lengths: two 40,000-character comments took 1.3 GB. The ids are the same (checked on the
    4,472 labelled pairs and on made-up lengths around the limit).

    >>> pair_ids([1, 2, 3, 4], [5, 6, 7], 7, 101, 102)
    ([101, 1, 2, 102, 5, 6, 102], [0, 0, 0, 0, 1, 1, 1])
    """
    budget = max_tokens - 3
    keep_first, keep_second = len(first), len(second)
    if keep_first + keep_second > budget:
        shorter = min(keep_first, keep_second, budget // 2)
        longer = budget - shorter
        keep_first, keep_second = (shorter, longer) if keep_first <= keep_second else (longer, shorter)
    ids = [cls, *first[:keep_first], sep, *second[:keep_second], sep]
    return ids, [0] * (keep_first + 2) + [1] * (keep_second + 1)


def _optional(value) -> float | None:
    return None if value is None else float(value)


def top_level_thresholds(config: dict) -> tuple[float | None, float | None]:
    """The thresholds for replies to the post in a ``config.json``: the cross-encoder's alone and
    its blend's; each falls back to that judge's ``threshold``, and None means no threshold was
    precise enough on dev: replies to the post are not read.

    >>> top_level_thresholds({"threshold": 0.46, "top_level_threshold": None, "blend": {"threshold": 0.42}})
    (None, 0.42)
    """
    blend = config.get("blend") or {}
    alone = _optional(config.get("top_level_threshold", config.get("threshold")))
    blended = _optional(blend.get("top_level_threshold", blend.get("threshold", config.get("threshold"))))
    return alone, blended


@functools.lru_cache(maxsize=2)
def shipped_model(folder: Path = MODEL_DIR) -> CrossStanceModel:
    """The exported cross-encoder in ``folder``, loaded once per process."""
    return CrossStanceModel(folder)


def blend(cross_raw: np.ndarray, head_raw: np.ndarray, head_weight: float) -> np.ndarray:
    """Log-linear blend of raw P(agree, disagree, neither): ``(1 − w)·log cross + w·log head``, renormalised.

    >>> blend(np.array([[0.5, 0.25, 0.25]]), np.array([[0.5, 0.25, 0.25]]), 0.2).round(3).tolist()
    [[0.5, 0.25, 0.25]]
    """
    logp = (1.0 - head_weight) * np.log(np.clip(cross_raw, 1e-9, 1.0)) + head_weight * np.log(
        np.clip(head_raw, 1e-9, 1.0))
    p = np.exp(logp - logp.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


def cross_judge(*, folder: Path = MODEL_DIR, head_folder: Path | None = None, cache=None, encoder=None,
                **_unused):
    """items → calibrated P(agree, disagree, neither) from the cross-encoder, blended with the
    stance head in ``head_folder`` when the cross-encoder's ``config.json`` has a fitted blend
    (the head reads the vectors the pipeline already has: well under a second)."""
    model = shipped_model(folder)
    head = None
    if model.head_weight > 0 and head_folder is not None:
        from argmap.relations import stance

        try:
            head = stance.shipped_model(Path(head_folder))
        except ArgmapError as error:
            if error.code != "model_missing":
                raise  # a stale head must be retrained, not silently left out
            head = None  # no head installed: the cross-encoder alone, with its own calibration

    def judge(items: list[StanceInput], text_vectors=None) -> np.ndarray:
        if head is None or not items:
            return model.predict_proba(items, cache)
        from argmap.relations.stance import embed_inputs

        cross_raw = model.cached_raw_proba([(item.parent, item.reply) for item in items], cache)
        vectors = embed_inputs(items, cache=cache, encoder=encoder, text_vectors=text_vectors)
        head_raw = head.raw_proba(head.features(items, *vectors))
        return calibrate(blend(cross_raw, head_raw, model.head_weight), model.blend_offsets, model.blend_temperature)

    judge.threshold = model.threshold if head is None else model.blend_threshold
    judge.top_level_threshold = model.top_level_threshold if head is None else model.blend_top_level_threshold
    judge.blended = head is not None
    return judge
