"""The running service's parts, wired once per process from the settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from assistant.auth import AuthService
from assistant.config import Settings
from assistant.county import County, load_county, seed_county
from assistant.db.engine import Database
from assistant.db.migrate import upgrade
from assistant.errors import AssistantError
from assistant.ratelimit import RateLimiter
from assistant.scheduler import Scheduler
from assistant.tickets.service import TicketService
from assistant.users import UserService
from assistant.workcalendar import WorkCalendar, covered_years

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Hotline:
    """Everything one service process needs: database, county, services, scheduler."""

    def __init__(self, settings: Settings, *, now: Callable[[], datetime] = utc_now) -> None:
        self.settings = settings
        self.data_dir = settings.ensure_dirs()
        self.now = now
        self.db = Database(settings.resolved_database_url(), sqlite_synchronous=settings.sqlite_synchronous)
        self.county: County = load_county(settings.county_dir)
        cal = self.county.raw.get("calendar", {})
        self.calendar = WorkCalendar(
            fallback=cal.get("fallback", "error"),
            extra_holidays=[date.fromisoformat(d) for d in cal.get("holidays", [])],
            extra_workdays=[date.fromisoformat(d) for d in cal.get("workdays", [])],
            tz=self.county.timezone,
        )
        self.auth = AuthService(
            self.db,
            now,
            token_ttl=timedelta(minutes=settings.token_ttl_minutes),
            max_failures=settings.login_max_failures,
            window=timedelta(minutes=settings.login_window_minutes),
        )
        self.tickets = TicketService(self.db, self.county, self.calendar, now)
        self.users = UserService(self.db, now)
        self.selfservice_limiter = RateLimiter(self.db, now, limit=settings.selfservice_rate_per_minute)
        self.scheduler = Scheduler(self.db, self.county, now, interval_s=settings.scheduler_interval_s)
        self.started_at = now()

    def migrate(self) -> None:
        upgrade(self.db)

    def init(self, *, demo: bool) -> dict[str, int]:
        """Create or upgrade the schema and load the county (with demo users when ``demo``)."""
        self.migrate()
        return seed_county(self.db, self.county, self.now, with_users=demo)

    def start(self, *, scheduler: bool | None = None) -> None:
        self.migrate()
        seed_county(self.db, self.county, self.now, with_users=False)
        if self.settings.scheduler_enabled if scheduler is None else scheduler:
            self.scheduler.start()

    def stop(self) -> None:
        self.scheduler.stop()
        self.db.dispose()

    def capabilities(self) -> dict[str, Any]:
        """What works now and what does not, with the reason (for the health endpoint)."""
        caps: dict[str, Any] = {}
        try:
            caps["database"] = {"ok": True, "latency_ms": round(self.db.ping(), 2),
                                "backend": "sqlite" if self.db.is_sqlite else "postgresql"}
        except AssistantError as exc:
            caps["database"] = {"ok": False, "reason": str(exc)}
        caps["scheduler"] = {
            "ok": self.scheduler.last_error is None,
            "running": self.scheduler._thread is not None,
            "last_run": self.scheduler.last_run.isoformat() if self.scheduler.last_run else None,
            "reason": self.scheduler.last_error,
        }
        first, last = covered_years()
        year = self.now().astimezone(self.county.timezone).year
        calendar: dict[str, Any] = {"ok": True, "years": [first, last], "fallback": self.calendar.fallback}
        if last <= year:
            calendar["warning"] = (
                f"法定节假日日历只收录到 {last} 年；之后的日期"
                + ("按周末计算，请在县级配置中补录节假日安排或升级 chinesecalendar"
                   if self.calendar.fallback == "weekends" else "将无法计算工作日，请升级 chinesecalendar")
            )
        caps["calendar"] = calendar
        return caps
