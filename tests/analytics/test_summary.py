"""The thread summary: topics with key claims, contested, consensus, unanswered, people."""

import json

import pytest

from argmap.analytics.graph import build_graph
from argmap.analytics.summary import summarize, summary_text

from .debate import debate_analysis


@pytest.fixture(scope="module")
def summary():
    return summarize(build_graph(debate_analysis()))


def ids(claims):
    return [c["id"] for c in claims]


def test_summary_lists(summary):
    assert summary["claims"] == 12
    assert summary["relations"] == {"supports": 6, "rebuts": 5, "restates": 1}
    # counted by people: two people (dave, frank) dispute the post and one (alice) defends it;
    # c1:0 has one opponent (bob) only, so it is not "most contested"
    assert ids(summary["most_contested"]) == ["t1:0"]
    assert (summary["most_contested"][0]["opponents"], summary["most_contested"][0]["supporters"]) == (2, 1)
    # two people back c5:0 (an unnamed commenter and gina; dave's own reason does not count), nobody disputes it
    assert ids(summary["strongest_consensus"]) == ["c5:0"]
    assert "c3:0" in ids(summary["unanswered"]) and "c1:0" not in ids(summary["unanswered"])
    json.dumps(summary)  # plain JSON data


def test_topics_carry_label_central_and_key_claims(summary):
    assert sum(t["size"] for t in summary["topics"]) == 12
    for topic in summary["topics"]:
        assert topic["label"] and topic["key_phrases"]
        assert topic["central_claim"]["topic"] == topic["id"]
        ranks = [c["rank"] for c in topic["key_claims"]]
        assert ranks == sorted(ranks, reverse=True)
        assert all(c["topic"] == topic["id"] for c in topic["key_claims"])


def test_people_say_whom_each_supported_and_rebutted(summary):
    people = {p["author"]: p for p in summary["people"]}
    assert "[unknown]" not in people, "claims without an author are no person"
    alice = people["alice"]
    assert alice["claims"] == 3
    assert alice["supported"] == {"op": 1}  # her own reason for her own claim is not counted
    assert alice["rebutted"] == {"bob": 1}
    assert alice["supported_by"] == {"carol": 1} and alice["rebutted_by"] == {"bob": 1}
    assert people["erin"]["rebutted"] == {"dave": 1}
    assert summary["people"][0]["author"] == "alice", "sorted by claims made"
    assert alice["top_claim"]["id"] == "c1:0"


def test_summary_text_reads(summary):
    text = summary_text(summary)
    assert text.startswith("# Cars downtown")
    assert "## Most contested" in text and "## Strongest consensus" in text and "## People" in text
    assert "- alice: 3 claims; supported op ×1; rebutted bob ×1" in text
    assert "Shops downtown lose customers when parking disappears." in text


@pytest.mark.slow
def test_sample_thread_summary(sample_analysis):
    _analysis, graph = sample_analysis
    summary = summarize(graph)
    assert summary["claims"] == graph.number_of_nodes()
    # pasted text has no authors: each comment is its own person
    assert all(c["opponents"] >= 2 and c["supporters"] >= 1 for c in summary["most_contested"])
    assert all(c["supporters"] >= 2 and c["opponents"] == 0 for c in summary["strongest_consensus"])
    assert all(c["supports"] == 0 and c["rebuts"] == 0 for c in summary["unanswered"])
    assert summary["people"] == [], "pasted text has no authors"
