"""ORM models of governance (issue 9, first half): cases that link repeated and concentrated
appeals (一人多次、一事多人) around a master ticket, and clue transfers (线索移送) to 纪委监委 or 信访,
each with its own append-only log besides the tickets' audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db.models import Base


class GovernanceCase(Base):
    """One matter: a master ticket and the tickets linked to it (并案)."""

    __tablename__ = "governance_cases"
    __table_args__ = (Index("ix_governance_cases_status", "status", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # repeat | concentrated | manual
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    master_ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    title: Mapped[str] = mapped_column(String(128), default="")
    township: Mapped[str] = mapped_column(String(64), default="")
    caller_key: Mapped[str] = mapped_column(String(64), default="")
    key_supervision: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime]


class CaseLink(Base):
    """A ticket that belongs to a case (the master is linked too, with ``role='master'``)."""

    __tablename__ = "governance_case_links"
    __table_args__ = (UniqueConstraint("case_id", "ticket_id", name="uq_case_ticket"),
                      Index("ix_governance_case_links_ticket", "ticket_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("governance_cases.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    role: Mapped[str] = mapped_column(String(8), default="related")  # master | related
    similarity: Mapped[float] = mapped_column(Float, default=0.0)
    source: Mapped[str] = mapped_column(String(8), default="auto")  # auto | manual
    linked_at: Mapped[datetime]
    linked_by: Mapped[str] = mapped_column(String(64), default="")


class ClueTransfer(Base):
    """A recorded hand-over of a ticket's clue to 纪委监委 or 信访."""

    __tablename__ = "governance_transfers"
    __table_args__ = (Index("ix_governance_transfers_ticket", "ticket_id"),
                      Index("ix_governance_transfers_status", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("governance_cases.id"))
    target: Mapped[str] = mapped_column(String(16))  # discipline | petition
    grounds: Mapped[str] = mapped_column(String(16))  # misconduct | unresolved
    reason: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default="sent")  # sent | received | concluded | rejected
    receiver: Mapped[str] = mapped_column(String(64), default="")
    result: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class GovernanceEvent(Base):
    """Append-only log of every case and transfer change (who, when, what)."""

    __tablename__ = "governance_events"
    __table_args__ = (Index("ix_governance_events_subject", "subject", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(16))  # case | transfer
    subject_id: Mapped[int]
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
