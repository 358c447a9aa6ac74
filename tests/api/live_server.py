"""The real service on loopback for the hostile-input tests: ``hotline serve`` in its own process,
the demo county seeded in a temporary data directory, no model warm-up, no scheduler."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, base_url: str, log: Path) -> None:
        self.base_url = base_url
        self.log = log

    def server_errors(self) -> str:
        """What the server logged about requests that failed unexpectedly (api/errors.py logs
        "unexpected error"; uvicorn logs an exception that escaped the app)."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        logs = self.log.parent / "logs"
        if logs.is_dir():
            text += "".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(logs.glob("*.log*")))
        markers = ("unexpected error", "Exception in ASGI application")
        return text if any(m in text for m in markers) else ""

    def login(self, username: str, password: str) -> dict[str, str]:
        r = httpx.post(f"{self.base_url}/api/v1/auth/login", json={"username": username, "password": password})
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['access_token']}"}


@contextmanager
def live_server(template_db: str, data_dir: Path, *, kb_index: Path | None = None) -> Iterator[LiveServer]:
    """``kb_index``: a built knowledge index to start from (else the first question builds it)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template_db, data_dir / "hotline.db")
    if kb_index is not None:
        shutil.copytree(kb_index, data_dir / "indexes" / "kb")
    port = free_port()
    env = {**os.environ, "HOTLINE_DATA_DIR": str(data_dir), "HOTLINE_SCHEDULER_ENABLED": "false",
           "HOTLINE_WARM_UP_MODELS": "false", "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    env.pop("HOTLINE_DATABASE_URL", None)
    log = data_dir / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "api", "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--no-scheduler"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"服务未能启动：\n{log.read_text(encoding='utf-8', errors='replace')}")
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("服务启动超时")
            time.sleep(0.3)
        yield LiveServer(base, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
