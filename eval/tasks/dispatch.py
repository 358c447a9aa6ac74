"""Dispatch: lead-unit and level accuracy, escalation precision/recall of the dispatch router.

Data: ``--data`` jsonl ``{"text", "address", "expected_unit" (code or name), "expected_level",
"escalate"[, "transfer": "110"|"综治"]}``; default the project's dev set in ``eval/dev/dispatch/``.
County: ``--county-dir`` with ``catalogue.csv``, ``units.json``, ``county.json``; default the demo
county ``assistant/demo/heifeng``."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from classifiers.dispatch import DispatchRouter
from eval.common import DEV_DIR, PROJECT_ROOT, percentile

DEFAULT_DATA = DEV_DIR / "dispatch" / "cases.jsonl"
DEFAULT_COUNTY = PROJECT_ROOT / "assistant" / "demo" / "heifeng"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None, help="cases jsonl (default: dev set)")
    parser.add_argument("--county-dir", type=Path, default=None, help="county configuration (default: demo)")
    parser.add_argument("--no-embeddings", action="store_true", help="lexical matching only")
    parser.add_argument("--cache-dir", type=Path, default=None, help="keep passage embeddings here")
    parser.add_argument("--details", type=Path, default=None, help="write per-case results (jsonl) here")
    parser.add_argument("--errors", action="store_true", help="print the cases routed wrongly")


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def run(args: argparse.Namespace) -> dict:
    data = args.data or DEFAULT_DATA
    county_dir = args.county_dir or DEFAULT_COUNTY
    cases = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line.strip()]
    units = json.loads((county_dir / "units.json").read_text(encoding="utf-8"))
    county = json.loads((county_dir / "county.json").read_text(encoding="utf-8"))
    router = DispatchRouter(county_dir / "catalogue.csv", units, county,
                            use_embeddings=not args.no_embeddings, cache_dir=args.cache_dir)
    t0 = time.perf_counter()
    router.warm_up()
    warm_s = time.perf_counter() - t0
    unit_ok = level_ok = 0
    esc_tp = esc_pred = esc_true = 0
    tr_tp = tr_pred = tr_true = 0
    latencies, rows = [], []
    for case in cases:
        s = router.run(case["text"], case.get("address") or None)
        latencies.append(s.elapsed_ms)
        expected = router.directory.code_of(str(case["expected_unit"])) or str(case["expected_unit"])
        hit_unit = s.unit_code == expected
        hit_level = s.level == case.get("expected_level")
        unit_ok += hit_unit
        level_ok += hit_level
        esc_pred += s.escalate
        esc_true += bool(case.get("escalate"))
        esc_tp += s.escalate and bool(case.get("escalate"))
        want_tr = case.get("transfer")
        tr_pred += s.transfer_to is not None
        tr_true += want_tr is not None
        tr_tp += want_tr is not None and s.transfer_to == want_tr
        rows.append({"text": case["text"], "address": case.get("address"), "expected": expected,
                     "predicted": s.unit_code, "level": s.level, "expected_level": case.get("expected_level"),
                     "escalate": s.escalate, "transfer_to": s.transfer_to, "matter": s.matter,
                     "confidence": s.confidence, "reason": s.reason, "place": s.place.describe(),
                     "alternatives": [[c.unit_code, c.matter, c.probability] for c in s.alternatives[:3]]})
    n = len(cases)
    figures = {
        "unit_accuracy": _ratio(unit_ok, n), "level_accuracy": _ratio(level_ok, n),
        "escalation_precision": _ratio(esc_tp, esc_pred), "escalation_recall": _ratio(esc_tp, esc_true),
        "escalations_predicted": esc_pred, "escalations_expected": esc_true,
        "cases": n, "p50_ms": round(percentile(latencies, 50), 2), "p95_ms": round(percentile(latencies, 95), 2),
        "warm_up_s": round(warm_s, 2), "embeddings": not args.no_embeddings,
    }
    if tr_true:
        figures["transfer_precision"] = _ratio(tr_tp, tr_pred)
        figures["transfer_recall"] = _ratio(tr_tp, tr_true)
    if args.details:
        with open(args.details, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    if args.errors:
        for r in rows:
            if r["predicted"] != r["expected"]:
                print(f"✗ {r['text'][:48]} | 期望 {r['expected']} 得到 {r['predicted']} ({r['matter']}, "
                      f"{r['confidence']:.2f}) {r['reason'][:40]} | 地点 {r['place']}")
    print(f"dispatch: {n} cases from {data}")
    for k, v in figures.items():
        print(f"  {k}: {v}")
    return figures
