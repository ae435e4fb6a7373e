"""Live re-analysis: what changed in a thread since an earlier analysis of it.

A thread grows after it is posted. Refreshing an analysis fetches the thread again and
analyses it through the caches, so only new or edited comment texts are parsed and
encoded (``analysis.stats["texts_parsed"]`` / ``["texts_encoded"]`` count them); the
stances are read again for every reply (from cached vectors: a reply's stance reads its
parent and grandparent, which may have changed). Comments that vanished from the thread
are kept in the new version as deleted placeholders (replies keep their place) and listed
as deleted, never silently dropped.

The earlier analysis is read as a ``Snapshot``: from a stored ``Analysis`` (the service)
or from a node-link JSON export (``argmap analyze URL --update-from FILE.json``), whose
``comments`` list carries each comment's fingerprint. ``changes`` compares two snapshots:

>>> from argmap.model import Comment, Thread
>>> before = Thread("hn", "1", comments=[Comment("a", "1", "Cats are better."), Comment("b", "a", "No.")])
>>> after = Thread("hn", "1", comments=[Comment("a", "1", "Cats are better pets."), Comment("c", "a", "Yes.")])
>>> after = keep_vanished(snapshot_of_thread(before), after)
>>> [(c.id, c.deleted) for c in after.comments]
[('a', False), ('c', False), ('b', True)]
>>> found = compare_comments(snapshot_of_thread(before), after)
>>> found.new, found.edited, found.deleted
(['c'], ['a'], ['b'])
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from argmap.errors import ArgmapError
from argmap.model import Analysis, Comment, Thread

LISTED = 200  # at most this many claims / edges listed per kind in a change report (counts are exact)


def fingerprint(comment: Comment) -> str:
    """What identifies a comment's words: a short hash of its text (empty for a deleted one)."""
    if comment.deleted or not comment.text:
        return ""
    return hashlib.sha1(comment.text.encode("utf-8", "replace")).hexdigest()[:16]


@dataclass
class CommentMark:
    """One comment as an earlier analysis saw it (its text when the snapshot has it: a stored analysis)."""

    id: str
    parent_id: str
    fingerprint: str
    deleted: bool = False
    author: str | None = None
    created_at: str | None = None
    text: str | None = None


@dataclass
class Snapshot:
    """What a change report needs of an analysis: its comments, claims and edges."""

    source: str
    thread_id: str
    comments: dict[str, CommentMark]
    claims: dict[str, dict] = field(default_factory=dict)  # claim id → {comment_id, text}
    edges: dict[tuple[str, str], dict] = field(default_factory=dict)  # (source, target) → edge fields
    version: int | None = None
    stance_method: str | None = None  # the stance judge that version was read with (kept by ``auto``)
    stance_judge: str | None = None  # that judge's fingerprint (``relations.stance.judge_fingerprint``)
    post: str | None = None  # the post's fingerprint (title and text); None when the snapshot lacks it


def post_fingerprint(thread: Thread) -> str:
    """The fingerprint of the post's own words: its title and text."""
    return fingerprint(thread.root_comment())


def comment_marks(thread: Thread) -> list[dict]:
    """The ``comments`` list of a node-link export: id, parent, author, time, fingerprint,
    deleted and text (an update whose fetch leaves a comment out keeps its words and claims)."""
    return [{"id": c.id, "parent_id": c.parent_id, "author": c.author, "created_at": c.created_at,
             "fingerprint": fingerprint(c), "deleted": bool(c.deleted), "text": c.text} for c in thread.comments]


def post_mark(thread: Thread) -> dict:
    """The ``post`` of a node-link export: the post's id and fingerprint (an edited post is a change)."""
    return {"id": str(thread.id), "fingerprint": post_fingerprint(thread)}


def snapshot_of_thread(thread: Thread) -> Snapshot:
    marks = {c.id: CommentMark(c.id, c.parent_id, fingerprint(c), bool(c.deleted), c.author, c.created_at, c.text)
             for c in thread.comments}
    return Snapshot(thread.source, str(thread.id), marks, post=post_fingerprint(thread))


def snapshot_of_analysis(analysis: Analysis, version: int | None = None) -> Snapshot:
    snapshot = snapshot_of_thread(analysis.thread)
    snapshot.claims = {c.id: {"comment_id": c.comment_id, "text": c.text} for c in analysis.claims}
    snapshot.edges = {(r.source, r.target): _edge_fields(r.source, r.target, vars(r)) for r in analysis.relations}
    snapshot.version = version
    snapshot.stance_method = (analysis.stats or {}).get("stance_method")
    snapshot.stance_judge = (analysis.stats or {}).get("stance_judge")
    return snapshot


