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
``extract_units`` returns every unit with its kind (non-claims: ``position`` -1, score 0).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from argmap.model import Claim, Comment, Thread
from argmap.sources.text import normalise, quote_text

KINDS = ("claim", "question", "quote", "meta", "greeting", "link", "code", "signature", "other")

_URL = re.compile(r"https?://\S+|www\.\S+", re.I)
_CITATION = re.compile(r"\W*\[\d+\]\W*")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_LIST_MARKER = re.compile(r"^(?:[-*+•]|\d{1,2}[.)])\s+")
_FENCE = re.compile(r"^\s*(```|~~~)")
_EDIT_PREFIX = re.compile(r"^\W*(?:edit|edited|update|updated|eta|ps|p\.s\.?|tl;?dr|tldr)\s*\d*\s*(?::|-|—)\s*", re.I)
_SELF_REFERENCE = re.compile(r"\b(?:this|my|the) (?:comment|post|reply|thread)\b|\bblew up\b", re.I)
_EDIT_META = re.compile(
    r"\b(typos?|spelling|formatting|format|grammar|words?|wording|link|links|gold|silver|platinum|"
    r"awards?|kind strangers?|clarity|clarify|added|fixed|removed|deleted|thread|comments?|replies|"
    r"inbox|karma|(down|up)[- ]?vot\w*)\b",
    re.I,
)
_VOTES = re.compile(r"\b(?:down|up)[- ]?vot(?:e|es|ed|ing|ers?)\b|\bkarma\b", re.I)
_VOTES_HERE = re.compile(r"\b(?:me|my|this|here|these|you|your|i'?m|i am|i'?ve|i got|i get)\b", re.I)
_META = re.compile(
    r"\bremindme\b|\bcake ?day\b"
    r"|\b(?:thanks|thank you|ty) (?:for|kind stranger)\b.*\b(?:gold|silver|platinum|awards?)\b"
    r"|\b(?:this|my|your|his|her|their|that|the) (?:comment|post|reply|thread|submission|question)s? "
    r"(?:was|were|is|got|has been|have been|gets|will be) (?:removed|deleted|flagged|locked|edited|reported|buried|downvoted)\b"
    r"|^\W*\[?(?:deleted|removed|flagged|dead)\]?\W*$"
    r"|^\W*(?:reported|flagged|/s)\W*$"
    r"|\bcitation needed\b"
    r"|^\W*(?:sorry for (?:the|my) (?:rant|formatting|english|long post|wall of text)|(?:source|sources|citation needed))\b\W*$",
    re.I,
)
_GREETING = re.compile(
    r"^\W*(?:thanks|thank you|thx|ty|cheers|hi|hello|hey|howdy|greetings|good (?:morning|evening|afternoon|luck)|"
    r"welcome|congrats|congratulations|happy \w+ day|lol|lmao|rofl|haha\w*|hah|heh|wow|whoa|this|\+1|same|"
    r"same here|me too|agreed|agree|i agree|i disagree|exactly|precisely|absolutely|definitely|yes|yep|yeah|"
    r"yup|no|nope|nah|indeed|true|so true|ok|okay|sure|fair enough|well said|nicely put|"
    r"(?:great|good|nice|excellent|awesome|interesting|fascinating|fantastic) "
    r"(?:post|article|question|point|comment|read|write-?up|summary|answer|explanation|work|job|idea|find|link)|"
    r"nice|cool|interesting|fascinating|awesome|amazing|brilliant|hope (?:this|that) helps|"
    r"came here to say (?:this|that)|you'?re welcome|no problem|np|bump|this is the way|ditto)\b[\W]*$"
    r"|^\W*(?:thanks|thank you|thx)\b(?! to\b)"
    r"|^\W*(?:hi|hello|hey|dear) (?:all|everyone|folks|guys|there|hn|reddit)\b"
    r"|^\W*(?:just )?my (?:2|two) cents\b|^\W*well done\b|\bi (?:still )?(?:love|missed|miss) (?:you|this|reddit|hn)\b"
    r"|^\W*(?:this|that|your) (?:comment|post|reply|thread) (?:made my day|is gold|wins)\b"
    r"|^\W*(?:seriously|honestly|really|true story|just saying|this times \w+)\W*$"
    r"|\b(?:thanks|thank you|thx|cheers)\W*$",
    re.I,
)
_THANKS_FOR = re.compile(r"\b(?:thanks|thank you) (?:so much |very much )?for\b(?!.*,\s*but\b)", re.I)
_NOT_ASSERTING = re.compile(r"^\W*(?:please|if only|let me (?:share|tell|explain|ask|say|add))\b", re.I)
_SELF_ANSWER = re.compile(
    r"^\W*(?:yes|no|nope|yep|yeah|absolutely|definitely|certainly|of course|sure|obviously|clearly|"
    r"not at all|not really|hardly|never|probably|probably not|maybe|nah)\b\W*(?:not)?\W*$",
    re.I,
)
_SIGNATURE = re.compile(r"^\s*(?:--|—|–|~|-)\s*[\w.]+(?:\s[\w.]+)?\s*$")
_TAG_QUESTION = re.compile(
    r",\s*(?:right|no|eh|yes|correct|huh|"
    r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)n'?t\s+(?:it|they|he|she|you|we|there|that|i)|"
    r"don'?t you think|wouldn'?t you (?:say|agree))\W*\?\W*$",
    re.I,
)
_ASK = re.compile(
    r"^\W*(?:i (?:\w+ ){0,3}wonder\b|i (?:wonder|am wondering|'m wondering|was wondering|'d like to know|would like to know)|"
    r"(?:i'?m |i am )?curious (?:about|if|whether|what|why|how|who|where|when|to know)|"
    r"(?:can|could|would|will) (?:someone|somebody|anyone|anybody|you) (?:please )?(?:explain|tell|help|clarify|elaborate|point)|"
    r"(?:does )?(?:anyone|anybody|someone) (?:know|knows|have|has|else|here)|"
    r"any (?:idea|ideas|thoughts|clue|insight)s? (?:on|why|how|what|about|if|whether)|"
    r"(?:please )?(?:explain|eli5)\b)",
    re.I,
)
_HEDGE = re.compile(
    r"\b(?:i (?:do not|don'?t) think|i think|i thought|i believe|i guess|i suppose|i suspect|i feel|i'?d say|i would say|i assume|"
    r"in my (?:opinion|view|experience)|imo|imho|iirc|if i recall|my (?:understanding|impression|guess|sense) is|"
    r"as far as i (?:know|can tell)|afaik|afaict|not sure|probably|perhaps|maybe|might|may|could be|"
    r"seems?|seemed|appears? to|likely|unlikely|possibly|arguably|presumably|apparently|supposedly|"
    r"i doubt|kind of|sort of|somewhat)\b",
    re.I,
)
_EVIDENCE = re.compile(
    r"https?://|www\.|\[\d+\]|\b\d[\d,.]*\s*(?:%|percent|x|times|k|m|bn|million|billion)?\b|"
    r"\bi(?:'ve| have)? (?:visited|worked|work|saw|seen|was there|lived|live|used to|tested|measured|tried|"
    r"met|talked to|spoke to|studied|built|ran|run|read the (?:paper|study|report|law|bill))\b|"
    r"\b(?:according to|studies (?:show|have shown|found)|a study|the study|research (?:shows|has shown|suggests)|"
    r"data (?:shows|show)|the (?:study|report|survey|poll|census)\b|source:|citation:|see \[)",
    re.I,
)
_TRAILING_QUOTED_QUESTION = re.compile(r"[\"“][^\"“”]*\?[\"”]\W*$")
_WH = {"what", "why", "how", "who", "whom", "whose", "where", "when", "which"}
_INVERTING_AUX = {
    "is", "are", "was", "were", "am", "do", "does", "did", "have", "has", "had", "can", "could", "will",
    "would", "should", "shall", "may", "might", "must", "wo", "ca",  # spaCy splits "won't" -> "wo" + "n't"
}
_LEAD_WORDS = {"so", "but", "and", "or", "then", "well", "also", "now", "ok", "okay", "honestly", "seriously", "really"}

