"""The cross-encoder stance option (``ARGMAP_RELATION_METHOD=cross``): the shipped int8 ONNX model,
its calibration, the pipeline reading it, and the export step of its training script."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from argmap.errors import ArgmapError
from argmap.relations import cross_stance
from argmap.relations.stance import STANCES, StanceInput, stance_judge

PAIRS = [
    StanceInput(parent="Nuclear power is the safest energy source per unit of energy produced.",
                reply="Exactly, well said. I agree completely."),
    StanceInput(parent="Nuclear power is the safest energy source per unit of energy produced.",
                reply="No, that's just wrong. Chernobyl and Fukushima displaced hundreds of thousands of people."),
    StanceInput(parent="Nuclear power is the safest energy source per unit of energy produced.",
                reply="Does anyone know a good book on the history of reactor design?"),
]


def test_the_shipped_model_is_complete_and_calibrated():
    folder = cross_stance.MODEL_DIR
    config = json.loads((folder / "config.json").read_text())
    assert config["stances"] == list(STANCES)
    assert config["temperature"] > 0 and len(config["offsets"]) == 3
    assert 0.34 <= config["threshold"] <= 0.95
    assert config["dev_cross_validated"]["n"] >= 2000  # calibrated on out-of-fold dev pairs
    assert (folder / cross_stance.ONNX_FILE).stat().st_size < 30 * 1024 * 1024  # int8, fits the repo


def test_cross_judge_reads_stance_from_the_pair():
    judge = stance_judge("cross")
    probabilities = judge(PAIRS)
    assert probabilities.shape == (3, 3)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert [STANCES[i] for i in probabilities.argmax(axis=1)] == ["agree", "disagree", "neither"]
    model = cross_stance.shipped_model()
    assert judge.threshold == pytest.approx(model.blend_threshold if judge.blended else model.threshold)
    assert judge([]).shape == (0, 3)


def test_the_careful_judge_blends_the_cross_encoder_with_the_head():
    """The shipped config has a fitted blend: the judge is the log-linear mix of both models'
    raw probabilities, calibrated with the blend's own offsets and temperature."""
    from argmap.relations import stance
    from argmap.relations.stance import calibrate, embed_inputs

    model = cross_stance.shipped_model()
    assert 0 < model.head_weight < 1
    judge = stance_judge("cross")
    assert judge.blended and judge.threshold == pytest.approx(model.blend_threshold)
    head = stance.shipped_model()
    cross_raw = model.raw_proba([(p.parent, p.reply) for p in PAIRS])
    head_raw = head.raw_proba(head.features(PAIRS, *embed_inputs(PAIRS)))
    expected = calibrate(cross_stance.blend(cross_raw, head_raw, model.head_weight), model.blend_offsets,
                         model.blend_temperature)
    assert np.allclose(judge(PAIRS), expected, atol=1e-5)
    # weight 0 is the cross-encoder, weight 1 the head
    assert np.allclose(cross_stance.blend(cross_raw, head_raw, 0.0), cross_raw, atol=1e-5)
    assert np.allclose(cross_stance.blend(cross_raw, head_raw, 1.0), head_raw, atol=1e-5)


def test_without_a_head_the_cross_encoder_judges_alone(tmp_path):
    judge = cross_stance.cross_judge(head_folder=tmp_path / "no-head-here")
    model = cross_stance.shipped_model()
    assert not judge.blended and judge.threshold == pytest.approx(model.threshold)
    assert np.allclose(judge(PAIRS), model.predict_proba(PAIRS))


def test_batching_and_order_do_not_change_a_pair_s_probabilities():
    model = cross_stance.shipped_model()
    alone = np.vstack([model.predict_proba([pair]) for pair in PAIRS])
    together = model.predict_proba(list(reversed(PAIRS)) * 7)[:3][::-1]
    assert np.allclose(alone, together, atol=1e-4)


def test_a_pair_read_before_is_read_from_the_cache(monkeypatch):
    from argmap.cache import memory_cache

    model = cross_stance.shipped_model()
    cache, pairs = memory_cache(), [(p.parent, p.reply) for p in PAIRS]
    fresh = model.raw_proba(pairs)
    assert np.array_equal(model.cached_raw_proba(pairs + pairs[:1], cache), np.vstack([fresh, fresh[:1]]))
    read = []
    monkeypatch.setattr(cross_stance.CrossStanceModel, "raw_proba",
                        lambda self, some: read.append(len(some)) or fresh[:len(some)])
    again = model.cached_raw_proba(list(reversed(pairs)), cache)
    assert read == [] and np.array_equal(again, fresh[::-1])  # nothing read again, each row its own pair's


def test_missing_files_are_a_clear_error(tmp_path):
    with pytest.raises(ArgmapError) as caught:
        cross_stance.CrossStanceModel(tmp_path)
    assert caught.value.code == "model_missing"
    assert "argmap.training.stance_cross --export" in caught.value.message


