"""Hacker News threads: the Algolia items API (whole tree, one request), Firebase as fallback.

Also converts the recorded shapes argmap reads from files: an Algolia item and an
HNPWA/node-hnapi thread (``{id, title, user, content, comments: [{id, level, ...}]}``).
Deleted and dead comments stay in the tree, text-less, so their replies keep their place.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from argmap.errors import ArgmapError, ThreadNotFoundError, TooLargeError
from argmap.model import Comment, Thread, web_link
from argmap.settings import Settings
from argmap.sources.http import HttpClient, HttpStatusError
from argmap.sources.markup import hn_html_to_text
from argmap.sources.trees import cut_thread, iso_time
from argmap.sources.urls import ThreadRef

ALGOLIA_ITEM = "https://hn.algolia.com/api/v1/items/{id}"
FIREBASE_ITEM = "https://hacker-news.firebaseio.com/v0/item/{id}.json"
FIREBASE_WORKERS = 8


def item_url(item_id) -> str:
    return f"https://news.ycombinator.com/item?id={item_id}"


def _thread_root(item_id: str, *, kind: str, title: str | None, author: str | None, created_at: str | None,
                 text_html: str | None, story_id=None, link=None) -> Thread:
    """The Thread for a story, or for a comment whose replies are analysed on their own."""
    thread = Thread(source="hn", id=item_id, title=title or "", url=item_url(item_id), author=author,
                    created_at=created_at, text=hn_html_to_text(text_html), link=web_link(link))
    if kind == "comment":
        story = f" of story {story_id} ({item_url(story_id)})" if story_id else ""
        thread.notes.append(f"analysing from comment {item_id} down (a part of the discussion{story})")
    return thread


def _comment(item_id, parent_id: str, *, author, created_at, html, deleted: bool, score=None) -> Comment:
    return Comment(id=str(item_id), parent_id=parent_id, text="" if deleted else hn_html_to_text(html),
                   author=None if deleted else author, created_at=created_at,
                   score=score if isinstance(score, int) and not isinstance(score, bool) else None,
                   deleted=deleted, url=item_url(item_id))


# ----------------------------------------------------------------------------------
# Algolia items API


def is_algolia_item(data: Any) -> bool:
    return isinstance(data, dict) and "children" in data and "id" in data and "created_at_i" in data


def thread_from_algolia(item: dict, *, max_comments: int | None = None) -> Thread:
    """A Thread from an Algolia ``/api/v1/items/<id>`` answer (the item and its whole subtree)."""
    if not is_algolia_item(item):
        raise ArgmapError("malformed Hacker News item JSON: expected {id, created_at_i, children, ...}")
    root_id = str(item["id"])
    thread = _thread_root(root_id, kind=item.get("type") or "story", title=item.get("title"),
                          author=item.get("author"), created_at=iso_time(item.get("created_at_i")),
                          text_html=item.get("text"), story_id=item.get("story_id"), link=item.get("url"))
    stack = [(child, root_id) for child in reversed(_children(item, "children"))]
    while stack:
        node, parent = stack.pop()
        if not isinstance(node, dict) or "id" not in node:
            continue
        deleted = ((node.get("text") is None and node.get("author") is None)
                   or bool(node.get("dead") or node.get("deleted")))
        thread.comments.append(_comment(node["id"], parent, author=node.get("author"),
                                        created_at=iso_time(node.get("created_at_i")), html=node.get("text"),
                                        deleted=deleted, score=node.get("points")))
        stack.extend((child, str(node["id"])) for child in reversed(_children(node, "children")))
    return cut_thread(thread, max_comments)


def _children(node: dict, key: str) -> list:
    value = node.get(key)
    return value if isinstance(value, list) else []


# ----------------------------------------------------------------------------------
# HNPWA / node-hnapi


def is_hnpwa(data: Any) -> bool:
    return (isinstance(data, dict) and isinstance(data.get("comments"), list) and "id" in data
            and ("content" in data or "user" in data) and "source" not in data)


def thread_from_hnpwa(data: dict, *, max_comments: int | None = None) -> Thread:
    """A Thread from an HNPWA-style story: nested ``comments`` with ``content`` HTML."""
    root_id = str(data["id"])
    thread = _thread_root(root_id, kind=data.get("type") or "story", title=data.get("title"),
                          author=data.get("user"), created_at=iso_time(data.get("time")),
                          text_html=data.get("content"), link=data.get("url"))
    stack = [(child, root_id) for child in reversed(_children(data, "comments"))]
    while stack:
        node, parent = stack.pop()
        if not isinstance(node, dict) or "id" not in node:
            continue
        deleted = bool(node.get("deleted") or node.get("dead"))
        thread.comments.append(_comment(node["id"], parent, author=node.get("user"),
                                        created_at=iso_time(node.get("time")), html=node.get("content"),
                                        deleted=deleted))
        stack.extend((child, str(node["id"])) for child in reversed(_children(node, "comments")))
    return cut_thread(thread, max_comments)


# ----------------------------------------------------------------------------------
# Firebase (one request per item)


def fetch_firebase(item_id: str, client: HttpClient, *, max_comments: int, progress=None) -> Thread:
    """Walk the item's ``kids`` level by level with a few requests in flight at a time."""
    root = client.get_json(FIREBASE_ITEM.format(id=item_id))
    if not isinstance(root, dict) or "id" not in root:
        raise ThreadNotFoundError(f"Hacker News has no item {item_id}; check the id in the URL")
    thread = _thread_root(str(root["id"]), kind=root.get("type") or "story", title=root.get("title"),
                          author=root.get("by"), created_at=iso_time(root.get("time")),
                          text_html=root.get("text"), link=root.get("url"))
    level = [(kid, thread.id) for kid in root.get("kids") or []]
    cut = False
    with ThreadPoolExecutor(max_workers=FIREBASE_WORKERS) as pool:
        while level and len(thread.comments) < max_comments:
            cut = cut or len(level) > max_comments - len(thread.comments)
            level = level[: max_comments - len(thread.comments)]
            items = list(pool.map(lambda pair: client.get_json(FIREBASE_ITEM.format(id=pair[0])), level))
            next_level = []
            for (kid, parent), item in zip(level, items):
                if not isinstance(item, dict):
                    item = {"id": kid, "deleted": True}
                deleted = bool(item.get("deleted") or item.get("dead"))
                thread.comments.append(_comment(item.get("id", kid), parent, author=item.get("by"),
                                                created_at=iso_time(item.get("time")), html=item.get("text"),
                                                deleted=deleted))
                next_level.extend((grandkid, str(item.get("id", kid))) for grandkid in item.get("kids") or [])
            if progress:
                progress("fetch", len(thread.comments), 0, f"fetched {len(thread.comments):,} comments")
            level = next_level
    if level or cut:
        thread.notes.append(f"thread cut at {max_comments:,} comments; raise --max-comments or "
                            f"ARGMAP_MAX_COMMENTS to analyse more")
    return cut_thread(thread, max_comments)


