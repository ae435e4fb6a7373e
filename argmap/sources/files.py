"""Threads from files or pasted content: canonical JSON or plain text.

``parse_content`` recognises the shape of what it is given; the sources issue adds
the recorded-API shapes (Algolia item, Reddit listing, HNPWA) to ``JSON_SHAPES``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from argmap.errors import ArgmapError, TooLargeError
from argmap.model import Thread, thread_from_dict
from argmap.sources.text import parse_text

MAX_FILE_BYTES = 64 * 1024 * 1024


def _is_canonical(data) -> bool:
    return isinstance(data, dict) and "comments" in data and "id" in data and "content" not in data


# (name, recogniser, converter): tried in order on parsed JSON.
JSON_SHAPES: list[tuple[str, Callable[[object], bool], Callable[[object], Thread]]] = [
    ("canonical", _is_canonical, thread_from_dict),
]


def _register_recorded_shapes() -> None:
    """The recorded API shapes: HNPWA goes first (it also has ``id`` and ``comments``)."""
    from argmap.sources import hn, reddit

    JSON_SHAPES.insert(0, ("HNPWA Hacker News JSON", hn.is_hnpwa, hn.thread_from_hnpwa))
    JSON_SHAPES.append(("Hacker News Algolia item", hn.is_algolia_item, hn.thread_from_algolia))
    JSON_SHAPES.append(("Reddit listing [submission, comments]", reddit.is_listing, reddit.thread_from_listing))


_register_recorded_shapes()


def parse_json_data(data) -> Thread:
    for _name, recognises, convert in JSON_SHAPES:
        if recognises(data):
            return convert(data)
    if isinstance(data, dict) and "comments" in data:
        return thread_from_dict(data)  # gives the precise "malformed" message
    known = ", ".join(name for name, _, _ in JSON_SHAPES)
    raise ArgmapError(f"unrecognised thread JSON: expected one of these shapes: {known}")


def parse_content(raw: bytes | str, *, name: str = "input") -> Thread:
    """A Thread from file content: JSON if it looks like JSON, else pasted text."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_FILE_BYTES:
            raise TooLargeError(f"{name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        if b"\x00" in raw[:65536]:
            raise ArgmapError(f"{name} is not text (it contains binary data)")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ArgmapError(f"{name} is not UTF-8 text") from None
    else:
        text = raw
    stripped = text.lstrip()
    if not stripped:
        raise ArgmapError(f"{name} is empty: nothing to analyse")
    if stripped[0] in "[{":
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ArgmapError(
                f"{name} looks like JSON but is malformed: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            ) from None
        return parse_json_data(data)
    return parse_text(text)


def load_file(path: str | Path) -> Thread:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise TooLargeError(f"{path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ArgmapError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise ArgmapError(f"{path} is a folder, not a thread file") from None
    except PermissionError:
        raise ArgmapError(f"cannot read {path}: permission denied") from None
    thread = parse_content(raw, name=str(path))
    if thread.source == "text" and thread.title == "Pasted text":
        thread.title = path.stem
    return thread
