"""The in-domain stance label set: reply → parent pairs from the recorded threads.

The repo stores ids, offsets and labels (``data/labels/stance.csv``); the texts stay in
``../shared/threads`` and are read through argmap's own source readers, so every offset
indexes the text argmap analyses. A text hash per pair catches a reader change that
would move the offsets.

Labelling goes in three steps (``docs/labelling.md`` is the guideline)::

    python -m argmap.evaluation.stance_labels sheets OUTDIR   # numbered sentences per pair, in slices
    # labellers answer each slice: pair_id,stance,confidence,parent_sent,reply_sent,note
    python -m argmap.evaluation.stance_labels import OUTDIR   # answers → data/labels/stance.csv

``--round 2`` after either command works on the second round (``ROUND_2``): dev pairs the
first round did not sample, appended to the same CSVs.

A pair's *parent* is the comment the reply answers, or the thread's post for a
top-level comment (its title is one unit, ``field = title``; its text the others).
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from argmap.model import Comment, Thread

REPO = Path(__file__).resolve().parents[2]
SHARED_THREADS = REPO.parent / "shared" / "threads"
LABELS_CSV = REPO / "data" / "labels" / "stance.csv"
RELABEL_CSV = REPO / "data" / "labels" / "stance_relabel.csv"
STANCES = ("agree", "disagree", "neither")

# thread file (under ../shared/threads) → (split, how many pairs to sample; None = all)
THREADS: dict[str, tuple[str, int | None]] = {
    "hn/circumflex_25015967_biden.json": ("dev", 450),
    "hn/circumflex_26312516_speed.json": ("dev", 400),
    "reddit/asyncpraw2020_n49rw_sort-confidence.json": ("dev", 250),
    "reddit/praw_fo7p5b.json": ("dev", 200),
    "reddit/rtv_z1c9z.json": ("dev", 100),
    "reddit/graw_thread_self.json": ("dev", 100),
    "reddit/rtv_2np694.json": ("dev", 80),
    "reddit/rtv_2xmo63.json": ("dev", None),
    # test threads: never used for training or tuning
    "hn/hackernewsandroid_10846540_magicplus.json": ("test", None),
    "hn/hackernewsandroid_10939306_planet9.json": ("test", None),
    "reddit/praw_yjk55.json": ("test", None),
    "reddit/rtv_441hsf_czmp112.json": ("test", None),
}

# the second round: dev pairs the first round did not sample (test threads are complete),
# plus one dev thread the first round did not use; same guideline, other labellers
ROUND_2: dict[str, tuple[str, int | None]] = {
    "hn/circumflex_25015967_biden.json": ("dev", 850),
    "hn/circumflex_26312516_speed.json": ("dev", None),
    "reddit/asyncpraw2020_n49rw_sort-confidence.json": ("dev", 700),
    "reddit/praw_fo7p5b.json": ("dev", None),
    "reddit/rtv_z1c9z.json": ("dev", None),
    "reddit/graw_thread_self.json": ("dev", None),
    "reddit/rtv_2np694.json": ("dev", None),
    "reddit/praw_2ujhkr.json": ("dev", None),
}
ROUNDS = {1: THREADS, 2: ROUND_2}

LABEL_FIELDS = ["pair_id", "thread", "split", "reply_id", "parent_id", "stance", "confidence",
                "parent_field", "parent_start", "parent_end", "reply_start", "reply_end",
                "reply_hash", "parent_hash"]

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=\S)")


@dataclass
class Unit:
    """A numbered sentence shown to the labeller: ``field`` text[start:end]."""

    field: str
    start: int
    end: int


@dataclass
class Pair:
    pair_id: str
    thread_file: str
    split: str
    thread: Thread
    reply: Comment
    parent: Comment | None  # None: the thread's post

    def parent_fields(self) -> dict[str, str]:
        if self.parent is None:
            return {"title": self.thread.title, "text": self.thread.text}
        return {"text": self.parent.text}

    def parent_text(self) -> str:
        return "\n\n".join(t for t in self.parent_fields().values() if t.strip())


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a comment text, split at line breaks and sentence ends.

    >>> text = "No. That is wrong!\\n\\n> quoted\\nok"
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['No.', 'That is wrong!', '> quoted', 'ok']
    """
    spans = []
    for line in re.finditer(r"[^\n]+", text):
        offset = line.start()
        pieces = _SENTENCE_END.split(line.group())
        cursor = 0
        for piece in pieces:
            at = line.group().index(piece, cursor)
            cursor = at + len(piece)
            stripped = piece.strip()
            if stripped:
                begin = offset + at + piece.index(stripped)
                spans.append((begin, begin + len(stripped)))
    return spans


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def load_thread(thread_file: str, shared: Path = SHARED_THREADS) -> Thread:
    from argmap.sources.files import load_file

    return load_file(str(shared / thread_file))


