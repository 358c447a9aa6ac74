"""Repeated (一人多次) and concentrated (一事多人) appeals, found for one new appeal against an
in-memory index of the recent ones. Plain data in and out (no database): the service feeds it
tickets, the evaluation feeds it real messages."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from assistant.governance.policy import GovernancePolicy
from assistant.governance.similarity import Sparse, ngram_scores

DAY = 86400.0


@dataclass
class Entry:
    """One appeal as detection sees it."""

    ticket_id: int
    at: float  # POSIX seconds
    callers: tuple[str, ...]  # caller keys ("tel:…", "id:…"); empty when unknown
    township: str
    category: str  # first level, "" when none
    grams: Sparse
    vector: np.ndarray | None = None


@dataclass
class Match:
    ticket_id: int
    similarity: float
    method: str  # embedding | ngram


@dataclass
class Finding:
    kind: Literal["repeat", "concentrated"]
    ticket_id: int
    matches: list[Match]
    count: int  # tickets (repeat) or distinct callers (concentrated), the new one included
    threshold: int
    window_days: float
    callers: tuple[str, ...] = ()

    @property
    def ticket_ids(self) -> list[int]:
        return [self.ticket_id] + [m.ticket_id for m in self.matches]


@dataclass
class RecentIndex:
    """Appeals of the last ``keep_days``, by time and by caller (nothing older is ever scanned)."""

    keep_days: float
    _times: list[tuple[float, int]] = field(default_factory=list)
    _entries: dict[int, Entry] = field(default_factory=dict)
    _by_caller: dict[str, set[int]] = field(default_factory=dict)
    _by_place: dict[str, list[tuple[float, int]]] = field(default_factory=dict)  # township ("": none) → times

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, ticket_id: int) -> bool:
        return ticket_id in self._entries

    def get(self, ticket_id: int) -> Entry | None:
        return self._entries.get(ticket_id)

    def entries(self) -> list[Entry]:
        return [self._entries[i] for _, i in self._times]

    def add(self, entry: Entry) -> None:
        if entry.ticket_id in self._entries:
            self.remove(entry.ticket_id)
        self._entries[entry.ticket_id] = entry
        bisect.insort(self._times, (entry.at, entry.ticket_id))
        bisect.insort(self._by_place.setdefault(entry.township, []), (entry.at, entry.ticket_id))
        for key in entry.callers:
            self._by_caller.setdefault(key, set()).add(entry.ticket_id)

    def remove(self, ticket_id: int) -> None:
        entry = self._entries.pop(ticket_id, None)
        if entry is None:
            return
        self._times.remove((entry.at, ticket_id))
        self._by_place[entry.township].remove((entry.at, ticket_id))
        for key in entry.callers:
            self._by_caller.get(key, set()).discard(ticket_id)

    def prune(self, now: float) -> int:
        cut = bisect.bisect_left(self._times, (now - self.keep_days * DAY, -1))
        old = self._times[:cut]
        for _, tid in old:
            self.remove(tid)
        return len(old)

    def window(self, start: float, end: float, township: str | None = None) -> list[Entry]:
        """Entries in [start, end]; with ``township``, only those of that township or of none (what
        the same-place rule lets through), read from the township's own list, not the whole window."""
        if township is None:
            return [self._entries[i] for _, i in _between(self._times, start, end)]
        places = [township, ""] if township else [""]
        return [self._entries[i] for p in places for _, i in _between(self._by_place.get(p, []), start, end)]

    def by_callers(self, keys: tuple[str, ...]) -> list[Entry]:
        ids: set[int] = set()
        for key in keys:
            ids |= self._by_caller.get(key, set())
        return [self._entries[i] for i in ids]


def _between(times: list[tuple[float, int]], start: float, end: float) -> list[tuple[float, int]]:
    return times[bisect.bisect_left(times, (start, -1)):bisect.bisect_right(times, (end, float("inf")))]


def same_matter(entry: Entry, cands: list[Entry], policy: GovernancePolicy) -> list[Match]:
    rule = policy.similarity
    cands = [c for c in cands if c.ticket_id != entry.ticket_id
             and not (rule.same_category and entry.category and c.category and entry.category != c.category)
             and not (rule.same_place and entry.township and c.township and entry.township != c.township)]
    if not cands:
        return []
    grams = ngram_scores(entry.grams, [c.grams for c in cands])
    out = []
    for c, g in zip(cands, grams.tolist(), strict=True):
        if entry.vector is not None and c.vector is not None:
            sim, method = float(entry.vector @ c.vector), "embedding"
            ok = sim >= rule.embedding_threshold
        else:
            sim, method = g, "ngram"
            ok = sim >= rule.ngram_threshold
        if ok:
            out.append(Match(c.ticket_id, round(sim, 4), method))
    return out


def detect(entry: Entry, index: RecentIndex, policy: GovernancePolicy) -> list[Finding]:
    """What ``entry`` completes, looking back from its own time: at most one finding of each kind."""
    found: list[Finding] = []
    rep = policy.repeat
    if entry.callers:
        start = entry.at - rep.window_days * DAY
        mine = [c for c in index.by_callers(entry.callers) if start <= c.at <= entry.at]
        matches = same_matter(entry, mine, policy)
        if len(matches) + 1 >= rep.min_count:
            found.append(Finding("repeat", entry.ticket_id, matches, len(matches) + 1, rep.min_count,
                                 rep.window_days, entry.callers))
    con = policy.concentrated
    place = entry.township if policy.similarity.same_place and entry.township else None
    near = index.window(entry.at - con.window_days * DAY, entry.at, place)
    matches = same_matter(entry, near, policy)
    if len(matches) + 1 >= con.min_callers:
        people = distinct_callers([entry] + [e for m in matches if (e := index.get(m.ticket_id)) is not None])
        if people >= con.min_callers:
            found.append(Finding("concentrated", entry.ticket_id, matches, people, con.min_callers, con.window_days))
    return found


def distinct_callers(entries: list[Entry]) -> int:
    """Callers are the same when they share a number or an ID number; an anonymous appeal counts as
    its own caller."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for e in entries:
        keys = list(e.callers) or [f"ticket:{e.ticket_id}"]
        for key in keys:
            parent.setdefault(key, key)
        first = root(keys[0])
        for key in keys[1:]:
            parent[root(key)] = first
    return len({root(k) for k in parent})
