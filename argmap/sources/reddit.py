"""Reddit threads: praw when credentials are configured, else the public ``.json`` listing.

Both paths expand "load more comments" stubs (``/api/morechildren``) and "continue this
thread" links (a stub with ``count`` 0 and id ``_``: the parent comment's own listing)
up to a configurable number of expansions, so a big thread comes back whole.
Also converts a recorded listing (``[submission listing, comments listing]``) from a file.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from argmap.errors import AccessDeniedError, ArgmapError, NetworkError, RateLimitedError, ThreadNotFoundError
from argmap.model import Comment, Thread, web_link
from argmap.settings import Settings
from argmap.sources.http import USER_AGENT, AllowListSession, HttpClient, HttpStatusError
from argmap.sources.markup import markdown_to_text
from argmap.sources.trees import cut_thread, iso_time
from argmap.sources.urls import ThreadRef

PUBLIC_BASE = "https://www.reddit.com"
GONE_BODIES = ("[deleted]", "[removed]")


@dataclass
class Stub:
    """A "load more comments" stub (``children`` ids) or a "continue this thread" link (none)."""

    parent_id: str  # bare id of the comment (or thread) the hidden comments reply to
    children: list[str]
    count: int

    @property
    def continues_thread(self) -> bool:
        return not self.children


@dataclass
class Collected:
    comments: list[Comment] = field(default_factory=list)
    stubs: list[Stub] = field(default_factory=list)


def bare_id(fullname: str | None) -> str:
    """``abc`` from ``t1_abc`` / ``t3_abc``."""
    value = str(fullname or "")
    return value.split("_", 1)[1] if value[:3] in ("t1_", "t3_") else value


def comment_from_data(data: dict, thread_id: str) -> Comment:
    """A Comment from a ``t1`` thing's data (a listing's, morechildren's, or praw's)."""
    body = data.get("body")
    deleted = body is None or body.strip() in GONE_BODIES
    author = data.get("author")
    if not isinstance(author, str) or author in GONE_BODIES:
        author = None
    permalink = data.get("permalink")
    comment_id = str(data["id"])
    url = (PUBLIC_BASE + permalink if isinstance(permalink, str) and permalink.startswith("/")
           else f"{PUBLIC_BASE}/comments/{thread_id}/_/{comment_id}/")
    score = data.get("score")
    return Comment(id=comment_id, parent_id=bare_id(data.get("parent_id")) or thread_id,
                   text="" if deleted else markdown_to_text(body), author=None if deleted else author,
                   created_at=iso_time(data.get("created_utc")),
                   score=score if isinstance(score, int) and not isinstance(score, bool) else None,
                   deleted=deleted, url=url)


def collect_things(things: list, thread_id: str, into: Collected) -> Collected:
    """Walk ``t1`` things and their nested ``replies`` listings, gathering comments and stubs."""
    stack = list(reversed(things))
    while stack:
        thing = stack.pop()
        if not isinstance(thing, dict) or not isinstance(thing.get("data"), dict):
            continue
        data = thing["data"]
        if thing.get("kind") == "more":
            children = [str(c) for c in data.get("children") or [] if c]
            into.stubs.append(Stub(parent_id=bare_id(data.get("parent_id")) or thread_id, children=children,
                                   count=int(data.get("count") or 0)))
        elif thing.get("kind") == "t1" and "id" in data:
            into.comments.append(comment_from_data(data, thread_id))
            replies = data.get("replies")
            if isinstance(replies, dict):
                stack.extend(reversed(_listing_children(replies)))
    return into


def _listing_children(listing: Any) -> list:
    if isinstance(listing, dict) and isinstance(listing.get("data"), dict):
        children = listing["data"].get("children")
        return children if isinstance(children, list) else []
    return []


def is_listing(data: Any) -> bool:
    return (isinstance(data, list) and len(data) == 2 and all(isinstance(x, dict) and x.get("kind") == "Listing"
                                                               for x in data))


def submission_thread(submission: dict) -> Thread:
    """The Thread (no comments yet) for a ``t3`` submission's data."""
    thread_id = str(submission["id"])
    permalink = submission.get("permalink")
    author = submission.get("author")
    selftext = submission.get("selftext") or ""
    return Thread(source="reddit", id=thread_id, title=html.unescape(submission.get("title") or "").strip(),
                  url=PUBLIC_BASE + permalink if isinstance(permalink, str) and permalink.startswith("/")
                  else f"{PUBLIC_BASE}/comments/{thread_id}/",
                  author=author if isinstance(author, str) and author not in GONE_BODIES else None,
                  created_at=iso_time(submission.get("created_utc")),
                  text="" if selftext.strip() in GONE_BODIES else markdown_to_text(selftext),
                  link=None if submission.get("is_self") or f"/comments/{thread_id}" in str(submission.get("url"))
                  else web_link(html.unescape(str(submission.get("url") or ""))))  # listings escape "&" as "&amp;"