def thread_pairs(thread_file: str, split: str, thread: Thread) -> list[Pair]:
    """Every reply → parent pair with text on both sides, in the thread's order."""
    by_id = {c.id: c for c in thread.comments}
    pairs = []
    for comment in thread.comments:
        if comment.deleted or not comment.text.strip():
            continue
        if comment.parent_id == thread.id:
            parent = None
            if not (thread.title.strip() or thread.text.strip()):
                continue
        else:
            parent = by_id.get(comment.parent_id)
            if parent is None or parent.deleted or not parent.text.strip():
                continue
        stem = Path(thread_file).stem
        pairs.append(Pair(f"{stem}:{comment.id}", thread_file, split, thread, comment, parent))
    return pairs


def selected_pairs(shared: Path = SHARED_THREADS, seed: int = 29, label_round: int = 1) -> list[Pair]:
    """One round's sample: every pair of the small threads, a seeded sample of the big ones.

    A later round samples only from the pairs no earlier round chose.
    """
    earlier = set()
    if label_round > 1:
        earlier = {p.pair_id for r in range(1, label_round) for p in selected_pairs(shared, seed, r)}
    chosen = []
    for thread_file, (split, count) in ROUNDS[label_round].items():
        pairs = [p for p in thread_pairs(thread_file, split, load_thread(thread_file, shared))
                 if p.pair_id not in earlier]
        if count is not None and count < len(pairs):
            rng = random.Random(f"{seed}:{thread_file}")
            keep = {p.pair_id for p in rng.sample(pairs, count)}
            pairs = [p for p in pairs if p.pair_id in keep]
        chosen.extend(pairs)
    return chosen


def parent_units(pair: Pair) -> list[Unit]:
    units = []
    for field, text in pair.parent_fields().items():
        units.extend(Unit(field, s, e) for s, e in sentence_spans(text))
    return units


def reply_units(pair: Pair) -> list[Unit]:
    return [Unit("text", s, e) for s, e in sentence_spans(pair.reply.text)]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + " […]"


def render_pair(pair: Pair) -> str:
    """One pair as the labeller reads it: title, grandparent, numbered parent and reply."""
    thread = pair.thread
    by_id = {c.id: c for c in thread.comments}
    lines = [f"=== PAIR {pair.pair_id}", f"THREAD: {thread.title}"]
    if pair.parent is None:
        lines.append("PARENT is the thread's post itself (the reply is a top-level comment).")
    else:
        grand = by_id.get(pair.parent.parent_id)
        if grand is not None and not grand.deleted:
            lines.append(f"GRANDPARENT ({grand.author}): {_clip(grand.text, 600)}")
        elif pair.parent.parent_id == thread.id and thread.text.strip():
            lines.append(f"GRANDPARENT (the post, by {thread.author}): {_clip(thread.text, 600)}")
        else:
            lines.append("GRANDPARENT: the thread's title above")
    author = thread.author if pair.parent is None else pair.parent.author
    lines.append(f"PARENT ({author}):")
    fields = pair.parent_fields()
    for index, unit in enumerate(parent_units(pair)):
        if index >= 40:
            lines.append("  […]")
            break
        lines.append(f"  [p{index}] {fields[unit.field][unit.start:unit.end]}")
    lines.append(f"REPLY ({pair.reply.author}):")
    for index, unit in enumerate(reply_units(pair)):
        if index >= 40:
            lines.append("  […]")
            break
        lines.append(f"  [r{index}] {pair.reply.text[unit.start:unit.end]}")
    return "\n".join(lines) + "\n"


