"""Hot spots and early warning on a real database: volumes, rising topics with their own baseline
and last year's season, storage and acknowledgement of warnings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from assistant.access import Actor
from assistant.db.models import Ticket
from assistant.errors import InvalidTransition, PermissionDenied, ValidationFailed
from assistant.hotspots.detect import HotspotPolicy, evaluate
from assistant.hotspots.periods import period_of

SUPERVISOR = Actor(1, "sup", "督办员甲", "supervisor")
AGENT = Actor(2, "agent", "坐席甲", "agent")
CN = UTC  # tickets below are placed at 04:00 UTC = 12:00 Beijing time, safely inside the local day


def add_tickets(hotline, rows: list[tuple[date, str, str, int]]) -> None:
    """Bulk rows straight into the table: (local day, top category, township, how many)."""
    values = []
    seq = 0
    for day, cat, town, n in rows:
        for _ in range(n):
            seq += 1
            at = datetime(day.year, day.month, day.day, 4, 0, tzinfo=CN) + timedelta(seconds=seq)
            values.append(dict(number=f"T{seq:08d}{day:%m%d}", channel="phone", appeal_type="求助", category=[cat, "其他"],
                               title=f"{cat}问题", content=f"{town}{cat}问题", township=town, status="accepted",
                               created_at=at, updated_at=at, version=1))
    with hotline.db.write() as s:
        s.execute(insert(Ticket), values)


def weekly(start: date, weeks: int, cat: str, town: str, n: int) -> list[tuple[date, str, str, int]]:
    return [(start + timedelta(weeks=i), cat, town, n) for i in range(weeks)]


def test_volumes_by_category_township_and_period(hotline) -> None:
    monday = date(2026, 3, 2)
    add_tickets(hotline, [(monday, "城乡建设", "太平镇", 3), (monday + timedelta(days=2), "城乡建设", "太平镇", 2),
                          (monday + timedelta(days=8), "交通运输", "容美镇", 4)])
    table = hotline.hotspots.volumes(AGENT, "week", "2026-03-09", periods=2)
    assert table.total == 9 and table.by_period == {"2026-03-02": 5, "2026-03-09": 4}
    assert table.by_category == {"城乡建设": 5, "交通运输": 4}
    day = hotline.hotspots.volumes(AGENT, "day", "2026-03-04", township="太平镇")
    assert [(c.category, c.count) for c in day.cells] == [("城乡建设", 2)]
    month = hotline.hotspots.volumes(AGENT, "month", "2026-03-31")
    assert month.by_township == {"太平镇": 5, "容美镇": 4}
    with pytest.raises(ValidationFailed, match="统计周期"):
        hotline.hotspots.volumes(AGENT, "year", None)
    with pytest.raises(ValidationFailed, match="日期格式"):
        hotline.hotspots.volumes(AGENT, "week", "3月9日")
    with pytest.raises(PermissionDenied):
        hotline.hotspots.volumes(Actor(3, "u", "单位", "unit_staff", 1), "week", None)


def test_rising_topic_warned_explained_stored_once_and_acknowledged(hotline) -> None:
    start = date(2026, 1, 5)  # a Monday; 8 quiet weeks, then a surge in week 9
    rows = weekly(start, 8, "城乡建设", "太平镇", 2) + weekly(start, 9, "交通运输", "容美镇", 6)
    rows.append((start + timedelta(weeks=8, days=1), "城乡建设", "太平镇", 15))
    add_tickets(hotline, rows)
    result = hotline.hotspots.scan(SUPERVISOR, "week", (start + timedelta(weeks=8)).isoformat())
    assert [(w.township, w.category, w.count) for w in result.warnings] == [("太平镇", "城乡建设", 15)]
    w = result.warnings[0]
    assert w.expected == pytest.approx(2.0) and w.z_score > 5 and w.p_value < 1e-5 and w.level == "严重"
    assert "太平镇" in w.message and "城乡建设" in w.message and "预期约 2.0 件" in w.message and "p =" in w.message
    again = hotline.hotspots.scan(SUPERVISOR, "week", (start + timedelta(weeks=8, days=3)).isoformat())
    assert [x.id for x in again.warnings] == [w.id]  # stored once
    assert [x.id for x in hotline.hotspots.warnings(AGENT, status="open")] == [w.id]
    with pytest.raises(PermissionDenied):
        hotline.hotspots.acknowledge(AGENT, w.id)
    done = hotline.hotspots.acknowledge(SUPERVISOR, w.id, "已通知太平镇排查")
    assert done.status == "acknowledged" and done.acknowledged_by == "督办员甲"
    with pytest.raises(InvalidTransition):
        hotline.hotspots.acknowledge(SUPERVISOR, w.id)
    assert hotline.hotspots.scan(SUPERVISOR, "week", (start + timedelta(weeks=8)).isoformat()).warnings[0].status == \
        "acknowledged"


def test_flood_season_seen_last_year_is_not_a_surprise(hotline) -> None:
    """The same rise in the same weeks last year makes it expected (seasonal factor)."""
    this_year = date(2026, 6, 1)  # Monday
    last_year = this_year - timedelta(weeks=52)
    rows = weekly(last_year - timedelta(weeks=8), 8, "防汛抗旱", "走马镇", 2) + [(last_year, "防汛抗旱", "走马镇", 14)]
    rows += weekly(last_year - timedelta(weeks=8), 9, "防汛抗旱", "燕子镇", 2)
    rows += weekly(this_year - timedelta(weeks=8), 8, "防汛抗旱", "走马镇", 2) + [(this_year, "防汛抗旱", "走马镇", 12)]
    add_tickets(hotline, rows)
    result = hotline.hotspots.scan(SUPERVISOR, "week", this_year.isoformat())
    assert result.seasonal and result.warnings == []
    # without last year's record the same week would be flagged
    period = period_of("week", this_year, hotline.county.timezone)
    assert evaluate("防汛抗旱", "走马镇", 12, [2] * 8, 1.0, period, HotspotPolicy.default()) is not None


def test_small_counts_never_warn() -> None:
    period = period_of("day", date(2026, 3, 10), UTC)  # type: ignore[arg-type]
    assert evaluate("城乡建设", "太平镇", 4, [0] * 28, 1.0, period, HotspotPolicy.default()) is None


def test_scheduler_leader_scans_once_a_day_by_itself(hotline, clock) -> None:
    start = date(2026, 1, 5)  # 8 quiet weeks, then a surge on Tuesday of week 9
    rows = weekly(start, 8, "城乡建设", "太平镇", 2)
    surge_day = start + timedelta(weeks=8, days=1)
    rows.append((surge_day, "城乡建设", "太平镇", 15))
    add_tickets(hotline, rows)
    # the next morning (Beijing time) the scheduler's pass scans yesterday without anyone asking
    clock.set(datetime(surge_day.year, surge_day.month, surge_day.day, 23, 30, tzinfo=UTC))
    assert hotline.scheduler.acquire_lease()
    hotline.scheduler.run_jobs()
    assert [(w.township, w.count) for w in hotline.hotspots.warnings(SUPERVISOR)] == [("太平镇", 15)]
    assert hotline.hotspots.scheduled_scan() == []  # once a day: later passes do nothing
    clock.advance(days=5)  # the following Monday (Beijing time): the day and the whole past week
    kinds = [r.period for r in hotline.hotspots.scheduled_scan()]
    assert kinds[0] == "day" and len(kinds) == 2
