"""A new ticket's units come from memory: the directory reads the active units once, again after
its time to live, and again for a code it does not know."""

from __future__ import annotations

from sqlalchemy import update

from assistant.db.models import Unit
from assistant.tickets.units import UnitDirectory
from tests.assistant.test_tickets import people  # noqa: F401  (fixture)


class Tick:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_units_from_memory_refreshed_after_their_time(hotline) -> None:
    tick = Tick()
    units = UnitDirectory(hotline.db, ttl_s=30, clock=tick)
    zmz = units.get("zmz")
    assert zmz is not None and zmz.code == "zmz" and zmz.name and zmz.level and zmz.id
    assert units.get("no-such-unit") is None
    with hotline.db.write() as s:
        s.execute(update(Unit).where(Unit.code == "zmz").values(active=False))
    tick.t += 10
    assert units.get("zmz") is not None  # within its time to live: still the list read before
    tick.t += 25
    assert units.get("zmz") is None  # read again: deactivated units are not offered
    with hotline.db.write() as s:
        s.execute(update(Unit).where(Unit.code == "zmz").values(active=True))
    tick.t += 2
    assert units.get("zmz") is not None  # an unknown code reads the list again (at most once a second)
    units.forget()
    assert units.get("zmz") is not None


def test_a_creation_opens_no_read_transaction_for_its_units(hotline, people) -> None:  # noqa: F811
    from assistant.tickets.schemas import TicketCreate

    hotline.tickets.after_create.clear()  # (inline detection in the fixture reads; not the creation)
    hotline.tickets.units.get("zmz")  # the list read once
    opened: list[int] = []
    real = hotline.db.read

    def counting():  # type: ignore[no-untyped-def]
        opened.append(1)
        return real()

    hotline.db.read = counting  # type: ignore[method-assign]
    try:
        t = hotline.tickets.create(TicketCreate(caller_number="13907180001", appeal_type="求助", title="路灯坏了",
                                                content="走马镇白果村路灯坏了", township="走马镇",
                                                dispatch={"lead_unit": "zmz", "co_units": ["zmz"]}), people["agent"])
    finally:
        hotline.db.read = real  # type: ignore[method-assign]
    assert opened == [] and t.lead_unit.code == "zmz" and t.status == "dispatched"
