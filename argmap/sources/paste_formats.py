"""Recognise what was pasted: plain lines, or text copied from an HN or a Reddit page.

A copied page keeps each comment's header (author, time, points) and the action links
("reply", "share", "permalink") as lines of their own, and loses the indentation. This
module finds the headers, takes the author, time and score from them, drops the rest of
the page furniture and returns the comments in page order; ``reply_structure`` then
guesses who answers whom. Formats (``detect`` picks the one with the most headers):

``hn`` (news.ycombinator.com)::

    Speed Is the Killer Feature (bdickason.com)
    1164 points by bdickason 3 hours ago | hide | past | favorite | 486 comments
    jkarneges 3 hours ago | next [–]
    Speed matters more than features.
    reply
    pg 2 hours ago | parent | next [–]
    Not for everyone.
    reply

``reddit-old`` (old.reddit.com)::

    [–]throwaway12 42 points 5 hours ago (3 children)
    The fuzzing is a privacy measure.
    permalink embed save report reply

``reddit-new`` (www.reddit.com, the 2018 redesign and the current one)::

    level 1
    throwaway12
    ·
    5 hr. ago
    The fuzzing is a privacy measure.
    42
    Reply
    Share

The current Reddit page writes ``•`` and ``5h ago`` and puts ``Upvote`` / ``Downvote``
around the score; both are read. ``lines`` is everything else: one comment per line,
``>`` quotes (see ``argmap.sources.text``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

_UNITS = r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|mos?|years?|yrs?|[smhdwy])"
_RELATIVE = rf"(?:\d+\s*{_UNITS}\.?\s+ago|just now)"
_HN_DATE = r"on\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s+\d{4}"
_HN_NAME = r"[A-Za-z0-9_-]{2,15}"
_REDDIT_NAME = r"(?:[A-Za-z0-9_-]{3,20}|\[deleted\])"

HN_HEADER = re.compile(
    rf"^(?P<author>{_HN_NAME})\s+(?P<time>{_RELATIVE}|{_HN_DATE})"
    r"(?P<rest>\s*(?:\[(?:flagged|dead)\]\s*)?(?:\|.*|\[[–\-+]\].*|\[\d+ more\].*)?)$")
HN_STORY = re.compile(rf"^(?P<points>\d+)\s+points?\s+by\s+(?P<author>{_HN_NAME})\s+(?P<time>{_RELATIVE}|{_HN_DATE})"
                      r"(?:\s*\|.*)?$")
HN_NOISE = re.compile(
    r"^(?:reply|flag|vouch|unvote|undown|hide|past|favorite|more|add comment|\[[–\-+]\]|\[\d+ more\]|"
    r"\[(?:deleted|flagged|dead)\]|search:.*|guidelines\s*\|.*|hacker news\s+new\s*\|.*|"
    r"(?:\w[\w ]*\|\s*){3,}\w[\w ]*|login|logout)$", re.I)  # one way to split a line: no backtracking blow-up

REDDIT_OLD_HEADER = re.compile(
    rf"^\[[–\-+]\]\s*(?P<author>{_REDDIT_NAME})(?:\s*\[[SMA]\])*(?P<flair>\s+.*?)??\s+"
    rf"(?:(?:(?P<score>-?\d+)\s+points?|\[?score hidden\]?)\s+)?(?P<time>{_RELATIVE})\*?"
    r"(?:\s*-\s*stickied comment)?(?:\s*\(\d+\s+child(?:ren)?\))?\s*$")
REDDIT_OLD_STORY = re.compile(rf"^submitted\s+(?P<time>{_RELATIVE})\*?\s+by\s+(?P<author>{_REDDIT_NAME}).*$", re.I)
_OLD_ACTIONS = r"(?:permalink|embed|save|unsave|parent|report|give award|give gold|reply|edit|delete|source|context|" \
               r"full comments|hide child comments|share|block user|send message)"
REDDIT_OLD_NOISE = re.compile(
    rf"^(?:{_OLD_ACTIONS}\s*)+$|^load more comments.*$|^continue this thread.*$|^\(\d+ repl(?:y|ies)\)$|"
    r"^all \d+ comments$|^sorted by:.*$|^(?:best|top|new|controversial|old|q&a)$|^\[[–\-+]\]$", re.I)

SEPARATOR = re.compile(r"^[·•]$")
REDDIT_NEW_TIME = re.compile(rf"^(?P<time>{_RELATIVE})$", re.I)
_SHORT_TIME = r"\d+\s*(?:s|m|h|d|w|y|mo|yr|yrs|hr|hrs|min|mins)\.?"
REDDIT_NEW_ONE_LINE = re.compile(rf"^(?:u/)?(?P<author>{_REDDIT_NAME})\s*[·•]\s*(?P<time>{_RELATIVE}|{_SHORT_TIME})$", re.I)
REDDIT_NEW_STORY = re.compile(rf"^posted by\s+u/(?P<author>{_REDDIT_NAME})\s+(?P<time>{_RELATIVE}).*$", re.I)
REDDIT_NEW_NOISE = re.compile(
    r"^(?:level \d+|reply|share|report|save|follow|award|upvote|downvote|vote|more replies|"
    r"\d+ more repl(?:y|ies)|continue this thread|op|edited(?: \d.*)?|[·•]\s*edited.*|[·•]|"
    r"(?:report|save|follow)+|stickied comment|sort by:.*|.* avatar|top \d+% commenter|give award|verified|"
    r"profile badge for the achievement.*|view more comments|see more|"
    r"[\d.,]+[kK]?\s+comments?|go to comments|join the conversation|best|top|new|controversial|old|q&a)$", re.I)
# a line between a new-Reddit commenter's name and the "·" before the time
_BADGE = re.compile(r"^(?:op|mod|admin|verified|top \d+% (?:commenter|poster)|promoted|"
                    r"profile badge for the achievement.*)$", re.I)
_SUBREDDIT = re.compile(r"^r/\w+(?:\s*[·•].*)?$")
_SCORE = re.compile(r"^-?\d+(?:[.,]\d+)?[kK]?$")


@dataclass
class PastedComment:
    text: str
    author: str | None = None
    created_at: str | None = None  # ISO date for absolute times, the page's words ("3 hours ago") otherwise
    score: int | None = None
    cues: "PageCues | None" = None  # what the page's header says of the comment's place in the tree


@dataclass
class PageCues:
    """Where a copied page puts a comment in the tree, as far as its header says.

    An HN header's links tell the depth class (no ``parent`` link: top level; ``parent``
    without ``root``: a reply to a top-level comment; ``root``: deeper) and whether an
    earlier sibling exists (``prev``). A Reddit page of the 2018 design writes
    ``level N`` before each comment: the exact depth. ``None`` = the page does not say.
    """

    depth_min: int | None = None  # 0 = top level
    depth_max: int | None = None  # None with a depth_min: that deep or deeper
    has_prev: bool | None = None  # an earlier sibling exists


@dataclass
class Paste:
    kind: str  # lines | hn | reddit-old | reddit-new
    comments: list[PastedComment] = field(default_factory=list)
    title: str = ""
    text: str = ""
    author: str | None = None
    created_at: str | None = None


def hn_time(words: str) -> str:
    """``on March 2, 2021`` → ``2021-03-02``; relative times are kept as written."""
    if words.startswith("on "):
        cleaned = words[3:].replace(".", "")
        for form in ("%B %d, %Y", "%b %d, %Y"):
            try:
                return datetime.strptime(cleaned, form).strftime("%Y-%m-%d")
            except ValueError:
                pass
    return words


def _score(text: str | None) -> int | None:
    """``42`` → 42, ``1.4k`` → 1400; None for anything else."""
    match = re.fullmatch(r"(-?\d+(?:[.,]\d+)?)([kK]?)", text or "")
    if not match:
        return None
    return round(float(match.group(1).replace(",", ".")) * (1000 if match.group(2) else 1))


def _squeezed(line: str) -> str:
    """A line as the header patterns read it: runs of spaces as one (a run of hundreds made the
    old-Reddit pattern backtrack for a second a line), and a line too long for a header as none."""
    return re.sub(r"\s+", " ", line) if len(line) <= 400 else ""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").split("\n")]


def _reddit_new_header(lines: list[str], i: int) -> tuple[int, str, str] | None:
    """(lines used, author, time) when a new-Reddit header starts at line ``i``."""
    match = REDDIT_NEW_ONE_LINE.match(_squeezed(lines[i]))
    if match:
        return 1, match.group("author"), match.group("time")
    if not re.fullmatch(rf"(?:u/)?{_REDDIT_NAME}", lines[i]) or REDDIT_NEW_NOISE.match(lines[i]):
        return None
    j = i + 1
    while j < len(lines) and (not lines[j] or _BADGE.match(lines[j]) or lines[j].endswith(" avatar")):
        j += 1
    if j + 1 < len(lines) and SEPARATOR.match(lines[j]):
        k = j + 1
        while k < len(lines) and not lines[k]:
            k += 1
        if k < len(lines):
            time = REDDIT_NEW_TIME.match(lines[k])
            if time:
                return k + 1 - i, lines[i].removeprefix("u/"), time.group("time")
    return None


# words that open a line of prose with a time ("Updated 2 hours ago"): an HN header only with its links
_PROSE_TIME_WORDS = {"updated", "posted", "edited", "published", "added", "sent", "replied", "written", "commented",
                     "modified", "created", "changed", "last", "submitted", "seen", "joined", "active", "online"}


def headers(lines: list[str], kind: str) -> int:
    if kind == "hn":
        return sum(1 for line in lines if (match := HN_HEADER.match(_squeezed(line)))
                   and (match.group("rest").strip() or match.group("author").lower() not in _PROSE_TIME_WORDS))
    if kind == "reddit-old":
        return sum(1 for line in lines if REDDIT_OLD_HEADER.match(_squeezed(line)))
    return sum(1 for i in range(len(lines)) if lines[i] and _reddit_new_header(lines, i))


def detect(text: str) -> str:
    """The paste's format: the page kind with the most comment headers (at least 2), else ``lines``."""
    lines = _lines(text)
    counts = {kind: headers(lines, kind) for kind in ("hn", "reddit-old", "reddit-new")}
    kind, count = max(counts.items(), key=lambda item: item[1])
    return kind if count >= 2 else "lines"


