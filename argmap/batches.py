"""``argmap batch``: queue many threads through the job system, wait, and write every export."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from argmap import jobs
from argmap.errors import ArgmapError
from argmap.export import get_exporter, render_kept
from argmap.model import thread_to_dict
from argmap.settings import Settings
from argmap.sources.resolver import resolve
from argmap.sources.urls import parse_url
from argmap.store import Store, file_stem


def read_sources(lines) -> list[str]:
    """The non-blank lines that are not ``#`` comments."""
    sources = [line.strip() for line in lines]
    sources = [s for s in sources if s and not s.startswith("#")]
    if not sources:
        raise ArgmapError("the file lists no URLs")
    return sources


def item_for(source: str, settings: Settings | None = None) -> dict:
    """An API request item for a URL, or for a thread file (read here, so workers need not see it)."""
    if os.path.exists(source):
        return {"thread": thread_to_dict(resolve(source, settings=settings))}  # cut to the limit, as analyze does
    parse_url(source)  # the one validator: an unsupported URL is refused here, with the accepted forms
    return {"url": source}


def run_batch(sources: list[str], out_dir: str, settings: Settings, *, fmt: str = "graphml",
              poll: float = 1.0) -> dict:
    """Queue every source as one batch, show a progress bar until all finish, write the exports.

    Returns {"total", "done", "failed": [(source, code, message)], "files": [paths]}.
    """
    exporter = get_exporter(fmt)
    out = Path(out_dir)
    try:  # the folder is made and written once before any analysis, so a bad one costs nothing
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".argmap-write-check-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise ArgmapError(f"cannot write the output folder {out}: {error.strerror or error}") from None
    failed: list[tuple[str, str, str]] = []
    items, item_sources = [], []
    for source in sources:
        try:
            items.append(item_for(source, settings))
            item_sources.append(source)
        except ArgmapError as error:
            failed.append((source, error.code, error.message))
    files: list[str] = []
    if items:
        store = Store(settings.database)
        batch = jobs.queue_batch(items, store=store, backend=jobs.get_backend(settings),
                                 max_comments=settings.max_comments, cap=len(items))
        rows = _wait(store, batch["id"], len(items), poll)
        for row, source in zip(rows, item_sources):
            if row["status"] == "done":
                name = out / f"{row['position']:04d}-{file_stem(row)}.{exporter.extension}"
                try:
                    name.write_bytes(render_kept(store, row["id"], fmt))
                except OSError as error:  # the disk filled, the folder was taken away: this item is not saved
                    failed.append((source, "write_failed", f"cannot write {name}: {error.strerror or error}"))
                    continue
                files.append(str(name))
            else:
                failed.append((source, row["error_code"] or "unknown", row["error_message"] or row["status"]))
    return {"total": len(sources), "done": len(files), "failed": failed, "files": files, "out": str(out)}


def _wait(store: Store, batch_id: str, total: int, poll: float) -> list[dict]:
    with click.progressbar(length=total, label="analysing", file=sys.stderr,
                           show_pos=True) as bar:
        finished = 0
        while True:
            _batch, rows = store.get_batch(batch_id)
            now_finished = sum(r["status"] in ("done", "failed") for r in rows)
            bar.update(now_finished - finished)
            finished = now_finished
            if finished == total:
                return rows
            time.sleep(poll)


def describe(summary: dict) -> str:
    lines = [f"{summary['done']} of {summary['total']} analysed; exports in {summary['out']}"]
    if summary["failed"]:
        lines.append(f"{len(summary['failed'])} failed:")
        lines += [f"  {source}: {code}: {message}" for source, code, message in summary["failed"]]
    return "\n".join(lines)