def snapshot_of_export(data: dict) -> Snapshot:
    """The snapshot a node-link JSON export (``--format json``) carries; ArgmapError when it is not one."""
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list) or "graph" not in data:
        raise ArgmapError("the earlier analysis must be argmap's JSON export (argmap analyze … --format json)")
    if not isinstance(data.get("comments"), list):
        raise ArgmapError("the earlier analysis has no comment fingerprints (made by an older argmap): "
                          "analyse the thread afresh")
    graph = data["graph"] if isinstance(data["graph"], dict) else {}
    if not isinstance(graph.get("thread_id"), (str, int)) or not str(graph["thread_id"]):
        raise ArgmapError("the earlier analysis does not say which thread it is of (its graph has no thread_id)")
    marks = {}
    for row in data["comments"]:
        if not isinstance(row, dict) or not isinstance(row.get("id"), str):
            raise ArgmapError("the earlier analysis's comments list is malformed")
        marks[row["id"]] = CommentMark(row["id"], str(row.get("parent_id") or graph.get("thread_id") or ""),
                                       str(row.get("fingerprint") or ""), bool(row.get("deleted")),
                                       row.get("author"), row.get("created_at"),
                                       row["text"] if isinstance(row.get("text"), str) else None)
    claims = {str(n["id"]): {"comment_id": n.get("comment_id"), "text": n.get("text", "")}
              for n in data["nodes"] if isinstance(n, dict) and "id" in n}
    edges = {(str(e["source"]), str(e["target"])): _edge_fields(str(e["source"]), str(e["target"]), e)
             for e in data.get("edges", []) if isinstance(e, dict) and "source" in e and "target" in e}
    version = data.get("changes", {}).get("to_version") if isinstance(data.get("changes"), dict) else None
    stats = data.get("stats") if isinstance(data.get("stats"), dict) else {}
    method = stats.get("stance_method") if isinstance(stats.get("stance_method"), str) else None
    judge = stats.get("stance_judge") if isinstance(stats.get("stance_judge"), str) else None
    post = data["post"].get("fingerprint") if isinstance(data.get("post"), dict) else None
    return Snapshot(str(graph.get("source") or ""), str(graph.get("thread_id") or ""), marks, claims, edges,
                    version if isinstance(version, int) else 1, method, judge,
                    post if isinstance(post, str) else None)


def _edge_fields(source: str, target: str, edge: dict) -> dict:
    return {"source": source, "target": target, "relation": edge.get("relation"),
            "confidence": edge.get("confidence"), "origin": edge.get("origin"),
            "reply_id": edge.get("reply_id"), "parent_id": edge.get("parent_id"), "stance": edge.get("stance")}


def read_export(path: str) -> Snapshot:
    """The snapshot in a node-link JSON export file (``--update-from FILE.json``)."""
    import json

    from argmap.sources.files import read_limited

    try:
        with open(path, "rb") as handle:
            raw = read_limited(handle, path)
    except OSError as error:
        raise ArgmapError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ArgmapError(f"{path} is not JSON: the earlier analysis must be argmap's JSON export") from None
    return snapshot_of_export(data)


def check_same_thread(previous: Snapshot, thread: Thread) -> None:
    if previous.source == thread.source == "text" and previous.thread_id != str(thread.id):
        raise ArgmapError("a pasted text is named by its words, so a longer or edited paste is another "
                          "text: an update follows a thread link or id; analyse the new paste afresh")
    if previous.thread_id and (previous.thread_id != str(thread.id) or
                               (previous.source and previous.source != thread.source)):
        raise ArgmapError(f"the earlier analysis is of another thread ({previous.source} {previous.thread_id}, "
                          f"not {thread.source} {thread.id})")


# notes of a fetch that left comments out: a cut, unexpanded "more" stubs, a comment's permalink
_PARTIAL = re.compile(r"thread cut at|were not loaded|were left out|not loaded|from comment .* down")


def fetch_was_partial(thread: Thread) -> bool:
    """Whether the fetch said it left comments out (a ``max_comments`` cut, Reddit's "more"
    stubs not expanded): then a comment missing from it may still be on the site."""
    return any(_PARTIAL.search(note) for note in thread.notes)


