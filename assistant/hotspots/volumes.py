"""Ticket volumes by top-level category × township × period (日/周/月), counted in the database by
local day and rolled up here, so one indexed range scan serves every period kind."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.db.models import Ticket
from assistant.hotspots.periods import UNCATEGORISED, Period, local_day_expr, top_category_expr

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


def daily_counts(s: Session, start_day: date, end_day: date, tz: ZoneInfo) -> DayCounts:
    """Tickets accepted per local day, top-level category and township in [start_day, end_day)."""
    dialect = s.get_bind().dialect.name
    day = local_day_expr(dialect, tz).label("day")
    cat = top_category_expr(dialect).label("cat")
    first = Period("day", start_day, end_day, tz)
    stmt = (select(day, cat, Ticket.township, func.count())
            .where(Ticket.created_at >= first.start, Ticket.created_at < first.end)
            .group_by(day, cat, Ticket.township))
    out: DayCounts = {}
    for d, c, township, n in s.execute(stmt):
        out[(date.fromisoformat(d), c or UNCATEGORISED, township or "未填写")] = int(n)
    return out


def roll_up(counts: DayCounts, periods: list[Period]) -> dict[tuple[date, str, str], int]:
    """Day counts summed into the given periods: (period first day, category, township) → count."""
    owner: dict[date, date] = {}
    for p in periods:
        for d in p.days():
            owner[d] = p.first
    out: dict[tuple[date, str, str], int] = defaultdict(int)
    for (d, cat, township), n in counts.items():
        first = owner.get(d)
        if first is not None:
            out[(first, cat, township)] += n
    return dict(out)


def volume_table(s: Session, kind: str, last: Period, n_periods: int, tz: ZoneInfo,
                 township: str | None = None, category: str | None = None) -> VolumeTable:
    periods = [last.shift(-i) for i in range(n_periods - 1, -1, -1)]
    counts = daily_counts(s, periods[0].first, last.after, tz)
    rolled = roll_up(counts, periods)
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
