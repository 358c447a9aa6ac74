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
    """Take ``n`` numbers of the day ``key`` at once: the counter moves by ``n`` and returns the last."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(TicketSequence).values(key=bindparam("key"), last=bindparam("n"))
    stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={"last": TicketSequence.last + bindparam("n")})
    return stmt.returning(TicketSequence.last)


_UPSERTS = {name: _upsert(name) for name in ("postgresql", "sqlite")}  # built once, compiled once


def day_key(prefix: str, at: datetime, tz: ZoneInfo) -> str:
    """The counter a ticket created at ``at`` draws from: the prefix and the county's local date."""
    return f"{prefix}{at.astimezone(tz).strftime('%Y%m%d')}"


def next_numbers(session: Session, keys: list[str]) -> list[str]:
    """One number for each entry of ``keys`` (day keys, see ``day_key``), in order: one statement
    for each distinct day, however many tickets."""
    conn = session.connection()
    upsert = _UPSERTS[conn.dialect.name]
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    nxt = {key: conn.execute(upsert, {"key": key, "n": n}).scalar_one() - n + 1 for key, n in counts.items()}
    out = []
    for key in keys:
        out.append(f"{key}{nxt[key]:05d}")
        nxt[key] += 1
    return out
