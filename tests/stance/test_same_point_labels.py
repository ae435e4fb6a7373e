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
    for pair in pairs:
        thread = threads[pair.thread]
        assert pair.a.comment_id != pair.b.comment_id
        for span in (pair.a, pair.b):
            source = sp.source_text(thread, span)
            assert 0 <= span.start < span.end <= len(source)
            text = sp.span_text(thread, span)
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
