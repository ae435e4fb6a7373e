"""Live re-analysis: a recorded thread replayed in time order, refreshed, and the change report checked."""

from __future__ import annotations

import copy
import json
import math

import pytest

from argmap.cache import text_key
from argmap.export import get_exporter
from argmap.live import keep_vanished, read_export, refresh, snapshot_of_analysis, snapshot_of_export
from argmap.model import Thread, thread_to_json
from argmap.pipeline import analyze_thread
from argmap.settings import careful_load
from argmap.sources.files import load_file

from .cli import argmap, one_error_line

RECORDED = "reddit/rtv_2xmo63.json"  # 45 comments over two days


def split_in_time(thread: Thread, share: float = 0.6) -> tuple[Thread, list[str]]:
    """The thread as it stood when ``share`` of its comments were posted, and the ids posted after."""
    times = sorted(c.created_at for c in thread.comments if c.created_at)
    cut = times[int(len(times) * share)]
    early = copy.deepcopy(thread)
    early.comments = [c for c in early.comments if c.created_at and c.created_at < cut]
    kept = {c.id for c in early.comments} | {thread.id}
    assert all(c.parent_id in kept for c in early.comments)  # a reply is never older than its parent
    return early, [c.id for c in thread.comments if c.id not in kept]


def export_dict(analysis, graph) -> dict:
    return json.loads(get_exporter("json").render(analysis, graph))


@pytest.fixture
def fresh_settings(settings, tmp_path):
    """Settings with an empty instance folder: nothing parsed or encoded before this test."""
    return settings.replace(instance_path=tmp_path / "instance")


@pytest.fixture
def recorded(threads_dir) -> Thread:
    return load_file(threads_dir / RECORDED)


def test_replayed_thread_parses_only_the_new_comments(recorded, fresh_settings):
    early, late_ids = split_in_time(recorded)
    assert 5 <= len(late_ids) < len(recorded.comments)
    first, first_graph = analyze_thread(copy.deepcopy(early), settings=fresh_settings)
    previous = snapshot_of_export(export_dict(first, first_graph))

    second, second_graph = refresh(previous, copy.deepcopy(recorded), settings=fresh_settings)

    report = second.changes
    assert report["comments"]["new"] == late_ids
    assert report["comments"]["edited"] == [] and report["comments"]["deleted"] == []
    assert report["comments"]["unchanged"] == len(early.comments)
    assert (report["from_version"], report["to_version"]) == (1, 2)
    by_id = recorded.comment_by_id()
    seen = {text_key(c.text) for c in early.comments if c.text and not c.deleted}
    new_texts = {text_key(by_id[i].text) for i in late_ids if by_id[i].text and not by_id[i].deleted} - seen
    assert second.stats["texts_parsed"] == len(new_texts)  # nothing said before is parsed again
    new_claims = [c for c in second.claims if c.comment_id in set(late_ids)]
    assert 0 < second.stats["texts_encoded"] <= len(new_claims) + len(late_ids)
    assert {c["id"] for c in report["new_claims"]} == {c.id for c in new_claims}
    assert report["removed_claims"] == []
    assert all(e["source"].split(":")[0] in late_ids for e in report["new_edges"] if e["origin"] != "similar")
    assert report["counts"]["new_disputes"] == len(report["new_disputes"])
    assert all(e["relation"] == "rebuts" for e in report["new_disputes"])
    exported = export_dict(second, second_graph)
    assert exported["changes"]["comments"]["new"] == late_ids
    assert len(exported["comments"]) == len(recorded.comments)


