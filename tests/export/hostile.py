"""A map whose text holds everything an export must defuse (shared by the export and API tests)."""

from __future__ import annotations

from argmap.model import Analysis, Claim, Comment, Relation, Thread

BAD_URLS = ("javascript:alert(2)", "file:///etc/passwd", "data:text/html,<b>x</b>")


def hostile_analysis() -> Analysis:
    """A thread whose title, authors and texts hold control characters, a lone surrogate,
    spreadsheet formulas and HTML, and whose links are scripts and local files."""
    thread = Thread(source="hn", id="t1", title="Bad\x01 title <script>alert(1)</script> *x*",
                    url="javascript:alert(1)", author="op\x02", text="Cities should ban cars.")
    rows = [("c1", "t1", "al\x0bice", '=HYPERLINK("http://evil.example") is a formula.\x01 More \ud800 text.', BAD_URLS[0]),
            ("c2", "c1", "@bob", "-2+3 is not true\x1f.", "https://ok.example/c2"),
            ("c3", "c1", "+carol", "\tTab start.", BAD_URLS[1]),
            ("c4", "c1", "<b>dave</b>", "\rCarriage return start, and [a link](x).", BAD_URLS[2])]
    thread.comments = [Comment(id=i, parent_id=p, author=a, text=t, url=u) for i, p, a, t, u in rows]
    claims = [Claim(f"{c.id}:0", c.id, c.text, 0, len(c.text), author=c.author)
              for c in [thread.root_comment(), *thread.comments]]
    relations = [Relation("c2:0", "c1:0", "rebuts", 0.8), Relation("c3:0", "c1:0", "supports", 0.7),
                 Relation("c4:0", "c1:0", "rebuts", 0.6), Relation("c1:0", "t1:0", "supports", 0.6)]
    return Analysis(thread=thread, claims=claims, relations=relations)
