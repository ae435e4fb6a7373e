"""The trained relation model: (target, response) text pairs → P(supports, rebuts, none).

Two logistic-regression heads, averaged then temperature-scaled (weights in ``relations/``
of the settings' models folder, by default ``models/relations/`` of the checkout). Both see
the pair features: frozen MiniLM vectors ``[u, v, |u−v|, u·v]`` plus discourse-marker, length and overlap features. The joint head adds TF-IDF of
the response's words and bigrams and is trained on Reddit reply pairs only; the pair head
is also trained on the debate sets. Features are computed here, so training and inference
share them.
Artifacts are numpy ``.npz`` + JSON (no pickles); they load once per process.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from argmap.errors import ArgmapError
from argmap.relations.predictions import LABELS
from argmap.settings import default_models_path

MODEL_FOLDER = "relations"  # the model's folder inside the models folder


def model_dir(models_folder: Path | None = None) -> Path:
    """Where the model is: ``relations/`` in ``models_folder`` (the settings' ``models_folder``;
    by default the checkout's ``models/``, beside ``MODEL_CARD.md``)."""
    return Path(models_folder or default_models_path()) / MODEL_FOLDER


MODEL_DIR = model_dir()  # models/relations/ of the checkout

# Discourse markers of the response (and a few of the target); each is one binary feature.
RESPONSE_MARKERS = {
    "start_no": r"^\W*(no|nope|nah|wrong|false|incorrect|nonsense|bullshit|bs)\b",
    "start_yes": r"^\W*(yes|yep|yeah|yup|exactly|indeed|true|right|agreed|absolutely|correct|precisely|this)\b",
    "start_but": r"^\W*(but|however|although|though|yet|except)\b",
    "start_so": r"^\W*(so|therefore|thus|hence)\b",
    "start_and": r"^\W*(and|also|plus|moreover|furthermore|additionally)\b",
    "start_well": r"^\W*(well|um|uh|erm|actually|technically)\b",
    "start_lol": r"^\W*(lol|lmao|haha|rofl|ha)\b",
    "start_thanks": r"^\W*(thanks|thank you|thx)\b",
    "start_question": r"^\W*(what|why|how|who|when|where|which|is|are|do|does|did|can|could|would|should)\b[^.!]*\?",
    "start_you": r"^\W*(you|your|you're|youre)\b",
    "start_i": r"^\W*(i|i'm|im|i've|my)\b",
    "start_quote": r"^\s*(>|&gt;|\")",
    "i_disagree": r"\b(i disagree|i don'?t agree|disagree|i doubt)\b",
    "i_agree": r"\b(i agree|agree with|i concur|same here|me too|this is it|so true|well said|spot on)\b",
    "not_true": r"\b(not true|isn'?t true|untrue|not the case|that'?s false|that'?s wrong|not correct|incorrect)\b",
    "youre_wrong": r"\b(you'?re wrong|you are wrong|you'?re mistaken|you have no idea|you don'?t understand|"
                   r"you don'?t know|you clearly|you obviously|read (it|the article) again)\b",
    "good_point": r"\b(good point|great point|fair point|valid point|excellent point|good question|nice)\b",
    "exactly": r"\b(exactly|precisely|absolutely|definitely|100%|totally|completely agree)\b",
    "contrast": r"\b(but|however|although|though|whereas|nevertheless|nonetheless|yet|instead|rather)\b",
    "actually": r"\b(actually|in fact|in reality|the reality is|the truth is|technically)\b",
    "negation": r"\b(not|no|never|nothing|nobody|none|neither|nor|n't|cannot)\b|n't\b",
    "doesnt_mean": r"\b(doesn'?t mean|does not mean|that doesn'?t|that does not|not necessarily|not always)\b",
    "opposite": r"\b(opposite|on the contrary|quite the contrary|other way around|backwards)\b",
    "myth": r"\b(myth|misinformation|propaganda|lie|lies|lying|liar|fake|hoax|conspiracy)\b",
    "evidence": r"\b(source|citation|evidence|proof|prove|study|studies|data|statistics|link)\b",
    "because": r"\b(because|since|due to|the reason|which is why|that'?s why|this is why)\b",
    "example": r"\b(for example|for instance|e\.g\.|such as|like when)\b",
    "hedge": r"\b(maybe|perhaps|probably|might|i think|i guess|i believe|imo|imho|in my opinion)\b",
    "question": r"\?",
    "exclaim": r"!",
    "insult": r"\b(idiot|stupid|moron|dumb|retard\w*|clown|troll|fool|ignorant|braindead|delusional|snowflake)\b",
    "profanity": r"\b(fuck\w*|shit\w*|damn|crap|hell|ass|bitch\w*)\b",
    "sarcasm": r"\b(sure|yeah right|right\.\.\.|oh wow|wow|lol|lmao|/s)\b",
    "you": r"\b(you|your|you're|youre|yours|yourself)\b",
    "we": r"\b(we|us|our|ours)\b",
    "they": r"\b(they|them|their|theirs)\b",
    "thanks": r"\b(thanks|thank you|appreciate)\b",
    "url": r"https?://|www\.",
    "number": r"\d",
    "quote_line": r"(^|\n)\s*(>|&gt;)",
    "if": r"\b(if|unless|assuming)\b",
    "should": r"\b(should|must|need to|have to|ought)\b",
    "also": r"\b(also|too|as well|in addition|additionally|moreover|furthermore)\b",
    "what_about": r"\b(what about|how about|whatabout\w*)\b",
    "so_you": r"\b(so you'?re saying|so you think|so what|so\?)\b",
    "not_sure": r"\b(not sure|no idea|i don'?t know|idk|unclear)\b",
    "emph_true": r"\b(true|right|correct|fact|facts|agreed|yes)\b",
    "emph_false": r"\b(false|wrong|incorrect|nonsense|ridiculous|absurd|silly|bullshit|bs)\b",
}
TARGET_MARKERS = {
    "t_question": r"\?",
    "t_negation": r"\b(not|no|never|nothing|n't)\b|n't\b",
    "t_you": r"\b(you|your|you're)\b",
    "t_insult": r"\b(idiot|stupid|moron|dumb|clown|troll|fool|ignorant)\b",
    "t_exclaim": r"!",
}
_RESPONSE_RES = [re.compile(p, re.I) for p in RESPONSE_MARKERS.values()]
_TARGET_RES = [re.compile(p, re.I) for p in TARGET_MARKERS.values()]
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[?!]")
_WORD = re.compile(r"[a-z0-9]+")
DENSE_NAMES = (list(RESPONSE_MARKERS) + list(TARGET_MARKERS) +
               ["log_len_response", "log_len_target", "len_ratio", "overlap_jaccard", "overlap_of_response",
                "shares_8gram", "sentences_response"])


def tokens(text: str) -> list[str]:
    """Lower-cased words plus ``?``/``!``, and their bigrams (the joint head's TF-IDF vocabulary)."""
    words = _TOKEN.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def _ngrams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


@functools.lru_cache(maxsize=1 << 16)
def _as_response(text: str) -> tuple[list[float], list[str], float]:
    """A text's response markers, words and sentence count (cached: a claim is in many pairs)."""
    markers = [1.0 if r.search(text) else 0.0 for r in _RESPONSE_RES]
    return markers, _WORD.findall(text.lower()), math.log1p(len(re.findall(r"[.!?]+(\s|$)", text)))


@functools.lru_cache(maxsize=1 << 16)
def _as_target(text: str) -> tuple[list[float], list[str]]:
    return [1.0 if r.search(text) else 0.0 for r in _TARGET_RES], _WORD.findall(text.lower())


def dense_features(target: str, response: str) -> np.ndarray:
    """Markers, lengths and overlap for one pair (``DENSE_NAMES`` order)."""
    response_markers, response_words, sentences = _as_response(response)
    target_markers, target_words = _as_target(target)
    values = response_markers + target_markers
    t_set, r_set = set(target_words), set(response_words)
    union = t_set | r_set
    values += [
        math.log1p(len(response)),
        math.log1p(len(target)),
        math.log1p(len(response)) - math.log1p(len(target)),
        len(t_set & r_set) / len(union) if union else 0.0,
        len(t_set & r_set) / len(r_set) if r_set else 0.0,
        1.0 if _ngrams(target_words, 8) & _ngrams(response_words, 8) else 0.0,
        sentences,
    ]
    return np.asarray(values, dtype=np.float32)


def pair_vectors(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """[u, v, |u−v|, u·v] for row-aligned target (u) and response (v) embeddings."""
    return np.hstack([u, v, np.abs(u - v), u * v]).astype(np.float32)


def tfidf_entries(texts: list[str], vocabulary: dict[str, int], idf: np.ndarray) -> tuple[list, list, list]:
    """(rows, columns, values) of sublinear-tf TF-IDF rows, L2-normalised, over a fixed vocabulary."""
    rows, cols, vals = [], [], []
    for row, text in enumerate(texts):
        counts: dict[int, int] = {}
        for token in tokens(text):
            col = vocabulary.get(token)
            if col is not None:
                counts[col] = counts.get(col, 0) + 1
        if not counts:
            continue
        weights = np.array([(1.0 + math.log(c)) * idf[col] for col, c in counts.items()])
        weights /= np.linalg.norm(weights) or 1.0
        rows += [row] * len(counts)
        cols += list(counts)
        vals += weights.tolist()
    return rows, cols, vals


def tfidf_matrix(texts: list[str], vocabulary: dict[str, int], idf: np.ndarray):
    """The TF-IDF rows as a sparse matrix (scipy)."""
    from scipy import sparse

    rows, cols, vals = tfidf_entries(texts, vocabulary, idf)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(texts), len(idf)), dtype=np.float32)


