"""Reading tickets for display without building ORM objects: the ticket columns and the lead
unit in one SELECT, the co-handling units of all of them in a second, and each row handed to
``to_public`` as a plain view with the same attribute names as a ``Ticket``.

Lists and ticket pages are the requests a hotline center makes most; the ORM's identity map,
instance state and relationship loaders cost several times the rows themselves."""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from assistant.access import Actor
from assistant.db.models import Ticket, TicketCoUnit, Unit
from assistant.tickets.present import to_public
from assistant.tickets.schemas import TicketPublic

_TICKETS = Ticket.__table__
_LEAD = select(Unit.id, Unit.code, Unit.name, Unit.level).subquery("lead")


def ticket_rows() -> Select[Any]:
    """``SELECT`` the ticket columns and the lead unit's; add the caller's filters and order."""
    return select(_TICKETS, _LEAD.c.code.label("lead_code"), _LEAD.c.name.label("lead_name"),
                  _LEAD.c.level.label("lead_level")).outerjoin(_LEAD, _LEAD.c.id == _TICKETS.c.lead_unit_id)


def co_units_of(s: Session, ticket_ids: list[int]) -> dict[int, list[SimpleNamespace]]:
    """Each ticket's co-handling units (ordered by unit id, as the ORM relationship orders them)."""
    out: dict[int, list[SimpleNamespace]] = defaultdict(list)
    if not ticket_ids:
        return out
    rows = s.connection().execute(select(TicketCoUnit.ticket_id, Unit.id, Unit.code, Unit.name, Unit.level)
                     .join(Unit, Unit.id == TicketCoUnit.unit_id)
                     .where(TicketCoUnit.ticket_id.in_(ticket_ids))
                     .order_by(TicketCoUnit.ticket_id, TicketCoUnit.unit_id))
    for tid, uid, code, name, level in rows:
        out[tid].append(SimpleNamespace(unit_id=uid, unit=SimpleNamespace(code=code, name=name, level=level)))
    return out


def views(s: Session, stmt: Select[Any]) -> list[SimpleNamespace]:
    """Run ``stmt`` (built on ``ticket_rows()``) and return one view per ticket."""
    rows = s.connection().execute(stmt).mappings().all()  # Core: no ORM layer on the way
    co = co_units_of(s, [r["id"] for r in rows])
    out = []
    for r in rows:
        view = SimpleNamespace(**r)
        view.lead_unit = (SimpleNamespace(code=r["lead_code"], name=r["lead_name"], level=r["lead_level"])
                          if r["lead_unit_id"] is not None else None)
        view.co_units = co.get(r["id"], [])
        out.append(view)
    return out


def publics(views_: list[SimpleNamespace], actor: Actor) -> list[TicketPublic]:
    return [to_public(v, actor) for v in views_]  # type: ignore[arg-type]
