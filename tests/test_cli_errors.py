"""CLI failures end in one ``argmap: error:`` line and exit 2, found before the work, bounded in memory."""

from __future__ import annotations

import json
import os

import pytest

from tests.cli import argmap, one_error_line
from tests.conftest import SAMPLE_JSON


def test_closed_stdin():
    line = one_error_line(argmap("fetch", "-", shell_redirect="<&-"))
    assert "standard input is closed" in line
    line = one_error_line(argmap("analyze", "-", "-q", shell_redirect="<&-"))
    assert "standard input is closed" in line


def test_output_folder_is_refused_before_the_work(tmp_path):
    line = one_error_line(argmap("analyze", str(SAMPLE_JSON), "-o", str(tmp_path)))
    assert "is a folder" in line  # and no progress line: the analysis never started


def test_output_in_a_missing_folder_is_refused_before_the_work(tmp_path):
    line = one_error_line(argmap("analyze", str(SAMPLE_JSON), "-o", str(tmp_path / "nonexistent" / "x")))
    assert "no folder" in line


def test_closed_stdout_is_refused_before_the_work():
    line = one_error_line(argmap("analyze", str(SAMPLE_JSON), shell_redirect=">&-"))
    assert "standard output is closed" in line
    one_error_line(argmap("fetch", str(SAMPLE_JSON), shell_redirect=">&-"))


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_full_disk_is_one_error_line():
    line = one_error_line(argmap("fetch", str(SAMPLE_JSON), shell_redirect=">/dev/full"))
    assert "cannot write to standard output" in line and "No space left" in line


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_endless_input_stops_at_the_size_limit():
    line = one_error_line(argmap("fetch", "/dev/zero"))
    assert "larger than 64 MB" in line
    with open("/dev/zero", "rb") as zero:
        line = one_error_line(argmap("fetch", "-", stdin=zero))
    assert "standard input is larger than 64 MB" in line
    line = one_error_line(argmap("analyze", "/dev/zero", "-q"))
    assert "larger than 64 MB" in line


def test_deeply_nested_json_is_one_error_line(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert "nested too deeply" in one_error_line(argmap("fetch", str(path)))
    path.write_text('{"id": "t", "comments": []' + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert "nested too deeply" in one_error_line(argmap("fetch", str(path)))
    with open(path, "rb") as handle:
        assert "nested too deeply" in one_error_line(argmap("analyze", "-", "-q", stdin=handle))


def test_lone_surrogates_and_control_characters_are_cleaned_on_input(tmp_path):
    path = tmp_path / "thread.json"
    path.write_text(json.dumps({"id": "t\ud800", "title": "T\ud83d\u0001", "comments": [
        {"id": "c1", "parent_id": "t\ud800", "text": "A comment \udc00 with \u0001 a surrogate."}]}))
    result = argmap("fetch", str(path))
    assert result.returncode == 0, result.stderr.decode()
    thread = json.loads(result.stdout.decode("utf-8"))
    assert thread["id"] == "t\ufffd" and thread["title"] == "T\ufffd"
    assert thread["comments"][0]["text"] == "A comment \ufffd with  a surrogate."
