"""The governance follower as a child process of the service (see ``governance/follower.py``).

Every API process of a data directory runs a ``FollowerSupervisor``: every two seconds it checks
the follower's lock, and when no process holds it (never started, crashed, or its parent worker
stopped) it starts ``python -m assistant.detection_process`` with the service's own settings. The
lock makes the extra starts of several workers harmless: the second follower exits at once. A
follower stops with its parent (an orphan left by a killed service stops by itself), so the next
start of the service starts a fresh one."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading

from assistant.config import Settings
from assistant.governance import follower

log = logging.getLogger(__name__)
_ENV = "HOTLINE_FOLLOWER_SETTINGS"
_PARENT = "HOTLINE_FOLLOWER_PARENT"  # the pid of the service process that started it
# niceness the follower adds to its own: on 2 cores a surge of creations is CPU-bound, and what a
# request waits for comes before detection (measured in `python -m eval bench-tickets`)
DETECTION_NICE = 10


class FollowerSupervisor:
    def __init__(self, settings: Settings, *, check_s: float = 2.0) -> None:
        self.settings = settings
        self.data_dir = settings.resolved_data_dir()
        self.check_s = check_s
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.ensure()
        self._thread = threading.Thread(target=self._watch, name="governance-follower-watch", daemon=True)
        self._thread.start()

    def ensure(self) -> bool:
        """Start a follower unless one runs for this data directory; True when one was started."""
        if follower.is_running(self.data_dir):
            return False
        if self.proc is not None and self.proc.poll() is None:
            return False  # ours is still starting (it takes the lock once its imports are done)
        logs = self.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        env = os.environ | {_ENV: self.settings.model_dump_json(), _PARENT: str(os.getpid())}
        with open(logs / "governance.log", "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "assistant.detection_process"], env=env,
                                         stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.starts += 1
        log.info("governance follower started (pid %s)", self.proc.pid)
        return True

    def _watch(self) -> None:
        while not self._stop.wait(self.check_s):
            try:
                self.ensure()
            except Exception:  # noqa: BLE001 - keep watching; the next check tries again
                log.exception("could not start the governance follower")

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def main() -> int:
    """Entry of the child process: the service's settings from the environment, then follow."""
    from assistant.core import build_core
    from assistant.governance.service import Governance

    raw = os.environ.get(_ENV)
    settings = Settings.model_validate_json(raw) if raw else Settings()
    data_dir = settings.resolved_data_dir()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    fd = follower.try_lock(follower.lock_path(data_dir))
    if fd is None:
        return 0  # another follower works for this data directory
    # background work: during a surge of creations the request workers come first and detection
    # catches up afterwards (its backlog is `queued` in /api/v1/health)
    try:
        os.nice(DETECTION_NICE)
    except OSError:  # a platform that refuses: same priority as the service
        log.warning("governance follower: could not lower its priority")
    # the parent as the supervisor named it: a parent killed while this process was still starting
    # has already made it an orphan (``getppid`` would then name init)
    parent = int(os.environ.get(_PARENT) or os.getppid())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # the ticket core and governance only (no models' code imported): detection inline here
    core = build_core(settings)
    mon = Governance(core.db, core.tickets, core.county.directory, core.tickets.now,
                     use_embeddings=settings.kb_dense).monitor
    if settings.warm_up_models:
        try:
            mon.warm_up()
        except Exception:  # noqa: BLE001 - detection goes on with character n-grams
            log.exception("governance follower: embedding model unavailable")
    run = follower.DetectionFollower(mon, data_dir)
    run.write_status()
    try:
        run.run(stop, parent_pid=parent)
    finally:
        core.db.dispose()
        os.close(fd)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

