"""The demo call end to end on a short excerpt: the project's recording streamed into the live
WebSocket of a real server on loopback (uvicorn, real models, real database), then the ticket
through dispatch, the unit's sign-for and reply, QA, the callback and the audit trail."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from api.demo_call import CALL_DIR, run_demo
from tests.api.live_server import free_port

pytestmark = pytest.mark.slow



@pytest.fixture
def server(kb_hotline, whisper_data_dir, db_url):  # type: ignore[no-untyped-def]
    import uvicorn

    from api.app import create_app

    if not db_url.startswith("sqlite"):
        pytest.skip("一次就够：存储在两种数据库上的行为由存储测试覆盖，这里测的是整通电话")

    models = kb_hotline.data_dir / "models"
    models.mkdir(parents=True, exist_ok=True)
    (models / "whisper-base-ct2").symlink_to(whisper_data_dir / "whisper-base-ct2")
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(hotline=kb_hotline, start_scheduler=False), host="127.0.0.1",
                                        port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "服务未能启动"
        time.sleep(0.1)
    yield base
    srv.should_exit = True
    thread.join(timeout=30)


def test_demo_call_excerpt_end_to_end(server: str, kb_hotline) -> None:  # type: ignore[no-untyped-def]
    lines: list[str] = []
    # the opening, the caller's place and problem, the exact spot: 44 s of the 154 s call at 1.5×
    outcome = run_demo(server, end_s=44.0, speed=1.5, out=lines.append)
    text = "\n".join(lines)
    assert outcome.segments >= 4, text
    assert "坐席：" in text and "来电人：" in text, text  # both channels recognised, apart
    assert outcome.ticket_number.startswith("HF"), text
    assert outcome.lead_unit == "zmz", text  # 属地管理: the village road of 走马镇
    assert outcome.qa_score is not None
    assert outcome.callback_status == "done"
    assert outcome.status == "visited"
    assert outcome.history[:5] == ["create", "dispatch", "sign", "reply", "callback"], outcome.history
    ticket = httpx.get(f"{server}/api/v1/tickets/{outcome.ticket_id}",
                       headers=_login(server, "agent01", "demo-agent-2026")).json()
    assert ticket["township"] == "走马镇" and ticket["village"] == "白果村", ticket
    # the final segments were stored with the call as they were recognised
    call = httpx.get(f"{server}/api/v1/calls/{outcome.call_id}",
                     headers=_login(server, "agent01", "demo-agent-2026")).json()
    assert len(call["segments"]) >= outcome.segments and call["status"] == "ended"


def test_demo_script_matches_recording() -> None:
    import json

    script = json.loads((CALL_DIR / "script.json").read_text(encoding="utf-8"))
    assert (CALL_DIR / "call.ogg").stat().st_size < 2_000_000
    ends = [t["end"] for t in script["turns"]]
    assert ends == sorted(ends) and ends[-1] < script["duration_s"]
    assert {t["speaker"] for t in script["turns"]} == {"agent", "caller"}


def _login(base: str, username: str, password: str) -> dict[str, str]:
    r = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": password})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}
