"""Matching an outside event (sensor alert, 110 / 综治 work order) to hotline tickets nearby in
place and time, with character n-gram similarity of the texts; each match explains itself."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import Ticket

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def ngrams(text: str, n: int = 2) -> Counter[str]:
    """Character n-grams of a text without spaces and punctuation (single characters if shorter)."""
    t = _NOISE.sub("", text.lower())
    if len(t) < n:
        return Counter(t)
    return Counter(t[i:i + n] for i in range(len(t) - n + 1))


def cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


@dataclass(frozen=True)
class MatchWeights:
    text: float
    place: float
    time: float
    threshold: float  # a link is made at or above this score
    window_hours: float


SENSOR_WEIGHTS = MatchWeights(text=0.3, place=0.3, time=0.4, threshold=0.45, window_hours=48)
LINKAGE_WEIGHTS = MatchWeights(text=0.5, place=0.25, time=0.25, threshold=0.45, window_hours=72)


class TicketMatch(BaseModel):
    ticket_id: int
    number: str
    title: str
    status: str
    township: str
    village: str
    at: datetime = Field(description="事件时间（无则为受理时间）")
    score: float
    text_similarity: float
    hours_apart: float
    reason: str = Field(description="中文说明：为何认为是同一事件")


def nearby(s: Session, township: str, village: str, at: datetime, text: str, weights: MatchWeights,
           limit: int = 10) -> list[TicketMatch]:
    """Tickets of the same township accepted within the window around ``at``, best first."""
    if not township:
        return []
    window = timedelta(hours=weights.window_hours)
    rows = s.execute(
        select(Ticket.id, Ticket.number, Ticket.title, Ticket.content, Ticket.status, Ticket.township,
               Ticket.village, Ticket.event_time, Ticket.created_at)
        .where(Ticket.township == township, Ticket.created_at >= at - window, Ticket.created_at < at + 2 * window)
        .limit(5000)
    ).all()
    query = ngrams(text)
    out = []
    for tid, number, title, content, status, town, vil, event_time, created_at in rows:
        ref = event_time or created_at
        hours = min(abs((ref - at).total_seconds()), abs((created_at - at).total_seconds())) / 3600
        time_score = max(0.0, 1 - hours / weights.window_hours)
        same_village = bool(village) and vil == village
        place_score = 1.0 if same_village else 0.5 if not village or not vil else 0.2
        sim = cosine(query, ngrams(f"{title}{content}"))
        score = weights.text * sim + weights.place * place_score + weights.time * time_score
        place = f"同在{town}{vil if same_village else ''}"
        reason = f"{place}，时间相差 {hours:.1f} 小时，文本相似度 {sim:.2f}，综合得分 {score:.2f}"
        out.append(TicketMatch(ticket_id=tid, number=number, title=title, status=status, township=town,
                               village=vil, at=ref, score=round(score, 3), text_similarity=round(sim, 3),
                               hours_apart=round(hours, 1), reason=reason))
    out.sort(key=lambda m: -m.score)
    return out[:limit]