def test_edited_and_deleted_comments_are_listed_and_kept_as_deleted(recorded, fresh_settings):
    before, _graph = analyze_thread(copy.deepcopy(recorded), settings=fresh_settings)
    previous = snapshot_of_analysis(before, version=2)
    parents = {c.parent_id for c in recorded.comments}
    leaves = [c for c in recorded.comments if c.id not in parents and c.text and not c.deleted]
    edited, vanished, marked = leaves[0], leaves[1], leaves[2]
    later = copy.deepcopy(recorded)
    later.comments = [c for c in later.comments if c.id != vanished.id]
    for comment in later.comments:
        if comment.id == edited.id:
            comment.text = "Edit: I was wrong about this, the numbers say otherwise."
        if comment.id == marked.id:
            comment.text, comment.deleted = "", True

    after, _graph = refresh(previous, later, settings=fresh_settings)

    report = after.changes
    assert report["comments"]["new"] == []
    assert report["comments"]["edited"] == [edited.id]
    assert sorted(report["comments"]["deleted"]) == sorted([vanished.id, marked.id])
    assert report["to_version"] == 3
    placeholder = after.thread.comment_by_id()[vanished.id]
    assert placeholder.deleted and placeholder.text == "" and placeholder.parent_id == vanished.parent_id
    gone = {c.id for c in before.claims if c.comment_id in (vanished.id, marked.id, edited.id)}
    assert gone and gone <= {c["id"] for c in report["removed_claims"]}
    assert not any(c.comment_id in (vanished.id, marked.id) for c in after.claims)
    assert {c["comment_id"] for c in report["new_claims"]} <= {edited.id}
    assert after.stats["texts_parsed"] == 1  # the edited text alone


def test_a_vanished_reply_to_a_vanished_comment_keeps_its_parent(recorded):
    previous = snapshot_of_analysis(analysis_of(recorded))
    parent = next(c for c in recorded.comments if any(r.parent_id == c.id for r in recorded.comments))
    gone = {parent.id} | {c.id for c in recorded.comments if c.parent_id == parent.id}
    later = copy.deepcopy(recorded)
    later.comments = [c for c in later.comments if c.id not in gone]
    keep_vanished(previous, later)
    by_id = later.comment_by_id()
    assert all(by_id[i].deleted for i in gone)
    assert all(by_id[i].parent_id == parent.id for i in gone - {parent.id})


def analysis_of(thread: Thread):
    """A stand-in earlier analysis with no claims: enough for the comment bookkeeping."""
    from argmap.model import Analysis

    return Analysis(thread=copy.deepcopy(thread), claims=[], relations=[])


def test_cli_update_from_an_earlier_export(recorded, tmp_path):
    early, late_ids = split_in_time(recorded)
    (tmp_path / "early.json").write_text(thread_to_json(early), encoding="utf-8")
    (tmp_path / "now.json").write_text(thread_to_json(recorded), encoding="utf-8")
    first = argmap("analyze", str(tmp_path / "early.json"), "-q", "-o", str(tmp_path / "v1.json"))
    assert first.returncode == 0, first.stderr.decode()
    second = argmap("analyze", str(tmp_path / "now.json"), "-q", "--update-from", str(tmp_path / "v1.json"),
                    "-o", str(tmp_path / "v2.json"))
    assert second.returncode == 0, second.stderr.decode()
    assert f"{len(late_ids)} new comments, 0 edited, 0 deleted" in second.stderr.decode()
    data = json.loads((tmp_path / "v2.json").read_text(encoding="utf-8"))
    assert data["changes"]["comments"]["new"] == late_ids
    assert read_export(str(tmp_path / "v2.json")).version == 2


def test_cli_update_from_refuses_what_is_not_an_earlier_export_of_this_thread(tmp_path, recorded):
    (tmp_path / "now.json").write_text(thread_to_json(recorded), encoding="utf-8")
    (tmp_path / "thread.json").write_text(thread_to_json(recorded), encoding="utf-8")
    other = json.loads(thread_to_json(recorded))
    (tmp_path / "old.json").write_text(json.dumps({"directed": True, "graph": {"thread_id": "zzz", "source": "hn"},
                                                   "nodes": [], "edges": []}), encoding="utf-8")
    (tmp_path / "other.json").write_text(json.dumps({"directed": True, "graph": {"thread_id": "zzz", "source": "hn"},
                                                     "nodes": [], "edges": [], "comments": []}), encoding="utf-8")
    assert other["id"] != "zzz"
    (tmp_path / "nameless.json").write_text(json.dumps({"directed": True, "graph": {}, "nodes": [], "edges": [],
                                                        "comments": []}), encoding="utf-8")
    cases = {"thread.json": "must be argmap's JSON export", "old.json": "no comment fingerprints",
             "other.json": "another thread", "missing.json": "cannot read",
             "nameless.json": "does not say which thread"}
    for name, words in cases.items():
        result = argmap("analyze", str(tmp_path / "now.json"), "-q", "--update-from", str(tmp_path / name))
        assert words in one_error_line(result)


