"""A MiniLM cross-encoder for reply stance, fine-tuned on the CPU (the "try (b)" model).

The pair is read jointly: ``[CLS] parent [SEP] reply [SEP]`` → agree / disagree / neither.
Starts from the bundled all-MiniLM-L6-v2 weights. Two phases, each a run of this script::

    python -m argmap.training.stance_cross --data external --out build/stance-cross-ext
    python -m argmap.training.stance_cross --data threads --init build/stance-cross-ext \
        --out build/stance-cross

``external`` = DEBAGREEMENT train + SubReddit (dis)agreement; ``threads`` = argmap's
in-domain dev labels (never the test threads). ``--predict`` writes the model's
probabilities for the labelled pairs (and DEBAGREEMENT validation) to a JSON file, which
``argmap.evaluation.stance`` scores and the distillation reads.

Calibration and the blend with the head (``CALIBRATION_FOLDS``; ``models/MODEL_CARD.md``
gives the exact commands)::

    python -m argmap.training.stance --label-round 1 --distil build/cross-unlabelled.json \
        --out-of-fold build/head-oof.json
    python -m argmap.training.stance_cross --recalibrate models/stance_cross \
        --calibration build/oof_A.json,build/oof_B.json --blend-head build/head-oof.json
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

from argmap.training.stance_data import (STANCES, StanceExample, example_for, load_debagreement, load_subreddit,
                                         load_thread_labels)

MAX_LENGTH = 160
# the 2-fold cross-validation by thread whose out-of-fold predictions calibrate the shipped
# model (each fold's model is fine-tuned with that fold's threads held out: ``--hold-out``)
CALIBRATION_FOLDS = [
    ["hn/circumflex_25015967_biden.json", "reddit/rtv_2np694.json", "reddit/rtv_2xmo63.json", "reddit/rtv_z1c9z.json"],
    ["hn/circumflex_26312516_speed.json", "reddit/asyncpraw2020_n49rw_sort-confidence.json", "reddit/praw_fo7p5b.json",
     "reddit/graw_thread_self.json", "reddit/praw_2ujhkr.json"],
]
HEAD_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)  # blend weights of the head tried (log-linear)
# the keys of config.json that --recalibrate rewrites (the rest, max_tokens included, stay)
CALIBRATION_KEYS = ("offsets", "temperature", "threshold", "top_level_threshold", "dev_cross_validated", "blend")


def _text_a(example: StanceExample) -> str:
    return example.parent


def _load(folder: str | None):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from argmap.embed.weights import model_path

    source = folder or str(model_path())
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModelForSequenceClassification.from_pretrained(source, num_labels=len(STANCES))
    torch.manual_seed(13)
    return tokenizer, model


def _batches(examples: list[StanceExample], size: int, shuffle: bool, seed: int = 13):
    order = list(range(len(examples)))
    if shuffle:
        random.Random(seed).shuffle(order)
    for begin in range(0, len(order), size):
        yield [examples[i] for i in order[begin:begin + size]]


def predict(tokenizer, model, examples: list[StanceExample], batch_size: int = 32) -> list[list[float]]:
    import torch

    model.eval()
    out = []
    with torch.no_grad():
        for batch in _batches(examples, batch_size, shuffle=False):
            encoded = tokenizer([_text_a(e) for e in batch], [e.reply for e in batch], truncation="longest_first",
                                max_length=MAX_LENGTH, padding=True, return_tensors="pt")
            out.extend(torch.softmax(model(**encoded).logits, dim=-1).tolist())
    return out


def train(examples: list[StanceExample], tokenizer, model, *, epochs: float, lr: float, batch_size: int,
          log=print) -> None:
    import torch

    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    steps = math.ceil(len(examples) / batch_size * epochs)
    warmup = max(1, steps // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup))))
    counts = [sum(e.label == k for e in examples) for k in range(len(STANCES))]
    class_weight = torch.tensor([len(examples) / (len(STANCES) * max(1, c)) for c in counts], dtype=torch.float32)
    loss_fn = torch.nn.CrossEntropyLoss(weight=class_weight, reduction="none")
    model.train()
    step, started, epoch = 0, time.time(), 0
    while step < steps:
        for batch in _batches(examples, batch_size, shuffle=True, seed=13 + epoch):
            if step >= steps:
                break
            encoded = tokenizer([_text_a(e) for e in batch], [e.reply for e in batch], truncation="longest_first",
                                max_length=MAX_LENGTH, padding=True, return_tensors="pt")
            labels = torch.tensor([e.label for e in batch])
            weights = torch.tensor([e.weight for e in batch], dtype=torch.float32)
            loss = (loss_fn(model(**encoded).logits, labels) * weights).mean()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            if step % 20 == 0 or step == steps:
                log(f"step {step}/{steps} loss {loss.item():.3f} {time.time() - started:.0f}s")
        epoch += 1


def unlabelled_dev_examples(label_round: int | None = None) -> list[StanceExample]:
    """Every reply of the dev threads that has no label (label -1): the distillation set.

    ``label_round``: unlabelled as of that round (its threads, its labels).
    """
    from argmap.evaluation import stance_labels

    if label_round is None:
        labelled = {r["pair_id"] for r in stance_labels.read_labels()}
        rounds = list(stance_labels.ROUNDS.values())
    else:
        labelled = {p.pair_id for r in range(1, label_round + 1) for p in stance_labels.selected_pairs(label_round=r)}
        rounds = [stance_labels.ROUNDS[r] for r in range(1, label_round + 1)]
    examples = []
    dev_threads = {f for chosen in rounds for f, (split, _) in chosen.items() if split == "dev"}
    for thread_file in sorted(dev_threads):
        split = "dev"
        thread = stance_labels.load_thread(thread_file)
        for pair in stance_labels.thread_pairs(thread_file, split, thread):
            if pair.pair_id in labelled:
                continue
            example = example_for(thread, pair.reply.id, -1, thread_file, "unlabelled", pair_id=pair.pair_id)
            examples.append(example)
    return examples


def _calibration_of(labels, raw, top_level) -> dict:
    from argmap.relations.stance import calibrate
    from argmap.training import stance as head

    offsets = head.choose_offsets(labels, raw)
    temperature = head.choose_temperature(labels, raw, offsets)
    calibrated = calibrate(raw, offsets, temperature)
    threshold = head.choose_threshold(labels, calibrated)
    return {"offsets": [round(float(x), 3) for x in offsets], "temperature": temperature, "threshold": threshold,
            "top_level_threshold": head.choose_top_level_threshold(labels, calibrated, top_level),
            "cross_validated": {"out_of_fold_macro_f1": round(head.macro_f1(labels, raw.argmax(1)), 4),
                                **head.scores(labels, calibrated),
                                "ece": head.expected_calibration_error(labels, calibrated),
                                "edges": head.edge_table(labels, calibrated),
                                "top_level_edges": head.edge_table(labels[top_level], calibrated[top_level]),
                                "nested_edges": head.edge_table(labels[~top_level], calibrated[~top_level])}}


def _nested_macro_f1(labels, raw, folds_of) -> float:
    """Macro-F1 when each fold's offsets are fitted on the other folds only (how well they travel)."""
    import numpy as np

    from argmap.training import stance as head

    predicted = np.zeros(len(labels), dtype=int)
    for fold in sorted(set(folds_of)):
        inside = folds_of == fold
        offsets = head.choose_offsets(labels[~inside], raw[~inside])
        predicted[inside] = (np.log(np.clip(raw[inside], 1e-9, 1.0)) + offsets).argmax(axis=1)
    return round(head.macro_f1(labels, predicted), 4)


