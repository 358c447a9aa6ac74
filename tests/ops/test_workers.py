"""``hotline serve --workers 2``: each worker listens on the port with a socket of its own
(``SO_REUSEPORT``), so connections opened together are spread over both; a worker that dies is
replaced; SIGTERM stops them all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.workers import reuse_port_available
from tests.api.live_server import free_port

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not reuse_port_available(), reason="needs SO_REUSEPORT")]
ROOT = Path(__file__).resolve().parents[2]


def _worker_of_new_connection(base: str) -> int | None:
    try:
        with httpx.Client(timeout=5) as client:  # a new connection each time
            return int(client.get(f"{base}/health").json()["worker"])
    except httpx.HTTPError:
        return None


def _workers_seen(base: str, tries: int = 24) -> set[int]:
    return {w for _ in range(tries) if (w := _worker_of_new_connection(base)) is not None}


def _wait(what, timeout: float, message: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if out := what():
            return out
        time.sleep(0.3)
    raise AssertionError(message)


def test_two_workers_share_the_port_and_are_replaced(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env |= {"HOTLINE_DATA_DIR": str(tmp_path / "data"), "HOTLINE_SCHEDULER_ENABLED": "false",
            "HOTLINE_WARM_UP_MODELS": "false", "HOTLINE_KB_DENSE": "false"}
    subprocess.run([sys.executable, "-m", "api", "init", "--demo"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=300)
    port = free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    with (tmp_path / "serve.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port), "--workers", "2"],
                                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            # both workers answer on the one port, each on connections of its own
            first = _wait(lambda: seen if len(seen := _workers_seen(base)) == 2 else None, 180,
                          "two workers did not both answer")
            assert proc.pid not in first  # the parent only supervises

            # a worker killed outright is replaced by a new one
            victim = min(first)
            os.kill(victim, signal.SIGKILL)
            _wait(lambda: len(seen := _workers_seen(base)) == 2 and victim not in seen, 180,
                  "the killed worker was not replaced")

            # SIGTERM to the parent stops the workers with it
            workers = _workers_seen(base)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0
            for pid in workers:
                _wait(lambda pid=pid: not Path(f"/proc/{pid}").exists(), 30, f"worker {pid} outlived its parent")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_a_port_taken_by_another_program_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    from api.workers import serve

    with socket.socket() as other:  # no SO_REUSEPORT: nobody may share it
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        assert serve("127.0.0.1", port, 2, {}) == 1
    assert "无法在" in capsys.readouterr().err
