"""Analyse many threads through the argmap API and download every GraphML (for Gephi).

    python examples/analyse_many.py http://localhost:5000 urls.txt graphs/ [--token TOKEN]

``urls.txt`` holds one thread URL a line. The same script works whether the server runs
analyses itself or hands them to Celery workers: only the server's settings differ.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import requests

BATCH_SIZE = 100  # the server's default ARGMAP_MAX_BATCH


def analyse_many(base: str, items: list[dict], out_dir: str | Path, *, token: str | None = None,
                 poll: float = 2.0, fmt: str = "graphml") -> dict:
    """Queue ``items`` ({"url": ...}, {"thread": ...} or {"text": ...}) in batches, wait, save each export."""
    session = requests.Session()
    if token:
        session.headers["Authorization"] = f"Bearer {token}"
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    saved, failed = [], []
    for start in range(0, len(items), BATCH_SIZE):
        chunk = items[start:start + BATCH_SIZE]
        # the key names this batch's content: a POST repeated after a dropped connection (or a
        # rerun of the script) gets the batch already made, not a second one
        key = "analyse-many-" + hashlib.sha256(json.dumps(chunk, sort_keys=True).encode()).hexdigest()[:32]
        for attempt in range(3):
            try:
                created = session.post(f"{base}/api/v1/batches", json={"items": chunk},
                                       headers={"Idempotency-Key": key}, timeout=120)
                break
            except requests.ConnectionError:
                if attempt == 2:
                    raise
                time.sleep(2 ** attempt)
        if created.status_code != 202:
            sys.exit(f"the server refused the batch: {created.json()['error']['message']}")
        batch_url = base + created.headers["Location"]
        while not (batch := session.get(batch_url).json())["aggregate"]["finished"]:
            time.sleep(poll)
        for item in batch["items"]:
            if item["status"] == "done":
                graph = session.get(base + item["links"]["graph"], params={"format": fmt})
                path = out / f"{item['thread_id'] or item['id']}.{fmt}"
                path.write_bytes(graph.content)
                saved.append(path)
            else:
                failed.append((item["source"], item["error"]["code"], item["error"]["message"]))
    return {"saved": saved, "failed": failed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("server")
    parser.add_argument("urls_file")
    parser.add_argument("out_dir")
    parser.add_argument("--token", help="an API token, when the server requires one for writes")
    args = parser.parse_args()
    urls = [line.strip() for line in open(args.urls_file) if line.strip() and not line.startswith("#")]
    result = analyse_many(args.server.rstrip("/"), [{"url": url} for url in urls], args.out_dir, token=args.token)
    print(f"saved {len(result['saved'])} GraphML files in {args.out_dir}")
    for source, code, message in result["failed"]:
        print(f"failed: {source}: {code}: {message}")


if __name__ == "__main__":
    main()
