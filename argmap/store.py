"""Durable analyses, their results and batches: SQLAlchemy Core over SQLite (WAL) or any URL.

The database is ``instance_path()/argmap.sqlite`` unless ``ARGMAP_DATABASE_URL`` names
another (e.g. PostgreSQL). Rows come back as plain dicts. A result and the status change
to ``done`` are written in one transaction, so a reader never sees half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import uuid
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any

import networkx as nx
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from argmap.config import instance_path
from argmap.model import Analysis, Claim, Relation, thread_from_dict, thread_to_dict

STATUSES = ("queued", "running", "done", "failed")
UNFINISHED = ("queued", "running")



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
    sa.Column("thread_id", sa.String(200)),
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
)

results = sa.Table(
    "results", metadata,
    sa.Column("analysis_id", sa.String(32), sa.ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("analysis", sa.JSON, nullable=False),  # thread + claims + relations + timings + stats
    sa.Column("summary", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


class IdempotencyConflict(Exception):
    """An Idempotency-Key was reused with a different request."""


def database_url() -> str:
    """``ARGMAP_DATABASE_URL``, or the SQLite file in the instance folder."""
    return os.environ.get("ARGMAP_DATABASE_URL") or f"sqlite:///{instance_path() / 'argmap.sqlite'}"


def engine(url: str | None = None) -> Engine:
    """One engine per database URL per process, with the tables created."""
    url = url or database_url()
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
        created = sa.create_engine(url, pool_pre_ping=True)
    metadata.create_all(created)
    _add_missing_columns(created)
    return created


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


def dispose() -> None:
    """Close every pooled connection (after a fork, or at the end of tests)."""
    with _engines_lock:
        for created in _engines.values():
            created.dispose()
        _engines.clear()


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
                str(thread.get("id")), thread.get("url"), title)
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


def create_analysis(item: dict, *, idempotency_key: str | None = None, owner: str | None = None) -> tuple[dict, bool]:
    """Queue one analysis; returns (row, created). A known Idempotency-Key (of this owner) returns its row."""
    digest = request_hash(item)
    idempotency_key = scoped_key(idempotency_key, owner)
    with engine().begin() as conn:
        existing = _replayed(conn, analyses, idempotency_key, digest)
        if existing:
            return existing, False
        values = _analysis_values(item, idempotency_key=idempotency_key, digest=digest, owner=owner)
        conn.execute(analyses.insert().values(**values))
    return values, True


def create_batch(items: list[dict], *, idempotency_key: str | None = None,
                 owner: str | None = None) -> tuple[dict, list[dict], bool]:
    """Queue a batch of analyses in one transaction; returns (batch, items, created)."""
    digest = request_hash(items)
    idempotency_key = scoped_key(idempotency_key, owner)
    with engine().begin() as conn:
        existing = _replayed(conn, batches, idempotency_key, digest)
        if existing:
            return existing, _batch_rows(conn, existing["id"]), False
        batch = {"id": new_id(), "size": len(items), "idempotency_key": idempotency_key,
                 "request_hash": digest, "created_at": now(), "owner": owner}
        conn.execute(batches.insert().values(**batch))
        rows = [_analysis_values(item, batch_id=batch["id"], position=i, owner=owner) for i, item in enumerate(items)]
        if rows:
            conn.execute(analyses.insert(), rows)
    return batch, rows, True


def _listed():
    """A select of every analysis column but the request body (which can be megabytes)."""
    return sa.select(*[column for column in analyses.c if column.name != "request"])


def _batch_rows(conn, batch_id: str) -> list[dict]:
    query = _listed().where(analyses.c.batch_id == batch_id).order_by(analyses.c.position)
    return [dict(r._mapping) for r in conn.execute(query)]


def get_analysis(analysis_id: str) -> dict | None:
    with engine().connect() as conn:
        return _row(conn.execute(sa.select(analyses).where(analyses.c.id == analysis_id)).first())


def list_analyses(*, limit: int = 50, status: str | None = None) -> list[dict]:
    """The most recent analyses first, without their request bodies."""
    query = _listed().order_by(analyses.c.created_at.desc()).limit(limit)
    if status:
        query = query.where(analyses.c.status == status)
    with engine().connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def get_batch(batch_id: str) -> tuple[dict, list[dict]] | None:
    with engine().connect() as conn:
        batch = _row(conn.execute(sa.select(batches).where(batches.c.id == batch_id)).first())
        if batch is None:
            return None
        return batch, _batch_rows(conn, batch_id)


def unfinished_ids() -> list[str]:
    """Analyses still queued or running, oldest first (to re-queue after a restart)."""
    query = sa.select(analyses.c.id).where(analyses.c.status.in_(UNFINISHED)).order_by(analyses.c.created_at)
    with engine().connect() as conn:
        return [r.id for r in conn.execute(query)]


def requeue_unfinished() -> list[str]:
    """Mark every running analysis queued again (its worker is gone); return all unfinished ids."""
    with engine().begin() as conn:
        conn.execute(analyses.update().where(analyses.c.status == "running").values(
            status="queued", stage="queued", message="re-queued after a restart", updated_at=now()))
    return unfinished_ids()


def start(analysis_id: str) -> dict | None:
    """Mark an analysis running (one more attempt); None when it is finished or gone."""
    with engine().begin() as conn:
        updated = conn.execute(
            analyses.update()
            .where(analyses.c.id == analysis_id, analyses.c.status.in_(UNFINISHED))
            .values(status="running", stage="starting", message="started", attempts=analyses.c.attempts + 1,
                    updated_at=now()))
        if updated.rowcount == 0:
            return None
        return _row(conn.execute(sa.select(analyses).where(analyses.c.id == analysis_id)).first())


def set_progress(analysis_id: str, stage: str, done: int, total: int, message: str) -> None:
    with engine().begin() as conn:
        conn.execute(analyses.update().where(analyses.c.id == analysis_id, analyses.c.status == "running").values(
            stage=stage[:32], progress_done=int(done), progress_total=int(total), message=message[:1000],
            updated_at=now()))


def finish(analysis_id: str, analysis: Analysis, graph: nx.DiGraph | None = None) -> bool:
    """Store the result and mark the analysis done, in one transaction.

    ``graph`` is the pipeline's annotated graph (topics found with the claim vectors,
    rank, controversy); stored with the result, exports render from it as it was.
    """
    data = analysis_to_dict(analysis)
    if graph is not None:
        data["graph"] = nx.node_link_data(graph, edges="edges")
    summary = summarize(analysis)
    stamp = now()
    with engine().begin() as conn:
        updated = conn.execute(analyses.update().where(analyses.c.id == analysis_id).values(
            status="done", stage="done", progress_done=1, progress_total=1, message=_done_message(summary),
            thread_id=analysis.thread.id, thread_url=analysis.thread.url, title=analysis.thread.title or None,
            error_code=None, error_message=None, updated_at=stamp))
        if updated.rowcount == 0:
            return False  # deleted while it ran
        conn.execute(results.delete().where(results.c.analysis_id == analysis_id))
        conn.execute(results.insert().values(analysis_id=analysis_id, analysis=data, summary=summary,
                                             created_at=stamp))
    return True


def fail(analysis_id: str, code: str, message: str) -> None:
    with engine().begin() as conn:
        conn.execute(analyses.update().where(analyses.c.id == analysis_id).values(
            status="failed", stage="failed", error_code=code[:64], error_message=message[:2000],
            message=message[:1000], updated_at=now()))


def delete_analysis(analysis_id: str) -> bool:
    with engine().begin() as conn:
        conn.execute(results.delete().where(results.c.analysis_id == analysis_id))
        return conn.execute(analyses.delete().where(analyses.c.id == analysis_id)).rowcount > 0


def _stored(analysis_id: str) -> dict | None:
    with engine().connect() as conn:
        row = conn.execute(sa.select(results.c.analysis).where(results.c.analysis_id == analysis_id)).first()
    return row.analysis if row else None


def get_result(analysis_id: str) -> Analysis | None:
    data = _stored(analysis_id)
    return analysis_from_dict(data) if data else None


def render_result(analysis_id: str, fmt: str) -> bytes:
    """The stored result of a done analysis rendered by the ``fmt`` exporter.

    Renders the stored graph when there is one; a result stored without it gets its
    graph built again (topics then come from word vectors, not the claim vectors).
    """
    from argmap.export import get_exporter
    from argmap.graph import build_graph

    data = _stored(analysis_id)
    if data is None:
        raise LookupError(f"analysis {analysis_id} has no result")
    analysis = analysis_from_dict(data)
    graph = nx.node_link_graph(data["graph"], edges="edges") if "graph" in data else build_graph(analysis)
    return get_exporter(fmt).render(analysis, graph)


def file_stem(row: dict) -> str:
    """A safe file name (no extension) for an analysis's exports: its thread id, else its own id."""
    text = row.get("thread_id") or row["id"]
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)[:80] or "thread"


