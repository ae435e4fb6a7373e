"""Edges judged by reading: a random sample of the map's edges, and the readers' verdicts.

``python -m argmap.evaluation.judged_edges sheets DIR`` maps the test threads and
r/announcements ``n49rw`` with the current pipeline, draws a seeded random sample of 100
supports/rebuts edges (every one of the test threads', topped up from ``n49rw``) and 50
restates edges, and writes one
reading sheet per kind: each edge with both claims in their comments and the thread
title. Readers answer ``edge_id,verdict,reason`` (verdict ``right``/``wrong``; for
restates ``same``/``different``). ``… import DIR`` stores ids, relations and verdicts in
``data/judged/edges.csv`` (no thread text); ``… score`` prints the precision.
``--method cross`` after any of them draws the maps with the cross-encoder and keeps its
verdicts in ``data/judged/edges_cross.csv``.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

from argmap.evaluation import stance_labels

REPO = Path(__file__).resolve().parents[2]
JUDGED_CSV = REPO / "data" / "judged" / "edges.csv"
THREADS = [name for name, (split, _count) in stance_labels.THREADS.items() if split == "test"]
RESTATE_THREADS = THREADS + ["reddit/asyncpraw2020_n49rw_sort-confidence.json"]
FIELDS = ["edge_id", "thread", "source", "target", "relation", "confidence", "origin", "verdict", "reason"]


def _maps(names: list[str], method: str | None = None):
    from argmap.pipeline import analyze_thread
    from argmap.settings import Settings

    settings = Settings.from_env()
    if method:
        settings = settings.replace(relation_method=method)
    for name in names:
        thread = stance_labels.load_thread(name)
        analysis, _graph = analyze_thread(thread, settings=settings)
        yield name, thread, analysis


def sample_edges(seed: int = 41, arguments: int = 100, restates: int = 50, method: str | None = None) -> list[dict]:
    """A seeded sample of drawn edges, with everything a reader needs to judge them
    (``method``: the stance judge the maps are drawn with; default: the settings')."""
    rows = []
    for name, thread, analysis in _maps(RESTATE_THREADS, method):
        claims = {c.id: c for c in analysis.claims}
        comments = {thread.id: thread.root_comment(), **thread.comment_by_id()}
        for relation in analysis.relations:
            source, target = claims[relation.source], claims[relation.target]
            rows.append({"thread": name, "title": thread.title, "relation": relation.relation,
                         "source": relation.source, "target": relation.target,
                         "confidence": relation.confidence, "origin": relation.origin,
                         "source_text": source.text, "target_text": target.text,
                         "source_comment": comments[source.comment_id].text,
                         "target_comment": comments[target.comment_id].text,
                         "source_author": source.author, "target_author": target.author})
    rng = random.Random(seed)
    # supports/rebuts from the test threads first; n49rw (a dev thread) fills up to ``arguments``
    test_arguments = [r for r in rows if r["relation"] in ("supports", "rebuts") and r["thread"] in THREADS]
    other_arguments = [r for r in rows if r["relation"] in ("supports", "rebuts") and r["thread"] not in THREADS]
    argument_rows = test_arguments if len(test_arguments) >= arguments else \
        test_arguments + rng.sample(other_arguments, min(len(other_arguments), arguments - len(test_arguments)))
    restate_rows = [r for r in rows if r["relation"] == "restates"]
    chosen = (rng.sample(argument_rows, min(arguments, len(argument_rows)))
              + rng.sample(restate_rows, min(restates, len(restate_rows))))
    for index, row in enumerate(chosen):
        row["edge_id"] = f"e{index:03d}"
    return chosen


def _clip(text: str, limit: int = 900) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + " […]"


def write_sheets(outdir: Path, method: str | None = None) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    rows = sample_edges(method=method)
    for kind, wanted in (("arguments", ("supports", "rebuts")), ("restates", ("restates",))):
        blocks = []
        for row in (r for r in rows if r["relation"] in wanted):
            blocks.append("\n".join([
                f"=== EDGE {row['edge_id']}  ({row['thread']}: {row['title']})",
                f"CLAIM A (by {row['source_author']}): {row['source_text']}",
                f"  in its comment: {_clip(row['source_comment'])}",
                f"RELATION DRAWN: A {row['relation'].upper()} B",
                f"CLAIM B (by {row['target_author']}): {row['target_text']}",
                f"  in its comment: {_clip(row['target_comment'])}", ""]))
        (outdir / f"{kind}.txt").write_text("\n".join(blocks))
    with (outdir / "edges.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, ["edge_id", "thread", "source", "target", "relation", "confidence", "origin"])
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row[k] for k in writer.fieldnames})
    print(f"{sum(r['relation'] != 'restates' for r in rows)} argument edges, "
          f"{sum(r['relation'] == 'restates' for r in rows)} restates → {outdir}")


def import_verdicts(outdir: Path, out: Path = JUDGED_CSV) -> None:
    edges = {r["edge_id"]: r for r in csv.DictReader((outdir / "edges.csv").open(newline=""))}
    verdicts = {}
    for name in ("arguments_verdicts.csv", "restates_verdicts.csv"):
        path = outdir / name
        if path.exists():
            for row in csv.DictReader(path.open(newline="")):
                verdicts[row["edge_id"].strip()] = row
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, FIELDS)
        writer.writeheader()
        for edge_id, edge in edges.items():
            verdict = verdicts.get(edge_id)
            if verdict:
                writer.writerow({**edge, "verdict": verdict["verdict"].strip().lower(),
                                 "reason": " ".join(verdict.get("reason", "").split())})
    print(f"{len(verdicts)} verdicts → {out}")


def score(path: Path = JUDGED_CSV) -> dict:
    rows = list(csv.DictReader(path.open(newline="")))
    arguments = [r for r in rows if r["relation"] in ("supports", "rebuts")]
    restates = [r for r in rows if r["relation"] == "restates"]
    return {"argument_edges": len(arguments),
            "argument_precision": round(sum(r["verdict"] == "right" for r in arguments) / max(1, len(arguments)), 3),
            "restates": len(restates),
            "restates_same_point": round(sum(r["verdict"] == "same" for r in restates) / max(1, len(restates)), 3)}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    method = argv[argv.index("--method") + 1] if "--method" in argv else None
    target = JUDGED_CSV if method in (None, "model") else JUDGED_CSV.with_name(f"edges_{method}.csv")
    argv = [a for a in argv if a not in ("--method", method)]
    if len(argv) == 2 and argv[0] == "sheets":
        write_sheets(Path(argv[1]), method)
    elif len(argv) == 2 and argv[0] == "import":
        import_verdicts(Path(argv[1]), target)
    elif argv == ["score"]:
        print(score(target))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