def parse_listing(data: Any) -> tuple[Thread, Collected]:
    """The submission and the comments and stubs of a ``[submission, comments]`` listing."""
    if not is_listing(data):
        raise ArgmapError("malformed Reddit listing: expected [submission listing, comments listing]")
    submissions = [t for t in _listing_children(data[0]) if isinstance(t, dict) and t.get("kind") == "t3"]
    if not submissions or not isinstance(submissions[0].get("data"), dict) or "id" not in submissions[0]["data"]:
        raise ArgmapError("malformed Reddit listing: the first listing holds no submission")
    thread = submission_thread(submissions[0]["data"])
    return thread, collect_things(_listing_children(data[1]), thread.id, Collected())


def hidden_count(stubs: list[Stub]) -> int:
    return sum(stub.count for stub in stubs)


def thread_from_listing(data: Any, *, max_comments: int | None = None) -> Thread:
    """A Thread from a recorded listing as it is (its "load more" stubs are noted, not fetched)."""
    thread, collected = parse_listing(data)
    thread.comments = collected.comments
    _note_unloaded(thread, collected.stubs, reason="they are behind \"load more\" links not in this file")
    return cut_thread(thread, max_comments)


def _note_unloaded(thread: Thread, stubs: list[Stub], *, reason: str) -> None:
    if not stubs:
        return
    continues = sum(stub.continues_thread for stub in stubs)
    hidden = hidden_count(stubs)
    parts = []
    if hidden:
        parts.append(f"{hidden:,} more comments")
    if continues:
        parts.append(f"{continues} \"continue this thread\" branches")
    thread.notes.append(f"{' and '.join(parts) or 'some comments'} were not loaded: {reason}")


def focus_on_comment(thread: Thread, comment_id: str) -> Thread:
    """Keep only ``comment_id`` and its replies, the comment answering the thread directly."""
    by_parent: dict[str, list[Comment]] = {}
    for comment in thread.comments:
        by_parent.setdefault(comment.parent_id, []).append(comment)
    focus = next((c for c in thread.comments if c.id == comment_id), None)
    if focus is None:
        raise ThreadNotFoundError(f"comment {comment_id} is not in Reddit thread {thread.id} "
                                  f"(it may have been deleted); check the URL")
    kept, stack = set(), [focus]
    while stack:
        comment = stack.pop()
        kept.add(comment.id)
        stack.extend(by_parent.get(comment.id, []))
    focus.parent_id = thread.id
    thread.comments = [c for c in thread.comments if c.id in kept]
    thread.notes.append(f"analysing from comment {comment_id} down (a part of the discussion; "
                        f"the whole thread is {thread.url})")
    return thread


# ----------------------------------------------------------------------------------
# public .json


def _status_error(error: HttpStatusError, ref: ThreadRef) -> ArgmapError:
    """The user-facing error for a Reddit 403/404 (private, quarantined, banned, missing)."""
    reason = str(error.data.get("reason") or "") if isinstance(error.data, dict) else ""
    where = f"r/{ref.subreddit}" if ref.subreddit else "this subreddit"
    if reason == "private":
        return AccessDeniedError(f"{where} is private: argmap can only read public threads")
    if reason in ("quarantined", "gold_only"):
        return AccessDeniedError(f"{where} is quarantined: Reddit only shows it to logged-in accounts that "
                                 f"opted in; save the thread JSON from a browser and analyse that file")
    if reason == "banned":
        return AccessDeniedError(f"{where} is banned on Reddit; its threads cannot be read")
    if error.http_status == 404:
        return ThreadNotFoundError(f"Reddit has no thread {ref.thread_id}; check the URL")
    if error.http_status in (401, 403):
        return AccessDeniedError(f"Reddit refused access to thread {ref.thread_id} (HTTP {error.http_status})")
    return NetworkError(f"Reddit answered HTTP {error.http_status}; try again later")


