"""Are cross-thread ``restates`` the same point? Corpora of one subreddit's threads, judged by reading.

    python -m argmap.evaluation.corpus_links sheet --subreddit climate --floor 0.80 --per-band 20 --out dev.csv
    python -m argmap.evaluation.corpus_links sheet --subreddit Brexit --sample 50 --out test.csv
    python -m argmap.evaluation.corpus_links sheet --subreddit CovidVaccine --sample 50 --out covid.csv
    python -m argmap.evaluation.corpus_links score data/judged/cross_thread_links.csv

The recorded threads of ``../shared/threads`` are on unrelated subjects (a handful of
cross-thread links at most), so the corpus that measures these links is one debate told
in many threads: DEBAGREEMENT's dev pairs (``../shared/datasets/debagreement``) of one
subreddit, each submission a thread (the submission text as its post; the parent comment
at the top, the reply under it; authors and times as recorded). Every thread goes through
the pipeline, the corpus through ``argmap.corpus.build_corpus``. A second kind of corpus is
SubReddit (Dis)agreement's r/CovidVaccinated and r/antimaskers rows, joined into
conversations (``conversation_threads``: the rows carry no thread ids). ``sheet`` writes the
cross-thread links to judge (both claims' ids and texts, the threads' titles, no
similarity: the reader judges the words) — every link at or above ``--floor`` spread over
similarity bands (dev: to choose ``CROSS_RESTATE_SIMILARITY``), or a random sample of the
links the shipped threshold draws (test). Judgements are stored as claim ids and labels
only (``data/judged/cross_thread_links.csv``); the texts stay in ``../shared``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import random
import sys
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

from argmap.model import Comment, Thread

REPO = Path(__file__).resolve().parents[2]
DEBAGREEMENT = REPO.parent / "shared" / "datasets" / "debagreement" / "dev.csv"
SUBREDDIT_AGREEMENT = REPO.parent / "shared" / "datasets" / "subreddit_agreement"
JUDGED = REPO / "data" / "judged" / "cross_thread_links.csv"
BANDS = (0.65, 0.70, 0.75, 0.80, 0.85, 0.90, 1.01)


def _time(value: str) -> str | None:
    try:
        return datetime.fromtimestamp(int(float(value)), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError, OverflowError):
        return None


def subreddit_threads(subreddit: str, path: Path = DEBAGREEMENT) -> list[Thread]:
    """One thread per submission of ``subreddit`` in DEBAGREEMENT's dev pairs."""
    by_submission: dict[str, Thread] = {}
    seen: dict[str, set] = defaultdict(set)
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["subreddit"] != subreddit:
                continue
            sid = row["submission_id"]
            text = row["submission_text"].strip()
            thread = by_submission.setdefault(sid, Thread(
                source="reddit", id=sid, title=text.split("\n")[0][:300], text="\n".join(text.split("\n")[1:]),
                url=f"https://www.reddit.com/r/{subreddit}/comments/{sid}/"))
            parent_id, child_id = row["msg_id_parent"], row["msg_id_child"]
            if parent_id not in seen[sid]:
                seen[sid].add(parent_id)
                thread.comments.append(Comment(parent_id, sid, row["body_parent"], author=row["author_parent"] or None))
            if child_id not in seen[sid]:
                seen[sid].add(child_id)
                thread.comments.append(Comment(child_id, parent_id, row["body_child"], author=row["author_child"] or None,
                                               created_at=_time(row["exact_time"])))
    return list(by_submission.values())


def _text_key(text: str) -> str:
    return "m" + hashlib.sha1(" ".join(text.lower().split()).encode("utf-8")).hexdigest()[:12]


