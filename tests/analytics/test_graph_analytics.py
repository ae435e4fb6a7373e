"""rank, controversy and the stance flags on a hand-made debate with known answers."""

import time

import networkx as nx
import numpy as np
import pytest

from argmap.analytics.graph import build_graph, controversy
from argmap.model import Analysis, Claim, Relation, Thread

from .debate import debate_analysis


@pytest.fixture(scope="module")
def debate():
    return build_graph(debate_analysis())


def test_edges_point_from_the_answer_to_the_claim_answered(debate):
    assert debate.edges["c2:0", "c1:0"]["relation"] == "rebuts"
    assert debate.edges["c3:0", "c1:0"]["relation"] == "supports"
    assert not debate.has_edge("c1:0", "c2:0")


def test_stance_counts_and_flags(debate):
    nodes = debate.nodes
    assert (nodes["c1:0"]["supports"], nodes["c1:0"]["rebuts"]) == (2, 1)
    assert nodes["c1:0"]["contested"] and not nodes["c1:0"]["consensus"]
    assert nodes["c5:0"]["consensus"] and not nodes["c5:0"]["contested"]
    assert nodes["c5:0"]["controversy"] == 0.0
    assert nodes["c3:0"]["unanswered"] and nodes["c6:0"]["unanswered"]
    assert not nodes["c2:0"]["unanswered"]
    flagged = {n for n, a in debate.nodes(data=True) if a["unanswered"]}
    assert flagged == {n for n in debate if not any(a["relation"] != "restates" for *_e, a in debate.in_edges(n, data=True))}


def test_controversy_grows_with_volume_and_balance():
    assert controversy(2.0, 0.0) == 0.0
    assert controversy(0.0, 1.0) == 0.5
    assert controversy(0.0, 0.5) < controversy(0.0, 1.0) < controversy(1.0, 1.0) < controversy(3.0, 3.0) <= 1.0
    assert controversy(3.0, 0.5) < controversy(1.0, 1.0), "mostly supported is less controversial than an even split"


def test_rank_follows_answers_and_comment_score(debate):
    ranks = nx.get_node_attributes(debate, "rank")
    assert max(ranks.values()) == 1.0 and min(ranks.values()) > 0
    top_two = sorted(ranks, key=ranks.get, reverse=True)[:2]
    assert set(top_two) == {"t1:0", "c1:0"}, "the most answered claims rank highest"
    # two unanswered leaves: the one in the better-voted comment ranks higher
    assert ranks["c3:0"] > ranks["c4:0"]  # scores 5 and 2


def test_every_claim_has_a_topic_and_label(debate):
    topics = {t["id"]: t for t in debate.graph["topics"]}
    for _node, attrs in debate.nodes(data=True):
        assert isinstance(attrs["topic"], int) and attrs["topic"] in topics
        assert attrs["topic_label"] == topics[attrs["topic"]]["label"]
    assert sum(t["size"] for t in topics.values()) == debate.number_of_nodes()


def test_relations_to_unknown_claims_are_dropped():
    analysis = Analysis(Thread("text", "t"), [Claim("a:0", "a", "Cats are mammals.", 0, 17)],
                        [Relation("a:0", "missing:0", "supports", 0.9)])
    graph = build_graph(analysis)
    assert list(graph.nodes) == ["a:0"] and graph.number_of_edges() == 0
    assert graph.nodes["a:0"]["unanswered"] and graph.nodes["a:0"]["rank"] == 1.0


def test_empty_analysis():
    graph = build_graph(Analysis(Thread("text", "t"), [], []))
    assert graph.number_of_nodes() == 0 and graph.graph["topics"] == []


def synthetic_analysis(claims: int, edges: int, seed: int = 0):
    """A big analysis with clustered vectors and random answers, for timing."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((15, 384))
    members = rng.integers(0, 15, claims)
    vectors = (centres[members] + 0.8 * rng.standard_normal((claims, 384))).astype(np.float32)
    words = ["alpha", "beta", "gamma", "delta", "omega", "sigma", "kappa", "theta", "lambda", "zeta",
             "rho", "tau", "phi", "chi", "psi"]
    thread = Thread("reddit", "big")
    claim_list = []
    for i in range(claims):
        text = f"The {words[members[i]]} option costs {i % 97} units and {words[(members[i] + 3) % 15]} helps."
        claim_list.append(Claim(f"k{i}:0", f"k{i}", text, 0, len(text), author=f"user{i % 400}"))
    pairs = rng.integers(0, claims, (edges, 2))
    relations = [Relation(f"k{a}:0", f"k{b}:0", ("supports", "rebuts")[int(a) % 2], 0.5 + (a % 50) / 100)
                 for a, b in pairs if a != b]
    return Analysis(thread, claim_list, relations), vectors


@pytest.mark.timeout(120)
def test_analytics_on_3000_claims_is_fast():
    from argmap.analytics.summary import summarize

    analysis, vectors = synthetic_analysis(3000, 2500)
    build_graph(Analysis(Thread("text", "warm"), analysis.claims[:50], []), vectors[:50])  # imports warm
    started = time.process_time()
    graph = build_graph(analysis, vectors)
    summary = summarize(graph)
    seconds = time.process_time() - started
    assert 5 <= len(graph.graph["topics"]) <= 12
    assert summary["most_contested"] and summary["people"]
    assert seconds < 3.0, f"analytics took {seconds:.2f} CPU seconds for 3,000 claims"
