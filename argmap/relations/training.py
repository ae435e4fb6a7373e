"""Train and measure the relation model; writes ``models/relations/`` and ``models/metrics.json``.

Run from the repo root: ``python -m argmap.relations.training``. Reads the data sets from
``../shared/datasets`` (never copied into the repo), holds out a fixed stratified 15 % of
DEBAGREEMENT dev as validation, fits both heads on the training pool, chooses the blend
weight, the temperature and the abstention threshold on validation, then reports
validation and the other sets' test parts. Fixed seed: re-running reproduces the scores.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from argmap.relations import classifier as rm

SEED = 13
VALIDATION_FRACTION = 0.15
REPO_ROOT = Path(__file__).resolve().parents[2]
DATASETS = REPO_ROOT.parent / "shared" / "datasets"
METRICS_PATH = REPO_ROOT / "models" / "metrics.json"
TARGET_PRECISION = 0.65  # edges drawn must be right this often on validation (3-class chance ≈ 0.5)
MIN_DF = 2
# Training-pool weights per source and head: the Reddit reply data is what the model meets in
# threads; a TF-IDF head lost ~2 macro-F1 points on validation when the debate sets joined it.
JOINT_SOURCES = {"debagreement": 1.0, "subreddit": 1.0}
PAIR_SOURCES = {"debagreement": 1.0, "subreddit": 1.0, "perspectrum": 0.3, "debatepedia": 0.2}
DEBATE_TRAIN_CAP = 3000  # training pairs drawn per debate set (seeded): CPU embedding time on 2 cores
SUPPORTS, REBUTS, NONE = 0, 1, 2


@dataclass
class Pair:
    target: str
    response: str
    label: int  # index into classifier.LABELS
    source: str
    split: str  # train / val / test
    weight: float = 1.0


def _agreement_label(value: str) -> int:
    """0 = disagree, 1 = neutral, 2 = agree (DEBAGREEMENT, SubReddit) → our label index."""
    return {0: REBUTS, 1: NONE, 2: SUPPORTS}[int(float(value))]


def load_debagreement(root: Path) -> list[Pair]:
    """DEBAGREEMENT dev, split into a fixed stratified 85 % train / 15 % validation."""
    with open(root / "debagreement" / "dev.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rng = np.random.default_rng(SEED)
    pairs = []
    by_label: dict[int, list[dict]] = {}
    for row in rows:
        by_label.setdefault(_agreement_label(row["label"]), []).append(row)
    for label in sorted(by_label):
        group = by_label[label]
        order = rng.permutation(len(group))
        held = set(order[:round(len(group) * VALIDATION_FRACTION)].tolist())
        for i, row in enumerate(group):
            agreement = float(row["agreement_fraction"] or 1.0)
            pairs.append(Pair(row["body_parent"], row["body_child"], label, "debagreement",
                              "val" if i in held else "train", agreement))
    return pairs


def load_subreddit(root: Path) -> list[Pair]:
    """SubReddit (dis)agreement quote → response pairs (cp1252 files); all used for training."""
    pairs = []
    for path in sorted((root / "subreddit_agreement").glob("SubReddit-*.csv")):
        text = path.read_bytes().decode("cp1252", errors="replace")
        for row in csv.DictReader(io.StringIO(text)):
            pairs.append(Pair(row["quote_text"], row["response_text"], _agreement_label(row["relation"]),
                              "subreddit", "train"))
    return pairs


def load_perspectrum(root: Path) -> list[Pair]:
    """PERSPECTRUM claim → perspective (SUPPORT / UNDERMINE), split by claim id."""
    folder = root / "perspectrum"
    splits = json.loads((folder / "dataset_split_v1.0.json").read_text(encoding="utf-8"))
    pool = {p["pId"]: p["text"] for p in json.loads((folder / "perspective_pool_v1.0.json").read_text("utf-8"))}
    labels = {"SUPPORT": SUPPORTS, "UNDERMINE": REBUTS}
    pairs = []
    for claim in json.loads((folder / "perspectrum_with_answers_v1.0.json").read_text(encoding="utf-8")):
        split = {"dev": "val"}.get(splits.get(str(claim["cId"]), "train"), splits.get(str(claim["cId"]), "train"))
        for cluster in claim["perspectives"]:
            label = labels.get(cluster["stance_label_3"])
            if label is None:
                continue
            for pid in cluster["pids"]:
                if pid in pool:
                    pairs.append(Pair(claim["text"], pool[pid], label, "perspectrum", split))
    return pairs


def load_debatepedia(root: Path) -> list[Pair]:
    """Debatepedia statement → claim pairs (1 support, −1 attack), normative and causal, own splits."""
    folder = root / "tacl_debatepedia"
    pairs = []
    for kind in ("normative", "causal"):
        with open(folder / f"debate_{kind}_pairs-bi-split.csv", encoding="utf-8", newline="") as handle:
            splits = {row["pairid"]: row["split"] for row in csv.DictReader(handle)}
        with open(folder / f"debate_{kind}_pairs-bi.csv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                split = {"dev": "val"}.get(splits.get(row["pairid"], "train"), splits.get(row["pairid"], "train"))
                label = SUPPORTS if int(row["relation"]) == 1 else REBUTS
                pairs.append(Pair(row["text_to"], row["text_from"], label, "debatepedia", split))
    return pairs


def load_all(root: Path = DATASETS) -> list[Pair]:
    if not root.is_dir():
        raise SystemExit(f"data sets not found at {root} (expected ../shared/datasets beside the repo)")
    return load_debagreement(root) + load_subreddit(root) + load_perspectrum(root) + load_debatepedia(root)


# ----------------------------------------------------------------------------------
# features and heads


def build_vocabulary(texts: list[str], min_df: int = MIN_DF) -> tuple[dict[str, int], np.ndarray]:
    """Tokens in at least ``min_df`` texts, and their smoothed idf."""
    document_frequency: Counter = Counter()
    for text in texts:
        document_frequency.update(set(rm.tokens(text)))
    kept = sorted(t for t, df in document_frequency.items() if df >= min_df)
    n = len(texts)
    idf = np.array([np.log((1 + n) / (1 + document_frequency[t])) + 1.0 for t in kept], dtype=np.float32)
    return {t: i for i, t in enumerate(kept)}, idf


def fit_logistic(features, labels: np.ndarray, weights: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression with class-balanced sample weights; (coef, intercept)."""
    from sklearn.linear_model import LogisticRegression

    counts = np.bincount(labels, weights=weights, minlength=3)
    balanced = weights * (counts.sum() / (3 * np.maximum(counts[labels], 1e-9)))
    model = LogisticRegression(C=c, max_iter=3000, random_state=SEED)
    model.fit(features, labels, sample_weight=balanced)
    return model.coef_.astype(np.float32), model.intercept_.astype(np.float32)


