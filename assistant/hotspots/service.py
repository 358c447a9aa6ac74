"""The hot-spot desk: volumes for the dashboard, warnings (scan, list, acknowledge), sensor events
and 政警综 linkage, with who may do what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from assistant.access import Actor
from assistant.county import County
from assistant.db.engine import Database
from assistant.hotspots import warnings
from assistant.hotspots.detect import HotspotPolicy
from assistant.hotspots.linkage import LinkageDesk
from assistant.hotspots.periods import Period, parse_day, period_of
from assistant.hotspots.sensors import SensorDesk
from assistant.hotspots.volumes import VolumeTable, volume_table
from assistant.tickets.service import TicketService

VIEWERS = ("agent", "supervisor", "admin")


class HotspotService:
    def __init__(self, db: Database, county: County, tickets: TicketService, now: Callable[[], datetime]) -> None:
        self.db, self.county, self.now = db, county, now
        self.policy = HotspotPolicy.load(county.directory / "hotspot_policy.json")
        self.sensors = SensorDesk(db, county, tickets, now)
        self.linkage = LinkageDesk(db, county, now)

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

    def warnings(self, actor: Actor, **filters) -> list[warnings.WarningPublic]:  # type: ignore[no-untyped-def]
        actor.require(*VIEWERS)
        return warnings.list_warnings(self.db, **filters)

    def acknowledge(self, actor: Actor, warning_id: int, note: str = "") -> warnings.WarningPublic:
        actor.require("supervisor", "admin")
        return warnings.acknowledge(self.db, warning_id, actor.display_name, note, self.now())

