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


def test_a_batch_runs_together_and_again_one_by_one_when_a_job_fails(hotline) -> None:
    """A batch runs in one savepoint; a job that fails there sends the batch round again, a
    savepoint a job: the failing job's writes are undone, the others' stored once."""
    group = hotline.db.group
    if group is None:
        pytest.skip("group commit is SQLite's; PostgreSQL commits each job on its own")
    from sqlalchemy import text

    from assistant.db.group_commit import _Job

    runs: dict[str, int] = {}

    def job(key: str, fail: bool = False):  # type: ignore[no-untyped-def]
        def fn(s):  # type: ignore[no-untyped-def]
            runs[key] = runs.get(key, 0) + 1
            s.execute(text("INSERT INTO ticket_sequences(key, last) VALUES (:k, 1)"), {"k": key})
            if fail:
                raise ValidationFailed("这一件不行")
            return key
        return _Job(fn)

    def stored() -> list[str]:
        with hotline.db.read() as s:
            return sorted(s.scalars(text("SELECT key FROM ticket_sequences WHERE key LIKE 'T-%'")))

    good = [job("T-a"), job("T-b")]
    group._queue = list(good)
    group._lead()
    assert [j.value for j in good] == ["T-a", "T-b"] and runs == {"T-a": 1, "T-b": 1}
    assert stored() == ["T-a", "T-b"]
    mixed = [job("T-c"), job("T-d", fail=True), job("T-e")]
    group._queue = list(mixed)
    group._lead()
    assert [j.value for j in mixed] == ["T-c", None, "T-e"] and isinstance(mixed[1].error, ValidationFailed)
    assert (runs["T-c"], runs["T-d"], runs["T-e"]) == (2, 2, 1)  # together up to the failure, then one by one
    assert stored() == ["T-a", "T-b", "T-c", "T-e"]


def test_creations_queued_together_go_in_with_one_statement_a_table(hotline, people) -> None:  # noqa: F811
    """Creations waiting behind a batch are written by one bulk call: one INSERT for all their
    tickets, numbers in queue order, each answered with its own id and number."""
    group = hotline.db.group
    if group is None:
        pytest.skip("group commit is SQLite's; PostgreSQL commits each job on its own")
    from sqlalchemy import event

    release, holding = threading.Event(), threading.Event()

    def blocker(s):  # type: ignore[no-untyped-def]
        holding.set()
        release.wait(30)

    inserts: list[int] = []

    def count(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO tickets"):
            inserts.append(1)

    first = threading.Thread(target=lambda: group.run(blocker))
    first.start()
    assert holding.wait(30)
    results: dict[int, object] = {}
    threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, hotline.tickets.create(_data(i), people["agent"])))
               for i in range(6)]
    for t in threads:
        t.start()
    for _ in range(300):  # every creation built and queued behind the blocker
        if len(group._queue) == 6:
            break
        threading.Event().wait(0.05)
    assert len(group._queue) == 6
    event.listen(hotline.db.write_engine, "before_cursor_execute", count)
    try:
        release.set()
        first.join(30)
        for t in threads:
            t.join(30)
    finally:
        event.remove(hotline.db.write_engine, "before_cursor_execute", count)
    assert len(inserts) == 1
    created = sorted(results.values(), key=lambda t: t.number)  # type: ignore[attr-defined]
    seqs = [int(t.number[-5:]) for t in created]  # type: ignore[attr-defined]
    assert seqs == list(range(1, 7))
    for t in created:
        got = hotline.tickets.get(t.id, people["agent"])  # type: ignore[attr-defined]
        assert got.number == t.number and got.title == t.title  # type: ignore[attr-defined]
        assert [e.action for e in hotline.tickets.history(t.id, people["agent"])][:2] == ["create", "dispatch"]  # type: ignore[attr-defined]


def test_a_failing_bulk_call_falls_back_to_one_savepoint_a_job(hotline) -> None:
    group = hotline.db.group
    if group is None:
        pytest.skip("group commit is SQLite's; PostgreSQL commits each job on its own")
    from sqlalchemy import text

    from assistant.db.group_commit import _Job

    def put(s, key: str) -> str:  # type: ignore[no-untyped-def]
        s.execute(text("INSERT INTO ticket_sequences(key, last) VALUES (:k, 1)"), {"k": key})
        return key

    def bulk(s, keys: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
        s.execute(text("INSERT INTO ticket_sequences(key, last) VALUES (:k, 1)"), [{"k": k} for k in keys])
        return keys

    jobs = [_Job(lambda s, k=k: put(s, k), bulk, k) for k in ("B-a", "B-b", "B-a", "B-c")]  # B-a twice: a clash
    group._queue = list(jobs)
    group._lead()
    assert [j.value for j in jobs] == ["B-a", "B-b", None, "B-c"] and jobs[2].error is not None
    with hotline.db.read() as s:
        assert sorted(s.scalars(text("SELECT key FROM ticket_sequences WHERE key LIKE 'B-%'"))) == ["B-a", "B-b", "B-c"]


def test_async_creations_are_committed_by_the_writer_thread(hotline, people) -> None:  # noqa: F811
    """The API's create endpoint awaits its commit: the group commit's writer thread leads the
    batches (no request thread waits), each creation gets its own number, a bad one fails alone."""
    import asyncio

    async def many() -> list[object]:
        return await asyncio.gather(*(hotline.tickets.create_async(_data(i, "no-such-unit" if i == 5 else "zmz"),
                                                                    people["agent"]) for i in range(12)),
                                    return_exceptions=True)

    results = asyncio.run(many())
    assert isinstance(results[5], ValidationFailed)
    created = [r for i, r in enumerate(results) if i != 5]
    assert len({t.number for t in created}) == 11  # type: ignore[attr-defined]
    with hotline.db.read() as s:
        assert s.scalar(select(func.count(Ticket.id))) == 11
    for t in created:
        assert hotline.tickets.get(t.id, people["agent"]).number == t.number  # type: ignore[attr-defined]
    group = hotline.db.group
    if group is not None:
        from sqlalchemy import text

        def boom(s):  # type: ignore[no-untyped-def]
            s.execute(text("INSERT INTO ticket_sequences(key, last) VALUES ('W-a', 1)"))
            raise ValidationFailed("这一件不行")

        fine = group.submit(lambda s: s.execute(text("INSERT INTO ticket_sequences(key, last) VALUES ('W-b', 1)")) and "ok")
        bad = group.submit(boom)
        assert fine.result(30) == "ok"
        with pytest.raises(ValidationFailed):
            bad.result(30)
        with hotline.db.read() as s:
            assert list(s.scalars(text("SELECT key FROM ticket_sequences WHERE key LIKE 'W-%'"))) == ["W-b"]
