"""The QA dev set is well formed, covers every item both ways, and `python -m eval qa` runs on it."""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path

from classifiers.qa import load_rubric
from eval.tasks import qa as qa_task

DEV = Path(__file__).resolve().parents[2] / "eval" / "dev" / "qa"


def load(name: str) -> list[dict]:
    return [
        json.loads(line) for line in (DEV / name).read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def test_jsonl_is_built_from_the_hand_written_scripts():
    spec = importlib.util.spec_from_file_location("qa_build", DEV / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    for name in ("calls", "tuning", "holdout", "holdout2", "holdout3", "holdout4", "holdout5", "holdout6", "holdout7",
                 "holdout8", "holdout9"):
        assert build.parse((DEV / f"{name}.txt").read_text(encoding="utf-8")) == load(f"{name}.jsonl"), name


def test_calls_cover_every_item_both_ways():
    calls = load("calls.jsonl")
    items = {i.id for i in load_rubric().items}
    assert len(calls) >= 70 and len({c["call_id"] for c in calls}) == len(calls)
    for item in items:
        values = [c["labels"][item] for c in calls if item in c["labels"]]
        assert True in values and False in values, item
    for c in calls:
        assert set(c["labels"]) <= items and 0 <= c["human_total"] <= 100
        for t in c["turns"]:
            assert t["speaker"] in ("agent", "caller", "other") and t["end"] > t["start"] and t["text"]
    others = {c["call_id"] for name in ("tuning.jsonl", "holdout.jsonl", "holdout2.jsonl", "holdout3.jsonl", "holdout4.jsonl",
                                                   "holdout5.jsonl", "holdout6.jsonl", "holdout7.jsonl", "holdout8.jsonl",
                                                   "holdout9.jsonl") for c in load(name)}
    assert not {c["call_id"] for c in calls} & others


def test_eval_task_reports_the_contract_keys(capsys):
    parser = argparse.ArgumentParser()
    qa_task.add_arguments(parser)
    figures = qa_task.run(parser.parse_args(["--data", str(DEV / "tuning.jsonl"), "--long-call-s", "60"]))
    assert {"item_precision", "item_recall", "calls", "pearson", "spearman", "p95_ms"} <= set(figures)
    assert figures["calls"] == 26 and set(figures["item_precision"]) == set(figures["item_recall"])
    assert all(0 <= v <= 1 for v in figures["item_recall"].values())
