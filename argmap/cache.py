"""A persistent key → bytes cache in the instance folder (embeddings, parsed comments).

One SQLite file (WAL), one table keyed by (namespace, key). The namespace says what the
bytes are and which code made them, so a change of model or of code starts afresh.

The cache is disposable: a file SQLite finds corrupt (not a database, malformed) is moved
aside as ``cache.sqlite.corrupt-<time>`` with a warning and an empty one is made in its place.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import sqlite3
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)


def _corrupt(error: sqlite3.DatabaseError) -> bool:
    """Whether SQLite says the file itself is bad (not: locked, busy, read-only, out of disk)."""
    return not isinstance(error, sqlite3.OperationalError) or "malformed" in str(error)


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class BlobCache:
    """A map from (namespace, key) to bytes, safe to share between threads."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self.rebuilds = 0  # corrupt files moved aside so far
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as error:
            if not _corrupt(error):
                self._refuse_unwritable(error)
                raise
            self._db = self._rebuild(error)

    def _refuse_unwritable(self, error: sqlite3.DatabaseError) -> None:
        """A cache that cannot be written (a read-only file or folder) is the user's to fix: say so."""
        if "readonly" in str(error) or "unable to open" in str(error):
            from argmap.errors import ArgmapError

            raise ArgmapError(f"cannot write the cache {self.path} ({error}): give the instance folder "
                              "write permission, or set ARGMAP_INSTANCE_PATH to a folder you can write") from None

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS blobs (namespace TEXT, key TEXT, value BLOB, PRIMARY KEY (namespace, key))"
            )
            db.execute("SELECT 1 FROM blobs LIMIT 1").fetchall()
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _rebuild(self, error: Exception) -> sqlite3.Connection:
        """Move the corrupt file (and its WAL) aside and start an empty cache."""
        if str(self.path) == ":memory:":
            raise error
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        log.warning("the cache %s is corrupt (%s); moved aside to %s and rebuilt empty", self.path, error, aside)
        for suffix in ("", "-wal", "-shm"):
            source = Path(str(self.path) + suffix)
            if source.exists():
                source.replace(Path(str(aside) + suffix))
        self.rebuilds += 1
        return self._open()

    def _recover(self, error: sqlite3.DatabaseError) -> None:
        """Called with the lock held when a statement failed: rebuild if the file is corrupt."""
        if not _corrupt(error):
            self._refuse_unwritable(error)
            raise error
        try:
            self._db.close()
        except sqlite3.Error:
            pass
        self._db = self._rebuild(error)

    def get_many(self, namespace: str, keys: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        with self._lock:
            try:
                for i in range(0, len(keys), 500):
                    chunk = keys[i:i + 500]
                    marks = ",".join("?" * len(chunk))
                    rows = self._db.execute(
                        f"SELECT key, value FROM blobs WHERE namespace = ? AND key IN ({marks})", [namespace, *chunk]
                    )
                    found.update(rows)
            except sqlite3.DatabaseError as error:
                self._recover(error)
                return {}
        return found

    def put_many(self, namespace: str, items: dict[str, bytes]) -> None:
        rows = [(namespace, key, value) for key, value in items.items()]
        with self._lock:
            try:
                self._db.executemany("INSERT OR REPLACE INTO blobs VALUES (?, ?, ?)", rows)
                self._db.commit()
            except sqlite3.DatabaseError as error:
                self._recover(error)
                self._db.executemany("INSERT OR REPLACE INTO blobs VALUES (?, ?, ?)", rows)
                self._db.commit()

    def check(self) -> None:
        """Read the cache once (rebuilding it when corrupt); raise if it still cannot be read."""
        with self._lock:
            try:
                self._db.execute("SELECT 1 FROM blobs LIMIT 1").fetchall()
            except sqlite3.DatabaseError as error:
                self._recover(error)


@functools.lru_cache(maxsize=8)
def cache_for(folder: str) -> BlobCache:
    """The cache of an instance folder, one per process."""
    return BlobCache(Path(folder) / "cache.sqlite")


def memory_cache() -> BlobCache:
    """A cache that lasts as long as the object (for callers that keep nothing)."""
    return BlobCache(Path(":memory:"))
