"""The API under hostile input: bad characters in stored text, deep JSON, lone surrogates, tokens."""

from __future__ import annotations

import io
import json
import zipfile

import networkx as nx
import pytest

from argmap.store import _make_engine, owner_of
from argmap.analytics.graph import build_graph
from argmap.analytics.summary import status_summary
from tests.api.conftest import wait_for
from tests.export.hostile import hostile_analysis

XML_FORMATS = ("graphml", "graphml-yed", "authors")


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def stored_hostile_result(store, *, batch: bool = False) -> str:
    """A done analysis whose stored thread holds control characters and a lone surrogate
    (as results stored before input cleaning do), written straight to the store."""
    analysis = hostile_analysis()
    if batch:
        batch_row, rows, _ = store.create_batch([{"text": "x"}])
        analysis_id = rows[0]["id"]
    else:
        analysis_id = store.create_analysis({"text": "x"})[0]["id"]
    store.start(analysis_id)
    graph = build_graph(analysis)
    assert store.finish(analysis_id, analysis, graph, status_summary(analysis, graph))
    return batch_row["id"] if batch else analysis_id


def test_xml_exports_of_text_with_control_characters_answer_200(client, store):
    analysis_id = stored_hostile_result(store)
    for _ in range(20):  # repeated downloads crashed the process
        for fmt in XML_FORMATS:
            response = client.get(f"/api/v1/analyses/{analysis_id}/graph?format={fmt}")
            assert response.status_code == 200, (fmt, response.data[:300])
            graph = nx.read_graphml(io.BytesIO(response.data))
            assert graph.number_of_nodes() > 0
    for fmt in ("json", "cytoscape", "aif", "csv", "argdown", "summary"):
        assert client.get(f"/api/v1/analyses/{analysis_id}/graph?format={fmt}").status_code == 200, fmt


def test_batch_archive_of_graphml_with_control_characters(client, store):
    batch_id = stored_hostile_result(store, batch=True)
    response = client.get(f"/api/v1/batches/{batch_id}/archive?format=graphml")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = [n for n in archive.namelist() if n.endswith(".graphml")]
        assert len(names) == 1
        nx.read_graphml(io.BytesIO(archive.read(names[0])))


def test_deeply_nested_json_is_a_400(client):
    for body in ("[" * 100_000 + "]" * 100_000,
                 '{"thread": ' + "[" * 100_000 + "]" * 100_000 + "}",
                 '{"items": [{"thread": {"id": "t", "comments": [], "x": ' + "[" * 100_000 + "]" * 100_000 + "}}]}"):
        for path in ("/api/v1/analyses", "/api/v1/batches"):
            response = client.post(path, data=body, content_type="application/json")
            assert response.status_code == 400, (path, response.status_code, response.data[:200])
            assert response.get_json()["error"]["code"] == "malformed_json"


def test_moderately_nested_thread_is_not_a_500(client):
    deep = {"id": "t", "comments": [], "title": "x"}
    node = deep
    for _ in range(900):
        node["x"] = {}
        node = node["x"]
    response = client.post("/api/v1/analyses", data=json.dumps({"thread": deep}), content_type="application/json")
    assert response.status_code < 500


@pytest.mark.slow
def test_lone_surrogates_are_replaced_on_input(client, sample_thread):
    text = client.post("/api/v1/analyses", data='{"text": "Cars make cities worse \\ud800 for everyone.", '
                                                '"title": "T \\udc00"}', content_type="application/json")
    assert text.status_code == 202, text.data[:300]
    assert text.get_json()["title"] == "T \ufffd"
    thread = dict(sample_thread, id="s\ud800", title="Title \udfff")
    thread["comments"] = [dict(c, parent_id="s\ud800" if c["parent_id"] == sample_thread["id"] else c["parent_id"])
                          for c in sample_thread["comments"]]
    body = json.dumps({"thread": thread})  # ASCII with \\ud800 escapes, as a client sends it
    made = client.post("/api/v1/analyses", data=body, content_type="application/json")
    assert made.status_code == 202, made.data[:300]
    assert made.get_json()["thread_id"] == "s\ufffd"
    batch = client.post("/api/v1/batches", data=json.dumps({"items": [{"text": "Bad \ud800 text here."}]}),
                        content_type="application/json")
    assert batch.status_code == 202
    for created in (text.get_json(), made.get_json()):
        done = wait_for(client, created["id"])
        assert done["status"] == "done", done
        assert client.get(f"/api/v1/analyses/{created['id']}/graph?format=graphml").status_code == 200


