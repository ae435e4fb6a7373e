"""Following a live thread in a real headless Chromium: Update, the map kept in place, what is new."""

from __future__ import annotations

import pytest
import requests

from tests.web.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

URL = "https://news.ycombinator.com/item?id=10939306"  # the growing_thread fixture's thread
READY = "#page[data-ready=true]"
SUMMARY = "#page[data-summary=true]"
TIMEOUT_MS = 240_000


def positions(page) -> dict:
    return page.evaluate("Object.fromEntries(window.argmap.view.cy.nodes().map(n => [n.id(), n.position()]))")


def test_update_draws_the_next_version_where_the_last_was_and_marks_what_is_new(page, live_server, growing_thread):
    early, late = growing_thread
    created = requests.post(f"{live_server.url}/api/v1/analyses", json={"url": URL}, timeout=30).json()
    page.goto(f"{live_server.url}/a/{created['id']}")
    page.wait_for_selector(SUMMARY, timeout=TIMEOUT_MS)
    assert page.is_visible("#update") and "Version 1" in page.inner_text("#version-line")
    assert page.is_hidden("#news")  # a first view: nothing is new to this visitor
    page.click("#view-map")
    page.wait_for_selector(READY, timeout=TIMEOUT_MS)
    before = positions(page)
    assert before

    page.click("#update")
    page.wait_for_selector("#version-line:has-text('Version 2')", timeout=TIMEOUT_MS)
    page.wait_for_selector(READY, timeout=TIMEOUT_MS)
    assert page.get_attribute("#view-map", "aria-selected") == "true"  # the visitor stays on the map
    news = page.inner_text("#news")
    assert "since your last view" in news and f"{len(late)} new comments" in news
    assert page.is_visible("#legend-new")
    marked = page.evaluate("window.argmap.view.cy.nodes('.new').map(n => n.id())")
    assert marked and all(node.split(":")[0] in late for node in marked)
    after = positions(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "live-update-map.png"))
    page.click("#fit")
    page.screenshot(path=str(ARTIFACTS / "live-update-map-whole.png"))
    kept = [node for node in before if node in after]
    assert kept
    still = [node for node in kept if abs(before[node]["x"] - after[node]["x"]) < 2
             and abs(before[node]["y"] - after[node]["y"]) < 2]
    assert len(still) == len(kept), (len(still), len(kept))  # every claim drawn before stays where it was
    page.click("#show-new")
    page.wait_for_selector(READY, timeout=TIMEOUT_MS)
    assert page.evaluate("window.argmap.state.focus") in set(marked) | {
        c for c in page.evaluate("[...window.argmap.model.claims.keys()]") if c.split(":")[0] in late}

    page.reload()  # seen now: a second look shows nothing new
    page.wait_for_selector(SUMMARY, timeout=TIMEOUT_MS)
    assert "since your last view" not in page.inner_text("#news")
    assert not [m for m in page.console_errors if "pageerror" in m]
