"""Detection against the live ticket stream: every new ticket is checked the moment it is created
(a post-create hook of the ticket service) and a batch run replays any period. The index holds only
the tickets of the longest window, read incrementally (``id`` above the last seen), never the table."""

from __future__ import annotations

import logging
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
                 encoder: TextEncoder | None = None) -> None:
        self.db = db
        self.cases = cases
        self.policy = policy
        self.now = now
        self.encoder = encoder or TextEncoder(enabled=False)
        self.index = RecentIndex(keep_days=policy.longest_window_days + 1)
        self._last_id = 0
        self._lock = threading.RLock()
        self.last_ms: float | None = None
        self.error: str | None = None

    # --- index ---------------------------------------------------------------------------
    def entry(self, row: Any, vector: Any = None) -> Entry:
        category = (row.category or [""])[0] if row.category else ""
        return Entry(ticket_id=row.id, at=row.created_at.timestamp(), callers=caller_keys(row.caller_number, row.id_number),
                     township=row.township or "", category=category, grams=ngram_vector(ticket_text(row.title, row.content)),
                     vector=vector)

    def _entries(self, rows: list[Any]) -> list[Entry]:
        vectors = self.encoder.encode([ticket_text(r.title, r.content) for r in rows]) if rows else None
        return [self.entry(r, None if vectors is None else vectors[i]) for i, r in enumerate(rows)]

    def sync(self) -> int:
        """Bring the index up to the newest ticket; prune what left the window."""
        with self._lock:
            start = self.now() - timedelta(days=self.index.keep_days)
            with self.db.read() as s:
                rows = s.execute(select(*_COLUMNS).where(Ticket.id > self._last_id, Ticket.created_at >= start)
                                 .order_by(Ticket.id)).all()
            for e in self._entries(rows):
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
        self.detect_ticket(ticket.id)

    def detect_ticket(self, ticket_id: int) -> list[dict[str, Any]]:
        """Detect for one ticket (normally the one just created) and act on what is found."""
        t0 = time.perf_counter()
        with self._lock:
            self.sync()
            entry = self.index.get(ticket_id)
            if entry is None:  # older than the window, or edited: read it directly
                with self.db.read() as s:
                    row = s.execute(select(*_COLUMNS).where(Ticket.id == ticket_id)).first()
                if row is None:
                    return []
                entry = self._entries([row])[0]
            findings = detect(entry, self.index, self.policy)
        self.last_ms = (time.perf_counter() - t0) * 1000
        return [self._act(f) for f in findings]

    def _act(self, finding: Finding) -> dict[str, Any]:
        case_id, added = self.cases.apply_finding(finding)
        log.info("governance: %s finding on ticket %s -> case %s", finding.kind, finding.ticket_id, case_id)
        return {"kind": finding.kind, "case_id": case_id, "count": finding.count, "linked": added,
                "tickets": finding.ticket_ids}

    def run_batch(self, start: datetime, end: datetime) -> dict[str, Any]:
        """Replay the tickets created in [start, end) in order, each against those before it."""
        if end <= start:
            raise ValidationFailed("结束时间须晚于开始时间")
        index = RecentIndex(keep_days=self.index.keep_days)
        with self.db.read() as s:
            rows = s.execute(select(*_COLUMNS).where(Ticket.created_at >= start - timedelta(days=index.keep_days),
                                                     Ticket.created_at < end)
                             .order_by(Ticket.created_at, Ticket.id)).all()
        results: list[dict[str, Any]] = []
        checked = 0
        for e in self._entries(list(rows)):
            if e.at >= start.timestamp():
                checked += 1
                results += [self._act(f) for f in detect(e, index, self.policy)]
            index.add(e)
            index.prune(e.at)
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
