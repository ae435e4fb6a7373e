"""Score reply stance on argmap's in-domain label set: ``python -m argmap.evaluation.stance``.

Prints every number of the stance table from the repo's labels (``data/labels``) and the
texts in ``../shared``: on the **test** threads (never used for training or tuning) the
shipped stance model, the previous release's relation model read at comment level, and
the baseline "every reply disagrees"; DEBAGREEMENT validation; Cohen's κ between the
labels and the independent 10 % relabel. ``--plot FILE.png`` draws the reliability
diagram and precision/recall against the edge threshold on the test threads (needs
matplotlib: ``pip install -e .[eval]``). The cross-encoder (``models/stance_cross``, or
``--cross FOLDER``; the default judge for threads of up to 500 replies) is scored beside
the head when its files are there: as the pipeline runs it (blended with the head when
its ``config.json`` has a fitted blend) and alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from argmap.evaluation import stance_labels
from argmap.relations import stance as sm
from argmap.settings import default_models_path
from argmap.training import stance as training
from argmap.training.stance_data import STANCES, load_debagreement, load_thread_labels


def cohen_kappa(first: list[str], second: list[str]) -> float:
    """Cohen's κ of two labellings of the same items.

    >>> cohen_kappa(["a", "b", "a", "b"], ["a", "b", "a", "a"])
    0.5
    """
    labels = sorted(set(first) | set(second))
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second)) / n
    expected = sum((first.count(k) / n) * (second.count(k) / n) for k in labels)
    return round((observed - expected) / (1 - expected), 4) if expected < 1 else 1.0


def agreement() -> dict:
    """κ and raw agreement between the labels and the independent relabel."""
    if not stance_labels.RELABEL_CSV.exists():
        return {}
    first = {r["pair_id"]: r["stance"] for r in stance_labels.read_labels()}
    second = {r["pair_id"]: r["stance"] for r in stance_labels.read_labels(stance_labels.RELABEL_CSV)}
    both = [pid for pid in second if pid in first]
    a, b = [first[p] for p in both], [second[p] for p in both]
    clear = {r["pair_id"] for r in stance_labels.read_labels() if r["confidence"] == "clear"}
    clear_both = [p for p in both if p in clear]
    return {"pairs": len(both), "kappa": cohen_kappa(a, b),
            "raw_agreement": round(sum(x == y for x, y in zip(a, b)) / max(1, len(both)), 4),
            "kappa_first_label_clear": cohen_kappa([first[p] for p in clear_both], [second[p] for p in clear_both])
            if clear_both else None}


def previous_release_proba(examples) -> np.ndarray:
    """The v1 relation model on whole reply vs whole parent (comment-level stance as shipped before)."""
    from argmap.embed.vectors import Encoder, encode
    from argmap.relations import classifier

    texts = sorted({t for e in examples for t in (e.parent, e.reply)})
    vectors = encode(texts, max_tokens=128, encoder=Encoder("onnx"))  # as released: fp32 whole comments
    row = {t: i for i, t in enumerate(texts)}
    proba = classifier.shipped_model().predict_proba(
        [(e.parent, e.reply) for e in examples], vectors[[row[e.parent] for e in examples]],
        vectors[[row[e.reply] for e in examples]])
    return proba  # (supports, rebuts, none) is (agree, disagree, neither) in the same order


def drawn_edges(labels: np.ndarray, proba: np.ndarray, needed: np.ndarray | float) -> dict:
    """Precision / recall of the stance edges drawn where the confidence reaches ``needed``
    (one threshold, or one per reply: ``np.inf`` where none may be drawn).

    >>> labels = np.array([0, 1, 2])
    >>> proba = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.7, 0.2]])
    >>> drawn_edges(labels, proba, 0.5)
    {'drawn': 3, 'precision': 0.6667, 'recall': 1.0}
    >>> drawn_edges(labels, proba, np.array([0.5, np.inf, 0.75]))
    {'drawn': 1, 'precision': 1.0, 'recall': 0.5}
    """
    predicted = proba.argmax(axis=1)
    drawn = (predicted != sm.NEITHER) & (proba.max(axis=1) >= needed)
    right = drawn & (predicted == labels)
    return {"drawn": int(drawn.sum()), "precision": round(float(right.sum() / max(1, drawn.sum())), 4),
            "recall": round(float(right.sum() / max(1, (labels != sm.NEITHER).sum())), 4)}


def thresholds_as_drawn(threshold: float, top_level: np.ndarray, top_level_threshold: float | None) -> np.ndarray:
    """Each reply's edge threshold as the map applies it: ``threshold``, and for replies to the
    post their own, never lower (``np.inf`` when None: none drawn; ``pipeline.top_level_threshold_for``).

    >>> thresholds_as_drawn(0.5, np.array([False, True]), 0.4).tolist()
    [0.5, 0.5]
    """
    needed = np.full(len(top_level), float(threshold))
    needed[top_level] = np.inf if top_level_threshold is None else max(top_level_threshold, threshold)
    return needed


def edge_table_as_drawn(labels: np.ndarray, proba: np.ndarray, top_level: np.ndarray,
                        top_level_threshold: float | None) -> list[dict]:
    """Precision / recall of the drawn stance edges at each threshold, as the map draws them
    (replies to the post at their own threshold, never below the one tried; None: never)."""
    table = []
    for threshold in np.round(np.arange(0.34, 0.96, 0.02), 2):
        row = drawn_edges(labels, proba, thresholds_as_drawn(threshold, top_level, top_level_threshold))
        if row["drawn"] == 0:
            break
        table.append({"threshold": float(threshold), **row})
    return table


def stance_numbers(labels: np.ndarray, proba: np.ndarray, threshold: float, top_level: np.ndarray | None = None,
                   top_level_threshold: float | None = None) -> dict:
    """Macro-F1, per-class F1, and the stance edges drawn: ``edges`` as the map draws them
    (replies to the post, marked by ``top_level``, at ``top_level_threshold``, never below
    ``threshold``; None: none), ``edges_all_replies`` at ``threshold`` for every reply."""
    result = training.scores(labels, proba)
    needed = (thresholds_as_drawn(threshold, top_level, top_level_threshold) if top_level is not None
              else np.full(len(labels), float(threshold)))
    result["edges"] = {"threshold": threshold, "top_level_threshold": top_level_threshold,
                       **drawn_edges(labels, proba, needed)}
    result["edges_all_replies"] = {"threshold": threshold, **drawn_edges(labels, proba, float(threshold))}
    return result


def evaluate(cross: Path | None = None, model_folder: Path | None = None) -> dict:
    """Every number of the table; ``model_folder`` scores another trained head (features from
    the encoder it was trained on) in place of the shipped one; ``cross`` (an exported
    cross-encoder folder, ``models/stance_cross`` by default) adds its numbers."""
    from argmap.embed.vectors import Encoder

    model = sm.load(model_folder) if model_folder else sm.shipped_model()
    encoder = Encoder(model.meta.get("encoder"))
    examples = [e for e in load_thread_labels() if e.split == "test"]
    labels = np.array([e.label for e in examples])
    top_level = np.array([e.depth == 1 for e in examples])  # replies to the post
    items = [training.as_input(e) for e in examples]
    proba = model.predict_proba(items, *sm.embed_inputs(items, encoder=encoder))
    every_disagree = float((labels == sm.DISAGREE).mean())
    report = {
        "test_pairs": len(examples),
        "test_threads": sorted({e.source for e in examples}),
        "labels": {s: int((labels == i).sum()) for i, s in enumerate(STANCES)},
        "shipped": stance_numbers(labels, proba, model.threshold, top_level, model.top_level_threshold),
        "every_reply_disagrees_precision": round(every_disagree, 4),
        "previous_release": stance_numbers(labels, previous_release_proba(examples), 0.46, top_level, 0.46),
        "clear_only": training.scores(labels[[e.confidence == "clear" for e in examples]],
                                      proba[[e.confidence == "clear" for e in examples]]),
        "ece": training.expected_calibration_error(labels, proba),
        "reliability": training.reliability(labels, proba),
        "edge_thresholds": edge_table_as_drawn(labels, proba, top_level, model.top_level_threshold),
        "agreement": agreement(),
    }
    report["precision_above_baseline_points"] = round(
        100 * (report["shipped"]["edges"]["precision"] - every_disagree), 1)
    val = [e for e in load_debagreement() if e.split == "val"]
    val_items = [training.as_input(e) for e in val]
    val_proba = model.predict_proba(val_items, *sm.embed_inputs(val_items, encoder=encoder))
    report["debagreement_val"] = training.scores(np.array([e.label for e in val]), val_proba)
    if cross and (Path(cross) / "config.json").exists():
        from argmap.relations.cross_stance import CrossStanceModel, cross_judge

        val_labels = np.array([e.label for e in val])
        # blended with the shipped head, whose calibration the blend was fitted with
        judge = cross_judge(folder=Path(cross), head_folder=sm.MODEL_DIR,
                            encoder=Encoder(sm.shipped_model().meta.get("encoder")))
        alone = CrossStanceModel(Path(cross))
        for key, predict, threshold, top_threshold in (
                ("cross_encoder", judge, judge.threshold, judge.top_level_threshold),
                ("cross_encoder_alone", alone.predict_proba, alone.threshold, alone.top_level_threshold)):
            found = predict(items)
            report[key] = stance_numbers(labels, found, threshold, top_level, top_threshold)
            report[key]["ece"] = training.expected_calibration_error(labels, found)
            report[key]["reliability"] = training.reliability(labels, found)
            report[key]["edge_thresholds"] = edge_table_as_drawn(labels, found, top_level, top_threshold)
            report[key]["points_above_baseline"] = round(100 * (report[key]["edges"]["precision"] - every_disagree), 1)
            report[key]["debagreement_val"] = training.scores(val_labels, predict(val_items))["macro_f1"]
        report["cross_encoder"]["blended_with_head"] = bool(judge.blended)
    report["_proba"] = proba
    report["_labels"] = labels
    return report


def plot(report: dict, path: Path) -> None:
    """Reliability and precision/recall against the threshold, on the test threads, for both
    judges the map uses: careful (up to 500 replies) and fast (bigger threads)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    judges = [("fast (stance head)", report, report["shipped"]["edges"]["threshold"], "#1f5fa8")]
    if "cross_encoder" in report:
        careful = report["cross_encoder"]
        judges.insert(0, ("careful (cross-encoder + head)", careful, careful["edges"]["threshold"], "#b5542b"))
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4))
    left.plot([0, 1], [0, 1], color="#999", linestyle="--", linewidth=1)
    for name, numbers, _threshold, colour in judges:
        rows = numbers["reliability"]
        left.plot([r["confidence"] for r in rows], [r["accuracy"] for r in rows], marker="o", color=colour,
                  label=f"{name}, ECE {numbers['ece']}")
        for r in rows:
            left.annotate(str(r["n"]), (r["confidence"], r["accuracy"]), fontsize=7, xytext=(3, -10),
                          textcoords="offset points", color=colour)
    left.set(xlabel="confidence of the predicted stance", ylabel="share a reader agrees with",
             title="Reliability, test threads", xlim=(0.3, 1), ylim=(0, 1))
    left.legend(fontsize=8, loc="upper left")
    for name, numbers, threshold, colour in judges:
        table = numbers["edge_thresholds"]
        right.plot([r["threshold"] for r in table], [r["precision"] for r in table], color=colour,
                   label=f"{name}: precision")
        right.plot([r["threshold"] for r in table], [r["recall"] for r in table], color=colour, linestyle="--",
                   label=f"{name}: recall")
        right.axvline(threshold, color=colour, linewidth=0.8)
    right.axhline(report["every_reply_disagrees_precision"], color="#999", linestyle=":",
                  label="every reply disagrees (precision)")
    right.set(xlabel="edge threshold (vertical lines: the shipped ones)",
              title="Drawn stance edges as the map draws them, test threads", ylim=(0, 1))
    right.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", type=Path)
    parser.add_argument("--cross", type=Path, default=default_models_path() / "stance_cross",
                        help="exported cross-encoder folder to score beside the head (default: the shipped one)")
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    parser.add_argument("--model", type=Path, help="score this stance model folder instead of the shipped one")
    args = parser.parse_args(argv)
    report = evaluate(args.cross, args.model)
    if args.plot:
        plot(report, args.plot)
    public = {k: v for k, v in report.items() if not k.startswith("_")}
    if args.json:
        print(json.dumps(public, indent=1))
        return 0
    shipped, before = public["shipped"], public["previous_release"]
    print(f"in-domain test: {public['test_pairs']} pairs from {len(public['test_threads'])} threads {public['labels']}")
    print(f"{'measure':48} {'previous':>9} {'shipped':>9}")
    print(f"{'reply stance macro-F1':48} {before['macro_f1']:9.3f} {shipped['macro_f1']:9.3f}")
    print(f"{'agree F1':48} {before['f1']['agree']:9.3f} {shipped['f1']['agree']:9.3f}")
    print(f"{'disagree F1':48} {before['f1']['disagree']:9.3f} {shipped['f1']['disagree']:9.3f}")
    print(f"{'neither F1':48} {before['f1']['neither']:9.3f} {shipped['f1']['neither']:9.3f}")
    print(f"{'precision of drawn stance edges, as the map draws':48} {before['edges']['precision']:9.3f} "
          f"{shipped['edges']['precision']:9.3f}")
    print(f"{'recall of drawn stance edges, as the map draws':48} {before['edges']['recall']:9.3f} "
          f"{shipped['edges']['recall']:9.3f}")
    print(f"{'  the same, replies to the post included':48} {before['edges_all_replies']['precision']:9.3f} "
          f"{shipped['edges_all_replies']['precision']:9.3f}  (recall {before['edges_all_replies']['recall']:.3f}"
          f" / {shipped['edges_all_replies']['recall']:.3f})")
    print(f"{'  every reply disagrees (precision)':48} {public['every_reply_disagrees_precision']:9.3f}")
    print(f"{'  shipped: points above that baseline':48} {public['precision_above_baseline_points']:9.1f}")
    print(f"{'DEBAGREEMENT validation macro-F1 (shipped)':48} {public['debagreement_val']['macro_f1']:9.3f}")
    print(f"{'expected calibration error, test':48} {public['ece']:9.3f}")
    agreement_ = public["agreement"]
    if agreement_:
        print(f"{'labeller agreement κ (' + str(agreement_['pairs']) + ' relabelled pairs)':48} {agreement_['kappa']:9.3f}")
    names = {"cross_encoder": "careful judge (the default up to 500 replies; ARGMAP_RELATION_METHOD=cross)",
             "cross_encoder_alone": "the cross-encoder alone, without the head"}
    for key, name in names.items():
        if key not in public:
            continue
        cross = public[key]
        if cross.get("blended_with_head"):
            name += ": cross-encoder blended with the head"
        print(f"{name}, threshold {cross['edges']['threshold']}, replies to the post "
              f"{cross['edges']['top_level_threshold'] or 'not drawn'}:")
        print(f"{'  reply stance macro-F1':48} {cross['macro_f1']:9.3f}")
        print(f"{'  agree / disagree / neither F1':48} {cross['f1']['agree']:9.3f} {cross['f1']['disagree']:9.3f} "
              f"{cross['f1']['neither']:9.3f}")
        print(f"{'  precision / recall of drawn stance edges':48} {cross['edges']['precision']:9.3f} "
              f"{cross['edges']['recall']:9.3f}")
        print(f"{'    the same, replies to the post included':48} {cross['edges_all_replies']['precision']:9.3f} "
              f"{cross['edges_all_replies']['recall']:9.3f}")
        print(f"{'  points above every reply disagrees':48} {cross['points_above_baseline']:9.1f}")
        print(f"{'  expected calibration error, test':48} {cross['ece']:9.3f}")
        print(f"{'  DEBAGREEMENT validation macro-F1':48} {cross['debagreement_val']:9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
