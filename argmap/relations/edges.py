"""Argument edges: one argument per reply.

1. **Stance first.** Each reply gets one stance toward its parent (the post, for a
   top-level comment) from the stance model (``stance``): agree, disagree or neither.
   ``neither``, or a stance below the threshold, draws no edge. Replies to the post have
   a threshold of their own (the judge's ``top_level_threshold``, fitted by the same
   precision rule on them alone); None means no threshold was precise enough on the dev
   threads, so a top-level reply draws no stance edge to the post.
2. **Then anchor it.** An agreeing or disagreeing reply draws one edge — ``supports`` or
   ``rebuts`` — from its stance-carrying claim to the parent claim it answers: the quoted
   claim when the reply quotes its parent (a second edge only for a second, separate
   quote), else the parent claim ``anchor.choose_target`` picks; the carrying claim is
   ``anchor.choose_source``'s pick. The edge keeps its provenance: the reply, the parent
   and the reply-level stance.
3. **Reasons within a comment** are drawn only where a marker says so: a claim opening
   with "because …" / "there is a good reason …" supports the claim before it; a claim
   opening with "so …" / "therefore …" / "it's no surprise that …" is supported by the claim
   before it.
4. **Across branches, only restates**: near-duplicate claims (cosine ≥
   ``RESTATE_SIMILARITY``) by different authors that pass the contradiction guard (a
   negation or antonym on one side only, numbers or month names on both sides that share
   none, or opposite stances toward the same target, means they do not make the same
   point). No supports/rebuts edge joins comments that do not answer each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from argmap.model import Claim, Relation, Thread
from argmap.relations import anchor

RESTATE_SIMILARITY = 0.86
VERBATIM_SIMILARITY = 0.97  # above this it is a copy: a quote, a repeated joke, a stock phrase
RESTATE_MIN_WORDS = 6
AS_THRESHOLD = object()  # build_relations: replies to the post use the same threshold as the rest
WITHIN_CONFIDENCE = 0.7  # a reason marker inside one comment: the edge a reader draws from the words
NEIGHBOURS = 5
STANCE_RELATION = {"agree": "supports", "disagree": "rebuts"}

REASON_START = re.compile(r"^\W*(because|since|for example|for instance|e\.g\.|after all|"
                           r"(and )?(there'?s|there is) a (good |simple )?reason|the reason is|that'?s because|"
                           r"this is because)\b", re.I)
CONCLUSION_START = re.compile(r"^\W*(?:and )?(so|therefore|thus|hence|that'?s why|that is why|this is why|which is why|"
                              r"which means|as a result|consequently|unsurprisingly|no wonder|"
                              r"it'?s (?:no|little|not a|hardly a) (?:surprise|wonder)|it is (?:no|little|not a|hardly a) "
                              r"(?:surprise|wonder)|it'?s not surprising|it is not surprising)\b", re.I)

_NEGATION = re.compile(r"\b(?:not|no|never|nothing|none|nobody|neither|nor|cannot|without)\b|n't\b", re.I)
_ANTONYMS = [("good", "bad"), ("true", "false"), ("more", "less"), ("increase", "decrease"), ("better", "worse"),
             ("agree", "disagree"), ("right", "wrong"), ("always", "never"), ("legal", "illegal"), ("win", "lose"),
             ("won", "lost"), ("possible", "impossible"), ("likely", "unlikely"), ("fast", "slow"), ("up", "down"),
             ("safe", "unsafe"), ("best", "worst"), ("all", "none"), ("can", "cannot"), ("did", "didn't"),
             ("does", "doesn't"), ("is", "isn't"), ("was", "wasn't"), ("will", "won't"), ("should", "shouldn't")]


@dataclass
class ReplyStance:
    """One reply's stance toward its parent comment (or the post)."""

    reply_id: str
    parent_id: str
    stance: str  # agree / disagree / neither
    confidence: float


_MONTHS = ("January", "February", "March", "April", "June", "July", "August", "September", "October",
           "November", "December")  # capitalised only ("march on"); "May" is left out: mostly the verb
_NUMBER = re.compile(r"(?<![\w.-])(\d[\d,]*(?:\.\d+)?)(?:(k)\b|\s*(thousand|million|billion)\b)?(?![\w-]*-\d)",
                     re.I)  # not COVID-19, MP3, 3-4
_SCALE = {"k": 1e3, "thousand": 1e3, "million": 1e6, "billion": 1e9}
_MONTH = re.compile(r"\b(?:" + "|".join(_MONTHS) + r")\b")


