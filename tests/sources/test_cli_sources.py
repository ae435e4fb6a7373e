"""``argmap fetch`` on every recorded response, and ``argmap analyze`` on HN and Reddit URLs
end to end with the network faked at the transport edge."""

import json

import pytest
from click.testing import CliRunner

from argmap.cli import main
from argmap.model import thread_from_dict
from tests.sources.samples import STORY, small_network

RECORDED = [
    ("hn/circumflex_25015967_biden.json", "hn", 2170),
    ("hn/fraction_algolia_item_17_legacy.json", "hn", 2),
    ("reddit/asyncpraw2020_n49rw_sort-confidence.json", "reddit", 1371),
    ("reddit/rtv_2xmo63.json", "reddit", 45),
    ("reddit/rtv_2np694.json", "reddit", 199),
    ("reddit/graw_thread_self.json", "reddit", 199),
]


@pytest.mark.parametrize("name, source, comments", RECORDED)
def test_fetch_writes_canonical_json_for_every_recorded_file(threads_dir, tmp_path, name, source, comments):
    output = tmp_path / "thread.json"
    result = CliRunner().invoke(main, ["fetch", str(threads_dir / name), "-o", str(output)])
    assert result.exit_code == 0, result.output
    thread = thread_from_dict(json.loads(output.read_text()))  # validates ids, parents, no cycles
    assert thread.source == source
    assert len(thread.comments) == comments


def test_fetch_a_url_to_stdout(fake_network):
    fake_network.add(("algolia", "100"), 200, STORY)
    result = CliRunner().invoke(main, ["fetch", "https://news.ycombinator.com/item?id=100"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["id"] == "100" and len(data["comments"]) == 4


def test_fetch_an_unsupported_url_explains_the_forms():
    result = CliRunner().invoke(main, ["fetch", "https://example.com/thread/1"])
    assert result.exit_code == 2
    assert "news.ycombinator.com/item?id=N" in result.output and "Traceback" not in result.output


def test_fetch_a_private_subreddit_is_a_clear_error(fake_network):
    fake_network.add(("path", "/comments/abc"), 403, {"reason": "private"})
    result = CliRunner().invoke(main, ["fetch", "reddit:abc"])
    assert result.exit_code == 2
    assert "is private" in result.output


@pytest.mark.slow
def test_analyze_a_hacker_news_url(fake_network):
    fake_network.add(("algolia", "100"), 200, STORY)
    result = CliRunner().invoke(main, ["analyze", "https://news.ycombinator.com/item?id=100", "-q"])
    assert result.exit_code == 0, result.output
    graph = json.loads(result.stdout)
    claims = [n for n in graph["nodes"] if n.get("kind") == "claim"]
    assert {n["comment_id"] for n in claims} >= {"102", "104"}
    assert any("PEP 8" in n["text"] for n in claims)
    assert fake_network.hosts() == {"hn.algolia.com"}


@pytest.mark.slow
def test_analyze_a_reddit_url(fake_network):
    small_network(fake_network)
    result = CliRunner().invoke(main, ["analyze", "https://old.reddit.com/r/test/comments/abc/a_b/", "-q"])
    assert result.exit_code == 0, result.output
    graph = json.loads(result.stdout)
    claims = [n for n in graph["nodes"] if n.get("kind") == "claim"]
    assert {"c4", "c6"} <= {n["comment_id"] for n in claims}  # comments behind "load more" were analysed
    assert fake_network.hosts() == {"www.reddit.com"}
