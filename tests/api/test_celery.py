"""Scale-out: a real redis-server and real ``argmap worker`` (Celery) processes behind the same API."""

from __future__ import annotations

import io
import uuid
import zipfile

import pytest

from argmap.settings import Settings
from argmap.store import Store
from tests.api import servers
from tests.api.conftest import wait_for
from tests.conftest import DATABASES

pytestmark = [pytest.mark.celery, pytest.mark.slow]

VISIBILITY_TIMEOUT = "6"  # seconds before a dead worker's task is delivered again
RESTORE_INTERVAL = "2"  # seconds between sweeps for such tasks


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    if not servers.redis_server_binary():
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    process, url = servers.start_redis(tmp_path_factory.mktemp("redis"))
    yield url
    process.stop()


@pytest.fixture(scope="module", params=DATABASES)
def celery_database(request, tmp_path_factory):
    """The database the workers and the API share: a SQLite file, then a fresh database of a real
    PostgreSQL server (the module runs once on each; the PostgreSQL run skips, saying why, without one)."""
    if request.param == "postgresql":
        admin_url = request.getfixturevalue("postgres_url")
        name, url = servers.create_postgres_database(admin_url)
        yield url
        servers.drop_postgres_database(admin_url, name, url)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('celery-db') / 'jobs.sqlite'}"


@pytest.fixture(scope="module")
def celery_setup(redis_url, celery_database, tmp_path_factory):
    """The environment shared by the workers and the in-process API: one broker, one database."""
    folder = tmp_path_factory.mktemp("celery")
    env = servers.argmap_env(ARGMAP_BROKER_URL=redis_url, ARGMAP_DATABASE_URL=celery_database,
                             ARGMAP_INSTANCE_PATH=str(folder), ARGMAP_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT,
                             ARGMAP_RESTORE_INTERVAL=RESTORE_INTERVAL, ARGMAP_JOB_LEASE="4")
    return env, folder


@pytest.fixture(scope="module")
def celery_worker(celery_setup):
    """One ``argmap worker`` for the module (each start loads the models)."""
    env, folder = celery_setup
    worker = servers.start_worker(env, folder / "worker.log")
    yield worker
    worker.stop()


@pytest.fixture
def celery_client(celery_setup, monkeypatch):
    """The API in this process, sending to Celery (ARGMAP_BROKER_URL) and reading the workers' store."""
    from argmap.jobs import CeleryBackend
    from argmap.service import create_app

    env, _folder = celery_setup
    for name in ("ARGMAP_BROKER_URL", "ARGMAP_DATABASE_URL", "ARGMAP_VISIBILITY_TIMEOUT"):
        monkeypatch.setenv(name, env[name])
    app = create_app({"TESTING": True, "JOBS_BACKEND": CeleryBackend(Settings.from_env()),
                      "RATELIMIT_ENABLED": False})
    return app.test_client()


@pytest.fixture
def workers_store(celery_setup):
    """The database the workers write to."""
    env, _folder = celery_setup
    return Store(env["ARGMAP_DATABASE_URL"])


def test_a_killed_worker_loses_nothing(request, celery_setup, celery_client, workers_store, sample_thread):
    """SIGKILL the worker mid-analysis; another worker gets the task again and finishes it.

    Runs first in this module, so no other worker can take the task before the kill.
    """
    env, folder = celery_setup
    first = servers.start_worker(env, folder / "worker-killed.log")
    try:
        created = celery_client.post("/api/v1/analyses", json={"thread": sample_thread}).get_json()
        # a fresh worker loads the models inside its first task, so "running" lasts seconds
        servers.wait_until(lambda: workers_store.get_analysis(created["id"])["status"] == "running",
                           timeout=120, what="the first worker to start the analysis", interval=0.05)
    finally:
        first.kill()
    row = workers_store.get_analysis(created["id"])
    assert row["status"] == "running", "the analysis finished before the worker was killed"
    assert workers_store.get_result(created["id"]) is None

    second = request.getfixturevalue("celery_worker")  # a fresh one unless the module has one running
    body = wait_for(celery_client, created["id"], timeout=240)
    assert body["status"] == "done", (body, second.output())
    assert body["attempts"] == 2
    assert body["summary"]["counts"]["comments"] == len(sample_thread["comments"])
    assert celery_client.get(f"/api/v1/analyses/{created['id']}/graph?format=graphml").status_code == 200


def test_a_batch_runs_on_a_celery_worker(celery_worker, celery_client, small_text, sample_text, sample_thread):
    health = celery_client.get("/api/v1/health").get_json()
    assert health["backend"] == "celery" and health["queue"] == "ok"

    items = [{"text": small_text}, {"thread": sample_thread}, {"text": sample_text, "title": "pasted"}]
    batch = celery_client.post("/api/v1/batches", json={"items": items}).get_json()
    for item in batch["items"]:
        body = wait_for(celery_client, item["id"], timeout=240)
        assert body["status"] == "done", (body, celery_worker.output())
    batch = celery_client.get(f"/api/v1/batches/{batch['id']}").get_json()
    assert batch["aggregate"]["done"] == 3 and batch["aggregate"]["finished"]
    archive = celery_client.get(f"/api/v1/batches/{batch['id']}/archive?format=graphml")
    with zipfile.ZipFile(io.BytesIO(archive.data)) as zipped:
        assert len([n for n in zipped.namelist() if n.endswith(".graphml")]) == 3
    assert "argmap.run_analysis" in celery_worker.output()


