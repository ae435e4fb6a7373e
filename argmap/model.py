"""The plain data argmap passes between stages, and the canonical thread JSON.

Canonical thread JSON (what every source produces and the API accepts)::

    {"source": "hn", "id": "1", "url": "...", "title": "...", "author": "...",
     "created_at": "2026-09-27T16:19:46Z", "text": "...",
     "comments": [{"id": "2", "parent_id": "1", "author": "...", "created_at": "...",
                   "text": "plain text", "score": null, "deleted": false}]}

Comments are a flat list; a top-level comment's ``parent_id`` is the thread id. A pasted
thread's parents are guessed: those comments also carry ``"parent_inferred": true`` and
``"parent_confidence"`` (0..1).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from argmap.errors import ArgmapError

RELATIONS = ("supports", "rebuts", "restates")


@dataclass
class Comment:
    id: str
    parent_id: str
    text: str
    author: str | None = None
    created_at: str | None = None
    score: int | None = None
    deleted: bool = False
    url: str | None = None
    # a paste has no reply tree: its parent links are guessed (argmap.sources.reply_structure)
    parent_inferred: bool = False
    parent_confidence: float | None = None
    # a paste quoted these words from a comment that is not in the paste: they stand for it
    quoted_only: bool = False


@dataclass
class Thread:
    source: str
    id: str
    title: str = ""
    url: str | None = None
    author: str | None = None
    created_at: str | None = None
    text: str = ""
    comments: list[Comment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    link: str | None = None  # the page a link post points to (an HN story's or a Reddit post's URL)

    def post_parts(self) -> list[tuple[str, Comment]]:
        """The post's title and text, each as a comment with the thread's id: ``(field, comment)``."""
        parts = [("title", self.title), ("text", self.text)]
        return [(field, Comment(id=self.id, parent_id="", text=text, author=self.author,
                                created_at=self.created_at, url=self.url)) for field, text in parts if text.strip()]

    def comment_by_id(self) -> dict[str, Comment]:
        return {c.id: c for c in self.comments}

    def root_comment(self) -> Comment:
        """The thread's own post (title and text) as one comment: what replies answer as a whole.

        Claims are read from the title and the text apart (``post_parts``), so their offsets
        index ``title`` or ``text`` themselves.
        """
        text = "\n\n".join(p for p in (self.title.strip(), self.text.strip()) if p)
        return Comment(id=self.id, parent_id="", text=text, author=self.author,
                       created_at=self.created_at, url=self.url)


@dataclass
class Claim:
    """A sentence (or clause) of a comment that asserts something.

    ``start``/``end`` index the text the claim came from: ``thread.title`` when ``field``
    is ``"title"``, else its comment's ``text`` (the thread's ``text`` for the post).
    """

    id: str
    comment_id: str
    text: str
    start: int
    end: int
    position: int = 0
    author: str | None = None
    kind: str = "claim"
    quote_of: str | None = None  # the id of the claim this one answers by quoting it
    hedged: bool = False
    evidence: bool = False
    score: float = 1.0
    field: str = "text"  # "title": a claim of the thread's title
    quoted_text: str | None = None  # the ">" quote before it, as written (what ``quote_of`` was found from)


@dataclass
class Unit:
    """A piece of a comment that is no claim: a question, a quote, meta talk, a greeting, a link,
    code, a signature or other (``kind``); offsets as for a ``Claim``."""

    id: str
    comment_id: str
    text: str
    start: int
    end: int
    kind: str
    author: str | None = None
    field: str = "text"


@dataclass
class Relation:
    """An argument edge: ``source`` supports/rebuts/restates ``target`` (claim ids)."""

    source: str
    target: str
    relation: str
    confidence: float
    origin: str = "reply"  # reply / quote (a reply's stance), within (a marker), similar (restates)
    reply_id: str | None = None  # the reply whose stance the edge draws
    parent_id: str | None = None  # the comment (or post) it answers
    stance: str | None = None  # that reply's stance: agree / disagree


@dataclass
class Analysis:
    thread: Thread
    claims: list[Claim]
    relations: list[Relation]
    timings: dict[str, float] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, Any] | None = None  # a refreshed analysis: what changed since the earlier version (argmap.live)


# ----------------------------------------------------------------------------------
# clean text: what every thread holds, whatever its source sent

# C0 control characters but tab, newline and carriage return, and U+FFFE/U+FFFF: no XML
# document (GraphML) can hold them and no reader needs them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` with control characters removed and lone surrogates (which no UTF-8 file or
    database can store) replaced by U+FFFD."""
    if text.isascii() and text.isprintable():
        return text
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", text))


