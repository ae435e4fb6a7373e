"""Claim extraction: the sentences of a comment that assert something.

A **claim** is an assertive statement someone could agree or disagree with: a declarative
sentence with a verb ("China is dominating at this field."), an imperative or a
recommendation, a short rebuttal ("That's not true."), a tag question that asserts
("It's a tax, isn't it?"). Each comment is read line by line (paragraphs and quote lines
first, then spaCy sentences) and every sentence gets one *kind*:

- ``claim`` — kept, and the only kind ``extract_claims`` returns;
- ``question`` — ends in "?", or is a question without one: subject-aux inversion
  ("Is it untrue, an exaggeration, or an observation they don't like."), a wh-word
  before an auxiliary ("Why would anyone do that."), "I wonder whether ...",
  "Can someone explain ...". Rhetorical questions ("Isn't it obvious that X?") are
  questions too: telling them from real ones is not reliable without the context. The
  exception is a question its author answers at once: "Is it easy? Of course not." is
  one claim;
- ``quote`` — ``>`` lines and lines that are only a "quotation" (they point at another
  claim; the claims after them record it in ``quote_of``);
- ``meta`` — talk about votes, edits, moderation and the thread itself ("Edit: typo",
  "Why the downvotes?", "[deleted]"). An edit note that asserts something ("Edit: the
  law passed in 2019.") is a claim starting after the "Edit:" prefix;
- ``greeting`` — greetings, thanks, sign-offs, and bare reactions ("This.", "+1",
  "I agree.", "lol");
- ``link`` — a bare link or a reference line ("Source: https://..."); it marks the
  claim before it as having ``evidence``;
- ``code`` — lines indented four spaces or inside a ``` fence;
- ``signature`` — a "-- name" line;
- ``other`` — too short to assert anything, a verbless phrase with nothing to join,
  a request ("Please ...", "Let me tell you ..."), separators and emoticons.

**Fragments** (no verb: "The vast majority.", "- cost", a trailing "[1]") join the unit
before them in the same comment, whatever its kind (not across a quote, code or link),
so "Most papers come from China. The vast majority." is one claim. A verbless line with nothing before it in its comment and at least five words
("Most of the open source models on GitHub, too.") is an elliptical claim that continues
the parent comment: kept as a claim with a lower score, since a reader takes it as
asserting something.

**Clauses**: a sentence that joins two full assertions with ";" or ", but" is split in
two claims (each half needs its own subject and verb and four words); the "but" belongs
to neither.

Attributes: ``start``/``end`` are exact (``comment.text[start:end] == text``),
``position`` counts claims within the comment, ``hedged`` ("I think", "probably",
"my understanding is"), ``evidence`` (a link, a number, a citation like ``[1]``, a
first-hand report like "I visited ..."), and ``score`` in [0, 1] for how claim-like it is.

``extract_claims`` returns the claims only (what relations and the graph use);
``extract_units`` returns every unit with its kind: the claims, and a ``Unit`` for each
non-claim. A claim after a ``>`` quote keeps the quote in ``quoted_text``; ``quote_of``
is the id of the claim that quote was found to be (or None).
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from argmap.claims.kinds import claim_score, edit_remainder, is_edit_meta, sentence_kind, words_of
from argmap.claims.lexicon import CITATION, EVIDENCE, HEDGE, MIN_LONE_FRAGMENT_WORDS, SELF_ANSWER
from argmap.claims.segmentation import clause_split, split_lines
from argmap.model import Claim, Comment, Thread, Unit
from argmap.sources.text import normalise


@dataclass
class _Piece:
    start: int
    end: int
    kind: str
    span: object
    lone_fragment: bool = False


def _sentence_pieces(sent, line_start: int) -> list[_Piece]:
    """One sentence read as pieces: its kind, split into clauses, an edit prefix cut off."""
    text = sent.text.strip()
    lead = len(sent.text) - len(sent.text.lstrip())
    start = line_start + sent.start_char + lead
    end = start + len(text)
    skip = edit_remainder(text)
    if skip:
        rest_start = sent.start_char + lead + skip
        rest = sent.doc.char_span(rest_start, sent.end_char, alignment_mode="expand")
        if rest is not None and len(rest) and not is_edit_meta(rest, text[skip:]):
            kind = sentence_kind(rest, text[skip:])
            if kind == "claim":
                return [_Piece(line_start + rest[0].idx, end, "claim", rest)]
        return [_Piece(start, end, "meta", sent)]
    kind = sentence_kind(sent, text)
    if kind == "claim":
        clauses = clause_split(sent, line_start)
        if clauses:  # "I'm sorry for your loss, but …": a kindness before the claim is no claim
            return [_Piece(s, e, "greeting" if sentence_kind(span, span.text.strip()) == "greeting" else "claim", span)
                    for s, e, span in clauses]
    return [_Piece(start, end, kind, sent)]


def comment_units(comment: Comment, doc_for_line) -> list[Claim | Unit]:
    """Every unit of one comment with its kind; ``doc_for_line(text)`` returns a spaCy Doc."""
    pieces: list[_Piece] = []
    quote_at: dict[int, str] = {}
    quote: str | None = None
    last_paragraph = -1
    for segment in split_lines(comment.text):
        end = segment.start + len(segment.text)
        if segment.code or segment.quote is not None:
            kind = "code" if segment.code else "quote"
            if segment.quote is not None:
                joined = pieces and pieces[-1].kind == "quote" and segment.paragraph == last_paragraph
                quote = f"{quote} {segment.quote}" if joined and quote else segment.quote
            if pieces and pieces[-1].kind == kind and segment.paragraph in (last_paragraph, last_paragraph + 1):
                pieces[-1].end = end
            else:
                pieces.append(_Piece(segment.start, end, kind, None))
            last_paragraph = segment.paragraph
            continue
        doc = doc_for_line(segment.text)
        line_begins = len(pieces)
        for sent in doc.sents:
            if not sent.text.strip():
                continue
            for piece in _sentence_pieces(sent, segment.start):
                previous = pieces[-1] if pieces else None
                text = comment.text[piece.start:piece.end]
                if CITATION.fullmatch(text) and len(pieces) > line_begins:
                    piece.kind = "fragment"  # "... earns PhDs [1]." split after the sentence's own "."
                if previous is not None and previous.kind == "question" and SELF_ANSWER.match(text):
                    previous.kind, previous.end = "claim", piece.end  # "Is it easy? Of course not."
                    if quote is not None:
                        quote_at[len(pieces) - 1] = quote
                    continue
                joinable = previous is not None and previous.kind not in ("quote", "code", "link", "signature", "other")
                if piece.kind == "fragment":
                    if joinable:
                        previous.end = piece.end
                        continue
                    lone = (previous is None or previous.kind in ("quote", "link")) and \
                        words_of(piece.span) >= MIN_LONE_FRAGMENT_WORDS and \
                        any(t.pos_ in ("NOUN", "PROPN") for t in piece.span) and \
                        not text.rstrip().endswith(("!", ":"))
                    piece.kind = "claim" if lone else "other"
                    piece.lone_fragment = lone
                if piece.kind == "claim" and quote is not None:
                    quote_at[len(pieces)] = quote
                pieces.append(piece)
        last_paragraph = segment.paragraph
    return _pieces_to_units(comment, pieces, quote_at)


def _pieces_to_units(comment: Comment, pieces: list[_Piece], quote_at: dict[int, str]) -> list[Claim | Unit]:
    units: list[Claim | Unit] = []
    claims = 0
    counts: dict[str, int] = {}
    for index, piece in enumerate(pieces):
        text = comment.text[piece.start:piece.end]
        plain = text.replace("’", "'")
        if piece.kind == "claim":
            cited = index + 1 < len(pieces) and pieces[index + 1].kind == "link"
            units.append(Claim(
                id=f"{comment.id}:{claims}",
                comment_id=comment.id,
                text=text,
                start=piece.start,
                end=piece.end,
                position=claims,
                author=comment.author,
                kind="claim",
                quoted_text=quote_at.get(index),
                hedged=bool(HEDGE.search(plain)),
                evidence=cited or bool(EVIDENCE.search(plain)),
                score=claim_score(piece.span, text, lone_fragment=piece.lone_fragment),
            ))
            claims += 1
        else:
            counts[piece.kind] = counts.get(piece.kind, 0) + 1
            units.append(Unit(
                id=f"{comment.id}:{piece.kind}{counts[piece.kind]}",
                comment_id=comment.id,
                text=text,
                start=piece.start,
                end=piece.end,
                kind=piece.kind,
                author=comment.author,
            ))
    return units


def _best_quoted_claim(quote: str, candidates: list[Claim]) -> Claim | None:
    wanted = set(normalise(quote).split())
    if not wanted:
        return None
    best, best_overlap = None, 0.0
    for claim in candidates:
        words = set(normalise(claim.text).split())
        overlap = len(wanted & words) / len(wanted)
        if overlap > best_overlap:
            best, best_overlap = claim, overlap
    return best if best_overlap >= 0.5 else None


def parse_lines(texts: list[str], nlp, *, batch_size: int = 128) -> dict[str, object]:
    """Each distinct line parsed once with ``nlp.pipe`` (batched), by its text."""
    unique = list(dict.fromkeys(texts))
    return dict(zip(unique, nlp.pipe(unique, batch_size=batch_size))) if unique else {}


_CLAIM_FIELDS = ("start", "end", "kind", "position", "quoted_text", "hedged", "evidence", "score")
_UNIT_FIELDS = ("start", "end", "kind")
COMMENT_CHUNK = 200  # comments read between progress reports (and handed on to ``on_claims``)


@functools.lru_cache(maxsize=1)
def _code_version() -> str:
    """A digest of the claims package's code: a change to any of its modules starts the cache afresh."""
    digest = hashlib.sha1()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:12]


