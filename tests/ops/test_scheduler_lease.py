"""Exactly one scheduler across workers: the lease, its expiry after a crash, and its hand-back on a
clean stop (SQLite and, when configured, PostgreSQL)."""

from __future__ import annotations

from assistant.scheduler import Scheduler


def _pair(hotline, clock) -> tuple[Scheduler, Scheduler]:  # type: ignore[no-untyped-def]
    a = Scheduler(hotline.db, hotline.county, clock, interval_s=1, lease_s=10)
    b = Scheduler(hotline.db, hotline.county, clock, interval_s=1, lease_s=10)
    return a, b


def test_one_leader_and_takeover_when_the_lease_runs_out(hotline, clock) -> None:
    a, b = _pair(hotline, clock)
    assert a.acquire_lease() is True
    assert b.acquire_lease() is False  # the leader is alive
    clock.advance(seconds=5)
    assert a.acquire_lease() is True  # renewed
    clock.advance(seconds=9)
    assert b.acquire_lease() is False  # renewal moved the expiry on
    clock.advance(seconds=2)  # the leader died: no renewal for longer than the lease
    assert b.acquire_lease() is True
    assert a.acquire_lease() is False  # a leader that comes back late does not get it back


def test_clean_stop_hands_the_lease_back_at_once(hotline, clock) -> None:
    a, b = _pair(hotline, clock)
    a.leader = a.acquire_lease()
    assert a.leader and not b.acquire_lease()
    a.release_lease()
    assert a.leader is False
    assert b.acquire_lease() is True
    a.release_lease()  # not the holder: nothing happens
    assert a.acquire_lease() is False


def test_health_names_the_leader(hotline) -> None:
    caps = hotline.capabilities()["scheduler"]
    assert caps["leader"] is False and caps["holder"]
