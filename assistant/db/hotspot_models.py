"""ORM models of hot spots and early warning (热点预警), sensor events (低空感知) and 政警综
linkage orders (110 / 综治 work orders matched against hotline tickets)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db.models import Base


class HotspotWarning(Base):
    """A rising topic: a category × township count well above its own baseline in one period."""

    __tablename__ = "hotspot_warnings"
    __table_args__ = (
        UniqueConstraint("period", "period_start", "category", "township", name="uq_hotspot_warning_once"),
        Index("ix_hotspot_warnings_status", "status", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(8))  # day | week | month
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    category: Mapped[str] = mapped_column(String(64))
    township: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer)
    expected: Mapped[float] = mapped_column(Float)
    baseline: Mapped[float] = mapped_column(Float)
    seasonal_factor: Mapped[float] = mapped_column(Float, default=1.0)
    z_score: Mapped[float] = mapped_column(Float)
    p_value: Mapped[float] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(8))  # 关注 | 预警 | 严重
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | acknowledged
    created_at: Mapped[datetime]
    acknowledged_by: Mapped[str] = mapped_column(String(64), default="")
    acknowledged_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")


class SensorEvent(Base):
    """An alert from drones, video or IoT sensors (低空感知) with type, place and time."""

    __tablename__ = "sensor_events"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_sensor_event_external"),
        Index("ix_sensor_events_place_time", "township", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # drone | video | iot
    external_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    township: Mapped[str] = mapped_column(String(64))
    village: Mapped[str] = mapped_column(String(64), default="")
    address_detail: Mapped[str] = mapped_column(String(256), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    occurred_at: Mapped[datetime]
    description: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64), default="")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))  # the proactive ticket


class LinkageOrder(Base):
    """A 110 police or 综治 work order, imported or exported, linked to the hotline ticket of the
    same event when one matches (place + time + text), so that one event is seen once."""

    __tablename__ = "linkage_orders"
    __table_args__ = (
        UniqueConstraint("system", "external_no", name="uq_linkage_order_external"),
        Index("ix_linkage_orders_ticket", "ticket_id"),
        Index("ix_linkage_orders_place_time", "township", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(String(8))  # 110 | 综治
    external_no: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(128))
    content: Mapped[str] = mapped_column(Text, default="")
    township: Mapped[str] = mapped_column(String(64), default="")
    village: Mapped[str] = mapped_column(String(64), default="")
    address_detail: Mapped[str] = mapped_column(String(256), default="")
    occurred_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(32), default="")
    imported_at: Mapped[datetime]
    imported_by: Mapped[str] = mapped_column(String(64), default="")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    match_score: Mapped[float | None] = mapped_column(Float)
    match_reason: Mapped[str] = mapped_column(Text, default="")
