"""The REST API through Flask's test client, with the real store, pool and models."""

from __future__ import annotations

import io
import json
import zipfile

import networkx as nx
import pytest

from argmap import jobs
from tests.api.conftest import wait_for
from tests.conftest import DATABASES

# every test on a fresh SQLite file and on a fresh database of a real PostgreSQL server
pytestmark = [pytest.mark.slow, pytest.mark.parametrize("database_url", DATABASES, indirect=True)]


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] and body["error"]["message"]
    return body["error"]


def test_analysis_of_pasted_text_runs_to_done_and_exports(client, small_text):
    response = client.post("/api/v1/analyses", json={"text": small_text, "title": "Remote work"})
    assert response.status_code == 202
    created = response.get_json()
    assert response.headers["Location"] == f"/api/v1/analyses/{created['id']}"
    assert created["status"] in ("queued", "running", "done")

    body = wait_for(client, created["id"])
    assert body["status"] == "done", body
    assert body["error"] is None
    assert body["progress"]["stage"] == "done"
    assert body["summary"]["counts"]["comments"] == 3
    assert body["summary"]["counts"]["claims"] >= 3
    assert body["summary"]["top_claims"][0]["text"]
    assert body["title"] == "Remote work"

    graphml = client.get(f"/api/v1/analyses/{created['id']}/graph?format=graphml")
    assert graphml.status_code == 200
    assert graphml.mimetype == "application/graphml+xml"
    assert "attachment" in graphml.headers["Content-Disposition"]
    graph = nx.read_graphml(io.BytesIO(graphml.data))
    assert graph.number_of_nodes() == body["summary"]["counts"]["claims"]

    node_link = client.get(f"/api/v1/analyses/{created['id']}/graph")  # json is the default
    assert node_link.status_code == 200
    assert len(node_link.get_json()["nodes"]) == graph.number_of_nodes()


def test_thread_json_analysis_and_delete(client, sample_thread, store):
    created = client.post("/api/v1/analyses", json={"thread": sample_thread}).get_json()
    assert created["thread_id"] == sample_thread["id"]
    body = wait_for(client, created["id"])
    assert body["status"] == "done"
    assert body["summary"]["counts"]["comments"] == len(sample_thread["comments"])

    listed = client.get("/api/v1/analyses?status=done&limit=500").get_json()["analyses"]
    assert created["id"] in [a["id"] for a in listed]
    assert all(a["status"] == "done" for a in listed)

    assert client.delete(f"/api/v1/analyses/{created['id']}").status_code == 204
    assert error_of(client.get(f"/api/v1/analyses/{created['id']}"))["code"] == "not_found"
    assert client.delete(f"/api/v1/analyses/{created['id']}").status_code == 404
    assert store.get_result(created["id"]) is None


def test_reading_picks_the_stance_judge_and_careful_draws_more_stance_edges(client, sample_text, sample_thread,
                                                                              store):
    """``reading: fast`` / ``careful`` pick the head / the cross-encoder for that analysis only;
    without it a thread this small is read carefully (``auto``). The sample as pasted text, so
    its replies answer comments (its JSON hangs every line off the post, where neither judge
    draws stance edges)."""
    fast = client.post("/api/v1/analyses", json={"text": sample_text, "reading": "fast"}).get_json()
    careful = client.post("/api/v1/analyses", json={"text": sample_text, "reading": "careful"}).get_json()
    default = client.post("/api/v1/analyses", json={"text": sample_text}).get_json()
    assert {wait_for(client, row["id"])["status"] for row in (fast, careful, default)} == {"done"}
    fast_result, _ = store.get_result(fast["id"])
    careful_result, _ = store.get_result(careful["id"])
    assert fast_result.stats["stance_method"] == "model"
    assert careful_result.stats["stance_method"] == "cross"
    assert store.get_result(default["id"])[0].stats["stance_method"] == "cross"
    assert [c.id for c in careful_result.claims] == [c.id for c in fast_result.claims]
    stance_edges = lambda result: [r for r in result.relations if r.reply_id]  # noqa: E731
    assert len(stance_edges(careful_result)) > len(stance_edges(fast_result))

    refused = client.post("/api/v1/analyses", json={"thread": sample_thread, "reading": "thorough"})
    assert refused.status_code == 422
    assert "reading" in json.dumps(error_of(refused))


