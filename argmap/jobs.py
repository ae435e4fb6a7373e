"""Running analyses in the background: a local thread pool, or Celery on Redis to scale out.

Both backends call ``run_analysis(analysis_id, store, settings)``, which reads the request
from the store, runs the pipeline and writes progress, then the result or the error, back
to the store. The settings' ``broker_url`` (e.g. ``redis://host:6379/0``) picks Celery;
otherwise analyses run on ``workers`` threads in this process.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from argmap.errors import ArgmapError, TooLargeError
from argmap.settings import READINGS, Settings
from argmap.store import UNFINISHED, IdempotencyConflict, Store
from argmap.sources.urls import parse_url

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5  # seconds between progress writes within one stage
INTERNAL_ERROR = "the analysis failed because of an internal error; it has been logged"


class Backend(Protocol):
    name: str

    def submit(self, analysis_id: str, store: Store) -> None: ...

    def health(self) -> None:
        """Raise when the backend cannot take work."""

    def shutdown(self, wait: bool = True) -> None: ...


# ----------------------------------------------------------------------------------
# the one job


class _StoreProgress:
    """A pipeline progress callback that writes to the store at most every PROGRESS_INTERVAL."""

    def __init__(self, analysis_id: str, store: Store):
        self.analysis_id = analysis_id
        self.store = store
        self.last_stage = None
        self.last_write = 0.0

    def __call__(self, stage: str, done: int, total: int, message: str) -> None:
        moment = time.monotonic()
        if stage == self.last_stage and moment - self.last_write < PROGRESS_INTERVAL and done != total:
            return
        self.last_stage, self.last_write = stage, moment
        self.store.set_progress(self.analysis_id, stage, done, total, message)


def source_of(item: dict, max_comments: int, *, settings: Settings | None = None, infer: bool = True):
    """What ``pipeline.analyze`` takes for a request item: a parsed thread URL or a Thread.

    Pasted text gets its reply links inferred with ``settings`` (``parse_text``) unless
    ``infer`` is false (checking a request needs no model).
    """
    from argmap.model import thread_from_dict
    from argmap.sources.text import parse_text

    if "url" in item:  # only ever a thread URL: never read as a path on the server
        return parse_url(item["url"])
    if "thread" in item:
        thread = thread_from_dict(item["thread"])
    else:
        thread = parse_text(item["text"], infer=infer, settings=settings,
                            **({"title": item["title"]} if item.get("title") else {}))
    limit = max_comments
    if len(thread.comments) > limit:
        raise TooLargeError(f"the thread has {len(thread.comments):,} comments; "
                            f"this server analyses at most {limit:,}")
    return thread


def clean_item(item: dict) -> dict:
    """The item with its text cleaned (no control characters; lone surrogates, which the
    store cannot encode, as U+FFFD) before anything is checked or stored."""
    from argmap.model import clean_strings

    try:
        return clean_strings(item)
    except RecursionError:
        raise ArgmapError("the request is nested too deeply", code="malformed_json") from None


def check_item(item: dict, max_comments: int) -> None:
    """Refuse now what would surely fail later: unsupported URLs, malformed or oversized threads."""
    source_of(item, max_comments, infer=False)


def _idempotency_conflict() -> ArgmapError:
    return ArgmapError("this Idempotency-Key was already used with a different request",
                       code="idempotency_conflict", status=409)


def _submit(backend: Backend, store: Store, analysis_id: str) -> None:
    try:
        backend.submit(analysis_id, store)
    except Exception as error:  # noqa: BLE001 - the broker is down: say so, leave nothing silently queued
        log.exception("could not queue analysis %s", analysis_id)
        store.fail(analysis_id, "queue_unavailable", "the job queue is unavailable; try again later")
        raise ArgmapError("the job queue is unavailable; try again later", code="queue_unavailable",
                          status=503) from error


def queue_analysis(item: dict, *, store: Store, backend: Backend, max_comments: int,
                   idempotency_key: str | None = None, owner: str | None = None) -> dict:
    """Check, store and submit one request item ({url} | {thread} | {text[, title]}); returns its row.

    The one way in for the API and the web pages. A repeated Idempotency-Key returns the first row.
    """
    item = clean_item(item)
    check_item(item, max_comments)
    try:
        row, created = store.create_analysis(item, idempotency_key=idempotency_key, owner=owner)
    except IdempotencyConflict:
        raise _idempotency_conflict() from None
    if created or store.requeue_unqueued([row["id"]]):
        # new, or a retry of a request whose first try found the queue down: queue it (again)
        _submit(backend, store, row["id"])
    return store.get_analysis(row["id"]) or row


def of_item(position: int, error: ArgmapError) -> ArgmapError:
    """``error`` naming the batch item it is about; the same kind of error (an unsupported URL
    keeps its accepted forms, a too-large thread its 413)."""
    named = type(error)(f"item {position}: {error.message}", code=error.code, status=error.status)
    named.item = position  # the API also gives it as data: detail.item
    return named


def queue_batch(items: list[dict], *, store: Store, backend: Backend, max_comments: int, cap: int,
                idempotency_key: str | None = None, owner: str | None = None) -> dict:
    """Check every item, then store and submit them as one batch; returns the batch row."""
    if len(items) > cap:
        raise TooLargeError(f"a batch holds at most {cap} items; this one has {len(items)}")
    items = [clean_item(item) for item in items]
    for position, item in enumerate(items):
        try:
            check_item(item, max_comments)
        except ArgmapError as error:
            raise of_item(position, error) from None
    try:
        batch, rows, created = store.create_batch(items, idempotency_key=idempotency_key, owner=owner)
    except IdempotencyConflict:
        raise _idempotency_conflict() from None
    if not created:  # a retry: queue again the items the queue was down for the first time
        requeued = set(store.requeue_unqueued([row["id"] for row in rows if row["status"] == "failed"]))
        rows = [row for row in rows if row["id"] in requeued]
    for position, row in enumerate(rows):
        try:
            _submit(backend, store, row["id"])
        except ArgmapError as error:
            for unsent in rows[position + 1:]:
                store.fail(unsent["id"], error.code, error.message)
            raise
    return batch


def settings_for(request: dict, settings: Settings) -> Settings:
    """The settings one request runs with: its ``reading`` (fast / careful) picks the stance judge."""
    reading = request.get("reading")
    return settings.replace(relation_method=READINGS[reading]) if reading in READINGS else settings


def run_analysis(analysis_id: str, store: Store, settings: Settings) -> str:
    """Run one queued (or interrupted) analysis to the end; returns its final status.

    A finished or deleted analysis is left alone, so a redelivered task is harmless.
    """
    from argmap.analytics.summary import status_summary
    from argmap.pipeline import analyze

    row = store.start(analysis_id, lease=settings.job_lease)
    if row is None:  # finished, deleted, or running in a live process (its lease holds)
        current = store.get_analysis(analysis_id)
        return current["status"] if current else "deleted"
    from sqlalchemy.exc import OperationalError

    heartbeat = _Heartbeat(analysis_id, store, settings.job_lease)
    previous = None
    try:
        previous = _previous_version(store, row)
        settings = settings_for(row["request"], settings)
        source = source_of(row["request"], settings.max_comments, settings=settings)
        analysis, graph = analyze(source, settings=settings, progress=_StoreProgress(analysis_id, store),
                                  max_comments=settings.max_comments, update_from=previous)
        if previous is not None and not any(analysis.changes["counts"].values()):
            store.refresh_unchanged(analysis_id)  # nothing new: no new version
        else:
            store.finish(analysis_id, analysis, graph, status_summary(analysis, graph))
    except ArgmapError as error:
        if previous is not None:  # a failed update keeps the version there was
            store.refresh_failed(analysis_id, error.code, error.message)
            return "done"
        store.fail(analysis_id, error.code, error.message)
        return "failed"
    except OperationalError:
        # the database is unreachable or read-only: the analysis stays unfinished; its lease runs
        # out and it is re-queued (local sweep, Celery retry) once the store writes again
        raise
    except Exception as error:  # noqa: BLE001 - any bug must end as a stored failure, not a lost job
        if isinstance(error, RuntimeError) and "interpreter shutdown" in str(error):
            # the process is exiting (Ctrl-C on `argmap batch`): no traceback on the way out. The
            # analysis stays unfinished; a service re-queues it once its lease runs out (recovery
            # at start-up), while a new `argmap batch` run queues its own
            return "interrupted"
        log.exception("analysis %s failed", analysis_id)
        if previous is not None:
            store.refresh_failed(analysis_id, "internal_error", INTERNAL_ERROR)
            return "done"
        store.fail(analysis_id, "internal_error", INTERNAL_ERROR)
        return "failed"
    finally:
        heartbeat.stop()
    return "done"


def _previous_version(store: Store, row: dict):
    """The snapshot of the stored result a refresh runs against (``argmap.live``); None for a
    first run. A result stored before versions were counted is version 1."""
    kept = store.get_result(row["id"])
    if kept is None:
        return None
    from argmap.live import snapshot_of_analysis

    return snapshot_of_analysis(kept[0], version=row.get("version") or 1)


def refresh_analysis(analysis_id: str, *, store: Store, backend: Backend) -> dict:
    """Queue a done analysis of a thread URL to be fetched and analysed again as its next version."""
    row = store.get_analysis(analysis_id)
    if row is None:
        raise ArgmapError("no analysis with this id", code="not_found", status=404)
    if row["source_kind"] != "url":
        raise ArgmapError("only an analysis of a thread URL can be updated (pasted text and uploaded threads "
                          "do not change)", code="not_refreshable", status=409)
    if row["status"] in UNFINISHED:
        return row  # already running or queued: the update under way is the answer
    if row["status"] != "done":
        raise ArgmapError(f"the analysis is {row['status']}: only a finished analysis can be updated",
                          code="conflict", status=409)
    queued = store.queue_refresh(analysis_id)
    if queued is None:  # it changed under us: report what it is now
        return store.get_analysis(analysis_id) or row
    try:
        backend.submit(analysis_id, store)
    except Exception as error:  # noqa: BLE001 - the broker is down: the current version stays, done
        log.exception("could not queue the update of analysis %s", analysis_id)
        store.refresh_failed(analysis_id, "queue_unavailable", "the job queue is unavailable; try again later")
        raise ArgmapError("the job queue is unavailable; try again later", code="queue_unavailable",
                          status=503) from error
    return store.get_analysis(analysis_id) or queued


class _Heartbeat:
    """Renews a running analysis's lease every third of it, so no other process re-queues it."""

    def __init__(self, analysis_id: str, store: Store, lease: float):
        self.analysis_id, self.store, self.lease = analysis_id, store, lease
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"argmap-lease-{analysis_id[:8]}", daemon=True)
        self.thread.start()

    def _beat(self) -> None:
        while not self.stopped.wait(self.lease / 3):
            try:
                self.store.renew(self.analysis_id, self.lease)
            except Exception:  # noqa: BLE001 - the store is down: the lease runs out, the sweep re-queues
                log.warning("could not renew the lease of analysis %s", self.analysis_id, exc_info=True)

    def stop(self) -> None:
        self.stopped.set()


