"""Refreshing an analysis of a thread URL: a recorded HN thread served as it stood at two times."""

from __future__ import annotations


import pytest

from tests.api.conftest import wait_for
from tests.conftest import DATABASES
from tests.sources.fakes import FakeSession

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("database_url", DATABASES, indirect=True)]

URL = "https://news.ycombinator.com/item?id=10939306"  # the growing_thread fixture's recorded thread


def test_refresh_makes_a_new_version_with_what_changed(client, growing_thread):
    early, late = growing_thread
    created = client.post("/api/v1/analyses", json={"url": URL}).get_json()
    first = wait_for(client, created["id"])
    assert first["status"] == "done" and first["version"] == 1
    assert first["links"]["refresh"].endswith("/refresh")
    v1_graph = client.get(f"/api/v1/analyses/{created['id']}/graph?format=json").get_json()
    assert len(v1_graph["comments"]) == len(early)

    response = client.post(first["links"]["refresh"])
    assert response.status_code == 202
    assert response.get_json()["status"] in ("queued", "running", "done")
    # while it runs, and after, the map stays readable
    assert client.get(f"/api/v1/analyses/{created['id']}/graph?format=json").status_code == 200
    second = wait_for_state(client, created["id"], lambda b: b["version"] == 2)
    assert second["status"] == "done" and second["update_error"] is None

    versions = client.get(second["links"]["versions"]).get_json()["versions"]
    assert [v["version"] for v in versions] == [1, 2] and [v["current"] for v in versions] == [False, True]
    assert versions[0]["changes"] is None
    changes = versions[1]["changes"]
    assert changes["comments"]["new"] == late
    assert changes["comments"]["edited"] == [] and changes["comments"]["deleted"] == []
    assert versions[1]["counts"]["texts_parsed"] <= len(late)  # the earlier comments were not parsed again
    current = client.get(f"/api/v1/analyses/{created['id']}/graph?format=json").get_json()
    assert current["changes"]["comments"]["new"] == late
    assert len(current["comments"]) == len(early) + len(late)
    old = client.get(versions[0]["links"]["graph"])
    assert old.status_code == 200 and "-v1." in old.headers["Content-Disposition"]
    assert {n["id"] for n in old.get_json()["nodes"]} == {n["id"] for n in v1_graph["nodes"]}
    assert client.get(f"/api/v1/analyses/{created['id']}/graph?format=graphml&version=7").status_code == 404

    # the thread has not grown since: an update finds nothing new and makes no new version
    assert client.post(first["links"]["refresh"]).status_code == 202
    third = wait_for_state(client, created["id"], lambda b: "no change" in (b["progress"]["message"] or ""))
    assert third["version"] == 2 and third["status"] == "done"
    assert len(client.get(second["links"]["versions"]).get_json()["versions"]) == 2



def test_a_result_from_before_versions_counts_as_version_1(client, growing_thread, store):
    import sqlalchemy as sa

    from argmap.store import analyses

    created = client.post("/api/v1/analyses", json={"url": URL}).get_json()
    wait_for(client, created["id"])
    with store.engine.begin() as conn:  # as a database made by the previous release holds it
        conn.execute(sa.update(analyses).where(analyses.c.id == created["id"]).values(version=None))
    versions = client.get(f"/api/v1/analyses/{created['id']}/versions").get_json()["versions"]
    assert [v["version"] for v in versions] == [1]
    assert client.get(versions[0]["links"]["graph"]).status_code == 200
    assert client.post(f"/api/v1/analyses/{created['id']}/refresh").status_code == 202
    assert wait_for_state(client, created["id"], lambda b: b["version"] == 2)["version"] == 2


def test_only_the_token_that_made_an_analysis_refreshes_it(make_app, small_text):
    client = make_app(API_TOKENS=["alpha", "beta"]).test_client()
    made = client.post("/api/v1/analyses", json={"text": small_text}, headers={"Authorization": "Bearer alpha"})
    analysis_id = made.get_json()["id"]
    wait_for(client, analysis_id)
    other = client.post(f"/api/v1/analyses/{analysis_id}/refresh", headers={"Authorization": "Bearer beta"})
    assert other.status_code == 403 and other.get_json()["error"]["code"] == "forbidden"
    own = client.post(f"/api/v1/analyses/{analysis_id}/refresh", headers={"Authorization": "Bearer alpha"})
    assert own.status_code == 409  # its own token gets past the owner check: pasted text does not change



def test_only_a_finished_url_analysis_can_be_refreshed(client, small_text):
    assert client.post("/api/v1/analyses/nope/refresh").status_code == 404
    created = client.post("/api/v1/analyses", json={"text": small_text}).get_json()
    wait_for(client, created["id"])
    response = client.post(f"/api/v1/analyses/{created['id']}/refresh")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "not_refreshable"
    assert "refresh" not in created["links"]
    versions = client.get(f"/api/v1/analyses/{created['id']}/versions").get_json()["versions"]
    assert [v["version"] for v in versions] == [1]


def test_a_failed_update_keeps_the_version_there_was(client, growing_thread, monkeypatch):
    created = client.post("/api/v1/analyses", json={"url": URL}).get_json()
    first = wait_for(client, created["id"])
    gone = FakeSession()  # the thread is gone now: every request 404
    monkeypatch.setattr("argmap.sources.http.AllowListSession", lambda: gone)
    assert client.post(first["links"]["refresh"]).status_code == 202
    after = wait_for_state(client, created["id"], lambda b: b["update_error"] or b["version"] > 1)
    assert after["status"] == "done" and after["version"] == 1
    assert after["update_error"]["code"] and "update failed" in after["progress"]["message"]
    assert client.get(f"/api/v1/analyses/{created['id']}/graph?format=json").status_code == 200


def wait_for_state(client, analysis_id: str, condition, timeout: float = 180) -> dict:
    """Poll the analysis until it is done and ``condition(body)`` holds (an update has ended as expected)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/api/v1/analyses/{analysis_id}").get_json()
        if body["status"] == "done" and condition(body):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.2)