def macro_f1(labels: np.ndarray, predicted: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(labels, predicted, average="macro", labels=[0, 1, 2]))


def scores(labels: np.ndarray, probabilities: np.ndarray) -> dict:
    """3-class macro-F1/accuracy, per-class F1, and agree-vs-disagree accuracy (supports/rebuts only)."""
    from sklearn.metrics import f1_score

    predicted = probabilities.argmax(axis=1)
    binary = labels != NONE
    binary_predicted = probabilities[binary][:, [SUPPORTS, REBUTS]].argmax(axis=1)
    per_class = f1_score(labels, predicted, average=None, labels=[0, 1, 2])
    return {
        "n": int(len(labels)),
        "macro_f1": round(macro_f1(labels, predicted), 4),
        "accuracy": round(float((predicted == labels).mean()), 4),
        "f1": {name: round(float(v), 4) for name, v in zip(rm.LABELS, per_class)},
        "agree_vs_disagree_accuracy": round(float((binary_predicted == labels[binary]).mean()), 4),
    }


def binary_accuracy(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Support-vs-attack accuracy: the larger of P(supports), P(rebuts)."""
    return round(float((probabilities[:, [SUPPORTS, REBUTS]].argmax(axis=1) == labels).mean()), 4)


def nll(labels: np.ndarray, probabilities: np.ndarray) -> float:
    return float(-np.log(np.clip(probabilities[np.arange(len(labels)), labels], 1e-9, 1)).mean())


def choose_temperature(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Temperature minimising validation log-loss (grid search; calibration only, argmax unchanged)."""
    logp = np.log(np.clip(probabilities, 1e-9, 1))
    grid = np.round(np.arange(0.4, 3.01, 0.05), 2)
    return float(min(grid, key=lambda t: nll(labels, rm.softmax(logp / t))))


def choose_threshold(labels: np.ndarray, probabilities: np.ndarray, target: float = TARGET_PRECISION) -> dict:
    """Lowest confidence threshold whose drawn edges (supports/rebuts) reach ``target`` precision."""
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    edges = predicted != NONE
    table = []
    for threshold in np.round(np.arange(0.34, 0.96, 0.02), 2):
        drawn = edges & (confidence >= threshold)
        if drawn.sum() < 20:
            break
        precision = float((predicted[drawn] == labels[drawn]).mean())
        recall = float((drawn & (predicted == labels)).sum() / max((labels != NONE).sum(), 1))
        table.append({"threshold": float(threshold), "precision": round(precision, 4),
                      "recall": round(recall, 4), "drawn": int(drawn.sum())})
    chosen = next((row for row in table if row["precision"] >= target), table[-1])
    return {"chosen": chosen, "target_precision": target, "curve": table}


def sentences(text: str) -> list[str]:
    """A cheap sentence split (no spaCy) for the claim-level proxy below."""
    found = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s.strip()) > 15]
    return found or [text]


