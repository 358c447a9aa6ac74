"""ORM models of call quality inspection (智能质检): one scored result per call, QA staff's
per-item decisions, and agents' appeals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db.models import Base


class QaRecord(Base):
    __tablename__ = "qa_results"
    __table_args__ = (Index("ix_qa_status", "status"), Index("ix_qa_agent", "agent_id", "scored_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), unique=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    total: Mapped[float] = mapped_column(Float)
    fatal: Mapped[bool] = mapped_column(Boolean)
    confidence: Mapped[float] = mapped_column(Float)
    route: Mapped[str] = mapped_column(String(16))  # auto_pass | sample | review
    route_reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))  # accepted | pending | reviewed | appealed
    items: Mapped[list[Any]] = mapped_column(default=list)
    rubric_version: Mapped[str] = mapped_column(String(32), default="")
    scored_at: Mapped[datetime]
    final_total: Mapped[float | None] = mapped_column(Float)


class QaDecision(Base):
    """A QA reviewer's accept/overrule of one item, or an agent's appeal and its answer."""

    __tablename__ = "qa_decisions"
    __table_args__ = (Index("ix_qa_decisions_result", "result_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("qa_results.id"))
    item_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # accept | overrule | appeal
    comment: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
