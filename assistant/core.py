"""The ticket center's core, for a process that needs no models: the database, the county, its
working calendar and the ticket service. The API's runtime (``runtime.Hotline``) builds these
first; the detection process builds only these (and governance on top), so it starts in about a
second instead of importing every model's code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from assistant.config import Settings
from assistant.county import County, load_county
from assistant.db.engine import Database
from assistant.tickets.service import TicketService
from assistant.workcalendar import WorkCalendar


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Core:
    db: Database
    county: County
    calendar: WorkCalendar
    tickets: TicketService


def build_core(settings: Settings, now: Callable[[], datetime] = utc_now) -> Core:
    db = Database(settings.resolved_database_url(), sqlite_synchronous=settings.sqlite_synchronous,
                  busy_timeout=settings.db_busy_timeout_s)
    county = load_county(settings.county_dir)
    cal = county.raw.get("calendar", {})
    calendar = WorkCalendar(
        fallback=cal.get("fallback", "error"),
        extra_holidays=[date.fromisoformat(d) for d in cal.get("holidays", [])],
        extra_workdays=[date.fromisoformat(d) for d in cal.get("workdays", [])],
        tz=county.timezone,
    )
    return Core(db, county, calendar, TicketService(db, county, calendar, now))
