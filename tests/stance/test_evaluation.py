"""The stance evaluation's own arithmetic: drawn edges as the map draws them, and the plot."""

from __future__ import annotations

import numpy as np
import pytest

from argmap.evaluation import stance as ev
from argmap.training import stance as training


def _synthetic(rng, n=200):
    labels = rng.integers(0, 3, n)
    logits = rng.normal(0, 1, (n, 3))
    logits[np.arange(n), labels] += 1.5
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    top_level = rng.random(n) < 0.25
    return labels, proba, top_level


def test_replies_to_the_post_are_left_out_as_the_map_leaves_them_out():
    labels, proba, top_level = _synthetic(np.random.default_rng(1))
    numbers = ev.stance_numbers(labels, proba, 0.4, top_level, None)
    nested = ev.drawn_edges(labels[~top_level], proba[~top_level], 0.4)
    assert numbers["edges"]["drawn"] == nested["drawn"]  # none drawn for the post's replies
    assert numbers["edges_all_replies"]["drawn"] > numbers["edges"]["drawn"]
    same = ev.stance_numbers(labels, proba, 0.4, top_level, 0.4)
    assert same["edges"] == {**same["edges_all_replies"], "top_level_threshold": 0.4}
    # a top-level threshold below the asked one is lifted to it: never more edges to the post
    assert ev.stance_numbers(labels, proba, 0.6, top_level, 0.4)["edges"]["drawn"] == \
        ev.stance_numbers(labels, proba, 0.6, top_level, 0.6)["edges"]["drawn"]
    table = ev.edge_table_as_drawn(labels, proba, top_level, None)
    at = next(r for r in table if r["threshold"] == 0.4)
    assert (at["drawn"], at["precision"]) == (numbers["edges"]["drawn"], numbers["edges"]["precision"])
    assert [r["drawn"] for r in table] == sorted((r["drawn"] for r in table), reverse=True)


def test_the_plot_draws_both_judges(tmp_path):
    pytest.importorskip("matplotlib")
    rng = np.random.default_rng(2)
    labels, proba, top_level = _synthetic(rng)
    report = {"shipped": ev.stance_numbers(labels, proba, 0.56, top_level, None),
              "ece": training.expected_calibration_error(labels, proba),
              "reliability": training.reliability(labels, proba),
              "edge_thresholds": ev.edge_table_as_drawn(labels, proba, top_level, None),
              "every_reply_disagrees_precision": float((labels == 1).mean())}
    report["cross_encoder"] = {**ev.stance_numbers(labels, proba, 0.42, top_level, None),
                               "ece": report["ece"], "reliability": report["reliability"],
                               "edge_thresholds": report["edge_thresholds"]}
    path = tmp_path / "reliability.png"
    ev.plot(report, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
