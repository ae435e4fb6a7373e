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
    assert summary["claims"] == 10
    assert summary["relations"] == {"supports": 5, "rebuts": 4, "restates": 1}
    assert set(ids(summary["most_contested"])) == {"t1:0", "c1:0", "c2:0", "c5:1"}
    assert ids(summary["most_contested"])[0] == "t1:0", "the root: even split of answers"
    assert ids(summary["strongest_consensus"]) == ["c5:0"]
    assert "c3:0" in ids(summary["unanswered"]) and "c1:0" not in ids(summary["unanswered"])
    json.dumps(summary)  # plain JSON data


def test_topics_carry_label_central_and_key_claims(summary):
    assert sum(t["size"] for t in summary["topics"]) == 10
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
    assert summary["most_contested"], "the sample thread has rebuttals"
    assert all(c["rebuts"] > 0 for c in summary["most_contested"])
    controversy = [c["controversy"] for c in summary["most_contested"]]
    assert controversy == sorted(controversy, reverse=True)
    assert all(c["supports"] == 0 and c["rebuts"] == 0 for c in summary["unanswered"])
    assert summary["people"] == [], "pasted text has no authors"
