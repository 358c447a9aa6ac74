"""Hot-spot events on real messages: group appeals about one event, rank them by heat, and judge
the top events' coherence against hand labels.

    python -m eval hotspots --data ../shared/data/messages/teddycup_messages_votes.csv [--top 20]

With no ``--data`` it runs on the project's own dev stream (eval/dev/governance/stream.jsonl).
Labels (eval/dev/hotspots/labels.jsonl) hold only message ids and a judgement: an event is judged
by the smallest id in it, ``coherent`` when all its messages are about one matter in one place.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from datetime import datetime
from pathlib import Path

from assistant.hotspots.events import Appeal, find_events
from eval.common import DEV_DIR
from eval.tasks.governance import read_messages

DEFAULT_LABELS = DEV_DIR / "hotspots" / "labels.jsonl"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None, help="messages CSV (id,user,title,time,detail,likes…)")
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--top", type=int, default=20, help="events to rank and judge")
    parser.add_argument("--threshold", type=float, default=0.40)
    parser.add_argument("--window-days", type=int, default=30)
    parser.add_argument("--show", type=int, default=4, help="messages printed per event")


def _support(path: Path | None) -> dict[int, int]:
    if path is None:
        return {}
    with path.open(encoding="utf-8") as f:
        return {int(r["id"]): int(r.get("likes") or 0) + int(r.get("dislikes") or 0) for r in csv.DictReader(f)}


def run(args: argparse.Namespace) -> dict:
    from datetime import timedelta

    messages = read_messages(args.data)
    support = _support(args.data)
    appeals = [Appeal(id=m["id"], text=m["text"], place=m["place"], at=datetime.fromtimestamp(m["at"]),
                      person=m["user"], support=support.get(m["id"], 0)) for m in messages]
    start = time.perf_counter()
    events = find_events(appeals, threshold=args.threshold, window=timedelta(days=args.window_days), top=args.top)
    seconds = time.perf_counter() - start
    labels = {}
    if args.labels.exists():
        for line in args.labels.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                labels[int(row["event"])] = bool(row["coherent"])
    judged = [labels[min(e.ids)] for e in events if min(e.ids) in labels]
    print(f"热点事件（{len(appeals)} 条诉求，前 {len(events)} 个，用时 {seconds:.2f} s）")
    for rank, e in enumerate(events, 1):
        mark = {True: "✔", False: "✘"}.get(labels.get(min(e.ids)), "?")
        print(f"{rank:>2}. [{mark}] 事件 {min(e.ids)}  {e.explanation}")
        for m in e.members[:args.show]:
            print(f"      {m.id} {m.at:%Y-%m-%d} {m.person} {m.text[:70]}")
    precision = sum(judged) / len(judged) if judged else None
    if judged:
        print(f"人工判定：前 {len(events)} 个事件中判定 {len(judged)} 个，内容一致 {sum(judged)} 个，精确率 {precision:.3f}")
    return {"messages": len(appeals), "events": len(events), "judged": len(judged),
            "precision": round(precision, 3) if precision is not None else None,
            "top_heat": events[0].heat if events else None, "seconds": round(seconds, 2)}
