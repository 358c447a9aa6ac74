"""Deadline watcher: reminders before each deadline and overdue notices (超期通报) per unit.

Idempotent: every notice has a unique key (ticket, kind, deadline, due time) and is inserted with
"on conflict do nothing", so a restart, a second worker or a re-run never records it twice. Only
one scheduler works at a time: it holds a lease row that it renews; another process takes over
when the lease expires.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from assistant.county import County
from assistant.db.engine import Database
from assistant.db.lease import Lease
from assistant.db.models import Notice, Ticket
from assistant.errors import AssistantError
from assistant.policy import reminder_times

log = logging.getLogger(__name__)

DEADLINE_LABELS = {"sign": "签收", "close": "办结"}
_KEY = ("ticket_id", "kind", "deadline_kind", "due_at")


def _insert(dialect: str):  # type: ignore[no-untyped-def]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(Notice).on_conflict_do_nothing(index_elements=list(_KEY)).returning(Notice.id)


_INSERTS = {name: _insert(name) for name in ("postgresql", "sqlite")}  # built once


def _key(values: dict) -> tuple:
    return tuple(values[k] for k in _KEY)


class Scheduler:
    def __init__(self, db: Database, county: County, now: Callable[[], datetime], *,
                 interval_s: float = 30.0, lease_s: float = 90.0) -> None:
        self.db = db
        self.county = county
        self.now = now
        self.interval_s = interval_s
        self._lease = Lease(db, "deadlines", now, lease_s)
        self.holder = self._lease.holder
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_run: datetime | None = None
        self.last_error: str | None = None
        self.leader = False  # whether this process held the lease at its last try
        self.jobs: list[Callable[[], None]] = []  # run by the leader after each pass
        self._recorded: set[tuple] = set()  # the notices due at the last pass, all in the database since

    # --- leadership --------------------------------------------------------------------
    def acquire_lease(self) -> bool:
        return self._lease.acquire()

    # --- one pass ------------------------------------------------------------------------
    def run_once(self) -> int:
        """Record every notice that is due now; returns how many new ones were written."""
        now = self.now()
        due: list[dict] = []
        with self.db.read() as s:
            rows = s.execute(
                select(Ticket.id, Ticket.number, Ticket.status, Ticket.lead_unit_id, Ticket.dispatched_at,
                       Ticket.sign_by, Ticket.close_by).where(Ticket.status.in_(["dispatched", "handling"]))
            ).all()
        for r in rows:
            if r.dispatched_at is None:
                continue
            deadlines = [("close", r.close_by)]
            if r.status == "dispatched":
                deadlines.insert(0, ("sign", r.sign_by))
            for kind, deadline in deadlines:
                if deadline is None:
                    continue
                due.extend(self._due(r, kind, r.dispatched_at, deadline, now))
        keys = {_key(v) for v in due}
        new = [v | {"created_at": now} for v in due if _key(v) not in self._recorded]
        written = 0
        if new:  # one statement for all; a notice already there is skipped by its unique key
            with self.db.write() as s:
                written = len(s.execute(_INSERTS[s.get_bind().dialect.name], new).all())
        # what is due now is recorded now: the next pass writes only what became due since (after
        # a restart this set is empty, and the unique key keeps the first pass from writing twice)
        self._recorded = keys
        self.last_run = now
        return written

    def _due(self, r, kind: str, start: datetime, deadline: datetime, now: datetime) -> list[dict]:  # type: ignore[no-untyped-def]
        label = DEADLINE_LABELS[kind]
        local = deadline.astimezone(self.county.timezone).strftime("%Y-%m-%d %H:%M")
        base = {"ticket_id": r.id, "unit_id": r.lead_unit_id, "deadline_kind": kind, "deadline_at": deadline}
        if now > deadline:
            return [base | {"kind": "overdue", "due_at": deadline,
                            "message": f"工单 {r.number} 已超过{label}时限（{local}），予以通报"}]
        times = [t for t in reminder_times(self.county.policy, start, deadline) if t <= now]
        if not times:
            return []
        latest = times[-1]  # after a pause, remind once, not once per missed reminder
        return [base | {"kind": "reminder", "due_at": latest,
                        "message": f"工单 {r.number} 将于 {local} 到{label}时限，请及时处理"}]

    def run_jobs(self) -> None:
        """The leader's other periodic work (e.g. the daily hot-spot scan); each job decides
        itself whether it is due, and one job's failure does not stop the others."""
        for job in self.jobs:
            try:
                job()
            except Exception:  # noqa: BLE001 - reported in the log; the next pass tries again
                log.exception("scheduled job %s failed", getattr(job, "__name__", job))

    # --- background loop ---------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="hotline-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
            self.release_lease()

    def release_lease(self) -> None:
        """On a clean stop, hand the lease back at once (after a crash it simply expires)."""
        if not self.leader:
            return
        self._lease.release()
        self.leader = False

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.leader = self.acquire_lease()
                if self.leader:
                    n = self.run_once()
                    if n:
                        log.info("scheduler recorded %d notices", n)
                    self.run_jobs()
                self.last_error = None
            except AssistantError as exc:  # database busy or away: try again next round
                self.last_error = str(exc)
                log.warning("scheduler pass failed: %s", exc)
            except Exception as exc:  # noqa: BLE001 - the loop must survive anything
                self.last_error = repr(exc)
                log.exception("scheduler pass crashed")
            self._stop.wait(self.interval_s)
