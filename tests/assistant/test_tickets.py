"""Ticket storage and workflow on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from assistant.access import Actor
from assistant.errors import (
    AssistantError,
    CalendarUnknownYear,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationFailed,
)
from assistant.tickets.schemas import ActionInput, TicketCreate, TicketFilter, TicketUpdate
from tests.conftest import demo_users

BJ = timedelta(hours=8)


def bj(*args: int) -> datetime:
    """A Beijing wall-clock time as an aware UTC datetime."""
    return datetime(*args, tzinfo=UTC) - BJ


def actor(hotline, username: str) -> Actor:
    from sqlalchemy import select

    from assistant.auth import actor_of
    from assistant.db.models import User

    with hotline.db.read() as s:
        return actor_of(s.scalar(select(User).where(User.username == username)))


@pytest.fixture
def people(hotline) -> dict[str, Actor]:
    units = demo_users("unit_staff")
    return {
        "agent": actor(hotline, demo_users("agent")[0]["username"]),
        "supervisor": actor(hotline, demo_users("supervisor")[0]["username"]),
        "qa": actor(hotline, demo_users("qa")[0]["username"]),
        "unit_a": actor(hotline, units[0]["username"]),
        "unit_b": actor(hotline, units[1]["username"]),
        "unit_a_code": units[0]["unit_code"],
        "unit_b_code": units[1]["unit_code"],
    }


def new_ticket(hotline, people, **overrides) -> int:
    data = {
        "caller_name": "王先生", "caller_number": "13907181234", "contact_number": "13907181234",
        "appeal_type": "投诉", "title": "走马镇白果村路灯损坏", "content": "村口路灯坏了半个月没人修。",
        "township": "走马镇", "urgency": "一般",
    } | overrides
    return hotline.tickets.create(TicketCreate(**data), people["agent"]).id


def dispatch(hotline, people, ticket_id: int, unit: str = "unit_a_code") -> None:
    hotline.tickets.act(ticket_id, "dispatch", ActionInput(lead_unit=people[unit]), people["agent"])


def test_numbers_are_prefix_date_sequence(hotline, people, clock) -> None:
    first = hotline.tickets.get(new_ticket(hotline, people), people["agent"]).number
    second = hotline.tickets.get(new_ticket(hotline, people), people["agent"]).number
    day = (clock() + BJ).strftime("%Y%m%d")
    assert first == f"HF{day}00001" and second == f"HF{day}00002"


def test_full_lifecycle_with_audit(hotline, people, clock) -> None:
    tid = new_ticket(hotline, people)
    dispatch(hotline, people, tid)
    t = hotline.tickets.get(tid, people["agent"])
    assert t.status == "dispatched" and t.sign_by == clock() + timedelta(hours=24)
    clock.advance(hours=2)
    hotline.tickets.act(tid, "sign", ActionInput(), people["unit_a"])
    clock.advance(days=1)
    hotline.tickets.act(tid, "reply", ActionInput(reply="已安排电工更换路灯，现已恢复照明。"), people["unit_a"])
    hotline.tickets.act(tid, "callback", ActionInput(resolution="解决", satisfaction="满意"), people["agent"])
    t = hotline.tickets.act(tid, "archive", ActionInput(), people["agent"])
    assert t.status == "archived"
    history = hotline.tickets.history(tid, people["supervisor"])
    assert [e.action for e in history] == ["create", "dispatch", "sign", "reply", "callback", "archive"]
    assert history[1].changes["status"] == ["accepted", "dispatched"]
    assert history[3].changes["reply"][1].startswith("已安排电工")
    assert all(e.actor_name for e in history)


def test_audit_trail_is_append_only(hotline, people) -> None:
    tid = new_ticket(hotline, people)
    with pytest.raises(Exception, match="append-only"), hotline.db.write() as s:
        s.execute(text("UPDATE ticket_events SET comment = 'x' WHERE ticket_id = :t"), {"t": tid})
    with pytest.raises(Exception, match="append-only"), hotline.db.write() as s:
        s.execute(text("DELETE FROM ticket_events WHERE ticket_id = :t"), {"t": tid})


def test_deadlines_skip_national_day(hotline, people, clock) -> None:
    clock.set(bj(2025, 9, 30, 10, 0))  # dispatched the day before the National Day holiday
    tid = new_ticket(hotline, people)
    dispatch(hotline, people, tid)
    t = hotline.tickets.get(tid, people["agent"])
    # 10-01..10-08 are off; 10-09, 10-10, 10-11 (make-up Saturday), 10-13, 10-14 are working days
    assert t.close_by == bj(2025, 10, 14, 10, 0)
    assert t.return_by == bj(2025, 10, 10, 10, 0)


def test_consultation_and_urgent_limits(hotline, people, clock) -> None:
    tid = new_ticket(hotline, people, appeal_type="咨询")
    dispatch(hotline, people, tid)
    assert hotline.tickets.get(tid, people["agent"]).close_by == clock() + timedelta(days=1)
    tid = new_ticket(hotline, people, urgency="特急")
    dispatch(hotline, people, tid)
    assert hotline.tickets.get(tid, people["agent"]).sign_by == clock() + timedelta(hours=1)


def test_extension_once_and_capped(hotline, people, clock) -> None:
    tid = new_ticket(hotline, people)
    dispatch(hotline, people, tid)
    hotline.tickets.act(tid, "sign", ActionInput(), people["unit_a"])
    with pytest.raises(RuleViolation, match="上限"):
        hotline.tickets.act(tid, "request_extension", ActionInput(extension_days=6, comment="需协调多个部门"),
                            people["unit_a"])
    hotline.tickets.act(tid, "request_extension", ActionInput(extension_days=5, comment="需协调多个部门"),
                        people["unit_a"])
    with pytest.raises(PermissionDenied):
        hotline.tickets.act(tid, "approve_extension", ActionInput(), people["unit_a"])
    t = hotline.tickets.act(tid, "approve_extension", ActionInput(), people["supervisor"])
    assert t.extension_count == 1 and t.close_by == t.max_close_by
    with pytest.raises(RuleViolation, match="最多延期 1 次"):
        hotline.tickets.act(tid, "request_extension", ActionInput(extension_days=1, comment="还需要时间"),
                            people["unit_a"])


def test_return_within_two_working_days_then_redispatch(hotline, people, clock) -> None:
    tid = new_ticket(hotline, people)
    dispatch(hotline, people, tid)
    with pytest.raises(ValidationFailed, match="退单理由"):
        hotline.tickets.act(tid, "return", ActionInput(), people["unit_a"])
    hotline.tickets.act(tid, "return", ActionInput(comment="不属于本单位职责，应由乡镇处理"), people["unit_a"])
    hotline.tickets.act(tid, "dispatch", ActionInput(lead_unit=people["unit_b_code"]), people["agent"])
    clock.advance(days=3)  # Friday: past the 2-working-day window
    with pytest.raises(RuleViolation, match="退单时限"):
        hotline.tickets.act(tid, "return", ActionInput(comment="仍然不属于我们"), people["unit_b"])


def test_reopen_after_unsatisfied_callback(hotline, people) -> None:
    tid = new_ticket(hotline, people)
    dispatch(hotline, people, tid)
    hotline.tickets.act(tid, "sign", ActionInput(), people["unit_a"])
    hotline.tickets.act(tid, "reply", ActionInput(reply="已现场查看，正在协调维修。"), people["unit_a"])
    hotline.tickets.act(tid, "callback", ActionInput(resolution="未解决", satisfaction="不满意"), people["agent"])
    t = hotline.tickets.act(tid, "reopen", ActionInput(comment="回访不满意，单位未实际解决"), people["supervisor"])
    assert (t.status, t.supervised, t.reopen_count, t.lead_unit.code) == ("dispatched", True, 1, people["unit_a_code"])


def test_direct_close(hotline, people) -> None:
    tid = new_ticket(hotline, people, appeal_type="咨询")
    t = hotline.tickets.act(tid, "direct_close", ActionInput(reply="已告知办理社保卡所需材料。"), people["agent"])
    assert t.status == "closed" and t.direct_answer and t.lead_unit is None


def test_illegal_move_refused(hotline, people) -> None:
    tid = new_ticket(hotline, people)
    with pytest.raises(InvalidTransition, match="不能“归档”"):
        hotline.tickets.act(tid, "archive", ActionInput(), people["supervisor"])
    with pytest.raises(PermissionDenied):
        hotline.tickets.act(tid, "reply", ActionInput(reply="已经处理好了。"), people["agent"])
    dispatch(hotline, people, tid)
    with pytest.raises(InvalidTransition, match="已派单待签收"):
        hotline.tickets.act(tid, "dispatch", ActionInput(lead_unit=people["unit_b_code"]), people["agent"])


def test_unit_sees_only_its_tickets(hotline, people) -> None:
    mine = new_ticket(hotline, people)
    dispatch(hotline, people, mine, "unit_a_code")
    other = new_ticket(hotline, people)
    dispatch(hotline, people, other, "unit_b_code")
    with pytest.raises(NotFound):
        hotline.tickets.get(other, people["unit_a"])
    with pytest.raises(NotFound):
        hotline.tickets.history(other, people["unit_a"])
    page = hotline.tickets.list(TicketFilter(), people["unit_a"])
    assert [t.id for t in page.items] == [mine]
    with pytest.raises(PermissionDenied):
        hotline.tickets.create(TicketCreate(appeal_type="咨询", title="x", content="y"), people["unit_a"])


def test_personal_data_masked_by_role(hotline, people) -> None:
    tid = new_ticket(hotline, people, confidential=True, caller_name="王小明", id_number="11010519491231002X")
    dispatch(hotline, people, tid)
    full = hotline.tickets.get(tid, people["agent"])
    assert full.caller_number == "13907181234" and full.id_number == "11010519491231002X"
    unit = hotline.tickets.get(tid, people["unit_a"])
    assert unit.caller_number == "139****1234" and unit.caller_name == "王**" and "*" in unit.id_number
    qa = hotline.tickets.get(tid, people["qa"])
    assert "*" in qa.contact_number and "*" in qa.id_number


def test_edit_only_before_dispatch_and_audited(hotline, people) -> None:
    tid = new_ticket(hotline, people)
    hotline.tickets.update(tid, TicketUpdate(township="走马", village="白果村", comment="来电人更正地址"),
                           people["agent"])
    history = hotline.tickets.history(tid, people["agent"])
    assert history[-1].action == "update" and history[-1].changes["village"] == ["", "白果村"]
    assert hotline.tickets.get(tid, people["agent"]).township == "走马镇"
    with pytest.raises(ValidationFailed, match="不是鹤峰县的乡镇"):
        hotline.tickets.update(tid, TicketUpdate(township="火星镇"), people["agent"])
    dispatch(hotline, people, tid)
    with pytest.raises(InvalidTransition):
        hotline.tickets.update(tid, TicketUpdate(title="改标题"), people["agent"])


def test_concurrent_double_transition_has_one_winner(hotline, people) -> None:
    tid = new_ticket(hotline, people)
    dispatch(hotline, people, tid)
    results: list[str] = []
    barrier = threading.Barrier(4)

    def sign() -> None:
        barrier.wait()
        try:
            hotline.tickets.act(tid, "sign", ActionInput(), people["unit_a"])
            results.append("ok")
        except AssistantError as exc:
            results.append(exc.code)

    threads = [threading.Thread(target=sign) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1, results
    assert set(results) - {"ok"} <= {"invalid_transition", "conflict"}
    assert [e.action for e in hotline.tickets.history(tid, people["agent"])].count("sign") == 1


def test_list_filters_and_pages(hotline, people) -> None:
    for i in range(7):
        new_ticket(hotline, people, appeal_type="咨询" if i % 2 else "投诉", title=f"第{i}号诉求")
    page = hotline.tickets.list(TicketFilter(appeal_type="咨询", size=2, page=1), people["supervisor"])
    assert page.total == 3 and len(page.items) == 2
    assert hotline.tickets.list(TicketFilter(q="第3号"), people["agent"]).total == 1
    with pytest.raises(ValidationFailed):
        hotline.tickets.list(TicketFilter(status=["nonsense"]), people["agent"])


def test_year_beyond_the_calendar(hotline, people, clock) -> None:
    clock.set(bj(2026, 12, 30, 10, 0))  # deadlines run into 2027, which chinesecalendar does not know yet
    tid = new_ticket(hotline, people)
    dispatch(hotline, people, tid)  # the demo county configured the weekends fallback
    assert hotline.tickets.get(tid, people["agent"]).close_by == bj(2027, 1, 7, 10, 0)  # 01-01 entered by hand
    assert "2026" in hotline.capabilities()["calendar"]["warning"]
    strict = type(hotline.calendar)(fallback="error", tz=hotline.county.timezone)
    hotline.tickets.calendar = strict
    other = new_ticket(hotline, people)
    with pytest.raises(CalendarUnknownYear, match="2027"):
        dispatch(hotline, people, other)
    assert hotline.tickets.get(other, people["agent"]).status == "accepted"  # nothing half-done
