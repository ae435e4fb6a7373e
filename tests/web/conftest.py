"""Fixtures for the web tests: a live server, a real headless Chromium."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class LiveServer:
    """The real app served by waitress on 127.0.0.1 and a free port, in a thread."""

    def __init__(self, app):
        from waitress.server import create_server

        self.server = create_server(app, host="127.0.0.1", port=0, threads=6, ident="argmap-test")
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.app = app
        self.closing = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            self.server.run()
        except (OSError, ValueError):
            if not self.closing:  # the socket closed under the loop is expected only when we stop it
                raise

    def close(self):
        self.closing = True
        self.server.close()


@pytest.fixture(scope="session")
def web_settings(settings):
    """The page is tested on maps with edges: every reply the stance model reads as taking a side
    draws one (threshold 0.34, below any argmax of three classes), whatever the shipped threshold.
    How right those edges are is measured by ``argmap.evaluation``, not here."""
    return settings.replace(edge_threshold=0.34)


@pytest.fixture(scope="session")
def web_backend(web_settings):
    from argmap.jobs import LocalBackend

    backend = LocalBackend(web_settings, workers=1)
    yield backend
    backend.shutdown(wait=False)


@pytest.fixture(scope="session")
def live_server(web_backend, web_settings, tmp_path_factory):
    """One served app for the browser tests, on an instance folder (and database) of its own."""
    from argmap.service import create_app

    server = LiveServer(create_app({"INSTANCE_PATH": tmp_path_factory.mktemp("web-instance"),
                                    "JOBS_BACKEND": web_backend, "RECOVER_JOBS": False,
                                    "RATELIMIT_ENABLED": False}, settings=web_settings))
    yield server
    server.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium chromium-driver)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, request):
    """A fresh page that records console errors; a screenshot is saved when the test ends."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    new_page = context.new_page()
    new_page.console_errors = []
    new_page.on("console", lambda m: m.type == "error" and new_page.console_errors.append(m.text))
    new_page.on("pageerror", lambda e: new_page.console_errors.append(f"pageerror: {e}"))
    yield new_page
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        new_page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    finally:
        context.close()
