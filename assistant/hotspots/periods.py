"""Reporting periods in the county's local time (day, ISO week from Monday, calendar month) and
the SQL expressions that bucket tickets by local day and top-level category on each backend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import literal_column
from sqlalchemy.sql.elements import ColumnElement

from assistant.errors import ValidationFailed

PERIODS = ("day", "week", "month")
PERIOD_LABELS = {"day": "日", "week": "周", "month": "月"}
UNCATEGORISED = "未分类"


@dataclass(frozen=True)
class Period:
    kind: str
    first: date  # local dates, [first, last)
    after: date
    tz: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), self.tz).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.after, time(), self.tz).astimezone(UTC)

    @property
    def label(self) -> str:
        if self.kind == "day":
            return f"{self.first:%Y年%m月%d日}"
        if self.kind == "month":
            return f"{self.first:%Y年%m月}"
        iso = self.first.isocalendar()
        last = self.after - timedelta(days=1)
        return f"{iso.year}年第{iso.week}周（{self.first:%m月%d日}—{last:%m月%d日}）"

    def shift(self, n: int) -> Period:
        """The period ``n`` steps later (negative: earlier)."""
        if self.kind == "day":
            return period_of("day", self.first + timedelta(days=n), self.tz)
        if self.kind == "week":
            return period_of("week", self.first + timedelta(weeks=n), self.tz)
        months = self.first.year * 12 + self.first.month - 1 + n
        return period_of("month", date(months // 12, months % 12 + 1, 1), self.tz)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.after - self.first).days)]


def period_of(kind: str, day: date, tz: ZoneInfo) -> Period:
    """The day, week (Monday to Sunday) or month that contains ``day``."""
    if kind == "day":
        return Period(kind, day, day + timedelta(days=1), tz)
    if kind == "week":
        first = day - timedelta(days=day.weekday())
        return Period(kind, first, first + timedelta(days=7), tz)
    if kind == "month":
        first = day.replace(day=1)
        after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return Period(kind, first, after, tz)
    raise ValidationFailed(f"统计周期只能是 day、week 或 month，收到“{kind}”")


def parse_day(value: str | date | None, default: date) -> date:
    if value is None or value == "":
        return default
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValidationFailed(f"日期格式不正确：“{value}”（应为 YYYY-MM-DD）") from None


def top_category_expr(dialect: str) -> ColumnElement[str]:
    """The first level of a ticket's category path, written exactly as the index on it is."""
    if dialect == "sqlite":
        return literal_column("json_extract(tickets.category, '$[0]')")
    return literal_column("(tickets.category ->> 0)")
