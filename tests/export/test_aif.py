"""AIF JSON read by the arguebuf package (PyPI), and the AIF node/edge rules checked."""

import json
import warnings
from collections import Counter

import pytest

from argmap.export import get_exporter

arguebuf = pytest.importorskip("arguebuf", reason="arguebuf (the test extra) is the AIF reader")


def aif_of(analysis, graph):
    return json.loads(get_exporter("aif").render(analysis, graph))


def load(data, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # arguebuf warns about the L/YA/TA edges it does not model
        return arguebuf.load.aif(data, **kwargs)


def test_arguebuf_reads_claims_and_schemes(debate_map):
    analysis, graph = debate_map
    loaded = load(aif_of(analysis, graph), name="debate")
    assert len(loaded.atom_nodes) == graph.number_of_nodes()
    texts = {node.plain_text for node in loaded.atom_nodes.values()}
    assert texts == {attrs["text"] for _n, attrs in graph.nodes(data=True)}
    schemes = Counter(type(node.scheme).__name__ for node in loaded.scheme_nodes.values())
    assert schemes == {"Support": 6, "Attack": 5, "Rephrase": 1}
    # the supporting claim → RA → the claim it supports, as arguebuf sees it
    ra = next(s for s in loaded.scheme_nodes.values()
              if {a.id for a in loaded.incoming_atom_nodes(s)} == {"Ic3:0"} and type(s.scheme).__name__ == "Support")
    assert {a.id for a in loaded.outgoing_atom_nodes(ra)} == {"Ic1:0"}
    as_networkx = arguebuf.dump.networkx(loaded)
    assert as_networkx.number_of_nodes() == graph.number_of_nodes() + graph.number_of_edges()
    assert as_networkx.number_of_edges() == 2 * graph.number_of_edges()


def test_arguebuf_rebuilds_the_dialogue(debate_map):
    analysis, graph = debate_map
    loaded = load(aif_of(analysis, graph), reconstruct_dialog=True)
    assert len(loaded.atom_nodes) == graph.number_of_nodes()


def test_aif_node_types_and_anchors(debate_map):
    analysis, graph = debate_map
    data = aif_of(analysis, graph)
    nodes = {n["nodeID"]: n for n in data["nodes"]}
    kinds = Counter(n["type"] for n in data["nodes"])
    commenting = {a["comment_id"] for _n, a in graph.nodes(data=True)}
    assert kinds["I"] == graph.number_of_nodes()
    assert kinds["L"] == len(commenting)
    assert (kinds["RA"], kinds["CA"], kinds["MA"]) == (6, 5, 1)
    assert kinds["TA"] == len(commenting) - 1, "every commenting reply but the post has a transition"
    for edge in data["edges"]:
        pair = (nodes[edge["fromID"]]["type"], nodes[edge["toID"]]["type"])
        assert pair != ("I", "I"), "no direct I→I edge"
        assert pair in {("L", "YA"), ("YA", "I"), ("I", "RA"), ("RA", "I"), ("I", "CA"), ("CA", "I"),
                        ("I", "MA"), ("MA", "I"), ("L", "TA"), ("TA", "L"), ("TA", "YA"), ("YA", "RA"),
                        ("YA", "CA"), ("YA", "MA")}, pair
    asserted = {e["toID"] for e in data["edges"] if nodes[e["fromID"]]["type"] == "YA" and nodes[e["toID"]]["type"] == "I"}
    assert len(asserted) == graph.number_of_nodes(), "every claim is anchored to its comment"
    assert nodes["Lc2"]["text"].startswith("bob : That is not true")
    assert nodes["Lt1"]["timestamp"] == "2026-09-27 16:19:46"
    # bob's rebuttal answers the comment it replies to: its CA is anchored on that TA
    anchors = {(nodes[e["fromID"]]["text"], e["toID"]) for e in data["edges"] if nodes[e["fromID"]]["type"] == "YA"}
    assert any(text == "Disagreeing" for text, _to in anchors)


def test_participants_and_locutions(debate_map):
    analysis, graph = debate_map
    data = aif_of(analysis, graph)
    people = {p["participantID"]: p["firstname"] for p in data["participants"]}
    assert set(people.values()) == {"op", "alice", "bob", "carol", "dave", "erin", "frank", "gina", "[unknown]"}
    by_locution = {loc["nodeID"]: people[loc["personID"]] for loc in data["locutions"]}
    assert by_locution["Lc1"] == "alice" and by_locution["Lc4"] == "alice" and by_locution["Lc2"] == "bob"


@pytest.mark.slow
def test_unknown_authors_are_one_participant_per_comment(sample_analysis):
    """A paste has no authors: its comments are not one speaker arguing with himself."""
    analysis, graph = sample_analysis
    data = aif_of(analysis, graph)
    speakers = {loc["personID"] for loc in data["locutions"]}
    assert len(speakers) == len(data["locutions"]) > 5
    assert {p["firstname"] for p in data["participants"]} == {"[unknown]"}


@pytest.mark.slow
def test_sample_thread_aif(sample_analysis):
    analysis, graph = sample_analysis
    loaded = load(aif_of(analysis, graph))
    assert len(loaded.atom_nodes) == graph.number_of_nodes()
    assert len(loaded.scheme_nodes) == graph.number_of_edges()
