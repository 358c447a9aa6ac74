"""Early warnings (预警): scan a period, store each finding once, list them, acknowledge them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.engine import Database
from assistant.db.hotspot_models import HotspotWarning
from assistant.errors import InvalidTransition, NotFound, ValidationFailed
from assistant.hotspots.detect import Finding, HotspotPolicy, evaluate, last_year, seasonal_factors
from assistant.hotspots.periods import Period
from assistant.hotspots.volumes import period_counts


class WarningPublic(BaseModel):
    id: int
    period: str
    period_start: datetime
    period_end: datetime
    category: str
    township: str
    count: int
    expected: float
    baseline: float
    seasonal_factor: float
    z_score: float
    p_value: float
    level: str = Field(description="关注 / 预警 / 严重")
    message: str = Field(description="中文说明：什么、哪里、有多反常")
    status: str = Field(description="open 待处理 / acknowledged 已确认")
    created_at: datetime
    acknowledged_by: str
    acknowledged_at: datetime | None
    note: str


class ScanResult(BaseModel):
    period: str
    label: str
    cells: int = Field(description="本期有诉求的分类×乡镇格数")
    seasonal: bool = Field(description="是否有去年同期数据用于季节调整")
    warnings: list[WarningPublic]


def find(s: Session, period: Period, policy: HotspotPolicy) -> tuple[list[Finding], int, bool]:
    """Findings for ``period``; also the number of cells looked at and whether last year was used."""
    k = policy.baseline_periods[period.kind]
    history_periods = [period.shift(-i) for i in range(k, 0, -1)]
    rolled = period_counts(s, [*history_periods, period])
    current = {(c, t): n for (p, c, t), n in rolled.items() if p == period.first}

    ly = last_year(period)
    ly_history = [ly.shift(-i) for i in range(k, 0, -1)]
    ly_counts = period_counts(s, [*ly_history, ly])
    seasonal: dict[str, float] = {}
    if ly_counts:
        by_cat: dict[tuple[date, str], int] = defaultdict(int)
        for (p, c, _t), n in ly_counts.items():
            by_cat[(p, c)] += n
        cats = {c for _p, c in by_cat}
        seasonal = seasonal_factors({c: by_cat.get((ly.first, c), 0) for c in cats},
                                    {c: [by_cat.get((h.first, c), 0) for h in ly_history] for c in cats}, policy)
    findings = []
    for (cat, town), n in current.items():
        history = [rolled.get((h.first, cat, town), 0) for h in history_periods]
        f = evaluate(cat, town, n, history, seasonal.get(cat, 1.0), period, policy)
        if f is not None:
            findings.append(f)
    findings.sort(key=lambda f: (f.p_value, -f.count))
    return findings, len(current), bool(ly_counts)


def public(w: HotspotWarning) -> WarningPublic:
    return WarningPublic.model_validate(w, from_attributes=True)


def scan(db: Database, period: Period, policy: HotspotPolicy, now: datetime) -> ScanResult:
    """Find and store the period's warnings; a repeated scan updates figures, keeps the status."""
    with db.write() as s:
        findings, cells, seasonal = find(s, period, policy)
        existing = {(w.category, w.township): w for w in s.scalars(
            select(HotspotWarning).where(HotspotWarning.period == period.kind,
                                         HotspotWarning.period_start == period.start))}
        stored = []
        for f in findings:
            w = existing.get((f.category, f.township))
            if w is None:
                w = HotspotWarning(period=period.kind, period_start=period.start, period_end=period.end,
                                   category=f.category, township=f.township, status="open", created_at=now,
                                   acknowledged_by="", note="")
                s.add(w)
            for name in ("count", "expected", "baseline", "seasonal_factor", "z_score", "p_value", "level",
                         "message"):
                setattr(w, name, getattr(f, name))
            stored.append(w)
        s.flush()
        return ScanResult(period=period.kind, label=period.label, cells=cells, seasonal=seasonal,
                          warnings=[public(w) for w in stored])


def list_warnings(db: Database, *, status: str | None = None, since: datetime | None = None,
                  until: datetime | None = None, township: str | None = None, limit: int = 200,
                  ) -> list[WarningPublic]:
    if status not in (None, "open", "acknowledged"):
        raise ValidationFailed("预警状态只能是 open 或 acknowledged")
    stmt = select(HotspotWarning)
    if status:
        stmt = stmt.where(HotspotWarning.status == status)
    if since is not None:
        stmt = stmt.where(HotspotWarning.period_start >= since)
    if until is not None:
        stmt = stmt.where(HotspotWarning.period_start < until)
    if township:
        stmt = stmt.where(HotspotWarning.township == township)
    stmt = stmt.order_by(HotspotWarning.period_start.desc(), HotspotWarning.p_value, HotspotWarning.id).limit(limit)
    with db.read() as s:
        return [public(w) for w in s.scalars(stmt)]


def acknowledge(db: Database, warning_id: int, who: str, note: str, now: datetime) -> WarningPublic:
    with db.write() as s:
        w = s.get(HotspotWarning, warning_id)
        if w is None:
            raise NotFound(f"预警 {warning_id} 不存在")
        if w.status == "acknowledged":
            raise InvalidTransition(f"该预警已由{w.acknowledged_by}确认")
        w.status, w.acknowledged_by, w.acknowledged_at, w.note = "acknowledged", who, now, note
        s.flush()
        return public(w)
