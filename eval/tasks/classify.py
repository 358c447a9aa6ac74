"""classify: train the category pipeline on TRAIN, score it on TEST (accuracy, macro-F1, latency).

Data (label,text CSV with a header):
  --train TRAIN.csv --test TEST.csv          train on one file, test on the other
  --data FILE [--split-seed 13 --test-frac 0.2]   fixed stratified split of one file
  --data FILE --split-seeds 1,2,3,4,5        the same for several seeds: per-seed figures, mean and sd
  (none)                                     the project's own dev set in eval/dev/classify/
Tasks: --task category (default) | cold-start (no training: taxonomy wording only, scored on TEST)
       | appeal-type | urgency (the shipped rules+model, on the project's dev file unless --test).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from sklearn.model_selection import train_test_split

from classifiers import (
    AppealTypeClassifier,
    CategoryClassifier,
    ColdStartClassifier,
    Taxonomy,
    UrgencyClassifier,
    load_shipped,
)
from classifiers.calibration import expected_calibration_error
from eval.common import DEV_DIR, percentile

DEV = DEV_DIR / "classify"
DEV_TRAIN = DEV / "appeals_train.jsonl"
DEV_TEST = DEV / "appeals_dev.jsonl"


def add_arguments(parser) -> None:
    parser.add_argument("--train", type=Path, help="label,text CSV to train on")
    parser.add_argument("--test", type=Path, help="label,text CSV to score")
    parser.add_argument("--data", type=Path, help="one label,text CSV, split into train/test")
    parser.add_argument("--split-seed", type=int, default=13)
    parser.add_argument("--test-frac", type=float, default=0.2)
    parser.add_argument("--split-seeds", help="with --data: comma-separated split seeds, figures averaged (mean, sd)")
    parser.add_argument("--model", choices=["tfidf", "embed", "ensemble"], default="tfidf")
    parser.add_argument("--set", dest="params", action="append", default=[], metavar="KEY=VALUE",
                        help="category model parameter, e.g. --set ngram_range=1,3 --set tune_offsets=true")
    parser.add_argument("--task", dest="target", default="category",
                        choices=["category", "cold-start", "appeal-type", "urgency"])
    parser.add_argument("--taxonomy", type=Path, help="level1,level2,level3 CSV (cold start)")
    parser.add_argument("--level", type=int, default=1, help="taxonomy level of the labels (cold start)")
    parser.add_argument("--labels-from-test", action="store_true",
                        help="cold start: choose only among the labels that occur in TEST")
    parser.add_argument("--no-embed", action="store_true", help="cold start: keyword overlap only")
    parser.add_argument("--latency-sample", type=int, default=200, help="messages timed one by one for p95_ms")
    parser.add_argument("--save-model", type=Path, help="save the trained model (and its card) here")


def read_labelled(path: Path, label_key: str = "category") -> tuple[list[str], list[str]]:
    """``label,text`` CSV (header required) or project JSONL (``text`` + ``label_key``)."""
    if path.suffix == ".jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [r["text"] for r in rows], [r[label_key] for r in rows]
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        content = raw.decode("gb18030")
    reader = csv.DictReader(io.StringIO(content, newline=""))
    if not reader.fieldnames or not {"label", "text"} <= {h.strip() for h in reader.fieldnames}:
        raise SystemExit(f"{path}: 需要表头 label,text")
    reader.fieldnames = [h.strip() for h in reader.fieldnames]
    pairs = [(r["text"] or "", (r["label"] or "").strip()) for r in reader]
    pairs = [(t, y) for t, y in pairs if t.strip() and y]
    return [t for t, _ in pairs], [y for _, y in pairs]


def load_split(args, label_key: str = "category"):
    if args.data:
        texts, labels = read_labelled(args.data, label_key)
        stratify = labels if min(Counter(labels).values()) >= 2 else None
        xtr, xte, ytr, yte = train_test_split(
            texts, labels, test_size=args.test_frac, random_state=args.split_seed, stratify=stratify
        )
        return xtr, ytr, xte, yte, f"{args.data.name} stratified split seed={args.split_seed} test_frac={args.test_frac}"
    if args.train or args.test:
        if not args.test:
            raise SystemExit("--train 需要同时给出 --test（或改用 --data）")
        xtr, ytr = read_labelled(args.train, label_key) if args.train else ([], [])
        xte, yte = read_labelled(args.test, label_key)
        return xtr, ytr, xte, yte, f"train={args.train.name if args.train else '-'} test={args.test.name}"
    xtr, ytr = read_labelled(DEV_TRAIN, label_key)
    xte, yte = read_labelled(DEV_TEST, label_key)
    return xtr, ytr, xte, yte, f"project dev set {DEV_TRAIN.name} → {DEV_TEST.name}"


def score(y_true, y_pred, labels=None) -> dict:
    labels = labels or sorted(set(y_true) | set(y_pred))
    per_class = f1_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    present = [lab for lab in labels if lab in set(y_true)]
    return {
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "macro_f1": round(float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)), 4),
        "per_class_f1": {lab: round(float(v), 4) for lab, v in zip(labels, per_class, strict=True)},
        "confusion": {"labels": labels, "matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist()},
    }




def latency(model, texts: list[str], n: int) -> dict:
    sample = texts[: max(1, n)]
    model.classify(sample[:1])  # warm-up (loads any lazy model)
    times = []
    for t in sample:
        start = time.perf_counter()
        model.classify(t)
        times.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2)}


def run(args) -> dict:
    if getattr(args, "split_seeds", None):
        return run_seeds(args)
    key = {"appeal-type": "appeal_type", "urgency": "urgency"}.get(args.target, "category")
    xtr, ytr, xte, yte, split = load_split(args, key)
    figures: dict = {"task": args.target, "split": split, "test_rows": len(xte), "train_rows": len(xtr)}
    start, cpu_start = time.perf_counter(), time.process_time()
    if args.target == "category":
        params = model_params(getattr(args, "params", []))
        model = CategoryClassifier(method=args.model, **params).fit(xtr, ytr)
        figures["model"] = args.model + "".join(f" {k}={v}" for k, v in params.items())
        if getattr(model, "ensemble_cv_", None):
            figures["ensemble_weight"], figures["ensemble_cv"] = model.weight_, model.ensemble_cv_
    elif args.target == "cold-start":
        tax = Taxonomy.from_csv(args.taxonomy) if args.taxonomy else None
        labels = sorted(set(yte)) if tax is None or args.labels_from_test else None
        model = ColdStartClassifier(taxonomy=tax, level=args.level, labels=labels,
                                    use_embeddings=not args.no_embed).fit()
        figures["model"] = ("cold-start" + (f" taxonomy={args.taxonomy.name}" if tax else " labels-only")
                            + (" keywords-only" if args.no_embed else " embeddings+keywords"))
        figures["candidate_labels"] = len(model.classes_)
        figures["train_rows"] = 0
    else:
        cls = AppealTypeClassifier if key == "appeal_type" else UrgencyClassifier
        model = load_shipped(key) if not (args.data or args.train) else cls().fit(xtr, ytr)
        figures["model"] = "shipped" if not (args.data or args.train) else "trained-on-TRAIN"
    figures["train_s"] = round(time.perf_counter() - start, 2)
    figures["train_cpu_s"] = round(time.process_time() - cpu_start, 2)
    proba = model.predict_proba(xte)
    pred = [str(c) for c in np.asarray(model.classes_)[np.argmax(proba, axis=1)]]
    figures.update(score(yte, pred, labels=sorted(set(yte) | set(model.classes_))))
    figures["ece"] = round(expected_calibration_error(proba.max(axis=1), np.array(pred) == np.array(yte)), 4)
    top3 = np.asarray(model.classes_)[np.argsort(-proba, axis=1)[:, :3]]
    figures["top3_accuracy"] = round(float(np.mean([y in row for y, row in zip(yte, top3, strict=True)])), 4)
    figures.update(latency(model, xte, args.latency_sample))
    if args.save_model:
        from classifiers import save_model

        keep = {k: figures[k] for k in ("accuracy", "macro_f1", "test_rows", "train_s", "p95_ms", "split")}
        save_model(model, args.save_model, metrics=keep)
    _print_report(figures)
    return figures


def model_params(pairs: list[str]) -> dict:
    """``["ngram_range=1,3", "clean=true", "title_chars=40"]`` → keyword arguments of the category model."""
    params: dict = {}
    for pair in pairs or []:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise SystemExit(f"--set 应为 KEY=VALUE：{pair}")
        raw = raw.strip()
        if raw.lower() in ("true", "false"):
            value: object = raw.lower() == "true"
        elif "," in raw:
            value = tuple(int(v) for v in raw.split(","))
        else:
            try:
                value = int(raw)
            except ValueError:
                try:
                    value = float(raw)
                except ValueError:
                    value = raw
        params[key.strip()] = value
    return params


def run_seeds(args) -> dict:
    """One run per split seed of ``--data``; the contract's keys hold the means (sd beside them)."""
    if not args.data:
        raise SystemExit("--split-seeds 需要同时给出 --data")
    try:
        seeds = [int(s) for s in str(args.split_seeds).split(",") if s.strip()]
    except ValueError:
        raise SystemExit("--split-seeds 应为逗号分隔的整数，例如 1,2,3,4,5") from None
    runs = {}
    for seed in seeds:
        runs[seed] = run(argparse.Namespace(**{**vars(args), "split_seeds": None, "split_seed": seed}))
    figures: dict = {"task": args.target, "model": runs[seeds[0]].get("model"), "split_seeds": seeds,
                     "split": f"{args.data.name} stratified splits seeds={seeds} test_frac={args.test_frac}",
                     "test_rows": runs[seeds[0]]["test_rows"], "train_rows": runs[seeds[0]]["train_rows"],
                     "per_seed": {str(s): {k: r[k] for k in ("accuracy", "macro_f1", "train_s", "train_cpu_s")}
                                  for s, r in runs.items()}}
    for key in ("accuracy", "macro_f1", "top3_accuracy", "ece", "train_s", "train_cpu_s", "p95_ms"):
        values = np.array([r[key] for r in runs.values()], dtype=float)
        figures[key] = round(float(values.mean()), 4)
        figures[f"{key}_sd"] = round(float(values.std(ddof=1)) if len(values) > 1 else 0.0, 4)
    each = ", ".join(f"{r['macro_f1']:.3f}" for r in runs.values())
    print(f"{len(seeds)} 个划分：macro-F1 {figures['macro_f1']:.4f} ± {figures['macro_f1_sd']:.4f}"
          f"（{each}），accuracy {figures['accuracy']:.4f}"
          f" ± {figures['accuracy_sd']:.4f}，训练 CPU {figures['train_cpu_s']} s/次")
    return figures


def _print_report(f: dict) -> None:
    print(f"任务 {f['task']}  模型 {f.get('model')}  数据 {f['split']}")
    print(f"训练 {f['train_rows']} 条，测试 {f['test_rows']} 条，训练用时 {f['train_s']} s，"
          f"单条预测 p50 {f['p50_ms']} ms / p95 {f['p95_ms']} ms")
    print(f"accuracy {f['accuracy']:.4f}   macro-F1 {f['macro_f1']:.4f}   top-3 {f['top3_accuracy']:.4f}"
          f"   ECE {f['ece']:.4f}"
          f"   训练 CPU {f['train_cpu_s']} s")
    for lab, v in f["per_class_f1"].items():
        print(f"  {lab:<10s} F1 {v:.4f}")
    labels, matrix = f["confusion"]["labels"], np.array(f["confusion"]["matrix"])
    print("混淆矩阵（行=真实，列=预测）：" + " ".join(f"{i}={lab}" for i, lab in enumerate(labels)))
    for i, row in enumerate(matrix):
        print(f"  {i:>2d} " + " ".join(f"{v:>4d}" for v in row))
