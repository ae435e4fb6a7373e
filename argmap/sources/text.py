"""Pasted text: one comment per line with ``>`` quotes, or a copied HN / Reddit page.

A paste has no reply tree. A quote is the surest structure there is: the quoted text is
looked up (tolerantly) among earlier comments, and the quoting comment becomes a reply
to the comment it quotes. A line that is only a quotation in double quotes ("like
this") followed by a reply is treated as a quote too, as people write on Hacker News.
In a one-comment-per-line paste, quoted words found in no earlier line come from a
comment the paste does not hold: they become a comment of their own (``quoted_only``,
no author, under the root: where its source sat is unknown) standing for it, and the
quoting line its reply, so the reply's stance is read against what it answers.
Every other parent is guessed by the reply-structure model
(``argmap.sources.reply_structure``) and marked as inferred. Copied pages are recognised
by ``argmap.sources.paste_formats``.
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


QUOTE_WINDOW = 500  # a quote is looked for in this many comments before it (exact words) ...
FUZZY_WINDOW = 100  # ... and, word for word with small changes, in this many


class QuoteFinder:
    """Which earlier comment a quote comes from, over a paste's comments as they are added.

    Each comment is normalised once, and a quote is looked for in the comments shortly before
    it (``QUOTE_WINDOW``; ``FUZZY_WINDOW`` for the fuzzy match), so a paste of thousands of
    quotes costs time in proportion to its length, not to its length squared.
    """

    def __init__(self):
        self.texts: list[str] = []
        self.words: list[set[str]] = []

    def add(self, comment: Comment) -> None:
        text = normalise(comment.text)
        self.texts.append(text)
        self.words.append(set(text.split()))

    def find(self, quote: str) -> int | None:
        """Index of the latest earlier comment that contains ``quote``: exact words first, then fuzzy."""
        wanted = normalise(quote)
        if len(wanted) < 3:
            return None
        last = len(self.texts) - 1
        for index in range(last, max(-1, last - QUOTE_WINDOW), -1):
            if wanted in self.texts[index]:
                return index
        words = wanted.split()
        best, best_ratio = None, 0.0
        for index in range(last, max(-1, last - FUZZY_WINDOW), -1):
            # at least 3/4 of the quote's words must be in the comment at all before they are aligned
            if sum(word in self.words[index] for word in words) < 0.75 * len(words):
                continue
            matcher = difflib.SequenceMatcher(None, words, self.texts[index].split(), autojunk=False)
            ratio = sum(block.size for block in matcher.get_matching_blocks()) / len(words)
            if ratio > best_ratio:
                best, best_ratio = index, ratio
        return best if best_ratio >= 0.75 else None


def find_quoted(quote: str, earlier: list[Comment]) -> Comment | None:
    """The latest of ``earlier`` that contains ``quote`` (see ``QuoteFinder``).

    >>> find_quoted("you are wrong", [Comment("a", "p", "You are wrong."), Comment("b", "p", "No.")]).id
    'a'
    """
    finder = QuoteFinder()
    for comment in earlier:
        finder.add(comment)
    index = finder.find(quote)
    return None if index is None else earlier[index]


def parse_text(text: str, *, title: str = "Pasted text", infer: bool = True, settings=None,
               max_comments: int | None = None) -> Thread:
    """Turn a paste into a Thread; raise ArgmapError if there is nothing to analyse.

    A copied HN or Reddit page is split at its comment headers (``paste_formats``);
    anything else is one comment per line. With ``infer`` (the default) every comment's
    parent is then guessed by the reply-structure model and marked ``parent_inferred``
    with its confidence; a quote found in an earlier comment fixes the parent. Without
    the model (or with ``infer=False``) quotes are the only structure and the rest hang
    off the root. ``settings`` (an ``argmap.settings.Settings``) choose the model's folder
    and the encoder, and cache the vectors in the instance folder; without them, the
    checkout's model and the default encoder, uncached. ``max_comments`` keeps the paste's
    first comments (a paste is in page order) before any parent is guessed, saying so in the notes.
    """
    from argmap.sources import paste_formats

    if "\x00" in text:
        raise ArgmapError("this does not look like text (it contains binary data)")
    # a binary file read as text (a browser upload) arrives as U+FFFD for every byte that is not UTF-8
    replaced = text.count("\ufffd")
    if replaced >= 3 and replaced > 0.02 * len(text):
        raise ArgmapError("this does not look like text: it holds bytes that are not characters (a binary file?)")
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line.strip()]
    if not lines:
        raise ArgmapError("the pasted text is empty: paste one comment per line")
    digest = hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()[:10]
    thread = Thread(source="text", id=f"paste-{digest}", title=title)
    paste = paste_formats.split_paste(text)
    quoted: dict[int, int] = {}  # comment index -> index of the comment its quote was found in
    cues = None  # per comment: what a copied page's headers say of its place in the tree
    if paste.kind == "lines":
        _comments_from_lines(thread, lines, quoted)
    else:
        listed = len(paste.comments)
        if max_comments is not None and listed > max_comments:
            paste.comments = paste.comments[:max_comments]  # quotes look back only: the rest need not be read
        _comments_from_page(thread, paste, quoted)
        cues = [pasted.cues for pasted in paste.comments]
        if not thread.comments:
            raise ArgmapError(f"found no comments in the copied {paste.kind} page")
    total = len(thread.comments) if paste.kind == "lines" else listed
    if max_comments is not None and total > max_comments:
        thread.comments = thread.comments[:max_comments]  # page order: a quote's comment comes before its reply
        quoted = {index: source for index, source in quoted.items() if index < max_comments}
        cues = cues[:max_comments] if cues is not None else None
        thread.notes.append(f"thread cut at {max_comments:,} comments (of {total:,}); "
                            "raise --max-comments to analyse more")
    for index, comment in enumerate(thread.comments):  # the structure the quotes alone give
        if index in quoted:
            comment.parent_id = thread.comments[quoted[index]].id
    if infer:
        _infer(thread, quoted, paste.kind, settings, cues)
    return thread


def _comments_from_lines(thread: Thread, lines: list[str], quoted: dict[int, int]) -> None:
    finder = QuoteFinder()
    pending_quotes: list[str] = []
    for line in lines:
        if quote_text(line) is not None:
            pending_quotes.append(line.strip())
            continue
        body = "\n".join(pending_quotes + [line.strip()])
        found = (finder.find(quote_text(quoted_line) or "") for quoted_line in pending_quotes)
        parent = next((index for index in found if index is not None), None)
        if parent is not None:
            quoted[len(thread.comments)] = parent
        elif pending_quotes and len(normalise(" ".join(pending_quotes)).split()) >= 2:
            _add_stand_in(thread, pending_quotes, finder)  # quoted from a comment the paste lacks: its words stand for it
            quoted[len(thread.comments)] = len(thread.comments) - 1
        pending_quotes = []
        thread.comments.append(Comment(id=f"c{len(thread.comments) + 1}", parent_id=thread.id, text=body))
        finder.add(thread.comments[-1])
    if pending_quotes:  # trailing quotes with no reply: the quoted words, standing for their comment
        _add_stand_in(thread, pending_quotes, finder)


def _add_stand_in(thread: Thread, quote_lines: list[str], finder: QuoteFinder) -> None:
    """A comment of the quoted words alone (``quoted_only``, no author) for a comment the paste lacks."""
    words = " ".join(quote_text(line) or "" for line in quote_lines).strip()
    thread.comments.append(Comment(id=f"c{len(thread.comments) + 1}", parent_id=thread.id, text=words,
                                   quoted_only=True))
    finder.add(thread.comments[-1])


def _comments_from_page(thread: Thread, paste, quoted: dict[int, int]) -> None:
    if paste.title:
        thread.title = paste.title
    thread.text, thread.author, thread.created_at = paste.text, paste.author, paste.created_at
    finder = QuoteFinder()
    for pasted in paste.comments:
        index = len(thread.comments)
        pasted.text = _mark_unmarked_quotes(pasted.text, pasted.author, thread.comments, finder)
        for line in pasted.text.split("\n"):
            quote = quote_text(line)
            if quote is None:
                continue
            parent = finder.find(quote)
            if parent is not None:
                quoted[index] = parent
                break
        gone = pasted.text.strip().lower() in ("[deleted]", "[removed]")  # a page's placeholder: no words, kept in place
        thread.comments.append(Comment(id=f"c{index + 1}", parent_id=thread.id, text="" if gone else pasted.text,
                                       author=pasted.author, created_at=pasted.created_at, score=pasted.score,
                                       deleted=gone))
        finder.add(thread.comments[-1])


UNMARKED_QUOTE_WORDS = 8  # a paragraph this long, word for word in an earlier comment, is a quote
UNMARKED_QUOTE_WINDOW = 50  # ... of one of the comments this shortly before


def _mark_unmarked_quotes(text: str, author: str | None, earlier: list[Comment], finder: QuoteFinder) -> str:
    r"""A copied Reddit page loses the ``>`` of a quote (the page shows it as an indented block):
    a comment's opening paragraphs that stand word for word (whole words, at least
    ``UNMARKED_QUOTE_WORDS`` of them) in one of the ``UNMARKED_QUOTE_WINDOW`` comments before
    it, by someone else, and are not its last paragraph, get their ``>`` back, so they are read
    as the quote they are, not as the replier's own claims. ``finder`` holds the earlier
    comments' normalised texts (one per comment of ``earlier``), so none is normalised twice.

    >>> earlier = [Comment("c1", "p", "Remote work is better because nobody has to commute to an office.", author="ann")]
    >>> finder = QuoteFinder(); finder.add(earlier[0])
    >>> _mark_unmarked_quotes("remote work is better because nobody has to commute\n\nNo, teams drift.", "bo", earlier, finder)
    '> remote work is better because nobody has to commute\n\nNo, teams drift.'
    >>> _mark_unmarked_quotes("remote work is better because nobody has to commute\n\nAnd more.", "ann", earlier, finder)
    'remote work is better because nobody has to commute\n\nAnd more.'
    """
    paragraphs = text.split("\n\n")
    start = max(0, len(earlier) - UNMARKED_QUOTE_WINDOW)
    window = list(zip(earlier[start:], finder.texts[start:]))
    for number, paragraph in enumerate(paragraphs[:-1]):
        if quote_text(paragraph) is not None:
            continue  # already a quote
        wanted = normalise(paragraph) if len(paragraph.split()) >= UNMARKED_QUOTE_WORDS else ""
        found = len(wanted.split()) >= UNMARKED_QUOTE_WORDS and any(
            f" {wanted} " in f" {normalised} " and not (author and comment.author == author)
            for comment, normalised in reversed(window))
        if not found:
            break  # quotes open a reply: the first paragraph of the replier's own ends the search
        paragraphs[number] = "> " + paragraph
    return "\n\n".join(paragraphs)


def _infer(thread: Thread, quoted: dict[int, int], kind: str, settings=None, cues: list | None = None) -> None:
    """Guess every parent with the reply-structure model, within what the page's ``cues``
    allow; a note says so."""
    from argmap.sources import reply_structure

    cues = cues or [None] * len(thread.comments)
    units = [reply_structure.Unit.of(c.text, c.author, cue) for c, cue in zip(thread.comments, cues)]
    root_text = thread.root_comment().text if kind != "lines" else ""
    options = {}
    if settings is not None:
        from argmap.cache import cache_for
        from argmap.embed.vectors import Encoder

        options = {"models_folder": settings.models_folder, "encoder": Encoder.from_settings(settings),
                   "cache": cache_for(str(settings.instance_folder))}
    # a stand-in for a quoted comment the paste lacks stays under the root: where its source
    # sat is unknown, so no guess is made (or fed to its reply's stance as context)
    fixed = {**quoted, **{i: reply_structure.ROOT for i, c in enumerate(thread.comments) if c.quoted_only}}
    try:
        result = reply_structure.infer_parents(units, root_text, fixed=fixed, **options)
    except Exception as exc:  # noqa: BLE001 - a missing encoder must not lose the paste
        thread.notes.append(f"reply links not inferred ({type(exc).__name__}); only quotes link comments")
        return
    if result is None:
        thread.notes.append("reply links not inferred (model not installed); only quotes link comments")
        return
    parents, confidences = result
    for comment, parent, confidence in zip(thread.comments, parents, confidences):
        if comment.quoted_only:
            continue  # under the root, not a guess
        comment.parent_id = thread.id if parent == reply_structure.ROOT else thread.comments[parent].id
        comment.parent_inferred = True
        comment.parent_confidence = round(confidence, 3)
    where = "a copied " + {"hn": "Hacker News", "reddit-old": "old Reddit",
                           "reddit-new": "Reddit"}.get(kind, "") + " page" if kind != "lines" else "pasted lines"
    thread.notes.append(f"who answers whom was inferred from {where} (a paste has no reply tree): "
                        f"every reply link is a guess, marked inferred with its confidence")
