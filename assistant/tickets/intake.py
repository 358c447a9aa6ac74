"""Writing a new ticket with plain INSERTs: the ticket row, its co-handling units and its first
audit events, from a ticket built in memory (not added to the ORM session).

Creation is the ticket center's busiest write, and the ORM's unit of work (flush, then an UPDATE
for the dispatch, then the events) cost several times what the rows themselves cost. The object
is still a real ``Ticket``, so the state machine, the snapshot for the audit trail and the public
schema read it exactly as they read a stored one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from assistant.db.models import Ticket, TicketCoUnit, TicketEvent
from assistant.tickets.numbering import next_numbers

_TICKETS = Ticket.__table__
_COLUMNS = [c for c in _TICKETS.columns if c.key != "id"]
# built once: values go in as parameters, so each creation reuses the compiled statements
_INSERT_TICKET = insert(_TICKETS).returning(_TICKETS.c.id)
# several rows in one statement: their ids come back in no promised order, so with their numbers
# (asking SQLAlchemy for parameter order makes it insert one row at a time on SQLite)
_INSERT_TICKETS = insert(_TICKETS).returning(_TICKETS.c.id, _TICKETS.c.number)
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
    """The ticket's column values (its number still unset), for :class:`NewTicket`."""
    return {c.key: getattr(ticket, c.key) for c in _COLUMNS}


@dataclass
class NewTicket:
    """A creation as data for the group commit: the ticket's row (its number still to draw), the
    day counter it draws from, its co-handlers and its first audit events."""

    row: dict[str, Any]
    day_key: str
    co_units: list[TicketCoUnit]
    events: list[dict[str, Any]]


def insert_new(s: Session, item: NewTicket) -> tuple[int, str]:
    """One creation: its number, then its rows; returns (id, number)."""
    return insert_many(s, [item])[0]


def insert_many(s: Session, items: list[NewTicket]) -> list[tuple[int, str]]:
    """Several creations with one statement for each table (and one for each day's counter),
    in order: numbers rise in the order of ``items``. Returns (id, number) for each."""
    conn = s.connection()
    numbers = next_numbers(s, [it.day_key for it in items])
    rows = [it.row | {"number": n} for it, n in zip(items, numbers, strict=True)]
    if len(rows) == 1:
        ids = [int(conn.execute(_INSERT_TICKET, rows[0]).scalar_one())]
    else:
        by_number = {number: int(i) for i, number in conn.execute(_INSERT_TICKETS, rows)}
        ids = [by_number[n] for n in numbers]
    co_rows, event_rows = [], []
    for it, ticket_id in zip(items, ids, strict=True):
        for co in it.co_units:
            co.ticket_id = ticket_id
            co_rows.append({"ticket_id": ticket_id, "unit_id": co.unit_id})
        event_rows += [e | {"ticket_id": ticket_id} for e in it.events]
    if co_rows:
        conn.execute(_INSERT_CO_UNITS, co_rows)
    if event_rows:
        conn.execute(_INSERT_EVENTS, event_rows)
    return list(zip(ids, numbers, strict=True))