def figures(text: str) -> tuple[set[str], set[str]]:
    """The numbers (as values: "1,000", "1000.0", "1k" and "1 thousand" are one) and the month
    names in ``text``; digits inside a word ("COVID-19", "MP3") are not numbers.

    >>> numbers, months = figures("Got my 2nd dose on August 19th; 1,000 people, after COVID-19.")
    >>> sorted(numbers), sorted(months)
    (['1000', '19', '2'], ['august'])
    >>> sorted(figures("10k of them, 3 million in all, 95.0%.")[0])
    ['10000', '3000000', '95']
    """
    numbers = set()
    for match in _NUMBER.finditer(text):
        value = float(match.group(1).replace(",", "")) * _SCALE.get((match.group(2) or match.group(3) or "").lower(), 1)
        numbers.add(f"{value:g}" if value < 1e15 and value != int(value) else str(int(value)))
    return numbers, {month.lower() for month in _MONTH.findall(text)}


def contradicts(a: str, b: str) -> bool:
    """Whether two similar sentences say opposite things: a negation or antonym on one side
    only, or numbers (or month names) on both sides that share none (another fact).

    >>> contradicts("The N64 doesn't have VGA output", "n64 did use vga tho")
    True
    >>> contradicts("Rust is fast", "rust is really fast")
    False
    >>> contradicts("Got my second dose of Pfizer on August 19th.", "I had my second pfizer dose on April 30.")
    True
    >>> contradicts("The vaccine is 95% effective.", "It is about 95 percent effective.")
    False
    """
    if bool(_NEGATION.search(a)) != bool(_NEGATION.search(b)):
        return True
    for figures_a, figures_b in zip(figures(a), figures(b)):  # numbers with numbers, months with months
        if figures_a and figures_b and not figures_a & figures_b:
            return True
    words_a, words_b = set(re.findall(r"[a-z']+", a.lower())), set(re.findall(r"[a-z']+", b.lower()))
    for x, y in _ANTONYMS:
        if (x in words_a and y in words_b and y not in words_a and x not in words_b) or \
                (y in words_a and x in words_b and x not in words_a and y not in words_b):
            return True
    return False


def replies_to_judge(thread: Thread, top_level_threshold: float | None, with_claims: set[str] | None = None) -> list:
    """The replies a judge reads: not the replies to the post when ``top_level_threshold`` is
    None, and, given ``with_claims`` (the ids of the comments, and of the post, that have
    claims), not a reply without claims or to a parent without any."""
    return [comment for comment in thread.comments
            if not (top_level_threshold is None and comment.parent_id == thread.id)
            and (with_claims is None or (comment.id in with_claims and comment.parent_id in with_claims))]


def comments_read(thread: Thread, replies: list) -> set[str]:
    """The ids whose vectors a judge reads for ``replies``: each reply, its parent and its
    grandparent (the post's id is the thread's)."""
    by_id = thread.comment_by_id()
    wanted = set()
    for reply in replies:
        wanted.update((reply.id, reply.parent_id))
        parent = by_id.get(reply.parent_id)
        if parent is not None:
            wanted.add(parent.parent_id)
    return wanted


def reply_stances(thread: Thread, judge, threshold: float,
                  comment_vectors: dict[str, np.ndarray] | None = None, *,
                  top_level_threshold: float | None, with_claims: set[str] | None = None) -> list[ReplyStance]:
    """Every reply's stance toward its parent from ``judge`` (items → P(agree, disagree, neither)),
    which reads ``comment_vectors`` (comment id → vector; the post's id is the thread's).

    A stance below ``threshold`` (``top_level_threshold`` for a reply to the post) reads as
    ``neither``. With ``top_level_threshold`` None the replies to the post are not judged at
    all (no edge could be drawn from them) and are left out of the list. With ``with_claims``
    (the ids of the comments, and of the post, that have claims) a reply without claims, or
    to a parent without any, is left out too: its edge would have no end to be drawn from or to."""
    from argmap.relations.stance import STANCES, stance_input

    by_id = thread.comment_by_id()
    replies, items = [], []
    for comment in replies_to_judge(thread, top_level_threshold, with_claims):
        item = stance_input(thread, by_id, comment)
        if item is not None:
            replies.append(comment)
            items.append(item)
    if not items:
        return []
    comment_vectors = comment_vectors or {}
    texts = {thread.id: thread.root_comment().text, **{c.id: c.text for c in thread.comments}}
    text_vectors = {texts[key]: vector for key, vector in comment_vectors.items() if key in texts}
    probabilities = judge(items, text_vectors)
    out = []
    for comment, row in zip(replies, probabilities):
        best = int(np.argmax(row))
        stance = STANCES[best]
        confidence = float(row[best])
        needed = threshold if comment.parent_id != thread.id else top_level_threshold
        if stance != "neither" and confidence < needed:
            stance = "neither"
        out.append(ReplyStance(comment.id, comment.parent_id, stance, confidence))
    return out