MIN_CLAIM_WORDS = 3
MIN_LONE_FRAGMENT_WORDS = 5


@dataclass
class Segment:
    """A line of a comment with its offset; ``quote`` holds the quoted text of a quote line."""

    start: int
    text: str
    quote: str | None = None
    code: bool = False
    paragraph: int = 0


def split_lines(text: str) -> list[Segment]:
    """Lines of a comment with exact offsets, list markers cut off; blank lines end paragraphs."""
    segments: list[Segment] = []
    offset, paragraph, fenced = 0, 0, False
    for line in text.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
            segments.append(Segment(start=offset + len(line) - len(line.lstrip()), text=line.strip(), code=True,
                                    paragraph=paragraph))
        elif line.strip():
            lead = len(line) - len(line.lstrip())
            body = line.strip()
            code = fenced or line.startswith(("    ", "\t"))
            quote = None if code else quote_text(line)
            marker = _LIST_MARKER.match(body) if quote is None and not code else None
            if marker and body[marker.end():].strip():
                lead += marker.end()
                body = body[marker.end():]
            segments.append(Segment(start=offset + lead, text=body, quote=quote, code=code, paragraph=paragraph))
        else:
            paragraph += 1
        offset += len(line) + 1
    return segments


def words_of(span) -> int:
    """Word tokens of a span (no punctuation, spaces or symbols)."""
    return sum(1 for tok in span if not (tok.is_punct or tok.is_space or tok.pos_ in ("SYM", "X") and not tok.is_alpha))


