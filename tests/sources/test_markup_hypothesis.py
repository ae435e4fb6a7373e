"""The Markdown converter never raises, and a link's text may hold code spans and escapes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from argmap.sources.markup import markdown_inline, markdown_to_text

# Markdown's special characters, often, so the generator builds links, code spans and escapes.
MARKDOWN_PIECES = st.sampled_from(["[", "]", "(", ")", "`", "\\", "*", "_", "~~", "^", ">!", "!<", "<", ">", "#",
                                   "    ", "\n", "\n\n", "> ", "- ", "1. ", "```", "http://x.y/z", "](", "![",
                                   "\x00", "\x000\x00", "\ufdd0", "a", " ", "word"])
MARKDOWN = st.lists(st.one_of(MARKDOWN_PIECES, st.text(max_size=5)), max_size=40).map("".join)


def test_link_text_with_a_code_span():
    assert markdown_inline("I did find the [`AuthenticateUser`](https://github.com/x/y) method") == \
        "I did find the AuthenticateUser (https://github.com/x/y) method"


def test_link_text_with_an_escaped_character():
    assert markdown_inline(r"see [foo\_bar](http://x.y) now") == "see foo_bar (http://x.y) now"
    assert markdown_to_text(r"[a \*b\* `c`](http://x.y) and `d`") == "a *b* c (http://x.y) and d"


def test_text_holding_the_placeholder_character_comes_back_unchanged():
    assert markdown_inline("x \x000\x00 y") == "x \x000\x00 y"
    assert markdown_inline("\x000\x00 [`a`](http://x.y)") == "\x000\x00 a (http://x.y)"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MARKDOWN)
def test_random_markdown_never_raises(text):
    assert isinstance(markdown_to_text(text), str)
    assert isinstance(markdown_inline(text), str)


def test_recorded_reddit_thread_with_a_code_span_in_a_link_reads(threads_dir):
    from argmap.sources.files import load_file

    thread = load_file(threads_dir / "reddit" / "praw_2ujhkr.json")
    assert thread.id == "2ujhkr"
    assert len(thread.comments) == 101
    comment = thread.comment_by_id()["cohr3kv"]
    assert "AuthenticateUser (https://github.com/SirCmpwn/RedditSharp" in comment.text
    assert "`" not in comment.text.split("AuthenticateUser")[0][-2:]