def test_rate_limits_are_shared_through_redis(celery_setup, monkeypatch):
    """With a broker, two service processes (here two apps) count one client's requests together."""
    from argmap.jobs import CeleryBackend
    from argmap.service import create_app

    env, _folder = celery_setup
    monkeypatch.setenv("ARGMAP_BROKER_URL", env["ARGMAP_BROKER_URL"])
    # a token (bucket) of its own: the module's Redis, and its counts, outlive its run on each database
    token = f"shared-limit-test-{uuid.uuid4().hex}"
    apps = [create_app({"TESTING": True, "JOBS_BACKEND": CeleryBackend(Settings.from_env()), "RECOVER_JOBS": False,
                        "WRITE_RATE_LIMIT": "2/minute", "API_TOKENS": [token]}) for _ in range(2)]
    assert apps[0].config["RATELIMIT_STORAGE_URI"] == env["ARGMAP_BROKER_URL"]
    headers = {"Authorization": f"Bearer {token}"}
    statuses = [apps[i % 2].test_client().post("/api/v1/analyses", json={}, headers=headers).status_code
                for i in range(3)]
    assert statuses == [422, 422, 429]


def test_the_researcher_script_runs_unchanged_on_two_workers(celery_setup, celery_worker, celery_client,
                                                             small_text, tmp_path):
    """examples/analyse_many.py against a server that hands the work to two Celery workers."""
    from argmap.jobs import CeleryBackend
    from argmap.service import create_app
    from tests.api.researcher import THREADS, check_graphs, load_script, many_items

    env, folder = celery_setup
    second = servers.start_worker(env, folder / "worker-two.log")
    try:
        servers.wait_until(lambda: "ready." in second.output(), timeout=60, what="the second worker")
        server = servers.ThreadedServer(create_app({"JOBS_BACKEND": CeleryBackend(Settings.from_env()),
                                                    "RATELIMIT_ENABLED": False}))
        try:
            result = load_script().analyse_many(server.base, many_items(small_text, THREADS), tmp_path, poll=0.3)
        finally:
            server.close()
    finally:
        second.stop()
    check_graphs(result, THREADS)
    assert "succeeded" in second.output()  # the work was shared


def test_argmap_batch_uses_the_celery_workers(celery_setup, celery_worker, celery_client, workers_store, tmp_path):
    """``argmap batch`` with ARGMAP_BROKER_URL set queues on Redis; a worker process does the work."""
    from click.testing import CliRunner

    from argmap.cli import main
    from tests.conftest import SAMPLE_JSON

    listing = tmp_path / "threads.txt"
    listing.write_text(f"{SAMPLE_JSON}\n")
    succeeded_before = celery_worker.output(None).count("succeeded")
    result = CliRunner().invoke(main, ["batch", str(listing), "--out", str(tmp_path / "out"), "--poll", "0.2"])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").glob("*.graphml"))) == 1
    assert workers_store.list_analyses(limit=1)[0]["status"] == "done"
    servers.wait_until(lambda: celery_worker.output(None).count("succeeded") > succeeded_before,
                       timeout=10, what="the worker to log the task")


def test_a_collection_runs_on_celery_workers(celery_worker, celery_client, sample_thread):
    """A corpus's threads are analysed by the Celery workers; the API merges their stored results."""
    import copy

    planted = "Every public library should stay open until midnight on weekdays."
    first = copy.deepcopy(sample_thread)
    second = copy.deepcopy(sample_thread)
    second["id"], second["title"] = "sample-copy", "The same thread, posted again"
    for comment in second["comments"]:
        if comment["parent_id"] == sample_thread["id"]:
            comment["parent_id"] = "sample-copy"
    for thread, author in ((first, "ann"), (second, "bob")):
        thread["comments"].append({"id": f"planted-{author}", "parent_id": thread["id"], "author": author,
                                   "text": planted})
    created = celery_client.post("/api/v1/collections", json={"items": [{"thread": first}, {"thread": second}]})
    assert created.status_code == 202
    collection_id = created.get_json()["id"]
    servers.wait_until(lambda: celery_client.get(f"/api/v1/collections/{collection_id}").get_json()
                       ["aggregate"]["finished"], timeout=240, what="the collection's threads", interval=0.3)
    body = celery_client.get(f"/api/v1/collections/{collection_id}").get_json()
    assert body["aggregate"]["done"] == 2, (body, celery_worker.output())
    graph = celery_client.get(f"/api/v1/collections/{collection_id}/graph?format=json").get_json()
    keys = {f"{sample_thread['source']}:{sample_thread['id']}", f"{sample_thread['source']}:sample-copy"}
    assert {n["thread"] for n in graph["nodes"]} == keys
    across = [e for e in graph["edges"] if e["origin"] == "across"]
    assert any({e["source"].split("/")[1], e["target"].split("/")[1]} == {"planted-ann:0", "planted-bob:0"}
               for e in across)
    assert "argmap.run_analysis" in celery_worker.output()
