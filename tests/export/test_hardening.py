"""Exports of hostile text: control characters and lone surrogates, formula cells, script URLs, HTML."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
import zipfile

import networkx as nx
import pytest

from argmap.export import format_names, get_exporter, safe_url, xml_safe
from argmap.analytics.graph import build_graph
from argmap.model import thread_from_dict
from tests.export.hostile import BAD_URLS, hostile_analysis

XML_FORMATS = ("graphml", "graphml-yed", "authors")


@pytest.fixture(scope="module")
def hostile_map():
    analysis = hostile_analysis()
    return analysis, build_graph(analysis)


def test_xml_safe_removes_what_xml_cannot_hold():
    assert xml_safe("a\x00b\x01c\x0bd\x1fe\ufffef\tg\nh\ri") == "abcdef\tg\nh\ri"
    assert xml_safe("x\ud800y") == "x\ufffdy"


def test_safe_url_keeps_only_http():
    assert safe_url("https://ok.example/a") == "https://ok.example/a"
    assert safe_url("HTTP://ok.example") == "HTTP://ok.example"
    for url in BAD_URLS + ("", None, "  javascript:x", "//evil.example", "ftp://x.y/"):
        assert safe_url(url) == ""


@pytest.mark.parametrize("fmt", format_names())
def test_every_format_renders_hostile_text(hostile_map, fmt):
    analysis, graph = hostile_map
    body = get_exporter(fmt).render(analysis, graph)
    if fmt == "csv":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            text = "".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    else:
        text = body.decode("utf-8")
    for url in BAD_URLS + ("javascript:alert(1)",):
        assert url not in text and url.replace("<", "&lt;") not in text, (fmt, url)
    if fmt in ("graphml", "cytoscape", "json", "csv", "aif", "argdown"):
        assert "https://ok.example/c2" in text, fmt


@pytest.mark.parametrize("fmt", XML_FORMATS)
def test_xml_exports_are_well_formed_without_control_characters(hostile_map, fmt):
    analysis, graph = hostile_map
    body = get_exporter(fmt).render(analysis, graph)
    ET.fromstring(body)  # well-formed
    back = nx.read_graphml(io.BytesIO(body))
    assert back.number_of_nodes() > 0
    text = body.decode("utf-8")
    assert not any(ch in text for ch in "\x01\x02\x0b\x1f"), fmt
    if fmt != "authors":
        assert "Bad title" in text and "\ufffd" in text


def test_repeated_graphml_renders_of_bad_text_keep_working(hostile_map):
    analysis, graph = hostile_map
    for _ in range(200):
        for fmt in XML_FORMATS:
            get_exporter(fmt).render(analysis, graph)


def test_csv_cells_never_start_a_formula_and_urls_are_http(hostile_map):
    analysis, graph = hostile_map
    with zipfile.ZipFile(io.BytesIO(get_exporter("csv").render(analysis, graph))) as archive:
        tables = {name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
                  for name in archive.namelist()}
    claims = {row["id"]: row for row in tables["claims.csv"]}
    assert claims["c1:0"]["text"].startswith("'=HYPERLINK(")
    assert claims["c2:0"]["text"] == "'-2+3 is not true."
    assert claims["c2:0"]["author"] == "'@bob"
    assert claims["c3:0"]["author"] == "'+carol"
    assert claims["c3:0"]["text"].startswith("'\t")
    assert claims["c4:0"]["text"].startswith("'\r")
    for rows in tables.values():
        for row in rows:
            for value in row.values():
                assert not value or value[0] not in "=+-@\t\r", row
    assert claims["c1:0"]["url"] == "" and claims["c3:0"]["url"] == "" and claims["c4:0"]["url"] == ""
    assert claims["c2:0"]["url"] == "https://ok.example/c2"
    relations = tables["relations.csv"]
    assert any(row["source_text"] == "'-2+3 is not true." for row in relations)
    assert all(row["confidence"] and float(row["confidence"]) > 0 for row in relations)  # numbers untouched


def test_csv_keeps_negative_numbers_as_numbers():
    from argmap.export.csv_tables import cell

    assert cell(-0.5) == -0.5 and cell(None) == "" and cell("-x") == "'-x" and cell("a=b") == "a=b"


def test_markdown_summary_escapes_titles_and_authors(hostile_map):
    analysis, graph = hostile_map
    text = get_exporter("summary").render(analysis, graph).decode("utf-8")
    assert "<script>" not in text and "<b>" not in text
    first = text.splitlines()[0]
    assert first == r"# Bad title &lt;script&gt;alert(1)&lt;/script&gt; \*x\*"
    assert "&lt;b&gt;dave&lt;/b&gt;" in text
    assert r"\+carol" in text and "- +carol" not in text
    assert r"\[a link\](x)" in text


def test_canonical_reader_cleans_text():
    thread = thread_from_dict({"id": "t\ud800", "title": "A\x01 title", "author": "x\x02y",
                               "comments": [{"id": "c1", "parent_id": "t\ud800", "text": "one\x01 \ud83d two\x00",
                                             "author": "a\x1bb"}]})
    assert thread.id == "t\ufffd" and thread.title == "A title" and thread.author == "xy"
    comment = thread.comments[0]
    assert comment.text == "one \ufffd two" and comment.author == "ab" and comment.parent_id == "t\ufffd"
    json.dumps(thread.title).encode("utf-8")


def test_file_reader_cleans_recorded_shapes_too(tmp_path):
    from argmap.sources.files import load_file

    path = tmp_path / "thread.json"
    path.write_text(json.dumps({"id": "t1", "title": "T\u0001", "comments": [
        {"id": "c1", "parent_id": "t1", "text": "bad \u0001 and \ud800 here"}]}), encoding="utf-8")
    thread = load_file(path)
    assert thread.title == "T" and thread.comments[0].text == "bad  and \ufffd here"
