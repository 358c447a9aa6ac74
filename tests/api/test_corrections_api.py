"""/api/v1/routing/corrections: the form reports the suggestions it showed; statistics for supervisors."""

from __future__ import annotations

from tests.conftest import login_role

TICKET = {
    "caller_name": "李女士", "caller_number": "13872001234", "appeal_type": "投诉", "category": ["城乡建设"],
    "title": "太平镇停水三天", "content": "我们组停水三天了，打自来水公司电话没人接。", "township": "太平镇",
}


def test_corrections_api(client) -> None:
    agent, admin = login_role(client, "agent"), login_role(client, "admin")
    tid = client.post("/api/v1/tickets", json=TICKET, headers=agent).json()["id"]
    r = client.post(f"/api/v1/routing/corrections/tickets/{tid}", headers=agent,
                    json={"appeal_type": "求助", "category": "城乡建设", "urgency": "一般"})
    assert r.status_code == 200 and r.json() == [{"field": "appeal_type", "suggested": "求助", "chosen": "投诉"}]
    r = client.post(f"/api/v1/routing/corrections/tickets/{tid}", headers=agent, json={})
    assert r.status_code == 422 and "建议" in r.json()["error"]["message"]
    assert client.get("/api/v1/routing/corrections/stats", headers=agent).status_code == 403
    stats = client.get("/api/v1/routing/corrections/stats", headers=admin).json()
    assert stats["corrections"] == 1 and stats["fields"]["appeal_type"]["corrections"] == 1
    listed = client.get("/api/v1/routing/corrections?field=appeal_type", headers=admin).json()
    assert listed["total"] == 1 and listed["items"][0]["ticket_id"] == tid


def test_call_submission_records_draft_corrections(client, hotline) -> None:
    from assistant.db.call_models import Call

    agent = login_role(client, "agent")
    call = client.post("/api/v1/calls", json={"caller_number": "13872001234"}, headers=agent).json()
    with hotline.db.write() as s:
        s.get(Call, call["id"]).draft = {"appeal_type": {"value": "咨询", "confidence": 0.8, "source": "classifier"}}
    r = client.post(f"/api/v1/calls/{call['id']}/ticket", json=TICKET, headers=agent)
    assert r.status_code == 201, r.text
    stats = client.get("/api/v1/routing/corrections/stats", headers=login_role(client, "admin")).json()
    assert stats["fields"]["appeal_type"]["top"] == [{"suggested": "咨询", "chosen": "投诉", "count": 1}]
