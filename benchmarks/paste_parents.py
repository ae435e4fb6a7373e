"""Held-out parent accuracy of the paste reply-structure model against the baselines.

    PYTHONPATH=. HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/paste_parents.py

Reads the four held-out recorded threads from ``../shared/threads`` (never trained or
tuned on), flattens each the way a paste loses its tree and scores the shipped weights in
``models/paste_parents/`` with the same decoding the pipeline uses, against "previous
line" and "root". Paste kinds:

- ``lines``: one comment per line, no authors;
- ``copied page, no cues``: one unit per comment with its author, no tree cues (the current
  Reddit design; any page whose header links were not copied);
- ``copied old Reddit page``: + the ``parent`` action link (top level or not);
- ``copied HN page``: + the header links (top level / reply / deeper, and ``prev``: an
  earlier sibling exists);
- ``copied Reddit page, 2018 design``: + ``level N`` (the depth).

The cues are computed from each thread's real tree (deleted comments included, as the
page shows them, so a copy that lost comments carries broken cues, as a real one would).
Accuracy counts a unit right when its predicted parent is (a line of) its true parent
comment, or, for a comment's second and later lines, an earlier line of the same comment.
``first line`` is the accuracy over the comment openings only (every unit of a page).
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


PASTES = (  # (label, weights, page cues)
    ("lines", "lines", None),
    ("copied page, no cues", "authored", None),
    ("copied old Reddit page", "authored", "reddit-old"),
    ("copied HN page", "authored", "hn"),
    ("copied Reddit page, 2018 design", "authored", "reddit-new"),
)


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
    for label, kind, page in PASTES:
        started = time.perf_counter()
        model = load_model(kind)
        if model is None:
            sys.exit(f"no {kind} weights in {pp.MODEL_DIR}: run python -m argmap.training.paste_parents")
        result = pp.evaluate(pp.load_flat(kind, list(pp.TEST_THREADS), page), model, kind, cache)
        o = result["overall"]
        print(f"| {label} | {o['model']['units']} | **{o['model']['accuracy']:.3f}** | {o['previous line']['accuracy']:.3f} "
              f"| {o['root']['accuracy']:.3f} | {o['model']['first_line_accuracy']:.3f} "
              f"| {o['previous line']['first_line_accuracy']:.3f} |")
        for name, scores in result["threads"].items():
            per_thread.append(f"| {label} | {name} | {scores['model']:.3f} | {scores['previous line']:.3f} "
                              f"| {scores['root']:.3f} |")
        print(f"<!-- {label}: {time.perf_counter() - started:.0f} s -->", file=sys.stderr)
    print("\n| paste kind | thread | model | previous line | root |\n|---|---|---|---|---|")
    print("\n".join(per_thread))


if __name__ == "__main__":
    main()
