"""CLI failures end in one ``argmap: error:`` line and exit 2, found before the work, bounded in memory."""

from __future__ import annotations

import json
import os

import pytest

from tests.cli import argmap, one_error_line
from tests.conftest import SAMPLE_JSON
from tests.wrong_types import WRONG_TYPES


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


@pytest.mark.parametrize("data", WRONG_TYPES)
def test_thread_json_with_a_field_of_the_wrong_type_is_one_error_line(tmp_path, data):
    path = tmp_path / "thread.json"
    path.write_text(json.dumps(data))
    assert "malformed" in one_error_line(argmap("fetch", str(path)))


def test_format_help_names_every_format():
    from argmap.cli import FORMATS_HELP
    from argmap.export import format_names

    assert sorted(name.split(" (")[0] for name in FORMATS_HELP.split(", ")) == format_names()


@pytest.mark.parametrize("args, message", [
    (["analyze", str(SAMPLE_JSON), "--threshold", "5"], "--threshold"),
    (["analyze", str(SAMPLE_JSON), "--threshold", "nan"], "--threshold"),
    (["analyze", str(SAMPLE_JSON), "--max-comments", "0"], "--max-comments"),
    (["serve", "--port", "99999"], "--port"),
    (["serve", "--threads", "0"], "--threads"),
])
def test_out_of_range_options_are_refused(args, message):
    result = argmap(*args)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2 and message in stderr and "Traceback" not in stderr, stderr


def test_max_comments_cuts_a_thread_file_too(tmp_path):
    out = tmp_path / "thread.json"
    assert argmap("fetch", str(SAMPLE_JSON), "--max-comments", "3", "-o", str(out)).returncode == 0
    thread = json.loads(out.read_text())
    assert len(thread["comments"]) == 3 and any("cut at 3 comments" in note for note in thread.get("notes", []))
    kept = {c["id"] for c in thread["comments"]}
    assert all(c["parent_id"] in kept | {thread["id"]} for c in thread["comments"])


def test_a_binary_list_of_urls_is_one_error_line(tmp_path):
    path = tmp_path / "urls.bin"
    path.write_bytes(bytes(range(256)))
    assert "cannot read the list" in one_error_line(argmap("batch", str(path), "--out", str(tmp_path / "out")))


def test_a_busy_port_is_one_error_line():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert "cannot listen" in one_error_line(argmap("serve", "--port", str(port), timeout=60))


def test_a_bad_shorthand_says_what_is_wrong_with_it():
    result = argmap("analyze", "hn:999999999999")
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2 and "no valid Hacker News item id" in stderr, stderr


def test_serving_a_public_address_without_tokens_warns():
    import socket

    with socket.socket() as taken:  # the port is busy, so serve stops right after its checks
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = argmap("serve", "--host", "0.0.0.0", "--port", str(port), timeout=60)
    stderr = result.stderr.decode()
    assert "with no API tokens: anyone who reaches it can list, read and delete" in stderr
    assert "cannot listen" in stderr and result.returncode == 2


def test_the_format_follows_the_output_name_and_exports_are_no_threads(tmp_path):
    made = argmap("analyze", str(SAMPLE_JSON), "-q", "-o", str(tmp_path / "map.graphml"))
    assert made.returncode == 0, made.stderr.decode()
    assert (tmp_path / "map.graphml").read_text(encoding="utf-8").startswith("<?xml")  # not JSON named .graphml
    assert "XML (a GraphML export?)" in one_error_line(argmap("analyze", str(tmp_path / "map.graphml"), "-q"))
    assert argmap("analyze", str(SAMPLE_JSON), "-q", "-o", str(tmp_path / "map.json")).returncode == 0
    assert "a map argmap exported" in one_error_line(argmap("analyze", str(tmp_path / "map.json"), "-q"))
    assert "name the output ….zip" in one_error_line(argmap("analyze", str(SAMPLE_JSON), "-o", str(tmp_path / "c.csv")))


def test_settings_and_hosts_out_of_range_are_one_error_line(tmp_path):
    result = argmap("analyze", str(SAMPLE_JSON), env={"ARGMAP_EDGE_THRESHOLD": "2"})
    assert "ARGMAP_EDGE_THRESHOLD should be a confidence from 0 to 1" in one_error_line(result)
    served = argmap("serve", "--host", "999.1.1.1", "--port", "5079")  # warns (a public address), then fails
    assert served.returncode == 2 and "argmap: error: cannot listen on 999.1.1.1" in served.stderr.decode()
    assert "Traceback" not in served.stderr.decode()
    assert "--poll" in argmap("batch", str(tmp_path / "x.txt"), "--out", str(tmp_path), "--poll", "nan").stderr.decode()
    assert argmap("-h").returncode == 0


def test_an_instance_cache_that_cannot_be_written_is_one_error_line(tmp_path):
    (tmp_path / "cache.sqlite").mkdir()  # SQLite cannot open it (as a read-only folder, for root too)
    result = argmap("analyze", str(SAMPLE_JSON), "-q", env={"ARGMAP_INSTANCE_PATH": str(tmp_path)})
    assert "cannot write the cache" in one_error_line(result)


def test_ctrl_c_is_one_line_and_status_130(tmp_path, threads_dir):
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT

    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "ARGMAP_INSTANCE_PATH": str(tmp_path)}
    thread = threads_dir / "reddit" / "praw_fo7p5b.json"  # 477 comments: several seconds of work
    process = subprocess.Popen([sys.executable, "-m", "argmap.cli", "analyze", str(thread), "-q", "-o",
                                str(tmp_path / "map.json")], cwd=ROOT, env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while not (tmp_path / "cache.sqlite").exists() and time.monotonic() < deadline:
        time.sleep(0.1)  # the instance cache is opened once the command runs: imports are done
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the analysis finished before the signal")
    assert process.returncode == 130 and err.decode().strip().splitlines()[-1] == "argmap: interrupted"
    assert "Traceback" not in err.decode()