class PublicReddit:
    """Reads threads through the unauthenticated ``www.reddit.com`` JSON endpoints."""

    def __init__(self, client: HttpClient):
        self.client = client

    def listing(self, ref: ThreadRef, path: str) -> Any:
        try:
            data = self.client.get_json(f"{PUBLIC_BASE}{path}",
                                        params={"raw_json": "1", "limit": "500", "sort": "confidence"})
        except HttpStatusError as error:
            raise _status_error(error, ref) from None
        if not is_listing(data):
            raise NetworkError("Reddit sent something that is not a thread listing; try again later")
        return data

    def morechildren(self, ref: ThreadRef, stub: Stub) -> list:
        try:
            data = self.client.post_json(f"{PUBLIC_BASE}/api/morechildren.json", data={
                "api_type": "json", "children": ",".join(stub.children), "link_id": f"t3_{ref.thread_id}",
                "sort": "confidence", "raw_json": "1"})
        except HttpStatusError as error:
            raise _status_error(error, ref) from None
        things = data.get("json", {}).get("data", {}).get("things") if isinstance(data, dict) else None
        return things if isinstance(things, list) else []

    def continuation(self, ref: ThreadRef, stub: Stub) -> list:
        """The replies under ``stub.parent_id``, from that comment's own listing."""
        data = self.listing(ref, f"/comments/{ref.thread_id}/_/{stub.parent_id}/.json")
        for thing in _listing_children(data[1]):
            if isinstance(thing, dict) and str((thing.get("data") or {}).get("id")) == stub.parent_id:
                return _listing_children((thing["data"] or {}).get("replies"))
        return []


def expand(thread: Thread, collected: Collected, api: PublicReddit, ref: ThreadRef, *, limit: int,
           max_comments: int, progress=None) -> None:
    """Replace stubs by the comments they hide, biggest first, until done, the limit or the cap."""
    known = {c.id for c in collected.comments}
    pending = list(collected.stubs)
    missing: list[Stub] = []
    stopped = ""
    expansions = 0
    while pending and expansions < limit and len(known) < max_comments:
        pending.sort(key=lambda s: (s.continues_thread, -s.count))
        stub = pending.pop(0)
        if stub.continues_thread and stub.parent_id not in known:
            continue
        expansions += 1
        try:
            things = api.continuation(ref, stub) if stub.continues_thread else api.morechildren(ref, stub)
        except ThreadNotFoundError:
            missing.append(stub)
            continue
        except (RateLimitedError, NetworkError) as error:
            pending.append(stub)
            stopped = error.message
            break
        found = collect_things(things, thread.id, Collected())
        fresh = [c for c in found.comments if c.id not in known]
        if not found.comments and not found.stubs:
            missing.append(stub)
        known.update(c.id for c in fresh)
        collected.comments.extend(fresh)
        pending.extend(s for s in found.stubs if s.children != stub.children or s.continues_thread)
        if progress:
            progress("fetch", len(known), 0, f"fetched {len(known):,} comments ({len(pending)} \"load more\" left)")
    _note_unloaded(thread, missing, reason="Reddit returned none of them (deleted, removed or no longer available)")
    if pending and len(known) < max_comments:
        reason = (f"Reddit stopped answering ({stopped})" if stopped else
                  f"the limit of {limit} \"load more\" expansions was reached (ARGMAP_REDDIT_MORE_LIMIT)")
        _note_unloaded(thread, pending, reason=reason)


def fetch_public(ref: ThreadRef, client: HttpClient, *, max_comments: int, limit: int, progress=None) -> Thread:
    api = PublicReddit(client)
    path = (f"/comments/{ref.thread_id}/_/{ref.comment_id}/.json" if ref.comment_id
            else f"/comments/{ref.thread_id}/.json")
    thread, collected = parse_listing(api.listing(ref, path))
    if progress:
        progress("fetch", len(collected.comments), 0, f"fetched {len(collected.comments):,} comments")
    expand(thread, collected, api, ref, limit=limit, max_comments=max_comments, progress=progress)
    thread.comments = collected.comments
    if ref.comment_id:
        focus_on_comment(thread, ref.comment_id)
    return cut_thread(thread, max_comments)


# ----------------------------------------------------------------------------------
# praw


