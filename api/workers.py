"""Several API worker processes on one port, each with a listening socket of its own.

uvicorn's own ``--workers`` shares one socket between its workers, and whichever worker is awake
takes the next connection: a desk, a unit's phone or a load test keeps its connection alive, so a
burst of connections opened together mostly lands on one worker while the other idles (measured:
1,746 vs 339 profile samples in a 3,000-creation burst, no gain over one worker). With
``SO_REUSEPORT`` (Linux) the kernel spreads connections over the workers' sockets: reads then
scale with the workers, while creations stay bound by SQLite's one write lock
(``python -m eval bench-tickets --workers 2``; figures in README.md).

The parent only supervises: it starts the workers, starts a new one when one dies, and stops them
all on SIGTERM/SIGINT. Where ``SO_REUSEPORT`` is missing, uvicorn's shared socket is used."""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
import time
from typing import Any

log = logging.getLogger(__name__)

RESTART_PAUSE_S = 1.0  # between two starts of the same worker (a worker that dies at once must not spin)


def reuse_port_available() -> bool:
    """Linux spreads connections over the sockets sharing a port; other systems may not."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _worker(host: str, port: int, options: dict[str, Any]) -> None:
    """One worker process: its own socket on the shared port, the service built from the
    environment (as uvicorn's factory workers do)."""
    import uvicorn

    from api.app import create_app
    from api.cli import configure_logging
    from assistant.config import Settings

    configure_logging(Settings())
    sock = _listen(host, port)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; SIGTERM stops uvicorn cleanly
    config = uvicorn.Config(create_app(), **options)
    uvicorn.Server(config).run(sockets=[sock])


def serve(host: str, port: int, workers: int, options: dict[str, Any]) -> int:
    """Run ``workers`` worker processes until SIGTERM/SIGINT; returns the exit status."""
    # check the port once here: a port taken by another program fails at once, with its reason
    try:
        _listen(host, port).close()
    except OSError as exc:
        print(f"无法在 {host}:{port} 上监听：{exc.strerror or exc}", file=sys.stderr)
        return 1
    ctx = multiprocessing.get_context("spawn")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    procs: list[Any] = [None] * workers
    started = [0.0] * workers
    try:
        while not stop.is_set():
            for i, proc in enumerate(procs):
                if proc is not None and proc.is_alive():
                    continue
                if proc is not None:
                    log.error("API 工作进程 %s 已退出（退出码 %s），重新启动", proc.pid, proc.exitcode)
                    procs[i] = None
                if time.monotonic() - started[i] < RESTART_PAUSE_S:
                    continue
                procs[i] = ctx.Process(target=_worker, args=(host, port, options), name=f"hotline-api-{i + 1}")
                procs[i].start()
                started[i] = time.monotonic()
            stop.wait(0.5)
    finally:
        for proc in procs:
            if proc is not None and proc.is_alive():
                proc.terminate()
        for proc in procs:
            if proc is not None:
                proc.join(timeout=30)
                if proc.is_alive():
                    proc.kill()
    return 0
