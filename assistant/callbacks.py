"""智能回访: callbacks scheduled by the county's policy when a ticket is closed, worked from a
list ordered by due time, their outcome understood from the caller's words and confirmed by the
agent; unsatisfied for reasons on the unit's side re-opens the ticket (重办, under supervision)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.access import Actor
from assistant.db.callback_models import Callback
from assistant.db.engine import Database
from assistant.db.models import Ticket
from assistant.errors import InvalidTransition, NotFound, ValidationFailed
from assistant.workcalendar import WorkCalendar


class CallbackPolicy(BaseModel):
    model_config = ConfigDict(extra="ignore")

    start_next_working_day: bool = True
    within_working_days: int = Field(default=3, ge=1, le=30)
    calling_hours: list[tuple[str, str]] = [("08:30", "12:00"), ("14:30", "20:00")]
    max_attempts: int = Field(default=3, ge=1, le=10)
    attempt_gap_hours: float = Field(default=2.0, ge=0.1, le=72)
    consultation_sample_rate: float = Field(default=1.0, ge=0, le=1)
    skip_direct_answers: bool = False

    @classmethod
    def load(cls, path: Path) -> CallbackPolicy:
        return cls(**json.loads(path.read_text(encoding="utf-8"))) if path.exists() else cls()

    def windows(self) -> list[tuple[time, time]]:
        return [(time.fromisoformat(a), time.fromisoformat(b)) for a, b in self.calling_hours]


def next_calling_time(at: datetime, policy: CallbackPolicy, calendar: WorkCalendar) -> datetime:
    """The first instant at or after ``at`` that is a working day inside the calling hours."""
    tz = calendar.tz
    local = at.astimezone(tz)
    for _ in range(400):
        if calendar.is_workday(local.date()):
            for start, end in policy.windows():
                opens = local.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
                closes = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
                if local < closes:
                    return max(local, opens).astimezone(at.tzinfo)
        local = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    raise ValidationFailed("回访时段配置有误：一年内找不到可拨打的时间")


def plan_callback(ticket: Ticket, closed_at: datetime, policy: CallbackPolicy,
                  calendar: WorkCalendar) -> tuple[str, str, datetime | None, datetime | None]:
    """(status, reason, due_from, due_by) for a ticket that was just closed."""
    if not ticket.callback_ok:
        return "skipped", "来电人不接受回访", None, None
    if not (ticket.contact_number or ticket.caller_number):
        return "skipped", "匿名来电，无回访号码", None, None
    if ticket.direct_answer and policy.skip_direct_answers:
        return "skipped", "直接办结，按规定不回访", None, None
    if ticket.appeal_type == "咨询" and policy.consultation_sample_rate < 1.0:
        bucket = int(hashlib.sha256(ticket.number.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        if bucket >= policy.consultation_sample_rate:
            return "skipped", f"咨询类按 {policy.consultation_sample_rate:.0%} 抽样回访，未抽中", None, None
    start = closed_at
    if policy.start_next_working_day:
        local = closed_at.astimezone(calendar.tz)
        start = datetime.combine(calendar.next_workday(local.date()), time(0, 0), tzinfo=calendar.tz)
    due_from = next_calling_time(start, policy, calendar)
    due_by = calendar.add_working_days(closed_at, policy.within_working_days)
    return "pending", "", due_from, due_by


class CallbackPublic(BaseModel):
    id: int
    ticket_id: int
    ticket_number: str
    status: str
    skip_reason: str
    due_from: datetime | None
    due_by: datetime | None
    next_attempt_at: datetime | None
    attempts: int
    resolution: str
    satisfaction: str
    reason_side: str
    reason: str
    overdue: bool = False


class AttemptInput(BaseModel):
    reached: bool = Field(description="是否接通")
    transcript: str = Field(default="", max_length=5000, description="回访通话转写或坐席记录")
    keys: str = Field(default="", max_length=8, pattern=r"^[0-9]*$", description="IVR 按键（如 11 表示解决、满意）")


class OutcomeConfirm(BaseModel):
    resolution: Literal["解决", "部分解决", "未解决"]
    satisfaction: Literal["满意", "基本满意", "不满意"]
    reason_side: Literal["", "unit", "outside"] = Field(
        default="", description="不满意原因：unit 承办单位原因（重办）/ outside 非单位原因（记录不重办）")
    reason: str = Field(default="", max_length=1000)


def schedule_in(s: Session, ticket: Ticket, closed_at: datetime, policy: CallbackPolicy,
                calendar: WorkCalendar) -> Callback:
    """Create the ticket's callback inside the closing transaction (durable with the close)."""
    status, reason, due_from, due_by = plan_callback(ticket, closed_at, policy, calendar)
    existing = s.scalar(select(Callback).where(Callback.ticket_id == ticket.id, Callback.status == "pending"))
    if existing is not None:
        return existing
    cb = Callback(ticket_id=ticket.id, unit_id=ticket.lead_unit_id, status=status, skip_reason=reason,
                  due_from=due_from, due_by=due_by, next_attempt_at=due_from, attempts=0, created_at=closed_at)
    s.add(cb)
    return cb


