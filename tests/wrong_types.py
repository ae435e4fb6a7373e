"""Thread JSON with a field of the wrong type, shared by the CLI and API tests."""

# recorded API shapes with a field of the wrong type: the converters trust the API, the
# canonical validator does not, so each is one error line (exit 2), never a traceback
WRONG_TYPES = [
    {"id": 1, "created_at_i": 1, "children": [{"id": 2, "text": 5, "children": []}]},  # Algolia, text a number
    {"id": 1, "created_at_i": 1, "title": ["a list"], "children": []},  # Algolia, title a list
    {"id": 1, "user": "u", "title": {"x": 1}, "comments": []},  # HNPWA, title an object
    [{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "abc", "title": "t"}}]}},
     {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {"id": 5, "body": 7, "parent_id": None,
                                                                       "replies": "x"}}]}}],  # Reddit, body a number
    {"id": "t", "comments": [{"id": "a", "parent_id": "t", "text": "Hi there all.", "score": 10 ** 400}]},
]