def conversation_threads(name: str, folder: Path = SUBREDDIT_AGREEMENT) -> list[Thread]:
    """One thread per conversation of SubReddit (Dis)agreement's ``name`` set (``CovidVaccine``
    or ``MaskMandate``): its rows are quote → response pairs with no thread ids, so each
    comment text is one comment (the same text in two rows, spacing and case aside, is the
    same comment: a response in one row is often the quote of the next), quote → response
    is a reply link, and a conversation is a connected set of them. Two conversations may
    come from one Reddit thread; none shares a comment. A stock reply ("Thank you!") given to
    several quotes is one comment too, so it joins their conversations (the largest, in
    CovidVaccine, holds 10 comments) and only its first quote keeps it as a reply: such
    links become within-thread pairs and are not counted as cross-thread ones."""
    with open(folder / f"SubReddit-{name}.csv", encoding="cp1252", newline="") as handle:
        rows = list(csv.DictReader(handle))
    text_of: dict[str, str] = {}
    parent_of: dict[str, str] = {}
    group_of: dict[str, str] = {}

    def find(key: str) -> str:
        while group_of.setdefault(key, key) != key:
            key = group_of[key]
        return key

    for row in rows:
        quote, response = row["quote_text"].strip(), row["response_text"].strip()
        quote_key, response_key = _text_key(quote), _text_key(response)
        if not quote or not response or quote_key == response_key:
            continue
        text_of.setdefault(quote_key, quote)
        text_of.setdefault(response_key, response)
        parent_of.setdefault(response_key, quote_key)
        a, b = find(quote_key), find(response_key)
        if a != b:
            group_of[a] = b
    members: dict[str, list[str]] = defaultdict(list)
    for key in text_of:
        members[find(key)].append(key)
    threads = []
    for group, keys in members.items():
        thread_id = "t" + group[1:]
        inside, placed, order = set(keys), set(), []
        for key in keys:  # parents before their replies (a cycle is cut where it closes)
            chain = []
            while key in inside and key not in placed and key not in chain:
                chain.append(key)
                key = parent_of.get(key, "")
            for k in reversed(chain):
                placed.add(k)
                order.append(k)
        thread = Thread(source="reddit", id=thread_id, title=f"r/{name}: a conversation", text="",
                        url=f"https://www.reddit.com/comments/{thread_id}/")
        earlier: set[str] = set()
        for key in order:
            parent = parent_of.get(key)
            thread.comments.append(Comment(key, parent if parent in earlier else thread_id, text_of[key]))
            earlier.add(key)
        threads.append(thread)
    return threads


def corpus_threads(corpus: str) -> list[Thread]:
    """``corpus`` is a DEBAGREEMENT subreddit (``climate``, ``Brexit``, …) or ``CovidVaccine`` /
    ``MaskMandate`` (SubReddit (Dis)agreement's conversations)."""
    if corpus in ("CovidVaccine", "MaskMandate"):
        return conversation_threads(corpus)
    return subreddit_threads(corpus)


def corpus_links(subreddit: str, similarity: float, *, settings=None, progress=None):
    """The corpus of ``subreddit``'s threads (see ``corpus_threads``) with cross-thread
    restates at ``similarity``: (analysis, graph, links), each link (cosine, source id, target id)."""
    from argmap.corpus import build_corpus, part_of
    from argmap.pipeline import analyze_thread

    parts = []
    threads = corpus_threads(subreddit)
    for number, thread in enumerate(threads, start=1):
        analysis, _graph = analyze_thread(thread, settings=settings)
        parts.append(part_of(analysis, settings=settings))
        if progress and number % 100 == 0:
            progress(f"{number}/{len(threads)} threads")
    analysis, graph = build_corpus(parts, title=f"r/{subreddit}", similarity=similarity)
    links = [(attrs["confidence"], s, t) for s, t, attrs in graph.edges(data=True) if attrs.get("origin") == "across"]
    return analysis, graph, sorted(links, reverse=True)


