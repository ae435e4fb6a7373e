"""Who answers whom in a paste: predict each pasted comment's parent among the earlier ones.

A paste keeps the page's order (depth first, the order a reader scrolls) and the words,
and loses the indentation. In that order a comment's parent is always an ancestor of
the comment just before it (or that comment itself, or the root), so the model scores
every earlier comment in a window (plus the root and the whole predicted ancestor path of
the previous comment) and decodes left to right (training refits on its own predicted
paths, so it learns how far to trust them): greedily when the paste has no page cues, with
a small beam over the predicted paths when a copied page's headers narrow the candidates
(``beam_for``).

The scorer is a conditional logit (one softmax over a comment's candidates) over hand
features a reader uses: distance back and the place on the previous comment's ancestor
path, quoted text found in the candidate, MiniLM similarity and word overlap, addressing
("you", the candidate author's name), opening discourse markers ("No,", "Exactly",
"And", "But"), continuation cues (a line that starts in lower case or continues a line
without a full stop), lengths; and, when the paste gives authors (copied HN and Reddit
pages), same author, the back-and-forth pattern (the candidate answered this author) and
name mentions. Two weight sets ship in ``models/paste_parents/`` (``paste_parents/`` of the
settings' models folder): ``lines`` (one comment per line, no authors) and ``authored``
(comments split by header lines).
Train them with ``python -m argmap.training.paste_parents``.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from argmap.settings import default_models_path
from argmap.sources.paste_formats import PageCues

MODEL_FOLDER = "paste_parents"  # the weights' folder inside the models folder
MODEL_DIR = default_models_path() / MODEL_FOLDER  # models/paste_parents/ of the checkout
BEAM = 4  # parent sequences kept while decoding a paste with page cues (``beam_for``)
WINDOW = 40  # earlier comments scored besides the root and the previous comment's ancestor path
ROOT = -1  # the parent index meaning "the thread itself"

_WORD = re.compile(r"[a-z0-9']+")
_STOP = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being it its "
    "this that these those i you he she we they me him her us them my your his our their not no yes "
    "do does did have has had so just than then there here what which who whom how why when where "
    "can could would should will shall may might must also very too about into over more most some "
    "any all i'm it's don't that's".split())
_CONTINUE = re.compile(r"^(and|also|plus|or|nor|so|then|which|because|since|too|as well|"
                       r"not to mention|especially|e\.g\.|i\.e\.|in fact|moreover|furthermore|"
                       r"additionally|though|although)\b", re.I)
_ANSWER = re.compile(r"^(no|nope|yes|yeah|yep|exactly|agreed|right|true|false|wrong|sure|well|"
                     r"indeed|absolutely|not really|not true|i disagree|i agree|this|that's|"
                     r"that is|thats|you|your|you're|source|citation|what|how|why|huh|lol|"
                     r"hmm|eh|ok|okay|fair|correct|incorrect|nah|but)\b", re.I)
_CONTRAST = re.compile(r"^(but|however|yet|still|except|although|though|on the other hand)\b", re.I)
_YOU = re.compile(r"\b(you|your|you're|youre|yours|yourself|op)\b", re.I)
_QUOTE_LINE = re.compile(r'^\s*(?:>+\s*(.+)|["“](.{3,})["”])\s*$')
_END = re.compile(r"[.!?:;)\]\"”’]\s*$")

BASE_FEATURES = (
    "is_root", "root_has_text", "is_prev", "stack1", "stack2", "stack3", "stack4plus", "off_stack",
    "log_dist", "sim", "sim_best", "sim_gap", "root_sim", "quote", "overlap", "log_len_cand",
    "log_children", "cont_x_prev", "lower_x_prev", "open_end_x_prev", "answer_x_root",
    "answer_x_prev", "contrast_x_prev", "you_x_root", "question_x_prev", "short_x_prev",
    "log_len_x_root", "sim_prev_x_prev",
)
AUTHOR_FEATURES = ("same_author", "same_author_x_prev", "back_and_forth", "mentions_author",
                   "author_known")


@dataclass
class Unit:
    """One pasted comment as the model sees it: its text and, when the paste gives it, its author."""

    text: str
    author: str | None = None
    quotes: list[str] = field(default_factory=list)
    cues: PageCues | None = None  # depth / earlier-sibling cues a copied page's header gives

    @classmethod
    def of(cls, text: str, author: str | None = None, cues: PageCues | None = None) -> "Unit":
        quotes = []
        for line in text.split("\n"):
            match = _QUOTE_LINE.match(line)
            if match:
                quotes.append((match.group(1) or match.group(2)).strip())
        return cls(text=text, author=author or None, quotes=quotes, cues=cues)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _own_text(unit: Unit) -> str:
    """The unit's words without its quote lines (what the author wrote)."""
    lines = [line for line in unit.text.split("\n") if not _QUOTE_LINE.match(line)]
    return " ".join(lines).strip() or unit.text


