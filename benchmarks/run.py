"""Time the whole pipeline on the big recorded threads against the previous release; print tables.

    .venv/bin/python benchmarks/run.py              # tables on stdout
    .venv/bin/python benchmarks/run.py --write      # also rewrite the numbers in benchmarks/RESULTS.md
    .venv/bin/python benchmarks/run.py --release none   # this tree only

Per thread: a *cold* run in a fresh process with an empty instance folder (model load
included), then a *warm* re-analysis in the same process (models loaded, embeddings
cached); the benchmark checks that warm output equals cold output, so caching never
silently changes the map. Then the CLI as a user runs it, each in a new process: the
same thread again with its cache kept (*cached, new process*) and a one-sentence paste.
Every measure runs for this tree and for the previous release (``PREVIOUS_RELEASE``,
checked out with ``git archive`` into a temporary folder, sharing this tree's virtual
environment and built ONNX encoder) in the same run, one after the other, so the
ratios compare like with like. Then a scaling run over 10/25/50/100 % of the biggest
thread (this tree, models loaded, empty cache).
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
PREVIOUS_RELEASE = "1c882ef"  # version 1 as released (2026-11-26), before this round's changes
ONE_SENTENCE = "Nuclear power is safer than coal because it kills fewer people per terawatt hour.\n"


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
    try:
        from argmap.embed.onnx_runtime import ENCODED

        cold["tokens_encoded"] = ENCODED["tokens"]
    except ImportError:  # the previous release does not count them
        pass
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


def release_tree(commit: str) -> Path:
    """The release's files in a temporary folder (``git archive``), with this tree's built encoder."""
    folder = Path(tempfile.mkdtemp(prefix="argmap-release-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    encoder = ROOT / "models" / "encoder"
    if encoder.exists() and not (folder / "models" / "encoder").exists():
        (folder / "models" / "encoder").symlink_to(encoder.resolve())
    return folder


def child_run(code: Path, path: Path) -> dict | None:
    """Cold + warm in a fresh process running the code in ``code`` (this tree or the release's)."""
    with tempfile.TemporaryDirectory() as instance:
        env = {**os.environ, "ARGMAP_INSTANCE_PATH": instance, "PYTHONPATH": str(code),
               "ARGMAP_MODELS_PATH": str(code / "models")}
        out = subprocess.run([sys.executable, str(code / "benchmarks" / "run.py"), "--child", str(path),
                              "--launched-at", str(time.time())], env=env, capture_output=True, text=True, cwd=code)
    if out.returncode != 0:
        print(f"{code}: {path.name} failed\n{out.stderr[-3000:]}", file=sys.stderr)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def cli_seconds(code: Path, source: Path, instance: str) -> float:
    """Wall seconds of ``argmap analyze SOURCE`` in a new process (instance folder kept by the caller)."""
    env = {**os.environ, "ARGMAP_INSTANCE_PATH": instance, "PYTHONPATH": str(code),
           "ARGMAP_MODELS_PATH": str(code / "models")}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "argmap.cli", "analyze", str(source), "-q", "-o", os.devnull],
                   env=env, capture_output=True, check=True, cwd=code)
    return time.perf_counter() - started


def cli_runs(code: Path, threads: list[Path]) -> dict:
    """The CLI as a user meets it: each thread analysed again in a new process (cache kept;
    best of two), and a one-sentence paste in a new process, cold."""
    cached = {}
    for thread in threads:
        with tempfile.TemporaryDirectory() as instance:
            cli_seconds(code, thread, instance)
            cached[thread.name] = min(cli_seconds(code, thread, instance) for _ in range(2))
    with tempfile.TemporaryDirectory() as folder:
        paste = Path(folder) / "one-sentence.txt"
        paste.write_text(ONE_SENTENCE)
        with tempfile.TemporaryDirectory() as instance:
            one_cold = cli_seconds(code, paste, instance)
    return {"cached_new_process": cached, "one_sentence": one_cold}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--launched-at", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--write", action="store_true", help="write the tables into benchmarks/RESULTS.md")
    parser.add_argument("--release", default=PREVIOUS_RELEASE, help="commit to compare against ('none': skip)")
    parser.add_argument("--no-scaling", action="store_true")
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    if args.child:
        child(args.child, args.launched_at)
        return

    trees = {"now": ROOT}
    if args.release != "none":
        trees["release"] = release_tree(args.release)
    results: dict[str, dict] = {}
    for name, path in THREADS.items():
        if not path.exists():
            print(f"skip {name}: {path} not found (../shared is needed)", file=sys.stderr)
            continue
        results[name] = {side: child_run(code, path) for side, code in trees.items()}
        print(f"{name}: done", file=sys.stderr)
    present = [p for p in THREADS.values() if p.exists()]
    cli = {side: cli_runs(code, present) for side, code in trees.items()} if present else {}

    lines = table(results)
    lines += [""] + comparison(results, cli, args.release)
    if not args.no_scaling and results:
        biggest = max(THREADS.values(), key=lambda p: p.stat().st_size if p.exists() else 0)
        rows = scaling(biggest)
        lines += ["", f"Scaling ({biggest.name}; this tree, models loaded, empty cache):", "",
                  "| share | comments | claims | edges | seconds | ms/claim |", "|---|---|---|---|---|---|"]
        lines += [f"| {r['percent']}% | {r['comments']:,} | {r['claims']:,} | {r['edges']:,} | "
                  f"{r['seconds']:.2f} | {r['ms_per_claim']:.2f} |" for r in rows]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_results(text, args.release)


