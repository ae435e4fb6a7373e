"""Fault injection: the queue, the database and the cache fail under a running service, and
nothing is lost (every analysis ends done, or failed with a clear code, or runs on retry)."""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
import sqlalchemy as sa

from tests.api import servers
from tests.api.conftest import wait_for
from tests.conftest import SAMPLE_TEXT

SMALL = ("Remote work makes teams more productive because nobody commutes.\n\n"
         "> Remote work makes teams more productive\n"
         "That is not true, studies show collaboration suffers without an office.")


# ----------------------------------------------------------------------------------
# a database that stops accepting writes


class ReadOnly:
    """While on, every write to the store's database fails as SQLite fails on a read-only file
    (the tests run as root, for whom ``chmod`` does not make a file read-only)."""

    def __init__(self, engine):
        self.engine, self.on = engine, False
        sa.event.listen(engine, "before_cursor_execute", self._refuse)

    def _refuse(self, conn, cursor, statement, parameters, context, executemany):
        if self.on and not statement.lstrip().upper().startswith(("SELECT", "PRAGMA")):
            raise sqlite3.OperationalError("attempt to write a readonly database")

    def remove(self):
        sa.event.remove(self.engine, "before_cursor_execute", self._refuse)


@pytest.fixture
def short_lease_backend(settings):
    from argmap.jobs import LocalBackend

    backend = LocalBackend(settings.replace(job_lease=2.0), workers=1)
    yield backend
    backend.shutdown(wait=False)


def test_a_read_only_database_fails_cleanly_and_the_analysis_runs_when_writes_return(
        make_app, store, short_lease_backend):
    app = make_app(JOBS_BACKEND=short_lease_backend, RECOVER_JOBS=True)
    client = app.test_client()
    fault = ReadOnly(store.engine)
    try:
        first = client.post("/api/v1/analyses", json={"text": SMALL})
        assert first.status_code == 202
        fault.on = True  # the run's next write (start, progress or result) fails
        refused = client.post("/api/v1/analyses", json={"text": SMALL + " Again."})
        assert refused.status_code == 503, refused.data
        assert refused.get_json()["error"]["code"] == "store_unavailable"
        health = client.get("/api/v1/health")
        assert health.status_code == 503 and health.get_json()["store"].startswith("unavailable")
        time.sleep(3)  # longer than the lease: the sweep finds the store still read-only
        assert store.get_analysis(first.get_json()["id"])["status"] in ("queued", "running")
        fault.on = False
        assert client.get("/api/v1/health").status_code == 200
        done = wait_for(client, first.get_json()["id"], timeout=120)
    finally:
        fault.remove()
    assert done["status"] == "done", done
    assert len(store.list_analyses()) == 1  # the refused POST stored nothing


# ----------------------------------------------------------------------------------
# the job queue goes down and comes back


@pytest.fixture
def redis_on_a_port(tmp_path):
    if not servers.redis_server_binary():
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    process, url = servers.start_redis(tmp_path)
    state = {"process": process, "url": url, "port": int(url.rsplit(":", 1)[1].split("/")[0])}
    yield state
    state["process"].stop()


def queued_messages(url: str) -> int:
    import redis

    return redis.Redis.from_url(url).llen("argmap")


