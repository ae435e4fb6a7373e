"""Train the paste reply-structure model on recorded threads flattened in page order.

    python -m argmap.training.paste_parents            # train, write models/paste_parents/
    python -m argmap.training.paste_parents --eval     # held-out numbers only, write nothing

Every recorded thread in ``../shared/threads`` is read with ``load_file`` (page order is
depth first, the order a reader scrolls) and flattened the way a paste loses its tree:

- ``authored`` (a copied HN / Reddit page): one unit per comment with its author; the
  post's title and text are the root text (the copy starts with them);
- ``lines`` (one comment per line): every comment is cut into its lines, a ``>`` quote
  line joined to the line after it as ``parse_text`` does; no authors, no root text. A
  comment's first line answers the *last* line of its parent comment (so the line tree is
  still depth first); each further line continues the line before it.

Deleted and empty comments are dropped and their replies hang off the nearest kept
ancestor, as a reader of the copy would see them. Split by thread: the four test threads
of the stance label set (``argmap.evaluation.stance_labels``) are held out, never trained
or tuned on. Embeddings are cached in ``build/paste_parents/`` (gitignored).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from argmap.sources.paste_formats import PageCues
from argmap.sources.reply_structure import (ROOT, AUTHOR_FEATURES, BASE_FEATURES, Features, ParentModel, Unit,
                                            beam_for, decode, embed_units)

REPO = Path(__file__).resolve().parents[2]
SHARED_THREADS = REPO.parent / "shared" / "threads"
CACHE_DIR = REPO / "build" / "paste_parents"
MODEL_DIR = REPO / "models" / "paste_parents"
TEST_THREADS = (
    "hn/hackernewsandroid_10846540_magicplus.json",
    "hn/hackernewsandroid_10939306_planet9.json",
    "reddit/praw_yjk55.json",
    "reddit/rtv_441hsf_czmp112.json",
)
KINDS = ("lines", "authored")
L2 = 1.0
MAX_UNITS = 1200  # per thread: the biggest threads would otherwise outweigh the rest


@dataclass
class Flat:
    """A thread flattened for one paste kind: units in page order and the gold parents."""

    name: str
    units: list[Unit]
    parents: list[int]  # gold: index of the parent unit, ROOT for the thread
    comment_of: list[int]  # which original comment each unit came from
    root_text: str


def thread_files(folder: Path = SHARED_THREADS) -> list[Path]:
    return [p for p in sorted(folder.rglob("*.json"))
            if not p.name.startswith("Test") and "morechildren" not in p.name]


def _kept_parent(comment, by_id: dict, kept: dict, thread_id: str) -> str:
    parent = comment.parent_id
    while parent != thread_id and parent not in kept:
        if parent not in by_id:
            return thread_id
        parent = by_id[parent].parent_id
    return parent


def page_cues(thread, page: str) -> dict[str, PageCues]:
    """The cues a copied page's headers would give each comment, from the thread's real
    tree (deleted comments included, as the page shows them): ``hn`` the depth class and
    the earlier-sibling link, ``reddit-old`` top level or not (the ``parent`` action),
    ``reddit-new`` the ``level N`` depth."""
    depth: dict[str, int] = {}
    children_seen: dict[str, int] = {}
    cues = {}
    for comment in thread.comments:
        parent = comment.parent_id
        depth[comment.id] = depth[parent] + 1 if parent in depth else 0
        has_prev = children_seen.get(parent, 0) > 0
        children_seen[parent] = children_seen.get(parent, 0) + 1
        d = depth[comment.id]
        if page == "hn":
            cues[comment.id] = PageCues(min(d, 2), d if d < 2 else None, has_prev)
        elif page == "reddit-old":
            cues[comment.id] = PageCues(min(d, 1), 0 if d == 0 else None)
        else:
            cues[comment.id] = PageCues(d, d)
    return cues


def flatten(thread, name: str, kind: str, page: str | None = None) -> Flat:
    """The thread as a paste of ``kind`` sees it, with the true parents; ``page`` (``hn`` or
    ``reddit-new``, authored only) adds the tree cues that page's headers give."""
    by_id = thread.comment_by_id()
    cues = page_cues(thread, page) if page else {}
    kept: dict[str, int] = {}  # comment id -> index among kept comments
    comments = []
    for comment in thread.comments:
        if comment.deleted or not comment.text.strip():
            continue
        kept[comment.id] = len(comments)
        comments.append(comment)
    units: list[Unit] = []
    parents: list[int] = []
    comment_of: list[int] = []
    last_unit: dict[int, int] = {}
    for index, comment in enumerate(comments):
        parent_id = _kept_parent(comment, by_id, kept, thread.id)
        parent_unit = ROOT if parent_id == thread.id else last_unit[kept[parent_id]]
        if kind == "authored":
            pieces = [comment.text.strip()]
        else:
            pieces = split_lines(comment.text)
        for k, piece in enumerate(pieces):
            parents.append(parent_unit if k == 0 else len(units) - 1)
            units.append(Unit.of(piece, comment.author if kind == "authored" else None, cues.get(comment.id)))
            comment_of.append(index)
        last_unit[index] = len(units) - 1
        if len(units) >= MAX_UNITS:
            break
    root_text = thread.root_comment().text if kind == "authored" else ""
    return Flat(name, units, parents, comment_of, root_text)


