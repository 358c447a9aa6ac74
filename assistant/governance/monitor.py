"""Detection against the live ticket stream: every new ticket is checked as soon as it is created
(a post-create hook of the ticket service) and a batch run replays any period. The index holds only
the tickets of the longest window, read incrementally (``id`` above the last seen), never the table.

In the service the hook only queues the ticket: one detection thread per process works through the
queue, so a creation's reply never waits for detection (or for the case writes and 督办 it leads
to). Detection is idempotent (a ticket already in its case is not linked again, a supervised ticket
not supervised again), so at start ``queue_recent`` simply re-checks the last minutes of tickets
before the newest one: whatever was still queued when the process died is detected then."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from assistant.access import Actor
from assistant.db.engine import Database
from assistant.db.governance_models import CaseLink, GovernanceCase
from assistant.db.models import Ticket
from assistant.errors import ValidationFailed
from assistant.governance.cases import CaseService
from assistant.governance.detector import Entry, Finding, RecentIndex, detect
from assistant.governance.policy import GovernancePolicy
from assistant.governance.similarity import TextEncoder, ngram_vector
from assistant.tickets.schemas import TicketPublic

log = logging.getLogger(__name__)
_COLUMNS = (Ticket.id, Ticket.created_at, Ticket.caller_number, Ticket.id_number, Ticket.township,
            Ticket.category, Ticket.title, Ticket.content)


def caller_keys(caller_number: str, id_number: str) -> tuple[str, ...]:
    keys = []
    if caller_number and len(caller_number.strip()) >= 5:
        keys.append(f"tel:{caller_number.strip()}")
    if id_number:
        keys.append(f"id:{id_number.strip().upper()}")
    return tuple(keys)


def ticket_text(title: str, content: str) -> str:
    return f"{title}。{content}" if title and not content.startswith(title) else content or title


class GovernanceMonitor:
    def __init__(self, db: Database, cases: CaseService, policy: GovernancePolicy, now: Callable[[], datetime],
                 encoder: TextEncoder | None = None, *, background: bool = False) -> None:
        """``background``: new tickets are queued for the detection thread instead of being
        checked in the creating request."""
        self.db = db
        self.background = background
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._worker_lock = threading.Lock()
        self.cases = cases
        self.policy = policy
        self.now = now
        self.encoder = encoder or TextEncoder(enabled=False)
        self.index = RecentIndex(keep_days=policy.longest_window_days + 1)
        self._last_id = 0
        self._lock = threading.RLock()
        # a surge: with more tickets than this queued behind a batch, the batch is compared by
        # n-grams (a ticket's e5 vector costs ~16 ms of CPU, its n-grams ~0.3 ms) and the vectors
        # are filled in once the queue is empty, so 一事多人 alerts keep up with the tickets
        self.surge_backlog = 32
        self.unembedded = False  # tickets in the index still without their vector
        self.batched_writes = True  # a chunk of findings written together (False: one at a time)
        self.last_ms: float | None = None
        self.error: str | None = None

    # --- index ---------------------------------------------------------------------------
    def entry(self, row: Any, vector: Any = None) -> Entry:
        category = (row.category or [""])[0] if row.category else ""
        return Entry(ticket_id=row.id, at=row.created_at.timestamp(), callers=caller_keys(row.caller_number, row.id_number),
                     township=row.township or "", category=category, grams=ngram_vector(ticket_text(row.title, row.content)),
                     vector=vector)

    def _entries(self, rows: list[Any], embed: bool = True) -> list[Entry]:
        vectors = self.encoder.encode([ticket_text(r.title, r.content) for r in rows]) if rows and embed else None
        return [self.entry(r, None if vectors is None else vectors[i]) for i, r in enumerate(rows)]

    def sync(self, embed: bool = True, embed_max: int | None = None) -> int:
        """Bring the index up to the newest ticket; prune what left the window. ``embed=False``:
        the new tickets get no sentence vectors now (compared by n-grams until ``backfill``);
        ``embed_max``: the same when more than that many tickets are new."""
        with self._lock:
            start = self.now() - timedelta(days=self.index.keep_days)
            with self.db.read() as s:
                rows = s.execute(select(*_COLUMNS).where(Ticket.id > self._last_id, Ticket.created_at >= start)
                                 .order_by(Ticket.id)).all()
            if embed_max is not None and len(rows) > embed_max:
                embed = False
            if rows and not embed and self.encoder.ready:
                self.unembedded = True
            for e in self._entries(rows, embed):
                self.index.add(e)
            if rows:
                self._last_id = rows[-1].id
            self.index.prune(self.now().timestamp())
            return len(rows)

    def warm_up(self) -> None:
        """Load the embedding model (when enabled) and embed the recent tickets with it."""
        if self.encoder.warm_up():
            with self._lock:
                entries = self.index.entries()
                texts_ids = [e.ticket_id for e in entries if e.vector is None]
                if texts_ids:
                    with self.db.read() as s:
                        rows = s.execute(select(*_COLUMNS).where(Ticket.id.in_(texts_ids))).all()
                    for e in self._entries(list(rows)):
                        self.index.add(e)
        self.sync()

    # --- detection -----------------------------------------------------------------------
    def on_ticket_created(self, ticket: TicketPublic, actor: Actor) -> None:
        if not self.background:
            self.detect_ticket(ticket.id)
            return
        self._queue.put(ticket.id)
        self._ensure_worker()

    # --- the detection thread ----------------------------------------------------------------
    @property
    def pending(self) -> int:
        """Tickets queued or being checked right now."""
        return self._queue.unfinished_tasks

    def _ensure_worker(self) -> None:
        with self._worker_lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="governance-detection", daemon=True)
                self._worker.start()

    def backfill(self, limit: int = 32) -> int:
        """Embed up to ``limit`` indexed tickets left without a vector in a surge; returns how many."""
        if not self.unembedded or not self.encoder.ready:
            return 0
        with self._lock:
            ids = [e.ticket_id for e in self.index.entries() if e.vector is None][:limit]
            if ids:
                with self.db.read() as s:
                    rows = s.execute(select(*_COLUMNS).where(Ticket.id.in_(ids)).order_by(Ticket.id)).all()
                for e in self._entries(list(rows)):
                    self.index.add(e)
            self.unembedded = len(ids) == limit  # a full chunk: there may be more
            return len(ids)

    def idle_backfill(self, pause: float) -> float:
        """Idle: the vectors a surge skipped, a small chunk at a time, and at most a fifth of the
        time (e5 takes both cores while it runs; the requests come first). Returns how long to
        wait before the next look (at least ``pause``)."""
        t0 = time.perf_counter()
        filled = self.backfill(limit=16)
        return max(pause, 4 * (time.perf_counter() - t0)) if filled else pause

    def _run(self) -> None:
        wait = 0.5
        while True:
            try:
                first = self._queue.get(timeout=wait)
            except queue.Empty:
                wait = self.idle_backfill(0.5)
                continue
            wait = 0.5
            batch = [first]
            while len(batch) < 200:  # a backlog is read from the database once, not once per ticket
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                ids = [t for t in batch if t is not None]
                if ids:
                    self.detect_tickets(ids)
            except Exception:  # noqa: BLE001 - the thread must outlive one bad ticket; the next start re-checks it
                log.exception("governance detection failed for tickets %s", batch)
            finally:
                for _ in batch:
                    self._queue.task_done()
            if None in batch:
                return

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until every queued ticket has been checked; False if ``timeout`` passed first."""
        deadline = time.monotonic() + timeout
        with self._queue.all_tasks_done:
            while self._queue.unfinished_tasks:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._queue.all_tasks_done.wait(left)
        return True

    def stop(self, timeout: float = 10.0) -> None:
        """Finish what is queued (up to ``timeout``) and end the thread."""
        with self._worker_lock:
            worker = self._worker
            self._worker = None
        if worker is not None and worker.is_alive():
            self._queue.put(None)
            worker.join(timeout)

    def recent_ids(self, minutes: float = 10.0) -> list[int]:
        """The tickets created in the last ``minutes`` before the newest one: what a crashed
        process may have left in its queue."""
        with self.db.read() as s:
            newest = s.scalar(select(Ticket.created_at).order_by(Ticket.id.desc()).limit(1))
            if newest is None:
                return []
            return list(s.scalars(select(Ticket.id).where(Ticket.created_at >= newest - timedelta(minutes=minutes))
                                  .order_by(Ticket.id)))

    def queue_recent(self, minutes: float = 10.0) -> int:
        """Queue ``recent_ids`` for the detection thread (one thread acts on cases, never two)."""
        ids = self.recent_ids(minutes)
        for tid in ids:
            self._queue.put(tid)
        if ids:
            self._ensure_worker()
        return len(ids)

    # --- detection -----------------------------------------------------------------------------
    def detect_ticket(self, ticket_id: int) -> list[dict[str, Any]]:
        """Detect for one ticket (normally the one just created) and act on what is found."""
        return self.detect_tickets([ticket_id])

    def detect_tickets(self, ticket_ids: list[int], *, backlog: int | None = None) -> list[dict[str, Any]]:
        """Detect for these tickets, in order, and act on what is found. ``backlog``: tickets
        waiting behind these (default: this process's queue), for the surge rule."""
        findings: list[Finding] = []
        behind = self._queue.qsize() if backlog is None else backlog
        with self._lock:
            self.sync(embed=behind <= self.surge_backlog)
        for ticket_id in ticket_ids:
            t0 = time.perf_counter()
            with self._lock:
                entry = self.index.get(ticket_id)
                if entry is None:  # older than the window, or edited: read it directly
                    with self.db.read() as s:
                        row = s.execute(select(*_COLUMNS).where(Ticket.id == ticket_id)).first()
                    if row is None:
                        continue
                    entry = self._entries([row])[0]
                findings += detect(entry, self.index, self.policy)
            self.last_ms = (time.perf_counter() - t0) * 1000  # detection itself, not the case writes
        return self._act(findings)

    def _act(self, findings: list[Finding]) -> list[dict[str, Any]]:
        """Apply the findings in order, several to a transaction; one that fails is logged and
        skipped (detection is idempotent: the next start's re-check finds it again)."""
        results = []
        for finding, done in zip(findings, self.cases.apply_findings(findings, batched=self.batched_writes), strict=True):
            if isinstance(done, Exception):
                log.error("governance: %s finding on ticket %s failed: %s", finding.kind, finding.ticket_id, done)
                continue
            case_id, added = done
            log.info("governance: %s finding on ticket %s -> case %s", finding.kind, finding.ticket_id, case_id)
            results.append({"kind": finding.kind, "case_id": case_id, "count": finding.count, "linked": added,
                            "tickets": finding.ticket_ids})
        return results

    def run_batch(self, start: datetime, end: datetime) -> dict[str, Any]:
        """Replay the tickets created in [start, end) in order, each against those before it."""
        if end <= start:
            raise ValidationFailed("结束时间须晚于开始时间")
        index = RecentIndex(keep_days=self.index.keep_days)
        with self.db.read() as s:
            rows = s.execute(select(*_COLUMNS).where(Ticket.created_at >= start - timedelta(days=index.keep_days),
                                                     Ticket.created_at < end)
                             .order_by(Ticket.created_at, Ticket.id)).all()
        findings: list[Finding] = []
        checked = 0
        for e in self._entries(list(rows)):
            if e.at >= start.timestamp():
                checked += 1
                findings += detect(e, index, self.policy)
            index.add(e)
            index.prune(e.at)
        results = self._act(findings)
        resupervised = self._resupervise()
        cases = sorted({r["case_id"] for r in results})
        return {"checked": checked, "findings": len(results), "cases": cases, "resupervised": resupervised}

    def _resupervise(self) -> list[int]:
        """Tickets of key-supervision cases that could not be supervised when linked (not yet
        dispatched then) are supervised now."""
        with self.db.read() as s:
            ids = list(s.scalars(select(CaseLink.ticket_id).join(GovernanceCase, GovernanceCase.id == CaseLink.case_id)
                                 .where(GovernanceCase.status == "open", GovernanceCase.key_supervision.is_(True))))
        return self.cases.supervise_tickets(ids, "重点督办：所在案件已列为重点督办") if ids else []
