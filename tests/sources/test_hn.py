"""Hacker News: Algolia first, Firebase as fallback, recorded files, deleted/dead placeholders."""

import json

import pytest

from argmap.errors import ThreadNotFoundError
from argmap.model import thread_from_dict, thread_to_dict
from argmap.sources import hn
from argmap.sources.resolver import resolve
from argmap.sources.files import load_file
from argmap.sources.http import HttpClient
from argmap.settings import Settings
from argmap.sources.urls import parse_url
from tests.sources.conftest import assert_clean_text
from tests.sources.samples import STORY

def firebase_items():
    return {
        "100": {"id": 100, "type": "story", "by": "alice", "time": 1577836800, "title": "Ask HN: Tabs or spaces?",
                "text": "Which one?", "kids": [101, 102]},
        "101": {"id": 101, "type": "comment", "by": "bob", "time": 1577836900, "text": "Tabs.", "parent": 100,
                "kids": [103]},
        "102": {"id": 102, "type": "comment", "by": "carol", "time": 1577836950, "dead": True,
                "text": "flagged", "parent": 100},
        "103": {"id": 103, "deleted": True, "type": "comment", "time": 1577837000, "parent": 101, "kids": [104]},
        "104": {"id": 104, "type": "comment", "by": "dan", "time": 1577837100, "text": "Still here.", "parent": 103},
    }


def add_firebase(session, items):
    for item_id, item in items.items():
        session.add(("path", f"/v0/item/{item_id}"), 200, item)


def test_algolia_story_becomes_a_thread(fake_network):
    fake_network.add(("algolia", "100"), 200, STORY)
    thread = resolve("https://news.ycombinator.com/item?id=100")
    assert (thread.source, thread.id, thread.title, thread.author) == ("hn", "100", "Ask HN: Tabs or spaces?", "alice")
    assert thread.text == "Which one & why?"
    assert thread.created_at == "2020-01-01T00:00:00Z"
    assert [(c.id, c.parent_id) for c in thread.comments] == [("101", "100"), ("103", "101"), ("104", "103"),
                                                              ("102", "100")]
    bob, deleted, dan, carol = thread.comments
    assert bob.text == "Tabs.\n\n> spaces align better\n\nThey don't."
    assert (deleted.deleted, deleted.text, deleted.author) == (True, "", None)
    assert dan.text == "Replying to a deleted comment." and not dan.deleted
    assert carol.text == "Spaces: PEP 8 (https://pep8.org/) says so."
    assert carol.url == "https://news.ycombinator.com/item?id=102"
    assert thread.notes == []
    assert fake_network.hosts() == {"hn.algolia.com"}
    thread_from_dict(thread_to_dict(thread))


def test_comment_url_analyses_from_that_comment_down(fake_network):
    fake_network.add(("algolia", "101"), 200, STORY["children"][0])
    thread = resolve("hn:101")
    assert thread.id == "101" and thread.text.startswith("Tabs.")
    assert [c.id for c in thread.comments] == ["103", "104"]
    assert "analysing from comment 101 down" in thread.notes[0]
    assert "story 100" in thread.notes[0]


def test_thread_cut_at_max_comments_with_a_note(fake_network):
    fake_network.add(("algolia", "100"), 200, STORY)
    thread = resolve("hn:100", max_comments=2)
    assert [c.id for c in thread.comments] == ["101", "103"]
    assert thread.notes == ["thread cut at 2 comments (of 4 loaded); raise --max-comments or "
                            "ARGMAP_MAX_COMMENTS to analyse more"]


def test_max_comments_default_from_environment(fake_network, monkeypatch):
    monkeypatch.setenv("ARGMAP_MAX_COMMENTS", "3")
    fake_network.add(("algolia", "100"), 200, STORY)
    assert len(resolve("hn:100").comments) == 3


def test_firebase_fallback_when_algolia_fails(fake_network):
    fake_network.add(("algolia", "100"), 500, {"error": "boom"})
    add_firebase(fake_network, firebase_items())
    client = HttpClient(fake_network, sleep=lambda seconds: None, retries=1)
    thread = hn.fetch_thread(parse_url("hn:100"), Settings(), client=client, max_comments=100)
    assert [(c.id, c.parent_id, c.deleted) for c in thread.comments] == [
        ("101", "100", False), ("103", "101", True), ("104", "103", False), ("102", "100", True)]
    assert thread.comments[3].text == ""  # dead: kept as a text-less placeholder
    assert fake_network.hosts() == {"hn.algolia.com", "hacker-news.firebaseio.com"}


