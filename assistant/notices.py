"""Reading reminders and overdue notices: a unit's inbox and per-unit overdue counts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select

from assistant.access import Actor
from assistant.db.engine import Database
from assistant.db.models import Notice, Ticket, Unit
from assistant.errors import PermissionDenied


class NoticePublic(BaseModel):
    id: int
    ticket_id: int
    ticket_number: str
    unit_code: str | None
    kind: str
    deadline_kind: str
    deadline_at: datetime
    due_at: datetime
    created_at: datetime
    message: str


class UnitOverdue(BaseModel):
    unit_code: str
    unit_name: str
    overdue_notices: int
    reminders: int


def list_notices(db: Database, actor: Actor, *, kind: str | None = None, limit: int = 100) -> list[NoticePublic]:
    stmt = (
        select(Notice, Ticket.number, Unit.code)
        .join(Ticket, Ticket.id == Notice.ticket_id)
        .outerjoin(Unit, Unit.id == Notice.unit_id)
        .order_by(Notice.id.desc())
        .limit(max(1, min(limit, 500)))
    )
    if actor.role == "unit_staff":
        stmt = stmt.where(Notice.unit_id == actor.unit_id)
    elif actor.role not in {"agent", "supervisor", "admin"}:
        raise PermissionDenied("当前账号无权查看催办与通报")
    if kind:
        stmt = stmt.where(Notice.kind == kind)
    with db.read() as s:
        return [
            NoticePublic(
                id=n.id, ticket_id=n.ticket_id, ticket_number=number, unit_code=code, kind=n.kind,
                deadline_kind=n.deadline_kind, deadline_at=n.deadline_at, due_at=n.due_at,
                created_at=n.created_at, message=n.message,
            )
            for n, number, code in s.execute(stmt)
        ]


def overdue_by_unit(db: Database, actor: Actor) -> list[UnitOverdue]:
    actor.require("supervisor", "admin", "agent")
    with db.read() as s:
        rows = s.execute(
            select(Unit.code, Unit.name, Notice.kind, func.count(Notice.id))
            .join(Notice, Notice.unit_id == Unit.id)
            .group_by(Unit.code, Unit.name, Notice.kind)
        ).all()
    out: dict[str, UnitOverdue] = {}
    for code, name, kind, count in rows:
        item = out.setdefault(code, UnitOverdue(unit_code=code, unit_name=name, overdue_notices=0, reminders=0))
        if kind == "overdue":
            item.overdue_notices = count
        else:
            item.reminders = count
    return sorted(out.values(), key=lambda u: (-u.overdue_notices, u.unit_code))
