"""Pastes: copied HN / Reddit pages are split into their comments, and who answers whom is inferred."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from argmap.model import Comment, Thread, thread_from_dict, thread_to_dict
from argmap.sources.files import load_file
from argmap.sources.paste_formats import PageCues, detect, split_paste
from argmap.sources.reply_structure import MODEL_DIR, ROOT, cued_candidates
from argmap.sources.text import parse_text

from ..conftest import SAMPLE_TEXT

PASTES = Path(__file__).parent / "pastes"
needs_model = pytest.mark.skipif(not (MODEL_DIR / "weights.npz").exists(), reason="paste model not built")


def read(name: str) -> str:
    return (PASTES / name).read_text(encoding="utf-8")


def test_formats_are_recognised():
    assert detect(read("hn_page.txt")) == "hn"
    assert detect(read("reddit_old_page.txt")) == "reddit-old"
    assert detect(read("reddit_new_page.txt")) == "reddit-new"
    assert detect(read("reddit_shreddit_page.txt")) == "reddit-new"
    assert detect(SAMPLE_TEXT.read_text(encoding="utf-8")) == "lines"


def test_copied_hn_page():
    paste = split_paste(read("hn_page.txt"))
    assert paste.title == "Remote work is here to stay"
    assert paste.author == "lgarcia"
    assert [c.author for c in paste.comments] == ["mtorres", "kbauer", "mtorres", "dpatel", "yuki_n", "dpatel"]
    assert paste.comments[0].text == ("Remote work is here to stay because hiring is no longer limited to one city.\n\n"
                                      "Companies that insist on the office will lose their best people.")
    assert paste.comments[1].created_at == "4 hours ago"
    assert paste.comments[5].created_at == "2021-03-02"
    assert paste.comments[5].text == "It did, by every measure we track."
    everything = " ".join(c.text for c in paste.comments)
    assert "reply" not in everything and "Guidelines" not in everything and "[–]" not in everything


def test_copied_old_reddit_page():
    paste = split_paste(read("reddit_old_page.txt"))
    assert paste.title == "Should cities ban cars from downtown?"
    assert paste.author == "greenstreets"
    assert paste.text.startswith("Pedestrian zones keep spreading")
    assert [c.author for c in paste.comments] == ["transit_tom", "carguy88", "transit_tom", "quietlane", "greenstreets"]
    assert [c.score for c in paste.comments] == [58, 12, 20, 9, 4]
    assert paste.comments[1].text.startswith("That only works where there is decent public transport.")
    assert not any("permalink" in c.text for c in paste.comments)


def test_copied_new_reddit_pages():
    paste = split_paste(read("reddit_new_page.txt"))
    assert paste.title == "Is renting really throwing money away?"
    assert [c.author for c in paste.comments] == ["frugal_fran", "mortgage_mike", "frugal_fran", "landlord_lee"]
    assert [c.score for c in paste.comments] == [1400, 212, 180, 95]
    assert paste.comments[1].text == "But owners build equity every month, and a renter builds nothing."
    assert paste.comments[2].created_at == "7 hr. ago"
    current = split_paste(read("reddit_shreddit_page.txt"))
    assert [c.author for c in current.comments] == ["nerdy_ned", "labcoat_lu"]
    assert [c.score for c in current.comments] == [431, 87]
    assert current.title == "Study finds four-day week keeps productivity steady"
    assert not any(word in c.text for c in current.comments for word in ("Upvote", "Reply", "Share"))


def test_page_headers_give_tree_cues():
    hn = split_paste(read("hn_page.txt")).comments
    assert [(c.cues.depth_min, c.cues.depth_max, c.cues.has_prev) for c in hn] == [
        (0, 0, False), (1, 1, False), (2, None, False), (0, 0, True), (1, 1, False), (2, None, False)]
    old = split_paste(read("reddit_old_page.txt")).comments
    assert [(c.cues.depth_min, c.cues.depth_max) for c in old] == [(0, 0), (1, None), (1, None), (0, 0), (1, None)]
    new = split_paste(read("reddit_new_page.txt")).comments
    assert [(c.cues.depth_min, c.cues.depth_max) for c in new] == [(0, 0), (1, 1), (2, 2), (0, 0)]
    assert all(c.cues is None for c in split_paste(read("reddit_shreddit_page.txt")).comments)


def test_a_copy_without_header_links_has_no_cues():
    trimmed = re.sub(r"^(\w+ (?:\d+ \w+ ago|on \w+ \d+, \d{4})) \|.*$", r"\1", read("hn_page.txt"), flags=re.M)
    comments = split_paste(trimmed).comments
    assert len(comments) == 6 and all(c.cues is None for c in comments)
    no_siblings = read("hn_page.txt").replace(" | next [–]", "").replace(" | prev", "")
    comments = split_paste(no_siblings).comments
    assert [c.cues.depth_min for c in comments] == [0, 1, 2, 0, 1, 2]
    assert all(c.cues.has_prev is None for c in comments)


def test_cues_that_a_lost_comment_broke_are_relaxed():
    # 0 → 1, then a comment whose header says "deeper than a reply" with an earlier sibling:
    # no node on the path fits both, and none fits the depth alone, so the path is offered
    assert cued_candidates(2, [ROOT, 0], PageCues(3, None, True)) == [ROOT, 0, 1]
    # the sibling cue goes first: depth 2 fits only unit 1 (which has no child yet)
    assert cued_candidates(2, [ROOT, 0], PageCues(2, None, True)) == [1]
    assert cued_candidates(2, [ROOT, 0], PageCues(0, 0, False)) == [ROOT]


def test_without_inference_only_quotes_link():
    thread = parse_text(read("hn_page.txt"), infer=False)
    by_author = [(c.author, c.parent_id) for c in thread.comments]
    assert by_author[2] == ("mtorres", "c2")  # the quote of kbauer's comment
    assert all(parent == thread.id for i, (_, parent) in enumerate(by_author) if i != 2)
    assert not any(c.parent_inferred for c in thread.comments)


@needs_model
def test_copied_page_gets_inferred_parents():
    thread = parse_text(read("hn_page.txt"))
    assert thread.title == "Remote work is here to stay"
    parents = {c.id: c.parent_id for c in thread.comments}
    assert parents["c3"] == "c2"  # fixed by the quote
    assert all(c.parent_inferred and 0 < c.parent_confidence <= 1 for c in thread.comments)
    assert any("inferred" in note for note in thread.notes)
    assert parents["c1"] == thread.id


@needs_model
def test_header_cues_decide_the_tree_of_a_copied_page():
    hn = parse_text(read("hn_page.txt"))
    assert [c.parent_id for c in hn.comments] == [hn.id, "c1", "c2", hn.id, "c4", "c5"]
    assert all(c.parent_confidence == 1.0 for c in hn.comments)  # every link forced by the headers
    new = parse_text(read("reddit_new_page.txt"))
    assert [c.parent_id for c in new.comments] == [new.id, "c1", "c2", new.id]
    old = parse_text(read("reddit_old_page.txt"))
    parents = [c.parent_id for c in old.comments]
    assert parents[0] == parents[3] == old.id  # no "parent" action: top level
    assert parents[1] == "c1" and parents[4] == "c4"  # a reply straight after the only top-level candidate
    assert parents[2] in ("c1", "c2")


# The links a reader draws in the sample (comment ids are its lines, quotes joined to
# the line after them): (comment, acceptable parents).
SAMPLE_LINKS = [
    ("c2", {"c1"}),                      # "Most of the open source models on GitHub, too." continues line 1
    ("c3", {"c1", "c2"}),                # the models named: more of the same list
    ("c4", {"c1", "c2", "c3"}),          # "China is dominating at this field": the conclusion of 1-3
    ("c5", {"c1", "c2", "c3", "c4"}),    # papers from Chinese universities: answers the papers claim
    ("c6", {"c5", "c1"}),                # PhDs and author lists: answers the papers comment
    ("c7", {"c4"}),                      # quotes "that'll mean ... thin facade of product"
    ("c9", {"c8"}),                      # "You just described …" answers the quoted words (stand-in c8)
    ("c12", {"c11"}),                    # the Bellevue visit answers "R&D in the US is small"
    ("c13", {"c12"}),                    # the sanctions answer "these sanctions will not be effective"
]


@needs_model
def test_sample_thread_parents_a_reader_expects():
    thread = load_file(SAMPLE_TEXT)
    parents = {c.id: c.parent_id for c in thread.comments}
    right = [child for child, expected in SAMPLE_LINKS if parents[child] in expected]
    assert len(right) >= 7, f"only {right} of {[c for c, _ in SAMPLE_LINKS]} right: {parents}"
    assert all(c.parent_inferred for c in thread.comments if not c.quoted_only)  # stand-ins sit under the root


def test_inferred_parents_round_trip_in_canonical_json():
    thread = Thread(source="text", id="p", comments=[
        Comment(id="c1", parent_id="p", text="A."),
        Comment(id="c2", parent_id="c1", text="B.", parent_inferred=True, parent_confidence=0.62)])
    data = thread_to_dict(thread)
    assert "parent_inferred" not in data["comments"][0]
    assert data["comments"][1]["parent_inferred"] is True and data["comments"][1]["parent_confidence"] == 0.62
    again = thread_from_dict(data)
    assert again.comments[1].parent_inferred and again.comments[1].parent_confidence == 0.62
    assert not again.comments[0].parent_inferred


def test_exports_mark_edges_that_follow_an_inferred_link():
    import json

    from argmap.export.cytoscape import elements
    from argmap.analytics.graph import build_graph
    from argmap.model import Analysis, Claim, Relation

    thread = Thread(source="text", id="p", comments=[
        Comment(id="c1", parent_id="p", text="Remote work is here to stay.", parent_inferred=True,
                parent_confidence=0.9),
        Comment(id="c2", parent_id="c1", text="No, offices are coming back.", parent_inferred=True,
                parent_confidence=0.55)])
    claims = [Claim("c1:0", "c1", "Remote work is here to stay.", 0, 28),
              Claim("c2:0", "c2", "No, offices are coming back.", 0, 28)]
    graph = build_graph(Analysis(thread, claims, [Relation("c2:0", "c1:0", "rebuts", 0.8)]))
    edge = graph.edges["c2:0", "c1:0"]
    assert edge["inferred"] is True and edge["inferred_confidence"] == 0.55
    assert graph.nodes["c2:0"]["parent_inferred"] is True
    data = elements(graph)
    assert data["edges"][0]["data"]["inferred"] is True
    assert json.dumps(data)


def test_the_paste_model_is_read_from_the_settings_models_folder(tmp_path):
    from argmap.settings import Settings

    empty = Settings(models_path=tmp_path / "models", instance_path=tmp_path / "instance")
    thread = parse_text(read("hn_page.txt"), settings=empty)
    assert any("model not installed" in note for note in thread.notes)
    assert not any(c.parent_inferred for c in thread.comments)
    assert thread.comments[2].parent_id == "c2"  # the quote still links


@needs_model
def test_settings_infer_with_their_encoder_and_cache(tmp_path):
    import shutil

    from argmap.cache import cache_for
    from argmap.settings import Settings

    elsewhere = Settings(models_path=tmp_path / "models", instance_path=tmp_path / "instance")
    shutil.copytree(MODEL_DIR, elsewhere.models_folder / "paste_parents")
    thread = parse_text(read("hn_page.txt"), settings=elsewhere)
    assert all(c.parent_inferred for c in thread.comments)
    assert [c.parent_id for c in thread.comments] == [c.parent_id for c in parse_text(read("hn_page.txt")).comments]
    cache = cache_for(str(elsewhere.instance_folder))
    assert cache._db.execute("SELECT count(*) FROM blobs").fetchone()[0] > 0  # vectors kept in the instance cache


def test_checking_a_request_infers_nothing(monkeypatch):
    from argmap import jobs
    from argmap.sources import reply_structure

    calls = []
    monkeypatch.setattr(reply_structure, "infer_parents", lambda *a, **k: calls.append(a))
    jobs.check_item({"text": read("hn_page.txt")}, 100)
    assert calls == []  # the request thread does not embed the paste; the worker does
    jobs.source_of({"text": read("hn_page.txt")}, 100)
    assert len(calls) == 1


@needs_model
def test_a_recorded_hn_thread_copied_from_its_page_gets_its_tree_back(threads_dir):
    from argmap.evaluation.paste_pairs import kept_comments, render_hn_copy

    thread = load_file(threads_dir / "hn" / "hackernewsandroid_10939306_planet9.json")
    kept = kept_comments(thread)
    pasted = parse_text(render_hn_copy(thread))
    assert [c.author for c in pasted.comments] == [c.author for c in kept]
    original_of = {p.id: k.id for p, k in zip(pasted.comments, kept)}
    original_of[pasted.id] = thread.id
    kept_ids = {c.id for c in kept} | {thread.id}
    by_id = thread.comment_by_id()

    def kept_parent(comment):  # a deleted comment's replies hang off its nearest kept ancestor
        parent = comment.parent_id
        while parent not in kept_ids:
            parent = by_id[parent].parent_id
        return parent

    right = sum(original_of[p.parent_id] == kept_parent(k) for p, k in zip(pasted.comments, kept))
    assert right / len(kept) >= 0.9  # 0.973 measured; a copy of the page without its cues gets about 0.6
    forced = [p for p in pasted.comments if p.parent_confidence == 1.0]
    assert len(forced) >= len(kept) // 2  # most links are fixed by the header links alone


def test_a_recorded_thread_flattened_one_comment_per_line_reads_back_comment_for_comment(threads_dir):
    """The paste evaluation's "one comment per line" rendering (the sample thread's format):
    every kept comment is one pasted comment with all its words, in page order."""
    from argmap.evaluation.paste_pairs import pasted_origin, render_comment_lines
    from argmap.sources.text import quote_text

    thread = load_file(threads_dir / "reddit" / "praw_yjk55.json")
    text, ids = render_comment_lines(thread)
    pasted = parse_text(text, infer=False)
    origin = pasted_origin(pasted, ids)  # raises unless one pasted comment per rendered one
    by_id = thread.comment_by_id()
    assert len(origin) == len(ids) >= 100
    for comment in pasted.comments:
        if comment.quoted_only:
            continue
        recorded = by_id[origin[comment.id]]
        *quotes, body = comment.text.split("\n")  # its opening quotes, then the comment on one line
        assert all(quote_text(line) is not None for line in quotes)
        assert body.split()[-1] in recorded.text  # the comment's last words came along


# Shapes of real copies a review found argmap misread (each a few lines of a page).
OLD_REDDIT_RUN_TOGETHER = """ELI5: Why aren't spaces allowed in URLs?
submitted 9 hours ago* by curious_kit
[–]Lavos_Spawn 440 points 9 hours ago
To keep it simple: a space ends the address in most protocols.
permalinkembedsavereportgive awardreply
[–]Schnutzel 120 points 8 hours ago
Note that HTTP is a text based protocol that splits its request line on spaces.
permalinkembedsaveparentreportgive awardreply
[–]AutoModerator[M] 1 point 9 hours ago - stickied comment
Please read the rules before you comment.
permalinkembedsavereportgive awardreply
[+][deleted] 2 years ago (1 child)
about
blog
help
© 2024 reddit inc. All rights reserved.
"""


def test_an_old_reddit_copy_whose_links_run_together():
    paste = split_paste(OLD_REDDIT_RUN_TOGETHER)
    assert paste.kind == "reddit-old" and paste.author == "curious_kit"
    assert paste.title == "ELI5: Why aren't spaces allowed in URLs?"
    assert [c.author for c in paste.comments] == ["Lavos_Spawn", "Schnutzel", "AutoModerator"]
    assert [c.cues.depth_min for c in paste.comments] == [0, 1, 0]  # "…saveparent…" is a reply's
    assert not any("reserved" in c.text or "blog" in c.text for c in paste.comments)  # the footer is no comment


def test_hn_flagged_comments_and_prose_with_times():
    page = ("Ask HN: Are bootcamps worth it?\n12 points by career_switch 3 hours ago | hide | past | 9 comments\n"
            "senior_sam 2 hours ago | next [–]\nNot in this market.\nreply\n"
            "troll_42 2 hours ago [flagged] | parent | next [–]\nBootcamps are a scam.\n"
            "mellow_mia 1 hour ago | parent | next [–]\nThe numbers back senior_sam.\nreply\n")
    paste = split_paste(page)
    assert [c.author for c in paste.comments] == ["senior_sam", "troll_42", "mellow_mia"]
    assert paste.comments[2].text == "The numbers back senior_sam."
    liveblog = ("Live: the council votes on the bike lanes\nUpdated 2 hours ago\nThe council voted 7-4 for the plan.\n"
                "Posted 3 hours ago\nDebate has opened on the second phase.\n")
    assert detect(liveblog) == "lines"


def test_new_reddit_badges_and_short_times():
    page = ("r/science\nStudy finds four-day week keeps productivity steady\n"
            "nerdy_ned\nTop 1% Commenter\n·\n5h ago\nThe sample was only volunteers.\nReply\nShare\n"
            "labcoat_lu\n·\n4h ago\nThe follow-up assigned firms too.\nReply\n"
            "econ_emma\nVerified\n·\n3h ago\nTwelve assigned firms are too few.\nReply\n")
    assert [c.author for c in split_paste(page).comments] == ["nerdy_ned", "labcoat_lu", "econ_emma"]
    short = "pc_newbie_07 · 6h\nIs 16GB enough?\nReply\nframe_chaser · 5h\n32GB, games use more.\nReply\n"
    assert [c.author for c in split_paste(short).comments] == ["pc_newbie_07", "frame_chaser"]


def test_a_paste_that_opens_with_a_bracket_is_text_not_broken_json():
    from argmap.sources.files import parse_content

    chat = "[10:32] alice: Ship on Friday, the tests pass.\n[10:33] bob: Friday deploys are a bad idea.\n"
    assert len(parse_content(chat.encode(), name="chat.txt").comments) == 2
    old = OLD_REDDIT_RUN_TOGETHER.split("\n", 2)[2]  # a copy that starts at the first comment
    assert [c.author for c in parse_content(old.encode(), name="copy.txt").comments][:2] == ["Lavos_Spawn", "Schnutzel"]


def test_copyright_lines_in_comments_stay_and_pipes_cannot_stall_the_reader():
    """Only a Reddit page's own footer is cut: a comment quoting a licence keeps it. A line of
    spaced pipes once made the HN noise pattern backtrack for minutes (a 159-byte paste)."""
    import time

    hn = ("alice 2 hours ago | next [–]\nWhich licence is it?\nreply\n"
          "bob 1 hour ago | parent | next [–]\nThe licence on that repo:\n"
          "Copyright © 2019 Foo Corp, all rights reserved\nSo it is not open source.\n"
          "carol 1 hour ago | parent | next [–]\nI took that photo and it says © 2019 Reuters, which is absurd.\n")
    texts = [c.text for c in split_paste(hn).comments]
    assert "all rights reserved" in texts[1] and "not open source" in texts[1] and "Reuters" in texts[2]
    reddit = ("alice\n·\n3h ago\nCats or dogs?\nReply\nbob\n·\n2h ago\nDogs, no contest\nReply\nShare\n"
              "Reddit Rules\nPrivacy Policy\nUser Agreement\nReddit, Inc. © 2024. All rights reserved.\n")
    assert [c.text for c in split_paste(reddit).comments] == ["Cats or dogs?", "Dogs, no contest"]
    started = time.perf_counter()
    split_paste("alice 2 hours ago | next [–]\nhi\nbob 1 hour ago | parent | next [–]\n"
                + ("a" + " " * 8 + "|" + " " * 8) * 6 + "!\n" + "[–] carl" + " " * 400 + "x\n")
    assert time.perf_counter() - started < 1.0


def test_a_malformed_json_file_is_still_called_json():
    from argmap.errors import ArgmapError
    from argmap.sources.files import parse_content

    with pytest.raises(ArgmapError, match="looks like JSON but is malformed"):
        parse_content(b"[{'kind': 'Listing', 'data': {'children': []}}]", name="listing.txt")
    with pytest.raises(ArgmapError, match="looks like JSON but is malformed"):
        parse_content(b"[tomorrow: not json]", name="thread.json")


def test_a_copied_page_gets_back_the_quote_marks_it_lost_and_marks_deleted_comments():
    page = ("alice\n·\n3h ago\nRemote work is better because nobody has to commute any more.\nReply\n"
            "bob\n·\n2h ago\nRemote work is better because nobody has to commute any more.\n\n"
            "No, teams lose contact when nobody meets.\nReply\n"
            "carol\n·\n1h ago\n[removed]\nReply\n")
    thread = parse_text(page, infer=False)
    alice, bob, carol = thread.comments
    assert bob.text.startswith("> Remote work is better") and bob.parent_id == alice.id  # the quote says whom he answers
    assert carol.deleted and carol.text == ""


def test_a_copy_that_starts_mid_thread_counts_depths_from_its_first_comment():
    page = ("level 3\ndeep_dan\n·\n5h ago\nThat study only covered one city.\nReply\n"
            "level 2\nmid_mo\n·\n4h ago\nThe council report says the same for five cities.\nReply\n")
    paste = split_paste(page)
    assert [c.cues.depth_min for c in paste.comments] == [0, 0]  # no reply may hang under a deeper comment


def test_an_unmarked_quote_needs_another_author_and_whole_words():
    page = ("alice\n·\n3h ago\nI do not think remote work is good for junior engineers at all.\nReply\n"
            "bob\n·\n2h ago\nJuniors learn by sitting next to seniors.\nReply\n"
            "alice\n·\n1h ago\nI do not think remote work is good for junior engineers at all.\n\n"
            "Bob, mentoring over video works badly.\nReply\n")
    thread = parse_text(page, infer=False)
    assert not thread.comments[2].text.startswith(">")  # alice repeating herself is her own claim, not a quote


def test_an_hn_copy_that_starts_at_a_reply_keeps_only_what_holds():
    page = ("alice 3 hours ago | root | parent | next [–]\nThat study only covered one city.\nreply\n"
            "bob 2 hours ago | parent | prev | next [–]\nThe council report covers five.\nreply\n"
            "carol 1 hour ago | prev | next [–]\nRemote work is great for most teams.\nreply\n")
    cues = [c.cues for c in split_paste(page).comments]
    assert (cues[0].depth_min, cues[1].depth_min) == (None, None)  # replies: their depth in the paste is unknown
    assert (cues[2].depth_min, cues[2].depth_max) == (0, 0)  # a header without "parent" is top level anywhere
    assert cues[1].has_prev is True