# ----------------------------------------------------------------------------------
# local backend


class LocalBackend:
    """A bounded pool of threads in this process; unfinished work is re-queued on start.

    An analysis whose run hit a store error (the database down or read-only) is not lost: a
    sweep every half lease runs it again once the store writes, and re-queues analyses whose
    lease expired (their process died).
    """

    name = "local"

    def __init__(self, settings: Settings, workers: int | None = None):
        self.settings = settings
        self.workers = max(1, workers or settings.workers)
        self.pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="argmap-job")
        self.closed = False
        self._lock = threading.Lock()
        self._watched: dict[str, Store] = {}  # stores swept for expired leases, by URL
        self._stranded: dict[str, Store] = {}  # analyses whose run failed on the store, to run again
        self._sweeper: threading.Thread | None = None

    def submit(self, analysis_id: str, store: Store) -> None:
        if self.closed:
            raise RuntimeError("the job pool is shut down")
        self.pool.submit(self._run, analysis_id, store)

    def _run(self, analysis_id: str, store: Store) -> None:
        try:
            run_analysis(analysis_id, store, self.settings)
        except Exception:  # noqa: BLE001 - the store itself failed; run it again once it writes
            log.exception("could not run analysis %s; it runs again when the store writes", analysis_id)
            with self._lock:
                self._stranded[analysis_id] = store
                self._watched[store.url] = store  # if it stays claimed, its lease runs out: re-queue it then
            self._start_sweeper()

    def health(self) -> None:
        if self.closed:
            raise RuntimeError("the job pool is shut down")

    def sweep(self, store: Store) -> None:
        """From now on, every half lease, re-queue and run the analyses of ``store`` whose lease
        expired (their process died, or this one lost the store while running them)."""
        with self._lock:
            self._watched[store.url] = store
        self._start_sweeper()

    def _start_sweeper(self) -> None:
        with self._lock:
            if self._sweeper is None and not self.closed:
                self._sweeper = threading.Thread(target=self._sweep_loop, name="argmap-sweep", daemon=True)
                self._sweeper.start()

    def _sweep_loop(self) -> None:
        interval = max(0.5, self.settings.job_lease / 2)
        while not self.closed:
            time.sleep(interval)
            self.sweep_once()

    def sweep_once(self) -> None:
        with self._lock:
            stranded, self._stranded = self._stranded, {}
            watched = dict(self._watched)
        for store in {**{s.url: s for s in stranded.values()}, **watched}.values():
            try:
                store.ping()  # writes again?
                expired = store.requeue_expired()
            except Exception:  # noqa: BLE001 - still down: try at the next sweep
                with self._lock:
                    self._stranded.update({i: s for i, s in stranded.items() if s.url == store.url})
                continue
            for analysis_id in expired:
                log.warning("re-queued analysis %s: its lease expired", analysis_id)
            again = expired + [i for i, s in stranded.items() if s.url == store.url and i not in expired]
            for analysis_id in again:
                if not self.closed:
                    self.submit(analysis_id, store)

    def shutdown(self, wait: bool = True) -> None:
        self.closed = True
        self.pool.shutdown(wait=wait, cancel_futures=True)