def comparison(results: dict, cli: dict, release: str) -> list[str]:
    """This tree against the release, measure by measure, with the ratio now / release."""
    def row(measure: str, now: float | None, then: float | None, unit: str = "s") -> str:
        ratio = f"{now / then:.2f} ×" if now is not None and then else "—"
        show = (lambda v: "—" if v is None else f"{v:,.2f} {unit}" if unit == "s" else f"{v:,.0f} {unit}")
        return f"| {measure} | {show(then)} | {show(now)} | {ratio} |"

    lines = [f"| measure | previous release ({release}) | now | now / release |", "|---|---|---|---|"]
    for name, sides in results.items():
        now, then = sides.get("now"), sides.get("release")
        short = name.split(" (")[0]
        lines.append(row(f"{short}: cold, end to end", now and now["cold"]["end_to_end"],
                         then and then["cold"]["end_to_end"]))
        for stage in STAGES[1:5]:
            lines.append(row(f"{short}: {stage} stage", now and now["cold"]["timings"].get(stage),
                             then and then["cold"]["timings"].get(stage)))
        lines.append(row(f"{short}: warm, same process", now and now["warm"]["seconds"],
                         then and then["warm"]["seconds"]))
        lines.append(row(f"{short}: peak memory", now and now["peak_mb"], then and then["peak_mb"], "MB"))
        lines.append(row(f"{short}: tokens encoded", now and now["cold"].get("tokens_encoded"), None, "tokens"))
    if cli:
        now, then = cli.get("now", {}), cli.get("release", {})
        for name, path in THREADS.items():
            if path.name in now.get("cached_new_process", {}):
                lines.append(row(f"{name.split(' (')[0]}: cached, new process (`argmap analyze`)",
                                 now["cached_new_process"][path.name],
                                 then.get("cached_new_process", {}).get(path.name)))
        lines.append(row("one-sentence paste, new process", now.get("one_sentence"), then.get("one_sentence")))
    return lines


def table(results: dict) -> list[str]:
    head = ["| thread | comments | claims | candidates | edges | " + " | ".join(STAGES)
            + " | cold, in process | cold end to end | warm | peak MB | same output |",
            "|" + "---|" * (len(STAGES) + 10)]
    rows = []
    for name, sides in results.items():
        data = sides.get("now")
        if data is None:
            continue
        cold, warm = data["cold"], data["warm"]
        stages = " | ".join(f"{cold['timings'].get(s, 0):.2f}" for s in STAGES)
        rows.append(f"| {name} | {cold['comments']:,} | {cold['claims']:,} | {cold['candidates']:,} | "
                    f"{cold['edges']:,} | {stages} | {cold['seconds']:.2f} | {cold['end_to_end']:.2f} | "
                    f"{warm['seconds']:.2f} | {data['peak_mb']:.0f} | {'yes' if data['same_output'] else 'NO'} |")
    return head + rows


def write_results(text: str, release: str) -> None:
    path = ROOT / "benchmarks" / "RESULTS.md"
    marker_start, marker_end = "<!-- pipeline:start -->", "<!-- pipeline:end -->"
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    block = (f"{marker_start}\nMeasured {date.today()} on {machine}, against the previous release "
             f"`{release}` in the same run.\n\n{text}\n{marker_end}")
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
