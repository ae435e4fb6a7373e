"""Held-out parent accuracy of the paste reply-structure model against the baselines.

    PYTHONPATH=. HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/paste_parents.py

Reads the four held-out recorded threads from ``../shared/threads`` (never trained or
tuned on), flattens each the way a paste loses its tree (``lines``: one comment per
line, no authors; ``authored``: a copied HN / Reddit page, one unit per comment with its
author) and scores the shipped weights in ``models/paste_parents/`` with the same beam
decoding the pipeline uses, against "previous line" and "root". Accuracy counts a
unit right when its predicted parent is (a line of) its true parent comment, or, for a
comment's second and later lines, an earlier line of the same comment. ``first line``
is the accuracy over the comment openings only (every unit of ``authored``).
Embeddings are cached in ``build/paste_parents/``.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from argmap.cache import cache_for
    from argmap.sources.reply_structure import load_model
    from argmap.training import paste_parents as pp

    if not pp.SHARED_THREADS.is_dir():
        sys.exit(f"needs the recorded threads in {pp.SHARED_THREADS}")
    pp.CACHE_DIR.mkdir(parents=True, exist_ok=True)
    cache = cache_for(str(pp.CACHE_DIR))
    print(f"Measured {date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; held-out threads: {', '.join(pp.TEST_THREADS)}\n")
    print("| paste kind | units | model | previous line | root | model, first lines | previous line, first lines |")
    print("|---|---|---|---|---|---|---|")
    per_thread = []
    for kind in pp.KINDS:
        started = time.perf_counter()
        model = load_model(kind)
        if model is None:
            sys.exit(f"no {kind} weights in {pp.MODEL_DIR}: run python -m argmap.training.paste_parents")
        result = pp.evaluate(pp.load_flat(kind, list(pp.TEST_THREADS)), model, kind, cache)
        o = result["overall"]
        print(f"| {kind} | {o['model']['units']} | **{o['model']['accuracy']:.3f}** | {o['previous line']['accuracy']:.3f} "
              f"| {o['root']['accuracy']:.3f} | {o['model']['first_line_accuracy']:.3f} "
              f"| {o['previous line']['first_line_accuracy']:.3f} |")
        for name, scores in result["threads"].items():
            per_thread.append(f"| {kind} | {name} | {scores['model']:.3f} | {scores['previous line']:.3f} "
                              f"| {scores['root']:.3f} |")
        print(f"<!-- {kind}: {time.perf_counter() - started:.0f} s -->", file=sys.stderr)
    print("\n| paste kind | thread | model | previous line | root |\n|---|---|---|---|---|")
    print("\n".join(per_thread))


if __name__ == "__main__":
    main()
