"""Faults: a locked or unreachable database gives a clear 503 and the service recovers without a
restart; a broken model file takes down only its own capability, and says why."""

from __future__ import annotations

import contextlib
import io
import socket
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from assistant.config import Settings
from assistant.runtime import Hotline
from tests.conftest import PG_URL, demo_users, login_role

TICKET = {"appeal_type": "求助", "title": "燕子镇停水三天", "content": "燕子镇新行村停水三天了，屋里老人没水吃。",
          "township": "燕子镇", "caller_number": "13972600002"}


def _client(hotline: Hotline) -> Iterator[TestClient]:
    with TestClient(create_app(hotline=hotline, start_scheduler=False)) as c:
        yield c


@pytest.fixture
def impatient(tmp_path: Path, db_url: str, clock, model_cache: Path) -> Iterator[Hotline]:
    """The service with a 1-second patience for a busy database."""
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url, scheduler_enabled=False,
                        warm_up_models=False, db_busy_timeout_s=1.0)
    hl = Hotline(settings, now=clock)
    hl.routing.cache_dir = model_cache / "dispatch"
    hl.init(demo=True)
    yield hl
    hl.stop()


def test_locked_sqlite_is_a_clear_503_then_recovers(impatient: Hotline) -> None:
    if not impatient.db.is_sqlite:
        pytest.skip("SQLite file locking")
    path = impatient.db.url.split("sqlite:///", 1)[1]
    for client in _client(impatient):
        headers = login_role(client, "agent")  # logging in writes too: done before the lock
        holder = subprocess.Popen([sys.executable, "-c", (
            "import sqlite3, sys, time\n"
            f"c = sqlite3.connect({path!r}, isolation_level=None)\n"
            "c.execute('BEGIN EXCLUSIVE')\n"
            "print('locked', flush=True)\n"
            "time.sleep(4)\n"
            "c.execute('ROLLBACK')\n")], stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            r = client.post("/api/v1/tickets", json=TICKET, headers=headers)
            assert r.status_code == 503, r.text
            assert r.json()["error"]["code"] == "storage_unavailable" and "稍后重试" in r.json()["error"]["message"]
            assert client.get("/api/v1/tickets", headers=headers).status_code == 200  # reads go on (WAL)
        finally:
            holder.wait(timeout=30)
        r = client.post("/api/v1/tickets", json=TICKET, headers=headers)
        assert r.status_code == 201, r.text


class _Proxy:
    """A TCP relay to PostgreSQL that can be cut and restored, like a network outage."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up = False
        for s in self.conns:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        self.conns = []

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.mark.postgres
def test_unreachable_postgres_is_a_clear_503_then_recovers(tmp_path: Path, db_url: str, clock,
                                                           model_cache: Path) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL")
    assert PG_URL
    host_port = db_url.split("@", 1)[1].split("/", 1)[0]
    host, port = host_port.rsplit(":", 1)
    proxy = _Proxy((host, int(port)))
    url = db_url.replace(host_port, f"127.0.0.1:{proxy.port}")
    settings = Settings(data_dir=tmp_path / "data", database_url=url, scheduler_enabled=False,
                        warm_up_models=False, db_busy_timeout_s=2.0, auth_cache_seconds=0)
    hl = Hotline(settings, now=clock)
    hl.routing.cache_dir = model_cache / "dispatch"
    try:
        hl.init(demo=True)
        for client in _client(hl):
            headers = login_role(client, "agent")
            assert client.post("/api/v1/tickets", json=TICKET, headers=headers).status_code == 201
            proxy.cut()
            for path in ("/api/v1/tickets", "/api/v1/health"):
                r = client.get(path, headers=headers)
                if path.endswith("health"):
                    assert r.json()["capabilities"]["database"]["ok"] is False
                else:
                    assert r.status_code == 503 and r.json()["error"]["code"] == "storage_unavailable"
            proxy.up = True
            deadline = time.monotonic() + 20
            while (r := client.post("/api/v1/tickets", json=TICKET, headers=headers)).status_code != 201:
                assert r.status_code == 503 and time.monotonic() < deadline, r.text
                time.sleep(0.2)
    finally:
        hl.stop()
        proxy.close()


def _wav(seconds: float = 1.0, rate: int = 16000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * int(seconds * rate))
    return buf.getvalue()


def test_broken_speech_model_takes_down_only_speech(hotline: Hotline) -> None:
    if not hotline.db.is_sqlite:
        pytest.skip("one backend is enough")
    from asr.whisper_model import MODEL_BIN_SIZE, MODEL_DIRNAME

    model_dir = hotline.data_dir / "models" / MODEL_DIRNAME
    model_dir.mkdir(parents=True)
    with (model_dir / "model.bin").open("wb") as fh:  # the right size, so it is not re-assembled
        fh.truncate(MODEL_BIN_SIZE)
    (model_dir / "config.json").write_text('{"broken', encoding="utf-8")
    for name in ("tokenizer.json", "vocabulary.txt"):
        (model_dir / name).write_text("x", encoding="utf-8")
    for client in _client(hotline):
        headers = login_role(client, "agent")
        r = client.post("/api/v1/calls/recordings", files={"file": ("a.wav", _wav(), "audio/wav")}, headers=headers)
        assert r.status_code == 503, r.text
        assert "语音识别" in r.json()["error"]["message"]
        asr = client.get("/api/v1/health").json()["capabilities"]["asr"]
        assert asr["ok"] is False and "语音识别不可用" in asr["reason"]
        # everything else still works
        assert client.post("/api/v1/tickets", json=TICKET, headers=headers).status_code == 201
        agent = demo_users("agent")[0]
        assert client.post("/api/v1/auth/login", json={"username": agent["username"],
                                                       "password": agent["password"]}).status_code == 200

