"""Thread URLs and shorthands: which site, which thread, which comment; then fetch it.

``parse_url`` only reads the text (the web service validates a URL with it before
queueing a job); ``fetch`` turns it into a Thread through the HN or Reddit source.
The hosts a URL names are matched here and never contacted: the sources build API
URLs from the parsed ids alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

from argmap.config import MAX_COMMENTS_DEFAULT, env_int
from argmap.errors import ArgmapError, UnsupportedSourceError
from argmap.model import Comment, Thread

SUPPORTED_URL_FORMS = """\
  https://news.ycombinator.com/item?id=N      a Hacker News story, or a comment and its replies
  https://hn.algolia.com/api/v1/items/N       the same item through HN's search API
  hn:N                                        shorthand for a Hacker News item
  https://www.reddit.com/r/SUB/comments/ID/[slug/[COMMENT]]   (also old., new., np., m.reddit.com)
  https://www.reddit.com/comments/ID          https://redd.it/ID
  reddit:ID                                   shorthand for a Reddit thread"""

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


def iso_time(epoch) -> str | None:
    """``2026-09-27T16:19:46Z`` from seconds since 1970 (None when unknown)."""
    if isinstance(epoch, bool) or not isinstance(epoch, (int, float)):
        return None
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def tree_order(thread_id: str, comments: list[Comment]) -> tuple[list[Comment], int]:
    """Comments in reply-tree order (each after its parent, siblings as given), and how many
    were dropped because their parent never arrived."""
    children: dict[str, list[Comment]] = {}
    seen: set[str] = set()
    for comment in comments:
        if comment.id in seen or comment.id == thread_id:
            continue
        seen.add(comment.id)
        children.setdefault(comment.parent_id, []).append(comment)
    ordered: list[Comment] = []
    stack = list(reversed(children.get(thread_id, [])))
    while stack:
        comment = stack.pop()
        ordered.append(comment)
        stack.extend(reversed(children.get(comment.id, [])))
    return ordered, len(seen) - len(ordered)


def cut_thread(thread: Thread, max_comments: int | None) -> Thread:
    """Put comments in tree order and keep the first ``max_comments``, saying so in the notes."""
    thread.comments, orphans = tree_order(thread.id, thread.comments)
    if orphans:
        thread.notes.append(f"{orphans} comments were left out because the comment they reply to was not loaded")
    if max_comments is not None and len(thread.comments) > max_comments:
        total = len(thread.comments)
        thread.comments = thread.comments[:max_comments]
        thread.notes.append(f"thread cut at {max_comments:,} comments (of {total:,} loaded); "
                            f"raise --max-comments or ARGMAP_MAX_COMMENTS to analyse more")
    return thread


def default_max_comments() -> int:
    """The comment cap per thread: ``ARGMAP_MAX_COMMENTS`` or 5000."""
    return env_int("ARGMAP_MAX_COMMENTS", MAX_COMMENTS_DEFAULT)


def fetch(source: str, *, progress=None, max_comments: int | None = None) -> Thread:
    """Fetch the thread a URL or shorthand names, cut at ``max_comments`` comments."""
    ref = parse_url(source)
    if max_comments is None:
        max_comments = default_max_comments()
    if max_comments < 1:
        raise ArgmapError("max_comments should be at least 1")
    if ref.site == "hn":
        from argmap.sources import hn

        return hn.fetch_thread(ref, progress=progress, max_comments=max_comments)
    from argmap.sources import reddit

    return reddit.fetch_thread(ref, progress=progress, max_comments=max_comments)