def has_verb(span) -> bool:
    return any(tok.pos_ in ("VERB", "AUX") for tok in span)


def has_subject(span) -> bool:
    return any(tok.dep_ in ("nsubj", "nsubjpass", "expl", "csubj") for tok in span)


def _content_tokens(span) -> list:
    """Tokens after leading punctuation, list bullets and discourse words ("So", "But")."""
    tokens = [tok for tok in span if not (tok.is_punct or tok.is_space)]
    while tokens and tokens[0].lower_ in _LEAD_WORDS and len(tokens) > 2:
        tokens = tokens[1:]
    return tokens


def is_question(span, text: str) -> bool:
    """A question, with or without its "?": inversion, wh + auxiliary, "I wonder ..."."""
    bare = text.rstrip().rstrip("\"'”’)]*_!.:;…").rstrip()
    if bare.endswith("?"):
        quoted = _TRAILING_QUOTED_QUESTION.search(text)
        if quoted is None or len(text[:quoted.start()].split()) < 4:
            return not _TAG_QUESTION.search(text)
    if _ASK.match(text):
        return True
    tokens = _content_tokens(span)
    if len(tokens) < 3:
        return False
    first, second = tokens[0], tokens[1]
    if first.lower_ in _INVERTING_AUX and first.tag_ in ("VBZ", "VBP", "VBD", "MD"):
        nxt = tokens[2] if second.lower_ in ("n't", "not") else second
        if second.lower_ == "not":
            return False  # "Do not ..." is an imperative
        if first.lower_ in ("had", "should", "were") and any(t.text == "," for t in span):
            return False  # conditional inversion: "Had I known, ..."
        return _is_subject(nxt)
    if first.lower_ in _WH and first.i + 1 < len(first.doc):
        aux = tokens[1]
        subject = tokens[2]
        if aux.lower_ in ("n't", "not") and len(tokens) > 3:
            subject = tokens[3]
        return aux.lower_ in _INVERTING_AUX and aux.pos_ == "AUX" and _is_subject(subject)
    return _has_wh_clause_question(span)


def _is_subject(tok) -> bool:
    """The token is a subject, or a determiner/modifier of one ("the government")."""
    if tok.dep_ in ("det", "poss", "amod", "compound", "nummod") and tok.head.i > tok.i:
        tok = tok.head
    return tok.dep_ in ("nsubj", "nsubjpass", "expl")


def _has_wh_clause_question(span) -> bool:
    """A question after a comma: "instead of X, why don't you do Y."."""
    tokens = [tok for tok in span if not tok.is_space]
    for i, tok in enumerate(tokens[:-3]):
        if tok.text != "," or tokens[i + 1].lower_ not in _WH:
            continue
        aux, subject = tokens[i + 2], tokens[i + 3]
        if subject.lower_ in ("n't", "not") and i + 4 < len(tokens):
            subject = tokens[i + 4]
        if aux.lower_ in _INVERTING_AUX and aux.pos_ == "AUX" and _is_subject(subject):
            return True
    return False


def _strip_links(text: str) -> str:
    text = _MD_LINK.sub(lambda m: "" if _URL.search(m.group(1)) or not m.group(1).strip() else m.group(1), text)
    text = _URL.sub("", text)
    return re.sub(r"^\W*(?:sources?|refs?|references?|see|via|link|more|here|also|\[\d+\])\b\W*", "", text, flags=re.I)


def is_link(text: str) -> bool:
    """A bare link or reference line: nothing but links and a "Source:"-like label."""
    if _CITATION.fullmatch(text) or _MD_LINK.fullmatch(text.strip()):
        return True
    if not (_URL.search(text) or _MD_LINK.search(text)):
        return False
    return len(re.findall(r"[A-Za-z]{2,}", _strip_links(text))) < 3


