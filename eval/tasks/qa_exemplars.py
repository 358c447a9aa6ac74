"""QA exemplars: the sentence model (char n-grams) against e5 nearest-exemplar similarity, per item.

Both learn from the shipped exemplars (``classifiers/qa/data/exemplars.txt``, or ``--train``) and are
tested on a hand-written utterance set (``--data``, default ``eval/dev/qa/utterances3.txt``): recall on
its violating lines and false alarms on its compliant ones, plus false alarms on every agent turn of
the dev calls whose label for the item is compliant (``eval/dev/qa/*.jsonl``), at several thresholds;
and the CPU each needs per sentence."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from classifiers.qa.exemplar import EXEMPLARS, ExemplarModel, read_exemplars
from classifiers.qa.text import fold_str
from eval.common import DEV_DIR
from eval.tasks.qa_utterances import read_lines

ITEMS = ("abuse", "forbidden_phrase", "forbidden_promise")
SETS = ("tuning", "calls", "holdout", "holdout2", "holdout3", "holdout4")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=DEV_DIR / "qa" / "utterances3.txt")
    parser.add_argument("--train", type=Path, default=EXEMPLARS)
    parser.add_argument("--no-e5", action="store_true", help="only the char n-gram model (e5 is slow)")


def _pool(item: str) -> list[str]:
    out = []
    for name in SETS:
        for line in (DEV_DIR / "qa" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            call = json.loads(line)
            if call.get("labels", {}).get(item) is False:
                out += [t["text"] for t in call["turns"] if t["speaker"] == "agent"]
    return out


def _rates(pos: np.ndarray, neg: np.ndarray, dev: np.ndarray, th: float) -> dict:
    return {
        "recall": float(np.mean(pos >= th)) if len(pos) else None,
        "false_alarm_lines": float(np.mean(neg >= th)) if len(neg) else None,
        "false_alarm_dev_turns": int((dev >= th).sum()),
        "dev_turns": len(dev),
    }


def run(args: argparse.Namespace) -> dict:
    rows = read_exemplars(args.train)
    test = read_lines(args.data)
    model = ExemplarModel().fit(rows)
    figures: dict = {"char_model": {}, "e5": {}, "load_average": [round(x, 2) for x in os.getloadavg()]}
    pools = {item: _pool(item) for item in ITEMS}
    c0 = time.process_time()
    n = 0
    for item in ITEMS:
        pos = [fold_str(a) for i, v, _, a in test if i == item and v]
        neg = [fold_str(a) for i, v, _, a in test if i == item and not v]
        dev = [fold_str(t) for t in pools[item]]
        p, q, d = (np.array(model.proba(item, x)) for x in (pos, neg, dev))
        n += len(pos) + len(neg) + len(dev)
        figures["char_model"][item] = {str(th): _rates(p, q, d, th) for th in (0.5, 0.6, 0.7, 0.8)}
    figures["char_model_cpu_ms_per_sentence"] = round((time.process_time() - c0) * 1000 / max(n, 1), 3)
    if not args.no_e5:
        from classifiers.embedding import E5Embedder

        emb = E5Embedder(max_chars=64)
        c0, n = time.process_time(), 0
        for item in ITEMS:
            bank_pos = emb.embed([t for i, v, t in rows if i == item and v])
            bank_neg = emb.embed([t for i, v, t in rows if i != item or not v])
            texts = [
                [a for i, v, _, a in test if i == item and v],
                [a for i, v, _, a in test if i == item and not v],
                pools[item],
            ]
            margins = []
            for xs in texts:
                x = emb.embed(xs) if xs else np.zeros((0, bank_pos.shape[1]), dtype=np.float32)
                n += len(xs)
                margins.append((x @ bank_pos.T).max(1) - (x @ bank_neg.T).max(1) if len(xs) else np.array([]))
            figures["e5"][item] = {str(m): _rates(*margins, m) for m in (0.0, 0.02, 0.04)}
        figures["e5_cpu_ms_per_sentence"] = round((time.process_time() - c0) * 1000 / max(n, 1), 3)
    for kind in ("char_model", "e5"):
        for item, by in figures[kind].items():
            cells = "  ".join(
                f"{th}: R {r['recall']:.2f} FA {r['false_alarm_lines']:.2f} dev {r['false_alarm_dev_turns']}"
                for th, r in by.items()
            )
            print(f"{kind:<10} {item:<18} {cells}")
    print(
        f"CPU per sentence: char model {figures['char_model_cpu_ms_per_sentence']} ms, "
        f"e5 {figures.get('e5_cpu_ms_per_sentence', '-')} ms (load {figures['load_average'][0]})"
    )
    return figures
