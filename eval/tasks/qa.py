"""QA (智能质检): per-item precision and recall of call scoring, score correlation, scoring time.

Data: ``--data`` (jsonl ``{"call_id", "turns": [{"speaker", "start", "end", "text"}], "ticket": {...},
"kb_answer": ..., "dispatch": {"suggested", "chosen", "reason"}, "labels": {item: true|false},
"human_total": 0..100}``); default the project's dev set ``eval/dev/qa/calls.jsonl``. A label that is
true means the item was violated; items without a label are not scored for that call."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

from classifiers.qa import QaScorer
from eval.common import DEV_DIR, percentile

DEFAULT_DATA = DEV_DIR / "qa" / "calls.jsonl"
MODEL_ITEMS = ("caller_emotion", "agent_attitude")  # the rest are rule items


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None, help="labelled calls, jsonl (default: dev set)")
    parser.add_argument(
        "--rubric", type=Path, default=None, help="rubric json (default: the built-in rubric)"
    )
    parser.add_argument("--no-model", action="store_true", help="judge tone from the word lists only")
    parser.add_argument(
        "--no-learned", action="store_true", help="rules alone: leave out the learned fatal-family sentence model"
    )
    parser.add_argument(
        "--category-model",
        default="cold-start",
        help="category classifier for 分类一致: cold-start (the demo county's knowledge-base categories, as the "
        "service on day one), a trained model file (.joblib), or none",
    )
    parser.add_argument("--details", type=Path, default=None, help="write per-call results (jsonl) here")
    parser.add_argument(
        "--long-call-s",
        type=float,
        default=300.0,
        help="length of the synthetic long call timed for long_call_ms (default 300 s)",
    )


def read_calls(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _ranks(values: list[float]) -> np.ndarray:
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values))
    arr = np.asarray(values, dtype=float)[order]
    i = 0
    while i < len(arr):
        j = i
        while j + 1 < len(arr) and arr[j + 1] == arr[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0
        i = j + 1
    return ranks


def pearson(x: list[float], y: list[float]) -> float | None:
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def spearman(x: list[float], y: list[float]) -> float | None:
    return pearson(list(_ranks(x)), list(_ranks(y))) if len(x) >= 3 else None


def long_call(calls: list[dict], seconds: float) -> dict:
    """A synthetic call of about ``seconds`` made by chaining the dev calls' turns end to end."""
    turns, offset = [], 0.0
    while offset < seconds:
        for c in calls:
            for t in c["turns"]:
                turns.append({**t, "start": t["start"] + offset, "end": t["end"] + offset})
            offset = turns[-1]["end"] + 1.0
            if offset >= seconds:
                break
    # the dearest case: a ticket with a category (one embedding of the caller's words), else KB + ticket
    base = next(
        (c for c in calls if (c.get("ticket") or {}).get("category")),
        next((c for c in calls if c.get("kb_answer") and c.get("ticket")), calls[0]),
    )
    return {
        "call_id": "long",
        "turns": turns,
        "ticket": base.get("ticket"),
        "kb_answer": base.get("kb_answer"),
        "dispatch": base.get("dispatch"),
    }


