"""Fixtures for the source tests: a fake network at the transport edge, no Reddit credentials."""

import re

import pytest

from tests.sources.fakes import FakeSession

# Tags HN and Reddit send; a plain "<word>" a user typed (as &lt;word&gt;) is text, not markup.
HTML_TAG = re.compile(r"</?(p|i|b|a|em|strong|pre|code|div|span|br|ul|ol|li|blockquote)(\s[^<>]*)?/?>", re.I)
HTML_ENTITY = re.compile(r"&(#x?[0-9a-fA-F]+|quot|amp|lt|gt|apos|nbsp);")


@pytest.fixture
def fake_network(monkeypatch):
    """Every session argmap opens is this FakeSession; no Reddit credentials are configured."""
    session = FakeSession()
    for name in ("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET", "REDDIT_USER_AGENT", "ARGMAP_PRAW_SITE", "praw_site"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("argmap.sources.http.AllowListSession", lambda: session)
    monkeypatch.setattr("argmap.sources.reddit.AllowListSession", lambda: session)
    return session


def assert_clean_text(thread):
    """No HTML tags or entities left in any text, and every comment links to its page."""
    for text in [thread.title, thread.text] + [c.text for c in thread.comments]:
        assert not HTML_TAG.search(text), text[:200]
        assert not HTML_ENTITY.search(text), text[:200]
