"""Pair figures of the map's edges on the stance label set's test threads (issue: one argument per reply).

    python benchmarks/edges.py [--split dev] [--method cross]

Runs the whole pipeline on each test thread and prints pair precision / recall / macro-F1
and edges per linked reply/parent pair (``argmap.evaluation.edges``), then the judged
samples' precision (``data/judged/edges.csv``). Needs ``../shared`` beside the repo.
"""

from __future__ import annotations

import json
import sys

from argmap.evaluation import edges, judged_edges


def main() -> int:
    args = sys.argv[1:]
    split = args[args.index("--split") + 1] if "--split" in args else "test"
    method = args[args.index("--method") + 1] if "--method" in args else None
    report = edges.evaluate(split, method=method)
    print(f"split {split}, stance judge {method or 'from the settings'}")
    print(json.dumps({k: v for k, v in report.items() if k != "per_thread"}, indent=1))
    for name, row in report["per_thread"].items():
        print(f"  {name}: {json.dumps(row)}")
    print("judged samples:", json.dumps(judged_edges.score()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
