"""Sensor events (低空感知) and 110 / 综治 linkage on a real database: validation, matching to
tickets nearby in place and time, proactive tickets through the audited ticket service, CSV in/out."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from assistant.access import Actor
from assistant.errors import InvalidTransition, PermissionDenied, ValidationFailed
from assistant.hotspots.linkage import read_csv
from assistant.hotspots.matching import cosine, ngrams
from assistant.hotspots.sensors import ProactiveTicket, SensorEventCreate
from assistant.tickets.schemas import TicketCreate

SUPERVISOR = Actor(1, "sup", "督办员甲", "supervisor")
AGENT = Actor(2, "agent", "坐席甲", "agent")


def ticket(hotline, title: str, content: str, township: str, village: str = "") -> int:
    data = TicketCreate(appeal_type="求助", title=title, content=content, township=township, village=village,
                        caller_number="13872001234")
    return hotline.tickets.create(data, AGENT).id


def test_char_ngram_similarity() -> None:
    assert cosine(ngrams("四坪村道路被山体滑坡堵塞"), ngrams("四坪村发生山体滑坡，道路堵塞")) > 0.5
    assert cosine(ngrams("四坪村道路被山体滑坡堵塞"), ngrams("社保卡补办需要什么材料")) < 0.1
    assert cosine(ngrams(""), ngrams("任意")) == 0.0


def test_sensor_event_matched_and_opened_as_audited_ticket(hotline, clock) -> None:
    near = ticket(hotline, "四坪村道路塌方", "四坪村组道被山体滑坡堵住了，车过不去", "太平镇", "四坪村")
    far = ticket(hotline, "容美镇路灯不亮", "满山红社区路灯坏了", "容美镇", "满山红社区")
    clock.advance(hours=2)
    body = SensorEventCreate(source="drone", external_id="UAV-0001", kind="山体滑坡", township="太平镇",
                             village="四坪村", occurred_at=clock() - timedelta(hours=1),
                             description="无人机巡查发现四坪村组道旁山体滑坡，道路堵塞", confidence=0.92)
    event = hotline.hotspots.sensors.post(body, SUPERVISOR)
    assert [m.ticket_id for m in event.matches] == [near] and far not in [m.ticket_id for m in event.matches]
    assert "同在太平镇四坪村" in event.matches[0].reason and event.matches[0].score > 0.6
    again = hotline.hotspots.sensors.post(body, SUPERVISOR)  # the same alert pushed twice is one event
    assert again.id == event.id
    with pytest.raises(ValidationFailed, match="不是太平镇的村"):
        hotline.hotspots.sensors.post(body.model_copy(update={"external_id": "X", "village": "满山红社区"}), SUPERVISOR)
    with pytest.raises(ValidationFailed, match="晚于当前时间"):
        hotline.hotspots.sensors.post(body.model_copy(update={"external_id": "Y", "occurred_at": clock() + timedelta(
            days=1)}), SUPERVISOR)
    with pytest.raises(PermissionDenied):
        hotline.hotspots.sensors.open_ticket(event.id, ProactiveTicket(), AGENT)
    t = hotline.hotspots.sensors.open_ticket(event.id, ProactiveTicket(urgency="紧急",
                                                                       dispatch={"lead_unit": "zzzx"}), SUPERVISOR)
    assert t.channel == "sensor" and t.status == "dispatched" and t.township == "太平镇" and "UAV-0001" in t.content
    history = hotline.tickets.history(t.id, SUPERVISOR)
    assert [e.action for e in history] == ["create", "dispatch"] and history[0].actor_name == "督办员甲"
    with pytest.raises(InvalidTransition, match="已立案"):
        hotline.hotspots.sensors.open_ticket(event.id, ProactiveTicket(), SUPERVISOR)
    assert hotline.hotspots.sensors.get(event.id, AGENT).ticket_id == t.id
    assert hotline.hotspots.linkage.links_of_ticket(t.id, AGENT)["sensor_events"][0]["id"] == event.id


def test_linkage_orders_imported_matched_and_exported(hotline, clock) -> None:
    fight = ticket(hotline, "燕子坪社区有人打架", "燕子坪社区菜市场门口两人打架，有人受伤", "燕子镇", "燕子坪社区")
    ticket(hotline, "燕子镇停电", "燕子镇清湖村停电一天了", "燕子镇", "清湖村")
    local = clock().astimezone(hotline.county.timezone)
    text = ("系统,工单编号,标题,内容,乡镇,村（社区）,详细地址,发生时间,状态\n"
            f"110,JQ2026031001,菜市场打架,燕子坪社区菜市场门口有人打架受伤,燕子镇,燕子坪社区,菜市场,{local:%Y-%m-%d %H:%M},已出警\n"
            f"综治,ZZ2026031001,=邻里纠纷,走马镇白果村两户因宅基地争吵,走马镇,白果村,,{local:%Y-%m-%d %H:%M},调处中\n")
    report = hotline.hotspots.linkage.import_orders(read_csv(text.encode("utf-8")), AGENT)
    assert (report.imported, report.updated, report.linked) == (2, 0, 1)
    by_no = {o.external_no: o for o in report.orders}
    assert by_no["JQ2026031001"].ticket_id == fight and "文本相似度" in by_no["JQ2026031001"].match_reason
    assert by_no["ZZ2026031001"].ticket_id is None
    assert hotline.hotspots.linkage.links_of_ticket(fight, AGENT)["linkage_orders"][0].external_no == "JQ2026031001"
    again = hotline.hotspots.linkage.import_orders(read_csv(text.encode("utf-8")), AGENT)
    assert (again.imported, again.updated) == (0, 2)
    rows = list(csv.reader(io.StringIO(hotline.hotspots.linkage.export_csv(AGENT).decode("utf-8-sig"))))
    assert rows[0][:2] == ["系统", "工单编号"] and "关联热线工单" in rows[0]
    exported = {r[1]: r for r in rows[1:]}
    assert exported["JQ2026031001"][9].startswith("HF") and exported["ZZ2026031001"][2] == "'=邻里纠纷"
    bad = "系统,工单编号,标题,发生时间,乡镇\n120,A1,标题一,2026-03-10 08:00,太平镇\n110,A2,标题二,不是时间,纽约\n"
    with pytest.raises(ValidationFailed) as err:
        hotline.hotspots.linkage.import_orders(read_csv(bad.encode()), AGENT)
    rows_wrong = {(e["row"], e["field"]) for e in err.value.details["errors"]}
    assert rows_wrong == {(2, "system"), (3, "occurred_at")}
    assert len(hotline.hotspots.linkage.list(AGENT)) == 2  # nothing of the bad file was imported
