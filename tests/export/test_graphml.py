"""GraphML (plain, yEd-styled, authors) read back by networkx and by igraph."""

import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from argmap.export import get_exporter

igraph = pytest.importorskip("igraph", reason="python-igraph (the test extra) reads GraphML as Gephi-like tools do")

CLAIM_KEYS = ("label", "text", "author", "url", "topic", "topic_label", "rank", "controversy",
              "supports", "rebuts", "contested", "consensus", "unanswered")


def write(tmp_path, fmt, analysis, graph, name=None):
    path = tmp_path / (name or f"map.{fmt}.graphml")
    path.write_bytes(get_exporter(fmt).render(analysis, graph))
    return path


def key_types(path):
    """(for, attr.name) -> attr.type of every GraphML key."""
    root = ET.parse(path).getroot()
    keys = {}
    for key in root.iter("{http://graphml.graphdrawing.org/xmlns}key"):
        if key.get("attr.name"):
            pair = (key.get("for"), key.get("attr.name"))
            assert pair not in keys, f"{pair} declared twice"
            keys[pair] = key.get("attr.type")
    return keys


@pytest.mark.parametrize("fmt", ["graphml", "graphml-yed"])
def test_graphml_read_by_networkx_and_igraph(tmp_path, debate_map, fmt):
    analysis, graph = debate_map
    path = write(tmp_path, fmt, analysis, graph)
    back = nx.read_graphml(path)
    assert set(back.nodes) == set(graph.nodes) and set(back.edges) == set(graph.edges)
    for node, attrs in back.nodes(data=True):
        for key in CLAIM_KEYS:
            assert key in attrs, (node, key)
        assert attrs["topic"] == graph.nodes[node]["topic"]
        assert attrs["rank"] == pytest.approx(graph.nodes[node]["rank"])
        assert attrs["contested"] is graph.nodes[node]["contested"]
    for source, target, attrs in back.edges(data=True):
        assert attrs["relation"] == graph.edges[source, target]["relation"]
        assert attrs["weight"] > 0 and attrs["label"] == attrs["relation"]

    loaded = igraph.Graph.Read_GraphML(str(path))
    assert loaded.vcount() == graph.number_of_nodes() and loaded.ecount() == graph.number_of_edges()
    assert loaded.is_directed()
    names = loaded.vs["id"]
    for edge in loaded.es:
        source, target = names[edge.source], names[edge.target]
        assert edge["relation"] == graph.edges[source, target]["relation"]
    assert sorted(loaded.vs["topic"]) == sorted(a["topic"] for _n, a in graph.nodes(data=True))

    types = key_types(path)
    assert types[("node", "topic")] in ("int", "long") and types[("node", "rank")] == "double"
    assert types[("node", "contested")] == "boolean" and types[("edge", "weight")] == "double"


def test_no_none_lists_or_dicts(tmp_path, debate_map):
    analysis, graph = debate_map
    text = write(tmp_path, "graphml", analysis, graph).read_text(encoding="utf-8")
    assert ">None<" not in text and "[{" not in text
    back = nx.read_graphml(tmp_path / "map.graphml.graphml")
    for _node, attrs in back.nodes(data=True):
        assert all(isinstance(v, (str, int, float, bool)) for v in attrs.values())
    assert "topics" not in back.graph, "the topic table is a list: nodes carry topic_label instead"


def test_yed_variant_has_yfiles_graphics(tmp_path, debate_map):
    analysis, graph = debate_map
    path = write(tmp_path, "graphml-yed", analysis, graph)
    root = ET.parse(path).getroot()
    y = "{http://www.yworks.com/xml/graphml}"
    shapes = list(root.iter(f"{y}ShapeNode"))
    assert len(shapes) == graph.number_of_nodes()
    assert len(list(root.iter(f"{y}PolyLineEdge"))) == graph.number_of_edges()
    colours = {edge.find(f"{y}LineStyle").get("color") for edge in root.iter(f"{y}PolyLineEdge")}
    assert {"#2E7D32", "#C62828"} <= colours  # supports green, rebuttals red
    back = nx.read_graphml(path)  # networkx reads the yFiles geometry too
    assert all("x" in attrs and "y" in attrs for _n, attrs in back.nodes(data=True))
    boxes = [{k: float(shape.find(f"{y}Geometry").get(k)) for k in ("x", "y", "width", "height")} for shape in shapes]
    overlapping = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                   if a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
                   and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]]
    assert not overlapping, "the map opens readable: no box over another"


def test_author_graph(tmp_path, debate_map):
    analysis, graph = debate_map
    path = write(tmp_path, "authors", analysis, graph)
    back = nx.read_graphml(path)
    assert set(back.nodes) == {"op", "alice", "bob", "carol", "dave", "erin", "frank", "gina"}
    assert back.nodes["alice"]["claims"] == 3
    assert back.edges["bob", "alice"]["rebuts"] == 1 and back.edges["bob", "alice"]["stance"] == -1.0
    assert back.edges["carol", "alice"]["supports"] == 1
    assert back.edges["carol", "alice"]["restates"] == 1
    assert not back.has_edge("alice", "alice"), "answering oneself is no exchange"
    loaded = igraph.Graph.Read_GraphML(str(path))
    assert loaded.vcount() == 8 and loaded.ecount() == back.number_of_edges()
    assert min(loaded.es["weight"]) > 0


@pytest.mark.slow
def test_sample_thread_graphml_reads_in_igraph(tmp_path, sample_analysis):
    analysis, graph = sample_analysis
    loaded = igraph.Graph.Read_GraphML(str(write(tmp_path, "graphml", analysis, graph)))
    assert loaded.vcount() == graph.number_of_nodes() and loaded.ecount() == graph.number_of_edges()
    assert set(loaded.vs["topic"]) == {a["topic"] for _n, a in graph.nodes(data=True)}
