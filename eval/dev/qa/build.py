"""Turn the hand-written call scripts (``*.txt`` here) into the jsonl files of the QA dev set.

Usage: ``python eval/dev/qa/build.py`` (writes ``calls.jsonl`` and ``tuning.jsonl`` next to their
``.txt`` sources). The script format is described in ``README.md``; this file only parses it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ITEMS = (
    "opening",
    "closing",
    "forbidden_phrase",
    "interrupt",
    "silence",
    "speech_rate",
    "kb_agreement",
    "dispatch",
    "appeal_type",
    "key_facts",
    "category",
    "caller_emotion",
    "agent_attitude",
    "confidential_leak",
    "abuse",
    "forbidden_promise",
)
SPEAKERS = {"A": "agent", "C": "caller", "O": "other"}


def _labels(call: dict, violated: set[str], not_scored: set[str]) -> dict[str, bool]:
    unknown = (violated | not_scored) - set(ITEMS)
    if unknown:
        raise ValueError(f"{call['call_id']}: unknown items {sorted(unknown)}")
    labels = {}
    for item in ITEMS:
        if item in not_scored:
            continue
        if item == "kb_agreement" and not call.get("kb_answer"):
            continue
        if item == "dispatch" and not call.get("dispatch"):
            continue
        if item in ("appeal_type", "key_facts") and not call.get("ticket"):
            continue
        if item == "category" and not (call.get("ticket") or {}).get("category"):
            continue
        labels[item] = item in violated
    return labels


def parse(text: str) -> list[dict]:
    calls, cur, violated, not_scored = [], None, set(), set()

    def close() -> None:
        if cur is not None:
            cur["labels"] = _labels(cur, violated, not_scored)
            calls.append(cur)

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("==="):
            close()
            cur, violated, not_scored = {"call_id": line[3:].strip(), "turns": []}, set(), set()
            continue
        key, _, rest = line.partition(" ")
        if key in SPEAKERS:
            start, end, words = rest.split(" ", 2)
            if float(end) <= float(start):
                raise ValueError(f"line {lineno}: end before start")
            cur["turns"].append(
                {"speaker": SPEAKERS[key], "start": float(start), "end": float(end), "text": words.strip()}
            )
            continue
        name, _, value = line.partition(":")
        value = value.strip()
        if name == "note":
            cur["note"] = value
        elif name == "ticket":
            cur["ticket"] = json.loads(value)
        elif name == "kb":
            cur["kb_answer"] = value
        elif name == "dispatch":
            parts = [p.strip() for p in value.split("|")] + [""]
            cur["dispatch"] = {"suggested": parts[0], "chosen": parts[1]}
            if parts[2]:
                cur["dispatch"]["reason"] = parts[2]
        elif name == "viol":
            violated = {v for v in value.split() if v != "-"}
        elif name == "na":
            not_scored = set(value.split())
        elif name == "total":
            cur["human_total"] = float(value)
        else:
            raise ValueError(f"line {lineno}: cannot read {raw!r}")
    close()
    return calls


def build(name: str) -> int:
    calls = parse((HERE / f"{name}.txt").read_text(encoding="utf-8"))
    ids = [c["call_id"] for c in calls]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{name}: duplicate call ids")
    with open(HERE / f"{name}.jsonl", "w", encoding="utf-8") as out:
        for call in calls:
            out.write(json.dumps(call, ensure_ascii=False) + "\n")
    return len(calls)


if __name__ == "__main__":
    for stem in sys.argv[1:] or ("tuning", "calls"):
        if (HERE / f"{stem}.txt").exists():
            print(stem, build(stem))
