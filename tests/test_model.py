import json

import pytest

from argmap.errors import ArgmapError
from argmap.model import Comment, Thread, thread_from_dict, thread_from_json, thread_to_dict, thread_to_json


def small_thread() -> dict:
    return {
        "source": "hn", "id": "1", "url": "https://news.ycombinator.com/item?id=1", "title": "T",
        "author": "a", "created_at": "2026-01-01T00:00:00Z", "text": "",
        "comments": [
            {"id": "2", "parent_id": "1", "author": "b", "created_at": None, "text": "Cats are great pets.",
             "score": None, "deleted": False},
            {"id": "3", "parent_id": "2", "author": "c", "created_at": None, "text": "No, dogs are better.",
             "score": 3, "deleted": False},
        ],
    }


def test_round_trip():
    thread = thread_from_dict(small_thread())
    assert [c.id for c in thread.comments] == ["2", "3"]
    again = thread_from_json(thread_to_json(thread))
    assert thread_to_dict(again) == thread_to_dict(thread)


def test_integer_ids_become_strings():
    data = small_thread()
    data["id"] = 1
    data["comments"][0]["parent_id"] = 1
    assert thread_from_dict(data).comments[0].parent_id == "1"


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.pop("comments"), "missing 'comments'"),
    (lambda d: d.pop("id"), "missing thread 'id'"),
    (lambda d: d.__setitem__("comments", {}), "'comments' should be a list"),
    (lambda d: d["comments"][0].pop("parent_id"), "has no 'parent_id'"),
    (lambda d: d["comments"][1].__setitem__("parent_id", "99"), "replies to '99', which is not in the thread"),
    (lambda d: d["comments"][0].__setitem__("text", 5), "field 'text' should be str"),
    (lambda d: d["comments"][0].__setitem__("deleted", "no"), "'deleted' should be true or false"),
    (lambda d: d["comments"].append(dict(d["comments"][0])), "appears twice"),
    (lambda d: d["comments"][0].__setitem__("parent_id", "3"), "cycle"),
])
def test_malformed_threads_name_the_problem(mutate, message):
    data = small_thread()
    mutate(data)
    with pytest.raises(ArgmapError) as caught:
        thread_from_dict(data)
    assert message in str(caught.value)


def test_malformed_json_says_where():
    with pytest.raises(ArgmapError, match="malformed JSON: .* line 1"):
        thread_from_json('{"id": 1, "comments": [}')


def test_root_comment_carries_title_and_text():
    thread = Thread("hn", "1", title="Title here", text="Body.", comments=[Comment("2", "1", "x")])
    assert thread.root_comment().text == "Title here\n\nBody."
    assert json.loads(thread_to_json(thread))["comments"][0]["id"] == "2"


def test_the_posts_claims_index_its_title_or_its_text():
    """Offsets contract: a title claim carries field "title" and indexes the title; the post's
    other claims index the thread's ``text`` (they used to index "title\\n\\ntext", which no
    consumer could rebuild)."""
    from argmap.cache import memory_cache
    from argmap.claims.extraction import extract_claims

    thread = Thread(source="text", id="t", title="Remote work is here to stay.",
                    text="Offices cost too much. Commuting wastes hours every day.")
    claims = extract_claims(thread, cache=memory_cache())
    title = [c for c in claims if c.field == "title"]
    body = [c for c in claims if c.field == "text"]
    assert [c.id for c in title] == ["t:0"] and [c.id for c in body] == ["t:1", "t:2"]
    assert all(thread.title[c.start:c.end] == c.text for c in title)
    assert all(thread.text[c.start:c.end] == c.text for c in body)
    assert body[0].start == 0