def test_comments_a_partial_fetch_left_out_are_not_called_deleted(recorded, fresh_settings):
    before, _graph = analyze_thread(copy.deepcopy(recorded), settings=fresh_settings)
    later = copy.deepcopy(recorded)
    parents = {c.parent_id for c in later.comments}
    left_out = [c.id for c in later.comments if c.id not in parents][-3:]
    later.comments = [c for c in later.comments if c.id not in left_out]
    later.notes.append(f"thread cut at {len(later.comments)} comments; raise --max-comments to load more")
    fetched_again = copy.deepcopy(later)  # refresh puts the missing comments back into the thread it is given

    after, _graph = refresh(snapshot_of_analysis(before), later, settings=fresh_settings)

    report = after.changes
    assert report["comments"]["deleted"] == [] and report["comments"]["not_fetched"] == left_out
    assert report["counts"]["not_fetched_comments"] == 3
    kept = after.thread.comment_by_id()
    assert all(not kept[i].deleted and kept[i].text for i in left_out)  # the stored analysis had their words
    assert report["removed_claims"] == [] and report["new_claims"] == []
    # from a JSON export too: it carries the comments' words, so they and their claims stay
    exported = export_dict(before, _graph)
    from_export, _graph = refresh(snapshot_of_export(exported), fetched_again, settings=fresh_settings)
    assert from_export.changes["comments"]["deleted"] == []
    assert from_export.changes["comments"]["not_fetched"] == left_out
    assert from_export.changes["removed_claims"] == [] and from_export.changes["changed_stances"] == []
    kept = from_export.thread.comment_by_id()
    assert all(not kept[i].deleted and kept[i].text for i in left_out)
    # and the next whole fetch finds nothing changed
    again, _graph = refresh(snapshot_of_export(export_dict(from_export, _graph)), copy.deepcopy(recorded),
                            settings=fresh_settings)
    assert not any(again.changes["counts"].values()), again.changes["counts"]


def test_an_edited_post_is_a_change(recorded, fresh_settings):
    before, graph = analyze_thread(copy.deepcopy(recorded), settings=fresh_settings)
    later = copy.deepcopy(recorded)
    later.text = (later.text or "") + " Edit: prices rose by a third since this was posted, so it is not worth it."
    for previous in (snapshot_of_analysis(before), snapshot_of_export(export_dict(before, graph))):
        after, _graph = refresh(previous, copy.deepcopy(later), settings=fresh_settings)
        report = after.changes
        assert report["post_edited"] and report["counts"]["post_edited"] == 1
        assert any(c["comment_id"] == recorded.id for c in report["new_claims"])
        assert all(c["comment_id"] == recorded.id for c in report["new_claims"])
        assert report["comments"]["edited"] == []
    unchanged, _graph = refresh(snapshot_of_analysis(before), copy.deepcopy(recorded), settings=fresh_settings)
    assert not unchanged.changes["post_edited"] and not any(unchanged.changes["counts"].values())


def test_an_edit_or_a_deletion_changes_only_what_it_touched(recorded, fresh_settings):
    """An edit that adds a sentence keeps the comment's other claims and their edges (ids
    shift, words do not); a deleted reply has no "changed stance"; a comment first seen
    deleted is not a deletion."""
    before, _graph = analyze_thread(copy.deepcopy(recorded), settings=fresh_settings)
    answered = next(r.target for r in before.relations if r.relation == "rebuts" and r.origin == "reply")
    edited = next(c for c in before.claims if c.id == answered).comment_id
    replies = [r for r in before.relations if r.stance in ("agree", "disagree") and r.reply_id != edited
               and r.parent_id != edited]
    gone = replies[0].reply_id
    later = copy.deepcopy(recorded)
    for comment in later.comments:
        if comment.id == edited:
            comment.text = "Edit: thanks for the replies. " + comment.text
        if comment.id == gone:
            comment.text, comment.deleted = "", True
    from argmap.model import Comment
    later.comments.append(Comment(id="zz9", parent_id=later.id, text="", deleted=True))

    after, _graph = refresh(snapshot_of_analysis(before), later, settings=fresh_settings)

    report = after.changes
    assert report["comments"]["edited"] == [edited] and report["comments"]["deleted"] == [gone]
    assert report["comments"]["new"] == []
    assert all(c["comment_id"] == edited for c in report["new_claims"])  # only the added sentence, if a claim
    assert not any(e["target"] == answered or e["source"] == answered for e in report["new_disputes"]
                   if e["relation"] == "rebuts" and e.get("reply_id") != edited)
    old_texts = {c.text for c in before.claims if c.comment_id == edited}
    assert not any(c["text"] in old_texts for c in report["new_claims"])
    assert all(s["reply_id"] != gone for s in report["changed_stances"])


