"""The HTTP surface: authentication, errors in the documented JSON shape, access control."""

from __future__ import annotations

import pytest

from tests.conftest import demo_users, login, login_role

TICKET = {
    "caller_name": "李女士", "caller_number": "13872001234", "appeal_type": "求助",
    "title": "太平镇停水三天", "content": "我们组停水三天了，打自来水公司电话没人接。", "township": "太平镇",
}


def _error(r) -> dict:
    body = r.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    assert not body["error"]["message"].isascii(), body  # a Chinese message
    return body["error"]


def test_health_is_public(client) -> None:
    r = client.get("/api/v1/health")
    assert r.status_code == 200 and r.json()["capabilities"]["database"]["ok"]


def test_no_token_and_bad_token(client) -> None:
    assert _error(client.get("/api/v1/tickets"))["code"] == "authentication_failed"
    r = client.get("/api/v1/tickets", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401 and "重新登录" in _error(r)["message"]


def test_login_throttled_after_failures(client) -> None:
    user = demo_users("agent")[0]
    for _ in range(5):
        r = client.post("/api/v1/auth/login", json={"username": user["username"], "password": "wrong-password"})
        assert r.status_code == 401 and _error(r)["message"] == "用户名或密码错误"
    r = client.post("/api/v1/auth/login", json={"username": user["username"], "password": user["password"]})
    assert r.status_code == 429 and "次数过多" in _error(r)["message"]


def test_token_expires_and_logout(client, clock) -> None:
    headers = login_role(client, "agent")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    clock.advance(hours=9)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    headers = login_role(client, "agent")
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_create_validate_and_read(client) -> None:
    agent = login_role(client, "agent")
    r = client.post("/api/v1/tickets", json=TICKET, headers=agent)
    assert r.status_code == 201, r.text
    ticket = r.json()
    assert ticket["status"] == "accepted" and ticket["status_label"] == "已受理"
    assert client.get(f"/api/v1/tickets/by-number/{ticket['number']}", headers=agent).json()["id"] == ticket["id"]
    bad = TICKET | {"appeal_type": "闲聊", "caller_number": "abc", "id_number": "110105194912310021"}
    err = _error(client.post("/api/v1/tickets", json=bad, headers=agent))
    assert err["code"] == "validation_failed" and "电话号码格式不正确" in err["message"]
    assert "身份证号码校验不通过" in err["message"]
    assert _error(client.post("/api/v1/tickets", content=b"{not json", headers=agent | {
        "Content-Type": "application/json"}))["code"] == "validation_failed"
    assert _error(client.post("/api/v1/tickets", json=TICKET | {"township": "纽约"}, headers=agent))[
        "message"].endswith("不是鹤峰县的乡镇")


def test_roles_and_units_enforced(client) -> None:
    agent = login_role(client, "agent")
    staff = demo_users("unit_staff")
    unit_a = login(client, staff[0]["username"], staff[0]["password"])
    unit_b = login(client, staff[1]["username"], staff[1]["password"])
    qa = login_role(client, "qa")
    tid = client.post("/api/v1/tickets", json=TICKET | {"confidential": True}, headers=agent).json()["id"]
    r = client.post(f"/api/v1/tickets/{tid}/actions/dispatch", json={"lead_unit": staff[0]["unit_code"]},
                    headers=agent)
    assert r.status_code == 200 and r.json()["allowed_actions"] == []
    # the other unit cannot even see it
    assert client.get(f"/api/v1/tickets/{tid}", headers=unit_b).status_code == 404
    assert client.post(f"/api/v1/tickets/{tid}/actions/sign", json={}, headers=unit_b).status_code == 404
    assert client.get("/api/v1/tickets", headers=unit_b).json()["total"] == 0
    # the lead unit sees it, masked because the caller asked for confidentiality
    mine = client.get(f"/api/v1/tickets/{tid}", headers=unit_a).json()
    assert mine["caller_number"] == "138****1234" and set(mine["allowed_actions"]) == {"sign", "return"}
    # units cannot create; QA cannot act
    assert client.post("/api/v1/tickets", json=TICKET, headers=unit_a).status_code == 403
    assert _error(client.post(f"/api/v1/tickets/{tid}/actions/sign", json={}, headers=qa))["code"] == \
        "permission_denied"
    # an illegal move is a 409 with a Chinese reason
    r = client.post(f"/api/v1/tickets/{tid}/actions/archive", json={}, headers=agent)
    assert r.status_code == 409 and "不能“归档”" in _error(r)["message"]
    r = client.post(f"/api/v1/tickets/{tid}/actions/teleport", json={}, headers=agent)
    assert r.status_code == 422
    # history is readable by the lead unit, with personal fields hidden
    hist = client.get(f"/api/v1/tickets/{tid}/history", headers=unit_a).json()
    assert [h["action"] for h in hist] == ["create", "dispatch"]
    assert hist[0]["changes"]["caller_number"] == ["***", "***"]


@pytest.mark.parametrize("path", ["/api/v1/tickets/999999", "/api/v1/nowhere"])
def test_not_found_shape(client, path: str) -> None:
    agent = login_role(client, "agent")
    r = client.get(path, headers=agent)
    assert r.status_code == 404 and _error(r)


def test_notices_from_scheduler(client, hotline, clock) -> None:
    agent = login_role(client, "agent")
    staff = demo_users("unit_staff")[0]
    unit = login(client, staff["username"], staff["password"])
    tid = client.post("/api/v1/tickets", json=TICKET | {"dispatch": {"lead_unit": staff["unit_code"]}},
                      headers=agent).json()["id"]
    clock.advance(hours=19)  # past 75% of the 24 h sign-for window
    assert hotline.scheduler.run_once() == 1
    assert hotline.scheduler.run_once() == 0  # idempotent
    clock.advance(hours=6)  # now overdue for sign-for
    assert hotline.scheduler.run_once() == 1
    agent = login_role(client, "agent")  # the morning tokens have expired by now
    unit = login(client, staff["username"], staff["password"])
    kinds = [n["kind"] for n in client.get("/api/v1/notices", headers=unit).json()]
    assert sorted(kinds) == ["overdue", "reminder"]
    stats = client.get("/api/v1/notices/by-unit", headers=agent).json()
    assert stats[0]["unit_code"] == staff["unit_code"] and stats[0]["overdue_notices"] == 1
    assert client.get("/api/v1/notices/by-unit", headers=unit).status_code == 403
    assert client.get(f"/api/v1/tickets/{tid}", headers=unit).json()["status"] == "dispatched"


def test_selfservice_is_rate_limited_and_answers_from_the_kb(kb_hotline) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    kb_hotline.selfservice_limiter.limit = 3
    with TestClient(create_app(hotline=kb_hotline, start_scheduler=False)) as client:
        r = client.post("/api/v1/selfservice/ask", json={"question": "新生娃儿么样上户口"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["mode"] == "answer" and not body["offer_ticket"] and len(body["suggestions"]) == 1
        r = client.post("/api/v1/selfservice/ask", json={"question": "火星上的土豆怎么种"})
        assert r.json()["mode"] != "answer" and r.json()["offer_ticket"] and r.json()["suggestions"] == []
        r = client.post("/api/v1/selfservice/tickets", json={"phone": "13907185678", "question": "火星土豆怎么种"})
        assert r.status_code == 201 and r.json()["number"].startswith("HF")
        r = client.post("/api/v1/selfservice/ask", json={"question": "社保卡怎么补"})
        assert r.status_code == 429 and "频繁" in r.json()["error"]["message"]
        agent = login_role(client, "agent")
        r = client.post("/api/v1/assist/suggest", json={"text": "坐席：您好。来电人：呃，我那个社保卡搞丢了，么样补办嘛"},
                        headers=agent)
        assert r.status_code == 200 and "社保卡" in r.json()["suggestions"][0]["question"]
        files = {"file": ("kb.csv", "标准问,答案\n,没有问题\n".encode(), "text/csv")}
        r = client.post("/api/v1/kb/import?format=csv", files=files, headers=agent)
        assert r.status_code == 422 and r.json()["error"]["details"]["errors"][0]["row"] == 1


def test_live_stream_protocol(client, hotline, tmp_path_factory) -> None:
    import json as _json

    import numpy as np

    from asr.whisper_model import ensure_whisper_base

    hotline.speech.model_dir = ensure_whisper_base(tmp_path_factory.getbasetemp() / "whisper-cache")
    agent = login_role(client, "agent")
    call = client.post("/api/v1/calls", json={"caller_number": "13907183333"}, headers=agent).json()
    token = agent["Authorization"].split()[1]
    with client.websocket_connect(f"/api/v1/calls/{call['id']}/stream?token=nonsense") as ws:
        assert _json.loads(ws.receive_text())["type"] == "error"
    silence = (np.zeros(3200, dtype=np.int16)).tobytes()  # 0.2 s of 16 kHz PCM
    with client.websocket_connect(f"/api/v1/calls/{call['id']}/stream?token={token}") as ws:
        ws.send_bytes(b"\x07" + silence)  # a channel that does not exist
        event = _json.loads(ws.receive_text())
        assert event["type"] == "error" and "声道" in event["data"]["message"]
        for _ in range(10):
            ws.send_bytes(b"\x00" + silence)
            ws.send_bytes(b"\x01" + silence)
        ws.send_text(_json.dumps({"type": "end"}))
        events = []
        while True:
            e = _json.loads(ws.receive_text())
            events.append(e["type"])
            if e["type"] == "ended":
                break
    assert client.get(f"/api/v1/calls/{call['id']}", headers=agent).json()["status"] == "ended"


def test_bad_recording_is_a_clear_422(client, hotline, tmp_path_factory) -> None:
    from asr.whisper_model import ensure_whisper_base

    hotline.speech.model_dir = ensure_whisper_base(tmp_path_factory.getbasetemp() / "whisper-cache")
    agent = login_role(client, "agent")
    r = client.post("/api/v1/calls/recordings", files={"file": ("x.wav", b"this is not audio at all", "audio/wav")},
                    headers=agent)
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_audio", r.text