def praw_settings(settings: Settings) -> dict | None:
    """praw keyword arguments from the settings, or None when no credentials are configured."""
    client_id, secret = settings.reddit_client_id, settings.reddit_client_secret
    user_agent = settings.reddit_user_agent or USER_AGENT
    if client_id and secret:
        return {"client_id": client_id, "client_secret": secret, "user_agent": user_agent}
    site = settings.praw_site
    if site:
        return {"site_name": site, "user_agent": user_agent}
    return None


def make_praw(settings: dict, session=None):
    """A read-only praw client whose every request goes through the allow-listed session."""
    import praw

    return praw.Reddit(check_for_updates=False, requestor_kwargs={"session": session or AllowListSession()},
                       **settings)


def _praw_data(comment) -> dict:
    author = comment.author
    return {"id": comment.id, "parent_id": comment.parent_id, "body": getattr(comment, "body", None),
            "author": getattr(author, "name", None) if author is not None else None,
            "created_utc": getattr(comment, "created_utc", None), "score": getattr(comment, "score", None),
            "permalink": getattr(comment, "permalink", None)}


def fetch_praw(ref: ThreadRef, reddit, *, max_comments: int, limit: int, progress=None) -> Thread:
    """The thread through praw: ``replace_more`` up to ``limit`` stubs, then every comment."""
    import prawcore

    try:
        submission = reddit.submission(id=ref.thread_id)
        submission.comment_sort = "confidence"
        thread = submission_thread({"id": submission.id, "title": submission.title,
                                    "permalink": submission.permalink,
                                    "author": getattr(submission.author, "name", None),
                                    "created_utc": submission.created_utc, "selftext": submission.selftext})
        if progress:
            progress("fetch", 0, 0, "loading \"load more\" comments through praw")
        left = submission.comments.replace_more(limit=limit)
        comments = submission.comments.list()
    except prawcore.exceptions.NotFound:
        raise ThreadNotFoundError(f"Reddit has no thread {ref.thread_id}; check the URL") from None
    except prawcore.exceptions.Redirect:
        raise ThreadNotFoundError(f"Reddit has no thread {ref.thread_id}; check the URL") from None
    except prawcore.exceptions.Forbidden:
        raise AccessDeniedError(f"Reddit refused access to thread {ref.thread_id}: the subreddit is private, "
                                f"quarantined or banned") from None
    except prawcore.exceptions.TooManyRequests:
        raise RateLimitedError("Reddit is rate-limiting argmap; wait a few minutes and try again") from None
    except prawcore.exceptions.OAuthException as exc:
        raise AccessDeniedError(f"Reddit rejected the configured credentials ({exc}); check "
                                f"REDDIT_CLIENT_ID / REDDIT_CLIENT_SECRET") from None
    except prawcore.exceptions.ServerError:
        raise NetworkError("Reddit is failing (server error); try again later") from None
    except prawcore.exceptions.RequestException:
        raise NetworkError("cannot reach Reddit; check the network connection and try again") from None
    except prawcore.exceptions.ResponseException as exc:
        raise NetworkError(f"Reddit answered {exc.response.status_code}; try again later") from None
    thread.comments = [comment_from_data(_praw_data(c), thread.id) for c in comments]
    _note_unloaded(thread, [Stub(bare_id(m.parent_id), list(m.children), m.count) for m in left],
                   reason=f"the limit of {limit} \"load more\" expansions was reached (ARGMAP_REDDIT_MORE_LIMIT)")
    if ref.comment_id:
        focus_on_comment(thread, ref.comment_id)
    return cut_thread(thread, max_comments)


def fetch_thread(ref: ThreadRef, settings: Settings, *, progress=None, max_comments: int | None = None,
                 client: HttpClient | None = None, reddit=None) -> Thread:
    """praw when credentials are set (or a praw client is given), else the public JSON."""
    max_comments = max_comments or settings.max_comments
    limit = max(0, settings.reddit_more_limit)
    praw_options = praw_settings(settings) if reddit is None and client is None else None
    if reddit is not None or praw_options is not None:
        return fetch_praw(ref, reddit or make_praw(praw_options), max_comments=max_comments, limit=limit,
                          progress=progress)
    return fetch_public(ref, client or HttpClient.from_settings(settings), max_comments=max_comments, limit=limit,
                        progress=progress)

