"""The same-point label set: dev threads only, every span points at real claim text, and the
evaluation's arithmetic (bands, agreement) on it."""

from __future__ import annotations

import pytest

from argmap.evaluation import same_point as sp
from argmap.evaluation import stance_labels as sl


@pytest.fixture(scope="module")
def pairs():
    return sp.load_pairs()


@pytest.fixture(scope="module")
def threads(pairs):
    if not sl.SHARED_THREADS.is_dir():
        pytest.skip("../shared/threads is not beside the repo")
    return sp.load_threads(pairs)


def test_pairs_come_from_dev_threads_only(pairs):
    assert len(pairs) == 1000
    dev = {name for name, (split, _count) in sl.THREADS.items() if split == "dev"}
    assert {p.thread for p in pairs} <= dev
    assert len({(p.thread, frozenset((p.a, p.b))) for p in pairs}) == len(pairs)  # no pair twice


def test_every_span_indexes_a_sentence_of_two_different_comments(pairs, threads):
    comments = {name: thread.comment_by_id() for name, thread in threads.items()}
    for pair in pairs:
        thread = threads[pair.thread]
        assert pair.a.comment_id != pair.b.comment_id
        for span in (pair.a, pair.b):
            source = sp.source_text(thread, span, comments[pair.thread])
            assert 0 <= span.start < span.end <= len(source)
            text = sp.span_text(thread, span, comments[pair.thread])
            assert text == text.strip() and len(text.split()) >= 6


def test_labels_are_not_degenerate_and_readers_agree(pairs):
    share = sum(p.same_point for p in pairs) / len(pairs)
    assert 0.1 < share < 0.4
    readers = sp.agreement(pairs)
    assert readers["relabelled"] == 100
    assert readers["kappa"] >= 0.6


def test_bands_count_every_pair_once(pairs, threads):
    bands = sp.by_similarity(pairs, threads)
    assert [b["cosine"] for b in bands][0] == "[0.65, 0.75)" and bands[-1]["cosine"] == "[0.97, 1.00]"
    assert sum(b["pairs"] for b in bands) == len(pairs)
    assert all(b["same_point"] is None or 0 <= b["same_point"] <= 1 for b in bands)


def test_label_columns_hold_only_yes_and_no():
    import csv

    with open(sp.LABELS, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["same_point"] for r in rows} == {"yes", "no"}
    assert {r["second_reader"] for r in rows} <= {"yes", "no", ""}
    assert {r["field_a"] for r in rows} | {r["field_b"] for r in rows} <= {"text", "title"}


def test_drawn_restates_are_matched_to_labelled_pairs_by_their_spans():
    from argmap.model import Comment, Thread

    first = "Nuclear power is the safest source of energy we have today."
    second = "Of all the energy sources, nuclear power is the safest one."
    thread = Thread(source="text", id="t", title="Energy policy", comments=[
        Comment("a", "t", first, author="ann"),
        Comment("b", "t", "Wind farms take up too much land in the countryside.", author="bob"),
        Comment("c", "t", "I think so. " + second, author="cat"),
    ])
    start = len("I think so. ")
    labelled = sp.SamePointPair("t.json", sp.Span("a", "text", 0, len(first)),
                                sp.Span("c", "text", start, start + len(second)), True, None, "")
    other = sp.SamePointPair("t.json", sp.Span("a", "text", 0, len(first)), sp.Span("b", "text", 0, 10), False, None, "")
    found = sp.drawn_restates([labelled, other], {"t.json": thread})
    assert (found["drawn"], found["labelled"], found["same_point"]) == (1, 1, 1)
    assert {found["pairs"][0]["a"], found["pairs"][0]["b"]} == {first, second}
