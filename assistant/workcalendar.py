"""Working-day calendar of the county: statutory holidays and make-up workdays (调休).

Statutory data comes from ``chinesecalendar`` (import name ``chinese_calendar``), which covers only
the years the State Council has published. All day arithmetic is done in the county's time zone
(Asia/Shanghai); aware datetimes in any time zone are accepted and returned in the caller's zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

import chinese_calendar

from assistant.errors import CalendarUnknownYear, ValidationFailed

COUNTY_TZ = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)
_ONE_DAY = timedelta(days=1)

Fallback = Literal["error", "weekends"]


def covered_years() -> tuple[int, int]:
    """First and last year that the installed chinesecalendar knows."""
    years = [d.year for d in chinese_calendar.holidays] + [d.year for d in chinese_calendar.workdays]
    return min(years), max(years)


def require_aware(value: datetime, name: str = "时间") -> datetime:
    """Reject naive datetimes: deadlines are instants, not wall-clock readings."""
    if not isinstance(value, datetime):
        raise ValidationFailed(f"{name}必须是 datetime 类型，收到的是 {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationFailed(
            f"{name}必须带时区（例如 Asia/Shanghai），收到的是不带时区的 {value.isoformat()}"
        )
    return value


class WorkCalendar:
    """Decides which days are working days and does deadline arithmetic on them.

    ``fallback``: what to do for a year that chinesecalendar does not cover (it raises
    ``NotImplementedError``). ``"error"`` (default) raises :class:`CalendarUnknownYear`;
    ``"weekends"`` treats Monday–Friday as working days and Saturday/Sunday as rest days for such
    years, i.e. it ignores the statutory holidays and make-up workdays that are not yet known —
    deadlines may then fall on a holiday and must be checked once the State Council publishes.

    ``extra_holidays`` / ``extra_workdays``: county-specific days (e.g. a local holiday or an
    extra duty day) that override both chinesecalendar and the fallback; they also work for years
    that chinesecalendar does not cover.

    ``tz``: the county's time zone (default Asia/Shanghai), in which calendar days are counted.
    """

    def __init__(
        self,
        fallback: Fallback = "error",
        extra_holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
        *,
        tz: str | tzinfo = COUNTY_TZ,
    ) -> None:
        if fallback not in ("error", "weekends"):
            raise ValidationFailed(f"未知的日历兜底方式：{fallback!r}（只能是 'error' 或 'weekends'）")
        self.fallback: Fallback = fallback
        self.extra_holidays = frozenset(_as_date(d) for d in extra_holidays)
        self.extra_workdays = frozenset(_as_date(d) for d in extra_workdays)
        both = self.extra_holidays & self.extra_workdays
        if both:
            days = "、".join(sorted(d.isoformat() for d in both))
            raise ValidationFailed(f"以下日期同时被设为节假日和工作日：{days}")
        self.tz: tzinfo = ZoneInfo(tz) if isinstance(tz, str) else tz
        self._known: dict[date, bool] = {}  # chinese_calendar re-validates every call: remember answers

    # -- days ---------------------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        """True when ``d`` (a calendar date in the county) is a working day."""
        d = _as_date(d)
        if d in self.extra_workdays:
            return True
        if d in self.extra_holidays:
            return False
        cached = self._known.get(d)
        if cached is not None:
            return cached
        try:
            answer = bool(chinese_calendar.is_workday(d))
        except NotImplementedError:
            if self.fallback == "weekends":
                return d.weekday() < 5
            first, last = covered_years()
            raise CalendarUnknownYear(
                f"法定节假日日历尚未收录 {d.year} 年（当前 chinesecalendar 仅覆盖 {first}–{last} 年），"
                f"无法计算工作日。请升级 chinesecalendar，或将日历兜底方式设为按周末计算（fallback='weekends'）。",
                details={"year": d.year, "covered": [first, last]},
            ) from None
        self._known[d] = answer
        return answer

    def next_workday(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        d = _as_date(d) + _ONE_DAY
        while not self.is_workday(d):
            d += _ONE_DAY
        return d

    # -- instants -----------------------------------------------------------------------------

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """The deadline ``n`` working days after ``start``.

        If ``start`` falls on a working day, the deadline is the same time of day on the n-th
        following working day. If it falls on a rest day or holiday, counting starts from the next
        working day and the deadline is the end (23:59:59) of the n-th working day, counting that
        first working day as day 1. ``n == 0`` returns ``start``. The result is in ``start``'s
        time zone.
        """
        require_aware(start, "起始时间")
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValidationFailed(f"工作日数必须是非负整数，收到的是 {n!r}")
        if n == 0:
            return start
        local = start.astimezone(self.tz)
        day = local.date()
        at = local.time() if self.is_workday(day) else END_OF_DAY
        for _ in range(n):
            day = self.next_workday(day)
        return datetime.combine(day, at, tzinfo=self.tz).astimezone(start.tzinfo)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """How many working days have fully passed from ``start`` to ``end``.

        The inverse of :meth:`add_working_days`: ``working_days_between(s, add_working_days(s, n))
        == n`` and the count goes up exactly at each such deadline. Returns 0 when ``end`` is not
        after ``start``.
        """
        require_aware(start, "起始时间")
        require_aware(end, "结束时间")
        if end <= start:
            return 0
        local_start = start.astimezone(self.tz)
        local_end = end.astimezone(self.tz)
        first = local_start.date()
        threshold = local_start.time() if self.is_workday(first) else END_OF_DAY
        count = 0
        day = first + _ONE_DAY
        last = local_end.date()
        while day < last:
            if self.is_workday(day):
                count += 1
            day += _ONE_DAY
        if last > first and self.is_workday(last) and local_end.time() >= threshold:
            count += 1
        return count

    def add_hours(self, start: datetime, hours: float) -> datetime:
        """``start`` plus ``hours`` natural (clock) hours, holidays included."""
        require_aware(start, "起始时间")
        if isinstance(hours, bool) or not isinstance(hours, int | float) or hours < 0:
            raise ValidationFailed(f"小时数必须是非负数，收到的是 {hours!r}")
        return start + timedelta(hours=hours)


def _as_date(d: date) -> date:
    if isinstance(d, datetime):
        return d.date()
    if not isinstance(d, date):
        raise ValidationFailed(f"日期必须是 date 类型，收到的是 {type(d).__name__}")
    return d