def test_a_batch_archive_waits_for_every_item(make_app, small_text):
    from tests.conftest import QueueOnly

    client = make_app(JOBS_BACKEND=QueueOnly()).test_client()
    batch = client.post("/api/v1/batches", json={"items": [{"text": small_text}]}).get_json()
    early = client.get(f"/api/v1/batches/{batch['id']}/archive")
    assert early.status_code == 409 and error_of(early)["code"] == "not_ready"  # not a zip missing its items
    assert "1 of 1 items" in error_of(early)["message"]


def test_batch_of_items_finishes_and_downloads_as_one_archive(client, small_text, sample_thread, monkeypatch):
    from tests.sources.fakes import FakeSession

    monkeypatch.setattr("argmap.sources.http.AllowListSession", FakeSession)  # every request: 404
    items = [{"text": small_text}, {"thread": sample_thread}, {"url": "hn:999999"}]
    response = client.post("/api/v1/batches", json={"items": items})
    assert response.status_code == 202
    batch = response.get_json()
    assert response.headers["Location"] == f"/api/v1/batches/{batch['id']}"
    assert batch["aggregate"]["total"] == 3
    for item in batch["items"]:
        assert item["batch_id"] == batch["id"]
        wait_for(client, item["id"])

    batch = client.get(f"/api/v1/batches/{batch['id']}").get_json()
    assert batch["aggregate"] == {"total": 3, "queued": 0, "running": 0, "done": 2, "failed": 1, "finished": True}
    failed = batch["items"][2]
    assert failed["error"]["code"] == "thread_not_found"
    assert "Traceback" not in failed["error"]["message"]

    archive = client.get(f"/api/v1/batches/{batch['id']}/archive?format=graphml")
    assert archive.status_code == 200 and archive.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.data)) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
        graphs = [name for name in zipped.namelist() if name.endswith(".graphml")]
        assert len(graphs) == 2
        for name in graphs:
            assert nx.read_graphml(io.BytesIO(zipped.read(name))).number_of_nodes() > 0
    assert [e["status"] for e in manifest["items"]] == ["done", "done", "failed"]
    assert manifest["items"][2]["error"]["code"] == "thread_not_found"


