"""Small hand-made API answers the source tests (and the CLI tests) serve from the fake network."""

from __future__ import annotations


STORY = {
    "id": 100, "created_at": "2020-01-01T00:00:00.000Z", "created_at_i": 1577836800, "type": "story",
    "author": "alice", "title": "Ask HN: Tabs or spaces?", "url": None, "text": "<p>Which one &amp; why?",
    "points": 12, "parent_id": None, "story_id": 100, "children": [
        {"id": 101, "created_at_i": 1577836900, "type": "comment", "author": "bob", "points": None,
         "text": "Tabs.<p>&gt; spaces align better<p>They don&#x27;t.", "parent_id": 100, "story_id": 100,
         "children": [
             {"id": 103, "created_at_i": 1577837000, "type": "comment", "author": None, "text": None,
              "parent_id": 101, "story_id": 100, "children": [
                  {"id": 104, "created_at_i": 1577837100, "type": "comment", "author": "dan",
                   "text": "Replying to a deleted comment.", "parent_id": 103, "story_id": 100, "children": []}]}]},
        {"id": 102, "created_at_i": 1577836950, "type": "comment", "author": "carol",
         "text": "Spaces: <a href=\"https://pep8.org/\">PEP 8</a> says so.", "parent_id": 100, "story_id": 100,
         "children": []},
    ]}


def t1(cid, parent, body, author="someone", replies=None):
    return {"kind": "t1", "data": {
        "id": cid, "name": f"t1_{cid}", "parent_id": parent, "body": body, "author": author, "score": 3,
        "created_utc": 1600000000.0, "permalink": f"/r/test/comments/abc/slug/{cid}/",
        "replies": {"kind": "Listing", "data": {"children": replies}} if replies else ""}}


def listing(*comments, selftext="Is **this** right?"):
    submission = {"kind": "t3", "data": {"id": "abc", "name": "t3_abc", "title": "A &amp; B", "author": "op",
                                         "selftext": selftext, "created_utc": 1600000000.0,
                                         "permalink": "/r/test/comments/abc/a_b/"}}
    return [{"kind": "Listing", "data": {"children": [submission]}},
            {"kind": "Listing", "data": {"children": list(comments)}}]


SMALL = listing(
    t1("c1", "t3_abc", "> is this right?\n\nNo, see [the docs](https://docs.example/x).", replies=[
        t1("c2", "t1_c1", "[removed]", author="[deleted]"),
        {"kind": "more", "data": {"count": 2, "name": "t1_c4", "id": "c4", "parent_id": "t1_c1", "depth": 1,
                                  "children": ["c4"]}},
    ]),
    t1("c3", "t3_abc", "Yes.", author="[deleted]", replies=[
        {"kind": "more", "data": {"count": 0, "name": "t1__", "id": "_", "parent_id": "t1_c3", "depth": 10,
                                  "children": []}}]),
    t1("c7", "t3_abc", "[deleted]", author="[deleted]"),
)
MORE_C4 = {"json": {"errors": [], "data": {"things": [t1("c4", "t1_c1", "This reply was hidden behind a load more link on the first page."),
                                                      t1("c5", "t1_c4", "Nested &gt; later.")]}}}
CONTINUE_C3 = listing(t1("c3", "t3_abc", "Yes.", replies=[t1("c6", "t1_c3", "Deep replies are only reachable through the continue this thread link.")]))


def small_network(session):
    session.add(("path", "/comments/abc"), 200, SMALL)
    session.add(("morechildren", ("c4",)), 200, MORE_C4)
    session.add(("path", "/comments/abc/_/c3"), 200, CONTINUE_C3)
    return session
