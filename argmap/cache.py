"""A persistent key → bytes cache in the instance folder (embeddings, parsed comments).

One SQLite file (WAL), one table keyed by (namespace, key). The namespace says what the
bytes are and which code made them, so a change of model or of code starts afresh.
"""

from __future__ import annotations

import functools
import hashlib
import sqlite3
import threading
from pathlib import Path


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class BlobCache:
    """A map from (namespace, key) to bytes, safe to share between threads."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS blobs (namespace TEXT, key TEXT, value BLOB, PRIMARY KEY (namespace, key))"
        )
        self._db.commit()

    def get_many(self, namespace: str, keys: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                chunk = keys[i:i + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, value FROM blobs WHERE namespace = ? AND key IN ({marks})", [namespace, *chunk]
                )
                found.update(rows)
        return found

    def put_many(self, namespace: str, items: dict[str, bytes]) -> None:
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO blobs VALUES (?, ?, ?)",
                                 [(namespace, key, value) for key, value in items.items()])
            self._db.commit()


@functools.lru_cache(maxsize=8)
def cache_for(folder: str) -> BlobCache:
    """The cache of an instance folder, one per process."""
    return BlobCache(Path(folder) / "cache.sqlite")


def memory_cache() -> BlobCache:
    """A cache that lasts as long as the object (for callers that keep nothing)."""
    return BlobCache(Path(":memory:"))