def test_wrong_tokens_share_the_address_bucket_and_get_429(make_app):
    app = make_app(API_TOKENS=["s3cret"], RATELIMIT_ENABLED=True, WRITE_RATE_LIMIT="3/minute")
    client = app.test_client()
    statuses = [client.post("/api/v1/analyses", json={}, headers=bearer(f"guess-{n}")).status_code
                for n in range(5)]
    assert statuses[:3] == [401, 401, 401] and statuses[3:] == [429, 429]
    # a valid token has its own bucket, apart from the address that guessed
    assert client.post("/api/v1/analyses", json={}, headers=bearer("s3cret")).status_code == 422


def test_tokens_are_compared_in_constant_time(make_app, monkeypatch):
    import hmac

    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    client = make_app(API_TOKENS=["s3cret", "other"]).test_client()
    assert client.post("/api/v1/analyses", json={}, headers=bearer("s3c")).status_code == 401
    assert client.post("/api/v1/analyses", json={}, headers=bearer("s3cret")).status_code == 422
    assert (b"s3c", b"s3cret") in calls and (b"s3c", b"other") in calls


def test_an_analysis_belongs_to_the_token_that_made_it(make_app, store, small_text):
    client = make_app(API_TOKENS=["token-a", "token-b"]).test_client()
    made = client.post("/api/v1/analyses", json={"text": small_text}, headers=bearer("token-a"))
    assert made.status_code == 202
    analysis_id = made.get_json()["id"]
    row = store.get_analysis(analysis_id)
    assert row["owner"] == owner_of("token-a") and "token-a" not in json.dumps(row, default=str)
    assert client.get(f"/api/v1/analyses/{analysis_id}").status_code == 200  # reading stays open
    other = client.delete(f"/api/v1/analyses/{analysis_id}", headers=bearer("token-b"))
    assert other.status_code == 403 and other.get_json()["error"]["code"] == "forbidden"
    assert store.get_analysis(analysis_id) is not None
    assert client.delete(f"/api/v1/analyses/{analysis_id}", headers=bearer("token-a")).status_code == 204


def test_idempotency_keys_are_per_token(make_app, small_text):
    client = make_app(API_TOKENS=["token-a", "token-b"]).test_client()
    key = {"Idempotency-Key": "shared-key-1"}
    first = client.post("/api/v1/analyses", json={"text": small_text}, headers={**bearer("token-a"), **key})
    again = client.post("/api/v1/analyses", json={"text": small_text}, headers={**bearer("token-a"), **key})
    assert first.status_code == again.status_code == 202
    assert again.get_json()["id"] == first.get_json()["id"]
    other = client.post("/api/v1/analyses", json={"text": small_text + " More."}, headers={**bearer("token-b"), **key})
    assert other.status_code == 202, other.data[:300]  # not a conflict with token A's key
    assert other.get_json()["id"] != first.get_json()["id"]
    same_body = client.post("/api/v1/analyses", json={"text": small_text}, headers={**bearer("token-b"), **key})
    assert same_body.status_code == 409  # token B's own key, now with a different body
    batch_a = client.post("/api/v1/batches", json={"items": [{"text": small_text}]},
                          headers={**bearer("token-a"), "Idempotency-Key": "batch-key-1"})
    batch_b = client.post("/api/v1/batches", json={"items": [{"text": small_text}]},
                          headers={**bearer("token-b"), "Idempotency-Key": "batch-key-1"})
    assert batch_a.status_code == batch_b.status_code == 202
    assert batch_a.get_json()["id"] != batch_b.get_json()["id"]
    for response in (first, other, same_body):
        if response.status_code == 202:
            wait_for(client, response.get_json()["id"])


