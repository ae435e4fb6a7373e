r"""A comment cut into lines with exact offsets, and a sentence cut into clauses.

>>> [(s.start, s.text, s.quote) for s in split_lines("> Rust is safe\nNo, it is not.")]
[(0, '> Rust is safe', 'Rust is safe'), (15, 'No, it is not.', None)]
"""

from __future__ import annotations

from dataclasses import dataclass

from argmap.claims.kinds import has_subject, has_verb, words_of
from argmap.claims.lexicon import FENCE, LIST_MARKER
from argmap.sources.text import quote_text



@dataclass
class Segment:
    """A line of a comment with its offset; ``quote`` holds the quoted text of a quote line."""

    start: int
    text: str
    quote: str | None = None
    code: bool = False
    paragraph: int = 0


MAX_LINE_CHARS = 5000  # a longer line (a wall of text with no line breaks) is read in pieces of at most this


def _cut_long(start: int, text: str) -> list[tuple[int, str]]:
    """``text`` (at offset ``start``) in pieces of at most ``MAX_LINE_CHARS``, cut after a
    sentence end where there is one, else at a space: spaCy's time and memory grow with a
    document's length, and it refuses one of a million characters.

    >>> [(s, len(t)) for s, t in _cut_long(10, "Short line.")]
    [(10, 11)]
    >>> pieces = _cut_long(0, "One two. " * 1500)
    >>> max(len(t) for _, t in pieces) <= MAX_LINE_CHARS, pieces[1][1][:8]
    (True, 'One two.')
    """
    pieces = []
    while len(text) > MAX_LINE_CHARS:
        window = text[:MAX_LINE_CHARS]
        cut = max(window.rfind(". "), window.rfind("! "), window.rfind("? "))
        cut = cut + 1 if cut > MAX_LINE_CHARS // 2 else window.rfind(" ")
        if cut <= 0:
            cut = MAX_LINE_CHARS
        head, rest = text[:cut].rstrip(), text[cut:]
        pieces.append((start, head))
        skipped = len(rest) - len(rest.lstrip())
        start, text = start + cut + skipped, rest.lstrip()
    if text:
        pieces.append((start, text))
    return pieces


def split_lines(text: str) -> list[Segment]:
    """Lines of a comment with exact offsets, list markers cut off; blank lines end paragraphs."""
    segments: list[Segment] = []
    offset, paragraph, fenced = 0, 0, False
    for line in text.split("\n"):
        if FENCE.match(line):
            fenced = not fenced
            segments.append(Segment(start=offset + len(line) - len(line.lstrip()), text=line.strip(), code=True,
                                    paragraph=paragraph))
        elif line.strip():
            lead = len(line) - len(line.lstrip())
            body = line.strip()
            code = fenced or line.startswith(("    ", "\t"))
            quote = None if code else quote_text(line)
            marker = LIST_MARKER.match(body) if quote is None and not code else None
            if marker and body[marker.end():].strip():
                lead += marker.end()
                body = body[marker.end():]
            # only prose goes to spaCy: a quote or code line stays whole (its quote is one quote)
            for start, piece in (_cut_long(offset + lead, body) if quote is None and not code else [(offset + lead, body)]):
                segments.append(Segment(start=start, text=piece, quote=quote, code=code, paragraph=paragraph))
        else:
            paragraph += 1
        offset += len(line) + 1
    return segments




def clause_split(sent, base: int) -> list[tuple[int, int, object]]:
    """Split "X; Y" and "X, but Y" where both halves are full assertions; (start, end, span)."""
    for tok in sent:
        at_semicolon = tok.text == ";"
        at_but = tok.lower_ == "but" and tok.i > sent.start and tok.nbor(-1).text == ","
        if not (at_semicolon or at_but) or tok.i in (sent.start, sent.end - 1):
            continue
        left_end = tok.i - 1 if at_but else tok.i
        left = sent.doc[sent.start:left_end]
        right = sent.doc[tok.i + 1:sent.end]
        if not all(words_of(half) >= 4 and has_subject(half) and has_verb(half) for half in (left, right)):
            continue
        if any(t.dep_ == "nsubj" and t.head.i >= tok.i for t in left):
            continue  # the left half's subject belongs to a verb on the right: not two assertions
        rest = clause_split(right, base)
        return [(base + _text_start(left), base + _text_end(left), left)] + (
            rest or [(base + _text_start(right), base + _text_end(right), right)])
    return []


def _text_start(span) -> int:
    """Where a span's text starts: at its first token that is not a run of spaces."""
    return next((t for t in span if not t.is_space), span[0]).idx


def _text_end(span) -> int:
    """Where a span's text ends: after its last token that is not whitespace (spaCy keeps a
    run of spaces as a token of its own at the end of a sentence)."""
    last = next((t for t in reversed(span) if not t.is_space), span[-1])
    return last.idx + len(last.text)
