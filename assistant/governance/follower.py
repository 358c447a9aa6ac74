"""Detection as a process of its own: it follows the ticket table instead of a queue in the API
process.

A creation costs the API process a few milliseconds of Python; detecting it costs about as much
again (and more as a surge's window fills). In one process both share one GIL, so a 2-core box
ran both on one core. Here the API process only writes tickets, and this follower reads every
ticket above its cursor (``id`` order), detects them in order and acts on the findings, on the
other core. Detection is idempotent, so a (re)started follower simply begins at the tickets of
the last minutes (``GovernanceMonitor.recent_ids``).

One follower runs per data directory: it holds ``flock`` on ``<data>/governance/follower.lock``
for its whole life, and a second one started beside it exits at once. It reports its state in
``status.json`` beside the lock (cursor, index size, similarity, last detection), which the API
processes read for their health answer."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from assistant.db.lease import Lease
from assistant.db.models import Ticket
from assistant.governance.monitor import GovernanceMonitor

log = logging.getLogger(__name__)

def lock_path(data_dir: Path) -> Path:
    return data_dir / "governance" / "follower.lock"


def status_path(data_dir: Path) -> Path:
    return data_dir / "governance" / "status.json"


def try_lock(path: Path) -> int | None:
    """Take the follower's lock without waiting: a file descriptor that holds it, or None when
    another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def is_running(data_dir: Path) -> bool:
    """Whether a follower holds the lock of ``data_dir`` now."""
    fd = try_lock(lock_path(data_dir))
    if fd is None:
        return True
    os.close(fd)  # closing releases it
    return False


class DetectionFollower:
    def __init__(self, monitor: GovernanceMonitor, data_dir: Path, *, poll_s: float = 0.1,
                 batch: int = 200, lease_s: float = 15.0) -> None:
        """``lease_s``: followers of other data directories on the same database (other hosts)
        wait while this one renews its lease, and take over that long after it stops renewing."""
        if poll_s <= 0 or batch < 1 or lease_s <= 0:
            raise ValueError("poll_s and lease_s must be positive and batch at least 1")
        self.monitor = monitor
        self.data_dir = data_dir
        self.poll_s = poll_s
        self.batch = batch
        self.lease = Lease(monitor.db, "governance", monitor.now, lease_s)
        self.leader = False
        self.cursor: int | None = None  # the last ticket id detected
        self.detected = 0

    def start_cursor(self) -> int:
        """Where a (re)started follower begins: before the tickets of the last minutes before the
        newest (what a stopped follower may have left undetected), or at the newest."""
        recent = self.monitor.recent_ids()
        if recent:
            return recent[0] - 1
        with self.monitor.db.read() as s:
            return int(s.scalar(select(func.max(Ticket.id))) or 0)

    def step(self) -> int:
        """Detect the next tickets above the cursor (up to ``batch``); returns how many."""
        if self.cursor is None:
            self.cursor = self.start_cursor()
        with self.monitor.db.read() as s:
            ids = list(s.scalars(select(Ticket.id).where(Ticket.id > self.cursor).order_by(Ticket.id)
                                 .limit(self.batch + self.monitor.surge_backlog + 1)))
        if not ids:
            return 0
        todo, behind = ids[: self.batch], max(0, len(ids) - self.batch)
        self.monitor.detect_tickets(todo, backlog=behind)
        self.cursor = todo[-1]
        self.detected += len(todo)
        return len(todo)

    def status(self) -> dict[str, Any]:
        m = self.monitor
        return {"pid": os.getpid(), "at": time.time(), "leader": self.leader, "cursor": self.cursor,
                "detected": self.detected,
                "indexed": len(m.index), "similarity": "embedding" if m.encoder.ready else "ngram",
                "reason": m.encoder.error, "last_detection_ms": m.last_ms, "vectors_pending": m.unembedded,
                "error": m.error}

    def write_status(self) -> None:
        path = status_path(self.data_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.status(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)

    def run(self, stop: threading.Event, *, parent_pid: int | None = None) -> None:
        """Follow until ``stop`` is set (or the parent process is gone: an orphan stops too).
        Idle, it fills in the sentence vectors a surge skipped, a small chunk at a time."""
        try:
            self._follow(stop, parent_pid)
        finally:
            if self.leader:
                self.lease.release()

    def _follow(self, stop: threading.Event, parent_pid: int | None) -> None:
        last_status = renewed = 0.0
        while not stop.is_set():
            if parent_pid is not None and os.getppid() != parent_pid:
                log.warning("governance follower: parent %s gone, stopping", parent_pid)
                return
            try:
                if time.monotonic() - renewed > self.lease.length.total_seconds() / 5:
                    self.leader, renewed = self.lease.acquire(), time.monotonic()
                    if not self.leader:
                        self.cursor = None  # on taking over, start again from the last minutes
                n = self.step() if self.leader else 0
                self.monitor.error = None
            except Exception as exc:  # noqa: BLE001 - keep following; the next step retries from the cursor
                log.exception("governance follower step failed")
                self.monitor.error = f"重复诉求检测出错：{exc}"
                n = 0
                stop.wait(1.0)
            if not self.leader:
                self.write_status()
                stop.wait(1.0)
                continue
            if not n:  # idle: skipped vectors, paced (``GovernanceMonitor.idle_backfill``)
                stop.wait(self.monitor.idle_backfill(self.poll_s))
            if time.monotonic() - last_status > 0.5:
                self.write_status()
                last_status = time.monotonic()


def read_status(data_dir: Path) -> dict[str, Any] | None:
    """The follower's last reported state, or None when it never reported."""
    try:
        return json.loads(status_path(data_dir).read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except (OSError, ValueError):
        return None


def capability(monitor: GovernanceMonitor, data_dir: Path) -> dict[str, Any]:
    """The health answer of an API process whose detection runs in the follower: the follower's
    own report, and the tickets not yet detected (above its cursor)."""
    st = read_status(data_dir)
    alive = is_running(data_dir)
    if st is None or not alive:
        return {"ok": False, "process": "follower", "running": alive, "similarity": "ngram", "queued": None,
                "reason": "重复诉求检测进程未运行，正在重启" if not alive else "重复诉求检测进程正在启动"}
    cursor = st.get("cursor") if st.get("leader") else None  # another host's follower leads: its cursor is not here
    with monitor.db.read() as s:
        queued = int(s.scalar(select(func.count(Ticket.id)).where(Ticket.id > (cursor or 0))) or 0) \
            if cursor is not None else None
    return {"ok": st.get("error") is None, "process": "follower", "running": True, "pid": st.get("pid"),
            "leader": st.get("leader"),
            "similarity": st.get("similarity"), "reason": st.get("error") or st.get("reason"),
            "indexed": st.get("indexed"), "last_detection_ms": st.get("last_detection_ms"), "queued": queued,
            "vectors_pending": st.get("vectors_pending"), "reported_s_ago": round(time.time() - st["at"], 1)}
