"""CSV zip read with the csv module; node-link JSON read by networkx; Cytoscape.js elements."""

import csv
import io
import json
import zipfile

import networkx as nx

from argmap.export import format_names, get_exporter

from ..analytics.debate import TRICKY


def test_every_format_is_registered():
    assert {"json", "graphml", "graphml-yed", "cytoscape", "aif", "argdown", "csv", "authors", "summary"} <= set(format_names())


def test_no_two_formats_download_under_the_same_file_name():
    # a browser saves every download of one analysis as argmap-<title>-<id>.<extension>:
    # JSON and AIF, or the three GraphML flavours, must not overwrite each other
    extensions = [get_exporter(name).extension for name in format_names()]
    assert len(extensions) == len(set(extensions))
    assert get_exporter("aif").extension.endswith(".json")
    assert get_exporter("graphml-yed").extension.endswith(".graphml")
    assert get_exporter("authors").extension.endswith(".graphml")


def read_csv(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_csv_zip(debate_map):
    analysis, graph = debate_map
    archive = zipfile.ZipFile(io.BytesIO(get_exporter("csv").render(analysis, graph)))
    assert set(archive.namelist()) == {"claims.csv", "relations.csv", "topics.csv"}
    claims = read_csv(archive, "claims.csv")
    assert [row["id"] for row in claims] == list(graph.nodes)
    tricky = next(row for row in claims if row["id"] == "c6:0")
    assert tricky["text"] == TRICKY, "commas, quotes and symbols survive"
    assert tricky["author"] == "erin" and tricky["unanswered"] == "True"
    assert next(row for row in claims if row["id"] == "c7:0")["comment_score"] == ""
    relations = read_csv(archive, "relations.csv")
    assert len(relations) == graph.number_of_edges()
    row = next(r for r in relations if (r["source"], r["target"]) == ("c2:0", "c1:0"))
    assert row["relation"] == "rebuts" and float(row["confidence"]) == 0.8
    assert row["target_text"] == graph.nodes["c1:0"]["text"]
    topics = read_csv(archive, "topics.csv")
    assert sum(int(t["size"]) for t in topics) == len(claims)


def test_node_link_json_with_summary(debate_map):
    analysis, graph = debate_map
    data = json.loads(get_exporter("json").render(analysis, graph))
    back = nx.node_link_graph(data, edges="edges")
    assert set(back.edges) == set(graph.edges)
    assert back.nodes["c1:0"]["topic"] == graph.nodes["c1:0"]["topic"]
    assert data["summary"]["strongest_consensus"][0]["id"] == "c5:0"
    assert data["graph"]["topics"][0]["label"]


def test_cytoscape_elements(debate_map):
    analysis, graph = debate_map
    data = json.loads(get_exporter("cytoscape").render(analysis, graph))
    nodes = {n["data"]["id"]: n["data"] for n in data["elements"]["nodes"]}
    assert set(nodes) == set(graph.nodes)
    node = nodes["c1:0"]
    for key in ("label", "text", "author", "comment_id", "url", "topic", "topic_label", "rank", "controversy",
                "supports", "rebuts", "contested", "consensus", "unanswered"):
        assert key in node
    assert "parent" not in node, "'parent' would make Cytoscape.js nest nodes"
    assert len(nodes["c6:0"]["label"]) <= 80
    edges = [e["data"] for e in data["elements"]["edges"]]
    assert len({e["id"] for e in edges}) == len(edges) == graph.number_of_edges()
    for edge in edges:
        assert set(edge) == {"id", "source", "target", "relation", "confidence", "inferred", "inferred_confidence"}
        assert edge["inferred"] is False  # a fetched thread's reply links are real
        assert edge["relation"] == graph.edges[edge["source"], edge["target"]]["relation"]
    assert data["summary"]["people"][0]["author"] == "alice"


def test_summary_markdown(debate_map):
    analysis, graph = debate_map
    text = get_exporter("summary").render(analysis, graph).decode("utf-8")
    assert text.startswith("# Cars downtown") and "## Most contested" in text


def test_a_paste_s_stand_in_is_marked_in_every_table(sample_analysis):
    """The words a paste quoted from a comment it lacks stay marked in the downloads."""
    analysis, graph = sample_analysis
    stand_ins = [node for node, attrs in graph.nodes(data=True) if attrs.get("quoted_only")]
    assert len(stand_ins) == 1
    cytoscape = json.loads(get_exporter("cytoscape").render(analysis, graph))
    marked = [n["data"]["id"] for n in cytoscape["elements"]["nodes"] if n["data"]["quoted_only"]]
    assert marked == stand_ins
    claims = read_csv(zipfile.ZipFile(io.BytesIO(get_exporter("csv").render(analysis, graph))), "claims.csv")
    assert [row["id"] for row in claims if row["quoted_only"] == "True"] == stand_ins
