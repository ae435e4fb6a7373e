"""One argument per reply: a reply's stance draws one edge, anchored on claims; restates only
for the same point; only arguments are endpoints; summaries count people, not sentences."""

from __future__ import annotations

import numpy as np
import pytest

from argmap.analytics.graph import build_graph
from argmap.analytics.summary import summarize
from argmap.model import Analysis, Claim, Comment, Relation, Thread
from argmap.relations.edges import (ReplyStance, build_relations, contradicts, restate_edges, stance_edges,
                                    within_edges)


def claim(cid: str, comment: str, text: str, author: str = "", quote_of: str | None = None) -> Claim:
    return Claim(cid, comment, text, 0, len(text), author=author or None, quote_of=quote_of)


def unit_vectors(n: int, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n, 16)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_a_reply_draws_one_edge_however_many_claims_it_has():
    claims = [claim("p:0", "p", "Remote work is here to stay."), claim("p:1", "p", "Offices are empty."),
              claim("p:2", "p", "Rents are falling."),
              claim("r:0", "r", "No, the office is coming back."), claim("r:1", "r", "My company ordered everyone in."),
              claim("r:2", "r", "Most big firms did the same.")]
    edges = stance_edges(Thread("hn", "t"), claims, unit_vectors(6), [ReplyStance("r", "p", "disagree", 0.81)], {})
    assert len(edges) == 1
    edge = edges[0]
    assert edge.relation == "rebuts" and edge.source.startswith("r:") and edge.target.startswith("p:")
    assert (edge.reply_id, edge.parent_id, edge.stance, edge.confidence) == ("r", "p", "disagree", 0.81)


def test_neither_draws_no_edge_and_agree_draws_supports():
    claims = [claim("p:0", "p", "Rust is fast."), claim("r:0", "r", "Exactly, and it is safe too."),
              claim("q:0", "q", "What about compile times?")]
    stances = [ReplyStance("r", "p", "agree", 0.7), ReplyStance("q", "p", "neither", 0.8)]
    edges = stance_edges(Thread("hn", "t"), claims, unit_vectors(3), stances, {})
    assert [(e.source, e.target, e.relation) for e in edges] == [("r:0", "p:0", "supports")]


def test_a_quote_anchors_the_edge_and_two_quotes_draw_two():
    claims = [claim("p:0", "p", "China is dominating this field."),
              claim("p:1", "p", "Model companies can only bank on the thin facade of product."),
              claim("r:0", "r", "The facade of product tested in the real world is better.", quote_of="p:1"),
              claim("r:1", "r", "And dominating is too strong a word.", quote_of="p:0")]
    edges = stance_edges(Thread("hn", "t"), claims, unit_vectors(4), [ReplyStance("r", "p", "disagree", 0.6)], {})
    assert [(e.source, e.target, e.origin) for e in edges] == [("r:0", "p:1", "quote"), ("r:1", "p:0", "quote")]


def test_the_parent_claim_whose_words_the_reply_uses_is_the_one_answered():
    # equally similar by the vectors (both parent claims orthogonal to the reply); the words decide
    claims = [claim("p:0", "p", "TikTok hires many people in the US."),
              claim("p:1", "p", "R&D in the US is a very small part of the business."),
              claim("r:0", "r", "I visited their office and the R&D part of the business wasn't small.")]
    vectors = np.eye(3, dtype=np.float32)
    edges = stance_edges(Thread("hn", "t"), claims, vectors, [ReplyStance("r", "p", "disagree", 0.7)], {})
    assert [(e.source, e.target) for e in edges] == [("r:0", "p:1")]


def test_reasons_inside_a_comment_need_a_marker():
    claims = [claim("c:0", "c", "Prices will rise."), claim("c:1", "c", "Because supply is short."),
              claim("c:2", "c", "So buy now."), claim("c:3", "c", "Cats are nice.")]
    edges = {(e.source, e.target) for e in within_edges(claims)}
    assert edges == {("c:1", "c:0"), ("c:1", "c:2")}


@pytest.mark.parametrize("conclusion", [
    "It's no surprise that, when industry needs advanced degrees, author lists are full of immigrants.",
    "No wonder the labs hire them.", "Which is why the labs hire them.", "As a result the labs hire them."])
def test_a_conclusion_marker_makes_the_claim_before_it_a_reason(conclusion):
    claims = [claim("c:0", "c", "For years immigration policy has made a PhD particularly useful to immigrants."),
              claim("c:1", "c", conclusion)]
    assert [(e.source, e.target, e.relation) for e in within_edges(claims)] == [("c:0", "c:1", "supports")]


def test_restates_ignore_contradictions_and_same_author_copies():
    assert contradicts("The N64 doesn't have VGA output", "n64 did use vga tho")
    assert not contradicts("Speed is the killer feature", "speed really is the killer feature")
    # other figures, another fact: two people's dose dates are not one point
    assert contradicts("Got my second dose of Pfizer on August 19th.", "I had my second pfizer dose on April 30.")
    assert not contradicts("The vaccine is 95% effective.", "It is about 95 percent effective.")
    # the same figure written another way, a year against a month, a number inside a name: no guard
    assert not contradicts("Over 3 million people have died.", "More than 3,000,000 people have died.")
    assert not contradicts("The UK voted to leave the EU in June.", "The UK voted to leave the EU in 2016.")
    assert not contradicts("COVID-19 is far deadlier than the flu.", "Covid is 10 times deadlier than the flu.")
    claims = [claim("a:0", "a", "Speed is the one feature users notice first.", "ann"),
              claim("b:0", "b", "Users notice speed before any other feature.", "bob"),
              claim("c:0", "c", "Users do not notice speed before other features.", "cat"),
              claim("d:0", "d", "Speed is the one feature users notice first.", "ann")]
    base = unit_vectors(1)[0]
    nudge = unit_vectors(4, seed=9) * 0.3  # close (cosine about 0.9), not verbatim
    vectors = base + nudge
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    edges, copies = restate_edges(claims, vectors, [])
    pairs = {frozenset((e.source, e.target)) for e in edges}
    assert frozenset(("a:0", "b:0")) in pairs and frozenset(("b:0", "d:0")) in pairs
    assert not any("c:0" in p for p in pairs)  # the negated claim restates nothing
    assert frozenset(("a:0", "d:0")) not in pairs and copies == 1  # one author pasting twice