def callback_public(cb: Callback, number: str, now: datetime) -> CallbackPublic:
    return CallbackPublic(id=cb.id, ticket_id=cb.ticket_id, ticket_number=number, status=cb.status,
                          skip_reason=cb.skip_reason, due_from=cb.due_from, due_by=cb.due_by,
                          next_attempt_at=cb.next_attempt_at, attempts=cb.attempts, resolution=cb.resolution,
                          satisfaction=cb.satisfaction, reason_side=cb.reason_side, reason=cb.reason,
                          overdue=cb.status == "pending" and cb.due_by is not None and cb.due_by < now)


def worklist(db: Database, now: datetime, *, include_future: bool = False, limit: int = 100) -> list[CallbackPublic]:
    stmt = (select(Callback, Ticket.number).join(Ticket, Ticket.id == Callback.ticket_id)
            .where(Callback.status == "pending").order_by(Callback.due_by, Callback.id).limit(limit))
    if not include_future:
        stmt = stmt.where(Callback.next_attempt_at <= now)
    with db.read() as s:
        return [callback_public(cb, number, now) for cb, number in s.execute(stmt)]


def get_callback(s: Session, callback_id: int) -> Callback:
    cb = s.get(Callback, callback_id)
    if cb is None:
        raise NotFound(f"回访任务 {callback_id} 不存在")
    return cb


def record_attempt(db: Database, callback_id: int, body: AttemptInput, now: datetime, policy: CallbackPolicy,
                   calendar: WorkCalendar, actor: Actor) -> CallbackPublic:
    actor.require("agent", "supervisor")
    with db.write() as s:
        cb = get_callback(s, callback_id)
        if cb.status != "pending":
            raise InvalidTransition("该回访任务已结束")
        cb.attempts += 1
        cb.last_attempt_at = now
        if body.reached:
            cb.status = "reached"
            cb.transcript = body.transcript or cb.transcript
            cb.keys = body.keys
        elif cb.attempts >= policy.max_attempts:
            cb.status = "failed"
            cb.skip_reason = f"{policy.max_attempts} 次均未接通"
        else:
            cb.next_attempt_at = next_calling_time(now + timedelta(hours=policy.attempt_gap_hours), policy, calendar)
        number = s.get(Ticket, cb.ticket_id).number
        s.flush()
        return callback_public(cb, number, now)


class UnitFigures(BaseModel):
    unit_code: str
    unit_name: str
    due: int = Field(description="应回访数：期间内办结且未按规定跳过的回访任务")
    reached: int = Field(description="已接通并完成回访数")
    resolved: int
    partly_resolved: int
    satisfied: int = Field(description="满意 + 基本满意")
    response_rate: float | None = Field(description="响应率 = 已完成回访数 ÷ 应回访数")
    resolution_rate: float | None = Field(description="解决率 = 解决数 ÷ 已完成回访数")
    satisfaction_rate: float | None = Field(description="满意率 =（满意 + 基本满意）÷ 已完成回访数")


FORMULAS = {
    "response_rate": "已完成回访数 ÷ 应回访数（应回访 = 期间内办结、未因不接受回访/匿名/抽样而跳过的工单）",
    "resolution_rate": "回访结果为“解决”的数量 ÷ 已完成回访数",
    "satisfaction_rate": "（“满意” + “基本满意”）的数量 ÷ 已完成回访数",
}


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def unit_figures(db: Database, start: datetime, end: datetime) -> list[UnitFigures]:
    from assistant.db.models import Unit

    with db.read() as s:
        rows = s.execute(select(Callback.status, Callback.resolution, Callback.satisfaction, Unit.code, Unit.name)
                         .outerjoin(Unit, Unit.id == Callback.unit_id)
                         .where(Callback.created_at >= start, Callback.created_at < end,
                                Callback.status != "skipped")).all()
    out: dict[str, UnitFigures] = {}
    for status, resolution, satisfaction, code, name in rows:
        key = code or "direct"
        f = out.setdefault(key, UnitFigures(unit_code=key, unit_name=name or "热线直接办结", due=0, reached=0,
                                            resolved=0, partly_resolved=0, satisfied=0, response_rate=None,
                                            resolution_rate=None, satisfaction_rate=None))
        f.due += 1
        if status == "done":
            f.reached += 1
            f.resolved += resolution == "解决"
            f.partly_resolved += resolution == "部分解决"
            f.satisfied += satisfaction in ("满意", "基本满意")
    for f in out.values():
        f.response_rate = _rate(f.reached, f.due)
        f.resolution_rate = _rate(f.resolved, f.reached)
        f.satisfaction_rate = _rate(f.satisfied, f.reached)
    return sorted(out.values(), key=lambda f: f.unit_code)
