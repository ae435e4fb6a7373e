import pytest

from argmap.errors import ArgmapError
from argmap.sources.files import load_file, parse_content
from argmap.sources.text import find_quoted, parse_text, quote_text

from .conftest import SAMPLE_TEXT


def test_one_comment_per_line_blank_lines_ignored():
    thread = parse_text("First claim here.\n\n\nSecond claim here.\n", infer=False)
    assert [c.text for c in thread.comments] == ["First claim here.", "Second claim here."]
    assert all(c.parent_id == thread.id for c in thread.comments)


def test_quote_makes_a_reply_to_the_quoted_comment():
    thread = parse_text(
        "Rust is the safest systems language.\n"
        "Go compiles quickly.\n"
        "> rust is the safest systems  language\n"
        "Ada was safer long before Rust.\n"
    )
    reply = thread.comments[2]
    assert reply.parent_id == thread.comments[0].id
    assert reply.text.startswith("> rust is the safest")


def test_fuzzy_quote_match_tolerates_small_changes():
    earlier = parse_text("The sanctions only prevent exporting a certain class of GPUs to China.").comments
    assert find_quoted("sanctions only prevents exporting a certain class of GPU to China", earlier) is earlier[0]
    assert find_quoted("something else entirely different", earlier) is None


def test_a_long_paste_of_quotes_finds_each_quoted_comment():
    # each quote is looked for among the comments shortly before it, each comment normalised
    # once (it took minutes when every quote was aligned with every earlier comment; the time
    # is not asserted here)
    lines = []
    for i in range(1500):
        lines += [f"Point number {i} is that tram line {i} should run all night.",
                  f"> tram line {i} should run all night", f"No, night buses on route {i} are cheaper."]
    thread = parse_text("\n".join(lines), infer=False)
    assert len(thread.comments) == 3000
    by_id = {c.id: c for c in thread.comments}
    for i in (0, 700, 1499):
        reply = thread.comments[2 * i + 1]
        assert by_id[reply.parent_id].text.startswith(f"Point number {i} ")


def test_a_quote_is_looked_for_in_the_window_before_it():
    from argmap.sources.text import QUOTE_WINDOW

    def paste(filler: int) -> str:
        lines = ["Trams beat buses on every busy corridor in town."]
        lines += [f"Filler comment number {i} about something else." for i in range(filler)]
        return "\n".join(lines + ["> trams beat buses on every busy corridor", "No, buses are cheaper to run."])

    inside = parse_text(paste(QUOTE_WINDOW - 1), infer=False)
    assert inside.comments[-1].parent_id == inside.comments[0].id
    outside = parse_text(paste(QUOTE_WINDOW + 5), infer=False)
    assert outside.comments[-1].parent_id != outside.comments[0].id  # too far back: a stand-in instead
    assert outside.comments[-2].quoted_only


def test_quote_of_unknown_text_stands_for_the_comment_it_came_from():
    """Quoted words found in no earlier line were quoted from a comment the paste lacks: they
    become a comment of their own (no author, ``quoted_only``) and the quoting line its reply."""
    from argmap.model import comment_from_dict, comment_to_dict

    thread = parse_text('"taking what exists and marginally improving"\nYou just described most progress.', infer=False)
    stand_in, reply = thread.comments
    assert stand_in.quoted_only and stand_in.author is None
    assert stand_in.text == "taking what exists and marginally improving" and stand_in.parent_id == thread.id
    assert reply.parent_id == stand_in.id and not reply.quoted_only
    assert comment_to_dict(stand_in)["quoted_only"] is True and "quoted_only" not in comment_to_dict(reply)
    assert comment_from_dict(comment_to_dict(stand_in), 0).quoted_only  # kept through the thread JSON
    # a quote found in an earlier line still links to that line; no stand-in is made
    found = parse_text("Taking what exists and marginally improving is all they do.\n"
                       '"taking what exists and marginally improving"\nYou just described most progress.', infer=False)
    assert len(found.comments) == 2 and found.comments[1].parent_id == found.comments[0].id
    # a one-word "quote" is not a comment
    assert len(parse_text('"what"\nNothing to add.', infer=False).comments) == 1
    # quotes closing the paste, with no reply: the quoted words, standing for their comment
    trailing = parse_text("Solar is cheap now.\n> wind is cheaper than coal everywhere", infer=False)
    assert [c.quoted_only for c in trailing.comments] == [False, True]
    assert trailing.comments[1].text == "wind is cheaper than coal everywhere"