def test_idempotency_key_makes_a_retry_safe(client, small_text):
    headers = {"Idempotency-Key": "retry-me-1"}
    first = client.post("/api/v1/analyses", json={"text": small_text}, headers=headers)
    again = client.post("/api/v1/analyses", json={"text": small_text}, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.get_json()["id"] == again.get_json()["id"]
    other = client.post("/api/v1/analyses", json={"text": small_text + " More."}, headers=headers)
    assert other.status_code == 409
    assert error_of(other)["code"] == "idempotency_conflict"

    batch_headers = {"Idempotency-Key": "batch-retry-1"}
    one = client.post("/api/v1/batches", json={"items": [{"text": small_text}]}, headers=batch_headers)
    two = client.post("/api/v1/batches", json={"items": [{"text": small_text}]}, headers=batch_headers)
    assert one.get_json()["id"] == two.get_json()["id"]
    assert [i["id"] for i in one.get_json()["items"]] == [i["id"] for i in two.get_json()["items"]]
    wait_for(client, first.get_json()["id"])
    wait_for(client, one.get_json()["items"][0]["id"])


def test_a_thread_id_longer_than_the_column_is_stored_cut_not_refused(client, sample_thread, store):
    """PostgreSQL refuses a value longer than its VARCHAR (SQLite stores it whole): a 300-character
    thread id used to fail the request with a 500 there."""
    long_id = "t" * 300
    comments = [{**comment, "parent_id": long_id if comment["parent_id"] == sample_thread["id"]
                 else comment["parent_id"]} for comment in sample_thread["comments"][:3]]
    response = client.post("/api/v1/analyses", json={"thread": {**sample_thread, "id": long_id, "comments": comments}})
    assert response.status_code == 202, response.get_json()
    body = wait_for(client, response.get_json()["id"])
    assert body["status"] == "done", body
    assert body["thread_id"] == long_id[:200]
    result, _graph = store.get_result(body["id"])
    assert result.thread.id == long_id  # the result keeps it whole


@pytest.mark.parametrize("body, content_type, status, code", [
    ("{not json", "application/json", 400, "malformed_json"),
    ('{"url": ' + "1" * 4301 + "}", "application/json", 400, "malformed_json"),  # Python reads no such integer
    (json.dumps({"url": 5}), "application/json", 422, "invalid_input"),
    (json.dumps({"text": ["a"]}), "application/json", 422, "invalid_input"),
    (json.dumps({"thread": "abc"}), "application/json", 422, "invalid_input"),
    (json.dumps({}), "application/json", 422, "invalid_input"),
    (json.dumps([1, 2]), "application/json", 422, "invalid_input"),
    (json.dumps({"url": "hn:1", "text": "both"}), "application/json", 422, "invalid_input"),
    (json.dumps({"text": "x", "colour": "red"}), "application/json", 422, "invalid_input"),
    (json.dumps({"url": "hn:1", "title": "no"}), "application/json", 422, "invalid_input"),
    (json.dumps({"text": ""}), "application/json", 422, "invalid_input"),
    (json.dumps({"url": "not a url at all"}), "application/json", 422, "unsupported_source"),
    (json.dumps({"url": "https://example.com/x"}), "application/json", 422, "unsupported_source"),
    (json.dumps({"url": "sample_threads/hn_china_ml_thread.json"}), "application/json", 422, "unsupported_source"),
    (json.dumps({"thread": {"id": "t", "comments": [{"id": "c", "parent_id": "nowhere"}]}}),
     "application/json", 400, "bad_input"),
    (json.dumps({"thread": {"id": "t"}}), "application/json", 400, "bad_input"),
    (json.dumps({"text": "   \n  "}), "application/json", 400, "bad_input"),
])
def test_bad_analysis_requests_get_clear_json_errors(client, body, content_type, status, code, store):
    before = len(store.list_analyses(limit=500))
    response = client.post("/api/v1/analyses", data=body, content_type=content_type)
    assert response.status_code == status, response.get_json()
    assert error_of(response)["code"] == code
    assert len(store.list_analyses(limit=500)) == before  # nothing queued


def test_validation_errors_name_the_field(client):
    error = error_of(client.post("/api/v1/analyses", json={"url": 5}))
    assert "url" in error["message"]
    assert error["detail"] == {"json": {"url": ["Not a valid string."]}}


def test_unknown_ids_routes_and_methods(client):
    for path in ("/api/v1/analyses/nope", "/api/v1/analyses/nope/graph", "/api/v1/batches/nope",
                 "/api/v1/batches/nope/archive", "/api/v1/no-such-thing"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert error_of(response)["code"] == "not_found"
    response = client.put("/api/v1/analyses/nope")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert error_of(client.get("/api/v1/analyses?limit=0"))["code"] == "invalid_input"
    assert error_of(client.get("/api/v1/analyses?status=sleeping"))["code"] == "invalid_input"


def test_graph_of_an_unfinished_or_failed_analysis_is_a_conflict(client, store):
    row, _ = store.create_analysis({"text": "Queued but never submitted."})
    response = client.get(f"/api/v1/analyses/{row['id']}/graph?format=graphml")
    assert response.status_code == 409
    assert error_of(response)["code"] == "not_ready"
    store.fail(row["id"], "thread_not_found", "no such thread")
    response = client.get(f"/api/v1/analyses/{row['id']}/graph")
    assert response.status_code == 409
    assert "no such thread" in error_of(response)["message"]
    assert error_of(client.get(f"/api/v1/analyses/{row['id']}/graph?format=pdf"))["code"] == "invalid_input"


def test_oversized_body_is_refused(make_app):
    client = make_app(MAX_CONTENT_LENGTH=1000).test_client()
    response = client.post("/api/v1/analyses", json={"text": "word " * 1000})
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


def test_thread_with_too_many_comments_is_refused(make_app, sample_thread):
    client = make_app(MAX_COMMENTS=3).test_client()
    response = client.post("/api/v1/analyses", json={"thread": sample_thread})
    assert response.status_code == 413
    assert "at most 3" in error_of(response)["message"]


def test_batch_limits_and_bad_items(make_app, small_text):
    client = make_app(MAX_BATCH=2).test_client()
    response = client.post("/api/v1/batches", json={"items": [{"text": small_text}] * 3})
    assert response.status_code == 413
    assert "at most 2" in error_of(response)["message"]
    response = client.post("/api/v1/batches", json={"items": [{"text": small_text}, {"url": "nonsense"}]})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "unsupported_source" and error["message"].startswith("item 1:")
    assert client.post("/api/v1/batches", json={"items": []}).status_code == 422
    assert client.post("/api/v1/batches", json={"items": [{"url": 3}]}).status_code == 422
    assert client.post("/api/v1/batches", json={}).status_code == 422


def test_tokens_guard_writes_but_not_reads(make_app, small_text):
    client = make_app(API_TOKENS=["s3cret"]).test_client()
    response = client.post("/api/v1/analyses", json={"text": small_text})
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    wrong = client.post("/api/v1/analyses", json={"text": small_text}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    good = client.post("/api/v1/analyses", json={"text": small_text}, headers={"Authorization": "Bearer s3cret"})
    assert good.status_code == 202
    analysis_id = good.get_json()["id"]
    assert client.get(f"/api/v1/analyses/{analysis_id}").status_code == 200
    assert client.post("/api/v1/batches", json={"items": [{"text": "x"}]}).status_code == 401
    assert client.delete(f"/api/v1/analyses/{analysis_id}").status_code == 401
    wait_for(client, analysis_id)
    assert client.delete(f"/api/v1/analyses/{analysis_id}",
                         headers={"Authorization": "Bearer s3cret"}).status_code == 204


def test_rate_limits_per_client(make_app):
    app = make_app(RATELIMIT_ENABLED=True, WRITE_RATE_LIMIT="2/minute", READ_RATE_LIMIT="3/minute")
    client = app.test_client()
    statuses = [client.post("/api/v1/analyses", json={}).status_code for _ in range(3)]
    assert statuses == [422, 422, 429]
    limited = client.post("/api/v1/analyses", json={})
    assert error_of(limited)["code"] == "rate_limited"
    made_up = client.post("/api/v1/analyses", json={}, headers={"Authorization": "Bearer someone-else"})
    assert made_up.status_code == 429  # not a configured token: counted with its address (valid tokens count apart)
    reads = [client.get(path) for path in ("/api/v1/analyses/x", "/api/v1/batches/y", "/api/v1/analyses/z")]
    assert [r.status_code for r in reads] == [404, 404, 404]
    assert not any("Retry-After" in r.headers for r in reads)  # only a 429 says when to come back
    over = client.get("/api/v1/batches/other")  # one budget for the whole API, not one per route
    assert over.status_code == 429 and int(over.headers["Retry-After"]) > 0
    assert client.get("/api/v1/health").status_code == 200  # never limited


def test_health_docs_and_spec(client):
    health = client.get("/api/v1/health")
    assert health.status_code == 200
    assert health.get_json() | {"formats": []} == {"status": "ok", "store": "ok", "queue": "ok", "cache": "ok",
                                                   "backend": "local", "formats": []}
    assert "graphml" in health.get_json()["formats"]
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/analyses", "/api/v1/analyses/{analysis_id}/graph", "/api/v1/batches",
            "/api/v1/batches/{batch_id}/archive", "/api/v1/health"} <= set(spec["paths"])
    assert "BearerAuth" in json.dumps(spec["components"]["securitySchemes"])
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"openapi.json" in docs.data


def test_a_dead_queue_is_reported_not_hidden(make_app, small_text, store, settings):
    dead = jobs.LocalBackend(settings, workers=1)
    dead.shutdown()
    client = make_app(JOBS_BACKEND=dead).test_client()
    health = client.get("/api/v1/health")
    assert health.status_code == 503
    assert health.get_json()["queue"].startswith("unavailable")
    response = client.post("/api/v1/analyses", json={"text": small_text})
    assert response.status_code == 503
    assert error_of(response)["code"] == "queue_unavailable"
    newest = store.list_analyses(limit=1)[0]
    assert newest["status"] == "failed" and newest["error_code"] == "queue_unavailable"


def test_unexpected_server_errors_are_json_without_a_traceback(make_app):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    def explode():
        raise RuntimeError("secret internals")

    app.add_url_rule("/api/v1/explode", view_func=explode)
    response = app.test_client().get("/api/v1/explode")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "internal_error" and "secret" not in error["message"]


def test_run_analysis_stores_failures_and_ignores_redelivery(store, settings):
    broken, _ = store.create_analysis({"nothing": "to analyse"})  # only the store can hold such a request
    assert jobs.run_analysis(broken["id"], store, settings) == "failed"
    row = store.get_analysis(broken["id"])
    assert row["error_code"] == "internal_error"
    assert "Traceback" not in row["error_message"] and "AttributeError" not in row["error_message"]
    assert jobs.run_analysis(broken["id"], store, settings) == "failed"  # a redelivered task leaves it alone
    assert store.get_analysis(broken["id"])["attempts"] == 1
    assert jobs.run_analysis("no-such-id", store, settings) == "deleted"


def test_an_analysis_cut_off_by_the_process_exiting_is_left_to_run_again(store, settings, monkeypatch, caplog):
    """Ctrl-C on ``argmap batch``: the worker thread meets a shut-down interpreter. The analysis
    is not stored as failed (its lease runs out and it runs again), and nothing is logged."""
    import argmap.pipeline

    def exiting(*_args, **_kwargs):
        raise RuntimeError("cannot schedule new futures after interpreter shutdown")

    monkeypatch.setattr(argmap.pipeline, "analyze", exiting)
    row, _ = store.create_analysis({"text": "Cats are better than dogs."})
    assert jobs.run_analysis(row["id"], store, settings) == "interrupted"
    assert store.get_analysis(row["id"])["status"] == "running" and not caplog.records


def test_a_broker_that_is_down_gives_503_not_a_crash(make_app, settings, small_text):
    from argmap.jobs import CeleryBackend
    from tests.api.servers import free_port

    down = settings.replace(broker_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    client = make_app(JOBS_BACKEND=CeleryBackend(down), RATELIMIT_ENABLED=True,
                      RATELIMIT_STORAGE_URI=down.broker_url).test_client()
    health = client.get("/api/v1/health")
    assert health.status_code == 503 and health.get_json()["queue"].startswith("unavailable")
    response = client.post("/api/v1/analyses", json={"text": small_text})  # rate limits fall back to memory
    assert response.status_code == 503
    assert error_of(response)["code"] == "queue_unavailable"


def test_an_unsupported_url_is_refused_with_the_accepted_forms_before_anything_is_queued(client, store):
    response = client.post("/api/v1/analyses", json={"url": "https://example.com/x"})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "unsupported_source"
    assert "https://news.ycombinator.com/item?id=N" in error["message"]
    assert "https://news.ycombinator.com/item?id=N" in error["detail"]["accepted_forms"]
    assert store.list_analyses(limit=10) == []


def test_the_url_field_never_reads_a_local_file(client, store, monkeypatch, tmp_path):
    """Whatever the server's working folder holds, ``url`` is only ever a thread URL."""
    (tmp_path / "thread.json").write_text('{"id": "1", "source": "text", "comments": []}')
    monkeypatch.chdir(tmp_path)
    assert client.post("/api/v1/analyses", json={"url": "thread.json"}).status_code == 422
    assert store.list_analyses(limit=10) == []


def test_a_thread_titled_in_any_script_downloads(client):
    """HTTP headers are Latin-1: a title and id in another script used to fail the download
    with a 500. The name is sent as ASCII ``filename`` and in full as ``filename*``."""
    from urllib.parse import unquote

    thread = {"id": "日本語スレッド", "title": "日本語のスレッド Café", "comments": [
        {"id": "c1", "parent_id": "日本語スレッド", "text": "Remote work saves hours of commuting every day."},
        {"id": "c2", "parent_id": "c1", "text": "No, remote work makes teams lose contact."}]}
    created = client.post("/api/v1/analyses", json={"thread": thread}).get_json()
    assert wait_for(client, created["id"])["status"] == "done"
    for fmt in ("graphml", "json", "aif", "argdown", "csv"):
        response = client.get(f"/api/v1/analyses/{created['id']}/graph?format={fmt}")
        assert response.status_code == 200, fmt
        header = response.headers["Content-Disposition"]
        header.encode("latin-1")
        assert f'filename="argmap-cafe-{created["id"]}.' in header
        full = unquote(header.split("filename*=UTF-8''")[1])
        assert full.startswith(f"argmap-日本語のスレッド-café-{created['id']}.")