def test_a_retry_after_a_queue_outage_queues_the_analysis(make_app, store, redis_on_a_port, tmp_path):
    from argmap.jobs import CeleryBackend

    backend = CeleryBackend(__import__("argmap.settings").settings.Settings(broker_url=redis_on_a_port["url"]))
    client = make_app(JOBS_BACKEND=backend).test_client()
    redis_on_a_port["process"].stop()
    headers = {"Idempotency-Key": "outage-1"}
    down = client.post("/api/v1/analyses", json={"text": SMALL}, headers=headers)
    assert down.status_code == 503 and down.get_json()["error"]["code"] == "queue_unavailable"
    batch_down = client.post("/api/v1/batches", json={"items": [{"text": SMALL}, {"text": SMALL + " B."}]},
                             headers={"Idempotency-Key": "outage-batch"})
    assert batch_down.status_code == 503

    process, _url = servers.start_redis(tmp_path, port=redis_on_a_port["port"])
    redis_on_a_port["process"] = process
    retry = client.post("/api/v1/analyses", json={"text": SMALL}, headers=headers)
    assert retry.status_code == 202, retry.data
    body = retry.get_json()
    assert body["status"] == "queued" and body["error"] is None
    assert client.post("/api/v1/analyses", json={"text": SMALL}, headers=headers).get_json()["id"] == body["id"]
    batch_retry = client.post("/api/v1/batches", json={"items": [{"text": SMALL}, {"text": SMALL + " B."}]},
                              headers={"Idempotency-Key": "outage-batch"})
    assert batch_retry.status_code in (200, 202), batch_retry.data
    assert [item["status"] for item in batch_retry.get_json()["items"]] == ["queued", "queued"]
    assert queued_messages(redis_on_a_port["url"]) == 3  # each sent once: nothing lost, nothing doubled


# ----------------------------------------------------------------------------------
# concurrent retries


def test_concurrent_posts_with_one_idempotency_key_get_one_analysis(make_app, store):
    from tests.api.servers import ThreadedServer

    server = ThreadedServer(make_app())
    try:
        for trial in range(6):
            def post(_):
                request = urllib.request.Request(
                    server.base + "/api/v1/analyses", data=json.dumps({"text": SMALL}).encode(),
                    headers={"Content-Type": "application/json", "Idempotency-Key": f"same-{trial}"})
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        return response.status, json.loads(response.read())["id"]
                except urllib.error.HTTPError as error:
                    return error.code, error.read()[:300]

            threads_out = []
            workers = [threading.Thread(target=lambda: threads_out.append(post(None))) for _ in range(12)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            assert {status for status, _ in threads_out} <= {200, 201, 202}, threads_out
            assert len({body for _, body in threads_out}) == 1, threads_out
    finally:
        server.close()
    assert len(store.list_analyses()) == 6


# ----------------------------------------------------------------------------------
# a corrupt cache


def corrupt(path):
    with open(path, "r+b") as handle:
        handle.write(b"this is no SQLite header at all!" * 4)


def test_a_corrupt_cache_is_moved_aside_and_rebuilt(make_app, settings, tmp_path, caplog):
    from argmap.cache import cache_for
    from argmap.jobs import LocalBackend

    folder = tmp_path / "instance"
    folder.mkdir()
    (folder / "cache.sqlite").write_bytes(b"\0" * 4096)
    corrupt(folder / "cache.sqlite")
    backend = LocalBackend(settings.replace(instance_path=folder), workers=1)
    try:
        client = make_app(JOBS_BACKEND=backend).test_client()
        with caplog.at_level(logging.WARNING, logger="argmap.cache"):
            health = client.get("/api/v1/health")
            assert health.status_code == 200 and health.get_json()["cache"].startswith("rebuilt")
            done = wait_for(client, client.post("/api/v1/analyses", json={"text": SMALL}).get_json()["id"])
        assert done["status"] == "done", done
        assert "corrupt" in caplog.text
        assert list(folder.glob("cache.sqlite.corrupt-*"))

        corrupt(folder / "cache.sqlite")  # again, while this process has it open
        cache_for(str(folder)).check()
        done = wait_for(client, client.post("/api/v1/analyses", json={"text": SMALL + " Yes."}).get_json()["id"])
        assert done["status"] == "done", done
    finally:
        backend.shutdown(wait=False)


def test_the_cli_rebuilds_a_corrupt_cache(tmp_path):
    (tmp_path / "cache.sqlite").write_bytes(b"\0" * 4096)
    corrupt(tmp_path / "cache.sqlite")
    env = servers.argmap_env(ARGMAP_INSTANCE_PATH=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "argmap.cli", "analyze", str(SAMPLE_TEXT), "-q",
                           "-o", str(tmp_path / "out.json")], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert json.loads((tmp_path / "out.json").read_text())["nodes"]
    assert list(tmp_path.glob("cache.sqlite.corrupt-*"))
