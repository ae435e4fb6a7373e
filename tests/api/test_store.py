"""The store on its own: atomic results, restart recovery, idempotency, configuration."""

from __future__ import annotations

import json

import sqlalchemy as sa

from argmap import store
from argmap.model import Analysis, Claim, Thread


def tiny_analysis(**stats) -> Analysis:
    thread = Thread(source="text", id="t1", title="Tiny")
    return Analysis(thread=thread, claims=[Claim("t1:0", "t1", "Tiny is fine.", 0, 13)], relations=[],
                    stats={"claims": 1, **stats})


def test_a_failed_result_write_leaves_no_half_result():
    row, _ = store.create_analysis({"text": "Tiny is fine."})
    assert store.start(row["id"])["status"] == "running"
    try:
        store.finish(row["id"], tiny_analysis(broken={1, 2}))  # a set cannot be stored as JSON
    except (TypeError, sa.exc.StatementError):
        pass
    else:
        raise AssertionError("storing an unserialisable result should fail")
    after = store.get_analysis(row["id"])
    assert after["status"] == "running" and store.get_result(row["id"]) is None

    assert store.finish(row["id"], tiny_analysis())
    done = store.get_analysis(row["id"])
    assert done["status"] == "done" and done["thread_id"] == "t1"
    result = store.get_result(row["id"])
    assert result.claims[0].text == "Tiny is fine." and result.thread.title == "Tiny"
    assert store.get_summary(row["id"])["counts"]["claims"] == 1
    assert b"Tiny is fine." in store.render_result(row["id"], "graphml")


def test_requeue_after_a_crash_and_start_is_exclusive():
    running, _ = store.create_analysis({"text": "Left running."})
    queued, _ = store.create_analysis({"text": "Left queued."})
    finished, _ = store.create_analysis({"text": "Finished."})
    store.start(running["id"])
    store.start(finished["id"])
    store.fail(finished["id"], "bad_input", "nothing to analyse")

    ids = store.requeue_unfinished()
    assert running["id"] in ids and queued["id"] in ids and finished["id"] not in ids
    assert store.get_analysis(running["id"])["status"] == "queued"
    assert store.start(finished["id"]) is None  # finished work is never started again
    assert store.start(running["id"])["attempts"] == 2


def test_timestamps_are_utc_and_progress_is_stored():
    row, _ = store.create_analysis({"text": "Clock check."})
    store.start(row["id"])
    store.set_progress(row["id"], "claims", 3, 10, "3 of 10 comments")
    stored = store.get_analysis(row["id"])
    assert stored["created_at"].utcoffset().total_seconds() == 0
    assert (stored["stage"], stored["progress_done"], stored["progress_total"]) == ("claims", 3, 10)


def test_database_url_setting_and_sqlite_wal(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite'}"
    monkeypatch.setenv("ARGMAP_DATABASE_URL", url)
    assert store.database_url() == url
    row, _ = store.create_analysis({"text": "Stored elsewhere."})
    assert (tmp_path / "elsewhere.sqlite").exists()
    with store.engine().connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    monkeypatch.delenv("ARGMAP_DATABASE_URL")
    assert store.get_analysis(row["id"]) is None  # the default database is another file


def test_an_analysis_deleted_while_it_runs_stores_nothing():
    row, _ = store.create_analysis({"text": "Deleted midway."})
    store.start(row["id"])
    assert store.delete_analysis(row["id"])
    assert store.finish(row["id"], tiny_analysis()) is False
    assert store.get_result(row["id"]) is None and store.get_analysis(row["id"]) is None


def test_exports_render_the_graph_the_pipeline_annotated():
    """Topics are found with the claim vectors during the analysis; a download must not redo them."""
    from argmap.graph import build_graph

    analysis = tiny_analysis()
    graph = build_graph(analysis)
    for node in graph.nodes:
        graph.nodes[node]["topic_label"] = "as the pipeline found it"
    row, _ = store.create_analysis({"text": "Tiny is fine."})
    store.start(row["id"])
    assert store.finish(row["id"], analysis, graph)
    exported = json.loads(store.render_result(row["id"], "json"))
    assert {n["topic_label"] for n in exported["nodes"]} == {"as the pipeline found it"}
