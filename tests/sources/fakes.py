"""Fake HTTP at the transport edge: a session that answers from recorded responses.

The session is argmap's own allow-listed session with only ``send`` replaced, so URL
building, the host allow-list and praw's request code all run for real; every request
that reached the (fake) network is kept in ``sent`` for the tests to inspect.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict, deque
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

from argmap.sources.http import AllowListSession

EMPTY_MORECHILDREN = {"json": {"errors": [], "data": {"things": []}}}


def make_response(request, status: int, body, headers: dict | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    raw = body if isinstance(body, bytes) else json.dumps(body).encode() if not isinstance(body, str) else body.encode()
    response.raw = io.BytesIO(raw)
    response.headers.update({"Content-Type": "application/json; charset=UTF-8", **(headers or {})})
    response.url = request.url
    response.request = request
    response.encoding = "utf-8"
    return response


def request_key(url: str, body) -> tuple:
    """What identifies a request across hosts and clients: the path, or the morechildren ids."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    path = path[:-5] if path.endswith(".json") else path
    path = path.rstrip("/")
    if path.endswith("/api/morechildren"):
        if isinstance(body, bytes):
            body = body.decode()
        fields = parse_qs(body or "") or parse_qs(parts.query)
        return ("morechildren", tuple(sorted(fields["children"][0].split(","))))
    if path.startswith("/api/v1/items/"):
        return ("algolia", path.rsplit("/", 1)[1])
    return ("path", path)


class FakeSession(AllowListSession):
    """Answers from ``answers`` (key → queue of (status, body, headers)); records what was sent."""

    def __init__(self, answers: dict | None = None, *, missing_morechildren=None):
        super().__init__()
        self.answers: dict[tuple, deque] = defaultdict(deque)
        for key, values in (answers or {}).items():
            self.answers[key].extend(values)
        self.missing_morechildren = missing_morechildren
        self.sent: list[requests.PreparedRequest] = []

    def add(self, key: tuple, status: int, body, headers: dict | None = None) -> None:
        self.answers[key].append((status, body, headers))

    def send(self, request, **kwargs):
        self.sent.append(request)
        key = request_key(request.url, request.body)
        queue = self.answers.get(key)
        if queue:
            status, body, headers = queue[0] if len(queue) == 1 else queue.popleft()
            return make_response(request, status, body, headers)
        if key[0] == "morechildren" and self.missing_morechildren is not None:
            return make_response(request, 200, self.missing_morechildren)
        return make_response(request, 404, {"error": 404, "message": f"not recorded: {request.url}"})

    def hosts(self) -> set[str]:
        return {urlsplit(r.url).hostname for r in self.sent}


def cassette_session(path: Path, **kwargs) -> FakeSession:
    """A FakeSession answering from a betamax cassette (PRAW's recorded test sessions)."""
    session = FakeSession(**kwargs)
    for interaction in json.loads(path.read_text())["interactions"]:
        request, response = interaction["request"], interaction["response"]
        body = request.get("body")
        body = body.get("string") if isinstance(body, dict) else body
        session.add(request_key(request["uri"], body), response["status"]["code"],
                    response["body"]["string"].encode())
    return session


def recorded_morechildren(path: Path) -> dict:
    """rtv's ``[{request_uri, request_body, response}]`` as FakeSession answers."""
    answers = {}
    for entry in json.loads(path.read_text()):
        answers[request_key(entry["request_uri"], entry["request_body"])] = [(200, entry["response"], None)]
    return answers


def algolia_item(node: dict, before: int, *, story: bool = False) -> dict:
    """An HNPWA node as the Algolia items API answers it, without the replies posted at or after ``before``."""
    item = {"id": node["id"], "created_at_i": node["time"], "author": node.get("user"),
            "text": node.get("content"), "type": "story" if story else "comment",
            "children": [algolia_item(child, before) for child in node.get("comments", []) if child["time"] < before]}
    if story:
        item["title"] = node.get("title")
    return item


def comment_times(node: dict) -> list[int]:
    return [t for child in node.get("comments", []) for t in [child["time"], *comment_times(child)]]


def comment_ids(node: dict, before: int | None = None) -> list[str]:
    out = []
    for child in node.get("comments", []):
        if before is None or child["time"] < before:
            out += [str(child["id"]), *comment_ids(child, before)]
    return out


def growing_session(recorded: dict, share: float = 0.6) -> tuple[FakeSession, list[str], list[str]]:
    """A session whose first Algolia answer for the recorded HNPWA thread holds the comments
    posted before ``share`` of them were, and every later answer the whole thread; with the
    ids posted before and after."""
    times = sorted(comment_times(recorded))
    cut = times[int(len(times) * share)]
    session = FakeSession()
    key = ("algolia", str(recorded["id"]))
    session.add(key, 200, algolia_item(recorded, cut, story=True))
    session.add(key, 200, algolia_item(recorded, 10**10, story=True))
    early = comment_ids(recorded, cut)
    return session, early, [i for i in comment_ids(recorded) if i not in set(early)]
