"""The in-domain stance label set: every row points at real text, splits never mix threads."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from argmap.evaluation import stance_labels as sl

SHARED = sl.SHARED_THREADS


@pytest.fixture(scope="module")
def rows():
    return sl.read_labels()


@pytest.fixture(scope="module")
def threads(rows):
    if not SHARED.is_dir():
        pytest.skip("../shared/threads is not beside the repo")
    return {name: sl.load_thread(name) for name in {r["thread"] for r in rows}}


def test_size_and_spread(rows):
    assert len(rows) >= 2000
    assert len({r["thread"] for r in rows}) >= 8
    assert sum(r["thread"].startswith("hn/") for r in rows) / len(rows) >= 0.40
    test = [r for r in rows if r["split"] == "test"]
    assert len(test) >= 500 and len({r["thread"] for r in test}) >= 3
    assert {r["stance"] for r in rows} == set(sl.STANCES)
    assert {r["confidence"] for r in rows} <= {"clear", "unsure"}
    assert len({r["pair_id"] for r in rows}) == len(rows)


def test_split_by_thread(rows):
    splits = {}
    for row in rows:
        splits.setdefault(row["thread"], set()).add(row["split"])
    assert all(len(s) == 1 for s in splits.values())
    for rounds in sl.ROUNDS.values():
        for name, (split, _count) in rounds.items():
            assert splits.get(name, {split}) == {split}
    # the second round only adds dev pairs: the test threads were labelled whole in the first
    assert all(split == "dev" for split, _count in sl.ROUND_2.values())


def test_rounds_never_label_a_pair_twice(threads_dir):  # the rounds are drawn from the recorded threads
    first = {p.pair_id for p in sl.selected_pairs(label_round=1)}
    second = {p.pair_id for p in sl.selected_pairs(label_round=2)}
    assert first and second and not first & second
    labelled = {r["pair_id"] for r in sl.read_labels()}
    assert first | second == labelled


def test_relabel_is_a_subset_of_about_ten_percent(rows):
    relabel = sl.read_labels(sl.RELABEL_CSV)
    ids = {r["pair_id"] for r in rows}
    assert {r["pair_id"] for r in relabel} <= ids
    assert 0.09 <= len(relabel) / len(rows) <= 0.12


def test_every_id_exists_and_offsets_index_the_texts(rows, threads):
    for row in rows:
        thread = threads[row["thread"]]
        by_id = thread.comment_by_id()
        reply = by_id[row["reply_id"]]
        assert reply.text and sl.text_hash(reply.text) == row["reply_hash"], row["pair_id"]
        if row["parent_id"] == thread.id:
            fields = {"title": thread.title, "text": thread.text}
            parent_text = "\n\n".join(t for t in fields.values() if t.strip())
        else:
            assert reply.parent_id == row["parent_id"]
            fields = {"text": by_id[row["parent_id"]].text}
            parent_text = fields["text"]
        assert sl.text_hash(parent_text) == row["parent_hash"], row["pair_id"]
        if row["parent_start"]:
            text = fields[row["parent_field"]]
            start, end = int(row["parent_start"]), int(row["parent_end"])
            assert 0 <= start < end <= len(text) and text[start:end].strip() == text[start:end]
        if row["reply_start"]:
            start, end = int(row["reply_start"]), int(row["reply_end"])
            assert 0 <= start < end <= len(reply.text)


def test_sentence_spans_are_exact():
    text = "Yes. But no!\n> quote here\n\nLast one? ok"
    spans = sl.sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["Yes.", "But no!", "> quote here", "Last one?", "ok"]


def test_label_distribution_is_not_degenerate(rows):
    counts = Counter(r["stance"] for r in rows if r["split"] == "test")
    assert min(counts.values()) >= 100


@pytest.mark.parametrize("name", ["edges.csv", "edges_first_head.csv", "edges_cross.csv"])
def test_judged_edges_point_at_real_comments(name):
    """Judged samples (data/judged/): ids only, each claim's comment exists in its recorded thread."""
    from argmap.evaluation import judged_edges

    path = judged_edges.JUDGED_CSV.parent / name
    rows = list(csv.DictReader(path.open(newline="")))
    assert len([r for r in rows if r["relation"] in ("supports", "rebuts")]) == 100
    assert {r["verdict"] for r in rows} <= {"right", "wrong", "same", "different"}
    assert all(r["reason"].strip() for r in rows)
    if not SHARED.is_dir():
        pytest.skip("../shared/threads is not beside the repo")
    for thread_name in {r["thread"] for r in rows}:
        thread = sl.load_thread(thread_name)
        known = {thread.id, *(c.id for c in thread.comments)}
        for row in (r for r in rows if r["thread"] == thread_name):
            for claim_id in (row["source"], row["target"]):
                assert claim_id.rsplit(":", 1)[0] in known, (name, row["edge_id"], claim_id)


def test_reanchored_edges_rejudge_edges_of_the_judged_sample():
    """The re-judged re-anchored edges: each replaces a reply edge of edges_cross.csv with the
    same reply claim and another sentence of the same parent comment."""
    from argmap.evaluation import judged_edges

    folder = judged_edges.JUDGED_CSV.parent
    sample = {r["edge_id"]: r for r in csv.DictReader((folder / "edges_cross.csv").open(newline=""))}
    rows = list(csv.DictReader((folder / "edges_cross_reanchored.csv").open(newline="")))
    assert rows and all(r["verdict"] in ("right", "wrong") and r["reason"].strip() for r in rows)
    for row in rows:
        judged = sample[row["edge_id"]]
        assert judged["origin"] == "reply" and judged["verdict"] == row["old_verdict"]
        assert (judged["source"], judged["target"]) == (row["source"], row["old_target"])
        assert row["target"] != row["old_target"]
        assert row["target"].rsplit(":", 1)[0] == row["old_target"].rsplit(":", 1)[0]