@pytest.mark.slow
def test_a_stand_in_stays_under_the_root_when_parents_are_inferred():
    """Where a quoted comment the paste lacks sat is unknown: the stand-in is not placed by
    the reply-structure model (nor marked as a guess), its reply hangs under it for certain."""
    thread = load_file(SAMPLE_TEXT)
    stand_in = next(c for c in thread.comments if c.quoted_only)
    assert stand_in.parent_id == thread.id and not stand_in.parent_inferred and stand_in.parent_confidence is None
    answer = next(c for c in thread.comments if c.parent_id == stand_in.id)
    assert answer.parent_inferred and answer.parent_confidence >= 0.95


def test_pasted_origin_skips_stand_ins():
    """The paste evaluation maps pasted comments back to recorded ones; a stand-in came from none."""
    from argmap.evaluation.paste_pairs import pasted_origin

    pasted = parse_text('Rust is fast.\n"an unknown quote here"\nNo, it is not.', infer=False)
    assert [c.quoted_only for c in pasted.comments] == [False, True, False]
    origin = pasted_origin(pasted, ["r1", "r2"])
    assert origin == {pasted.comments[0].id: "r1", pasted.comments[2].id: "r2"}
    with pytest.raises(ValueError, match="expected 3"):
        pasted_origin(pasted, ["r1", "r2", "r3"])


def test_quote_text_forms():
    assert quote_text("> hello there") == "hello there"
    assert quote_text('"a quoted line"') == "a quoted line"
    assert quote_text("not a quote") is None


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"   \n\n ", "empty"),
    (b"\x00\x01\x02binary", "binary"),
    (b"\xff\xfe\xfa junk", "not UTF-8"),
    (b'{"id": "1", "comments": [', "looks like JSON but is malformed"),
    (b'{"hello": 1}', "unrecognised thread JSON"),
    (b"null", "single JSON value"),
    (b"42", "single JSON value"),
    ("Cars are bad.".encode("utf-16"), "UTF-16"),
    (b'{"id": "t", "comments": [], "notes": "one note"}', None),  # a string of notes is one note
])
def test_bad_content_gets_a_clear_error(content, message):
    if message is None:
        assert parse_content(content, name="upload").notes == ["one note"]
        return
    with pytest.raises(ArgmapError, match=message):
        parse_content(content, name="upload")


def test_missing_file(tmp_path):
    with pytest.raises(ArgmapError, match="no such file"):
        load_file(tmp_path / "nope.txt")


def test_sample_thread_structure():
    thread = load_file(SAMPLE_TEXT)
    assert len(thread.comments) == 13  # 12 lines + the stand-in for a quote from outside the paste
    stand_in = [c for c in thread.comments if c.quoted_only]
    assert [c.text for c in stand_in] == ["taking what exists and marginally improving"]
    answer = [c for c in thread.comments if "You just described most scientific progress" in c.text]
    assert answer[0].parent_id == stand_in[0].id
    quoting = [c for c in thread.comments if c.text.startswith("> that'll mean")]
    assert len(quoting) == 1
    parent = thread.comment_by_id()[quoting[0].parent_id]
    assert "thin facade of product" in parent.text


def test_a_paste_is_cut_before_its_parents_are_guessed():
    text = "\n".join(f"Claim number {i} says cats are better than dogs." for i in range(40))
    thread = parse_text(text, infer=False, max_comments=10)
    assert len(thread.comments) == 10 and thread.comments[-1].text.startswith("Claim number 9 ")
    assert any("cut at 10 comments (of 40)" in note for note in thread.notes)