# ----------------------------------------------------------------------------------


def fetch_thread(ref: ThreadRef, settings: Settings, *, progress=None, max_comments: int | None = None,
                 client: HttpClient | None = None) -> Thread:
    """Algolia first (the whole tree at once); Firebase when Algolia fails or lacks the item."""
    client = client or HttpClient.from_settings(settings)
    max_comments = max_comments or settings.max_comments
    item_id = ref.comment_id or ref.thread_id
    if progress:
        progress("fetch", 0, 0, f"asking Hacker News (Algolia) for item {item_id}")
    try:
        item = client.get_json(ALGOLIA_ITEM.format(id=item_id))
        if is_algolia_item(item):
            return thread_from_algolia(item, max_comments=max_comments)
    except TooLargeError:
        pass  # too big in one answer: Firebase fetches item by item, up to the cap
    except ArgmapError as error:
        if progress:
            progress("fetch", 0, 0, f"Algolia failed ({error.message}); trying the Hacker News API")
    if progress:
        progress("fetch", 0, 0, f"asking the Hacker News API for item {item_id}")
    try:
        return fetch_firebase(item_id, client, max_comments=max_comments, progress=progress)
    except HttpStatusError as error:
        if error.http_status in (401, 403, 404):
            raise ThreadNotFoundError(f"Hacker News has no item {item_id}; check the id in the URL") from None
        raise
