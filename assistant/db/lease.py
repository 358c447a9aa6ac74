"""Named leases in the ``scheduler_leases`` table: one holder at a time across worker processes
and hosts. The holder renews its lease by acquiring it again; another takes it over once it has
not been renewed for its length; a clean stop hands it back at once."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta

from assistant.db.engine import Database
from assistant.db.models import SchedulerLease

log = logging.getLogger(__name__)


class Lease:
    def __init__(self, db: Database, name: str, now: Callable[[], datetime], seconds: float) -> None:
        self.db = db
        self.name = name
        self.now = now
        self.length = timedelta(seconds=seconds)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{id(self)}"

    def acquire(self) -> bool:
        """Take or renew the lease; False while another holder's lease runs."""
        now = self.now()
        with self.db.write() as s:
            row = s.get(SchedulerLease, self.name, with_for_update=True)
            if row is None:
                s.add(SchedulerLease(name=self.name, holder=self.holder, expires_at=now + self.length))
                return True
            if row.holder == self.holder or row.expires_at <= now:
                row.holder, row.expires_at = self.holder, now + self.length
                return True
            return False

    def release(self) -> None:
        """Hand the lease back now, if this holder has it (after a crash it simply expires)."""
        try:
            with self.db.write() as s:
                row = s.get(SchedulerLease, self.name, with_for_update=True)
                if row is not None and row.holder == self.holder:
                    row.expires_at = self.now()
        except Exception:  # noqa: BLE001 - stopping must not fail; the lease expires anyway
            log.warning("could not release the %s lease", self.name, exc_info=True)
