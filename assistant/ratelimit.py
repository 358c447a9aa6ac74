"""Rate limits for anonymous use (caller self-service): fixed windows counted in the database,
so the limit holds when a caller's requests land on different worker processes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from assistant.db.engine import Database
from assistant.db.models import RateCounter
from assistant.errors import TooManyAttempts


class RateLimiter:
    def __init__(self, db: Database, now: Callable[[], datetime], *, limit: int, window_s: int = 60) -> None:
        if limit < 1 or window_s < 1:
            raise ValueError("limit and window must be positive")
        self.db = db
        self.now = now
        self.limit = limit
        self.window = timedelta(seconds=window_s)

    def hit(self, key: str) -> int:
        """Count one request for ``key``; raise TooManyAttempts past the limit. Returns the count."""
        now = self.now()
        epoch = now.timestamp()
        start = datetime.fromtimestamp(epoch - epoch % self.window.total_seconds(), tz=now.tzinfo)
        with self.db.write() as s:
            insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
            stmt = (
                insert(RateCounter)
                .values(key=key[:128], window_start=start, count=1)
                .on_conflict_do_update(index_elements=["key", "window_start"], set_={"count": RateCounter.count + 1})
                .returning(RateCounter.count)
            )
            count = s.execute(stmt).scalar_one()
            if count == 1:  # first request of a window: forget old windows
                s.execute(delete(RateCounter).where(RateCounter.window_start < start - self.window))
        if count > self.limit:
            seconds = int(self.window.total_seconds())
            raise TooManyAttempts(f"请求过于频繁，请 {seconds} 秒后再试", details={"limit": self.limit})
        return count