def fit_calibration(prediction_files: list[Path], head_predictions: Path | None = None,
                    folds: list[list[str]] = CALIBRATION_FOLDS) -> dict:
    """Offsets, temperature and edge threshold from out-of-fold dev predictions, as for the head.

    With ``head_predictions`` (``argmap.training.stance --out-of-fold``: the head's
    out-of-fold probabilities under the same folds) also the blend with the head: the head
    weight whose calibrated blend has the best out-of-fold macro-F1, and its own offsets,
    temperature and threshold (``blend`` in the result).
    """
    import numpy as np

    predicted: dict[str, list[float]] = {}
    for path in prediction_files:
        predicted.update(json.loads(path.read_text())["threads"])
    dev = [e for e in load_thread_labels() if e.split == "dev"]
    missing = [e.pair_id for e in dev if e.pair_id not in predicted]
    if missing:
        raise ValueError(f"{len(missing)} dev pairs have no out-of-fold prediction (e.g. {missing[0]})")
    labels = np.array([e.label for e in dev])
    raw = np.array([predicted[e.pair_id] for e in dev])
    fold_of = np.array([next((k for k, fold in enumerate(folds) if e.source in fold), -1) for e in dev])
    top_level = np.array([e.depth == 1 for e in dev])  # replies to the post
    fitted = _calibration_of(labels, raw, top_level)
    fitted["cross_validated"]["nested_offsets_macro_f1"] = _nested_macro_f1(labels, raw, fold_of)
    if head_predictions is None:
        return fitted
    from argmap.relations.cross_stance import blend
    from argmap.training import stance as head

    head_found = json.loads(Path(head_predictions).read_text())
    missing = [e.pair_id for e in dev if e.pair_id not in head_found]
    if missing:
        raise ValueError(f"{len(missing)} dev pairs have no out-of-fold head prediction (e.g. {missing[0]})")
    head_raw = np.array([head_found[e.pair_id] for e in dev])
    curve = {}
    for weight in HEAD_WEIGHTS:
        mixed = blend(raw, head_raw, weight)
        offsets = head.choose_offsets(labels, mixed)
        curve[weight] = round(head.macro_f1(labels, (np.log(mixed) + offsets).argmax(axis=1)), 4)
    weight = max(HEAD_WEIGHTS, key=lambda w: (curve[w], -w))  # ties: the lighter head
    mixed = blend(raw, head_raw, weight)
    fitted["blend"] = {"head_weight": weight, **_calibration_of(labels, mixed, top_level),
                       "weight_curve": {str(w): f for w, f in curve.items()},
                       "nested_offsets_macro_f1": {str(w): _nested_macro_f1(labels, blend(raw, head_raw, w), fold_of)
                                                   for w in HEAD_WEIGHTS}}
    return fitted


