"""ORM models of the ticket center (工单中心)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store timezone-aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Unit(Base):
    """A handling unit (承办单位): county department, township government, utility, village."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    short_name: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16))
    township: Mapped[str | None] = mapped_column(String(64))
    village: Mapped[str | None] = mapped_column(String(64))
    duties: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    phone: Mapped[str] = mapped_column(String(32), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]

    unit: Mapped[Unit | None] = relationship(lazy="joined")


class AuthToken(Base):
    """An issued access token, stored hashed so a database leak does not leak sessions."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_user_at", "username", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    success: Mapped[bool] = mapped_column(Boolean)
    client: Mapped[str] = mapped_column(String(64), default="")


class TicketSequence(Base):
    """Per prefix and day counter behind ticket numbers (HF20261127-0001)."""

    __tablename__ = "ticket_sequences"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    """A 12345 work order (工单)."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status", "status"),
        Index("ix_tickets_lead_unit", "lead_unit_id"),
        Index("ix_tickets_created_at", "created_at"),
        Index("ix_tickets_caller_number", "caller_number"),
        Index("ix_tickets_township", "township"),
        # hot-spot volumes and unit rates over a million tickets (migration 0009)
        Index("ix_tickets_township_created", "township", "created_at"),
        Index("ix_tickets_dispatched_unit", "dispatched_at", "lead_unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    caller_name: Mapped[str] = mapped_column(String(64), default="")
    caller_number: Mapped[str] = mapped_column(String(32), default="")
    contact_number: Mapped[str] = mapped_column(String(32), default="")
    id_number: Mapped[str] = mapped_column(String(32), default="")
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    callback_ok: Mapped[bool] = mapped_column(Boolean, default=True)
    appeal_type: Mapped[str] = mapped_column(String(8))
    category: Mapped[list[Any]] = mapped_column(default=list)
    title: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    township: Mapped[str] = mapped_column(String(64), default="")
    village: Mapped[str] = mapped_column(String(64), default="")
    address_detail: Mapped[str] = mapped_column(String(256), default="")
    event_time: Mapped[datetime | None]
    urgency: Mapped[str] = mapped_column(String(8), default="一般")
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    handling_level: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    direct_answer: Mapped[bool] = mapped_column(Boolean, default=False)
    supervised: Mapped[bool] = mapped_column(Boolean, default=False)
    dispatched_at: Mapped[datetime | None]
    sign_by: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    close_by: Mapped[datetime | None]
    return_by: Mapped[datetime | None]
    max_close_by: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    extension_status: Mapped[str] = mapped_column(String(16), default="none")
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    reply: Mapped[str] = mapped_column(Text, default="")
    return_count: Mapped[int] = mapped_column(Integer, default=0)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    resolution: Mapped[str] = mapped_column(String(8), default="")
    satisfaction: Mapped[str] = mapped_column(String(8), default="")
    callback_at: Mapped[datetime | None]
    call_id: Mapped[str] = mapped_column(String(64), default="")
    recording_uri: Mapped[str] = mapped_column(String(256), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    lead_unit: Mapped[Unit | None] = relationship(lazy="joined", foreign_keys=[lead_unit_id])
    co_units: Mapped[list[TicketCoUnit]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="TicketCoUnit.unit_id"
    )


class TicketCoUnit(Base):
    """A co-handling unit (协办单位) of a ticket."""

    __tablename__ = "ticket_co_units"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)

    unit: Mapped[Unit] = relationship(lazy="joined")


class TicketEvent(Base):
    """Append-only audit trail: who did what to a ticket, when, and what changed."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")


class Notice(Base):
    """A reminder before a deadline, or an overdue notice (超期通报) against a unit.

    The unique key makes the scheduler idempotent: the same notice is never recorded twice,
    whatever restarts or concurrent schedulers happen.
    """

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("ticket_id", "kind", "deadline_kind", "due_at", name="uq_notice_once"),
        Index("ix_notices_unit", "unit_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(16))
    deadline_kind: Mapped[str] = mapped_column(String(16))
    deadline_at: Mapped[datetime]
    due_at: Mapped[datetime]
    created_at: Mapped[datetime]
    message: Mapped[str] = mapped_column(Text)
    read: Mapped[bool] = mapped_column(Boolean, default=False)


class SchedulerLease(Base):
    """Leadership lease so that exactly one scheduler runs at a time."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]


class RateCounter(Base):
    """Fixed-window request counters, shared by every worker through the database."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
