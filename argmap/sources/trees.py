"""Reply trees as every source builds them: comments in tree order, cut at a cap, UTC times.

>>> iso_time(0)
'1970-01-01T00:00:00Z'
"""

from __future__ import annotations

from datetime import datetime, timezone

from argmap.model import Comment, Thread


def iso_time(epoch) -> str | None:
    """``2026-09-27T16:19:46Z`` from seconds since 1970 (None when unknown)."""
    if isinstance(epoch, bool) or not isinstance(epoch, (int, float)):
        return None
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def tree_order(thread_id: str, comments: list[Comment]) -> tuple[list[Comment], int]:
    """Comments in reply-tree order (each after its parent, siblings as given), and how many
    were dropped because their parent never arrived."""
    children: dict[str, list[Comment]] = {}
    seen: set[str] = set()
    for comment in comments:
        if comment.id in seen or comment.id == thread_id:
            continue
        seen.add(comment.id)
        children.setdefault(comment.parent_id, []).append(comment)
    ordered: list[Comment] = []
    stack = list(reversed(children.get(thread_id, [])))
    while stack:
        comment = stack.pop()
        ordered.append(comment)
        stack.extend(reversed(children.get(comment.id, [])))
    return ordered, len(seen) - len(ordered)


def cut_thread(thread: Thread, max_comments: int | None) -> Thread:
    """Put comments in tree order and keep the first ``max_comments``, saying so in the notes."""
    thread.comments, orphans = tree_order(thread.id, thread.comments)
    if orphans:
        thread.notes.append(f"{orphans} comments were left out because the comment they reply to was not loaded")
    if max_comments is not None and len(thread.comments) > max_comments:
        total = len(thread.comments)
        thread.comments = thread.comments[:max_comments]
        thread.notes.append(f"thread cut at {max_comments:,} comments (of {total:,} loaded); "
                            f"raise --max-comments or ARGMAP_MAX_COMMENTS to analyse more")
    return thread


def keep_first(thread: Thread, max_comments: int | None) -> Thread:
    """A thread read from a file or a paste cut to ``max_comments`` comments: the first in tree
    order (whole branches first, so a reply is never kept without its parent), kept in the
    order they were given, saying so in the notes."""
    if max_comments is None or len(thread.comments) <= max_comments:
        return thread
    total = len(thread.comments)
    ordered, _orphans = tree_order(thread.id, thread.comments)  # a reply never kept without its parent
    chosen = {comment.id for comment in ordered[:max_comments]}
    kept = [comment for comment in thread.comments if comment.id in chosen]
    thread.comments = kept
    thread.notes.append(f"thread cut at {len(kept):,} comments (of {total:,}); raise --max-comments to analyse more")
    return thread
