"""Whole analyses kept in the instance cache: read back for the same thread, recomputed for a changed one."""

from dataclasses import replace

import pytest

from argmap import pipeline, result_cache
from argmap.cache import cache_for
from argmap.claims import extraction
from argmap.model import Comment, Thread

pytestmark = pytest.mark.slow

THREAD = Thread(source="text", id="t", title="Nuclear power is the safest source of energy we have.", comments=[
    Comment("a", "t", "No. Coal kills far more people per terawatt hour than nuclear ever did."),
    Comment("b", "a", "Exactly, and solar is safer than both of them."),
])


def _fingerprint(analysis):
    return ([(c.id, c.start, c.end) for c in analysis.claims],
            sorted((r.source, r.target, r.relation, r.confidence) for r in analysis.relations))


def test_the_same_thread_is_read_back_and_a_changed_one_recomputed(tmp_path, settings, monkeypatch):
    cache = cache_for(str(tmp_path))
    first, first_graph = pipeline.analyze_thread(THREAD, settings=settings, cache=cache)
    assert "kept" not in first.timings

    calls = []
    real = extraction.extract_units
    monkeypatch.setattr(extraction, "extract_units", lambda *a, **k: calls.append(1) or real(*a, **k))
    again, again_graph = pipeline.analyze_thread(THREAD, settings=settings, cache=cache)
    assert calls == [], "nothing was recomputed"
    assert "kept" in again.timings
    assert first.stats["texts_parsed"] > 0 and again.stats["texts_parsed"] == again.stats["texts_encoded"] == 0
    assert _fingerprint(again) == _fingerprint(first)
    assert sorted(again_graph.nodes) == sorted(first_graph.nodes)
    assert dict(again_graph.nodes(data=True)) == dict(first_graph.nodes(data=True))

    grown = replace(THREAD, comments=THREAD.comments + [Comment("c", "b", "Solar farms need a lot of land.")])
    bigger, _ = pipeline.analyze_thread(grown, settings=settings, cache=cache)
    assert calls, "a new comment makes a new key: the thread is analysed"
    assert {c.comment_id for c in bigger.claims} >= {"a", "b", "c"}
    assert "kept" not in bigger.timings


def test_a_different_threshold_or_an_unreadable_entry_is_recomputed(tmp_path, settings):
    cache = cache_for(str(tmp_path))
    pipeline.analyze_thread(THREAD, settings=settings, cache=cache, threshold=0.4)
    other, _ = pipeline.analyze_thread(THREAD, settings=settings, cache=cache, threshold=0.9)
    assert "kept" not in other.timings
    key = result_cache.result_key(THREAD, settings, 0.4)
    cache.put_many(result_cache.NAMESPACE, {key: b"not zlib"})
    assert result_cache.load_result(cache, key) is None
    recomputed, _ = pipeline.analyze_thread(THREAD, settings=settings, cache=cache, threshold=0.4)
    assert "kept" not in recomputed.timings
    assert result_cache.load_result(cache, key) is not None, "the good result replaced the bad entry"


def test_the_key_follows_code_and_models(tmp_path, settings, monkeypatch):
    before = result_cache.result_key(THREAD, settings, None)
    monkeypatch.setattr(result_cache, "code_and_models_digest", lambda folder: "another build")
    assert result_cache.result_key(THREAD, settings, None) != before