def config_of(fitted: dict) -> dict:
    """``config.json``'s calibration part: the cross-encoder's own, and its blend with the head if fitted."""
    config = {"stances": list(STANCES), "max_tokens": MAX_LENGTH, "offsets": fitted["offsets"],
              "temperature": fitted["temperature"], "threshold": fitted["threshold"],
              "top_level_threshold": fitted.get("top_level_threshold", fitted["threshold"]),
              "base": "sentence-transformers/all-MiniLM-L6-v2", "dev_cross_validated": fitted["cross_validated"]}
    if "blend" in fitted:
        config["blend"] = fitted["blend"]
    return config


def export_onnx(folder: Path, out: Path, fitted: dict) -> Path:
    """The fine-tuned model in ``folder`` → ``out/model-int8.onnx`` (int8 MatMuls and embeddings),
    ``tokenizer.json`` and ``config.json`` (classes, token limit, calibration, dev scores)."""
    import shutil
    import tempfile

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from argmap.relations.cross_stance import ONNX_FILE

    tokenizer, model = _load(str(folder))
    model.eval()
    out.mkdir(parents=True, exist_ok=True)
    example = tokenizer(["a parent comment"], ["a reply to it"], return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with tempfile.TemporaryDirectory() as scratch, torch.no_grad():
        fp32 = Path(scratch) / "model.onnx"
        torch.onnx.export(model, tuple(example[n] for n in names), str(fp32), input_names=names,
                          output_names=["logits"], opset_version=17, dynamo=False,
                          dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "logits": {0: "batch"}})
        quantize_dynamic(str(fp32), str(out / ONNX_FILE), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul", "Gather"])
    shutil.copy(folder / "tokenizer.json", out / "tokenizer.json")
    (out / "config.json").write_text(json.dumps(config_of(fitted), indent=1) + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=("external", "threads"), default="external")
    parser.add_argument("--init", help="start from this fine-tuned folder instead of the MiniLM weights")
    parser.add_argument("--out", help="the fine-tuned model's folder (written by training, read by the rest)")
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--limit", type=int, default=0, help="train on the first N examples only (tests)")
    parser.add_argument("--predict", help="write probabilities for the labelled pairs to this JSON file and stop")
    parser.add_argument("--predict-unlabelled", help="write probabilities for every unlabelled reply of the dev "
                                                     "threads (the distillation set) to this JSON file and stop")
    parser.add_argument("--hold-out", default="", help="comma-separated dev thread files left out of training "
                                                       "(a cross-validation fold)")
    parser.add_argument("--label-round", type=int, help="--data threads: one labelling round's pairs only "
                                                         "(the teacher of the shipped head: 1)")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all",
                        help="which labelled pairs --predict scores")
    parser.add_argument("--export", help="write the fine-tuned --out model as int8 ONNX + tokenizer + "
                                         "calibration into this folder (argmap.relations.cross_stance) and stop")
    parser.add_argument("--calibration", default="",
                        help="with --export: comma-separated --predict files of cross-validation folds (dev "
                             "pairs each fold held out); the offsets, temperature and threshold are fitted on them")
    parser.add_argument("--blend-head", help="with --export or --recalibrate: the head's out-of-fold predictions "
                                             "under the same folds (argmap.training.stance --out-of-fold); "
                                             "fits the blend with the head too")
    parser.add_argument("--recalibrate", help="refit the calibration (and blend) of the exported model in this "
                                              "folder from --calibration [--blend-head]; rewrites those keys of its "
                                              "config.json only, then stop")
    args = parser.parse_args(argv)
    held_out = [t for t in args.hold_out.split(",") if t]
    if not args.out and not args.recalibrate:
        parser.error("--out is required")
    if args.export and args.recalibrate:
        parser.error("--export writes a whole model, --recalibrate only its calibration: choose one")
    if (args.export or args.recalibrate) and not args.calibration:
        parser.error("--calibration is required: the out-of-fold --predict files of the folds")
    if args.export or args.recalibrate:
        fitted = fit_calibration([Path(p) for p in args.calibration.split(",") if p],
                                 Path(args.blend_head) if args.blend_head else None)
        if args.export:
            export_onnx(Path(args.out), Path(args.export), fitted)
        else:
            config_path = Path(args.recalibrate) / "config.json"
            config = json.loads(config_path.read_text(encoding="utf-8"))  # max_tokens and the rest stay
            fresh = config_of(fitted)
            config.update({key: fresh[key] for key in CALIBRATION_KEYS if key in fresh})
            if "blend" not in fresh:
                config.pop("blend", None)
            config_path.write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
        print(json.dumps({"cross": fitted["cross_validated"]["macro_f1"],
                          "blend": fitted.get("blend", {}).get("cross_validated", {}).get("macro_f1")}))
        return 0

    import torch

    torch.set_num_threads(args.threads)
    if args.predict_unlabelled:
        tokenizer, model = _load(args.out)
        examples = unlabelled_dev_examples(args.label_round)
        probabilities = predict(tokenizer, model, examples)
        Path(args.predict_unlabelled).write_text(json.dumps(
            [{"thread": e.source, "reply_id": e.pair_id.split(":", 1)[1], "proba": p}
             for e, p in zip(examples, probabilities)]))
        return 0
    if args.predict:
        tokenizer, model = _load(args.out)
        threads = [e for e in load_thread_labels() if args.split in ("all", e.split)
                   and (not held_out or e.source in held_out)]  # a fold's model scores its held-out threads
        val = [e for e in load_debagreement() if e.split == "val"]
        result = {"threads": {e.pair_id: p for e, p in zip(threads, predict(tokenizer, model, threads))},
                  "debagreement_val": predict(tokenizer, model, val)}
        Path(args.predict).write_text(json.dumps(result))
        return 0
    if args.data == "external":
        examples = [e for e in load_debagreement() if e.split == "train"] + load_subreddit()
    else:
        examples = [e for e in load_thread_labels(label_round=args.label_round)
                    if e.split == "dev" and e.source not in held_out]
    if args.limit:
        examples = examples[:args.limit]
    tokenizer, model = _load(args.init)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log_file = (out / "train.log").open("a")

    def log(line: str) -> None:
        print(line, file=log_file, flush=True)
        print(line, file=sys.stderr, flush=True)

    log(f"training on {len(examples)} {args.data} examples, {args.epochs} epochs")
    train(examples, tokenizer, model, epochs=args.epochs, lr=args.lr, batch_size=args.batch_size, log=log)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    log(f"saved to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
