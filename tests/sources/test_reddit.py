"""Reddit: public JSON with "load more" expansion, praw replayed from PRAW's own cassettes,
recorded listings, deleted/removed placeholders and the errors a user can act on."""

import json
from urllib.parse import parse_qs

import pytest

from argmap.errors import AccessDeniedError, RateLimitedError, ThreadNotFoundError
from argmap.model import thread_from_dict, thread_to_dict
from argmap.sources import reddit
from argmap.sources.resolver import resolve
from argmap.sources.files import load_file
from argmap.sources.http import ALLOWED_HOSTS, HttpClient
from argmap.settings import Settings
from argmap.sources.urls import parse_url
from tests.sources.conftest import assert_clean_text
from tests.sources.samples import MORE_C4, SMALL, listing, small_network
from tests.sources.fakes import EMPTY_MORECHILDREN, FakeSession, cassette_session, recorded_morechildren


def test_public_json_expands_more_and_continue_this_thread(fake_network):
    small_network(fake_network)
    thread = resolve("https://old.reddit.com/r/test/comments/abc/a_b/")
    assert (thread.id, thread.title, thread.text, thread.author) == ("abc", "A & B", "Is this right?", "op")
    assert thread.url == "https://www.reddit.com/r/test/comments/abc/a_b/"
    assert [(c.id, c.parent_id) for c in thread.comments] == [
        ("c1", "abc"), ("c2", "c1"), ("c4", "c1"), ("c5", "c4"), ("c3", "abc"), ("c6", "c3"), ("c7", "abc")]
    by_id = thread.comment_by_id()
    assert by_id["c1"].text == "> is this right?\n\nNo, see the docs (https://docs.example/x)."
    assert (by_id["c2"].deleted, by_id["c2"].text, by_id["c2"].author) == (True, "", None)
    assert (by_id["c7"].deleted, by_id["c7"].text) == (True, "")
    assert (by_id["c3"].deleted, by_id["c3"].author, by_id["c3"].text) == (False, None, "Yes.")
    assert by_id["c5"].text == "Nested > later."
    assert by_id["c4"].url == "https://www.reddit.com/r/test/comments/abc/slug/c4/"
    assert by_id["c1"].created_at == "2020-09-13T12:26:40Z" and by_id["c1"].score == 3
    assert thread.notes == []
    assert fake_network.hosts() == {"www.reddit.com"}
    more = next(r for r in fake_network.sent if "morechildren" in r.url)
    assert more.method == "POST" and parse_qs(more.body)["link_id"] == ["t3_abc"]
    assert all(r.headers["User-Agent"].startswith("python:argmap:") for r in fake_network.sent)


def test_more_limit_is_configurable_and_noted(fake_network, monkeypatch):
    monkeypatch.setenv("ARGMAP_REDDIT_MORE_LIMIT", "0")
    small_network(fake_network)
    thread = resolve("reddit:abc")
    assert [c.id for c in thread.comments] == ["c1", "c2", "c3", "c7"]
    assert thread.notes == ['2 more comments and 1 "continue this thread" branches were not loaded: the limit '
                            'of 0 "load more" expansions was reached (ARGMAP_REDDIT_MORE_LIMIT)']


def test_comment_permalink_analyses_from_that_comment_down(fake_network):
    fake_network.add(("path", "/comments/abc/_/c1"), 200, listing(SMALL[1]["data"]["children"][0]))
    fake_network.add(("morechildren", ("c4",)), 200, MORE_C4)
    thread = resolve("https://www.reddit.com/r/test/comments/abc/a_b/c1/?context=3")
    assert [(c.id, c.parent_id) for c in thread.comments] == [("c1", "abc"), ("c2", "c1"), ("c4", "c1"),
                                                              ("c5", "c4")]
    assert "analysing from comment c1 down" in thread.notes[0]


def test_cap_stops_loading_and_cuts(fake_network):
    small_network(fake_network)
    thread = resolve("redd.it/abc", max_comments=3)
    assert [c.id for c in thread.comments] == ["c1", "c2", "c3"]
    assert any("thread cut at 3 comments" in note for note in thread.notes)
    assert not any("morechildren" in r.url for r in fake_network.sent)


@pytest.mark.parametrize("status, body, error, words", [
    (403, {"reason": "private", "message": "Forbidden", "error": 403}, AccessDeniedError, "is private"),
    (403, {"reason": "quarantined", "quarantine_message": "..."}, AccessDeniedError, "quarantined"),
    (404, {"reason": "banned", "message": "Not Found", "error": 404}, AccessDeniedError, "banned"),
    (404, {"message": "Not Found", "error": 404}, ThreadNotFoundError, "no thread abc"),
])
def test_reddit_refusals_become_clear_errors(fake_network, status, body, error, words):
    fake_network.add(("path", "/comments/abc"), status, body)
    with pytest.raises(error, match=words):
        resolve("https://www.reddit.com/r/secret/comments/abc/")