def test_firebase_walk_stops_at_the_cap(fake_network):
    fake_network.add(("algolia", "100"), 404, {"status": 404, "error": "Not Found"})
    add_firebase(fake_network, firebase_items())
    thread = hn.fetch_thread(parse_url("hn:100"), Settings(), client=HttpClient(fake_network), max_comments=2)
    assert [c.id for c in thread.comments] == ["101", "102"]
    assert "thread cut at 2 comments" in thread.notes[0]


def test_unknown_item_is_not_found(fake_network):
    fake_network.add(("algolia", "999"), 404, {"status": 404, "error": "Not Found"})
    fake_network.add(("path", "/v0/item/999"), 200, None)
    with pytest.raises(ThreadNotFoundError, match="no item 999"):
        resolve("hn:999")


def test_hnpwa_shape_from_a_small_file(tmp_path):
    data = {"id": 5, "title": "T", "user": "u", "time": 1, "content": "<p>Body", "comments": [
        {"id": 6, "level": 0, "user": "a", "time": 2, "content": "<p>x &gt; y", "comments": [
            {"id": 7, "level": 1, "time": 3, "content": "[deleted]", "deleted": True, "comments": []}]},
        {"id": 8, "level": 0, "user": "b", "time": 4, "content": "<p>nope", "dead": True}]}
    path = tmp_path / "hnpwa.json"
    path.write_text(json.dumps(data))
    thread = load_file(path)
    assert [(c.id, c.parent_id, c.deleted, c.text) for c in thread.comments] == [
        ("6", "5", False, "x > y"), ("7", "6", True, ""), ("8", "5", True, "")]
    assert thread.text == "Body"


# ----------------------------------------------------------------------------------
# recorded responses from ../shared/threads


def test_recorded_algolia_item_17_through_the_api(threads_dir, fake_network):
    fake_network.add(("algolia", "17"), 200, (threads_dir / "hn/fraction_algolia_item_17_legacy.json").read_bytes())
    thread = resolve("https://hn.algolia.com/api/v1/items/17")
    assert thread.id == "17" and thread.author == "pg"
    assert thread.text == "Is there anywhere to eat on Sandhill Road?"
    assert [(c.id, c.parent_id, c.author, c.text) for c in thread.comments] == [
        ("1079", "17", "dmon", "sure"), ("454426", "17", "Arrington", "This is why we can't have nice things.")]
    assert "analysing from comment 17 down" in thread.notes[0]
    assert fake_network.hosts() == {"hn.algolia.com"}


def test_recorded_circumflex_thread(threads_dir):
    thread = load_file(threads_dir / "hn/circumflex_25015967_biden.json")
    assert thread.id == "25015967" and thread.source == "hn"
    assert len(thread.comments) == 2170
    raw = json.loads((threads_dir / "hn/circumflex_25015967_biden.json").read_text())
    assert raw["commentscount"] == 2170
    assert sum(c.deleted for c in thread.comments) == 202  # 125 dead + 98 deleted, 21 both
    assert all(c.text == "" and c.author is None for c in thread.comments if c.deleted)
    assert sum(c.parent_id == thread.id for c in thread.comments) == 237
    assert all(c.url == f"https://news.ycombinator.com/item?id={c.id}" for c in thread.comments)
    assert_clean_text(thread)
    quoting = [c for c in thread.comments if any(line.startswith("> ") for line in c.text.split("\n"))]
    assert len(quoting) == 263
    assert sum(any(line.startswith("    ") for line in c.text.split("\n")) for c in thread.comments) == 2
    thread_from_dict(thread_to_dict(thread))  # every parent_id resolves, no cycle


def test_a_link_post_keeps_the_page_it_links_to(threads_dir):
    from argmap.analytics.graph import build_graph
    from argmap.model import Analysis

    thread = load_file(threads_dir / "hn" / "hackernewsandroid_10939306_planet9.json")
    assert thread.link == "http://www.caltech.edu/news/caltech-researchers-find-evidence-real-ninth-planet-49523"
    assert thread_from_dict(thread_to_dict(thread)).link == thread.link  # canonical JSON carries it
    assert build_graph(Analysis(thread, [], [])).graph["post_link"] == thread.link
    data = dict(thread_to_dict(thread), link="javascript:alert(1)")
    assert thread_from_dict(data).link is None  # only http(s) links are kept
    assert "link" not in thread_to_dict(thread_from_dict(data))
