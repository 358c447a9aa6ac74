"""Working-day calendar on the real chinesecalendar data (2025 National Day, 2026 Spring Festival)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.errors import CalendarUnknownYear, ValidationFailed
from assistant.workcalendar import WorkCalendar, covered_years

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0, tz=SH) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=tz)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


def test_installed_calendar_covers_the_years_tested():
    first, last = covered_years()
    assert first <= 2025 and last >= 2026


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 9, 26), True),  # Friday
        (date(2025, 9, 27), False),  # Saturday
        (date(2025, 9, 28), True),  # Sunday, make-up workday
        (date(2025, 10, 1), False),  # National Day
        (date(2025, 10, 8), False),  # last day of the holiday
        (date(2025, 10, 9), True),
        (date(2025, 10, 11), True),  # Saturday, make-up workday
        (date(2025, 10, 12), False),
        (date(2026, 2, 14), True),  # Saturday, make-up workday before Spring Festival
        (date(2026, 2, 16), False),  # Spring Festival
        (date(2026, 2, 23), False),
        (date(2026, 2, 24), True),
    ],
)
def test_is_workday_follows_statutory_calendar(cal, day, expected):
    assert cal.is_workday(day) is expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, at(2025, 9, 26, 10)),
        (1, at(2025, 9, 28, 10)),  # make-up Sunday counts
        (3, at(2025, 9, 30, 10)),
        (4, at(2025, 10, 9, 10)),  # 10-01..10-08 skipped
        (6, at(2025, 10, 11, 10)),  # make-up Saturday counts
        (7, at(2025, 10, 13, 10)),
    ],
)
def test_add_working_days_across_national_day(cal, n, expected):
    assert cal.add_working_days(at(2025, 9, 26, 10), n) == expected


def test_add_working_days_across_spring_festival_2026(cal):
    start = at(2026, 2, 13, 9, 30)
    assert cal.add_working_days(start, 1) == at(2026, 2, 14, 9, 30)
    assert cal.add_working_days(start, 2) == at(2026, 2, 24, 9, 30)
    assert cal.add_working_days(start, 5) == at(2026, 2, 27, 9, 30)
    assert cal.add_working_days(start, 6) == at(2026, 2, 28, 9, 30)


def test_start_on_holiday_counts_from_next_workday_to_end_of_day(cal):
    assert cal.add_working_days(at(2025, 10, 3, 15), 1) == at(2025, 10, 9, 23, 59, 59)
    assert cal.add_working_days(at(2025, 10, 3, 15), 3) == at(2025, 10, 11, 23, 59, 59)


def test_start_on_weekend_counts_from_next_workday(cal):
    # Saturday before the make-up Sunday
    assert cal.add_working_days(at(2025, 9, 27, 9), 1) == at(2025, 9, 28, 23, 59, 59)
    # an ordinary weekend
    assert cal.add_working_days(at(2025, 11, 15, 8), 2) == at(2025, 11, 18, 23, 59, 59)


def test_day_arithmetic_is_done_in_county_time_zone(cal):
    # 2025-09-30 17:00 UTC is 2025-10-01 01:00 in Shanghai: a holiday.
    start = at(2025, 9, 30, 17, tz=UTC)
    result = cal.add_working_days(start, 1)
    assert result.tzinfo is UTC
    assert result == at(2025, 10, 9, 23, 59, 59)
    # 2025-09-30 15:00 UTC is 23:00 on a working day in Shanghai.
    start = at(2025, 9, 30, 15, tz=UTC)
    assert cal.add_working_days(start, 1) == at(2025, 10, 9, 23)
    assert cal.add_working_days(start, 1).tzinfo is UTC


def test_naive_datetimes_and_bad_counts_are_rejected(cal):
    with pytest.raises(ValidationFailed, match="时区"):
        cal.add_working_days(datetime(2025, 9, 26, 10), 1)
    with pytest.raises(ValidationFailed):
        cal.add_working_days(at(2025, 9, 26, 10), -1)
    with pytest.raises(ValidationFailed):
        cal.working_days_between(at(2025, 9, 26), datetime(2025, 9, 29))
    with pytest.raises(ValidationFailed):
        cal.add_hours(datetime(2025, 9, 26), 2)


def test_working_days_between_is_inverse_of_add_working_days(cal):
    start = at(2025, 9, 20, 0, 30)
    for step in range(0, 24 * 30, 7):  # every 7 hours for 30 days, workdays and holidays alike
        s = start + timedelta(hours=step)
        for n in range(0, 11):
            deadline = cal.add_working_days(s, n)
            assert cal.working_days_between(s, deadline) == n, (s, n)
            if n:
                assert cal.working_days_between(s, deadline - timedelta(seconds=1)) == n - 1, (s, n)


def test_working_days_between_examples(cal):
    assert cal.working_days_between(at(2025, 9, 30, 10), at(2025, 10, 9, 9, 59)) == 0
    assert cal.working_days_between(at(2025, 9, 30, 10), at(2025, 10, 9, 10)) == 1
    assert cal.working_days_between(at(2025, 10, 1, 10), at(2025, 10, 8, 23)) == 0
    assert cal.working_days_between(at(2025, 10, 9, 10), at(2025, 9, 30, 10)) == 0  # end before start


def test_add_hours_is_natural_time(cal):
    assert cal.add_hours(at(2025, 9, 30, 20), 24) == at(2025, 10, 1, 20)
    assert cal.add_hours(at(2025, 9, 30, 20), 1.5) == at(2025, 9, 30, 21, 30)


def test_unknown_year_raises_with_chinese_message(cal):
    with pytest.raises(CalendarUnknownYear) as info:
        cal.is_workday(date(2099, 3, 2))
    assert "2099" in str(info.value) and "chinesecalendar" in str(info.value)
    assert info.value.code == "calendar_unknown_year"


def test_deadline_running_into_unknown_year_raises(cal):
    _, last = covered_years()
    with pytest.raises(CalendarUnknownYear):
        cal.add_working_days(at(last, 12, 30, 10), 5)


def test_weekend_fallback_for_unknown_year():
    cal = WorkCalendar(fallback="weekends")
    assert date(2099, 1, 1).weekday() == 3
    assert cal.is_workday(date(2099, 1, 1)) is True  # New Year's Day unknown: treated as Thursday
    assert cal.is_workday(date(2099, 1, 3)) is False  # Saturday
    assert cal.add_working_days(at(2099, 1, 2, 10), 1) == at(2099, 1, 5, 10)
    # known years still use the statutory data
    assert cal.is_workday(date(2025, 10, 1)) is False


def test_extra_days_override_statutory_and_unknown_years():
    cal = WorkCalendar(
        extra_holidays=[date(2025, 9, 29), date(2099, 3, 2)], extra_workdays=[date(2025, 10, 4)]
    )
    assert cal.is_workday(date(2025, 9, 29)) is False
    assert cal.is_workday(date(2025, 10, 4)) is True
    assert cal.is_workday(date(2099, 3, 2)) is False
    assert cal.add_working_days(at(2025, 9, 28, 10), 1) == at(2025, 9, 30, 10)


def test_bad_calendar_settings_are_rejected():
    with pytest.raises(ValidationFailed):
        WorkCalendar(fallback="guess")  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed, match="同时"):
        WorkCalendar(extra_holidays=[date(2025, 9, 29)], extra_workdays=[date(2025, 9, 29)])


def test_calendar_days_are_counted_in_the_configured_time_zone():
    # the same instant is still a working day in Urumqi (UTC+6) but already National Day in Shanghai
    urumqi = WorkCalendar(tz="Asia/Urumqi")
    start = at(2025, 9, 30, 17, tz=UTC)  # 23:00 Urumqi, 01:00 on 10-01 in Shanghai
    assert urumqi.add_working_days(start, 1) == at(2025, 10, 9, 23, tz=ZoneInfo("Asia/Urumqi"))
    assert WorkCalendar().add_working_days(start, 1) == at(2025, 10, 9, 23, 59, 59)
