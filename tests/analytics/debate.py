"""A small hand-written debate with known answers, for fast unit tests of analytics and exports."""

from __future__ import annotations

from argmap.model import Analysis, Claim, Comment, Relation, Thread

TRICKY = 'Retail revenue rose 5% in Oslo [1], see http://example.com/a_b?x=1&y=2 — "really" <b>#1</b> {ok} // @me *not* \\o/.'

COMMENTS = [
    # id, parent, author, score, text
    ("c1", "t1", "alice", 10, "Banning cars downtown makes streets safer for pedestrians. "
                              "Traffic deaths drop when car traffic drops."),
    ("c2", "c1", "bob", 3, "That is not true, deaths drop only if public transit improves too."),
    ("c3", "c1", "carol", 5, "Exactly, pedestrians are much safer without cars downtown."),
    ("c4", "c2", "alice", 2, "Transit improvements come with every car ban in practice."),
    ("c5", "t1", "dave", 1, "Shops downtown lose customers when parking disappears. "
                            "Retail revenue fell in two cities after their bans."),
    ("c6", "c5", "erin", 4, TRICKY),
    ("c7", "c5", None, None, "Parking is what keeps small shops alive."),
    ("c8", "t1", "frank", 2, "A ban only moves the traffic to the next district."),
    ("c9", "c5", "gina", 1, "Our bakery lost a third of its customers after the ban."),
]

# (source claim, target claim, relation, confidence)
RELATIONS = [
    ("c1:0", "t1:0", "supports", 0.75),
    ("c5:0", "t1:0", "rebuts", 0.8),
    ("c2:0", "c1:0", "rebuts", 0.8),
    ("c3:0", "c1:0", "supports", 0.9),
    ("c1:1", "c1:0", "supports", 0.6),
    ("c4:0", "c2:0", "rebuts", 0.7),
    ("c6:0", "c5:1", "rebuts", 0.85),
    ("c5:1", "c5:0", "supports", 0.7),
    ("c7:0", "c5:0", "supports", 0.6),
    ("c3:0", "c1:1", "restates", 0.9),
    ("c8:0", "t1:0", "rebuts", 0.7),
    ("c9:0", "c5:0", "supports", 0.65),
]


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences (". "-separated) in a comment."""
    spans, start = [], 0
    while start < len(text):
        end = text.find(". ", start)
        end = len(text) if end < 0 else end + 1
        spans.append((start, end))
        start = end + 1
    return spans


def debate_analysis() -> Analysis:
    thread = Thread(source="hn", id="t1", title="Cars downtown", url="https://news.ycombinator.com/item?id=t1",
                    author="op", created_at="2026-09-27T16:19:46Z", text="Cities should ban cars downtown.")
    thread.comments = [Comment(id=cid, parent_id=parent, author=author, score=score, text=text,
                               created_at=f"2026-09-27T17:0{i}:00Z")
                       for i, (cid, parent, author, score, text) in enumerate(COMMENTS)]
    claims = []
    for comment in [thread.root_comment(), *thread.comments]:
        text = thread.text if comment.id == "t1" else comment.text  # the title is no claim: only the post's text
        for position, (start, end) in enumerate(sentences(text) if comment.id != "t1" else [(0, len(text))]):
            claims.append(Claim(f"{comment.id}:{position}", comment.id, text[start:end], start, end,
                                position=position, author=comment.author))
    relations = [Relation(s, t, r, c) for s, t, r, c in RELATIONS]
    return Analysis(thread=thread, claims=claims, relations=relations)