def _thread(replies: int, words: int = 130, *, to_post: int = 0):
    """``replies`` replies to a comment, each ``words`` words long (130: a full-length reply), and
    ``to_post`` more replies to the post."""
    from argmap.model import Comment, Thread

    thread = Thread(source="text", id="t", title="Is nuclear power safe?")
    thread.comments = [Comment(id="p", parent_id="t", text="Nuclear power is safe.")]
    thread.comments += [Comment(id=f"c{i}", parent_id="p", text=f"Reply number {i}." + " more" * words)
                        for i in range(replies)]
    thread.comments += [Comment(id=f"t{i}", parent_id="t", text=f"Top-level {i}." + " more" * words)
                        for i in range(to_post)]
    thread.comments.append(Comment(id="gone", parent_id="p", text="", deleted=True))  # not a reply to judge
    return thread


def test_auto_reads_small_threads_carefully_and_big_ones_fast(tmp_path):
    from argmap.settings import Settings

    settings = Settings(careful_max_replies=3)
    assert settings.relation_method == "auto"  # the default
    assert settings.for_thread(_thread(3)).relation_method == "cross"
    assert settings.for_thread(_thread(4)).relation_method == "model"
    # the work is counted by length: twelve short replies (a paste cut into lines) are three full-length ones
    assert settings.for_thread(_thread(12, words=3)).relation_method == "cross"
    assert settings.for_thread(_thread(13, words=3)).relation_method == "model"
    # replies to the post are not read by either judge (no stance edge is drawn to it): they do not count
    assert settings.for_thread(_thread(3, to_post=40)).relation_method == "cross"
    for chosen in ("model", "cross", "rules"):  # a chosen judge is kept whatever the size
        assert Settings(relation_method=chosen).for_thread(_thread(4)).relation_method == chosen
    # a models folder without the cross-encoder reads every thread with the head
    import shutil

    models = tmp_path / "models"
    shutil.copytree(Settings().models_folder / "stance", models / "stance")
    lean = Settings(models_path=str(models))
    assert lean.for_thread(_thread(1)).relation_method == "model"


@pytest.mark.slow
def test_the_pipeline_draws_reply_edges_from_the_cross_encoder():
    from argmap.pipeline import analyze
    from argmap.settings import Settings

    from tests.conftest import SAMPLE_TEXT

    default, _ = analyze(str(SAMPLE_TEXT), settings=Settings(relation_method="model"))
    cross, _ = analyze(str(SAMPLE_TEXT), settings=Settings(relation_method="cross"))
    auto, _ = analyze(str(SAMPLE_TEXT), settings=Settings())
    assert (default.stats["stance_method"], cross.stats["stance_method"], auto.stats["stance_method"]) == (
        "model", "cross", "cross")  # the sample's dozen comments are read carefully by default
    assert [c.id for c in cross.claims] == [c.id for c in default.claims]  # only the stance judge differs
    reply_edges = [r for r in cross.relations if r.reply_id]
    assert reply_edges, "the cross-encoder draws reply edges on the sample thread"
    threshold = stance_judge("cross").threshold
    assert all(r.confidence >= threshold and r.stance in ("agree", "disagree") for r in reply_edges)
    assert len({r.reply_id for r in reply_edges}) == len(reply_edges)  # one edge per reply


@pytest.mark.slow
def test_export_writes_a_model_the_runtime_reads(tmp_path):
    """The export step on an untrained head (the packaged MiniLM weights): graph, tokenizer, calibration."""
    from argmap.embed.weights import model_path
    from argmap.training.stance_cross import export_onnx

    fitted = {"offsets": [0.1, 0.0, -0.2], "temperature": 2.0, "threshold": 0.6, "cross_validated": {"n": 0}}
    out = export_onnx(model_path(), tmp_path / "cross", fitted)
    model = cross_stance.CrossStanceModel(out)
    assert model.threshold == 0.6 and model.temperature == 2.0
    probabilities = model.predict_proba(PAIRS)
    assert probabilities.shape == (3, 3) and np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert (Path(out) / "tokenizer.json").exists()


@pytest.mark.slow
def test_a_tiny_fine_tuning_run_saves_a_model(tmp_path, threads_dir):  # reads the labelled threads
    """The training script's in-domain phase on eight dev pairs: it trains, saves, and predicts."""
    from argmap.training import stance_cross

    out = tmp_path / "tiny"
    assert stance_cross.main(["--data", "threads", "--limit", "8", "--batch-size", "4", "--out", str(out)]) == 0
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {p.name for p in out.iterdir()}
    assert "training on 8 threads examples" in (out / "train.log").read_text()
    tokenizer, model = stance_cross._load(str(out))
    examples = stance_cross.load_thread_labels()[:3]
    probabilities = np.array(stance_cross.predict(tokenizer, model, examples))
    assert probabilities.shape == (3, 3) and np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


