"""Shared fixtures: offline models, a throwaway instance folder, the ../shared data."""

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
    """Every test session gets an empty instance folder (database, caches)."""
    folder = tmp_path_factory.mktemp("instance")
    os.environ["ARGMAP_INSTANCE_PATH"] = str(folder)
    return folder


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
def local_backend():
    """One real in-process job pool for the session's apps, API and web alike (models load once)."""
    from argmap.jobs import LocalBackend

    backend = LocalBackend(workers=1)
    yield backend
    backend.shutdown(wait=False)
