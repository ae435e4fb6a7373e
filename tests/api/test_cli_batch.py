"""``argmap batch FILE --out DIR`` through the job system, and ``argmap worker`` without a broker."""

from __future__ import annotations

import networkx as nx
import pytest
from click.testing import CliRunner

from argmap.cli import main
from tests.conftest import SAMPLE_JSON, SAMPLE_TEXT

pytestmark = pytest.mark.slow


def test_batch_writes_every_export_and_summarises_failures(tmp_path, monkeypatch):
    monkeypatch.delenv("ARGMAP_BROKER_URL", raising=False)
    listing = tmp_path / "threads.txt"
    listing.write_text(f"# threads to map\n{SAMPLE_JSON}\n\n{SAMPLE_TEXT}\nnot a thread\n"
                       "https://example.com/forum/1\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(listing), "--out", str(out), "--poll", "0.2"])
    assert result.exit_code == 1, result.output
    files = sorted(out.glob("*.graphml"))
    assert len(files) == 2
    assert all(nx.read_graphml(f).number_of_nodes() > 0 for f in files)
    assert "2 of 4 analysed" in result.output
    assert "not a thread: unsupported_source" in result.output
    assert "https://example.com/forum/1: unsupported_source" in result.output


def test_batch_of_an_empty_list_is_a_clear_error(tmp_path):
    listing = tmp_path / "empty.txt"
    listing.write_text("# nothing yet\n\n")
    result = CliRunner().invoke(main, ["batch", str(listing), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "lists no URLs" in result.output


def test_worker_needs_a_broker(monkeypatch):
    monkeypatch.delenv("ARGMAP_BROKER_URL", raising=False)
    result = CliRunner().invoke(main, ["worker"])
    assert result.exit_code == 2
    assert "ARGMAP_BROKER_URL" in result.output
