"""Minimal readers for the recorded API responses in ``../shared/threads``.

Evaluation and tests read the recorded Reddit listings and HN files here, independent of
the source adapters, so claim extraction is measured on real comment text. HN HTML and
Reddit Markdown are turned into plain text with paragraph breaks, ``>`` quote lines and
four-space code lines, as the canonical thread JSON holds them.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from argmap.model import Comment, Thread

SHARED_THREADS = Path(__file__).resolve().parents[2].parent / "shared" / "threads"

_PRE = re.compile(r"<pre><code>(.*?)</code></pre>", re.S)
_TAG = re.compile(r"<[^>]+>")


def hn_html_to_text(content: str) -> str:
    """HN comment HTML to plain text: ``<p>`` to blank lines, code indented four spaces."""
    def code(match: re.Match) -> str:
        lines = html.unescape(_TAG.sub("", match.group(1))).strip("\n").split("\n")
        return "\n\n" + "\n".join("    " + line for line in lines) + "\n\n"

    text = _PRE.sub(code, content or "")
    text = re.sub(r"<p>", "\n\n", text)
    text = html.unescape(_TAG.sub("", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def read_hnpwa(data: dict) -> Thread:
    """The HNPWA / node-hnapi shape: nested ``comments`` with ``content`` HTML."""
    thread = Thread(source="hn", id=str(data["id"]), title=data.get("title") or "",
                    author=data.get("user"), text=hn_html_to_text(data.get("content") or ""))

    def walk(items: list, parent: str) -> None:
        for item in items:
            cid = str(item["id"])
            gone = bool(item.get("deleted") or item.get("dead"))
            thread.comments.append(Comment(id=cid, parent_id=parent, author=item.get("user"),
                                           text="" if gone else hn_html_to_text(item.get("content") or ""),
                                           deleted=gone))
            walk(item.get("comments") or [], cid)

    walk(data.get("comments") or [], thread.id)
    return thread


def read_algolia(data: dict) -> Thread:
    """The Algolia ``/items/<id>`` shape: nested ``children`` with ``text`` HTML."""
    thread = Thread(source="hn", id=str(data["id"]), title=data.get("title") or "",
                    author=data.get("author"), text=hn_html_to_text(data.get("text") or ""))

    def walk(items: list, parent: str) -> None:
        for item in items:
            cid = str(item["id"])
            text = hn_html_to_text(item.get("text") or "")
            thread.comments.append(Comment(id=cid, parent_id=parent, author=item.get("author"),
                                           text=text, deleted=not text))
            walk(item.get("children") or [], cid)

    walk(data.get("children") or [], thread.id)
    return thread


def read_reddit_listing(data: list) -> Thread:
    """A ``/comments/<id>.json`` listing pair; ``more`` stubs are skipped."""
    post = data[0]["data"]["children"][0]["data"]
    thread = Thread(source="reddit", id=post["id"], title=post.get("title") or "",
                    author=post.get("author"), text=html.unescape(post.get("selftext") or ""))

    def walk(listing, parent: str) -> None:
        if not isinstance(listing, dict):
            return
        for child in listing["data"]["children"]:
            if child["kind"] != "t1":
                continue
            item = child["data"]
            body = html.unescape(item.get("body") or "")
            gone = body in ("[deleted]", "[removed]")
            thread.comments.append(Comment(id=item["id"], parent_id=parent, author=item.get("author"),
                                           text="" if gone else body, deleted=gone))
            walk(item.get("replies"), item["id"])

    walk(data[1], thread.id)
    return thread


def read_recorded(path: Path) -> Thread | None:
    """A Thread from a recorded file in one of the shapes above, or None for other shapes."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, list) and len(data) == 2 and isinstance(data[0], dict) and data[0].get("kind") == "Listing":
        return read_reddit_listing(data)
    if isinstance(data, dict) and "content" in data and "comments" in data:
        return read_hnpwa(data)
    if isinstance(data, dict) and "children" in data and "story_id" in data:
        return read_algolia(data)
    return None


def recorded_threads(folder: Path = SHARED_THREADS) -> dict[str, Thread]:
    """Every recorded thread this module can read, by file name relative to ``folder``."""
    threads = {}
    for path in sorted(Path(folder).rglob("*.json")):
        thread = read_recorded(path)
        if thread is not None:
            threads[path.relative_to(folder).as_posix()] = thread
    return threads
