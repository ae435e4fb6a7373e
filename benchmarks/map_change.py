"""How much the maps of the benchmark threads moved between an earlier commit and this tree.

    .venv/bin/python benchmarks/map_change.py [COMMIT]     # default: the commit before the speed work

Each tree maps both benchmark threads in a fresh process (empty instance folder) and
writes claims, reply-level stances (from the edges' provenance) and edges; this prints
how many claims are the same span, how many replies keep their stance, and how many edges
are the same (source, target, relation). Needs ../shared.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ROOT, THREADS, release_tree  # noqa: E402

BEFORE_SPEED_WORK = "068cb90"  # main before issue 16's changes (2026-11-29)

DUMP = """
import json, sys
from argmap.pipeline import analyze
analysis, _ = analyze(sys.argv[1])
stances = {}
for r in analysis.relations:
    if getattr(r, "reply_id", None):
        stances[r.reply_id] = r.stance
print(json.dumps({"claims": [[c.id, c.start, c.end] for c in analysis.claims],
                  "edges": sorted({(r.source, r.target, r.relation) for r in analysis.relations}),
                  "stances": stances}))
"""


def dump(code: Path, thread: Path) -> dict:
    with tempfile.TemporaryDirectory() as instance:
        env = {**os.environ, "ARGMAP_INSTANCE_PATH": instance, "PYTHONPATH": str(code),
               "ARGMAP_MODELS_PATH": str(code / "models"), "HF_HUB_OFFLINE": "1"}
        out = subprocess.run([sys.executable, "-c", DUMP, str(thread)], env=env, capture_output=True, text=True,
                             cwd=code, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    commit = sys.argv[1] if len(sys.argv) > 1 else BEFORE_SPEED_WORK
    before_tree = release_tree(commit)
    print(f"| thread | claims same span | edges before → now | edges in both | stance edges before → now "
          f"| replies with an edge before that keep it (same stance) |\n|---|---|---|---|---|---|")
    for name, path in THREADS.items():
        if not path.exists():
            continue
        before, now = dump(before_tree, path), dump(ROOT, path)
        same_claims = len({tuple(c) for c in before["claims"]} & {tuple(c) for c in now["claims"]})
        edges_before, edges_now = {tuple(e) for e in before["edges"]}, {tuple(e) for e in now["edges"]}
        kept = sum(now["stances"].get(reply) == stance for reply, stance in before["stances"].items())
        print(f"| {name} | {same_claims:,} / {len(before['claims']):,} → {len(now['claims']):,} | "
              f"{len(edges_before):,} → {len(edges_now):,} | {len(edges_before & edges_now):,} | "
              f"{len(before['stances']):,} → {len(now['stances']):,} | {kept:,} / {len(before['stances']):,} |")


if __name__ == "__main__":
    main()