def _synthetic_out_of_fold(tmp_path, rng):
    """Out-of-fold files for every real dev pair: a cross-encoder and a head that each see the
    true stance through their own noise (so mixing them helps)."""
    from argmap.training.stance_data import load_thread_labels

    dev = [e for e in load_thread_labels() if e.split == "dev"]

    def noisy(strength):
        logits = rng.normal(0, 1.0, (len(dev), 3))
        logits[np.arange(len(dev)), [e.label for e in dev]] += strength
        p = np.exp(logits)
        return (p / p.sum(axis=1, keepdims=True)).tolist()

    cross_file, head_file = tmp_path / "cross-oof.json", tmp_path / "head-oof.json"
    cross_file.write_text(json.dumps({"threads": {e.pair_id: p for e, p in zip(dev, noisy(1.2))}}))
    head_file.write_text(json.dumps({e.pair_id: p for e, p in zip(dev, noisy(1.0))}))
    return cross_file, head_file


def test_the_blend_weight_and_its_calibration_are_fitted_out_of_fold(tmp_path, threads_dir):
    from argmap.training import stance_cross

    cross_file, head_file = _synthetic_out_of_fold(tmp_path, np.random.default_rng(3))
    alone = stance_cross.fit_calibration([cross_file])
    assert "blend" not in alone
    fitted = stance_cross.fit_calibration([cross_file], head_file)
    blend = fitted["blend"]
    assert blend["head_weight"] in stance_cross.HEAD_WEIGHTS and blend["head_weight"] > 0  # the head adds signal
    assert blend["cross_validated"]["macro_f1"] >= fitted["cross_validated"]["macro_f1"]
    assert blend["weight_curve"]["0.0"] == fitted["cross_validated"]["macro_f1"]  # weight 0 is the model alone
    assert set(blend["nested_offsets_macro_f1"]) == {str(w) for w in stance_cross.HEAD_WEIGHTS}
    # a head prediction missing for a dev pair is an error, not a silent gap
    head = json.loads(head_file.read_text())
    head.pop(sorted(head)[0])
    head_file.write_text(json.dumps(head))
    with pytest.raises(ValueError, match="no out-of-fold head prediction"):
        stance_cross.fit_calibration([cross_file], head_file)


def test_recalibrate_rewrites_only_the_config(tmp_path, threads_dir):
    import shutil

    from argmap.training import stance_cross

    cross_file, head_file = _synthetic_out_of_fold(tmp_path, np.random.default_rng(5))
    folder = tmp_path / "stance_cross"
    folder.mkdir()
    shutil.copy(cross_stance.MODEL_DIR / "tokenizer.json", folder / "tokenizer.json")
    shipped = json.loads((cross_stance.MODEL_DIR / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**shipped, "max_tokens": 96, "note": "hand-set"}))
    assert stance_cross.main(["--recalibrate", str(folder), "--calibration", str(cross_file),
                              "--blend-head", str(head_file)]) == 0
    config = json.loads((folder / "config.json").read_text())
    assert config["stances"] == list(STANCES)
    assert config["max_tokens"] == 96 and config["note"] == "hand-set"  # only the calibration is refitted
    assert config["blend"]["head_weight"] > 0 and config["blend"]["threshold"] >= 0.34
    assert config["dev_cross_validated"]["n"] == len(json.loads(cross_file.read_text())["threads"])
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "tokenizer.json"]
    # without --blend-head the blend is refitted away, not left stale
    assert stance_cross.main(["--recalibrate", str(folder), "--calibration", str(cross_file)]) == 0
    assert "blend" not in json.loads((folder / "config.json").read_text())
    with pytest.raises(SystemExit):
        stance_cross.main(["--recalibrate", str(folder)])  # no --calibration: a usage error


def test_pairs_are_cut_like_the_tokenizer_cuts_them_without_its_windows():
    """``pair_ids`` gives the ids the tokenizer's own ``longest_first`` pair truncation gives
    (which also builds every cut-off window of both texts: 1.3 GB for two 40,000-character
    comments), at the lengths around the limit and on long texts."""
    import resource

    from tokenizers import Tokenizer

    model = cross_stance.shipped_model()
    reference = Tokenizer.from_file(str(cross_stance.MODEL_DIR / "tokenizer.json"))
    reference.no_padding()
    reference.enable_truncation(model.max_tokens, strategy="longest_first")
    half = (model.max_tokens - 3) // 2
    lengths = [0, 1, 5, half - 1, half, half + 1, half + 2, model.max_tokens - 4, model.max_tokens, 300]
    pairs = [("cats " * a, "no dogs " * b) for a in lengths for b in lengths]
    pairs += [(p.parent, p.reply) for p in PAIRS] + [("Überraschung! 日本語 e.g. don't", "supercalifragilistic " * 90)]
    for (parent, reply), expected in zip(pairs, reference.encode_batch(pairs)):
        first, second = (e.ids for e in model.tokenizer.encode_batch([parent, reply], add_special_tokens=False))
        assert cross_stance.pair_ids(first, second, model.max_tokens, *model.special) == (expected.ids, expected.type_ids)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    long_text = "Nuclear power is safe because reactors rarely fail. " * 800  # 42,000 characters
    raw = model.raw_proba([(long_text, long_text)])
    assert raw.shape == (1, 3)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 300 * 1024  # KiB: no gigabytes of windows