def _finish(paste: Paste, current: PastedComment | None, body: list[str]) -> None:
    if current is None:
        return
    paragraphs = [line for line in body if line]
    current.text = "\n\n".join(paragraphs)
    paste.comments.append(current)


def _drop_scores(body: list[str], noise: re.Pattern) -> tuple[list[str], int | None]:
    """Remove vote counts that sit among action lines; return the body and the count."""
    kept, score = [], None
    for index, line in enumerate(body):
        if _SCORE.match(line):
            near = [b for b in body[max(0, index - 2):index] + body[index + 1:index + 3] if b]
            if any(noise.match(b) for b in near):
                score = _score(line) if score is None else score
                continue
        kept.append(line)
    return kept, score


def parse_page(text: str, kind: str) -> Paste:
    """Comments (author, time, score, text) from a copied page of ``kind``."""
    lines = _lines(text)
    paste = Paste(kind=kind)
    noise = {"hn": HN_NOISE, "reddit-old": REDDIT_OLD_NOISE, "reddit-new": REDDIT_NEW_NOISE}[kind]
    preamble: list[str] = []
    current: PastedComment | None = None
    body: list[str] = []
    nav_seen = False  # an HN header with the prev/next links (pages since 2022)
    i = 0
    while i < len(lines):
        line = lines[i]
        header = None
        cues = None
        if kind == "hn":
            match = HN_HEADER.match(_squeezed(line))
            if match and not HN_STORY.match(_squeezed(line)):
                header = (1, match.group("author"), hn_time(match.group("time")), None)
                cues = hn_cues(match.group("rest"))
                nav_seen = nav_seen or bool(re.search(r"\b(?:prev|next)\b", match.group("rest") or ""))
            story = HN_STORY.match(_squeezed(line))
            if story and current is None:
                paste.author, paste.created_at = story.group("author"), hn_time(story.group("time"))
                paste.title = _title(preamble)
                preamble = []
                i += 1
                continue
        elif kind == "reddit-old":
            match = REDDIT_OLD_HEADER.match(_squeezed(line))
            if match:
                header = (1, match.group("author"), match.group("time"), _score(match.group("score")))
            story = REDDIT_OLD_STORY.match(_squeezed(line))
            if story and current is None:
                paste.author, paste.created_at = story.group("author"), story.group("time")
                paste.title = _title(preamble)
                preamble = []
                i += 1
                continue
        else:
            story = REDDIT_NEW_STORY.match(_squeezed(line))
            if story and current is None:
                paste.author, paste.created_at = story.group("author"), story.group("time")
                preamble = []
                i += 1
                continue
            found = _reddit_new_header(lines, i) if line else None
            if found:
                header = (found[0], found[1], found[2], None)
                cues = _reddit_level(preamble if current is None else body)
        if header is not None:
            if current is not None:
                if kind == "reddit-old":
                    current.cues = _reddit_old_cues(body)
                kept, score = _drop_scores(body, noise)
                kept = [b for b in kept if not noise.match(b) and not PAGE_NOISE.match(b)]
                current.score = current.score if current.score is not None else score
                _finish(paste, current, kept)
            else:
                _finish_preamble(paste, preamble, noise)
            used, author, time, score = header
            current = PastedComment(text="", author=None if author == "[deleted]" else author,
                                    created_at=time, score=score, cues=cues)
            body = []
            i += used
            continue
        if current is None:
            preamble.append(line)
        else:
            body.append(line)
        i += 1
    if current is not None:
        if kind == "reddit-old":
            current.cues = _reddit_old_cues(body)
        kept, score = _drop_scores(_trim_footer(body), noise)
        kept = [b for b in kept if not noise.match(b) and not PAGE_NOISE.match(b)]
        current.score = current.score if current.score is not None else score
        _finish(paste, current, kept)
    paste.comments = [c for c in paste.comments if c.text.strip()]
    if kind == "hn":
        _keep_hn_cues_the_page_gives(paste.comments, nav_seen)
    _start_depths_at_the_first_comment(paste.comments, kind)
    return paste


