"""Engines and units of work.

SQLite (default): one file in the data directory, WAL journal, foreign keys on, a busy timeout,
``synchronous=FULL`` so an acknowledged ticket survives a crash, and write transactions opened
with ``BEGIN IMMEDIATE`` so that two writers serialise instead of failing on lock upgrade.
Writers queue on a lock before ``BEGIN IMMEDIATE``: a thread lock inside the process and an
advisory file lock (``<db>.write-lock``) across worker processes. SQLite's own busy handler polls
with growing sleeps, which under 50 concurrent writers left some waiting for seconds while the
database sat idle; the kernel wakes a lock waiter as soon as the holder commits.
PostgreSQL: by URL (``postgresql+psycopg://…``); write conflicts are caught by the ticket's
version column.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from assistant.db.group_commit import Bulk, GroupCommit
from assistant.errors import Conflict, StorageUnavailable, ValidationFailed

T = TypeVar("T")


def _sqlite_engine(url: str, *, immediate: bool, synchronous: str, pool_size: int, busy_timeout: float) -> Engine:
    path = url.split("sqlite:///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout},
        pool_size=pool_size,
        max_overflow=pool_size * 2,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class WriterLock:
    """Serialises SQLite write transactions: a re-entrant thread lock, then ``flock`` on a file
    beside the database so that several worker processes queue too. Times out with
    ``StorageUnavailable`` rather than waiting forever."""

    def __init__(self, path: str | None, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._thread_lock = threading.RLock()
        self._fd: int | None = None
        self._path = path
        self._depth = 0

    def _file_lock(self) -> None:
        if self._path is None:
            return
        if self._fd is None:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.timeout
        delay = 0.0001
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StorageUnavailable("数据库正忙，请稍后重试") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.001)

    @contextmanager
    def hold(self) -> Iterator[None]:
        if not self._thread_lock.acquire(timeout=self.timeout):
            raise StorageUnavailable("数据库正忙，请稍后重试")
        try:
            if self._depth == 0:
                self._file_lock()
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Database:
    """The service's database: a read and a write path, both through short units of work."""

    def __init__(self, url: str, *, sqlite_synchronous: str = "FULL", pool_size: int = 20,
                 busy_timeout: float = 30.0) -> None:
        """``busy_timeout``: seconds a request waits for a locked or unreachable database before
        it gets a clear "busy, try again" error instead of hanging."""
        if sqlite_synchronous.upper() not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
            raise ValueError(f"bad sqlite synchronous mode: {sqlite_synchronous}")
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            sync = sqlite_synchronous.upper()
            self.write_engine = _sqlite_engine(url, immediate=True, synchronous=sync, pool_size=pool_size,
                                               busy_timeout=busy_timeout)
            self.read_engine = _sqlite_engine(url, immediate=False, synchronous=sync, pool_size=pool_size,
                                              busy_timeout=busy_timeout)
            path = url.split("sqlite:///", 1)[-1]
            self.writer_lock: WriterLock | None = WriterLock(
                f"{path}.write-lock" if path and path != ":memory:" else None, timeout=busy_timeout)
        else:
            self.write_engine = create_engine(
                url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, pool_timeout=busy_timeout,
                connect_args={"connect_timeout": max(1, int(busy_timeout))} if url.startswith("postgresql") else {})
            self.read_engine = self.write_engine
            self.writer_lock = None
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)
        self.group = GroupCommit(self) if self.is_sqlite else None
        self._read = sessionmaker(self.read_engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any error."""
        if self.writer_lock is None:
            with self.guard(), self._write() as session, session.begin():
                yield session
            return
        with self.writer_lock.hold(), self.guard(), self._write() as session, session.begin():
            yield session

    def write_grouped(self, fn: Callable[[Session], T], *, bulk: Bulk | None = None, item: Any = None) -> T:
        """Run ``fn(session)`` as a write and return its value once committed. On SQLite, writes
        that arrive together share one transaction and one disk sync (``GroupCommit``), each in
        its own savepoint; elsewhere it is a plain ``write()``. ``bulk``/``item``: see
        ``GroupCommit.run`` (jobs of one kind written by one call)."""
        if self.group is None:
            with self.write() as session:
                return fn(session)
        return self.group.run(fn, bulk=bulk, item=item)

    async def write_grouped_async(self, fn: Callable[[Session], T], *, bulk: Bulk | None = None,
                                  item: Any = None) -> T:
        """``write_grouped`` for a coroutine: on SQLite the job is submitted to the group commit's
        writer thread and awaited (no request thread waits for the commit); elsewhere it runs in
        a worker thread."""
        if self.group is None:
            return await asyncio.to_thread(self.write_grouped, fn)
        return await asyncio.wrap_future(self.group.submit(fn, bulk=bulk, item=item))

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.guard(), self._read() as session, session.begin():
            yield session

    @contextmanager
    def guard(self) -> Iterator[None]:
        try:
            yield
        except StaleDataError as exc:
            raise Conflict("该工单刚被他人修改，请刷新后重试") from exc
        except (OverflowError, DataError) as exc:
            # a number or text the database cannot hold (an id beyond 64 bits, …): the request's fault
            raise ValidationFailed("数值或内容超出允许范围") from exc
        except OperationalError as exc:
            text = str(exc.orig).lower() if exc.orig else str(exc).lower()
            if "locked" in text or "busy" in text:
                raise StorageUnavailable("数据库正忙，请稍后重试") from exc
            if exc.connection_invalidated or "connect" in text or "server" in text:
                raise StorageUnavailable("数据库暂时无法连接，请稍后重试") from exc
            raise
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise StorageUnavailable("数据库暂时无法连接，请稍后重试") from exc
            raise

    def ping(self) -> float:
        """Round trip to the database in milliseconds; raises StorageUnavailable."""
        start = time.perf_counter()
        with self.read() as session:
            session.connection().exec_driver_sql("SELECT 1")
        return (time.perf_counter() - start) * 1000

    def dispose(self) -> None:
        self.write_engine.dispose()
        if self.writer_lock is not None:
            self.writer_lock.close()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()
