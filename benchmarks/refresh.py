"""What a refresh costs: the r/announcements thread (1,371 comments) analysed without its 50
newest comments, then refreshed with them.

    .venv/bin/python benchmarks/refresh.py        # needs ../shared

1. In one process, as a service worker runs it: the first version is analysed cold in a
   fresh instance folder (spaCy and the encoder loaded once), then ``argmap.live.refresh``
   is timed against it (the worker's cost of an update).
2. From the command line, as a user runs it: ``argmap analyze now.json --update-from
   v1.json`` in a new process, on a copy of the instance folder as the first version
   left it (imports and model loading included).

Prints the seconds, the texts parsed and encoded anew, and the change counts. The issue's
target: 50 new comments on this thread in ≤ 2 s on 2 cores.
"""

from __future__ import annotations

import copy
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
THREAD = ROOT.parent / "shared/threads/reddit/asyncpraw2020_n49rw_sort-confidence.json"
NEW = 50


def without_newest(thread, count: int):
    """The thread before its ``count`` newest comments (and any replies to them) were posted."""
    newest = sorted(thread.comments, key=lambda c: c.created_at or "")[-count:]
    gone = {c.id for c in newest}
    for comment in thread.comments:  # page order: a reply comes after its parent
        if comment.parent_id in gone:
            gone.add(comment.id)
    early = copy.deepcopy(thread)
    early.comments = [c for c in early.comments if c.id not in gone]
    return early, gone


def main() -> int:
    if not THREAD.exists():
        sys.exit(f"needs {THREAD}")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    instance = Path(tempfile.mkdtemp(prefix="argmap-refresh-"))
    os.environ["ARGMAP_INSTANCE_PATH"] = str(instance)
    from argmap.export import get_exporter
    from argmap.live import refresh, snapshot_of_export
    from argmap.model import thread_to_json
    from argmap.pipeline import analyze_thread
    from argmap.settings import Settings
    from argmap.sources.files import load_file

    settings = Settings.from_env()
    thread = load_file(THREAD)
    early, gone = without_newest(thread, NEW)
    print(f"Measured {date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}: {THREAD.name}, {len(early.comments):,} comments, "
          f"then {len(gone)} more\n")
    started = time.perf_counter()
    first, first_graph = analyze_thread(copy.deepcopy(early), settings=settings)
    cold = time.perf_counter() - started
    export = get_exporter("json").render(first, first_graph)
    previous = snapshot_of_export(json.loads(export))
    # a second instance folder holding what the first version left (for the command-line run)
    import sqlite3

    second_instance = Path(tempfile.mkdtemp(prefix="argmap-refresh-cli-"))
    with sqlite3.connect(instance / "cache.sqlite") as source, sqlite3.connect(second_instance / "cache.sqlite") as copy_:
        source.backup(copy_)
    started = time.perf_counter()
    second, _graph = refresh(previous, copy.deepcopy(thread), settings=settings)
    warm = time.perf_counter() - started
    counts = second.changes["counts"]
    stages = ", ".join(f"{k} {v:.2f} s" for k, v in second.timings.items())
    print("| run | seconds | texts parsed | texts encoded | notes |\n|---|---|---|---|---|")
    print(f"| first version, cold, in process | {cold:.1f} | {first.stats['texts_parsed']:,} | "
          f"{first.stats['texts_encoded']:,} | |")
    print(f"| **refresh, in process (a worker)** | **{warm:.2f}** | {second.stats['texts_parsed']:,} | "
          f"{second.stats['texts_encoded']:,} | {stages} |")

    folder = Path(tempfile.mkdtemp(prefix="argmap-refresh-cli-"))
    (folder / "v1.json").write_bytes(export)
    (folder / "now.json").write_text(thread_to_json(thread), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ARGMAP_INSTANCE_PATH": str(second_instance)}
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "argmap.cli", "analyze", str(folder / "now.json"), "-q",
                             "--update-from", str(folder / "v1.json"), "-o", str(folder / "v2.json")],
                            env=env, capture_output=True, text=True)
    cli = time.perf_counter() - started
    if result.returncode:
        sys.exit(result.stderr)
    line = next((l for l in result.stderr.splitlines() if l.startswith("since")), "")
    print(f"| refresh, `argmap analyze --update-from`, new process | {cli:.2f} | | | {line} |")
    print(f"\nchanges: {json.dumps(counts)}")
    import shutil

    for path in (instance, second_instance, folder):
        shutil.rmtree(path, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
