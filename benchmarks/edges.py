"""Pair figures of the map's edges on the stance label set's test threads (issue: one argument per reply).

    python benchmarks/edges.py [--split dev]

Runs the whole pipeline on each test thread and prints pair precision / recall / macro-F1
and edges per linked reply/parent pair (``argmap.evaluation.edges``), then the judged
samples' precision (``data/judged/edges.csv``). Needs ``../shared`` beside the repo.
"""

from __future__ import annotations

import json
import sys

from argmap.evaluation import edges, judged_edges


def main() -> int:
    split = "dev" if "--split" in sys.argv and sys.argv[-1] == "dev" else "test"
    report = edges.evaluate(split)
    print(json.dumps({k: v for k, v in report.items() if k != "per_thread"}, indent=1))
    for name, row in report["per_thread"].items():
        print(f"  {name}: {json.dumps(row)}")
    print("judged samples:", json.dumps(judged_edges.score()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