def test_old_database_gets_the_owner_column(tmp_path):
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    old = sa.create_engine(url)
    with old.begin() as conn:
        conn.execute(sa.text("CREATE TABLE batches (id VARCHAR(32) PRIMARY KEY, size INTEGER NOT NULL, "
                             "idempotency_key VARCHAR(200) UNIQUE, request_hash VARCHAR(64), created_at DATETIME NOT NULL)"))
    old.dispose()
    created = _make_engine(url)
    columns = {c["name"] for c in sa.inspect(created).get_columns("batches")}
    assert "owner" in columns
    created.dispose()


def test_a_binary_file_read_as_text_is_refused(client):
    # what a browser sends for an uploaded binary file: every byte that is not UTF-8 as U+FFFD
    junk = bytes(range(256)).decode("utf-8", "replace") * 4
    response = client.post("/api/v1/analyses", json={"text": junk})
    assert response.status_code == 400, response.data[:300]
    assert "does not look like text" in response.get_json()["error"]["message"]
    # ordinary text with a stray replacement character or two is still analysed
    assert client.post("/api/v1/analyses", json={"text": "Cars make cities worse \ufffd for everyone."}).status_code == 202


def test_thread_json_with_a_field_of_the_wrong_type_is_a_400(client):
    from tests.wrong_types import WRONG_TYPES

    for data in WRONG_TYPES:
        for path, body in (("/api/v1/analyses", {"thread": data}), ("/api/v1/batches", {"items": [{"thread": data}]})):
            response = client.post(path, json=body)
            assert response.status_code == 400, (data, response.data[:300])
            assert "malformed" in response.get_json()["error"]["message"]


def test_a_version_too_big_for_the_database_is_refused(client, small_text):
    made = client.post("/api/v1/analyses", json={"text": small_text}).get_json()
    response = client.get(f"/api/v1/analyses/{made['id']}/graph?version={10 ** 25}")
    assert response.status_code == 422, response.data[:300]


def test_with_tokens_the_list_holds_only_the_callers_analyses(make_app, small_text):
    client = make_app(API_TOKENS=["token-a", "token-b"]).test_client()
    made = client.post("/api/v1/analyses", json={"text": small_text}, headers=bearer("token-a")).get_json()
    assert client.get("/api/v1/analyses").status_code == 401  # no token: no list of everyone's pastes
    own = client.get("/api/v1/analyses", headers=bearer("token-a")).get_json()["analyses"]
    assert [a["id"] for a in own] == [made["id"]]
    assert client.get("/api/v1/analyses", headers=bearer("token-b")).get_json()["analyses"] == []
    everyone = make_app(API_TOKENS=["token-a", "token-b"], LIST_ALL_ANALYSES=True).test_client()
    listed = everyone.get("/api/v1/analyses", headers=bearer("token-b")).get_json()["analyses"]
    assert made["id"] in [a["id"] for a in listed]


def test_a_body_that_is_not_json_gets_a_415(client, small_text):
    body = json.dumps({"text": small_text})
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        response = client.post("/api/v1/analyses", data=body, content_type=content_type)
        assert response.status_code == 415, response.data[:300]
        assert response.get_json()["error"]["code"] == "unsupported_media_type"
    assert client.post("/api/v1/analyses", data=body, content_type="application/json").status_code == 202


def test_a_batch_error_names_its_item_and_keeps_the_accepted_forms(client, small_text):
    bad_thread = client.post("/api/v1/batches", json={"items": [{"text": small_text},
                                                               {"thread": {"id": "t", "comments": "x"}}]})
    assert bad_thread.status_code == 400
    assert bad_thread.get_json()["error"]["message"].startswith("item 1: malformed thread JSON")
    assert bad_thread.get_json()["error"]["detail"] == {"item": 1}  # as data too, for a client
    bad_url = client.post("/api/v1/batches", json={"items": [{"text": small_text}, {"url": "https://example.com/x"}]})
    assert bad_url.status_code == 422
    error = bad_url.get_json()["error"]
    assert error["message"].startswith("item 1: ") and error["detail"]["accepted_forms"] and error["detail"]["item"] == 1