def _quoted_targets(reply_claims: list[Claim], parent_ids: set[str]) -> list[tuple[Claim, str]]:
    """(answering claim, quoted parent claim id) for each separate quote of the parent, in order."""
    pairs, seen = [], set()
    for claim in reply_claims:
        if claim.quote_of and claim.quote_of in parent_ids and claim.quote_of not in seen:
            seen.add(claim.quote_of)
            pairs.append((claim, claim.quote_of))
    return pairs


def stance_edges(thread: Thread, claims: list[Claim], vectors: np.ndarray, stances: list[ReplyStance],
                 comment_vectors: dict[str, np.ndarray], weights: dict | None = None) -> list[Relation]:
    """One edge per agreeing/disagreeing reply (two for two separate quotes), anchored on claims."""
    index = {claim.id: i for i, claim in enumerate(claims)}
    by_comment: dict[str, list[Claim]] = {}
    for claim in claims:
        by_comment.setdefault(claim.comment_id, []).append(claim)
    edges = []
    for reply in stances:
        relation = STANCE_RELATION.get(reply.stance)
        reply_claims, parent_claims = by_comment.get(reply.reply_id, []), by_comment.get(reply.parent_id, [])
        if relation is None or not reply_claims or not parent_claims:
            continue
        origin = "reply"
        quoted = _quoted_targets(reply_claims, {c.id for c in parent_claims})
        if quoted:
            anchors = [(source, target) for source, target in quoted[:2]]
            origin = "quote"
        else:
            reply_vectors = vectors[[index[c.id] for c in reply_claims]]
            parent_vectors = vectors[[index[c.id] for c in parent_claims]]
            reply_vector = comment_vectors.get(reply.reply_id, reply_vectors.mean(axis=0))
            parent_vector = comment_vectors.get(reply.parent_id, parent_vectors.mean(axis=0))
            target = anchor.choose_target(reply_vector, reply_vectors, parent_claims, parent_vectors,
                                          " ".join(c.text for c in reply_claims), weights)
            source = anchor.choose_source(reply_claims, reply_vectors, parent_vectors[target], parent_vector, weights)
            anchors = [(reply_claims[source], parent_claims[target].id)]
        for source_claim, target_id in anchors:
            edges.append(Relation(source_claim.id, target_id, relation, round(reply.confidence, 4), origin,
                                  reply_id=reply.reply_id, parent_id=reply.parent_id, stance=reply.stance))
    return edges


def within_edges(claims: list[Claim]) -> list[Relation]:
    """Reasons and conclusions inside one comment, where a marker opens the claim."""
    edges = []
    previous: Claim | None = None
    for claim in claims:
        if previous is not None and previous.comment_id == claim.comment_id:
            if REASON_START.match(claim.text):
                edges.append(Relation(claim.id, previous.id, "supports", WITHIN_CONFIDENCE, "within"))
            elif CONCLUSION_START.match(claim.text):
                edges.append(Relation(previous.id, claim.id, "supports", WITHIN_CONFIDENCE, "within"))
        previous = claim
    return edges


def restate_edges(claims: list[Claim], vectors: np.ndarray, stance_edges_: list[Relation],
                  parents: dict[str, str] | None = None) -> tuple[list[Relation], int]:
    """Near-duplicate claims of different comments and authors that make the same point, in
    other words: not verbatim copies, not stock phrases, not a comment and one it answers.

    Returns the edges and how many same-author copies were left out.
    """
    parents = parents or {}
    ancestors: dict[str, set[str]] = {}
    for comment_id in {c.comment_id for c in claims}:
        seen, cursor = set(), parents.get(comment_id)
        while cursor and cursor not in seen and len(seen) < 200:
            seen.add(cursor)
            cursor = parents.get(cursor)
        ancestors[comment_id] = seen
    if len(claims) < 2:
        return [], 0
    answered: dict[str, dict[str, str]] = {}  # claim → {target: relation}
    for edge in stance_edges_:
        answered.setdefault(edge.source, {})[edge.target] = edge.relation
    edges, copies, seen, count = [], 0, set(), {}
    for i, j, similarity in sorted(nearest_neighbours(vectors, NEIGHBOURS, RESTATE_SIMILARITY), key=lambda t: -t[2]):
        a, b = claims[i], claims[j]
        key = (min(a.id, b.id), max(a.id, b.id))
        if a.comment_id == b.comment_id or key in seen:
            continue
        seen.add(key)
        if a.author and b.author and a.author == b.author and a.author not in ("[deleted]", "[removed]"):
            copies += 1
            continue
        if contradicts(a.text, b.text):
            continue
        if similarity >= VERBATIM_SIMILARITY or min(len(a.text.split()), len(b.text.split())) < RESTATE_MIN_WORDS:
            continue  # the same words are a quote or a joke repeated, not the same point made again
        if a.comment_id in ancestors.get(b.comment_id, ()) or b.comment_id in ancestors.get(a.comment_id, ()):
            continue  # restating what one answers is agreement (a stance edge) or quoting
        shared = set(answered.get(a.id, {})) & set(answered.get(b.id, {}))
        if any(answered[a.id][t] != answered[b.id][t] for t in shared):
            continue  # opposite stances toward the same claim: not the same point
        if max(count.get(a.id, 0), count.get(b.id, 0)) >= NEIGHBOURS:
            continue
        later, earlier = (a, b) if i > j else (b, a)
        edges.append(Relation(later.id, earlier.id, "restates", round(similarity, 4), "similar"))
        count[a.id] = count.get(a.id, 0) + 1
        count[b.id] = count.get(b.id, 0) + 1
    return edges, copies