def _start_depths_at_the_first_comment(comments: list[PastedComment], kind: str) -> None:
    """A copy that starts mid-thread: its first comment's parent is not in the paste. The 2018
    design's ``level N`` depths are counted from the shallowest level seen so far (a comment
    at that level stands at the top of the paste, its replies under it). HN's depth classes
    (top level, a reply to one, deeper) are the page's own, but a reply's place in the paste
    depends on ancestors it may lack: in such a copy HN replies keep only their ``prev`` cue,
    top-level comments all of theirs. Old Reddit's cues (top level, or a reply) hold as they are.

    >>> levels = [PastedComment(str(n), cues=PageCues(n - 1, n - 1)) for n in (3, 2, 3)]
    >>> _start_depths_at_the_first_comment(levels, "reddit-new"); [c.cues.depth_min for c in levels]
    [0, 0, 1]
    """
    first = next((c.cues for c in comments if c.cues is not None and c.cues.depth_min is not None), None)
    if first is None or not first.depth_min:
        return
    if kind == "hn":
        for comment in comments:
            if comment.cues is not None and comment.cues.depth_min:
                comment.cues = PageCues(None, None, comment.cues.has_prev)
        return
    if kind != "reddit-new":
        return
    offset = first.depth_min
    for comment in comments:
        cues = comment.cues
        if cues is None or cues.depth_min is None:
            continue
        offset = min(offset, cues.depth_min)
        depth = cues.depth_min - offset
        comment.cues = PageCues(depth, depth, cues.has_prev)


