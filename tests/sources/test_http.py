"""The HTTP client: allow-listed hosts only, retries honouring Retry-After, a size cap."""

import pytest
import requests

from argmap.errors import ArgmapError, NetworkError, RateLimitedError, TooLargeError
from argmap.sources.http import HttpClient, HttpStatusError, check_host, retry_after_seconds
from tests.sources.fakes import FakeSession, make_response

ITEM = "https://hn.algolia.com/api/v1/items/1"


def client(session, **kwargs):
    waits = []
    return HttpClient(session, sleep=waits.append, **kwargs), waits


@pytest.mark.parametrize("url", [
    "https://example.com/x", "http://hn.algolia.com/api/v1/items/1", "https://hn.algolia.com:8443/x",
    "https://reddit.com.evil.net/x", "https://127.0.0.1/x", "https://news.ycombinator.com/item?id=1",
])
def test_unlisted_hosts_are_refused_before_any_request(url):
    session = FakeSession()
    with pytest.raises(ArgmapError, match="only talks to"):
        HttpClient(session).get_json(url)
    assert session.sent == []


def test_allowed_hosts_pass():
    for url in ("https://hacker-news.firebaseio.com/v0/item/1.json", "https://www.reddit.com/x",
                "https://oauth.reddit.com/x", "https://api.reddit.com/x", ITEM):
        check_host(url)


def test_retries_on_429_honouring_retry_after_then_succeeds():
    session = FakeSession()
    session.add(("algolia", "1"), 429, {}, {"Retry-After": "7"})
    session.add(("algolia", "1"), 503, {})
    session.add(("algolia", "1"), 200, {"id": 1})
    http, waits = client(session)
    assert http.get_json(ITEM) == {"id": 1}
    assert waits == [7.0, 2.0]  # Retry-After, then exponential backoff (1 s * 2**1)
    assert len(session.sent) == 3


def test_rate_limited_after_retries():
    session = FakeSession({("algolia", "1"): [(429, {}, {"Retry-After": "1"})]})
    http, waits = client(session, retries=2)
    with pytest.raises(RateLimitedError, match="wait a few minutes"):
        http.get_json(ITEM)
    assert len(session.sent) == 3 and waits == [1.0, 1.0]


def test_a_retry_after_longer_than_a_minute_is_not_waited_for():
    session = FakeSession({("algolia", "1"): [(429, {}, {"Retry-After": "3600"})]})
    http, waits = client(session)
    with pytest.raises(RateLimitedError):
        http.get_json(ITEM)
    assert waits == [] and len(session.sent) == 1


def test_server_errors_become_network_error():
    session = FakeSession({("algolia", "1"): [(502, "bad gateway", None)]})
    with pytest.raises(NetworkError, match="HTTP 502"):
        client(session, retries=1)[0].get_json(ITEM)


def test_unreachable_network():
    class Down(FakeSession):
        def send(self, request, **kwargs):
            self.sent.append(request)
            raise requests.ConnectionError("no route")
    session = Down()
    http, waits = client(session, retries=2)
    with pytest.raises(NetworkError, match="cannot reach hn.algolia.com"):
        http.get_json(ITEM)
    assert waits == [1.0, 2.0]


def test_response_size_cap():
    session = FakeSession({("algolia", "1"): [(200, b"[" + b"1," * 5000 + b"1]", None)]})
    with pytest.raises(TooLargeError, match="larger than 1,000 bytes"):
        client(session, max_bytes=1000)[0].get_json(ITEM)


def test_redirect_to_an_unlisted_host_is_refused():
    session = FakeSession({("algolia", "1"): [(302, b"", {"Location": "https://evil.example/steal"})]})
    with pytest.raises(ArgmapError, match="refusing to contact 'evil.example'"):
        client(session)[0].get_json(ITEM)
    assert session.hosts() == {"hn.algolia.com"}


def test_client_errors_carry_status_and_body():
    session = FakeSession({("path", "/r/x/about"): [(403, {"reason": "private"}, None)]})
    with pytest.raises(HttpStatusError) as error:
        client(session)[0].get_json("https://www.reddit.com/r/x/about.json")
    assert error.value.http_status == 403 and error.value.data == {"reason": "private"}


def test_non_json_success_is_a_network_error():
    session = FakeSession({("algolia", "1"): [(200, b"<html>maintenance</html>", None)]})
    with pytest.raises(NetworkError, match="not JSON"):
        client(session)[0].get_json(ITEM)


def test_retry_after_parsing():
    assert retry_after_seconds("5") == 5.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds("soon") is None


def test_make_response_reads_back():
    request = requests.Request("GET", ITEM).prepare()
    assert make_response(request, 200, {"a": 1}).json() == {"a": 1}
