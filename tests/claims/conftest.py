"""Fixtures for the claim tests: the spaCy pipeline and every recorded thread read once."""

from __future__ import annotations

import time

import pytest

from argmap.claims.extraction import extract_units
from argmap.model import Comment, Thread


@pytest.fixture(scope="session")
def nlp():
    from argmap.claims.nlp import load_spacy

    return load_spacy()


@pytest.fixture(scope="session")
def units_of(nlp):
    """``units_of(text)``: the units of one comment holding ``text``."""
    def read(text: str):
        thread = Thread(source="text", id="t", comments=[Comment(id="c1", parent_id="t", text=text)])
        return [unit for unit in extract_units(thread, nlp=nlp) if unit.comment_id == "c1"]

    return read


@pytest.fixture(scope="session")
def recorded(threads_dir, nlp):
    """{file name: (thread, units, seconds)} for every recorded thread the reader knows."""
    from argmap.evaluation.threads import recorded_threads

    result = {}
    for name, thread in recorded_threads(threads_dir).items():
        began = time.perf_counter()
        units = extract_units(thread, nlp=nlp)
        result[name] = (thread, units, time.perf_counter() - began)
    return result
