"""The web path against the CLI: the same thread through ``argmap serve`` and ``argmap analyze``.

    .venv/bin/python benchmarks/serve.py        # needs ../shared

Starts ``argmap serve`` on a free loopback port with a fresh instance folder (embedded
defaults: SQLite, in-process workers), posts the recorded r/announcements thread as
thread JSON (the API fetches nothing here), polls the analysis until it is done and
prints the seconds from the POST to "done", the stages its progress went through, then
times ``argmap analyze`` on the same file, cold, in a new process with a fresh instance
folder. Requests go only to 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THREAD = ROOT.parent / "shared/threads/reddit/asyncpraw2020_n49rw_sort-confidence.json"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as response:
        return json.loads(response.read())


def through_serve(thread: dict, instance: str) -> tuple[float, list[str]]:
    port = free_port()
    env = {**os.environ, "ARGMAP_INSTANCE_PATH": instance, "HF_HUB_OFFLINE": "1"}
    server = subprocess.Popen([sys.executable, "-m", "argmap.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        for _ in range(300):
            try:
                request(f"{base}/health")
                break
            except OSError:
                time.sleep(0.1)
        started = time.perf_counter()
        created = request(f"{base}/analyses", {"thread": thread})
        stages: list[str] = []
        for _ in range(3000):  # at most ~10 minutes
            row = request(f"{base}/analyses/{created['id']}")
            stage = row["progress"]["stage"]
            if stage and (not stages or stages[-1] != stage):
                stages.append(stage)
            if row["status"] in ("done", "failed"):
                if row["status"] == "failed":
                    raise SystemExit(f"analysis failed: {row['error']}")
                return time.perf_counter() - started, stages
            time.sleep(0.2)
        raise SystemExit("analysis did not finish in 10 minutes")
    finally:
        server.terminate()
        server.wait(timeout=30)


def through_cli(instance: str) -> float:
    env = {**os.environ, "ARGMAP_INSTANCE_PATH": instance, "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "argmap.cli", "analyze", str(THREAD), "-q", "-o", os.devnull],
                   env=env, check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    if not THREAD.exists():
        raise SystemExit(f"{THREAD} not found (../shared is needed)")
    thread = json.loads(THREAD.read_text())
    with tempfile.TemporaryDirectory() as instance:
        served, stages = through_serve(thread, instance)
    with tempfile.TemporaryDirectory() as instance:
        cli = through_cli(instance)
    print(f"{THREAD.name}: argmap serve {served:.1f} s from POST to done (server already up; "
          f"stages {' → '.join(stages)}); argmap analyze {cli:.1f} s cold in a new process; "
          f"serve / CLI = {served / cli:.2f}")


if __name__ == "__main__":
    main()
