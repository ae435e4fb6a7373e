"""Argdown parsed by the official parser (@argdown/core from npm) with zero errors."""

import pytest

from argmap.export import get_exporter
from argmap.export.argdown import title
from tests.export.argdown_parser import parse_argdown


def render(analysis, graph) -> str:
    return get_exporter("argdown").render(analysis, graph).decode("utf-8")


def test_parser_reports_errors(tmp_path):
    """The checker itself fails on broken Argdown (so a pass means something)."""
    with pytest.raises(AssertionError):
        parse_argdown("[a]: text [unclosed <b> {x: \n  <+ \n", tmp_path)


def test_debate_parses_with_zero_errors(tmp_path, debate_map):
    analysis, graph = debate_map
    parsed = parse_argdown(render(analysis, graph), tmp_path)
    assert parsed["statements"] == graph.number_of_nodes()
    expected = {(title(s), title(t), {"supports": "support", "rebuts": "attack"}[a["relation"]])
                for s, t, a in graph.edges(data=True) if a["relation"] != "restates"}
    assert {(r["from"], r["to"], r["type"]) for r in parsed["relations"]} == expected
    for node, attrs in graph.nodes(data=True):
        key = title(node)
        assert parsed["tags"][key] == [attrs["topic_label"]]
        assert parsed["data"][key]["author"] == (attrs["author"] or "")
        assert parsed["data"][key]["comment"] == attrs["comment_id"]
        text = parsed["texts"][key].replace(f"#({attrs['topic_label']})", "").strip()
        assert text == " ".join(attrs["text"].split()), "special characters survive escaping"


@pytest.mark.slow
def test_sample_thread_parses(tmp_path, sample_analysis):
    analysis, graph = sample_analysis
    parsed = parse_argdown(render(analysis, graph), tmp_path)
    assert parsed["statements"] == graph.number_of_nodes()
    assert len(parsed["relations"]) == sum(a["relation"] != "restates" for *_e, a in graph.edges(data=True))


def test_odd_ids_titles_and_metadata_parse_as_written(tmp_path):
    """Ids that differ only in punctuation stay apart, and a title with ``===``, metadata with
    ``}`` and dotted text (``.A.`` is an Argdown shortcode) come back as written."""
    from argmap.analytics.graph import build_graph
    from argmap.model import Analysis, Claim, Comment, Relation, Thread

    thread = Thread(source="file", id="t", title="JavaScript's === operator {considered} harmful", comments=[
        Comment(id="a_b", parent_id="t", text="The U.A.E. and N.E.O. see https://xkcd.com/882/ daily.", author="x} y"),
        Comment(id="a-b", parent_id="a_b", text="No, report.final-v2.pdf says .happy. things.", author="bob"),
        Comment(id="日本", parent_id="a-b", text="Yes, 1.v.2 is right.", author="{carol}")])
    claims = [Claim(f"{c.id}:0", c.id, c.text, 0, len(c.text), author=c.author) for c in thread.comments]
    relations = [Relation("a-b:0", "a_b:0", "rebuts", 0.8), Relation("日本:0", "a-b:0", "supports", 0.7)]
    analysis = Analysis(thread, claims, relations)
    graph = build_graph(analysis)
    text = render(analysis, graph)
    parsed = parse_argdown(text, tmp_path)
    assert parsed["statements"] == graph.number_of_nodes() == len({title(node) for node in graph.nodes}) >= 3
    assert {(r["from"], r["to"], r["type"]) for r in parsed["relations"]} == {
        (title("a-b:0"), title("a_b:0"), "attack"), (title("日本:0"), title("a-b:0"), "support")}
    for claim in claims:
        assert parsed["texts"][title(claim.id)].split(" #(")[0] == claim.text
    assert parsed["data"][title("a_b:0")]["author"] == "x} y"
    assert parsed["data"][title("日本:0")]["author"] == "{carol}"
