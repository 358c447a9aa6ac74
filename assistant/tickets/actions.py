"""What each workflow action does to a ticket, after the state machine allows it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from assistant.access import Actor
from assistant.county import County
from assistant.db.models import Ticket, TicketCoUnit, Unit
from assistant.errors import RuleViolation, ValidationFailed
from assistant.policy import Deadlines, check_return_allowed, compute_deadlines, extension_deadline
from assistant.tickets.present import is_lead
from assistant.tickets.schemas import ActionInput
from assistant.tickets.workflow import check_transition, get_action
from assistant.workcalendar import WorkCalendar


@dataclass
class Context:
    session: Session | None
    county: County
    calendar: WorkCalendar
    now: datetime
    # a ticket not in the session (a new one): its units as the few columns it shows, from memory
    # (``UnitDirectory.get``: ``Unit`` objects outside any session), not whole rows from the database
    units: Callable[[str], Unit | None] | None = None


def need(value: str, what: str, min_len: int = 2) -> str:
    if len(value.strip()) < min_len:
        raise ValidationFailed(f"请填写{what}")
    return value.strip()


_UNIT_BY_CODE = select(Unit).where(Unit.code == bindparam("code"), Unit.active.is_(True))  # built once


def _unit(ctx: Context, code: str) -> Unit:
    if ctx.units is not None:
        unit = ctx.units(code)
    elif ctx.session is None:
        raise ValueError("a context without a session needs its units")
    else:
        unit = ctx.session.scalar(_UNIT_BY_CODE, {"code": code})
    if unit is None:
        raise ValidationFailed(f"单位编码“{code}”不存在或已停用")
    return unit


def _set_deadlines(ctx: Context, ticket: Ticket) -> None:
    d = compute_deadlines(ctx.county.policy, ctx.calendar, ctx.now, ticket.urgency, ticket.appeal_type)
    ticket.dispatched_at = ctx.now
    ticket.sign_by, ticket.close_by = d.sign_by, d.close_by
    ticket.return_by, ticket.max_close_by = d.return_by, d.max_close_by
    ticket.signed_at = None
    ticket.extension_count, ticket.extension_status = 0, "none"
    ticket.extension_days, ticket.extension_reason = 0, ""


def _dispatch(ctx: Context, ticket: Ticket, p: ActionInput, actor: Actor) -> None:
    if not p.lead_unit:
        raise ValidationFailed("派单须指定主办单位")
    lead = _unit(ctx, p.lead_unit)
    co_codes = [c for c in dict.fromkeys(p.co_units) if c != p.lead_unit]
    co = [_unit(ctx, c) for c in co_codes]
    ticket.lead_unit_id = lead.id
    ticket.lead_unit = lead
    ticket.handling_level = p.handling_level or lead.level
    if co or ticket.co_units:  # (replacing an empty collection with another costs the ORM's bookkeeping)
        ticket.co_units = [TicketCoUnit(unit_id=u.id, unit=u) for u in co]
    _set_deadlines(ctx, ticket)


def _sign(ctx: Context, ticket: Ticket, p: ActionInput, actor: Actor) -> None:
    ticket.signed_at = ctx.now


def _return(ctx: Context, ticket: Ticket, p: ActionInput, actor: Actor) -> None:
    need(p.comment, "退单理由", 4)
    assert ticket.sign_by and ticket.close_by and ticket.return_by and ticket.max_close_by
    check_return_allowed(Deadlines(ticket.sign_by, ticket.close_by, ticket.return_by, ticket.max_close_by), ctx.now)
    ticket.return_count += 1
    ticket.signed_at = None


def _request_extension(ctx: Context, ticket: Ticket, p: ActionInput, actor: Actor) -> None:
    if ticket.extension_status == "requested":
        raise RuleViolation("已有待审批的延期申请，请等待审批结果")
    if p.extension_days is None:
        raise ValidationFailed("请填写申请延期的工作日数")
    need(p.comment, "延期理由", 4)
    assert ticket.dispatched_at and ticket.close_by
    extension_deadline(ctx.county.policy, ctx.calendar, ticket.dispatched_at, ticket.close_by,
                       p.extension_days, ticket.extension_count)  # raises when over the cap
    ticket.extension_status = "requested"
    ticket.extension_days = p.extension_days
    ticket.extension_reason = p.comment


def _approve_extension(ctx: Context, ticket: Ticket, p: ActionInput, actor: Actor) -> None:
    if ticket.extension_status != "requested":
        raise RuleViolation("该工单没有待审批的延期申请")
    assert ticket.dispatched_at and ticket.close_by
    ticket.close_by = extension_deadline(ctx.county.policy, ctx.calendar, ticket.dispatched_at, ticket.close_by,
                                         ticket.extension_days, ticket.extension_count)
    ticket.extension_count += 1
    ticket.extension_status = "approved"


def _reject_extension(ctx: Context, ticket: Ticket, p: ActionInput, actor: Actor) -> None:
    if ticket.extension_status != "requested":
        raise RuleViolation("该工单没有待审批的延期申请")
    need(p.comment, "驳回理由", 2)
    ticket.extension_status = "rejected"


def _reply(ctx: Context, ticket: Ticket, p: ActionInput, actor: Actor) -> None:
    ticket.reply = need(p.reply, "答复内容", 5)
    ticket.closed_at = ctx.now


def _direct_close(ctx: Context, ticket: Ticket, p: ActionInput, actor: Actor) -> None:
    ticket.reply = need(p.reply, "当场答复的内容", 5)
    ticket.direct_answer = True
    ticket.closed_at = ctx.now


def _callback(ctx: Context, ticket: Ticket, p: ActionInput, actor: Actor) -> None:
    if p.resolution is None or p.satisfaction is None:
        raise ValidationFailed("回访须记录是否解决和是否满意")
    ticket.resolution, ticket.satisfaction = p.resolution, p.satisfaction
    ticket.callback_at = ctx.now


def _reopen(ctx: Context, ticket: Ticket, p: ActionInput, actor: Actor) -> None:
    need(p.comment, "重办理由", 4)
    if ticket.lead_unit_id is None:
        raise RuleViolation("该工单为直接办结，没有承办单位，请重新受理派单")
    ticket.reopen_count += 1
    ticket.supervised = True
    ticket.closed_at = None
    ticket.reply = ""
    _set_deadlines(ctx, ticket)


def _supervise(ctx: Context, ticket: Ticket, p: ActionInput, actor: Actor) -> None:
    need(p.comment, "督办意见", 4)
    ticket.supervised = True


def _archive(ctx: Context, ticket: Ticket, p: ActionInput, actor: Actor) -> None:
    pass


HANDLERS = {
    "dispatch": _dispatch,
    "sign": _sign,
    "return": _return,
    "request_extension": _request_extension,
    "approve_extension": _approve_extension,
    "reject_extension": _reject_extension,
    "reply": _reply,
    "direct_close": _direct_close,
    "callback": _callback,
    "reopen": _reopen,
    "supervise": _supervise,
    "archive": _archive,
}


def apply(ctx: Context, ticket: Ticket, name: str, payload: ActionInput, actor: Actor) -> None:
    action = get_action(name)
    role = "agent" if actor.role == "system" else actor.role
    target = check_transition(action, ticket.status, role, is_lead_unit=is_lead(actor, ticket))
    HANDLERS[name](ctx, ticket, payload, actor)
    ticket.status = target