def test_a_thread_that_grows_past_careful_reading_keeps_its_stance_judge(recorded, fresh_settings):
    """``auto`` reads a small thread with the cross-encoder; once it has grown past the limit an
    update keeps that judge (from the stored analysis or the JSON export), so the change report
    lists stances that changed, not a change of judge. A fresh analysis of the grown thread reads fast."""
    early, late_ids = split_in_time(recorded)
    limit = math.ceil(careful_load(early))
    assert careful_load(recorded) > limit
    settings = fresh_settings.replace(relation_method="auto", careful_max_replies=limit)
    first, first_graph = analyze_thread(copy.deepcopy(early), settings=settings)
    assert first.stats["stance_method"] == "cross"
    for previous in (snapshot_of_analysis(first, version=1), snapshot_of_export(export_dict(first, first_graph))):
        assert previous.stance_method == "cross"
        second, _ = refresh(previous, copy.deepcopy(recorded), settings=settings)
        assert second.stats["stance_method"] == "cross"
        assert second.changes["comments"]["new"] == late_ids
    fresh, _ = analyze_thread(copy.deepcopy(recorded), settings=settings)
    assert fresh.stats["stance_method"] == "model"


def test_an_update_read_by_a_newer_stance_judge_says_so(recorded, fresh_settings, tmp_path):
    """Each version records its judge's fingerprint; an update read by another one (a retrained
    or recalibrated model) flags its report, so its changed stances are not all taken for the
    thread's."""
    import shutil

    from argmap.live import describe

    early, _late = split_in_time(recorded)
    first, first_graph = analyze_thread(copy.deepcopy(early), settings=fresh_settings)
    judge = first.stats["stance_judge"]
    assert judge and len(judge) == 12
    same, _ = refresh(snapshot_of_export(export_dict(first, first_graph)), copy.deepcopy(recorded),
                      settings=fresh_settings)
    assert same.stats["stance_judge"] == judge and same.changes["judge_changed"] is False
    assert "newer stance judge" not in describe(same.changes)

    models = tmp_path / "models"  # the same models with the head's calibration file touched
    shutil.copytree(fresh_settings.models_folder, models)
    config = json.loads((models / "stance" / "config.json").read_text())
    (models / "stance" / "config.json").write_text(json.dumps({**config, "retrained": "yes"}))
    newer = fresh_settings.replace(models_path=str(models), relation_method=first.stats["stance_method"])
    other, _ = refresh(snapshot_of_analysis(first, version=1), copy.deepcopy(recorded), settings=newer)
    assert other.stats["stance_judge"] != judge
    assert other.changes["judge_changed"] is True
    assert "newer stance judge" in describe(other.changes)


def test_a_grown_paste_is_told_it_is_another_text(tmp_path):
    from tests.conftest import SAMPLE_TEXT

    sample_text_lines = SAMPLE_TEXT.read_text(encoding="utf-8").splitlines()
    (tmp_path / "short.txt").write_text("\n".join(sample_text_lines[:6]) + "\n", encoding="utf-8")
    (tmp_path / "long.txt").write_text("\n".join(sample_text_lines) + "\n", encoding="utf-8")
    first = argmap("analyze", str(tmp_path / "short.txt"), "-q", "-o", str(tmp_path / "v1.json"))
    assert first.returncode == 0, first.stderr.decode()
    result = argmap("analyze", str(tmp_path / "long.txt"), "-q", "--update-from", str(tmp_path / "v1.json"))
    assert "a pasted text is named by its words" in one_error_line(result)
