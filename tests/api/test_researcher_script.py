"""The README's researcher script (examples/analyse_many.py) over real HTTP, on one machine, no extra servers."""

from __future__ import annotations


import pytest

from tests.api import servers
from tests.api.researcher import THREADS, check_graphs, load_script, many_items

pytestmark = pytest.mark.slow

def test_script_analyses_many_threads_on_one_machine(make_app, small_text, tmp_path):
    server = servers.ThreadedServer(make_app())
    try:
        result = load_script().analyse_many(server.base, many_items(small_text, THREADS), tmp_path, poll=0.3)
    finally:
        server.close()
    check_graphs(result, THREADS)
