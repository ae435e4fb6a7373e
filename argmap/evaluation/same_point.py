"""Do two claims of one thread make the same point? Labelled pairs, and what they say of ``restates``.

    python -m argmap.evaluation.same_point

``data/labels/same_point.csv`` holds 1,000 pairs of claims written by two different people
in one thread, from the stance issue's *dev* threads only (``stance_labels.THREADS``), each
located by comment id, field (``title`` for the thread's title, else ``text``) and character
offsets, and labelled ``yes``/``no`` by reading (docs/labelling.md, "do two claims make the
same point?"); ``second_reader`` where a second reader labelled the pair blind. The pairs are
every candidate at MiniLM cosine ≥ 0.75 and a random sample of those in [0.65, 0.75): claims
of different comments and authors that pass the cross-thread filters (≥ 6 words, ≥ 3 content
words, the contradiction guard). Texts stay in ``../shared``.

The command prints the readers' agreement, the share of pairs that make the same point per
cosine band of the shipped encoder, and the ``restates`` the pipeline draws on those threads
with the labelled ones among them.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LABELS = REPO / "data" / "labels" / "same_point.csv"
BANDS = (0.65, 0.75, 0.80, 0.86, 0.97, 1.01)


@dataclass(frozen=True)
class Span:
    """A claim's place: comment id (the thread id for the post), field and offsets."""

    comment_id: str
    field: str
    start: int
    end: int


@dataclass
class SamePointPair:
    thread: str  # path under ../shared/threads
    a: Span
    b: Span
    same_point: bool
    second_reader: bool | None
    note: str


def load_pairs(path: Path = LABELS) -> list[SamePointPair]:
    pairs = []
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            pairs.append(SamePointPair(
                row["thread"],
                Span(row["comment_a"], row["field_a"], int(row["start_a"]), int(row["end_a"])),
                Span(row["comment_b"], row["field_b"], int(row["start_b"]), int(row["end_b"])),
                row["same_point"] == "yes",
                None if not row["second_reader"] else row["second_reader"] == "yes",
                row["note"]))
    return pairs


def source_text(thread, span: Span, comments: dict | None = None) -> str:
    """The text ``span`` indexes: the thread's title or text, or a comment's text
    (``comments``: ``thread.comment_by_id()``, when the caller already has it)."""
    if span.field == "title":
        return thread.title
    if span.comment_id == thread.id:
        return thread.text
    return (comments if comments is not None else thread.comment_by_id())[span.comment_id].text


def span_text(thread, span: Span, comments: dict | None = None) -> str:
    return source_text(thread, span, comments)[span.start:span.end]


def pair_texts(pairs: list[SamePointPair], threads: dict) -> tuple[list[str], list[str]]:
    """Both claims' texts of every pair, each thread's comments indexed once."""
    comments = {name: thread.comment_by_id() for name, thread in threads.items()}
    first = [span_text(threads[p.thread], p.a, comments[p.thread]) for p in pairs]
    second = [span_text(threads[p.thread], p.b, comments[p.thread]) for p in pairs]
    return first, second


def load_threads(pairs: list[SamePointPair]) -> dict:
    from argmap.evaluation.stance_labels import load_thread

    return {name: load_thread(name) for name in sorted({p.thread for p in pairs})}


def by_similarity(pairs: list[SamePointPair], threads: dict, encoder=None) -> list[dict]:
    """Pairs and the share that make the same point, per cosine band of the shipped encoder."""
    import numpy as np

    from argmap.embed.vectors import Encoder, encode

    encoder = encoder or Encoder()
    first, second = pair_texts(pairs, threads)
    a, b = encode(first, encoder=encoder), encode(second, encoder=encoder)
    cosine = (a * b).sum(axis=1)
    same = np.array([p.same_point for p in pairs])
    out = []
    for low, high in zip(BANDS, BANDS[1:]):
        inside = (cosine >= low) & (cosine < high)
        out.append({"cosine": f"[{low:.2f}, {min(high, 1.0):.2f}{']' if high > 1 else ')'}", "pairs": int(inside.sum()),
                    "same_point": round(float(same[inside].mean()), 3) if inside.any() else None})
    return out


def drawn_restates(pairs: list[SamePointPair], threads: dict) -> dict:
    """The ``restates`` the pipeline draws on the labelled threads: how many, how many were
    labelled, and how many of those make the same point (with their texts)."""
    from argmap.pipeline import analyze_thread

    label_of = {(p.thread, frozenset((p.a, p.b))): p.same_point for p in pairs}
    drawn, judged = 0, []
    for name, thread in threads.items():
        analysis, _graph = analyze_thread(thread)
        claims = {c.id: c for c in analysis.claims}
        for relation in analysis.relations:
            if relation.relation != "restates":
                continue
            drawn += 1
            a, b = claims[relation.source], claims[relation.target]
            spans = frozenset(Span(c.comment_id, c.field, c.start, c.end) for c in (a, b))
            if (name, spans) in label_of:
                judged.append({"thread": name, "same_point": label_of[(name, spans)],
                               "similarity": relation.confidence, "a": a.text, "b": b.text})
    right = sum(j["same_point"] for j in judged)
    return {"drawn": drawn, "labelled": len(judged), "same_point": right, "pairs": judged}


def agreement(pairs: list[SamePointPair]) -> dict:
    from argmap.evaluation.stance import cohen_kappa

    both = [p for p in pairs if p.second_reader is not None]
    first = ["yes" if p.same_point else "no" for p in both]
    second = ["yes" if p.second_reader else "no" for p in both]
    return {"relabelled": len(both), "agree": round(sum(x == y for x, y in zip(first, second)) / max(1, len(both)), 3),
            "kappa": round(cohen_kappa(first, second), 3) if both else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    args = parser.parse_args(argv)
    pairs = load_pairs(args.labels)
    threads = load_threads(pairs)
    report = {"pairs": len(pairs), "same_point": sum(p.same_point for p in pairs), "threads": len(threads),
              "readers": agreement(pairs), "by_cosine": by_similarity(pairs, threads),
              "restates_drawn": drawn_restates(pairs, threads)}
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