def units_namespace(model_meta: dict) -> str:
    """Cache namespace: this package's code and the spaCy model (its meta), so a change of either starts afresh."""
    return f"units:{model_meta.get('name')}-{model_meta.get('version')}:{_code_version()}"


def units_to_bytes(units: list[Claim | Unit], comment: Comment) -> bytes:
    prefix = len(comment.id) + 1
    return json.dumps([[u.id[prefix:], *(getattr(u, f) for f in (_CLAIM_FIELDS if u.kind == "claim" else _UNIT_FIELDS))]
                       for u in units]).encode()


def units_from_bytes(blob: bytes, comment: Comment) -> list[Claim | Unit]:
    units = []
    for suffix, *values in json.loads(blob):
        kind = Claim if values[2] == "claim" else Unit
        fields = dict(zip(_CLAIM_FIELDS if kind is Claim else _UNIT_FIELDS, values))
        units.append(kind(id=f"{comment.id}:{suffix}", comment_id=comment.id, author=comment.author,
                          text=comment.text[fields["start"]:fields["end"]], **fields))
    return units


def parse_comments(comments: list[Comment], nlp, parsed: dict[str, object]) -> dict[str, object]:
    """The prose lines of ``comments`` not in ``parsed`` yet, parsed once each, added to it."""
    lines = [line for line in dict.fromkeys(seg.text for c in comments for seg in split_lines(c.text)
                                            if seg.quote is None and not seg.code) if line not in parsed]
    parsed.update(parse_lines(lines, nlp))
    return parsed


