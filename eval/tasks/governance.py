"""Repeated (一人多次) and concentrated (一事多人) appeals over real messages: what detection finds
(counts, largest clusters with their messages), the precision of the clusters on hand-judged pairs,
and the detection time for one new appeal.

Data: ``--data`` a CSV with ``id,user,title,time,detail`` (e.g. ``../shared/data/messages/
teddycup_messages_votes.csv``); default the project's dev stream ``eval/dev/governance/stream.jsonl``.
Replays the messages in time order through the service's own detector (``assistant.governance``):
each message against those before it, users as callers, the district/county named in the text
(``A3区``, ``A7县``) as the place; the messages have no category. ``--labels`` (default
``eval/dev/governance/labels.jsonl``) holds only judgements, never text: ``{"kind", "master",
"member", "same": true|false}`` (message ids); precision = share of judged (master, member) pairs
of the clusters found that are the same matter."""

from __future__ import annotations

import argparse
import csv
import json
import re
import time
from datetime import datetime
from pathlib import Path

from assistant.governance.detector import Entry, RecentIndex, detect
from assistant.governance.policy import GovernancePolicy
from assistant.governance.similarity import TextEncoder, ngram_vector
from eval.common import DEV_DIR, percentile

DEFAULT_STREAM = DEV_DIR / "governance" / "stream.jsonl"
DEFAULT_LABELS = DEV_DIR / "governance" / "labels.jsonl"
_PLACE = re.compile(r"A\d+[区县]")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None, help="messages CSV (id,user,title,time,detail)")
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS, help="judged pairs (jsonl)")
    parser.add_argument("--method", choices=("ngram", "embedding"), default="ngram")
    parser.add_argument("--repeat-min", type=int, default=None, help="override repeat.min_count")
    parser.add_argument("--concentrated-min", type=int, default=None, help="override concentrated.min_callers")
    parser.add_argument("--threshold", type=float, default=None, help="override the similarity threshold")
    parser.add_argument("--top", type=int, default=5, help="clusters to print per kind")
    parser.add_argument("--pairs-out", type=Path, default=None,
                        help="write the clusters' (master, member) id pairs here, to judge by hand")


def _time(text: str) -> float:
    for fmt in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(text.strip(), fmt).timestamp()
        except ValueError:
            continue
    raise ValueError(f"bad time: {text}")


def read_messages(path: Path | None) -> list[dict]:
    if path is None:
        rows = [json.loads(x) for x in DEFAULT_STREAM.read_text(encoding="utf-8").splitlines() if x.strip()]
    else:
        with path.open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        title, detail = r.get("title", ""), r.get("detail", "")
        place = r.get("place") or (m.group(0) if (m := _PLACE.search(title + detail)) else "")
        out.append({"id": int(r["id"]), "user": r["user"], "at": _time(r["time"]), "title": title,
                    "text": f"{title}。{detail}"[:600], "place": place})
    return sorted(out, key=lambda r: (r["at"], r["id"]))


def _policy(args: argparse.Namespace) -> GovernancePolicy:
    data = GovernancePolicy().model_dump()
    if args.repeat_min:
        data["repeat"]["min_count"] = args.repeat_min
    if args.concentrated_min:
        data["concentrated"]["min_callers"] = args.concentrated_min
    if args.threshold:
        data["similarity"]["ngram_threshold" if args.method == "ngram" else "embedding_threshold"] = args.threshold
    return GovernancePolicy.from_dict(data)


def run(args: argparse.Namespace) -> dict:
    policy = _policy(args)
    msgs = read_messages(args.data)
    vectors = None
    if args.method == "embedding":
        enc = TextEncoder()
        if not enc.warm_up():
            raise SystemExit(enc.error)
        vectors = enc.encode([m["text"] for m in msgs])
    index = RecentIndex(keep_days=policy.longest_window_days + 1)
    clusters: dict[str, list[list[int]]] = {"repeat": [], "concentrated": []}
    member_of: dict[str, dict[int, int]] = {"repeat": {}, "concentrated": {}}
    times = []
    for n, m in enumerate(msgs):
        e = Entry(m["id"], m["at"], (f"user:{m['user']}",), m["place"], "", ngram_vector(m["text"]),
                  None if vectors is None else vectors[n])
        t0 = time.perf_counter()
        found = detect(e, index, policy)
        times.append((time.perf_counter() - t0) * 1000)
        for f in found:  # as the case service does: join the open cluster of that kind, or open one
            owner = member_of[f.kind]
            c = next((owner[t] for t in f.ticket_ids if t in owner), None)
            if c is None:
                clusters[f.kind].append([])
                c = len(clusters[f.kind]) - 1
            for t in sorted(f.ticket_ids):
                if t not in owner:
                    owner[t] = c
                    clusters[f.kind][c].append(t)
        index.add(e)
        index.prune(e.at)
    by_id = {m["id"]: m for m in msgs}
    pairs = [(kind, min(c), t) for kind, cs in clusters.items() for c in cs for t in c if t != min(c)]
    if args.pairs_out:
        args.pairs_out.write_text("".join(json.dumps({"kind": k, "master": a, "member": b}) + "\n"
                                          for k, a, b in pairs), encoding="utf-8")
    labels = {}
    if args.labels and args.labels.exists():
        for line in args.labels.read_text(encoding="utf-8").splitlines():
            if line.strip():
                j = json.loads(line)
                labels[(j["kind"], j["master"], j["member"])] = bool(j["same"])
    judged = [labels[p] for p in pairs if p in labels]
    out = {"messages": len(msgs), "method": args.method,
           "thresholds": {"repeat_min": policy.repeat.min_count, "concentrated_min": policy.concentrated.min_callers,
                          "similarity": policy.similarity.ngram_threshold if args.method == "ngram"
                          else policy.similarity.embedding_threshold},
           "repeat_clusters": len(clusters["repeat"]), "concentrated_clusters": len(clusters["concentrated"]),
           "repeat_messages": sum(map(len, clusters["repeat"])),
           "concentrated_messages": sum(map(len, clusters["concentrated"])),
           "pairs": len(pairs), "judged_pairs": len(judged),
           "cluster_precision": round(sum(judged) / len(judged), 4) if judged else None,
           "detect_p50_ms": round(percentile(times, 50), 3), "detect_p95_ms": round(percentile(times, 95), 3)}
    for kind, cs in clusters.items():
        print(f"\n== {kind}: {len(cs)} clusters, largest first ==")
        for c in sorted(cs, key=len, reverse=True)[: args.top]:
            print(f"-- {len(c)} messages, place {by_id[c[0]]['place'] or '-'}")
            for t in c:
                m = by_id[t]
                mark = {True: "✓", False: "✗"}.get(labels.get((kind, min(c), t)), " ") if t != min(c) else "M"
                print(f"   {mark} {t} {m['user']} {datetime.fromtimestamp(m['at']):%Y-%m-%d %H:%M} {m['title'][:50]}")

    return out
