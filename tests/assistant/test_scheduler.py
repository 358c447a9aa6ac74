"""Reminders and overdue notices: due on time, never twice, across restarts and rival workers."""

from __future__ import annotations

from sqlalchemy import func, select

from assistant.db.models import Notice
from assistant.scheduler import Scheduler
from assistant.tickets.schemas import ActionInput, TicketCreate
from tests.assistant.test_tickets import actor
from tests.conftest import demo_users


def _ticket(hotline, lead: str) -> int:
    agent = actor(hotline, demo_users("agent")[0]["username"])
    t = hotline.tickets.create(
        TicketCreate(appeal_type="投诉", title="燕子镇噪音扰民", content="晚上工地施工噪音很大。", township="燕子镇"), agent
    )
    hotline.tickets.act(t.id, "dispatch", ActionInput(lead_unit=lead), agent)
    return t.id


def _count(hotline, **where) -> int:
    with hotline.db.read() as s:
        stmt = select(func.count(Notice.id))
        for k, v in where.items():
            stmt = stmt.where(getattr(Notice, k) == v)
        return s.scalar(stmt)


def test_reminder_then_overdue_and_restart_safe(hotline, clock) -> None:
    lead = demo_users("unit_staff")[0]["unit_code"]
    _ticket(hotline, lead)
    assert hotline.scheduler.run_once() == 0
    clock.advance(hours=18, minutes=30)
    assert hotline.scheduler.run_once() == 1
    assert hotline.scheduler.run_once() == 0  # the same pass again: nothing new, nothing written
    # a "restarted" service: a fresh scheduler on the same database sends nothing again
    again = Scheduler(hotline.db, hotline.county, clock)
    assert again.run_once() == 0
    clock.advance(hours=4)  # 2 h before the deadline
    assert again.run_once() == 1
    clock.advance(hours=2)
    assert again.run_once() == 1
    assert _count(hotline, kind="reminder") == 2 and _count(hotline, kind="overdue") == 1
    # after a long pause, one reminder per deadline, not one per missed tick
    clock.advance(days=10)
    hotline.scheduler.run_once()
    assert _count(hotline, kind="overdue", deadline_kind="close") == 1


def test_signed_ticket_gets_no_sign_notices(hotline, clock) -> None:
    staff = demo_users("unit_staff")[0]
    tid = _ticket(hotline, staff["unit_code"])
    hotline.tickets.act(tid, "sign", ActionInput(), actor(hotline, staff["username"]))
    clock.advance(hours=30)
    hotline.scheduler.run_once()
    assert _count(hotline, deadline_kind="sign") == 0


def test_only_one_scheduler_holds_the_lease(hotline, clock) -> None:
    a = Scheduler(hotline.db, hotline.county, clock, lease_s=60)
    b = Scheduler(hotline.db, hotline.county, clock, lease_s=60)
    assert a.acquire_lease() and not b.acquire_lease()
    assert a.acquire_lease()  # renewal
    clock.advance(seconds=61)  # a died: its lease runs out
    assert b.acquire_lease() and not a.acquire_lease()