def test_quotes_jokes_and_what_a_comment_answers_are_not_restatements():
    claims = [claim("a:0", "a", "Support goes inward and complaints go outward.", "ann"),
              claim("b:0", "b", "Support goes inward and complaints go outward.", "bob"),  # a quote of a
              claim("c:0", "c", "Hold on to your butts.", "cat"), claim("d:0", "d", "Hold on to your butts.", "dan"),
              claim("e:0", "e", "Comfort goes in and venting goes out, always.", "eve")]
    vectors = np.tile(unit_vectors(1), (5, 1))
    vectors[4] = (vectors[4] + unit_vectors(1, seed=5)[0] * 0.1) / np.linalg.norm(vectors[4] + unit_vectors(1, seed=5)[0] * 0.1)
    edges, _copies = restate_edges(claims, vectors, [], parents={"e": "a", "b": "a"})
    assert edges == []  # verbatim copies, a stock phrase, and e answering a


def _debate() -> Analysis:
    """A post that five people answer: four agree, one disagrees; and a claim two people
    dispute while one defends it."""
    thread = Thread("hn", "t", title="Cities should ban cars from their centres", author="op")
    people = ["ann", "bob", "cat", "dan", "eve"]
    thread.comments = [Comment(f"c{i}", "t", f"Reply {i}.", author=name) for i, name in enumerate(people)]
    thread.comments += [Comment("x1", "c4", "No.", author="fay"), Comment("x2", "c4", "Wrong.", author="gus"),
                        Comment("x3", "c4", "Right.", author="hal")]
    claims = [claim("t:0", "t", "Cities should ban cars from their centres", "op")]
    claims += [claim(f"c{i}:0", f"c{i}", f"Reply {i} says something.", name) for i, name in enumerate(people)]
    claims += [claim(f"{x}:0", x, f"{x} answers eve.", a) for x, a in (("x1", "fay"), ("x2", "gus"), ("x3", "hal"))]
    relations = [Relation(f"c{i}:0", "t:0", "supports", 0.8, reply_id=f"c{i}", parent_id="t", stance="agree")
                 for i in range(4)]
    relations.append(Relation("c4:0", "t:0", "rebuts", 0.7, reply_id="c4", parent_id="t", stance="disagree"))
    relations += [Relation("x1:0", "c4:0", "rebuts", 0.7, reply_id="x1", parent_id="c4", stance="disagree"),
                  Relation("x2:0", "c4:0", "rebuts", 0.6, reply_id="x2", parent_id="c4", stance="disagree"),
                  Relation("x3:0", "c4:0", "supports", 0.6, reply_id="x3", parent_id="c4", stance="agree")]
    return Analysis(thread=thread, claims=claims, relations=relations)


def test_agreeing_commenters_do_not_make_a_claim_contested():
    summary = summarize(build_graph(_debate()))
    contested = [c["id"] for c in summary["most_contested"]]
    assert "t:0" not in contested  # four agree, one disagrees: backed, not contested
    assert contested == ["c4:0"]  # two people dispute it, one defends it
    assert summary["most_contested"][0]["opponents"] == 2 and summary["most_contested"][0]["supporters"] == 1
    title = [c for c in summary["strongest_consensus"] if c["id"] == "t:0"]
    assert not title  # one person disagrees: not a consensus either


def test_people_count_replies_not_sentences():
    analysis = _debate()
    # a second edge from the same reply (two quoted parts) must not count twice
    analysis.claims.append(claim("x1:1", "x1", "And it is unfair.", "fay"))
    analysis.relations.append(Relation("x1:1", "c4:0", "rebuts", 0.7, reply_id="x1", parent_id="c4",
                                       stance="disagree"))
    people = {p["author"]: p for p in summarize(build_graph(analysis))["people"]}
    assert people["fay"]["rebutted"] == {"eve": 1}
    assert people["eve"]["rebutted_by"] == {"fay": 1, "gus": 1}


@pytest.mark.slow
def test_the_stance_model_reads_real_replies(settings):
    """A real thread's replies through the shipped stance model: one edge per reply at most."""
    from argmap.pipeline import analyze_thread

    thread = Thread("hn", "t", title="Remote work is here to stay")
    thread.comments = [
        Comment("a", "t", "Remote work is here to stay because hiring is no longer limited to one city.", author="ann"),
        Comment("b", "a", "No, that's wrong. The office is coming back: my company ordered everyone in.", author="bob"),
        Comment("c", "a", "Exactly. We hired three people abroad last year and it works great.", author="cat"),
    ]
    analysis, _graph = analyze_thread(thread, settings=settings)
    reply_edges = [r for r in analysis.relations if r.reply_id]
    by_reply = {r.reply_id: r for r in reply_edges}
    assert len(reply_edges) == len(by_reply)  # one edge per reply
    assert by_reply.get("b") is None or by_reply["b"].relation == "rebuts"
    assert by_reply.get("c") is None or by_reply["c"].relation == "supports"
    assert by_reply, "the model draws at least one of two plain stances"
