"""A collection in a real headless Chromium: shown like an analysis, with a thread filter."""

from __future__ import annotations

import pytest
import requests

from argmap.model import thread_to_dict
from argmap.sources.files import load_file

pytestmark = [pytest.mark.browser, pytest.mark.slow]

THREADS = ("reddit/rtv_2xmo63.json", "hn/hackernewsandroid_10939306_planet9.json")
READY = "#page[data-ready=true]"
SUMMARY = "#page[data-summary=true]"
TIMEOUT_MS = 240_000


def test_collection_page_filters_by_thread(page, live_server, threads_dir):
    items = [{"thread": thread_to_dict(load_file(threads_dir / name))} for name in THREADS]
    created = requests.post(f"{live_server.url}/api/v1/collections", json={"title": "Two threads", "items": items},
                            timeout=30).json()
    page.goto(f"{live_server.url}{created['links']['page']}")
    page.wait_for_selector(SUMMARY, timeout=TIMEOUT_MS)
    assert "Two threads" in page.inner_text("#title")
    assert page.is_visible("#recurring-title")  # a corpus's summary starts with what recurs across threads
    assert page.is_hidden("#update-box")  # a collection is updated by adding threads, not by Update
    listed = page.inner_text(".thesis .thread-list")  # "the question" of a corpus: every thread, by its title
    assert all(load_file(threads_dir / name).title in listed for name in THREADS)
    page.click("#view-map")
    page.wait_for_selector(READY, timeout=TIMEOUT_MS)
    options = page.eval_on_selector_all("#thread option", "options => options.map(o => o.value)")
    assert options == ["", "reddit:2xmo63", "hn:10939306"]
    both = set(page.evaluate("window.argmap.view.cy.nodes().map(n => window.argmap.model.claims.get(n.id()).thread)"))
    assert both == {"reddit:2xmo63", "hn:10939306"}
    page.select_option("#thread", "hn:10939306")
    page.wait_for_selector(READY, timeout=TIMEOUT_MS)
    shown = set(page.evaluate("window.argmap.view.cy.nodes().map(n => window.argmap.model.claims.get(n.id()).thread)"))
    assert shown == {"hn:10939306"}
    exports = page.eval_on_selector_all("#export-list a", "links => links.map(a => a.getAttribute('href'))")
    assert exports and all(href.startswith(f"/api/v1/collections/{created['id']}/graph?format=") for href in exports)
    assert not [m for m in page.console_errors if "pageerror" in m]