def quote_score(quote_words: list[str], candidate_norm: str, candidate_bigrams: set) -> float:
    """1 when the quote's words appear in order in the candidate; else the share of its bigrams found."""
    if len(quote_words) < 2:
        return 0.0
    if " ".join(quote_words) in candidate_norm:
        return 1.0
    bigrams = list(zip(quote_words, quote_words[1:]))
    return sum(b in candidate_bigrams for b in bigrams) / len(bigrams)


class Features:
    """Precomputed per-unit facts; ``rows(i, parents)`` gives candidate indices and feature rows."""

    def __init__(self, units: list[Unit], vectors: np.ndarray, root_text: str = "",
                 root_vector: np.ndarray | None = None, *, authored: bool):
        self.units = units
        self.vectors = vectors
        self.authored = authored
        self.names = BASE_FEATURES + (AUTHOR_FEATURES if authored else ())
        self.root_has_text = bool(root_text.strip()) and root_vector is not None
        self.root_vector = root_vector
        self.norm = [" ".join(words(u.text)) for u in units]
        tokens = [words(u.text) for u in units]
        self.bigrams = [set(zip(t, t[1:])) for t in tokens]
        self.content = [set(t) - _STOP for t in tokens]
        self.quote_words = [[words(q) for q in u.quotes] for u in units]
        self.own = [_own_text(u) for u in units]
        self.length = [math.log1p(len(t)) for t in tokens]
        root_words = words(root_text)
        self.root_bigrams = set(zip(root_words, root_words[1:]))
        self.root_norm = " ".join(root_words)
        self.root_content = set(root_words) - _STOP
        self.lowered = [u.author.lower() if u.author else None for u in units]

    def candidates(self, i: int, parents: list[int]) -> list[int]:
        """The root, the window of earlier units and the previous unit's ancestor path;
        only the candidates the unit's page cues allow when it has any."""
        found = [ROOT] + list(range(max(0, i - WINDOW), i))
        if i > 0:
            seen = set(found)
            node = parents[i - 1] if i - 1 < len(parents) else ROOT
            while node != ROOT and node >= 0:
                if node not in seen:
                    found.append(node)
                    seen.add(node)
                node = parents[node]
        cues = self.units[i].cues
        if cues is not None:
            return cued_candidates(i, parents, cues) or found
        return found

    def rows(self, i: int, parents: list[int]) -> tuple[list[int], np.ndarray]:
        """Candidates of unit ``i`` given the parents of units ``< i``, and their features."""
        cands = self.candidates(i, parents)
        unit = self.units[i]
        stack: dict[int, int] = {}
        if i > 0:
            node, depth = i - 1, 0
            while node != ROOT:
                stack[node] = depth
                node, depth = parents[node], depth + 1
            stack[ROOT] = depth
        earlier = [c for c in cands if c != ROOT]
        sims = self.vectors[earlier] @ self.vectors[i] if earlier else np.zeros(0)
        sim_of = dict(zip(earlier, sims.tolist()))
        best = max(sims.tolist()) if earlier else 0.0
        root_sim = float(self.root_vector @ self.vectors[i]) if self.root_has_text else 0.0
        own = self.own[i]
        first = own.lstrip()
        cont = 1.0 if _CONTINUE.match(first) else 0.0
        lower = 1.0 if first[:1].islower() else 0.0
        answer = 1.0 if _ANSWER.match(first) else 0.0
        contrast = 1.0 if _CONTRAST.match(first) else 0.0
        you = 1.0 if _YOU.search(own) else 0.0
        short = 1.0 if len(words(own)) <= 8 else 0.0
        prev_text = self.units[i - 1].text.rstrip() if i > 0 else ""
        open_end = 1.0 if prev_text and not _END.search(prev_text) else 0.0
        question = 1.0 if prev_text.endswith("?") else 0.0
        sim_prev = sim_of.get(i - 1, 0.0)
        children: dict[int, int] = {}
        for p in parents[:i]:
            children[p] = children.get(p, 0) + 1
        out = np.zeros((len(cands), len(self.names)), dtype=np.float64)
        col = {name: k for k, name in enumerate(self.names)}
        for r, c in enumerate(cands):
            row = out[r]
            is_root = c == ROOT
            is_prev = c == i - 1
            place = stack.get(c)
            if is_root:
                row[col["is_root"]] = 1
                row[col["root_has_text"]] = 1.0 if self.root_has_text else 0.0
                row[col["root_sim"]] = root_sim
                row[col["answer_x_root"]] = answer
                row[col["you_x_root"]] = you
                row[col["log_len_x_root"]] = self.length[i]
                qs = [quote_score(q, self.root_norm, self.root_bigrams) for q in self.quote_words[i]]
                row[col["quote"]] = max(qs, default=0.0)
                if self.root_content and self.content[i]:
                    row[col["overlap"]] = len(self.content[i] & self.root_content) / len(
                        self.content[i] | self.root_content)
            else:
                if is_prev:
                    row[col["is_prev"]] = 1
                elif place is None:
                    row[col["off_stack"]] = 1
                elif place >= 4:
                    row[col["stack4plus"]] = 1
                else:
                    row[col[f"stack{place}"]] = 1
                row[col["log_dist"]] = math.log(i - c)
                sim = sim_of[c]
                row[col["sim"]] = sim
                row[col["sim_best"]] = 1.0 if sim >= best - 1e-9 else 0.0
                row[col["sim_gap"]] = sim - best
                qs = [quote_score(q, self.norm[c], self.bigrams[c]) for q in self.quote_words[i]]
                row[col["quote"]] = max(qs, default=0.0)
                a, b = self.content[i], self.content[c]
                if a and b:
                    row[col["overlap"]] = len(a & b) / len(a | b)
                row[col["log_len_cand"]] = self.length[c]
                row[col["log_children"]] = math.log1p(children.get(c, 0))
                if is_prev:
                    row[col["cont_x_prev"]] = cont
                    row[col["lower_x_prev"]] = lower
                    row[col["open_end_x_prev"]] = open_end
                    row[col["answer_x_prev"]] = answer
                    row[col["contrast_x_prev"]] = contrast
                    row[col["question_x_prev"]] = question
                    row[col["short_x_prev"]] = short
                    row[col["sim_prev_x_prev"]] = sim_prev
                if self.authored:
                    mine, theirs = self.lowered[i], self.lowered[c]
                    known = mine is not None and theirs is not None
                    row[col["author_known"]] = 1.0 if known else 0.0
                    if known:
                        same = mine == theirs
                        row[col["same_author"]] = 1.0 if same else 0.0
                        row[col["same_author_x_prev"]] = 1.0 if same and is_prev else 0.0
                        grand = parents[c]
                        if grand != ROOT and self.lowered[grand] == mine and not same:
                            row[col["back_and_forth"]] = 1
                        if len(theirs) >= 3 and re.search(r"(?<![\w-])@?" + re.escape(theirs) + r"(?![\w-])",
                                                          own.lower()):
                            row[col["mentions_author"]] = 1
        return cands, out


