"""Group commit for SQLite: concurrent short write jobs share one transaction and one ``fsync``.

With ``synchronous=FULL`` every commit waits for the disk, and SQLite admits one writer at a time,
so one commit per ticket caps creation at the disk's sync rate however fast the code is. Here the
first thread to arrive becomes the leader: it takes every job queued so far, runs each inside its
own SAVEPOINT (a job that fails is rolled back alone and gets its own error), commits once and
wakes the others with their results. A job's caller is answered only after that commit, so an
acknowledged ticket is as durable as before. PostgreSQL runs each job in its own transaction (the
server groups commits itself).

The batch first runs in one savepoint; only when one of its jobs fails is it run again with a
savepoint a job (``_together``). Jobs of one kind can also arrive as data: jobs queued with the
same ``bulk`` function are written by one call of it for all their items (a ticket creation's
rows go in with one statement for the whole batch, not several statements each). Every statement
gives up the GIL and must win it back from the request threads, so it is the statements a batch
runs, not the rows, that hold the writers' lock.

Only the batch's leader runs jobs; a job waits for it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from assistant.db.engine import Database

T = TypeVar("T")


Bulk = Callable[[Session, list[Any]], list[Any]]


class _Job(Generic[T]):
    __slots__ = ("fn", "bulk", "item", "done", "value", "error", "future")

    def __init__(self, fn: Callable[[Session], T], bulk: Bulk | None = None, item: Any = None,
                 future: Future[T] | None = None) -> None:
        self.fn = fn
        self.bulk = bulk
        self.item = item
        self.future = future  # a submitted job: its caller awaits this instead of leading
        self.done = False
        self.value: Any = None
        self.error: BaseException | None = None


class GroupCommit:
    def __init__(self, db: Database, max_batch: int = 64) -> None:
        self.db = db
        self.max_batch = max_batch
        self._cv = threading.Condition()
        self._queue: list[_Job[Any]] = []
        self._leading = False
        self._writer: threading.Thread | None = None
        self.batches = 0  # commits made, and the jobs they carried (for benchmarks)
        self.jobs = 0

    def submit(self, fn: Callable[[Session], T], *, bulk: Bulk | None = None, item: Any = None) -> Future[T]:
        """Queue a job without waiting for it: the writer thread leads the batches of submitted
        jobs, and the future holds the job's value once committed (or its error). An ``async``
        request awaits it without holding one of the request threads, so every creation in
        flight can join the next batch, not just as many as there are threads."""
        job: _Job[T] = _Job(fn, bulk, item, Future())
        with self._cv:
            self._queue.append(job)
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(target=self._write_loop, name="group-commit-writer", daemon=True)
                self._writer.start()
            self._cv.notify_all()
        return job.future  # type: ignore[return-value]

    def _write_loop(self) -> None:
        while True:
            with self._cv:
                while not self._queue or self._leading:
                    if not self._cv.wait(5.0) and not self._queue and not self._leading:
                        self._writer = None  # idle: the next submit starts a new one
                        return
                self._leading = True
            self._lead_and_hand_on()

    def _lead_and_hand_on(self) -> None:
        """Lead one batch (this thread has taken ``_leading``), then let the next leader in."""
        try:
            self._lead()
        finally:
            with self._cv:
                self._leading = False
                self._cv.notify_all()

    def run(self, fn: Callable[[Session], T], *, bulk: Bulk | None = None, item: Any = None) -> T:
        """Run ``fn(session)`` in a shared write transaction; return its value once committed.
        With ``bulk``: when other jobs with the same ``bulk`` are in the batch, ``bulk(session,
        items)`` writes all their ``item``s at once and returns their values in order; ``fn``
        does the same for its own item alone (used alone, and when the bulk call fails)."""
        job: _Job[T] = _Job(fn, bulk, item)
        with self._cv:
            self._queue.append(job)
        while True:
            with self._cv:
                while not job.done and self._leading:
                    self._cv.wait()
                if job.done:
                    break
                self._leading = True
            self._lead_and_hand_on()
        if job.error is not None:
            raise job.error
        return job.value  # type: ignore[no-any-return]

    def _together(self, s: Session, batch: list[_Job[Any]]) -> bool:
        """Every job of the batch in one savepoint (two statements a batch, not two a job: the
        writers' lock is held for less). If one job fails, the savepoint is rolled back and False
        says to run them again, each in its own savepoint (a job reads and writes the database
        only, so running it again is running it once)."""
        if len(batch) < 2:
            return False
        values: dict[int, Any] = {}
        kinds: dict[Bulk, list[int]] = {}
        for i, job in enumerate(batch):
            if job.bulk is not None:
                kinds.setdefault(job.bulk, []).append(i)
        try:
            with self.db.guard(), s.begin_nested():
                for i, job in enumerate(batch):
                    if i in values:
                        continue
                    same = kinds.get(job.bulk, []) if job.bulk is not None else []
                    if len(same) > 1:  # this job and the later ones of its kind, in one call
                        out = job.bulk(s, [batch[j].item for j in same])  # type: ignore[misc]
                        values.update(zip(same, out, strict=True))
                    else:
                        values[i] = job.fn(s)
        except Exception:  # noqa: BLE001 - found again, and given to its own job, one by one
            return False
        for i, job in enumerate(batch):
            job.value = values[i]
        return True

    def _lead(self) -> None:
        with self._cv:
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch:]
        if not batch:
            return
        try:
            with self.db.write() as s:
                if not self._together(s, batch):
                    for job in batch:
                        try:
                            with self.db.guard(), s.begin_nested():
                                job.value = job.fn(s)
                        except Exception as exc:  # noqa: BLE001 - this job's own failure, rolled back alone
                            job.error = exc
        except Exception as exc:  # noqa: BLE001 - the commit failed: nothing in the batch was stored
            for job in batch:
                if job.error is None:
                    job.error, job.value = exc, None
        finally:
            with self._cv:
                for job in batch:
                    job.done = True
                self.batches += 1
                self.jobs += len(batch)
                self._cv.notify_all()
            for job in batch:
                if job.future is not None:
                    if job.error is not None:
                        job.future.set_exception(job.error)
                    else:
                        job.future.set_result(job.value)