def tfidf_dense(texts: list[str], vocabulary: dict[str, int], idf: np.ndarray) -> np.ndarray:
    """The TF-IDF rows as a dense array (no scipy import: the analysis path starts faster).

    >>> tfidf_dense(["no way", "ok"], {"no": 0, "way": 1}, np.ones(2, dtype=np.float32)).round(3)
    array([[0.707, 0.707],
           [0.   , 0.   ]], dtype=float32)
    """
    matrix = np.zeros((len(texts), len(idf)), dtype=np.float32)
    rows, cols, vals = tfidf_entries(texts, vocabulary, idf)
    matrix[rows, cols] = vals
    return matrix


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


@dataclass
class RelationModel:
    """Weights of both heads, the blend weight, the temperature and the abstention threshold."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    dense_mean: np.ndarray
    dense_scale: np.ndarray
    joint_coef: np.ndarray
    joint_intercept: np.ndarray
    pair_coef: np.ndarray
    pair_intercept: np.ndarray
    joint_weight: float
    temperature: float
    threshold: float
    meta: dict

    def joint_features(self, pairs: list[tuple[str, str]], pair_features: np.ndarray):
        """TF-IDF of the responses next to the pair features."""
        from scipy import sparse

        return sparse.hstack([tfidf_matrix([r for _, r in pairs], self.vocabulary, self.idf),
                              sparse.csr_matrix(pair_features)]).tocsr()

    def pair_features(self, pairs: list[tuple[str, str]], target_vectors=None, response_vectors=None) -> np.ndarray:
        dense = np.stack([dense_features(t, r) for t, r in pairs])
        dense = (dense - self.dense_mean) / self.dense_scale
        if target_vectors is None or response_vectors is None:
            from argmap.embed.vectors import encode

            target_vectors = encode([t for t, _ in pairs])
            response_vectors = encode([r for _, r in pairs])
        return np.hstack([pair_vectors(target_vectors, response_vectors), dense.astype(np.float32)])

    def predict_proba(self, pairs: list[tuple[str, str]], target_vectors=None, response_vectors=None) -> np.ndarray:
        """Calibrated P(supports, rebuts, none), one row per pair, columns in ``LABELS`` order."""
        if not pairs:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        joint, pair = self.heads(pairs, self.pair_features(pairs, target_vectors, response_vectors))
        return self.calibrate(self.joint_weight * joint + (1.0 - self.joint_weight) * pair)

    def heads(self, pairs: list[tuple[str, str]], pair_features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each head's uncalibrated probabilities."""
        words = len(self.idf)  # joint_features' columns: TF-IDF first, then the pair features
        tfidf = tfidf_matrix([r for _, r in pairs], self.vocabulary, self.idf)
        joint_logits = (tfidf @ self.joint_coef[:, :words].T + pair_features @ self.joint_coef[:, words:].T
                        + self.joint_intercept)
        return softmax(np.asarray(joint_logits)), softmax(pair_features @ self.pair_coef.T + self.pair_intercept)

    def calibrate(self, blended: np.ndarray) -> np.ndarray:
        return softmax(np.log(np.clip(blended, 1e-9, 1.0)) / self.temperature)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(folder / "weights.npz", idf=self.idf, dense_mean=self.dense_mean,
                            dense_scale=self.dense_scale, joint_coef=self.joint_coef,
                            joint_intercept=self.joint_intercept, pair_coef=self.pair_coef,
                            pair_intercept=self.pair_intercept)
        vocab = sorted(self.vocabulary, key=self.vocabulary.get)
        (folder / "vocabulary.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        config = {"labels": list(LABELS), "dense_names": DENSE_NAMES, "joint_weight": self.joint_weight,
                  "temperature": self.temperature, "threshold": self.threshold, **self.meta}
        (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def load(folder: Path = MODEL_DIR) -> RelationModel:
    """Read the artifacts; a clear ArgmapError when they are missing or stale."""
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        vocab = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
        weights = np.load(folder / "weights.npz")
    except FileNotFoundError as error:
        raise ArgmapError(f"relation model files are missing in {folder}; run `python -m "
                          f"argmap.relations.training` to train them ({error.filename})",
                          code="model_missing", status=500) from error
    if config.get("dense_names") != DENSE_NAMES or tuple(config.get("labels", ())) != LABELS:
        raise ArgmapError(f"relation model in {folder} was trained with other features; retrain it",
                          code="model_stale", status=500)
    meta = {k: v for k, v in config.items()
            if k not in ("labels", "dense_names", "joint_weight", "temperature", "threshold")}
    return RelationModel(
        vocabulary={token: i for i, token in enumerate(vocab)}, idf=weights["idf"],
        dense_mean=weights["dense_mean"], dense_scale=weights["dense_scale"],
        joint_coef=weights["joint_coef"], joint_intercept=weights["joint_intercept"],
        pair_coef=weights["pair_coef"], pair_intercept=weights["pair_intercept"],
        joint_weight=float(config["joint_weight"]), temperature=float(config["temperature"]),
        threshold=float(config["threshold"]), meta=meta)


@functools.lru_cache(maxsize=4)
def shipped_model(folder: Path | None = None) -> RelationModel:
    """The model in ``folder`` (default ``MODEL_DIR``, the shipped one), loaded once per process."""
    return load(Path(folder) if folder else MODEL_DIR)
