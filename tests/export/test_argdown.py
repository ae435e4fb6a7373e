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
