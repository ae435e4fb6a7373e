"""The pages, the front-end assets and the safety headers, through Flask's test client."""

from __future__ import annotations

import json
import re

import pytest

from argmap.service import ui
from tests.conftest import QueueOnly

ORIGIN = "http://localhost"


def page_token(client) -> str:
    html = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def test_home_page_offers_every_way_in(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for element in ('id="url-input"', 'id="file-input"', 'id="text-input"', 'id="sample-button"', 'id="recent-list"'):
        assert element in html
    assert "home.js" in html
    # the paste box says how a paste is read, before anyone pastes
    assert 'aria-describedby="text-hint"' in html and "One comment per line" in html
    assert "paragraphs on one line" in html


def test_every_page_has_a_strict_content_security_policy(client):
    for path in ("/", "/a/abc123", "/api/v1/analyses"):
        policy = client.get(path).headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert client.get("/").headers["X-Content-Type-Options"] == "nosniff"


def test_analysis_page_lists_every_export_format(client):
    from argmap.export import format_names

    response = client.get("/a/0123abcd")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-analysis-id="0123abcd"' in html
    formats = json.loads(re.search(r"data-formats='([^']*)'", html).group(1))
    names = [f["name"] for f in formats]
    assert names[:2] == ["graphml", "json"]  # the two most useful first, then the rest
    assert sorted(names) == sorted(format_names())
    assert all(f["description"] for f in formats)
    for script in ("cytoscape.min.js", "dagre.min.js", "cytoscape-dagre.js", "analysis.js"):
        assert script in html


def test_analysis_page_refuses_odd_ids(client):
    assert client.get("/a/" + "x" * 65).status_code == 404
    assert client.get("/a/a%3Cb").status_code == 404


def test_front_end_libraries_are_served_locally(client):
    for name in ui.VENDOR_FILES:
        response = client.get(f"/vendor/{name}")
        assert response.status_code == 200, f"{name}: run `npm ci` in web/"
        assert response.mimetype == ("text/css" if name.endswith(".css") else "text/javascript")
        assert len(response.get_data()) > 1000
    assert client.get("/vendor/..%2Fpackage.json").status_code == 404
    assert client.get("/vendor/lodash.js").status_code == 404


def test_api_docs_page_loads_swagger_ui_locally(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/vendor/swagger-ui-bundle.js" in page and "/vendor/swagger-ui.css" in page
    assert "cdn" not in page.lower()


def test_static_modules_are_served(client):
    for name in ("home.js", "analysis.js", "map.js", "panel.js", "outline.js", "model.js", "dom.js", "api.js",
                 "summary.js", "tabs.js", "style.css"):
        assert client.get(f"/assets/{name}").status_code == 200


def test_no_module_puts_data_into_html():
    """Thread text reaches the page through textContent only: no innerHTML/outerHTML/insertAdjacentHTML."""
    for path in ui.STATIC.glob("*.js"):
        source = path.read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, f"{path.name} uses {sink}"


def test_sample_thread_is_one_click_away(client):
    response = client.get("/sample-thread.txt")
    assert response.status_code == 200
    assert "machine learning" in response.get_data(as_text=True)


def test_cross_site_posts_are_refused(client):
    body = {"text": "Cats are better than dogs."}
    evil = client.post("/api/v1/analyses", json=body, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    assert evil.get_json()["error"]["code"] == "csrf"
    fetch_meta = client.post("/api/v1/analyses", json=body, headers={"Sec-Fetch-Site": "cross-site"})
    assert fetch_meta.status_code == 403


def test_browser_posts_need_the_page_token(client):
    missing = client.post("/api/v1/analyses", json={}, headers={"Origin": ORIGIN})
    assert missing.status_code == 400
    assert missing.get_json()["error"]["code"] == "csrf"
    token = page_token(client)
    # A valid token passes the guard and reaches the API's own validation (an empty body: 422).
    passed = client.post("/api/v1/analyses", json={}, headers={"Origin": ORIGIN, "X-CSRFToken": token})
    assert passed.status_code == 422


def test_scripts_without_a_browser_origin_pass_the_guard(client):
    assert client.post("/api/v1/analyses", json={}).status_code == 422
    bearer = {"Origin": "https://notebook.example", "Authorization": "Bearer some-token"}
    assert client.post("/api/v1/analyses", json={}, headers=bearer).status_code == 422


def test_anonymous_analysis_requests_are_rate_limited(make_app):
    client = make_app(RATELIMIT_ENABLED=True, WRITE_RATE_LIMIT="2/minute").test_client()
    token = page_token(client)
    headers = {"Origin": ORIGIN, "X-CSRFToken": token}
    codes = [client.post("/api/v1/analyses", json={}, headers=headers).status_code for _ in range(3)]
    assert codes == [422, 422, 429]


def test_oversized_requests_are_refused(make_app):
    client = make_app(MAX_CONTENT_LENGTH=1000).test_client()
    response = client.post("/api/v1/analyses", json={"text": "x" * 5000})
    assert response.status_code == 413


def test_secret_key_survives_a_restart(make_app):
    assert make_app().config["SECRET_KEY"] == make_app().config["SECRET_KEY"]


def test_front_end_is_installed(settings):
    """``argmap serve`` warns when these are missing; set-up (npm ci in web/) installs them."""
    assert ui.missing_front_end(settings.web_libraries_folder) == []


def test_modules_parse_as_es_modules():
    """Each module parses (a syntax error would leave the page blank); needs Node.js, as set-up does."""
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    for path in sorted(ui.STATIC.glob("*.js")):
        result = subprocess.run([node, "--input-type=module", "--check"], input=path.read_bytes(),
                                capture_output=True, timeout=30)
        assert result.returncode == 0, f"{path.name}: {result.stderr.decode()}"


def test_recent_analyses_are_the_visitors_own(make_app):
    """The home page lists the analyses this browser made (a cookie), not everyone's."""
    app = make_app(JOBS_BACKEND=QueueOnly())
    mine, theirs = app.test_client(), app.test_client()
    token = page_token(mine)
    made = mine.post("/api/v1/analyses", json={"text": "Cats are better than dogs. Dogs are loyal."},
                     headers={"Origin": ORIGIN, "X-CSRFToken": token})
    assert made.status_code == 202
    own = made.get_json()["id"]
    assert [a["id"] for a in mine.get("/recent").get_json()["analyses"]] == [own]
    assert theirs.get("/recent").get_json()["analyses"] == []
    assert "Your recent analyses" in theirs.get("/").get_data(as_text=True)
    everyone = make_app(LIST_ALL_ANALYSES=True, JOBS_BACKEND=QueueOnly())
    everyone.extensions["argmap_store"].create_analysis({"text": "Someone else's paste."})
    assert everyone.test_client().get("/recent").get_json()["analyses"]


def test_downloads_are_named_after_the_thread(client):
    from argmap.service.api import download_stem, slug

    assert slug("Is Rust making browsers safer? (2026)") == "is-rust-making-browsers-safer-2026"
    assert download_stem({"id": "abc123", "title": "A python terminal viewer", "thread_id": "2xmo63"}) \
        == "a-python-terminal-viewer-abc123"
    assert download_stem({"id": "abc123", "title": "", "thread_id": "2xmo63"}) == "2xmo63-abc123"


def test_raw_thread_files_are_accepted(make_app):
    """What `argmap analyze` reads from a file is accepted as an upload: here a raw Reddit listing."""
    listing = [
        {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {
            "id": "abc12", "name": "t3_abc12", "title": "Are cats better than dogs?", "author": "op",
            "selftext": "Cats are better.", "created_utc": 1700000000, "permalink": "/r/pets/comments/abc12/x/",
            "subreddit": "pets", "num_comments": 1}}]}},
        {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {
            "id": "c1", "name": "t1_c1", "parent_id": "t3_abc12", "link_id": "t3_abc12", "author": "bob",
            "body": "Dogs are more loyal than cats.", "created_utc": 1700000100, "replies": ""}}]}},
    ]
    client = make_app(JOBS_BACKEND=QueueOnly()).test_client()
    response = client.post("/api/v1/analyses", json={"thread": listing})
    assert response.status_code == 202, response.get_json()
    bad = client.post("/api/v1/analyses", json={"thread": "not a thread"})
    assert bad.status_code == 422
    assert bad.get_json()["error"]["code"] == "invalid_input"


def test_a_failed_analysis_can_be_retried(make_app):
    app = make_app(JOBS_BACKEND=QueueOnly())
    store = app.extensions["argmap_store"]
    row, _ = store.create_analysis({"text": "Cats are better than dogs."})
    client = app.test_client()
    assert client.post(f"/api/v1/analyses/{row['id']}/retry").status_code == 409
    store.fail(row["id"], "internal_error", "boom")
    again = client.post(f"/api/v1/analyses/{row['id']}/retry")
    assert again.status_code == 202
    assert again.get_json()["id"] != row["id"]
