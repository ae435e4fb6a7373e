"""Where threads come from. ``resolve`` is the one entry point that knows URLs and files."""

from __future__ import annotations

import os
import sys

from argmap.errors import ArgmapError, UnsupportedSourceError
from argmap.model import Thread, clean_thread
from argmap.sources.files import load_file, parse_content, read_limited

SUPPORTED_FORMS = """\
  a Hacker News thread:  https://news.ycombinator.com/item?id=N  (a story or a comment; or hn:N,
                         or https://hn.algolia.com/api/v1/items/N)
  a Reddit thread:       https://www.reddit.com/r/SUB/comments/ID/[slug/[COMMENT]]  (also old., new.,
                         np., m.reddit.com; reddit.com/comments/ID, redd.it/ID, reddit:ID)
  a file:                canonical thread JSON, a recorded HN/Reddit API response, or plain text
  '-':                   read the same from standard input"""


def looks_like_url(source: str) -> bool:
    lowered = source.strip().lower()
    return "://" in lowered or lowered.startswith(
        ("hn:", "reddit:", "www.", "news.ycombinator", "hn.algolia.com", "redd.it", "reddit.com", "old.reddit",
         "new.reddit", "np.reddit", "m.reddit"))


def resolve(source: str, *, progress=None, max_comments: int | None = None) -> Thread:
    """A Thread from a URL, a shorthand, a file path, or ``-`` (standard input); its text cleaned."""
    return clean_thread(_resolve(source, progress=progress, max_comments=max_comments))


def _resolve(source: str, *, progress=None, max_comments: int | None = None) -> Thread:
    if source == "-":
        if sys.stdin is None or sys.stdin.closed:
            raise ArgmapError("standard input is closed: nothing to read")
        try:
            raw = read_limited(sys.stdin.buffer, "standard input")
        except OSError as error:
            raise ArgmapError(f"cannot read standard input: {error.strerror or error}") from None
        return parse_content(raw, name="standard input")
    if os.path.exists(source):
        return load_file(source)
    if looks_like_url(source):
        try:
            from argmap.sources import urls
        except ImportError:  # pragma: no cover - until the URL sources exist
            raise UnsupportedSourceError("fetching URLs is not available in this build") from None
        return urls.fetch(source, progress=progress, max_comments=max_comments)
    raise UnsupportedSourceError(f"{source!r} is neither a file nor a supported URL. argmap reads:\n{SUPPORTED_FORMS}")
