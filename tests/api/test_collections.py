"""Collections: many threads through the job system, merged into one corpus map."""

from __future__ import annotations

import json
import time

import networkx as nx
import pytest

from argmap.model import thread_to_dict
from argmap.sources.files import load_file
from tests.conftest import DATABASES

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("database_url", DATABASES, indirect=True)]

THREADS = ("reddit/rtv_2xmo63.json", "hn/hackernewsandroid_10939306_planet9.json", "reddit/praw_yjk55.json")
PLANTED = "Every public library should stay open until midnight on weekdays."


def item(threads_dir, name: str, planted_by: str | None = None) -> dict:
    thread = thread_to_dict(load_file(threads_dir / name))
    if planted_by:
        thread["comments"].append({"id": f"planted-{planted_by}", "parent_id": thread["id"], "author": planted_by,
                                   "text": PLANTED})
    return {"thread": thread}


def wait_finished(client, collection_id: str, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/api/v1/collections/{collection_id}").get_json()
        if body["aggregate"]["finished"]:
            return body
        assert time.monotonic() < deadline, body["aggregate"]
        time.sleep(0.3)


def test_a_collection_is_analysed_thread_by_thread_and_merged(client, threads_dir):
    response = client.post("/api/v1/collections", json={
        "title": "Two threads", "items": [item(threads_dir, THREADS[0], "ann"), item(threads_dir, THREADS[1], "bob")]})
    assert response.status_code == 202
    created = response.get_json()
    assert response.headers["Location"].endswith(created["id"])
    assert created["aggregate"]["total"] == 2 and created["links"]["page"] == f"/c/{created['id']}"
    first = wait_finished(client, created["id"])
    assert first["aggregate"]["done"] == 2
    graph = client.get(f"/api/v1/collections/{created['id']}/graph?format=json").get_json()
    assert {n["thread"] for n in graph["nodes"]} == {"reddit:2xmo63", "hn:10939306"}
    across = [e for e in graph["edges"] if e["origin"] == "across"]
    planted = {f"reddit:2xmo63/planted-ann:0", f"hn:10939306/planted-bob:0"}
    assert any({e["source"], e["target"]} == planted for e in across)
    assert [t["key"] for t in graph["graph"]["threads"]] == ["reddit:2xmo63", "hn:10939306"]
    assert graph["graph"]["title"] == "Two threads"

    # adding a thread analyses that thread only; the others keep their one run
    attempts = {row["id"]: (row["attempts"], row["updated_at"]) for row in first["items"]}
    added = client.post(f"/api/v1/collections/{created['id']}/items", json={"items": [item(threads_dir, THREADS[2])]})
    assert added.status_code == 202 and added.get_json()["aggregate"]["total"] == 3
    second = wait_finished(client, created["id"])
    assert {row["id"]: (row["attempts"], row["updated_at"]) for row in second["items"][:2]} == attempts
    # a deleted item leaves a gap in the positions; adding after it still works
    assert client.delete(f"/api/v1/analyses/{second['items'][0]['id']}").status_code == 204
    again = client.post(f"/api/v1/collections/{created['id']}/items", json={"items": [{"text": "A claim to add."}]})
    assert again.status_code == 202 and again.get_json()["aggregate"]["total"] == 3
    wait_finished(client, created["id"])
    graphml = client.get(f"/api/v1/collections/{created['id']}/graph?format=graphml")
    assert graphml.status_code == 200
    read = nx.parse_graphml(graphml.get_data(as_text=True))
    assert {"hn:10939306", "reddit:yjk55"} <= {read.nodes[n]["thread"] for n in read.nodes}
    assert "reddit:2xmo63" not in {read.nodes[n]["thread"] for n in read.nodes}  # its analysis was deleted


def test_collection_errors(client, threads_dir):
    assert client.get("/api/v1/collections/nope").status_code == 404
    assert client.get("/api/v1/collections/nope/graph").status_code == 404
    assert client.post("/api/v1/collections/nope/items", json={"items": [{"text": "A claim here."}]}).status_code == 404
    assert client.post("/api/v1/collections", json={"items": []}).status_code == 422
    bad = client.post("/api/v1/collections", json={"items": [{"url": "https://example.com/x"}]})
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "unsupported_source"
    assert json.loads(client.get("/api/v1/openapi.json").get_data())["paths"]["/api/v1/collections"]
