"""Ticket numbers: county prefix + local date + a 5-digit daily sequence (HF2026112700001).

The counter is one row per prefix and day, bumped with an upsert inside the creating
transaction, so concurrent creations never share a number on SQLite or PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from assistant.db.models import TicketSequence


def _upsert(dialect: str):  # type: ignore[no-untyped-def]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(TicketSequence).values(key=bindparam("key"), last=1)
    stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={"last": TicketSequence.last + 1})
    return stmt.returning(TicketSequence.last)


_UPSERTS = {name: _upsert(name) for name in ("postgresql", "sqlite")}  # built once, compiled once


def next_number(session: Session, prefix: str, at: datetime, tz: ZoneInfo) -> str:
    day = at.astimezone(tz).strftime("%Y%m%d")
    key = f"{prefix}{day}"
    conn = session.connection()
    seq = conn.execute(_UPSERTS[conn.dialect.name], {"key": key}).scalar_one()
    return f"{key}{seq:05d}"
