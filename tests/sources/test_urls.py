"""Every thread URL form a user may paste resolves; anything else gets the list of forms."""

import pytest

from argmap.errors import ArgmapError, UnsupportedSourceError
from argmap.model import Comment, Thread
from argmap.sources.resolver import resolve
from argmap.sources.trees import cut_thread
from argmap.sources.urls import ThreadRef, parse_url

ACCEPTED = [
    ("https://news.ycombinator.com/item?id=25015967", ThreadRef("hn", "25015967")),
    ("http://news.ycombinator.com/item?id=8863", ThreadRef("hn", "8863")),
    ("news.ycombinator.com/item?id=8863", ThreadRef("hn", "8863")),
    ("https://news.ycombinator.com/item?id=25017129#25017500", ThreadRef("hn", "25017129")),
    ("https://news.ycombinator.com/item?id=25015967&p=2", ThreadRef("hn", "25015967")),
    ("https://hn.algolia.com/api/v1/items/17", ThreadRef("hn", "17")),
    ("https://hn.algolia.com/?query=&story=8863", ThreadRef("hn", "8863")),
    ("hn:17", ThreadRef("hn", "17")),
    ("HN:17", ThreadRef("hn", "17")),
    ("https://www.reddit.com/r/announcements/comments/n49rw/reddit_and_sopa/",
     ThreadRef("reddit", "n49rw", None, "announcements")),
    ("https://old.reddit.com/r/AskReddit/comments/2np694/slug/cmfkbfh/?context=3",
     ThreadRef("reddit", "2np694", "cmfkbfh", "AskReddit")),
    ("https://new.reddit.com/r/Python/comments/2xmo63/", ThreadRef("reddit", "2xmo63", None, "Python")),
    ("https://np.reddit.com/r/self/comments/1cebxh/title_here", ThreadRef("reddit", "1cebxh", None, "self")),
    ("https://m.reddit.com/r/self/comments/1cebxh/title/c9fygn5", ThreadRef("reddit", "1cebxh", "c9fygn5", "self")),
    ("www.reddit.com/r/funny/comments/3hahrw", ThreadRef("reddit", "3hahrw", None, "funny")),
    ("reddit.com/comments/3hahrw", ThreadRef("reddit", "3hahrw")),
    ("https://www.reddit.com/comments/3hahrw/_/cu5pg2h/", ThreadRef("reddit", "3hahrw", "cu5pg2h")),
    ("https://www.reddit.com/user/someone/comments/3hahrw/my_post/", ThreadRef("reddit", "3hahrw")),
    ("https://redd.it/n49rw", ThreadRef("reddit", "n49rw")),
    ("redd.it/n49rw", ThreadRef("reddit", "n49rw")),
    ("reddit:n49rw", ThreadRef("reddit", "n49rw")),
    ("reddit:t3_N49RW", ThreadRef("reddit", "n49rw")),
]

REJECTED = [
    "https://example.com/item?id=1",
    "https://news.ycombinator.com/news",
    "https://news.ycombinator.com/item?id=abc",
    "https://news.ycombinator.com/item?id=0",
    "https://news.ycombinator.com/user?id=pg",
    "https://hn.algolia.com/?query=rust",
    "https://www.reddit.com/r/python/",
    "https://www.reddit.com/r/python/comments/",
    "https://www.reddit.com/r/python/comments/not-an-id!/",
    "https://www.reddit.com/r/pics/s/AbCdEf123",
    "https://redd.it/",
    "https://evil.reddit.com.attacker.net/r/x/comments/abc/",
    "https://news.ycombinator.com:8080/item?id=1",
    "https://user@news.ycombinator.com/item?id=1",
    "ftp://news.ycombinator.com/item?id=1",
    "hn:",
    "hn:-5",
    "reddit:",
    "reddit:../../etc",
    "https://news.ycombinator.com/item?id=1 https://redd.it/x",
    "",
]


@pytest.mark.parametrize("url, expected", ACCEPTED)
def test_every_supported_form_resolves(url, expected):
    assert parse_url(url) == expected


@pytest.mark.parametrize("url", REJECTED)
def test_other_urls_get_the_list_of_supported_forms(url):
    with pytest.raises(UnsupportedSourceError) as error:
        parse_url(url)
    assert "news.ycombinator.com/item?id=N" in error.value.message
    assert "redd.it/ID" in error.value.message
    assert error.value.status == 422


def test_canonical_urls():
    assert parse_url("hn:17").canonical_url == "https://news.ycombinator.com/item?id=17"
    assert (parse_url("https://old.reddit.com/r/self/comments/1cebxh/x/c9fygn5").canonical_url
            == "https://www.reddit.com/r/self/comments/1cebxh/_/c9fygn5/")


def test_resolve_rejects_an_unknown_host_without_fetching():
    with pytest.raises(UnsupportedSourceError, match="supported"):
        resolve("https://example.com/r/x/comments/abc/")


def test_max_comments_must_be_positive():
    with pytest.raises(ArgmapError, match="at least 1"):
        resolve("hn:1", max_comments=0)


def test_cut_thread_keeps_a_consistent_tree_and_says_so():
    thread = Thread(source="hn", id="1", comments=[
        Comment("3", "2", "c"), Comment("2", "1", "b"), Comment("4", "1", "d"), Comment("5", "9", "orphan")])
    cut_thread(thread, 2)
    assert [c.id for c in thread.comments] == ["2", "3"]
    assert any("left out" in n for n in thread.notes)
    assert any("thread cut at 2 comments (of 3 loaded)" in n for n in thread.notes)
