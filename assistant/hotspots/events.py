"""Hot-spot events (热点事件): appeals about one event, grouped, and ranked by heat.

Category × township counts (``detect``) say *which area* is rising; supervisors also ask *which
event* draws the most people. Appeals are linked when they name the same place and their text is
alike (character n-gram cosine, the same vectors as the repeated-appeal detection) within a time
window; the linked groups (connected components) are events. Heat follows the usual 12345 /
Teddy Cup reading of a hot spot: how many people, how many appeals, how much support (likes or
co-signers), and how concentrated in time::

    heat = 2·people + appeals + ln(1 + support) + burst,   burst = appeals / (1 + span in weeks)

Each event carries its explanation (who, where, when, how many) in Chinese.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from scipy import sparse

from assistant.governance.similarity import DIM, Sparse, ngram_vector


@dataclass(frozen=True)
class Appeal:
    id: int
    text: str
    place: str
    at: datetime
    person: str = ""  # caller number, ID or user id: people, not appeals, make a hot spot
    support: int = 0  # likes, co-signers


@dataclass
class HotEvent:
    ids: list[int]
    place: str
    first: datetime
    last: datetime
    people: int
    support: int
    heat: float
    title: str
    explanation: str = ""
    members: list[Appeal] = field(default_factory=list, repr=False)


def _cosine(a: Sparse, b: Sparse) -> float:
    common, ia, ib = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
    return float(np.dot(a[1][ia], b[1][ib])) if len(common) else 0.0


class _Components:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def heat_of(appeals: int, people: int, support: int, span: timedelta) -> float:
    weeks = span.total_seconds() / (7 * 86400)
    return 2 * people + appeals + math.log1p(max(support, 0)) + appeals / (1 + weeks)


def find_events(appeals: list[Appeal], *, threshold: float = 0.40, window: timedelta = timedelta(days=30),
                min_people: int = 2, top: int = 20) -> list[HotEvent]:
    """Group ``appeals`` into events and return the ``top`` by heat (at least ``min_people``
    distinct people each). Appeals without a place are linked to any place's event."""
    items = sorted(appeals, key=lambda a: (a.at, a.id))
    vectors = [ngram_vector(a.text) for a in items]
    comps = _Components(len(items))
    if items:
        rows = np.repeat(np.arange(len(items)), [len(v[0]) for v in vectors])
        matrix = sparse.csr_matrix(
            (np.concatenate([v[1] for v in vectors]), (rows, np.concatenate([v[0] for v in vectors]))),
            shape=(len(items), DIM))
        sims = (matrix @ matrix.T).tocoo()  # sparse: only appeals that share a gram
        stamps = np.array([a.at.timestamp() for a in items])
        places = [a.place for a in items]
        keep = (sims.row < sims.col) & (sims.data >= threshold)
        keep &= np.abs(stamps[sims.row] - stamps[sims.col]) <= window.total_seconds()
        for i, j in zip(sims.row[keep].tolist(), sims.col[keep].tolist(), strict=True):
            # an appeal that names no place may belong to any place's event
            if places[i] == places[j] or not places[i] or not places[j]:
                comps.join(i, j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        groups[comps.find(i)].append(i)
    events: list[HotEvent] = []
    for idx in groups.values():
        members = [items[i] for i in idx]
        people = len({m.person or f"#{m.id}" for m in members})
        if people < min_people:
            continue
        first, last = members[0].at, members[-1].at
        support = sum(m.support for m in members)
        heat = heat_of(len(members), people, support, last - first)
        # the title is the appeal most like the others (the medoid)
        if len(idx) <= 60:
            scores = [sum(_cosine(vectors[i], vectors[j]) for j in idx) for i in idx]
            title_idx = idx[int(np.argmax(scores))]
        else:
            title_idx = idx[0]
        title = items[title_idx].text.split("。", 1)[0][:60]
        span_days = max(1, math.ceil((last - first).total_seconds() / 86400))
        explanation = (f"{members[0].place or '地点不明'}：{span_days} 天内 {people} 人次反映 {len(members)} 件，"
                       f"支持 {support} 次，热度 {heat:.1f}（{first:%m-%d} 至 {last:%m-%d}）")
        events.append(HotEvent(ids=[m.id for m in members], place=members[0].place, first=first, last=last,
                               people=people, support=support, heat=round(heat, 2), title=title,
                               explanation=explanation, members=members))
    events.sort(key=lambda e: (-e.heat, e.first))
    return events[:top]