def clean_strings(value):
    """``value`` (parsed JSON) with every string in it, keys too, passed through ``clean_text``."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_strings(k): clean_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_strings(v) for v in value]
    return value


def clean_thread(thread: Thread) -> Thread:
    """Clean every text field of a thread and its comments in place (see ``clean_text``)."""
    for record in (thread, *thread.comments):
        for item in fields(record):
            value = getattr(record, item.name)
            if isinstance(value, str):
                setattr(record, item.name, clean_text(value))
    thread.notes = [clean_text(n) for n in thread.notes]
    return thread


# ----------------------------------------------------------------------------------
# canonical JSON


MAX_SCORE = 10**12  # a comment's votes: far above any real score, small enough to be a float


def _require(obj: dict, key: str, types: tuple, where: str, *, optional: bool = False):
    if key not in obj:
        if optional:
            return None
        raise ArgmapError(f"malformed thread JSON: {where} has no {key!r} field")
    value = obj[key]
    if value is None and optional:
        return None
    if not isinstance(value, types) or isinstance(value, bool) and bool not in types:
        names = " or ".join(t.__name__ for t in types)
        raise ArgmapError(
            f"malformed thread JSON: {where} field {key!r} should be {names}, "
            f"got {type(value).__name__}"
        )
    return value


def _as_id(value: Any, key: str, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ArgmapError(f"malformed thread JSON: {where} field {key!r} should be a string id")
    text = str(value)
    if not text:
        raise ArgmapError(f"malformed thread JSON: {where} field {key!r} is empty")
    return text


def comment_from_dict(data: Any, index: int) -> Comment:
    where = f"comment #{index}"
    if not isinstance(data, dict):
        raise ArgmapError(f"malformed thread JSON: {where} should be an object")
    if "id" not in data:
        raise ArgmapError(f"malformed thread JSON: {where} has no 'id' field")
    cid = _as_id(data["id"], "id", where)
    where = f"comment {cid!r}"
    if "parent_id" not in data:
        raise ArgmapError(f"malformed thread JSON: {where} has no 'parent_id' field")
    parent = _as_id(data["parent_id"], "parent_id", where)
    text = _require(data, "text", (str,), where, optional=True) or ""
    score = _require(data, "score", (int,), where, optional=True)
    if score is not None and abs(score) > MAX_SCORE:
        raise ArgmapError(f"malformed thread JSON: {where} field 'score' is out of range (at most ±{MAX_SCORE:,})")
    deleted = data.get("deleted", False)
    if not isinstance(deleted, bool):
        raise ArgmapError(f"malformed thread JSON: {where} field 'deleted' should be true or false")
    return Comment(
        id=cid,
        parent_id=parent,
        text=text,
        author=_require(data, "author", (str,), where, optional=True),
        created_at=_require(data, "created_at", (str,), where, optional=True),
        score=score,
        deleted=deleted,
        url=_require(data, "url", (str,), where, optional=True),
        parent_inferred=data.get("parent_inferred") is True,
        parent_confidence=_confidence(data.get("parent_confidence")),
        quoted_only=data.get("quoted_only") is True,
    )


def _confidence(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def comment_to_dict(comment: Comment) -> dict:
    """A comment's canonical JSON; the inferred-parent keys only where the parent was guessed,
    ``quoted_only`` only on a paste's stand-in for a quoted comment it does not hold."""
    data = asdict(comment)
    if not comment.parent_inferred:
        data.pop("parent_inferred")
        data.pop("parent_confidence")
    if not comment.quoted_only:
        data.pop("quoted_only")
    return data


