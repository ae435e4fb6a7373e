"""Shared fixtures: offline models, the session's settings, an app with a fresh instance folder and
database per test, the ../shared data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLE_TEXT = ROOT / "sample_threads" / "hn_china_ml_thread.txt"
SAMPLE_JSON = ROOT / "sample_threads" / "hn_china_ml_thread.json"


@pytest.fixture(scope="session", autouse=True)
def instance_folder(tmp_path_factory):
    """The session's instance folder: the parse and embedding caches fill once per run (the
    environment names it, so subprocesses and ``Settings.from_env`` use it too)."""
    folder = tmp_path_factory.mktemp("instance")
    os.environ["ARGMAP_INSTANCE_PATH"] = str(folder)
    return folder


@pytest.fixture(scope="session")
def settings(instance_folder):
    """The settings the session's pipeline and job pool run with."""
    from argmap.settings import Settings

    return Settings.from_env(os.environ).replace(instance_path=instance_folder)


# ``pytest.mark.parametrize("database_url", DATABASES, indirect=True)`` runs a test's
# ``store``/``app``/``client`` on a fresh SQLite file and on a fresh database of a real PostgreSQL
# server (skipped, saying why, where there is none); unparametrised tests get SQLite.
DATABASES = ["sqlite", "postgresql"]


@pytest.fixture
def database_url(request, tmp_path):
    """The URL of a fresh database for this test: SQLite in ``tmp_path`` unless parametrised
    (indirectly) with ``"postgresql"``."""
    if getattr(request, "param", "sqlite") == "postgresql":
        return request.getfixturevalue("postgres_database")
    return f"sqlite:///{tmp_path / 'argmap.sqlite'}"


@pytest.fixture
def store(database_url):
    """A fresh database for this test (``database_url``'s)."""
    from argmap.store import Store

    return Store(database_url)


@pytest.fixture(scope="session")
def postgres_url():
    """The admin URL of a real PostgreSQL server started for the session (skips when there is none)."""
    import shutil

    from tests.api import servers

    reason = servers.postgres_unavailable()
    if reason:
        pytest.skip(reason)
    process, url, folder = servers.start_postgres()
    yield url
    process.stop()
    shutil.rmtree(folder, ignore_errors=True)
    process.log.unlink(missing_ok=True)  # the server's log (kept in /tmp until now)


@pytest.fixture
def postgres_database(postgres_url):
    """The URL of a fresh PostgreSQL database for this test, dropped after it."""
    from tests.api import servers

    name, url = servers.create_postgres_database(postgres_url)
    yield url
    servers.drop_postgres_database(postgres_url, name, url)


@pytest.fixture
def postgres_store(postgres_database):
    """A store on a fresh PostgreSQL database for this test."""
    from argmap.store import Store

    return Store(postgres_database)


@pytest.fixture
def make_app(local_backend, settings, store, tmp_path):
    """``create_app(test_config)`` on this test's instance folder and database (``store``) and the
    session's job pool; keyword settings override the test config."""
    from argmap.service import create_app

    def make(**config):
        test_config = {"TESTING": True, "INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": store.url,
                       "JOBS_BACKEND": local_backend, "RECOVER_JOBS": False, "RATELIMIT_ENABLED": False}
        test_config.update(config)
        return create_app(test_config, settings=settings)

    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` (recorded threads, datasets); tests that need it skip without it."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the checkout (recorded threads and datasets live there)")
    return SHARED


@pytest.fixture(scope="session")
def threads_dir(shared_dir) -> Path:
    path = shared_dir / "threads"
    if not path.is_dir():
        pytest.skip("../shared/threads is absent")
    return path


@pytest.fixture(scope="session")
def sample_analysis():
    """The sample thread analysed once with the real spaCy and MiniLM models."""
    from argmap.pipeline import analyze

    return analyze(str(SAMPLE_TEXT))


@pytest.fixture(scope="session")
def local_backend(settings):
    """One real in-process job pool for the session's apps, API and web alike (models load once)."""
    from argmap.jobs import LocalBackend

    backend = LocalBackend(settings, workers=1)
    yield backend
    backend.shutdown(wait=False)


GROWING_THREAD = "hn/hackernewsandroid_10939306_planet9.json"  # HNPWA: 116 comments over eight hours


@pytest.fixture
def growing_thread(threads_dir, monkeypatch):
    """news.ycombinator.com/item?id=10939306 as it grew: the first fetch (from the recorded
    thread, served as Algolia answers) sees 60 % of its comments, every later fetch all of
    them. Returns the ids of the early and of the late comments."""
    import json

    from tests.sources.fakes import growing_session

    recorded = json.loads((threads_dir / GROWING_THREAD).read_text(encoding="utf-8"))
    session, early, late = growing_session(recorded)
    monkeypatch.setattr("argmap.sources.http.AllowListSession", lambda: session)
    return early, late


class QueueOnly:
    """A job backend that only queues (these tests look at what is stored, not at a run)."""

    name = "queue-only"

    def submit(self, analysis_id, store):
        pass

    def health(self):
        pass

    def shutdown(self, wait=True):
        pass
