"""Durable analyses, their results, their exports and batches: SQLAlchemy Core over SQLite
(WAL) or any URL.

A ``Store`` is opened on a database URL (the settings' ``database``: SQLite in the
instance folder unless ``ARGMAP_DATABASE_URL`` names another). It only stores: rows come
back as plain dicts, a result as the Analysis and its graph, an export as the bytes an
exporter rendered. A result and the status change to ``done`` are written in one
transaction, so a reader never sees half of one.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import unicodedata
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import networkx as nx
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from argmap.model import Analysis, analysis_from_dict, analysis_to_dict

STATUSES = ("queued", "running", "done", "failed")
UNFINISHED = ("queued", "running")
THREAD_ID_CHARS = 200  # the stored thread id's length (a longer one is cut: PostgreSQL refuses it whole)
LEASE = 60.0  # seconds a running analysis's process holds it between heartbeats (settings: job_lease)


class UTCDateTime(sa.types.TypeDecorator):
    """Timestamps stored in UTC and read back timezone-aware (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


metadata = sa.MetaData()

batches = sa.Table(
    "batches", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("idempotency_key", sa.String(200), unique=True),
    sa.Column("request_hash", sa.String(64)),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("owner", sa.String(64)),  # sha256 of the API token that made it; None without tokens
)

analyses = sa.Table(
    "analyses", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("source_kind", sa.String(16), nullable=False),  # url | thread | text
    sa.Column("source", sa.Text, nullable=False),  # what the user sent, described in one line
    sa.Column("request", sa.JSON, nullable=False),  # the item as sent, to run (again) from
    sa.Column("thread_id", sa.String(THREAD_ID_CHARS)),
    sa.Column("thread_url", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("stage", sa.String(32)),
    sa.Column("progress_done", sa.Integer, nullable=False, default=0),
    sa.Column("progress_total", sa.Integer, nullable=False, default=0),
    sa.Column("message", sa.Text),
    sa.Column("error_code", sa.String(64)),
    sa.Column("error_message", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("idempotency_key", sa.String(200), unique=True),
    sa.Column("request_hash", sa.String(64)),
    sa.Column("batch_id", sa.String(32), sa.ForeignKey("batches.id", ondelete="CASCADE"), index=True),
    sa.Column("position", sa.Integer),
    sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("owner", sa.String(64)),  # sha256 of the API token that made it; None without tokens
    # while running: until when its process holds it (renewed by a heartbeat); an expired lease
    # means the process is gone and the analysis may be re-queued
    sa.Column("lease_until", UTCDateTime()),
    # the stored result's version: 1 after the first run, one more after each refresh; None before
    sa.Column("version", sa.Integer),
)

probes = sa.Table(
    "probes", metadata,  # one row the health check rewrites: can the store write?
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", UTCDateTime(), nullable=False),
)

exports = sa.Table(
    "exports", metadata,  # a done analysis's exports, rendered once per format (a result never changes)
    sa.Column("analysis_id", sa.String(32), sa.ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("format", sa.String(32), primary_key=True),
    sa.Column("body", sa.LargeBinary, nullable=False),
)

results = sa.Table(
    "results", metadata,
    sa.Column("analysis_id", sa.String(32), sa.ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("analysis", sa.JSON, nullable=False),  # thread + claims + relations + timings + stats
    sa.Column("summary", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

versions = sa.Table(
    "versions", metadata,  # one row per version of an analysis; the current one's result is in ``results``
    sa.Column("analysis_id", sa.String(32), sa.ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("stats", sa.JSON, nullable=False),  # the pipeline's counts
    sa.Column("changes", sa.JSON),  # what changed since the version before (argmap.live.changes); None for 1
    sa.Column("analysis", sa.JSON),  # a superseded version's stored result; None for the current one
)

collections = sa.Table(
    "collections", metadata,  # a corpus: many threads' analyses mapped as one debate
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("title", sa.Text),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("owner", sa.String(64)),
)

collection_items = sa.Table(
    "collection_items", metadata,
    sa.Column("collection_id", sa.String(32), sa.ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("analysis_id", sa.String(32), sa.ForeignKey("analyses.id", ondelete="CASCADE"), nullable=False),
)

collection_results = sa.Table(
    "collection_results", metadata,  # the merged map, for the set of finished items it was made from
    sa.Column("collection_id", sa.String(32), sa.ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("analysis", sa.JSON, nullable=False),  # merged analysis + its graph
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


class IdempotencyConflict(Exception):
    """An Idempotency-Key was reused with a different request."""


def engine(url: str) -> Engine:
    """One engine per database URL per process, with the tables created."""
    with _engines_lock:
        if url not in _engines:
            _engines[url] = _make_engine(url)
        return _engines[url]


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        created = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(created, "connect")
        def _sqlite_pragmas(connection, _record):
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
    else:
        created = sa.create_engine(_with_driver(url), pool_pre_ping=True)
    metadata.create_all(created)
    _add_missing_columns(created)
    return created


def _with_driver(url: str) -> str:
    """``postgresql://…`` on psycopg (3, the ``postgres`` extra) unless psycopg2 is installed."""
    if url.startswith(("postgresql://", "postgres://")):
        try:
            import psycopg2  # noqa: F401
        except ImportError:
            return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _add_missing_columns(created: Engine) -> None:
    """Columns added since a database was made (``owner``), added to it (nullable, no default)."""
    inspector = sa.inspect(created)
    with created.begin() as conn:
        for table in (batches, analyses):
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.c:
                if column.name not in present and column.nullable:
                    kind = column.type.compile(dialect=created.dialect)
                    conn.execute(sa.text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))


def dispose(url: str | None = None) -> None:
    """Close every pooled connection (after a fork, or at the end of tests); only ``url``'s if given."""
    with _engines_lock:
        for key in [url] if url else list(_engines):
            created = _engines.pop(key, None)
            if created is not None:
                created.dispose()


def first_run_pending(row: dict) -> bool:
    """Queued or running with no result yet. An analysis being refreshed keeps its current
    version readable (``version`` is set), so it does not count."""
    return row["status"] in UNFINISHED and not row.get("version")


def now() -> datetime:
    return datetime.now(timezone.utc)


def new_id() -> str:
    return uuid.uuid4().hex


def owner_of(token: str | None) -> str | None:
    """What the store keeps of an API token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest() if token else None


def scoped_key(idempotency_key: str | None, owner: str | None) -> str | None:
    """An Idempotency-Key as stored: per owner (a hash of owner and key), so one token's key
    never replays or conflicts with another's; as given when there are no tokens."""
    if not idempotency_key or owner is None:
        return idempotency_key
    return "k:" + hashlib.sha256(f"{owner}\n{idempotency_key}".encode("utf-8", "surrogatepass")).hexdigest()


def request_hash(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def describe_item(item: dict) -> tuple[str, str, str | None, str | None, str | None]:
    """(kind, one-line description, thread id, thread url, title) of a request item."""
    if "url" in item:
        return "url", item["url"], None, item["url"], None
    if "thread" in item:
        thread = item["thread"]
        title = thread.get("title") or None
        return ("thread", f"thread {thread.get('id')}: {title or 'untitled'}"[:500],
                str(thread.get("id"))[:THREAD_ID_CHARS], thread.get("url"), title)
    text = item.get("text", "")
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return "text", f"pasted text: {first_line[:120]}", None, None, item.get("title")


def _row(row) -> dict | None:
    return dict(row._mapping) if row is not None else None


def _analysis_values(item: dict, *, batch_id=None, position=None, idempotency_key=None, digest=None,
                     owner=None) -> dict:
    kind, source, thread_id, thread_url, title = describe_item(item)
    stamp = now()
    return {
        "id": new_id(), "status": "queued", "source_kind": kind, "source": source, "request": item,
        "thread_id": thread_id, "thread_url": thread_url, "title": title, "stage": "queued",
        "progress_done": 0, "progress_total": 0, "message": "waiting for a worker", "attempts": 0,
        "idempotency_key": idempotency_key, "request_hash": digest, "batch_id": batch_id,
        "position": position, "created_at": stamp, "updated_at": stamp, "owner": owner,
    }


def _replayed(conn, table: sa.Table, idempotency_key: str | None, digest: str) -> dict | None:
    """The row an earlier request with this Idempotency-Key made, or None.

    The same key with a different request body is a conflict, not a replay.
    """
    if not idempotency_key:
        return None
    existing = _row(conn.execute(sa.select(table).where(table.c.idempotency_key == idempotency_key)).first())
    if existing and existing["request_hash"] != digest:
        raise IdempotencyConflict(idempotency_key)
    return existing


def _listed():
    """A select of every analysis column but the request body (which can be megabytes)."""
    return sa.select(*[column for column in analyses.c if column.name != "request"])


def file_stem(row: dict) -> str:
    """A safe file name (no extension) for an analysis's exports: its thread id, else its own id,
    in ASCII letters, digits, ``-`` and ``_``.

    >>> file_stem({"id": "a1", "thread_id": "2xmo63"}), file_stem({"id": "a1", "thread_id": "café/1"})
    ('2xmo63', 'cafe_1')
    >>> file_stem({"id": "a1", "thread_id": "日本語"})
    'thread'
    """
    text = unicodedata.normalize("NFKD", row.get("thread_id") or row["id"]).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")[:80] or "thread"


class Store:
    """Analyses, batches, results and exports in the database at ``url``.

    >>> store = Store("sqlite://")
    >>> row, created = store.create_analysis({"text": "Cats are mammals."})
    >>> created, store.get_analysis(row["id"])["status"]
    (True, 'queued')
    """

    def __init__(self, url: str):
        self.url = url
        self.engine = engine(url)

    def create_analysis(self, item: dict, *, idempotency_key: str | None = None,
                        owner: str | None = None) -> tuple[dict, bool]:
        """Queue one analysis; returns (row, created). A known Idempotency-Key (of this owner) returns its row."""
        digest = request_hash(item)
        idempotency_key = scoped_key(idempotency_key, owner)
        values = _analysis_values(item, idempotency_key=idempotency_key, digest=digest, owner=owner)
        try:
            with self.engine.begin() as conn:
                existing = _replayed(conn, analyses, idempotency_key, digest)
                if existing:
                    return existing, False
                conn.execute(analyses.insert().values(**values))
        except sa.exc.IntegrityError:
            # a concurrent request with the same key inserted first: its row is the answer
            if not idempotency_key:
                raise
            with self.engine.connect() as conn:
                existing = _replayed(conn, analyses, idempotency_key, digest)
            if existing is None:
                raise
            return existing, False
        return values, True

    def create_batch(self, items: list[dict], *, idempotency_key: str | None = None,
                     owner: str | None = None) -> tuple[dict, list[dict], bool]:
        """Queue a batch of analyses in one transaction; returns (batch, items, created)."""
        digest = request_hash(items)
        idempotency_key = scoped_key(idempotency_key, owner)
        try:
            with self.engine.begin() as conn:
                existing = _replayed(conn, batches, idempotency_key, digest)
                if existing:
                    return existing, self._batch_rows(conn, existing["id"]), False
                batch = {"id": new_id(), "size": len(items), "idempotency_key": idempotency_key,
                         "request_hash": digest, "created_at": now(), "owner": owner}
                conn.execute(batches.insert().values(**batch))
                rows = [_analysis_values(item, batch_id=batch["id"], position=i, owner=owner)
                        for i, item in enumerate(items)]
                if rows:
                    conn.execute(analyses.insert(), rows)
        except sa.exc.IntegrityError:
            if not idempotency_key:
                raise
            with self.engine.connect() as conn:  # a concurrent request with the same key won
                existing = _replayed(conn, batches, idempotency_key, digest)
                if existing is None:
                    raise
                return existing, self._batch_rows(conn, existing["id"]), False
        return batch, rows, True

    def requeue_unqueued(self, analysis_ids: list[str]) -> list[str]:
        """Of ``analysis_ids``, those that failed because the job queue was down, marked queued
        again (a retry of the request queues them); returns the ids this call re-queued."""
        claimed = []
        with self.engine.begin() as conn:
            for analysis_id in analysis_ids:
                updated = conn.execute(analyses.update().where(
                    analyses.c.id == analysis_id, analyses.c.status == "failed",
                    analyses.c.error_code == "queue_unavailable").values(
                    status="queued", stage="queued", message="waiting for a worker", error_code=None,
                    error_message=None, updated_at=now()))
                if updated.rowcount:
                    claimed.append(analysis_id)
        return claimed

    def _batch_rows(self, conn, batch_id: str) -> list[dict]:
        query = _listed().where(analyses.c.batch_id == batch_id).order_by(analyses.c.position)
        return [dict(r._mapping) for r in conn.execute(query)]

    def get_analysis(self, analysis_id: str) -> dict | None:
        with self.engine.connect() as conn:
            return _row(conn.execute(sa.select(analyses).where(analyses.c.id == analysis_id)).first())

    def list_analyses(self, *, limit: int = 50, offset: int = 0, status: str | None = None,
                      owner: str | None = None) -> list[dict]:
        """The most recent analyses first (after skipping ``offset``), without their request
        bodies; with ``owner`` (a token's hash), only the analyses that token made."""
        query = _listed().order_by(analyses.c.created_at.desc(), analyses.c.id).limit(limit).offset(offset)
        if status:
            query = query.where(analyses.c.status == status)
        if owner is not None:
            query = query.where(analyses.c.owner == owner)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def list_batches(self, *, limit: int = 50, offset: int = 0, owner: str | None = None) -> list[dict]:
        """The most recent batches first (after skipping ``offset``); with ``owner`` (a token's
        hash), only the batches that token made."""
        query = sa.select(batches).order_by(batches.c.created_at.desc(), batches.c.id).limit(limit).offset(offset)
        if owner is not None:
            query = query.where(batches.c.owner == owner)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def get_batch(self, batch_id: str) -> tuple[dict, list[dict]] | None:
        with self.engine.connect() as conn:
            batch = _row(conn.execute(sa.select(batches).where(batches.c.id == batch_id)).first())
            if batch is None:
                return None
            return batch, self._batch_rows(conn, batch_id)

    def unfinished_ids(self) -> list[str]:
        """Analyses still queued or running, oldest first."""
        query = sa.select(analyses.c.id).where(analyses.c.status.in_(UNFINISHED)).order_by(analyses.c.created_at)
        with self.engine.connect() as conn:
            return [r.id for r in conn.execute(query)]

    def requeue_expired(self) -> list[str]:
        """Mark queued again every running analysis whose lease expired (its process is gone or
        lost the store); returns their ids. A live process's analyses (lease renewed) are left alone."""
        expired = (analyses.c.status == "running") & (
            analyses.c.lease_until.is_(None) | (analyses.c.lease_until < now()))
        with self.engine.begin() as conn:
            ids = [r.id for r in conn.execute(sa.select(analyses.c.id).where(expired).order_by(analyses.c.created_at))]
            if ids:
                conn.execute(analyses.update().where(expired, analyses.c.id.in_(ids)).values(
                    status="queued", stage="queued", message="re-queued: its worker stopped", lease_until=None,
                    updated_at=now()))
        return ids

    def requeue_unfinished(self) -> list[str]:
        """Re-queue the running analyses whose lease expired; return every queued id, oldest first."""
        self.requeue_expired()
        query = sa.select(analyses.c.id).where(analyses.c.status == "queued").order_by(analyses.c.created_at)
        with self.engine.connect() as conn:
            return [r.id for r in conn.execute(query)]

    def start(self, analysis_id: str, lease: float = LEASE) -> dict | None:
        """Claim an analysis for ``lease`` seconds and mark it running (one more attempt).

        None when it is finished, gone, or running under another process's live lease.
        """
        stamp = now()
        claimable = (analyses.c.status == "queued") | (
            (analyses.c.status == "running")
            & (analyses.c.lease_until.is_(None) | (analyses.c.lease_until < stamp)))
        with self.engine.begin() as conn:
            updated = conn.execute(
                analyses.update()
                .where(analyses.c.id == analysis_id, claimable)
                .values(status="running", stage="starting", message="started", attempts=analyses.c.attempts + 1,
                        lease_until=stamp + timedelta(seconds=lease), updated_at=stamp))
            if updated.rowcount == 0:
                return None
            return _row(conn.execute(sa.select(analyses).where(analyses.c.id == analysis_id)).first())

    def renew(self, analysis_id: str, lease: float = LEASE) -> None:
        """Extend a running analysis's lease (its process's heartbeat)."""
        with self.engine.begin() as conn:
            conn.execute(analyses.update().where(analyses.c.id == analysis_id, analyses.c.status == "running")
                         .values(lease_until=now() + timedelta(seconds=lease)))

    def set_progress(self, analysis_id: str, stage: str, done: int, total: int, message: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(analyses.update().where(analyses.c.id == analysis_id, analyses.c.status == "running").values(
                stage=stage[:32], progress_done=int(done), progress_total=int(total), message=message[:1000],
                updated_at=now()))

    def finish(self, analysis_id: str, analysis: Analysis, graph: nx.DiGraph, summary: dict) -> bool:
        """Store the result and mark the analysis done, in one transaction.

        ``graph`` is the pipeline's annotated graph (topics found with the claim vectors,
        rank, controversy), stored with the result so exports render it as it was;
        ``summary`` is what status pages show (``analytics.summary.status_summary``).
        A refreshed analysis (one with a result already) becomes the next version: the
        result it replaces is kept in ``versions``.
        """
        data = analysis_to_dict(analysis)
        data["graph"] = nx.node_link_data(graph, edges="edges")
        stamp = now()
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(analyses.c.version).where(analyses.c.id == analysis_id)).first()
            if row is None:
                return False  # deleted while it ran
            before = conn.execute(sa.select(results.c.analysis, results.c.created_at)
                                  .where(results.c.analysis_id == analysis_id)).first()
            version = 1 if before is None else (row.version or 1) + 1
            updated = conn.execute(analyses.update().where(analyses.c.id == analysis_id).values(
                status="done", stage="done", progress_done=1, progress_total=1, message=_done_message(summary),
                thread_id=str(analysis.thread.id)[:THREAD_ID_CHARS], thread_url=analysis.thread.url, title=analysis.thread.title or None,
                error_code=None, error_message=None, lease_until=None, updated_at=stamp, version=version))
            if updated.rowcount == 0:
                return False
            if before is not None:
                kept = conn.execute(versions.update().where(
                    versions.c.analysis_id == analysis_id, versions.c.number == version - 1).values(
                    analysis=before.analysis))
                if kept.rowcount == 0:  # a result stored before versions were kept
                    conn.execute(versions.insert().values(
                        analysis_id=analysis_id, number=version - 1, created_at=before.created_at,
                        stats=(before.analysis or {}).get("stats", {}), changes=None, analysis=before.analysis))
            conn.execute(versions.delete().where(versions.c.analysis_id == analysis_id, versions.c.number == version))
            conn.execute(versions.insert().values(analysis_id=analysis_id, number=version, created_at=stamp,
                                                  stats=analysis.stats, changes=analysis.changes, analysis=None))
            conn.execute(results.delete().where(results.c.analysis_id == analysis_id))
            conn.execute(exports.delete().where(exports.c.analysis_id == analysis_id))
            conn.execute(results.insert().values(analysis_id=analysis_id, analysis=data, summary=summary,
                                                 created_at=stamp))
        return True

    def queue_refresh(self, analysis_id: str) -> dict | None:
        """Queue a done analysis to run again as its next version (the current one stays
        readable meanwhile); returns its row, or None when it is not done."""
        with self.engine.begin() as conn:
            updated = conn.execute(analyses.update().where(
                analyses.c.id == analysis_id, analyses.c.status == "done").values(
                status="queued", stage="queued", progress_done=0, progress_total=0,
                message="update queued: fetching the thread again", error_code=None, error_message=None,
                updated_at=now()))
            if updated.rowcount == 0:
                return None
        return self.get_analysis(analysis_id)

    def refresh_unchanged(self, analysis_id: str) -> None:
        """A refresh that found nothing new: the analysis is done at its current version, no copy kept."""
        with self.engine.begin() as conn:
            conn.execute(analyses.update().where(analyses.c.id == analysis_id).values(
                status="done", stage="done", progress_done=1, progress_total=1, error_code=None, error_message=None,
                message="no change since the last version", lease_until=None, updated_at=now()))

    def refresh_failed(self, analysis_id: str, code: str, message: str) -> None:
        """A refresh that failed leaves the analysis done at its current version, the error noted."""
        with self.engine.begin() as conn:
            conn.execute(analyses.update().where(analyses.c.id == analysis_id).values(
                status="done", stage="done", error_code=code[:64], error_message=message[:2000],
                message=f"the update failed: {message}"[:1000], lease_until=None, updated_at=now()))

    def list_versions(self, analysis_id: str) -> list[dict]:
        """Every version of an analysis, oldest first: number, created_at, stats, changes."""
        query = (sa.select(versions.c.number, versions.c.created_at, versions.c.stats, versions.c.changes)
                 .where(versions.c.analysis_id == analysis_id).order_by(versions.c.number))
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
            if not rows:  # a result stored before versions were kept: it is version 1
                kept = conn.execute(sa.select(results.c.analysis, results.c.created_at)
                                    .where(results.c.analysis_id == analysis_id)).first()
                if kept is not None:
                    rows = [{"number": 1, "created_at": kept.created_at,
                             "stats": (kept.analysis or {}).get("stats", {}), "changes": None}]
        return rows

    def get_version_result(self, analysis_id: str, number: int) -> tuple[Analysis, nx.DiGraph | None] | None:
        """A superseded version's stored result (the current one: ``get_result``)."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(versions.c.analysis).where(
                versions.c.analysis_id == analysis_id, versions.c.number == number)).first()
        if row is None or not row.analysis:
            return None
        data = row.analysis
        graph = nx.node_link_graph(data["graph"], edges="edges") if "graph" in data else None
        return analysis_from_dict(data), graph

    def fail(self, analysis_id: str, code: str, message: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(analyses.update().where(analyses.c.id == analysis_id).values(
                status="failed", stage="failed", error_code=code[:64], error_message=message[:2000],
                message=message[:1000], lease_until=None, updated_at=now()))

    def delete_analysis(self, analysis_id: str) -> bool:
        with self.engine.begin() as conn:
            return self._delete_analysis(conn, analysis_id)

    def _delete_analysis(self, conn, analysis_id: str) -> bool:
        conn.execute(versions.delete().where(versions.c.analysis_id == analysis_id))
        conn.execute(collection_items.delete().where(collection_items.c.analysis_id == analysis_id))
        conn.execute(exports.delete().where(exports.c.analysis_id == analysis_id))
        conn.execute(results.delete().where(results.c.analysis_id == analysis_id))
        return conn.execute(analyses.delete().where(analyses.c.id == analysis_id)).rowcount > 0

    def delete_batch(self, batch_id: str) -> bool:
        """Forget a batch and every analysis in it, in one transaction."""
        with self.engine.begin() as conn:
            for row in conn.execute(sa.select(analyses.c.id).where(analyses.c.batch_id == batch_id)).all():
                self._delete_analysis(conn, row.id)
            return conn.execute(batches.delete().where(batches.c.id == batch_id)).rowcount > 0

    def _stored(self, analysis_id: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(results.c.analysis).where(results.c.analysis_id == analysis_id)).first()
        return row.analysis if row else None

    def get_result(self, analysis_id: str) -> tuple[Analysis, nx.DiGraph | None] | None:
        """The stored analysis and its graph (None for a result stored before graphs were kept)."""
        data = self._stored(analysis_id)
        if not data:
            return None
        graph = nx.node_link_graph(data["graph"], edges="edges") if "graph" in data else None
        return analysis_from_dict(data), graph

    def get_export(self, analysis_id: str, fmt: str) -> bytes | None:
        """An export kept by ``put_export``, or None."""
        query = sa.select(exports.c.body).where(exports.c.analysis_id == analysis_id, exports.c.format == fmt)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return bytes(row.body) if row else None

    def result_stamp(self, analysis_id: str):
        """When the current result was stored (None without one): what ``put_export`` checks."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(results.c.created_at).where(results.c.analysis_id == analysis_id)).first()
        return row.created_at if row else None

    def put_export(self, analysis_id: str, fmt: str, body: bytes, stamp=None) -> None:
        """Keep a done analysis's export in ``fmt`` (a later writer of the same one is ignored);
        with ``stamp`` (``result_stamp`` before rendering), only if the result is still that one
        (a refresh may have replaced it meanwhile)."""
        with self.engine.begin() as conn:
            current = conn.execute(sa.select(results.c.created_at).where(results.c.analysis_id == analysis_id)).first()
            if current and (stamp is None or current.created_at == stamp):
                if not conn.execute(sa.select(exports.c.format).where(
                        exports.c.analysis_id == analysis_id, exports.c.format == fmt)).first():
                    conn.execute(exports.insert().values(analysis_id=analysis_id, format=fmt, body=body))

    def get_summary(self, analysis_id: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(results.c.summary).where(results.c.analysis_id == analysis_id)).first()
        return row.summary if row else None

    def get_summaries(self, analysis_ids: list[str]) -> dict[str, dict]:
        """Summaries of many done analyses at once: {analysis id: summary}."""
        if not analysis_ids:
            return {}
        query = sa.select(results.c.analysis_id, results.c.summary).where(results.c.analysis_id.in_(analysis_ids))
        with self.engine.connect() as conn:
            return {r.analysis_id: r.summary for r in conn.execute(query)}

    # collections -------------------------------------------------------------------

    def create_collection(self, title: str | None, analysis_ids: list[str], owner: str | None = None) -> dict:
        """A collection of the (already queued) analyses ``analysis_ids``, in that order."""
        row = {"id": new_id(), "title": title or None, "created_at": now(), "owner": owner}
        with self.engine.begin() as conn:
            conn.execute(collections.insert().values(**row))
            if analysis_ids:
                conn.execute(collection_items.insert(), [
                    {"collection_id": row["id"], "position": i, "analysis_id": a} for i, a in enumerate(analysis_ids)])
        return row

    def add_to_collection(self, collection_id: str, analysis_ids: list[str]) -> bool:
        """Append analyses to a collection; False when there is no such collection."""
        with self.engine.begin() as conn:
            if conn.execute(sa.select(collections.c.id).where(collections.c.id == collection_id)).first() is None:
                return False
            last = conn.execute(sa.select(sa.func.max(collection_items.c.position))
                                .where(collection_items.c.collection_id == collection_id)).scalar()
            start = 0 if last is None else last + 1  # deleted items leave gaps: after the last, not the count
            if analysis_ids:
                conn.execute(collection_items.insert(), [
                    {"collection_id": collection_id, "position": start + i, "analysis_id": a}
                    for i, a in enumerate(analysis_ids)])
        return True

    def get_collection(self, collection_id: str) -> tuple[dict, list[dict]] | None:
        """The collection and its items' analysis rows (without request bodies), in order."""
        with self.engine.connect() as conn:
            row = _row(conn.execute(sa.select(collections).where(collections.c.id == collection_id)).first())
            if row is None:
                return None
            query = (_listed().join(collection_items, collection_items.c.analysis_id == analyses.c.id)
                     .where(collection_items.c.collection_id == collection_id)
                     .order_by(collection_items.c.position))
            return row, [dict(r._mapping) for r in conn.execute(query)]

    def get_collection_result(self, collection_id: str, digest: str) -> tuple[Analysis, nx.DiGraph] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(collection_results.c.analysis).where(
                collection_results.c.collection_id == collection_id, collection_results.c.digest == digest)).first()
        if row is None:
            return None
        return analysis_from_dict(row.analysis), nx.node_link_graph(row.analysis["graph"], edges="edges")

    def put_collection_result(self, collection_id: str, digest: str, analysis: Analysis, graph: nx.DiGraph) -> None:
        data = analysis_to_dict(analysis)
        data["graph"] = nx.node_link_data(graph, edges="edges")
        try:
            with self.engine.begin() as conn:
                conn.execute(collection_results.delete().where(collection_results.c.collection_id == collection_id))
                conn.execute(collection_results.insert().values(collection_id=collection_id, digest=digest,
                                                                analysis=data, created_at=now()))
        except sa.exc.IntegrityError:
            pass  # a concurrent request stored the same merge first

    def ping(self) -> None:
        """Raise if the database cannot answer or cannot write (one row rewritten)."""
        with self.engine.begin() as conn:
            if conn.execute(probes.update().where(probes.c.id == 1).values(at=now())).rowcount == 0:
                try:
                    with conn.begin_nested():
                        conn.execute(probes.insert().values(id=1, at=now()))
                except sa.exc.IntegrityError:
                    pass  # another process's health check made it first


def _done_message(summary: dict) -> str:
    counts = summary["counts"]
    return f"{counts.get('claims', 0):,} claims, {counts.get('edges', 0):,} edges"
