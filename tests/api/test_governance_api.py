"""The governance API: cases, caller history, related appeals during a call, clue transfers; roles
enforced, Chinese errors."""

from __future__ import annotations

from tests.conftest import login_role

BASE = "/api/v1/governance"
ROAD = ["白果村通村公路塌方了，车子过不去，请尽快修复", "白果村到集镇的通村公路塌方，车过不去，请尽快派人修",
        "我们白果村的通村公路塌方了车子过不去，请尽快修复", "白果村通村公路塌方，车子过不去了，麻烦尽快修复",
        "走马镇白果村通村公路塌方，车子过不去，请尽快修复"]


def ticket(client, headers, text: str, number: str = "13907181234", lead: str = "zmz") -> int:
    body = {"caller_name": "王先生", "caller_number": number, "appeal_type": "求助", "title": text[:20],
            "content": text, "township": "走马镇", "category": ["城乡建设"], "dispatch": {"lead_unit": lead}}
    r = client.post("/api/v1/tickets", json=body, headers=headers)
    assert r.status_code in (200, 201), r.text
    return r.json()["id"]


def test_repeat_case_appears_and_roles_hold(client) -> None:
    agent, sup = login_role(client, "agent"), login_role(client, "supervisor")
    unit, qa = login_role(client, "unit_staff"), login_role(client, "qa")
    ids = [ticket(client, agent, t) for t in ROAD]
    r = client.get(f"{BASE}/cases", headers=sup)
    assert r.status_code == 200
    cases = r.json()["items"]
    kinds = {c["kind"] for c in cases}
    assert "repeat" in kinds and all(c["key_supervision"] for c in cases)
    case = next(c for c in cases if c["kind"] == "repeat")
    assert case["kind_label"] == "一人多次" and case["ticket_count"] == 5
    assert {t["id"] for t in case["tickets"]} == set(ids)
    history = client.get(f"{BASE}/cases/{case['id']}/history", headers=agent).json()
    assert history[0]["action"] == "create"
    # the unit of the first demo unit account (人社局) leads none of these tickets
    assert client.get(f"{BASE}/cases/{case['id']}", headers=unit).status_code == 404
    assert client.get(f"{BASE}/cases", headers=unit).json()["total"] == 0
    r = client.get(f"{BASE}/callers/history", params={"phone": "13907181234"}, headers=unit)
    assert r.status_code == 403 and r.json()["error"]["message"]
    assert client.post(f"{BASE}/detect", json={"start": "2026-03-01T00:00:00", "end": "2026-03-20T00:00:00"},
                       headers=agent).status_code == 403
    r = client.post(f"{BASE}/detect", json={"start": "2026-03-01T00:00:00", "end": "2026-03-20T00:00:00"}, headers=sup)
    assert r.status_code == 200 and r.json()["checked"] == 5
    assert client.get(f"{BASE}/transfers", headers=qa).status_code == 403


def test_desk_endpoints_during_a_call(client) -> None:
    agent = login_role(client, "agent")
    for t in ROAD[:4]:
        ticket(client, agent, t)
    r = client.get(f"{BASE}/callers/history", params={"phone": "13907181234"}, headers=agent)
    assert r.status_code == 200 and r.json()["total"] == 4
    r = client.post(f"{BASE}/related", json={"phone": "13907181234", "text": "白果村通村公路塌方还没修，车子过不去",
                                               "township": "走马镇", "category": ["城乡建设"]}, headers=agent)
    assert r.status_code == 200
    body = r.json()
    assert body["would_trigger"] == ["repeat"] and len(body["tickets"]) == 4 and "一人多次" in body["hint"]
    r = client.post(f"{BASE}/related", json={}, headers=agent)
    assert r.status_code == 422 and "请提供" in r.json()["error"]["message"]
    r = client.get(f"{BASE}/callers/history", headers=agent)
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_failed"


def test_manual_case_and_transfer_over_http(client) -> None:
    agent, sup = login_role(client, "agent"), login_role(client, "supervisor")
    a = ticket(client, agent, "太平镇某村饮水管道破裂，全村停水")
    b = ticket(client, agent, "太平镇某村停水三天了", number="13907180000")
    r = client.post(f"{BASE}/cases", json={"master_ticket_id": a, "related_ticket_ids": [b], "comment": "同一停水事件"},
                    headers=agent)
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    r = client.post(f"{BASE}/cases/{case_id}/link", json={"ticket_id": b}, headers=agent)
    assert r.status_code == 422 and "已在本案件" in r.json()["error"]["message"]
    r = client.post(f"{BASE}/cases/{case_id}/supervise", json={"comment": "停水三天，重点督办"}, headers=agent)
    assert r.status_code == 403
    r = client.post(f"{BASE}/cases/{case_id}/supervise", json={"comment": "停水三天，重点督办"}, headers=sup)
    assert r.status_code == 200 and r.json()["key_supervision"]
    assert all(t["supervised"] for t in r.json()["tickets"])
    r = client.post(f"{BASE}/transfers", json={"ticket_id": a, "target": "petition", "grounds": "unresolved",
                                               "reason": "督办后仍未解决", "attachments": ["工单记录"]}, headers=sup)
    assert r.status_code == 201, r.text
    t = r.json()
    assert t["case_id"] == case_id and t["target_label"] == "信访部门" and t["status"] == "sent"
    r = client.post(f"{BASE}/transfers", json={"ticket_id": a, "target": "unknown", "grounds": "unresolved",
                                               "reason": "x"}, headers=sup)
    assert r.status_code == 422
    r = client.post(f"{BASE}/transfers/{t['id']}/status", json={"status": "received", "receiver": "县信访局张某"},
                    headers=sup)
    assert r.status_code == 200 and r.json()["status_label"] == "已接收"
    assert [e["action"] for e in client.get(f"{BASE}/transfers/{t['id']}/history", headers=sup).json()] == \
        ["create", "received"]
    actions = [e["action"] for e in client.get(f"/api/v1/tickets/{a}/history", headers=sup).json()]
    assert "case_link" in actions and "supervise" in actions and "clue_transfer" in actions
    assert client.get(f"{BASE}/transfers/999", headers=sup).status_code == 404