def write_sheets(outdir: Path, slices: int = 6, relabel_fraction: float = 0.10, seed: int = 29,
                 label_round: int = 1) -> None:
    """Slice files for the labellers and one random 10 % sample for the independent relabel."""
    outdir.mkdir(parents=True, exist_ok=True)
    pairs = selected_pairs(seed=seed, label_round=label_round)
    # contiguous blocks per thread keep a labeller inside a conversation; blocks of about
    # equal reading (characters), not equal counts, since long posts repeat as parents
    rendered = [render_pair(p) for p in pairs]
    share = sum(map(len, rendered)) / slices
    blocks, read = [[] for _ in range(slices)], 0
    for text in rendered:
        blocks[min(int(read // share), slices - 1)].append(text)
        read += len(text)
    for index, block in enumerate(blocks):
        (outdir / f"slice_{index + 1}.txt").write_text("\n".join(block))
    rng = random.Random(seed)
    sample = rng.sample(pairs, round(len(pairs) * relabel_fraction))
    rng.shuffle(sample)
    (outdir / "relabel.txt").write_text("\n".join(render_pair(p) for p in sample))
    counts = {}
    for pair in pairs:
        counts[pair.thread_file] = counts.get(pair.thread_file, 0) + 1
    print(json.dumps({"pairs": len(pairs), "slices": slices, "relabel": len(sample), "per_thread": counts}, indent=1))


def _read_answers(path: Path) -> dict[str, dict]:
    answers = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            pid = (row.get("pair_id") or "").strip()
            if not pid:
                continue
            stance = row["stance"].strip().lower()
            if stance not in STANCES:
                raise ValueError(f"{path.name}: {pid}: stance {stance!r}")
            answers[pid] = {**row, "stance": stance, "confidence": (row.get("confidence") or "clear").strip().lower()}
    return answers


def _unit_of(units: list[Unit], token: str | None) -> Unit | None:
    token = (token or "").strip().lstrip("pr")
    if not token:
        return None
    index = int(token)
    return units[index] if 0 <= index < len(units) else None


def import_answers(outdir: Path, label_round: int = 1) -> None:
    """One round's answer files (``slice_*.csv``, ``relabel.csv``) → the label CSVs in ``data/labels``.

    Rows of other rounds already in the CSVs are kept; this round's are replaced.
    """
    pairs = {p.pair_id: p for r in ROUNDS for p in selected_pairs(label_round=r)}
    this_round = {p.pair_id for p in selected_pairs(label_round=label_round)}
    rows = [r for r in read_labels() if r["pair_id"] not in this_round] if LABELS_CSV.exists() else []
    for path in sorted(outdir.glob("slice_*.csv")):
        for pid, answer in _read_answers(path).items():
            pair = pairs[pid]
            target = _unit_of(parent_units(pair), answer.get("parent_sent"))
            carrier = _unit_of(reply_units(pair), answer.get("reply_sent"))
            rows.append({
                "pair_id": pid, "thread": pair.thread_file, "split": pair.split,
                "reply_id": pair.reply.id, "parent_id": pair.parent.id if pair.parent else pair.thread.id,
                "stance": answer["stance"], "confidence": answer["confidence"],
                "parent_field": target.field if target else "",
                "parent_start": target.start if target else "", "parent_end": target.end if target else "",
                "reply_start": carrier.start if carrier else "", "reply_end": carrier.end if carrier else "",
                "reply_hash": text_hash(pair.reply.text), "parent_hash": text_hash(pair.parent_text()),
            })
    order = {pid: i for i, pid in enumerate(pairs)}
    rows.sort(key=lambda r: order[r["pair_id"]])
    LABELS_CSV.parent.mkdir(parents=True, exist_ok=True)
    with LABELS_CSV.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, LABEL_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    relabel = outdir / "relabel.csv"
    if relabel.exists():
        kept = [r for r in read_labels(RELABEL_CSV) if r["pair_id"] not in this_round] if RELABEL_CSV.exists() else []
        fresh = [{"pair_id": pid, "stance": a["stance"], "confidence": a["confidence"]}
                 for pid, a in _read_answers(relabel).items()]
        with RELABEL_CSV.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, ["pair_id", "stance", "confidence"])
            writer.writeheader()
            writer.writerows(sorted(kept + fresh, key=lambda r: order[r["pair_id"]]))
    print(f"{len(rows)} labelled pairs → {LABELS_CSV.relative_to(REPO)}")


def read_labels(path: Path = LABELS_CSV) -> list[dict]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    label_round = 1
    if len(argv) == 4 and argv[2] == "--round":
        label_round, argv = int(argv[3]), argv[:2]
    if len(argv) == 2 and argv[0] == "sheets":
        write_sheets(Path(argv[1]), slices=6 if label_round == 1 else 7, label_round=label_round)
    elif len(argv) == 2 and argv[0] == "import":
        import_answers(Path(argv[1]), label_round=label_round)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