def embed_texts(texts: list[str], **options) -> np.ndarray:
    """``argmap.embed.vectors.embed_texts`` through the instance folder's cache."""
    from argmap.cache import cache_for
    from argmap.embed.vectors import embed_texts as embed
    from argmap.settings import Settings

    return embed(texts, cache=cache_for(str(Settings.from_env().instance_folder)), **options)


def embed_pairs(pairs: list[Pair]) -> tuple[np.ndarray, np.ndarray]:
    """MiniLM vectors of targets and responses (through the instance folder's cache)."""
    texts = sorted({p.target for p in pairs} | {p.response for p in pairs})
    vectors = embed_texts(texts, progress=lambda stage, done, total, message: print(f"  {message}", flush=True)
                          if done % 2048 < 256 or done == total else None)
    row = {t: i for i, t in enumerate(texts)}
    return (vectors[[row[p.target] for p in pairs]], vectors[[row[p.response] for p in pairs]])


def train(out_dir: Path, metrics_path: Path, joint_c: float = 0.5, pair_c: float = 1.0) -> dict:
    started = time.perf_counter()
    pairs = load_all()
    print("pairs:", Counter((p.source, p.split) for p in pairs), flush=True)
    rng = np.random.default_rng(SEED)
    train_pairs = []
    for source in PAIR_SOURCES:
        group = [p for p in pairs if p.split == "train" and p.source == source]
        if source not in JOINT_SOURCES and len(group) > DEBATE_TRAIN_CAP:
            group = [group[i] for i in sorted(rng.choice(len(group), DEBATE_TRAIN_CAP, replace=False))]
        train_pairs += group
    joint_pairs = [p for p in train_pairs if p.source in JOINT_SOURCES]
    val = [p for p in pairs if p.source == "debagreement" and p.split == "val"]
    tests = {name: [p for p in pairs if p.source == name and p.split == "test"]
             for name in ("perspectrum", "debatepedia")}
    labels = np.array([p.label for p in train_pairs])
    weights = np.array([PAIR_SOURCES[p.source] * p.weight for p in train_pairs], dtype=np.float64)
    val_labels = np.array([p.label for p in val])

    print("embedding ...", flush=True)
    every = train_pairs + val + [p for group in tests.values() for p in group]
    targets, responses = embed_pairs(every)
    vectors = {id(p): (targets[i], responses[i]) for i, p in enumerate(every)}

    def text_pairs(group):
        return [(p.target, p.response) for p in group]

    dense_train = np.stack([rm.dense_features(p.target, p.response) for p in joint_pairs])
    vocabulary, idf = build_vocabulary([p.response for p in joint_pairs])
    pair_width = 4 * targets.shape[1] + len(rm.DENSE_NAMES)
    model = rm.RelationModel(vocabulary=vocabulary, idf=idf, dense_mean=dense_train.mean(axis=0),
                             dense_scale=dense_train.std(axis=0) + 1e-6,
                             joint_coef=np.zeros((3, len(idf) + pair_width), np.float32),
                             joint_intercept=np.zeros(3, np.float32),
                             pair_coef=np.zeros((3, pair_width), np.float32),
                             pair_intercept=np.zeros(3, np.float32), joint_weight=1.0, temperature=1.0,
                             threshold=0.5, meta={})

    def pair_matrix(group):
        u = np.stack([vectors[id(p)][0] for p in group])
        v = np.stack([vectors[id(p)][1] for p in group])
        return model.pair_features(text_pairs(group), u, v)

    print("fitting joint head ...", flush=True)
    joint_labels = np.array([p.label for p in joint_pairs])
    joint_weights = np.array([JOINT_SOURCES[p.source] * p.weight for p in joint_pairs])
    model.joint_coef, model.joint_intercept = fit_logistic(
        model.joint_features(text_pairs(joint_pairs), pair_matrix(joint_pairs)), joint_labels, joint_weights, joint_c)
    print("fitting pair head ...", flush=True)
    model.pair_coef, model.pair_intercept = fit_logistic(pair_matrix(train_pairs), labels, weights, pair_c)

    def heads(group):
        return model.heads(text_pairs(group), pair_matrix(group))

    val_joint, val_pair = heads(val)
    blend = {round(w, 2): macro_f1(val_labels, (w * val_joint + (1 - w) * val_pair).argmax(axis=1))
             for w in np.arange(0.0, 1.01, 0.05)}
    model.joint_weight = max(blend, key=lambda w: (round(blend[w], 3), -abs(w - 0.5)))
    blended = model.joint_weight * val_joint + (1 - model.joint_weight) * val_pair
    model.temperature = choose_temperature(val_labels, blended)
    val_probabilities = model.calibrate(blended)
    threshold = choose_threshold(val_labels, val_probabilities)
    model.threshold = threshold["chosen"]["threshold"]

    metrics = {
        "model": "relations-joint+pair-lr-v1",
        "seed": SEED,
        "train_pairs": dict(Counter(p.source for p in train_pairs)),
        "source_weights": {"joint_head": JOINT_SOURCES, "pair_head": PAIR_SOURCES},
        "hyperparameters": {"joint_c": joint_c, "pair_c": pair_c, "min_df": MIN_DF,
                            "sample_weight": "source weight x agreement_fraction (soft label), class-balanced",
                            "debate_train_cap": DEBATE_TRAIN_CAP},
        "validation": {
            "set": f"DEBAGREEMENT dev, fixed stratified {VALIDATION_FRACTION:.0%} (seed {SEED})",
            "joint_head": scores(val_labels, val_joint),
            "pair_head": scores(val_labels, val_pair),
            "blend": scores(val_labels, val_probabilities),
            "blend_weight_curve": {str(k): round(v, 4) for k, v in blend.items()},
            "nll_before_temperature": round(nll(val_labels, blended), 4),
            "nll_after_temperature": round(nll(val_labels, val_probabilities), 4),
        },
        "joint_weight": model.joint_weight,
        "temperature": model.temperature,
        "threshold": threshold,
        "test": {},
    }
    for name, group in tests.items():
        group_labels = np.array([p.label for p in group])
        joint, pair = heads(group)
        probabilities = model.calibrate(model.joint_weight * joint + (1 - model.joint_weight) * pair)
        metrics["test"][name] = {"n": len(group), "binary_accuracy": binary_accuracy(group_labels, probabilities),
                                 "joint_head_binary_accuracy": binary_accuracy(group_labels, joint),
                                 "pair_head_binary_accuracy": binary_accuracy(group_labels, pair),
                                 "predicted_none_share": round(float((probabilities.argmax(1) == NONE).mean()), 4)}
    model.meta = {"model": metrics["model"], "seed": SEED,
                  "validation_macro_f1": metrics["validation"]["blend"]["macro_f1"]}
    model.save(out_dir)
    metrics["speed"] = measure_speed(out_dir, {
        "reddit_comments (DEBAGREEMENT validation)": text_pairs(val),
        "claim_length (Debatepedia test)": text_pairs(tests["debatepedia"])})
    metrics["train_seconds"] = round(time.perf_counter() - started, 1)
    existing = json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path.exists() else {}
    existing["relations"] = metrics
    metrics_path.write_text(json.dumps(existing, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(metrics, indent=2))
    return metrics


def measure_speed(folder: Path, samples: dict[str, list[tuple[str, str]]]) -> dict:
    """Pairs/s of the saved model from text (MiniLM embedding included, no cache) and heads only."""
    import torch

    from argmap.embed.vectors import encode

    model = rm.load(folder)
    result = {"torch_threads": torch.get_num_threads(),
              "note": "measured on a 2-core machine shared with other jobs; the pipeline passes the "
                      "claims' cached vectors, so it runs near heads-only speed"}
    for name, pairs in samples.items():
        sample = pairs[:200]
        started = time.perf_counter()
        u, v = encode([t for t, _ in sample]), encode([r for _, r in sample])
        model.predict_proba(sample, u, v)
        with_embedding = time.perf_counter() - started
        started = time.perf_counter()
        model.predict_proba(sample, u, v)
        heads_only = time.perf_counter() - started
        result[name] = {"pairs": len(sample), "pairs_per_second_with_embedding": round(len(sample) / with_embedding, 1),
                        "pairs_per_second_heads_only": round(len(sample) / heads_only, 1)}
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=rm.MODEL_DIR)
    parser.add_argument("--metrics", type=Path, default=METRICS_PATH)
    parser.add_argument("--joint-c", type=float, default=0.5)
    parser.add_argument("--pair-c", type=float, default=1.0)
    args = parser.parse_args(argv)
    np.random.seed(SEED)
    train(args.out, args.metrics, args.joint_c, args.pair_c)


if __name__ == "__main__":
    main()
