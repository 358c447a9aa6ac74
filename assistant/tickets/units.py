"""The county's active handling units as a new ticket's dispatch shows them (id, code, name,
level), kept in memory.

Units change only when the county's configuration is seeded (at start), so a creation need not
open a read transaction to look its units up: that transaction (BEGIN, SELECT, COMMIT) was a
tenth of a creation's CPU. The list is read again when older than ``ttl_s`` (another worker may
have started with a changed configuration) and when a code is not in it (a unit added since)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import select

from assistant.db.engine import Database
from assistant.db.models import Unit

_BRIEF = select(Unit.id, Unit.code, Unit.name, Unit.level).where(Unit.active.is_(True))


class UnitDirectory:
    def __init__(self, db: Database, *, ttl_s: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        if ttl_s <= 0:
            raise ValueError("ttl_s must be positive")
        self.db = db
        self.ttl_s = ttl_s
        self.clock = clock
        self._units: dict[str, tuple[int, str, str, str]] = {}
        self._read_at: float | None = None
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        with self.db.read() as s:
            rows = s.execute(_BRIEF).all()
        with self._lock:
            self._units = {r.code: (r.id, r.code, r.name, r.level) for r in rows}
            self._read_at = self.clock()

    def get(self, code: str) -> Unit | None:
        """The active unit with this code as a detached ``Unit`` of those four columns, or None."""
        now = self.clock()
        if self._read_at is None or now - self._read_at > self.ttl_s or (code not in self._units and now - self._read_at > 1.0):
            self._refresh()
        found = self._units.get(code)
        if found is None:
            return None
        uid, ucode, name, level = found
        return Unit(id=uid, code=ucode, name=name, level=level)

    def forget(self) -> None:
        """Read the units again at the next lookup (after seeding a configuration)."""
        self._read_at = None
