"""QA utterances: per-item precision and recall of the QA rules on short hand-written agent utterances.

Data: ``--data`` (default ``eval/dev/qa/utterances.txt``), one line each ``ITEM SIGN [CALLER |] AGENT``
(``+`` violated, ``-`` not). Each line is wrapped in a short call (a standard opening, the caller's words
or a neutral question, the agent's words, a standard closing; for ``opening``/``closing`` the agent's
words are the first/last turn) and the named item is scored on it. Fatal lines also report how many
violating calls the confidence routing would have auto-accepted (the aim is none)."""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from pathlib import Path

from classifiers.qa import QaScorer
from eval.common import DEV_DIR

DEFAULT_DATA = DEV_DIR / "qa" / "utterances.txt"
FATAL = ("abuse", "confidential_leak", "forbidden_promise")
OPENING = "您好，12345热线，很高兴为您服务。"
CLOSING = [
    ("agent", "请问还有其他可以帮您的吗？"),
    ("caller", "没有了。"),
    ("agent", "好的，感谢您的来电，再见。"),
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None, help="utterance lines (default: the dev file)")
    parser.add_argument("--show", action="store_true", help="print every wrong line")
    parser.add_argument("--no-model", action="store_true", help="word lists only (no sentence or tone model)")
    parser.add_argument(
        "--no-learned", action="store_true", help="rules alone: leave out the learned fatal-family sentence model"
    )
    parser.add_argument(
        "--kb-sentences",
        action="store_true",
        help="instead of --data: every sentence of the demo county's KB answers as compliant agent words "
        "for abuse, 禁用语, promise and leak (a precision check on ordinary answers)",
    )


def read_lines(path: Path) -> list[tuple[str, bool, str, str]]:
    """``(item, violated, caller words, agent words)`` for each line of the file."""
    out = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        item, sign, rest = line.split(None, 2)
        if sign not in "+-" or len(sign) != 1:
            raise ValueError(f"{path}:{n}: sign must be + or -")
        caller, _, agent = rest.rpartition("|")
        out.append((item, sign == "+", caller.strip(), agent.strip()))
    return out


def kb_lines() -> list[tuple[str, bool, str, str]]:
    """The demo county's knowledge-base answers, sentence by sentence, as compliant agent words."""
    path = Path(__file__).resolve().parents[2] / "assistant" / "demo" / "heifeng" / "knowledge_base.jsonl"
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        for sentence in re.split(r"[。！？\n]", json.loads(line)["answer"]):
            if len(sentence) >= 6:
                out += [(item, False, "", f"好的，{sentence}。") for item in (*FATAL, "forbidden_phrase")]
    return out


def _dur(text: str) -> float:
    return max(1.0, round(len(text) / 4.0, 1))


def make_call(item: str, caller: str, agent: str, index: int) -> dict:
    """A short call that puts ``agent`` where ``item`` looks at it."""
    script: list[tuple[str, str]] = []
    if item == "opening":
        script = [
            ("agent", agent),
            ("caller", caller or "你好，我想问一下户口迁移要带么子材料。"),
            ("agent", "带身份证和户口本去派出所办就可以。"),
            ("caller", "好的。"),
            *CLOSING,
        ]
    elif item == "closing":
        script = [
            ("agent", OPENING),
            ("caller", caller or "你好，我想问一下户口迁移要带么子材料。"),
            ("agent", "带身份证和户口本去派出所办就可以。"),
            ("caller", "好的，晓得了。"),
            ("agent", agent),
        ]
    else:
        script = [
            ("agent", OPENING),
            ("caller", caller or "你好，我想反映个事情，你们管不管？"),
            ("agent", agent),
            ("caller", "好嘛。"),
            *CLOSING,
        ]
    turns, t = [], 0.0
    for speaker, text in script:
        d = _dur(text)
        turns.append({"speaker": speaker, "start": round(t, 2), "end": round(t + d, 2), "text": text})
        t += d + 0.5
    return {"call_id": f"u-{index:03d}", "turns": turns}


def run(args: argparse.Namespace) -> dict:
    lines = kb_lines() if getattr(args, "kb_sentences", False) else read_lines(args.data or DEFAULT_DATA)
    scorer = QaScorer(use_model=not args.no_model, use_learned=not getattr(args, "no_learned", False))
    scorer.warm_up()
    counts: dict[str, list[int]] = {}
    auto_accepted, wrong, cpu0, t0 = 0, [], time.process_time(), time.perf_counter()
    for k, (item, violated, caller, agent) in enumerate(lines):
        result = scorer.run(make_call(item, caller, agent, k))
        r = result.item(item)
        pred = bool(r and r.violated)
        c = counts.setdefault(item, [0, 0, 0, 0])
        c[0 if pred and violated else 1 if pred else 2 if violated else 3] += 1
        if violated and item in FATAL and result.route == "auto_accept":
            auto_accepted += 1
        if pred != violated:
            wrong.append(
                f"{item} {'+' if violated else '-'} {caller + ' | ' if caller else ''}{agent}"
                f"  →  {r.message if r else '?'}"
            )
    precision = {i: (c[0] / (c[0] + c[1]) if c[0] + c[1] else 1.0) for i, c in sorted(counts.items())}
    recall = {i: (c[0] / (c[0] + c[2]) if c[0] + c[2] else 1.0) for i, c in sorted(counts.items())}
    tp, fp, fn = (sum(c[j] for c in counts.values()) for j in range(3))
    figures = {
        "item_precision": precision,
        "item_recall": recall,
        "item_support": {i: {"violated": c[0] + c[2], "compliant": c[1] + c[3]} for i, c in counts.items()},
        "micro_precision": tp / (tp + fp) if tp + fp else 1.0,
        "micro_recall": tp / (tp + fn) if tp + fn else 1.0,
        "lines": len(lines),
        "fatal_auto_accepted": auto_accepted,
        "wall_s": round(time.perf_counter() - t0, 3),
        "cpu_s": round(time.process_time() - cpu0, 3),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(
        f"lines {len(lines)}  micro P {figures['micro_precision']:.2f} R {figures['micro_recall']:.2f}  "
        f"fatal auto-accepted {auto_accepted}  CPU {figures['cpu_s']} s"
    )
    print(f"{'item':<20}{'P':>6}{'R':>6}  violated/compliant")
    for item in precision:
        s = figures["item_support"][item]
        print(f"{item:<20}{precision[item]:>6.2f}{recall[item]:>6.2f}  {s['violated']}/{s['compliant']}")
    if args.show:
        print("\n".join(wrong))
    return figures