# ----------------------------------------------------------------------------------
# celery backend

_celery_apps: dict[str, object] = {}
_celery_lock = threading.Lock()


def celery_app(settings: Settings):
    """The Celery app on the settings' broker: late acks, re-queue on a lost worker, retries."""
    url = settings.broker_url
    if not url:
        raise RuntimeError("ARGMAP_BROKER_URL is not set")
    with _celery_lock:
        if url not in _celery_apps:
            from celery import Celery

            app = Celery("argmap", broker=url, set_as_current=False)
            app.conf.update(
                task_acks_late=True,
                task_reject_on_worker_lost=True,
                worker_prefetch_multiplier=1,
                task_ignore_result=True,
                task_default_queue="argmap",
                broker_connection_retry_on_startup=True,
                broker_transport_options={
                    # a message a dead worker took is delivered again after this long (longer
                    # than any one analysis should run) …
                    "visibility_timeout": settings.visibility_timeout,
                    # … found by a sweep this often (seconds)
                    "unacked_restore_interval": settings.restore_interval,
                    "unacked_restore_throttle": 1,
                },
                worker_hijack_root_logger=False,
            )
            from celery.signals import worker_process_init

            # a forked pool process must not share the parent's database connections
            worker_process_init.connect(_forget_connections, weak=False)
            app.task(name="argmap.run_analysis", bind=True, acks_late=True, reject_on_worker_lost=True,
                     max_retries=5)(_celery_run_analysis)
            _celery_apps[url] = app
        return _celery_apps[url]