def test_rate_limited_after_retries(fake_network, monkeypatch):
    monkeypatch.setattr("argmap.sources.http.time.sleep", lambda seconds: None)
    fake_network.add(("path", "/comments/abc"), 429, {"message": "Too Many Requests"}, {"Retry-After": "2"})
    with pytest.raises(RateLimitedError):
        resolve("reddit:abc")
    assert len(fake_network.sent) == 5


def test_a_listing_file_notes_what_it_does_not_hold(tmp_path):
    path = tmp_path / "listing.json"
    path.write_text(json.dumps(SMALL))
    thread = load_file(path)
    assert [c.id for c in thread.comments] == ["c1", "c2", "c3", "c7"]
    assert "2 more comments and 1 \"continue this thread\" branches were not loaded" in thread.notes[0]


# ----------------------------------------------------------------------------------
# recorded responses from ../shared/threads


@pytest.mark.parametrize("name, comments, deleted, top_level, unloaded", [
    ("asyncpraw2020_n49rw_sort-confidence.json", 1371, 29, 515, "58 more comments and 3"),
    ("rtv_2xmo63.json", 45, 1, 20, None),
    ("rtv_2np694.json", 199, 5, 60, "8,172 more comments and 1"),
    ("graw_thread_self.json", 199, 5, 38, "1,660 more comments and 3"),
])
def test_recorded_listing_files(threads_dir, name, comments, deleted, top_level, unloaded):
    thread = load_file(threads_dir / "reddit" / name)
    assert len(thread.comments) == comments
    assert sum(c.deleted for c in thread.comments) == deleted
    assert all(c.text == "" and c.author is None for c in thread.comments if c.deleted)
    assert sum(c.parent_id == thread.id for c in thread.comments) == top_level
    assert all(c.url and c.url.startswith("https://www.reddit.com/") for c in thread.comments)
    if unloaded:
        assert thread.notes[0].startswith(unloaded)
    else:
        assert thread.notes == []
    assert_clean_text(thread)
    thread_from_dict(thread_to_dict(thread))


def test_recorded_n49rw_keeps_removed_and_deleted_author_comments(threads_dir):
    thread = load_file(threads_dir / "reddit/asyncpraw2020_n49rw_sort-confidence.json")
    raw = json.loads((threads_dir / "reddit/asyncpraw2020_n49rw_sort-confidence.json").read_text())
    assert raw[0]["data"]["children"][0]["data"]["title"] == thread.title
    assert sum(c.author is None for c in thread.comments) == 229  # the listing's [deleted] authors
    assert sum(c.author is None and not c.deleted for c in thread.comments) == 200  # text kept
    quoting = sum(any(line.startswith("> ") for line in c.text.split("\n")) for c in thread.comments)
    assert quoting == 29
    replies_to_deleted = [c for c in thread.comments if thread.comment_by_id().get(c.parent_id)
                          and thread.comment_by_id()[c.parent_id].deleted]
    assert replies_to_deleted  # replies of deleted comments keep their place


def test_rtv_morechildren_response_fills_the_thread(threads_dir):
    session = FakeSession(recorded_morechildren(threads_dir / "reddit/rtv_2np694_morechildren_responses.json"),
                          missing_morechildren=EMPTY_MORECHILDREN)
    session.add(("path", "/comments/2np694"), 200, (threads_dir / "reddit/rtv_2np694.json").read_bytes())
    thread = reddit.fetch_public(parse_url("https://www.reddit.com/r/AskReddit/comments/2np694/"),
                                 HttpClient(session), max_comments=5000, limit=1)
    assert len(thread.comments) == 199 + 100  # the listing plus the recorded answer's 100 comments
    assert thread.notes[0].startswith("8,072 more comments and 1 \"continue this thread\" branches were not loaded")
    assert [r.url for r in session.sent][1] == "https://www.reddit.com/api/morechildren.json"
    assert_clean_text(thread)
    thread_from_dict(thread_to_dict(thread))


def test_graw_continue_this_thread_links_are_followed(threads_dir):
    session = FakeSession(missing_morechildren=EMPTY_MORECHILDREN)
    session.add(("path", "/comments/1cebxh"), 200, (threads_dir / "reddit/graw_thread_self.json").read_bytes())
    thread = reddit.fetch_public(parse_url("reddit:1cebxh"), HttpClient(session), max_comments=5000, limit=300)
    assert len(thread.comments) == 199
    continued = [r.url for r in session.sent if "/_/" in r.url]
    assert len(continued) == 3 and all(u.startswith("https://www.reddit.com/comments/1cebxh/_/c9") for u in continued)
    assert len(session.sent) == 1 + 122 + 3  # the listing, every "load more" stub, every continue link
    assert session.hosts() == {"www.reddit.com"}