def keep_vanished(previous: Snapshot, thread: Thread) -> Thread:
    """``thread`` with every comment the earlier analysis had and the new fetch lacks put
    back, in place: as a deleted placeholder (no text; its replies keep their place) when the
    fetch was whole, and with its earlier text when the fetch left comments out
    (``fetch_was_partial``) and the snapshot has the text (else a placeholder, reported as
    not fetched rather than deleted: see ``compare_comments``)."""
    present = {c.id for c in thread.comments} | {str(thread.id)}
    partial = fetch_was_partial(thread)
    for mark in previous.comments.values():  # in the earlier order: parents before replies
        if mark.id in present:
            continue
        parent = mark.parent_id if mark.parent_id in present else str(thread.id)
        if partial and mark.text and not mark.deleted:
            thread.comments.append(Comment(id=mark.id, parent_id=parent, text=mark.text, author=mark.author,
                                           created_at=mark.created_at))
        else:
            thread.comments.append(Comment(id=mark.id, parent_id=parent, text="", author=mark.author,
                                           created_at=mark.created_at, deleted=True))
        present.add(mark.id)
    return thread


@dataclass
class CommentChanges:
    new: list[str]
    edited: list[str]
    deleted: list[str]
    unchanged: int
    not_fetched: list[str] = field(default_factory=list)  # missing from a partial fetch: not said to be deleted
    post_edited: bool = False  # the post's title or text changed


def compare_comments(previous: Snapshot, thread: Thread, fetched: set[str] | None = None) -> CommentChanges:
    """Comments new since ``previous``, edited (other words under the same id), deleted
    (deleted now, or vanished from a whole fetch and put back by ``keep_vanished``), not
    fetched (missing from a partial fetch: ``fetched`` holds the ids the fetch returned),
    and how many are unchanged."""
    new, edited, deleted, unchanged, not_fetched = [], [], [], 0, []
    partial = fetched is not None and fetch_was_partial(thread)
    for comment in thread.comments:
        if partial and comment.id not in fetched and comment.id in previous.comments:
            not_fetched.append(comment.id)
            continue
        before = previous.comments.get(comment.id)
        if before is None:
            if not comment.deleted:  # one first seen deleted was neither read nor lost
                new.append(comment.id)
        elif comment.deleted or not comment.text:
            if not before.deleted and before.fingerprint:
                deleted.append(comment.id)
            else:
                unchanged += 1
        elif before.deleted or before.fingerprint != fingerprint(comment):
            edited.append(comment.id)
        else:
            unchanged += 1
    post_edited = previous.post is not None and previous.post != post_fingerprint(thread)
    return CommentChanges(new, edited, deleted, unchanged, not_fetched, post_edited)


def changes(previous: Snapshot, current: Analysis, comments: CommentChanges, *,
            version: int | None = None) -> dict:
    """The change report of ``current`` against ``previous``: comments new / edited /
    deleted, claims new and removed, edges new and removed, the new disputes (rebuttals
    drawn since) and the changed stances (a reply seen before that now reads otherwise).
    ``judge_changed`` says the stances were re-read by another stance judge than the earlier
    version's (a newer model, or another method): then some changed stances and edges come
    from the judge, not from the thread."""
    now = snapshot_of_analysis(current)
    # a claim is the same claim when its comment says the same sentence: ids shift when an
    # edit adds a sentence before it, so claims and edges are compared by what they say
    key_now, key_before = claim_keys(now.claims), claim_keys(previous.claims)
    seen_now, seen_before = set(key_now.values()), set(key_before.values())
    new_claims = [{"id": cid, **c} for cid, c in now.claims.items() if key_now[cid] not in seen_before]
    removed_claims = [{"id": cid, **c} for cid, c in previous.claims.items() if key_before[cid] not in seen_now]

    def edge_keys(edges: dict, keys: dict) -> dict:
        return {(keys.get(s, s), keys.get(t, t), e["relation"]): e for (s, t), e in edges.items()}

    edges_now, edges_before = edge_keys(now.edges, key_now), edge_keys(previous.edges, key_before)
    new_edges = [e for key, e in edges_now.items() if key not in edges_before]
    removed_edges = [e for key, e in edges_before.items() if key not in edges_now]
    stance_before = _reply_stances(previous.edges)
    stance_now = _reply_stances(now.edges)
    # a new reply had no stance before; a deleted or unfetched one has none to read now
    settled = set(comments.new) | set(comments.deleted) | set(comments.not_fetched)
    changed = [{"reply_id": r, "parent_id": p, "before": stance_before.get((r, p), "neither"),
                "after": stance_now.get((r, p), "neither")}
               for (r, p) in sorted(set(stance_before) | set(stance_now))
               if r not in settled and r in previous.comments
               and stance_before.get((r, p), "neither") != stance_now.get((r, p), "neither")]
    disputes = [e for e in new_edges if e["relation"] == "rebuts"]
    judge_now = (current.stats or {}).get("stance_judge")
    return {
        "from_version": previous.version,
        "judge_changed": bool(previous.stance_judge and judge_now and previous.stance_judge != judge_now),
        "to_version": version if version is not None else (previous.version or 1) + 1,
        "post_edited": comments.post_edited,
        "comments": {"new": comments.new, "edited": comments.edited, "deleted": comments.deleted,
                     "unchanged": comments.unchanged, "not_fetched": comments.not_fetched},
        "counts": {"post_edited": int(comments.post_edited), "new_comments": len(comments.new), "edited_comments": len(comments.edited),
                   "deleted_comments": len(comments.deleted), "not_fetched_comments": len(comments.not_fetched),
                   "new_claims": len(new_claims),
                   "removed_claims": len(removed_claims), "new_edges": len(new_edges),
                   "removed_edges": len(removed_edges), "new_disputes": len(disputes),
                   "changed_stances": len(changed)},
        "new_claims": new_claims[:LISTED],
        "removed_claims": removed_claims[:LISTED],
        "new_edges": new_edges[:LISTED],
        "removed_edges": removed_edges[:LISTED],
        "new_disputes": disputes[:LISTED],
        "changed_stances": changed[:LISTED],
    }