_LEVEL = re.compile(r"^level (\d+)$", re.I)


def hn_cues(rest: str) -> PageCues:
    """The tree cues of an HN comment header's links (``| root | parent | prev | next [–]``).

    >>> hn_cues("| next [–]")
    PageCues(depth_min=0, depth_max=0, has_prev=False)
    >>> hn_cues("| parent | prev | next [–]")
    PageCues(depth_min=1, depth_max=1, has_prev=True)
    >>> hn_cues("| root | parent | next [–]")
    PageCues(depth_min=2, depth_max=None, has_prev=False)
    """
    links = {part.strip().split(" ")[0].lower() for part in (rest or "").split("|") if part.strip()}
    if "root" in links:
        depth_min, depth_max = 2, None
    elif "parent" in links:
        depth_min, depth_max = 1, 1
    else:
        depth_min, depth_max = 0, 0
    return PageCues(depth_min, depth_max, "prev" in links)


def _keep_hn_cues_the_page_gives(comments: list[PastedComment], nav_seen: bool) -> None:
    """Copies without the header links (trimmed, or pages from before HN's ``prev`` /
    ``next`` links) say nothing of depth or siblings: drop the cues they cannot carry."""
    has_parent_links = any(c.cues and c.cues.depth_min for c in comments)
    for comment in comments:
        if comment.cues is None:
            continue
        if not has_parent_links:
            comment.cues = None
        elif not nav_seen:
            comment.cues.has_prev = None


_OLD_ACTION_LINE = re.compile(rf"^(?:{_OLD_ACTIONS}\s*)+$", re.I)


def _reddit_old_cues(body: list[str]) -> PageCues | None:
    """Old Reddit's action line under a comment has ``parent`` only on replies: depth ≥ 1
    with it, top level without; None when the copy has no action line.

    >>> _reddit_old_cues(["Yes.", "permalink embed save parent report give award reply"])
    PageCues(depth_min=1, depth_max=None, has_prev=None)
    >>> _reddit_old_cues(["Yes.", "permalinkembedsaveparentreportgive awardreply"]).depth_min
    1
    >>> _reddit_old_cues(["Yes.", "permalinkembedsavereportgive awardreply"]).depth_min
    0
    """
    actions = [line for line in body if _OLD_ACTION_LINE.match(line)]
    if not actions:
        return None
    if any("parent" in (word.lower() for word in re.findall(_OLD_ACTIONS, line, re.I)) for line in actions):
        return PageCues(1, None)  # the links run together in some copies: "permalinkembedsaveparent…"
    return PageCues(0, 0)


