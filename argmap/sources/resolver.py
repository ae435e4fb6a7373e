"""From what a user typed to a Thread: ``-`` (standard input), a file, or a thread URL.

A URL is read by ``parse_url`` (the one validator) and fetched by the site's source,
chosen by name from ``SITES``.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Callable

from argmap.errors import ArgmapError, UnsupportedSourceError
from argmap.model import Thread, clean_thread
from argmap.settings import Settings
from argmap.sources import hn, reddit
from argmap.sources.files import load_file, parse_content, read_limited
from argmap.sources.trees import keep_first
from argmap.sources.urls import SUPPORTED_URL_FORMS, ThreadRef, parse_url

SUPPORTED_FORMS = SUPPORTED_URL_FORMS + """
  a file:                canonical thread JSON, a recorded HN/Reddit API response, or plain text
  '-':                   read the same from standard input"""

SITES: dict[str, Callable[..., Thread]] = {"hn": hn.fetch_thread, "reddit": reddit.fetch_thread}


def fetch_url(ref: ThreadRef, settings: Settings, *, progress=None, max_comments: int | None = None) -> Thread:
    """Fetch the thread a parsed URL names, cut at ``max_comments`` (the settings' cap by default)."""
    max_comments = settings.max_comments if max_comments is None else max_comments
    if max_comments < 1:
        raise ArgmapError("max_comments should be at least 1")
    return SITES[ref.site](ref, settings, progress=progress, max_comments=max_comments)


def resolve(source: str | ThreadRef, *, settings: Settings | None = None, progress=None,
            max_comments: int | None = None) -> Thread:
    """A Thread from a URL, a shorthand, a file path, or ``-`` (standard input), or from a
    parsed URL (a ``ThreadRef``: fetched, never read as a path); its text cleaned."""
    return clean_thread(_resolve(source, settings=settings, progress=progress, max_comments=max_comments))


def _resolve(source: str | ThreadRef, *, settings: Settings | None, progress, max_comments: int | None) -> Thread:
    settings = settings or Settings.from_env()
    if isinstance(source, ThreadRef):
        return fetch_url(source, settings, progress=progress, max_comments=max_comments)
    # a file or standard input is cut to the limit too; a paste before its parents are guessed (the costly part)
    limit = settings.max_comments if max_comments is None else max_comments
    if source == "-":
        if sys.stdin is None or sys.stdin.closed:
            raise ArgmapError("standard input is closed: nothing to read")
        try:
            raw = read_limited(sys.stdin.buffer, "standard input")
        except OSError as error:
            raise ArgmapError(f"cannot read standard input: {error.strerror or error}") from None
        return keep_first(parse_content(raw, name="standard input", settings=settings, max_comments=limit), limit)
    if os.path.exists(source):
        return keep_first(load_file(source, settings=settings, max_comments=limit), limit)
    try:
        ref = parse_url(source)
    except UnsupportedSourceError:
        if "://" in source or re.match(r"(?i)(hn|reddit):", source):
            raise  # a URL or a shorthand: its own message says what is wrong with it
        raise UnsupportedSourceError(
            f"{source!r} is neither a file nor a supported URL. argmap reads:\n{SUPPORTED_FORMS}") from None
    return fetch_url(ref, settings, progress=progress, max_comments=max_comments)