def _forget_connections(**_signal) -> None:
    from argmap.store import dispose

    dispose()


@functools.lru_cache(maxsize=1)
def worker_settings() -> Settings:
    """A Celery worker's settings, read once from its environment."""
    return Settings.from_env()


def _celery_run_analysis(task, analysis_id: str) -> str:
    """The Celery task: ``run_analysis``, retried with back-off when the store is unreachable."""
    from sqlalchemy.exc import OperationalError

    settings = worker_settings()
    try:
        status = run_analysis(analysis_id, Store(settings.database), settings)
    except OperationalError as error:
        raise task.retry(exc=error, countdown=min(60, 2 ** task.request.retries))
    if status == "running":
        # another worker's lease holds it: a live duplicate, or a dead worker's until the lease
        # expires; look again then (done by then: nothing to do)
        raise task.retry(countdown=settings.job_lease, max_retries=None)
    return status


class CeleryBackend:
    """Sends analyses to Celery workers (``argmap worker``) through the Redis broker."""

    name = "celery"

    def __init__(self, settings: Settings):
        self.app = celery_app(settings)

    def submit(self, analysis_id: str, store: Store) -> None:
        """Send the task; the worker opens the store its own settings name."""
        self.app.send_task("argmap.run_analysis", args=[analysis_id])

    def health(self) -> None:
        with self.app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)

    def shutdown(self, wait: bool = True) -> None:
        return None


# ----------------------------------------------------------------------------------

_backends: dict[str | None, Backend] = {}
_backends_lock = threading.Lock()


def make_backend(settings: Settings) -> Backend:
    """A new backend as configured: Celery when ``broker_url`` is set, else local."""
    return CeleryBackend(settings) if settings.broker_url else LocalBackend(settings)


def get_backend(settings: Settings) -> Backend:
    """This process's backend for the settings' broker (or the local pool), made on first use."""
    with _backends_lock:
        key = settings.broker_url
        if key not in _backends:
            _backends[key] = make_backend(settings)
        return _backends[key]


def recover(store: Store, backend: Backend) -> list[str]:
    """Re-queue analyses a stopped process left queued or running; returns their ids.

    A running analysis is re-queued only once its lease expired: another live process sharing
    the database keeps renewing the leases of those it runs. The local backend then keeps
    sweeping for leases that expire later.

    With Celery the broker keeps queued tasks and re-delivers those of dead workers, so
    only the local backend re-submits.
    """
    if backend.name != "local":
        return []
    ids = store.requeue_unfinished()
    for analysis_id in ids:
        backend.submit(analysis_id, store)
    backend.sweep(store)
    return ids


def worker_argv(concurrency: int = 1, pool: str = "solo", loglevel: str = "info") -> list[str]:
    return ["worker", f"--concurrency={concurrency}", f"--pool={pool}", f"--loglevel={loglevel}",
            "--queues=argmap", "--without-gossip", "--without-mingle"]
