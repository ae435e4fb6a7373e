"""Pasted plain text: one comment per line, ``>`` lines quote earlier text.

A paste has no reply tree, so a quote is the only structure there is: the quoted text
is looked up (tolerantly) among earlier comments, and the quoting comment becomes a
reply to the comment it quotes. Unquoted comments hang off the thread root. A line
that is only a quotation in double quotes ("like this") followed by a reply is treated
as a quote too, as people write on Hacker News.
"""

from __future__ import annotations

import difflib
import hashlib
import re

from argmap.errors import ArgmapError
from argmap.model import Comment, Thread

_QUOTED_LINE = re.compile(r'^\s*["“]([^"“”]{3,})["”]\s*$')
_WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """Lower-case words only, so curly quotes, punctuation and spacing do not matter."""
    return " ".join(_WORD.findall(text.lower()))


def quote_text(line: str) -> str | None:
    """The quoted text if the line is a quote (``> x`` or a line that is only ``"x"``)."""
    stripped = line.strip()
    if stripped.startswith(">"):
        return stripped.lstrip(">").strip()
    match = _QUOTED_LINE.match(stripped)
    return match.group(1).strip() if match else None


def find_quoted(quote: str, earlier: list[Comment]) -> Comment | None:
    """The latest earlier comment that contains ``quote``: exact words first, then fuzzy."""
    wanted = normalise(quote)
    if len(wanted) < 3:
        return None
    for comment in reversed(earlier):
        if wanted in normalise(comment.text):
            return comment
    words = wanted.split()
    best, best_ratio = None, 0.0
    for comment in reversed(earlier):
        matcher = difflib.SequenceMatcher(None, words, normalise(comment.text).split(), autojunk=False)
        ratio = sum(block.size for block in matcher.get_matching_blocks()) / len(words)
        if ratio > best_ratio:
            best, best_ratio = comment, ratio
    return best if best_ratio >= 0.75 else None


def parse_text(text: str, *, title: str = "Pasted text") -> Thread:
    """Turn a paste into a Thread; raise ArgmapError if there is nothing to analyse."""
    if "\x00" in text:
        raise ArgmapError("this does not look like text (it contains binary data)")
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line.strip()]
    if not lines:
        raise ArgmapError("the pasted text is empty: paste one comment per line")
    digest = hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()[:10]
    thread = Thread(source="text", id=f"paste-{digest}", title=title)
    pending_quotes: list[str] = []
    for line in lines:
        if quote_text(line) is not None:
            pending_quotes.append(line.strip())
            continue
        body = "\n".join(pending_quotes + [line.strip()])
        parent = None
        for quoted_line in pending_quotes:
            parent = find_quoted(quote_text(quoted_line) or "", thread.comments)
            if parent is not None:
                break
        pending_quotes = []
        thread.comments.append(Comment(
            id=f"c{len(thread.comments) + 1}",
            parent_id=parent.id if parent else thread.id,
            text=body,
        ))
    if pending_quotes:  # trailing quotes with no reply: keep them as a comment of their own
        thread.comments.append(Comment(id=f"c{len(thread.comments) + 1}", parent_id=thread.id,
                                       text="\n".join(pending_quotes)))
    return thread
