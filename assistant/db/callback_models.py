"""ORM model of callbacks (回访): one per closed ticket (per handling round), with its attempts,
what the caller said and the confirmed outcome."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db.models import Base


class Callback(Base):
    __tablename__ = "callbacks"
    __table_args__ = (Index("ix_callbacks_due", "status", "next_attempt_at"), Index("ix_callbacks_ticket", "ticket_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    status: Mapped[str] = mapped_column(String(16))  # pending | reached | done | failed | skipped
    skip_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    due_from: Mapped[datetime | None]
    due_by: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    transcript: Mapped[str] = mapped_column(Text, default="")
    keys: Mapped[str] = mapped_column(String(8), default="")
    suggested: Mapped[str] = mapped_column(Text, default="")  # JSON of the model's reading
    resolution: Mapped[str] = mapped_column(String(8), default="")
    satisfaction: Mapped[str] = mapped_column(String(8), default="")
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    reason_side: Mapped[str] = mapped_column(String(8), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None]
    agent: Mapped[str] = mapped_column(String(64), default="")
