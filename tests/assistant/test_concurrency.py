"""Writers queue instead of failing, across threads and processes; the token cache never outlives
a logout or a deactivation in the process that made it."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assistant.db.engine import Database, WriterLock
from assistant.db.models import RateCounter
from assistant.errors import AuthenticationFailed, StorageUnavailable
from assistant.users import UserUpdate
from tests.assistant.test_tickets import actor
from tests.conftest import demo_users


def test_concurrent_writers_all_land(hotline) -> None:
    if not hotline.db.is_sqlite:
        pytest.skip("the writer lock is SQLite's")
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(10):
                with hotline.db.write() as s:
                    s.add(RateCounter(key=f"t{n}-{i}", window_start=hotline.now(), count=1))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with hotline.db.read() as s:
        assert s.scalar(select(func.count()).select_from(RateCounter).where(RateCounter.key.like("t%"))) == 80


def test_writer_lock_is_reentrant_and_times_out(tmp_path: Path) -> None:
    path = tmp_path / "x.write-lock"
    lock = WriterLock(str(path), timeout=0.3)
    with lock.hold(), lock.hold():  # a nested unit of work in the same thread does not deadlock
        pass
    # another process holding the file lock makes this one wait, then give a clear error
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(path)!r}, os.O_RDWR)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "time.sleep(3)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StorageUnavailable, match="数据库正忙"), lock.hold():
            pass
    finally:
        holder.kill()
        holder.wait()
    with lock.hold():  # free again once the other process is gone
        pass
    lock.close()


def test_sqlite_database_on_disk_has_a_writer_lock(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'h.db'}")
    assert db.writer_lock is not None
    with db.write() as s:
        s.connection().exec_driver_sql("CREATE TABLE t (x INTEGER)")
    assert (tmp_path / "h.db.write-lock").exists()
    db.dispose()


def test_token_cache_forgets_logout_and_deactivation(hotline) -> None:
    user = demo_users("qa")[0]
    token, _, _ = hotline.auth.login(user["username"], user["password"])
    assert hotline.auth.authenticate_actor(token).username == user["username"]
    assert hotline.auth.cached_actor(token) is not None
    hotline.auth.logout(token)
    assert hotline.auth.cached_actor(token) is None
    with pytest.raises(AuthenticationFailed):
        hotline.auth.authenticate_actor(token)

    token, _, _ = hotline.auth.login(user["username"], user["password"])
    me = hotline.auth.authenticate_actor(token)
    admin = actor(hotline, demo_users("admin")[0]["username"])
    hotline.users.update(me.user_id, UserUpdate(active=False), admin)
    with pytest.raises(AuthenticationFailed):
        hotline.auth.authenticate_actor(token)
