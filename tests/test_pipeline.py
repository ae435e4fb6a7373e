"""The whole pipeline on the sample thread with the real spaCy and MiniLM models."""

import json
import subprocess
import sys

import networkx as nx
import pytest

from argmap.pipeline import export

from .conftest import ROOT, SAMPLE_TEXT

pytestmark = pytest.mark.slow


def test_claims_are_assertions_with_exact_offsets(sample_analysis):
    analysis, _graph = sample_analysis
    texts = {(c.id, "text"): c.text for c in analysis.thread.comments}
    texts[analysis.thread.id, "title"] = analysis.thread.title
    texts[analysis.thread.id, "text"] = analysis.thread.text
    assert len(analysis.claims) >= 15
    for claim in analysis.claims:
        assert texts[claim.comment_id, claim.field][claim.start:claim.end] == claim.text
        assert not claim.text.startswith(">")
        assert not claim.text.rstrip().endswith("?")
    texts = [c.text for c in analysis.claims]
    assert any(t.endswith("The vast majority.") for t in texts), "the fragment joins its sentence"
    assert not any(t == "The vast majority." for t in texts)


def test_quoted_claim_is_resolved(sample_analysis):
    analysis, _graph = sample_analysis
    by_id = {c.id: c for c in analysis.claims}
    quoting = [c for c in analysis.claims if c.quote_of]
    assert quoting, "the '>' reply points at the claim it quotes"
    assert "thin facade of product" in by_id[quoting[0].quote_of].text


def test_json_export_follows_the_contract(sample_analysis):
    analysis, graph = sample_analysis
    data = json.loads(export(analysis, graph, "json"))
    claim_nodes = [n for n in data["nodes"] if n["kind"] == "claim"]
    assert len(claim_nodes) == len(analysis.claims)
    for node in claim_nodes:
        for key in ("text", "comment_id", "start", "end", "author", "topic", "rank"):
            assert key in node
    ids = {n["id"] for n in data["nodes"]}
    assert data["edges"], "the sample thread has argument edges"
    for edge in data["edges"]:
        assert edge["relation"] in ("supports", "rebuts", "restates")
        assert 0.0 <= edge["confidence"] <= 1.0
        assert edge["source"] in ids and edge["target"] in ids


def test_graphml_round_trips(sample_analysis, tmp_path):
    analysis, graph = sample_analysis
    path = tmp_path / "map.graphml"
    path.write_bytes(export(analysis, graph, "graphml"))
    back = nx.read_graphml(path)
    assert set(back.nodes) == set(graph.nodes)
    assert set(back.edges) == set(graph.edges)
    for source, target, attrs in back.edges(data=True):
        assert attrs["relation"] == graph.edges[source, target]["relation"]
        assert attrs["weight"] > 0


def run_cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "argmap.cli", *args], capture_output=True, text=True,
                          input=stdin, cwd=ROOT, timeout=600)


def test_cli_writes_graphml(tmp_path):
    out = tmp_path / "map.graphml"
    result = run_cli("analyze", str(SAMPLE_TEXT), "--format", "graphml", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "claims" in result.stderr  # progress was shown
    assert nx.read_graphml(out).number_of_nodes() > 10


@pytest.mark.parametrize("args, stdin, message", [
    (("analyze", "no/such/file.json"), None, "neither a file nor a supported URL"),
    (("analyze", "-"), "", "empty"),
    (("analyze", "-"), '{"id": "1", "comments": [{"id": "2", "parent_id": "9", "text": "x"}]}', "not in the thread"),
    (("analyze", "-", "--format", "pdf"), "A claim here is made.", "unknown format"),
])
def test_cli_user_errors_are_one_line_exit_2(args, stdin, message):
    result = run_cli(*args, stdin=stdin)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_stance_model_is_said_in_the_notes(settings, tmp_path):
    """Without its files the stance head falls back to the marker rules: far weaker, so the map says so."""
    from argmap.model import Comment, Thread
    from argmap.pipeline import analyze_thread

    thread = Thread("hn", "t1", title="Remote work", comments=[
        Comment("c1", "t1", "Remote work saves hours of commuting every day."),
        Comment("c2", "c1", "No, remote work makes teams lose contact with each other.")])
    empty = settings.replace(models_path=tmp_path / "models", relation_method="model")
    analysis, _graph = analyze_thread(thread, settings=empty)
    assert any("stance model's files are missing" in note and "ARGMAP_MODELS_PATH" in note for note in analysis.thread.notes)
