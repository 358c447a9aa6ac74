"""Group commit: tickets created at the same moment share one transaction, yet each is answered
only once stored, gets its own number, and a bad one fails alone."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from assistant.db.models import Ticket, TicketEvent
from assistant.errors import ValidationFailed
from assistant.tickets.schemas import TicketCreate
from tests.assistant.test_tickets import people  # noqa: F401  (fixture)


def _data(i: int, unit: str = "zmz") -> TicketCreate:
    return TicketCreate(caller_number=f"1390718{i:04d}", appeal_type="求助", title=f"第{i}件诉求",
                        content=f"走马镇白果村第{i}件诉求的内容", township="走马镇", dispatch={"lead_unit": unit})


def test_concurrent_creations_share_commits_and_fail_alone(hotline, people) -> None:  # noqa: F811
    results: dict[int, object] = {}
    start = threading.Barrier(24)

    def create(i: int) -> None:
        start.wait()
        try:
            # every sixth names a unit that does not exist: its own error, nobody else's
            results[i] = hotline.tickets.create(_data(i, "no-such-unit" if i % 6 == 5 else "zmz"), people["agent"])
        except Exception as exc:  # noqa: BLE001 - collected and checked below
            results[i] = exc

    threads = [threading.Thread(target=create, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    failed = {i for i, r in results.items() if isinstance(r, Exception)}
    assert failed == {i for i in range(24) if i % 6 == 5}
    assert all(isinstance(results[i], ValidationFailed) for i in failed)
    created = [r for r in results.values() if not isinstance(r, Exception)]
    assert len({t.number for t in created}) == len(created) == 20  # type: ignore[attr-defined]
    with hotline.db.read() as s:
        assert s.scalar(select(func.count(Ticket.id))) == 20
        # both audit events of every stored ticket, none of the failed ones
        acts = select(func.count(TicketEvent.id)).where(TicketEvent.action.in_(["create", "dispatch"]))
        assert s.scalar(acts) == 40
    for t in created:
        got = hotline.tickets.get(t.id, people["agent"])  # type: ignore[attr-defined]
        assert got.status == "dispatched" and got.lead_unit.code == "zmz"
        actions = [e.action for e in hotline.tickets.history(t.id, people["agent"])]  # type: ignore[attr-defined]
        assert actions[:2] == ["create", "dispatch"]
    group = hotline.db.group
    if group is not None:  # SQLite: fewer commits than tickets is the point (not guaranteed, so not asserted)
        assert group.jobs >= 24


def test_a_failed_commit_fails_every_job_of_its_batch(hotline, people, monkeypatch) -> None:  # noqa: F811
    if hotline.db.group is None:
        pytest.skip("group commit is SQLite's; PostgreSQL commits each job on its own")
    from contextlib import contextmanager

    real_write = hotline.db.write

    @contextmanager
    def failing_write():  # type: ignore[no-untyped-def]
        with real_write() as s:
            yield s
            raise OSError("disk full")  # the commit never happens

    monkeypatch.setattr(hotline.db, "write", failing_write)
    with pytest.raises(OSError):
        hotline.tickets.create(_data(1), people["agent"])
    monkeypatch.setattr(hotline.db, "write", real_write)
    with hotline.db.read() as s:
        assert s.scalar(select(func.count(Ticket.id))) == 0
    assert hotline.tickets.create(_data(2), people["agent"]).number.endswith("00001")