def is_vote_talk(span, text: str) -> bool:
    """Talk about the votes here ("Why the downvotes?"), not a claim about voting systems."""
    return bool(_VOTES.search(text)) and (words_of(span) <= 12 or bool(_VOTES_HERE.search(text)))


def sentence_kind(span, text: str) -> str:
    """The kind of one sentence (see the module docstring); "fragment" if it has no verb."""
    text = text.replace("’", "'")
    if _SIGNATURE.match(text):
        return "signature"
    if is_link(text):
        return "link"
    if _META.search(text) or is_vote_talk(span, text):
        return "meta"
    if is_question(span, text):
        return "question"
    if _GREETING.search(text) and (words_of(span) <= 8 or _GREETING.match(text)) or \
            _THANKS_FOR.search(text) and words_of(span) <= 20:
        return "greeting"
    if not re.search(r"[^\W\d_]", text):
        return "other"  # separators, emoticons, numbers alone
    if _NOT_ASSERTING.match(text):
        return "other"
    if not has_verb(span) or words_of(span) < 2:
        return "fragment"
    if words_of(span) < MIN_CLAIM_WORDS:
        return "other"
    return "claim"


def claim_score(span, text: str, *, lone_fragment: bool = False) -> float:
    """How claim-like a sentence is, in [0, 1]: length, a subject and verb, hedges."""
    words = words_of(span)
    score = 0.35 + min(words, 20) / 40
    if has_subject(span):
        score += 0.1
    if has_verb(span):
        score += 0.05
    if _HEDGE.search(text):
        score -= 0.05
    if lone_fragment:
        score = min(score, 0.45)
    return round(max(0.0, min(1.0, score)), 3)


@dataclass
class _Piece:
    start: int
    end: int
    kind: str
    span: object
    lone_fragment: bool = False


def _clause_split(sent, base: int) -> list[tuple[int, int, object]]:
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
        right_start = right[0].idx
        rest = _clause_split(right, base)
        return [(base + left[0].idx, base + left[-1].idx + len(left[-1].text), left)] + (
            rest or [(base + right_start, base + sent[-1].idx + len(sent[-1].text), right)])
    return []


def _edit_remainder(text: str) -> int:
    """Length of an "Edit:"-like prefix to skip when the rest is a claim; 0 if there is none."""
    match = _EDIT_PREFIX.match(text)
    return match.end() if match and match.end() < len(text) else 0


def is_edit_meta(span, text: str) -> bool:
    """An edit note about the comment itself ("typo", "thanks for the gold", "this blew up")."""
    return bool(_META.search(text) or _VOTES.search(text) or _SELF_REFERENCE.search(text)
                or _EDIT_META.search(text) and words_of(span) <= 8)


def _sentence_pieces(sent, line_start: int) -> list[_Piece]:
    """One sentence read as pieces: its kind, split into clauses, an edit prefix cut off."""
    text = sent.text.strip()
    lead = len(sent.text) - len(sent.text.lstrip())
    start = line_start + sent.start_char + lead
    end = start + len(text)
    skip = _edit_remainder(text)
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
        clauses = _clause_split(sent, line_start)
        if clauses:
            return [_Piece(s, e, "claim", span) for s, e, span in clauses]
    return [_Piece(start, end, kind, sent)]


def comment_units(comment: Comment, doc_for_line) -> list[Claim]:
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
                if _CITATION.fullmatch(text) and len(pieces) > line_begins:
                    piece.kind = "fragment"  # "... earns PhDs [1]." split after the sentence's own "."
                if previous is not None and previous.kind == "question" and _SELF_ANSWER.match(text):
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


def _pieces_to_units(comment: Comment, pieces: list[_Piece], quote_at: dict[int, str]) -> list[Claim]:
    units: list[Claim] = []
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
                quote_of=quote_at.get(index),  # the quoted text for now; resolved to a claim id later
                hedged=bool(_HEDGE.search(plain)),
                evidence=cited or bool(_EVIDENCE.search(plain)),
                score=claim_score(piece.span, text, lone_fragment=piece.lone_fragment),
            ))
            claims += 1
        else:
            counts[piece.kind] = counts.get(piece.kind, 0) + 1
            units.append(Claim(
                id=f"{comment.id}:{piece.kind}{counts[piece.kind]}",
                comment_id=comment.id,
                text=text,
                start=piece.start,
                end=piece.end,
                position=-1,
                author=comment.author,
                kind=piece.kind,
                score=0.0,
            ))
    return units


