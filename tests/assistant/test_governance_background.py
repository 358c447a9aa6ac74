"""The service's own detection thread: a creation only queues its ticket, the thread finds the
repeated appeal moments later, and a restarted process re-checks what a crash left queued."""

from __future__ import annotations

from pathlib import Path

from assistant.config import Settings
from assistant.runtime import Hotline
from assistant.tickets.schemas import TicketCreate
from tests.assistant.test_governance import ROAD
from tests.assistant.test_tickets import people  # noqa: F401  (fixture)


def _background(settings: Settings, clock, model_cache: Path) -> Hotline:  # type: ignore[no-untyped-def]
    hl = Hotline(settings.model_copy(update={"governance_background": True}), now=clock)
    hl.routing.cache_dir = model_cache / "dispatch"
    return hl


def _create(hl: Hotline, who, text: str) -> int:  # type: ignore[no-untyped-def]
    data = {"caller_name": "王先生", "caller_number": "13907181234", "appeal_type": "求助", "title": text[:20],
            "content": text, "township": "走马镇", "category": ["城乡建设"], "dispatch": {"lead_unit": "zmz"}}
    return hl.tickets.create(TicketCreate(**data), who).id


def test_detection_thread_finds_the_fifth_repeat(hotline, settings, clock, model_cache, people) -> None:  # noqa: F811
    hl = _background(settings, clock, model_cache)  # the same database the fixture initialised
    try:
        ids = []
        for text in ROAD:
            ids.append(_create(hl, people["agent"], text))
            clock.advance(days=5)
        assert hl.governance.monitor.drain(timeout=60)
        assert hl.governance.monitor.pending == 0
        cases = [c for c in hl.governance.cases.list(people["supervisor"])["items"] if c.kind == "repeat"]
        assert len(cases) == 1 and {t.id for t in cases[0].tickets} == set(ids)
        assert all(hl.tickets.get(t, people["supervisor"]).supervised for t in ids)
        assert hl.governance.capability()["queued"] == 0
    finally:
        hl.stop()


def test_restart_rechecks_what_a_crash_left_queued(hotline, settings, clock, model_cache, people) -> None:  # noqa: F811
    # a process that "crashed" before its thread ran: inline hooks removed, so nothing was detected
    crashed = _background(settings, clock, model_cache)
    crashed.tickets.after_create.clear()
    for text in ROAD:
        _create(crashed, people["agent"], text)
        clock.advance(hours=1)
    crashed.db.dispose()
    assert hotline.governance.cases.list(people["supervisor"])["total"] == 0

    restarted = _background(settings, clock, model_cache)
    try:
        restarted.start(scheduler=False)
        assert restarted.governance.monitor.drain(timeout=60)
        cases = hotline.governance.cases.list(people["supervisor"])["items"]
        assert [c.kind for c in cases] == ["repeat"] and cases[0].ticket_count == 5
        # checking the same tickets again changes nothing (detection is idempotent)
        before = hotline.governance.cases.get(cases[0].id, people["supervisor"])
        restarted.governance.start()
        assert restarted.governance.monitor.drain(timeout=60)
        after = hotline.governance.cases.get(cases[0].id, people["supervisor"])
        assert after.ticket_count == 5 and after.reason == before.reason
    finally:
        restarted.stop()
