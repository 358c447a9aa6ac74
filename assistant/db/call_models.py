"""ORM models of calls: the call, its speaker-labelled transcript segments (stored as they
arrive, so a crash mid-call loses nothing already recognised), the ticket draft and the agent's
corrections to it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db.models import Base


class Call(Base):
    __tablename__ = "calls"
    __table_args__ = (Index("ix_calls_started", "started_at"), Index("ix_calls_caller", "caller_number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(16))  # live | recording
    status: Mapped[str] = mapped_column(String(16))  # live | ended | failed
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    caller_number: Mapped[str] = mapped_column(String(32), default="")
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    recording_path: Mapped[str] = mapped_column(String(256), default="")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    draft: Mapped[dict[str, Any]] = mapped_column(default=dict)
    pinned: Mapped[list[Any]] = mapped_column(default=list)
    error: Mapped[str] = mapped_column(Text, default="")


class CallSegment(Base):
    __tablename__ = "call_segments"
    __table_args__ = (UniqueConstraint("call_id", "seq", name="uq_call_segment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    seq: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(String(8))
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class DraftCorrection(Base):
    """An agent's correction of a drafted field (before → after): evaluation and training data."""

    __tablename__ = "draft_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    field: Mapped[str] = mapped_column(String(32))
    before: Mapped[str | None] = mapped_column(Text)  # JSON-encoded values
    after: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
