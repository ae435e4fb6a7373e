"""Claim extraction: the sentences of a comment that assert something.

A claim is an assertive statement someone could agree or disagree with. Kept: declarative
sentences with a verb. Dropped (never claims): quoted lines (``>`` lines point at the
claim they quote, recorded as ``quote_of``), questions, greetings and thanks, meta-talk
about votes, edits and moderation, bare links, code (lines indented four spaces),
signatures, and fragments without a verb, which are merged into the sentence before
them ("Most papers come from China. The vast majority." is one claim).

Each claim keeps exact offsets: ``comment.text[claim.start:claim.end] == claim.text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from argmap.model import Claim, Comment, Thread
from argmap.sources.text import normalise, quote_text

_URL_ONLY = re.compile(r"^\W*(https?://\S+|www\.\S+)\W*$", re.I)
_META = re.compile(
    r"^\W*(edit|update|eta|ps|p\.s|tl;?dr)\b\s*\d*\s*:"  # "Edit: typo", "Update 2: ..."
    r"|\b(down|up)[- ]?vot(e|es|ed|ing|ers?)\b"
    r"|\b(this|that) (comment|post) (was|got) (removed|deleted|flagged)\b"
    r"|^\W*(thanks|thank you|thx|cheers|hi|hello|hey|lol|lmao|this|\+1|same|agreed|exactly|source|sources)\W*$"
    r"|^\W*(thanks|thank you)\b",
    re.I,
)
_SIGNATURE = re.compile(r"^\s*(--|—|-)\s*\w+\s*$")
_HEDGE = re.compile(
    r"\b(i think|i believe|i guess|i suspect|i feel|in my (opinion|view|experience)|imo|imho|"
    r"my understanding is|as far as i know|afaik|afaict|probably|perhaps|maybe|might|"
    r"seems?|likely|possibly|arguably|i'?m not sure|i doubt)\b",
    re.I,
)
_EVIDENCE = re.compile(
    r"https?://|www\.|\[\d+\]|\b\d[\d,.]*\s*(%|percent|x|times|k|m|bn|million|billion)?\b|"
    r"\b(i (visited|worked|work|saw|was there|lived|live|used to|have seen|tested|measured|tried))\b|"
    r"\b(according to|studies show|a study|research shows|data shows|source:)\b",
    re.I,
)
_FIRST_WORDS_REASON = re.compile(r"^\W*(because|since|for example|for instance|e\.g\.)\b", re.I)

MIN_CLAIM_WORDS = 4


@dataclass
class Segment:
    """A line of a comment with its offset; ``quote`` holds the quoted text of a quote line."""

    start: int
    text: str
    quote: str | None = None
    code: bool = False


def split_lines(text: str) -> list[Segment]:
    """Lines of a comment (paragraph and line breaks) with exact offsets; blank lines dropped."""
    segments = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            lead = len(line) - len(line.lstrip())
            segments.append(Segment(
                start=offset + lead,
                text=line.strip(),
                quote=quote_text(line),
                code=line.startswith(("    ", "\t")),
            ))
        offset += len(line) + 1
    return segments


def is_meta(text: str) -> bool:
    return bool(_META.search(text)) or bool(_SIGNATURE.match(text))


def is_fragment(span) -> bool:
    """No finite verb (or auxiliary): a phrase that continues the sentence before it."""
    return not any(tok.pos_ in ("VERB", "AUX") for tok in span)


def is_question(text: str) -> bool:
    return text.rstrip().rstrip("\"'”’)").endswith("?")


def claim_score(span, text: str) -> float:
    """How claim-like a sentence is, in [0, 1]: length, a verb with a subject, no question."""
    words = sum(1 for tok in span if tok.is_alpha)
    score = 0.4 + min(words, 20) / 40
    if any(tok.dep_ in ("nsubj", "nsubjpass", "expl") for tok in span):
        score += 0.1
    if _HEDGE.search(text):
        score -= 0.05
    return round(max(0.0, min(1.0, score)), 3)


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


def comment_claims(comment: Comment, doc_for_line) -> list[Claim]:
    """The claims of one comment. ``doc_for_line(text)`` returns a parsed spaCy Doc."""
    claims: list[Claim] = []
    quote: str | None = None
    for segment in split_lines(comment.text):
        if segment.quote is not None:
            quote = segment.quote
            continue
        if segment.code or _URL_ONLY.match(segment.text):
            continue
        doc = doc_for_line(segment.text)
        previous: Claim | None = None
        for sent in doc.sents:
            text = sent.text.strip()
            if not text:
                continue
            start = segment.start + sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
            end = start + len(text)
            if is_question(text) or is_meta(text):
                previous = None
                continue
            words = sum(1 for tok in sent if tok.is_alpha)
            if previous is not None and (is_fragment(sent) or words < 3):
                previous.end = end
                previous.text = comment.text[previous.start:end]
                continue
            if words < MIN_CLAIM_WORDS or is_fragment(sent):
                continue
            claim = Claim(
                id=f"{comment.id}:{len(claims)}",
                comment_id=comment.id,
                text=text,
                start=start,
                end=end,
                position=len(claims),
                author=comment.author,
                quote_of=quote,  # the quoted text for now; resolved to a claim id below
                hedged=bool(_HEDGE.search(text)),
                evidence=bool(_EVIDENCE.search(text)),
                score=claim_score(sent, text),
            )
            claims.append(claim)
            previous = claim
    for claim in claims:
        claim.evidence = claim.evidence or bool(_EVIDENCE.search(claim.text))
    return claims


def extract_claims(thread: Thread, *, nlp=None, progress=None) -> list[Claim]:
    """Claims of the thread's post and every comment, with quotes resolved to claim ids."""
    from argmap.nlp import load_spacy

    nlp = nlp or load_spacy()
    comments = [thread.root_comment()] + [c for c in thread.comments if not c.deleted and c.text]
    lines = [seg.text for c in comments for seg in split_lines(c.text) if seg.quote is None and not seg.code]
    parsed = dict(zip(lines, nlp.pipe(lines, batch_size=256))) if lines else {}
    by_comment: dict[str, list[Claim]] = {}
    for index, comment in enumerate(comments):
        by_comment[comment.id] = comment_claims(comment, lambda text: parsed.get(text) or nlp(text))
        if progress and (index % 200 == 0 or index == len(comments) - 1):
            progress("claims", index + 1, len(comments), f"reading {index + 1:,}/{len(comments):,} comments")
    parents = {c.id: c.parent_id for c in thread.comments}
    for comment_id, claims in by_comment.items():
        for claim in claims:
            if claim.quote_of is None:
                continue
            quoted, ancestor = None, parents.get(comment_id)
            while ancestor and quoted is None:
                quoted = _best_quoted_claim(claim.quote_of, by_comment.get(ancestor, []))
                ancestor = parents.get(ancestor)
            claim.quote_of = quoted.id if quoted else None
    return [claim for comment in comments for claim in by_comment[comment.id]]
