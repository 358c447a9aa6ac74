"""Ticket volumes by top-level category × township × period (日/周/月), counted in the database by
local day and rolled up here, so one indexed range scan serves every period kind."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from assistant.db.models import Ticket, UTCDateTime
from assistant.hotspots.periods import UNCATEGORISED, Period, top_category_expr

DayCounts = dict[tuple[date, str, str], int]  # (local day, category, township) → tickets


class VolumeCell(BaseModel):
    period_start: date = Field(description="周期第一天（本地日期）")
    category: str = Field(description="一级分类")
    township: str = Field(description="乡镇（未填写为“未填写”）")
    count: int


class VolumeTable(BaseModel):
    period: str
    first: date
    after: date
    total: int
    cells: list[VolumeCell]
    by_category: dict[str, int]
    by_township: dict[str, int]
    by_period: dict[str, int] = Field(description="各周期合计，键为周期第一天")


def _top(value: object, raw_json: bool) -> str:
    if raw_json:
        try:
            path = json.loads(value) if isinstance(value, str) else value
        except ValueError:
            path = None
        value = path[0] if isinstance(path, list) and path else None
    return str(value) if value else UNCATEGORISED


def period_counts(s: Session, periods: list[Period]) -> dict[tuple[date, str, str], int]:
    """Tickets accepted per period, top-level category and township: one range query per period
    over the covering index (created_at, township, category), no per-row functions on SQLite."""
    dialect = s.get_bind().dialect.name
    raw_json = dialect == "sqlite"
    if raw_json:  # the planner must take the covering index, not the narrower (created_at) one
        stmt = text("SELECT township, category, count(*) FROM tickets INDEXED BY ix_tickets_hot_volume "
                    "WHERE created_at >= :start AND created_at < :end GROUP BY township, category").bindparams(
            bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime()))
    else:
        cat = top_category_expr(dialect)
        stmt = (select(Ticket.township, cat, func.count())
                .where(Ticket.created_at >= bindparam("start"), Ticket.created_at < bindparam("end"))
                .group_by(Ticket.township, cat))
    out: dict[tuple[date, str, str], int] = defaultdict(int)
    for p in periods:
        for township, c, n in s.execute(stmt, {"start": p.start, "end": p.end}):
            out[(p.first, _top(c, raw_json), township or "未填写")] += int(n)
    return dict(out)


def daily_counts(s: Session, start_day: date, end_day: date, tz: ZoneInfo) -> DayCounts:
    """Tickets accepted per local day, top-level category and township in [start_day, end_day)."""
    days = [Period("day", start_day + timedelta(days=i), start_day + timedelta(days=i + 1), tz)
            for i in range((end_day - start_day).days)]
    return period_counts(s, days)


def volume_table(s: Session, kind: str, last: Period, n_periods: int, tz: ZoneInfo,
                 township: str | None = None, category: str | None = None) -> VolumeTable:
    periods = [last.shift(-i) for i in range(n_periods - 1, -1, -1)]
    rolled = period_counts(s, periods)
    cells = [VolumeCell(period_start=p, category=c, township=t, count=n)
             for (p, c, t), n in sorted(rolled.items())
             if (township is None or t == township) and (category is None or c == category)]
    by_cat: dict[str, int] = defaultdict(int)
    by_town: dict[str, int] = defaultdict(int)
    by_period: dict[str, int] = {p.first.isoformat(): 0 for p in periods}
    for cell in cells:
        by_cat[cell.category] += cell.count
        by_town[cell.township] += cell.count
        by_period[cell.period_start.isoformat()] += cell.count
    return VolumeTable(period=kind, first=periods[0].first, after=last.after, total=sum(by_cat.values()),
                       cells=cells, by_category=dict(sorted(by_cat.items(), key=lambda kv: -kv[1])),
                       by_township=dict(sorted(by_town.items(), key=lambda kv: -kv[1])), by_period=by_period)
