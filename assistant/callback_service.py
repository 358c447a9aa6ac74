"""The callback desk: work list, script, reading the caller's answer, one-click confirmation."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from assistant.access import Actor
from assistant.callbacks import (
    AttemptInput,
    CallbackPolicy,
    CallbackPublic,
    OutcomeConfirm,
    UnitFigures,
    callback_public,
    get_callback,
    record_attempt,
    unit_figures,
    worklist,
)
from assistant.db.engine import Database
from assistant.db.models import Ticket
from assistant.errors import InvalidTransition, PermissionDenied, ValidationFailed
from assistant.tickets.schemas import ActionInput
from assistant.tickets.service import TicketService
from assistant.workcalendar import WorkCalendar

Reader = Callable[[str, str], dict[str, Any]]  # (transcript, keys) → suggested outcome


class CallbackDesk:
    def __init__(self, db: Database, tickets: TicketService, calendar: WorkCalendar, policy: CallbackPolicy,
                 now: Callable[[], datetime], *, reader: Reader | None = None,
                 scripter: Callable[..., str] | None = None, hotline_name: str = "12345热线") -> None:
        self.db, self.tickets, self.calendar, self.policy, self.now = db, tickets, calendar, policy, now
        self.reader = reader
        self.scripter = scripter
        self.hotline_name = hotline_name

    def _staff(self, actor: Actor) -> None:
        if actor.role not in ("agent", "supervisor", "admin"):
            raise PermissionDenied("当前账号无权处理回访")

    def worklist(self, actor: Actor, *, include_future: bool = False) -> list[CallbackPublic]:
        self._staff(actor)
        return worklist(self.db, self.now(), include_future=include_future)

    def script(self, callback_id: int, actor: Actor) -> str:
        self._staff(actor)
        with self.db.read() as s:
            cb = get_callback(s, callback_id)
            t = s.get(Ticket, cb.ticket_id)
            caller = t.caller_name or "您"
            appeal, reply = t.title, t.reply or "已办理"
        if self.scripter is not None:
            return self.scripter(caller=caller, appeal=appeal, reply=reply, agent=actor.display_name,
                                 hotline=self.hotline_name)
        greeting = "您好" if caller == "您" else f"{caller}您好"
        return (f"{greeting}，我是{self.hotline_name}的{actor.display_name}，对您反映的“{appeal}”进行回访。"
                f"承办单位答复：{reply}。请问您的问题解决了吗？（解决/部分解决/未解决）"
                f"您对办理结果满意吗？（满意/基本满意/不满意）感谢您的配合。")

    def attempt(self, callback_id: int, body: AttemptInput, actor: Actor) -> dict[str, Any]:
        """Record a call attempt; when reached, read the answer and suggest the outcome."""
        result = record_attempt(self.db, callback_id, body, self.now(), self.policy, self.calendar, actor)
        suggestion: dict[str, Any] = {}
        if body.reached and self.reader is not None and (body.transcript.strip() or body.keys):
            suggestion = self.reader(body.transcript, body.keys)
            with self.db.write() as s:
                get_callback(s, callback_id).suggested = json.dumps(suggestion, ensure_ascii=False)
        return {"callback": result.model_dump(mode="json"), "suggestion": suggestion}

    def confirm(self, callback_id: int, body: OutcomeConfirm, actor: Actor) -> CallbackPublic:
        """The agent confirms the outcome: the ticket is marked visited; unsatisfied for the unit's
        reasons re-opens it to the same unit under supervision (重办)."""
        self._staff(actor)
        if body.satisfaction == "不满意" and not body.reason_side:
            raise ValidationFailed("不满意时请确认原因属于承办单位还是非单位原因")
        with self.db.read() as s:
            cb = get_callback(s, callback_id)
            if cb.status not in ("pending", "reached"):
                raise InvalidTransition("该回访任务已结束")
            ticket_id = cb.ticket_id
        note = f"回访：{body.resolution}、{body.satisfaction}" + (f"；{body.reason}" if body.reason else "")
        self.tickets.act(ticket_id, "callback", ActionInput(resolution=body.resolution,
                                                            satisfaction=body.satisfaction, comment=note), actor)
        reopen = body.satisfaction == "不满意" and body.reason_side == "unit"
        if reopen:
            comment = f"回访不满意（承办单位原因）：{body.reason or '来电人反映未落实'}"
            self.tickets.act(ticket_id, "reopen", ActionInput(comment=comment), actor)
        now = self.now()
        with self.db.write() as s:
            cb = get_callback(s, callback_id)
            cb.status, cb.done_at, cb.agent = "done", now, actor.display_name
            cb.resolution, cb.satisfaction = body.resolution, body.satisfaction
            cb.reason_side, cb.reason = body.reason_side, body.reason
            number = s.get(Ticket, ticket_id).number
            s.flush()
            return callback_public(cb, number, now)

    def figures(self, actor: Actor, start: datetime, end: datetime) -> list[UnitFigures]:
        actor.require("supervisor", "admin", "agent")
        if end <= start:
            raise ValidationFailed("统计截止时间须晚于开始时间")
        return unit_figures(self.db, start, end)
