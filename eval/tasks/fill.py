"""Fill: per-field precision, recall, F1 and exact match of the ticket-draft extractor (智能填单).

Data: ``--data`` (jsonl ``{"call_time", "turns": [{"speaker", "start", "end", "text"}], "expected": {...}}``,
see ``../shared/data/README.md``); default the project's dev set ``eval/dev/fill/calls.jsonl``. A field
absent from ``expected`` is not scored; null (or [] for phones) means it must stay empty. Latency is the
time of a full draft per call (p50/p95), of a synthetic 5-minute call, and of the last segment of
that call through ``LiveDraft``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from pathlib import Path

from classifiers.fields import FieldExtractor, LiveDraft
from eval.common import DEV_DIR, PROJECT_ROOT, percentile

DEFAULT_DATA = DEV_DIR / "fill" / "calls.jsonl"
DEFAULT_COUNTY = PROJECT_ROOT / "assistant" / "demo" / "heifeng"
SCORED = ("caller_name", "phones", "id_number", "township", "village", "address_detail", "event_time",
          "appeal_type", "confidential", "callback_ok")
LONG_CALL_S = 300.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None, help="calls jsonl (default: dev set)")
    parser.add_argument("--county-dir", type=Path, default=None, help="county config dir with county.json")
    parser.add_argument("--address-library", choices=("auto", "jionlp", "none"), default="auto")
    parser.add_argument("--limit", type=int, default=None, help="evaluate the first N calls only")
    parser.add_argument("--details", type=Path, default=None, help="write per-call expected/got (jsonl) here")
    parser.add_argument("--extractor-only", action="store_true",
                        help="score the extractor alone (appeal type left to the classifier is then not scored)")


def _norm(field: str, value, call_time: dt.datetime):
    """Comparable form of a value (None when empty)."""
    if value is None or value == [] or value == "":
        return None
    if field == "phones":
        return frozenset(str(p).replace("-", "").replace(" ", "") for p in value)
    if field == "id_number":
        return str(value).upper()
    if field == "event_time":
        text = str(value)
        if "T" not in text and " " not in text:
            return ("date", text[:10])
        moment = dt.datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=call_time.tzinfo)
        return ("datetime", moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M"))
    if field == "address_detail":
        return str(value).strip("，,。 ")
    return value


def _char_f1(got: str | None, want: str | None) -> float:
    if not got and not want:
        return 1.0
    if not got or not want:
        return 0.0
    common = sum(min(got.count(c), want.count(c)) for c in set(want))
    if not common:
        return 0.0
    p, r = common / len(got), common / len(want)
    return 2 * p * r / (p + r)


def _long_call(cases: list[dict]) -> list[dict]:
    """Turns of several calls strung together, re-timed, until they last five minutes."""
    turns, clock = [], 0.0
    for case in cases:
        for t in case["turns"]:
            length = max(0.5, float(t["end"]) - float(t["start"]))
            turns.append({"speaker": t["speaker"], "start": clock, "end": clock + length, "text": t["text"]})
            clock += length + 0.7
        if clock >= LONG_CALL_S:
            break
    return turns


def run(args: argparse.Namespace) -> dict:
    data = args.data or DEFAULT_DATA
    county_dir = args.county_dir or DEFAULT_COUNTY
    county = json.loads((county_dir / "county.json").read_text(encoding="utf-8"))
    with open(data, encoding="utf-8") as f:
        cases = [json.loads(line) for line in f if line.strip()]
    if args.limit:
        cases = cases[: args.limit]
    library = None if args.address_library == "none" else args.address_library
    t0 = time.perf_counter()
    extractor = FieldExtractor(county, address_library=library)
    extractor.warm_up()
    warm_s = time.perf_counter() - t0

    counts = {f: {"tp": 0, "fp": 0, "fn": 0, "exact": 0, "n": 0} for f in SCORED}
    produced = dict.fromkeys(SCORED, False)
    latencies, detail_f1 = [], []
    details = []
    appeal_types = None
    if not getattr(args, "extractor_only", False):
        from classifiers import load_shipped

        appeal_types = load_shipped("appeal_type")
    for case in cases:
        call_time = dt.datetime.fromisoformat(case["call_time"])
        start = time.perf_counter()
        draft = extractor.run(case["turns"], call_time)
        latencies.append((time.perf_counter() - start) * 1000)
        got = draft.values()
        if appeal_types is not None:  # the service fills this slot from the appeal-type classifier
            caller = "。".join(t["text"] for t in case["turns"] if t.get("speaker") != "agent")
            got["appeal_type"] = appeal_types.classify([caller or " "])[0].label
        expected = case.get("expected") or {}
        row = {"id": case.get("id"), "wrong": {}}
        for field in SCORED:
            if got.get(field) not in (None, [], ""):
                produced[field] = True
            if field not in expected:
                continue
            g, e = _norm(field, got.get(field), call_time), _norm(field, expected[field], call_time)
            c = counts[field]
            c["n"] += 1
            c["exact"] += g == e
            if field == "phones":
                gs, es = g or frozenset(), e or frozenset()
                c["tp"] += len(gs & es)
                c["fp"] += len(gs - es)
                c["fn"] += len(es - gs)
            else:
                c["tp"] += g is not None and g == e
                c["fp"] += g is not None and g != e
                c["fn"] += e is not None and g != e
            if field == "address_detail":
                detail_f1.append(_char_f1(g, e))
            if g != e:
                row["wrong"][field] = {"got": got.get(field), "expected": expected[field]}
        details.append(row)

    long_turns = _long_call(cases)
    any_time = dt.datetime.fromisoformat(cases[0]["call_time"]) if cases else dt.datetime.now(dt.UTC)
    full_ms = []
    for _ in range(5):
        fresh = FieldExtractor(county, address_library=library)  # no per-text cache: a cold full draft
        fresh.warm_up()
        start = time.perf_counter()
        fresh.run(long_turns, any_time)
        full_ms.append((time.perf_counter() - start) * 1000)
    live = LiveDraft(FieldExtractor(county, address_library=library), any_time)
    for t in long_turns[:-1]:
        live.add(t)
    start = time.perf_counter()
    live.add(long_turns[-1]) if long_turns else None
    live_last_ms = (time.perf_counter() - start) * 1000

    figures = _figures(counts, produced, latencies, detail_f1)
    figures.update({
        "cases": len(cases), "warm_up_s": round(warm_s, 2), "address_library": extractor.address_library_,
        "long_call_ms": round(statistics.median(full_ms), 1), "long_call_turns": len(long_turns),
        "long_call_s": round(long_turns[-1]["end"], 1) if long_turns else 0.0,
        "live_last_segment_ms": round(live_last_ms, 1), "data": str(data),
    })
    _print(figures)
    if args.details:
        with open(args.details, "w", encoding="utf-8") as f:
            for row in details:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return figures


def _figures(counts: dict, produced: dict, latencies: list[float], detail_f1: list[float]) -> dict:
    exact, precision, recall, f1 = {}, {}, {}, {}
    for field, c in counts.items():
        if not c["n"] or not produced[field]:
            continue
        exact[field] = round(c["exact"] / c["n"], 4)
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        precision[field], recall[field] = round(p, 4), round(r, 4)
        f1[field] = round(2 * p * r / (p + r), 4) if p + r else 0.0
    return {
        "field_exact": exact, "precision": precision, "recall": recall, "f1": f1,
        "scored": {f: c["n"] for f, c in counts.items() if c["n"]},
        "not_produced": [f for f, c in counts.items() if c["n"] and not produced[f]],
        "detail_char_f1": round(sum(detail_f1) / len(detail_f1), 4) if detail_f1 else None,
        "p50_ms": round(percentile(latencies, 50), 2), "p95_ms": round(percentile(latencies, 95), 2),
        "max_ms": round(max(latencies), 2) if latencies else 0.0,
    }


def _print(fig: dict) -> None:
    print(f"fill: {fig['cases']} calls, address library: {fig['address_library'] or 'none'}")
    print(f"{'field':16} {'exact':>7} {'P':>7} {'R':>7} {'F1':>7} {'n':>5}")
    for field, value in fig["field_exact"].items():
        print(f"{field:16} {value:7.3f} {fig['precision'][field]:7.3f} {fig['recall'][field]:7.3f} "
              f"{fig['f1'][field]:7.3f} {fig['scored'][field]:5d}")
    if fig["not_produced"]:
        print("not produced here (other classifiers): " + ", ".join(fig["not_produced"]))
    print(f"address detail char F1 {fig['detail_char_f1']}")
    print(f"latency per call p50 {fig['p50_ms']} ms, p95 {fig['p95_ms']} ms, max {fig['max_ms']} ms")
    print(f"5-minute call ({fig['long_call_turns']} turns, {fig['long_call_s']} s): full draft {fig['long_call_ms']} ms, "
          f"last live segment {fig['live_last_segment_ms']} ms; warm-up {fig['warm_up_s']} s")
