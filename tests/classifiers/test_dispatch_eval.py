"""``python -m eval dispatch``: figures with the contract's keys on a small data file."""

from __future__ import annotations

import argparse
import json

from eval.tasks import dispatch


def test_eval_dispatch_figures(tmp_path):
    cases = [
        {"text": "我们这里三天两头停电，冰箱里的东西都坏了", "address": "中营镇", "expected_unit": "gdgs",
         "expected_level": "county", "escalate": False},
        {"text": "村里的水泥路烂成坑了，车子过不去", "address": "太平镇茅坪村", "expected_unit": "太平镇人民政府",
         "expected_level": "township", "escalate": False},
        {"text": "几个部门推来推去，都说不归他们管", "address": "", "expected_unit": "鹤峰县人民政府办公室",
         "expected_level": "county", "escalate": True},
    ]
    data = tmp_path / "cases.jsonl"
    data.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in cases), encoding="utf-8")
    parser = argparse.ArgumentParser()
    dispatch.add_arguments(parser)
    figures = dispatch.run(parser.parse_args(["--data", str(data), "--no-embeddings"]))
    for key in ("unit_accuracy", "level_accuracy", "escalation_precision", "escalation_recall", "cases", "p95_ms"):
        assert key in figures
    assert figures["cases"] == 3 and figures["unit_accuracy"] == 1.0 and figures["escalation_precision"] == 1.0
