"""kill -9 the real server while clients create tickets: every acknowledged ticket survives."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import demo_users

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(env: dict[str, str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not start")


def test_acknowledged_tickets_survive_kill_9(tmp_path: Path) -> None:
    env = os.environ | {"HOTLINE_DATA_DIR": str(tmp_path / "data"), "HOTLINE_SCHEDULER_ENABLED": "false",
                        "HOTLINE_WARM_UP_MODELS": "false"}
    env.pop("HOTLINE_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "api", "init", "--demo"], env=env, check=True, capture_output=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    proc = _start(env, port)
    agent = demo_users("agent")[0]
    token = httpx.post(f"{base}/auth/login", json={"username": agent["username"], "password": agent["password"]}
                       ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    acked: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(n: int) -> None:
        with httpx.Client(timeout=5) as http:
            i = 0
            while not stop.is_set() and i < 400:
                i += 1
                body = {"appeal_type": "咨询", "title": f"压力测试{n}-{i}", "content": "测试内容", "township": "容美镇"}
                try:
                    r = http.post(f"{base}/tickets", json=body, headers=headers)
                except httpx.HTTPError:
                    return  # the server died under us: this request was never acknowledged
                if r.status_code == 201:
                    with lock:
                        acked.append(r.json()["number"])

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acked) < 60 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stop.set()
    for t in threads:
        t.join()
    assert len(acked) >= 60, "too few tickets were created before the kill"

    proc = _start(env, port)
    try:
        token = httpx.post(f"{base}/auth/login", json={"username": agent["username"],
                                                        "password": agent["password"]}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for number in acked:
            r = httpx.get(f"{base}/tickets/by-number/{number}", headers=headers)
            assert r.status_code == 200, f"acknowledged ticket {number} lost"
            hist = httpx.get(f"{base}/tickets/{r.json()['id']}/history", headers=headers).json()
            assert hist[0]["action"] == "create"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
