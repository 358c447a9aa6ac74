"""Detection in a process of its own: the follower reads the ticket table above its cursor, a
(re)started one re-checks the last minutes, one runs per data directory, and the API process
reports it in its health answer."""

from __future__ import annotations

import time
from pathlib import Path

from assistant.config import Settings
from assistant.governance import follower
from assistant.runtime import Hotline
from assistant.tickets.schemas import TicketCreate
from tests.assistant.test_governance import ROAD
from tests.assistant.test_tickets import people  # noqa: F401  (fixture)

WATER = ["屏山村自来水停水三天了，请尽快恢复供水", "屏山村停水三天了，自来水一直没来，请尽快恢复",
         "我们屏山村自来水停了三天，请尽快恢复供水", "屏山村这边停水三天了，麻烦尽快恢复供水",
         "走马镇屏山村自来水停水三天，请尽快恢复供水"]


def _followed(settings: Settings, model_cache: Path, **kw) -> Hotline:  # type: ignore[no-untyped-def]
    hl = Hotline(settings.model_copy(update={"governance_process": True}), **kw)
    hl.routing.cache_dir = model_cache / "dispatch"
    return hl


def _create(hl: Hotline, who, text: str, number: str) -> int:  # type: ignore[no-untyped-def]
    data = {"caller_number": number, "appeal_type": "求助", "title": text[:20], "content": text,
            "township": "走马镇", "category": ["城乡建设"], "dispatch": {"lead_unit": "zmz"}}
    return hl.tickets.create(TicketCreate(**data), who).id


def test_the_api_process_leaves_detection_to_the_follower(hotline, settings, clock, model_cache, people) -> None:  # noqa: F811
    hl = _followed(settings, model_cache, now=clock)  # the same database the fixture initialised
    try:
        ids = []
        for text in ROAD:
            ids.append(_create(hl, people["agent"], text, "13907181234"))
            clock.advance(days=5)
        assert hotline.governance.cases.list(people["supervisor"])["total"] == 0  # no hook in this process
        run = follower.DetectionFollower(hl.governance.monitor, hl.data_dir)
        # a fresh follower starts at the last minutes' tickets: here the fifth, which completes the series
        assert run.step() == 1 and run.cursor == ids[-1]
        assert run.step() == 0
        cases = hotline.governance.cases.list(people["supervisor"])["items"]
        assert [c.kind for c in cases] == ["repeat"] and {t.id for t in cases[0].tickets} == set(ids)
        run.write_status()
        st = follower.read_status(hl.data_dir)
        assert st is not None and st["cursor"] == ids[-1] and st["detected"] == 1
        # no follower holds the lock: the health answer says detection is down, and why
        cap = hl.governance.capability()
        assert cap["ok"] is False and cap["running"] is False and "未运行" in cap["reason"]
    finally:
        hl.stop()


def test_one_follower_a_data_directory(tmp_path: Path) -> None:
    fd = follower.try_lock(follower.lock_path(tmp_path))
    assert fd is not None
    try:
        assert follower.is_running(tmp_path)
        assert follower.try_lock(follower.lock_path(tmp_path)) is None
    finally:
        import os

        os.close(fd)
    assert not follower.is_running(tmp_path)


def test_the_service_starts_a_follower_that_finds_the_surge_and_stops_with_it(
        hotline, settings, model_cache, people) -> None:  # noqa: F811
    hl = _followed(settings, model_cache)  # real time: the follower's window is the real clock's
    try:
        hl.start(scheduler=False)
        assert hl.follower is not None
        for _ in range(150):  # the child imports the service before it takes its lock
            if follower.is_running(hl.data_dir) and (follower.read_status(hl.data_dir) or {}).get("cursor") is not None:
                break
            time.sleep(0.2)
        assert hl.governance.capability()["running"] is True
        for i, text in enumerate(WATER):
            _create(hl, people["agent"], text, f"1390718{i:04d}")
        cases: list = []
        for _ in range(150):
            cases = hotline.governance.cases.list(people["supervisor"])["items"]
            if cases:
                break
            time.sleep(0.2)
        assert [c.kind for c in cases] == ["concentrated"] and cases[0].ticket_count == 5
        for _ in range(50):
            cap = hl.governance.capability()
            if cap["queued"] == 0:
                break
            time.sleep(0.2)
        assert cap["ok"] is True and cap["process"] == "follower" and cap["queued"] == 0
        assert hl.follower.starts == 1  # a second supervisor check starts nothing while one runs
        assert hl.follower.ensure() is False
        proc = hl.follower.proc
    finally:
        hl.stop()
    assert proc is not None and proc.poll() is not None
    assert not follower.is_running(hl.data_dir)


def test_followers_of_two_hosts_on_one_database_take_turns(hotline, settings, clock, model_cache, tmp_path,
                                                           people) -> None:  # noqa: F811
    import threading

    a = _followed(settings, model_cache, now=clock)
    b = _followed(settings.model_copy(update={"data_dir": tmp_path / "host-b"}), model_cache, now=clock)
    try:
        for i, text in enumerate(WATER):
            _create(a, people["agent"], text, f"1390718{i:04d}")
        runs = [follower.DetectionFollower(hl.governance.monitor, hl.data_dir, poll_s=0.05) for hl in (a, b)]
        stop = threading.Event()
        threads = [threading.Thread(target=r.run, args=(stop,)) for r in runs]
        for t in threads:
            t.start()
            time.sleep(0.3)  # a starts first and leads
        for _ in range(100):
            if hotline.governance.cases.list(people["supervisor"])["total"]:
                break
            time.sleep(0.1)
        stop.set()
        for t in threads:
            t.join(10)
        assert [r.detected for r in runs] == [5, 0]
        assert runs[1].leader is False and (follower.read_status(b.data_dir) or {}).get("leader") is False
        assert hotline.governance.cases.list(people["supervisor"])["total"] == 1
        assert runs[1].lease.acquire() is True  # a handed its lease back when it stopped
    finally:
        a.stop()
        b.stop()


def test_a_follower_whose_service_died_while_it_started_stops(hotline, settings) -> None:
    import os
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    env = os.environ | {"HOTLINE_FOLLOWER_SETTINGS": settings.model_copy(update={"governance_process": True}).model_dump_json(),
                        "HOTLINE_FOLLOWER_PARENT": str(gone.pid)}
    child = subprocess.run([sys.executable, "-m", "assistant.detection_process"], env=env, timeout=120,
                           capture_output=True, text=True)
    assert child.returncode == 0, child.stdout + child.stderr
    assert not follower.is_running(settings.resolved_data_dir())