def claim_keys(claims: dict[str, dict]) -> dict[str, tuple[str, str, int]]:
    """Claim id → (comment, sentence, which occurrence of that sentence in the comment): what a
    claim says and where, so a repeated "No." in one comment stays two claims.

    >>> claim_keys({"c1:0": {"comment_id": "c1", "text": "No."}, "c1:1": {"comment_id": "c1", "text": "No."}})
    {'c1:0': ('c1', 'No.', 0), 'c1:1': ('c1', 'No.', 1)}
    """
    counts: dict[tuple[str, str], int] = {}
    keys = {}
    for cid, claim in sorted(claims.items(), key=lambda item: _claim_order(item[0])):
        base = (claim["comment_id"], claim["text"])
        keys[cid] = (*base, counts.get(base, 0))
        counts[base] = counts.get(base, 0) + 1
    return keys


def _claim_order(claim_id: str) -> tuple[str, int]:
    """``c1:10`` after ``c1:9``: a claim's comment, then its place in it."""
    head, _, tail = claim_id.rpartition(":")
    return (head, int(tail)) if tail.isdigit() else (claim_id, 0)


def _reply_stances(edges: dict[tuple[str, str], dict]) -> dict[tuple[str, str], str]:
    """(reply, parent) → the stance its reply/quote edges draw (agree / disagree)."""
    out: dict[tuple[str, str], str] = {}
    for edge in edges.values():
        if edge.get("reply_id") and edge.get("parent_id") and edge.get("stance") in ("agree", "disagree"):
            out[(edge["reply_id"], edge["parent_id"])] = edge["stance"]
    return out


def describe(report: dict) -> str:
    """One line for people: what changed since the earlier version."""
    c = report["counts"]
    parts = [f"{c['new_comments']:,} new comments", f"{c['edited_comments']:,} edited", f"{c['deleted_comments']:,} deleted",
             f"{c['new_claims']:,} new claims", f"{c['new_disputes']:,} new disputes",
             f"{c['changed_stances']:,} changed stances"]
    if report.get("post_edited"):
        parts.insert(0, "the post was edited")
    line = "since the earlier analysis: " + ", ".join(parts)
    if report.get("judge_changed"):
        line += " (re-read by a newer stance judge: some changes are its re-reading, not the thread's)"
    return line


def refresh(previous: Snapshot, thread: Thread, *, settings=None, progress=None,
            threshold: float | None = None):
    """Analyse ``thread`` (fetched again) as the next version of ``previous``: vanished
    comments put back as deleted, the change report in ``analysis.changes``. Returns
    (analysis, graph)."""
    from argmap.pipeline import analyze_thread
    from argmap.settings import Settings

    settings = settings or Settings.from_env()
    if settings.relation_method == "auto" and previous.stance_method in ("model", "cross"):
        # a thread that grew past the cross-encoder's size keeps the judge its stances were read with,
        # so an update reports the stances that changed, not a change of judge
        settings = settings.replace(relation_method=previous.stance_method)
    check_same_thread(previous, thread)
    fetched = {c.id for c in thread.comments}
    keep_vanished(previous, thread)
    found = compare_comments(previous, thread, fetched)
    analysis, graph = analyze_thread(thread, settings=settings, progress=progress, threshold=threshold)
    analysis.changes = changes(previous, analysis, found)
    return analysis, graph
