"""A tiny test-only reader for a recorded Reddit ``/comments/<id>.json`` listing.

Only for building big analyses in tests; the real Reddit source lives in ``argmap/sources``.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from argmap.model import Comment, Thread


def _walk(listing, out: list[Comment]) -> None:
    if not isinstance(listing, dict):
        return
    for child in listing.get("data", {}).get("children", []):
        if child.get("kind") != "t1":
            continue
        data = child["data"]
        body = html.unescape(data.get("body") or "")
        author = data.get("author")
        deleted = body in ("[deleted]", "[removed]")
        out.append(Comment(id=data["id"], parent_id=data["parent_id"].split("_", 1)[1],
                           text="" if deleted else body,
                           author=None if author in (None, "[deleted]") else author,
                           score=data.get("score"), deleted=deleted))
        _walk(data.get("replies"), out)


def load_listing(path: Path) -> Thread:
    """The submission and every loaded comment (``more`` stubs are skipped)."""
    listing = json.loads(Path(path).read_text(encoding="utf-8"))
    post = listing[0]["data"]["children"][0]["data"]
    comments: list[Comment] = []
    _walk(listing[1], comments)
    return Thread(source="reddit", id=post["id"], title=post.get("title", ""),
                  url="https://www.reddit.com" + post.get("permalink", ""), author=post.get("author"),
                  text=html.unescape(post.get("selftext") or ""), comments=comments)
