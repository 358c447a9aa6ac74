"""Writing a new ticket with plain INSERTs: the ticket row, its co-handling units and its first
audit events, from a ticket built in memory (not added to the ORM session).

Creation is the ticket center's busiest write, and the ORM's unit of work (flush, then an UPDATE
for the dispatch, then the events) cost several times what the rows themselves cost. The object
is still a real ``Ticket``, so the state machine, the snapshot for the audit trail and the public
schema read it exactly as they read a stored one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from assistant.db.models import Ticket, TicketCoUnit, TicketEvent

_TICKETS = Ticket.__table__
_COLUMNS = [c for c in _TICKETS.columns if c.key != "id"]
# built once: values go in as parameters, so each creation reuses the compiled statements
_INSERT_TICKET = insert(_TICKETS).returning(_TICKETS.c.id)
_INSERT_CO_UNITS = insert(TicketCoUnit.__table__)
_INSERT_EVENTS = insert(TicketEvent.__table__)


def with_defaults(ticket: Ticket) -> Ticket:
    """Fill the columns left unset with their declared defaults, as an INSERT through the ORM
    would, so that the audit snapshot of a new ticket shows the values it is stored with."""
    for column in _COLUMNS:
        default = column.default
        if default is not None and getattr(ticket, column.key) is None:
            arg = default.arg  # type: ignore[attr-defined]
            setattr(ticket, column.key, arg(None) if callable(arg) else arg)
    return ticket


def ticket_row(ticket: Ticket) -> dict[str, Any]:
    """The ticket's column values, for :func:`insert_ticket`."""
    return {c.key: getattr(ticket, c.key) for c in _COLUMNS}


def insert_ticket(s: Session, row: dict[str, Any], co_units: list[TicketCoUnit], events: list[dict[str, Any]]) -> int:
    """Insert the ticket ``row`` with its ``co_units`` and ``events``; returns the new id. The
    caller's transaction commits them together."""
    conn = s.connection()
    ticket_id = int(conn.execute(_INSERT_TICKET, row).scalar_one())
    for co in co_units:
        co.ticket_id = ticket_id
    if co_units:
        conn.execute(_INSERT_CO_UNITS, [{"ticket_id": ticket_id, "unit_id": co.unit_id} for co in co_units])
    conn.execute(_INSERT_EVENTS, [e | {"ticket_id": ticket_id} for e in events])
    return ticket_id