def split_lines(text: str) -> list[str]:
    """A comment's lines as ``parse_text`` makes them: blank lines dropped, quotes joined to the next line."""
    from argmap.sources.text import quote_text

    out, pending = [], []
    for line in text.split("\n"):
        if not line.strip():
            continue
        if quote_text(line) is not None:
            pending.append(line.strip())
            continue
        out.append("\n".join(pending + [line.strip()]))
        pending = []
    if pending:
        out.append("\n".join(pending))
    return out or [text.strip()]


def load_flat(kind: str, names: list[str] | None = None, page: str | None = None) -> list[Flat]:
    from argmap.errors import ArgmapError
    from argmap.sources.files import load_file

    flats = []
    for path in thread_files():
        name = path.relative_to(SHARED_THREADS).as_posix()
        if names is not None and name not in names:
            continue
        try:
            thread = load_file(path)
        except (ArgmapError, IndexError, KeyError, ValueError) as exc:  # praw_2ujhkr: a known reader bug
            print(f"skip {name}: {type(exc).__name__}", file=sys.stderr)
            continue
        flat = flatten(thread, name, kind, page)
        if len(flat.units) >= 5:
            flats.append(flat)
    return flats


def features_for(flat: Flat, kind: str, cache) -> Features:
    vectors, root_vector = embed_units(flat.units, flat.root_text, cache=cache)
    return Features(flat.units, vectors, flat.root_text, root_vector, authored=kind == "authored")


def training_rows(flat: Flat, features: Features, parents_for_context: list[int]):
    """(rows, index of the gold candidate) per unit; context (the ancestor path) from ``parents_for_context``."""
    groups = []
    for i in range(1, len(flat.units)):
        cands, rows = features.rows(i, parents_for_context)
        gold = flat.parents[i]
        if gold in cands:
            groups.append((rows, cands.index(gold)))
    return groups


