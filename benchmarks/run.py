"""Time the whole pipeline on the big recorded threads; print a table, optionally write RESULTS.md.

    .venv/bin/python benchmarks/run.py              # table on stdout
    .venv/bin/python benchmarks/run.py --write      # also rewrite the numbers in benchmarks/RESULTS.md

Per thread: a *cold* run in a fresh process with an empty instance folder (model load
included), then a *warm* re-analysis in the same process (models loaded, embeddings
cached). Then a scaling run over 10/25/50/100 % of the biggest thread (models loaded,
embedding cache empty). The benchmark checks that warm output equals cold output, so
caching never silently changes the map.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THREADS = {
    "reddit n49rw (1,371 comments)": ROOT.parent / "shared/threads/reddit/asyncpraw2020_n49rw_sort-confidence.json",
    "hn 25015967 (2,170 comments)": ROOT.parent / "shared/threads/hn/circumflex_25015967_biden.json",
}
STAGES = ("parse", "claims", "embed", "relations", "graph", "export")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_once(path: Path | None, thread=None) -> dict:
    """One analysis through the normal entry point, with stage timings and a fingerprint."""
    from argmap.pipeline import analyze, export

    started = time.perf_counter()
    analysis, graph = analyze(thread if thread is not None else str(path))
    export_started = time.perf_counter()
    export(analysis, graph, "graphml")
    timings = dict(analysis.timings)
    timings["export"] = time.perf_counter() - export_started
    return {
        "comments": len(analysis.thread.comments),
        "claims": len(analysis.claims),
        "candidates": analysis.stats.get("replies_judged", 0),
        "edges": len(analysis.relations),
        "timings": timings,
        "seconds": time.perf_counter() - started,
        "claim_ids": [c.id for c in analysis.claims],
        "edge_set": sorted((r.source, r.target, r.relation, r.confidence) for r in analysis.relations),
    }


def child(path: str, launched_at: float) -> None:
    """Cold then warm, in this (fresh) process; prints one JSON line.

    ``end_to_end`` is wall time from the parent launching this process (interpreter
    start, imports and model loads included) to the cold export written.
    """
    cold = run_once(Path(path))
    cold["end_to_end"] = time.time() - launched_at
    warm = run_once(Path(path))
    same_claims = cold["claim_ids"] == warm["claim_ids"]
    same_edges = [e[:3] for e in cold["edge_set"]] == [e[:3] for e in warm["edge_set"]] and all(
        abs(a[3] - b[3]) <= 1e-3 for a, b in zip(cold["edge_set"], warm["edge_set"]))
    for result in (cold, warm):
        result.pop("claim_ids")
        result.pop("edge_set")
    print(json.dumps({"cold": cold, "warm": warm, "peak_mb": peak_rss_mb(),
                      "same_output": same_claims and same_edges}))


def scaling(path: Path) -> list[dict]:
    """The pipeline on growing prefixes of a thread (reply tree kept whole), cold cache each time."""
    from argmap.cache import cache_for
    from argmap.pipeline import analyze_thread
    from argmap.sources.resolver import resolve

    thread = resolve(str(path))
    rows = []
    run_once(None, thread=thread)  # load the models once so each row times the pipeline only
    for percent in (10, 25, 50, 100):
        keep = set()
        part = []
        for comment in thread.comments[: max(1, len(thread.comments) * percent // 100)]:
            if comment.parent_id == thread.id or comment.parent_id in keep:
                keep.add(comment.id)
                part.append(comment)
        sub = type(thread)(**{**thread.__dict__, "comments": part, "notes": []})
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            analysis, _ = analyze_thread(sub, cache=cache_for(folder))
            seconds = time.perf_counter() - started
        rows.append({"percent": percent, "comments": len(part), "claims": len(analysis.claims),
                     "edges": len(analysis.relations), "seconds": seconds,
                     "ms_per_claim": 1000 * seconds / max(1, len(analysis.claims))})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--launched-at", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--write", action="store_true", help="write the table into benchmarks/RESULTS.md")
    parser.add_argument("--no-scaling", action="store_true")
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    if args.child:
        child(args.child, args.launched_at)
        return

    results = {}
    for name, path in THREADS.items():
        if not path.exists():
            print(f"skip {name}: {path} not found (../shared is needed)", file=sys.stderr)
            continue
        with tempfile.TemporaryDirectory() as instance:
            env = {**os.environ, "ARGMAP_INSTANCE_PATH": instance, "PYTHONPATH": str(ROOT)}
            out = subprocess.run([sys.executable, __file__, "--child", str(path), "--launched-at", str(time.time())],
                                 env=env, capture_output=True, text=True)
        if out.returncode != 0:
            print(f"{name}: failed\n{out.stderr[-3000:]}", file=sys.stderr)
            continue
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])

    lines = table(results)
    if not args.no_scaling and results:
        biggest = max(THREADS.values(), key=lambda p: p.stat().st_size if p.exists() else 0)
        rows = scaling(biggest)
        lines += ["", f"Scaling ({biggest.name}; models loaded, empty embedding cache):", "",
                  "| share | comments | claims | edges | seconds | ms/claim |", "|---|---|---|---|---|---|"]
        lines += [f"| {r['percent']}% | {r['comments']:,} | {r['claims']:,} | {r['edges']:,} | "
                  f"{r['seconds']:.2f} | {r['ms_per_claim']:.2f} |" for r in rows]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_results(text)


def table(results: dict) -> list[str]:
    head = ["| thread | comments | claims | candidates | edges | " + " | ".join(STAGES)
            + " | cold, in process | cold end to end | warm | peak MB | same output |",
            "|" + "---|" * (len(STAGES) + 10)]
    rows = []
    for name, data in results.items():
        cold, warm = data["cold"], data["warm"]
        stages = " | ".join(f"{cold['timings'].get(s, 0):.2f}" for s in STAGES)
        rows.append(f"| {name} | {cold['comments']:,} | {cold['claims']:,} | {cold['candidates']:,} | "
                    f"{cold['edges']:,} | {stages} | {cold['seconds']:.2f} | {cold['end_to_end']:.2f} | "
                    f"{warm['seconds']:.2f} | {data['peak_mb']:.0f} | {'yes' if data['same_output'] else 'NO'} |")
    return head + rows


def write_results(text: str) -> None:
    path = ROOT / "benchmarks" / "RESULTS.md"
    marker_start, marker_end = "<!-- pipeline:start -->", "<!-- pipeline:end -->"
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    block = f"{marker_start}\nMeasured {date.today()} on {machine}.\n\n{text}\n{marker_end}"
    current = path.read_text() if path.exists() else "# Benchmark results\n"
    if marker_start in current:
        before = current.split(marker_start)[0]
        after = current.split(marker_end)[1]
        current = before + block + after
    else:
        current = current.rstrip() + "\n\n## Pipeline\n\n" + block + "\n"
    path.write_text(current)


if __name__ == "__main__":
    main()
