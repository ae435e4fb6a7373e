"""Thread URLs and shorthands: which site, which thread, which comment.

``parse_url`` is the one URL validator: the CLI, the API, the web form and batches all
ask it, before anything is fetched or queued. It only reads the text; the hosts a URL
names are matched here and never contacted (the sources build API URLs from the ids).

>>> parse_url("https://news.ycombinator.com/item?id=8863")
ThreadRef(site='hn', thread_id='8863', comment_id=None, subreddit=None)
>>> parse_url("https://redd.it/2xmo63").canonical_url
'https://www.reddit.com/comments/2xmo63/'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from argmap.errors import UnsupportedSourceError

SUPPORTED_URL_FORMS = """\
  https://news.ycombinator.com/item?id=N      a Hacker News story, or a comment and its replies
  https://hn.algolia.com/api/v1/items/N       the same item through HN's search API
  hn:N                                        shorthand for a Hacker News item
  https://www.reddit.com/r/SUB/comments/ID/[slug/[COMMENT]]   (also old., new., np., m.reddit.com)
  https://www.reddit.com/comments/ID          https://redd.it/ID
  reddit:ID                                   shorthand for a Reddit thread"""

ACCEPTED_URL_FORMS = (
    "https://news.ycombinator.com/item?id=N",
    "https://hn.algolia.com/api/v1/items/N",
    "hn:N",
    "https://www.reddit.com/r/SUB/comments/ID/[slug/[COMMENT]]",
    "https://{old,new,np,m}.reddit.com/r/SUB/comments/ID/[slug/[COMMENT]]",
    "https://www.reddit.com/comments/ID",
    "https://redd.it/ID",
    "reddit:ID",
)

REDDIT_HOSTS = frozenset({"reddit.com", "www.reddit.com", "old.reddit.com", "new.reddit.com", "np.reddit.com",
                          "m.reddit.com", "i.reddit.com", "sh.reddit.com", "amp.reddit.com"})
HN_HOSTS = frozenset({"news.ycombinator.com", "ycombinator.com", "www.ycombinator.com"})
_HN_ID = re.compile(r"^[0-9]{1,10}$")
_REDDIT_ID = re.compile(r"^[a-z0-9]{1,13}$")
_SEGMENT = re.compile(r"^[A-Za-z0-9_]{1,64}$")


@dataclass(frozen=True)
class ThreadRef:
    """What a thread URL points at: a site, a thread (or item) id, and maybe a comment in it."""

    site: str  # "hn" or "reddit"
    thread_id: str
    comment_id: str | None = None
    subreddit: str | None = None

    @property
    def canonical_url(self) -> str:
        if self.site == "hn":
            return f"https://news.ycombinator.com/item?id={self.comment_id or self.thread_id}"
        base = f"https://www.reddit.com/r/{self.subreddit}" if self.subreddit else "https://www.reddit.com"
        url = f"{base}/comments/{self.thread_id}/"
        return f"{url}_/{self.comment_id}/" if self.comment_id else url


def unsupported(source: str, why: str = "is not a supported thread URL") -> UnsupportedSourceError:
    shown = source if len(source) <= 120 else source[:117] + "..."
    return UnsupportedSourceError(f"{shown!r} {why}. argmap reads these forms:\n{SUPPORTED_URL_FORMS}")


def _hn_id(value: str | None, source: str) -> str:
    value = (value or "").strip()
    if not _HN_ID.match(value) or int(value) == 0:
        raise unsupported(source, "has no valid Hacker News item id (a positive number)")
    return str(int(value))


def _reddit_id(value: str, source: str) -> str:
    value = value.strip().lower()
    if value.startswith(("t1_", "t3_")):
        value = value[3:]
    if not _REDDIT_ID.match(value):
        raise unsupported(source, "has no valid Reddit thread id")
    return value


def _parse_reddit_path(segments: list[str], source: str) -> ThreadRef:
    """``r/SUB/comments/ID[/slug[/COMMENT]]``, ``user/NAME/comments/ID/...`` or ``comments/ID``."""
    subreddit = None
    if len(segments) >= 2 and segments[0].lower() in ("r", "u", "user") and _SEGMENT.match(segments[1]):
        subreddit = segments[1] if segments[0].lower() == "r" else None
        segments = segments[2:]
    if len(segments) < 2 or segments[0].lower() != "comments":
        raise unsupported(source, "is a Reddit page but not a thread (expected /r/SUB/comments/ID/...)")
    thread_id = _reddit_id(segments[1], source)
    comment_id = None
    if len(segments) >= 4 and segments[3]:
        comment_id = _reddit_id(segments[3], source)
    return ThreadRef("reddit", thread_id, comment_id, subreddit)


def parse_url(source: str) -> ThreadRef:
    """Read a thread URL or shorthand; raise UnsupportedSourceError (listing the forms) otherwise."""
    if not isinstance(source, str) or not source.strip():
        raise unsupported(str(source or ""), "is empty")
    text = source.strip()
    if len(text) > 2048 or any(ch.isspace() for ch in text):
        raise unsupported(text, "is not a single URL")
    lowered = text.lower()
    if lowered.startswith("hn:"):
        return ThreadRef("hn", _hn_id(text[3:], text))
    if lowered.startswith("reddit:"):
        return ThreadRef("reddit", _reddit_id(text[7:], text))
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        raise unsupported(source) from None
    if parts.scheme.lower() not in ("http", "https") or port not in (None, 80, 443) or parts.username:
        raise unsupported(source)
    segments = [s for s in parts.path.split("/") if s]
    query = parse_qs(parts.query)
    if host in HN_HOSTS:
        if [s.lower() for s in segments] != ["item"]:
            raise unsupported(source, "is a Hacker News page but not an item (expected /item?id=N)")
        return ThreadRef("hn", _hn_id((query.get("id") or [""])[0], source))
    if host == "hn.algolia.com":
        if len(segments) >= 2 and segments[-2] in ("items", "item"):
            return ThreadRef("hn", _hn_id(segments[-1], source))
        for key in ("story", "id", "item"):
            if key in query:
                return ThreadRef("hn", _hn_id(query[key][0], source))
        raise unsupported(source, "is an hn.algolia.com page but names no item")
    if host == "redd.it":
        if len(segments) != 1:
            raise unsupported(source, "is a redd.it link without a thread id")
        return ThreadRef("reddit", _reddit_id(segments[0], source))
    if host in REDDIT_HOSTS:
        if len(segments) >= 3 and segments[0].lower() == "r" and segments[2].lower() == "s":
            raise unsupported(source, "is a Reddit share link; open it in a browser and paste the "
                                      "address it leads to (…/r/SUB/comments/ID/…)")
        return _parse_reddit_path(segments, source)
    raise unsupported(source)
