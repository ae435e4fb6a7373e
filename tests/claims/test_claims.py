"""Claim extraction on small hand-written comments: what is kept, what is dropped, attributes."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from argmap.claims.extraction import extract_claims
from argmap.claims.lexicon import KINDS
from argmap.model import Claim, Comment, Thread

pytestmark = pytest.mark.slow


def kinds(units):
    return [(u.kind, u.text) for u in units]


def claims(units):
    return [u.text for u in units if u.kind == "claim"]


def test_offsets_are_exact_and_kinds_known(units_of):
    text = "  Hi all!\n\n> quoted words here\nThe tax is regressive; it hurts the poor most.\n\n    code = 1\n-- bob"
    units = units_of(text)
    for unit in units:
        assert text[unit.start:unit.end] == unit.text
        assert unit.kind in KINDS
        assert isinstance(unit, Claim) == (unit.kind == "claim")  # non-claims are Units, with no score


@pytest.mark.parametrize("text", [
    "Why would anyone build that?",
    "Is it untrue, an exaggeration, or simply an observation they don't like to see.",
    "Why would anyone build that.",
    "Does the state pay for this.",
    "Don't you think the plan is too expensive?",
    "I wonder whether the law will survive the courts.",
    "I also wonder why some figures are fact checked and others are not.",
    "Can someone explain why the bill failed.",
    "Instead of caching everything, why don't you write the results to disk.",
])
def test_questions_are_not_claims(units_of, text):
    units = units_of(text)
    assert [u.kind for u in units] == ["question"]


@pytest.mark.parametrize("text", [
    "Do not buy the extended warranty.",
    "What he said about the budget is true.",
    "Had a couple of those outages myself during our migration.",
    "The reply was basically \"why bother?\"",
    "It's a tax on the poor, isn't it?",
    "When I was young, nobody locked their doors.",
])
def test_statements_that_look_like_questions_are_claims(units_of, text):
    assert [u.kind for u in units_of(text)] == ["claim"]


def test_self_answered_question_is_one_claim(units_of):
    units = units_of("Is it easy to find common ground? Of course not.")
    assert kinds(units) == [("claim", "Is it easy to find common ground? Of course not.")]


@pytest.mark.parametrize("text, kind", [
    ("Thanks!", "greeting"),
    ("Thank you for the detailed explanation of the outage.", "greeting"),
    ("Hi everyone.", "greeting"),
    ("This.", "greeting"),
    ("+1", "greeting"),
    ("I agree.", "greeting"),
    ("Edit: typo", "meta"),
    ("EDIT: thanks for the gold, kind stranger!", "meta"),
    ("Why the downvotes?", "meta"),
    ("I'm getting downvoted for stating facts.", "meta"),
    ("This comment was removed by the moderators.", "meta"),
    ("[deleted]", "meta"),
    ("https://example.com/report.pdf", "link"),
    ("Source: https://example.com/report.pdf", "link"),
    ("[the report](https://example.com/report.pdf)", "link"),
    ("-- Bob", "signature"),
    ("Please say yes.", "other"),
    ("---", "other"),
    # condolences in reddit/graw_thread_self.json: kindness, not points (they were "restating" each other)
    ("I'm so sorry for your loss.", "greeting"),
    ("I am so sorry for you loss, my friend.", "greeting"),
    ("im sorry for your loss as well.", "greeting"),
    ("I’m sorry to hear of your loss.", "greeting"),
    ("My deepest condolences to you and your family.", "greeting"),
    ("Rest in peace, Ellen.", "greeting"),
    ("My thoughts and prayers are with you.", "greeting"),
    # well-wishes and sympathy (r/CovidVaccinated conversations in ../shared/datasets/subreddit_agreement:
    # they "restated" each other across threads)
    ("I hope you feel better soon.", "greeting"),
    ("I hope you’re feeling better !!!", "greeting"),
    ("I hope things work out for you!", "greeting"),
    ("I'm sorry to hear about your bad experience.", "greeting"),
    ("I’m so sorry you’re going through this.", "greeting"),
    ("Get well soon!", "greeting"),
    ("I hope your mom feels better soon.", "greeting"),
    ("Sorry you went through that.", "greeting"),
    ("I hope you have a speedy recovery.", "greeting"),
    ("I’m so sorry!", "greeting"),
    ("Hang in there!", "greeting"),
    ("I’m in the same boat.", "greeting"),
    ("I completely agree!", "greeting"),
    ("I second this.", "greeting"),
    ("I See what you did there!", "other"),
])
def test_non_claims_are_dropped(units_of, text, kind):
    units = units_of(text)
    assert [u.kind for u in units] == [kind]
    assert not claims(units)


@pytest.mark.parametrize("text", [
    "Thoughts and prayers won't fix gun violence.",
    "Thoughts and prayers do nothing.",
    "Hugs release oxytocin in the brain.",
    "Sorry for the loss, the team played badly.",
    "Rip out the old engine before winter.",
    "The company is sorry for the loss of customer data.",
    "I hope you realize the vaccine is safe.",
    "I hope you understand that universal healthcare would save money.",
    "I hope you're well aware that vaccines don't cause autism.",
    "I hope you're ok with paying higher taxes then.",
    "I hope it goes well for the Tories in the next election.",
    "I hope it is safe for kids.",
    "I'm sorry you're wrong about the side effects.",
    "I completely agree with the court on this.",
])
def test_condolence_words_inside_an_argument_stay_a_claim(units_of, text):
    assert claims(units_of(text)) == [text]


def test_a_condolence_before_but_is_dropped_and_the_argument_kept(units_of):
    units = units_of("I'm sorry for your loss, but the hospital was clearly negligent and you should sue them.")
    assert claims(units) == ["the hospital was clearly negligent and you should sue them."]
    assert [u.kind for u in units] == ["greeting", "claim"]


def test_a_well_wish_before_but_is_dropped_and_the_argument_kept(units_of):
    units = units_of("I hope you feel better soon, but the vaccine did not cause your rash.")
    assert claims(units) == ["the vaccine did not cause your rash."]


def test_edit_note_that_asserts_is_a_claim_after_its_prefix(units_of):
    units = units_of("Edit: the law passed in 2019 with a large majority.")
    assert claims(units) == ["the law passed in 2019 with a large majority."]


def test_quote_lines_are_not_claims_but_mark_the_reply(nlp):
    thread = Thread(source="text", id="t", comments=[
        Comment(id="a", parent_id="t", text="Nuclear power is the safest source of energy per kWh."),
        Comment(id="b", parent_id="a", text="> Nuclear power is the safest source\n> of energy per kWh.\n\n"
                                            "That ignores the cost of storing the waste for centuries."),
    ])
    found = extract_claims(thread, nlp=nlp)
    reply = [c for c in found if c.comment_id == "b"]
    assert [c.text for c in reply] == ["That ignores the cost of storing the waste for centuries."]
    assert reply[0].quote_of == "a:0"
    assert reply[0].quoted_text == "Nuclear power is the safest source of energy per kWh."


def test_code_lines_are_not_claims(units_of):
    text = "The loop never terminates because the counter is reset.\n\n    while True:\n        i = 0\n```\nrm -rf results *\n```"
    units = units_of(text)
    assert claims(units) == ["The loop never terminates because the counter is reset."]
    assert {u.kind for u in units} == {"claim", "code"}


def test_fragments_join_the_sentence_before(units_of):
    units = units_of("Most papers in the field come from China. The vast majority.\nNot all of them, though.")
    assert claims(units) == ["Most papers in the field come from China. The vast majority.\nNot all of them, though."]


def test_list_items_join_the_claim_they_finish(units_of):
    text = "The plan has three problems:\n- cost\n- speed\n- the lack of any oversight"
    units = units_of(text)
    assert kinds(units) == [("claim", text[:text.index("The") + len(text)])]


def test_fragment_after_a_question_stays_with_the_question(units_of):
    units = units_of("Who pays for all this? Not the rich, anyway.")
    assert [u.kind for u in units] == ["question"]


def test_elliptical_comment_is_a_low_score_claim(units_of):
    units = units_of("Most of the open source models on GitHub, too.")
    assert kinds(units) == [("claim", "Most of the open source models on GitHub, too.")]
    assert units[0].score < 0.5
    assert [u.kind for u in units_of("Great read.")] != ["claim"]


@pytest.mark.parametrize("text, parts", [
    ("TikTok hires many people in the US, but that is nowhere near the number in Beijing.",
     ["TikTok hires many people in the US", "that is nowhere near the number in Beijing."]),
    ("The tax is regressive; it hurts the poor the most.",
     ["The tax is regressive", "it hurts the poor the most."]),
    ("I tried it, but no.", ["I tried it, but no."]),
    ("He wanted to go but could not find the time.", ["He wanted to go but could not find the time."]),
])
def test_two_assertions_split_into_clauses(units_of, text, parts):
    assert claims(units_of(text)) == parts


def test_hedged_and_evidence_attributes(units_of):
    units = units_of(
        "I think the reform will probably fail in the senate.\n"
        "The bill passed with 62% of the vote.\n"
        "Nuclear plants are safer than coal plants [1].\n"
        "I visited the plant in 2019 and the staff were careful.\n"
        "Renewables are getting cheaper every single year.\n"
        "https://example.com/prices\n"
        "Voters simply do not care about this issue at all."
    )
    found = {u.text: u for u in units if u.kind == "claim"}
    assert found["I think the reform will probably fail in the senate."].hedged
    assert not found["The bill passed with 62% of the vote."].hedged
    assert found["The bill passed with 62% of the vote."].evidence
    assert found["Nuclear plants are safer than coal plants [1]."].evidence
    assert found["I visited the plant in 2019 and the staff were careful."].evidence
    assert found["Renewables are getting cheaper every single year."].evidence, "the link after it is evidence"
    plain = found["Voters simply do not care about this issue at all."]
    assert not plain.evidence and not plain.hedged
    assert [u.position for u in found.values()] == list(range(6))
    assert all(0.0 <= u.score <= 1.0 for u in found.values())


def test_a_clause_split_keeps_no_trailing_spaces(units_of):
    """spaCy keeps a run of spaces at a sentence's end as a token: the right half of "X; Y"
    ends at its last word (an example hypothesis found)."""
    text = "Thanks!\n\nI think we agree; the rest is noise.     code()Why?  \n"
    claims = [u for u in units_of(text) if u.kind == "claim"]
    assert [u.text for u in claims] == ["I think we agree", "the rest is noise."]
    assert all(text[u.start:u.end] == u.text for u in claims)


PIECES = ["The tax is regressive.", "Why?", "> quoted line", "    code()", "- item", "Thanks!", "Edit: typo",
          "https://example.com", "the vast majority.", "It works, but it is slow.", "Is it true.", "[1]", "--",
          "I think we agree; the rest is noise.", "\u201cquoted\u201d", "  ", "\t", "\r", "```", "Of course not.",
          "Most of the models on GitHub, too.", "é ü 中文 works here.", "?!", "..."]


@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=8),
       st.lists(st.sampled_from([" ", "\n", "\n\n", "  \n", ""]), min_size=8, max_size=8))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_offsets_are_exact_for_any_mix_of_lines(units_of, pieces, separators):
    text = "".join(piece + sep for piece, sep in zip(pieces, separators))
    if not text.strip():
        return
    units = units_of(text)
    for unit in units:
        assert text[unit.start:unit.end] == unit.text
        assert unit.text.strip() == unit.text and unit.text
    spans = sorted((u.start, u.end) for u in units)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:])), "units do not overlap"


def test_claims_about_voting_systems_are_kept(units_of):
    text = "It was a basic test of responsibility, similar to the 501-karma downvote requirement on the site."
    assert claims(units_of(text)) == [text]


def test_edit_note_about_the_comment_is_meta(units_of):
    assert [u.kind for u in units_of("Edit 2: It's been two years and the comment isn't even that good.")] == ["meta"]
    assert claims(units_of("Edit: nuts are good, I mean plain peanut butter with no other ingredients added.")) == \
        ["nuts are good, I mean plain peanut butter with no other ingredients added."]


def test_units_from_the_cache_equal_fresh_ones(tmp_path):
    """A re-analysis reads the parsed comments back from the cache, unchanged."""
    from argmap.cache import cache_for
    from argmap.claims.extraction import extract_units
    from argmap.sources.text import parse_text

    thread = parse_text("Most papers come from China. The vast majority.\n"
                        "> most papers come from china\nThat is not true; the US publishes more.\n"
                        "Why would anyone think that?\n")
    store = cache_for(str(tmp_path))
    fresh = extract_units(thread, cache=store)
    parsed = []
    cached = extract_units(thread, cache=store, progress=lambda *args: parsed.append(args))
    assert cached == fresh
    assert not any("lines" in message for _stage, _done, _total, message in parsed), "nothing parsed again"


def test_a_wall_of_text_without_line_breaks_is_read_in_pieces(nlp):
    # spaCy refuses a document of a million characters and its memory grows with length: a line
    # longer than MAX_LINE_CHARS is read in pieces cut after a sentence, offsets kept exact
    from argmap.claims.segmentation import MAX_LINE_CHARS

    sentences = [f"Bus lane number {i} cuts the commute for riders on that road." for i in range(400)]
    text = " ".join(sentences)
    assert len(text) > 4 * MAX_LINE_CHARS and "\n" not in text
    thread = Thread("text", "t", comments=[Comment("c1", "t", text)])
    claims = extract_claims(thread, nlp=nlp)
    assert all(text[c.start:c.end] == c.text for c in claims)
    covered = " ".join(c.text for c in claims)
    assert all(sentence in covered for sentence in sentences)  # every piece read (spaCy joins a few pairs)
    assert len(claims) > 300


def test_a_pastes_title_is_a_name_not_a_claim(nlp):
    # the title box of the page, a file's name: a paste of lines has no post, so its title says nothing
    title = "Remote work is clearly the future of office jobs"
    comments = [Comment("c1", "p", "Offices will be empty within ten years.")]
    pasted = extract_claims(Thread("text", "p", title=title, comments=comments), nlp=nlp)
    assert [c.text for c in pasted] == ["Offices will be empty within ten years."]
    posted = extract_claims(Thread("hn", "p", title=title, comments=comments), nlp=nlp)
    assert title in [c.text for c in posted]  # a real post's title is its thesis
