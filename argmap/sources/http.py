"""The only HTTP client argmap uses: known API hosts only, timeouts, retries, a size cap.

A pasted URL never decides which host is contacted: sources build API URLs from parsed
ids, and every request (and every redirect) is checked against ``ALLOWED_HOSTS``.
"""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from argmap.errors import ArgmapError, NetworkError, RateLimitedError, TooLargeError

ALLOWED_HOSTS = frozenset({
    "hacker-news.firebaseio.com",
    "hn.algolia.com",
    "www.reddit.com",
    "oauth.reddit.com",
    "api.reddit.com",
})
USER_AGENT = "python:argmap:0.1 (argument maps of HN and Reddit threads; https://github.com/argmap)"
MAX_RESPONSE_BYTES_DEFAULT = 32 * 1024 * 1024
MAX_REDIRECTS = 3
MAX_RETRY_WAIT = 60.0


class HttpStatusError(ArgmapError):
    """A non-success answer the caller maps to a precise error (404 → not found, 403 → denied)."""

    code = "network_error"
    status = 502

    def __init__(self, message: str, *, http_status: int, data: Any = None):
        super().__init__(message)
        self.http_status = http_status
        self.data = data


def check_host(url: str) -> None:
    """Refuse any URL that is not https on one of the known API hosts."""
    parts = urlsplit(url)
    if parts.scheme != "https" or (parts.hostname or "") not in ALLOWED_HOSTS or parts.port not in (None, 443):
        raise ArgmapError(f"refusing to contact {parts.hostname or url!r}: argmap only talks to the "
                          f"Hacker News and Reddit APIs ({', '.join(sorted(ALLOWED_HOSTS))})",
                          code="forbidden_host", status=400)


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (a number or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class AllowListSession(requests.Session):
    """A requests session that refuses every host but the known APIs (handed to praw too)."""

    def request(self, method, url, *args, **kwargs):
        check_host(url)
        return super().request(method, url, *args, **kwargs)

    def send(self, request, **kwargs):
        check_host(request.url)
        return super().send(request, **kwargs)


class HttpClient:
    """GET/POST JSON from the allowed hosts with timeouts, bounded retries and a body cap."""

    def __init__(self, session: requests.Session | None = None, *, user_agent: str = USER_AGENT,
                 timeout: float | None = None, retries: int | None = None, max_bytes: int | None = None,
                 backoff: float = 1.0, sleep=None):
        self.session = session or AllowListSession()
        self.user_agent = user_agent
        self.timeout = timeout if timeout is not None else 20.0
        self.retries = retries if retries is not None else 4
        self.max_bytes = max_bytes if max_bytes is not None else MAX_RESPONSE_BYTES_DEFAULT
        self.backoff = backoff
        self.sleep = sleep or time.sleep

    @classmethod
    def from_settings(cls, settings, session: requests.Session | None = None) -> "HttpClient":
        """A client with the settings' timeout, retries and response cap."""
        return cls(session, timeout=settings.http_timeout, retries=settings.http_retries,
                   max_bytes=settings.max_response_bytes)

    def get_json(self, url: str, params: dict | None = None) -> Any:
        return self.request_json("GET", url, params=params)

    def post_json(self, url: str, data: dict) -> Any:
        return self.request_json("POST", url, data=data)

    def request_json(self, method: str, url: str, *, params: dict | None = None, data: dict | None = None) -> Any:
        """The parsed JSON body of a 2xx answer; raises an ArgmapError for everything else."""
        body, status = self._request(method, url, params=params, data=data)
        try:
            parsed = json.loads(body) if body.strip() else None
        except ValueError:
            parsed = None
            if 200 <= status < 300:
                raise NetworkError(f"{urlsplit(url).hostname} sent an answer that is not JSON; try again later") from None
        if 200 <= status < 300:
            return parsed
        raise HttpStatusError(f"{urlsplit(url).hostname} answered HTTP {status}", http_status=status, data=parsed)

    def _request(self, method: str, url: str, *, params, data) -> tuple[bytes, int]:
        host = urlsplit(url).hostname
        attempt = 0
        while True:
            try:
                response = self._send_following_redirects(method, url, params=params, data=data)
            except (requests.Timeout, requests.ConnectionError) as exc:
                if attempt >= self.retries:
                    raise NetworkError(f"cannot reach {host} ({type(exc).__name__}); check the network "
                                       f"connection and try again") from None
                self.sleep(self.backoff * 2 ** attempt)
                attempt += 1
                continue
            except requests.RequestException as exc:
                raise NetworkError(f"request to {host} failed: {type(exc).__name__}") from None
            status = response.status_code
            if status == 429 or status >= 500:
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                response.close()
                if attempt >= self.retries or (wait is not None and wait > MAX_RETRY_WAIT):
                    if status == 429:
                        raise RateLimitedError(f"{host} is rate-limiting argmap (HTTP 429) after "
                                               f"{attempt + 1} tries; wait a few minutes and try again")
                    raise NetworkError(f"{host} is failing (HTTP {status}) after {attempt + 1} tries; "
                                       f"try again later")
                self.sleep(wait if wait is not None else self.backoff * 2 ** attempt)
                attempt += 1
                continue
            return self._read_capped(response, host), status

    def _send_following_redirects(self, method, url, *, params, data) -> requests.Response:
        for _ in range(MAX_REDIRECTS + 1):
            check_host(url)
            response = self.session.request(method, url, params=params, data=data, timeout=self.timeout,
                                            headers={"User-Agent": self.user_agent, "Accept": "application/json"},
                                            allow_redirects=False, stream=True)
            if response.status_code not in (301, 302, 303, 307, 308) or "Location" not in response.headers:
                return response
            url = urljoin(url, response.headers["Location"])
            params = None
            response.close()
        raise NetworkError(f"too many redirects from {urlsplit(url).hostname}")

    def _read_capped(self, response: requests.Response, host: str | None) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            response.close()
            raise TooLargeError(f"the answer from {host} is larger than {self.max_bytes:,} bytes")
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > self.max_bytes:
                    raise TooLargeError(f"the answer from {host} is larger than {self.max_bytes:,} bytes")
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise NetworkError(f"the connection to {host} broke while reading ({type(exc).__name__})") from None
        finally:
            response.close()
        return b"".join(chunks)