def _reddit_level(before: list[str]) -> PageCues | None:
    """``level N`` on the last non-blank line before a new-Reddit header: depth N - 1."""
    for line in reversed(before):
        if not line:
            continue
        match = _LEVEL.match(line)
        return PageCues(int(match.group(1)) - 1, int(match.group(1)) - 1) if match else None
    return None


# the page around the comments: navigation, sign-in boxes, side bars, footers
PAGE_NOISE = re.compile(
    r"^(?:skip to main content|jump to content|go to reddit home|get the reddit app|get app|log ?in|sign ?up|"
    r"open menu|open navigation|expand user menu|create post|advertise on reddit|open chat|open inbox|"
    r"search in r/.*|my subreddits.*|limit my search to .*|use the following search parameters.*|"
    r"this post was submitted on .*|continue with (?:email|google|apple|phone number).*|new to reddit\?.*|"
    r"by continuing, you agree .*|give award|comment deleted by user|comment removed by moderator)$", re.I)
# the last line of a Reddit page's footer, and the short link lines above it
_FOOTER_MARK = re.compile(r"^(?:.{0,40}©\s*\d{4}\s+reddit.*|reddit,? inc\.?\s*©.*|π rendered by pid .*)$", re.I)
_FOOTER_LINK = re.compile(r"^(?:about|blog|about reddit|advertise|help|reddit premium|reddit gifts|reddit coins|careers|"
                          r"press|apps & tools|reddit for iphone|reddit for android|reddiquette|mod guidelines|"
                          r"contact us|wiki|faq|user agreement|privacy policy|content policy|"
                          r"moderator code of conduct|reddit rules|accessibility|reddit, inc\..*|"
                          r"rendered by pid .*|use of this site constitutes acceptance .*|"
                          r"reddit and the alien logo are registered trademarks .*)$", re.I)


def _title(preamble: list[str]) -> str:
    for line in reversed(preamble):
        if line and not HN_NOISE.match(line) and not REDDIT_NEW_NOISE.match(line) and not PAGE_NOISE.match(line):
            return re.sub(r"\s*\((?:self\.)?[\w.-]+\.[a-z]{2,}\)$|\s*\(self\.\w+\)$", "", line)
    return ""


def _finish_preamble(paste: Paste, preamble: list[str], noise: re.Pattern) -> None:
    """Text before the first comment: the post's title (if no story line gave it) and its text."""
    kept = [line for line in preamble if line and not noise.match(line) and not _SCORE.match(line)
            and not _SUBREDDIT.match(line) and not PAGE_NOISE.match(line)]
    if paste.author is None and len(kept) > 1 and re.fullmatch(rf"(?:u/)?{_REDDIT_NAME}", kept[0]):
        paste.author = kept.pop(0).removeprefix("u/")
    if not paste.title and kept:
        paste.title = kept.pop(0)
    paste.text = "\n\n".join(kept)


def _trim_footer(body: list[str]) -> list[str]:
    """The last comment without the page footer after it (HN's Guidelines | FAQ … is noise
    already): Reddit's ``… © 2024 reddit inc.`` line among the last lines, and the footer's
    link lines just above it, are cut; nothing else is.

    >>> _trim_footer(["Dogs, no contest", "Reply", "Share", "Reddit Rules", "Privacy Policy", "Reddit, Inc. © 2024."])
    ['Dogs, no contest', 'Reply', 'Share']
    >>> _trim_footer(["The licence:", "Copyright © 2019 Foo Corp, all rights reserved", "So not open source."])
    ['The licence:', 'Copyright © 2019 Foo Corp, all rights reserved', 'So not open source.']
    """
    while body and not body[-1]:
        body.pop()
    tail = [i for i in range(len(body)) if body[i]][-12:]  # the footer sits at the very end
    mark = next((i for i in reversed(tail) if _FOOTER_MARK.match(body[i])), None)
    if mark is not None and all(_FOOTER_LINK.match(body[i]) or _FOOTER_MARK.match(body[i]) for i in tail if i > mark):
        start = mark
        while start > 0 and (not body[start - 1] or _FOOTER_LINK.match(body[start - 1])):
            start -= 1
        body = body[:start]
        while body and not body[-1]:
            body.pop()
    return body


def split_paste(text: str) -> Paste:
    """A copied page's comments, or ``Paste(kind="lines")`` (no comments) for plain pasted lines."""
    kind = detect(text)
    if kind == "lines":
        return Paste(kind="lines")
    return parse_page(text, kind)
