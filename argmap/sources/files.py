"""Threads from files or pasted content: canonical JSON or plain text.

``parse_content`` recognises the shape of what it is given; the sources issue adds
the recorded-API shapes (Algolia item, Reddit listing, HNPWA) to ``JSON_SHAPES``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable

from argmap.errors import ArgmapError, TooLargeError
from argmap.model import Thread, clean_strings, thread_from_dict, thread_to_dict
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
    data = clean_strings(data)  # no control characters or lone surrogates in any shape
    for name, recognises, convert in JSON_SHAPES:
        if recognises(data):
            try:
                # the converters trust the API's field types; the canonical validator checks them
                thread = convert(data)
                return thread if convert is thread_from_dict else thread_from_dict(thread_to_dict(thread))
            except ArgmapError:
                raise
            except (TypeError, AttributeError, ValueError, KeyError, IndexError, OverflowError) as exc:
                # a recorded API shape with a field of the wrong type ("text": 5, "body": [..])
                raise ArgmapError(f"malformed thread JSON: it looks like a {name} but a field has the "
                                  f"wrong type or value ({type(exc).__name__}: {exc})") from None
    if isinstance(data, dict) and ({"nodes", "edges"} <= set(data) or "elements" in data or "locutions" in data):
        raise ArgmapError("this is a map argmap exported (its claims and edges), not a thread: analyse the thread "
                          "itself (argmap fetch writes it as a file), or give a JSON export to --update-from")
    if isinstance(data, dict) and "comments" in data:
        return thread_from_dict(data)  # gives the precise "malformed" message
    raise ArgmapError("unrecognised thread JSON: argmap reads a Reddit thread's .json listing, a Hacker News "
                      "item from the Algolia or HNPWA API, or argmap's own thread JSON (what argmap fetch writes)")


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def parse_content(raw: bytes | str, *, name: str = "input", settings=None, max_comments: int | None = None) -> Thread:
    """A Thread from file content: JSON if it looks like JSON, else pasted text (whose reply
    links ``settings`` infer, as ``parse_text`` does)."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_FILE_BYTES:
            raise TooLargeError(f"{name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff") and raw.count(0) * 4 >= len(raw) and _decodes(raw, "utf-16"):
            raise ArgmapError(f"{name} is UTF-16 text: save it as UTF-8")
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
    if stripped.rstrip() in ("null", "true", "false") or re.fullmatch(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?\s*", stripped):
        raise ArgmapError(f"{name} holds a single JSON value, not a thread")
    if re.match(r"<\?xml|<graphml", stripped[:200]):
        raise ArgmapError(f"{name} is XML (a GraphML export?), not a thread: argmap reads a thread's JSON or pasted text")
    if stripped[0] in "[{":
        try:
            data = json.loads(stripped)
            return parse_json_data(data)
        except json.JSONDecodeError as exc:
            if (stripped[0] == "[" and exc.lineno == 1 and exc.colno <= 12 and not name.lower().endswith(".json")
                    and not re.match(r"\[\s*[\[{\"\]]", stripped)):
                # "[–] user 5 points …", "[10:32] alice: …": a copied page or a chat log, not JSON
                return parse_text(text, settings=settings, max_comments=max_comments)
            raise ArgmapError(
                f"{name} looks like JSON but is malformed: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            ) from None
        except RecursionError:
            raise ArgmapError(f"{name} is JSON nested too deeply to be a thread") from None
    return parse_text(text, settings=settings, max_comments=max_comments)


def read_limited(stream, name: str, limit: int | None = None) -> bytes:
    """At most ``limit`` bytes from a binary stream; TooLargeError when there are more
    (reads ``limit + 1`` bytes, never the whole of an endless stream like /dev/zero)."""
    limit = MAX_FILE_BYTES if limit is None else limit
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise TooLargeError(f"{name} is larger than {limit // (1024 * 1024)} MB")
    return raw


def load_file(path: str | Path, *, settings=None, max_comments: int | None = None) -> Thread:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise TooLargeError(f"{path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        with open(path, "rb") as handle:  # a device or a pipe says size 0: the read is bounded
            raw = read_limited(handle, str(path))
    except FileNotFoundError:
        raise ArgmapError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise ArgmapError(f"{path} is a folder, not a thread file") from None
    except PermissionError:
        raise ArgmapError(f"cannot read {path}: permission denied") from None
    thread = parse_content(raw, name=str(path), settings=settings, max_comments=max_comments)
    if thread.source == "text" and thread.title == "Pasted text":
        thread.title = path.stem
    return thread