def write_sheet(path: Path, rows: list[dict]) -> None:
    fields = ["item", "subreddit", "claim_a", "claim_b", "thread_a", "thread_b", "text_a", "text_b"]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def sheet(subreddit: str, out: Path, *, floor: float | None, per_band: int, sample: int, seed: int) -> dict:
    """A judging sheet (texts, no similarity) and its key (item → cosine) beside it."""
    from argmap.corpus import CROSS_RESTATE_SIMILARITY

    analysis, graph, links = corpus_links(subreddit, floor if floor is not None else CROSS_RESTATE_SIMILARITY,
                                          progress=lambda m: print(m, file=sys.stderr))
    rng = random.Random(seed)
    if floor is not None:  # dev: spread over similarity bands
        chosen = []
        for low, high in zip(BANDS, BANDS[1:]):
            band = [link for link in links if low <= link[0] < high]
            chosen += rng.sample(band, min(per_band, len(band)))
    else:  # test: a random sample of what the shipped threshold draws
        chosen = rng.sample(links, min(sample, len(links)))
    rng.shuffle(chosen)
    rows, key = [], []
    for item, (cosine, source, target) in enumerate(chosen, start=1):
        a, b = graph.nodes[source], graph.nodes[target]
        rows.append({"item": item, "subreddit": subreddit, "claim_a": source, "claim_b": target,
                     "thread_a": a["thread_title"], "thread_b": b["thread_title"], "text_a": a["text"], "text_b": b["text"]})
        key.append({"item": item, "claim_a": source, "claim_b": target, "cosine": cosine})
    write_sheet(out, rows)
    with open(out.with_suffix(".key.csv"), "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["item", "claim_a", "claim_b", "cosine"])
        writer.writeheader()
        writer.writerows(key)
    return {"threads": analysis.stats["threads"], "claims": analysis.stats["claims"], "links": len(links),
            "written": len(rows)}


def score(path: Path = JUDGED) -> dict:
    """Share of judged links that make the same point, per split, at the shipped threshold and
    below it (and the two readers' agreement where a second one read them)."""
    from argmap.corpus import CROSS_RESTATE_SIMILARITY

    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out: dict[str, dict] = {}
    groups = {split: [r for r in rows if r["split"] == split] for split in sorted({r["split"] for r in rows})}
    for split, subreddit in sorted({(r["split"], r["subreddit"]) for r in rows}):
        groups[f"{split} r/{subreddit}"] = [r for r in rows if r["split"] == split and r["subreddit"] == subreddit]
    for split, group in groups.items():
        parts = {"all": group,
                 f"drawn (cosine >= {CROSS_RESTATE_SIMILARITY})": [r for r in group if float(r["cosine"]) >= CROSS_RESTATE_SIMILARITY],
                 f"below (cosine < {CROSS_RESTATE_SIMILARITY})": [r for r in group if float(r["cosine"]) < CROSS_RESTATE_SIMILARITY]}
        for name, part in parts.items():
            if not part:
                continue
            entry = {"links": len(part), "same_point": round(sum(r["same_point"] == "yes" for r in part) / len(part), 3)}
            second = [r for r in part if r.get("second_reader")]
            if second:
                entry["second_reader_same_point"] = round(sum(r["second_reader"] == "yes" for r in second) / len(second), 3)
                entry["readers_agree"] = round(sum(r["same_point"] == r["second_reader"] for r in second) / len(second), 3)
            out[f"{split}: {name}"] = entry
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("sheet")
    make.add_argument("--subreddit", required=True)
    make.add_argument("--out", type=Path, required=True)
    make.add_argument("--floor", type=float, help="dev: every link from this cosine, spread over bands")
    make.add_argument("--per-band", type=int, default=20)
    make.add_argument("--sample", type=int, default=50)
    make.add_argument("--seed", type=int, default=11)
    judged = commands.add_parser("score")
    judged.add_argument("path", type=Path, nargs="?", default=JUDGED)
    args = parser.parse_args(argv)
    if args.command == "sheet":
        print(sheet(args.subreddit, args.out, floor=args.floor, per_band=args.per_band, sample=args.sample,
                    seed=args.seed))
    else:
        print(score(args.path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
