"""The store on its own: atomic results, restart recovery, idempotency, kept exports."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from argmap.analytics.graph import build_graph
from argmap.analytics.summary import status_summary
from argmap.export import render_kept
from argmap.model import Analysis, Claim, Thread
from argmap.store import Store


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """Each store test on a fresh SQLite file and on a fresh database of a real PostgreSQL server."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_store")
    return Store(f"sqlite:///{tmp_path / 'argmap.sqlite'}")


def tiny_analysis(**stats) -> Analysis:
    thread = Thread(source="text", id="t1", title="Tiny")
    return Analysis(thread=thread, claims=[Claim("t1:0", "t1", "Tiny is fine.", 0, 13)], relations=[],
                    stats={"claims": 1, **stats})


def finish(store: Store, analysis_id: str, analysis: Analysis, graph=None) -> bool:
    graph = graph if graph is not None else build_graph(analysis)
    return store.finish(analysis_id, analysis, graph, status_summary(analysis, graph))


def test_a_failed_result_write_leaves_no_half_result(store):
    row, _ = store.create_analysis({"text": "Tiny is fine."})
    assert store.start(row["id"])["status"] == "running"
    try:
        finish(store, row["id"], tiny_analysis(broken={1, 2}))  # a set cannot be stored as JSON
    except (TypeError, sa.exc.StatementError):
        pass
    else:
        raise AssertionError("storing an unserialisable result should fail")
    after = store.get_analysis(row["id"])
    assert after["status"] == "running" and store.get_result(row["id"]) is None

    assert finish(store, row["id"], tiny_analysis())
    done = store.get_analysis(row["id"])
    assert done["status"] == "done" and done["thread_id"] == "t1"
    result, graph = store.get_result(row["id"])
    assert result.claims[0].text == "Tiny is fine." and result.thread.title == "Tiny"
    assert list(graph.nodes) == ["t1:0"]
    assert store.get_summary(row["id"])["counts"]["claims"] == 1
    assert b"Tiny is fine." in render_kept(store, row["id"], "graphml")


def test_requeue_after_a_crash_and_start_is_exclusive(store):
    running, _ = store.create_analysis({"text": "Left running."})
    queued, _ = store.create_analysis({"text": "Left queued."})
    finished, _ = store.create_analysis({"text": "Finished."})
    live, _ = store.create_analysis({"text": "Running in a live process."})
    store.start(running["id"], lease=-1)  # its process died: the lease has run out
    store.start(live["id"], lease=60)  # another live process runs it and renews its lease
    store.start(finished["id"])
    store.fail(finished["id"], "bad_input", "nothing to analyse")

    ids = store.requeue_unfinished()
    assert running["id"] in ids and queued["id"] in ids and finished["id"] not in ids
    assert live["id"] not in ids and store.get_analysis(live["id"])["status"] == "running"
    assert store.start(live["id"]) is None  # a live lease is never taken over
    assert store.get_analysis(running["id"])["status"] == "queued"
    assert store.start(finished["id"]) is None  # finished work is never started again
    assert store.start(running["id"])["attempts"] == 2
    store.renew(live["id"], lease=-1)  # its heartbeat stopped
    assert store.requeue_expired() == [live["id"]]


def test_timestamps_are_utc_and_progress_is_stored(store):
    row, _ = store.create_analysis({"text": "Clock check."})
    store.start(row["id"])
    store.set_progress(row["id"], "claims", 3, 10, "3 of 10 comments")
    stored = store.get_analysis(row["id"])
    assert stored["created_at"].utcoffset().total_seconds() == 0
    assert (stored["stage"], stored["progress_done"], stored["progress_total"]) == ("claims", 3, 10)


def test_database_url_setting_and_sqlite_wal(tmp_path, store):
    from argmap.settings import Settings

    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite'}"
    assert Settings.from_env({"ARGMAP_DATABASE_URL": url}).database == url
    assert Settings.from_env({"ARGMAP_INSTANCE_PATH": str(tmp_path)}).database == \
        f"sqlite:///{tmp_path / 'argmap.sqlite'}"
    elsewhere = Store(url)
    row, _ = elsewhere.create_analysis({"text": "Stored elsewhere."})
    assert (tmp_path / "elsewhere.sqlite").exists()
    with elsewhere.engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    assert store.get_analysis(row["id"]) is None  # another database is another file


def test_the_app_store_opens_the_configured_database(make_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'configured.sqlite'}"
    assert make_app(DATABASE_URL=url).extensions["argmap_store"].url == url


def test_an_analysis_deleted_while_it_runs_stores_nothing(store):
    row, _ = store.create_analysis({"text": "Deleted midway."})
    store.start(row["id"])
    assert store.delete_analysis(row["id"])
    assert finish(store, row["id"], tiny_analysis()) is False
    assert store.get_result(row["id"]) is None and store.get_analysis(row["id"]) is None


def test_exports_render_the_graph_the_pipeline_annotated(store):
    """Topics are found with the claim vectors during the analysis; a download must not redo them."""
    analysis = tiny_analysis()
    graph = build_graph(analysis)
    for node in graph.nodes:
        graph.nodes[node]["topic_label"] = "as the pipeline found it"
    row, _ = store.create_analysis({"text": "Tiny is fine."})
    store.start(row["id"])
    assert finish(store, row["id"], analysis, graph)
    exported = json.loads(render_kept(store, row["id"], "json"))
    assert {n["topic_label"] for n in exported["nodes"]} == {"as the pipeline found it"}


def test_an_export_is_rendered_once_and_kept(store, monkeypatch):
    from argmap import export

    row, _ = store.create_analysis({"text": "Tiny is fine."})
    store.start(row["id"])
    finish(store, row["id"], tiny_analysis())
    first = render_kept(store, row["id"], "graphml")
    monkeypatch.setattr(export, "get_exporter", lambda name: pytest.fail("a kept export was rendered again"))
    assert render_kept(store, row["id"], "graphml") == first
    assert store.delete_analysis(row["id"]) and store.get_export(row["id"], "graphml") is None


def test_concurrent_creates_with_one_idempotency_key_get_one_analysis(store):
    from concurrent.futures import ThreadPoolExecutor

    for trial in range(6):
        key = f"same-key-{trial}"
        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(lambda _: store.create_analysis({"text": "Same."}, idempotency_key=key),
                                    range(12)))
        assert len({row["id"] for row, _ in answers}) == 1
        assert sum(created for _, created in answers) == 1
        _batch = [store.create_batch([{"text": "B."}], idempotency_key=key) for _ in range(2)]
        assert _batch[0][0]["id"] == _batch[1][0]["id"]


def test_a_health_check_writes(store):
    store.ping()
    store.ping()
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM probes")).scalar() == 1
