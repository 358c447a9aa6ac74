"""掌上办 at 360 px: a handling unit signs for a ticket, attaches a photo and replies; returns another."""

from __future__ import annotations

from sqlalchemy import select

from assistant.db.attachment_models import TicketAttachment
from assistant.db.models import Ticket, TicketEvent
from tests.e2e.conftest import login_as, shot

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00"
       b"\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")


def _ticket(api, title: str) -> dict:
    return api("POST", "/tickets", json={
        "caller_name": "王先生", "caller_number": "13872001111", "appeal_type": "求助", "title": title,
        "content": f"{title}，请尽快处理。", "township": "容美镇", "dispatch": {"lead_unit": "rsj"}}).json()


def test_unit_signs_attaches_replies_and_returns(phone, server, as_role) -> None:
    agent = as_role("agent")
    first, second = _ticket(agent, "工资拖欠三个月"), _ticket(agent, "社保卡补办咨询")
    login_as(phone, server, "unit_staff")
    assert phone.url.endswith("/console/unit.html")
    card = phone.locator(f"article[data-id='{first['id']}']")
    card.wait_for()
    assert "剩" in card.locator(".countdown").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "unit-list-360")
    card.locator("button.open").click()
    card.locator("[data-action=sign]").click()
    card = phone.locator(f"article[data-id='{first['id']}']")
    card.locator("text=办理中").wait_for()
    card.locator("button.open").click()
    card.locator("input.photo").set_input_files(files=[{"name": "现场.png", "mimeType": "image/png", "buffer": PNG}])
    card.locator(".thumbs img[src^='blob:']").wait_for()
    card.locator("textarea.reason").fill("已约谈用人单位，工资已于今日全部发放到位。")
    shot(phone, "unit-ticket-360")
    card.locator("[data-action=reply]").click()
    phone.locator(f"article[data-id='{first['id']}']").wait_for(state="detached")
    other = phone.locator(f"article[data-id='{second['id']}']")
    other.locator("button.open").click()
    other.locator("textarea.reason").fill("不属于本单位职责，应由医保局办理。")
    other.locator("[data-action=return]").click()
    other.wait_for(state="detached")
    with server.hotline.db.read() as s:
        t1, t2 = s.get(Ticket, first["id"]), s.get(Ticket, second["id"])
        assert t1.status == "closed" and t1.reply.startswith("已约谈")
        assert t2.status == "returned"
        events = [e.action for e in s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t1.id).order_by(TicketEvent.id))]
        assert events == ["create", "dispatch", "sign", "attach", "reply"]
        att = s.scalars(select(TicketAttachment).where(TicketAttachment.ticket_id == t1.id)).one()
        assert att.filename == "现场.png" and (server.data_dir / "attachments" / att.path).read_bytes() == PNG
    assert not phone.errors, phone.errors
