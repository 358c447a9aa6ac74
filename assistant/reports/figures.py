"""The figures of one report period, straight from the tickets (one indexed range scan each)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from assistant.db.hotspot_models import HotspotWarning
from assistant.db.models import Ticket, Unit
from assistant.hotspots.detect import HotspotPolicy
from assistant.hotspots.periods import Period
from assistant.hotspots.volumes import daily_counts
from assistant.hotspots.warnings import find
from assistant.tickets.vocab import STATUS_LABELS

OPEN_STATUSES = ("accepted", "dispatched", "handling", "returned")
FORMULAS = {
    "sign_rate": "签收率 = 已签收工单数 ÷ 期间内派出的工单数",
    "on_time_rate": "按期办结率 = 在办理时限内办结的工单数 ÷ 已办结工单数",
    "extension_rate": "延期率 = 批准过延期的工单数 ÷ 派出的工单数",
    "return_rate": "退单率 = 发生过退单的工单数 ÷ 派出的工单数",
    "satisfaction_rate": "满意率 =（满意 + 基本满意）÷ 已完成回访的工单数",
}


class UnitRow(BaseModel):
    unit: str
    dispatched: int
    signed: int
    closed: int
    closed_on_time: int
    extended: int
    returned: int
    visited: int
    satisfied: int
    sign_rate: float | None
    on_time_rate: float | None
    extension_rate: float | None
    return_rate: float | None
    satisfaction_rate: float | None


class CaseRow(BaseModel):
    number: str
    title: str
    township: str
    unit: str
    status: str
    created_at: datetime
    reopen_count: int


class WarningRow(BaseModel):
    level: str
    township: str
    category: str
    count: int
    expected: float
    p_value: float
    message: str
    status: str


class ReportData(BaseModel):
    kind: str = Field(description="week | month")
    title: str
    label: str
    first: date
    after: date
    generated_at: datetime
    total: int
    previous_total: int
    by_day: dict[str, int]
    by_category: dict[str, int]
    by_township: dict[str, int]
    by_appeal_type: dict[str, int]
    units: list[UnitRow]
    supervised: list[CaseRow]
    warnings: list[WarningRow]
    formulas: dict[str, str] = Field(default_factory=lambda: dict(FORMULAS))


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def unit_rows(s: Session, period: Period) -> list[UnitRow]:
    def count(cond):  # type: ignore[no-untyped-def]
        return func.sum(case((cond, 1), else_=0))

    stmt = (select(Unit.name, func.count(), count(Ticket.signed_at.is_not(None)), count(Ticket.closed_at.is_not(None)),
                   count(Ticket.closed_at <= Ticket.close_by), count(Ticket.extension_count > 0),
                   count(Ticket.return_count > 0), count(Ticket.satisfaction != ""),
                   count(Ticket.satisfaction.in_(("满意", "基本满意"))))
            .join(Unit, Unit.id == Ticket.lead_unit_id)
            .where(Ticket.dispatched_at >= period.start, Ticket.dispatched_at < period.end)
            .group_by(Unit.name))
    rows = []
    for name, n, signed, closed, on_time, ext, ret, visited, sat in s.execute(stmt):
        n, signed, closed, on_time, ext, ret, visited, sat = (int(x or 0) for x in (n, signed, closed, on_time, ext,
                                                                                    ret, visited, sat))
        rows.append(UnitRow(unit=name, dispatched=n, signed=signed, closed=closed, closed_on_time=on_time,
                            extended=ext, returned=ret, visited=visited, satisfied=sat,
                            sign_rate=_rate(signed, n), on_time_rate=_rate(on_time, closed),
                            extension_rate=_rate(ext, n), return_rate=_rate(ret, n),
                            satisfaction_rate=_rate(sat, visited)))
    return sorted(rows, key=lambda r: -r.dispatched)


def supervised_cases(s: Session, period: Period, limit: int = 100) -> list[CaseRow]:
    cols = (Ticket.id, Ticket.number, Ticket.title, Ticket.township, Unit.name, Ticket.status, Ticket.created_at,
            Ticket.reopen_count)
    base = select(*cols).outerjoin(Unit, Unit.id == Ticket.lead_unit_id).where(Ticket.supervised.is_(True))
    found = {}
    for stmt in (base.where(Ticket.created_at >= period.start, Ticket.created_at < period.end),
                 base.where(Ticket.status.in_(OPEN_STATUSES), Ticket.created_at < period.end)):
        for tid, number, title, town, unit, status, created, reopen in s.execute(stmt.limit(limit)):
            found[tid] = CaseRow(number=number, title=title, township=town or "", unit=unit or "",
                                 status=STATUS_LABELS.get(status, status), created_at=created, reopen_count=reopen)
    return sorted(found.values(), key=lambda c: c.created_at)[:limit]


def period_warnings(s: Session, period: Period, policy: HotspotPolicy) -> list[WarningRow]:
    """The period's rising topics (found now) with their status where a supervisor has seen them."""
    findings, _cells, _seasonal = find(s, period, policy)
    stored = {(w.category, w.township): w.status for w in s.scalars(
        select(HotspotWarning).where(HotspotWarning.period == period.kind, HotspotWarning.period_start == period.start))}
    status_label = {"open": "待处理", "acknowledged": "已确认"}
    return [WarningRow(level=f.level, township=f.township, category=f.category, count=f.count, expected=f.expected,
                       p_value=f.p_value, message=f.message,
                       status=status_label.get(stored.get((f.category, f.township), ""), "未下发"))
            for f in findings]


def collect(s: Session, period: Period, policy: HotspotPolicy, county_name: str, now: datetime) -> ReportData:
    counts = daily_counts(s, period.first, period.after, period.tz)
    by_day = {d.isoformat(): 0 for d in period.days()}
    by_cat: dict[str, int] = defaultdict(int)
    by_town: dict[str, int] = defaultdict(int)
    for (d, cat, town), n in counts.items():
        by_day[d.isoformat()] += n
        by_cat[cat] += n
        by_town[town] += n
    prev = period.shift(-1)
    previous_total = s.scalar(select(func.count()).where(Ticket.created_at >= prev.start,
                                                         Ticket.created_at < prev.end)) or 0
    types = dict(s.execute(select(Ticket.appeal_type, func.count())
                           .where(Ticket.created_at >= period.start, Ticket.created_at < period.end)
                           .group_by(Ticket.appeal_type)).all())
    name = "周报" if period.kind == "week" else "月报"
    return ReportData(
        kind=period.kind, title=f"{county_name} 12345 热线{name}", label=period.label, first=period.first,
        after=period.after, generated_at=now, total=sum(by_day.values()), previous_total=int(previous_total),
        by_day=by_day, by_category=dict(sorted(by_cat.items(), key=lambda kv: -kv[1])),
        by_township=dict(sorted(by_town.items(), key=lambda kv: -kv[1])),
        by_appeal_type={k: int(v) for k, v in sorted(types.items(), key=lambda kv: -kv[1])},
        units=unit_rows(s, period), supervised=supervised_cases(s, period),
        warnings=period_warnings(s, period, policy))