def get_summary(analysis_id: str) -> dict | None:
    with engine().connect() as conn:
        row = conn.execute(sa.select(results.c.summary).where(results.c.analysis_id == analysis_id)).first()
    return row.summary if row else None


def get_summaries(analysis_ids: list[str]) -> dict[str, dict]:
    """Summaries of many done analyses at once: {analysis id: summary}."""
    if not analysis_ids:
        return {}
    query = sa.select(results.c.analysis_id, results.c.summary).where(results.c.analysis_id.in_(analysis_ids))
    with engine().connect() as conn:
        return {r.analysis_id: r.summary for r in conn.execute(query)}


def ping() -> None:
    """Raise if the database cannot answer."""
    with engine().connect() as conn:
        conn.execute(sa.text("SELECT 1"))


def analysis_to_dict(analysis: Analysis) -> dict:
    """The stored form of a result: enough to re-render every export."""
    return {
        "thread": thread_to_dict(analysis.thread),
        "claims": [asdict(c) for c in analysis.claims],
        "relations": [asdict(r) for r in analysis.relations],
        "timings": analysis.timings,
        "stats": analysis.stats,
    }


def analysis_from_dict(data: dict) -> Analysis:
    return Analysis(
        thread=thread_from_dict(data["thread"]),
        claims=[Claim(**c) for c in data["claims"]],
        relations=[Relation(**r) for r in data["relations"]],
        timings=data.get("timings", {}),
        stats=data.get("stats", {}),
    )


def summarize(analysis: Analysis, *, top: int = 5) -> dict:
    """Counts and the most-engaged claims (most incoming edges), for status pages."""
    incoming: dict[str, int] = {}
    for relation in analysis.relations:
        incoming[relation.target] = incoming.get(relation.target, 0) + 1
    ranked = sorted(analysis.claims, key=lambda c: (-incoming.get(c.id, 0), c.comment_id, c.position))
    counts = {key: value for key, value in analysis.stats.items() if isinstance(value, int)}
    counts.setdefault("comments", len(analysis.thread.comments))
    counts.setdefault("claims", len(analysis.claims))
    counts.setdefault("edges", len(analysis.relations))
    return {
        "title": analysis.thread.title,
        "counts": counts,
        "top_claims": [{"id": c.id, "text": c.text, "author": c.author, "replies": incoming.get(c.id, 0)}
                       for c in ranked[:top]],
        "notes": [n for n in analysis.stats.get("notes", analysis.thread.notes) if isinstance(n, str)],
    }


def _done_message(summary: dict) -> str:
    counts = summary["counts"]
    return f"{counts.get('claims', 0):,} claims, {counts.get('edges', 0):,} edges"
