"""The hot-spot, sensor and linkage endpoints: roles, Chinese errors, CSV in and out."""

from __future__ import annotations

from tests.conftest import login_role

TICKET = {"caller_number": "13872001234", "appeal_type": "求助", "title": "四坪村山体滑坡",
          "content": "四坪村组道被山体滑坡堵住了", "township": "太平镇", "village": "四坪村"}


def test_sensor_event_to_proactive_ticket_over_http(client) -> None:
    agent, sup = login_role(client, "agent"), login_role(client, "supervisor")
    tid = client.post("/api/v1/tickets", json=TICKET, headers=agent).json()["id"]
    event = {"source": "video", "external_id": "CAM-7", "kind": "山体滑坡", "township": "太平镇", "village": "四坪村",
             "occurred_at": "2026-03-10T08:30:00+08:00", "description": "视频发现四坪村组道山体滑坡"}
    r = client.post("/api/v1/sensor-events", json=event, headers=sup)
    assert r.status_code == 201, r.text
    assert r.json()["matches"][0]["ticket_id"] == tid
    bad = client.post("/api/v1/sensor-events", json=event | {"source": "satellite", "latitude": 123}, headers=sup)
    assert bad.status_code == 422 and not bad.json()["error"]["message"].isascii()
    assert client.post("/api/v1/sensor-events", json=event, headers=agent).status_code == 403
    r = client.post(f"/api/v1/sensor-events/{r.json()['id']}/ticket", json={}, headers=sup)
    assert r.status_code == 201 and r.json()["channel"] == "sensor"
    links = client.get(f"/api/v1/tickets/{r.json()['id']}/links", headers=agent).json()
    assert links["sensor_events"][0]["kind"] == "山体滑坡"


def test_linkage_csv_round_trip_and_warnings(client) -> None:
    agent, sup = login_role(client, "agent"), login_role(client, "supervisor")
    client.post("/api/v1/tickets", json=TICKET, headers=agent)
    csv_text = ("system,external_no,title,content,township,village,occurred_at\n"
                "110,JQ1,四坪村山体滑坡堵路,四坪村组道山体滑坡堵路,太平镇,四坪村,2026-03-10 08:40\n")
    r = client.post("/api/v1/linkage/orders/import", files={"file": ("o.csv", csv_text.encode(), "text/csv")},
                    headers=agent)
    assert r.status_code == 200, r.text
    assert r.json()["linked"] == 1
    r = client.get("/api/v1/linkage/orders/export", headers=agent)
    assert r.status_code == 200 and "JQ1" in r.content.decode("utf-8-sig")
    r = client.post("/api/v1/linkage/orders", json={"orders": [{"system": "120", "external_no": "x", "title": "无",
                                                              "occurred_at": "2026-03-10T08:00:00"}]}, headers=agent)
    assert r.status_code == 422
    r = client.get("/api/v1/hotspots/volumes", params={"period": "week", "date": "2026-03-10"}, headers=agent)
    assert r.status_code == 200 and r.json()["total"] == 1
    assert client.get("/api/v1/hotspots/volumes", params={"period": "year"}, headers=agent).status_code == 422
    assert client.post("/api/v1/hotspots/scan", params={"period": "week"}, headers=agent).status_code == 403
    r = client.post("/api/v1/hotspots/scan", params={"period": "week", "date": "2026-03-10"}, headers=sup)
    assert r.status_code == 200 and r.json()["warnings"] == []
    assert client.post("/api/v1/hotspots/warnings/999/acknowledge", json={}, headers=sup).status_code == 404
