"""质检 and 回访: a reviewer plays a scored call and overrules a deduction; an agent records a
callback outcome with one click."""

from __future__ import annotations

import io
import math
import struct
import wave

from sqlalchemy import select

from assistant.db.callback_models import Callback
from assistant.db.models import Ticket
from assistant.db.qa_models import QaRecord
from tests.e2e.conftest import login_as, shot


def _wav(seconds: float = 12.0, rate: int = 8000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        n = int(seconds * rate)
        w.writeframes(struct.pack(f"<{n}h", *(int(3000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(n))))
    return buf.getvalue()


def test_qa_reviewer_plays_call_and_overrules_item(page, server, as_role) -> None:
    agent = as_role("agent")
    call = agent("POST", "/calls", json={"caller_number": "13872002222"}).json()
    agent("POST", f"/calls/{call['id']}/segments", json={"segments": [
        {"speaker": "agent", "start": 0.0, "end": 2.0, "text": "喂，说"},
        {"speaker": "caller", "start": 2.5, "end": 6.0, "text": "我想问一下走马镇的低保怎么申请"},
        {"speaker": "agent", "start": 6.5, "end": 9.0, "text": "这个不归我们管，你自己去问"},
        {"speaker": "caller", "start": 9.5, "end": 11.0, "text": "那好吧"}]})
    agent("PUT", f"/calls/{call['id']}/recording", files={"file": ("call.wav", _wav(), "audio/wav")})
    agent("POST", f"/calls/{call['id']}/end")
    with server.hotline.db.read() as s:
        record = s.scalars(select(QaRecord).where(QaRecord.call_id == call["id"])).one()
    violated = [i for i in record.items if i.get("violated")]
    assert violated, record.items
    login_as(page, server, "qa")
    assert page.url.endswith("/console/qa.html")
    page.select_option("#status", "")
    page.locator(f"#results li[data-id='{record.id}']").click()
    page.wait_for_selector("#player")
    page.wait_for_function("() => document.querySelector('#player').src.startsWith('blob:')")
    page.wait_for_function("() => document.querySelector('#player').duration > 11")
    page.locator("#qa-transcript .seg").nth(2).click()
    page.wait_for_function("() => Math.abs(document.querySelector('#player').currentTime - 6.5) < 1.5")
    assert "now" in page.locator("#qa-transcript .seg").nth(2).get_attribute("class")
    item = page.locator(f"#items li[data-item='{violated[0]['item_id']}']")
    assert item.locator(".evidence mark").count() >= 1 or not violated[0].get("evidence")
    item.locator("input.comment").fill("录音显示坐席已致歉，推翻此项")
    shot(page, "qa-review")
    item.locator("[data-decision=overrule]").click()
    page.locator(f"#items li[data-item='{violated[0]['item_id']}'] .tag.amber").wait_for()
    with server.hotline.db.read() as s:
        record = s.get(QaRecord, record.id)
        reviewed = next(i for i in record.items if i["item_id"] == violated[0]["item_id"])
        assert reviewed.get("review") == "overrule"
    assert not page.errors, page.errors


def test_agent_records_callback_outcome_one_click(page, server, as_role) -> None:
    agent = as_role("agent")
    t = agent("POST", "/tickets", json={"caller_name": "刘女士", "caller_number": "13872003333", "appeal_type": "求助",
                                        "title": "路灯不亮", "content": "容美镇满山红社区路灯坏了一周。", "township": "容美镇",
                                        "dispatch": {"lead_unit": "rsj"}}).json()
    unit = as_role("unit_staff")
    unit("POST", f"/tickets/{t['id']}/actions/sign", json={})
    unit("POST", f"/tickets/{t['id']}/actions/reply", json={"reply": "已联系供电所更换路灯，今晚恢复照明。"})
    with server.hotline.db.read() as s:
        cb = s.scalars(select(Callback).where(Callback.ticket_id == t["id"])).one()
    login_as(page, server, "agent")
    page.goto(server.url("callbacks.html"))
    page.check("#future")
    page.locator(f"#worklist li[data-id='{cb.id}']").click()
    assert "路灯不亮" in page.inner_text("#script") or "回访" in page.inner_text("#script")
    page.fill("#cb-notes", "路灯已经修好了，挺满意的，谢谢你们")
    page.click("#reached")
    page.wait_for_selector("#confirm")
    assert page.input_value("#cb-resolution") == "解决"
    assert page.input_value("#cb-satisfaction") == "满意"
    shot(page, "callback")
    page.keyboard.press("Enter")  # the confirm button has the focus: one key
    page.wait_for_selector("#confirmed")
    with server.hotline.db.read() as s:
        cb = s.get(Callback, cb.id)
        assert cb.status == "done" and cb.resolution == "解决" and cb.satisfaction == "满意"
        ticket = s.get(Ticket, t["id"])
        assert ticket.status == "visited" and ticket.satisfaction == "满意"
    assert not page.errors, page.errors
