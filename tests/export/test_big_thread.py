"""The 1,371-comment recorded Reddit thread, analysed with the real models: every export
opens in its real reader and the summary reads sensibly."""

import io
import json
import warnings
import zipfile

import networkx as nx
import pytest

from argmap.export import get_exporter
from argmap.analytics.summary import summarize

from ..analytics.reddit_listing import load_listing
from tests.export.argdown_parser import parse_argdown

pytestmark = [pytest.mark.slow, pytest.mark.evaluation]

LISTING = "reddit/asyncpraw2020_n49rw_sort-confidence.json"


@pytest.fixture(scope="module")
def big_map(threads_dir):
    from argmap.pipeline import analyze_thread

    path = threads_dir / LISTING
    if not path.is_file():
        pytest.skip(f"{LISTING} is not in ../shared/threads")
    return analyze_thread(load_listing(path))


def test_summary_reads_sensibly(big_map):
    _analysis, graph = big_map
    summary = summarize(graph)
    assert 5 <= len(summary["topics"]) <= 12
    labels = " ".join(t["label"] for t in summary["topics"])
    assert "memcached" in labels, "the outage's cause is a topic of its own"
    assert all(t["key_phrases"] and t["key_claims"] for t in summary["topics"])
    # disputes and consensus are counted by people (a reply's one stance edge each)
    assert all(c["opponents"] >= 2 and c["supporters"] >= 1 for c in summary["most_contested"])
    assert all(c["supporters"] >= 2 and c["opponents"] == 0 for c in summary["strongest_consensus"])
    people = {p["author"]: p for p in summary["people"]}
    assert people["alienth"]["claims"] >= 10, "the admin who posted answers most"
    assert sum(len(p["rebutted"]) + len(p["supported"]) for p in summary["people"]) >= 5
    edges = [attrs for *_pair, attrs in graph.edges(data=True) if attrs["relation"] in ("supports", "rebuts")]
    replies = [a["reply_id"] for a in edges if a.get("reply_id")]
    assert replies and len(replies) == len(set(replies)), "one edge per reply (no quotes of two parts here)"


def test_graphml_and_authors_open_in_networkx_and_igraph(big_map, tmp_path):
    igraph = pytest.importorskip("igraph")
    analysis, graph = big_map
    for fmt, nodes in (("graphml", graph.number_of_nodes()), ("graphml-yed", graph.number_of_nodes()), ("authors", None)):
        path = tmp_path / f"{fmt}.graphml"
        path.write_bytes(get_exporter(fmt).render(analysis, graph))
        back = nx.read_graphml(path)
        loaded = igraph.Graph.Read_GraphML(str(path))
        assert loaded.vcount() == back.number_of_nodes() and loaded.ecount() == back.number_of_edges()
        if nodes is not None:
            assert back.number_of_nodes() == nodes and back.number_of_edges() == graph.number_of_edges()
        else:
            assert back.number_of_nodes() > 100 and back.number_of_edges() >= 10


def test_aif_opens_in_arguebuf(big_map):
    arguebuf = pytest.importorskip("arguebuf")
    analysis, graph = big_map
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = arguebuf.load.aif(json.loads(get_exporter("aif").render(analysis, graph)))
    assert len(loaded.atom_nodes) == graph.number_of_nodes()
    assert len(loaded.scheme_nodes) == graph.number_of_edges()


def test_argdown_parses_with_zero_errors(big_map, tmp_path):
    analysis, graph = big_map
    parsed = parse_argdown(get_exporter("argdown").render(analysis, graph).decode("utf-8"), tmp_path)
    assert parsed["statements"] == graph.number_of_nodes()
    assert len(parsed["relations"]) == sum(a["relation"] != "restates" for *_e, a in graph.edges(data=True))


def test_csv_and_cytoscape(big_map):
    analysis, graph = big_map
    archive = zipfile.ZipFile(io.BytesIO(get_exporter("csv").render(analysis, graph)))
    claims = archive.read("claims.csv").decode("utf-8-sig").splitlines()
    assert len(claims) >= graph.number_of_nodes() + 1
    data = json.loads(get_exporter("cytoscape").render(analysis, graph))
    assert len(data["elements"]["nodes"]) == graph.number_of_nodes()
    assert len(data["elements"]["edges"]) == graph.number_of_edges()