def fit(groups: list[tuple[np.ndarray, int]], names: tuple[str, ...]) -> ParentModel:
    """Conditional logit: one softmax per unit over its candidates, L2-penalised, L-BFGS."""
    from scipy.optimize import minimize

    stacked = np.vstack([rows for rows, _ in groups])
    mean = stacked.mean(axis=0)
    scale = stacked.std(axis=0)
    scale[scale < 1e-6] = 1.0
    X = (stacked - mean) / scale
    sizes = np.array([len(rows) for rows, _ in groups])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    gold_rows = starts + np.array([g for _, g in groups])
    group_of = np.repeat(np.arange(len(groups)), sizes)

    def loss(w):
        s = X @ w
        peak = np.maximum.reduceat(s, starts)
        e = np.exp(s - peak[group_of])
        z = np.add.reduceat(e, starts)
        nll = -(s[gold_rows] - peak - np.log(z)).sum()
        p = e / z[group_of]
        grad = X.T @ p - X[gold_rows].sum(axis=0)
        n = len(groups)
        return nll / n + 0.5 * L2 * w @ w / n, grad / n + L2 * w / n

    result = minimize(loss, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return ParentModel(names, mean, scale, result.x)


def score(flat: Flat, parents: list[int]) -> dict:
    """Comment-level accuracy: a predicted parent line counts when it belongs to the right comment.

    A first line is right when its predicted parent is a line of its parent comment (or the
    root for a top-level comment); a continuation line when its parent is an earlier line
    of its own comment.
    """
    right = right_first = firsts = 0
    for i, predicted in enumerate(parents):
        gold = flat.parents[i]
        own = flat.comment_of[i]
        first = gold == ROOT or flat.comment_of[gold] != own
        if first:
            firsts += 1
            target = ROOT if gold == ROOT else flat.comment_of[gold]
            got = ROOT if predicted == ROOT else flat.comment_of[predicted]
            ok = got == target
            right_first += ok
        else:
            ok = predicted != ROOT and flat.comment_of[predicted] == own
        right += ok
    return {"units": len(parents), "right": right, "firsts": firsts, "right_first": right_first}


def baselines(flat: Flat) -> dict[str, list[int]]:
    n = len(flat.units)
    return {"previous line": [ROOT] + list(range(n - 1)), "root": [ROOT] * n}


def evaluate(flats: list[Flat], models: ParentModel, kind: str, cache) -> dict:
    totals: dict[str, dict] = {}
    per_thread = {}
    for flat in flats:
        features = features_for(flat, kind, cache)
        predicted, _ = decode(features, models, beam=beam_for(flat.units))
        runs = {"model": predicted, **baselines(flat)}
        per_thread[flat.name] = {}
        for method, parents in runs.items():
            s = score(flat, parents)
            per_thread[flat.name][method] = round(s["right"] / s["units"], 3)
            t = totals.setdefault(method, {"units": 0, "right": 0, "firsts": 0, "right_first": 0})
            for key in t:
                t[key] += s[key]
    summary = {method: {"accuracy": round(t["right"] / t["units"], 3),
                        "first_line_accuracy": round(t["right_first"] / max(1, t["firsts"]), 3),
                        "units": t["units"]} for method, t in totals.items()}
    return {"overall": summary, "threads": per_thread}


def train_kind(kind: str, cache, *, rounds: int = 3) -> tuple[ParentModel, dict]:
    """Fit on the training threads; each later round adds the ancestor paths the model itself predicted and refits."""
    train = load_flat(kind)
    train = [f for f in train if f.name not in TEST_THREADS]
    names = BASE_FEATURES + (AUTHOR_FEATURES if kind == "authored" else ())
    feats = [features_for(f, kind, cache) for f in train]
    groups = []
    for flat, features in zip(train, feats):
        groups += training_rows(flat, features, flat.parents)
    model = fit(groups, names)
    for _ in range(rounds - 1):
        extra = []
        for flat, features in zip(train, feats):
            predicted, _ = decode(features, model)
            extra += training_rows(flat, features, predicted)
        model = fit(groups + extra, names)
    info = {"train_threads": [f.name for f in train], "train_units": sum(len(f.units) for f in train),
            "train_groups": len(groups)}
    return model, info


def save(models: dict[str, ParentModel], metrics: dict, folder: Path = MODEL_DIR) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for kind, model in models.items():
        arrays[f"{kind}_mean"] = model.mean
        arrays[f"{kind}_scale"] = model.scale
        arrays[f"{kind}_coef"] = model.coef
    np.savez(folder / "weights.npz", **arrays)
    config = {"model": "conditional logit over earlier comments (argmap.sources.reply_structure)",
              "kinds": {kind: {"features": list(m.names),
                               "coef": {n: round(float(c), 4) for n, c in zip(m.names, m.coef)}}
                        for kind, m in models.items()},
              "metrics": metrics}
    (folder / "config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    from argmap.cache import cache_for

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", action="store_true", help="report held-out numbers, write nothing")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    cache = cache_for(str(CACHE_DIR))
    models, metrics = {}, {}
    for kind in KINDS:
        started = time.perf_counter()
        model, info = train_kind(kind, cache, rounds=args.rounds)
        test = load_flat(kind, list(TEST_THREADS))
        result = evaluate(test, model, kind, cache)
        metrics[kind] = {**info, "test_threads": list(TEST_THREADS), "test": result,
                         "seconds": round(time.perf_counter() - started, 1)}
        models[kind] = model
        print(kind, json.dumps(result["overall"]), f"({metrics[kind]['seconds']} s)")
    if not args.eval:
        save(models, metrics)
        print(f"wrote {MODEL_DIR}")


if __name__ == "__main__":
    main()
