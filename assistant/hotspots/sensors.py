"""Sensor events (低空感知: drone, video, IoT alerts): posted, validated, matched to tickets
nearby in place and time, and opened as proactive tickets through the ticket service."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.access import Actor
from assistant.county import County
from assistant.db.engine import Database
from assistant.db.hotspot_models import SensorEvent
from assistant.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from assistant.hotspots.matching import SENSOR_WEIGHTS, TicketMatch, nearby
from assistant.tickets.schemas import DispatchInput, TicketCreate, TicketPublic
from assistant.tickets.service import TicketService
from assistant.tickets.vocab import Urgency

SOURCE_LABELS = {"drone": "无人机巡查", "video": "视频监控", "iot": "物联网传感器"}


class SensorEventCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    source: Literal["drone", "video", "iot"] = Field(description="来源：drone 无人机 / video 视频 / iot 物联网")
    external_id: str = Field(min_length=1, max_length=64, description="来源系统中的告警编号（重复推送只记一次）")
    kind: str = Field(min_length=2, max_length=32, description="告警类型，如 道路积水、山体滑坡、秸秆焚烧")
    township: str = Field(min_length=1, max_length=32, description="乡镇")
    village: str = Field(default="", max_length=32, description="村（社区）")
    address_detail: str = Field(default="", max_length=200)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    occurred_at: datetime = Field(description="发现时间（ISO 8601；无时区按本县时间）")
    description: str = Field(default="", max_length=2000, description="告警描述")
    confidence: float | None = Field(default=None, ge=0, le=1, description="识别置信度")


class SensorEventPublic(BaseModel):
    id: int
    source: str
    source_label: str
    external_id: str
    kind: str
    township: str
    village: str
    address_detail: str
    latitude: float | None
    longitude: float | None
    occurred_at: datetime
    description: str
    confidence: float | None
    created_at: datetime
    ticket_id: int | None = Field(description="据此主动立案的工单")
    matches: list[TicketMatch] = Field(default_factory=list, description="时间地点相近的已有工单")


class ProactiveTicket(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: str | None = Field(default=None, max_length=60, description="标题；默认取告警类型与地点")
    appeal_type: Literal["求助", "投诉", "举报", "建议"] = "求助"
    urgency: Urgency = "一般"
    category: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=4)
    dispatch: DispatchInput | None = Field(default=None, description="同时派单")
    comment: str = Field(default="", max_length=500)


def _public(e: SensorEvent, matches: list[TicketMatch] | None = None) -> SensorEventPublic:
    return SensorEventPublic(id=e.id, source=e.source, source_label=SOURCE_LABELS.get(e.source, e.source),
                             external_id=e.external_id, kind=e.kind, township=e.township, village=e.village,
                             address_detail=e.address_detail, latitude=e.latitude, longitude=e.longitude,
                             occurred_at=e.occurred_at, description=e.description, confidence=e.confidence,
                             created_at=e.created_at, ticket_id=e.ticket_id, matches=matches or [])


def _text(e: SensorEvent) -> str:
    return f"{e.kind}{e.address_detail}{e.description}"


class SensorDesk:
    def __init__(self, db: Database, county: County, tickets: TicketService, now) -> None:  # type: ignore[no-untyped-def]
        self.db, self.county, self.tickets, self.now = db, county, tickets, now

    def _place(self, township: str, village: str) -> tuple[str, str]:
        town = self.county.resolve_township(township)
        if village:
            known = next(t.villages for t in self.county.townships if t.name == town)
            if known and village not in known:
                raise ValidationFailed(f"“{village}”不是{town}的村（社区）")
        return town, village

    def post(self, data: SensorEventCreate, actor: Actor) -> SensorEventPublic:
        actor.require("supervisor", "admin", "system")
        town, village = self._place(data.township, data.village)
        at = data.occurred_at if data.occurred_at.tzinfo else data.occurred_at.replace(tzinfo=self.county.timezone)
        now = self.now()
        if at > now + timedelta(minutes=10):
            raise ValidationFailed("告警时间晚于当前时间，请检查来源系统的时钟")
        try:
            with self.db.write() as s:
                old = s.scalar(select(SensorEvent).where(SensorEvent.source == data.source,
                                                         SensorEvent.external_id == data.external_id))
                if old is not None:
                    return _public(old, nearby(s, old.township, old.village, old.occurred_at, _text(old),
                                               SENSOR_WEIGHTS))
                e = SensorEvent(**data.model_dump(exclude={"township", "village", "occurred_at"}),
                                township=town, village=village, occurred_at=at, created_at=now,
                                created_by=actor.display_name)
                s.add(e)
                s.flush()
                return _public(e, nearby(s, town, village, at, _text(e), SENSOR_WEIGHTS))
        except IntegrityError:
            raise Conflict("同一告警正在被重复推送，请稍后查询") from None

    def _get(self, s: Session, event_id: int) -> SensorEvent:
        e = s.get(SensorEvent, event_id)
        if e is None:
            raise NotFound(f"感知事件 {event_id} 不存在")
        return e

    def get(self, event_id: int, actor: Actor) -> SensorEventPublic:
        actor.require("agent", "supervisor", "admin")
        with self.db.read() as s:
            e = self._get(s, event_id)
            return _public(e, nearby(s, e.township, e.village, e.occurred_at, _text(e), SENSOR_WEIGHTS))

    def list(self, actor: Actor, *, township: str | None = None, open_only: bool = False,
             limit: int = 100) -> list[SensorEventPublic]:
        actor.require("agent", "supervisor", "admin")
        stmt = select(SensorEvent).order_by(SensorEvent.occurred_at.desc(), SensorEvent.id.desc()).limit(limit)
        if township:
            stmt = stmt.where(SensorEvent.township == township)
        if open_only:
            stmt = stmt.where(SensorEvent.ticket_id.is_(None))
        with self.db.read() as s:
            return [_public(e) for e in s.scalars(stmt)]

    def open_ticket(self, event_id: int, body: ProactiveTicket, actor: Actor) -> TicketPublic:
        """未诉先办: a supervisor opens a ticket from the event (audited by the ticket service)."""
        actor.require("supervisor", "admin")
        with self.db.read() as s:
            e = self._get(s, event_id)
            if e.ticket_id is not None:
                raise InvalidTransition(f"该感知事件已立案（工单 {e.ticket_id}）")
            local = e.occurred_at.astimezone(self.county.timezone)
            place = f"{e.township}{e.village}{e.address_detail}"
            content = (f"{SOURCE_LABELS.get(e.source, e.source)}于{local:%Y年%m月%d日 %H:%M}在{place}发现“{e.kind}”"
                       f"（告警编号 {e.external_id}）。{e.description}".strip())
            data = TicketCreate(channel="sensor", appeal_type=body.appeal_type, urgency=body.urgency,
                                category=body.category, title=(body.title or f"{e.kind}（{e.township}{e.village}）")[:60],
                                content=content[:5000], township=e.township, village=e.village,
                                address_detail=e.address_detail, event_time=e.occurred_at, callback_ok=False,
                                dispatch=body.dispatch)
        ticket = self.tickets.create(data, actor)
        with self.db.write() as s:
            e = self._get(s, event_id)
            if e.ticket_id is not None:  # another supervisor was quicker: keep the first, say so
                raise Conflict(f"该感知事件刚由他人立案（工单 {e.ticket_id}），本次生成的工单 {ticket.number} 请退回作废")
            e.ticket_id = ticket.id
        return ticket