def _numbered_after(earlier: list[Claim | Unit], units: list[Claim | Unit]) -> list[Claim | Unit]:
    """``units`` numbered on from ``earlier`` units of the same comment (the post's text after its title)."""
    if not earlier:
        return units
    claims = sum(u.kind == "claim" for u in earlier)
    counts: dict[str, int] = {}
    for unit in earlier:
        counts[unit.kind] = counts.get(unit.kind, 0) + 1
    for unit in units:
        if unit.kind == "claim":
            unit.position += claims
            unit.id = f"{unit.comment_id}:{unit.position}"
        else:
            number = int(unit.id.rsplit(":", 1)[1][len(unit.kind):]) + counts.get(unit.kind, 0)
            unit.id = f"{unit.comment_id}:{unit.kind}{number}"
    return units


def title_is_label(thread: Thread) -> bool:
    """Whether the thread's title is a name someone gave a paste ("Pasted text", a file's name,
    the page's title box), not a post's words: a paste of lines has no post text or author.

    >>> title_is_label(Thread("text", "p", title="Remote work debate"))
    True
    >>> title_is_label(Thread("hn", "1", title="Remote work is over"))
    False
    """
    return thread.source == "text" and not thread.text.strip() and not thread.author


def extract_units(thread: Thread, *, nlp=None, progress=None, cache=None, spacy_model: str | None = None,
                  on_claims: Callable[[list[Claim]], None] | None = None,
                  report: dict | None = None) -> list[Claim | Unit]:
    """Every unit of the thread's post and comments, claims and non-claims, each with its kind.

    Units of a comment text seen before come from ``cache`` (the pipeline passes the
    instance folder's), so re-analysing a thread parses nothing again, and spaCy (model
    ``spacy_model`` when no ``nlp`` is given) is loaded only when some text is new.
    Comments are read in chunks of ``COMMENT_CHUNK``; ``on_claims`` gets each chunk's
    claims as soon as they are read (the pipeline starts encoding them while later
    comments are parsed). ``report`` (a dict) gets ``texts_parsed``: how many distinct
    texts were parsed rather than read back.
    """
    from argmap.cache import memory_cache, text_key
    from argmap.claims.nlp import load_spacy, spacy_model_meta

    store = cache if cache is not None else memory_cache()
    namespace = units_namespace(nlp.meta if nlp is not None else spacy_model_meta(spacy_model))
    parts = [(field, post) for field, post in thread.post_parts() if not (field == "title" and title_is_label(thread))]
    parts += [("text", c) for c in thread.comments if not c.deleted and c.text]
    keys = [text_key(comment.text) for _field, comment in parts]
    known = store.get_many(namespace, list(set(keys)))
    by_comment: dict[str, list[Claim | Unit]] = {}
    new: dict[str, bytes] = {}
    parsed: dict[str, object] = {}
    for begin in range(0, len(parts), COMMENT_CHUNK):
        chunk = list(zip(parts[begin:begin + COMMENT_CHUNK], keys[begin:begin + COMMENT_CHUNK]))
        fresh = [comment for (_field, comment), key in chunk if key not in known and key not in new]
        if fresh and nlp is None:
            nlp = load_spacy(spacy_model)
        parse_comments(fresh, nlp, parsed)
        chunk_claims: list[Claim] = []
        for (field, comment), key in chunk:
            if key in known or key in new:
                units = units_from_bytes(known.get(key) or new[key], comment)
            else:
                units = comment_units(comment, lambda text: parsed.get(text) or nlp(text))
                new[key] = units_to_bytes(units, comment)
            for unit in units:
                unit.field = field
            units = _numbered_after(by_comment.get(comment.id, []), units)
            by_comment[comment.id] = by_comment.get(comment.id, []) + units
            chunk_claims += [unit for unit in units if unit.kind == "claim"]
        if on_claims is not None and chunk_claims:
            on_claims(chunk_claims)
        if progress:
            done = begin + len(chunk)
            progress("claims", done, len(parts), f"reading {done:,}/{len(parts):,} comments")
    if new:
        store.put_many(namespace, new)
    if report is not None:
        report["texts_parsed"] = report.get("texts_parsed", 0) + len(new)
    parents = {c.id: c.parent_id for c in thread.comments}
    claims_of = {cid: [u for u in units if u.kind == "claim"] for cid, units in by_comment.items()}
    for comment_id, claims in claims_of.items():
        for claim in claims:
            if claim.quoted_text is None:
                continue
            quoted, ancestor = None, parents.get(comment_id)
            while ancestor and quoted is None:
                quoted = _best_quoted_claim(claim.quoted_text, claims_of.get(ancestor, []))
                ancestor = parents.get(ancestor)
            claim.quote_of = quoted.id if quoted else None
    return [unit for units in by_comment.values() for unit in units]


def extract_claims(thread: Thread, *, nlp=None, progress=None, cache=None, spacy_model: str | None = None,
                   on_claims: Callable[[list[Claim]], None] | None = None, report: dict | None = None) -> list[Claim]:
    """Claims of the thread's post and every comment, with quotes resolved to claim ids."""
    return [unit for unit in extract_units(thread, nlp=nlp, progress=progress, cache=cache, spacy_model=spacy_model,
                                           on_claims=on_claims, report=report) if unit.kind == "claim"]
