"""Governance wired together for one service process: the county's rules, cases, detection on
every new ticket (a post-create hook of the ticket service), the agent's desk and clue transfers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.db.engine import Database
from assistant.governance import follower
from assistant.governance.cases import CaseService
from assistant.governance.desk import CallerDesk
from assistant.governance.monitor import GovernanceMonitor
from assistant.governance.policy import GovernancePolicy
from assistant.governance.similarity import TextEncoder
from assistant.governance.transfers import TransferService
from assistant.tickets.service import TicketService

log = logging.getLogger(__name__)


class Governance:
    def __init__(self, db: Database, tickets: TicketService, county_dir: Path, now: Callable[[], datetime], *,
                 use_embeddings: bool = True, background: bool = False, follower_dir: Path | None = None) -> None:
        """``follower_dir``: detection runs in the follower process of that data directory
        (``follower.py``), not on this process's new tickets; this process still serves cases,
        the desk and manual runs."""
        self.policy = GovernancePolicy.for_county(county_dir)
        self.cases = CaseService(db, tickets, now, self.policy)
        self.monitor = GovernanceMonitor(db, self.cases, self.policy, now, TextEncoder(enabled=use_embeddings),
                                          background=background and follower_dir is None)
        self.desk = CallerDesk(db, self.cases, self.monitor)
        self.transfers = TransferService(db, tickets, self.cases, now)
        self.follower_dir = follower_dir
        if follower_dir is None:
            tickets.after_create.append(self.monitor.on_ticket_created)

    def warm_up(self) -> None:
        if self.follower_dir is None:
            self.monitor.warm_up()
        else:  # the desk's queries only: the follower embeds the tickets
            self.monitor.encoder.warm_up()

    def start(self) -> None:
        """Queue the last minutes of tickets for a re-check (detection is idempotent): what a
        crashed process left undetected is caught up."""
        if self.monitor.background:
            self.monitor.queue_recent()

    def stop(self) -> None:
        self.monitor.stop()

    def capability(self) -> dict[str, Any]:
        if self.follower_dir is not None:
            return follower.capability(self.monitor, self.follower_dir)
        enc = self.monitor.encoder
        return {"ok": True, "similarity": "embedding" if enc.ready else "ngram", "reason": enc.error,
                "indexed": len(self.monitor.index), "last_detection_ms": self.monitor.last_ms,
                "queued": self.monitor.pending, "vectors_pending": self.monitor.unembedded}
