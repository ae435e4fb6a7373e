"""How the map's edges read against the labelled reply stances: ``python -m argmap.evaluation.edges``.

Each labelled reply → parent pair is read off the map the way a reader reads it: the
edges from the reply's claims to the parent's claims say *agree* (supports), *disagree*
(rebuts) or, with no such edge, *neither* (several edges: the relation with the larger
summed confidence). Pair precision = the share of pairs with an edge whose reading
matches the label; pair recall = the share of agree/disagree pairs with a matching edge;
macro-F1 over the three readings; and edges per linked reply/parent pair (every pair in
the thread with at least one edge). Runs the whole pipeline on the **test** threads
(``--split dev`` for the dev threads).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict

from argmap.evaluation import stance_labels

READING = {"supports": "agree", "rebuts": "disagree"}


def pair_readings(analysis) -> tuple[dict[tuple[str, str], str], list[int]]:
    """(reply id, parent id) → agree/disagree read off the edges, and edge counts per linked pair."""
    comment_of = {claim.id: claim.comment_id for claim in analysis.claims}
    parent_of = {c.id: c.parent_id for c in analysis.thread.comments}
    weight: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    count: dict[tuple[str, str], int] = defaultdict(int)
    for relation in analysis.relations:
        if relation.relation not in READING:
            continue
        source, target = comment_of.get(relation.source), comment_of.get(relation.target)
        if source is None or parent_of.get(source) != target:
            continue
        weight[(source, target)][READING[relation.relation]] += relation.confidence
        count[(source, target)] += 1
    readings = {pair: max(w, key=w.get) for pair, w in weight.items()}
    return readings, list(count.values())


def score_pairs(rows: list[dict], readings: dict) -> dict:
    from sklearn.metrics import f1_score

    gold = [r["stance"] for r in rows]
    predicted = [readings.get((r["reply_id"], r["parent_id"]), "neither") for r in rows]
    drawn = [(g, p) for g, p in zip(gold, predicted) if p != "neither"]
    stance_pairs = [(g, p) for g, p in zip(gold, predicted) if g != "neither"]
    return {
        "pairs": len(rows),
        "pair_precision": round(sum(g == p for g, p in drawn) / max(1, len(drawn)), 4),
        "pair_recall": round(sum(g == p for g, p in stance_pairs) / max(1, len(stance_pairs)), 4),
        "pair_macro_f1": round(float(f1_score(gold, predicted, average="macro",
                                              labels=["agree", "disagree", "neither"])), 4),
        "pairs_with_edges": len(drawn),
    }


def evaluate(split: str = "test", progress=None, method: str | None = None) -> dict:
    """Pair figures of the maps of ``split``'s threads; ``method`` picks the stance judge
    (``model``, ``cross``, ``rules``; default: the settings')."""
    from argmap.pipeline import analyze_thread
    from argmap.settings import Settings

    settings = Settings.from_env()
    if method:
        settings = settings.replace(relation_method=method)

    rows = [r for r in stance_labels.read_labels() if r["split"] == split]
    by_thread: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_thread[row["thread"]].append(row)
    all_readings, edge_counts, per_thread = {}, [], {}
    for thread_file, thread_rows in sorted(by_thread.items()):
        analysis, _graph = analyze_thread(stance_labels.load_thread(thread_file), settings=settings)
        readings, counts = pair_readings(analysis)
        edge_counts += counts
        per_thread[thread_file] = score_pairs(thread_rows, readings)
        all_readings.update(readings)
        if progress:
            progress(thread_file, per_thread[thread_file])
    report = score_pairs(rows, all_readings)
    report["edges_per_linked_pair"] = round(sum(edge_counts) / max(1, len(edge_counts)), 3)
    report["max_edges_per_linked_pair"] = max(edge_counts, default=0)
    report["per_thread"] = per_thread
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    parser.add_argument("--method", choices=("model", "cross", "rules"), help="stance judge (default: settings)")
    args = parser.parse_args(argv)
    report = evaluate(args.split, progress=lambda name, r: print(name, json.dumps(r), file=sys.stderr),
                      method=args.method)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