def comment_claims(comment: Comment, doc_for_line) -> list[Claim]:
    """The claims of one comment (the ``claim`` units of ``comment_units``)."""
    return [unit for unit in comment_units(comment, doc_for_line) if unit.kind == "claim"]


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


_CACHED_FIELDS = ("start", "end", "position", "kind", "quote_of", "hedged", "evidence", "score")
PARSE_CHUNK = 512  # lines parsed between progress reports


@functools.lru_cache(maxsize=1)
def _code_version() -> str:
    return hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:12]


def units_namespace(nlp) -> str:
    """Cache namespace: this module's code and the spaCy model, so a change of either starts afresh."""
    return f"units:{nlp.meta.get('name')}-{nlp.meta.get('version')}:{_code_version()}"


def units_to_bytes(units: list[Claim], comment: Comment) -> bytes:
    prefix = len(comment.id) + 1
    return json.dumps([[u.id[prefix:], *(getattr(u, f) for f in _CACHED_FIELDS)] for u in units]).encode()


def units_from_bytes(blob: bytes, comment: Comment) -> list[Claim]:
    units = []
    for suffix, *values in json.loads(blob):
        fields = dict(zip(_CACHED_FIELDS, values))
        units.append(Claim(id=f"{comment.id}:{suffix}", comment_id=comment.id, author=comment.author,
                           text=comment.text[fields["start"]:fields["end"]], **fields))
    return units


def parse_comments(comments: list[Comment], nlp, progress=None) -> dict[str, object]:
    """The prose lines of ``comments`` parsed once each, in chunks, reporting progress."""
    lines = list(dict.fromkeys(seg.text for c in comments for seg in split_lines(c.text)
                               if seg.quote is None and not seg.code))
    parsed: dict[str, object] = {}
    for begin in range(0, len(lines), PARSE_CHUNK):
        parsed.update(parse_lines(lines[begin:begin + PARSE_CHUNK], nlp))
        if progress:
            done = min(begin + PARSE_CHUNK, len(lines))
            progress("claims", done, len(lines), f"reading {done:,}/{len(lines):,} lines")
    return parsed


def extract_units(thread: Thread, *, nlp=None, progress=None, cache=None) -> list[Claim]:
    """Every unit of the thread's post and comments, claims and non-claims, each with its kind.

    Units of a comment text seen before come from ``cache`` (the instance folder's by
    default), so re-analysing a thread parses nothing again.
    """
    from argmap.cache import default_cache, text_key
    from argmap.nlp import load_spacy

    nlp = nlp or load_spacy()
    store = cache if cache is not None else default_cache()
    namespace = units_namespace(nlp)
    comments = [thread.root_comment()] + [c for c in thread.comments if not c.deleted and c.text]
    keys = {c.id: text_key(c.text) for c in comments}
    known = store.get_many(namespace, list(set(keys.values())))
    fresh = [c for c in comments if keys[c.id] not in known]
    parsed = parse_comments(fresh, nlp, progress)
    by_comment: dict[str, list[Claim]] = {}
    new: dict[str, bytes] = {}
    for comment in comments:
        if keys[comment.id] in known:
            by_comment[comment.id] = units_from_bytes(known[keys[comment.id]], comment)
        else:
            by_comment[comment.id] = comment_units(comment, lambda text: parsed.get(text) or nlp(text))
            new[keys[comment.id]] = units_to_bytes(by_comment[comment.id], comment)
    if new:
        store.put_many(namespace, new)
    if progress:
        progress("claims", len(comments), len(comments), f"read {len(comments):,} comments")
    parents = {c.id: c.parent_id for c in thread.comments}
    claims_of = {cid: [u for u in units if u.kind == "claim"] for cid, units in by_comment.items()}
    for comment_id, claims in claims_of.items():
        for claim in claims:
            if claim.quote_of is None:
                continue
            quoted, ancestor = None, parents.get(comment_id)
            while ancestor and quoted is None:
                quoted = _best_quoted_claim(claim.quote_of, claims_of.get(ancestor, []))
                ancestor = parents.get(ancestor)
            claim.quote_of = quoted.id if quoted else None
    return [unit for comment in comments for unit in by_comment[comment.id]]


def extract_claims(thread: Thread, *, nlp=None, progress=None, cache=None) -> list[Claim]:
    """Claims of the thread's post and every comment, with quotes resolved to claim ids."""
    return [unit for unit in extract_units(thread, nlp=nlp, progress=progress, cache=cache) if unit.kind == "claim"]
