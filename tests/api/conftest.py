"""Fixtures for the API tests: apps on the session's store, a shared local job pool, small threads."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import SAMPLE_JSON, SAMPLE_TEXT

TERMINAL = ("done", "failed")


@pytest.fixture(scope="session")
def sample_thread() -> dict:
    """The sample thread in canonical JSON (12 comments: quick to analyse)."""
    return json.loads(SAMPLE_JSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE_TEXT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def small_text() -> str:
    """A three-comment pasted discussion."""
    return ("Remote work makes teams more productive because nobody commutes.\n\n"
            "> Remote work makes teams more productive\n"
            "That is not true, studies show collaboration suffers without an office.\n\n"
            "I agree with the first point, commuting wastes two hours a day.")


@pytest.fixture
def make_app(local_backend):
    """create_app with the session store and pool; keyword settings override the defaults."""
    from argmap.service import create_app

    def make(**config):
        settings = {"TESTING": True, "JOBS_BACKEND": local_backend, "RECOVER_JOBS": False,
                    "RATELIMIT_ENABLED": False}
        settings.update(config)
        return create_app(settings)

    return make


@pytest.fixture
def client(make_app):
    return make_app().test_client()


def wait_for(client, analysis_id: str, *, timeout: float = 180.0, headers=None) -> dict:
    """Poll GET /analyses/{id} until it is done or failed."""
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/api/v1/analyses/{analysis_id}", headers=headers or {}).get_json()
        if body["status"] in TERMINAL:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"analysis {analysis_id} still {body['status']} after {timeout}s: {body}")
        time.sleep(0.2)
