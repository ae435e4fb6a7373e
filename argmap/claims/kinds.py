"""The kind of one sentence (claim, question, meta, greeting, link, signature, other, or a
verbless fragment) and how claim-like it is.
"""

from __future__ import annotations

import re

from argmap.claims.lexicon import (ASK, CITATION, COMMAND, EDIT_META, EDIT_PREFIX, GREETING, HEDGE, INSTALL_INSTRUCTION,
                                   INVERTING_AUX, REACTION, TRACEBACK_OR_LOG,
                                   LEAD_WORDS, MD_LINK, META, MIN_CLAIM_WORDS, NOT_ASSERTING, SELF_REFERENCE,
                                   SIGNATURE, TAG_QUESTION, THANKS_FOR, TRAILING_QUOTED_QUESTION, URL, VOTES,
                                   VOTES_HERE, WH)


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
    while tokens and tokens[0].lower_ in LEAD_WORDS and len(tokens) > 2:
        tokens = tokens[1:]
    return tokens


def is_question(span, text: str) -> bool:
    """A question, with or without its "?": inversion, wh + auxiliary, "I wonder ..."."""
    bare = text.rstrip().rstrip("\"'”’)]*_!.:;…").rstrip()
    if bare.endswith("?"):
        quoted = TRAILING_QUOTED_QUESTION.search(text)
        if quoted is None or len(text[:quoted.start()].split()) < 4:
            return not TAG_QUESTION.search(text)
    if ASK.match(text):
        return True
    tokens = _content_tokens(span)
    if len(tokens) < 3:
        return False
    first, second = tokens[0], tokens[1]
    if first.lower_ in INVERTING_AUX and first.tag_ in ("VBZ", "VBP", "VBD", "MD"):
        nxt = tokens[2] if second.lower_ in ("n't", "not") else second
        if second.lower_ == "not":
            return False  # "Do not ..." is an imperative
        if first.lower_ in ("had", "should", "were") and any(t.text == "," for t in span):
            return False  # conditional inversion: "Had I known, ..."
        return _is_subject(nxt)
    if first.lower_ in WH and first.i + 1 < len(first.doc):
        aux = tokens[1]
        subject = tokens[2]
        if aux.lower_ in ("n't", "not") and len(tokens) > 3:
            subject = tokens[3]
        return aux.lower_ in INVERTING_AUX and aux.pos_ == "AUX" and _is_subject(subject)
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
        if tok.text != "," or tokens[i + 1].lower_ not in WH:
            continue
        aux, subject = tokens[i + 2], tokens[i + 3]
        if subject.lower_ in ("n't", "not") and i + 4 < len(tokens):
            subject = tokens[i + 4]
        if aux.lower_ in INVERTING_AUX and aux.pos_ == "AUX" and _is_subject(subject):
            return True
    return False


def _strip_links(text: str) -> str:
    text = MD_LINK.sub(lambda m: "" if URL.search(m.group(1)) or not m.group(1).strip() else m.group(1), text)
    text = URL.sub("", text)
    return re.sub(r"^\W*(?:sources?|refs?|references?|see|via|link|more|here|also|\[\d+\])\b\W*", "", text, flags=re.I)


def is_link(text: str) -> bool:
    """A bare link or reference line: nothing but links and a "Source:"-like label."""
    if CITATION.fullmatch(text) or MD_LINK.fullmatch(text.strip()):
        return True
    if not (URL.search(text) or MD_LINK.search(text)):
        return False
    return len(re.findall(r"[A-Za-z]{2,}", _strip_links(text))) < 3


def is_vote_talk(span, text: str) -> bool:
    """Talk about the votes here ("Why the downvotes?"), not a claim about voting systems."""
    return bool(VOTES.search(text)) and (words_of(span) <= 12 or bool(VOTES_HERE.search(text)))


def sentence_kind(span, text: str) -> str:
    """The kind of one sentence (see the module docstring); "fragment" if it has no verb."""
    text = text.replace("’", "'")
    if SIGNATURE.match(text):
        return "signature"
    if is_link(text):
        return "link"
    if META.search(text) or is_vote_talk(span, text):
        return "meta"
    if is_question(span, text):
        return "question"
    if GREETING.search(text) and (words_of(span) <= 8 or GREETING.match(text)) or \
            THANKS_FOR.search(text) and words_of(span) <= 20:
        return "greeting"
    if not re.search(r"[^\W\d_]", text):
        return "other"  # separators, emoticons, numbers alone
    if COMMAND.match(text) or TRACEBACK_OR_LOG.search(text) or INSTALL_INSTRUCTION.search(text) and words_of(span) <= 25:
        return "code"  # shell commands, install instructions, tracebacks, log lines
    if REACTION.match(text):
        return "other"  # bare reactions ("lol", "This.", "Great, it works for me now.")
    if NOT_ASSERTING.match(text):
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
    if HEDGE.search(text):
        score -= 0.05
    if lone_fragment:
        score = min(score, 0.45)
    return round(max(0.0, min(1.0, score)), 3)


def edit_remainder(text: str) -> int:
    """Length of an "Edit:"-like prefix to skip when the rest is a claim; 0 if there is none."""
    match = EDIT_PREFIX.match(text)
    return match.end() if match and match.end() < len(text) else 0


def is_edit_meta(span, text: str) -> bool:
    """An edit note about the comment itself ("typo", "thanks for the gold", "this blew up")."""
    return bool(META.search(text) or VOTES.search(text) or SELF_REFERENCE.search(text)
                or EDIT_META.search(text) and words_of(span) <= 8)
