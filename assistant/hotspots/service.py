"""The hot-spot desk: volumes for the dashboard, warnings (scan, list, acknowledge), sensor events
and 政警综 linkage, with who may do what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import select

from assistant.access import Actor
from assistant.county import County
from assistant.db.engine import Database
from assistant.db.models import Ticket
from assistant.hotspots import warnings
from assistant.hotspots.detect import HotspotPolicy
from assistant.hotspots.events import Appeal, find_events
from assistant.hotspots.linkage import LinkageDesk
from assistant.hotspots.periods import Period, parse_day, period_of
from assistant.hotspots.sensors import SensorDesk
from assistant.hotspots.volumes import VolumeTable, volume_table
from assistant.tickets.service import TicketService

VIEWERS = ("agent", "supervisor", "admin")
MAX_EVENT_TICKETS = 5000


class HotEventPublic(BaseModel):
    title: str
    township: str
    first: datetime
    last: datetime
    tickets: int
    people: int
    heat: float
    explanation: str
    ticket_ids: list[int]


class HotspotService:
    def __init__(self, db: Database, county: County, tickets: TicketService, now: Callable[[], datetime]) -> None:
        self.db, self.county, self.now = db, county, now
        self.policy = HotspotPolicy.load(county.directory / "hotspot_policy.json")
        self.sensors = SensorDesk(db, county, tickets, now)
        self.linkage = LinkageDesk(db, county, now)
        self._last_scheduled_scan: date | None = None

    def today(self) -> date:
        return self.now().astimezone(self.county.timezone).date()

    def period(self, kind: str, day: str | date | None) -> Period:
        return period_of(kind, parse_day(day, self.today()), self.county.timezone)

    def volumes(self, actor: Actor, kind: str, day: str | date | None, periods: int = 1,
                township: str | None = None, category: str | None = None) -> VolumeTable:
        actor.require(*VIEWERS)
        last = self.period(kind, day)
        if township:
            township = self.county.resolve_township(township)
        with self.db.read() as s:
            return volume_table(s, kind, last, max(1, min(periods, 400)), self.county.timezone, township, category)

    def scan(self, actor: Actor, kind: str, day: str | date | None) -> warnings.ScanResult:
        actor.require("supervisor", "admin", "system")
        return warnings.scan(self.db, self.period(kind, day), self.policy, self.now())

    def scheduled_scan(self) -> list[warnings.ScanResult]:
        """Early warning without anyone asking: once a day (run by the scheduler's leader), scan
        yesterday; on Mondays also last week, on the 1st also last month. Scans are idempotent,
        so a restart that scans again changes nothing."""
        today = self.today()
        if self._last_scheduled_scan == today:
            return []
        yesterday = today - timedelta(days=1)
        kinds = ["day"] + (["week"] if today.weekday() == 0 else []) + (["month"] if today.day == 1 else [])
        results = [self.scan(Actor.system(), kind, yesterday) for kind in kinds]
        self._last_scheduled_scan = today
        return results

    def warnings(self, actor: Actor, **filters) -> list[warnings.WarningPublic]:  # type: ignore[no-untyped-def]
        actor.require(*VIEWERS)
        return warnings.list_warnings(self.db, **filters)

    def acknowledge(self, actor: Actor, warning_id: int, note: str = "") -> warnings.WarningPublic:
        actor.require("supervisor", "admin")
        return warnings.acknowledge(self.db, warning_id, actor.display_name, note, self.now())

    def events(self, actor: Actor, days: int = 30, top: int = 10) -> list[HotEventPublic]:
        """Hot-spot events among the tickets of the last ``days`` (the newest 5,000 at most):
        tickets about one matter in one township from several callers, ranked by heat."""
        actor.require(*VIEWERS)
        since = self.now() - timedelta(days=max(1, min(days, 92)))
        with self.db.read() as s:
            rows = s.execute(
                select(Ticket.id, Ticket.title, Ticket.content, Ticket.township, Ticket.village, Ticket.created_at,
                       Ticket.caller_number, Ticket.id_number)
                .where(Ticket.created_at >= since).order_by(Ticket.created_at.desc()).limit(MAX_EVENT_TICKETS)
            ).all()
        appeals = [Appeal(id=r.id, text=f"{r.title}。{r.village}{r.content}"[:600], place=r.township,
                          at=r.created_at, person=r.caller_number or r.id_number or "") for r in rows]
        return [HotEventPublic(title=e.title, township=e.place, first=e.first, last=e.last, tickets=len(e.ids),
                               people=e.people, heat=e.heat, explanation=e.explanation, ticket_ids=e.ids)
                for e in find_events(appeals, top=max(1, min(top, 50)))]
