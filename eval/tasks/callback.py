"""Callback replies: accuracy and macro-F1 of resolution and satisfaction, reason side, latency.

Data: ``--data`` (jsonl ``{"text", "resolution", "satisfaction", ["reason_side"]}``); default the
project's dev set ``eval/dev/callback/replies.jsonl`` (written apart from the training replies and
never used to train or tune). By default the shipped model is measured; ``--features F`` trains a
fresh model on ``--train`` (default: the package's training replies) in memory and measures that,
``--rules`` measures the rules alone."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from classifiers.calibration import expected_calibration_error
from classifiers.callback import (
    CallbackOutcomeClassifier,
    CallbackOutcomeReader,
    rule_reading,
    suggest_reason,
)
from classifiers.callback.features import FEATURE_SETS
from classifiers.callback.labels import REASON_SIDES, RESOLUTIONS, SATISFACTIONS
from classifiers.callback.train import DEFAULT_TRAIN, read_rows
from eval.common import DEV_DIR, percentile

DEFAULT_DATA = DEV_DIR / "callback" / "replies.jsonl"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None, help="replies jsonl (default: dev set)")
    parser.add_argument("--model", type=Path, default=None, help="model.pkl (default: the shipped model)")
    parser.add_argument("--features", choices=FEATURE_SETS, default=None,
                        help="train a fresh model with these features on --train and measure it")
    parser.add_argument("--train", type=Path, default=None, help="training jsonl for --features")
    parser.add_argument("--calibration", choices=("none", "sigmoid", "isotonic"), default="none")
    parser.add_argument("--rules", action="store_true", help="measure the rules alone")
    parser.add_argument("--details", type=Path, default=None, help="write per-reply predictions (jsonl) here")




def _head(name: str, truth: list[str], pred: list[str], labels: tuple[str, ...], proba=None) -> dict:
    per = f1_score(truth, pred, labels=list(labels), average=None, zero_division=0)
    out = {f"{name}_macro_f1": round(float(f1_score(truth, pred, labels=list(labels), average="macro",
                                                    zero_division=0)), 4),
           f"{name}_accuracy": round(float(accuracy_score(truth, pred)), 4),
           f"{name}_f1": {lab: round(float(v), 4) for lab, v in zip(labels, per, strict=True)}}
    if proba is not None:
        out[f"{name}_ece"] = round(expected_calibration_error(np.asarray(proba).max(axis=1), np.asarray(proba).argmax(axis=1) == np.array([labels.index(t) for t in truth])), 4)
    return out


def _predict(args, texts: list[str]) -> tuple[list[tuple[str, str]], list, list, list]:
    """Predictions, probabilities, reason sides and per-reply milliseconds."""
    if args.rules:
        latencies, preds, sides = [], [], []
        for t in texts:
            t0 = time.perf_counter()
            r, s = rule_reading(t)
            preds.append((r or "未解决", s or "不满意"))
            sides.append(suggest_reason(t).side if s == "不满意" else None)
            latencies.append((time.perf_counter() - t0) * 1000.0)
        return preds, [None, None], sides, latencies
    model_path = args.model
    if args.features:
        rows = read_rows(args.train or DEFAULT_TRAIN)
        model = CallbackOutcomeClassifier(features=args.features, calibration=args.calibration).fit(
            [r["text"] for r in rows], [(r["resolution"], r["satisfaction"]) for r in rows],
            [r.get("reason_side") for r in rows])
        reader = CallbackOutcomeReader.from_classifier(model)  # measured in memory, nothing written
    else:
        reader = CallbackOutcomeReader(model_path)
        reader.warm_up()
    reader.run(texts[0])  # first call pays for lazy loads (e5 engine)
    latencies, outcomes = [], []
    for t in texts:
        t0 = time.perf_counter()
        outcomes.append(reader.run(t))
        latencies.append((time.perf_counter() - t0) * 1000.0)
    preds = [(o.resolution, o.satisfaction) for o in outcomes]
    proba = [[[o.resolution_proba[k] for k in RESOLUTIONS] for o in outcomes],
             [[o.satisfaction_proba[k] for k in SATISFACTIONS] for o in outcomes]]
    sides = [o.reason.side if o.reason else None for o in outcomes]
    return preds, proba, sides, latencies


def run(args: argparse.Namespace) -> dict:
    data = args.data or DEFAULT_DATA
    rows = read_rows(data)
    texts = [r["text"] for r in rows]
    preds, proba, sides, latencies = _predict(args, texts)
    figures: dict = {"cases": len(rows), "data": str(data),
                     "method": "rules" if args.rules else (args.features or "shipped model")}
    figures.update(_head("resolution", [r["resolution"] for r in rows], [p[0] for p in preds], RESOLUTIONS, proba[0]))
    figures.update(_head("satisfaction", [r["satisfaction"] for r in rows], [p[1] for p in preds], SATISFACTIONS,
                         proba[1]))
    figures["both_correct"] = round(sum(p == (r["resolution"], r["satisfaction"])
                                        for p, r in zip(preds, rows, strict=True)) / len(rows), 4)
    known = [(r["reason_side"], s) for r, s, p in zip(rows, sides, preds, strict=True)
             if r.get("reason_side") in REASON_SIDES and p[1] == "不满意"]
    if known:
        figures["reason_side_accuracy"] = round(sum(a == b for a, b in known) / len(known), 4)
        figures["reason_side_cases"] = len(known)
    figures["p50_ms"] = round(percentile(latencies, 50), 3)
    figures["p95_ms"] = round(percentile(latencies, 95), 3)
    if args.details:
        with open(args.details, "w", encoding="utf-8") as f:
            for r, p, s in zip(rows, preds, sides, strict=True):
                f.write(json.dumps({**r, "pred_resolution": p[0], "pred_satisfaction": p[1], "pred_reason_side": s},
                                   ensure_ascii=False) + "\n")
    print(f"回访识别评测：{figures['method']}，{len(rows)} 条（{data}）")
    for name in ("resolution", "satisfaction"):
        per = "  ".join(f"{k} {v:.3f}" for k, v in figures[f"{name}_f1"].items())
        print(f"  {name:<12} macro-F1 {figures[f'{name}_macro_f1']:.3f}  accuracy {figures[f'{name}_accuracy']:.3f}"
              f"  [{per}]")
    if "reason_side_accuracy" in figures:
        print(f"  reason side  accuracy {figures['reason_side_accuracy']:.3f} ({figures['reason_side_cases']} 条)")
    print(f"  latency p50 {figures['p50_ms']:.2f} ms  p95 {figures['p95_ms']:.2f} ms")
    return figures
