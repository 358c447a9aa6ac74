"""Callbacks: scheduled when a ticket closes, inside calling hours and working days, at most three
attempts, outcome read and confirmed, unsatisfied for the unit's reasons → 重办."""

from __future__ import annotations

import pytest

from assistant.callbacks import AttemptInput, CallbackPolicy, OutcomeConfirm, next_calling_time
from assistant.errors import InvalidTransition, ValidationFailed
from assistant.tickets.schemas import ActionInput
from assistant.workcalendar import WorkCalendar
from tests.assistant.test_tickets import actor, bj, dispatch, new_ticket, people  # noqa: F401

POLICY = CallbackPolicy()


def test_calling_time_skips_nights_lunch_and_holidays() -> None:
    cal = WorkCalendar()
    assert next_calling_time(bj(2025, 9, 30, 21, 0), POLICY, cal) == bj(2025, 10, 9, 8, 30)  # National Day
    assert next_calling_time(bj(2025, 10, 9, 12, 30), POLICY, cal) == bj(2025, 10, 9, 14, 30)
    assert next_calling_time(bj(2025, 10, 11, 9, 0), POLICY, cal) == bj(2025, 10, 11, 9, 0)  # make-up Saturday
    assert next_calling_time(bj(2025, 10, 12, 9, 0), POLICY, cal) == bj(2025, 10, 13, 8, 30)


def _close(hotline, people, clock, **ticket) -> int:  # noqa: F811
    tid = new_ticket(hotline, people, **ticket)
    dispatch(hotline, people, tid)
    hotline.tickets.act(tid, "sign", ActionInput(), people["unit_a"])
    hotline.tickets.act(tid, "reply", ActionInput(reply="已派人修复路灯，现已正常照明。"), people["unit_a"])
    return tid


def test_scheduled_on_close_from_next_working_day(hotline, people, clock) -> None:  # noqa: F811
    clock.set(bj(2025, 9, 30, 16, 0))
    _close(hotline, people, clock)
    items = hotline.callbacks.worklist(people["agent"], include_future=True)
    assert len(items) == 1
    assert items[0].due_from == bj(2025, 10, 9, 8, 30) and items[0].due_by == bj(2025, 10, 11, 16, 0)  # 10-11: make-up Saturday
    assert hotline.callbacks.worklist(people["agent"]) == []  # not callable yet
    clock.set(bj(2025, 10, 9, 9, 0))
    assert len(hotline.callbacks.worklist(people["agent"])) == 1


def test_skips_declined_and_anonymous(hotline, people, clock) -> None:  # noqa: F811
    _close(hotline, people, clock, callback_ok=False)
    _close(hotline, people, clock, caller_number="", contact_number="")
    assert hotline.callbacks.worklist(people["agent"], include_future=True) == []


def test_three_attempts_then_failed(hotline, people, clock) -> None:  # noqa: F811
    _close(hotline, people, clock)
    clock.advance(days=1)
    cb = hotline.callbacks.worklist(people["agent"], include_future=True)[0]
    first = hotline.callbacks.attempt(cb.id, AttemptInput(reached=False), people["agent"])["callback"]
    assert first["status"] == "pending" and first["attempts"] == 1
    hotline.callbacks.attempt(cb.id, AttemptInput(reached=False), people["agent"])
    last = hotline.callbacks.attempt(cb.id, AttemptInput(reached=False), people["agent"])["callback"]
    assert last["status"] == "failed"
    with pytest.raises(InvalidTransition):
        hotline.callbacks.attempt(cb.id, AttemptInput(reached=False), people["agent"])


def test_unsatisfied_for_the_unit_reopens(hotline, people, clock) -> None:  # noqa: F811
    tid = _close(hotline, people, clock)
    clock.advance(days=1)
    cb = hotline.callbacks.worklist(people["agent"], include_future=True)[0]
    script = hotline.callbacks.script(cb.id, people["agent"])
    assert "解决" in script and "满意" in script
    read = hotline.callbacks.attempt(cb.id, AttemptInput(
        reached=True, transcript="打了几次电话都没人管，灯到现在还是黑的，说是修了根本没来人"), people["agent"])
    assert read["suggestion"]["satisfaction"] == "不满意"
    with pytest.raises(ValidationFailed, match="原因"):
        hotline.callbacks.confirm(cb.id, OutcomeConfirm(resolution="未解决", satisfaction="不满意"), people["agent"])
    hotline.callbacks.confirm(cb.id, OutcomeConfirm(resolution="未解决", satisfaction="不满意", reason_side="unit",
                                                    reason="单位未实际到场"), people["agent"])
    t = hotline.tickets.get(tid, people["agent"])
    assert (t.status, t.supervised, t.reopen_count) == ("dispatched", True, 1)
    figures = hotline.callbacks.figures(people["supervisor"], bj(2026, 1, 1, 0, 0), bj(2027, 1, 1, 0, 0))
    unit = next(f for f in figures if f.unit_code == people["unit_a_code"])
    assert (unit.due, unit.reached, unit.response_rate, unit.satisfaction_rate) == (1, 1, 1.0, 0.0)


def test_unsatisfied_outside_the_unit_is_recorded_only(hotline, people, clock) -> None:  # noqa: F811
    tid = _close(hotline, people, clock)
    clock.advance(days=1)
    cb = hotline.callbacks.worklist(people["agent"], include_future=True)[0]
    hotline.callbacks.attempt(cb.id, AttemptInput(reached=True, keys="33"), people["agent"])
    done = hotline.callbacks.confirm(cb.id, OutcomeConfirm(resolution="未解决", satisfaction="不满意",
                                                           reason_side="outside", reason="要求超出政策范围"),
                                     people["agent"])
    assert done.status == "done" and hotline.tickets.get(tid, people["agent"]).status == "visited"
