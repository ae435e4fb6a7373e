"""Reply → parent stance examples for training and measuring the stance model.

Labels are ``agree`` / ``disagree`` / ``neither`` (``STANCES``). Sources:

- DEBAGREEMENT dev (a fixed stratified 15 % held out as validation, as the relation
  model always did, so its scores stay comparable) and SubReddit (dis)agreement, read
  from ``../shared/datasets``;
- argmap's in-domain labels (``data/labels/stance.csv``) joined with the recorded
  threads in ``../shared/threads``, with what a reader sees around the pair: the
  grandparent, the thread title, depth, whether the reply quotes the parent and whether
  its author is the grandparent's author (a returning debater).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
DATASETS = REPO.parent / "shared" / "datasets"
STANCES = ("agree", "disagree", "neither")
SEED = 13
VALIDATION_FRACTION = 0.15


@dataclass
class StanceExample:
    parent: str
    reply: str
    label: int  # index into STANCES
    source: str  # debagreement / subreddit / thread file
    split: str  # train / val / dev / test
    weight: float = 1.0
    grandparent: str = ""
    title: str = ""
    depth: int = 1  # 1 = a top-level comment answering the post
    quotes_parent: bool = False
    returning: bool = False  # the reply's author also wrote the grandparent
    pair_id: str = ""
    confidence: str = "clear"


def _agreement(value: str) -> int:
    """0 = disagree, 1 = neutral, 2 = agree (DEBAGREEMENT, SubReddit) → a STANCES index."""
    return {0: 1, 1: 2, 2: 0}[int(float(value))]


def load_debagreement(root: Path = DATASETS) -> list[StanceExample]:
    """DEBAGREEMENT dev split into a fixed stratified 85 % train / 15 % ``val``."""
    with open(root / "debagreement" / "dev.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rng = np.random.default_rng(SEED)
    by_label: dict[int, list[dict]] = {}
    for row in rows:
        by_label.setdefault(_agreement(row["label"]), []).append(row)
    examples = []
    for label in sorted(by_label):
        group = by_label[label]
        held = set(rng.permutation(len(group))[:round(len(group) * VALIDATION_FRACTION)].tolist())
        for i, row in enumerate(group):
            examples.append(StanceExample(row["body_parent"], row["body_child"], label, "debagreement",
                                          "val" if i in held else "train",
                                          float(row["agreement_fraction"] or 1.0),
                                          title=row.get("submission_text") or "", depth=2))
    return examples


def load_subreddit(root: Path = DATASETS) -> list[StanceExample]:
    """SubReddit (dis)agreement quote → response pairs (cp1252 files), all for training."""
    examples = []
    for path in sorted((root / "subreddit_agreement").glob("SubReddit-*.csv")):
        text = path.read_bytes().decode("cp1252", errors="replace")
        for row in csv.DictReader(io.StringIO(text)):
            if row.get("relation", "").strip() == "":
                continue
            examples.append(StanceExample(row["quote_text"], row["response_text"], _agreement(row["relation"]),
                                          "subreddit", "train", depth=2))
    return examples


def load_thread_labels(labels_csv: Path | None = None, label_round: int | None = None) -> list[StanceExample]:
    """The in-domain labelled pairs with their context, read through argmap's source readers.

    ``label_round`` keeps only one labelling round's pairs (the test pairs are all round 1).
    """
    from argmap.evaluation import stance_labels

    rows = stance_labels.read_labels(labels_csv or stance_labels.LABELS_CSV)
    if label_round is not None:
        chosen = {p.pair_id for p in stance_labels.selected_pairs(label_round=label_round)}
        rows = [r for r in rows if r["pair_id"] in chosen]
    threads = {}
    examples = []
    for row in rows:
        thread_file = row["thread"]
        if thread_file not in threads:
            threads[thread_file] = stance_labels.load_thread(thread_file)
        thread = threads[thread_file]
        examples.append(example_for(thread, row["reply_id"], STANCES.index(row["stance"]), thread_file,
                                    row["split"], pair_id=row["pair_id"], confidence=row["confidence"]))
    return examples


def example_for(thread, reply_id: str, label: int, source: str, split: str, **extra) -> StanceExample:
    """One reply of a Thread as a StanceExample, with the context the pipeline gives the model."""
    from argmap.relations.stance import stance_input

    item = stance_input(thread, thread.comment_by_id(), thread.comment_by_id()[reply_id])
    return StanceExample(item.parent, item.reply, label, source, split, grandparent=item.grandparent,
                         title=thread.title, depth=item.depth, quotes_parent=item.quotes_parent,
                         returning=item.returning, **extra)
