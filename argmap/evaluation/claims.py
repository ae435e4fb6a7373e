"""Evaluate claim extraction: UKP Sentential test split, hand-labelled thread sentences, speed.

Run ``python -m argmap.evaluation.claims`` from the repository root (needs ``../shared``).

- UKP Sentential (``../shared/datasets/ukp_sentential``, CC BY-NC): each test sentence is
  read as a one-line comment; predicted positive when it yields a claim. Gold positive:
  ``Argument_for`` / ``Argument_against``. UKP's "argument" (for or against a given topic)
  is stricter than argmap's "claim", so precision here is a lower bound.
- Hand-labelled thread sentences (``tests/claims/labels.csv``: file, comment id, start,
  end, label, set; no text): a sentence is predicted positive when claims cover at least
  half of its characters. Gold positive: ``claim`` and ``fragment`` (a piece of a claim).
  Set ``dev`` (340) was used while writing the rules; ``heldout`` (121, other comments and
  two more threads) was labelled after them and never tuned on.
- Speed: ``extract_claims`` on the 1,371-comment Reddit thread, model already loaded.
- ``--classifier-experiment``: the trained alternative that was tried and not shipped.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import time
from collections import Counter
from pathlib import Path

from argmap.claims.extraction import extract_claims, parse_lines
from argmap.claims.segmentation import split_lines
from argmap.evaluation.threads import SHARED_THREADS, read_recorded
from argmap.model import Comment, Thread

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "tests" / "claims" / "labels.csv"
UKP_DIR = ROOT.parent / "shared" / "datasets" / "ukp_sentential"
POSITIVE_LABELS = {"claim", "fragment"}
LABEL_VALUES = {"claim", "fragment", "question", "quote", "meta", "greeting", "link", "code", "signature", "other"}
SPEED_THREAD = "reddit/asyncpraw2020_n49rw_sort-confidence.json"
HELDOUT_FILES = ("reddit/graw_thread_self.json", "reddit/rtv_2np694.json", "hn/circumflex_25015967_biden.json")
LABELLED_FILES = ("reddit/asyncpraw2020_n49rw_sort-confidence.json", "hn/circumflex_25015967_biden.json")


def scores(gold: list[bool], predicted: list[bool]) -> dict:
    """Precision, recall and F1 of the positive class, with the counts behind them."""
    tp = sum(g and p for g, p in zip(gold, predicted))
    fp = sum(p and not g for g, p in zip(gold, predicted))
    fn = sum(g and not p for g, p in zip(gold, predicted))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"n": len(gold), "positives": sum(gold), "tp": tp, "fp": fp, "fn": fn,
            "precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
            "accuracy": round(sum(g == p for g, p in zip(gold, predicted)) / len(gold), 3) if gold else 0.0}


def ukp_rows(split: str = "test", folder: Path = UKP_DIR) -> list[dict]:
    rows = []
    for path in sorted(folder.glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows += [row for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
                     if row["set"] == split]
    return rows


def predict_sentences(sentences: list[str], nlp=None) -> list[bool]:
    """Claim or not for each stand-alone sentence, read as a one-line comment."""
    thread = Thread(source="text", id="ukp", comments=[
        Comment(id=str(i), parent_id="ukp", text=text) for i, text in enumerate(sentences)])
    has_claim = {claim.comment_id for claim in extract_claims(thread, nlp=nlp)}
    return [str(i) in has_claim for i in range(len(sentences))]


def evaluate_ukp(nlp=None, split: str = "test") -> dict:
    rows = ukp_rows(split)
    gold = [row["annotation"].startswith("Argument") for row in rows]
    predicted = predict_sentences([row["sentence"] for row in rows], nlp)
    result = scores(gold, predicted)
    result["by_topic"] = {
        topic: scores([g for g, r in zip(gold, rows) if r["topic"] == topic],
                      [p for p, r in zip(predicted, rows) if r["topic"] == topic])["f1"]
        for topic in sorted({r["topic"] for r in rows})}
    return result


def reference_units(thread: Thread, nlp) -> list[tuple[str, int, int]]:
    """The sentences labels refer to: (comment id, start, end) of each line's spaCy sentences,
    each quote or code line whole. Independent of the claim rules, so labels stay valid."""
    comments = [c for c in thread.comments if not c.deleted and c.text]
    parsed = parse_lines([s.text for c in comments for s in split_lines(c.text)], nlp)
    units = []
    for comment in comments:
        for segment in split_lines(comment.text):
            if segment.quote is not None or segment.code:
                units.append((comment.id, segment.start, segment.start + len(segment.text)))
                continue
            for sent in parsed[segment.text].sents:
                text = sent.text.strip()
                if text:
                    start = segment.start + sent.start_char + len(sent.text) - len(sent.text.lstrip())
                    units.append((comment.id, start, start + len(text)))
    return units


def read_labels(path: Path = LABELS) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [{**row, "start": int(row["start"]), "end": int(row["end"]), "set": row.get("set") or "dev"}
                for row in csv.DictReader(handle)]


def covered(claims: list, start: int, end: int) -> float:
    """Share of ``[start, end)`` covered by the given claim spans."""
    hit = sum(max(0, min(end, c.end) - max(start, c.start)) for c in claims)
    return hit / max(1, end - start)


def evaluate_labels(nlp=None, threads_dir: Path = SHARED_THREADS, labels_path: Path = LABELS) -> dict:
    """Scores on the labelled sentences: all of them, and per set (``dev`` was looked at while
    writing the rules, ``heldout`` was labelled afterwards from other comments and threads)."""
    labels = read_labels(labels_path)
    for name in sorted({row["file"] for row in labels}):
        claims_by_comment: dict[str, list] = {}
        for claim in extract_claims(read_recorded(threads_dir / name), nlp=nlp):
            claims_by_comment.setdefault(claim.comment_id, []).append(claim)
        for row in (r for r in labels if r["file"] == name):
            row["kept"] = covered(claims_by_comment.get(row["comment_id"], []), row["start"], row["end"]) >= 0.5
    result = {}
    for subset in ["all"] + sorted({row["set"] for row in labels}):
        rows = [row for row in labels if subset in ("all", row["set"])]
        result[subset] = scores([row["label"] in POSITIVE_LABELS for row in rows], [row["kept"] for row in rows])
        confusion = Counter((row["label"], row["kept"]) for row in rows)
        result[subset]["kept_by_label"] = {
            label: f"{confusion[(label, True)]}/{confusion[(label, True)] + confusion[(label, False)]}"
            for label in sorted({label for label, _ in confusion})}
    return result


def evaluate_speed(nlp, repeats: int = 3) -> dict:
    """Seconds for ``extract_claims`` on the 1,371-comment thread (best of ``repeats``)."""
    thread = read_recorded(SHARED_THREADS / SPEED_THREAD)
    extract_claims(Thread(source="text", id="warm", comments=[Comment("w", "warm", "Warm up the model.")]), nlp=nlp)
    best, claims = float("inf"), []
    for _ in range(repeats):
        began = time.perf_counter()
        claims = extract_claims(thread, nlp=nlp)
        best = min(best, time.perf_counter() - began)
    return {"thread": SPEED_THREAD, "comments": len(thread.comments), "claims": len(claims),
            "seconds": round(best, 2), "cpu_count": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()], "pipeline": list(nlp.pipe_names)}


def classifier_experiment(nlp, threshold: float = 0.4, seed: int = 0) -> dict:
    """Logistic regression on MiniLM embeddings plus the rule decision, trained on UKP train:
    scored on UKP test and on the labelled thread sentences. Not shipped: see RESULTS.md."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from argmap.embed.torch_runtime import load_encoder

    encoder = load_encoder()

    def features(texts: list[str], rule: list[bool]):
        vectors = encoder.encode(texts, batch_size=128, normalize_embeddings=True, show_progress_bar=False)
        return np.hstack([vectors, np.array(rule, dtype=float)[:, None]])

    train, test = ukp_rows("train"), ukp_rows("test")
    train_texts, test_texts = [r["sentence"] for r in train], [r["sentence"] for r in test]
    model = LogisticRegression(max_iter=2000, random_state=seed).fit(
        features(train_texts, predict_sentences(train_texts, nlp)),
        [r["annotation"].startswith("Argument") for r in train])
    test_rule = predict_sentences(test_texts, nlp)
    test_prob = model.predict_proba(features(test_texts, test_rule))[:, 1]
    gold_test = [r["annotation"].startswith("Argument") for r in test]
    labels = read_labels()
    texts, rule, gold = [], [], []
    for name in sorted({row["file"] for row in labels}):
        thread = read_recorded(SHARED_THREADS / name)
        comment_text = {c.id: c.text for c in thread.comments}
        claims_by_comment: dict[str, list] = {}
        for claim in extract_claims(thread, nlp=nlp):
            claims_by_comment.setdefault(claim.comment_id, []).append(claim)
        for row in (r for r in labels if r["file"] == name):
            texts.append(comment_text[row["comment_id"]][row["start"]:row["end"]])
            rule.append(covered(claims_by_comment.get(row["comment_id"], []), row["start"], row["end"]) >= 0.5)
            gold.append(row["label"] in POSITIVE_LABELS)
    thread_prob = model.predict_proba(features(texts, rule))[:, 1]
    return {"threshold": threshold,
            "ukp_test": scores(gold_test, [bool(p >= threshold) for p in test_prob]),
            "thread_labels": scores(gold, [bool(p >= threshold) for p in thread_prob])}