def thread_from_dict(data: Any) -> Thread:
    """Build and validate a Thread from canonical JSON data; raise ArgmapError if malformed.

    Every string is cleaned first (``clean_text``): control characters go, lone surrogates
    become U+FFFD, so what is stored and exported is valid text.
    """
    data = clean_strings(data)
    if not isinstance(data, dict):
        raise ArgmapError("malformed thread JSON: the top level should be an object with 'comments'")
    if "comments" not in data:
        raise ArgmapError("malformed thread JSON: missing 'comments' list")
    raw_comments = data["comments"]
    if not isinstance(raw_comments, list):
        raise ArgmapError("malformed thread JSON: 'comments' should be a list")
    if "id" not in data:
        raise ArgmapError("malformed thread JSON: missing thread 'id'")
    thread_id = _as_id(data["id"], "id", "the thread")
    source = data.get("source", "file")
    if not isinstance(source, str):
        raise ArgmapError("malformed thread JSON: 'source' should be a string")
    thread = Thread(
        source=source,
        id=thread_id,
        title=_require(data, "title", (str,), "the thread", optional=True) or "",
        url=_require(data, "url", (str,), "the thread", optional=True),
        author=_require(data, "author", (str,), "the thread", optional=True),
        created_at=_require(data, "created_at", (str,), "the thread", optional=True),
        text=_require(data, "text", (str,), "the thread", optional=True) or "",
        comments=[comment_from_dict(c, i) for i, c in enumerate(raw_comments)],
        notes=_notes(data.get("notes")),
        link=web_link(_require(data, "link", (str,), "the thread", optional=True)),
    )
    validate_tree(thread)
    return thread


def web_link(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) link, else None (a post's link is shown to readers).

    >>> web_link("https://example.com/a"), web_link("javascript:alert(1)"), web_link("item?id=1")
    ('https://example.com/a', None, None)
    """
    if isinstance(url, str) and re.match(r"https?://[^\s/]+", url.strip(), re.I):
        return url.strip()
    return None


def _notes(value: Any) -> list[str]:
    """A thread's notes: a list of strings (one string is one note; anything else is dropped)."""
    if isinstance(value, str):
        return [value]
    return [n for n in value if isinstance(n, str)] if isinstance(value, list) else []


def validate_tree(thread: Thread) -> None:
    """Check ids are unique, every parent exists and the reply tree has no cycle."""
    parents: dict[str, str] = {}
    for comment in thread.comments:
        if comment.id == thread.id or comment.id in parents:
            raise ArgmapError(f"malformed thread JSON: comment id {comment.id!r} appears twice")
        parents[comment.id] = comment.parent_id
    for comment in thread.comments:
        if comment.parent_id != thread.id and comment.parent_id not in parents:
            raise ArgmapError(
                f"malformed thread JSON: comment {comment.id!r} replies to "
                f"{comment.parent_id!r}, which is not in the thread"
            )
    state: dict[str, int] = {}  # 1 = on the current path, 2 = reaches the root
    for start in parents:
        path = []
        node = start
        while node != thread.id and state.get(node) != 2:
            if state.get(node) == 1:
                raise ArgmapError(f"malformed thread JSON: comment {node!r} is its own ancestor (a cycle)")
            state[node] = 1
            path.append(node)
            node = parents[node]
        for visited in path:
            state[visited] = 2


def thread_to_dict(thread: Thread) -> dict:
    data = {
        "source": thread.source,
        "id": thread.id,
        "url": thread.url,
        "title": thread.title,
        "author": thread.author,
        "created_at": thread.created_at,
        "text": thread.text,
        "comments": [comment_to_dict(c) for c in thread.comments],
    }
    if thread.notes:
        data["notes"] = list(thread.notes)
    if thread.link:
        data["link"] = thread.link
    return data


def thread_from_json(text: str) -> Thread:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArgmapError(f"malformed JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise ArgmapError("malformed JSON: nested too deeply") from None
    return thread_from_dict(data)


def thread_to_json(thread: Thread) -> str:
    return json.dumps(thread_to_dict(thread), ensure_ascii=False, indent=1)


def analysis_to_dict(analysis: Analysis) -> dict:
    """The stored form of a result: enough to re-render every export."""
    return {
        "thread": thread_to_dict(analysis.thread),
        "claims": [asdict(c) for c in analysis.claims],
        "relations": [asdict(r) for r in analysis.relations],
        "timings": analysis.timings,
        "stats": analysis.stats,
        "changes": analysis.changes,
    }


def analysis_from_dict(data: dict) -> Analysis:
    return Analysis(
        thread=thread_from_dict(data["thread"]),
        claims=[Claim(**c) for c in data["claims"]],
        relations=[Relation(**r) for r in data["relations"]],
        timings=data.get("timings", {}),
        stats=data.get("stats", {}),
        changes=data.get("changes"),
    )
