"""Fixtures for the API tests: small threads, and waiting for an analysis to finish."""

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