def sample_for_labelling(nlp, files=LABELLED_FILES, per_file: int = 170, seed: int = 4,
                         skip: frozenset = frozenset()) -> list[tuple[str, str, int, int, str]]:
    """Whole comments drawn at random (fixed seed) until ``per_file`` sentences per file;
    comments in ``skip`` ((file, comment id) pairs) are left out."""
    rows = []
    for name in files:
        thread = read_recorded(SHARED_THREADS / name)
        texts = {c.id: c.text for c in thread.comments}
        units = reference_units(thread, nlp)
        by_comment: dict[str, list] = {}
        for unit in units:
            by_comment.setdefault(unit[0], []).append(unit)
        ids = sorted(by_comment)
        random.Random(seed).shuffle(ids)
        taken = 0
        for cid in ids:
            if taken >= per_file:
                break
            if len(by_comment[cid]) > 12 or (name, cid) in skip:
                continue
            for _, start, end in by_comment[cid]:
                rows.append((name, cid, start, end, texts[cid][start:end]))
                taken += 1
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip", action="append", default=[], choices=["ukp", "labels", "speed"])
    parser.add_argument("--sample", action="store_true", help="print sentences to label (text on stdout only)")
    parser.add_argument("--sample-heldout", action="store_true",
                        help="print the held-out sentences to label: other threads, comments not yet labelled")
    parser.add_argument("--classifier-experiment", action="store_true",
                        help="also train and score the (unshipped) UKP classifier; minutes on 2 cores")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    from argmap.claims.nlp import load_spacy

    nlp = load_spacy()
    if args.sample or args.sample_heldout:
        labelled = frozenset((row["file"], row["comment_id"]) for row in read_labels()) if LABELS.exists() else frozenset()
        rows = sample_for_labelling(nlp, HELDOUT_FILES, per_file=40, seed=11, skip=labelled) \
            if args.sample_heldout else sample_for_labelling(nlp)
        for i, (name, cid, start, end, text) in enumerate(rows):
            print(f"{i}\t{name}\t{cid}\t{start}\t{end}\t{text!r}")
        return
    results = {}
    if "speed" not in args.skip:
        results["speed"] = evaluate_speed(nlp)
    if "labels" not in args.skip:
        results["thread_labels"] = evaluate_labels(nlp)
    if "ukp" not in args.skip:
        results["ukp_test"] = evaluate_ukp(nlp)
    if args.classifier_experiment:
        results["classifier_experiment"] = classifier_experiment(nlp)
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
