"""The README's researcher script (examples/analyse_many.py) loaded as a module, and what its runs must show."""

from __future__ import annotations

import importlib.util

import networkx as nx

from tests.conftest import ROOT

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