def test_graw_morechildren_shape(threads_dir):
    data = json.loads((threads_dir / "reddit/graw_morechildren.json").read_text())
    found = reddit.collect_things(data["json"]["data"]["things"], "hbo4a7", reddit.Collected())
    assert len(found.comments) == 50 and len(found.stubs) == 11


@pytest.mark.parametrize("cassette, ref, comments, notes", [
    ("TestCommentForest.test_replace__all_large.json", "https://www.reddit.com/r/announcements/comments/n49rw/", 1428,
     ["14 more comments were not loaded: Reddit returned none of them (deleted, removed or no longer available)"]),
    ("TestCommentForest.test_replace__all.json", "https://www.reddit.com/r/funny/comments/3hahrw/", 541, []),
])
def test_public_json_loads_whole_threads_from_praw_cassettes(threads_dir, cassette, ref, comments, notes):
    session = cassette_session(threads_dir / "reddit" / cassette)
    thread = reddit.fetch_public(parse_url(ref), HttpClient(session), max_comments=5000, limit=300)
    assert len(thread.comments) == comments
    assert thread.notes == notes  # the recorded session's empty morechildren answers are reported
    assert session.hosts() == {"www.reddit.com"}
    assert_clean_text(thread)
    thread_from_dict(thread_to_dict(thread))


@pytest.mark.parametrize("cassette, thread_id, comments, requests_made", [
    ("TestCommentForest.test_replace__all_large.json", "n49rw", 1428, 237),
    ("TestCommentForest.test_replace__all.json", "3hahrw", 541, 20),
])
def test_praw_replays_its_own_cassettes(threads_dir, cassette, thread_id, comments, requests_made):
    session = cassette_session(threads_dir / "reddit" / cassette)
    client = reddit.make_praw({"client_id": "id", "client_secret": "secret", "user_agent": "argmap tests"},
                              session=session)
    thread = reddit.fetch_praw(parse_url(f"reddit:{thread_id}"), client, max_comments=5000, limit=300)
    assert len(thread.comments) == comments
    assert len(session.sent) == requests_made
    assert session.hosts() <= ALLOWED_HOSTS and session.hosts() == {"www.reddit.com", "oauth.reddit.com"}
    public = reddit.fetch_public(parse_url(f"reddit:{thread_id}"), HttpClient(cassette_session(
        threads_dir / "reddit" / cassette)), max_comments=5000, limit=300)
    assert thread_to_dict(thread)["comments"] == thread_to_dict(public)["comments"]


def test_credentials_in_the_environment_select_praw(threads_dir, monkeypatch):
    session = cassette_session(threads_dir / "reddit/TestCommentForest.test_replace__all.json")
    monkeypatch.setenv("REDDIT_CLIENT_ID", "id")
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", "secret")
    monkeypatch.setattr("argmap.sources.reddit.AllowListSession", lambda: session)
    thread = resolve("https://www.reddit.com/r/funny/comments/3hahrw/")
    assert len(thread.comments) == 541
    assert "oauth.reddit.com" in session.hosts()


def test_praw_limit_leaves_a_note(threads_dir):
    session = cassette_session(threads_dir / "reddit/TestCommentForest.test_replace__all.json")
    client = reddit.make_praw({"client_id": "id", "client_secret": "secret", "user_agent": "t"}, session=session)
    thread = reddit.fetch_thread(parse_url("reddit:3hahrw"), Settings(reddit_more_limit=0), reddit=client)
    assert len(thread.comments) < 541
    assert "ARGMAP_REDDIT_MORE_LIMIT" in thread.notes[0]


def test_deleted_comment_permalink_is_not_found(threads_dir):
    session = cassette_session(threads_dir / "reddit/TestComment.test_refresh__deleted_comment.json")
    with pytest.raises(ThreadNotFoundError, match="comment d7ltvl0 is not in Reddit thread 52o2fl"):
        reddit.fetch_public(parse_url("https://www.reddit.com/r/test/comments/52o2fl/x/d7ltvl0/"),
                            HttpClient(session), max_comments=10, limit=0)
    info = json.loads(json.loads((threads_dir / "reddit/TestComment.test_refresh__deleted_comment.json")
                                 .read_text())["interactions"][1]["response"]["body"]["string"])
    comment = reddit.comment_from_data(info["data"]["children"][0]["data"], "52o2fl")
    assert (comment.deleted, comment.text, comment.author, comment.parent_id) == (True, "", None, "52o2fl")
