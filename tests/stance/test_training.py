"""The stance model's training script and its calibration: a tiny real run, and each fitting step."""

from __future__ import annotations

import json

import numpy as np
import pytest

from argmap.relations import stance as sm
from argmap.training import stance as st
from argmap.training.stance_data import DATASETS


def _logits(labels: np.ndarray, strength: float, rng) -> np.ndarray:
    """Noisy scores that favour the true class by ``strength`` (scaled below or above 1)."""
    logits = rng.normal(size=(len(labels), 3))
    logits[np.arange(len(labels)), labels] += 1.5
    return logits * strength


def test_temperature_undoes_over_and_under_confidence():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 3000)
    base = _logits(labels, 1.0, rng)
    for strength, side in ((3.0, "over"), (0.4, "under")):
        raw = sm.softmax(base * strength)
        temperature = st.choose_temperature(labels, raw, np.zeros(3))
        assert (temperature > 1.5) if side == "over" else (temperature < 0.7), (side, temperature)
        calibrated = sm.calibrate(raw, np.zeros(3), temperature)
        assert st.nll(labels, calibrated) < st.nll(labels, raw)
        assert st.expected_calibration_error(labels, calibrated) < st.expected_calibration_error(labels, raw)
        # a temperature never changes which stance wins
        assert (calibrated.argmax(1) == raw.argmax(1)).all()


def test_offsets_recover_a_class_the_raw_scores_starve():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, 3000)
    logits = _logits(labels, 1.0, rng)
    logits[:, 0] -= 2.0  # "agree" almost never wins before the offsets
    raw = sm.softmax(logits)
    offsets = st.choose_offsets(labels, raw)
    assert offsets[1] == 0.0 and offsets[0] > 1.0
    shifted = sm.calibrate(raw, offsets, 1.0)
    assert st.macro_f1(labels, shifted.argmax(1)) > st.macro_f1(labels, raw.argmax(1)) + 0.1


def test_threshold_is_the_lowest_that_reaches_the_precision():
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 3, 2000)
    probabilities = sm.softmax(_logits(labels, 1.5, rng))
    table = st.edge_table(labels, probabilities)
    threshold = st.choose_threshold(labels, probabilities, target=0.8)
    reached = [row for row in table if row["precision"] >= 0.8 and row["drawn"] >= 20]
    assert reached and threshold == reached[0]["threshold"]
    assert all(row["precision"] < 0.8 or row["drawn"] < 20 for row in table if row["threshold"] < threshold)
    # recall only falls as the threshold rises
    recalls = [row["recall"] for row in table]
    assert recalls == sorted(recalls, reverse=True)


def test_reliability_bins_count_every_prediction():
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 3, 500)
    probabilities = sm.softmax(_logits(labels, 1.0, rng))
    bins = st.reliability(labels, probabilities)
    assert sum(b["n"] for b in bins) == 500
    assert all(0 <= b["accuracy"] <= 1 and b["bin"] <= b["confidence"] < b["bin"] + 0.1 for b in bins)


@pytest.mark.slow
def test_a_tiny_training_run_writes_a_model_the_pipeline_loads(tmp_path):
    if not (DATASETS / "debagreement" / "dev.csv").exists():
        pytest.skip("../shared/datasets is not beside the repo")
    out = tmp_path / "stance"
    metrics = st.train(out=out, cache_path=tmp_path / "vectors.sqlite", limit=120, log=lambda line: None)
    assert {"weights.npz", "vocabulary.json", "config.json", "metrics.json"} <= {p.name for p in out.iterdir()}
    assert json.loads((out / "metrics.json").read_text()) == json.loads(json.dumps(metrics))
    dev = metrics["dev_cross_validated"]
    assert dev["n"] == 120 and 0 <= dev["macro_f1"] <= 1  # every sampled dev pair was scored out of fold
    assert metrics["trained_on"]["in_domain_dev"] == 120
    assert 0.34 <= metrics["threshold"] <= 0.95 and metrics["temperature"] > 0

    model = sm.load(out)
    items = [sm.StanceInput(parent="Rust's borrow checker prevents data races at compile time.",
                            reply="Exactly, and it catches use-after-free too."),
             sm.StanceInput(parent="Python is the fastest language for numeric code.",
                            reply="No, that's wrong: pure Python loops are far slower than C.")]
    probabilities = model.predict_proba(items)
    assert probabilities.shape == (2, 3)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