def cued_candidates(i: int, parents: list[int], cues: PageCues) -> list[int]:
    """The parents the page cues allow for unit ``i`` in page order, given the parents of
    the units before it; the strictest cues that leave one, else [].

    In page order a parent is the root or on the previous unit's ancestor path; ``depth_min``
    / ``depth_max`` bound the unit's depth (the parent's + 1); ``has_prev`` False means no
    earlier sibling (the parent has no child yet), True an earlier one. A copy that lost a
    comment (deleted, collapsed) can break the cues: then the sibling cue is dropped first,
    then the depth cue.

    >>> cued_candidates(3, [-1, 0, 1], PageCues(2, None, True))  # a chain 0 → 1 → 2, then a deep sibling
    [1]
    >>> cued_candidates(3, [-1, 0, 1], PageCues(0, 0, True))  # a top-level comment after it
    [-1]
    """
    path, depth_of_path = [], []
    node = i - 1
    while node != ROOT:
        path.append(node)
        node = parents[node]
    path.append(ROOT)
    depth_of = {node: len(path) - 2 - k for k, node in enumerate(path)}  # ROOT: -1
    has_child = {node: node != i - 1 for node in path}
    has_child[ROOT] = i > 0

    def allowed(node: int, use_siblings: bool, use_depth: bool) -> bool:
        depth = depth_of[node] + 1
        if use_depth and cues.depth_min is not None and depth < cues.depth_min:
            return False
        if use_depth and cues.depth_max is not None and depth > cues.depth_max:
            return False
        if use_siblings and cues.has_prev is not None and has_child[node] != cues.has_prev:
            return False
        return True

    for use_siblings, use_depth in ((True, True), (False, True), (False, False)):
        kept = [node for node in reversed(path) if allowed(node, use_siblings, use_depth)]
        if kept:
            return kept
    return []


