"""Durability on one machine: stop ``argmap serve`` with queued and running analyses, start it, all finish."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.api import servers

pytestmark = pytest.mark.slow


def call(base: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def healthy(base: str, process: servers.Process):
    assert process.alive(), process.output()
    try:
        return call(base, "/api/v1/health")["status"] == "ok"
    except OSError:
        return False


def test_unfinished_analyses_survive_a_restart(tmp_path, small_text, sample_thread):
    # the killed service's running analysis is re-queued once its lease runs out (4 s here)
    env = servers.argmap_env(ARGMAP_INSTANCE_PATH=str(tmp_path), ARGMAP_WORKERS="1", ARGMAP_JOB_LEASE="4")
    port = servers.free_port()
    base = f"http://127.0.0.1:{port}"

    service = servers.start_service(env, port, tmp_path / "serve-1.log")
    try:
        servers.wait_until(lambda: healthy(base, service), timeout=60, what="argmap serve to start")
        ids = [call(base, "/api/v1/analyses", item)["id"]
               for item in ({"thread": sample_thread}, {"text": small_text}, {"text": small_text + " Indeed."})]
        # the first run loads the models, so it is running while the others wait
        servers.wait_until(lambda: call(base, f"/api/v1/analyses/{ids[0]}")["status"] == "running",
                           timeout=60, what="the first analysis to start", interval=0.05)
    finally:
        service.kill()
    assert "serving on http://localhost:" in service.output()

    from argmap import store

    statuses = {}
    engine = store.engine(f"sqlite:///{tmp_path / 'argmap.sqlite'}")
    with engine.connect() as conn:
        for row in conn.execute(store.analyses.select()):
            statuses[row.id] = row.status
    assert statuses[ids[0]] == "running"
    assert set(statuses.values()) <= {"queued", "running"}, statuses

    service = servers.start_service(env, port, tmp_path / "serve-2.log")
    try:
        servers.wait_until(lambda: healthy(base, service), timeout=60, what="argmap serve to start again")
        finished = servers.wait_until(
            lambda: all(call(base, f"/api/v1/analyses/{i}")["status"] in ("done", "failed") for i in ids)
            and [call(base, f"/api/v1/analyses/{i}") for i in ids],
            timeout=240, what="the re-queued analyses to finish", interval=0.5)
    finally:
        service.stop()
    assert [a["status"] for a in finished] == ["done", "done", "done"], service.output()
    assert finished[0]["attempts"] == 2
    assert finished[0]["summary"]["counts"]["comments"] == len(sample_thread["comments"])
