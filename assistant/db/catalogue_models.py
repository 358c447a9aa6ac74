"""ORM models of the managed dispatch catalogue (派单目录) and of the agents' corrections of the
classifiers' suggestions.

``catalogue_lines`` holds the catalogue in force; every change (create, update, delete, import,
rollback, the first seed from the county's CSV) adds one ``catalogue_versions`` row with who, when,
what changed and a full snapshot of the catalogue after the change, so any version can be restored.
The newest version's id is the catalogue's revision: the dispatcher rebuilds its index when it moves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db.models import Base


class CatalogueLineRow(Base):
    __tablename__ = "catalogue_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter: Mapped[str] = mapped_column(String(128), unique=True)
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    unit_code: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    co_units: Mapped[list[Any]] = mapped_column(default=list)
    basis: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64), default="")


class CatalogueVersion(Base):
    __tablename__ = "catalogue_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # seed | create | update | delete | import | rollback
    note: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[list[Any]] = mapped_column(default=list)  # [{"matter", "before", "after"}]
    lines: Mapped[list[Any]] = mapped_column(default=list)  # the whole catalogue after this change


class ClassificationCorrection(Base):
    """An agent (or the ticket form) chose a different category / appeal type / urgency / lead unit
    than the one suggested: the next training's data."""

    __tablename__ = "classification_corrections"
    __table_args__ = (Index("ix_corrections_field_at", "field", "at"), Index("ix_corrections_ticket", "ticket_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    field: Mapped[str] = mapped_column(String(16))  # category | appeal_type | urgency | lead_unit
    text: Mapped[str] = mapped_column(Text)
    suggested: Mapped[str] = mapped_column(String(256))
    chosen: Mapped[str] = mapped_column(String(256))
    source: Mapped[str] = mapped_column(String(16), default="form")  # form | call_draft
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
