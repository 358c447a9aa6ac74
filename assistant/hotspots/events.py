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
from scipy.sparse.csgraph import connected_components

from assistant.governance.similarity import DIM, ngram_vector


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


def heat_of(appeals: int, people: int, support: int, span: timedelta) -> float:
    weeks = span.total_seconds() / (7 * 86400)
    return 2 * people + appeals + math.log1p(max(support, 0)) + appeals / (1 + weeks)


def find_events(appeals: list[Appeal], *, threshold: float = 0.40, window: timedelta = timedelta(days=30),
                min_people: int = 2, top: int = 20) -> list[HotEvent]:
    """Group ``appeals`` into events and return the ``top`` by heat (at least ``min_people``
    distinct people each). Appeals without a place are linked to any place's event."""
    items = sorted(appeals, key=lambda a: (a.at, a.id))
    if not items:
        return []
    vectors = [ngram_vector(a.text) for a in items]
    rows = np.repeat(np.arange(len(items)), [len(v[0]) for v in vectors])
    matrix = sparse.csr_matrix(
        (np.concatenate([v[1] for v in vectors]), (rows, np.concatenate([v[0] for v in vectors]))),
        shape=(len(items), DIM))
    sims = (matrix @ matrix.T).tocsr()  # sparse: only appeals that share a gram
    pairs = sims.tocoo()
    stamps = np.array([a.at.timestamp() for a in items])
    places = np.array([a.place for a in items], dtype=object)
    keep = (pairs.row < pairs.col) & (pairs.data >= threshold)
    keep &= np.abs(stamps[pairs.row] - stamps[pairs.col]) <= window.total_seconds()
    # an appeal that names no place may belong to any place's event
    a_place, b_place = places[pairs.row], places[pairs.col]
    keep &= (a_place == b_place) | (a_place == "") | (b_place == "")
    links = sparse.coo_matrix((np.ones(int(keep.sum())), (pairs.row[keep], pairs.col[keep])),
                              shape=(len(items), len(items)))
    _, labels = connected_components(links, directed=False)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels.tolist()):
        groups[label].append(i)
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
            scores = np.asarray(sims[idx][:, idx].sum(axis=1)).ravel()
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