def anchoring_vectors(thread: Thread, claims: list[Claim], stances: list[ReplyStance],
                      encode_texts) -> dict[str, np.ndarray]:
    """Whole-reply vectors (cut to ``anchor.REPLY_TOKENS``) of the replies whose edge needs
    ``anchor.choose_target``: the anchor picks the parent claim nearest the whole reply, with
    the words the reply takes up from it as a tie-breaker (nearest alone: 0.554 of the
    labelled round-1 dev targets, against 0.507 with the vector pooled from the reply's
    claims). Only replies
    that draw an edge to a parent with several claims and quote none of them are encoded, so
    the cost follows the edges drawn, not the thread's size; parents keep their pooled vector
    (the shipped carrier rule, the reply's first claim, does not read it)."""
    claims_of: dict[str, list[Claim]] = {}
    for claim in claims:
        claims_of.setdefault(claim.comment_id, []).append(claim)
    texts = {c.id: c.text for c in thread.comments}
    wanted = []
    for s in stances:
        parent_claims = claims_of.get(s.parent_id, [])
        reply_claims = claims_of.get(s.reply_id, [])
        if s.stance not in STANCE_RELATION or not reply_claims or len(parent_claims) < 2:
            continue
        if _quoted_targets(reply_claims, {c.id for c in parent_claims}):
            continue
        wanted.append(s.reply_id)
    wanted = list(dict.fromkeys(wanted))
    if not wanted:
        return {}
    return dict(zip(wanted, encode_texts([texts[key] for key in wanted])))


def build_relations(thread: Thread, claims: list[Claim], vectors: np.ndarray, *, judge, threshold: float,
                    top_level_threshold: float | None | object = AS_THRESHOLD,
                    comment_vectors: dict[str, np.ndarray] | None = None,
                    encode_texts=None, progress=None) -> tuple[list[Relation], dict]:
    """The map's edges, and counts of what was judged (replies, stances, left-out copies).

    ``top_level_threshold`` is the threshold for replies to the post (None: they are not
    judged and draw no edge); by default the same as ``threshold``.
    ``comment_vectors`` (comment id → vector pooled from its claims) feed the stance model;
    ``encode_texts`` (texts → whole-comment vectors) feeds the anchor, else it reads those too.
    """
    if progress:
        progress("relations", 0, len(thread.comments), f"reading the stance of {len(thread.comments):,} replies")
    if top_level_threshold is AS_THRESHOLD:
        top_level_threshold = threshold
    stances = reply_stances(thread, judge, threshold, comment_vectors, top_level_threshold=top_level_threshold,
                            with_claims={claim.comment_id for claim in claims})
    anchor_vectors = {**(comment_vectors or {}),
                      **(anchoring_vectors(thread, claims, stances, encode_texts) if encode_texts else {})}
    reply_edges = stance_edges(thread, claims, vectors, stances, anchor_vectors)
    restates, copies = restate_edges(claims, vectors, reply_edges, {c.id: c.parent_id for c in thread.comments})
    relations = reply_edges + within_edges(claims) + restates
    counts = {"replies_judged": len(stances),
              "replies_to_post_not_judged": 0 if top_level_threshold is not None else sum(
                  1 for c in thread.comments
                  if c.parent_id == thread.id and not c.deleted and not c.quoted_only and c.text.strip()),
              "agree": sum(s.stance == "agree" for s in stances),
              "disagree": sum(s.stance == "disagree" for s in stances),
              "neither": sum(s.stance == "neither" for s in stances),
              "same_author_copies": copies}
    if progress:
        progress("relations", len(thread.comments), len(thread.comments),
                 f"{len(relations):,} edges from {len(stances):,} replies")
    return relations, counts


def nearest_neighbours(vectors: np.ndarray, k: int, floor: float, block: int = 1024):
    """(i, j, cosine) for each row's k nearest rows above ``floor`` (``argmap.analytics.neighbours``)."""
    from argmap.analytics.neighbours import nearest

    top, cosines = nearest(vectors, k, block=block)
    for row, (cols, sims) in enumerate(zip(top.tolist(), cosines.tolist())):
        for j, similarity in zip(cols, sims):
            if similarity >= floor:
                yield row, int(j), float(similarity)