def score(scorer: QaScorer, calls: list[dict], details=None) -> dict:
    counts: dict[str, list[int]] = {}
    predicted_totals, human_totals, times, cpu, routes, auto = [], [], [], [], {}, []
    pass_mark = scorer.rubric.routing["auto_accept_min_score"]
    for call in calls:
        t0, c0 = time.perf_counter(), time.process_time()
        result = scorer.run(call)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        routes[result.route] = routes.get(result.route, 0) + 1
        for item, label in (call.get("labels") or {}).items():
            r = result.item(item)
            if r is None:
                continue
            pred = bool(r.violated)
            c = counts.setdefault(item, [0, 0, 0, 0])  # tp, fp, fn, tn
            c[0 if pred and label else 1 if pred else 2 if label else 3] += 1
        if call.get("human_total") is not None:
            predicted_totals.append(result.total)
            human_totals.append(float(call["human_total"]))
            if result.route == "auto_accept":
                auto.append(float(call["human_total"]) >= pass_mark)
        if details is not None:
            details.write(
                json.dumps(
                    {
                        "call_id": result.call_id,
                        "total": result.total,
                        "human_total": call.get("human_total"),
                        "route": result.route,
                        "confidence": result.confidence,
                        "violated": [r.item_id for r in result.violations()],
                        "labelled": sorted(k for k, v in (call.get("labels") or {}).items() if v),
                        "evidence": {
                            r.item_id: [[e.turn, e.text, e.start, e.end, e.note] for e in r.evidence]
                            for r in result.violations()
                        },
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    precision, recall, support = {}, {}, {}
    for item, (tp, fp, fn, _tn) in sorted(counts.items()):
        precision[item] = tp / (tp + fp) if tp + fp else 1.0
        recall[item] = tp / (tp + fn) if tp + fn else 1.0
        support[item] = {"violated": tp + fn, "compliant": fp + _tn, "tp": tp, "fp": fp, "fn": fn}
    rule = [i for i in counts if i not in MODEL_ITEMS]
    tp, fp, fn = (sum(counts[i][k] for i in rule) for k in range(3))
    return {
        "item_precision": precision,
        "item_recall": recall,
        "item_support": support,
        "rule_precision_min": min((precision[i] for i in rule), default=1.0),
        "rule_recall_min": min((recall[i] for i in rule), default=1.0),
        "rule_micro_precision": tp / (tp + fp) if tp + fp else 1.0,
        "rule_micro_recall": tp / (tp + fn) if tp + fn else 1.0,
        "calls": len(calls),
        "pearson": pearson(predicted_totals, human_totals),
        "spearman": spearman(predicted_totals, human_totals),
        "total_mae": float(np.mean(np.abs(np.subtract(predicted_totals, human_totals))))
        if human_totals
        else None,
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "p95_cpu_ms": percentile(cpu, 95),
        "routes": routes,
        # of the calls routed to auto-accept, the share a person also scored at or above the pass mark
        "auto_accept_agreement": sum(auto) / len(auto) if auto else None,
    }


def category_model(spec: str):
    """The category ranker the scorer gets: the cold-start model on the demo county's KB categories
    (what the service uses before a county trains its own), a trained model file, or None."""
    from classifiers.qa.category import ranker

    if spec == "none":
        return None
    if spec != "cold-start":
        from classifiers import load_model

        return ranker(load_model(Path(spec)))
    from classifiers import ColdStartClassifier

    groups: dict[str, list[str]] = {}
    kb = Path(__file__).resolve().parents[2] / "assistant" / "demo" / "heifeng" / "knowledge_base.jsonl"
    for line in kb.read_text(encoding="utf-8").splitlines():
        if line.strip():
            doc = json.loads(line)
            top = (doc.get("category") or "").split("/")[0]
            if top:
                groups.setdefault(top, []).append(doc["question"])
    desc = {k: "；".join(v[:30]) for k, v in groups.items()}
    return ranker(ColdStartClassifier(labels=sorted(groups), descriptions=desc).fit())


def run(args: argparse.Namespace) -> dict:
    calls = read_calls(args.data or DEFAULT_DATA)
    t0 = time.perf_counter()
    scorer = QaScorer(
        args.rubric,
        use_model=not args.no_model,
        use_learned=not getattr(args, "no_learned", False),
        category=category_model(args.category_model),
    )
    scorer.warm_up()
    warm_s = time.perf_counter() - t0
    with open(args.details, "w", encoding="utf-8") if args.details else contextlib.nullcontext() as details:
        figures = score(scorer, calls, details)
    big = long_call(calls, args.long_call_s)
    runs, runs_cpu = [], []
    for _ in range(5):
        t, c = time.perf_counter(), time.process_time()
        scorer.run(big)
        runs.append((time.perf_counter() - t) * 1000)
        runs_cpu.append((time.process_time() - c) * 1000)
    figures.update(
        {
            "warm_up_s": round(warm_s, 3),
            "long_call_ms": round(statistics.median(runs), 1),
            "long_call_max_ms": round(max(runs), 1),
            "long_call_cpu_ms": round(statistics.median(runs_cpu), 1),
            "long_call_category": bool((big.get("ticket") or {}).get("category")),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "long_call_s": round(big["turns"][-1]["end"], 1),
            "long_call_turns": len(big["turns"]),
            "tone": "lexicon" if args.no_model else "lexicon+model",
        }
    )
    print(
        f"calls {figures['calls']}  pearson {figures['pearson']}  spearman {figures['spearman']}  "
        f"p95 {figures['p95_ms']:.1f} ms (CPU {figures['p95_cpu_ms']:.1f} ms)  long call ({figures['long_call_s']} s, "
        f"category {figures['long_call_category']}) {figures['long_call_ms']} ms, CPU {figures['long_call_cpu_ms']} ms  "
        f"load {figures['load_average'][0]}"
    )
    print(f"{'item':<20}{'P':>6}{'R':>6}  violated/compliant")
    for item in figures["item_precision"]:
        s = figures["item_support"][item]
        print(
            f"{item:<20}{figures['item_precision'][item]:>6.2f}{figures['item_recall'][item]:>6.2f}  "
            f"{s['violated']}/{s['compliant']}"
        )
    return figures