@dataclass
class ParentModel:
    """Weights of the conditional logit for one paste kind (``lines`` or ``authored``)."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return ((rows - self.mean) / self.scale) @ self.coef


@functools.lru_cache(maxsize=4)
def load_model(kind: str, folder: str | None = None) -> ParentModel | None:
    """The shipped weights for ``kind``, or None when they are missing."""
    base = Path(folder) if folder else MODEL_DIR
    config_path, weights_path = base / "config.json", base / "weights.npz"
    if not config_path.exists() or not weights_path.exists():
        return None
    config = json.loads(config_path.read_text(encoding="utf-8"))
    if kind not in config.get("kinds", {}):
        return None
    with np.load(weights_path, allow_pickle=False) as weights:
        return ParentModel(tuple(config["kinds"][kind]["features"]), weights[f"{kind}_mean"],
                           weights[f"{kind}_scale"], weights[f"{kind}_coef"])


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max())
    return shifted / shifted.sum()


def decode(features: Features, model: ParentModel,
           fixed: dict[int, int] | None = None, beam: int = 1) -> tuple[list[int], list[float]]:
    """Greedy left-to-right parents (``ROOT`` = the thread) and each choice's probability.

    ``fixed`` maps a unit to a parent known for certain (a quote found in it): it is
    kept, with the model's probability of it (or 0.95, whichever is higher).
    """
    fixed = fixed or {}
    if beam > 1:
        return _beam_decode(features, model, fixed, beam)
    parents: list[int] = []
    confidences: list[float] = []
    for i in range(len(features.units)):
        if i == 0:
            parents.append(fixed.get(0, ROOT))
            confidences.append(1.0)
            continue
        cands, rows = features.rows(i, parents)
        probs = softmax(model.scores(rows))
        if i in fixed and fixed[i] in cands:
            pick = cands.index(fixed[i])
            parents.append(fixed[i])
            confidences.append(max(float(probs[pick]), 0.95))
            continue
        pick = int(np.argmax(probs))
        parents.append(cands[pick])
        confidences.append(float(probs[pick]))
    return parents, confidences


def _beam_decode(features: Features, model: ParentModel, fixed: dict[int, int],
                 width: int) -> tuple[list[int], list[float]]:
    """Keep the ``width`` likeliest parent sequences, so one early slip does not misplace the rest."""
    beams: list[tuple[float, list[int], list[float]]] = [(0.0, [fixed.get(0, ROOT)], [1.0])]
    for i in range(1, len(features.units)):
        grown = []
        for logp, parents, confs in beams:
            cands, rows = features.rows(i, parents)
            probs = softmax(model.scores(rows))
            if i in fixed and fixed[i] in cands:
                pick = cands.index(fixed[i])
                grown.append((logp, parents + [fixed[i]], confs + [max(float(probs[pick]), 0.95)]))
                continue
            for pick in np.argsort(-probs)[:width]:
                p = float(probs[pick])
                grown.append((logp + math.log(max(p, 1e-12)), parents + [cands[pick]], confs + [p]))
        grown.sort(key=lambda b: -b[0])
        beams = grown[:width]
    _, parents, confs = beams[0]
    return parents, confs


def beam_for(units: list[Unit]) -> int:
    """How many parent sequences to keep while decoding ``units``: ``BEAM`` when a copied
    page's headers give cues, else 1 (greedy).

    Without cues the beam prefers sequences that keep the tree shallow (fewer candidates on
    a short ancestor path make each choice look surer), so it hangs replies off ancestors too
    often: on the training threads, pasted without cues, greedy decoding is right for 0.473
    of the comments against 0.455 with the beam (one HN thread: 0.462 against 0.295), and
    for one-comment-per-line pastes 0.647 against 0.645; with cues the beam is as good or
    better (copied old Reddit pages 0.648 against 0.636).

    >>> beam_for([Unit("a"), Unit("b")]), beam_for([Unit("a", cues=PageCues(0, 0, None))])
    (1, 4)
    """
    return BEAM if any(unit.cues is not None for unit in units) else 1


def embed_units(units: list[Unit], root_text: str = "", *, cache=None,
                encoder=None) -> tuple[np.ndarray, np.ndarray | None]:
    """MiniLM vectors of the units (and of the root text when there is one), by ``encoder``
    (an ``argmap.embed.vectors.Encoder``; the default one without), through ``cache`` if given."""
    from argmap.embed.vectors import Encoder, embed_texts, encode

    encoder = encoder or Encoder()
    texts = [u.text or " " for u in units]
    if root_text.strip():
        texts.append(root_text)
    if cache is not None:
        vectors = embed_texts(texts, cache=cache, max_tokens=128, encoder=encoder)
    else:
        vectors = encode(texts, max_tokens=128, encoder=encoder)
    if root_text.strip():
        return vectors[:-1], vectors[-1]
    return vectors, None


def infer_parents(units: list[Unit], root_text: str = "", *, fixed: dict[int, int] | None = None,
                  cache=None, encoder=None, models_folder: Path | None = None) -> tuple[list[int], list[float]] | None:
    """Predicted parent index per unit (``ROOT`` for the thread) and its probability.

    The weights are read from ``paste_parents/`` in ``models_folder`` (the settings'
    ``models_folder``; the checkout's ``models/`` without one). None when they are not
    installed (the caller keeps the old behaviour).
    """
    authored = sum(1 for u in units if u.author) >= max(2, len(units) // 2)
    folder = str(Path(models_folder) / MODEL_FOLDER) if models_folder else None
    model = load_model("authored" if authored else "lines", folder)
    if model is None or not units:
        return None
    vectors, root_vector = embed_units(units, root_text, cache=cache, encoder=encoder)
    features = Features(units, vectors, root_text, root_vector, authored=authored)
    if features.names != model.names:
        return None
    return decode(features, model, fixed, beam=beam_for(units))