def test_the_list_pages_with_offset(client, small_text):
    made = [client.post("/api/v1/analyses", json={"text": f"{small_text} Number {n}."}).get_json()["id"]
            for n in range(3)]
    first = client.get("/api/v1/analyses?limit=2").get_json()["analyses"]
    rest = client.get("/api/v1/analyses?limit=2&offset=2").get_json()["analyses"]
    listed = [a["id"] for a in first + rest]
    assert len(first) == 2 and set(made) <= set(listed) and len(listed) == len(set(listed))
    assert client.get("/api/v1/analyses?offset=-1").status_code == 422
    for analysis_id in made:  # let the workers finish before the app goes
        wait_for(client, analysis_id)


def test_a_url_item_is_never_read_as_a_file_on_the_server(tmp_path, monkeypatch):
    """``hn:7`` is a thread shorthand; a file of that name in the worker's folder is not read."""
    from argmap import jobs
    from argmap.sources.urls import ThreadRef

    monkeypatch.chdir(tmp_path)
    (tmp_path / "hn:7").write_text("Secret line one.\nSecret line two.\n", encoding="utf-8")
    assert jobs.source_of({"url": "hn:7"}, 100) == ThreadRef("hn", "7")


def test_with_tokens_only_its_owner_retries_a_failed_analysis(make_app, small_text, store):
    client = make_app(API_TOKENS=["token-a", "token-b"]).test_client()
    made = client.post("/api/v1/analyses", json={"text": small_text}, headers=bearer("token-a")).get_json()
    wait_for(client, made["id"])
    store.fail(made["id"], "fetch_failed", "the site did not answer")
    other = client.post(f"/api/v1/analyses/{made['id']}/retry", headers=bearer("token-b"))
    assert other.status_code == 403 and other.get_json()["error"]["code"] == "forbidden"
    own = client.post(f"/api/v1/analyses/{made['id']}/retry", headers=bearer("token-a"))
    assert own.status_code == 202, own.get_json()


def test_a_batch_is_deleted_with_its_analyses_and_only_by_its_owner(make_app, small_text):
    from tests.conftest import QueueOnly

    app = make_app(API_TOKENS=["token-a", "token-b"], JOBS_BACKEND=QueueOnly())
    client = app.test_client()
    batch = client.post("/api/v1/batches", json={"items": [{"text": small_text}, {"text": small_text + " More."}]},
                        headers=bearer("token-a")).get_json()
    assert client.delete(f"/api/v1/batches/{batch['id']}", headers=bearer("token-b")).status_code == 403
    assert client.delete(f"/api/v1/batches/{batch['id']}", headers=bearer("token-a")).status_code == 204
    assert client.get(f"/api/v1/batches/{batch['id']}").status_code == 404
    assert all(client.get(f"/api/v1/analyses/{item['id']}").status_code == 404 for item in batch["items"])
    assert client.delete(f"/api/v1/batches/{batch['id']}", headers=bearer("token-a")).status_code == 404


def test_batches_are_listed_newest_first_and_per_token(make_app, small_text):
    from tests.conftest import QueueOnly

    client = make_app(API_TOKENS=["token-a", "token-b"], JOBS_BACKEND=QueueOnly()).test_client()
    first = client.post("/api/v1/batches", json={"items": [{"text": small_text}]}, headers=bearer("token-a")).get_json()
    second = client.post("/api/v1/batches", json={"items": [{"text": small_text + " Also."}]},
                         headers=bearer("token-a")).get_json()
    listed = client.get("/api/v1/batches", headers=bearer("token-a")).get_json()["batches"]
    assert [b["id"] for b in listed] == [second["id"], first["id"]] and listed[0]["size"] == 1
    assert listed[0]["links"]["self"] == f"/api/v1/batches/{second['id']}"
    assert client.get("/api/v1/batches?limit=1&offset=1", headers=bearer("token-a")).get_json()["batches"][0]["id"] \
        == first["id"]
    assert client.get("/api/v1/batches", headers=bearer("token-b")).get_json()["batches"] == []
    assert client.get("/api/v1/batches").status_code == 401
