"""The README's researcher script (examples/analyse_many.py) over real HTTP, on one machine, no extra servers."""

from __future__ import annotations

import importlib.util

import networkx as nx
import pytest

from tests.api import servers
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

THREADS = 10


def load_script():
    spec = importlib.util.spec_from_file_location("analyse_many", ROOT / "examples" / "analyse_many.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def many_items(small_text: str, count: int) -> list[dict]:
    """``count`` distinct small pasted threads (no network)."""
    return [{"text": f"{small_text}\n\nThread {n} adds that offices cost {n + 2} thousand a month."}
            for n in range(count)]


def check_graphs(result: dict, count: int) -> None:
    assert result["failed"] == []
    assert len(result["saved"]) == count
    for path in result["saved"]:
        assert nx.read_graphml(path).number_of_nodes() >= 3


def test_script_analyses_many_threads_on_one_machine(make_app, small_text, tmp_path):
    server = servers.ThreadedServer(make_app())
    try:
        result = load_script().analyse_many(server.base, many_items(small_text, THREADS), tmp_path, poll=0.3)
    finally:
        server.close()
    check_graphs(result, THREADS)
