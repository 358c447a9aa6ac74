"""kill -9 the real server while clients create tickets: every acknowledged ticket survives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.api.live_server import free_port
from tests.conftest import demo_users

pytestmark = pytest.mark.slow



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


def _demo_env(tmp_path: Path) -> dict[str, str]:
    """A fresh demo data directory on SQLite (the default backend), scheduler and warm-up off."""
    env = os.environ | {"HOTLINE_DATA_DIR": str(tmp_path / "data"), "HOTLINE_SCHEDULER_ENABLED": "false",
                        "HOTLINE_WARM_UP_MODELS": "false"}
    env.pop("HOTLINE_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "api", "init", "--demo"], env=env, check=True, capture_output=True)
    return env


def test_acknowledged_tickets_survive_kill_9(tmp_path: Path) -> None:
    env = _demo_env(tmp_path)
    port = free_port()
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


def test_calls_qa_results_and_callbacks_survive_kill_9(tmp_path: Path) -> None:
    env = _demo_env(tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    proc = _start(env, port)

    def login(role: str) -> dict[str, str]:
        user = demo_users(role)[0]
        r = httpx.post(f"{base}/auth/login", json={"username": user["username"], "password": user["password"]})
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    agent, unit = login("agent"), login("unit_staff")
    unit_code = demo_users("unit_staff")[0]["unit_code"]
    # a finished call: scored by QA when it ends
    done = httpx.post(f"{base}/calls", json={"caller_number": "13972600003"}, headers=agent).json()["id"]
    turns = [{"speaker": "agent", "start": 0, "end": 3, "text": "您好，12345热线，请问有什么可以帮您？"},
             {"speaker": "caller", "start": 3.5, "end": 9, "text": "我们燕子镇新行村停水三天了，一直没人管。"},
             {"speaker": "agent", "start": 9.5, "end": 13, "text": "好的，我马上给您登记转给水务部门，感谢来电，再见。"}]
    assert httpx.post(f"{base}/calls/{done}/segments", json={"segments": turns}, headers=agent,
                      timeout=600).status_code == 200  # the first one loads the models
    assert httpx.post(f"{base}/calls/{done}/end", headers=agent, timeout=300).status_code == 200
    # a closed ticket: a callback is scheduled
    ticket = httpx.post(f"{base}/tickets", headers=agent, json={
        "appeal_type": "求助", "title": "燕子镇新行村停水", "content": "停水三天", "township": "燕子镇",
        "caller_number": "13972600003", "dispatch": {"lead_unit": unit_code}}).json()["id"]
    assert httpx.post(f"{base}/tickets/{ticket}/actions/sign", json={}, headers=unit).status_code == 200
    assert httpx.post(f"{base}/tickets/{ticket}/actions/reply", headers=unit,
                      json={"reply": "已抢修管道，恢复供水，来电人表示认可。"}).status_code == 200
    # a call in progress when the server dies: segments keep arriving
    live = httpx.post(f"{base}/calls", json={"caller_number": "13972600004"}, headers=agent).json()["id"]
    acked: list[str] = []
    stop = threading.Event()

    def talk() -> None:
        with httpx.Client(timeout=30) as http:
            for i in range(200):
                if stop.is_set():
                    return
                text = f"第{i}句：路灯坏了好久了，晚上看不见路。"
                seg = {"speaker": "caller", "start": i * 2.0, "end": i * 2.0 + 1.5, "text": text}
                try:
                    r = http.post(f"{base}/calls/{live}/segments", json={"segments": [seg]}, headers=agent)
                except httpx.HTTPError:
                    return
                if r.status_code == 200:
                    acked.append(text)

    talker = threading.Thread(target=talk)
    talker.start()
    deadline = time.monotonic() + 60
    while len(acked) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stop.set()
    talker.join()
    assert len(acked) >= 5

    proc = _start(env, port)
    try:
        agent, qa = login("agent"), login("qa")
        kept = [s["text"] for s in httpx.get(f"{base}/calls/{live}", headers=agent).json()["segments"]]
        assert all(text in kept for text in acked), "an acknowledged transcript segment was lost"
        results = httpx.get(f"{base}/qa/results", headers=qa).json()
        assert any(r["call_id"] == done for r in results), "the QA result was lost"
        callbacks = httpx.get(f"{base}/callbacks", params={"include_future": True}, headers=agent).json()
        assert any(c["ticket_id"] == ticket for c in callbacks), "the scheduled callback was lost"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
